"""
Certificates of media sanitization in the REST API: GET removed-components/{id}/sanitization-certificate.pdf and
decommissions/{id}/sanitization-certificate.pdf; ``?lang=en`` gives the NIST certificate, ``?lang=ru`` the Russian
act of destruction of information media.
"""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from ..documents import sanitization
from ..documents.rendering import pdf_response
from ..models import RemovedComponent
from ..plugin_settings import DOCUMENT_LANGUAGES
from .workflow_views import PDFView


def _no_media(message):
    return Response({'detail': message}, status=status.HTTP_404_NOT_FOUND)


class DecommissionSanitizationPDFView(PDFView):
    """The certificate of sanitization of every storage medium removed from the server."""

    def pdf(self, request, decommission, language):
        media = sanitization.media(decommission)
        if not media.exists():
            return _no_media(_('No storage media were removed from the server of {number}: there is nothing to '
                               'certify.').format(number=decommission.number))
        return pdf_response(sanitization.render_sanitization_certificate(decommission, media, language),
                            sanitization.filename(decommission, language))


class RemovedComponentSanitizationPDFView(PDFView):
    """
    The certificate of sanitization of one storage medium. It prints the decommission's facts, so it needs the
    view permission on the component and on its decommission.
    """
    queryset = RemovedComponent.objects.all()

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
            return _no_media(_('{component} is not a storage medium: only storage media get a certificate of '
                               'sanitization.').format(component=component))
        media = sanitization.media(decommission).filter(pk=component.pk)
        return pdf_response(sanitization.render_sanitization_certificate(decommission, media, language),
                            sanitization.filename(decommission, language, component))
