from functools import cache

from django.db.models import ProtectedError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.settings import api_settings

from netbox.api.authentication import TokenWritePermission
from netbox.api.viewsets import NetBoxModelViewSet
from utilities.api import get_annotations_for_serializer

from .. import filtersets
from ..models import Decommission, Document, RemovedComponent, StorageLocation
from ..workflow import MOVES, WorkflowError
from . import serializers
from .refusals import refusal_response
from .workflow_serializers import MoveResultSerializer, request_serializer
from .workflow_views import permitted_decommission


@cache
def filter_names(filterset_class):
    """
    The query parameters ``filterset_class`` filters on: its filters as NetBox makes them for every instance (with
    the lookups registered at start-up), the saved filters, and the custom-field and attribute filters NetBox adds to
    an instance by their prefix.
    """
    return frozenset(filterset_class.get_filters()) | {'filter', 'filter_id'}, ('cf_', 'attr_')


def names_a_filter(filterset_class, params):
    names, prefixes = filter_names(filterset_class)
    return any(name in names or name.startswith(prefixes) for name in params)


class PluginModelViewSet(NetBoxModelViewSet):

    def filter_queryset(self, queryset):
        # NetBox's filter sets build every filter and its form field anew for each request (some 400 for a
        # decommission: most of the CPU of reading a record or a list page), also when the request filters nothing.
        # A filter set given no filter returns the queryset as it is, so then the other back ends (ordering) run alone.
        if self.filterset_class is not None and not names_a_filter(self.filterset_class, self.request.query_params):
            for backend in self.filter_backends:
                if not issubclass(backend, DjangoFilterBackend):
                    queryset = backend().filter_queryset(self.request, queryset, self)
            return queryset
        return super().filter_queryset(queryset)

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


def move_action(move):
    """
    POST decommissions/{id}/<move>/: the REST action of ``move`` (a workflow.table.Move), as NetBox's own viewsets
    expose custom operations (DataSource.sync). It answers the decommission as the regular endpoint shows it, with
    the move's warnings (``warnings``, a list of messages); a refused move answers 409 (400 naming the field) and
    changes nothing.
    """
    body_serializer = request_serializer(move)

    def perform(self, request, pk):
        decommission = permitted_decommission(request, pk, move.permission)
        body = body_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            decommission = move.perform(decommission, request.user, body.validated_data)
        except WorkflowError as e:
            return refusal_response(e, self)
        # Annotated as the regular endpoint's queryset is, for the counts it shows.
        decommission = Decommission.objects.annotate(
            **get_annotations_for_serializer(serializers.DecommissionSerializer)).get(pk=decommission.pk)
        decommission.move_warnings = move.warnings_for(decommission, request.user)
        return Response(MoveResultSerializer(decommission, context={'request': request}).data)

    # DRF names the action (and its URL, decommission-<move>) after the function.
    perform.__name__ = move.name
    perform.__doc__ = str(move.summary).capitalize() + '.'
    return extend_schema(request=body_serializer, responses=MoveResultSerializer)(action(
        detail=True, methods=['post'], url_path=move.name, permission_classes=(IsAuthenticated, TokenWritePermission),
    )(perform))


for move in MOVES.values():
    setattr(DecommissionViewSet, move.name, move_action(move))


class RemovedComponentViewSet(PluginModelViewSet):
    queryset = RemovedComponent.objects.all()
    serializer_class = serializers.RemovedComponentSerializer
    filterset_class = filtersets.RemovedComponentFilterSet
