#!/usr/bin/env python3
"""Redis databases of their own for every NetBox instance the project starts (development only).

NetBox builds its RQ queues ('high', 'default', 'low') and its cache from the REDIS setting alone: the queue
names are fixed and there is no key prefix. Two instances on the same Redis databases share their queues, and
the worker of one runs the other's jobs against its own PostgreSQL database. The demo, every test database,
`make bench` and `make load` use one Redis, so each instance, named after the PostgreSQL database it works on,
leases a pair of Redis databases (tasks, cache) in a registry kept on that Redis:

- database 0 holds the registry only (the hash REGISTRY: tasks database -> owner and time of the last start);
  the pairs are (1, 2), (3, 4), ... as far as the server's databases go (16 by default: seven pairs);
- an instance gets its pair back on every start;
- a new instance takes a free pair, else the pair whose owner started least recently and which no running
  process uses; the pair is emptied (FLUSHDB) before it is handed over, so no job or cache entry of its former
  owner ever meets the new database;
- a pair is in use while a client is connected to one of its databases: every NetBox process keeps a connection
  named netbox-decommission:<instance> open to its tasks database for as long as it runs (CLIENT LIST shows it);
  a pair in use is never taken, and when every pair is in use, a new instance stops with an error;
- a database that holds keys but was never leased belongs to someone else on this Redis and is left alone.

The choice and the hand-over run as one Lua script, so instances starting at the same time never get one pair.
NETBOX_REDIS_TASKS_DB and NETBOX_REDIS_CACHE_DB, set together, choose the databases by hand instead.

    python dev/instance_redis.py show                    the leases, and the databases left alone
    python dev/instance_redis.py release NAME            empty NAME's pair and free it
    python dev/instance_redis.py check-worker PID LOG    is the RQ worker PID serving its queues? (make demo)
"""

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

REGISTRY = 'netbox-decommission:redis-databases'
REGISTRY_DB = 0
# Redis's own default when CONFIG GET is refused.
DEFAULT_DATABASE_COUNT = 16
CLIENT_NAME_PREFIX = 'netbox-decommission:'
# What a process started while Redis did not answer gets: a database index Redis refuses, so such a process never
# writes into a database that someone else may lease later.
NO_DATABASE = -1
# The queues `netbox rqworker` serves when it is given none (core/management/commands/rqworker.py).
NETBOX_QUEUES = ('high', 'default', 'low')

# KEYS[1]: the registry. ARGV: the registry's database, the instance, the time, the number of databases, then the
# databases with a client. Returns {tasks, cache, 'renewed' | 'new', former owner or ''}, or an empty list when
# every pair is in use.
LEASE_SCRIPT = """
local registry, registry_db, instance = KEYS[1], tonumber(ARGV[1]), ARGV[2]
local now, count = tonumber(ARGV[3]), tonumber(ARGV[4])
local in_use = {}
for i = 5, #ARGV do in_use[tonumber(ARGV[i])] = true end

local leases = {}
local flat = redis.call('HGETALL', registry)
for i = 1, #flat, 2 do
  local tasks, lease = tonumber(flat[i]), cjson.decode(flat[i + 1])
  if lease.instance == instance then
    lease.started = now
    redis.call('HSET', registry, tasks, cjson.encode(lease))
    return {tasks, tasks + 1, 'renewed', ''}
  end
  leases[tasks] = lease
end

local function empty(db)
  redis.call('SELECT', db)
  local size = redis.call('DBSIZE')
  redis.call('SELECT', registry_db)
  return size == 0
end

local chosen, former
for tasks = registry_db + 1, count - 2, 2 do
  local lease = leases[tasks]
  if lease == nil then
    if empty(tasks) and empty(tasks + 1) then
      chosen, former = tasks, nil
      break
    end
  elseif not (in_use[tasks] or in_use[tasks + 1]) and (former == nil or lease.started < former.started) then
    chosen, former = tasks, lease
  end
end
if chosen == nil then return {} end

for _, db in ipairs({chosen, chosen + 1}) do
  redis.call('SELECT', db)
  redis.call('FLUSHDB')
end
redis.call('SELECT', registry_db)
redis.call('HSET', registry, chosen, cjson.encode({instance = instance, started = now}))
return {chosen, chosen + 1, 'new', former and former.instance or ''}
"""

# KEYS[1]: the registry. ARGV: the registry's database, the instance. Returns the tasks database it held, or nothing.
RELEASE_SCRIPT = """
local registry_db = tonumber(ARGV[1])
local flat = redis.call('HGETALL', KEYS[1])
for i = 1, #flat, 2 do
  if cjson.decode(flat[i + 1]).instance == ARGV[2] then
    local tasks = tonumber(flat[i])
    for _, db in ipairs({tasks, tasks + 1}) do
      redis.call('SELECT', db)
      redis.call('FLUSHDB')
    end
    redis.call('SELECT', registry_db)
    redis.call('HDEL', KEYS[1], flat[i])
    return tasks
  end
end
return nil
"""

