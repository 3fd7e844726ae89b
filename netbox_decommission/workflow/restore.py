"""
Restore: a retired device comes back from the records its snapshot kept (device_records.py), through NetBox's
models and NetBox's change log, in one transaction, each row under its own ID. What cannot come back is left out
and reported with its reason (its rack position or address is taken, its far end is cabled elsewhere, it was
destroyed). The same walk, without writing, is the preview the confirmation shows.

Under the offline retirement policy the device is still in NetBox: restore racks it again, gives back its status,
addresses and cables, and leaves what is unchanged untouched.
"""
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dcim.models import Device, DeviceType, Interface, Rack
from utilities.serialization import deserialize_object

from .. import device_records
from ..choices import FINAL_COMPONENT_STATUSES, ComponentStatusChoices
from ..choices import DecommissionStatusChoices as Status
from ..compat.recreation import save_module_without_template_components, written_by_netbox
from ..models import RemovedComponent, StageChange
from ..plugin_settings import get_setting
from .errors import WorkflowError
from .stages import advance, prepare, require_stage

__all__ = (
    'Outcome',
    'preview',
    'report_of',
    'restore',
)



@dataclass
class Outcome:
    """One row of the snapshot: whether it came back, and why not or with what left out."""
    object_type: str
    id: int
    name: str
    restored: bool
    # What the object is, as NetBox names its model to the reader ("interface", "IP address").
    kind: str = ''
    reason: str = ''
    notes: list = field(default_factory=list)


