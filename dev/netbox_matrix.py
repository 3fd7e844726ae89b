#!/usr/bin/env python3
"""The release matrix: the compatibility tests on every released NetBox 4.7.x besides the pinned one (development).

The releases are the entries of netbox_decommission/compat/netbox_releases.json, the one list of them (each with the
last migration of every NetBox app); the pinned release is the one requirements-dev.txt installs into .venv, on which
`make test` runs the whole suite. For every other release, oldest first:

- a virtual environment .dev/matrix/<version>/ with that NetBox, the rest of requirements-dev.txt and the plugin
  (editable), made again only when a stamp of its inputs changes;
- a database migrated by that NetBox. Releases whose last migrations are the same share one, and the one of the
  pinned release's migrations is migrated by .venv's NetBox. A later state of the migrations starts from a copy of
  an earlier one and applies only the migrations it adds, as a NetBox upgrade does;
- the tests marked `compat` (pyproject.toml), run twice side by side, each on a fresh copy of that database (CREATE
  DATABASE ... TEMPLATE) as its test database: as configured, with the plugin's fast paths into NetBox's internals,
  and with NETBOX_DECOMMISSION_FAST_PATHS=0, on NetBox's public paths (dev/netbox_configuration.py).

The databases are <prefix>_<version> (migrated) and test_<prefix>_<version>_fast / _public, the prefix being
NETBOX_MATRIX_DB_PREFIX (default netbox_decommission_matrix; one run at a time per prefix). They are dropped at the
end and their instances' Redis databases (dev/instance_redis.py) freed; those an interrupted run left behind are
dropped at the start. PostgreSQL and Redis are the ones .dev/services.env names (`make services`), unless the
environment names others.

    python dev/netbox_matrix.py run [VERSION ...]   the matrix (default: every pinned release but requirements-dev's)
    python dev/netbox_matrix.py check-index         the 4.7.x releases on the package index that are not pinned
    python dev/netbox_matrix.py entry VERSION       a release's entry for the pin file, read from its migration files

Run it with .venv's Python (it needs psycopg and redis); `make test-matrix` does.
"""

import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RELEASES_FILE = REPO / 'netbox_decommission' / 'compat' / 'netbox_releases.json'
REQUIREMENTS = REPO / 'requirements-dev.txt'
SETUP = REPO / 'setup.py'
PINNED_VENV = REPO / '.venv'
DEV_DIR = REPO / '.dev'
MATRIX_DIR = DEV_DIR / 'matrix'
SERVICES_ENV = DEV_DIR / 'services.env'

NETBOX_REQUIREMENT = re.compile(r'^netbox==(?P<version>\S+)[ \t]*$', re.MULTILINE)
# As the Makefile installs the plugin into .venv.
PLUGIN_REQUIREMENT = '.[pades]'
# The compatibility tests, but not the classes that rerun some of them as on an unverified release: the matrix runs
# every one with the fast paths and again on NetBox's public paths.
SELECTION = 'compat and not public_paths_rerun'
# The two ways the plugin runs: (name, key in file and database names, NETBOX_DECOMMISSION_FAST_PATHS).
PATHS = (('fast paths', 'fast', '1'), ('public paths', 'public', '0'))
DEFAULT_DB_PREFIX = 'netbox_decommission_matrix'

# What `entry` runs in a release's environment: the last migration of each app named, from its migration files.
LAST_MIGRATIONS = """
import json, sys
import django
django.setup()
from django.db.migrations.loader import MigrationLoader
graph = MigrationLoader(None, ignore_no_migrations=True).graph
leaves = {app: sorted(name for _app, name in graph.leaf_nodes(app)) for app in sys.argv[1:]}
print(json.dumps({app: names[0] if len(names) == 1 else names for app, names in leaves.items()}))
"""


class MatrixError(Exception):
    pass


def log(message):
    print(f'matrix: {message}', flush=True)


def version_key(version):
    return tuple(int(part) for part in version.split('.'))


def duration(seconds):
    minutes, seconds = divmod(round(seconds), 60)
    return f'{minutes}m{seconds:02d}s'


def pinned_releases():
    """{version: {app: its last migration}} from the pin file, oldest first."""
    releases = json.loads(RELEASES_FILE.read_text(encoding='utf-8'))['releases']
    return {version: releases[version]['last_migrations'] for version in sorted(releases, key=version_key)}


