"""
The chain of custody of removed components and of the server itself: every change of a storage location is a
CustodyEvent (from, to, who, when, why).

Two ways in, both explicit:

- move(): the one service for a deliberate move (a disposition, the workflow's store move). It checks the rules,
  saves the object once and writes the event with the user and the reason it is given.
- the model's save(), for the edits NetBox's generic paths make (the edit form, bulk edit, CSV import, the REST
  API): it records a changed location with the request's user and the change-log message
  (CustodyEvent.record_edit()).
  move() saves with ``record_custody=False``, so that a move is recorded once.

The rules: a destroyed component never moves (RemovedComponent.destroyed_refusals(), whatever the path), and a move of a
component to another site is a transfer the user confirms (refused_move(), which every path calls with the
"transfer" flag it got).
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import CustodyEvent, RemovedComponent, StorageLocation
from .models.custody_event import stored_location

__all__ = (
    'move',
    'refused_move',
)


def refused_move(obj, to, transfer=False, decommission=None):
    """
    The one rule for moves across sites, applied with the user's "transfer" flag by the edit form and the import
    (forms.ComponentRulesMixin), bulk edit, the REST API and move(): a component goes to a storage location at
    another site than the one it is at only as a confirmed transfer. The site it is at is its stored location's,
    or, while it has none, its decommission's: ``decommission`` when the change assigns it to another (a form's or
    the API's data), else its own. Returns the message refusing the move, or None.

    The server (a Decommission) is not refused: its moves (the store move, the record's edit) ask for no transfer;
    one across sites is still recorded as a transfer.
    """
    if transfer or to is None or not isinstance(obj, RemovedComponent):
        return None
    decommission = decommission or (obj.decommission if obj.decommission_id else None)
    if decommission is None:
        return None  # the form's or the API's data names no valid decommission: that error is reported instead
    stored = None
    if obj.pk is not None:
        stored = StorageLocation.objects.select_related('site').filter(components=obj.pk).first()
    if stored is not None and stored.pk == to.pk:
        return None
    site = stored.site if stored is not None else decommission.site
    if site is None or to.site_id == site.pk:
        return None
    return _(
        'Storage location "{location}" is at site "{other}", but {component} of decommission {number} is at site '
        '"{site}". Moving it to another site is a transfer: confirm it as a transfer, or choose a storage '
        'location at "{site}".'
    ).format(location=to, other=to.site, component=obj if obj.pk else _('the new component'),
             number=decommission.number, site=site)


def move(obj, to, user, reason, transfer=False):
    """
    Move ``obj`` (a removed component, or a decommission: its server) to the storage location ``to`` — the one
    service for a deliberate move. It checks the rules (ValidationError keyed by field, nothing saved), assigns
    the location, saves ``obj`` once, together with whatever else the caller changed on it (the caller took its
    snapshot() for the change log), and writes the custody event with ``user`` and ``reason``. It runs in the
    caller's transaction (a savepoint if there is one).
    """
    to_pk = to.pk if to is not None else None
    component = obj if isinstance(obj, RemovedComponent) else None
    if component is not None:
        errors = component.destroyed_refusals(to_pk)
        if errors:
            raise ValidationError(errors)
    refusal = refused_move(obj, to, transfer)
    if refusal:
        raise ValidationError({'storage_location': refusal})
    with transaction.atomic():
        previous = stored_location(obj)
        obj.storage_location = to
        # The event is written here, with the user and reason given: save() is told not to write its own.
        obj.save(record_custody=False)
        CustodyEvent.record(obj, previous, user, reason, component=component)
    return obj
