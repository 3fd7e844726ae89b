"""
Windows that clash: a decommission's planned window overlapping the window of another decommission still to be
carried out (from draft up to in_storage) in the same rack, or of one whose server is cabled to the same switch (a
device that both servers' interfaces have cables to, directly: the cables' link peers). Such a window is allowed
(two servers of a rack are often removed in one visit) but people should know: the schedule move shows these
warnings after it is made, on its form, and in its REST answer (workflow/table.py, Move.warnings).
"""
from django.utils import timezone
from django.utils.translation import gettext as _

from dcim.models import Interface

from ..choices import DecommissionStatusChoices as Status
from ..compat.cables import terminations_of_cables
from ..models import Decommission

__all__ = ('PENDING', 'cabled_devices', 'window_conflicts')

# The stages in which the removal is still to come; a retired, closed, cancelled or restored record clashes with no one.
PENDING = (
    Status.STATUS_DRAFT, Status.STATUS_ORDERED, Status.STATUS_SCHEDULED, Status.STATUS_BACKED_UP,
    Status.STATUS_SHUT_DOWN, Status.STATUS_DISASSEMBLED, Status.STATUS_IN_STORAGE,
)


def when(moment):
    """As the stage log writes moments (workflow.stages.when, which this module cannot import: the table of moves
    imports this one)."""
    return timezone.localtime(moment).strftime('%Y-%m-%d %H:%M %Z')


def cabled_devices(device):
    """{device id: device} of the devices that ``device``'s interfaces are cabled to (the far ends of their cables)."""
    if device is None:
        return {}
    cable_ids = list(Interface.objects.filter(device=device, cable__isnull=False).values_list('cable_id', flat=True))
    if not cable_ids:
        return {}
    peers = {}
    for termination in terminations_of_cables(cable_ids):
        component = termination.termination
        peer = getattr(component, 'device', None)
        if isinstance(component, Interface) and peer is not None and peer.pk != device.pk:
            peers[peer.pk] = peer
    return peers


def window_conflicts(decommission, user):
    """
    The warnings about ``decommission``'s window, one message per other record: which one, its window, and why
    (same rack, same switch). Records that ``user`` may not view are counted, not named.
    """
    if decommission.status not in PENDING or not (decommission.planned_start and decommission.planned_end):
        return []
    overlapping = Decommission.objects.exclude(pk=decommission.pk).filter(
        status__in=PENDING, planned_start__lt=decommission.planned_end, planned_end__gt=decommission.planned_start,
    ).select_related('rack', 'device')
    switches = cabled_devices(decommission.device)
    visible = set(Decommission.objects.restrict(user, 'view').filter(
        pk__in=overlapping.values('pk')).values_list('pk', flat=True))
    messages = []
    hidden = 0
    for other in overlapping.order_by('planned_start', 'pk'):
        reasons = []
        if decommission.rack_id and other.rack_id == decommission.rack_id:
            reasons.append(_('in the same rack {rack}').format(rack=other.rack))
        shared = [switches[pk] for pk in cabled_devices(other.device) if pk in switches] if switches else []
        if shared:
            reasons.append(_('cabled to the same switch {switches}').format(
                switches=', '.join(sorted(str(device) for device in shared))))
        if not reasons:
            continue
        if other.pk not in visible:
            hidden += 1
            continue
        messages.append(_(
            'The window overlaps that of {number} ({device}, {start} – {end}), {why}.'
        ).format(number=other.number, device=other.device_name or other.device_pk, start=when(other.planned_start),
                 end=when(other.planned_end), why='; '.join(reasons)))
    if hidden:
        messages.append(_(
            'The window also overlaps {count} decommission(s) in the same rack or behind the same switch that you '
            'may not view.').format(count=hidden))
    return messages
