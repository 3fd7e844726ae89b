from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from dcim.models import Device
from netbox.views import generic
from utilities.views import ViewTab, register_model_view

from .. import filtersets, tables
from ..models import Decommission
from ..ui.workflow_state import workflow_state

__all__ = (
    'DeviceDecommissionsView',
)


@register_model_view(Device, 'decommissions', path='decommissions')
class DeviceDecommissionsView(generic.ObjectChildrenView):
    """The Decommission tab of a device: its decommission records and a button to start one."""
    queryset = Device.objects.all()
    child_model = Decommission
    table = tables.DecommissionTable
    filterset = filtersets.DecommissionFilterSet
    template_name = 'netbox_decommission/device_decommissions.html'
    tab = ViewTab(
        label=_('Decommission'),
        badge=lambda device: Decommission.objects.filter(device=device).open().count() or None,
        permission='netbox_decommission.view_decommission',
        weight=2100,
    )

    def get_children(self, request, parent):
        # Annotated as on the decommission list, whose table this is: its "Components" column reads the count.
        return Decommission.objects.restrict(request.user, 'view').filter(device=parent).annotate(
            component_count=Count('components'),
        )

    def get_extra_context(self, request, instance):
        open_decommission = (
            Decommission.objects.restrict(request.user, 'view').filter(device=instance).open()
            .prefetch_related('documents__signatures', 'components__storage_location').first()
        )
        return {
            'open_decommission': open_decommission,
            # The same next step and move buttons as on the decommission's page; the moves come back to this tab.
            'workflow': workflow_state(open_decommission, request.user, request.path) if open_decommission else None,
        }
