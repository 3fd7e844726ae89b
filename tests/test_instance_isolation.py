"""
Every NetBox instance the project starts has its own queues and cache (dev/instance_redis.py, docs/development.md):
the leasing of Redis databases on a Redis server of the test's own; then, on the real Redis, a job enqueued in this
test instance never runs in another instance's worker and runs in its own; and the check `make demo` runs on its
worker.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import instance_redis
import psycopg
import pytest
import services
from django.conf import settings
from django.db import connections
from django.utils import timezone
from django_rq import get_queue
from rq import Queue

REPO = Path(__file__).resolve().parent.parent
NETBOX = Path(sys.executable).parent / 'netbox'


def record_run(path):
    """The job of these tests: writes down the database of the NetBox instance whose worker runs it."""
    Path(path).write_text(settings.DATABASES['default']['NAME'])


def netbox_environment(database, **extra):
    """The environment `make` gives NetBox, on `database`, with this package importable for the job above."""
    return {
        **os.environ, 'PYTHONPATH': os.pathsep.join([str(REPO / 'dev'), str(REPO)]),
        'NETBOX_CONFIGURATION': 'netbox_configuration', 'NETBOX_ROOT': str(REPO / '.dev' / 'netbox'),
        'NETBOX_DB_NAME': database, **extra,
    }


def wait_until(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f'{what} within {seconds} s')
        time.sleep(0.2)


#
# The leases, on a Redis of the test's own: six databases, so the registry's and two pairs (and one spare)
#

@pytest.fixture(scope='module')
def private_redis(tmp_path_factory):
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    binary = services.redis_server_binary(os.environ.get('NETBOX_DEV_REDIS_SERVER', ''))
    process = subprocess.Popen(
        [binary, '--bind', '127.0.0.1', '--port', str(port), '--databases', '6', '--save', '', '--appendonly', 'no',
         '--dir', str(tmp_path_factory.mktemp('redis'))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        services.wait_for(lambda: services.redis_ping('127.0.0.1', port), 30, 'the test Redis')
        yield {'HOST': '127.0.0.1', 'PORT': port, 'USERNAME': '', 'PASSWORD': '', 'SSL': False}
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def server(private_redis):
    """The test Redis, empty and with no other client (the pairs that previous tests kept in use are free again)."""
    client = instance_redis.connect(private_redis)
    client.flushall()
    client.client_kill_filter(_type='normal', skipme=True)
    client.close()
    return private_redis


@pytest.fixture
def client(server):
    client = instance_redis.connect(server)
    yield client
    client.close()


def keys(server, db):
    with instance_redis.connect(server, db) as connection:
        return sorted(key.decode() for key in connection.keys())


def put(server, db, key):
    with instance_redis.connect(server, db) as connection:
        connection.set(key, '1')


def test_each_instance_gets_a_pair_of_its_own_and_keeps_it(server, client):
    alpha = instance_redis.lease(client, 'alpha', now=1)
    beta = instance_redis.lease(client, 'beta', now=2)
    assert (alpha.tasks, alpha.cache, alpha.new) == (1, 2, True)
    assert (beta.tasks, beta.cache, beta.new) == (3, 4, True)

    put(server, alpha.tasks, 'rq:queue:default')
    again = instance_redis.lease(client, 'alpha', now=3)
    assert (again.tasks, again.cache, again.new) == (1, 2, False)
    assert keys(server, alpha.tasks) == ['rq:queue:default']
    assert [(lease['tasks'], lease['instance'], lease['started']) for lease in instance_redis.leases(client)] == [
        (1, 'alpha', 3), (3, 'beta', 2)]


def test_a_new_instance_takes_the_least_recently_started_pair_emptied(server, client):
    instance_redis.lease(client, 'alpha', now=1)
    instance_redis.lease(client, 'beta', now=2)
    instance_redis.lease(client, 'alpha', now=3)
    for db in (1, 3, 4):
        put(server, db, f'left-in-{db}')

    gamma = instance_redis.lease(client, 'gamma', now=4)
    assert (gamma.tasks, gamma.new, gamma.former) == (3, True, 'beta')
    assert keys(server, 3) == keys(server, 4) == []
    assert keys(server, 1) == ['left-in-1']

    # beta is back: alpha has started least recently now.
    beta = instance_redis.lease(client, 'beta', now=5)
    assert (beta.tasks, beta.former) == (1, 'alpha')
    assert keys(server, 1) == []
    assert {lease['instance'] for lease in instance_redis.leases(client)} == {'beta', 'gamma'}


def test_a_pair_in_use_is_never_taken(server, client):
    instance_redis.lease(client, 'alpha', now=1)
    instance_redis.lease(client, 'beta', now=2)
    with instance_redis.connect(server, 2) as alpha_process:
        alpha_process.ping()
        gamma = instance_redis.lease(client, 'gamma', now=3)
        assert (gamma.tasks, gamma.former) == (3, 'beta')
        with instance_redis.connect(server, 3) as gamma_process:
            gamma_process.ping()
            with pytest.raises(instance_redis.InstanceRedisError) as error:
                instance_redis.lease(client, 'delta', now=4)
    assert str(error.value).startswith('no pair of Redis databases is free for delta: in use by running NetBox '
                                       'instances: 1/2 alpha, 3/4 gamma; holding keys that no lease explains '
                                       '(left alone): none.')
    assert 'NETBOX_REDIS_TASKS_DB' in str(error.value)


def test_databases_holding_keys_that_no_lease_explains_are_left_alone(server, client):
    put(server, 2, 'someone-else')
    assert instance_redis.foreign_databases(client) == [2]
    assert instance_redis.lease(client, 'alpha', now=1).tasks == 3
    # Even when the only way to serve beta is to take alpha's pair.
    assert instance_redis.lease(client, 'beta', now=2).tasks == 3
    assert keys(server, 2) == ['someone-else']


def test_release_empties_the_pair_and_frees_it(server, client):
    alpha = instance_redis.lease(client, 'alpha', now=1)
    put(server, alpha.cache, 'cached')
    assert instance_redis.release(client, 'alpha') == alpha.tasks
    assert instance_redis.leases(client) == []
    assert keys(server, alpha.cache) == []
    assert instance_redis.release(client, 'alpha') is None
    assert instance_redis.lease(client, 'beta', now=2).tasks == alpha.tasks


def test_a_running_process_keeps_its_pair_in_use(server, client):
    tasks, cache = instance_redis.instance_databases('alpha', server)
    assert (tasks, cache) == (1, 2)
    names = {(entry['name'], int(entry['db'])) for entry in client.client_list()}
    assert ('netbox-decommission:alpha', 1) in names
    instance_redis.lease(client, 'beta', now=time.time() + 1)
    # alpha started first, but its process still runs: beta's pair is the one taken.
    assert instance_redis.lease(client, 'gamma', now=time.time() + 2).former == 'beta'


def test_the_environment_chooses_the_databases_by_hand(monkeypatch):
    nowhere = {'HOST': '127.0.0.1', 'PORT': 1, 'USERNAME': '', 'PASSWORD': '', 'SSL': False}
    monkeypatch.setenv('NETBOX_REDIS_TASKS_DB', '11')
    monkeypatch.setenv('NETBOX_REDIS_CACHE_DB', '12')
    assert instance_redis.instance_databases('alpha', nowhere) == (11, 12)
    monkeypatch.delenv('NETBOX_REDIS_CACHE_DB')
    with pytest.raises(instance_redis.InstanceRedisError, match='set both NETBOX_REDIS_TASKS_DB and'):
        instance_redis.instance_databases('alpha', nowhere)


def test_without_redis_a_process_has_no_databases_anyone_may_lease(capsys):
    nowhere = {'HOST': '127.0.0.1', 'PORT': 1, 'USERNAME': '', 'PASSWORD': '', 'SSL': False}
    assert instance_redis.instance_databases('alpha', nowhere) == (-1, -1)
    assert 'no Redis answers at 127.0.0.1:1' in capsys.readouterr().err


#
# The proof, on the real Redis: this test instance and another, each with its own RQ worker
#

def clone_database(source, target):
    """CREATE DATABASE … TEMPLATE needs the source without sessions: this process's are closed, idle ones of
    threads that ended (kept open by CONN_MAX_AGE) are ended when waiting has not freed it."""
    connections.close_all()
    db = settings.DATABASES['default']
    with psycopg.connect(host=db['HOST'], port=db['PORT'], user=db['USER'], password=db['PASSWORD'],
                         dbname='postgres', autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        for attempt in range(20):
            try:
                admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
                return
            except psycopg.errors.ObjectInUse:
                if attempt == 19:
                    raise
                if attempt >= 3:
                    admin.execute('SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                                  'WHERE datname = %s AND pid <> pg_backend_pid()', [source])
                time.sleep(0.5)


def drop_database(name):
    db = settings.DATABASES['default']
    with psycopg.connect(host=db['HOST'], port=db['PORT'], user=db['USER'], password=db['PASSWORD'],
                         dbname='postgres', autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def forget_system_jobs(database, since, tasks):
    """
    A NetBox worker schedules NetBox's system jobs when it starts (core/management/commands/rqworker.py) and commits
    their Job rows in its own transactions, which the test's rollback does not undo: remove them, and the queued
    jobs, so that the test leaves the test database and its queues as it found them.
    """
    db = settings.DATABASES['default']
    with psycopg.connect(host=db['HOST'], port=db['PORT'], user=db['USER'], password=db['PASSWORD'],
                         dbname=database, autocommit=True) as connection:
        connection.execute('DELETE FROM core_job WHERE created >= %s', [since])
    tasks.flushdb()


@pytest.fixture
def other_instance(django_db_setup):
    """
    Another NetBox instance: a database of its own (a clone of this one, made before the test's transaction opens
    a session on it) and, through it, Redis databases.
    """
    this = connections['default'].settings_dict['NAME']
    other = f'{this}_other'
    clone_database(this, other)
    registry = instance_redis.connect(settings.REDIS['tasks'])
    try:
        yield other, instance_redis.lease(registry, other)
    finally:
        instance_redis.release(registry, other)
        registry.close()
        drop_database(other)


def test_a_job_runs_in_its_own_instance_only(other_instance, db, tmp_path):
    other, other_lease = other_instance
    this = connections['default'].settings_dict['NAME']
    assert this == settings.DATABASES['default']['TEST']['NAME']
    # Straight into Redis: django-rq would enqueue at the commit of the test's transaction, which never comes.
    queue = Queue('default', connection=get_queue('default').connection)
    assert queue.connection.connection_pool.connection_kwargs['db'] == settings.REDIS['tasks']['DATABASE']
    assert other_lease.tasks not in (settings.REDIS['tasks']['DATABASE'], settings.REDIS['caching']['DATABASE'])
    # What earlier tests or sessions may have left in this instance's queues is not this test's to run.
    for name in instance_redis.NETBOX_QUEUES:
        get_queue(name).empty()

    mine = queue.enqueue(record_run, str(tmp_path / 'mine'))
    other_queue = Queue('default', connection=instance_redis.connect(settings.REDIS['tasks'], other_lease.tasks))
    theirs = other_queue.enqueue(record_run, str(tmp_path / 'theirs'))

    run = subprocess.run([NETBOX, 'rqworker', '--burst'], env=netbox_environment(other), cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    # The other instance's worker ran its own job, in its own database, and left this one's alone.
    assert theirs.get_status(refresh=True) == 'finished'
    assert (tmp_path / 'theirs').read_text() == other
    assert not (tmp_path / 'mine').exists()
    assert mine.get_status(refresh=True) == 'queued'

    # This instance's worker, started as `make demo` starts the demo's and checked the same way, runs it.
    log = tmp_path / 'rqworker.log'
    started = timezone.now()
    with log.open('w') as output:
        worker = subprocess.Popen([NETBOX, 'rqworker'], env=netbox_environment(this), cwd=REPO, stdout=output,
                                  stderr=subprocess.STDOUT)
    try:
        try:
            assert instance_redis.worker_problem(queue.connection, worker.pid, timeout=120) is None, log.read_text()
            wait_until((tmp_path / 'mine').exists, 60, 'the job did not run')
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        assert (tmp_path / 'mine').read_text() == this
        assert mine.get_status(refresh=True) == 'finished'
    finally:
        forget_system_jobs(this, started, queue.connection)


#
# The check of the demo's worker
#

def worker_problem_of(server, code, timeout, **popen):
    """What the demo's check says of a process running `code` as its worker: (its pid, the problem found)."""
    process = subprocess.Popen([sys.executable, '-c', code], **popen)
    try:
        with instance_redis.connect(server, 1) as connection:
            return process.pid, instance_redis.worker_problem(connection, process.pid, timeout=timeout)
    finally:
        process.kill()
        process.wait()