def installed_release():
    """The release requirements-dev.txt pins: .venv's NetBox."""
    match = NETBOX_REQUIREMENT.search(REQUIREMENTS.read_text(encoding='utf-8'))
    if not match:
        raise MatrixError(f'{REQUIREMENTS.name} pins no NetBox release (a line netbox==<version>)')
    return match['version']


def series(version):
    return '.'.join(version.split('.')[:2])


def db_prefix():
    return os.environ.get('NETBOX_MATRIX_DB_PREFIX', DEFAULT_DB_PREFIX)


#
# Services and virtual environments
#

def load_services_environment():
    """Take PostgreSQL's and Redis's settings from .dev/services.env, where the environment does not set them."""
    if not SERVICES_ENV.exists():
        raise MatrixError(f'{SERVICES_ENV.relative_to(REPO)} is missing: run `make services` first')
    for line in SERVICES_ENV.read_text().splitlines():
        if line.startswith('export '):
            name, _, value = line.removeprefix('export ').partition('=')
            os.environ.setdefault(name, ''.join(shlex.split(value)))


def netbox_environment(venv, db_name, fast_paths='1'):
    """The environment NetBox runs in from `venv` on the database `db_name` (the Makefile's NETBOX_ENV)."""
    return {
        **os.environ,
        'PATH': f'{venv / "bin"}{os.pathsep}{os.environ.get("PATH", "")}',
        'VIRTUAL_ENV': str(venv),
        'PYTHONPATH': str(REPO / 'dev'),
        'NETBOX_CONFIGURATION': 'netbox_configuration',
        'NETBOX_ROOT': str(DEV_DIR / 'netbox'),
        'DJANGO_SETTINGS_MODULE': 'netbox.settings',
        'NETBOX_DB_NAME': db_name,
        'NETBOX_DECOMMISSION_FAST_PATHS': fast_paths,
    }


def environment(version):
    """(the virtual environment of NetBox `version`, how it came): .venv for the pinned release."""
    if version == installed_release():
        if not (PINNED_VENV / 'bin' / 'python').exists():
            raise MatrixError('.venv is missing: run `make venv` first')
        return PINNED_VENV, '.venv'
    venv = MATRIX_DIR / version
    requirements = NETBOX_REQUIREMENT.sub(f'netbox=={version}', REQUIREMENTS.read_text(encoding='utf-8'), count=1)
    stamp = hashlib.sha256(json.dumps(
        [requirements, SETUP.read_text(encoding='utf-8'), PLUGIN_REQUIREMENT, sys.version],
    ).encode()).hexdigest()
    stamp_file = venv / '.stamp'
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return venv, f'{venv.relative_to(REPO)} reused'
    log(f'NetBox {version}: making {venv.relative_to(REPO)}')
    started = time.monotonic()
    shutil.rmtree(venv, ignore_errors=True)
    MATRIX_DIR.mkdir(parents=True, exist_ok=True)
    # From .venv's Python, `-m venv` makes an environment on the same base interpreter.
    subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True)
    requirements_file = venv / 'requirements.txt'
    requirements_file.write_text(requirements, encoding='utf-8')
    logfile = MATRIX_DIR / f'pip-{version}.log'
    with logfile.open('w') as output:
        # --no-compile: byte-compiling every module of every package took most of the installation's processor
        # time; Python compiles what the tests import.
        result = subprocess.run(
            [str(venv / 'bin' / 'python'), '-m', 'pip', 'install', '--disable-pip-version-check', '--no-compile',
             '-r', str(requirements_file), '-e', PLUGIN_REQUIREMENT],
            cwd=REPO, stdout=output, stderr=subprocess.STDOUT,
        )
    if result.returncode:
        raise MatrixError(f'pip could not install NetBox {version} and requirements-dev.txt: see '
                          f'{logfile.relative_to(REPO)}')
    stamp_file.write_text(stamp)
    return venv, f'{venv.relative_to(REPO)} made in {duration(time.monotonic() - started)}'


#
# Databases
#

