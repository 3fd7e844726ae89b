"""
Harvesting: record the parts of a server as RemovedComponents straight from what NetBox knows of it, its
inventory items and modules. The part's identity (manufacturer, part ID, serial, asset tag) and where it came
from are copied, because those rows disappear with the device when it is retired; until then they are left as
they are. The UI view and the REST endpoint call harvestable() and harvest() and nothing else.
"""
import re
from collections import defaultdict
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from dcim.models import InventoryItem, Module
from extras.models import CustomField
from utilities.exceptions import PermissionsViolation

from .choices import FINAL_COMPONENT_STATUSES, ComponentConditionChoices, ComponentStatusChoices
from .choices import ComponentKindChoices as Kind
from .choices import ComponentSourceChoices as Source
from .choices import DecommissionStatusChoices as Status
from .models import Decommission, RemovedComponent
from .serials import duplicate_serial_message
from .weights import kilograms
from .workflow import WorkflowError

__all__ = (
    'Harvestable',
    'accepts_components',
    'harvest',
    'harvestable',
    'infer_kind',
)

# A record takes new components only while its device is still being taken apart.
CLOSED_STAGES = (Status.STATUS_RETIRED, Status.STATUS_CLOSED, Status.STATUS_CANCELLED)

# The request field that selects each kind of source (the UI form's and the REST body's).
SOURCE_FIELDS = {Source.SOURCE_INVENTORY_ITEM: 'inventory_items', Source.SOURCE_MODULE: 'modules'}


#
# Kind inference
#

# Word edges that only letters break: "Disk0", "eth1" and "PSU_2" match, "Fantastic" does not match "fan".
_START = r'(?<![^\W\d_])'
_END = r'(?![^\W\d_])'


def _words(*patterns):
    """Patterns that must start at a word edge; a trailing '~' lets the word go on (a stem: 'памят~')."""
    alternatives = '|'.join(p[:-1] if p.endswith('~') else p + _END for p in patterns)
    return re.compile(f'{_START}(?:{alternatives})', re.IGNORECASE)


# Tried in this order, the first match wins: the more specific names come first ("SSD disk" is an SSD, "RAID
# controller" and "disk controller" are adapters, "graphics processor" is a GPU), the looser ones last.
KIND_RULES = (
    (Kind.KIND_GPU, _words(
        r'gpus?', r'graphics~', r'video ?cards?', r'tesla', r'quadro', r'видеокарт~', r'графическ~',
    )),
    (Kind.KIND_HBA, _words(
        r'hbas?', r'host bus adapters?', r'megaraid', r'perc', r'smart array',
        r'(?:raid|sas|sata|scsi|storage|disk|fibre channel|fc)[\s-]*(?:controllers?|adapters?|cards?|hbas?)',
        r'(?:raid|sas|sata|дисков\w*)[\s-]*контроллер~', r'контроллер\w*[\s-]+(?:raid|sas|sata|дисков|накопител)~',
    )),
    (Kind.KIND_SSD, _words(
        r'ssds?', r'nvme~', r'solid[\s-]*state', r'твердотельн~',
    )),
    (Kind.KIND_DISK, _words(
        r'disks?', r'hdds?', r'hard[\s-]*drives?', r'drives?', r'диск~', r'накопител~', r'винчестер~', r'ж[её]стк~',
    )),
    (Kind.KIND_MEMORY, _words(
        r'(?:r|lr|so|u)?dimm~', r'memory', r'ram', r'mem', r'ddr\d?', r'памят~', r'озу',
    )),
    (Kind.KIND_CPU, _words(
        r'cpus?', r'processors?', r'proc', r'xeon', r'epyc', r'opteron', r'процессор~', r'цпу?',
    )),
    (Kind.KIND_PSU, _words(
        r'psus?', r'power[\s-]*suppl(?:y|ies)', r'power[\s-]*modules?', r'pws', r'блок\w*\s+питани~', r'бп',
    )),
    (Kind.KIND_NIC, _words(
        r'nics?', r'network~', r'ethernet', r'eth', r'lan', r'ocp', r'connectx~', r'сетев~',
    )),
    (Kind.KIND_HBA, _words(
        r'raid', r'fibre channel',
    )),
    (Kind.KIND_FAN, _words(
        r'fans?', r'coolers?', r'вентилятор~', r'кулер~',
    )),
)


def _kind_of(*texts):
    for text in texts:
        if not text:
            continue
        for kind, pattern in KIND_RULES:
            if pattern.search(text):
                return kind
    return Kind.KIND_OTHER


def infer_kind(name, role_name='', part_id=''):
    """
    The ComponentKindChoices value a part's names suggest, in English or Russian ("Disk 0", "DIMM A1", "Блок
    питания 2"), or 'other'. The role (an InventoryItemRole such as "Hard disk") is the most deliberate
    classification and is read first, then the name, then the part ID ("Xeon-6338").
    """
    return _kind_of(role_name, name, part_id)


#
# What can be harvested
#

