from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.response import Response

from netbox.api.viewsets import NetBoxModelViewSet

from .. import filtersets
from ..models import Decommission, Document, RemovedComponent, StorageLocation
from . import serializers


class StorageLocationViewSet(NetBoxModelViewSet):
    queryset = StorageLocation.objects.all()
    serializer_class = serializers.StorageLocationSerializer
    filterset_class = filtersets.StorageLocationFilterSet


class DecommissionViewSet(NetBoxModelViewSet):
    queryset = Decommission.objects.all()
    serializer_class = serializers.DecommissionSerializer
    filterset_class = filtersets.DecommissionFilterSet

    def destroy(self, request, *args, **kwargs):
        try:
            return super().destroy(request, *args, **kwargs)
        except ProtectedError as e:
            # signals.keep_signed_documents says why the record is kept; NetBox's own answer would only list them.
            if all(isinstance(obj, Document) for obj in e.protected_objects):
                return Response({'detail': e.args[0]}, status=status.HTTP_409_CONFLICT)
            raise


class RemovedComponentViewSet(NetBoxModelViewSet):
    queryset = RemovedComponent.objects.all()
    serializer_class = serializers.RemovedComponentSerializer
    filterset_class = filtersets.RemovedComponentFilterSet