def test_the_worker_check_reports_a_worker_that_died(server):
    # As the demo's did after the shared queues had filled its database with foreign Job rows.
    pid, problem = worker_problem_of(server, 'import sys, time; time.sleep(1); sys.exit("IntegrityError: duplicate '
                                     'key value violates unique constraint core_job_pkey")', timeout=60,
                                     stderr=subprocess.DEVNULL)
    assert problem == f'the RQ worker (pid {pid}) has exited'


def test_the_worker_check_reports_a_process_that_never_registers(server):
    pid, problem = worker_problem_of(server, 'import time; time.sleep(60)', timeout=1)
    assert problem == (f'the RQ worker (pid {pid}) runs, but has not registered for the queues high, default, '
                       f'low within 1 s')


def test_make_demo_prints_the_loud_message_with_the_log(server, tmp_path):
    log = tmp_path / 'rqworker.log'
    log.write_text('Traceback (most recent call last):\n'
                   'django.db.utils.IntegrityError: duplicate key value violates unique constraint "core_job_pkey"\n')
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    run = subprocess.run(
        [sys.executable, REPO / 'dev' / 'instance_redis.py', 'check-worker', str(dead.pid), str(log), '--timeout', '5'],
        env=netbox_environment('demo_like', NETBOX_REDIS_PORT=str(server['PORT'])), capture_output=True, text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert 'THE RQ WORKER IS NOT RUNNING' in run.stderr
    assert f'the RQ worker (pid {dead.pid}) has exited' in run.stderr
    assert 'databases 1 (tasks) and 2 (cache), leased to demo_like' in run.stderr
    assert 'duplicate key value violates unique constraint "core_job_pkey"' in run.stderr
