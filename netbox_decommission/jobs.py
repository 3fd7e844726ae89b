"""
Background jobs for batches too large to wait for in a request (bulk.INLINE_LIMIT): starting decommissions,
making one workflow move on many records, and rendering a batch's documents into one ZIP archive. Each keeps its
progress and per-record results in the job's data, which NetBox shows on the job's page. A start or a move of more
records than ``batch_chunk_size`` is split into chunk jobs that NetBox's RQ workers run in parallel (docs/bulk.md).

And the plugin's NetBox system jobs, which NetBox's RQ worker schedules: the batch watchdog, which ends the chunks a
dead worker left running (every few minutes), and the fixity check of the issued documents (documents/fixity.py),
every ``fixity_check_interval`` minutes.
"""
import logging
import traceback
from contextlib import nullcontext

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core.choices import JobStatusChoices
from core.exceptions import JobFailed
from core.models import Job
from dcim.models import Device
from netbox.jobs import JobRunner, system_job
from users.models import User
from utilities.request import apply_request_processors, copy_safe_request

from . import bulk
from .documents import fixity
from .models import Decommission
from .plugin_settings import get_setting

__all__ = (
    'ARCHIVE_DIRECTORY',
    'BatchWatchdogJob',
    'BulkDocumentsJob',
    'BulkMoveChunkJob',
    'BulkMoveJob',
    'BulkStartChunkJob',
    'BulkStartJob',
    'FixityCheckJob',
    'end_stalled_chunks',
    'move_batch',
    'register_system_jobs',
    'start_batch',
)

ARCHIVE_DIRECTORY = 'netbox-decommission/archives'
# What a start copies from the device (its frozen identity), read with it.
DEVICE_IDENTITY = ('device_type__manufacturer', 'rack', 'site', 'primary_ip4', 'primary_ip6')


def add_result(data, result, key):
    """Count a record's result into a batch's data (its own job's, or the parent's of a chunk): done, left to do."""
    data['results'].append(result.as_dict())
    data['done'] = len(data['results'])
    value = getattr(result, key)
    data['remaining'] = [entry for entry in data['remaining'] if entry[key] != value]


def batch_data(entries):
    """A batch's data (its own job's, or a chunk's) before any of its records is done: all of them left to do."""
    return {'done': 0, 'total': len(entries), 'results': [], 'remaining': entries}


def entry_names(entries):
    """The records of a batch's entries, by number (or device, before a start), for a log line."""
    return ', '.join(entry['number'] or entry['device'] for entry in entries)


def succeeded_and_failed(data):
    succeeded = sum(1 for result in data['results'] if result['ok'])
    return succeeded, len(data['results']) - succeeded


def error_record(message):
    """A log record of the error level for a job that is not the one whose logger is at hand."""
    return logging.makeLogRecord({'levelno': logging.ERROR, 'levelname': 'ERROR', 'msg': message})


def info_record(message):
    return logging.makeLogRecord({'levelno': logging.INFO, 'levelname': 'INFO', 'msg': message})


