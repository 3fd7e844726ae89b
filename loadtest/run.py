"""
`make load`: concurrent REST clients against NetBox served by gunicorn (4 workers, DEBUG off, loopback only), on
a database of its own cloned from a migrated template, for a bounded time per mix of clients:

- walk: every client starts decommissions and walks each from draft to closed through the workflow's endpoints,
  reading the list, the record and the stage log and downloading the documents' PDFs on the way;
- readers: what a team does most of the day: a few signers walk as above while the others read, in a random order,
  the plugin's decommission list, records and stage logs and NetBox's own device list and device records (with
  now and then a device PATCH), so that the plugin's reads are measured next to NetBox's in the same run.

Then the database is checked: no request failed, no decommission or document number was given twice, and every
stage move a client saw succeed has its stage log entry (and no other entry exists).

Prints throughput and latency per operation and the figures with their targets, and writes loadtest/results.json
(LOAD_RESULTS elsewhere). LOAD_MIX (walk, readers, or both: the default, one phase after the other),
LOAD_SECONDS (per mix, default 150), LOAD_CLIENTS (default 16) and LOAD_WORKERS (default 4) change the run.
"""
import json
import os
import random
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

from benchmarks.run import figure, machine, print_table, start_netbox

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(os.environ.get('LOAD_RESULTS') or Path(__file__).resolve().parent / 'results.json')
SECONDS = float(os.environ.get('LOAD_SECONDS', '150'))
CLIENTS = int(os.environ.get('LOAD_CLIENTS', '16'))
WORKERS = int(os.environ.get('LOAD_WORKERS', '4'))
MIXES = ('walk', 'readers')
MIX = os.environ.get('LOAD_MIX', 'both')
if MIX not in (*MIXES, 'both'):
    sys.exit(f'LOAD_MIX={MIX}: use walk, readers or both.')
