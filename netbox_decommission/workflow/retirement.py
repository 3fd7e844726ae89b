"""
Retirement: when the act receives its last signature, the device leaves the NetBox inventory. Runs inside
the signing transaction (workflow.sign calls it): if any step fails, the act stays unsigned and
nothing changed. Every change goes through NetBox's change log under the request's id.
"""
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from dcim.choices import DeviceStatusChoices
from dcim.models import Cable, Device, Interface
from ipam.choices import IPAddressStatusChoices
from ipam.models import IPAddress
from virtualization.models import VirtualMachine

from .. import device_facts, guard
from ..compat.cables import device_cable_ids
from ..compat.deletion import delete_logged
from ..plugin_settings import get_setting
from .errors import WorkflowError


def _device_ip_addresses(device):
    return IPAddress.objects.filter(
        assigned_object_type=ContentType.objects.get_for_model(Interface),
        assigned_object_id__in=Interface.objects.filter(device=device).values('pk'),
    )


def _free_peer_ports(decommission, cables):
    """Disable the far-end interfaces of the device's cables and say which decommission freed them."""
    peer_ids = [
        peer['object_id'] for cable in cables for peer in cable['peer'] if peer['object_type'] == 'dcim.interface'
    ]
    for interface in Interface.objects.filter(pk__in=peer_ids):
        interface.snapshot()
        interface.enabled = False
        interface.description = _('Freed by decommission {number}').format(number=decommission.number)[:200]
        interface.save()


def retire_device(decommission, user):
    """Store the snapshot, then apply the retirement policy of the settings to the device."""
    device = decommission.device
    if device is None:
        return
    if get_setting('retirement_policy') == 'delete':
        # NetBox refuses to delete a device that virtual machines are pinned to (ProtectedError).
        pinned = list(VirtualMachine.objects.filter(device=device).order_by('name').values_list('name', flat=True))
        if pinned:
            raise WorkflowError(_(
                'Cannot retire {device}: virtual machines are pinned to it ({names}), and NetBox cannot delete a '
                'device that virtual machines are pinned to. Move them to another host or unpin them, then sign '
                'the act again; the act stays unsigned until then.'
            ).format(device=device, names=', '.join(pinned)))
    snapshot = device_facts.snapshot(device)
    decommission.device_snapshot = snapshot

    if get_setting('disable_peer_ports'):
        _free_peer_ports(decommission, snapshot['cables'])

    delete_device = get_setting('retirement_policy') == 'delete'
    delete_addresses = get_setting('ip_address_policy') == 'delete'
    # Cables first: NetBox's deletion of a device would leave their far ends dangling. (Deleting them after the
    # device runs more queries: NetBox then retraces the paths end by end as the device's interfaces go.)
    delete_logged(Cable.objects.filter(pk__in=list(device_cable_ids(device))))

    if device.primary_ip4_id or device.primary_ip6_id or device.oob_ip_id:
        device.snapshot()
        device.primary_ip4 = device.primary_ip6 = device.oob_ip = None
        device.save()

    # Deleting the device deletes its interfaces and, with them, their addresses: under the delete policies the
    # device's deletion takes them along.
    if delete_addresses and not delete_device:
        delete_logged(_device_ip_addresses(device))
    elif not delete_addresses:
        for address in _device_ip_addresses(device):
            address.snapshot()
            address.status = IPAddressStatusChoices.STATUS_DEPRECATED
            if delete_device:
                address.assigned_object = None
            address.save()

    if delete_device:
        # The one deletion of a device that the guard lets through whatever the setting: the signed act's.
        with guard.retiring(device):
            delete_logged(Device.objects.filter(pk=device.pk))
        decommission.device = None
    else:
        device = Device.objects.get(pk=device.pk)
        device.snapshot()
        device.status = DeviceStatusChoices.STATUS_OFFLINE
        device.rack = None
        device.position = None
        device.face = ''
        device.save()


def leftovers(decommission):
    """What contradicts a completed retirement; empty when the decommission can be closed."""
    device = Device.objects.filter(pk=decommission.device_pk).first() if decommission.device_pk else None
    if device is None:
        return []
    problems = []
    if get_setting('retirement_policy') == 'delete':
        problems.append(_('Device {name} is still in the inventory; delete it.').format(name=device))
        return problems
    if device.status != DeviceStatusChoices.STATUS_OFFLINE:
        problems.append(_('Device {name} has status "{status}"; set it to offline.').format(
            name=device, status=device.get_status_display()))
    if device.rack_id:
        problems.append(_('Device {name} is still mounted in rack {rack}; unrack it.').format(
            name=device, rack=device.rack))
    if device_cable_ids(device):
        problems.append(_('Device {name} still has cables; remove them.').format(name=device))
    addresses = _device_ip_addresses(device)
    if get_setting('ip_address_policy') == 'delete' and addresses.exists():
        problems.append(_('Device {name} still has IP addresses; delete them.').format(name=device))
    elif addresses.exclude(status=IPAddressStatusChoices.STATUS_DEPRECATED).exists():
        problems.append(_('Device {name} has IP addresses that are not deprecated; deprecate them.').format(
            name=device))
    return problems
