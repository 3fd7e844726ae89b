"""
Batches split into chunk jobs (jobs.BatchJob, jobs.ChunkJob): a batch of more records than batch_chunk_size is
handed to chunk jobs that NetBox's RQ workers run in parallel, the parent job collecting their results. The jobs
run here synchronously from the callbacks NetBox registers for the commit, as a worker would run them.
"""
from functools import partial
from unittest import mock
from uuid import uuid4

from django.db import transaction
from django.test import TestCase, TransactionTestCase
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import JobStatusChoices
from core.models import Job
from dcim.models import Device
from netbox_decommission import bulk, jobs
from netbox_decommission.choices import DecommissionReasonChoices
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.jobs import BulkMoveChunkJob, BulkMoveJob
from netbox_decommission.models import Decommission, Signature, StageChange

from .utils import (
    at_once,
    create_decommission,
    create_devices,
    create_signers,
    create_sites,
    grant,
    plugin_settings,
    run_enqueued_jobs,
    token_header,
)

API = 'plugins-api:netbox_decommission-api:decommission-{}'
EOL = DecommissionReasonChoices.REASON_END_OF_LIFE


def head_signatures(decommission):
    return Signature.objects.filter(document__decommission=decommission, document__kind='order', role='head').count()


@plugin_settings(batch_chunk_size=3)
class FanOutTest(TestCase):

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Fan-out Site')
        cls.people = create_signers('fan-')
        grant([cls.people.head], ['view', 'add', 'change', 'sign'])
        grant([cls.people.head], ['view'], model=Device)
        cls.devices = create_devices(7, cls.site, prefix='fan')
        cls.records = [create_decommission(d, head=cls.people.head, responsible=cls.people.responsible)
                       for d in cls.devices]

    def post(self, endpoint, body):
        """POST a batch: the parent job, run; the chunk jobs it enqueued, not run yet (their callbacks)."""
        with self.captureOnCommitCallbacks() as callbacks:
            response = APIClient().post(reverse(API.format(endpoint)), body, format='json',
                                        **token_header(self.people.head))
        self.assertEqual(response.status_code, 202, response.content)
        with self.captureOnCommitCallbacks() as chunk_callbacks:
            parent, = run_enqueued_jobs(callbacks)
        self.assertEqual(response.json()['job']['id'], parent.pk)
        return parent, chunk_callbacks

    def sign_all(self):
        return self.post('bulk-move', {'decommissions': [r.pk for r in self.records], 'move': 'sign',
                                       'role': 'head', 'document': 'order'})

    def test_the_chunks_results_are_the_parents(self):
        parent, chunk_callbacks = self.sign_all()
        self.assertEqual(parent.status, JobStatusChoices.STATUS_RUNNING)
        self.assertEqual((parent.data['done'], parent.data['total'], len(parent.data['chunks'])), (0, 7, 3))
        numbers = sorted(r.number for r in self.records)
        # The workers take the chunks in any order: the last one to end ends the parent.
        chunks = run_enqueued_jobs(reversed(chunk_callbacks))
        self.assertEqual([chunk.pk for chunk in chunks], parent.data['chunks'][::-1])
        self.assertEqual([[e['number'] for e in chunk.data['results']] for chunk in chunks],
                         [numbers[6:], numbers[3:6], numbers[:3]])
        self.assertTrue(all(chunk.status == JobStatusChoices.STATUS_COMPLETED for chunk in chunks))
        self.assertTrue(all(chunk.name.startswith(BulkMoveJob.name) for chunk in chunks))

        parent.refresh_from_db()
        self.assertEqual(parent.status, JobStatusChoices.STATUS_COMPLETED)
        data = parent.data
        self.assertEqual((data['done'], data['total'], data['succeeded'], data['failed']), (7, 7, 7, 0))
        self.assertEqual(data['remaining'], [])
        self.assertEqual(sorted(r['number'] for r in data['results']), numbers)
        self.assertEqual(sorted(data['chunks_ended']), sorted(data['chunks']))
        messages = [entry['message'] for entry in parent.log_entries]
        self.assertIn('7 records handed to 3 jobs of up to 3 records', messages[0])
        self.assertEqual(messages[-1], '7 of 7 succeeded')
        self.assertTrue(all(head_signatures(r) == 1 for r in self.records))

    def test_a_chunk_that_dies_is_reported_and_the_batch_runs_again_safely(self):
        parent, chunk_callbacks = self.sign_all()
        numbers = sorted(r.number for r in self.records)
        # The second chunk dies on its second record (numbers[4]), after having done its first.
        dying = Decommission.objects.get(number=numbers[4])
        apply_move = bulk.apply_move

        def fails_on_the_fifth(decommissions, *args, **kwargs):
            if decommissions[0].pk == dying.pk:
                raise RuntimeError('the worker ran out of memory')
            return apply_move(decommissions, *args, **kwargs)

        with mock.patch.object(bulk, 'apply_move', fails_on_the_fifth):
            first, second, third = run_enqueued_jobs(chunk_callbacks)
        self.assertEqual((first.status, third.status), (JobStatusChoices.STATUS_COMPLETED,) * 2)
        self.assertEqual(second.status, JobStatusChoices.STATUS_ERRORED)
        self.assertEqual([e['number'] for e in second.data['results']], [numbers[3]])
        self.assertEqual([e['number'] for e in second.data['remaining']], numbers[4:6])

        parent.refresh_from_db()
        self.assertEqual(parent.status, JobStatusChoices.STATUS_ERRORED)
        data = parent.data
        self.assertEqual((data['done'], data['succeeded'], data['failed']), (5, 5, 0))
        self.assertEqual([e['number'] for e in data['remaining']], numbers[4:6])
        self.assertEqual(data['errors'], [{'job': second.pk, 'error': 'RuntimeError: the worker ran out of memory',
                                           'remaining': second.data['remaining']}])
        self.assertIn('RuntimeError', parent.error)
        self.assertIn(f'5 of 7 record(s) done; a job of the batch stopped by an error: #{second.pk}',
                      parent.log_entries[-1]['message'])
        self.assertIn(f'Not done: {numbers[4]}, {numbers[5]}', parent.log_entries[-1]['message'])
        self.assertEqual([head_signatures(Decommission.objects.get(number=n)) for n in numbers],
                         [1, 1, 1, 1, 0, 0, 1])

        # Again, the whole batch: what was done is left as it is, what was not is done.
        parent, chunk_callbacks = self.sign_all()
        run_enqueued_jobs(chunk_callbacks)
        parent.refresh_from_db()
        self.assertEqual(parent.status, JobStatusChoices.STATUS_COMPLETED)
        self.assertEqual(parent.data['succeeded'], 7)
        self.assertEqual([head_signatures(r) for r in self.records], [1] * 7)

    def test_the_chunks_a_dead_worker_left_running_are_ended_by_the_watchdog(self):
        import django_rq
        from rq.job import JobStatus

        parent, chunk_callbacks = self.sign_all()
        numbers = sorted(r.number for r in self.records)
        # Into RQ's queue, as the commit puts them (django_rq defers them to the commit too); no worker takes them.
        with self.captureOnCommitCallbacks(execute=True):
            for callback in chunk_callbacks:
                callback()
        queue = django_rq.get_queue('default')
        chunks = [Job.objects.get(pk=pk) for pk in parent.data['chunks']]
        rq_jobs = [queue.fetch_job(str(chunk.job_id)) for chunk in chunks]
        for rq_job in rq_jobs:
            self.addCleanup(rq_job.delete)
        run_enqueued_jobs(chunk_callbacks[:1])
        # The second chunk's work-horse was killed: RQ fails its task, and NetBox's job stays as it was.
        rq_jobs[1].set_status(JobStatus.FAILED)
        # The third is still in the queue: left alone.
        self.assertEqual([chunk.pk for chunk in jobs.end_stalled_chunks()], [chunks[1].pk])
        chunks[1].refresh_from_db()
        self.assertEqual(chunks[1].status, JobStatusChoices.STATUS_ERRORED)
        self.assertIn(f'Job #{chunks[1].pk} will not end: the worker stopped it (failed)', chunks[1].error)
        self.assertEqual([e['number'] for e in chunks[1].data['remaining']], numbers[3:6])
        parent.refresh_from_db()
        self.assertEqual(parent.status, JobStatusChoices.STATUS_RUNNING)

        # The third was started by a worker killed outright: its registration is gone.
        chunks[2].start()
        rq_jobs[2].worker_name = 'worker-killed-outright'
        rq_jobs[2].save()
        rq_jobs[2].set_status(JobStatus.STARTED)
        self.assertEqual([chunk.pk for chunk in jobs.end_stalled_chunks()], [chunks[2].pk])
        self.assertEqual(jobs.end_stalled_chunks(), [])
        parent.refresh_from_db()
        self.assertEqual(parent.status, JobStatusChoices.STATUS_ERRORED)
        self.assertEqual((parent.data['done'], parent.data['succeeded']), (3, 3))
        self.assertEqual([e['number'] for e in parent.data['remaining']], numbers[3:])
        self.assertEqual([e['job'] for e in parent.data['errors']], [chunks[1].pk, chunks[2].pk])
        self.assertIn('the worker worker-killed-outright that ran it is gone', parent.error)
        self.assertIn(f'Not done: {", ".join(numbers[3:])}', parent.log_entries[-1]['message'])

        # Run again, the batch does what was left.
        parent, chunk_callbacks = self.sign_all()
        run_enqueued_jobs(chunk_callbacks)
        parent.refresh_from_db()
        self.assertEqual(parent.status, JobStatusChoices.STATUS_COMPLETED)
        self.assertEqual([head_signatures(r) for r in self.records], [1] * 7)

    def test_starting_a_batch_in_chunks(self):
        devices = create_devices(5, self.site, prefix='more')
        parent, chunk_callbacks = self.post('bulk-start', {
            'devices': [d.pk for d in [*devices, self.devices[0]]], 'reason': EOL,
            'executors': [u.pk for u in self.people.executors],
        })
        self.assertEqual(len(parent.data['chunks']), 2)
        # Deleted after the batch was asked for: reported, and the others started.
        gone = devices.pop(2)
        Device.objects.filter(pk=gone.pk).delete()
        run_enqueued_jobs(chunk_callbacks)
        parent.refresh_from_db()
        self.assertEqual(parent.status, JobStatusChoices.STATUS_COMPLETED)
        self.assertEqual((parent.data['done'], parent.data['succeeded'], parent.data['failed']), (6, 4, 2))
        refused = {r['device_id']: r['message'] for r in parent.data['results'] if not r['ok']}
        self.assertEqual(refused[gone.pk], f'{gone.name} no longer exists.')
        self.assertIn('already has an open decommission', refused[self.devices[0].pk])
        for decommission in Decommission.objects.filter(device__in=devices):
            self.assertEqual(decommission.executors.count(), 2)
        self.assertEqual(Decommission.objects.filter(device=self.devices[0]).count(), 1)

    @plugin_settings(batch_chunk_size=7)
    def test_a_batch_of_one_chunk_is_one_job(self):
        parent, chunk_callbacks = self.sign_all()
        self.assertEqual(chunk_callbacks, [])
        self.assertEqual(parent.status, JobStatusChoices.STATUS_COMPLETED)
        self.assertEqual((parent.data['done'], parent.data['succeeded']), (7, 7))
        self.assertNotIn('chunks', parent.data)


