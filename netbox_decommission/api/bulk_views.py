"""
The batch endpoints: start decommissions for many devices (or a rack), make one workflow move on many records, and
render a batch's documents into one ZIP archive. A small batch answers 200 with the result of each record; a larger
one (bulk.INLINE_LIMIT) runs as a background job and answers 202 with the job, whose data collects the results.
"""
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dcim.models import Device, Rack
from netbox.api.authentication import TokenWritePermission

from .. import jobs
from ..choices import DecommissionReasonChoices, DocumentLanguageChoices
from ..models import Decommission
from ..workflow import FIELDS, MOVES
from .workflow_serializers import request_field


class BulkStartRequestSerializer(serializers.Serializer):
    devices = serializers.PrimaryKeyRelatedField(queryset=Device.objects.all(), many=True, required=False)
    rack = serializers.PrimaryKeyRelatedField(queryset=Rack.objects.all(), required=False, allow_null=True)
    reason = serializers.ChoiceField(choices=DecommissionReasonChoices)
    reason_text = serializers.CharField(required=False, allow_blank=True, default='')
    head = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), required=False,
                                              allow_null=True)
    responsible = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), required=False,
                                                     allow_null=True)
    executors = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), many=True,
                                                   required=False)
    planned_start = serializers.DateTimeField(required=False, allow_null=True)
    planned_end = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, data):
        if not data.get('devices') and not data.get('rack'):
            raise serializers.ValidationError({'devices': [_('Choose the devices to decommission, or a rack.')]})
        return data


class BulkMoveRequestSerializer(serializers.Serializer):
    """The records, the move, and the fields of every move (each move takes its own), none of them required."""
    decommissions = serializers.PrimaryKeyRelatedField(queryset=Decommission.objects.all(), many=True)
    move = serializers.ChoiceField(choices=list(MOVES))

    def get_fields(self):
        return super().get_fields() | {name: request_field(spec, required=False) for name, spec in FIELDS.items()}


class BulkDocumentsRequestSerializer(serializers.Serializer):
    decommissions = serializers.PrimaryKeyRelatedField(queryset=Decommission.objects.all(), many=True)
    languages = serializers.MultipleChoiceField(choices=DocumentLanguageChoices, required=False)


def _job_response(request, job):
    return Response({'job': {
        'id': job.pk,
        'url': request.build_absolute_uri(job.get_absolute_url()),
        'status': job.status,
    }}, status=status.HTTP_202_ACCEPTED)


def _results_response(results):
    return Response({
        'succeeded': sum(1 for r in results if r.ok),
        'failed': sum(1 for r in results if not r.ok),
        'results': [r.as_dict() for r in results],
    })


def _require(request, action):
    if not request.user.has_perm(f'netbox_decommission.{action}_decommission'):
        raise PermissionDenied(_('You need the "{action}" permission on decommissions.').format(action=action))


class BulkAPIView(APIView):
    # For NetBox's OpenAPI schema, which names the model an endpoint serves.
    queryset = Decommission.objects.all()
    permission_classes = (IsAuthenticated, TokenWritePermission)


class BulkStartView(BulkAPIView):
    """Start a decommission of each listed device, or of every device mounted in the rack, with shared fields."""

    @extend_schema(request=BulkStartRequestSerializer, responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
    def post(self, request):
        _require(request, 'add')
        body = BulkStartRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        visible = Device.objects.restrict(request.user, 'view')
        devices = visible.filter(pk__in=[d.pk for d in data.pop('devices', ())])
        rack = data.pop('rack', None)
        if rack is not None:
            devices = devices | visible.filter(rack=rack)
        devices = devices.distinct().select_related(
            'device_type__manufacturer', 'rack', 'site', 'primary_ip4', 'primary_ip6').order_by('name', 'pk')
        shared = {
            'reason': data['reason'], 'reason_text': data.get('reason_text', ''),
            'planned_start': data.get('planned_start'), 'planned_end': data.get('planned_end'),
        }
        results, job = jobs.start_batch(
            devices, request, head=data.get('head'), responsible=data.get('responsible'),
            executors=data.get('executors', ()), **shared,
        )
        return _job_response(request, job) if job else _results_response(results)


class BulkMoveView(BulkAPIView):
    """Make one workflow move ("sign", "schedule", ... "close", "cancel") on each listed decommission."""

    @extend_schema(request=BulkMoveRequestSerializer, responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
    def post(self, request):
        body = BulkMoveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        move = data.pop('move')
        _require(request, MOVES[move].permission)
        decommissions = sorted(data.pop('decommissions'), key=lambda d: d.number)
        results, job = jobs.move_batch(decommissions, move, data, request)
        return _job_response(request, job) if job else _results_response(results)


class BulkDocumentsView(BulkAPIView):
    """Render every drafted, signed or issued document of the listed decommissions into one ZIP archive (a job)."""

    @extend_schema(request=BulkDocumentsRequestSerializer, responses={202: OpenApiTypes.OBJECT})
    def post(self, request):
        _require(request, 'view')
        body = BulkDocumentsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = [d.pk for d in body.validated_data['decommissions']]
        visible = list(Decommission.objects.restrict(request.user, 'view').filter(pk__in=ids).values_list(
            'pk', flat=True))
        languages = sorted(body.validated_data.get('languages') or DocumentLanguageChoices.values())
        # Always a job: even one record's documents take seconds to render, and the archive is fetched afterwards.
        job = jobs.BulkDocumentsJob.enqueue(user=request.user, decommission_ids=visible, languages=languages)
        return _job_response(request, job)