class _Walk:
    """Goes through the records in order, deciding for each whether it can come back; ``write`` puts it back."""

    def __init__(self, decommission, write):
        self.decommission = decommission
        self.write = write
        self.records = _with_device_record(decommission)
        self.keys = {(r['model'], r['pk']) for s in device_records.SECTIONS if s != 'peer_interfaces'
                     for r in self.records.get(s, ())}
        self.back = set()  # (model, pk) of the records that are (or, previewing, would be) back
        self.found = {}  # (model, pk) of rows outside the snapshot -> whether NetBox still has them
        self.outcomes = []
        self.late = []  # (instance, {field: pk}) set once everything is back
        self.gone = {
            (c.source_kind, c.source_pk): c for c in RemovedComponent.objects.filter(
                decommission=decommission, status__in=FINAL_COMPONENT_STATUSES, source_pk__isnull=False)
        }

    # What a record points at

    def _exists(self, model_label, pk):
        key = (model_label, pk)
        if key in self.keys:
            return key in self.back
        if key not in self.found:
            self.found[key] = apps.get_model(model_label).objects.filter(pk=pk).exists()
        return self.found[key]

    def _check_references(self, model, fields, notes):
        """None when the record's targets are there (missing optional ones are cleared, with a note), else why not."""
        for name, target, pk, nullable in _references(model, fields):
            if self._exists(target, pk):
                continue
            if (target, pk) in self.keys:
                return _('it belongs to {what} #{pk}, which is not restored').format(
                    what=apps.get_model(target)._meta.verbose_name, pk=pk)
            if nullable:
                fields[name] = None
                notes.append(_('{field} #{pk} no longer exists; left empty').format(
                    field=model._meta.get_field(name).verbose_name, pk=pk))
                continue
            return _('{field} #{pk} no longer exists').format(
                field=model._meta.get_field(name).verbose_name, pk=pk)
        return None

    def _m2m(self, model, fields, notes):
        values = {}
        for f in model._meta.many_to_many:
            if f.name == 'tags' or f.name not in fields:
                continue
            wanted = fields.pop(f.name) or []
            target = device_records.label(f.related_model)
            # Previewing, the rows this walk would put back are not there yet.
            found = {pk for pk in wanted if (target, pk) in self.back} | set(
                f.related_model.objects.filter(pk__in=wanted).values_list('pk', flat=True))
            if len(found) < len(wanted):
                notes.append(_('{field}: {count} no longer exist(s); left out').format(
                    field=f.verbose_name, count=len(wanted) - len(found)))
            values[f.name] = sorted(found)
        return values

    # The records

    def run(self):
        for record in _ordered(self.records):
            self._put(record)
        for obj, values in self.late:
            self._set_late(obj, values)
        self._give_back_peer_ports()
        for section in ('interfaces', 'ip_addresses', 'cables', 'modules', 'inventory_items', 'services',
                        'contact_assignments', 'journal_entries'):
            if section not in self.records:
                self.outcomes.append(Outcome(section, 0, section, False, kind=section.replace('_', ' '), reason=_(
                    'the snapshot was taken by an earlier version of the plugin and does not hold them in a form '
                    'that can be restored; see the Impact tab for what it kept')))
        return self.outcomes

    def _put(self, record):
        model = apps.get_model(record['model'])
        fields = dict(record['fields'])
        key = (record['model'], record['pk'])
        name = _record_name(model, fields, record)
        notes = []
        outcome = Outcome(record['model'], record['pk'], name, False, kind=str(model._meta.verbose_name), notes=notes)
        self.outcomes.append(outcome)

        why_not = self._gone(model, record['pk']) or self._check_references(model, fields, notes)
        if why_not is None:
            why_not = getattr(self, f'_check_{model._meta.model_name}', lambda *a: None)(record, fields, notes)
        if why_not is not None:
            outcome.reason = why_not
            return
        m2m = self._m2m(model, fields, notes)
        late = {f: fields.pop(f) for f in device_records.LATE_FIELDS.get(record['model'], ()) if f in fields}
        if self.write:
            try:
                obj = self._save(model, record, fields, m2m)
            except ValidationError as e:
                outcome.reason = ' '.join(e.messages)
                return
            if any(v is not None for v in late.values()):
                self.late.append((obj, late))
        self.back.add(key)
        outcome.restored = True

    def _gone(self, model, pk):
        source = {'inventoryitem': 'inventory_item', 'module': 'module'}.get(model._meta.model_name)
        component = self.gone.get((source, pk)) if source else None
        if component is None:
            return None
        return _('{status}: {component}').format(
            status=dict(ComponentStatusChoices)[component.status], component=component)

    def _save(self, model, record, fields, m2m):
        """Put the record back (or, when its row is still there, write back what changed) through the model."""
        tags = fields.pop('tags', None)
        existing = model.objects.filter(pk=record['pk']).first()
        if model is Device:
            fields['status'] = self.decommission.device_status_before or fields.get('status')
        if existing is not None:
            obj = existing
            wanted = deserialize_object(model, fields, pk=record['pk']).object
            changed = [f for f in model._meta.concrete_fields if f.name in fields and not f.primary_key
                       and getattr(obj, f.attname) != getattr(wanted, f.attname)]
            if changed or record['model'] == 'dcim.cable':
                obj.snapshot()
                for f in changed:
                    setattr(obj, f.attname, getattr(wanted, f.attname))
        else:
            obj = deserialize_object(model, fields, pk=record['pk']).object
            changed = True
        if record['model'] == 'dcim.cable':
            self._terminate(obj, record)
        if record['model'] == 'extras.journalentry' and existing is None:
            # NetBox stamps a new entry with now and the request's user: the original ones go into its text.
            obj.comments = _('Written by {author} on {created}; restored by decommission {number}.').format(
                author=record.get('author') or _('an unknown user'), created=_when(record.get('created')),
                number=self.decommission.number) + '\n\n' + obj.comments
        if changed:
            # Unique names and NetBox's constraints too: a clash is reported, never an IntegrityError.
            obj.full_clean(exclude=list(device_records.LATE_FIELDS.get(record['model'], ())))
            if model._meta.label_lower == 'dcim.module' and existing is None:
                save_module_without_template_components(obj)
            else:
                obj.save()
        if tags is not None and hasattr(obj, 'tags'):
            obj.tags.set(tags)
        for name, pks in m2m.items():
            getattr(obj, name).set(pks)
        return obj

    def _set_late(self, obj, values):
        obj = type(obj).objects.get(pk=obj.pk)
        obj.snapshot()
        for name, pk in values.items():
            target = device_records.label(obj._meta.get_field(name).related_model)
            setattr(obj, f'{name}_id', pk if self._exists(target, pk) else None)
        obj.save()

    # The checks of particular records

    def _check_device(self, record, fields, notes):
        taken = Device.objects.annotate(lname=Lower('name')).filter(
            lname=(fields.get('name') or '').lower(), site_id=fields.get('site')).exclude(pk=record['pk']).first()
        if fields.get('name') and taken is not None:
            return _(
                'device {other} (ID {id}) of the same name is already in site {site}; rename or remove it, then '
                'restore again'
            ).format(other=taken, id=taken.pk, site=taken.site)
        if fields.get('rack') and fields.get('position') is not None:
            rack = Rack.objects.get(pk=fields['rack'])
            height = DeviceType.objects.get(pk=fields['device_type']).u_height
            position = Decimal(str(fields['position']))
            free = rack.get_available_units(u_height=height, rack_face=fields.get('face') or None,
                                            exclude=[record['pk']]) if height else [position]
            if position not in free:
                notes.append(_('rack position U{position} in {rack} is taken; left unpositioned in the rack').format(
                    position=fields['position'], rack=rack))
                fields['position'] = None
                fields['face'] = ''
        return None

    def _check_ipaddress(self, record, fields, notes):
        from ipam.models import IPAddress

        host = str(fields['address']).split('/')[0]
        taken = IPAddress.objects.filter(vrf_id=fields.get('vrf'), address__net_host=host).exclude(
            pk=record['pk']).first()
        if taken is not None:
            return _('address {address} is taken by {other} ({assigned})').format(
                address=fields['address'], other=taken.address, assigned=taken.assigned_object or _('unassigned'))
        return None

    def _check_cable(self, record, fields, notes):
        for end in record.get('terminations', ()):
            key = (end['object_type'], end['object_id'])
            if key in self.keys:
                if key not in self.back:
                    return _('its end {what} #{pk} is not restored').format(
                        what=end['object_type'], pk=end['object_id'])
                continue
            port = apps.get_model(end['object_type']).objects.filter(pk=end['object_id']).first()
            if port is None:
                return _('its far end {what} #{pk} no longer exists').format(
                    what=end['object_type'], pk=end['object_id'])
            if getattr(port, 'cable_id', None) not in (None, record['pk']):
                return _('its far end {port} of {device} is cabled elsewhere (cable {cable})').format(
                    port=port, device=getattr(port, 'parent_object', ''), cable=port.cable)
        return None

    def _terminate(self, cable, record):
        ends = {'A': [], 'B': []}
        for end in record.get('terminations', ()):
            ends[end['cable_end']].append(apps.get_model(end['object_type']).objects.get(pk=end['object_id']))
        cable.a_terminations = ends['A']
        cable.b_terminations = ends['B']

    def _give_back_peer_ports(self):
        """The far ends retirement disabled (disable_peer_ports) get back their state, where it was not changed."""
        freed = _('Freed by decommission {number}').format(number=self.decommission.number)[:200]
        restored_cables = {pk for model, pk in self.back if model == 'dcim.cable'}
        for peer in self.records.get('peer_interfaces', ()):
            interface = Interface.objects.filter(pk=peer['pk'], cable_id__in=restored_cables).first() if \
                self.write else None
            if interface is None or interface.enabled or interface.description != freed:
                continue
            interface.snapshot()
            interface.enabled = peer['enabled']
            interface.description = peer['description']
            interface.save()


