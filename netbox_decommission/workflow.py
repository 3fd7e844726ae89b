"""
The decommissioning workflow: one function per stage move. The UI views, the REST API and background jobs
call these and nothing else; every rule of the procedure lives here.

Each move locks the decommission's row, checks the gate of the stage it enters, changes what the stage
records, writes the stage log and emits the stage's event, all in one transaction: an illegal move raises
WorkflowError (HTTP 409) and changes nothing.
"""
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from dcim.choices import DeviceStatusChoices

from .choices import DecommissionStatusChoices as Status
from .choices import DocumentKindChoices as Kind
from .choices import SignatureRoleChoices as Role
from .documents.issuing import discarded_on_error, freeze
from .errors import WorkflowError
from .events import emit_stage_change
from .models import Decommission, Document, Signature, StageChange
from .plugin_settings import get_setting
from .retirement import retire_device

# Sent inside the signing transaction once the act's last required signature has retired the device, for other
# plugins to act on (a receiver that raises leaves the act unsigned). The plugin itself does not listen to it.
act_signed = Signal()

# The stage in which each document is signed, and the stage its completion leads to.
SIGNING_STAGE = {Kind.KIND_ORDER: Status.STATUS_DRAFT, Kind.KIND_APPLICATION: Status.STATUS_ORDERED,
                 Kind.KIND_ACT: Status.STATUS_IN_STORAGE}
STAGE_AFTER_SIGNING = {Kind.KIND_ORDER: Status.STATUS_ORDERED, Kind.KIND_APPLICATION: Status.STATUS_SCHEDULED,
                       Kind.KIND_ACT: Status.STATUS_RETIRED}
# The stage each of the other moves is made from (cancelling: CANCELLABLE).
MOVE_FROM_STAGE = {
    'schedule': Status.STATUS_ORDERED, 'backup': Status.STATUS_SCHEDULED, 'shutdown': Status.STATUS_BACKED_UP,
    'disassemble': Status.STATUS_SHUT_DOWN, 'store': Status.STATUS_DISASSEMBLED, 'close': Status.STATUS_RETIRED,
}
STAGE_ORDER = [value for value, *_ in Status.CHOICES]
CANCELLABLE = STAGE_ORDER[:STAGE_ORDER.index(Status.STATUS_RETIRED)]


def _when(moment):
    """A date and time as people read it in messages and the stage log, in NetBox's time zone."""
    return timezone.localtime(moment).strftime('%Y-%m-%d %H:%M %Z')


def _stage_label(status):
    return str(dict(Status)[status])


def _locked(decommission):
    """The decommission's current row, locked until the transaction ends (concurrent moves queue)."""
    return Decommission.objects.select_for_update().get(pk=decommission.pk)


def _require_stage(decommission, allowed, action):
    if decommission.status not in allowed:
        expected = ', '.join(_('"{stage}"').format(stage=_stage_label(s)) for s in allowed)
        raise WorkflowError(_(
            'Cannot {action}: decommission {number} is at stage "{stage}", but this needs stage {expected}. '
            '{fix}'
        ).format(
            action=action, number=decommission.number, stage=decommission.get_status_display(), expected=expected,
            fix=next_step(decommission),
        ))


def _move(decommission, to_status, user, comment=''):
    from_status = decommission.status
    decommission.status = to_status
    decommission.save()
    StageChange.objects.create(
        decommission=decommission, from_status=from_status, to_status=to_status, user=user, comment=comment,
    )
    emit_stage_change(decommission, from_status, user)


def _prepare(decommission):
    """Lock the row and take NetBox's pre-change snapshot for the change log."""
    locked = _locked(decommission)
    locked.snapshot()
    return locked


#
# Signatures
#

def required_signers(decommission, kind):
    """The (role, user) pairs a document needs; a user may appear in several roles."""
    if kind == Kind.KIND_ORDER:
        return [(Role.ROLE_HEAD, decommission.head), (Role.ROLE_RESPONSIBLE, decommission.responsible)]
    if kind == Kind.KIND_APPLICATION:
        return [(Role.ROLE_HEAD, decommission.head)]
    return [(Role.ROLE_EXECUTOR, user) for user in decommission.executors.order_by('username')] + [
        (Role.ROLE_HEAD, decommission.head)
    ]


