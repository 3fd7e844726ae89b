"""
Signing the three documents: in which stage each is signed, and what the last signature completes. The order is
drafted with the record (Decommission.save()), the application by scheduling, the act by storing the server.
"""
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from dcim.choices import DeviceStatusChoices

from ..choices import DecommissionStatusChoices as Status
from ..choices import DocumentKindChoices as Kind
from ..choices import SignatureRoleChoices as Role
from ..documents.issuing import discarded_on_error, freeze
from ..documents.signatories import sign_as
from ..documents.signers import document_label, missing_signers
from ..models import Decommission, Document, Signature
from ..plugin_settings import get_setting
from .errors import WorkflowError
from .retirement import retire_device
from .stages import SIGNED_AT_STAGE, advance, next_step, prepare, require_stage

__all__ = (
    'SIGNED_AT_STAGE',
    'SIGNING_STAGE',
    'STAGE_AFTER_SIGNING',
    'act_signed',
    'draft',
    'sign',
)

# Sent inside the signing transaction once the act's last required signature has retired the device, for other
# plugins to act on (a receiver that raises leaves the act unsigned). The plugin itself does not listen to it.
act_signed = Signal()

# The stage in which each document is signed, and the stage its completion leads to.
SIGNING_STAGE = {kind: stage for stage, kind in SIGNED_AT_STAGE.items()}
STAGE_AFTER_SIGNING = {Kind.KIND_ORDER: Status.STATUS_ORDERED, Kind.KIND_APPLICATION: Status.STATUS_SCHEDULED,
                       Kind.KIND_ACT: Status.STATUS_RETIRED}


def _holds_role(decommission, user, role):
    if role == Role.ROLE_HEAD:
        return decommission.head_id == user.pk
    if role == Role.ROLE_RESPONSIBLE:
        return decommission.responsible_id == user.pk
    return decommission.executors.filter(pk=user.pk).exists()


def draft(decommission, kind):
    document, _created = Document.objects.get_or_create(decommission=decommission, kind=kind)
    return document


def sign(decommission, user, document=None, role='', comment=''):
    """
    Sign a document in a role the user holds on the record; without a document, the one the record's stage signs.
    The last required signature completes the document and advances the stage; on the act it retires the device
    (retirement.retire_device). Signing again in the same role changes nothing.
    """
    frozen = []
    # The frozen copies are files, which a rollback does not remove: if the transaction fails, up to its
    # commit, they are removed here.
    with discarded_on_error(frozen):
        return _sign(decommission, user, document, role, comment, frozen)


@transaction.atomic
def _sign(decommission, user, document, role, comment, frozen):
    decommission = prepare(decommission)
    document = document or SIGNED_AT_STAGE.get(decommission.status, Kind.KIND_ORDER)
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
    if doc is None:
        raise WorkflowError(_(
            'Cannot sign the {document} of {number}: it has not been drafted yet (stage "{stage}"). {fix}'
        ).format(document=document_label(document), number=decommission.number,
                 stage=decommission.get_status_display(), fix=next_step(decommission)), field='document')
    require_stage(decommission, [SIGNING_STAGE[document]],
                  _('sign the {document}').format(document=document_label(document)))
    if not _holds_role(decommission, user, role):
        raise WorkflowError(_(
            'Cannot sign the {document} of {number} as {role}: {user} is not the {role} named on this '
            'decommission. Sign in a role you hold, or have the record edited to name you.'
        ).format(document=document_label(document), number=decommission.number, role=dict(Role)[role], user=user),
            field='role')
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
    Signature.objects.create(document=doc, role=role, user=user, comment=comment, **sign_as(user))
    if not missing_signers(decommission, doc):
        doc.signed_at = timezone.now()
        doc.save()
        frozen.extend(freeze(doc))
        _complete(decommission, doc, user, comment)
    return decommission


def _complete(decommission, document, user, comment):
    """What a completed document does: the order marks the device, the act retires it; each advances the stage."""
    if document.kind == Kind.KIND_ORDER and decommission.device_id:
        device = decommission.device
        device.snapshot()
        decommission.device_status_before = device.status
        device.status = DeviceStatusChoices.STATUS_DECOMMISSIONING
        device.save()
    if document.kind == Kind.KIND_ACT:
        retire_device(decommission, user)
        act_signed.send(sender=Decommission, decommission=decommission, user=user)
    advance(decommission, STAGE_AFTER_SIGNING[document.kind], user, comment)


# The steps signing makes, one per document, as the table of moves reads them.
sign.steps = tuple((SIGNING_STAGE[kind], STAGE_AFTER_SIGNING[kind]) for kind in SIGNING_STAGE)