def _references(model, fields):
    """(field name, target model label, pk, nullable) for every row a record points at, its late fields aside."""
    late = device_records.LATE_FIELDS.get(device_records.label(model), ())
    for f in model._meta.concrete_fields:
        if f.is_relation and f.many_to_one and fields.get(f.name) is not None and f.name not in late and \
                f.related_model is not ContentType:
            yield f.name, device_records.label(f.related_model), fields[f.name], f.null
    for f in model._meta.private_fields:
        if isinstance(f, GenericForeignKey) and fields.get(f.ct_field) and fields.get(f.fk_field):
            target = ContentType.objects.get_for_id(fields[f.ct_field]).model_class()
            yield f.fk_field, device_records.label(target), fields[f.fk_field], False


def _record_name(model, fields, record):
    for attr in ('name', 'address', 'mac_address', 'label'):
        if fields.get(attr):
            return str(fields[attr])
    return f'{model._meta.verbose_name} #{record["pk"]}'


def _when(moment):
    parsed = parse_datetime(moment) if moment else None
    return timezone.localtime(parsed).strftime('%Y-%m-%d %H:%M %Z') if parsed else _('an unknown date')


def _ordered(records):
    """The records, sections in order, each after the records of the snapshot it points at."""
    flat = [r for section in device_records.SECTIONS if section != 'peer_interfaces'
            for r in records.get(section, ())]
    by_key = {(r['model'], r['pk']): r for r in flat}
    done, ordered = set(), []

    def depends_on(record):
        for _name, target, pk, _nullable in _references(apps.get_model(record['model']), record['fields']):
            yield (target, pk)
        for end in record.get('terminations', ()):
            yield (end['object_type'], end['object_id'])

    def visit(record, path):
        key = (record['model'], record['pk'])
        if key in done or key in path:
            return
        path.add(key)
        for dependency in depends_on(record):
            if dependency in by_key:
                visit(by_key[dependency], path)
        done.add(key)
        ordered.append(record)

    for record in flat:
        visit(record, set())
    return ordered


