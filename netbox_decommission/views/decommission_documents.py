"""
The documents in the web UI: the PDF of each document of a record (the order, the application and the act, frozen
once signed, a draft before; those issued at closing, frozen), the label sheet, and the page that verifies a PDF
someone hands in.
"""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from netbox.views.generic.base import BaseObjectView
from utilities.permissions import get_permission_for_model
from utilities.views import register_model_view

from .. import forms, workflow
from ..choices import DocumentKindChoices
from ..documents import issuing, labels
from ..documents.rendering import LanguageError, document_language, pdf_response
from ..documents.verification import verify, verify_copy
from ..models import Decommission
from ..plugin_settings import DOCUMENT_LANGUAGES

__all__ = (
    'DecommissionDocumentView',
    'DocumentCopyView',
    'DecommissionLabelsView',
    'DocumentVerifyView',
)


class DecommissionPDFView(BaseObjectView):
    """A PDF of one decommission in the language of ``?lang=`` (default from the settings)."""
    queryset = Decommission.objects.all()

    def get_required_permission(self):
        return get_permission_for_model(Decommission, 'view')

    def get(self, request, pk, **kwargs):
        decommission = self.get_object(pk=pk)
        try:
            language = document_language(request.GET.get('lang'))
        except LanguageError as e:
            messages.error(request, str(e))
            return redirect(decommission.get_absolute_url())
        return self.pdf(request, decommission, language, **kwargs)


@register_model_view(Decommission, 'document', path='documents/<str:kind>')
class DecommissionDocumentView(DecommissionPDFView):

    def pdf(self, request, decommission, language, kind):
        if kind not in dict(DocumentKindChoices):
            raise Http404(_('Unknown document "{kind}".').format(kind=kind))
        document = decommission.documents.filter(kind=kind).first()
        if document is None and kind not in DocumentKindChoices.SIGNED:
            messages.warning(request, issuing.not_issued_message(decommission, kind))
            return redirect(decommission.get_absolute_url())
        if document is None:
            messages.warning(request, _('The {document} of {number} has not been drafted yet. {fix}').format(
                document=str(dict(DocumentKindChoices)[kind]).lower(), number=decommission.number,
                fix=workflow.next_step(decommission)))
            return redirect(decommission.get_absolute_url())
        document.decommission = decommission
        try:
            data = issuing.document_pdf(document, language)
        except issuing.FrozenCopyMissing as e:
            return render(request, 'netbox_decommission/document_missing.html', {
                'object': decommission, 'document': document, 'file': e.file, 'message': str(e),
            }, status=410)
        return pdf_response(data, issuing.filename(document, language))


@register_model_view(Decommission, 'labels', path='labels')
class DecommissionLabelsView(DecommissionPDFView):

    def pdf(self, request, decommission, language):
        record_url = request.build_absolute_uri(decommission.get_absolute_url())
        return pdf_response(labels.render_labels(decommission, record_url, language),
                            f'{decommission.number}_labels_{language}.pdf')


@register_model_view(Decommission, 'verify_document', path='verify-document', detail=False)
class DocumentVerifyView(BaseObjectView):
    """Upload a PDF: is it a document this NetBox issued, unchanged?"""
    queryset = Decommission.objects.all()
    template_name = 'netbox_decommission/document_verify.html'

    def get_required_permission(self):
        return get_permission_for_model(Decommission, 'view')

    def get(self, request):
        return render(request, self.template_name, {'form': forms.DocumentVerifyForm()})

    def post(self, request):
        form = forms.DocumentVerifyForm(data=request.POST, files=request.FILES)
        result = None
        if form.is_valid():
            result = verify(form.cleaned_data['file'].read())
        record = None
        if result is not None and result.document is not None:
            record = self.queryset.filter(pk=result.document.decommission_id).first()
        return render(request, self.template_name, {'form': form, 'result': result, 'record': record})


@register_model_view(Decommission, 'document_copy', path='documents/<str:kind>/<str:language>/verify')
class DocumentCopyView(BaseObjectView):
    """What a document's QR code opens: the verification of that very copy, and the upload to compare one."""
    queryset = Decommission.objects.all()
    template_name = 'netbox_decommission/document_copy.html'

    def get_required_permission(self):
        return get_permission_for_model(Decommission, 'view')

    def get(self, request, pk, kind, language):
        decommission = self.get_object(pk=pk)
        document = decommission.documents.filter(kind=kind).first()
        if document is None or language not in DOCUMENT_LANGUAGES:
            raise Http404(_('{number} has no {kind} document in "{language}".').format(
                number=decommission.number, kind=kind, language=language))
        document.decommission = decommission
        return render(request, self.template_name, {
            'object': decommission, 'document': document, 'language': language,
            'result': verify_copy(document, language), 'form': forms.DocumentVerifyForm(),
        })
