"""
The batch actions of the web UI: start decommissions for selected devices or a rack, make one workflow move on
selected decommissions, and download their documents as one ZIP archive. Small batches run in the request and show
each record's result; larger ones run as a background job, whose page shows the progress (jobs.start_batch and
jobs.move_batch decide, for the REST API too).
"""
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import View

from core.models import Job
from dcim.filtersets import DeviceFilterSet
from dcim.models import Device
from netbox.views.generic.base import BaseMultiObjectView
from utilities.views import GetReturnURLMixin, ObjectPermissionRequiredMixin, register_model_view

from .. import jobs
from ..forms.bulk import BulkDocumentsForm, BulkMoveForm, BulkStartForm
from ..models import Decommission
from ..workflow import MOVES

__all__ = (
    'DecommissionBulkDocumentsDownloadView',
    'DecommissionBulkDocumentsView',
    'DecommissionBulkMoveView',
    'DecommissionBulkStartView',
)

TEMPLATE = 'netbox_decommission/bulk/form.html'


class BulkActionView(GetReturnURLMixin, BaseMultiObjectView):
    """
    A batch form. Reached by a GET with the batch in the query, or by a POST from a list's selection (``pk``); the
    form's own POST carries ``_apply`` and runs the batch.
    """
    queryset = Decommission.objects.all()
    title = None
    submit_label = None

    def render_form(self, request, form, count=None, results=None):
        return render(request, TEMPLATE, {
            'title': self.title, 'form': form, 'count': count, 'results': results, 'submit_label': self.submit_label,
            'return_url': self.get_return_url(request),
        })

    def finish(self, request, results):
        succeeded = sum(1 for r in results if r.ok)
        messages.info(request, _('{succeeded} of {total} done.').format(succeeded=succeeded, total=len(results)))
        return self.render_form(request, None, results=results)

    def enqueued(self, request, job):
        messages.info(request, _('The batch runs as a background job; its page shows the progress and the results.'))
        return redirect(job.get_absolute_url())


@register_model_view(Decommission, 'bulk_start', path='bulk-start', detail=False)
class DecommissionBulkStartView(BulkActionView):
    title = _('Decommission devices')
    submit_label = _('Start decommissions')

    def get_required_permission(self):
        return 'netbox_decommission.add_decommission'

    def get(self, request):
        # From a rack's page (?rack=), or from the device list with the list's filter (only a filtered list: an
        # unfiltered one would select every device).
        initial = {'rack': request.GET.get('rack'), 'devices': request.GET.getlist('device')}
        filters = request.GET.copy()
        for name in ('rack', 'device', 'return_url', 'page', 'per_page', 'sort'):
            filters.pop(name, None)
        if filters:
            visible = Device.objects.restrict(request.user, 'view')
            initial['devices'] = list(DeviceFilterSet(filters, visible).qs.values_list('pk', flat=True))
        return self.render_form(request, BulkStartForm(initial=initial), count=len(initial['devices']) or None)

    def post(self, request):
        if '_apply' not in request.POST:
            # A selection posted from the device list.
            form = BulkStartForm(initial={'devices': request.POST.getlist('pk')})
            return self.render_form(request, form, count=len(request.POST.getlist('pk')))
        form = BulkStartForm(data=request.POST)
        if not form.is_valid():
            return self.render_form(request, form)
        data = form.cleaned_data
        devices = list(form.selected_devices(request.user).select_related(
            'device_type__manufacturer', 'rack', 'site', 'primary_ip4', 'primary_ip6').order_by('name', 'pk'))
        shared = {
            'reason': data['reason'], 'reason_text': data['reason_text'], 'planned_start': data['planned_start'],
            'planned_end': data['planned_end'],
        }
        results, job = jobs.start_batch(
            devices, request, head=data['head'], responsible=data['responsible'], executors=data['executors'],
            **shared,
        )
        return self.enqueued(request, job) if job else self.finish(request, results)


@register_model_view(Decommission, 'bulk_move', path='bulk-move', detail=False)
class DecommissionBulkMoveView(BulkActionView):
    title = _('Workflow move on selected decommissions')
    submit_label = pgettext_lazy('decommission batch', 'Apply')

    def get_required_permission(self):
        # Each record is checked for the move's own permission ("sign" or "change") by bulk.apply_move.
        return 'netbox_decommission.view_decommission'

    def post(self, request):
        if '_apply' not in request.POST:
            pks = request.POST.getlist('pk')
            return self.render_form(request, BulkMoveForm(initial={'pk': pks}), count=len(pks))
        form = BulkMoveForm(data=request.POST)
        if not form.is_valid():
            return self.render_form(request, form, count=len(request.POST.getlist('pk')))
        move = form.cleaned_data['move']
        if not request.user.has_perm(MOVES[move].permission_name):
            return self.handle_no_permission()
        decommissions = list(self.queryset.filter(pk__in=[d.pk for d in form.cleaned_data['pk']]).order_by('number'))
        results, job = jobs.move_batch(decommissions, move, form.move_params(), request)
        return self.enqueued(request, job) if job else self.finish(request, results)


@register_model_view(Decommission, 'bulk_documents', path='bulk-documents', detail=False)
class DecommissionBulkDocumentsView(BulkActionView):
    title = _('Documents of selected decommissions')
    submit_label = _('Create the archive')

    def get_required_permission(self):
        return 'netbox_decommission.view_decommission'

    def post(self, request):
        if '_apply' not in request.POST:
            pks = request.POST.getlist('pk')
            return self.render_form(request, BulkDocumentsForm(initial={'pk': pks}), count=len(pks))
        form = BulkDocumentsForm(data=request.POST)
        if not form.is_valid():
            return self.render_form(request, form)
        # The queryset is restricted to the records the user may view.
        ids = list(self.queryset.filter(pk__in=[d.pk for d in form.cleaned_data['pk']]).values_list('pk', flat=True))
        job = jobs.BulkDocumentsJob.enqueue(user=request.user, decommission_ids=ids,
                                            languages=sorted(form.cleaned_data['languages']))
        return self.enqueued(request, job)


@register_model_view(Decommission, 'bulk_documents_download', path='bulk-documents/<int:job_id>', detail=False)
class DecommissionBulkDocumentsDownloadView(ObjectPermissionRequiredMixin, View):
    """The archive of a finished documents job, for the user who asked for it."""
    queryset = Decommission.objects.all()

    def get_required_permission(self):
        return 'netbox_decommission.view_decommission'

    def get(self, request, job_id):
        job = get_object_or_404(Job, pk=job_id, name=jobs.BulkDocumentsJob.name)
        # The archive holds the documents the requesting user could see, not necessarily those this user can.
        if job.user_id != request.user.pk and not request.user.is_superuser:
            raise Http404
        name = (job.data or {}).get('file')
        if not name or not default_storage.exists(name):
            raise Http404
        return FileResponse(default_storage.open(name, 'rb'), as_attachment=True,
                            filename=f'decommission-documents-{job.pk}.zip', content_type='application/zip')

