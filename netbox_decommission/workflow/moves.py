"""
The service functions of the stage moves other than signing (signing.py): schedule, record the backup, confirm the
shutdown, finish the disassembly, store the server, close, and cancel. The UI, the REST API, the batches and the
jobs call them through the table of moves (table.py) and nothing else; every rule of the procedure lives here.

Each move locks the decommission's row, checks the gate of the stage it enters, changes what the stage records,
writes the stage log and emits the stage's event, all in one transaction: an illegal move raises WorkflowError
(HTTP 409, or 400 naming the field) and changes nothing.
"""
import functools

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import custody
from ..choices import DecommissionStatusChoices as Status
from ..choices import DocumentKindChoices as Kind
from ..documents.issuing import issue_closing_documents
from ..models import Decommission, Document, StageChange
from ..plugin_settings import network_check_settings
from . import network_check
from .errors import WorkflowError
from .gates import unready_components, unsanitized_media, verification_failures
from .signing import draft
from .stages import CANCELLABLE, advance, log_stage_change, prepare, require_stage, when

__all__ = (
    'SHUTDOWN_CHECKLIST',
    'cancel',
    'close',
    'disassemble',
    'record_backup',
    'schedule',
    'shut_down',
    'store',
)


def stage_move(made_from, leads_to, action):
    """
    Declares the stages a move is made from and the stage it leads to (the table of moves reads them as the move's
    steps). The move runs in one transaction, on the record's locked row, and only at one of ``made_from``: elsewhere
    it is refused with the stage it needs and what comes next.
    """
    def declare(function):
        @functools.wraps(function)
        @transaction.atomic
        def move(decommission, user, *args, **kwargs):
            decommission = prepare(decommission)
            require_stage(decommission, made_from, action)
            return function(decommission, user, *args, **kwargs)

        move.steps = tuple((stage, leads_to) for stage in made_from)
        return move
    return declare


@stage_move([Status.STATUS_ORDERED], Status.STATUS_ORDERED, gettext_lazy('schedule the removal'))
def schedule(decommission, user, planned_start=None, planned_end=None, comment=''):
    """Set the planned window and draft the application; signing it completes the stage."""
    application = Document.objects.filter(decommission=decommission, kind=Kind.KIND_APPLICATION).first()
    if application is not None and application.signatures.exists():
        raise WorkflowError(_(
            'Cannot change the window of {number}: the application already carries signatures.'
        ).format(number=decommission.number))
    if not planned_start or not planned_end:
        raise WorkflowError(_('Set both the planned start and the planned end of the removal.'), field='planned_start')
    if planned_end <= planned_start:
        raise WorkflowError(_('The planned end must be later than the planned start ({start}).').format(
            start=when(planned_start)), field='planned_end')
    # A moved window is a new revision of the calendar event (RFC 5545 SEQUENCE): subscribed calendar programs then
    # replace the event they hold. Setting the first window, or the same one again, is no revision.
    if decommission.planned_start and decommission.planned_end and (
            (decommission.planned_start, decommission.planned_end) != (planned_start, planned_end)):
        decommission.window_sequence += 1
    decommission.planned_start = planned_start
    decommission.planned_end = planned_end
    decommission.save()
    draft(decommission, Kind.KIND_APPLICATION)
    StageChange.objects.create(
        decommission=decommission, from_status=decommission.status, to_status=decommission.status, user=user,
        comment=comment or _('Application drafted with the window {start} – {end}').format(
            start=when(planned_start), end=when(planned_end)),
    )
    return decommission


@stage_move([Status.STATUS_SCHEDULED], Status.STATUS_BACKED_UP, gettext_lazy('record the backup'))
def record_backup(decommission, user, method='', target='', size_gb=None, verified=False, waiver_reason='',
                  comment=''):
    """Record the backup and its verified restore, or a waiver with its reason."""
    if verified:
        if not method or not target:
            raise WorkflowError(_('A verified backup needs its method and its target (where it is kept).'),
                                field='method' if not method else 'target')
    elif not waiver_reason:
        raise WorkflowError(_(
            'Cannot record the backup of {number}: confirm that a restore from it was tested (verified), or '
            'waive the backup and give the reason.'
        ).format(number=decommission.number), field='verified')
    decommission.backup_method = method
    decommission.backup_target = target
    decommission.backup_size_gb = size_gb
    decommission.backup_verified_by = user if verified else None
    decommission.backup_verified_at = timezone.now() if verified else None
    decommission.backup_waiver_reason = '' if verified else waiver_reason
    advance(decommission, Status.STATUS_BACKED_UP, user, comment)
    return decommission


SHUTDOWN_CHECKLIST = ('services_stopped', 'users_notified', 'powered_off', 'network_disconnected')


