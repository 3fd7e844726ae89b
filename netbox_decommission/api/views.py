from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.settings import api_settings

from netbox.api.viewsets import NetBoxModelViewSet

from .. import filtersets
from ..models import Decommission, Document, RemovedComponent, StorageLocation
from . import serializers


class PluginModelViewSet(NetBoxModelViewSet):

    def update(self, request, *args, **kwargs):
        # One object's URL takes one object. NetBox would take a list for a bulk update and fail (a server error).
        if not isinstance(request.data, dict):
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [
                Serializer.default_error_messages['invalid'].format(datatype=type(request.data).__name__),
            ]})
        return super().update(request, *args, **kwargs)


class StorageLocationViewSet(PluginModelViewSet):
    queryset = StorageLocation.objects.all()
    serializer_class = serializers.StorageLocationSerializer
    filterset_class = filtersets.StorageLocationFilterSet


class DecommissionViewSet(PluginModelViewSet):
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


class RemovedComponentViewSet(PluginModelViewSet):
    queryset = RemovedComponent.objects.all()
    serializer_class = serializers.RemovedComponentSerializer
    filterset_class = filtersets.RemovedComponentFilterSet
