"""
Weights in kilograms, for the e-waste report, the hand-over manifests and the dashboard: a server weighs what its
device type records (frozen on the record as ``type_weight``), a removed part what its module type records (frozen
at harvest); a weight given on the record or the part overrides either, and is the only weight where the type has
none. One function per question, so that every total in the plugin is the same sum.
"""
from decimal import Decimal

from utilities.conversion import to_grams

__all__ = (
    'component_weight',
    'kilograms',
    'server_weight',
)


def kilograms(weight, unit):
    """
    NetBox's (weight, unit) of a device or module type in kilograms; None where it has none. Through NetBox's own
    conversion to whole grams, so that a total here is the total NetBox's rack weight counts.
    """
    if weight is None or not unit:
        return None
    return Decimal(to_grams(weight, unit)) / 1000


def server_weight(decommission):
    """The server's weight in kilograms: the record's own, else its device type's; None when neither is known."""
    return decommission.weight if decommission.weight is not None else decommission.type_weight


def component_weight(component):
    """A removed part's weight in kilograms: its own, else its module type's; None when neither is known."""
    return component.weight if component.weight is not None else component.type_weight
