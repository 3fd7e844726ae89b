"""
A device's cables. NetBox 4.7 denormalizes each cable end's device onto ``CableTermination._device`` (set in
``dcim.models.cables.CableTermination.cache_related_objects``), which finds a device's cables in one query. The public
path asks each kind of cabled component for its cable.
"""
from dcim.models import (
    CableTermination,
    ConsolePort,
    ConsoleServerPort,
    FrontPort,
    Interface,
    PowerOutlet,
    PowerPort,
    RearPort,
)

from . import fast_paths

__all__ = ('device_cable_ids', 'termination_device', 'terminations_of_cables')

CABLED_COMPONENTS = (ConsolePort, ConsoleServerPort, FrontPort, Interface, PowerOutlet, PowerPort, RearPort)


def device_cable_ids(device):
    """The ids of the cables attached to the device's components (a subquery or a list, for ``cable_id__in``)."""
    if fast_paths('cables'):
        return CableTermination.objects.filter(_device=device).values_list('cable_id', flat=True)
    ids = set()
    for model in CABLED_COMPONENTS:
        ids.update(model.objects.filter(device=device, cable__isnull=False).values_list('cable_id', flat=True))
    return sorted(ids)


def terminations_of_cables(cable_ids):
    """Both ends of the cables, each termination with its component (and, on the fast path, its device) loaded."""
    related = ('termination_type', '_device') if fast_paths('cables') else ('termination_type',)
    return CableTermination.objects.filter(cable_id__in=cable_ids).select_related(*related).prefetch_related(
        'termination')


def termination_device(termination):
    """The device a cable end belongs to; None for an end that is not a device's (a circuit termination)."""
    if fast_paths('cables'):
        return termination._device
    return getattr(termination.termination, 'device', None)
