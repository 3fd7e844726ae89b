"""
The workflow's REST endpoints: POST /decommissions/{id}/<action>/ runs one workflow move, and GET endpoints
expose the impact report, the documents and the stage log. Each move answers the decommission as the
regular endpoint shows it; an illegal move answers 409 (400 when a field is wrong) and changes nothing.
"""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.authentication import IsAuthenticatedOrLoginNotRequired, TokenWritePermission

from .. import device_facts, workflow
from ..models import Decommission
from . import workflow_serializers as requests
from .serializers import DecommissionSerializer


def _decommission(request, pk, action):
    if not request.user.has_perm(f'netbox_decommission.{action}_decommission'):
        raise PermissionDenied(_('You need the "{action}" permission on decommissions.').format(action=action))
    return get_object_or_404(Decommission.objects.restrict(request.user, action), pk=pk)


class WorkflowActionView(APIView):
    """One workflow move. Subclasses name the request serializer and the permission, and define move()."""
    permission_classes = (IsAuthenticated, TokenWritePermission)
    request_serializer = requests.CommentRequestSerializer
    permission = 'change'

    def get_serializer(self, *args, **kwargs):
        # For the OpenAPI schema: the request body of this move.
        return self.request_serializer(*args, **kwargs)

    def post(self, request, pk):
        decommission = _decommission(request, pk, self.permission)
        body = self.request_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            decommission = self.move(decommission, request.user, dict(body.validated_data))
        except workflow.WorkflowError as e:
            if e.field:
                return Response({e.field: [e.message]}, status=status.HTTP_400_BAD_REQUEST)
            return Response({'detail': e.message}, status=status.HTTP_409_CONFLICT)
        decommission = Decommission.objects.get(pk=decommission.pk)
        return Response(DecommissionSerializer(decommission, context={'request': request}).data)


class SignView(WorkflowActionView):
    request_serializer = requests.SignRequestSerializer
    permission = 'sign'

    def move(self, decommission, user, data):
        return workflow.sign(decommission, user, data['document'], data['role'], data['comment'])


class ScheduleView(WorkflowActionView):
    request_serializer = requests.ScheduleRequestSerializer

    def move(self, decommission, user, data):
        return workflow.schedule(decommission, user, **data)


class BackupView(WorkflowActionView):
    request_serializer = requests.BackupRequestSerializer

    def move(self, decommission, user, data):
        return workflow.record_backup(decommission, user, **data)


class ShutdownView(WorkflowActionView):
    request_serializer = requests.ShutdownRequestSerializer

    def move(self, decommission, user, data):
        return workflow.shut_down(decommission, user, **data)


class DisassembleView(WorkflowActionView):

    def move(self, decommission, user, data):
        return workflow.disassemble(decommission, user, **data)


class StoreView(WorkflowActionView):
    request_serializer = requests.StoreRequestSerializer

    def move(self, decommission, user, data):
        return workflow.store(decommission, user, **data)


class CloseView(WorkflowActionView):

    def move(self, decommission, user, data):
        return workflow.close(decommission, user, **data)


class CancelView(WorkflowActionView):
    request_serializer = requests.CancelRequestSerializer

    def move(self, decommission, user, data):
        return workflow.cancel(decommission, user, data['reason'])


class ImpactView(APIView):
    """The impact report: what removing the device touches. After retirement, from the stored snapshot."""
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)

    def get(self, request, pk):
        decommission = _decommission(request, pk, 'view')
        if decommission.device is not None:
            return Response(device_facts.impact_report(decommission.device))
        snapshot = decommission.device_snapshot or {}
        return Response({key: snapshot.get(key, []) for key in (
            'cables', 'ip_addresses', 'virtual_machines', 'child_devices', 'circuits', 'power_ports', 'services',
            'contacts',
        )} | {'device': None, 'from_snapshot': True})


class DocumentListView(APIView):
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)

    def get(self, request, pk):
        decommission = _decommission(request, pk, 'view')
        documents = decommission.documents.prefetch_related('signatures__user')
        return Response(requests.DocumentSerializer(documents, many=True, context={'request': request}).data)


class StageLogView(APIView):
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)

    def get(self, request, pk):
        decommission = _decommission(request, pk, 'view')
        entries = decommission.stage_changes.select_related('user')
        return Response(requests.StageChangeSerializer(entries, many=True, context={'request': request}).data)
