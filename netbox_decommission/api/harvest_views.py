"""
GET /decommissions/{id}/harvest/ lists the device's inventory items and modules not yet recorded on the
decommission, as the components they would become; POST records the chosen ones (harvest.harvest) and answers
the new components. A refusal answers 409 (400 when it concerns a field of the body) and records nothing.
"""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dcim.api.serializers import ManufacturerSerializer
from netbox.api.authentication import TokenWritePermission
from netbox.api.fields import ChoiceField
from utilities.exceptions import PermissionsViolation

from .. import harvest, workflow
from ..choices import ComponentKindChoices, ComponentSourceChoices
from ..models import Decommission, RemovedComponent
from ..workflow.errors import forget_refused_change
from .refusals import refusal_response
from .serializers import RemovedComponentSerializer

__all__ = (
    'HarvestRequestSerializer',
    'HarvestView',
    'HarvestableSerializer',
)


class HarvestableSerializer(serializers.Serializer):
    """An inventory item or module of the device, and the removed component it would become."""
    source_kind = ChoiceField(choices=ComponentSourceChoices, read_only=True)
    id = serializers.IntegerField(source='pk', read_only=True, help_text=gettext_lazy(
        'ID of the inventory item or module'))
    source_name = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = ChoiceField(choices=ComponentKindChoices, read_only=True, help_text=gettext_lazy(
        'The kind inferred from the names'))
    manufacturer = ManufacturerSerializer(nested=True, read_only=True, allow_null=True)
    part_id = serializers.CharField(read_only=True)
    serial = serializers.CharField(read_only=True)
    asset_tag = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    duplicates = RemovedComponentSerializer(nested=True, many=True, read_only=True, help_text=gettext_lazy(
        'Components still in custody that already carry this serial number'))


class HarvestRequestSerializer(serializers.Serializer):
    inventory_items = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list,
        help_text=gettext_lazy("IDs of the device's inventory items to record"),
    )
    modules = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list,
        help_text=gettext_lazy("IDs of the device's modules to record"),
    )
    force = serializers.BooleanField(
        required=False, default=False,
        help_text=gettext_lazy('Record the components even though a serial is recorded for another live component'),
    )


class HarvestView(APIView):
    """Record removed components from the device's inventory items and modules."""
    # For NetBox's OpenAPI schema, which names the model an endpoint serves.
    queryset = Decommission.objects.all()
    permission_classes = (IsAuthenticated, TokenWritePermission)

    def get_serializer(self, *args, **kwargs):
        # For the OpenAPI schema: the request body.
        return HarvestRequestSerializer(*args, **kwargs)

    def _decommission(self, request, pk):
        # Both ways need what harvesting takes: changing the record and adding components to it.
        if not request.user.has_perm('netbox_decommission.change_decommission'):
            raise PermissionDenied(_('You need the "change" permission on decommissions to record their components.'))
        if not request.user.has_perm('netbox_decommission.add_removedcomponent'):
            raise PermissionDenied(_('You need the "add" permission on removed components to record components.'))
        return get_object_or_404(Decommission.objects.restrict(request.user, 'change'), pk=pk)

    @extend_schema(responses=HarvestableSerializer(many=True))
    def get(self, request, pk):
        decommission = self._decommission(request, pk)
        candidates = harvest.harvestable(decommission, request.user)
        return Response(HarvestableSerializer(candidates, many=True, context={'request': request}).data)

    @extend_schema(request=HarvestRequestSerializer, responses={201: RemovedComponentSerializer(many=True)})
    def post(self, request, pk):
        decommission = self._decommission(request, pk)
        body = HarvestRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            components = harvest.harvest(decommission, request.user, **body.validated_data)
        except workflow.WorkflowError as e:
            return refusal_response(e, self)
        except PermissionsViolation:
            forget_refused_change(self)
            raise PermissionDenied(_('Your permissions do not allow adding these removed components.')) from None
        components = RemovedComponent.objects.filter(pk__in=[c.pk for c in components]).select_related(
            'decommission', 'manufacturer', 'storage_location',
        ).prefetch_related('tags')
        return Response(
            RemovedComponentSerializer(components, many=True, context={'request': request}).data,
            status=status.HTTP_201_CREATED,
        )
