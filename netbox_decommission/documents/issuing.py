"""
The documents as PDFs: what the order, the application and the act print (from the record's frozen data only, so
they render after the device is gone), how each kind is rendered (the documents issued at closing have modules of
their own: sanitization, report), drafts rendered on request, and the frozen copies stored once a document has all
its signatures or is issued.
"""
import hashlib
from contextlib import contextmanager
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..choices import DocumentKindChoices as Kind
from ..choices import SignatureRoleChoices as Role
from ..models import Document, DocumentFile
from ..plugin_settings import DOCUMENT_LANGUAGES, get_setting
from . import event_log_extract, pades, report, sanitization
from .formatting import day, document_date, moment, person
from .rendering import render_pdf
from .requisites import requisites
from .signatories import position
from .signers import required_signers

TEMPLATES = {
    Kind.KIND_ORDER: 'netbox_decommission/documents/order.html',
    Kind.KIND_APPLICATION: 'netbox_decommission/documents/application.html',
    Kind.KIND_ACT: 'netbox_decommission/documents/act.html',
}

# The capacity each signer signs a document in, as the document prints it.
CAPACITIES = {
    (Kind.KIND_ORDER, Role.ROLE_HEAD): _('Head of the organization or department'),
    (Kind.KIND_ORDER, Role.ROLE_RESPONSIBLE): _('Responsible for the removal (co-signs)'),
    (Kind.KIND_APPLICATION, Role.ROLE_HEAD): _('Head of the organization or department'),
    (Kind.KIND_ACT, Role.ROLE_EXECUTOR): _('Removed the server'),
    (Kind.KIND_ACT, Role.ROLE_HEAD): pgettext_lazy('act signer', 'Head of the organization or department (approves)'),
}


def signature_blocks(document):
    """
    Every required signer with their signature, if given, then any signature given in another capacity. A given
    signature prints the full name and position kept with it; a signature still owed, the signer's as they are now.
    """
    decommission = document.decommission
    given = {(s.role, s.user_id): s for s in document.signatures.all()}
    blocks = []
    for role, user in required_signers(decommission, document.kind):
        signature = given.pop((role, user.pk), None) if user else None
        blocks.append(_signature_block(CAPACITIES.get((document.kind, role), dict(Role)[role]), role, user, signature))
    for signature in given.values():
        blocks.append(_signature_block(dict(Role)[signature.role], signature.role, signature.user, signature))
    return blocks


def _signature_block(capacity, role, user, signature):
    return {
        'capacity': capacity,
        'role': role,
        'name': (signature.full_name if signature and signature.full_name else person(user))
        or _('(not named yet)'),
        'position': signature.position if signature and signature.full_name else position(user),
        'signature': signature,
        'signed_at': moment(signature.signed_at) if signature else '',
        'signed_on': day(signature.signed_at) if signature else '',
    }


# Rows per page of the act's attachment, so that «Sheet N of M» is known while the template is rendered (a row
# holds one line of each column at the attachment's font size).
ATTACHMENT_ROWS_PER_PAGE = 22


def attachment_pages(decommission):
    """The act's attachment, the list of removed components, as its pages: [{'number', 'offset', 'rows'}]."""
    components = list(decommission.components.select_related('manufacturer', 'storage_location__site')
                      .order_by('kind', 'name', 'pk'))
    return [
        {'number': index + 1, 'offset': start, 'rows': components[start:start + ATTACHMENT_ROWS_PER_PAGE]}
        for index, start in enumerate(range(0, len(components), ATTACHMENT_ROWS_PER_PAGE))
    ]


def document_context(document, language):
    """What the templates print. Values that depend on the language are formatted while it is active."""
    decommission = document.decommission
    order = next((d for d in decommission.documents.all() if d.kind == Kind.KIND_ORDER), None)
    planned = ''
    if decommission.planned_start and decommission.planned_end:
        planned = f'{moment(decommission.planned_start)} – {moment(decommission.planned_end)}'
    logo = get_setting('document_logo')
    blocks = signature_blocks(document)
    pages = attachment_pages(decommission) if document.kind == Kind.KIND_ACT else []
    return {
        'document': document,
        'decommission': decommission,
        'document_date': day(document_date(document)),
        'order_number': order.number if order else '—',
        'responsible': person(decommission.responsible),
        'executors': [person(user) for user in decommission.executors.all()],
        'planned_window': planned,
        'removed_at': moment(decommission.removed_at),
        'component_count': sum(len(page['rows']) for page in pages) if pages else decommission.components.count(),
        'signature_blocks': blocks,
        # The act is approved by the head («УТВЕРЖДАЮ»): their block, printed as the approval stamp.
        'approval': next((b for b in blocks if b['role'] == Role.ROLE_HEAD), None)
        if document.kind == Kind.KIND_ACT else None,
        'attachment_pages': pages,
        'signed_at': moment(document.signed_at),
        'generated_at': moment(timezone.now()),
        'logo_url': Path(logo).resolve().as_uri() if logo else '',
        **requisites(document, language),
    }


def render_signed_document(document, language):
    """The order, the application or the act as a PDF."""
    with translation.override(language):
        context = document_context(document, language)
    return render_pdf(TEMPLATES[document.kind], context, language)


def render_sanitization_document(document, language):
    """The media of the whole server: the NIST certificate (en) or the act of destruction (ru)."""
    decommission = document.decommission
    return sanitization.render_sanitization_certificate(decommission, sanitization.media(decommission), language,
                                                        document)