class BatchJob(JobRunner):
    """
    Runs a batch with the requesting user's change logging. The job's data lists what is left to do from the
    start and each result as it comes, so that a job that dies midway still says which records were done and
    which were not.

    A batch of more records than the ``batch_chunk_size`` setting is handed to chunk jobs of that many records
    (ChunkJob), which NetBox's RQ workers run in parallel; this job, the parent, then collects their results and
    stays running until the chunk that ends last ends it.

    Each record is handled in a transaction of its own under the row lock of the record it changes (the
    decommission; for a start, the device), taken by waiting: a record that another chunk or batch is changing is
    handled once that one is done, and then sees what it did.
    """
    # The field of a record's entry that identifies it in the results (Result.as_dict()).
    key = None
    # The keyword argument of the job that holds the batch's ids.
    ids_argument = None
    # The job class of this batch's chunks; None for a chunk, which is not split again.
    chunk_class = None

    @classmethod
    def handle(cls, job, *args, **kwargs):
        """
        NetBox's handle(), but for a batch that is handed to chunks: NetBox's would end the job when run() returns,
        while its chunks are still running, and overwrite what they have written into its data by then.
        """
        chunk_size = get_setting('batch_chunk_size')
        if cls.chunk_class is None or len(kwargs[cls.ids_argument]) <= chunk_size:
            return super().handle(job, *args, **kwargs)
        job.start()
        try:
            # The chunk jobs are enqueued when the transaction commits: with the parent's data in place, whatever
            # order the workers take them in.
            with transaction.atomic():
                cls(job).fan_out(chunk_size, *args, **kwargs)
        except Exception as e:
            # As NetBox's handle() ends a job that raised; nothing was handed out.
            job.log(error_record(traceback.format_exc()))
            job.terminate(status=JobStatusChoices.STATUS_ERRORED, error=repr(e))

    def fan_out(self, chunk_size, request=None, **kwargs):
        entries = [self.entry(record) for record in self.load(kwargs.pop(self.ids_argument))]
        self.begin(entries)
        chunks = [entries[i:i + chunk_size] for i in range(0, len(entries), chunk_size)]
        jobs = [
            self.chunk_class.enqueue(
                name=f'{self.name}: {number}/{len(chunks)}', user=self.job.user, request=request,
                parent=self.job.pk, entries=chunk, **kwargs,
            )
            for number, chunk in enumerate(chunks, start=1)
        ]
        # Each chunk's records are on it from the start: a chunk lost before a worker took it is reported with them.
        for job, chunk in zip(jobs, chunks, strict=True):
            job.data = batch_data(chunk)
        Job.objects.bulk_update(jobs, ['data'])
        self.job.data.update(chunks=[job.pk for job in jobs], chunks_ended=[])
        self.logger.info(_(
            '{total} records handed to {count} jobs of up to {size} records, which NetBox\'s RQ workers run in '
            'parallel: {jobs}'
        ).format(total=len(entries), count=len(jobs), size=chunk_size,
                 jobs=', '.join(f'#{job.pk}' for job in jobs)))
        self.job.save(update_fields=['data', 'log_entries'])

    def begin(self, entries):
        """The batch's records, each an entry of the fields a Result has, all of them left to do."""
        self.job.data = batch_data(entries)
        self.job.save(update_fields=['data'])

    def record(self, result):
        add_result(self.job.data, result, self.key)
        self.job.save(update_fields=['data'])
        return result

    def summarize(self, results):
        for result in results:
            (self.logger.info if result.ok else self.logger.warning)(
                f'{result.number or result.device}: {result.message}')
        succeeded, failed = succeeded_and_failed(self.job.data)
        self.job.data.update(succeeded=succeeded, failed=failed)
        self.job.save(update_fields=['data'])
        self.logger.info(_('{succeeded} of {total} succeeded').format(succeeded=succeeded, total=len(results)))

    def handle_records(self, entries, shared):
        """Handle each record, counting its result in as it comes (record())."""
        return [self.record(self.handle_record(entry, shared)) for entry in entries]

    @staticmethod
    def gone(entry):
        """The result of a record deleted since the batch was asked for."""
        return bulk.Result(ok=False, message=_('{record} no longer exists.').format(
            record=entry['number'] or entry['device']), **entry)

    def report_interruption(self, error):
        """
        Record where the batch stopped. The record in hand was rolled back with its own transaction: it is left to
        do with those after it. NetBox marks the job errored once the exception leaves run().
        """
        # A dropped database connection is replaced (outside a transaction only: inside one, the caller's
        # rollback decides).
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        data = self.job.data
        succeeded, failed = succeeded_and_failed(data)
        data.update(succeeded=succeeded, failed=failed, error=f'{type(error).__name__}: {error}',
                    interrupted_at=data['remaining'][0] if data['remaining'] else None)
        self.job.save(update_fields=['data'])
        self.logger.error(stopped_message(data))

    def run(self, *args, request=None, **kwargs):
        entries = [self.entry(record) for record in self.load(kwargs.pop(self.ids_argument))]
        self.begin(entries)
        self.process(entries, request, kwargs)

    def process(self, entries, request, kwargs):
        """Handle each record of ``entries``, counting its result in as it comes."""
        try:
            # The request copied at enqueueing makes the change log name the user and the request, as in the UI.
            with apply_request_processors(request) if request is not None else nullcontext():
                results = self.handle_records(entries, self.shared(**kwargs))
        except Exception as error:
            self.report_interruption(error)
            raise
        self.summarize(results)


def stopped_message(data):
    return _(
        'Stopped by an error after {done} of {total} record(s): {error}. Not done: {remaining}. Run the batch '
        'again for those: records already done are left as they are.'
    ).format(done=data['done'], total=data['total'], error=data['error'],
             remaining=entry_names(data['remaining']))


