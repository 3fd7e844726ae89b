"""
The REST API of hand-overs to a disposal vendor: the model's endpoint with the operations as its actions (as NetBox's
own viewsets expose custom operations), and the manifest as PDF and CSV. Every rule lives in handovers/services.py;
a refusal answers 409 (400 naming the field or the row and column) and changes nothing.
"""
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.authentication import IsAuthenticatedOrLoginNotRequired, TokenWritePermission

from .. import filtersets
from ..documents.rendering import LanguageError, document_language, pdf_response
from ..handovers import manifest, services
from ..handovers.certificate import CertificateError, read_certificate
from ..models import Handover
from ..workflow import WorkflowError
from ..workflow.errors import forget_refused_change
from . import serializers
from .refusals import refusal_response
from .views import PluginModelViewSet

__all__ = (
    'HandoverManifestCSVView',
    'HandoverManifestPDFView',
    'HandoverViewSet',
)

WRITE = (IsAuthenticated, TokenWritePermission)


def permitted_handover(request, pk, action):
    """
    The hand-over, if the user holds ``action`` on hand-overs (403 otherwise) and on this one (404 otherwise). Its
    items and certificates are reached only through it.
    """
    if not request.user.has_perm(f'netbox_decommission.{action}_handover'):
        raise PermissionDenied(_('You need the "{action}" permission on hand-overs.').format(action=action))
    if not str(pk).isdigit():
        raise NotFound()
    return get_object_or_404(Handover.objects.restrict(request.user, action), pk=pk)


