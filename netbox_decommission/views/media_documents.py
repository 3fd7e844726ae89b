"""
The documents about storage media in the web UI, for one medium or for every medium removed from a server: the
certificate of sanitization (``?lang=en`` the NIST certificate, ``?lang=ru`` the Russian act of destruction of
information media) and the extract from the event log.
"""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from netbox.views.generic.base import BaseObjectView
from utilities.permissions import get_permission_for_model
from utilities.views import register_model_view

from ..documents import issuing, sanitization
from ..documents.media_documents import EXTRACT, SANITIZATION, media_document_pdf
from ..documents.rendering import LanguageError, document_language, pdf_response
from ..models import Decommission, RemovedComponent
from .decommission_documents import DecommissionPDFView

__all__ = (
    'DecommissionEventLogExtractView',
    'DecommissionSanitizationCertificateView',
    'RemovedComponentEventLogExtractView',
    'RemovedComponentSanitizationCertificateView',
)


def _pdf(request, media_document, decommission, language, component=None):
    try:
        data = media_document_pdf(media_document, decommission, language, component)
    except issuing.FrozenCopyMissing as e:
        return render(request, 'netbox_decommission/document_missing.html', {
            'object': decommission, 'document': e.file.document, 'file': e.file, 'message': str(e),
        }, status=410)
    return pdf_response(data, media_document.filename(decommission, language, component))


class DecommissionMediaDocumentView(DecommissionPDFView):
    """One document for every storage medium removed from the server."""
    media_document = None

    def pdf(self, request, decommission, language):
        if not sanitization.media(decommission).exists():
            messages.warning(request, _(
                'No storage media were removed from the server of {number}: there is nothing to certify. Mark the '
                'removed components that hold data as storage media.'
            ).format(number=decommission.number))
            return redirect(decommission.get_absolute_url())
        return _pdf(request, self.media_document, decommission, language)


@register_model_view(Decommission, 'sanitization_certificate', path='sanitization-certificate')
class DecommissionSanitizationCertificateView(DecommissionMediaDocumentView):
    media_document = SANITIZATION


@register_model_view(Decommission, 'event_log_extract', path='event-log-extract')
class DecommissionEventLogExtractView(DecommissionMediaDocumentView):
    media_document = EXTRACT


class RemovedComponentMediaDocumentView(BaseObjectView):
    """The document of one storage medium. It prints the decommission's facts, so it needs both view permissions."""
    queryset = RemovedComponent.objects.all()
    additional_permissions = ('netbox_decommission.view_decommission',)
    media_document = None

    def get_required_permission(self):
        return get_permission_for_model(RemovedComponent, 'view')

    def get(self, request, pk):
        component = self.get_object(pk=pk)
        if not component.is_media:
            messages.warning(request, self.media_document.not_a_medium.format(component=component))
            return redirect(component.get_absolute_url())
        try:
            language = document_language(request.GET.get('lang'))
        except LanguageError as e:
            messages.error(request, str(e))
            return redirect(component.get_absolute_url())
        decommission = get_object_or_404(Decommission.objects.restrict(request.user, 'view'),
                                         pk=component.decommission_id)
        return _pdf(request, self.media_document, decommission, language, component)


@register_model_view(RemovedComponent, 'sanitization_certificate', path='sanitization-certificate')
class RemovedComponentSanitizationCertificateView(RemovedComponentMediaDocumentView):
    media_document = SANITIZATION


@register_model_view(RemovedComponent, 'event_log_extract', path='event-log-extract')
class RemovedComponentEventLogExtractView(RemovedComponentMediaDocumentView):
    media_document = EXTRACT
