"""
`make bench`: what the plugin costs, measured side by side with what NetBox itself costs for the like, in one
run against a real NetBox (DEBUG off, requests through NetBox's whole middleware stack with Django's test
client) on a database of its own that is made anew from a migrated template on every run.

Prints a table and writes benchmarks/results.json. The targets live here only: the test suite pins query
counts (tests/query_budgets.json), never times.
"""
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / 'results.json'
REPEAT = int(os.environ.get('BENCH_REPEAT', '3'))
RENDERS = int(os.environ.get('BENCH_RENDERS', '100'))
RETIREMENT_RATIO = 0.5
TIME_RATIO = 1.25
DEVICE_PAGE_EXTRA_QUERIES = 2
# The rack's retirement on 1, 2 and 4 RQ workers: 4 of them at most this times NetBox's bulk DELETE, and at most this
# times the time of one worker (on 2 CPUs).
WORKER_COUNTS = (1, 2, 4)
RACK_RETIREMENT_RATIO = 0.5
WORKER_SCALING_RATIO = 0.6
WORKER_TIMEOUT = 600
# Starting a rack's decommissions runs no more queries per device than NetBox's bulk PATCH of as many devices.
RACK_START_QUERY_RATIO = 1.0


#
# The database: a migrated template, cloned for every run (cloning takes seconds, migrating NetBox minutes)
#

