"""
Every operation on a hand-over, one service function each: the UI, the REST API and the tests call these, and a
refusal raises workflow.WorkflowError (the message names the item and the fix) and changes nothing.

- add_items() / remove_items(): what a planned hand-over carries. An item is eligible while it is in custody at the
  hand-over's site and has no final disposition: a removed component in a storage location at that site (not a
  vendor), not transferred, reused, destroyed or recycled; a server (its decommission) whose storage location is at
  that site and whose decommission is in storage, retired or closed. Neither may be on another open hand-over.
- hand_over(): freezes what the manifest prints of each item (serial, description, weight, package label, seal) and
  moves every item to the vendor's storage location through custody.move(), in one transaction.
- reconcile(): applies a read certificate (certificate.read_certificate) to the items.
- close(): closes at a full match, or with an exception (reason) for each item the certificate does not account for.
"""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import custody, weights
from ..choices import (
    FINAL_COMPONENT_STATUSES,
    CertificateMethodChoices,
    ComponentStatusChoices,
    DecommissionStatusChoices,
    HandoverStatusChoices,
    ReconciliationStateChoices,
    StorageLocationKindChoices,
)
from ..event_types import HANDOVER_CLOSED, HANDOVER_HANDED_OVER, HANDOVER_RECONCILED
from ..events import emit_handover_event
from ..models import Decommission, Handover, HandoverCertificate, HandoverItem, RemovedComponent
from ..workflow import WorkflowError

__all__ = (
    'add_items',
    'close',
    'eligible_components',
    'eligible_servers',
    'hand_over',
    'reconcile',
    'remove_items',
    'total_weight',
)

PLANNED = HandoverStatusChoices.STATUS_PLANNED
HANDED_OVER = HandoverStatusChoices.STATUS_HANDED_OVER
CLOSED = HandoverStatusChoices.STATUS_CLOSED
MATCHED = ReconciliationStateChoices.STATE_MATCHED
MISSING = ReconciliationStateChoices.STATE_MISSING
PENDING = ReconciliationStateChoices.STATE_PENDING
EXCEPTION = ReconciliationStateChoices.STATE_EXCEPTION
VENDOR = StorageLocationKindChoices.KIND_VENDOR
# A server leaves once it was taken out and stored (the "store" move): from these stages on, not cancelled or restored.
SERVER_STORED_STATUSES = (DecommissionStatusChoices.STATUS_IN_STORAGE, DecommissionStatusChoices.STATUS_RETIRED,
                          DecommissionStatusChoices.STATUS_CLOSED)


def _status_name(status):
    return dict(HandoverStatusChoices)[status]


def _require_status(handover, status, action):
    if handover.status != status:
        raise WorkflowError(_(
            'Cannot {action} hand-over {handover}: it is "{status}"; only a hand-over that is "{required}" can.'
        ).format(action=action, handover=handover, status=handover.get_status_display(),
                 required=_status_name(status)))


def _locked(handover):
    return Handover.objects.select_for_update().select_related('site', 'vendor').get(pk=handover.pk)


def _open_items(exclude_handover=None):
    items = HandoverItem.objects.exclude(handover__status=CLOSED)
    if exclude_handover is not None:
        items = items.exclude(handover=exclude_handover)
    return items


def eligible_components(handover):
    """The removed components a planned ``handover`` may carry (not those it already carries)."""
    return RemovedComponent.objects.filter(
        storage_location__site=handover.site_id,
    ).exclude(storage_location__kind=VENDOR).exclude(status__in=FINAL_COMPONENT_STATUSES).exclude(
        pk__in=_open_items().filter(component__isnull=False).values('component'),
    ).select_related('decommission', 'storage_location')


def eligible_servers(handover):
    """The decommissions whose server a planned ``handover`` may carry (not those it already carries)."""
    return Decommission.objects.filter(
        storage_location__site=handover.site_id,
    ).exclude(storage_location__kind=VENDOR).filter(status__in=SERVER_STORED_STATUSES).exclude(
        pk__in=_open_items().filter(decommission__isnull=False).values('decommission'),
    ).select_related('storage_location')


