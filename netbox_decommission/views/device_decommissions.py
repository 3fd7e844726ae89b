from django.utils.translation import gettext_lazy as _

from dcim.models import Device
from netbox.views import generic
from utilities.views import ViewTab, register_model_view

from .. import filtersets, tables
from ..models import Decommission

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
        return Decommission.objects.restrict(request.user, 'view').filter(device=parent)

    def get_extra_context(self, request, instance):
        return {
            'open_decommission': Decommission.objects.restrict(request.user, 'view').filter(device=instance).open()
            .first(),
        }