def prepare_database(name):
    import psycopg

    template = f'{name}_template'
    server = {
        'host': os.environ.get('NETBOX_DB_HOST', '127.0.0.1'), 'port': os.environ.get('NETBOX_DB_PORT', '5432'),
        'user': os.environ.get('NETBOX_DB_USER', 'postgres'), 'password': os.environ.get('NETBOX_DB_PASSWORD', ''),
        'dbname': 'postgres', 'autocommit': True,
    }
    with psycopg.connect(**server) as conn:
        if not conn.execute('SELECT 1 FROM pg_database WHERE datname = %s', [template]).fetchone():
            print(f'Creating the database {template} and running NetBox migrations (minutes, once)', flush=True)
            conn.execute(f'CREATE DATABASE "{template}"')
    subprocess.run(
        [str(Path(sys.executable).parent / 'netbox'), 'migrate', '--no-input', '--verbosity', '0'],
        env={**os.environ, 'NETBOX_DB_NAME': template}, check=True,
    )
    with psycopg.connect(**server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


#
# Measuring
#

def median_ms(samples):
    return round(statistics.median(samples) * 1000, 2)


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def timing_into(samples, func):
    """func, which appends its duration to samples on every call."""
    def wrapper(*args, **kwargs):
        elapsed, result = timed(func, *args, **kwargs)
        samples.append(elapsed)
        return result
    return wrapper


def figure(name, value, unit, baseline=None, baseline_name='', target=None, ratio=None, passed=None, note=''):
    if ratio is None and baseline not in (None, 0) and isinstance(value, (int, float)):
        ratio = round(value / baseline, 3)
    return {
        'name': name, 'value': value, 'unit': unit, 'baseline': baseline, 'baseline_name': baseline_name,
        'ratio': ratio, 'target': target, 'pass': passed, 'note': note,
    }


def query_shapes(queries, top=8):
    """The most frequent statements, literals aside: where the queries of a request go."""
    import re
    from collections import Counter

    shapes = Counter(re.sub(r"('[^']*'|\b\d+\b)", '?', q['sql'])[:90] for q in queries)
    return [{'count': n, 'sql': sql} for sql, n in shapes.most_common(top)]


class Bench:

    def __init__(self):
        from django.test import Client

        from dcim.models import Rack
        from netbox_decommission.models import StorageLocation
        from tests.utils import create_signers, create_sites, token_header
        from users.models import User
        from utilities.testing import create_test_device

        (self.site,) = create_sites('Bench DC')
        self.rack = Rack.objects.get(site=self.site)
        self.switch = create_test_device('bench-tor', site=self.site)
        self.admin = User.objects.create_superuser(username='bench-admin', password='bench-admin')
        self.people = create_signers('bench-')
        # The head signs the act and deletes the baseline device: the same user (a superuser) on both sides.
        self.people.head.is_superuser = True
        self.people.head.save()
        self.header = token_header(self.people.head)
        self.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=self.site)
        self.client = Client()
        self.figures = []
        self.details = {}

    def server(self, name, **kwargs):
        from tests.servers import create_large_server

        return create_large_server(self.site, name, self.switch, **kwargs)

    def api(self, method, url, body=None, expect=200):
        kwargs = {'data': json.dumps(body), 'content_type': 'application/json'} if body is not None else {}
        response = getattr(self.client, method)(url, **kwargs, **self.header)
        if response.status_code != expect:
            raise RuntimeError(f'{method.upper()} {url}: HTTP {response.status_code}: {response.content[:500]!r}')
        return response

    def counted(self, func, *args, **kwargs):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            func(*args, **kwargs)
        return queries.captured_queries

    #
    # Retirement
    #

    def decommission_at_last_signature(self, device):
        """A decommission whose act has every signature but the head's."""
        from netbox_decommission import workflow
        from netbox_decommission.choices import DecommissionStatusChoices as Status
        from tests.utils import add_ready_components, advance, create_workflow_decommission, dispose_media

        decommission = create_workflow_decommission(device, self.people)
        add_ready_components(decommission, self.zone, count=4)
        advance(decommission, Status.STATUS_IN_STORAGE, self.people, self.zone)
        dispose_media(decommission, self.people.head)
        for executor in self.people.executors:
            workflow.sign(decommission, executor, 'act', 'executor')
        return decommission

    def sign_act(self, decommission):
        self.api('post', f'/api/plugins/decommission/decommissions/{decommission.pk}/sign/',
                 {'document': 'act', 'role': 'head'})

    def delete_device(self, device):
        self.api('delete', f'/api/dcim/devices/{device.pk}/', expect=204)

    def retirement(self):
        from netbox_decommission import device_facts
        from netbox_decommission.workflow import signing
        from netbox_decommission.workflow.retirement import retire_device

        parts = {'freeze': [], 'retire_device': [], 'snapshot': []}

        def timing(part, func):
            return timing_into(parts[part], func)

        # Where the signature's time goes: the act's frozen PDFs, the retirement, and the snapshot within it.
        original_freeze, original_snapshot = signing.freeze, device_facts.snapshot
        signing.freeze = timing('freeze', original_freeze)
        device_facts.snapshot = timing('snapshot', original_snapshot)
        signing.retire_device = timing('retire_device', retire_device)
        sign_times, delete_times = [], []
        try:
            for i in range(REPEAT + 1):
                decommission = self.decommission_at_last_signature(self.server(f'ret-{i:02d}'))
                device = self.server(f'base-{i:02d}')
                if i == REPEAT:
                    sign_queries = self.counted(self.sign_act, decommission)
                    delete_queries = self.counted(self.delete_device, device)
                    break
                # Alternating which goes first, so neither is favoured by what the other leaves warm.
                if i % 2:
                    delete_times.append(timed(self.delete_device, device)[0])
                    sign_times.append(timed(self.sign_act, decommission)[0])
                else:
                    sign_times.append(timed(self.sign_act, decommission)[0])
                    delete_times.append(timed(self.delete_device, device)[0])
                decommission.refresh_from_db()
                assert decommission.status == 'retired' and decommission.device_id is None
        finally:
            signing.freeze, device_facts.snapshot = original_freeze, original_snapshot
            signing.retire_device = retire_device
        sign_ms, delete_ms = median_ms(sign_times), median_ms(delete_times)
        freeze_ms = median_ms(parts['freeze'][:REPEAT])
        retire_ms = median_ms(parts['retire_device'][:REPEAT])
        ratio = round(sign_ms / delete_ms, 3)
        self.figures += [
            figure('retirement: sign the act (snapshot + retirement), median ms', sign_ms, 'ms', delete_ms,
                   'DELETE /api/dcim/devices/{id}/', RETIREMENT_RATIO, ratio, ratio <= RETIREMENT_RATIO,
                   f'of which freezing the act (2 PDFs) {freeze_ms} ms, retire_device {retire_ms} ms '
                   f'(snapshot {median_ms(parts["snapshot"][:REPEAT])} ms)'),
            figure('retirement: sign the act without freezing the PDFs, median ms', round(sign_ms - freeze_ms, 2),
                   'ms', delete_ms, 'DELETE /api/dcim/devices/{id}/', RETIREMENT_RATIO,
                   note='informational: the signature minus the time of issuing.freeze'),
            figure('retirement: queries', len(sign_queries), 'queries', len(delete_queries),
                   'DELETE /api/dcim/devices/{id}/'),
        ]
        self.details['retirement'] = {
            'repetitions': REPEAT, 'sign_ms': [round(t * 1000, 2) for t in sign_times],
            'delete_ms': [round(t * 1000, 2) for t in delete_times],
            'freeze_ms': [round(t * 1000, 2) for t in parts['freeze'][:REPEAT]],
            'retire_device_ms': [round(t * 1000, 2) for t in parts['retire_device'][:REPEAT]],
            'sign_queries_top': query_shapes(sign_queries), 'delete_queries_top': query_shapes(delete_queries),
        }

    def snapshot_scaling(self):
        from netbox_decommission import device_facts

        small = self.server('snap-10', interfaces=10, ips_per_interface=1, inventory_items=20)
        # Cabling 500 ports would take NetBox minutes; 48 cables (against 10) show a per-cable query as well.
        large = self.server('snap-500', interfaces=500, ips_per_interface=1, cables=48, inventory_items=20)
        counts = {n: len(self.counted(device_facts.snapshot, d)) for n, d in ((10, small), (500, large))}
        times = {n: median_ms([timed(device_facts.snapshot, d)[0] for _ in range(REPEAT)])
                 for n, d in ((10, small), (500, large))}
        self.figures.append(figure(
            'snapshot: queries at 500 interfaces (baseline: at 10)', counts[500], 'queries', counts[10],
            'device_facts.snapshot at 10 interfaces', 'equal', passed=counts[500] == counts[10],
            note=f'{times[10]} ms at 10 interfaces, {times[500]} ms at 500',
        ))

    #
    # List API
    #

    def list_data(self):
        import datetime

        from dcim.models import Manufacturer
        from netbox_decommission.models import Decommission, RemovedComponent
        from tests.utils import WINDOW, create_devices

        # In the rack (unmounted), as every other device of the list: prefetches run at any page size alike.
        devices = create_devices(200, self.site, prefix='listed', rack=self.rack)
        manufacturer = Manufacturer.objects.create(name='Seagate', slug='seagate')
        records = []
        for i, device in enumerate(devices):
            record = Decommission(device=device, reason='end_of_life', head=self.people.head,
                                  responsible=self.people.responsible, planned_start=WINDOW[0],
                                  planned_end=WINDOW[1], comments=f'Rack row {i // 20}')
            record.save()
            records.append(record)
        kinds = ('disk', 'ssd', 'memory', 'cpu', 'psu')
        RemovedComponent.objects.bulk_create([
            RemovedComponent(
                decommission=record, kind=kind, is_media=kind in ('disk', 'ssd'), name=f'{kind.upper()} {n}',
                manufacturer=manufacturer if kind == 'disk' else None, part_id=f'PN-{kind}-{n}',
                serial=f'{record.number}-{kind}-{n}', condition='ok', antistatic_packed=True,
                package_label=f'BOX-{record.pk}', storage_location=self.zone,
                inspected_by=self.people.executors[0], inspected_at=WINDOW[1],
                sanitization_method='purge' if kind in ('disk', 'ssd') else '',
                sanitized_on=datetime.date(2026, 12, 6) if kind in ('disk', 'ssd') else None,
            )
            for record in records for n, kind in enumerate(kinds)
        ])

    def list_api(self, url):
        self.api('get', f'{url}?limit=1')  # Warms the caches, as for every figure.
        counts = {limit: len(self.counted(self.api, 'get', f'{url}?limit={limit}')) for limit in (50, 1000)}
        rows = len(self.api('get', f'{url}?limit=1000').json()['results'])
        elapsed = [timed(self.api, 'get', f'{url}?limit=1000')[0] for _ in range(REPEAT)]
        return counts, rows, statistics.median(elapsed) * 1000

    def list_apis(self):
        self.list_data()
        device_counts, device_rows, device_ms = self.list_api('/api/dcim/devices/')
        per_device = round(device_ms / device_rows, 3)
        self.details['list_api'] = {'devices': {'queries': device_counts, 'rows': device_rows,
                                                'ms': round(device_ms, 2)}}
        for name, url in (('decommissions', '/api/plugins/decommission/decommissions/'),
                          ('removed-components', '/api/plugins/decommission/removed-components/')):
            counts, rows, ms = self.list_api(url)
            self.details['list_api'][name] = {'queries': counts, 'rows': rows, 'ms': round(ms, 2)}
            self.figures.append(figure(
                f'list API {name}: queries at limit=1000 (baseline: at limit=50)', counts[1000], 'queries',
                counts[50], f'{url}?limit=50', 'equal', passed=counts[1000] == counts[50],
                note=f'/api/dcim/devices/: {device_counts[50]} at limit=50, {device_counts[1000]} at limit=1000',
            ))
            per_row = round(ms / rows, 3)
            ratio = round(per_row / per_device, 3)
            self.figures.append(figure(
                f'list API {name}: ms per row ({rows} rows)', per_row, 'ms/row', per_device,
                f'/api/dcim/devices/?limit=1000 ({device_rows} rows)', TIME_RATIO, ratio, ratio <= TIME_RATIO,
            ))

    #
    # The device page
    #

    def device_page(self):
        from tests.page_queries import plugin_off_device_page
        from tests.utils import create_workflow_decommission

        device = self.server('page-01')
        create_workflow_decommission(device, self.people)
        self.client.force_login(self.people.head)
        url = device.get_absolute_url()

        def get():
            response = self.client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f'GET {url}: HTTP {response.status_code}')

        get()
        with_plugin = len(self.counted(get))
        with plugin_off_device_page():
            get()
            without_plugin = len(self.counted(get))
        samples = {True: [], False: []}
        for _ in range(max(REPEAT, 20)):
            samples[True].append(timed(get)[0])
            with plugin_off_device_page():
                samples[False].append(timed(get)[0])
        self.client.logout()
        extra = with_plugin - without_plugin
        self.figures += [
            figure('device page: queries the plugin adds (open decommission)', extra, 'queries', None,
                   f'/dcim/devices/{{id}}/ without the plugin\'s button and tab: {without_plugin} queries',
                   f'<= {DEVICE_PAGE_EXTRA_QUERIES}', passed=extra <= DEVICE_PAGE_EXTRA_QUERIES,
                   note=f'{with_plugin} queries with them'),
        ]
        with_ms, without_ms = median_ms(samples[True]), median_ms(samples[False])
        ratio = round(with_ms / without_ms, 3)
        self.figures.append(figure(
            'device page: median ms', with_ms, 'ms', without_ms, 'the same page without the button and tab',
            TIME_RATIO, ratio, ratio <= TIME_RATIO,
        ))

    #
    # Documents
    #

    def documents(self):
        from netbox_decommission.choices import DecommissionStatusChoices as Status
        from netbox_decommission.documents import issuing
        from netbox_decommission.models import Document
        from tests.utils import add_ready_components, advance, create_workflow_decommission

        decommission = create_workflow_decommission(self.server('doc-01', interfaces=4, inventory_items=4),
                                                    self.people)
        add_ready_components(decommission, self.zone, count=8)
        advance(decommission, Status.STATUS_IN_STORAGE, self.people, self.zone)
        act = Document.objects.get(decommission=decommission, kind='act')
        issuing.render_document(act, 'ru')
        samples = [timed(issuing.render_document, act, 'ru')[0] for _ in range(RENDERS)]
        self.figures.append(figure(f'documents: act PDF (ru), median ms over {RENDERS} renders', median_ms(samples),
                                   'ms', note=f'p90 {median_ms(sorted(samples)[int(len(samples) * 0.9):])} ms'))

    #
    # Starting the decommissions of a rack
    #

    def rack_start(self):
        import uuid

        from django.test import RequestFactory

        from dcim.models import Device
        from netbox.context_managers import event_tracking
        from netbox_decommission.bulk import start_decommissions
        from tests.utils import create_devices

        devices = create_devices(40, self.site, prefix='rack', rack=self.rack, face='front')
        for position, device in enumerate(devices, start=1):
            device.position = position
            device.save()
        baseline_devices = create_devices(40, self.site, prefix='rack-baseline')

        def run():
            # As NetBox runs a request (change log, events), which the bulk API leaves to a background job beyond a
            # few devices.
            request = RequestFactory().post('/')
            request.user, request.id = self.people.head, uuid.uuid4()
            with event_tracking(request):
                results = start_decommissions(
                    Device.objects.filter(pk__in=[d.pk for d in devices]).order_by('position'),
                    self.people.head, reason='end_of_life', head=self.people.head,
                    responsible=self.people.responsible,
                )
            refused = [r.message for r in results if not r.ok]
            if refused:
                raise RuntimeError(f'bulk.start_decommissions refused: {refused[:3]}')
        how = 'bulk.start_decommissions, in a change-logging request context'

        def baseline():
            self.api('patch', '/api/dcim/devices/', [{'id': d.pk, 'status': 'decommissioning'}
                                                     for d in baseline_devices])

        start = time.perf_counter()
        queries = self.counted(run)
        elapsed_ms = round((time.perf_counter() - start) * 1000, 2)
        start = time.perf_counter()
        baseline_queries = self.counted(baseline)
        baseline_ms = round((time.perf_counter() - start) * 1000, 2)
        self.figures.append(figure('start the decommissions of a 40-server rack, ms', elapsed_ms, 'ms', baseline_ms,
                                   'PATCH /api/dcim/devices/ (bulk status change of 40 devices)', note=how))
        per_device, baseline_per_device = round(len(queries) / 40, 1), round(len(baseline_queries) / 40, 1)
        ratio = round(per_device / baseline_per_device, 3)
        self.figures.append(figure(
            'start the decommissions of a 40-server rack, queries per device', per_device, 'queries',
            baseline_per_device, 'the same bulk PATCH, per device', f'<= {RACK_START_QUERY_RATIO}', ratio,
            ratio <= RACK_START_QUERY_RATIO, note=how,
        ))
        self.details['rack_start'] = {'queries_top': query_shapes(queries, top=16),
                                      'baseline_queries_top': query_shapes(baseline_queries, top=16)}


    #
    # Retiring a rack as one background job
    #

    def rack_servers(self, prefix, count):
        """Servers smaller than the retirement's (a rack of 40 of those takes long to build), each at its act's
        last signature."""
        return [
            self.decommission_at_last_signature(self.server(f'{prefix}-{i:02d}', interfaces=4, ips_per_interface=2,
                                                            inventory_items=4))
            for i in range(count)
        ]

    def retire_in_process(self, decommissions):
        """POST bulk-move (202, a job), then the job and the chunks it hands out run as NetBox's RQ worker runs them,
        one after another in this process."""
        from django_rq import get_queue

        from core.models import Job

        def perform(job):
            get_queue(job.queue_name).fetch_job(str(job.job_id)).perform()
            job.refresh_from_db()

        job = self.post_retirement(decommissions)
        perform(job)
        for chunk in Job.objects.filter(pk__in=job.data.get('chunks', [])).order_by('pk'):
            perform(chunk)
        self.check_retired(job, decommissions)

    def retire_on_workers(self, decommissions):
        """POST bulk-move (202, a job), then wait for NetBox's RQ workers to end it."""
        from core.choices import JobStatusChoices

        job = self.post_retirement(decommissions)
        deadline = time.monotonic() + WORKER_TIMEOUT
        while job.status not in JobStatusChoices.TERMINAL_STATE_CHOICES:
            if time.monotonic() > deadline:
                raise RuntimeError(f'the bulk retirement job is still {job.status} after {WORKER_TIMEOUT} s')
            time.sleep(0.1)
            job.refresh_from_db()
        self.check_retired(job, decommissions)

    def post_retirement(self, decommissions):
        from core.models import Job

        response = self.api('post', '/api/plugins/decommission/decommissions/bulk-move/', {
            'decommissions': [d.pk for d in decommissions], 'move': 'sign', 'document': 'act', 'role': 'head',
        }, expect=202)
        return Job.objects.get(pk=response.json()['job']['id'])

    def check_retired(self, job, decommissions):
        job.refresh_from_db()
        if job.status != 'completed' or job.data.get('succeeded') != len(decommissions):
            raise RuntimeError(f'the bulk retirement job ended {job.status}: {job.data}')

    def rack_retirement(self):
        from netbox_decommission.plugin_settings import get_setting

        small_batch = self.rack_servers('small', get_setting('batch_chunk_size'))
        split_batch = self.rack_servers('split', 2 * get_setting('batch_chunk_size'))
        racks = {workers: self.rack_servers(f'rack40-{workers}w', 40) for workers in WORKER_COUNTS}
        baseline_devices = [self.server(f'rack40-base-{i:02d}', interfaces=4, ips_per_interface=2,
                                        inventory_items=4) for i in range(40)]

        small_queries = self.counted(self.retire_in_process, small_batch)
        split_queries = self.counted(self.retire_in_process, split_batch)
        elapsed_ms = {}
        for workers in WORKER_COUNTS:
            with rq_workers(workers):
                start = time.perf_counter()
                self.retire_on_workers(racks[workers])
                elapsed_ms[workers] = round((time.perf_counter() - start) * 1000, 2)
        start = time.perf_counter()
        baseline_queries = self.counted(self.api, 'delete', '/api/dcim/devices/',
                                        [{'id': d.pk} for d in baseline_devices], expect=204)
        baseline_ms = round((time.perf_counter() - start) * 1000, 2)
        per_device = round(len(split_queries) / len(split_batch), 1)
        small_per_device = round(len(small_queries) / len(small_batch), 1)
        how = ('POST bulk-move (sign the acts as head) → a BulkMoveJob that hands chunks of batch_chunk_size records '
               'to NetBox\'s RQ workers (real `netbox rqworker` processes on the bench instance\'s queues); servers '
               'of 4 interfaces, 8 addresses, 4 cables, 4 inventory items')
        baseline_name = 'DELETE /api/dcim/devices/ (bulk delete of 40 identical devices)'
        self.figures += [
            figure(f'retire a 40-server rack as a job, {workers} RQ worker(s), ms', elapsed_ms[workers], 'ms',
                   baseline_ms, baseline_name, note=how)
            for workers in WORKER_COUNTS if workers != max(WORKER_COUNTS)
        ]
        most = max(WORKER_COUNTS)
        ratio = round(elapsed_ms[most] / baseline_ms, 3)
        scaling = round(elapsed_ms[most] / elapsed_ms[1], 3)
        self.figures += [
            figure(f'retire a 40-server rack as a job, {most} RQ workers, ms (rack_retirement_ratio)',
                   elapsed_ms[most], 'ms', baseline_ms, baseline_name, f'<= {RACK_RETIREMENT_RATIO}',
                   passed=ratio <= RACK_RETIREMENT_RATIO, note=how),
            figure(f'retire a 40-server rack as a job, {most} RQ workers / 1 RQ worker', scaling, 'ratio',
                   target=f'<= {WORKER_SCALING_RATIO}', ratio=scaling, passed=scaling <= WORKER_SCALING_RATIO,
                   note=f'{os.cpu_count()} CPUs for the workers, PostgreSQL, Redis and this process'),
            figure(f'retire a {len(split_batch)}-server batch in {len(split_batch) // len(small_batch)} chunk jobs, '
                   f'queries per device (baseline: per device of a {len(small_batch)}-server job)',
                   per_device, 'queries', small_per_device, f'{len(small_batch)}-server job',
                   note=f'what a chunk adds per record is the count into the parent under its row lock, and the '
                        f'chunk jobs\' own bookkeeping; NetBox bulk DELETE: '
                        f'{round(len(baseline_queries) / 40, 1)} queries per device'),
        ]


