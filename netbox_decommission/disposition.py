"""
The final disposition of a removed component: reused (optionally returned into NetBox as an inventory item of a
chosen device, in service or as a spare), transferred to a disposal vendor, or destroyed — each with the date and
a document reference. The UI and the REST API call these; a refusal raises workflow.WorkflowError and changes
nothing.
"""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dcim.choices import InventoryItemStatusChoices
from dcim.models import InventoryItem

from . import custody
from .choices import ComponentStatusChoices as Status
from .choices import SanitizationMethodChoices, StorageLocationKindChoices
from .models import RemovedComponent
from .workflow import WorkflowError

REUSED, TRANSFERRED, DESTROYED = Status.STATUS_REUSED, Status.STATUS_TRANSFERRED, Status.STATUS_DESTROYED
DISPOSITIONS = (REUSED, TRANSFERRED, DESTROYED)


def _locked(component):
    component = RemovedComponent.objects.select_for_update().select_related('decommission').get(pk=component.pk)
    # The change log's pre-change data, taken before anything changes.
    component.snapshot()
    return component


def _refuse_if_final(component, action):
    if component.status == DESTROYED:
        raise WorkflowError(_('Cannot {action} {component}: it was destroyed.').format(
            action=action, component=component))
    if component.is_final:
        raise WorkflowError(_(
            'Cannot {action} {component}: its final disposition is already "{status}". Correct the record by editing '
            'it if that was a mistake.'
        ).format(action=action, component=component, status=component.get_status_display()))


def _set_disposition(component, status, date, reference):
    component.status = status
    component.disposition_date = date or timezone.localdate()
    component.disposition_reference = reference
    component.full_clean()


@transaction.atomic
def reuse(component, user, device=None, spare=False, date=None, reference=''):
    """
    Mark the part as reused. With a device, it is returned into NetBox as an inventory item of that device: in
    service, or (spare) offline, kept as a spare.
    """
    component = _locked(component)
    _refuse_if_final(component, _('reuse'))
    cleared = component.sanitized_on and component.sanitization_method in (
        SanitizationMethodChoices.METHOD_CLEAR, SanitizationMethodChoices.METHOD_PURGE,
    )
    if component.is_media and not cleared:
        raise WorkflowError(_(
            'Cannot reuse {component}: a storage medium is reused only after it was cleared or purged. Record the '
            'sanitization first.'
        ).format(component=component))
    if device is not None:
        item = InventoryItem(
            device=device, name=component.name, manufacturer=component.manufacturer, part_id=component.part_id,
            serial=component.serial, asset_tag=component.asset_tag or None,
            status=InventoryItemStatusChoices.STATUS_OFFLINE if spare else InventoryItemStatusChoices.STATUS_ACTIVE,
            description=_('Reused from decommission {number}').format(number=component.decommission.number)[:200],
        )
        item.full_clean()
        item.save()
        component.reused_as = item
    _set_disposition(component, REUSED, date, reference)
    component.save()
    return component


@transaction.atomic
def transfer_to_vendor(component, user, vendor, pickup_date=None, certificate='', date=None, reference=''):
    """Hand the part to a disposal vendor: it moves to the vendor's storage location (a custody event)."""
    component = _locked(component)
    _refuse_if_final(component, _('transfer'))
    if vendor is None or vendor.kind != StorageLocationKindChoices.KIND_VENDOR:
        raise WorkflowError(_(
            'Choose the disposal vendor: a storage location of kind "{kind}".'
        ).format(kind=dict(StorageLocationKindChoices)[StorageLocationKindChoices.KIND_VENDOR]), field='vendor')
    component.vendor_pickup_date = pickup_date
    component.vendor_certificate = certificate
    _set_disposition(component, TRANSFERRED, date, reference)
    # A hand-over to a disposal vendor is a transfer by definition, wherever the vendor is.
    return custody.move(component, vendor, user, _('Transferred to the disposal vendor {vendor}').format(
        vendor=vendor), transfer=True)


@transaction.atomic
def destroy(component, user, date=None, reference=''):
    """Record that the part was physically destroyed; a destroyed part never moves again."""
    component = _locked(component)
    _refuse_if_final(component, _('destroy'))
    if not reference:
        raise WorkflowError(_('Give the reference of the document that records the destruction.'), field='reference')
    _set_disposition(component, DESTROYED, date, reference)
    component.save()
    return component


def dispose(component, user, data):
    """Run the disposition chosen in ``data`` (the form's or the API's cleaned values)."""
    common = {'date': data.get('date'), 'reference': data.get('reference') or ''}
    if data['disposition'] == REUSED:
        return reuse(component, user, device=data.get('device'), spare=data.get('spare', False), **common)
    if data['disposition'] == TRANSFERRED:
        return transfer_to_vendor(
            component, user, data.get('vendor'), pickup_date=data.get('vendor_pickup_date'),
            certificate=data.get('vendor_certificate') or '', **common,
        )
    return destroy(component, user, **common)
