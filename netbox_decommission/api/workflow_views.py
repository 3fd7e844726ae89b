"""
The read endpoints of a decommission's workflow: the impact report, the documents and their PDFs, the label sheet,
the stage log, and the verification of a PDF. The moves themselves are actions of the decommission viewset
(api/views.py), made from the table of moves.
"""
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.authentication import IsAuthenticatedOrLoginNotRequired

from .. import device_facts, workflow
from ..choices import DocumentKindChoices
from ..documents import issuing, labels
from ..documents.rendering import LanguageError, document_language, pdf_response
from ..documents.verification import verify, verify_copy
from ..models import Decommission
from ..plugin_settings import DOCUMENT_LANGUAGES
from . import workflow_serializers as requests


def permitted_decommission(request, pk, action):
    """
    The record, if the user holds ``action`` on decommissions (403 otherwise) and on this one (404 otherwise, as for
    an id that is not a number).
    """
    if not request.user.has_perm(f'netbox_decommission.{action}_decommission'):
        raise PermissionDenied(_('You need the "{action}" permission on decommissions.').format(action=action))
    return get_object_or_404(Decommission.objects.restrict(request.user, action), pk=pk)


class ImpactView(APIView):
    """The impact report: what removing the device touches. After retirement, from the stored snapshot."""
    queryset = Decommission.objects.all()
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk):
        decommission = permitted_decommission(request, pk, 'view')
        if decommission.device is not None:
            return Response(device_facts.impact_report(decommission.device))
        snapshot = decommission.device_snapshot or {}
        return Response({key: snapshot.get(key, []) for key in (
            'cables', 'ip_addresses', 'virtual_machines', 'child_devices', 'circuits', 'power_ports', 'services',
            'contacts',
        )} | {'device': None, 'from_snapshot': True})


class DocumentListView(APIView):
    """
    The documents of the record (those signed, and those NetBox issues at closing): numbers, signatures, frozen
    copies with SHA-256, PDF links.
    """
    queryset = Decommission.objects.all()
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)

    @extend_schema(responses=requests.DocumentSerializer(many=True))
    def get(self, request, pk):
        decommission = permitted_decommission(request, pk, 'view')
        documents = decommission.documents.prefetch_related('signatures__user', 'files')
        return Response(requests.DocumentSerializer(documents, many=True, context={'request': request}).data)


class CopyVerificationView(APIView):
    """
    What the document QR code opens, as JSON: is the issued copy of a document in a language still the one issued?
    ``state``: genuine, altered, missing or not_issued (a draft).
    """
    queryset = Decommission.objects.all()
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk, kind, language):
        decommission = permitted_decommission(request, pk, 'view')
        document = decommission.documents.filter(kind=kind).first()
        if document is None or language not in DOCUMENT_LANGUAGES:
            return Response({'detail': _('{number} has no {kind} document in "{language}".').format(
                number=decommission.number, kind=kind, language=language)}, status=status.HTTP_404_NOT_FOUND)
        document.decommission = decommission
        result = verify_copy(document, language)
        return Response({
            'document': {'kind': document.kind, 'number': document.number}, 'language': language,
            'state': result.state, 'genuine': result.genuine, 'message': result.message,
            'sha256': result.file.sha256 if result.file else None, 'found_sha256': result.found_sha256 or None,
        })


class PDFRenderer(BaseRenderer):
    """Lets clients ask for the PDF with ``Accept: application/pdf``; errors are still JSON."""
    media_type = 'application/pdf'
    format = 'pdf'

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


class PDFView(APIView):
    """A PDF of a decommission, in the language of ``?lang=`` (ru or en; default from the settings)."""
    queryset = Decommission.objects.all()
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)
    renderer_classes = (JSONRenderer, PDFRenderer)

    @extend_schema(
        parameters=[OpenApiParameter('lang', str, enum=DOCUMENT_LANGUAGES, description=_('Language of the PDF'))],
        responses={(200, 'application/pdf'): OpenApiTypes.BINARY},
    )
    def get(self, request, pk, **kwargs):
        decommission = permitted_decommission(request, pk, 'view')
        try:
            language = document_language(request.query_params.get('lang'))
        except LanguageError as e:
            return Response({'lang': [str(e)]}, status=status.HTTP_400_BAD_REQUEST)
        return self.pdf(request, decommission, language, **kwargs)


class DocumentPDFView(PDFView):
    """A document: the frozen copy once signed (or issued at closing), a draft of a signed one before."""

    def pdf(self, request, decommission, language, kind):
        if kind not in dict(DocumentKindChoices):
            return Response({'detail': _('Unknown document "{kind}": use one of {kinds}.').format(
                kind=kind, kinds=', '.join(DocumentKindChoices.values()))}, status=status.HTTP_404_NOT_FOUND)
        document = decommission.documents.filter(kind=kind).first()
        if document is None and kind not in DocumentKindChoices.SIGNED:
            return Response({'detail': issuing.not_issued_message(decommission, kind)},
                            status=status.HTTP_404_NOT_FOUND)
        if document is None:
            return Response({'detail': _('The {document} of {number} has not been drafted yet. {fix}').format(
                document=str(dict(DocumentKindChoices)[kind]).lower(), number=decommission.number,
                fix=workflow.next_step(decommission))}, status=status.HTTP_404_NOT_FOUND)
        document.decommission = decommission
        try:
            data = issuing.document_pdf(document, language)
        except issuing.FrozenCopyMissing as e:
            return Response({'detail': str(e), 'sha256': e.file.sha256, 'file': e.file.file.name},
                            status=status.HTTP_410_GONE)
        return pdf_response(data, issuing.filename(document, language))


class LabelsPDFView(PDFView):
    """The label sheet: the server and every package of removed components, each with a QR code."""

    def pdf(self, request, decommission, language):
        record_url = request.build_absolute_uri(decommission.get_absolute_url())
        return pdf_response(labels.render_labels(decommission, record_url, language),
                            f'{decommission.number}_labels_{language}.pdf')


class DocumentVerifyView(APIView):
    """POST a PDF (multipart field "file"): is it a document this NetBox issued, unchanged?"""
    queryset = Decommission.objects.all()
    permission_classes = (IsAuthenticated,)
    parser_classes = (MultiPartParser, FormParser)

    @extend_schema(request=requests.VerifyRequestSerializer, responses=requests.VerificationSerializer)
    def post(self, request):
        if not request.user.has_perm('netbox_decommission.view_decommission'):
            raise PermissionDenied(_('You need the "view" permission on decommissions.'))
        body = requests.VerifyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = verify(body.validated_data['file'].read())
        return Response(requests.VerificationSerializer(result, context={'request': request}).data)


class StageLogView(APIView):
    """Who moved the decommission to which stage, when, and with what comment."""
    queryset = Decommission.objects.all()
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)

    @extend_schema(responses=requests.StageChangeSerializer(many=True))
    def get(self, request, pk):
        decommission = permitted_decommission(request, pk, 'view')
        entries = decommission.stage_changes.select_related('user')
        return Response(requests.StageChangeSerializer(entries, many=True, context={'request': request}).data)
