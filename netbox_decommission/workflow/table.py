"""
The table of moves: every workflow move, once. An entry names the move, its service function (whose declared steps
say the stages it connects), the permission it needs, its input fields, and how people see it (label, icon,
colour, who usually makes it). From this table come the web UI's move views, forms and buttons, the REST
API's move actions and their request bodies, the batch move (UI, REST, job), the stage diagram
and the endpoint table of docs/api.md, and the tests' walker.

Adding a move: an entry here, its service function (moves.py, or a module of its own), and its translations.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..calendar import conflicts
from ..choices import BackupMethodChoices, DocumentKindChoices, SignatureRoleChoices, SignedDocumentKindChoices
from ..choices import DecommissionStatusChoices as Status
from ..choices import SignatureRoleChoices as Role
from ..documents import signers
from ..models import Decommission, Signature
from . import moves, restore, signing
from .stages import SIGNED_AT_STAGE

__all__ = (
    'FIELDS',
    'MOVES',
    'Field',
    'FieldKind',
    'Move',
    'Offer',
    'awaited_move',
    'moves_from',
)


class FieldKind:
    """What a field holds; the form and the REST body make their own field of each kind."""
    TEXT = 'text'
    NOTE = 'note'  # several lines
    CHOICE = 'choice'
    FLAG = 'flag'
    MOMENT = 'moment'
    AMOUNT = 'amount'  # a non-negative decimal with two places
    STORAGE_LOCATION = 'storage_location'  # a StorageLocation; the REST API takes its id


@dataclass(frozen=True)
class Field:
    """One input of a move, as the service function takes it (by name)."""
    name: str
    kind: str
    label: str
    required: bool = False
    help_text: str = ''
    choices: type | None = None
    max_length: int | None = None
    # The fieldset the move's form shows it in.
    group: str = ''
    # What a batch does when the field is left empty, where that differs from the single move.
    batch_help_text: str = ''
    # The values (CHOICE) or the filter (STORAGE_LOCATION) the form offers this user on this record; None for all.
    scope: Callable | None = None
    # A value that works, for docs/api.md and the tests' walker.
    example: object = None


@dataclass(frozen=True)
class Offer:
    """A button of a move: its label and the values it fills in the move's form."""
    label: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Move:
    name: str
    service: Callable
    label: str
    icon: str
    summary: str
    color: str = 'primary'
    # "sign" or "change": the action of the ObjectPermission the user needs on the record.
    permission: str = 'change'
    fields: tuple = ()
    # The comment kept in the stage log; None when the move takes none (cancelling keeps its reason there).
    comment: Field | None = None
    # The role that usually makes the move (None: each signer in turn).
    performed_by: str | None = Role.ROLE_HEAD
    # (decommission, user) -> the form's initial values.
    prefill: Callable | None = None
    # (decommission, user, documents) -> the buttons offered now; by default one, labelled with the move's label.
    offers: Callable | None = None
    # (before, decommission, data) -> the message shown once the move is made; by default the stage it reached.
    done_message: Callable | None = None
    # (decommission) -> what the move would do, shown on its form for the user to confirm (None: nothing to show).
    preview: Callable | None = None
    # (decommission, user) -> warnings about the record as the move leaves it (or, on the form, as it stands): shown
    # after the move, on its form and in its REST answer ("warnings"); they never refuse the move.
    warnings: Callable | None = None

    @property
    def steps(self):
        """(from stage, to stage) pairs, as the service function declares them."""
        return tuple(self.service.steps)

    @property
    def made_from(self):
        return tuple(dict.fromkeys(stage for stage, _to in self.steps))

    @property
    def cancels(self):
        return all(to == Status.STATUS_CANCELLED for _from, to in self.steps)

    @property
    def inputs(self):
        """Every field the service function takes, the comment included."""
        return self.fields + ((self.comment,) if self.comment else ())

    @property
    def permission_name(self):
        return f'netbox_decommission.{self.permission}_decommission'

    @property
    def viewname(self):
        return f'plugins:netbox_decommission:decommission_{self.name}'

    @property
    def api_viewname(self):
        return f'plugins-api:netbox_decommission-api:decommission-{self.name}'

    def perform(self, decommission, user, data):
        """Run the service function with the values of the move's inputs found in ``data``."""
        return self.service(decommission, user, **{f.name: data[f.name] for f in self.inputs if f.name in data})

    def warnings_for(self, decommission, user):
        """The move's warnings about ``decommission`` (an empty list for a move without any)."""
        return [str(message) for message in self.warnings(decommission, user)] if self.warnings else []


COMMENT = Field('comment', FieldKind.NOTE, _('Comment'), help_text=_('Recorded in the stage log'))


#
# The hooks of the entries: what the forms start from, which buttons a record offers, what a done move says.
#