class rq_workers:
    """
    ``count`` real `netbox rqworker` processes on this NetBox instance's own queues (dev/instance_redis.py leases
    them by the database name, which the workers inherit with the rest of the bench's environment), started on
    entry once the queues are empty and stopped on exit. They serve the plugin of this tree, and write the frozen
    documents into the bench's media directory.
    """

    def __init__(self, count):
        self.count = count
        self.processes = []

    def __enter__(self):
        from django.conf import settings
        from django_rq import get_queue
        from rq import Worker

        # What the in-process runs left in the queues (perform() does not dequeue) is not the workers' to run.
        for name in settings.RQ_QUEUES:
            get_queue(name).empty()
        env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(REPO), str(REPO / 'dev')]),
               'NETBOX_MEDIA_ROOT': settings.MEDIA_ROOT}
        self.log = tempfile.TemporaryFile()
        self.processes = [
            subprocess.Popen([str(Path(sys.executable).parent / 'netbox'), 'rqworker'], env=env, cwd=REPO,
                             stdout=self.log, stderr=subprocess.STDOUT)
            for _ in range(self.count)
        ]
        connection = get_queue('default').connection
        deadline = time.monotonic() + WORKER_TIMEOUT
        # Ready when every worker is registered and none is busy (NetBox's system jobs run at a worker's start).
        while True:
            ours = [w for w in Worker.all(connection=connection) if w.pid in {p.pid for p in self.processes}]
            if len(ours) == self.count and all(w.get_state() == 'idle' for w in ours) and not any(
                    len(get_queue(name)) for name in settings.RQ_QUEUES):
                break
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                self.stop()
                raise RuntimeError(f'{self.count} RQ worker(s) did not start: {self.output()}')
            time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=WORKER_TIMEOUT)
        self.log.close()

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors='replace')[-2000:]

