"""
The stages a decommission walks through, what each waits for (the next step), and the steps every move is made of:
lock the record, check that it is at a stage the move is made from, change its stage with the stage log entry and
the stage's event.
"""
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..choices import DecommissionStatusChoices as Status
from ..choices import DocumentKindChoices as Kind
from ..choices import SignatureRoleChoices as Role
from ..documents.signers import document_label, missing_signers
from ..events import emit_stage_change
from ..models import Decommission, StageChange
from .errors import WorkflowError

__all__ = (
    'CANCELLABLE',
    'STAGE_ORDER',
    'advance',
    'log_stage_change',
    'next_step',
    'prepare',
    'require_stage',
    'when',
)

STAGE_ORDER = [value for value, *_rest in Status.CHOICES]
# Every stage before the device left NetBox may be cancelled.
CANCELLABLE = STAGE_ORDER[:STAGE_ORDER.index(Status.STATUS_RETIRED)]


# The document signed at each signing stage: the stage waits for its signatures.
SIGNED_AT_STAGE = {Status.STATUS_DRAFT: Kind.KIND_ORDER, Status.STATUS_ORDERED: Kind.KIND_APPLICATION,
                   Status.STATUS_IN_STORAGE: Kind.KIND_ACT}
# What each stage waits for, when it is not the signatures of its document.
STAGE_NEEDS = {
    Status.STATUS_ORDERED: gettext_lazy(
        'Next: schedule the removal (set the planned window), which drafts the application.'),
    Status.STATUS_SCHEDULED: gettext_lazy(
        'Next: back up the data and verify a restore, or waive the backup with a reason.'),
    Status.STATUS_BACKED_UP: gettext_lazy(
        'Next: stop the services, notify the users, power off and disconnect the server.'),
    Status.STATUS_SHUT_DOWN: gettext_lazy(
        'Next: remove the components, inspect and pack them, and give each a storage location; then finish the '
        'disassembly.'),
    Status.STATUS_DISASSEMBLED: gettext_lazy(
        'Next: move the server to the removal zone and record its storage location.'),
    Status.STATUS_RETIRED: gettext_lazy(
        'Next: verify that the device, its cables and addresses are gone, and close.'),
    Status.STATUS_CLOSED: gettext_lazy('Nothing: the decommission is closed.'),
    Status.STATUS_CANCELLED: gettext_lazy('Nothing: the decommission was cancelled.'),
    Status.STATUS_RESTORED: gettext_lazy('Nothing: the device was restored from the snapshot.'),
}


def next_step(decommission):
    """One sentence: what has to happen next, and who does it."""
    status = decommission.status
    kind = SIGNED_AT_STAGE.get(status)
    document = next((d for d in decommission.documents.all() if d.kind == kind), None) if kind else None
    if document is not None:
        names = ', '.join(
            f'{dict(Role)[role]} ({user})' if user else str(dict(Role)[role]) + ' ' + _('(not named yet)')
            for role, user in missing_signers(decommission, document)
        )
        return _('Next: the {document} needs the signatures of {names}.').format(
            document=document_label(kind), names=names)
    if status in STAGE_NEEDS:
        return str(STAGE_NEEDS[status])
    return _('The {document} has not been drafted; ask an administrator to check this record.').format(
        document=document_label(kind))


def when(moment):
    """A date and time as people read it in messages and the stage log, in NetBox's time zone."""
    return timezone.localtime(moment).strftime('%Y-%m-%d %H:%M %Z')


def stage_label(status):
    return str(dict(Status)[status])


def prepare(decommission):
    """
    The decommission's current row, locked until the transaction ends (concurrent moves queue), with NetBox's
    pre-change snapshot for the change log.
    """
    locked = Decommission.objects.select_for_update().get(pk=decommission.pk)
    locked.snapshot()
    return locked


def require_stage(decommission, allowed, action):
    """Refuse the move unless the record is at one of the ``allowed`` stages; the refusal says what comes next."""
    if decommission.status not in allowed:
        expected = ', '.join(_('"{stage}"').format(stage=stage_label(s)) for s in allowed)
        raise WorkflowError(_(
            'Cannot {action}: decommission {number} is at stage "{stage}", but this needs stage {expected}. '
            '{fix}'
        ).format(
            action=action, number=decommission.number, stage=decommission.get_status_display(), expected=expected,
            fix=next_step(decommission),
        ))


def log_stage_change(decommission, from_status, user, comment=''):
    """The stage log entry and the stage's event of a change the caller has saved."""
    StageChange.objects.create(
        decommission=decommission, from_status=from_status, to_status=decommission.status, user=user,
        comment=comment,
    )
    emit_stage_change(decommission, from_status, user)


def advance(decommission, to_status, user, comment=''):
    """Move the record to ``to_status``: saved with whatever else the move changed on it, logged and announced."""
    from_status = decommission.status
    decommission.status = to_status
    decommission.save()
    log_stage_change(decommission, from_status, user, comment)