class Databases:
    """The matrix's PostgreSQL databases, and the Redis databases leased to the NetBox instances named after them."""

    def __init__(self, prefix):
        import psycopg

        self.prefix = prefix
        self.connection = psycopg.connect(
            host=os.environ.get('NETBOX_DB_HOST', '127.0.0.1'), port=os.environ.get('NETBOX_DB_PORT', '5432'),
            user=os.environ.get('NETBOX_DB_USER', 'postgres'), password=os.environ.get('NETBOX_DB_PASSWORD', ''),
            dbname='postgres', autocommit=True, connect_timeout=5,
        )
        # Every name handed out: NetBox leases Redis databases to each instance (the test database's under pytest).
        self.used = set()

    def name(self, *parts):
        name = '_'.join([self.prefix, *(part.replace('.', '_') for part in parts)])
        self.used.update((name, f'test_{name}'))
        return name

    def existing(self):
        rows = self.connection.execute(
            'SELECT datname FROM pg_database WHERE starts_with(datname, %s) OR starts_with(datname, %s)',
            [f'{self.prefix}_', f'test_{self.prefix}_'],
        )
        return sorted(name for (name,) in rows)

    def drop(self, name):
        from psycopg import sql

        # FORCE: a process of an interrupted run may still be connected.
        self.connection.execute(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(sql.Identifier(name)))

    def create(self, name, template=None):
        from psycopg import sql

        self.drop(name)
        statement = sql.SQL('CREATE DATABASE {}').format(sql.Identifier(name))
        if template:
            statement += sql.SQL(' TEMPLATE {}').format(sql.Identifier(template))
        self.connection.execute(statement)

    def drop_all(self):
        """Drop every database of the matrix, free its instances' Redis databases; returns the names dropped."""
        dropped = self.existing()
        for name in dropped:
            self.drop(name)
        release_redis(self.used | set(dropped))
        return dropped


def release_redis(instances):
    """Empty and free the Redis databases leased to these NetBox instances (dev/instance_redis.py)."""
    import instance_redis

    try:
        client = instance_redis.connect(instance_redis.redis_server())
        for instance in instances:
            instance_redis.release(client, instance)
    except instance_redis.redis.RedisError as exc:
        log(f'the Redis databases of {", ".join(sorted(instances))} were not freed: {exc}')


def migration_number(name):
    number = name.split('_', 1)[0]
    return int(number) if number.isdigit() else None


def continues(later, earlier):
    """True when the migration state `later` continues `earlier` in every app: an upgrade applies the difference."""
    for app, name in earlier.items():
        before, after = migration_number(name), migration_number(later.get(app, ''))
        if before is None or after is None or before > after or (before == after and name != later[app]):
            return False
    return True


#
# The runs
#

@dataclass
class Run:
    version: str
    path: str
    status: str = 'not run'
    counts: str = ''
    seconds: float = 0.0
    log: Path = None


def pytest_summary(log):
    """pytest's closing count ('86 passed, 3 skipped, 12 subtests passed'), '' when it has none."""
    lines = log.read_text(errors='replace').splitlines() if log.exists() else []
    last = lines[-1].strip('= ') if lines else ''
    if not re.search(r'\d+ (passed|failed|error|skipped)', last):
        return ''
    counts = re.sub(r' in [\d.]+s( \([\d:]+\))?$', '', last).split(', ')
    return ', '.join(count for count in counts if not count.endswith('deselected'))