class RacingChunksTest(TransactionTestCase):
    """Two chunks of two batches on one record at once: the record's row lock lets one move it, once."""

    def setUp(self):
        (site,) = create_sites('Race Site')
        self.people = create_signers('race-')
        grant([self.people.head], ['view', 'change'])
        devices = create_devices(2, site, prefix='race')
        self.records = [create_decommission(d, head=self.people.head) for d in devices]

    def chunk(self, records):
        """The callback of a batch's only chunk, as its parent hands it out (batch_chunk_size 1, two records)."""
        callbacks = []
        with plugin_settings(batch_chunk_size=1), \
                mock.patch('core.models.jobs.transaction.on_commit', side_effect=callbacks.append):
            parent = Job.objects.create(name=BulkMoveJob.name, user=self.people.head, job_id=uuid4(),
                                        queue_name='default')
            with transaction.atomic():
                BulkMoveJob(parent).fan_out(1, decommission_ids=[r.pk for r in records], move='cancel',
                                            reason='The rack stays')
        return callbacks

    def test_one_record_cancelled_once(self):
        record, other = self.records
        first = self.chunk([record, other])[0]
        second = self.chunk([record, other])[0]
        self.assertEqual(at_once(partial(run_enqueued_jobs, [first]), partial(run_enqueued_jobs, [second])), [])
        # The two chunks that ran (each batch's second chunk was left in the queue).
        chunks = Job.objects.filter(name__startswith=BulkMoveChunkJob.name.split(' (')[0], data__total=1,
                                    data__done=1)
        self.assertEqual(chunks.count(), 2)
        results = [chunk.data['results'][0] for chunk in chunks]
        self.assertTrue(all(result['ok'] for result in results), results)
        self.assertEqual(sorted('already past this move' in result['message'] for result in results), [False, True])
        self.assertEqual(Decommission.objects.get(pk=record.pk).status, Status.STATUS_CANCELLED)
        self.assertEqual(StageChange.objects.filter(decommission=record, to_status=Status.STATUS_CANCELLED).count(),
                         1)
