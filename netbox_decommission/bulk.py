"""
Many decommissions at once: start them for a set of devices (a selection, or everything mounted in a rack), make
one workflow move on each of a selection, and bundle their documents into one ZIP archive.

Every record is handled in a transaction of its own, so a refusal on one is reported in its Result and leaves
the others done. The moves themselves are the workflow service's: nothing here decides whether a move is allowed.
"""
import io
import zipfile
from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dcim.models import Device
from users.models import User

from .choices import DecommissionStatusChoices as Status
from .choices import DocumentKindChoices as Kind
from .documents import issuing
from .models import Decommission, StorageLocation
from .workflow import FIELDS, MOVES, STAGE_ORDER, WorkflowError, next_step
from .workflow.table import FieldKind

__all__ = (
    'INLINE_LIMIT',
    'Result',
    'StartBatch',
    'apply_move',
    'documents_archive',
    'portable',
    'restored',
    'start_decommissions',
)

# Larger batches run as a background job: a request should not wait on dozens of transactions or PDF renders.
INLINE_LIMIT = 5

DOCUMENT_ORDER = [value for value, *_rest in Kind.CHOICES]


@dataclass
class Result:
    """What happened to one device or record of a batch."""
    ok: bool
    message: str
    device: str = ''
    device_id: int | None = None
    decommission_id: int | None = None
    number: str = ''
    url: str = ''

    @classmethod
    def of(cls, decommission, ok, message, device=None):
        return cls(
            ok=ok, message=message, device=str(device or decommission.device_name), decommission_id=decommission.pk,
            device_id=device.pk if device else decommission.device_pk, number=decommission.number,
            url=decommission.get_absolute_url(),
        )

    def as_dict(self):
        return asdict(self)


def _messages(error):
    return ' '.join(str(message) for message in error.messages)


class StartBatch:
    """
    What every record of a batch start shares, resolved once for the batch instead of once per record: the devices
    as the database has them with what a record freezes of them, which of the named users exist (full_clean() would
    look each one up for each record), and whether the user's "add" permission constrains the records at all.
    """

    def __init__(self, devices, user, people):
        self.devices = Device.objects.select_related(*Decommission.FROZEN_DEVICE_RELATIONS).in_bulk(
            [device.pk for device in devices])
        named = {person.pk for person in people.values() if person is not None}
        existing = set(User.objects.filter(pk__in=named).values_list('pk', flat=True)) if named else set()
        # Fields whose value is known to exist need no look-up per record; the others are validated as ever.
        self.people_checked = [name for name, person in people.items() if person is None or person.pk in existing]
        self.permitted = Decommission.objects.restrict(user, 'add')
        # A superuser, or a permission without constraints: restricting adds no condition, so every saved record is
        # within it and the check per record would find what is known.
        self.unconditional = not self.permitted.query.where

    def device(self, device):
        """The device as loaded for the batch (or as given, if it is gone: full_clean() then says so)."""
        return self.devices.get(device.pk, device)

    @staticmethod
    def lock(device):
        """
        Lock the device's row until the record's transaction ends, so that two batches never start two
        decommissions of it at once: the one that waits then finds the other's open one (clean()). False if the
        device is gone.
        """
        return Device.objects.select_for_update(of=('self',)).filter(pk=device.pk).values_list('pk').exists()

    def checked_fields(self, device):
        """
        The fields full_clean() may leave out: those resolved for the batch, and an empty number (the number is
        allocated at saving, skipping numbers taken). The device leaves with its look-up its part of the unique
        open-device constraint, which clean() checks itself.
        """
        return [*self.people_checked, 'number', *(['device'] if device.pk in self.devices else [])]

    def permits(self, decommission):
        return self.unconditional or self.permitted.filter(pk=decommission.pk).exists()


def start_decommissions(devices, user, *, reason, reason_text='', head=None, responsible=None, executors=(),
                        planned_start=None, planned_end=None, on_result=None):
    """
    Start a decommission of each device with the shared fields, each in its own transaction under the device's row
    lock. A device that is refused (it already has an open decommission, the user may not add this one, it is
    gone, ...) is reported; the others are started. ``on_result(result)`` is called after each device.
    """
    results = []
    executors = list(executors)
    devices = list(devices)
    batch = StartBatch(devices, user, {'requested_by': user, 'head': head, 'responsible': responsible})
    for device in devices:
        try:
            with transaction.atomic():
                if not batch.lock(device):
                    raise Device.DoesNotExist
                decommission = Decommission(
                    device=batch.device(device), reason=reason, reason_text=reason_text, head=head,
                    responsible=responsible, planned_start=planned_start, planned_end=planned_end, requested_by=user,
                )
                decommission.full_clean(exclude=batch.checked_fields(device))
                decommission.save()
                if executors:
                    # A new record has none: add() sends the signals set() would, without reading them first.
                    decommission.executors.add(*executors)
                # Object permissions may be constrained (e.g. to some sites): check the saved record, as NetBox's
                # edit views do, and roll it back when it falls outside them.
                if not batch.permits(decommission):
                    raise PermissionDenied(_('You may not start a decommission of {device}.').format(device=device))
        except Device.DoesNotExist:
            result = Result(ok=False, message=_('{record} no longer exists.').format(record=device),
                            device=str(device), device_id=device.pk)
        except ValidationError as e:
            result = Result(ok=False, message=_messages(e), device=str(device), device_id=device.pk)
        except PermissionDenied as e:
            result = Result(ok=False, message=str(e), device=str(device), device_id=device.pk)
        else:
            result = Result.of(decommission, True, _('{number} started: the order is drafted.').format(
                number=decommission.number), device=device)
        results.append(result)
        if on_result:
            on_result(result)
    return results


