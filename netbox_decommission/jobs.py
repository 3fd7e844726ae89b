"""
Background jobs for batches too large to wait for in a request (bulk.INLINE_LIMIT): starting decommissions,
making one workflow move on many records, and rendering a batch's documents into one ZIP archive. Each keeps its
progress and per-record results in the job's data, which NetBox shows on the job's page.

And the plugin's one system job, the fixity check of the issued documents (documents/fixity.py), which NetBox's RQ
worker schedules every ``fixity_check_interval`` minutes.
"""
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _

from core.exceptions import JobFailed
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
    'BulkDocumentsJob',
    'BulkMoveJob',
    'BulkStartJob',
    'FixityCheckJob',
    'move_batch',
    'register_system_jobs',
    'start_batch',
)

ARCHIVE_DIRECTORY = 'netbox-decommission/archives'


class BatchJob(JobRunner):
    """
    Runs a batch with the requesting user's change logging. The job's data lists what is left to do from the
    start and each result as it comes, so that a job that dies midway still says which records were done and
    which were not.
    """
    # The field of a record's entry that identifies it in the results (Result.as_dict()).
    key = None

    def begin(self, entries):
        """The batch's records, each an entry of the fields a Result has, all of them left to do."""
        self.job.data = {'done': 0, 'total': len(entries), 'results': [], 'remaining': entries}
        self.job.save(update_fields=['data'])

    def record(self, result):
        data = self.job.data
        data['results'].append(result.as_dict())
        data['done'] = len(data['results'])
        key = getattr(result, self.key)
        data['remaining'] = [entry for entry in data['remaining'] if entry[self.key] != key]
        self.job.save(update_fields=['data'])

    def counts(self):
        succeeded = sum(1 for result in self.job.data['results'] if result['ok'])
        return succeeded, len(self.job.data['results']) - succeeded

    def summarize(self, results):
        for result in results:
            (self.logger.info if result.ok else self.logger.warning)(
                f'{result.number or result.device}: {result.message}')
        succeeded, failed = self.counts()
        self.job.data.update(succeeded=succeeded, failed=failed)
        self.job.save(update_fields=['data'])
        self.logger.info(_('{succeeded} of {total} succeeded').format(succeeded=succeeded, total=len(results)))

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
        succeeded, failed = self.counts()
        data.update(succeeded=succeeded, failed=failed, error=f'{type(error).__name__}: {error}',
                    interrupted_at=data['remaining'][0] if data['remaining'] else None)
        self.job.save(update_fields=['data'])
        self.logger.error(_(
            'Stopped by an error after {done} of {total} record(s): {error}. Not done: {remaining}. Run the batch '
            'again for those: records already done are left as they are.'
        ).format(done=data['done'], total=data['total'], error=data['error'],
                 remaining=', '.join(entry['number'] or entry['device'] for entry in data['remaining'])))

    def run(self, *args, request=None, **kwargs):
        try:
            # The request copied at enqueueing makes the change log name the user and the request, as in the UI.
            if request is None:
                results = self.process(*args, **kwargs)
            else:
                with apply_request_processors(request):
                    results = self.process(*args, **kwargs)
        except Exception as error:
            if self.job.data and 'remaining' in self.job.data:
                self.report_interruption(error)
            raise
        self.summarize(results)


class BulkStartJob(BatchJob):
    """Start a decommission of each device, with the fields the batch shares."""
    key = 'device_id'

    class Meta:
        name = 'Start decommissions'

    def process(self, device_ids, reason, reason_text='', head_id=None, responsible_id=None, executor_ids=(),
                planned_start=None, planned_end=None):
        devices = list(Device.objects.filter(pk__in=device_ids).select_related(
            'device_type__manufacturer', 'rack', 'site', 'primary_ip4', 'primary_ip6').order_by('name', 'pk'))
        self.begin([{'device': str(device), 'device_id': device.pk, 'number': ''} for device in devices])
        return bulk.start_decommissions(
            devices, self.job.user, reason=reason, reason_text=reason_text,
            head=User.objects.filter(pk=head_id).first() if head_id else None,
            responsible=User.objects.filter(pk=responsible_id).first() if responsible_id else None,
            executors=User.objects.filter(pk__in=executor_ids), planned_start=planned_start,
            planned_end=planned_end, on_result=self.record,
        )


class BulkMoveJob(BatchJob):
    """Make one workflow move on each of the decommissions."""
    key = 'decommission_id'

    class Meta:
        name = 'Decommission workflow move'

    def process(self, decommission_ids, move, **params):
        decommissions = list(Decommission.objects.filter(pk__in=decommission_ids).order_by('number'))
        self.begin([
            {'number': d.number, 'decommission_id': d.pk, 'device': d.device_name, 'device_id': d.device_pk}
            for d in decommissions
        ])
        return bulk.apply_move(decommissions, self.job.user, move, on_result=self.record, **bulk.restored(params))


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


def register_system_jobs():
    """The fixity check as a NetBox system job, unless ``fixity_check_interval`` is 0; the app's ready() calls it."""
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
