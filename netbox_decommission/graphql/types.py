from decimal import Decimal
from typing import Annotated

import strawberry
import strawberry_django

from netbox.graphql.types import PrimaryObjectType, register_type

from .. import models
from ..weights import weight_origin
from .filters import DecommissionFilter, RemovedComponentFilter, StorageLocationFilter

__all__ = (
    'DecommissionType',
    'RemovedComponentType',
    'StorageLocationType',
)


@register_type(models.StorageLocation, fields='__all__', filters=StorageLocationFilter, pagination=True)
class StorageLocationType(PrimaryObjectType):
    site: Annotated['SiteType', strawberry.lazy('dcim.graphql.types')]
    location: Annotated['LocationType', strawberry.lazy('dcim.graphql.types')] | None
    rack: Annotated['RackType', strawberry.lazy('dcim.graphql.types')] | None
    decommissions: list[Annotated['DecommissionType', strawberry.lazy('netbox_decommission.graphql.types')]]
    components: list[Annotated['RemovedComponentType', strawberry.lazy('netbox_decommission.graphql.types')]]


@register_type(models.Decommission, fields='__all__', filters=DecommissionFilter, pagination=True)
class DecommissionType(PrimaryObjectType):
    device: Annotated['DeviceType', strawberry.lazy('dcim.graphql.types')] | None
    site: Annotated['SiteType', strawberry.lazy('dcim.graphql.types')] | None
    rack: Annotated['RackType', strawberry.lazy('dcim.graphql.types')] | None
    tenant: Annotated['TenantType', strawberry.lazy('tenancy.graphql.types')] | None
    requested_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    head: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    responsible: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    responsible_team: Annotated['ContactGroupType', strawberry.lazy('tenancy.graphql.types')] | None
    executors: list[Annotated['UserType', strawberry.lazy('users.graphql.types')]]
    backup_verified_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    storage_location: Annotated['StorageLocationType', strawberry.lazy('netbox_decommission.graphql.types')] | None
    components: list[Annotated['RemovedComponentType', strawberry.lazy('netbox_decommission.graphql.types')]]

    @strawberry_django.field(only=('weight', 'type_weight'), description='Weight in kg: weight, else type_weight')
    def effective_weight(self) -> Decimal | None:
        return weight_origin(self).weight


@register_type(models.RemovedComponent, fields='__all__', filters=RemovedComponentFilter, pagination=True)
class RemovedComponentType(PrimaryObjectType):
    decommission: Annotated['DecommissionType', strawberry.lazy('netbox_decommission.graphql.types')]
    manufacturer: Annotated['ManufacturerType', strawberry.lazy('dcim.graphql.types')] | None
    storage_location: Annotated['StorageLocationType', strawberry.lazy('netbox_decommission.graphql.types')] | None
    sanitization_verified_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    sanitized_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    inspected_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    reused_as: Annotated['InventoryItemType', strawberry.lazy('dcim.graphql.types')] | None

    @strawberry_django.field(only=('weight', 'type_weight'), description='Weight in kg: weight, else type_weight')
    def effective_weight(self) -> Decimal | None:
        return weight_origin(self).weight

# Hand-overs to a disposal vendor (docs/handovers.md). The items and certificates are reached only through their
# hand-over, whose permission NetBox checks.
from .filters import HandoverFilter  # noqa: E402


@strawberry_django.type(models.HandoverItem, fields=(
    'id', 'serial', 'description', 'weight', 'package_label', 'seal_number', 'reconciliation',
    'certificate_method', 'certificate_date', 'certificate_number', 'exception_reason', 'created', 'last_updated',
))
class HandoverItemType:
    component: Annotated['RemovedComponentType', strawberry.lazy('netbox_decommission.graphql.types')] | None
    decommission: Annotated['DecommissionType', strawberry.lazy('netbox_decommission.graphql.types')] | None


@strawberry_django.type(models.HandoverCertificate, fields=(
    'id', 'file_name', 'sha256', 'uploaded_at', 'rows', 'result',
))
class HandoverCertificateType:
    pass


@register_type(models.Handover, fields=(
    'id', 'number', 'status', 'site', 'vendor', 'pickup_date', 'handed_over_by', 'received_by', 'handed_over_at',
    'closed_at', 'description', 'comments', 'owner', 'tags', 'custom_field_data', 'created', 'last_updated',
), filters=HandoverFilter, pagination=True)
class HandoverType(PrimaryObjectType):
    site: Annotated['SiteType', strawberry.lazy('dcim.graphql.types')]
    vendor: Annotated['StorageLocationType', strawberry.lazy('netbox_decommission.graphql.types')]
    handed_over_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    items: list[HandoverItemType]
    certificates: list[HandoverCertificateType]


__all__ += ('HandoverType',)
