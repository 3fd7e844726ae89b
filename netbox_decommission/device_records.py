"""
The device's records, as NetBox's own change log serializes them (utilities.serialization.serialize_object): the
device and every row that goes with it, kept in the snapshot at retirement so that restore can put each one back
through NetBox's models, under its own ID. The snapshot's other sections (device_facts.py) are for people to read;
these are for the restorer (workflow/restore.py).

Each record is {"model": app_label.model, "pk": id, "fields": {...}}; a cable's also lists its terminations. What
NetBox computes on save (cached site/rack/device, cable paths, counters, tree paths) and what a cable sets on its
ends (cable, cable_end, link peers) is left out: NetBox writes it again when the records are saved.
"""
from django.contrib.contenttypes.models import ContentType

from dcim.models import (
    Cable,
    CableTermination,
    ConsolePort,
    ConsoleServerPort,
    DeviceBay,
    FrontPort,
    Interface,
    InventoryItem,
    MACAddress,
    Module,
    ModuleBay,
    PortMapping,
    PowerOutlet,
    PowerPort,
    RearPort,
)
from extras.models import JournalEntry
from ipam.models import IPAddress, Service
from tenancy.models import ContactAssignment
from utilities.serialization import serialize_object

from .compat.cables import device_cable_ids
from .compat.recreation import written_by_netbox

__all__ = (
    'FORMAT',
    'LATE_FIELDS',
    'SECTIONS',
    'label',
    'records',
)

# The version of the records' layout; a snapshot without it predates restorable records.
FORMAT = 1

# Set only once every record is back: they point at rows restored after the one that holds them (the device's
# primary addresses, an interface's primary MAC address).
LATE_FIELDS = {
    'dcim.device': ('primary_ip4', 'primary_ip6', 'oob_ip'),
    'dcim.interface': ('primary_mac_address',),
}


def label(model):
    return model._meta.label_lower


def _with_relations(queryset):
    """
    The rows with their tags and many-to-many values prefetched: serialize_object reads them per row otherwise, and
    the snapshot would cost a query per interface.
    """
    model = queryset.model
    names = [f.name for f in model._meta.many_to_many if f.serialize]
    if hasattr(model, 'tags'):
        names.append('tags')
    return queryset.prefetch_related(*names)


def _record(obj):
    fields = serialize_object(obj, exclude=written_by_netbox(type(obj)))
    return {'model': label(type(obj)), 'pk': obj.pk, 'fields': fields}


def _assigned_to(model, objects, type_field, id_field):
    """The rows of ``model`` assigned (by a generic relation) to any of ``objects`` of one model."""
    if not objects:
        return model.objects.none()
    content_type = ContentType.objects.get_for_model(objects[0])
    return model.objects.filter(**{type_field: content_type, f'{id_field}__in': [o.pk for o in objects]})


def _cable_record(cable, terminations):
    record = _record(cable)
    record['terminations'] = [
        {'cable_end': t.cable_end, 'object_type': f'{t.termination_type.app_label}.{t.termination_type.model}',
         'object_id': t.termination_id}
        for t in terminations
    ]
    return record


# The sections of the records, in the order restore puts them back: what a row points at comes first.
SECTIONS = (
    'device', 'module_bays', 'modules', 'interfaces', 'front_ports', 'rear_ports', 'port_mappings',
    'console_ports', 'console_server_ports', 'power_ports', 'power_outlets', 'device_bays', 'inventory_items',
    'mac_addresses', 'ip_addresses', 'cables', 'services', 'contact_assignments', 'journal_entries',
    'peer_interfaces',
)

_COMPONENTS = {
    'module_bays': ModuleBay, 'modules': Module, 'interfaces': Interface, 'front_ports': FrontPort,
    'rear_ports': RearPort, 'port_mappings': PortMapping, 'console_ports': ConsolePort,
    'console_server_ports': ConsoleServerPort, 'power_ports': PowerPort, 'power_outlets': PowerOutlet,
    'device_bays': DeviceBay, 'inventory_items': InventoryItem,
}


def records(device):
    """Every record of the device, by section, as restore needs them (a fixed number of queries per section)."""
    sections = {'format': FORMAT, 'device': [_record(device)]}
    for section, model in _COMPONENTS.items():
        rows = _with_relations(model.objects.filter(device=device).order_by('pk'))
        sections[section] = [_record(obj) for obj in rows]
    interfaces = list(Interface.objects.filter(device=device).only('pk'))
    sections['mac_addresses'] = [_record(mac) for mac in _with_relations(
        _assigned_to(MACAddress, interfaces, 'assigned_object_type', 'assigned_object_id').order_by('pk'))]
    sections['ip_addresses'] = [_record(ip) for ip in _with_relations(
        _assigned_to(IPAddress, interfaces, 'assigned_object_type', 'assigned_object_id').order_by('pk'))]
    cable_ids = list(device_cable_ids(device))
    terminations = {}
    for t in CableTermination.objects.filter(cable_id__in=cable_ids).select_related('termination_type').order_by(
            'cable_id', 'cable_end', 'pk'):
        terminations.setdefault(t.cable_id, []).append(t)
    sections['cables'] = [
        _cable_record(cable, terminations.get(cable.pk, []))
        for cable in _with_relations(Cable.objects.filter(pk__in=cable_ids).order_by('pk'))
    ]
    sections['services'] = [_record(s) for s in _with_relations(_assigned_to(
        Service, [device], 'parent_object_type', 'parent_object_id').order_by('pk'))]
    sections['contact_assignments'] = [_record(a) for a in _with_relations(_assigned_to(
        ContactAssignment, [device], 'object_type', 'object_id').order_by('pk'))]
    journal = _with_relations(_assigned_to(JournalEntry, [device], 'assigned_object_type', 'assigned_object_id'))
    sections['journal_entries'] = [
        {**_record(entry), 'author': entry.created_by.username if entry.created_by else '',
         'created': entry.created.isoformat()}
        for entry in journal.select_related('created_by').order_by('created', 'pk')
    ]
    # The far ends of the device's cables as they were: retirement may disable them (disable_peer_ports).
    sections['peer_interfaces'] = [
        {'pk': i.pk, 'enabled': i.enabled, 'description': i.description}
        for i in Interface.objects.filter(cable_id__in=cable_ids).exclude(device=device).order_by('pk')
    ]
    return sections