def missing_signers(decommission, document):
    signed = set(document.signatures.values_list('role', 'user_id'))
    return [(role, user) for role, user in required_signers(decommission, document.kind)
            if user is None or (role, user.pk) not in signed]


def _holds_role(decommission, user, role):
    if role == Role.ROLE_HEAD:
        return decommission.head_id == user.pk
    if role == Role.ROLE_RESPONSIBLE:
        return decommission.responsible_id == user.pk
    return decommission.executors.filter(pk=user.pk).exists()


def _draft(decommission, kind):
    document, _created = Document.objects.get_or_create(decommission=decommission, kind=kind)
    return document


def draft_order(decommission):
    """The order is drafted with the record itself."""
    return _draft(decommission, Kind.KIND_ORDER)


def sign(decommission, user, document, role, comment=''):
    """
    Sign a document in a role the user holds on the record. The last required signature completes the
    document and advances the stage; on the act it retires the device (retirement.retire_device). Signing again in the
    same role changes nothing.
    """
    frozen = []
    # The frozen copies are files, which a rollback does not remove: if the transaction fails, up to its
    # commit, they are removed here.
    with discarded_on_error(frozen):
        return _sign(decommission, user, document, role, comment, frozen)


@transaction.atomic
def _sign(decommission, user, document, role, comment, frozen):
    decommission = _prepare(decommission)
    if document not in SIGNING_STAGE:
        raise WorkflowError(_('Unknown document "{document}": sign the order, the application or the act.').format(
            document=document), field='document')
    if role not in dict(Role):
        raise WorkflowError(_('Unknown role "{role}": sign as head, responsible or executor.').format(role=role),
                            field='role')
    doc = Document.objects.filter(decommission=decommission, kind=document).first()
    if doc is not None:
        doc.decommission = decommission
    if doc is not None and doc.signatures.filter(role=role, user=user).exists():
        return decommission
    document_label = str(dict(Kind)[document]).lower()
    if doc is None:
        raise WorkflowError(_(
            'Cannot sign the {document} of {number}: it has not been drafted yet (stage "{stage}"). {fix}'
        ).format(document=document_label, number=decommission.number, stage=decommission.get_status_display(),
                 fix=next_step(decommission)), field='document')
    _require_stage(decommission, [SIGNING_STAGE[document]], _('sign the {document}').format(document=document_label))
    if not _holds_role(decommission, user, role):
        raise WorkflowError(_(
            'Cannot sign the {document} of {number} as {role}: {user} is not the {role} named on this '
            'decommission. Sign in a role you hold, or have the record edited to name you.'
        ).format(document=document_label, number=decommission.number, role=dict(Role)[role], user=user), field='role')
    if (document == Kind.KIND_ORDER and role == Role.ROLE_HEAD and decommission.requested_by_id == user.pk
            and get_setting('separation_of_duties')):
        raise WorkflowError(_(
            'Cannot sign the order of {number} as head: {user} requested this decommission, and separation of duties '
            'requires the order to be approved by someone else. Ask another head to sign: edit the decommission to '
            'name them as its head.'
        ).format(number=decommission.number, user=user), field='role')
    if document == Kind.KIND_ORDER and not (decommission.head_id and decommission.responsible_id):
        raise WorkflowError(_(
            'Cannot sign the order of {number}: it needs both a head and a responsible person. Edit the '
            'decommission to name them.'
        ).format(number=decommission.number))
    Signature.objects.create(document=doc, role=role, user=user, comment=comment)
    if not missing_signers(decommission, doc):
        doc.signed_at = timezone.now()
        doc.save()
        frozen.extend(freeze(doc))
        _complete(decommission, doc, user, comment)
    return decommission


def _complete(decommission, document, user, comment):
    if document.kind == Kind.KIND_ORDER and decommission.device_id:
        device = decommission.device
        device.snapshot()
        decommission.device_status_before = device.status
        device.status = DeviceStatusChoices.STATUS_DECOMMISSIONING
        device.save()
    if document.kind == Kind.KIND_ACT:
        retire_device(decommission, user)
        act_signed.send(sender=Decommission, decommission=decommission, user=user)
    _move(decommission, STAGE_AFTER_SIGNING[document.kind], user, comment)


#
# Stage moves
#