class ChunkJob:
    """
    A part of a batch (BatchJob), run by any of NetBox's RQ workers. Its own data holds its records as a batch
    job's does, so a chunk that dies is seen with what it did and did not do; each result is also counted into the
    parent's data under the parent job's row lock, so the parent's counts stay whole with chunks ending at once.
    The chunk that ends last ends the parent: errored if a chunk died.
    """

    def run(self, parent, entries, request=None, **kwargs):
        self.parent = parent
        self.begin(entries)
        try:
            self.process(entries, request, kwargs)
        except Exception as error:
            self.end_chunk(error)
            raise
        self.end_chunk()

    def record(self, result):
        super().record(result)
        with transaction.atomic():
            parent = Job.objects.select_for_update().get(pk=self.parent)
            add_result(parent.data, result, self.key)
            parent.save(update_fields=['data'])
        return result

    def end_chunk(self, error=None):
        end_chunk(self.job, self.parent, failed=error is not None)


def end_chunk(chunk, parent_pk, failed=False):
    """
    Count a chunk job as ended into its parent's data, under the parent's row lock; the chunk that ends last ends the
    parent: errored if a chunk failed. A failed chunk's data holds its error and what it left to do.
    """
    with transaction.atomic():
        parent = Job.objects.select_for_update().get(pk=parent_pk)
        data = parent.data
        data['chunks_ended'].append(chunk.pk)
        if not failed:
            succeeded, _failed = succeeded_and_failed(chunk.data)
            parent.log(info_record(_('Job #{job}: {succeeded} of {total} succeeded').format(
                job=chunk.pk, succeeded=succeeded, total=chunk.data['total'])))
        else:
            data.setdefault('errors', []).append({
                'job': chunk.pk, 'error': chunk.data['error'], 'remaining': chunk.data['remaining'],
            })
            parent.log(error_record(_('Job #{job}: {message}').format(
                job=chunk.pk, message=stopped_message(chunk.data))))
        if len(data['chunks_ended']) < len(data['chunks']):
            parent.save(update_fields=['data', 'log_entries'])
            return
        succeeded, failed_count = succeeded_and_failed(data)
        data.update(succeeded=succeeded, failed=failed_count)
        if not data.get('errors'):
            parent.log(info_record(_('{succeeded} of {total} succeeded').format(
                succeeded=succeeded, total=data['total'])))
            parent.terminate()
            return
        data['error'] = '; '.join(f'#{e["job"]}: {e["error"]}' for e in data['errors'])
        parent.log(error_record(_(
            '{done} of {total} record(s) done; a job of the batch stopped by an error: {error}. Not done: '
            '{remaining}. Run the batch again for those: records already done are left as they are.'
        ).format(done=data['done'], total=data['total'], error=data['error'],
                 remaining=entry_names(data['remaining']))))
        parent.terminate(status=JobStatusChoices.STATUS_ERRORED, error=data['error'])


class BulkStartJob(BatchJob):
    """Start a decommission of each device, with the fields the batch shares."""
    key = 'device_id'
    ids_argument = 'device_ids'

    class Meta:
        name = 'Start decommissions'

    def load(self, ids):
        return Device.objects.filter(pk__in=ids).select_related(*DEVICE_IDENTITY).order_by('name', 'pk')

    def entry(self, device):
        return {'device': str(device), 'device_id': device.pk, 'number': ''}

    def shared(self, reason, reason_text='', head_id=None, responsible_id=None, executor_ids=(),
               planned_start=None, planned_end=None):
        return {
            'reason': reason, 'reason_text': reason_text,
            'head': User.objects.filter(pk=head_id).first() if head_id else None,
            'responsible': User.objects.filter(pk=responsible_id).first() if responsible_id else None,
            'executors': list(User.objects.filter(pk__in=executor_ids)), 'planned_start': planned_start,
            'planned_end': planned_end,
        }

    def handle_records(self, entries, shared):
        """
        All of them in one bulk.start_decommissions, which resolves what the records share once for the batch and
        starts each under its device's row lock.
        """
        devices = Device.objects.select_related(*DEVICE_IDENTITY).in_bulk([entry['device_id'] for entry in entries])
        gone = [self.record(self.gone(entry)) for entry in entries if entry['device_id'] not in devices]
        return gone + bulk.start_decommissions(
            [devices[entry['device_id']] for entry in entries if entry['device_id'] in devices], self.job.user,
            on_result=self.record, **shared,
        )


class BulkStartChunkJob(ChunkJob, BulkStartJob):
    """Start the decommissions of a part of a larger BulkStartJob's devices."""
    chunk_class = None

    class Meta:
        name = 'Start decommissions (part)'


