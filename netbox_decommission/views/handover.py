"""Hand-overs to a disposal vendor in the web UI; every rule lives in handovers/services.py."""
from django.contrib import messages
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from extras.ui.panels import CustomFieldsPanel, TagsPanel
from netbox.ui import layout
from netbox.ui.panels import CommentsPanel
from netbox.views import generic
from netbox.views.generic.base import BaseObjectView
from utilities.permissions import get_permission_for_model
from utilities.views import GetReturnURLMixin, register_model_view

from .. import filtersets, forms, tables
from ..documents.rendering import LanguageError, document_language, pdf_response
from ..handovers import manifest, services
from ..handovers.certificate import CertificateError, read_certificate
from ..models import Handover, HandoverItem
from ..object_actions import (
    HandoverAddItems,
    HandoverClose,
    HandoverHandOver,
    HandoverManifest,
    HandoverUploadCertificate,
)
from ..ui.handover_panels import HandoverCertificatesPanel, HandoverItemsPanel, HandoverPanel
from ..workflow import WorkflowError
from ..workflow.errors import forget_refused_change

__all__ = (
    'HandoverAddItemsView',
    'HandoverBulkDeleteView',
    'HandoverBulkEditView',
    'HandoverBulkImportView',
    'HandoverCertificateView',
    'HandoverCloseView',
    'HandoverDeleteView',
    'HandoverEditView',
    'HandoverHandOverView',
    'HandoverListView',
    'HandoverManifestView',
    'HandoverRemoveItemView',
    'HandoverView',
)


@register_model_view(Handover, 'list', path='', detail=False)
class HandoverListView(generic.ObjectListView):
    queryset = Handover.objects.annotate(item_count=Count('items'), total_weight=Sum('items__weight'))
    filterset = filtersets.HandoverFilterSet
    filterset_form = forms.HandoverFilterForm
    table = tables.HandoverTable


@register_model_view(Handover)
class HandoverView(generic.ObjectView):
    template_name = 'generic/object.html'
    queryset = Handover.objects.select_related('site', 'vendor', 'handed_over_by')
    actions = (HandoverAddItems, HandoverHandOver, HandoverUploadCertificate, HandoverClose, HandoverManifest,
               *generic.ObjectView.actions)
    layout = layout.SimpleLayout(
        left_panels=[HandoverPanel(), CustomFieldsPanel(), TagsPanel()],
        right_panels=[HandoverCertificatesPanel(), CommentsPanel()],
        bottom_panels=[HandoverItemsPanel()],
    )


@register_model_view(Handover, 'add', detail=False)
@register_model_view(Handover, 'edit')
class HandoverEditView(generic.ObjectEditView):
    queryset = Handover.objects.all()
    form = forms.HandoverForm


@register_model_view(Handover, 'delete')
class HandoverDeleteView(generic.ObjectDeleteView):
    queryset = Handover.objects.all()


@register_model_view(Handover, 'bulk_import', path='import', detail=False)
class HandoverBulkImportView(generic.BulkImportView):
    queryset = Handover.objects.all()
    model_form = forms.HandoverImportForm


@register_model_view(Handover, 'bulk_edit', path='edit', detail=False)
class HandoverBulkEditView(generic.BulkEditView):
    queryset = Handover.objects.all()
    filterset = filtersets.HandoverFilterSet
    table = tables.HandoverTable
    form = forms.HandoverBulkEditForm


@register_model_view(Handover, 'bulk_delete', path='delete', detail=False)
class HandoverBulkDeleteView(generic.BulkDeleteView):
    queryset = Handover.objects.all()
    filterset = filtersets.HandoverFilterSet
    table = tables.HandoverTable


class HandoverOperationView(GetReturnURLMixin, BaseObjectView):
    """An operation on one hand-over the user may change (object permissions), run by its service."""
    queryset = Handover.objects.select_related('site', 'vendor')
    template_name = 'netbox_decommission/handover_operation.html'
    permission = 'change'
    title = ''
    submit = ''

    def get_required_permission(self):
        return get_permission_for_model(Handover, self.permission)

    def render_form(self, request, handover, form=None, **context):
        return render(request, self.template_name, {
            'object': handover, 'form': form, 'title': self.title, 'submit': self.submit,
            'return_url': self.get_return_url(request, handover), **context,
        })

    def refused(self, request, handover, error, form=None, **context):
        forget_refused_change(self)
        field = getattr(error, 'field', None)
        if form is not None and field in form.fields:
            form.add_error(field, error.message)
        else:
            messages.error(request, error.message)
        return self.render_form(request, handover, form, **context)


class HandoverFormOperationView(HandoverOperationView):
    """
    An operation with a form: shown on GET, run on a valid POST; a refusal shows the form again. Each operation
    defines make_form(handover, data=None, files=None) and perform(request, handover, form), which runs the
    operation's service and returns the success message, or raises WorkflowError (or a certificate's
    CertificateError) naming the form's field where it can.
    """

    def get(self, request, pk):
        handover = self.get_object(pk=pk)
        return self.render_form(request, handover, self.make_form(handover))

    def post(self, request, pk):
        handover = self.get_object(pk=pk)
        form = self.make_form(handover, data=request.POST, files=request.FILES)
        if not form.is_valid():
            return self.render_form(request, handover, form)
        try:
            message = self.perform(request, handover, form)
        except (WorkflowError, CertificateError) as e:
            return self.refused(request, handover, e, form)
        messages.success(request, message)
        return redirect(handover.get_absolute_url())


