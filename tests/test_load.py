"""
A short run of the load runner (`make load`): 8 concurrent clients for 10 s in each mix (the walk, then the readers'
mix) against NetBox under gunicorn, on a database of its own, cloned from this session's migrated test database and
dropped afterwards.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connections

pytestmark = pytest.mark.load

REPO = Path(__file__).resolve().parent.parent


def server_connection():
    db = settings.DATABASES['default']
    return psycopg.connect(host=db['HOST'], port=db['PORT'], user=db['USER'], password=db['PASSWORD'],
                           dbname='postgres', autocommit=True)


def clone(admin, source, target, attempts=20):
    """
    CREATE DATABASE … TEMPLATE needs the source without sessions. This process's own is closed; what lingers are
    the sessions of threads that ended (the live server's request threads, the concurrency tests' workers), kept
    open by CONN_MAX_AGE and never used again: once waiting has not freed the database, they are ended.
    """
    for attempt in range(attempts):
        try:
            admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
            return
        except psycopg.errors.ObjectInUse:
            if attempt == attempts - 1:
                raise
            if attempt >= 3:
                admin.execute('SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                              'WHERE datname = %s AND pid <> pg_backend_pid()', [source])
            time.sleep(0.5)


def test_concurrent_clients_under_gunicorn(django_db_setup, tmp_path):
    # Set up by django_db_setup, the connection's settings name the test database.
    test_database = connections['default'].settings_dict['NAME']
    name = f'{test_database}_load'
    # The runner clones its database from <name>_template (benchmarks.run.prepare_database): this session's test
    # database, migrated already, serves as that template.
    connections.close_all()
    with server_connection() as admin:
        for database in (name, f'{name}_template'):
            admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
        clone(admin, test_database, f'{name}_template')
    results = tmp_path / 'results.json'
    try:
        run = subprocess.run(
            [sys.executable, '-m', 'loadtest.run'], cwd=REPO, capture_output=True, text=True, timeout=600,
            env={**os.environ, 'NETBOX_DB_NAME': name, 'LOAD_SECONDS': '10', 'LOAD_CLIENTS': '8',
                 'LOAD_RESULTS': str(results)},
        )
    finally:
        with server_connection() as admin:
            for database in (name, f'{name}_template'):
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    summary = json.loads(results.read_text())
    assert summary['problems'] == []
    assert summary['errors'] == 0
    assert summary['clients'] == 8 and summary['gunicorn_workers'] == 4
    assert summary['mixes'] == ['walk', 'readers']
    walk, readers = summary['phases']['walk'], summary['phases']['readers']
    # The walks got past their first stage move (a short run on a busy machine may not get much further).
    assert {'create', 'sign order'} <= set(walk['operations'])
    assert walk['decommissions_started'] >= 8
    assert walk['stage_moves'] > 0
    # The readers read the plugin's records and NetBox's devices side by side, while one client signs.
    assert {'plugin: decommission list', 'plugin: decommission record', 'netbox: device list',
            'netbox: device record'} <= set(readers['operations'])
    assert 'create' in readers['operations']
    figures = {figure['name']: figure for figure in summary['figures']}
    ratio = figures["readers' mix: p95 of the plugin's reads (list, record, stage log), ms"]
    assert ratio['target'] == '<= 1.5' and ratio['pass'] in (True, False)
    for name in ('failed requests', 'duplicate numbers', 'stage log entries lost or extra'):
        assert figures[name]['value'] == 0 and figures[name]['pass'] is True
