#!/usr/bin/env python3
"""The sdist and the wheel, built from a clean export of the checkout (development; `make dist`).

The export holds the files git tracks or would track (not ignored), as they are in the working tree, and nothing
else: no .venv, no .dev, no build left-overs, no egg-info of the editable install. From it, `python -m build` makes
the sdist, and the wheel from that sdist, so a file MANIFEST.in forgets is missing from the wheel too. The build runs
without an isolated environment (setuptools and build come from requirements-dev.txt), so it needs no index.

    python dev/package.py [OUTDIR]     the sdist and the wheel into OUTDIR (default dist/); prints their paths

tests/test_package.py builds them the same way and checks what the wheel holds.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def export(destination):
    """Copy the checkout's tracked and trackable files, as they are in the working tree, into destination."""
    listed = subprocess.run(
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split('\0')
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out, as a commit would
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def build(outdir):
    """Build the sdist and the wheel from a clean export into outdir: (sdist path, wheel path)."""
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='netbox-decommission-export-') as scratch:
        source = Path(scratch) / 'netbox-decommission'
        export(source)
        subprocess.run(
            [sys.executable, '-m', 'build', '--no-isolation', '--outdir', str(outdir), str(source)],
            check=True, capture_output=True, text=True,
        )
    version = _version()
    return (
        outdir / f'netbox_decommission-{version}.tar.gz',
        outdir / f'netbox_decommission-{version}-py3-none-any.whl',
    )


def _version():
    # As setup.py reads it: the version lives in the package's __init__.py only.
    init = (ROOT / 'netbox_decommission' / '__init__.py').read_text()
    return re.search(r"^__version__ = '([^']+)'", init, re.M)[1]


def main():
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / 'dist'
    try:
        for path in build(outdir):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    except subprocess.CalledProcessError as error:
        sys.exit(f'The build failed:\n{error.stdout}{error.stderr}')


if __name__ == '__main__':
    main()