@transaction.atomic
def schedule(decommission, user, planned_start, planned_end, comment=''):
    """Set the planned window and draft the application; signing it completes the stage."""
    decommission = _prepare(decommission)
    _require_stage(decommission, [MOVE_FROM_STAGE['schedule']], _('schedule the removal'))
    application = Document.objects.filter(decommission=decommission, kind=Kind.KIND_APPLICATION).first()
    if application is not None and application.signatures.exists():
        raise WorkflowError(_(
            'Cannot change the window of {number}: the application already carries signatures.'
        ).format(number=decommission.number))
    if not planned_start or not planned_end:
        raise WorkflowError(_('Set both the planned start and the planned end of the removal.'), field='planned_start')
    if planned_end <= planned_start:
        raise WorkflowError(_('The planned end must be later than the planned start ({start}).').format(
            start=_when(planned_start)), field='planned_end')
    decommission.planned_start = planned_start
    decommission.planned_end = planned_end
    decommission.save()
    _draft(decommission, Kind.KIND_APPLICATION)
    StageChange.objects.create(
        decommission=decommission, from_status=decommission.status, to_status=decommission.status, user=user,
        comment=comment or _('Application drafted with the window {start} – {end}').format(
            start=_when(planned_start), end=_when(planned_end)),
    )
    return decommission


@transaction.atomic
def record_backup(decommission, user, method='', target='', size_gb=None, verified=False, waiver_reason='',
                  comment=''):
    """Record the backup and its verified restore, or a waiver with its reason."""
    decommission = _prepare(decommission)
    _require_stage(decommission, [MOVE_FROM_STAGE['backup']], _('record the backup'))
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
    _move(decommission, Status.STATUS_BACKED_UP, user, comment)
    return decommission


SHUTDOWN_CHECKLIST = ('services_stopped', 'users_notified', 'powered_off', 'network_disconnected')


@transaction.atomic
def shut_down(decommission, user, clone_medium='', comment='', **checklist):
    """Confirm the shutdown checklist; every item must be confirmed."""
    decommission = _prepare(decommission)
    _require_stage(decommission, [MOVE_FROM_STAGE['shutdown']], _('confirm the shutdown'))
    missing = [item for item in SHUTDOWN_CHECKLIST if not checklist.get(item)]
    if missing:
        labels = ', '.join(str(Decommission._meta.get_field(item).verbose_name) for item in missing)
        raise WorkflowError(_(
            'Cannot confirm the shutdown of {number}: not yet confirmed: {items}. Confirm each item once it is done.'
        ).format(number=decommission.number, items=labels), field=missing[0])
    for item in SHUTDOWN_CHECKLIST:
        setattr(decommission, item, True)
    decommission.clone_medium = clone_medium
    _move(decommission, Status.STATUS_SHUT_DOWN, user, comment)
    return decommission


def unready_components(decommission):
    """Components that are not yet inspected, packed in anti-static packaging and given a storage location."""
    return [
        c for c in decommission.components.all()
        if c.condition == 'unknown' or not c.antistatic_packed or not c.storage_location_id
    ]


def unsanitized_media(decommission):
    """
    Storage media neither sanitized (method and date) nor sealed for later sanitization (tamper seal and reason):
    data must not leave the disassembly unaccounted for.
    """
    return [
        c for c in decommission.components.all()
        if c.is_media and not (c.sanitization_method and c.sanitized_on)
        and not (c.sanitization_deferred_reason and c.seal_number)
    ]


def media_without_disposition(decommission):
    """Storage media not yet reused, transferred to a disposal vendor or destroyed."""
    return [c for c in decommission.components.all() if c.is_media and not c.is_final]


@transaction.atomic
def disassemble(decommission, user, comment=''):
    """Close the component removal: every removed component is inspected, packed and stored."""
    decommission = _prepare(decommission)
    _require_stage(decommission, [MOVE_FROM_STAGE['disassemble']], _('finish the disassembly'))
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
    _move(decommission, Status.STATUS_DISASSEMBLED, user, comment)
    return decommission