@stage_move([Status.STATUS_BACKED_UP], Status.STATUS_SHUT_DOWN, gettext_lazy('confirm the shutdown'))
def shut_down(decommission, user, clone_medium='', comment='', **checklist):
    """Confirm the shutdown checklist; every item must be confirmed."""
    missing = [item for item in SHUTDOWN_CHECKLIST if not checklist.get(item)]
    if missing:
        labels = ', '.join(str(Decommission._meta.get_field(item).verbose_name) for item in missing)
        raise WorkflowError(_(
            'Cannot confirm the shutdown of {number}: not yet confirmed: {items}. Confirm each item once it is done.'
        ).format(number=decommission.number, items=labels), field=missing[0])
    for item in SHUTDOWN_CHECKLIST:
        setattr(decommission, item, True)
    decommission.clone_medium = clone_medium
    advance(decommission, Status.STATUS_SHUT_DOWN, user, comment)
    return decommission


@stage_move([Status.STATUS_SHUT_DOWN], Status.STATUS_DISASSEMBLED, gettext_lazy('finish the disassembly'))
def disassemble(decommission, user, comment=''):
    """Close the component removal: every removed component is inspected, packed and stored."""
    unready = unready_components(decommission)
    if unready:
        raise WorkflowError(_(
            'Cannot finish the disassembly of {number}: {count} component(s) still need an inspection result, '
            'anti-static packaging and a storage location: {names}. Complete them first.'
        ).format(number=decommission.number, count=len(unready), names=', '.join(str(c) for c in unready[:10])))
    unsanitized = unsanitized_media(decommission)
    if unsanitized:
        raise WorkflowError(_(
            'Cannot finish the disassembly of {number}: {count} storage medium(s) are neither sanitized nor sealed '
            'for later sanitization: {names}. Record the sanitization (method and date), or a tamper seal and the '
            'reason to sanitize later.'
        ).format(number=decommission.number, count=len(unsanitized),
                 names=', '.join(str(c) for c in unsanitized[:10])))
    advance(decommission, Status.STATUS_DISASSEMBLED, user, comment)
    return decommission


@stage_move([Status.STATUS_DISASSEMBLED], Status.STATUS_IN_STORAGE, gettext_lazy('move the server to storage'))
def store(decommission, user, storage_location=None, removed_at=None, comment=''):
    """Record where the server was moved (the removal zone) and when; drafts the act."""
    if storage_location is None:
        raise WorkflowError(_('Choose the storage location (removal zone) the server was moved to.'),
                            field='storage_location')
    if not decommission.executors.exists() or not decommission.head_id:
        raise WorkflowError(_(
            'Cannot draft the act of {number}: it is signed by the executors and the head, and the record '
            'names {missing}. Edit the decommission to name them.'
        ).format(number=decommission.number,
                 missing=_('no executors') if not decommission.executors.exists() else _('no head')))
    decommission.removed_at = removed_at or timezone.now()
    draft(decommission, Kind.KIND_ACT)
    from_status = decommission.status
    decommission.status = Status.STATUS_IN_STORAGE
    # One save: the server's custody event and the stage change are one change of the record.
    custody.move(decommission, storage_location, user, comment or _('Moved to the removal zone'))
    log_stage_change(decommission, from_status, user, comment)
    return decommission


@stage_move([Status.STATUS_RETIRED], Status.STATUS_CLOSED, gettext_lazy('close'))
def close(decommission, user, network_check_override='', comment=''):
    """
    Confirm that the retirement is complete: the verification checks must pass and, when the close_network_check
    setting is enabled, no former address of the server may still answer unless the override gives the reason.
    The check's results are kept on the record (network_check); a refused close keeps nothing.
    """
    failures = verification_failures(decommission)
    override = (network_check_override or '').strip()
    settings = network_check_settings()
    # Probed even when other checks fail: the refusal then names everything left to do at once.
    result = network_check.check(decommission, user, settings, override) if settings['enabled'] else None
    answering = network_check.still_answering(result) if result else []
    if answering and not override:
        failures.append(_(
            'The server is still visible on the network: {answers}. Take these addresses off the network (or find '
            'who holds them now), or close with an override of the network check that gives the reason.'
        ).format(answers='; '.join(_answer(address, how) for address, how in answering)))
    if failures:
        raise WorkflowError(_('Cannot close {number}: {failures}').format(
            number=decommission.number, failures=' '.join(failures)))
    decommission.network_check = result
    advance(decommission, Status.STATUS_CLOSED, user, comment)
    issue_closing_documents(decommission)
    return decommission


def _answer(address, how):
    """How one address answered the network check, for people to read."""
    if how == 'icmp':
        return _('{address} still answers ICMP echo (ping)').format(address=address)
    return _('{address} still answers on TCP port {port}').format(address=address, port=how.removeprefix('tcp/'))


@stage_move(CANCELLABLE, Status.STATUS_CANCELLED, gettext_lazy('cancel'))
def cancel(decommission, user, reason=''):
    """Cancel before retirement; the device gets back the status it had before the order was signed."""
    if not reason or not reason.strip():
        raise WorkflowError(_('Give the reason for cancelling {number}.').format(number=decommission.number),
                            field='reason')
    if decommission.device_id and decommission.device_status_before:
        device = decommission.device
        device.snapshot()
        device.status = decommission.device_status_before
        device.save()
    decommission.cancel_reason = reason
    advance(decommission, Status.STATUS_CANCELLED, user, reason)
    return decommission