# Connections that mark the pairs of this process's instances as in use (module state lives as long as the process).
_presence = {}


class InstanceRedisError(Exception):
    pass


@dataclass(frozen=True)
class Lease:
    tasks: int
    cache: int
    new: bool
    former: str


def redis_server():
    """The Redis of the development environment, as NetBox's REDIS entries name it (dev/services.py sets it)."""
    return {
        'HOST': os.environ.get('NETBOX_REDIS_HOST', '127.0.0.1'),
        'PORT': int(os.environ.get('NETBOX_REDIS_PORT', '6379')),
        'USERNAME': '',
        'PASSWORD': '',
        'SSL': False,
    }


def connect(server, db=REGISTRY_DB, **kwargs):
    # One attempt: a Redis that does not answer is told at once, not after redis-py's retries with back-off.
    return redis.Redis(
        host=server['HOST'], port=server['PORT'], db=db, username=server['USERNAME'] or None,
        password=server['PASSWORD'] or None, ssl=server['SSL'], socket_connect_timeout=2, socket_timeout=10,
        retry=Retry(NoBackoff(), 0), **kwargs,
    )


def database_count(client):
    try:
        return int(client.config_get('databases')['databases'])
    except (redis.ResponseError, KeyError):
        return DEFAULT_DATABASE_COUNT


def databases_in_use(client):
    """The databases some client is connected to; none known when CLIENT LIST is refused (no pair is protected)."""
    try:
        return {int(entry['db']) for entry in client.client_list()}
    except redis.ResponseError:
        return set()


def lease(client, instance, now=None):
    """The pair of databases of `instance`: the one it holds, or a pair handed over to it (emptied)."""
    reply = client.eval(
        LEASE_SCRIPT, 1, REGISTRY, REGISTRY_DB, instance, time.time() if now is None else now, database_count(client),
        *sorted(databases_in_use(client)),
    )
    if not reply:
        # Every leased pair is in use then (an idle one would have been taken).
        held = ', '.join(f'{item["tasks"]}/{item["tasks"] + 1} {item["instance"]}' for item in leases(client))
        foreign = ', '.join(map(str, foreign_databases(client)))
        raise InstanceRedisError(
            f'no pair of Redis databases is free for {instance}: in use by running NetBox instances: {held or "none"}; '
            f'holding keys that no lease explains (left alone): {foreign or "none"}. Stop one of those instances, or '
            f'give this one databases of its own with NETBOX_REDIS_TASKS_DB and NETBOX_REDIS_CACHE_DB'
        )
    tasks, cache, state, former = reply
    return Lease(tasks, cache, state == b'new', former.decode())


def release(client, instance):
    """Empty the pair of `instance` and make it free; returns its tasks database, or None if it held none."""
    return client.eval(RELEASE_SCRIPT, 1, REGISTRY, REGISTRY_DB, instance)


def leases(client):
    entries = [
        {'tasks': int(tasks), **json.loads(value)} for tasks, value in client.hgetall(REGISTRY).items()
    ]
    return sorted(entries, key=lambda entry: entry['tasks'])


def foreign_databases(client):
    """Databases that hold keys although no lease explains them: someone else's, and never leased."""
    held = {db for entry in leases(client) for db in (entry['tasks'], entry['tasks'] + 1)}
    filled = sorted(int(name[2:]) for name in client.info('keyspace') if name.startswith('db'))
    return [db for db in filled if db != REGISTRY_DB and db not in held]


def environment_databases():
    """NETBOX_REDIS_TASKS_DB and NETBOX_REDIS_CACHE_DB, or None when neither is set."""
    tasks, cache = os.environ.get('NETBOX_REDIS_TASKS_DB'), os.environ.get('NETBOX_REDIS_CACHE_DB')
    if tasks is None and cache is None:
        return None
    if tasks is None or cache is None or tasks == cache:
        raise InstanceRedisError(
            'set both NETBOX_REDIS_TASKS_DB and NETBOX_REDIS_CACHE_DB, to two different Redis databases '
            f'(they are {tasks!r} and {cache!r})'
        )
    try:
        return int(tasks), int(cache)
    except ValueError as exc:
        raise InstanceRedisError(f'NETBOX_REDIS_TASKS_DB and NETBOX_REDIS_CACHE_DB must be numbers: {exc}') from exc


