"""
`make load`: concurrent REST clients against NetBox served by gunicorn (4 workers, DEBUG off, loopback only), on
a database of its own cloned from a migrated template. Each client starts decommissions, walks them from draft
to closed through the workflow's endpoints, reads lists, records and stage logs, and downloads the documents'
PDFs, for a bounded time. Then the database is checked: no request failed, no decommission or document number
was given twice, and every stage move a client saw succeed has its stage log entry (and no other entry exists).

Prints throughput and latency per operation and writes loadtest/results.json (LOAD_RESULTS elsewhere).
LOAD_SECONDS (default 150), LOAD_CLIENTS (default 16) and LOAD_WORKERS (default 4) change the run.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from benchmarks.run import machine, start_netbox

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(os.environ.get('LOAD_RESULTS') or Path(__file__).resolve().parent / 'results.json')
SECONDS = float(os.environ.get('LOAD_SECONDS', '150'))
CLIENTS = int(os.environ.get('LOAD_CLIENTS', '16'))
WORKERS = int(os.environ.get('LOAD_WORKERS', '4'))
# Enough devices that no client runs out within the run (a walk takes seconds).
DEVICES_PER_CLIENT = max(10, int(SECONDS / 2))
API = '/api/plugins/decommission/decommissions/'


#
# The data the clients work on, made through the ORM before the server starts
#

def create_fixtures(clients):
    """A site with a device per walk, the people a decommission names (each with a token), a removal zone."""
    from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site
    from netbox_decommission.models import Decommission, StorageLocation
    from tests.utils import grant, token_header
    from users.models import User

    site = Site.objects.create(name='Load DC', slug='load-dc')
    manufacturer = Manufacturer.objects.create(name='Load Manufacturer', slug='load-manufacturer')
    device_type = DeviceType.objects.create(manufacturer=manufacturer, model='Load Server', slug='load-server')
    role = DeviceRole.objects.create(name='Load Server', slug='load-server')
    Device.objects.bulk_create(
        Device(name=f'load-{i:05d}', site=site, device_type=device_type, role=role, serial=f'LOAD-{i:05d}')
        for i in range(clients * DEVICES_PER_CLIENT)
    )
    devices = list(Device.objects.filter(site=site).order_by('name').values_list('pk', flat=True))
    people = {name: User.objects.create_user(username=f'load-{name}')
              for name in ('requester', 'head', 'responsible', 'executor')}
    grant(people.values(), ['view', 'add', 'change', 'sign'], model=Decommission, name='load: decommissions')
    grant(people.values(), ['view'], model=Device, name='load: devices')
    zone = StorageLocation.objects.create(name='Load removal zone', kind='removal_zone', site=site)
    return {
        'devices': devices, 'zone': zone.pk,
        'users': {name: user.pk for name, user in people.items()},
        'tokens': {name: token_header(user)['HTTP_AUTHORIZATION'] for name, user in people.items()},
    }


#
# The server
#

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start_server(port, media_root, log):
    env = {**os.environ, 'NETBOX_DEBUG': '0', 'LOAD_MEDIA_ROOT': media_root,
           'PYTHONPATH': os.pathsep.join([str(REPO), os.environ.get('PYTHONPATH', '')])}
    command = [str(Path(sys.executable).parent / 'gunicorn'), 'loadtest.wsgi:application',
               '--bind', f'127.0.0.1:{port}', '--workers', str(WORKERS), '--timeout', '120', '--preload',
               '--error-logfile', log]
    return subprocess.Popen(command, cwd=REPO, env=env)


def wait_until_serving(base, token, server, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f'gunicorn exited with status {server.returncode}')
        try:
            if requests.get(f'{base}/api/status/', headers={'Authorization': token}, timeout=5).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f'NetBox did not answer at {base} within {timeout} s')


def warm_up(base, fixtures):
    """
    What each worker loads on its first requests (the API's views, the PDF renderer) is loaded before the clock
    starts: a record of its own, read and rendered from as many threads at once as there are workers, twice.
    """
    tokens, users = fixtures['tokens'], fixtures['users']
    response = requests.post(base + API, timeout=300, headers={'Authorization': tokens['requester']}, json={
        'device': fixtures['devices'].pop(), 'reason': 'end_of_life', 'head': users['head'],
    })
    response.raise_for_status()
    paths = ['/api/status/', f'{API}?limit=25', f'{API}{response.json()["id"]}/',
             f'{API}{response.json()["id"]}/documents/order.pdf?lang=ru']
    failures = []

    def fetch():
        for path in paths:
            answer = requests.get(base + path, timeout=300, headers={'Authorization': tokens['head']})
            if not answer.ok:
                failures.append(f'{path}: HTTP {answer.status_code}')

    threads = [threading.Thread(target=fetch) for _ in range(2 * WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f'warming up failed: {failures}')


#
# The clients
#

class Client(threading.Thread):
    """Starts decommissions and walks each to closed, reading and downloading on the way, until the deadline."""

    def __init__(self, base, fixtures, devices, deadline, report):
        super().__init__(daemon=True)
        self.base, self.fixtures, self.devices, self.deadline, self.report = base, fixtures, devices, deadline, report
        self.session = requests.Session()

    def call(self, operation, method, path, user='head', expect=200, body=None):
        """One request, timed; any other status than expected is an error. Returns the response or None."""
        start = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, json=body, timeout=120, headers={
                'Authorization': self.fixtures['tokens'][user], 'Accept': 'application/json'})
        except requests.RequestException as e:
            self.report.request(operation, time.perf_counter() - start, f'{method} {path}: {e!r}')
            return None
        elapsed = time.perf_counter() - start
        error = None
        if response.status_code != expect:
            error = f'{method} {path}: HTTP {response.status_code} (expected {expect}): {response.text[:300]}'
        self.report.request(operation, elapsed, error)
        return None if error else response

    def move(self, record, action, user, body):
        """A workflow move; the stage log must gain the entry the move's answer implies."""
        before = record['status']
        response = self.call(action if action != 'sign' else f'sign {body["document"]}', 'post',
                             f'{API}{record["id"]}/{action}/', user, body=body)
        if response is None:
            return False
        record['status'] = response.json()['status']['value']
        # Scheduling logs the window it drafted the application with, in the stage it leaves the record in.
        if record['status'] != before or action == 'schedule':
            self.report.stage_change(record['id'], before, record['status'])
        return True

    def read(self, record):
        self.call('read record', 'get', f'{API}{record["id"]}/')
        self.call('read list', 'get', f'{API}?limit=25&ordering=-id')

    def run(self):
        while time.monotonic() < self.deadline and self.devices:
            self.walk(self.devices.pop())

    def walk(self, device):
        users = self.fixtures['users']
        response = self.call('create', 'post', API, 'requester', expect=201, body={
            'device': device, 'reason': 'end_of_life', 'head': users['head'], 'responsible': users['responsible'],
            'executors': [users['executor']],
        })
        if response is None:
            return
        record = {'id': response.json()['id'], 'status': response.json()['status']['value']}
        self.report.created(record['id'], response.json()['number'])
        start = datetime.now(UTC) + timedelta(days=7)
        moves = [
            ('sign', 'head', {'document': 'order', 'role': 'head'}),
            ('sign', 'responsible', {'document': 'order', 'role': 'responsible'}),
            ('schedule', 'head', {'planned_start': start.isoformat(),
                                  'planned_end': (start + timedelta(hours=4)).isoformat()}),
            ('sign', 'head', {'document': 'application', 'role': 'head'}),
            ('backup', 'responsible', {'waiver_reason': 'No data of value'}),
            ('shutdown', 'executor', {'services_stopped': True, 'users_notified': True, 'powered_off': True,
                                      'network_disconnected': True}),
            ('disassemble', 'executor', {}),
            ('store', 'executor', {'storage_location': self.fixtures['zone']}),
            ('sign', 'executor', {'document': 'act', 'role': 'executor'}),
            ('sign', 'head', {'document': 'act', 'role': 'head'}),
            ('close', 'head', {}),
        ]
        for number, (action, user, body) in enumerate(moves):
            if time.monotonic() >= self.deadline or not self.move(record, action, user, body):
                return
            if number == 0:
                self.call('download draft PDF', 'get', f'{API}{record["id"]}/documents/order.pdf?lang=ru')
            if action == 'store':
                self.read(record)
                self.call('download frozen PDF', 'get', f'{API}{record["id"]}/documents/application.pdf?lang=en')
        self.call('read stage log', 'get', f'{API}{record["id"]}/stage-log/')


class Report:
    """What the clients did and saw, collected from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = []
        self.numbers = {}
        self.stage_changes = defaultdict(Counter)

    def request(self, operation, elapsed, error):
        with self.lock:
            self.latencies[operation].append(elapsed)
            if error:
                self.errors.append(error)

    def created(self, pk, number):
        with self.lock:
            self.numbers[pk] = number

    def stage_change(self, pk, from_status, to_status):
        with self.lock:
            self.stage_changes[pk][(from_status, to_status)] += 1


#
# Checks and figures
#

def check(report):
    """The database after the run against what the clients saw: a list of problems, empty when all is well."""
    from django.db.models import Count

    from netbox_decommission.models import Decommission, Document, StageChange

    problems = [f'request failed: {error}' for error in report.errors[:20]]
    if len(report.errors) > 20:
        problems.append(f'… and {len(report.errors) - 20} more failed requests')
    for model, fields in ((Decommission, ('number',)), (Document, ('kind', 'number'))):
        for row in model.objects.values(*fields).annotate(n=Count('pk')).filter(n__gt=1):
            problems.append(f'{model._meta.verbose_name} number given {row["n"]} times: {row}')
    stored = {pk: number for pk, number in Decommission.objects.values_list('pk', 'number')}
    for pk, number in report.numbers.items():
        if stored.get(pk) != number:
            problems.append(f'decommission {pk} was answered as {number}, the database has {stored.get(pk)}')
    logged = defaultdict(Counter)
    for pk, from_status, to_status in StageChange.objects.values_list('decommission_id', 'from_status', 'to_status'):
        logged[pk][(from_status, to_status)] += 1
    for pk in set(logged) | set(report.stage_changes):
        if logged[pk] != report.stage_changes[pk]:
            problems.append(f'stage log of decommission {pk}: the clients saw {dict(report.stage_changes[pk])}, '
                            f'the database has {dict(logged[pk])}')
    return problems


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def figures(report, elapsed):
    operations = {
        name: {'requests': len(samples), 'p50_ms': round(percentile(samples, 50) * 1000, 1),
               'p95_ms': round(percentile(samples, 95) * 1000, 1), 'max_ms': round(max(samples) * 1000, 1)}
        for name, samples in sorted(report.latencies.items())
    }
    every = [s for samples in report.latencies.values() for s in samples]
    return {
        'requests': len(every), 'seconds': round(elapsed, 1), 'throughput_rps': round(len(every) / elapsed, 2),
        'p50_ms': round(percentile(every, 50) * 1000, 1) if every else None,
        'p95_ms': round(percentile(every, 95) * 1000, 1) if every else None,
        'errors': len(report.errors), 'decommissions_started': len(report.numbers),
        'decommissions_closed': None, 'stage_moves': sum(sum(c.values()) for c in report.stage_changes.values()),
        'operations': operations,
    }


def print_figures(summary):
    print(f'{"operation":<22} {"requests":>8} {"p50 ms":>9} {"p95 ms":>9} {"max ms":>9}')
    for name, op in summary['operations'].items():
        print(f'{name:<22} {op["requests"]:>8} {op["p50_ms"]:>9} {op["p95_ms"]:>9} {op["max_ms"]:>9}')
    print(f'{"all":<22} {summary["requests"]:>8} {summary["p50_ms"]:>9} {summary["p95_ms"]:>9}')
    print(f'\n{summary["requests"]} requests in {summary["seconds"]} s: {summary["throughput_rps"]} req/s; '
          f'{summary["decommissions_started"]} decommissions started, {summary["decommissions_closed"]} closed, '
          f'{summary["stage_moves"]} stage moves; {summary["errors"]} errors.')


def main():
    name = start_netbox('netbox_decommission_load', 'load')
    from django.conf import settings
    from django.db import connections

    from netbox_decommission.models import Decommission

    print(f'Database {name}; {CLIENTS} clients for {SECONDS:g} s against gunicorn with {WORKERS} workers', flush=True)
    fixtures = create_fixtures(CLIENTS)
    connections.close_all()

    media = tempfile.TemporaryDirectory(prefix='netbox-decommission-load-')
    log = os.path.join(media.name, 'gunicorn.log')
    port = free_port()
    base = f'http://127.0.0.1:{port}'
    server = start_server(port, media.name, log)
    try:
        wait_until_serving(base, fixtures['tokens']['head'], server)
        warm_up(base, fixtures)
        report = Report()
        devices = fixtures['devices']
        started = time.monotonic()
        deadline = started + SECONDS
        clients = [Client(base, fixtures, devices[i::CLIENTS], deadline, report) for i in range(CLIENTS)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
    except BaseException:
        if os.path.exists(log):
            print(Path(log).read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(timeout=60)

    summary = figures(report, elapsed)
    summary['decommissions_closed'] = Decommission.objects.filter(pk__in=list(report.numbers),
                                                                  status='closed').count()
    problems = check(report)
    connections.close_all()
    media.cleanup()
    print()
    print_figures(summary)
    results = {
        'machine': machine(), 'date': datetime.now(UTC).isoformat(timespec='seconds'),
        'netbox_version': settings.RELEASE.version, 'debug': settings.DEBUG, 'database': name,
        'clients': CLIENTS, 'gunicorn_workers': WORKERS, 'duration_s': SECONDS, **summary, 'problems': problems,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + '\n')
    print(f'{RESULTS} written.')
    if problems:
        print('\nProblems:\n' + '\n'.join(f'- {problem}' for problem in problems), file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