class Matrix:

    def __init__(self, versions, pytest_args):
        self.releases = pinned_releases()
        self.pinned = installed_release()
        if self.pinned not in self.releases:
            raise MatrixError(f'NetBox {self.pinned} (requirements-dev.txt) has no entry in {RELEASES_FILE.name}')
        unknown = [version for version in versions if version not in self.releases]
        if unknown:
            raise MatrixError(f'not in {RELEASES_FILE.name}: {", ".join(unknown)}; add the entry first (`python '
                              f'dev/netbox_matrix.py entry VERSION` prints it)')
        self.versions = sorted(versions or [v for v in self.releases if v != self.pinned], key=version_key)
        self.pytest_args = pytest_args
        self.databases = Databases(db_prefix())
        # The migrated database of each migration state so far (its last migrations, as JSON), in order.
        self.migrated = {}
        self.setups, self.runs = {}, []

    def migrated_database(self, version):
        """The database of `version`'s migration state, migrated on first need; and what was done, or None."""
        state = json.dumps(self.releases[version], sort_keys=True)
        if state in self.migrated:
            return self.migrated[state], None
        migrator = self.pinned if self.releases[self.pinned] == self.releases[version] else version
        venv, _how = environment(migrator)
        name = self.databases.name(migrator)
        earlier = next((database for earlier, database in reversed(self.migrated.items())
                        if continues(self.releases[version], json.loads(earlier))), None)
        started = time.monotonic()
        self.databases.create(name, template=earlier)
        logfile = MATRIX_DIR / f'migrate-{migrator}.log'
        with logfile.open('w') as output:
            result = subprocess.run(
                [str(venv / 'bin' / 'netbox'), 'migrate', '--no-input'],
                env=netbox_environment(venv, name), stdout=output, stderr=subprocess.STDOUT, cwd=REPO,
            )
        if result.returncode:
            raise MatrixError(f'NetBox {migrator} did not migrate {name}: see {logfile.relative_to(REPO)}')
        self.migrated[state] = name
        start = f'a copy of {earlier}' if earlier else 'an empty database'
        return name, f'{start} migrated by NetBox {migrator} in {duration(time.monotonic() - started)}'

    def run_tests(self, version, venv, template):
        """Both paths at once, each on a copy of `template` (the machine's two processors serve one each)."""
        started, processes = {}, {}
        try:
            for path, key, fast_paths in PATHS:
                run = Run(version, path, log=MATRIX_DIR / version / f'pytest-{key}.log')
                self.runs.append(run)
                name = self.databases.name(version, key)
                # pytest-django's --reuse-db keeps the test database it finds: a fresh copy of the migrated one.
                self.databases.create(f'test_{name}', template=template)
                command = [str(venv / 'bin' / 'pytest'), '--reuse-db', '-m', SELECTION, '-q', *self.pytest_args]
                log(f'NetBox {version}, {path}: NETBOX_DECOMMISSION_FAST_PATHS={fast_paths} {shlex.join(command)} '
                    f'> {run.log.relative_to(REPO)}')
                started[path] = time.monotonic()
                with run.log.open('w') as output:
                    processes[path] = subprocess.Popen(
                        command, env=netbox_environment(venv, name, fast_paths), cwd=REPO, stdout=output,
                        stderr=subprocess.STDOUT,
                    )
            for run in self.runs[-len(PATHS):]:
                returncode = processes[run.path].wait()
                run.seconds = time.monotonic() - started[run.path]
                run.counts = pytest_summary(run.log)
                # Exit status 5 (no test collected) is a failure too.
                run.status = 'passed' if returncode == 0 else f'FAILED (pytest exit status {returncode})'
                if returncode:
                    print(f'\n---- NetBox {version}, {run.path}: {run.log.relative_to(REPO)} ----\n'
                          f'{run.log.read_text(errors="replace")}', flush=True)
                log(f'NetBox {version}, {run.path}: {run.status}: {run.counts} in {duration(run.seconds)}')
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.kill()
                    process.wait()
            for _path, key, _fast_paths in PATHS:
                self.databases.drop(f'test_{self.databases.name(version, key)}')

    def run_release(self, version, made):
        steps = self.setups[version] = []
        started = time.monotonic()
        venv, how = made.result()
        waited = time.monotonic() - started
        steps.append(f'environment {how}' + (f' (waited for {duration(waited)})' if waited >= 1 else ''))
        template, migration = self.migrated_database(version)
        steps.append(f'database: {migration}' if migration else f'database: a copy of {template}')
        (MATRIX_DIR / version).mkdir(parents=True, exist_ok=True)
        self.run_tests(version, venv, template)

    def run(self):
        MATRIX_DIR.mkdir(parents=True, exist_ok=True)
        left = self.databases.drop_all()
        if left:
            log(f'dropped what an interrupted run left behind: {", ".join(left)}')
        started = time.monotonic()
        # The environments are made one after the other in the background (pip waits on the network mostly), while
        # the releases before are migrated and tested.
        builder = ThreadPoolExecutor(max_workers=1)
        made = {version: builder.submit(environment, version) for version in self.versions}
        try:
            for version in self.versions:
                try:
                    self.run_release(version, made[version])
                except (MatrixError, subprocess.CalledProcessError) as exc:
                    log(f'NetBox {version}: {exc}')
                    self.runs.append(Run(version, 'setup', status=f'FAILED ({exc})'))
        finally:
            builder.shutdown(wait=False, cancel_futures=True)
            self.databases.drop_all()
            self.summary(time.monotonic() - started)
        complete = len(self.runs) == len(PATHS) * len(self.versions)
        return 0 if complete and all(run.status == 'passed' for run in self.runs) else 1

    def summary(self, seconds):
        print(f'\nRelease matrix (tests: -m "{SELECTION}"; the whole suite runs on the pinned NetBox {self.pinned}):')
        for version in self.versions:
            if version in self.setups:
                print(f'  NetBox {version:<7} setup         {"; ".join(self.setups[version])}')
            for run in self.runs:
                if run.version == version:
                    print(f'  NetBox {version:<7} {run.path:<13} {run.status}: {run.counts or "no report"} '
                          f'in {duration(run.seconds)}')
            if version not in self.setups:
                print(f'  NetBox {version:<7} not run')
        print(f'  total {duration(seconds)}', flush=True)