def instance_databases(instance, server):
    """
    (tasks, cache): the Redis databases of the NetBox instance `instance` on `server` (REDIS-style entries), leased
    unless the environment names them; the process keeps its pair marked in use while it runs.
    """
    chosen = environment_databases()
    if chosen:
        return chosen
    client = connect(server)
    try:
        held = lease(client, instance)
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        print(f'instance_redis: no Redis answers at {server["HOST"]}:{server["PORT"]} ({exc}): this process has '
              f'no queues and no cache', file=sys.stderr)
        return NO_DATABASE, NO_DATABASE
    finally:
        client.close()
    if held.new:
        was = f'; they were the databases of {held.former}' if held.former else ''
        print(f'instance_redis: Redis {server["HOST"]}:{server["PORT"]} databases {held.tasks} (tasks) and '
              f'{held.cache} (cache) now serve {instance}, emptied{was}', file=sys.stderr)
    presence = connect(server, held.tasks, client_name=CLIENT_NAME_PREFIX + re.sub(r'[^\w.:-]', '_', instance))
    presence.ping()
    _presence[instance] = presence
    return held.tasks, held.cache


#
# The demo's worker
#

def process_running(pid):
    try:
        # A child of this process that has exited is a zombie, which still answers signals, until it is waited for.
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    return True


def worker_problem(connection, pid, queues=NETBOX_QUEUES, timeout=60.0):
    """
    None once the RQ worker `pid` has registered on `connection` for all `queues`; else why it has not (it exited,
    or it was not registered within `timeout` seconds).
    """
    from rq import Worker

    deadline = time.monotonic() + timeout
    while True:
        running = process_running(pid)
        for worker in Worker.all(connection=connection):
            if worker.pid == pid and set(queues) <= set(worker.queue_names()):
                return None if running else f'the RQ worker (pid {pid}) has exited'
        if not running:
            return f'the RQ worker (pid {pid}) has exited'
        if time.monotonic() >= deadline:
            return (f'the RQ worker (pid {pid}) runs, but has not registered for the queues {", ".join(queues)} '
                    f'within {timeout:g} s')
        time.sleep(0.2)


def log_tail(path, lines=20):
    try:
        return Path(path).read_text(errors='replace').splitlines()[-lines:]
    except OSError as exc:
        return [f'({path}: {exc.strerror})']


def command_check_worker(args):
    import netbox_configuration

    tasks, cache = netbox_configuration.REDIS['tasks'], netbox_configuration.REDIS['caching']
    owner = ('chosen by NETBOX_REDIS_TASKS_DB and NETBOX_REDIS_CACHE_DB' if environment_databases()
             else f'leased to {netbox_configuration.DATABASES["default"]["NAME"]}')
    where = (f'{tasks["HOST"]}:{tasks["PORT"]}, databases {tasks["DATABASE"]} (tasks) and {cache["DATABASE"]} '
             f'(cache), {owner}')
    problem = worker_problem(connect(tasks, tasks['DATABASE']), args.pid, timeout=args.timeout)
    if problem is None:
        print(f'RQ worker: pid {args.pid}, queues {", ".join(NETBOX_QUEUES)}, log {args.log}')
        print(f'Redis:     {where}')
        return 0
    banner = '!' * 100
    print('\n'.join([
        banner,
        'THE RQ WORKER IS NOT RUNNING: no webhook and no background job (bulk moves, document archives) will run.',
        f'Why: {problem}.',
        f'Redis: {where}. The last lines of {args.log}:',
        '',
        *(f'    {line}' for line in log_tail(args.log)),
        banner,
    ]), file=sys.stderr)
    return 1


def command_show(_args):
    server = redis_server()
    client = connect(server)
    in_use = databases_in_use(client)
    print(f'Redis {server["HOST"]}:{server["PORT"]}: {database_count(client)} databases; the registry '
          f'{REGISTRY} in database {REGISTRY_DB}')
    for entry in leases(client):
        tasks, cache = entry['tasks'], entry['tasks'] + 1
        started = time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(entry['started']))
        state = 'in use' if {tasks, cache} & in_use else 'idle'
        print(f'  {tasks:>3} / {cache:<3} {entry["instance"]}  (last started {started}, {state})')
    foreign = foreign_databases(client)
    if foreign:
        print(f'Left alone (keys that no lease explains): databases {", ".join(map(str, foreign))}')
    return 0


def command_release(args):
    client = connect(redis_server())
    tasks = release(client, args.instance)
    if tasks is None:
        print(f'{args.instance} holds no Redis databases')
    else:
        print(f'Redis databases {tasks} and {tasks + 1} emptied; {args.instance} holds them no more')
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    commands.add_parser('show', help='the leases').set_defaults(run=command_show)
    release_parser = commands.add_parser('release', help="empty an instance's pair and free it")
    release_parser.add_argument('instance')
    release_parser.set_defaults(run=command_release)
    check = commands.add_parser('check-worker', help='is the RQ worker serving the queues of this instance?')
    check.add_argument('pid', type=int)
    check.add_argument('log')
    check.add_argument('--timeout', type=float, default=60.0, help='seconds to wait for its registration')
    check.set_defaults(run=command_check_worker)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main())