class BulkMoveJob(BatchJob):
    """Make one workflow move on each of the decommissions."""
    key = 'decommission_id'
    ids_argument = 'decommission_ids'

    class Meta:
        name = 'Decommission workflow move'

    def load(self, ids):
        return Decommission.objects.filter(pk__in=ids).order_by('number')

    def entry(self, decommission):
        return {'number': decommission.number, 'decommission_id': decommission.pk,
                'device': decommission.device_name, 'device_id': decommission.device_pk}

    def shared(self, move, **params):
        return {'move': move, **bulk.restored(params)}

    def handle_record(self, entry, shared):
        with transaction.atomic():
            # Read under its lock: a record another batch is moving is seen as that one left it (bulk.already_made).
            decommission = Decommission.objects.select_for_update().filter(pk=entry['decommission_id']).first()
            if decommission is None:
                return self.gone(entry)
            result, = bulk.apply_move([decommission], self.job.user, **shared)
        return result


class BulkMoveChunkJob(ChunkJob, BulkMoveJob):
    """Make the move of a larger BulkMoveJob on a part of its decommissions."""
    chunk_class = None

    class Meta:
        name = 'Decommission workflow move (part)'


BulkStartJob.chunk_class = BulkStartChunkJob
BulkMoveJob.chunk_class = BulkMoveChunkJob


class BulkDocumentsJob(JobRunner):
    """Render the documents of the decommissions into one ZIP archive kept in NetBox's media storage."""

    class Meta:
        name = 'Decommission documents archive'

    def run(self, decommission_ids, languages, *args, **kwargs):
        decommissions = Decommission.objects.filter(pk__in=decommission_ids).order_by('number').prefetch_related(
            'documents__signatures__user', 'documents__files', 'executors')
        total = len(decommissions)
        self.job.data = {'done': 0, 'total': total}
        self.job.save(update_fields=['data'])

        def progress(done, total):
            self.job.data = {'done': done, 'total': total}
            self.job.save(update_fields=['data'])

        missing = []

        def report_missing(message):
            missing.append(message)
            self.logger.error(message)

        archive = bulk.documents_archive(decommissions, languages, on_progress=progress, on_missing=report_missing)
        name = default_storage.save(f'{ARCHIVE_DIRECTORY}/{self.job.job_id}.zip', ContentFile(archive))
        self.job.data = {
            'done': total, 'total': total, 'file': name, 'size': len(archive),
            'url': reverse('plugins:netbox_decommission:decommission_bulk_documents_download',
                           kwargs={'job_id': self.job.pk}),
            'missing': missing,
        }
        self.job.save(update_fields=['data'])
        self.logger.info(f'Archive of {total} decommission(s): {name} ({len(archive)} bytes)')


class FixityCheckJob(JobRunner):
    """
    Hash every frozen copy again (documents/fixity.py). The job's data holds the counts and each problem; a job that
    finds a copy altered or missing ends as failed, as ``manage.py decommission_fixity`` exits non-zero.
    """

    class Meta:
        name = 'Decommission documents fixity check'

    def run(self, *args, **kwargs):
        interval = get_setting('fixity_check_interval')
        if not interval:
            # Scheduled before the interval was set to 0: NetBox reschedules a job after each run while its interval
            # is set, so clearing it here is what ends the schedule.
            self.job.interval = None
            self.logger.info(_('fixity_check_interval is 0: the fixity check is no longer scheduled'))
            return
        report = fixity.check()
        for finding in report.problems:
            self.logger.error(finding.message())
        counts = report.counts
        self.job.data = {
            **counts,
            'problems': [
                {'decommission': f.file.document.decommission.number, 'document': f.file.document.number,
                 'language': f.file.language, 'state': f.state, 'expected_sha256': f.file.sha256,
                 'found_sha256': f.found_sha256, 'path': f.path}
                for f in report.problems
            ],
        }
        self.job.save(update_fields=['data'])
        self.logger.info(report.summary())
        if report.problems:
            raise JobFailed()


#
# Chunks whose worker stopped without ending them
#