def component_refusal(handover, component):
    """Why ``component`` cannot go with ``handover`` (a message naming it and the fix), or None."""
    location = component.storage_location
    if component.status in FINAL_COMPONENT_STATUSES:
        return _(
            'Component {component} of decommission {number} cannot be handed over: its final disposition is already '
            '"{status}". Remove it from the selection.'
        ).format(component=component, number=component.decommission.number, status=component.get_status_display())
    if location is None:
        return _(
            'Component {component} of decommission {number} is in no storage location: record where it is stored '
            '(at site "{site}") first.'
        ).format(component=component, number=component.decommission.number, site=handover.site)
    if location.kind == VENDOR or location.site_id != handover.site_id:
        return _(
            'Component {component} of decommission {number} is in "{location}" at site "{other}", not in custody at '
            'the hand-over\'s site "{site}": move it to a storage location at "{site}" first, or hand it over with a '
            'hand-over from "{other}".'
        ).format(component=component, number=component.decommission.number, location=location,
                 other=location.site, site=handover.site)
    other = _open_items(handover).filter(component=component).select_related('handover').first()
    if other is not None:
        return _(
            'Component {component} of decommission {number} is already on hand-over {other}: remove it there first.'
        ).format(component=component, number=component.decommission.number, other=other.handover)
    return None


def server_refusal(handover, decommission):
    """Why the server of ``decommission`` cannot go with ``handover``, or None."""
    location = decommission.storage_location
    if decommission.status not in SERVER_STORED_STATUSES:
        return _(
            'The server of decommission {number} cannot be handed over: the decommission is "{status}"; a server '
            'goes once it is stored (in storage, retired or closed). Store it first, or remove it from the '
            'selection.'
        ).format(number=decommission.number, status=decommission.get_status_display())
    if location is None:
        return _(
            'The server of decommission {number} is in no storage location: store it (the "store" move) at site '
            '"{site}" first.'
        ).format(number=decommission.number, site=handover.site)
    if location.kind == VENDOR or location.site_id != handover.site_id:
        return _(
            'The server of decommission {number} is in "{location}" at site "{other}", not in custody at the '
            'hand-over\'s site "{site}": move it to a storage location at "{site}" first.'
        ).format(number=decommission.number, location=location, other=location.site, site=handover.site)
    other = _open_items(handover).filter(decommission=decommission).select_related('handover').first()
    if other is not None:
        return _(
            'The server of decommission {number} is already on hand-over {other}: remove it there first.'
        ).format(number=decommission.number, other=other.handover)
    return None


@transaction.atomic
def add_items(handover, user, components=(), decommissions=()):
    """
    Add removed components and servers (decommissions) to a planned hand-over. Every refusal is reported at once,
    one line per item; then nothing is added. Items the hand-over already carries are left as they are.
    """
    handover = _locked(handover)
    _require_status(handover, PLANNED, _('add items to'))
    if not components and not decommissions:
        raise WorkflowError(_('Choose at least one component or server to add.'))
    components = list(RemovedComponent.objects.select_for_update(of=('self',)).select_related(
        'decommission', 'storage_location__site').filter(pk__in=[getattr(c, 'pk', c) for c in components]))
    decommissions = list(Decommission.objects.select_for_update(of=('self',)).select_related(
        'storage_location__site').filter(pk__in=[getattr(d, 'pk', d) for d in decommissions]))
    carried_components = set(handover.items.values_list('component', flat=True))
    carried_servers = set(handover.items.values_list('decommission', flat=True))
    components = [c for c in components if c.pk not in carried_components]
    decommissions = [d for d in decommissions if d.pk not in carried_servers]
    refusals = [r for r in (component_refusal(handover, c) for c in components) if r]
    refusals += [r for r in (server_refusal(handover, d) for d in decommissions) if r]
    if refusals:
        raise WorkflowError(' '.join(refusals))
    items = []
    for component in components:
        item = HandoverItem(handover=handover, component=component, serial=component.serial,
                            description=_describe_component(component))
        item.full_clean()
        item.save()
        items.append(item)
    for decommission in decommissions:
        item = HandoverItem(handover=handover, decommission=decommission, serial=decommission.device_serial,
                            description=_describe_server(decommission))
        item.full_clean()
        item.save()
        items.append(item)
    return items


