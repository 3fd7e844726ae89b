"""Serial numbers recorded twice: a part can be in one place only, so a repeated serial is flagged."""
from django.utils.translation import gettext as _

from .choices import FINAL_COMPONENT_STATUSES


def live_duplicates(serial, exclude_pk=None):
    """Other components with this serial that are still in custody (not reused, transferred or destroyed)."""
    from .models import RemovedComponent

    if not serial or not serial.strip():
        return []
    others = RemovedComponent.objects.filter(serial__iexact=serial.strip()).exclude(
        status__in=FINAL_COMPONENT_STATUSES).select_related('decommission')
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return list(others[:5])


def duplicate_serial_message(serial, others):
    names = ', '.join(
        _('{component} (ID {id}) of decommission {number}').format(
            component=other.name, id=other.pk, number=other.decommission.number)
        for other in others
    )
    return _(
        'Serial number {serial} is already recorded for {others}. If this really is another part, confirm it '
        '("force": true in the API, "Record anyway" in the form); otherwise edit the existing record.'
    ).format(serial=serial, others=names)


def refused_serial(serial, component, force=False):
    """
    The one rule for a component's serial, in the form, the REST API and the import: a new component, or one whose
    serial changes, may not carry the serial of another component still in custody unless the user confirms it
    ("force"). Returns the message refusing it, or None. ``component`` is the instance as stored (pk None if new).
    """
    if force or (component.pk is not None and (serial or '') == (component.serial or '')):
        return None
    others = live_duplicates(serial, exclude_pk=component.pk)
    return duplicate_serial_message(serial, others) if others else None
