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