class HandoverViewSet(PluginModelViewSet):
    queryset = Handover.objects.prefetch_related('items__component', 'items__decommission')
    serializer_class = serializers.HandoverSerializer
    filterset_class = filtersets.HandoverFilterSet

    def _answer(self, request, handover):
        handover = Handover.objects.prefetch_related('items__component', 'items__decommission').get(pk=handover.pk)
        return Response(serializers.HandoverSerializer(handover, context={'request': request}).data)

    @extend_schema(methods=['get'], responses=serializers.HandoverItemSerializer(many=True))
    @extend_schema(methods=['post'], request=serializers.HandoverAddItemsSerializer,
                   responses=serializers.HandoverItemSerializer(many=True))
    @extend_schema(methods=['delete'], request=None, responses={204: None}, parameters=[OpenApiParameter(
        'item', int, many=True, required=True, description=_('The IDs of the items to take off'))])
    @action(detail=True, methods=['get', 'post', 'delete'], url_path='items', permission_classes=WRITE,
            pagination_class=None, filter_backends=[])
    def items(self, request, pk):
        """
        The hand-over's items; POST adds components and servers, DELETE takes items off (?item=5&item=6) while it is
        planned.
        """
        if request.method == 'GET':
            handover = permitted_handover(request, pk, 'view')
            items = handover.items.select_related('component', 'decommission').order_by('pk')
            return Response(serializers.HandoverItemSerializer(items, many=True, context={'request': request}).data)
        handover = permitted_handover(request, pk, 'change')
        if request.method == 'POST':
            body = serializers.HandoverAddItemsSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            try:
                items = services.add_items(handover, request.user, **body.validated_data)
            except WorkflowError as e:
                return refusal_response(e, self)
            return Response(serializers.HandoverItemSerializer(items, many=True, context={'request': request}).data,
                            status=status.HTTP_201_CREATED)
        # ?item=5&item=6, or a body {"item": [5, 6]} for clients that send one with DELETE.
        wanted = request.query_params.getlist('item') or (request.data.get('item') if isinstance(request.data, dict)
                                                           else None)
        body = serializers.HandoverRemoveItemsSerializer(data={'item': wanted})
        body.is_valid(raise_exception=True)
        wanted = set(body.validated_data['item'])
        items = list(handover.items.filter(pk__in=wanted))
        unknown = wanted - {item.pk for item in items}
        if unknown:
            return Response({'item': [_('Not items of hand-over {handover}: {ids}.').format(
                handover=handover, ids=', '.join(str(pk) for pk in sorted(unknown)))]},
                status=status.HTTP_400_BAD_REQUEST)
        try:
            services.remove_items(handover, request.user, items)
        except WorkflowError as e:
            return refusal_response(e, self)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=serializers.HandoverSerializer)
    @action(detail=True, methods=['post'], url_path='hand-over', permission_classes=WRITE)
    def hand_over(self, request, pk):
        """Hand the items over to the vendor: all of them move, or none."""
        handover = permitted_handover(request, pk, 'change')
        try:
            handover = services.hand_over(handover, request.user)
        except WorkflowError as e:
            return refusal_response(e, self)
        return self._answer(request, handover)

    @extend_schema(request={'multipart/form-data': serializers.HandoverCertificateUploadSerializer},
                   responses=serializers.HandoverCertificateSerializer)
    @action(detail=True, methods=['post'], url_path='certificate', permission_classes=WRITE,
            parser_classes=(MultiPartParser, FormParser))
    def certificate(self, request, pk):
        """Upload the vendor's certificate (CSV) and reconcile it with the manifest serial by serial."""
        handover = permitted_handover(request, pk, 'change')
        body = serializers.HandoverCertificateUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            reading = read_certificate(
                data['file'].read(), file_name=data['file'].name, encoding=data['encoding'],
                mapping={key: data[f'{key}_column'] for key in ('serial', 'method', 'date', 'number')},
                certificate_number=data['certificate_number'],
            )
            certificate = services.reconcile(handover, request.user, reading)
        except CertificateError as e:
            forget_refused_change(self)
            field = f'{e.field}_column' if e.field in ('serial', 'method', 'date', 'number') else e.field
            return Response({field: [e.message]}, status=status.HTTP_400_BAD_REQUEST)
        except WorkflowError as e:
            return refusal_response(e, self)
        return Response(serializers.HandoverCertificateSerializer(certificate, context={'request': request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.HandoverCertificateSerializer(many=True))
    @action(detail=True, methods=['get'], url_path='certificates', permission_classes=WRITE, pagination_class=None,
            filter_backends=[])
    def certificates(self, request, pk):
        """The certificates uploaded for the hand-over, newest first, with the result of their matching."""
        handover = permitted_handover(request, pk, 'view')
        certificates = handover.certificates.select_related('uploaded_by').order_by('-uploaded_at', '-pk')
        return Response(serializers.HandoverCertificateSerializer(
            certificates, many=True, context={'request': request}).data)

    @extend_schema(request=serializers.HandoverCloseSerializer, responses=serializers.HandoverSerializer)
    @action(detail=True, methods=['post'], permission_classes=WRITE,
            parser_classes=(JSONParser, FormParser, MultiPartParser))
    def close(self, request, pk):
        """Close the hand-over: at a full match, or with an exception (reason) for each item not matched."""
        handover = permitted_handover(request, pk, 'change')
        body = serializers.HandoverCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            handover = services.close(handover, request.user, [
                (exception['item'], exception['reason']) for exception in body.validated_data['exceptions']
            ])
        except WorkflowError as e:
            return refusal_response(e, self)
        return self._answer(request, handover)


class HandoverManifestPDFView(APIView):
    """The manifest as PDF, in the language asked (?lang=ru|en) or the configured one."""
    queryset = Handover.objects.all()
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)

    @extend_schema(parameters=[OpenApiParameter('lang', str, enum=['ru', 'en'])],
                   responses={(200, 'application/pdf'): OpenApiTypes.BINARY})
    def get(self, request, pk):
        handover = permitted_handover(request, pk, 'view')
        try:
            language = document_language(request.query_params.get('lang'))
        except LanguageError as e:
            return Response({'lang': [str(e)]}, status=status.HTTP_400_BAD_REQUEST)
        return pdf_response(manifest.render_manifest(handover, language), f'{handover.number}-{language}.pdf')


class HandoverManifestCSVView(APIView):
    """The manifest as CSV (UTF-8 with a byte-order mark): one row per item, then the total row."""
    queryset = Handover.objects.all()
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)

    @extend_schema(responses={(200, 'text/csv'): OpenApiTypes.STR})
    def get(self, request, pk):
        handover = permitted_handover(request, pk, 'view')
        response = HttpResponse('\ufeff' + manifest.manifest_csv(handover), content_type='text/csv; charset=utf-8')
        response['Content-Disposition'] = f'attachment; filename="{handover.number}.csv"'
        return response
