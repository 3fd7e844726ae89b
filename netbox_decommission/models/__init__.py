from .decommission import Decommission
from .number_sequence import NumberSequence
from .removed_component import RemovedComponent
from .storage_location import StorageLocation

__all__ = (
    'Decommission',
    'NumberSequence',
    'RemovedComponent',
    'StorageLocation',
)
