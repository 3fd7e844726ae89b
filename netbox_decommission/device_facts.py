"""
What NetBox knows about a device, as JSON-ready data: the impact report shown before approval and the
snapshot stored at retirement are both assembled from these functions. Each runs a fixed number of queries,
however many interfaces, addresses or cables the device has.
"""
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType

from circuits.models import CircuitTermination
from dcim.models import (
    Cable,
    ConsolePort,
    ConsoleServerPort,
    DeviceBay,
    Interface,
    InventoryItem,
    Module,
    PowerOutlet,
    PowerPort,
)
from extras.models import JournalEntry
from ipam.models import IPAddress, Service
from tenancy.models import ContactAssignment
from utilities.serialization import serialize_object
from virtualization.models import VirtualMachine

from . import device_records
from .compat.cables import device_cable_ids, termination_device, terminations_of_cables


def _text(value):
    return '' if value is None else str(value)


def interfaces(device):
    return [
        {
            'id': i['pk'], 'name': i['name'], 'type': i['type'], 'enabled': i['enabled'],
            'mgmt_only': i['mgmt_only'], 'mac_address': _text(i['primary_mac_address__mac_address']),
            'mtu': i['mtu'], 'description': i['description'], 'cable_id': i['cable_id'],
        }
        for i in Interface.objects.filter(device=device).order_by('name').values(
            'pk', 'name', 'type', 'enabled', 'mgmt_only', 'primary_mac_address__mac_address', 'mtu', 'description',
            'cable_id',
        )
    ]


def ip_addresses(device):
    interface_type = ContentType.objects.get_for_model(Interface)
    primary = {device.primary_ip4_id: 'ipv4', device.primary_ip6_id: 'ipv6'}
    addresses = IPAddress.objects.filter(
        assigned_object_type=interface_type,
        assigned_object_id__in=Interface.objects.filter(device=device).values('pk'),
    ).select_related('vrf').order_by('address')
    names = dict(Interface.objects.filter(device=device).values_list('pk', 'name'))
    return [
        {
            'id': ip.pk, 'address': str(ip.address), 'vrf': _text(ip.vrf), 'status': ip.status, 'role': ip.role,
            'dns_name': ip.dns_name, 'interface': names.get(ip.assigned_object_id, ''),
            'primary': primary.get(ip.pk, ''), 'oob': ip.pk == device.oob_ip_id,
        }
        for ip in addresses
    ]


def cables(device):
    """Every cable attached to the device, with both ends: the far end names the peer device and port."""
    terminations = terminations_of_cables(device_cable_ids(device)).order_by('cable_id', 'cable_end', 'pk')
    ends = defaultdict(lambda: {'a': [], 'b': []})
    for t in terminations:
        end_device = termination_device(t)
        ends[t.cable_id][t.cable_end.lower()].append({
            'device': _text(end_device), 'device_id': getattr(end_device, 'pk', None),
            'object_type': f'{t.termination_type.app_label}.{t.termination_type.model}',
            'object_id': t.termination_id, 'name': _text(getattr(t.termination, 'name', t.termination)),
        })
    result = []
    for cable in Cable.objects.filter(pk__in=ends.keys()).order_by('pk'):
        near, far = ('a', 'b') if any(e['device_id'] == device.pk for e in ends[cable.pk]['a']) else ('b', 'a')
        result.append({
            'id': cable.pk, 'label': cable.label, 'type': cable.type, 'status': cable.status, 'color': cable.color,
            'local': ends[cable.pk][near], 'peer': ends[cable.pk][far],
        })
    return result


def circuits(cable_list):
    """Circuits reached through the device's cables (a peer that is a circuit termination)."""
    ids = [p['object_id'] for c in cable_list for p in c['peer'] if p['object_type'] == 'circuits.circuittermination']
    return [
        {'circuit': str(t.circuit), 'circuit_id': t.circuit_id, 'term_side': t.term_side,
         'provider': str(t.circuit.provider)}
        for t in CircuitTermination.objects.filter(pk__in=ids).select_related('circuit__provider')
    ]


def power(device):
    ports = PowerPort.objects.filter(device=device).order_by('name')
    return [
        {'id': p.pk, 'name': p.name, 'type': _text(p.type), 'maximum_draw': p.maximum_draw, 'cable_id': p.cable_id}
        for p in ports
    ]