PHASES = MIXES if MIX == 'both' else (MIX,)
# The readers' mix: one client in eight signs (walks), the others read (2 signers and 14 readers of 16 clients).
SIGNERS = max(1, CLIENTS // 8)
# Enough devices that no walking client runs out within a phase (a walk takes seconds).
DEVICES_PER_CLIENT = max(10, int(SECONDS / 2))
# Records that exist before the clients start, for the readers to read (and their devices, for NetBox's reads).
READ_RECORDS = 60
API = '/api/plugins/decommission/decommissions/'
DEVICES_API = '/api/dcim/devices/'

# The targets (issue 18), for LOAD_CLIENTS=16 and LOAD_WORKERS=4: the walk mix's throughput, and the 95th percentile
# of the plugin's reads against NetBox's own reads in the readers' mix of the same run.
WALK_THROUGHPUT_TARGET = 17.0
READ_P95_RATIO_TARGET = 1.5


#
# The data the clients work on, made through the ORM before the server starts
#

def create_fixtures():
    """
    A site with a device per walk and the devices of the records the readers read, the people a decommission names
    and a reader (each with a token), a removal zone, and the records to read.
    """
    from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site
    from netbox_decommission.models import Decommission, StorageLocation
    from tests.utils import grant, token_header
    from users.models import User

    walks = (CLIENTS if 'walk' in PHASES else 0) + (SIGNERS if 'readers' in PHASES else 0)
    site = Site.objects.create(name='Load DC', slug='load-dc')
    manufacturer = Manufacturer.objects.create(name='Load Manufacturer', slug='load-manufacturer')
    device_type = DeviceType.objects.create(manufacturer=manufacturer, model='Load Server', slug='load-server')
    role = DeviceRole.objects.create(name='Load Server', slug='load-server')
    Device.objects.bulk_create(
        Device(name=f'load-{i:05d}', site=site, device_type=device_type, role=role, serial=f'LOAD-{i:05d}')
        for i in range(walks * DEVICES_PER_CLIENT + READ_RECORDS)
    )
    devices = list(Device.objects.filter(site=site).order_by('name'))
    people = {name: User.objects.create_user(username=f'load-{name}')
              for name in ('requester', 'head', 'responsible', 'executor', 'reader')}
    grant(people.values(), ['view', 'add', 'change', 'sign'], model=Decommission, name='load: decommissions')
    grant(people.values(), ['view', 'change'], model=Device, name='load: devices')
    zone = StorageLocation.objects.create(name='Load removal zone', kind='removal_zone', site=site)
    read = devices[:READ_RECORDS]
    records = []
    for device in read:
        record = Decommission(device=device, reason='end_of_life', requested_by=people['requester'],
                              head=people['head'], responsible=people['responsible'])
        record.save()
        record.executors.set([people['executor']])
        records.append(record.pk)
    return {
        'devices': [device.pk for device in devices[READ_RECORDS:]], 'zone': zone.pk,
        'read_devices': [device.pk for device in read], 'read_records': records,
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
             f'{API}{response.json()["id"]}/documents/order.pdf?lang=ru', f'{DEVICES_API}?limit=25',
             f'{DEVICES_API}{fixtures["read_devices"][0]}/']
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
    """A client of the run: makes requests, each timed and checked, until the deadline."""

    def __init__(self, base, fixtures, deadline, report):
        super().__init__(daemon=True)
        self.base, self.fixtures, self.deadline, self.report = base, fixtures, deadline, report
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


class Reader(Client):
    """
    Reads what a team looks at, the plugin's and NetBox's alike, in a random order: a decommission list, record and
    stage log, NetBox's device list and a device record; one round in five also edits a device (a NetBox write).
    """
    PLUGIN, NETBOX = 'plugin: ', 'netbox: '

    def __init__(self, base, fixtures, deadline, report, seed):
        super().__init__(base, fixtures, deadline, report)
        self.random = random.Random(seed)

    def run(self):
        rounds = 0
        while time.monotonic() < self.deadline:
            record = self.random.choice(self.fixtures['read_records'] + self.report.started())
            device = self.random.choice(self.fixtures['read_devices'])
            reads = [
                (f'{self.PLUGIN}decommission list', f'{API}?limit=25&ordering=-id'),
                (f'{self.PLUGIN}decommission record', f'{API}{record}/'),
                (f'{self.PLUGIN}stage log', f'{API}{record}/stage-log/'),
                (f'{self.NETBOX}device list', f'{DEVICES_API}?limit=25'),
                (f'{self.NETBOX}device record', f'{DEVICES_API}{device}/'),
            ]
            self.random.shuffle(reads)
            for operation, path in reads:
                if time.monotonic() >= self.deadline:
                    return
                self.call(operation, 'get', path, 'reader')
            rounds += 1
            if rounds % 5 == 0:
                self.call(f'{self.NETBOX}device PATCH', 'patch', f'{DEVICES_API}{device}/', 'reader',
                          body={'description': f'read by the load test, round {rounds}'})


class Walker(Client):
    """Starts decommissions and walks each to closed, reading and downloading on the way, until the deadline."""

    def __init__(self, base, fixtures, devices, deadline, report):
        super().__init__(base, fixtures, deadline, report)
        self.devices = devices

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


class Ledger:
    """What the clients of every phase were answered: the numbers given and the stage moves made."""

    def __init__(self):
        self.lock = threading.Lock()
        self.numbers = {}
        self.stage_changes = defaultdict(Counter)


class Report:
    """What the clients of one phase did and saw, collected from every thread."""

    def __init__(self, ledger):
        self.lock = threading.Lock()
        self.ledger = ledger
        self.latencies = defaultdict(list)
        self.errors = []
        self.started_here = 0
        self.stage_moves = 0

    def request(self, operation, elapsed, error):
        with self.lock:
            self.latencies[operation].append(elapsed)
            if error:
                self.errors.append(error)

    def created(self, pk, number):
        with self.ledger.lock:
            self.ledger.numbers[pk] = number
            self.started_here += 1

    def started(self):
        """The records the clients started so far (of every phase)."""
        with self.ledger.lock:
            return list(self.ledger.numbers)

    def stage_change(self, pk, from_status, to_status):
        with self.ledger.lock:
            self.ledger.stage_changes[pk][(from_status, to_status)] += 1
            self.stage_moves += 1


#
# Checks and figures
#

def check(ledger):
    """
    The database after the run against what the clients were answered: {kind: [problem, ...]} for the duplicate
    numbers, the numbers answered otherwise than stored, and the stage log entries lost (or extra).
    """
    from django.db.models import Count

    from netbox_decommission.models import Decommission, Document, StageChange

    problems = {'duplicate numbers': [], 'numbers answered otherwise': [], 'stage log entries lost or extra': []}
    for model, fields in ((Decommission, ('number',)), (Document, ('kind', 'number'))):
        for row in model.objects.values(*fields).annotate(n=Count('pk')).filter(n__gt=1):
            problems['duplicate numbers'].append(
                f'{model._meta.verbose_name} number given {row["n"]} times: {row}')
    stored = {pk: number for pk, number in Decommission.objects.values_list('pk', 'number')}
    for pk, number in ledger.numbers.items():
        if stored.get(pk) != number:
            problems['numbers answered otherwise'].append(
                f'decommission {pk} was answered as {number}, the database has {stored.get(pk)}')
    logged = defaultdict(Counter)
    for pk, from_status, to_status in StageChange.objects.values_list('decommission_id', 'from_status', 'to_status'):
        logged[pk][(from_status, to_status)] += 1
    for pk in set(logged) | set(ledger.stage_changes):
        seen = ledger.stage_changes[pk]
        for move in set(seen) | set(logged[pk]):
            if seen[move] != logged[pk][move]:
                problems['stage log entries lost or extra'].append(
                    f'stage log of decommission {pk}: the clients saw {move} {seen[move]} times, the database has '
                    f'it {logged[pk][move]} times')
    return problems


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(samples):
    return {'requests': len(samples), 'p50_ms': round(percentile(samples, 50) * 1000, 1),
            'p95_ms': round(percentile(samples, 95) * 1000, 1), 'max_ms': round(max(samples) * 1000, 1)}


def summary(report, elapsed):
    every = [s for samples in report.latencies.values() for s in samples]
    return {
        'requests': len(every), 'seconds': round(elapsed, 1), 'throughput_rps': round(len(every) / elapsed, 2),
        'p50_ms': round(percentile(every, 50) * 1000, 1) if every else None,
        'p95_ms': round(percentile(every, 95) * 1000, 1) if every else None,
        'errors': len(report.errors), 'error_messages': report.errors[:20],
        'decommissions_started': report.started_here, 'stage_moves': report.stage_moves,
        'operations': {name: latency(samples) for name, samples in sorted(report.latencies.items())},
    }


def pooled(report, prefix, operations=None):
    return [s for name, samples in report.latencies.items() if name.startswith(prefix)
            and (operations is None or name[len(prefix):] in operations) for s in samples]


def figures(phases, reports, problems):
    """The figures of the run with their targets: throughput, plugin reads against NetBox's, correctness."""
    result = []
    standard = CLIENTS == 16 and WORKERS == 4
    if 'walk' in phases:
        rps = phases['walk']['throughput_rps']
        result.append(figure(
            f'walk mix: throughput ({CLIENTS} clients, {WORKERS} workers), req/s', rps, 'req/s',
            target=f'>= {WALK_THROUGHPUT_TARGET}', passed=rps >= WALK_THROUGHPUT_TARGET if standard else None,
            note=f'p50 {phases["walk"]["p50_ms"]} ms, p95 {phases["walk"]["p95_ms"]} ms'
            + ('' if standard else '; the target is for 16 clients and 4 workers'),
        ))
    if 'readers' in phases:
        report = reports['readers']
        plugin, netbox = pooled(report, Reader.PLUGIN), pooled(report, Reader.NETBOX, ('device list', 'device record'))
        if plugin and netbox:
            p95, baseline = round(percentile(plugin, 95) * 1000, 1), round(percentile(netbox, 95) * 1000, 1)
            ratio = round(p95 / baseline, 3)
            result.append(figure(
                "readers' mix: p95 of the plugin's reads (list, record, stage log), ms", p95, 'ms', baseline,
                "p95 of NetBox's reads in the same run (/api/dcim/devices/?limit=25, /api/dcim/devices/{id}/)",
                f'<= {READ_P95_RATIO_TARGET}', ratio, ratio <= READ_P95_RATIO_TARGET,
                note=f'{len(plugin)} plugin reads, {len(netbox)} NetBox reads; throughput '
                     f'{phases["readers"]["throughput_rps"]} req/s',
            ))
        ops = phases['readers']['operations']
        for plugin_read, netbox_read in (('decommission list', 'device list'),
                                         ('decommission record', 'device record')):
            mine, theirs = ops.get(Reader.PLUGIN + plugin_read), ops.get(Reader.NETBOX + netbox_read)
            if mine and theirs:
                result.append(figure(
                    f"readers' mix: p95 of {plugin_read}, ms", mine['p95_ms'], 'ms', theirs['p95_ms'],
                    f"p95 of NetBox's {netbox_read}", note='informational'))
    errors = sum(phase['errors'] for phase in phases.values())
    for name, count in (('failed requests', errors), *((kind, len(found)) for kind, found in problems.items())):
        result.append(figure(name, count, '', target='= 0', passed=count == 0))
    return result


def print_phase(name, phase):
    print(f'{name} mix')
    print(f'{"operation":<28} {"requests":>8} {"p50 ms":>9} {"p95 ms":>9} {"max ms":>9}')
    for operation, op in phase['operations'].items():
        print(f'{operation:<28} {op["requests"]:>8} {op["p50_ms"]:>9} {op["p95_ms"]:>9} {op["max_ms"]:>9}')
    print(f'{"all":<28} {phase["requests"]:>8} {phase["p50_ms"]:>9} {phase["p95_ms"]:>9}')
    print(f'{phase["requests"]} requests in {phase["seconds"]} s: {phase["throughput_rps"]} req/s; '
          f'{phase["decommissions_started"]} decommissions started, {phase["stage_moves"]} stage moves; '
          f'{phase["errors"]} errors.\n')


def run_phase(mix, base, fixtures, ledger, devices):
    """One mix of clients for SECONDS: (its report, the seconds it took)."""
    report = Report(ledger)
    deadline = time.monotonic() + SECONDS
    if mix == 'walk':
        walkers = CLIENTS
        clients = []
    else:
        walkers = SIGNERS
        clients = [Reader(base, fixtures, deadline, report, seed=i) for i in range(CLIENTS - SIGNERS)]
    pool = [devices.pop() for _ in range(min(len(devices), walkers * DEVICES_PER_CLIENT))]
    clients += [Walker(base, fixtures, pool[i::walkers], deadline, report) for i in range(walkers)]
    started = time.monotonic()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return report, time.monotonic() - started


def main():
    name = start_netbox('netbox_decommission_load', 'load')
    from django.conf import settings
    from django.db import connections

    from netbox_decommission.models import Decommission

    print(f'Database {name}; {CLIENTS} clients for {SECONDS:g} s per mix ({", ".join(PHASES)}) against gunicorn '
          f'with {WORKERS} workers', flush=True)
    fixtures = create_fixtures()
    connections.close_all()

    media = tempfile.TemporaryDirectory(prefix='netbox-decommission-load-')
    log = os.path.join(media.name, 'gunicorn.log')
    port = free_port()
    base = f'http://127.0.0.1:{port}'
    server = start_server(port, media.name, log)
    ledger = Ledger()
    reports, elapsed = {}, {}
    try:
        wait_until_serving(base, fixtures['tokens']['head'], server)
        warm_up(base, fixtures)
        devices = list(fixtures['devices'])
        for mix in PHASES:
            print(f'{mix} mix …', flush=True)
            reports[mix], elapsed[mix] = run_phase(mix, base, fixtures, ledger, devices)
    except BaseException:
        if os.path.exists(log):
            print(Path(log).read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(timeout=60)

    phases = {mix: summary(reports[mix], elapsed[mix]) for mix in PHASES}
    problems = check(ledger)
    closed = Decommission.objects.filter(pk__in=list(ledger.numbers), status='closed').count()
    connections.close_all()
    media.cleanup()
    print()
    for mix, phase in phases.items():
        print_phase(mix, phase)
    results_figures = figures(phases, reports, problems)
    print_table(results_figures)
    errors = [error for phase in phases.values() for error in phase['error_messages']]
    problem_list = [f'request failed: {error}' for error in errors] + [
        problem for found in problems.values() for problem in found]
    results = {
        'machine': machine(), 'date': datetime.now(UTC).isoformat(timespec='seconds'),
        'netbox_version': settings.RELEASE.version, 'debug': settings.DEBUG, 'database': name,
        'clients': CLIENTS, 'gunicorn_workers': WORKERS, 'seconds_per_mix': SECONDS, 'mixes': list(PHASES),
        'signers_in_readers_mix': SIGNERS, 'decommissions_started': len(ledger.numbers),
        'decommissions_closed': closed, 'errors': sum(phase['errors'] for phase in phases.values()),
        'figures': results_figures, 'phases': phases, 'problems': problem_list,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + '\n')
    print(f'\n{RESULTS} written.')
    if problem_list:
        print('\nProblems:\n' + '\n'.join(f'- {problem}' for problem in problem_list), file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
