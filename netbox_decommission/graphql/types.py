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
