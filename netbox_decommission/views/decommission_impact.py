"""The Impact tab: what removing the server touches, live, or as the snapshot kept it once the device is gone."""
import copy

from django.utils.translation import gettext_lazy as _

from dcim.choices import (
    CableTypeChoices,
    DeviceStatusChoices,
    InterfaceTypeChoices,
    LinkStatusChoices,
    PowerPortTypeChoices,
)
from ipam.choices import IPAddressRoleChoices, IPAddressStatusChoices, ServiceProtocolChoices
from netbox.views import generic
from tenancy.choices import ContactPriorityChoices
from utilities.choices import unpack_grouped_choices
from utilities.views import ViewTab, register_model_view
from virtualization.choices import VirtualMachineStatusChoices

from .. import device_facts
from ..models import Decommission

__all__ = (
    'DecommissionImpactView',
)


@register_model_view(Decommission, 'impact', path='impact')
class DecommissionImpactView(generic.ObjectView):
    """What removing the server touches: the live impact report, or what the snapshot kept once it is gone."""
    queryset = Decommission.objects.select_related('device')
    template_name = 'netbox_decommission/decommission_impact.html'
    tab = ViewTab(label=_('Impact'), permission='netbox_decommission.view_decommission', weight=500)

    def get_extra_context(self, request, instance):
        if instance.device_id:
            return {'report': _readable(device_facts.impact_report(instance.device)), 'from_snapshot': False}
        return {'report': _readable(instance.device_snapshot), 'from_snapshot': True}


def _label(choices, value):
    # Some choice sets are grouped (cable types by medium): look the value up among the members.
    return dict(unpack_grouped_choices(choices)).get(value, value)


def _choice(choices, value):
    """A stored choice value as a badge: the label NetBox shows for it, and its color."""
    return {'label': _label(choices, value), 'color': choices.colors.get(value)}


def _readable(report):
    """
    The report (or snapshot) with the labels of its stored choice values. A copy: the snapshot is the record's own
    JSON, and the impact report keeps raw values for the REST API.
    """
    if not report:
        return report
    report = copy.deepcopy(report)
    for cable in report.get('cables', ()):
        cable['status_display'] = _choice(LinkStatusChoices, cable['status'])
        cable['type_display'] = _label(CableTypeChoices, cable['type'])
    for address in report.get('ip_addresses', ()):
        address['status_display'] = _choice(IPAddressStatusChoices, address['status'])
        address['role_display'] = _choice(IPAddressRoleChoices, address['role']) if address['role'] else None
    for vm in report.get('virtual_machines', ()):
        vm['status_display'] = _choice(VirtualMachineStatusChoices, vm['status'])
    for port in report.get('power_ports', ()):
        port['type_display'] = _label(PowerPortTypeChoices, port['type']) if port['type'] else ''
    for contact in report.get('contacts', ()):
        contact['priority_display'] = _label(ContactPriorityChoices, contact['priority']) if contact['priority'] else ''
    for interface in report.get('interfaces', ()):
        interface['type_display'] = _label(InterfaceTypeChoices, interface['type'])
    for service in report.get('services', ()):
        service['protocol_display'] = _label(ServiceProtocolChoices, service['protocol']) if service['protocol'] else ''
    if isinstance(report.get('device'), dict) and 'status' in report['device']:
        report['device']['status_display'] = _choice(DeviceStatusChoices, report['device']['status'])
    return report