def chunk_stall(chunk):
    """
    Why a chunk job that has not ended never will, as RQ sees it, or None while it may still run or end: RQ failed it
    (its work-horse was killed: RQ fails the job without NetBox's handle() marking it), or lost it, or the worker that
    started it is gone (killed outright: its registration expires a few minutes after its last heartbeat).
    """
    import django_rq
    from rq.job import JobStatus
    from rq.worker import Worker

    if chunk.status in JobStatusChoices.TERMINAL_STATE_CHOICES:
        return _('it ended as {status} without reporting to its batch').format(status=chunk.status)
    queue = django_rq.get_queue(chunk.queue_name or 'default')
    rq_job = queue.fetch_job(str(chunk.job_id))
    if rq_job is None:
        return _('its task is no longer in the queue')
    state = rq_job.get_status(refresh=False)
    if state in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        lines = (rq_job.exc_info or '').strip().splitlines()
        return _('the worker stopped it ({state}): {reason}').format(
            state=state.value, reason=lines[-1] if lines else '-')
    if state == JobStatus.STARTED and rq_job.worker_name and Worker.find_by_key(
            Worker.redis_worker_namespace_prefix + rq_job.worker_name, connection=queue.connection) is None:
        return _('the worker {worker} that ran it is gone').format(worker=rq_job.worker_name)
    return None


def end_stalled_chunks():
    """
    End every chunk job of a running batch that will never end by itself (chunk_stall()), as errored with what it
    left to do, and so its parent once its other chunks have ended. Returns the chunk jobs ended.
    """
    ended = []
    for parent in Job.objects.filter(status=JobStatusChoices.STATUS_RUNNING, data__has_key='chunks'):
        for chunk_pk in parent.data['chunks']:
            if chunk_pk in parent.data['chunks_ended']:
                continue
            chunk = Job.objects.filter(pk=chunk_pk).first()
            reason = chunk_stall(chunk) if chunk is not None else None
            if reason is None:
                continue
            with transaction.atomic():
                # Counted once: a chunk that reported meanwhile is left as it is.
                parent = Job.objects.select_for_update().get(pk=parent.pk)
                if chunk_pk in parent.data['chunks_ended']:
                    continue
                chunk.data['error'] = _('Job #{job} will not end: {reason}').format(job=chunk.pk, reason=reason)
                chunk.log(error_record(stopped_message(chunk.data)))
                if chunk.status not in JobStatusChoices.TERMINAL_STATE_CHOICES:
                    chunk.terminate(status=JobStatusChoices.STATUS_ERRORED, error=chunk.data['error'])
                else:
                    chunk.save(update_fields=['data', 'log_entries'])
                end_chunk(chunk, parent.pk, failed=True)
            ended.append(chunk)
    return ended


class BatchWatchdogJob(JobRunner):
    """
    Ends the chunks of batches that a worker left running when it died (end_stalled_chunks()), so that their batch
    ends with what was and was not done, instead of staying "running". A NetBox system job, every few minutes.
    """

    class Meta:
        name = 'Decommission batch watchdog'

    def run(self, *args, **kwargs):
        ended = end_stalled_chunks()
        for chunk in ended:
            self.logger.warning(chunk.data['error'])
        self.job.data = {'ended': [chunk.pk for chunk in ended]}
        self.job.save(update_fields=['data'])


# How often the watchdog looks, in minutes.
BATCH_WATCHDOG_INTERVAL = 5


def register_system_jobs():
    """
    The plugin's NetBox system jobs (the app's ready() registers them): the batch watchdog, and the fixity check
    unless ``fixity_check_interval`` is 0.
    """
    system_job(interval=BATCH_WATCHDOG_INTERVAL)(BatchWatchdogJob)
    interval = get_setting('fixity_check_interval')
    if interval:
        system_job(interval=interval)(FixityCheckJob)


#
# Now or as a job: the one decision, for the UI and the REST API alike
#

def start_batch(devices, request, *, head=None, responsible=None, executors=(), **shared):
    """
    Start a decommission of each device: a small batch now, answering its results and no job; a larger one
    (bulk.INLINE_LIMIT) as a background job, answering no results and the job.
    """
    if len(devices) > bulk.INLINE_LIMIT:
        return None, BulkStartJob.enqueue(
            user=request.user, request=copy_safe_request(request), device_ids=[d.pk for d in devices],
            head_id=head.pk if head else None, responsible_id=responsible.pk if responsible else None,
            executor_ids=[u.pk for u in executors], **shared,
        )
    return bulk.start_decommissions(
        devices, request.user, head=head, responsible=responsible, executors=executors, **shared), None


def move_batch(decommissions, move, params, request):
    """One workflow move on each decommission: (results, None) for a small batch, (None, job) for a larger one."""
    if len(decommissions) > bulk.INLINE_LIMIT:
        return None, BulkMoveJob.enqueue(
            user=request.user, request=copy_safe_request(request), decommission_ids=[d.pk for d in decommissions],
            move=move, **bulk.portable(params),
        )
    return bulk.apply_move(decommissions, request.user, move, **params), None