#
# The package index
#

def index_releases():
    """(the NetBox releases on the package index, None), or (None, why the index gave none)."""
    try:
        result = subprocess.run(
            [sys.executable, '-m', 'pip', 'index', 'versions', 'netbox', '--disable-pip-version-check'],
            capture_output=True, text=True, timeout=120,
        )
    except subprocess.TimeoutExpired:
        return None, '`pip index versions netbox` did not finish within 120 s'
    for line in result.stdout.splitlines():
        if line.startswith('Available versions:'):
            return [version.strip() for version in line.partition(':')[2].split(',')], None
    errors = [line for line in result.stderr.splitlines() if line.startswith('ERROR')]
    return None, errors[-1] if errors else f'`pip index versions netbox` exited with status {result.returncode}'


def command_check_index(_args):
    pinned = pinned_releases()
    line = series(installed_release())
    offered, problem = index_releases()
    if offered is None:
        print(f'The package index did not answer ({problem}): NetBox {", ".join(pinned)}, the pinned releases, '
              f'were not compared with it.')
        return 0
    # Final releases of the pinned line only (pip lists no pre-releases unless asked).
    offered = sorted((v for v in offered if re.fullmatch(r'\d+\.\d+\.\d+', v) and series(v) == line), key=version_key)
    withdrawn = [version for version in pinned if version not in offered]
    if withdrawn:
        print(f'Pinned but not on the package index (withdrawn?): NetBox {", ".join(withdrawn)}.')
    new = [version for version in offered if version not in pinned]
    if not new:
        print(f'Every NetBox {line}.x on the package index ({", ".join(offered)}) is pinned in '
              f'{RELEASES_FILE.relative_to(REPO)}.')
        return 0
    for version in new:
        print(f'NetBox {version} is on the package index, not pinned in {RELEASES_FILE.relative_to(REPO)}: add its '
              f'entry (`python dev/netbox_matrix.py entry {version}` prints it), then run `make test-matrix`.')
    return 1


def command_entry(args):
    load_services_environment()
    pinned = pinned_releases()
    # The apps the newest entry names.
    apps = list(pinned[next(reversed(pinned))])
    venv, _how = environment(args.version)
    # Setting Django up leases Redis databases to the instance (no PostgreSQL database is touched).
    instance = f'{db_prefix()}_entry'
    try:
        result = subprocess.run(
            [str(venv / 'bin' / 'python'), '-c', LAST_MIGRATIONS, *apps],
            env=netbox_environment(venv, instance), capture_output=True, text=True, cwd=REPO,
        )
    finally:
        release_redis({instance})
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise MatrixError(f'the migrations of NetBox {args.version} could not be read')
    last = json.loads(result.stdout.splitlines()[-1])
    print(json.dumps({args.version: {'last_migrations': last}}, indent=2))
    if args.version in pinned and pinned[args.version] != last:
        print(f'The entry of NetBox {args.version} in {RELEASES_FILE.name} differs: correct it.', file=sys.stderr)
        return 1
    return 0


def command_run(args):
    load_services_environment()
    return Matrix(args.versions, shlex.split(args.pytest_args)).run()


def terminate(signum, _frame):
    # SystemExit runs the clean-up (finally), and subprocess.run kills the child it waits for on the way out.
    sys.exit(128 + signum)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    run = commands.add_parser('run', help='the compatibility tests on each release, on both paths')
    run.add_argument('versions', nargs='*', metavar='VERSION', help='pinned releases (default: all but .venv\'s)')
    run.add_argument('--pytest-args', default='', help="more arguments for pytest, e.g. '-x -k retirement'")
    run.set_defaults(run=command_run)
    check = commands.add_parser('check-index', help='the releases on the package index that are not pinned')
    check.set_defaults(run=command_check_index)
    entry = commands.add_parser('entry', help="a release's last migrations, as its entry in the pin file")
    entry.add_argument('version')
    entry.set_defaults(run=command_entry)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, terminate)
    try:
        return args.run(args)
    except (MatrixError, subprocess.CalledProcessError) as exc:
        print(f'matrix: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
