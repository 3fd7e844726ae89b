"""
The documents about a server's storage media: the certificate of sanitization (the NIST certificate in English, the
act of destruction of information media in Russian) and the extract from the event log. Each is printed for one
medium or for every medium of the server; the server's is kept (issued and frozen) when the record is closed, and
is handed out as that issued copy from then on.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..choices import DocumentKindChoices as Kind
from . import event_log_extract, sanitization
from .issuing import document_pdf

__all__ = ('EXTRACT', 'SANITIZATION', 'MediaDocument', 'media_document_pdf')


@dataclass(frozen=True)
class MediaDocument:
    kind: str
    # render(decommission, components, language) -> PDF bytes; filename(decommission, language, component=None).
    render: Callable
    filename: Callable
    # What a component that is not a storage medium is told ({component}).
    not_a_medium: str


SANITIZATION = MediaDocument(
    Kind.KIND_SANITIZATION, sanitization.render_sanitization_certificate, sanitization.filename,
    _('{component} is not a storage medium: only storage media get a certificate of sanitization.'),
)
EXTRACT = MediaDocument(
    Kind.KIND_EXTRACT, event_log_extract.render_extract, event_log_extract.filename,
    _('{component} is not a storage medium: only storage media get an extract from the event log.'),
)


def media_document_pdf(media_document, decommission, language, component=None):
    """
    The PDF of ``media_document`` for ``component``, or for every medium of ``decommission``: the copy issued at
    closing once there is one, rendered now otherwise. Raises issuing.FrozenCopyMissing for a lost issued copy.
    """
    if component is None:
        issued = decommission.documents.filter(kind=media_document.kind, signed_at__isnull=False).first()
        if issued is not None:
            issued.decommission = decommission
            return document_pdf(issued, language)
    media = sanitization.media(decommission)
    if component is not None:
        media = media.filter(pk=component.pk)
    return media_document.render(decommission, media, language)