#
# Output
#

def machine():
    cpu = ''
    try:
        cpu = next(line.split(':', 1)[1].strip() for line in Path('/proc/cpuinfo').read_text().splitlines()
                   if line.startswith('model name'))
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {'hostname': socket.gethostname(), 'platform': platform.platform(), 'cpu': cpu,
            'cpus': os.cpu_count(), 'python': platform.python_version()}


def cell(value):
    if value is None:
        return ''
    if value is True:
        return 'pass'
    if value is False:
        return 'FAIL'
    return str(value)


def print_table(figures):
    columns = ('figure', 'plugin', 'NetBox baseline', 'ratio', 'target', 'result')
    rows = [(f['name'], f'{f["value"]} {f["unit"]}', cell(f['baseline']), cell(f['ratio']), cell(f['target']),
             cell(f['pass'])) for f in figures]
    widths = [max(len(str(r[i])) for r in [columns, *rows]) for i in range(len(columns))]
    line = '  '.join(f'{{:<{w}}}' for w in widths)
    print(line.format(*columns))
    print(line.format(*('-' * w for w in widths)))
    for row in rows:
        print(line.format(*row))
    print()
    for f in figures:
        details = '; '.join(part for part in (f['baseline_name'] and f'baseline: {f["baseline_name"]}', f['note'])
                            if part)
        if details:
            print(f'- {f["name"]}: {details}')