@dataclass(frozen=True)
class Harvestable:
    """One inventory item or module of the device, and the removed component it becomes."""
    source_kind: str
    source: object
    name: str
    source_name: str
    kind: str
    manufacturer: object
    part_id: str
    serial: str
    asset_tag: str
    description: str
    # The module type's weight in kilograms (inventory items have none).
    type_weight: object = None
    # Components still in custody that already carry this serial (the rule of serials.live_duplicates).
    duplicates: tuple = ()

    @property
    def pk(self):
        return self.source.pk

    @property
    def field(self):
        return SOURCE_FIELDS[self.source_kind]

    def get_kind_display(self):
        return dict(Kind)[self.kind]

    def get_source_kind_display(self):
        return dict(Source)[self.source_kind]


def _fit(model, field, value):
    return (value or '')[:model._meta.get_field(field).max_length]


def _from_inventory_item(item):
    return Harvestable(
        source_kind=Source.SOURCE_INVENTORY_ITEM,
        source=item,
        name=_fit(RemovedComponent, 'name', item.name),
        source_name=_fit(RemovedComponent, 'source_name', str(item)),
        kind=infer_kind(item.name, item.role.name if item.role else '', item.part_id),
        manufacturer=item.manufacturer,
        part_id=_fit(RemovedComponent, 'part_id', item.part_id),
        serial=_fit(RemovedComponent, 'serial', item.serial),
        asset_tag=_fit(RemovedComponent, 'asset_tag', item.asset_tag),
        description=_fit(RemovedComponent, 'description', item.description),
    )


def _from_module(module):
    module_type, bay = module.module_type, module.module_bay
    label = f'{bay.name}: {module_type.model}'
    profile = module_type.profile.name if module_type.profile else ''
    return Harvestable(
        source_kind=Source.SOURCE_MODULE,
        source=module,
        name=_fit(RemovedComponent, 'name', label),
        source_name=_fit(RemovedComponent, 'source_name', label),
        # The profile ("Hard disk", "Power supply") is the module type's own classification; the bay says where
        # the module sits ("PSU 1"), the type what it is.
        kind=_kind_of(profile, bay.name, bay.label, module_type.model, module_type.part_number),
        manufacturer=module_type.manufacturer,
        part_id=_fit(RemovedComponent, 'part_id', module_type.part_number or module_type.model),
        serial=_fit(RemovedComponent, 'serial', module.serial),
        asset_tag=_fit(RemovedComponent, 'asset_tag', module.asset_tag),
        description=_fit(RemovedComponent, 'description', module.description),
        type_weight=kilograms(module_type.weight, module_type.weight_unit),
    )


def _with_duplicates(candidates):
    """The candidates, each with the live components that already carry its serial: one query for all of them."""
    serials = {c.serial.strip().upper() for c in candidates if c.serial.strip()}
    if not serials:
        return list(candidates)
    found = defaultdict(list)
    others = RemovedComponent.objects.annotate(serial_key=Upper('serial')).filter(serial_key__in=serials).exclude(
        status__in=FINAL_COMPONENT_STATUSES).select_related('decommission').order_by('pk')
    for other in others:
        found[other.serial_key].append(other)
    return [replace(c, duplicates=tuple(found.get(c.serial.strip().upper(), ()))) for c in candidates]


def _harvested(decommission):
    """The (source_kind, source_pk) pairs already recorded on the decommission."""
    return set(
        RemovedComponent.objects.filter(decommission=decommission, source_kind__in=SOURCE_FIELDS)
        .values_list('source_kind', 'source_pk')
    )


def _visible(queryset, user):
    # The copy reveals serials and asset tags: offer only what the user may see in NetBox itself.
    return queryset if user is None else queryset.restrict(user, 'view')


def _inventory_items(device_id, user):
    return _visible(InventoryItem.objects.filter(device_id=device_id), user).select_related(
        'manufacturer', 'role',
    ).order_by('path')


def _modules(device_id, user):
    return _visible(Module.objects.filter(device_id=device_id), user).select_related(
        'module_bay', 'module_type__manufacturer', 'module_type__profile',
    ).order_by('module_bay__sort_path', 'pk')


def accepts_components(decommission):
    """Whether components can be harvested into the decommission now: it is open and its device still exists."""
    return decommission.status not in CLOSED_STAGES and decommission.device_id is not None


def harvestable(decommission, user=None):
    """
    The device's inventory items, then its modules, that are not yet recorded on this decommission, each as a
    Harvestable; with a user, only those the user may view. Empty once the device is gone.
    """
    if not decommission.device_id:
        return []
    harvested = _harvested(decommission)
    items = [_from_inventory_item(item) for item in _inventory_items(decommission.device_id, user)]
    modules = [_from_module(module) for module in _modules(decommission.device_id, user)]
    return _with_duplicates([h for h in items + modules if (h.source_kind, h.pk) not in harvested])


#
# Harvesting
#

def _ids(values):
    return sorted({int(value) for value in values})