def _signature_prefill(decommission, user):
    """The document of the current stage, and the first role in which the user still owes it a signature."""
    kind = SIGNED_AT_STAGE.get(decommission.status)
    if kind is None:
        return {}
    document = decommission.documents.filter(kind=kind).first()
    owed = signers.owed_roles(decommission, user, document) if document else []
    return {'document': kind, 'role': owed[0]} if owed else {'document': kind}


def _signature_offers(decommission, user, documents):
    """One button per role in which the user still owes the current stage's document a signature."""
    kind = SIGNED_AT_STAGE.get(decommission.status)
    if kind not in documents:
        return []
    return [
        Offer(_('Sign the {document} as {role}').format(
            document=signers.document_label(kind), role=str(dict(SignatureRoleChoices)[role]).lower()),
            {'document': kind, 'role': role})
        for role in signers.owed_roles(decommission, user, documents[kind])
    ]


def _signature_done(before, decommission, data):
    document = signers.document_label(data['document'])
    role = str(dict(SignatureRoleChoices)[data['role']]).lower()
    if decommission.status != before:
        return _('Signed the {document} as {role}: the {document} is complete, {number} moved to stage '
                 '"{stage}".').format(document=document, role=role, number=decommission.number,
                                      stage=decommission.get_status_display())
    return _('Signed the {document} of {number} as {role}.').format(
        document=document, number=decommission.number, role=role)


def _held_roles(decommission, user):
    # Holding none, the user may still pick one and read the workflow's explanation of why it is refused.
    return signers.held_roles(decommission, user) or None


def _window_prefill(decommission, user):
    """A window entered with the record (or an earlier schedule) is the starting point."""
    return {'planned_start': decommission.planned_start, 'planned_end': decommission.planned_end}


def _window_offers(decommission, user, documents):
    # Once the application is drafted, the window is changed rather than set.
    if DocumentKindChoices.KIND_APPLICATION in documents:
        return [Offer(_('Change the window'))]
    return [Offer(SCHEDULE_LABEL)]


def _site_of_record(decommission, user):
    """The server stays on its site: only that site's storage locations."""
    return {'site_id': decommission.site_id} if decommission.site_id else None


def _storage_prefill(decommission, user):
    return {'storage_location': decommission.storage_location_id} if decommission.storage_location_id else {}


def _checklist_item(name):
    return Field(name, FieldKind.FLAG, Decommission._meta.get_field(name).verbose_name, group=_('Checklist'),
                 example=True)


def _text(name, label, model_field, **attrs):
    return Field(name, FieldKind.TEXT, label, max_length=Decommission._meta.get_field(model_field).max_length, **attrs)


SCHEDULE_LABEL = _('Schedule the removal')
WINDOW = _('Planned window of the removal')
VERIFIED_BACKUP = _('Verified backup')