def start_netbox(default_database, purpose):
    """
    NetBox with DEBUG off on a fresh database of its own (NETBOX_DB_NAME, else default_database): the name of the
    database. Never the demo's, whose data a run would bury.
    """
    name = os.environ.get('NETBOX_DB_NAME', default_database)
    if name == 'netbox_decommission':
        sys.exit(f'Refusing to {purpose} in the demo database: set NETBOX_DB_NAME (make does).')
    prepare_database(name)
    os.environ['NETBOX_DEBUG'] = '0'
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'netbox.settings')
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings

    if settings.DEBUG:
        sys.exit('DEBUG is on: the figures would not be those of a production NetBox.')
    return name


def main():
    name = start_netbox('netbox_decommission_bench', 'benchmark')
    from django.conf import settings
    from django.db import connection

    # A retirement runs thousands of queries; Django keeps only the last 9000 for counting by default.
    connection.queries_limit = 10 ** 6
    connection.queries_log = deque(maxlen=connection.queries_limit)
    # Frozen documents of the run are written to a directory that goes with it.
    media = tempfile.TemporaryDirectory(prefix='netbox-decommission-bench-')
    settings.MEDIA_ROOT = media.name

    bench = Bench()
    started = time.perf_counter()
    # The lists first, while every row is alike (a row with a rack NetBox prefetches racks for, one without not).
    steps = [bench.list_apis, bench.retirement, bench.snapshot_scaling, bench.device_page, bench.documents,
             bench.rack_start, bench.rack_retirement]
    # BENCH_ONLY=retirement,rack_start runs some steps while one works on them; results.json keeps only whole runs.
    only = [name for name in os.environ.get('BENCH_ONLY', '').split(',') if name]
    steps = [step for step in steps if not only or step.__name__ in only]
    for step in steps:
        step_started = time.perf_counter()
        print(f'{step.__name__} …', end=' ', flush=True)
        step()
        print(f'{time.perf_counter() - step_started:.0f} s', flush=True)
    print()
    results = {
        'machine': machine(), 'date': datetime.now(UTC).isoformat(timespec='seconds'),
        'netbox_version': settings.RELEASE.version, 'debug': settings.DEBUG, 'database': name,
        'repetitions': REPEAT, 'duration_s': round(time.perf_counter() - started, 1),
        'figures': bench.figures, 'details': bench.details,
    }
    print_table(bench.figures)
    if only:
        print(f'\nBENCH_ONLY={",".join(only)}: {RESULTS.relative_to(REPO)} left as it was.')
    else:
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + '\n')
        print(f'\n{RESULTS.relative_to(REPO)} written ({results["duration_s"]} s).')
    media.cleanup()


if __name__ == '__main__':
    main()