def already_made(decommission, move):
    """
    Whether the record is past the one stage the move is made from (a cancelled one: only for cancelling), so that
    running a batch again after it stopped midway changes only what is left. A repeated signature is a no-op of
    the workflow's own.
    """
    if decommission.status == Status.STATUS_CANCELLED:
        return move.cancels
    if len(move.made_from) != 1:
        return False
    return STAGE_ORDER.index(decommission.status) > STAGE_ORDER.index(move.made_from[0])


def portable(params):
    """A batch's parameters as a background job keeps them: objects by their id."""
    return {name: value.pk if FIELDS[name].kind == FieldKind.STORAGE_LOCATION and value else value
            for name, value in params.items()}


def restored(params):
    """The parameters a job kept (portable()), with their objects again."""
    return {
        name: StorageLocation.objects.filter(pk=value).first()
        if FIELDS[name].kind == FieldKind.STORAGE_LOCATION and value else value
        for name, value in params.items()
    }


def apply_move(decommissions, user, move, on_result=None, **params):
    """
    Make one workflow move on each decommission with the shared parameters. A record the user lacks the move's
    permission on, or that the workflow refuses, is reported with the reason and left unchanged; one that had
    the move made already is reported as done and left unchanged.
    """
    move = MOVES[move]
    decommissions = list(decommissions)
    permitted = set(
        Decommission.objects.restrict(user, move.permission)
        .filter(pk__in=[d.pk for d in decommissions]).values_list('pk', flat=True)
    )
    results = []
    for decommission in decommissions:
        if decommission.pk not in permitted:
            result = Result.of(decommission, False, _(
                'You do not have the "{permission}" permission on {number}.'
            ).format(permission=move.permission, number=decommission.number))
        elif already_made(decommission, move):
            result = Result.of(decommission, True, _(
                '{number}: already past this move (stage "{stage}"); left as it is.'
            ).format(number=decommission.number, stage=decommission.get_status_display()))
        else:
            before = decommission.status
            try:
                # A batch form or request carries the fields of every move; the move takes its own.
                updated = move.perform(decommission, user, params)
            except WorkflowError as e:
                result = Result.of(decommission, False, e.message)
            except ValidationError as e:
                result = Result.of(decommission, False, _messages(e))
            else:
                if updated.status != before:
                    message = _('{number}: moved to stage "{stage}".').format(
                        number=updated.number, stage=updated.get_status_display())
                else:
                    message = _('{number}: done; still at stage "{stage}". {next}').format(
                        number=updated.number, stage=updated.get_status_display(), next=next_step(updated))
                result = Result.of(updated, True, message)
        results.append(result)
        if on_result:
            on_result(result)
    return results


def archive_name(document, language):
    return f'{document.decommission.number}/{issuing.filename(document, language)}'


def documents_archive(decommissions, languages, on_progress=None, on_missing=None):
    """
    A ZIP of every drafted, signed or issued document of the decommissions in each language, one folder per record:
    ``DC-2026-00001/ORD-2026-00001_ru.pdf``. Signed documents and those issued at closing (the report, ...) are
    their frozen copies.
    ``on_progress(done, total)`` is called after each record. A frozen copy whose file is missing from the media
    storage does not stop the archive: a text file in its place (``ORD-2026-00001_ru.pdf.missing.txt``) says what to
    restore, and ``on_missing(message)`` is called with the same words.
    """
    decommissions = list(decommissions)
    buffer = io.BytesIO()
    # PDFs are compressed already.
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_STORED) as archive:
        for done, decommission in enumerate(decommissions, start=1):
            documents = sorted(decommission.documents.all(), key=lambda d: DOCUMENT_ORDER.index(d.kind))
            for document in documents:
                document.decommission = decommission
                for language in languages:
                    name = archive_name(document, language)
                    try:
                        archive.writestr(name, issuing.document_pdf(document, language))
                    except issuing.FrozenCopyMissing as e:
                        archive.writestr(f'{name}.missing.txt', str(e))
                        if on_missing:
                            on_missing(str(e))
            if on_progress:
                on_progress(done, len(decommissions))
    return buffer.getvalue()