MOVES = {move.name: move for move in (
    Move(
        'sign', signing.sign, _('Sign'), 'draw-pen', permission='sign', performed_by=None,
        summary=_('sign the order, the application or the act in a role the record names you in'),
        fields=(
            Field('document', FieldKind.CHOICE, _('Document'), required=True, choices=SignedDocumentKindChoices,
                  group=_('Signature'), example=DocumentKindChoices.KIND_ORDER,
                  batch_help_text=_("Leave empty to sign the document of each record's current stage")),
            Field('role', FieldKind.CHOICE, _('Role'), required=True, choices=SignatureRoleChoices,
                  group=_('Signature'), help_text=_('You sign only in a role the decommission names you in'),
                  scope=_held_roles,
                  example=Role.ROLE_HEAD),
        ),
        comment=Field('comment', FieldKind.TEXT, _('Comment'), group=_('Signature'),
                      max_length=Signature._meta.get_field('comment').max_length,
                      help_text=_('Kept with the signature and recorded in the stage log')),
        prefill=_signature_prefill, offers=_signature_offers, done_message=_signature_done,
    ),
    Move(
        'schedule', moves.schedule, SCHEDULE_LABEL, 'calendar-clock',
        summary=_('set the planned window and draft the application'),
        fields=(
            Field('planned_start', FieldKind.MOMENT, _('Planned start'), required=True, group=WINDOW,
                  example='2026-12-05T22:00:00Z'),
            Field('planned_end', FieldKind.MOMENT, _('Planned end'), required=True, group=WINDOW,
                  example='2026-12-06T02:00:00Z'),
        ),
        comment=COMMENT,
        prefill=_window_prefill, offers=_window_offers, warnings=conflicts.window_conflicts,
        done_message=lambda before, decommission, data: _(
            '{number}: planned window set; the application is drafted and awaits signing.').format(
            number=decommission.number),
    ),
    Move(
        'backup', moves.record_backup, _('Record the backup'), 'backup-restore', performed_by=Role.ROLE_RESPONSIBLE,
        summary=_('record the verified backup, or the waiver'),
        fields=(
            Field('method', FieldKind.CHOICE, _('Method'), choices=BackupMethodChoices, group=VERIFIED_BACKUP,
                  example='network'),
            _text('target', _('Target'), 'backup_target', help_text=_('Where the backup is kept'),
                  group=VERIFIED_BACKUP, example='backup01:/srv/backup/msk1-app-12'),
            Field('size_gb', FieldKind.AMOUNT, _('Size (GB)'), group=VERIFIED_BACKUP, example='250'),
            Field('verified', FieldKind.FLAG, _('Restore tested'), group=VERIFIED_BACKUP,
                  help_text=_('A restore from this backup was tried and works'), example=True),
            Field('waiver_reason', FieldKind.NOTE, _('Waiver reason'), group=_('Or waive the backup'),
                  help_text=_('Instead of a backup: why none is needed (e.g. the server holds no data)')),
        ),
        comment=COMMENT,
    ),
    Move(
        'shutdown', moves.shut_down, _('Confirm the shutdown'), 'power', performed_by=Role.ROLE_EXECUTOR,
        summary=_('confirm the shutdown checklist'),
        fields=tuple(_checklist_item(name) for name in moves.SHUTDOWN_CHECKLIST) + (
            _text('clone_medium', _('Clone medium'), 'clone_medium', group=pgettext_lazy('backup method', 'Clone'),
                  help_text=_('Reliable medium the server was cloned to, if it was cloned')),
        ),
        comment=COMMENT,
    ),
    Move(
        'disassemble', moves.disassemble, _('Finish the disassembly'), 'wrench', performed_by=Role.ROLE_EXECUTOR,
        summary=_('close the disassembly: every removed component inspected, packed and stored'),
        comment=COMMENT,
    ),
    Move(
        'store', moves.store, _('Move to storage'), 'warehouse', performed_by=Role.ROLE_EXECUTOR,
        summary=_('move the server to storage; drafts the act'),
        fields=(
            Field('storage_location', FieldKind.STORAGE_LOCATION, _('Storage location'), required=True,
                  help_text=_('The removal zone the server was moved to'), group=_('Server storage'),
                  scope=_site_of_record, example=1),
            Field('removed_at', FieldKind.MOMENT, _('Actual removal time'), help_text=_('Leave empty for now'),
                  group=_('Server storage')),
        ),
        comment=COMMENT,
        prefill=_storage_prefill,
        done_message=lambda before, decommission, data: _(
            '{number}: the server is in {location}; the act is drafted and awaits signing.').format(
            number=decommission.number, location=decommission.storage_location),
    ),
    Move(
        'close', moves.close, _('Close'), 'check-all', color='success',
        summary=_('close a retired record once the verification checks pass'),
        fields=(
            # No example: the tests' walker would override every check it closes through.
            Field('network_check_override', FieldKind.NOTE, _('Override of the network check'),
                  group=_('Network check'),
                  help_text=_('Only if former addresses of the server still answer and the record is to be closed '
                              'all the same: why (e.g. the address now belongs to another server). Recorded with '
                              "the check's results.")),
        ),
        comment=COMMENT,
    ),
    Move(
        'restore', restore.restore, _('Restore the device'), 'restore', color='warning', permission='restore',
        summary=_('bring the retired device back into NetBox from its snapshot, with a report of what could not'),
        comment=COMMENT,
        preview=lambda decommission: restore.report_of(restore.preview(decommission)),
        done_message=lambda before, decommission, data: _(
            '{number}: {device} is back in NetBox; {restored} object(s) restored, {left} not restored (see the '
            'restore report).').format(
            number=decommission.number, device=decommission.device,
            restored=len(decommission.restore_report['restored']),
            left=len(decommission.restore_report['not_restored'])),
    ),
    Move(
        'cancel', moves.cancel, _('Cancel decommission'), 'cancel', color='danger',
        summary=_('cancel, with a reason, any stage before retirement; the device gets its status back'),
        fields=(
            Field('reason', FieldKind.NOTE, _('Reason'), required=True, example='The application stays in service',
                  help_text=_('Why the server is not decommissioned after all; recorded in the stage log')),
        ),
        done_message=lambda before, decommission, data: _('{number} is cancelled.').format(
            number=decommission.number),
    ),
)}

# Every input of every move, by name: a batch form or request carries them all, and each move takes its own.
FIELDS = {f.name: f for move in MOVES.values() for f in move.inputs}


def moves_from(status):
    """The moves that can be made at a stage, in the table's order."""
    return [move for move in MOVES.values() if status in move.made_from]


def awaited_move(status):
    """The move a stage waits for, other than its document's signatures (made each by its signer) and cancelling."""
    return next((move for move in moves_from(status) if move.performed_by and not move.cancels), None)
