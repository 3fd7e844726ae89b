#!/usr/bin/env python3
"""Wait until the demo's login page answers, then say how long `make demo` took to serve it (development only).

    python dev/demo_served.py STARTED URL

STARTED is when `make demo` started (seconds since the epoch); the Makefile runs this in the background next to the
web server. It gives up silently after ten minutes (the server's own output then says why it is not serving).
"""

import sys
import time
import urllib.request

PATIENCE = 600


def main():
    started, url = float(sys.argv[1]), sys.argv[2]
    deadline = time.time() + PATIENCE
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).close()
        except OSError:
            time.sleep(0.25)
            continue
        print(f'\nServed: {url} answered {time.time() - started:.0f} s after make demo started\n', flush=True)
        return 0
    return 1


if __name__ == '__main__':
    sys.exit(main())
