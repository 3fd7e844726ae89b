from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from extras.ui.panels import CustomFieldsPanel, TagsPanel
from netbox.ui import layout
from netbox.ui.panels import CommentsPanel
from netbox.views import generic
from utilities.views import register_model_view

from .. import filtersets, forms, tables
from ..custody import refused_move
from ..models import RemovedComponent
from ..object_actions import DisposeComponent, EventLogExtract, SanitizationCertificate
from ..ui import panels

__all__ = (
    'RemovedComponentBulkDeleteView',
    'RemovedComponentBulkEditView',
    'RemovedComponentBulkImportView',
    'RemovedComponentDeleteView',
    'RemovedComponentEditView',
    'RemovedComponentListView',
    'RemovedComponentView',
)


@register_model_view(RemovedComponent, 'list', path='', detail=False)
class RemovedComponentListView(generic.ObjectListView):
    queryset = RemovedComponent.objects.select_related('decommission', 'manufacturer', 'storage_location')
    filterset = filtersets.RemovedComponentFilterSet
    filterset_form = forms.RemovedComponentFilterForm
    table = tables.RemovedComponentTable


@register_model_view(RemovedComponent)
class RemovedComponentView(generic.ObjectView):
    template_name = 'generic/object.html'
    actions = (*generic.ObjectView.actions, SanitizationCertificate, EventLogExtract, DisposeComponent)
    queryset = RemovedComponent.objects.select_related(
        'decommission', 'manufacturer', 'storage_location__site', 'inspected_by', 'sanitized_by',
        'sanitization_verified_by', 'reused_as__device',
    )
    layout = layout.SimpleLayout(
        left_panels=[
            panels.DuplicateSerialPanel(),
            panels.RemovedComponentPanel(),
            panels.RemovedComponentDispositionPanel(title=_('Final disposition')),
            CustomFieldsPanel(),
            TagsPanel(),
        ],
        right_panels=[
            panels.RemovedComponentHandlingPanel(title=_('Inspection, packing and storage')),
            panels.RemovedComponentSanitizationPanel(title=_('Media sanitization')),
            CommentsPanel(),
        ],
        bottom_panels=[
            panels.CustodyHistoryPanel(title=_('Chain of custody'), subject='component'),
        ],
    )


@register_model_view(RemovedComponent, 'add', detail=False)
@register_model_view(RemovedComponent, 'edit')
class RemovedComponentEditView(generic.ObjectEditView):
    queryset = RemovedComponent.objects.all()
    form = forms.RemovedComponentForm


@register_model_view(RemovedComponent, 'delete')
class RemovedComponentDeleteView(generic.ObjectDeleteView):
    queryset = RemovedComponent.objects.all()


@register_model_view(RemovedComponent, 'bulk_import', path='import', detail=False)
class RemovedComponentBulkImportView(generic.BulkImportView):
    queryset = RemovedComponent.objects.all()
    model_form = forms.RemovedComponentImportForm


@register_model_view(RemovedComponent, 'bulk_edit', path='edit', detail=False)
class RemovedComponentBulkEditView(generic.BulkEditView):
    queryset = RemovedComponent.objects.all()
    filterset = filtersets.RemovedComponentFilterSet
    table = tables.RemovedComponentTable
    form = forms.RemovedComponentBulkEditForm

    def pre_save_operations(self, form, obj):
        super().pre_save_operations(form, obj)
        # obj holds the new values, the database the old ones. NetBox rolls the whole edit back on a ValidationError
        # and shows it on the form.
        refusal = refused_move(obj, obj.storage_location, form.cleaned_data.get('transfer', False))
        if refusal:
            raise ValidationError({'storage_location': refusal})


@register_model_view(RemovedComponent, 'bulk_delete', path='delete', detail=False)
class RemovedComponentBulkDeleteView(generic.BulkDeleteView):
    queryset = RemovedComponent.objects.all()
    filterset = filtersets.RemovedComponentFilterSet
    table = tables.RemovedComponentTable