def _closed_at(decommission):
    change = StageChange.objects.filter(decommission=decommission, to_status=Status.STATUS_CLOSED).order_by(
        '-time').first()
    return change.time if change else None


def _restorable_stages():
    return [Status.STATUS_RETIRED] + ([Status.STATUS_CLOSED] if get_setting('restore_within_days') else [])


def _require_restorable(decommission):
    """Retired, or closed within the days the settings allow; a snapshot that holds the device."""
    days = get_setting('restore_within_days')
    require_stage(decommission, _restorable_stages(), gettext_lazy('restore the device'))
    if decommission.status == Status.STATUS_CLOSED:
        closed = _closed_at(decommission)
        if closed is None or timezone.now() - closed > timedelta(days=days):
            raise WorkflowError(_(
                'Cannot restore the device of {number}: it was closed on {closed}, and a closed decommission can be '
                'restored within {days} days of closing (the restore_within_days setting).'
            ).format(number=decommission.number, closed=_when(closed.isoformat()) if closed else '?', days=days))
    snapshot = decommission.device_snapshot or {}
    if not (snapshot.get('records') or {}).get('device') and not snapshot.get('device'):
        raise WorkflowError(_(
            'Cannot restore the device of {number}: its snapshot holds no device record.'
        ).format(number=decommission.number))


def _with_device_record(decommission):
    """A snapshot of an earlier plugin version keeps the device's record (serialize_object) outside the records."""
    snapshot = decommission.device_snapshot or {}
    records = dict(snapshot.get('records') or {})
    if not records.get('device') and snapshot.get('device'):
        # Without NetBox's counters of the device's components, which it counts again as they come back.
        fields = {k: v for k, v in snapshot['device'].items() if k not in written_by_netbox(Device)}
        records['device'] = [{'model': 'dcim.device', 'pk': decommission.device_pk, 'fields': fields}]
    return records


def preview(decommission):
    """What a restore would bring back now, and what not with its reason; writes nothing."""
    return _Walk(decommission, write=False).run()


def report_of(outcomes):
    return {
        'restored': [asdict(o) for o in outcomes if o.restored],
        'not_restored': [asdict(o) for o in outcomes if not o.restored],
    }


@transaction.atomic
def restore(decommission, user, comment=''):
    """Bring the retired device back from the snapshot; the record moves to the stage "restored"."""
    decommission = prepare(decommission)
    _require_restorable(decommission)
    outcomes = _Walk(decommission, write=True).run()
    device_key = next((o for o in outcomes if o.object_type == 'dcim.device'), None)
    if device_key is None or not device_key.restored:
        raise WorkflowError(_('Cannot restore the device of {number}: {reason}. Nothing was restored.').format(
            number=decommission.number, reason=device_key.reason if device_key else _('no device record')))
    decommission.device = Device.objects.get(pk=device_key.id)
    decommission.restore_report = report_of(outcomes)
    restored = len(decommission.restore_report['restored'])
    left = len(decommission.restore_report['not_restored'])
    advance(decommission, Status.STATUS_RESTORED, user, comment or _(
        'Device restored from the snapshot: {restored} object(s) back, {left} not restored.'
    ).format(restored=restored, left=left))
    return decommission


class _RestoreSteps:
    """Restore's steps, as the table of moves reads them: from "closed" too while restore_within_days allows it."""

    def __iter__(self):
        return iter((stage, Status.STATUS_RESTORED) for stage in _restorable_stages())


restore.steps = _RestoreSteps()
