"""
Faults in the middle of the operations that change much at once: the act's last signature (retirement), the
freezing of a document, and batches run as background jobs. Each fault is injected at a boundary the operation
crosses (a NetBox model's signal, the change log, the file storage, the database cursor, the database server
itself) and the test compares a snapshot of everything the operation may touch, taken before the attempt, with
one taken after: equal means no partial state. Then the same operation, without the fault, succeeds; and
repeating an operation that already succeeded changes nothing.
"""
import os
import uuid
from contextlib import contextmanager
from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, close_old_connections, connection, transaction
from django.db.models.signals import post_save, pre_delete
from django.test import TestCase, TransactionTestCase
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import JobStatusChoices
from core.models import Job, ObjectChange
from dcim.models import Cable, CableTermination, Device, Interface, InventoryItem, MACAddress
from extras.models import CachedValue, JournalEntry, Notification
from ipam.models import IPAddress
from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionReasonChoices
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.jobs import BulkMoveJob
from netbox_decommission.models import (
    CustodyEvent,
    Decommission,
    Document,
    DocumentFile,
    NumberSequence,
    RemovedComponent,
    Signature,
    StageChange,
    StorageLocation,
)

from .utils import (
    action_url,
    create_cabled_server,
    create_decommission,
    create_devices,
    create_signers,
    create_sites,
    create_workflow_decommission,
    grant,
    run_enqueued_jobs,
    token_header,
    workflow_state,
)

pytestmark = pytest.mark.compat

BULK_API = 'plugins-api:netbox_decommission-api:decommission-{}'
SNAPSHOT_MODELS = (
    Decommission, Document, Signature, DocumentFile, StageChange, CustodyEvent, RemovedComponent, NumberSequence,
    Device, Interface, MACAddress, InventoryItem, Cable, CableTermination, IPAddress, JournalEntry, ObjectChange,
    Notification, CachedValue,
)


def media_files():
    """Every file in NetBox's media storage, with its size."""
    root = settings.MEDIA_ROOT
    return sorted(
        (os.path.relpath(os.path.join(directory, name), root), os.path.getsize(os.path.join(directory, name)))
        for directory, _dirs, names in os.walk(root) for name in names
    )


def full_state():
    """Every row of every model an operation may touch, and the media files: equal snapshots, nothing changed."""
    state = {model._meta.label: list(model.objects.order_by('pk').values()) for model in SNAPSHOT_MODELS}
    state['media'] = media_files()
    return state


def deletes_device(sql, params):
    return sql.startswith('DELETE') and 'FROM "dcim_device"' in sql


def records_frozen_copy(sql, params):
    return sql.startswith('INSERT INTO "netbox_decommission_documentfile"')


def inserts_decommission(sql, params, device):
    return sql.startswith('INSERT INTO "netbox_decommission_decommission"') and device.name in (params or ())


def locks_decommission(sql, params, decommission):
    """The workflow's lock of the record's row, where each of its moves begins."""
    return (sql.startswith('SELECT') and 'FROM "netbox_decommission_decommission"' in sql and 'FOR UPDATE' in sql
            and decommission.pk in (params or ()))


def operational_error():
    return OperationalError('server closed the connection unexpectedly')


@contextmanager
def connection_drops(when):
    """The database connection drops (OperationalError) at the first statement for which ``when(sql, params)``."""
    def execute(run, sql, params, many, context):
        if when(sql, params):
            raise operational_error()
        return run(sql, params, many, context)

    with connection.execute_wrapper(execute):
        yield


@contextmanager
def connection_drops_at(n):
    """The database connection drops at the n-th statement from here on."""
    count = 0

    def nth(sql, params):
        nonlocal count
        count += 1
        return count == n

    with connection_drops(nth):
        yield


@contextmanager
def receiver_raises(signal, sender, error, when=lambda instance: True):
    """A receiver of a model signal, connected for the block, that raises for the instances it picks."""
    def receiver(sender, instance, **kwargs):
        if when(instance):
            raise error

    signal.connect(receiver, sender=sender, weak=False, dispatch_uid='test_faults')
    try:
        yield
    finally:
        signal.disconnect(sender=sender, dispatch_uid='test_faults')