# How each kind of document is rendered: render(document, language) -> PDF bytes.
RENDERERS = {
    Kind.KIND_ORDER: render_signed_document,
    Kind.KIND_APPLICATION: render_signed_document,
    Kind.KIND_ACT: render_signed_document,
    Kind.KIND_SANITIZATION: render_sanitization_document,
    Kind.KIND_EXTRACT: event_log_extract.render_document,
    Kind.KIND_REPORT: report.render_document,
}


# The documents issued at closing only for some records: whether ``decommission`` gets one.
def _has_media(decommission):
    return sanitization.media(decommission).exists()


ISSUED_WHEN = {Kind.KIND_SANITIZATION: _has_media, Kind.KIND_EXTRACT: _has_media}


def render_document(document, language):
    """The document as a PDF in ``language``, rendered now: a draft, or the basis of a frozen copy."""
    return RENDERERS[document.kind](document, language)


def issue_closing_documents(decommission):
    """
    Number, date and freeze the documents NetBox issues when a decommission is closed (nobody signs them: they
    record what was signed and done). Runs in the transaction of the close; returns the names of the stored files,
    for discarded_on_error().
    """
    stored = []
    with discarded_on_error(stored):
        for kind in Kind.ISSUED_AT_CLOSE:
            if kind not in RENDERERS or not ISSUED_WHEN.get(kind, bool)(decommission):
                continue
            if decommission.documents.filter(kind=kind).exists():
                continue
            document = Document.objects.create(decommission=decommission, kind=kind, signed_at=timezone.now())
            stored.extend(freeze(document))
    return stored


def not_issued_message(decommission, kind):
    """Why ``decommission`` has no document of ``kind``, one of those issued at closing."""
    label = str(dict(Kind)[kind]).lower()
    if decommission.is_open:
        return _('The {document} of {number} is issued when the decommission is closed; it is at stage "{stage}".'
                 ).format(document=label, number=decommission.number, stage=decommission.get_status_display())
    return _('{number} has no {document}: it was not issued when the decommission was closed (it is issued only '
             'when there is something to record), or the decommission was cancelled.'
             ).format(document=label, number=decommission.number)


def filename(document, language):
    return f'{document.number}_{language}.pdf'


def freeze(document):
    """
    Store the completed document in every language, digitally signed when a signing key is configured, with
    its SHA-256. Runs in the transaction of the last signature: if anything fails, the signature is not given.
    Returns the names of the stored files, for discarded_on_error().
    """
    stored = []
    with discarded_on_error(stored):
        for language in DOCUMENT_LANGUAGES:
            _freeze_copy(document, language, stored)
    return stored


@contextmanager
def discarded_on_error(names):
    """
    Remove the stored files if the block raises: the transaction that records them is then rolled back, and the
    storage is not transactional.
    """
    try:
        yield
    except BaseException:
        storage = DocumentFile._meta.get_field('file').storage
        for name in names:
            storage.delete(name)
        raise


def _freeze_copy(document, language, stored):
    data = render_document(document, language)
    digitally_signed = pades.signing_configured()
    if digitally_signed:
        data = pades.sign_pdf(
            data,
            reason=f'{dict(Kind)[document.kind]} {document.number}',
            location=document.decommission.organization,
            name=document.decommission.organization,
        )
    sha256 = hashlib.sha256(data).hexdigest()
    frozen = DocumentFile(document=document, language=language, sha256=sha256, size=len(data),
                          digitally_signed=digitally_signed)
    frozen.file.save(f'{document.number}_{language}_{sha256[:12]}.pdf', ContentFile(data), save=False)
    stored.append(frozen.file.name)
    frozen.save()


class FrozenCopyMissing(Exception):
    """
    A signed document's frozen copy is recorded in the database but its file is not in the media storage: a
    database restored without its media folder. The copy cannot be rendered again (it would not be the issued
    document, nor match its SHA-256); only the backup has it.
    """

    def __init__(self, frozen):
        self.file = frozen
        super().__init__(missing_copy_message(frozen))


def stored_path(frozen):
    """Where the storage keeps the file: the full path on disk, or its name in a storage without local files."""
    if isinstance(frozen.file.storage, FileSystemStorage):
        return frozen.file.path
    return frozen.file.name


def is_stored(frozen):
    return frozen.file.storage.exists(frozen.file.name)


def missing_copy_message(frozen):
    document = frozen.document
    return _(
        'The signed {document} {number} ({language}) cannot be handed out: the database records its frozen copy '
        'with SHA-256 {sha256}, but the file is missing from the media storage. Restore {name} from the backup of '
        "NetBox's media folder to {path}; the restored file must have this SHA-256."
    ).format(document=str(document.get_kind_display()).lower(), number=document.number,
             language=frozen.get_language_display(), sha256=frozen.sha256, name=frozen.file.name,
             path=stored_path(frozen))


def missing_copies(document):
    """{language: message} for each frozen copy of ``document`` whose file is not in the storage."""
    return {frozen.language: missing_copy_message(frozen) for frozen in document.files.all() if not is_stored(frozen)}


def document_pdf(document, language):
    """
    The PDF to hand out: the frozen copy of a signed document, or a draft rendered now. A document signed
    before documents were frozen is frozen on its first request. Raises FrozenCopyMissing when the stored file
    of a frozen copy is gone.
    """
    if not document.is_signed:
        return render_document(document, language)
    frozen = document.files.filter(language=language).first()
    if frozen is None:
        stored = []
        with discarded_on_error(stored), transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=document.pk)
            if not locked.files.exists():
                stored.extend(freeze(locked))
        frozen = document.files.get(language=language)
    try:
        with frozen.file.open('rb') as f:
            return f.read()
    except FileNotFoundError as e:
        raise FrozenCopyMissing(frozen) from e

