"""
Is this PDF a document this NetBox issued, unchanged? A frozen copy is identified by its SHA-256: any change to
the file, however small, gives another hash. A PDF that presents itself as one of our documents (its keywords
name the number) but matches no stored copy was modified after it was issued.
"""
import hashlib
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..choices import FixityStateChoices as FixityState
from ..models import Document, DocumentFile
from .fixity import classify

KEYWORD_PREFIX = 'netbox-decommission'


@dataclass
class Verification:
    valid: bool
    sha256: str
    message: str
    # The stored copy the PDF matches (valid), or None.
    file: DocumentFile | None = None
    # The document a modified PDF presents itself as, when that can be read from it.
    claimed: Document | None = None

    @property
    def document(self):
        return self.file.document if self.file else self.claimed


def _claimed_document(data):
    """The document a PDF names in its keywords (see documents/base.html), if it can be read at all."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        metadata = PdfReader(io.BytesIO(data)).metadata or {}
    except (PyPdfError, ValueError, KeyError, TypeError):
        return None
    keywords = [k.strip() for k in str(metadata.get('/Keywords') or '').split(',')]
    if len(keywords) < 3 or keywords[0] != KEYWORD_PREFIX:
        return None
    return Document.objects.select_related('decommission').filter(kind=keywords[1], number=keywords[2]).first()


def verify(data):
    sha256 = hashlib.sha256(data).hexdigest()
    if not data.startswith(b'%PDF-'):
        return Verification(False, sha256, _('The file is not a PDF. Upload the PDF of the document to verify.'))
    file = DocumentFile.objects.select_related('document__decommission').filter(sha256=sha256).first()
    if file is not None:
        document = file.document
        return Verification(True, sha256, _(
            'Genuine and unchanged: the {document} {number} of decommission {decommission}, issued by this NetBox '
            'on {date} ({language}).'
        ).format(document=str(document.get_kind_display()).lower(), number=document.number,
                 decommission=document.decommission.number, date=file.created.date().isoformat(),
                 language=file.get_language_display()), file=file)
    claimed = _claimed_document(data)
    if claimed is not None:
        names = {'document': str(claimed.get_kind_display()).lower(), 'number': claimed.number,
                 'decommission': claimed.decommission.number}
        if not claimed.is_signed:
            message = _('Not valid: this is a draft of the {document} {number} of decommission {decommission}, '
                        'which has not been signed by everyone yet.').format(**names)
        else:
            message = _('Modified: this PDF presents itself as the {document} {number} of decommission '
                        '{decommission}, but it matches no copy this NetBox issued; it was changed after it was '
                        'issued. Download the issued copy from the record to compare.').format(**names)
        return Verification(False, sha256, message, claimed=claimed)
    return Verification(False, sha256, _('Unknown: this PDF is not a document issued by this NetBox.'))


@dataclass
class CopyVerification:
    """What the document QR code opens: is the copy NetBox issued of a document in a language still genuine?"""
    genuine: bool
    message: str
    file: DocumentFile | None = None
    # The SHA-256 of the stored file now: differs from file.sha256 when it was altered; '' when it is missing.
    found_sha256: str = ''

    @property
    def state(self):
        """genuine, altered, missing, or not_issued (no issued copy: a draft)."""
        if self.file is None:
            return 'not_issued'
        if self.genuine:
            return 'genuine'
        return 'altered' if self.found_sha256 else 'missing'


def verify_copy(document, language):
    """The issued copy of ``document`` in ``language``, checked against the SHA-256 recorded when it was issued."""
    names = {'document': str(document.get_kind_display()).lower(), 'number': document.number,
             'decommission': document.decommission.number}
    frozen = document.files.filter(language=language).first()
    if frozen is None:
        return CopyVerification(False, _(
            'Not issued: the {document} {number} of decommission {decommission} has not been signed by everyone '
            'yet; a printed draft is not valid.').format(**names))
    names.update(language=frozen.get_language_display(), date=frozen.created.date().isoformat())
    finding = classify(frozen)
    found = finding.found_sha256 or ''
    if finding.state == FixityState.STATE_INTACT:
        return CopyVerification(True, _(
            'Genuine: the {document} {number} of decommission {decommission} ({language}), issued by this NetBox on '
            '{date}. The issued copy is stored unchanged; a printout or a PDF in your hands is genuine when it reads '
            'the same, or when its SHA-256 matches (verify the PDF below).').format(**names), frozen, found)
    if finding.state == FixityState.STATE_MISSING:
        return CopyVerification(False, _(
            'Missing: the {document} {number} of decommission {decommission} ({language}) was issued on {date}, but '
            'the stored copy is gone from the media storage. Restore it from the backup of NetBox\'s media folder.'
        ).format(**names), frozen, found)
    return CopyVerification(False, _(
        'Altered: the stored copy of the {document} {number} of decommission {decommission} ({language}), issued on '
        '{date}, no longer matches the SHA-256 recorded when it was issued. Restore it from the backup of NetBox\'s '
        'media folder, and find out who changed it.').format(**names), frozen, found)
