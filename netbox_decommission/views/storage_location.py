from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from extras.ui.panels import CustomFieldsPanel, TagsPanel
from netbox.ui import actions, layout
from netbox.ui.panels import CommentsPanel, ObjectsTablePanel, RelatedObjectsPanel
from netbox.views import generic
from utilities.views import GetRelatedModelsMixin, register_model_view

from .. import filtersets, forms, tables
from ..choices import GONE_COMPONENT_STATUSES
from ..models import StorageLocation
from ..ui.panels import CustodyHistoryPanel, StorageLocationPanel, StorageLocationUsagePanel

__all__ = (
    'StorageLocationBulkDeleteView',
    'StorageLocationBulkEditView',
    'StorageLocationBulkImportView',
    'StorageLocationDeleteView',
    'StorageLocationEditView',
    'StorageLocationListView',
    'StorageLocationView',
)


@register_model_view(StorageLocation, 'list', path='', detail=False)
class StorageLocationListView(generic.ObjectListView):
    queryset = StorageLocation.objects.annotate(
        decommission_count=Count('decommissions', distinct=True),
        component_count=Count('components', distinct=True),
    )
    filterset = filtersets.StorageLocationFilterSet
    filterset_form = forms.StorageLocationFilterForm
    table = tables.StorageLocationTable


@register_model_view(StorageLocation)
class StorageLocationView(GetRelatedModelsMixin, generic.ObjectView):
    template_name = 'generic/object.html'
    queryset = StorageLocation.objects.all()
    layout = layout.SimpleLayout(
        left_panels=[StorageLocationPanel(), CustomFieldsPanel(), TagsPanel(), CommentsPanel()],
        right_panels=[StorageLocationUsagePanel(), RelatedObjectsPanel()],
        bottom_panels=[
            ObjectsTablePanel(
                model='netbox_decommission.Decommission',
                title=_('Servers held here'),
                filters={'storage_location_id': lambda ctx: ctx['object'].pk},
                exclude_columns=['storage_location'],
            ),
            ObjectsTablePanel(
                model='netbox_decommission.RemovedComponent',
                title=_('Components held here'),
                filters={'storage_location_id': lambda ctx: ctx['object'].pk, 'status__n': GONE_COMPONENT_STATUSES},
                exclude_columns=['storage_location'],
                actions=[
                    actions.AddObject(
                        'netbox_decommission.RemovedComponent',
                        url_params={'storage_location': lambda ctx: ctx['object'].pk},
                    ),
                ],
            ),
            CustodyHistoryPanel(title=_('Passed through'), subject='location'),
        ],
    )

    def get_extra_context(self, request, instance):
        return {'related_models': self.get_related_models(request, instance)}


@register_model_view(StorageLocation, 'add', detail=False)
@register_model_view(StorageLocation, 'edit')
class StorageLocationEditView(generic.ObjectEditView):
    queryset = StorageLocation.objects.all()
    form = forms.StorageLocationForm


@register_model_view(StorageLocation, 'delete')
class StorageLocationDeleteView(generic.ObjectDeleteView):
    queryset = StorageLocation.objects.all()


@register_model_view(StorageLocation, 'bulk_import', path='import', detail=False)
class StorageLocationBulkImportView(generic.BulkImportView):
    queryset = StorageLocation.objects.all()
    model_form = forms.StorageLocationImportForm


@register_model_view(StorageLocation, 'bulk_edit', path='edit', detail=False)
class StorageLocationBulkEditView(generic.BulkEditView):
    queryset = StorageLocation.objects.all()
    filterset = filtersets.StorageLocationFilterSet
    table = tables.StorageLocationTable
    form = forms.StorageLocationBulkEditForm


@register_model_view(StorageLocation, 'bulk_delete', path='delete', detail=False)
class StorageLocationBulkDeleteView(generic.BulkDeleteView):
    queryset = StorageLocation.objects.all()
    filterset = filtersets.StorageLocationFilterSet
    table = tables.StorageLocationTable