@transaction.atomic
def remove_items(handover, user, items):
    """Take items off a planned hand-over."""
    handover = _locked(handover)
    _require_status(handover, PLANNED, _('remove items from'))
    for item in items:
        if item.handover_id != handover.pk:
            raise WorkflowError(_('Item {item} is not on hand-over {handover}.').format(
                item=item, handover=handover), field='items')
    for item in items:
        item.delete()


def _describe_component(component):
    manufacturer = f'{component.manufacturer} ' if component.manufacturer_id else ''
    return f'{component.get_kind_display()}: {manufacturer}{component.name}'[:200]


def _describe_server(decommission):
    model = f' ({decommission.device_type_name})' if decommission.device_type_name else ''
    return _('Server {name}{model}').format(name=decommission.device_name or decommission.number, model=model)[:200]


def item_kind(item):
    """What the manifest calls the item: the component's kind, or "Server"."""
    if item.component_id:
        return item.component.get_kind_display()
    return _('Server')


@transaction.atomic
def hand_over(handover, user):
    """
    Hand the items over to the vendor, all or nothing: each item is checked again, what the manifest prints of it is
    frozen (serial, description, weight, package label, seal) and it moves to the vendor's storage location through
    custody.move() (a custody event each; a component becomes "transferred" with the pickup date). The hand-over is
    then "handed over", by ``user``, now.
    """
    handover = _locked(handover)
    _require_status(handover, PLANNED, _('hand over'))
    items = list(handover.items.select_related(
        'component__decommission', 'component__storage_location__site', 'component__manufacturer',
        'decommission__storage_location__site',
    ).order_by('pk'))
    if not items:
        raise WorkflowError(_('Hand-over {handover} carries no items: add the components and servers it hands over '
                              'first.').format(handover=handover))
    refusals = []
    for item in items:
        refusal = (component_refusal(handover, item.component) if item.component_id
                   else server_refusal(handover, item.decommission))
        if refusal:
            refusals.append(refusal)
    if refusals:
        raise WorkflowError(' '.join(refusals))
    vendor = handover.vendor
    reason = _('Handed over to the disposal vendor {vendor} (hand-over {number})').format(
        vendor=vendor, number=handover.number)
    for item in items:
        item.snapshot()
        if item.component_id:
            component = RemovedComponent.objects.select_for_update(of=('self',)).select_related(
                'decommission', 'manufacturer').get(pk=item.component_id)
            component.snapshot()
            item.serial = component.serial
            item.description = _describe_component(component)
            item.weight = weights.component_weight(component)
            item.package_label = component.package_label
            item.seal_number = component.seal_number
            component.status = ComponentStatusChoices.STATUS_TRANSFERRED
            component.vendor_pickup_date = handover.pickup_date
            component.disposition_date = handover.pickup_date
            component.disposition_reference = handover.number
            # A hand-over to a disposal vendor is a transfer by definition, wherever the vendor is.
            custody.move(component, vendor, user, reason, transfer=True)
        else:
            decommission = Decommission.objects.select_for_update().get(pk=item.decommission_id)
            decommission.snapshot()
            item.serial = decommission.device_serial
            item.description = _describe_server(decommission)
            item.weight = weights.server_weight(decommission)
            custody.move(decommission, vendor, user, reason, transfer=True)
        item.full_clean()
        item.save()
    handover.snapshot()
    handover.status = HANDED_OVER
    handover.handed_over_by = user
    handover.handed_over_at = timezone.now()
    handover.save()
    emit_handover_event(handover, HANDOVER_HANDED_OVER, user)
    return handover


def total_weight(items):
    """The sum of the items' frozen weights in kilograms (an item of unknown weight adds nothing), and how many
    items have no weight."""
    total, unknown = 0, 0
    for item in items:
        if item.weight is None:
            unknown += 1
        else:
            total += item.weight
    return total, unknown


