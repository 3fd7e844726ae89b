"""
The decommissioning workflow: the service every UI view, REST action, batch and job calls, and nothing else.

    table.py      the table of moves: each move once, with its service function, permission, fields and looks
    signing.py    the documents' signatures: who signs what in which stage; the act's last one retires the device
    moves.py      the other moves' service functions: schedule, backup, shutdown, disassemble, store, close, cancel
    stages.py     the stages, what each waits for (the next step), and the steps every move is made of (lock,
                  gate, stage log, event)
    gates.py      what a stage still needs before the record may leave it
    retirement.py the device leaving NetBox: snapshot, cables, addresses, deletion or the offline status
    errors.py     the refusal (WorkflowError) and dropping the events of a refused change
"""
from ..documents.signers import missing_signers, required_signers
from .errors import WorkflowError, forget_refused_change
from .gates import media_without_disposition, unready_components, unsanitized_media, verification_failures
from .moves import SHUTDOWN_CHECKLIST, cancel, close, disassemble, record_backup, schedule, shut_down, store
from .signing import SIGNING_STAGE, STAGE_AFTER_SIGNING, act_signed, sign
from .stages import CANCELLABLE, SIGNED_AT_STAGE, STAGE_ORDER, next_step
from .table import FIELDS, MOVES, Move

__all__ = (
    'CANCELLABLE',
    'FIELDS',
    'MOVES',
    'SHUTDOWN_CHECKLIST',
    'SIGNED_AT_STAGE',
    'SIGNING_STAGE',
    'STAGE_AFTER_SIGNING',
    'STAGE_ORDER',
    'Move',
    'WorkflowError',
    'act_signed',
    'cancel',
    'close',
    'disassemble',
    'forget_refused_change',
    'media_without_disposition',
    'missing_signers',
    'next_step',
    'record_backup',
    'required_signers',
    'schedule',
    'shut_down',
    'sign',
    'store',
    'unready_components',
    'unsanitized_media',
    'verification_failures',
)
