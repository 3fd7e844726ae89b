from .custody_event import CustodyEvent
from .decommission import Decommission
from .document import Document, DocumentFile, Signature
from .number_sequence import NumberSequence
from .removed_component import RemovedComponent
from .stage_change import StageChange
from .storage_location import StorageLocation

__all__ = (
    'CustodyEvent',
    'Decommission',
    'Document',
    'DocumentFile',
    'NumberSequence',
    'RemovedComponent',
    'Signature',
    'StageChange',
    'StorageLocation',
)
