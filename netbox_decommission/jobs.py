"""
Background jobs for batches too large to wait for in a request (bulk.INLINE_LIMIT): starting decommissions,
making one workflow move on many records, and rendering a batch's documents into one ZIP archive. Each keeps its
progress and per-record results in the job's data, which NetBox shows on the job's page.
"""
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from dcim.models import Device
from netbox.jobs import JobRunner
from users.models import User
from utilities.request import apply_request_processors

from . import bulk
from .models import Decommission, StorageLocation

__all__ = (
    'ARCHIVE_DIRECTORY',
    'BulkDocumentsJob',
    'BulkMoveJob',
    'BulkStartJob',
)

ARCHIVE_DIRECTORY = 'netbox-decommission/archives'


class BatchJob(JobRunner):
    """Runs a batch with the requesting user's change logging, and records each result as it comes."""

    def record(self, result, total):
        data = self.job.data or {'done': 0, 'total': total, 'results': []}
        data['results'].append(result.as_dict())
        data['done'] = len(data['results'])
        self.job.data = data
        self.job.save(update_fields=['data'])

    def summarize(self, results):
        done = sum(1 for r in results if r.ok)
        for result in results:
            (self.logger.info if result.ok else self.logger.warning)(
                f'{result.number or result.device}: {result.message}')
        self.job.data = {**(self.job.data or {}), 'done': len(results), 'total': len(results),
                         'succeeded': done, 'failed': len(results) - done}
        self.job.save(update_fields=['data'])
        self.logger.info(f'{done} of {len(results)} succeeded')

    def run(self, *args, request=None, **kwargs):
        self.job.data = {'done': 0, 'total': 0, 'results': []}
        self.job.save(update_fields=['data'])
        # The request copied at enqueueing makes the change log name the user and the request, as in the UI.
        if request is None:
            return self.summarize(self.process(*args, **kwargs))
        with apply_request_processors(request):
            return self.summarize(self.process(*args, **kwargs))


class BulkStartJob(BatchJob):
    """Start a decommission of each device, with the fields the batch shares."""

    class Meta:
        name = 'Start decommissions'

    def process(self, device_ids, reason, reason_text='', head_id=None, responsible_id=None, executor_ids=(),
                planned_start=None, planned_end=None):
        devices = list(Device.objects.filter(pk__in=device_ids).select_related(
            'device_type__manufacturer', 'rack', 'site', 'primary_ip4', 'primary_ip6').order_by('name', 'pk'))
        self.job.data['total'] = len(devices)
        return bulk.start_decommissions(
            devices, self.job.user, reason=reason, reason_text=reason_text,
            head=User.objects.filter(pk=head_id).first() if head_id else None,
            responsible=User.objects.filter(pk=responsible_id).first() if responsible_id else None,
            executors=User.objects.filter(pk__in=executor_ids), planned_start=planned_start,
            planned_end=planned_end, on_result=lambda result: self.record(result, len(devices)),
        )


class BulkMoveJob(BatchJob):
    """Make one workflow move on each of the decommissions."""

    class Meta:
        name = 'Decommission workflow move'

    def process(self, decommission_ids, move, storage_location_id=None, **params):
        decommissions = list(Decommission.objects.filter(pk__in=decommission_ids).order_by('number'))
        self.job.data['total'] = len(decommissions)
        if storage_location_id:
            params['storage_location'] = StorageLocation.objects.filter(pk=storage_location_id).first()
        return bulk.apply_move(decommissions, self.job.user, move,
                               on_result=lambda result: self.record(result, len(decommissions)), **params)


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

        archive = bulk.documents_archive(decommissions, languages, on_progress=progress)
        name = default_storage.save(f'{ARCHIVE_DIRECTORY}/{self.job.job_id}.zip', ContentFile(archive))
        self.job.data = {
            'done': total, 'total': total, 'file': name, 'size': len(archive),
            'url': reverse('plugins:netbox_decommission:decommission_bulk_documents_download',
                           kwargs={'job_id': self.job.pk}),
        }
        self.job.save(update_fields=['data'])
        self.logger.info(f'Archive of {total} decommission(s): {name} ({len(archive)} bytes)')