@contextmanager
def fails_on_call(owner, name, n, error):
    """The method ``owner.name`` raises ``error`` on its n-th call and works otherwise."""
    original = getattr(owner, name)
    calls = 0

    def wrapper(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == n:
            raise error
        return original(*args, **kwargs)

    with mock.patch.object(owner, name, wrapper):
        yield


def at_the_acts_last_signature(test):
    """
    A cabled server whose decommission is in storage with the act signed by the executors: the head's signature
    is the last. (The earlier stages are set, not walked: walking them renders six PDFs, and no fault here
    depends on how the record got there.)
    """
    (test.site,) = create_sites('Fault Site')
    test.server = create_cabled_server(test.site, rack=test.site.racks.get(), position=10)
    test.device = test.server.device
    test.people = create_signers()
    test.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=test.site)
    test.decommission = create_workflow_decommission(test.device, test.people, status=Status.STATUS_IN_STORAGE,
                                                     storage_location=test.zone)
    Document.objects.create(decommission=test.decommission, kind='act')
    for executor in test.people.executors:
        workflow.sign(test.decommission, executor, 'act', 'executor')


class RetirementFaultTest(TestCase):
    """The act's last signature retires the device; a fault anywhere in it leaves everything as it was."""

    @classmethod
    def setUpTestData(cls):
        at_the_acts_last_signature(cls)

    def sign_the_act(self):
        return workflow.sign(Decommission.objects.get(pk=self.decommission.pk), self.people.head, 'act', 'head')

    def assertRetires(self):
        """Without the fault, the same signature retires the device and freezes the act."""
        files = len(media_files())
        self.sign_the_act()
        decommission = Decommission.objects.get(pk=self.decommission.pk)
        self.assertEqual(decommission.status, Status.STATUS_RETIRED)
        self.assertFalse(Device.objects.filter(pk=self.device.pk).exists())
        self.assertFalse(Cable.objects.filter(pk=self.server.cable.pk).exists())
        act = decommission.documents.get(kind='act')
        self.assertIsNotNone(act.signed_at)
        self.assertEqual(act.files.count(), 2)
        self.assertEqual(len(media_files()), files + 2)

    def test_the_device_deletion_fails(self):
        before = full_state()
        with receiver_raises(pre_delete, Device, RuntimeError('device is locked by another process')), \
                self.assertRaisesMessage(RuntimeError, 'locked'):
            self.sign_the_act()
        # The cables were deleted and the act frozen (two PDFs stored) before the device's turn: all undone.
        self.assertEqual(full_state(), before)
        self.assertRetires()

    def test_the_change_log_fails_midway_over_rest(self):
        # NetBox writes the change log in requests only: the signature is given over the REST API.
        grant([self.people.head], ['view', 'change', 'sign'])
        client = APIClient()
        client.raise_request_exception = False
        header = token_header(self.people.head)
        before = full_state()
        with fails_on_call(ObjectChange, 'save', 3, OperationalError('could not extend file: No space left')):
            response = client.post(action_url(self.decommission, 'sign'), {'document': 'act', 'role': 'head'},
                                   format='json', **header)
        self.assertEqual(response.status_code, 500)
        self.assertEqual(full_state(), before)
        response = client.post(action_url(self.decommission, 'sign'), {'document': 'act', 'role': 'head'},
                               format='json', **header)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['status']['value'], Status.STATUS_RETIRED)
        self.assertTrue(ObjectChange.objects.filter(changed_object_id=self.device.pk, action='delete',
                                                    changed_object_type__model='device').exists())

    def test_the_connection_drops_at_any_point(self):
        before = full_state()
        # How many statements the signature runs, counted on a run that is rolled back (its frozen copies with it).
        count = 0

        def counting(run, sql, params, many, context):
            nonlocal count
            count += 1
            return run(sql, params, many, context)

        with self.assertRaises(RuntimeError), transaction.atomic():
            with connection.execute_wrapper(counting):
                self.sign_the_act()
            raise RuntimeError('counted')
        for name, _size in set(media_files()) - set(before['media']):
            os.remove(os.path.join(settings.MEDIA_ROOT, name))
        self.assertGreater(count, 100)
        self.assertEqual(full_state(), before)
        # The first statement, three in between, and the last: the release of the signature's savepoint, which
        # outside a test is its commit.
        for n in (1, count // 4, count // 2, 3 * count // 4, count):
            with self.subTest(statement=n, of=count):
                with connection_drops_at(n), self.assertRaises(OperationalError):
                    self.sign_the_act()
                self.assertEqual(full_state(), before)
        self.assertRetires()


class FreezeFaultTest(TestCase):
    """The last signature of a document stores its PDFs; a fault while or after storing them gives no signature."""

    def setUp(self):
        (site,) = create_sites('Freeze Site')
        self.device = create_devices(1, site)[0]
        self.people = create_signers()
        self.decommission = create_workflow_decommission(self.device, self.people)
        workflow.sign(self.decommission, self.people.head, 'order', 'head')

    def sign_the_order(self):
        workflow.sign(Decommission.objects.get(pk=self.decommission.pk), self.people.responsible, 'order',
                      'responsible')

    def assertNotSigned(self, before):
        self.assertEqual(full_state(), before)
        order = Document.objects.get(decommission=self.decommission, kind='order')
        self.assertIsNone(order.signed_at)
        self.assertEqual(list(order.signatures.values_list('role', flat=True)), ['head'])

    def assertSigned(self):
        files = len(media_files())
        self.sign_the_order()
        order = Document.objects.get(decommission=self.decommission, kind='order')
        self.assertIsNotNone(order.signed_at)
        self.assertEqual(sorted(order.files.values_list('language', flat=True)), ['en', 'ru'])
        self.assertEqual(len(media_files()), files + 2)
        self.assertEqual(Decommission.objects.get(pk=self.decommission.pk).status, Status.STATUS_ORDERED)

    def test_the_storage_fails_on_the_second_copy(self):
        before = full_state()
        with fails_on_call(FileSystemStorage, '_save', 2, OSError('No space left')), \
                self.assertRaises(OSError):
            self.sign_the_order()
        # The first language's copy was written before the failure: it is removed again.
        self.assertNotSigned(before)
        self.assertSigned()

    def test_the_database_fails_recording_a_stored_copy(self):
        before = full_state()
        with connection_drops(records_frozen_copy), self.assertRaises(OperationalError):
            self.sign_the_order()
        self.assertNotSigned(before)
        self.assertSigned()

    def test_the_stage_move_fails_after_the_copies_are_stored(self):
        before = full_state()
        with receiver_raises(post_save, StageChange, RuntimeError('stage log unavailable')), \
                self.assertRaises(RuntimeError):
            self.sign_the_order()
        self.assertNotSigned(before)
        self.assertSigned()

    def test_the_storage_is_what_documents_are_stored_in(self):
        # The faults above patch the file system storage: it must be the one frozen copies go to.
        self.assertIsInstance(DocumentFile._meta.get_field('file').storage, FileSystemStorage)


class RepeatTest(TestCase):
    """Repeating what already succeeded is a no-op or a clear refusal, never a second effect."""

    @classmethod
    def setUpTestData(cls):
        at_the_acts_last_signature(cls)
        grant([cls.people.head], ['view', 'change', 'sign'])

    def setUp(self):
        self.header = token_header(self.people.head)

    def post(self, action, body):
        return self.client.post(action_url(self.decommission, action), body, content_type='application/json',
                                **self.header)

    def test_signing_twice_in_the_same_role(self):
        executor = self.people.executors[0]
        grant([executor], ['view', 'sign'], name='executor')
        before = full_state()
        response = self.client.post(action_url(self.decommission, 'sign'), {'document': 'act', 'role': 'executor'},
                                    content_type='application/json', **token_header(executor))
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['status']['value'], Status.STATUS_IN_STORAGE)
        self.assertEqual(full_state(), before)
        self.assertEqual(Signature.objects.filter(document__decommission=self.decommission, user=executor).count(), 1)

    def test_retiring_an_already_retired_device(self):
        response = self.post('sign', {'document': 'act', 'role': 'head'})
        self.assertEqual(response.status_code, 200, response.content)
        before = full_state()
        # The same final signature again (a repeated request): nothing happens.
        response = self.post('sign', {'document': 'act', 'role': 'head'})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['status']['value'], Status.STATUS_RETIRED)
        self.assertEqual(full_state(), before)
        self.assertEqual(StageChange.objects.filter(decommission=self.decommission, to_status='retired').count(), 1)

        # Moves that lead to retirement are refused with the stage it is at and the next step.
        response = self.post('store', {'storage_location': self.zone.pk})
        self.assertEqual(response.status_code, 409)
        self.assertIn('is at stage "Retired"', response.json()['detail'])
        self.assertIn('Next: verify that the device, its cables and addresses are gone, and close.',
                      response.json()['detail'])
        self.assertEqual(full_state(), before)

    def test_closing_twice(self):
        self.post('sign', {'document': 'act', 'role': 'head'})
        self.assertEqual(self.post('close', {}).status_code, 200)
        before = full_state()
        response = self.post('close', {})
        self.assertEqual(response.status_code, 409)
        self.assertIn('Nothing: the decommission is closed.', response.json()['detail'])
        self.assertEqual(full_state(), before)


