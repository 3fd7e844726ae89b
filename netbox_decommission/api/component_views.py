"""
The component endpoints beyond CRUD: POST removed-components/{id}/dispose/ (the final disposition) and the chain of
custody of a component, of a decommission (its server and parts) and of a storage location.
"""
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.authentication import IsAuthenticatedOrLoginNotRequired, TokenWritePermission

from .. import disposition
from ..models import CustodyEvent, Decommission, RemovedComponent, StorageLocation
from ..workflow import WorkflowError
from . import component_serializers as requests
from .refusals import refusal_response
from .serializers import RemovedComponentSerializer


class DisposeView(APIView):
    """Record the final disposition of a component: reused (optionally into NetBox), transferred, destroyed."""
    queryset = RemovedComponent.objects.all()
    permission_classes = (IsAuthenticated, TokenWritePermission)

    @extend_schema(request=requests.DisposeRequestSerializer, responses=RemovedComponentSerializer)
    def post(self, request, pk):
        if not request.user.has_perm('netbox_decommission.change_removedcomponent'):
            raise PermissionDenied(_('You need the "change" permission on removed components.'))
        component = get_object_or_404(RemovedComponent.objects.restrict(request.user, 'change'), pk=pk)
        body = requests.DisposeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            component = disposition.dispose(component, request.user, body.validated_data)
        except WorkflowError as e:
            return refusal_response(e, self)
        component = RemovedComponent.objects.get(pk=component.pk)
        return Response(RemovedComponentSerializer(component, context={'request': request}).data)


class CustodyView(APIView):
    """The chain of custody, oldest first. Subclasses name the model and the events that concern the object."""
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)

    @extend_schema(responses=requests.CustodyEventSerializer(many=True))
    def get(self, request, pk):
        model = self.queryset.model
        if not request.user.has_perm(f'netbox_decommission.view_{model._meta.model_name}'):
            raise PermissionDenied(_('You need the "view" permission on {models}.').format(
                models=model._meta.verbose_name_plural))
        obj = get_object_or_404(self.queryset.restrict(request.user, 'view'), pk=pk)
        events = CustodyEvent.objects.filter(self.concerning(obj)).select_related(
            'decommission', 'component', 'from_location', 'to_location', 'user',
        ).order_by('time', 'pk')
        return Response(requests.CustodyEventSerializer(events, many=True, context={'request': request}).data)


class ComponentCustodyView(CustodyView):
    """Every move of one removed component."""
    queryset = RemovedComponent.objects.all()

    def concerning(self, component):
        return Q(component=component)


class DecommissionCustodyView(CustodyView):
    """Every move of a decommission's server and of its removed components."""
    queryset = Decommission.objects.all()

    def concerning(self, decommission):
        return Q(decommission=decommission)


class StorageLocationCustodyView(CustodyView):
    """Everything that passed through a storage location: arrivals and departures."""
    queryset = StorageLocation.objects.all()

    def concerning(self, location):
        return Q(from_location=location) | Q(to_location=location)
