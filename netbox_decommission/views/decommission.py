from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from extras.ui.panels import CustomFieldsPanel, TagsPanel
from netbox.ui import actions, layout
from netbox.ui.panels import CommentsPanel, ObjectsTablePanel, PluginContentPanel
from netbox.views import generic
from utilities.views import register_model_view

from .. import filtersets, forms, tables
from ..models import Decommission
from ..object_actions import BulkDocuments, BulkMove
from ..ui import panels
from ..ui.actions import HarvestFromInventory

__all__ = (
    'DecommissionBulkDeleteView',
    'DecommissionBulkEditView',
    'DecommissionBulkImportView',
    'DecommissionDeleteView',
    'DecommissionEditView',
    'DecommissionListView',
    'DecommissionView',
)


@register_model_view(Decommission, 'list', path='', detail=False)
class DecommissionListView(generic.ObjectListView):
    queryset = Decommission.objects.annotate(component_count=Count('components'))
    filterset = filtersets.DecommissionFilterSet
    filterset_form = forms.DecommissionFilterForm
    table = tables.DecommissionTable
    actions = (*generic.ObjectListView.actions, BulkMove, BulkDocuments)


@register_model_view(Decommission)
class DecommissionView(generic.ObjectView):
    template_name = 'generic/object.html'
    queryset = Decommission.objects.select_related(
        'device', 'site', 'tenant__group', 'requested_by', 'head', 'responsible', 'responsible_team',
        'storage_location', 'backup_verified_by',
    ).prefetch_related(
        'executors', 'documents__signatures__user', 'documents__files', 'stage_changes__user',
        'components__storage_location',
    )
    # SimpleLayout's two columns, with the progress bar above them.
    layout = layout.Layout(
        layout.Row(layout.Column(panels.DecommissionProgressPanel())),
        layout.Row(
            layout.Column(
                panels.DeviceDeletedPanel(),
                panels.RestoreReportPanel(),
                panels.DecommissionPanel(),
                panels.ServerIdentityPanel(title=_('Server')),
                panels.DecommissionPeoplePanel(title=_('People')),
                CustomFieldsPanel(),
                TagsPanel(),
                PluginContentPanel('left_page'),
            ),
            layout.Column(
                panels.DecommissionNextStepPanel(),
                panels.DecommissionDocumentsPanel(),
                panels.DecommissionSchedulePanel(title=_('Schedule and storage')),
                panels.DecommissionBackupPanel(title=_('Backup')),
                panels.DecommissionShutdownPanel(title=_('Shutdown checklist')),
                panels.NetworkCheckPanel(),
                CommentsPanel(),
                PluginContentPanel('right_page'),
            ),
        ),
        layout.Row(
            layout.Column(
                ObjectsTablePanel(
                    model='netbox_decommission.RemovedComponent',
                    filters={'decommission_id': lambda ctx: ctx['object'].pk},
                    exclude_columns=['decommission', 'server'],
                    actions=[
                        actions.AddObject(
                            'netbox_decommission.RemovedComponent',
                            url_params={'decommission': lambda ctx: ctx['object'].pk},
                        ),
                        HarvestFromInventory(),
                    ],
                ),
                panels.DecommissionStageLogPanel(),
                panels.CustodyHistoryPanel(title=_('Chain of custody'), subject='decommission'),
                PluginContentPanel('full_width_page'),
            ),
        ),
    )


@register_model_view(Decommission, 'add', detail=False)
@register_model_view(Decommission, 'edit')
class DecommissionEditView(generic.ObjectEditView):
    queryset = Decommission.objects.all()
    form = forms.DecommissionForm
    template_name = 'netbox_decommission/decommission_edit.html'

    def alter_object(self, obj, request, url_args, url_kwargs):
        if not obj.pk:
            obj.requested_by = request.user
        return obj


@register_model_view(Decommission, 'delete')
class DecommissionDeleteView(generic.ObjectDeleteView):
    queryset = Decommission.objects.all()


@register_model_view(Decommission, 'bulk_import', path='import', detail=False)
class DecommissionBulkImportView(generic.BulkImportView):
    queryset = Decommission.objects.all()
    model_form = forms.DecommissionImportForm

    def save_object(self, object_form, request):
        if not object_form.instance.pk:
            object_form.instance.requested_by = request.user
        return super().save_object(object_form, request)


@register_model_view(Decommission, 'bulk_edit', path='edit', detail=False)
class DecommissionBulkEditView(generic.BulkEditView):
    queryset = Decommission.objects.all()
    filterset = filtersets.DecommissionFilterSet
    table = tables.DecommissionTable
    form = forms.DecommissionBulkEditForm


@register_model_view(Decommission, 'bulk_delete', path='delete', detail=False)
class DecommissionBulkDeleteView(generic.BulkDeleteView):
    queryset = Decommission.objects.all()
    filterset = filtersets.DecommissionFilterSet
    table = tables.DecommissionTable