class BulkJobFaultTest(TestCase):
    """A batch job that dies on record k of n: the others are done, the job errored, its data says what is left."""

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Batch Site')
        cls.devices = create_devices(7, cls.site, prefix='batch')
        cls.people = create_signers()
        cls.requester = create_signers('req-').head
        grant([cls.people.head, cls.requester], ['view', 'add', 'change', 'sign'])
        grant([cls.requester], ['view'], model=Device)

    def api(self, user, endpoint, body):
        """POST a batch of more than bulk.INLINE_LIMIT records: a job, run here as the RQ worker would."""
        with self.captureOnCommitCallbacks() as callbacks:
            response = APIClient().post(reverse(BULK_API.format(endpoint)), body, format='json',
                                        **token_header(user))
        self.assertEqual(response.status_code, 202, response.content)
        job, = run_enqueued_jobs(callbacks)
        return job

    def start(self):
        return self.api(self.requester, 'bulk-start', {
            'devices': [d.pk for d in self.devices], 'reason': DecommissionReasonChoices.REASON_END_OF_LIFE,
            'head': self.people.head.pk, 'responsible': self.people.responsible.pk,
        })

    def assertInterrupted(self, job, error, done, remaining, label):
        self.assertEqual(job.status, JobStatusChoices.STATUS_ERRORED)
        self.assertIn(error, job.error)
        data = job.data
        self.assertEqual((data['total'], data['done'], data['succeeded'], data['failed']), (7, done, done, 0))
        self.assertEqual([entry[label] for entry in data['remaining']], remaining)
        self.assertEqual(data['interrupted_at'][label], remaining[0])
        self.assertTrue(data['error'].startswith(error), data['error'])
        messages = ' '.join(entry['message'] for entry in job.log_entries)
        self.assertIn(f'Stopped by an error after {done} of 7 record(s)', messages)
        self.assertIn('Not done: ' + ', '.join(remaining), messages)

    def test_start_job_loses_the_connection_at_the_fourth_device(self):
        fourth = self.devices[3]
        with connection_drops(lambda sql, params: inserts_decommission(sql, params, fourth)):
            job = self.start()
        self.assertInterrupted(job, 'OperationalError', 3, [d.name for d in self.devices[3:]], 'device')
        self.assertEqual([r['device'] for r in job.data['results']], [d.name for d in self.devices[:3]])
        self.assertEqual(sorted(Decommission.objects.values_list('device_name', flat=True)),
                         [d.name for d in self.devices[:3]])

        # Run again on the same devices: the three started are refused as started, the four left are started,
        # and the numbers run on without a gap or a repeat (the failed device's number was rolled back).
        job = self.start()
        self.assertEqual(job.status, JobStatusChoices.STATUS_COMPLETED)
        self.assertEqual((job.data['succeeded'], job.data['failed'], job.data['remaining']), (4, 3, []))
        for result in job.data['results'][:3]:
            self.assertIn('already has an open decommission', result['message'])
        numbers = sorted(Decommission.objects.values_list('number', flat=True))
        self.assertEqual(len(numbers), 7)
        self.assertEqual([int(n.rsplit('-', 1)[1]) for n in numbers], list(range(1, 8)))

    def test_move_job_raises_at_the_fourth_record_and_a_rerun_does_the_rest(self):
        records = [create_decommission(d, status=Status.STATUS_SCHEDULED) for d in self.devices]
        fourth = records[3]
        states = {r.pk: workflow_state(r) for r in records}
        changes = ObjectChange.objects.filter(changed_object_id__in=[r.pk for r in records[3:]],
                                              changed_object_type__model='decommission')
        changes_before = list(changes.values())
        body = {'decommissions': [r.pk for r in records], 'move': 'backup', 'waiver_reason': 'No data on it'}
        # The fourth record's move fails after its row was saved, when its stage log entry is written.
        with receiver_raises(post_save, StageChange, RuntimeError('stage log unavailable'),
                             when=lambda change: change.decommission_id == fourth.pk):
            job = self.api(self.people.head, 'bulk-move', body)
        self.assertInterrupted(job, 'RuntimeError', 3, [r.number for r in records[3:]], 'number')
        for record in records[:3]:
            self.assertEqual(Decommission.objects.get(pk=record.pk).status, Status.STATUS_BACKED_UP)
        for record in records[3:]:
            # (The count of notifications counts the job's own, of its failure.)
            self.assertEqual({**workflow_state(record), 'notifications': None},
                             {**states[record.pk], 'notifications': None})
        self.assertEqual(list(changes.values()), changes_before)

        job = self.api(self.people.head, 'bulk-move', body)
        self.assertEqual(job.status, JobStatusChoices.STATUS_COMPLETED)
        self.assertEqual((job.data['succeeded'], job.data['failed']), (7, 0))
        messages = [r['message'] for r in job.data['results']]
        self.assertTrue(all('already past this move' in m for m in messages[:3]), messages)
        self.assertTrue(all('moved to stage "Backed up"' in m for m in messages[3:]), messages)
        for record in records:
            self.assertEqual(StageChange.objects.filter(decommission=record, to_status='backed_up').count(), 1)

    def test_move_job_with_signatures_run_twice(self):
        records = [create_workflow_decommission(d, self.people, requested_by=self.requester) for d in self.devices]
        body = {'decommissions': [r.pk for r in records], 'move': 'sign', 'document': 'order', 'role': 'head'}
        self.assertEqual(self.api(self.people.head, 'bulk-move', body).data['succeeded'], 7)
        before = full_state()
        job = self.api(self.people.head, 'bulk-move', body)
        self.assertEqual(job.data['succeeded'], 7)
        self.assertEqual(Signature.objects.filter(document__kind='order', role='head').count(), 7)
        after = full_state()
        # The second job's own record and its notification aside, nothing changed.
        self.assertEqual({k: v for k, v in after.items() if k != 'extras.Notification'},
                         {k: v for k, v in before.items() if k != 'extras.Notification'})


