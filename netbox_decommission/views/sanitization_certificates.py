"""
Certificates of media sanitization in the web UI: for one storage medium, or for every medium removed from a
server; ``?lang=en`` gives the NIST certificate, ``?lang=ru`` the Russian act of destruction of information media.
"""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _

from netbox.views.generic.base import BaseObjectView
from utilities.permissions import get_permission_for_model
from utilities.views import register_model_view

from ..documents import sanitization
from ..documents.rendering import LanguageError, document_language, pdf_response
from ..models import Decommission, RemovedComponent
from .decommission_documents import DecommissionPDFView

__all__ = (
    'DecommissionSanitizationCertificateView',
    'RemovedComponentSanitizationCertificateView',
)


@register_model_view(Decommission, 'sanitization_certificate', path='sanitization-certificate')
class DecommissionSanitizationCertificateView(DecommissionPDFView):
    """One document for every storage medium removed from the server."""

    def pdf(self, request, decommission, language):
        media = sanitization.media(decommission)
        if not media.exists():
            messages.warning(request, _(
                'No storage media were removed from the server of {number}: there is nothing to certify. Mark the '
                'removed components that hold data as storage media.'
            ).format(number=decommission.number))
            return redirect(decommission.get_absolute_url())
        return pdf_response(sanitization.render_sanitization_certificate(decommission, media, language),
                            sanitization.filename(decommission, language))


@register_model_view(RemovedComponent, 'sanitization_certificate', path='sanitization-certificate')
class RemovedComponentSanitizationCertificateView(BaseObjectView):
    """The certificate of one storage medium. It prints the decommission's facts, so it needs both view permissions."""
    queryset = RemovedComponent.objects.all()
    additional_permissions = ('netbox_decommission.view_decommission',)

    def get_required_permission(self):
        return get_permission_for_model(RemovedComponent, 'view')

    def get(self, request, pk):
        component = self.get_object(pk=pk)
        if not component.is_media:
            messages.warning(request, _(
                '{component} is not a storage medium: only storage media get a certificate of sanitization.'
            ).format(component=component))
            return redirect(component.get_absolute_url())
        try:
            language = document_language(request.GET.get('lang'))
        except LanguageError as e:
            messages.error(request, str(e))
            return redirect(component.get_absolute_url())
        decommission = get_object_or_404(Decommission.objects.restrict(request.user, 'view'),
                                         pk=component.decommission_id)
        media = sanitization.media(decommission).filter(pk=component.pk)
        return pdf_response(sanitization.render_sanitization_certificate(decommission, media, language),
                            sanitization.filename(decommission, language, component))