def console(device):
    return [
        {'id': p.pk, 'name': p.name, 'kind': kind, 'type': _text(p.type), 'cable_id': p.cable_id}
        for kind, model in (('console_port', ConsolePort), ('console_server_port', ConsoleServerPort),
                            ('power_outlet', PowerOutlet))
        for p in model.objects.filter(device=device).order_by('name')
    ]


def child_devices(device):
    return [
        {'bay': bay.name, 'device': str(bay.installed_device), 'device_id': bay.installed_device_id}
        for bay in DeviceBay.objects.filter(device=device, installed_device__isnull=False).select_related(
            'installed_device'
        )
    ]


def virtual_machines(device):
    """VMs pinned to the device, and the VMs of the cluster it is a host of."""
    vms = VirtualMachine.objects.filter(device=device)
    if device.cluster_id:
        vms = vms | VirtualMachine.objects.filter(cluster_id=device.cluster_id)
    return [
        {'id': vm.pk, 'name': vm.name, 'status': vm.status, 'cluster': _text(vm.cluster),
         'pinned': vm.device_id == device.pk}
        for vm in vms.distinct().select_related('cluster').order_by('name')
    ]


def services(device):
    return [
        # NetBox 4.7 keeps protocol/port pairs in port_mappings; its legacy protocol and ports are None for a
        # service on several protocols (e.g. DNS on tcp/53 and udp/53).
        {'id': s.pk, 'name': s.name, 'protocol': s.protocol, 'ports': list(s.ports or []),
         'port_mappings': list(s.port_mappings), 'description': s.description}
        for s in Service.objects.filter(
            parent_object_type=ContentType.objects.get_for_model(device), parent_object_id=device.pk
        ).order_by('name')
    ]


def contacts(device):
    return [
        {'contact': str(a.contact), 'role': _text(a.role), 'priority': a.priority or '',
         'email': a.contact.email, 'phone': a.contact.phone}
        for a in ContactAssignment.objects.filter(
            object_type=ContentType.objects.get_for_model(device), object_id=device.pk
        ).select_related('contact', 'role')
    ]


def modules(device):
    return [
        {'id': m.pk, 'bay': m.module_bay.name, 'type': str(m.module_type), 'serial': m.serial,
         'asset_tag': m.asset_tag or '', 'status': m.status}
        for m in Module.objects.filter(device=device).select_related('module_bay', 'module_type__manufacturer')
    ]


def inventory_items(device):
    return [
        {'id': i.pk, 'name': i.name, 'role': _text(i.role), 'manufacturer': _text(i.manufacturer),
         'part_id': i.part_id, 'serial': i.serial, 'asset_tag': i.asset_tag or '', 'description': i.description}
        for i in InventoryItem.objects.filter(device=device).select_related('role', 'manufacturer').order_by('pk')
    ]


def journal(device):
    return [
        {'created': e['created'].isoformat(), 'created_by': e['created_by__username'] or '', 'kind': e['kind'],
         'comments': e['comments']}
        for e in JournalEntry.objects.filter(
            assigned_object_type=ContentType.objects.get_for_model(device), assigned_object_id=device.pk
        ).order_by('created').values('created', 'created_by__username', 'kind', 'comments')
    ]


def impact_report(device):
    """What removing the device touches: shown before anyone signs the order."""
    cable_list = cables(device)
    return {
        'device': {'id': device.pk, 'name': device.name, 'status': device.status},
        'cables': cable_list,
        'ip_addresses': ip_addresses(device),
        'virtual_machines': virtual_machines(device),
        'child_devices': child_devices(device),
        'circuits': circuits(cable_list),
        'power_ports': power(device),
        'services': services(device),
        'contacts': contacts(device),
    }


def snapshot(device):
    """Everything NetBox knows about the device, stored on the decommission when the device is retired."""
    cable_list = cables(device)
    return {
        'device': serialize_object(device),
        'interfaces': interfaces(device),
        'ip_addresses': ip_addresses(device),
        'cables': cable_list,
        'circuits': circuits(cable_list),
        'power_ports': power(device),
        'console_and_outlets': console(device),
        'modules': modules(device),
        'inventory_items': inventory_items(device),
        'child_devices': child_devices(device),
        'virtual_machines': virtual_machines(device),
        'services': services(device),
        'contacts': contacts(device),
        'journal': journal(device),
        'records': device_records.records(device),
    }
