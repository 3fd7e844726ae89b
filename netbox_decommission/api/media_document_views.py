"""
The documents about storage media in the REST API, for one medium or every medium of a server:
GET removed-components/{id}/sanitization-certificate.pdf and decommissions/{id}/sanitization-certificate.pdf
(``?lang=en`` the NIST certificate, ``?lang=ru`` the Russian act of destruction of information media), and
.../event-log-extract.pdf (the extract from the event log). A closed record's answers are the copies issued at
closing.
"""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from ..documents import issuing, sanitization
from ..documents.media_documents import EXTRACT, SANITIZATION, media_document_pdf
from ..documents.rendering import pdf_response
from ..models import RemovedComponent
from ..plugin_settings import DOCUMENT_LANGUAGES
from .workflow_views import PDFView


def _not_found(message):
    return Response({'detail': message}, status=status.HTTP_404_NOT_FOUND)


def _pdf(media_document, decommission, language, component=None):
    try:
        data = media_document_pdf(media_document, decommission, language, component)
    except issuing.FrozenCopyMissing as e:
        return Response({'detail': str(e), 'sha256': e.file.sha256, 'file': e.file.file.name},
                        status=status.HTTP_410_GONE)
    return pdf_response(data, media_document.filename(decommission, language, component))


class DecommissionMediaDocumentPDFView(PDFView):
    """One document for every storage medium removed from the server."""
    media_document = None

    def pdf(self, request, decommission, language):
        if not sanitization.media(decommission).exists():
            return _not_found(_('No storage media were removed from the server of {number}: there is nothing to '
                                'certify.').format(number=decommission.number))
        return _pdf(self.media_document, decommission, language)


class DecommissionSanitizationPDFView(DecommissionMediaDocumentPDFView):
    """The certificate of sanitization of every storage medium removed from the server."""
    media_document = SANITIZATION


class DecommissionEventLogExtractPDFView(DecommissionMediaDocumentPDFView):
    """The extract from the event log of every storage medium removed from the server."""
    media_document = EXTRACT


class RemovedComponentMediaDocumentPDFView(PDFView):
    """
    The document of one storage medium. It prints the decommission's facts, so it needs the view permission on the
    component and on its decommission.
    """
    queryset = RemovedComponent.objects.all()
    media_document = None

    # PDFView.get() finds the decommission by the URL's pk; here the pk is the component's, so get() is this
    # view's own and declares the same parameters and response.
    @extend_schema(
        parameters=[OpenApiParameter('lang', str, enum=DOCUMENT_LANGUAGES, description=_('Language of the PDF'))],
        responses={(200, 'application/pdf'): OpenApiTypes.BINARY},
    )
    def get(self, request, pk):
        if not request.user.has_perm('netbox_decommission.view_removedcomponent'):
            raise PermissionDenied(_('You need the "view" permission on removed components.'))
        component = get_object_or_404(RemovedComponent.objects.restrict(request.user, 'view'), pk=pk)
        return super().get(request, component.decommission_id, component=component)

    def pdf(self, request, decommission, language, component):
        if not component.is_media:
            return _not_found(str(self.media_document.not_a_medium).format(component=component))
        return _pdf(self.media_document, decommission, language, component)


class RemovedComponentSanitizationPDFView(RemovedComponentMediaDocumentPDFView):
    """The certificate of sanitization of one storage medium."""
    media_document = SANITIZATION


class RemovedComponentEventLogExtractPDFView(RemovedComponentMediaDocumentPDFView):
    """The extract from the event log of one storage medium."""
    media_document = EXTRACT