def _apply_match(item, row, user):
    item.snapshot()
    item.reconciliation = MATCHED
    item.certificate_method = row.method
    item.certificate_date = row.date
    item.certificate_number = row.number
    item.exception_reason = ''
    item.full_clean()
    item.save()
    if not item.component_id:
        # The server's decommission keeps its own record; the item carries what the vendor certified of it.
        return
    component = RemovedComponent.objects.select_for_update().get(pk=item.component_id)
    component.snapshot()
    destroyed = row.method == CertificateMethodChoices.METHOD_DESTROYED
    component.status = ComponentStatusChoices.STATUS_DESTROYED if destroyed else ComponentStatusChoices.STATUS_RECYCLED
    component.disposition_date = row.date
    component.disposition_reference = row.number
    component.vendor_certificate = row.number
    component.full_clean()
    component.save()


@transaction.atomic
def reconcile(handover, user, reading):
    """
    Apply a certificate ``reading`` (certificate.read_certificate()) to a handed-over ``handover``: the items it
    names are matched (with the method, date and certificate number; a component ends destroyed or recycled), the
    items it does not name are missing, the rows naming no item of the hand-over are reported as unknown. Items matched
    by an earlier certificate stay as they are. Records the HandoverCertificate.
    """
    from .certificate import match

    handover = _locked(handover)
    _require_status(handover, HANDED_OVER, _('reconcile a certificate with'))
    items = list(handover.items.select_related('component', 'decommission').order_by('pk'))
    result = match(handover, items, reading)
    by_pk = {item.pk: item for item in items}
    for item_pk, row in result.matched:
        _apply_match(by_pk[item_pk], row, user)
    for item_pk in result.missing:
        item = by_pk[item_pk]
        if item.reconciliation == PENDING:
            item.snapshot()
            item.reconciliation = MISSING
            item.save()
    certificate = HandoverCertificate.objects.create(
        handover=handover, file_name=reading.file_name[:200], sha256=reading.sha256, uploaded_by=user,
        rows=len(reading.rows), result=result.as_json(by_pk),
    )
    emit_handover_event(handover, HANDOVER_RECONCILED, user, certificate=certificate)
    return certificate


@transaction.atomic
def close(handover, user, exceptions=()):
    """
    Close a handed-over hand-over. ``exceptions`` ([(item or item ID, reason)]) closes items the certificates do not
    account for; every other item must be matched. Refused, with the unaccounted items named, otherwise.
    """
    handover = _locked(handover)
    _require_status(handover, HANDED_OVER, _('close'))
    items = {item.pk: item for item in handover.items.order_by('pk')}
    for item, reason in exceptions:
        item_pk = getattr(item, 'pk', item)
        if item_pk not in items:
            raise WorkflowError(_('Item {item} is not on hand-over {handover}: name one of its items.').format(
                item=item_pk, handover=handover), field='exceptions')
        item = items[item_pk]
        reason = (reason or '').strip()
        if item.reconciliation == MATCHED:
            raise WorkflowError(_('Item {item} is matched by the certificate: it needs no exception.').format(
                item=item), field='exceptions')
        if not reason:
            raise WorkflowError(_('Give the reason for the exception of item {item}.').format(item=item),
                                field='exceptions')
        item.snapshot()
        item.reconciliation = EXCEPTION
        item.exception_reason = reason
        item.save()
    unaccounted = [item for item in items.values() if item.reconciliation not in (MATCHED, EXCEPTION)]
    if unaccounted:
        raise WorkflowError(_(
            'Cannot close hand-over {handover}: the certificates do not account for {items}. Upload the vendor\'s '
            'certificate that names them, or close with an exception and its reason for each.'
        ).format(handover=handover, items=', '.join(str(item) or str(item.pk) for item in unaccounted)))
    handover.snapshot()
    handover.status = CLOSED
    handover.closed_at = timezone.now()
    handover.save()
    emit_handover_event(handover, HANDOVER_CLOSED, user)
    return handover