def _refuse_foreign(decommission, source_kind, requested, found):
    foreign = [pk for pk in requested if pk not in found]
    if not foreign:
        return
    message = {
        Source.SOURCE_INVENTORY_ITEM: _(
            "Not among the inventory items of {device}, the device of {number}: ID {ids}. Choose that device's "
            'inventory items.'
        ),
        Source.SOURCE_MODULE: _(
            "Not among the modules of {device}, the device of {number}: ID {ids}. Choose that device's modules."
        ),
    }[source_kind]
    raise WorkflowError(
        message.format(ids=', '.join(str(pk) for pk in foreign), device=decommission.device,
                       number=decommission.number),
        field=SOURCE_FIELDS[source_kind],
    )


def _new_component(decommission, candidate):
    component = RemovedComponent(
        decommission=decommission,
        name=candidate.name,
        kind=candidate.kind,
        manufacturer=candidate.manufacturer,
        part_id=candidate.part_id,
        serial=candidate.serial,
        asset_tag=candidate.asset_tag,
        source_kind=candidate.source_kind,
        source_pk=candidate.pk,
        source_name=candidate.source_name,
        description=candidate.description,
        type_weight=candidate.type_weight,
        status=ComponentStatusChoices.STATUS_REMOVED,
        condition=ComponentConditionChoices.CONDITION_UNKNOWN,
    )
    # What the add form would pre-fill: without it a required custom field that has a default fails clean().
    component.custom_field_data = CustomField.objects.get_defaults_for_model(component)
    try:
        component.full_clean()
    except ValidationError as e:
        raise WorkflowError(_('Cannot record {source} as a removed component: {errors}').format(
            source=candidate.source_name, errors=' '.join(e.messages)), field=candidate.field) from e
    return component


@transaction.atomic
def harvest(decommission, user, inventory_items=(), modules=(), force=False):
    """
    Record the chosen inventory items and modules (IDs) of the decommission's device as removed components, one
    each, as removed and not yet inspected; returns them. The inventory items and modules themselves stay as
    they are. Refuses, changing nothing, IDs of another device, sources already recorded on this decommission,
    and records that are finished or have lost their device; and, unless forced, serials already recorded for
    another component still in custody (a part is in one place only). With a user, the sources must be ones the
    user may view, and the new components must fall within the user's permission to add removed components
    (PermissionsViolation otherwise).
    """
    # Concurrent harvests of one record queue here, so a source cannot be recorded twice.
    decommission = Decommission.objects.select_for_update().get(pk=decommission.pk)
    if decommission.status in CLOSED_STAGES:
        raise WorkflowError(_(
            'Cannot record components of {number}: it is at stage "{stage}". Components are recorded from the '
            "device's inventory while the decommission is open, before the device is retired."
        ).format(number=decommission.number, stage=decommission.get_status_display()))
    if not decommission.device_id:
        raise WorkflowError(_(
            'Cannot record components of {number} from the inventory: its device is no longer in NetBox. Add the '
            'components by hand.'
        ).format(number=decommission.number))
    requested = {Source.SOURCE_INVENTORY_ITEM: _ids(inventory_items), Source.SOURCE_MODULE: _ids(modules)}
    if not any(requested.values()):
        raise WorkflowError(_('Choose at least one inventory item or module to record.'), field='inventory_items')

    sources = {
        Source.SOURCE_INVENTORY_ITEM: _inventory_items(decommission.device_id, user).filter(
            pk__in=requested[Source.SOURCE_INVENTORY_ITEM]),
        Source.SOURCE_MODULE: _modules(decommission.device_id, user).filter(pk__in=requested[Source.SOURCE_MODULE]),
    }
    builders = {Source.SOURCE_INVENTORY_ITEM: _from_inventory_item, Source.SOURCE_MODULE: _from_module}
    chosen = []
    for source_kind, queryset in sources.items():
        found = {obj.pk: obj for obj in queryset}
        _refuse_foreign(decommission, source_kind, requested[source_kind], found)
        chosen += [builders[source_kind](found[pk]) for pk in requested[source_kind]]

    harvested = _harvested(decommission)
    again = [h for h in chosen if (h.source_kind, h.pk) in harvested]
    if again:
        raise WorkflowError(_(
            'Already recorded on {number}: {sources}. Each inventory item or module is recorded once; leave these '
            'out, or edit the components recorded from them.'
        ).format(number=decommission.number, sources=', '.join(h.source_name for h in again)))
    if not force:
        duplicated = [h for h in _with_duplicates(chosen) if h.duplicates]
        if duplicated:
            raise WorkflowError(' '.join(
                duplicate_serial_message(h.serial, h.duplicates) for h in duplicated[:3]
            ))

    components = [_new_component(decommission, h) for h in chosen]
    for component in components:
        component.save()
    if user is not None:
        permitted = RemovedComponent.objects.restrict(user, 'add').filter(pk__in=[c.pk for c in components])
        if permitted.count() != len(components):
            raise PermissionsViolation()
    return components
