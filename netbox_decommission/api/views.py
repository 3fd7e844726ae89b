from netbox.api.viewsets import NetBoxModelViewSet

from .. import filtersets
from ..models import Decommission, RemovedComponent, StorageLocation
from . import serializers


class StorageLocationViewSet(NetBoxModelViewSet):
    queryset = StorageLocation.objects.all()
    serializer_class = serializers.StorageLocationSerializer
    filterset_class = filtersets.StorageLocationFilterSet


class DecommissionViewSet(NetBoxModelViewSet):
    queryset = Decommission.objects.all()
    serializer_class = serializers.DecommissionSerializer
    filterset_class = filtersets.DecommissionFilterSet


class RemovedComponentViewSet(NetBoxModelViewSet):
    queryset = RemovedComponent.objects.all()
    serializer_class = serializers.RemovedComponentSerializer
    filterset_class = filtersets.RemovedComponentFilterSet