@register_model_view(Handover, 'add_items', path='add-items')
class HandoverAddItemsView(HandoverFormOperationView):
    template_name = 'netbox_decommission/handover_add_items.html'
    title = _('Add items')
    submit = _('Add')

    def make_form(self, handover, data=None, files=None):
        # Offered: what the user may view of what may go.
        return forms.HandoverAddItemsForm(
            data=data, components=services.eligible_components(handover).restrict(self.request.user, 'view'),
            servers=services.eligible_servers(handover).restrict(self.request.user, 'view'),
        )

    def perform(self, request, handover, form):
        items = services.add_items(handover, request.user, components=form.cleaned_data['components'],
                                   decommissions=form.cleaned_data['decommissions'])
        return _('{count} items added to hand-over {handover}.').format(count=len(items), handover=handover)


@register_model_view(Handover, 'remove_item', path='remove-item')
class HandoverRemoveItemView(HandoverOperationView):
    """POST item=<id>: take the item off the planned hand-over."""

    def post(self, request, pk):
        handover = self.get_object(pk=pk)
        item = get_object_or_404(HandoverItem, handover=handover, pk=request.POST.get('item') or 0)
        try:
            services.remove_items(handover, request.user, [item])
        except WorkflowError as e:
            forget_refused_change(self)
            messages.error(request, e.message)
        else:
            messages.success(request, _('{item} removed from hand-over {handover}.').format(
                item=item, handover=handover))
        return redirect(handover.get_absolute_url())


@register_model_view(Handover, 'hand_over', path='hand-over')
class HandoverHandOverView(HandoverOperationView):
    template_name = 'netbox_decommission/handover_hand_over.html'
    title = _('Hand over')
    submit = _('Hand over')

    def _context(self, handover):
        lines = manifest.manifest_lines(handover)
        total, unknown = manifest.total(lines)
        return {'lines': lines, 'total_weight': total, 'unknown_weights': unknown}

    def get(self, request, pk):
        handover = self.get_object(pk=pk)
        return self.render_form(request, handover, **self._context(handover))

    def post(self, request, pk):
        handover = self.get_object(pk=pk)
        try:
            handover = services.hand_over(handover, request.user)
        except WorkflowError as e:
            return self.refused(request, handover, e, **self._context(handover))
        messages.success(request, _('Hand-over {handover}: handed over to {vendor}.').format(
            handover=handover, vendor=handover.vendor))
        return redirect(handover.get_absolute_url())


@register_model_view(Handover, 'manifest', path='manifest')
class HandoverManifestView(HandoverOperationView):
    """The manifest: PDF (?lang=ru|en) or CSV (?format=csv)."""
    permission = 'view'

    def get(self, request, pk):
        handover = self.get_object(pk=pk)
        if request.GET.get('format') == 'csv':
            return csv_response(handover)
        try:
            language = document_language(request.GET.get('lang'))
        except LanguageError as e:
            messages.error(request, str(e))
            return redirect(handover.get_absolute_url())
        return pdf_response(manifest.render_manifest(handover, language), f'{handover.number}-{language}.pdf')


def csv_response(handover):
    # A byte-order mark, so that spreadsheets open the UTF-8 file with its Cyrillic intact.
    response = HttpResponse('\ufeff' + manifest.manifest_csv(handover), content_type='text/csv; charset=utf-8')
    response['Content-Disposition'] = f'attachment; filename="{handover.number}.csv"'
    return response


@register_model_view(Handover, 'certificate', path='certificate')
class HandoverCertificateView(HandoverFormOperationView):
    title = _('Upload the vendor\'s certificate')
    submit = _('Upload and reconcile')

    def make_form(self, handover, data=None, files=None):
        return forms.HandoverCertificateForm(data=data, files=files)

    def perform(self, request, handover, form):
        upload = form.cleaned_data['file']
        try:
            reading = read_certificate(
                upload.read(), file_name=upload.name, mapping=form.mapping(),
                encoding=form.cleaned_data['encoding'], certificate_number=form.cleaned_data['certificate_number'],
            )
        except CertificateError as e:
            # The reader names the column's role; the form's field for it is the mapping's.
            if e.field in ('serial', 'method', 'date', 'number'):
                e.field = f'{e.field}_column'
            raise
        certificate = services.reconcile(handover, request.user, reading)
        counts = certificate.result['counts']
        return _(
            'Certificate {file} reconciled: {matched} matched, {missing} missing from the certificate, {unknown} '
            'unknown serial numbers.'
        ).format(file=certificate.file_name, matched=counts['matched'] + counts['already_matched'],
                 missing=counts['missing'], unknown=counts['unknown'])


@register_model_view(Handover, 'close_handover', path='close-handover')
class HandoverCloseView(HandoverFormOperationView):
    title = _('Close the hand-over')
    submit = _('Close')

    def make_form(self, handover, data=None, files=None):
        unaccounted = handover.items.exclude(reconciliation=services.MATCHED).order_by('pk')
        return forms.HandoverCloseForm(data=data, items=unaccounted)

    def perform(self, request, handover, form):
        handover = services.close(handover, request.user, [
            (item, reason) for item, reason in form.exceptions() if reason.strip()
        ])
        return _('Hand-over {handover} closed.').format(handover=handover)
