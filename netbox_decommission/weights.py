"""
Weights in kilograms, for the e-waste report, the hand-over manifests and the dashboard: a server weighs what its
device type records (frozen on the record as ``type_weight``), a removed part what its module type records (frozen
at harvest); a weight given on the record or the part overrides either, and is the only weight where the type has
none. One function per question, so that every total in the plugin is the same sum.
"""
from decimal import Decimal
from typing import NamedTuple

from utilities.conversion import to_grams

__all__ = (
    'WeightOrigin',
    'component_weight',
    'kilograms',
    'server_weight',
    'weight_origin',
)

# Where a record's effective weight comes from (WeightOrigin.source).
SOURCE_RECORD = 'record'
SOURCE_TYPE = 'type'


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


class WeightOrigin(NamedTuple):
    """A record's effective weight in kilograms, where it comes from (record, type or None), and its type's."""
    weight: Decimal | None
    source: str | None
    type_weight: Decimal | None


def weight_origin(record):
    """
    The effective weight of a decommission (its server) or a removed component, the same as server_weight() and
    component_weight() give, with where it comes from: the override set on the record, or the type's frozen weight.
    """
    if record.weight is not None:
        return WeightOrigin(record.weight, SOURCE_RECORD, record.type_weight)
    if record.type_weight is not None:
        return WeightOrigin(record.type_weight, SOURCE_TYPE, record.type_weight)
    return WeightOrigin(None, None, None)