class DroppedConnectionTest(TransactionTestCase):
    """
    The database server really ends the connection (pg_terminate_backend) in the middle of a transaction: the
    server rolls it back, and the job reconnects to report. (TransactionTestCase: real commits.)
    """

    def setUp(self):
        self.search_cache = mock.patch('netbox.search.deferred.any_workers_for_queue', return_value=False)
        self.search_cache.start()
        self.addCleanup(self.search_cache.stop)

    def tearDown(self):
        close_old_connections()

    def terminate_own_connection(self):
        pid = connection.connection.info.backend_pid
        db = settings.DATABASES['default']
        with psycopg.connect(host=db['HOST'], port=db['PORT'], user=db['USER'], password=db['PASSWORD'],
                             dbname='postgres', autocommit=True) as admin:
            admin.execute('SELECT pg_terminate_backend(%s)', [pid])

    @contextmanager
    def terminated_when(self, when):
        def execute(run, sql, params, many, context):
            if when(sql, params):
                self.terminate_own_connection()
            return run(sql, params, many, context)

        with connection.execute_wrapper(execute):
            yield

    def test_the_server_ends_the_connection(self):
        # One test for both (each TransactionTestCase test empties every table of NetBox afterwards, which is slow).
        self.retirement()
        self.bulk_move_job()

    def retirement(self):
        at_the_acts_last_signature(self)
        before = full_state()
        with self.terminated_when(deletes_device), self.assertRaises(OperationalError):
            workflow.sign(self.decommission, self.people.head, 'act', 'head')
        self.assertEqual(full_state(), before)
        workflow.sign(Decommission.objects.get(pk=self.decommission.pk), self.people.head, 'act', 'head')
        self.assertEqual(Decommission.objects.get(pk=self.decommission.pk).status, Status.STATUS_RETIRED)

    def bulk_move_job(self):
        """A job loses its connection on the third of five records: it reconnects to say what was done."""
        site = create_sites('Batch Site')[0]
        people = self.people
        grant([people.head], ['view', 'sign'], name='batch signer')
        records = [create_decommission(d, head=people.head, responsible=people.responsible)
                   for d in create_devices(5, site)]
        third = records[2]
        job = Job.objects.create(name=BulkMoveJob.name, user=people.head, job_id=uuid.uuid4(),
                                 queue_name='default', status=JobStatusChoices.STATUS_PENDING)
        with self.terminated_when(lambda sql, params: locks_decommission(sql, params, third)):
            BulkMoveJob.handle(job, decommission_ids=[r.pk for r in records], move='sign', document='order',
                               role='head')
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatusChoices.STATUS_ERRORED)
        self.assertIn('OperationalError', job.error)
        self.assertEqual((job.data['done'], job.data['succeeded']), (2, 2))
        self.assertEqual([e['number'] for e in job.data['remaining']], [r.number for r in records[2:]])
        self.assertEqual(job.data['interrupted_at']['number'], third.number)
        signed = Signature.objects.filter(document__kind='order', role='head')
        self.assertEqual(sorted(signed.values_list('document__decommission_id', flat=True)),
                         [r.pk for r in records[:2]])
