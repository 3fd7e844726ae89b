"""
Retirement: when the act receives its last signature, the device leaves the NetBox inventory. Runs inside
the signing transaction (workflow.sign calls it): if any step fails, the act stays unsigned and
nothing changed. Every change goes through NetBox's change log under the request's id.
"""
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from dcim.choices import DeviceStatusChoices
from dcim.models import Cable, Device, Interface
from ipam.choices import IPAddressStatusChoices
from ipam.models import IPAddress
from netbox.context import current_request
from virtualization.models import VirtualMachine

from .. import device_facts, guard
from ..compat.cable_deletion import delete_cables
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
    """
    Disable the far-end interfaces of the device's cables and say which decommission freed them; returns them
    (device, name and id), for the record of the retirement.
    """
    peer_ids = [
        peer['object_id'] for cable in cables for peer in cable['peer'] if peer['object_type'] == 'dcim.interface'
    ]
    freed = []
    for interface in Interface.objects.filter(pk__in=peer_ids).select_related('device').order_by('pk'):
        interface.snapshot()
        interface.enabled = False
        interface.description = _('Freed by decommission {number}').format(number=decommission.number)[:200]
        interface.save()
        freed.append({'id': interface.pk, 'device': str(interface.device), 'name': interface.name})
    return freed


def _record(user, delete_device, delete_addresses, freed):
    """
    What the retirement did, kept in the snapshot for the decommission report: the device and its addresses are
    gone by the time it is issued, and NetBox's change log finds the retirement's changes by its request id.
    """
    request = current_request.get()
    return {
        'retired_at': timezone.now().isoformat(),
        'retired_by': user.username if user else '',
        'request_id': str(request.id) if request is not None else '',
        'device': 'deleted' if delete_device else 'offline',
        'ip_addresses': 'deleted' if delete_addresses else 'deprecated',
        'peer_ports_freed': freed,
    }


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

    freed = _free_peer_ports(decommission, snapshot['cables']) if get_setting('disable_peer_ports') else []

    delete_device = get_setting('retirement_policy') == 'delete'
    delete_addresses = get_setting('ip_address_policy') == 'delete'
    # The snapshot's cables are the ones deleted here.
    snapshot['retirement'] = _record(user, delete_device, delete_addresses, freed)
    # Cables first: NetBox's deletion of a device would leave their far ends dangling. (Deleting them after the
    # device runs more queries: NetBox then retraces the paths end by end as the device's interfaces go.)
    delete_cables(Cable.objects.filter(pk__in=list(device_cable_ids(device))))

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