@transaction.atomic
def store(decommission, user, storage_location, removed_at=None, comment=''):
    """Record where the server was moved (the removal zone) and when; drafts the act."""
    decommission = _prepare(decommission)
    _require_stage(decommission, [MOVE_FROM_STAGE['store']], _('move the server to storage'))
    if storage_location is None:
        raise WorkflowError(_('Choose the storage location (removal zone) the server was moved to.'),
                            field='storage_location')
    if not decommission.executors.exists() or not decommission.head_id:
        raise WorkflowError(_(
            'Cannot draft the act of {number}: it is signed by the executors and the head, and the record '
            'names {missing}. Edit the decommission to name them.'
        ).format(number=decommission.number,
                 missing=_('no executors') if not decommission.executors.exists() else _('no head')))
    decommission.storage_location = storage_location
    decommission._custody_user = user
    decommission._custody_reason = comment or _('Moved to the removal zone')
    decommission.removed_at = removed_at or timezone.now()
    _draft(decommission, Kind.KIND_ACT)
    _move(decommission, Status.STATUS_IN_STORAGE, user, comment)
    return decommission


def verification_failures(decommission):
    """What still contradicts the retirement: each entry says what is left and what to do."""
    from .retirement import leftovers

    failures = leftovers(decommission)
    pending = media_without_disposition(decommission)
    if pending:
        failures.append(_(
            '{count} storage medium(s) have no final disposition: {names}. Record each as reused, transferred to a '
            'disposal vendor or destroyed.'
        ).format(count=len(pending), names=', '.join(str(c) for c in pending[:10])))
    return failures


@transaction.atomic
def close(decommission, user, comment=''):
    """Confirm that the retirement is complete: the verification checks must pass."""
    decommission = _prepare(decommission)
    _require_stage(decommission, [MOVE_FROM_STAGE['close']], _('close'))
    failures = verification_failures(decommission)
    if failures:
        raise WorkflowError(_('Cannot close {number}: {failures}').format(
            number=decommission.number, failures=' '.join(failures)))
    _move(decommission, Status.STATUS_CLOSED, user, comment)
    return decommission


@transaction.atomic
def cancel(decommission, user, reason):
    """Cancel before retirement; the device gets back the status it had before the order was signed."""
    decommission = _prepare(decommission)
    _require_stage(decommission, CANCELLABLE, _('cancel'))
    if not reason or not reason.strip():
        raise WorkflowError(_('Give the reason for cancelling {number}.').format(number=decommission.number),
                            field='reason')
    if decommission.device_id and decommission.device_status_before:
        device = decommission.device
        device.snapshot()
        device.status = decommission.device_status_before
        device.save()
    decommission.cancel_reason = reason
    _move(decommission, Status.STATUS_CANCELLED, user, reason)
    return decommission


#
# Where a record stands
#

def next_step(decommission):
    """One sentence: what has to happen next, and who does it."""
    status = decommission.status
    documents = {d.kind: d for d in decommission.documents.all()}
    if status in (Status.STATUS_DRAFT, Status.STATUS_ORDERED, Status.STATUS_IN_STORAGE):
        kind = {Status.STATUS_DRAFT: Kind.KIND_ORDER, Status.STATUS_ORDERED: Kind.KIND_APPLICATION,
                Status.STATUS_IN_STORAGE: Kind.KIND_ACT}[status]
        document = documents.get(kind)
        if document is None and status == Status.STATUS_ORDERED:
            return _('Next: schedule the removal (set the planned window), which drafts the application.')
        if document is None:
            return _('The {document} has not been drafted; ask an administrator to check this record.').format(
                document=str(dict(Kind)[kind]).lower())
        missing = missing_signers(decommission, document)
        names = ', '.join(
            f'{dict(Role)[role]} ({user})' if user else str(dict(Role)[role]) + ' ' + _('(not named yet)')
            for role, user in missing
        )
        return _('Next: the {document} needs the signatures of {names}.').format(
            document=str(dict(Kind)[kind]).lower(), names=names)
    return {
        Status.STATUS_SCHEDULED: _('Next: back up the data and verify a restore, or waive the backup with a reason.'),
        Status.STATUS_BACKED_UP: _('Next: stop the services, notify the users, power off and disconnect the server.'),
        Status.STATUS_SHUT_DOWN: _('Next: remove the components, inspect and pack them, and give each a storage '
                                   'location; then finish the disassembly.'),
        Status.STATUS_DISASSEMBLED: _('Next: move the server to the removal zone and record its storage location.'),
        Status.STATUS_RETIRED: _('Next: verify that the device, its cables and addresses are gone, and close.'),
        Status.STATUS_CLOSED: _('Nothing: the decommission is closed.'),
        Status.STATUS_CANCELLED: _('Nothing: the decommission was cancelled.'),
    }[status]
