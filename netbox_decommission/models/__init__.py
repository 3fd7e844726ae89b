from .calendar_feed import CalendarFeed
from .custody_event import CustodyEvent
from .decommission import Decommission
from .document import Document, DocumentFile, Signature
from .handover import Handover, HandoverCertificate, HandoverItem
from .number_sequence import NumberSequence
from .removed_component import RemovedComponent
from .stage_change import StageChange
from .storage_location import StorageLocation

__all__ = (
    'CalendarFeed',
    'CustodyEvent',
    'Decommission',
    'Document',
    'DocumentFile',
    'Handover',
    'HandoverCertificate',
    'HandoverItem',
    'NumberSequence',
    'RemovedComponent',
    'Signature',
    'StageChange',
    'StorageLocation',
)
