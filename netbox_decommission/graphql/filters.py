from decimal import Decimal
from typing import Annotated

import strawberry
import strawberry_django
from strawberry.scalars import ID
from strawberry_django import BaseFilterLookup, ComparisonFilterLookup, FilterLookup, StrFilterLookup

from netbox.graphql.filters import PrimaryModelFilter, register_filter
from tenancy.graphql.filter_mixins import TenancyFilterMixin

from .. import models

__all__ = (
    'DecommissionFilter',
    'RemovedComponentFilter',
    'StorageLocationFilter',
)

_ENUMS = 'netbox_decommission.graphql.enums'
_FILTERS = 'netbox_decommission.graphql.filters'


@register_filter(models.StorageLocation, lookups=True)
class StorageLocationFilter(PrimaryModelFilter):
    name: StrFilterLookup | None = strawberry_django.filter_field()
    kind: BaseFilterLookup[Annotated['StorageLocationKindEnum', strawberry.lazy(_ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    site: Annotated['SiteFilter', strawberry.lazy('dcim.graphql.filters')] | None = strawberry_django.filter_field()
    site_id: ID | None = strawberry_django.filter_field()
    location_id: ID | None = strawberry_django.filter_field()
    rack_id: ID | None = strawberry_django.filter_field()
    capacity: ComparisonFilterLookup[int] | None = strawberry_django.filter_field()


@register_filter(models.Decommission, lookups=True)
class DecommissionFilter(TenancyFilterMixin, PrimaryModelFilter):
    number: StrFilterLookup | None = strawberry_django.filter_field()
    status: BaseFilterLookup[Annotated['DecommissionStatusEnum', strawberry.lazy(_ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    reason: BaseFilterLookup[Annotated['DecommissionReasonEnum', strawberry.lazy(_ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    device: Annotated['DeviceFilter', strawberry.lazy('dcim.graphql.filters')] | None = (
        strawberry_django.filter_field()
    )
    device_id: ID | None = strawberry_django.filter_field()
    device_name: StrFilterLookup | None = strawberry_django.filter_field()
    device_serial: StrFilterLookup | None = strawberry_django.filter_field()
    device_asset_tag: StrFilterLookup | None = strawberry_django.filter_field()
    site: Annotated['SiteFilter', strawberry.lazy('dcim.graphql.filters')] | None = strawberry_django.filter_field()
    site_id: ID | None = strawberry_django.filter_field()
    rack_id: ID | None = strawberry_django.filter_field()
    organization: StrFilterLookup | None = strawberry_django.filter_field()
    head_id: ID | None = strawberry_django.filter_field()
    responsible_id: ID | None = strawberry_django.filter_field()
    storage_location: Annotated['StorageLocationFilter', strawberry.lazy(_FILTERS)] | None = (
        strawberry_django.filter_field()
    )
    storage_location_id: ID | None = strawberry_django.filter_field()
    seal_number: StrFilterLookup | None = strawberry_django.filter_field()
    is_media: FilterLookup[bool] | None = strawberry_django.filter_field()
    weight: ComparisonFilterLookup[Decimal] | None = strawberry_django.filter_field()
    type_weight: ComparisonFilterLookup[Decimal] | None = strawberry_django.filter_field()


@register_filter(models.RemovedComponent, lookups=True)
class RemovedComponentFilter(PrimaryModelFilter):
    decommission: Annotated['DecommissionFilter', strawberry.lazy(_FILTERS)] | None = (
        strawberry_django.filter_field()
    )
    decommission_id: ID | None = strawberry_django.filter_field()
    kind: BaseFilterLookup[Annotated['ComponentKindEnum', strawberry.lazy(_ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    name: StrFilterLookup | None = strawberry_django.filter_field()
    manufacturer_id: ID | None = strawberry_django.filter_field()
    part_id: StrFilterLookup | None = strawberry_django.filter_field()
    serial: StrFilterLookup | None = strawberry_django.filter_field()
    asset_tag: StrFilterLookup | None = strawberry_django.filter_field()
    condition: BaseFilterLookup[Annotated['ComponentConditionEnum', strawberry.lazy(_ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    status: BaseFilterLookup[Annotated['ComponentStatusEnum', strawberry.lazy(_ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    storage_location_id: ID | None = strawberry_django.filter_field()
    seal_number: StrFilterLookup | None = strawberry_django.filter_field()
    is_media: FilterLookup[bool] | None = strawberry_django.filter_field()
    weight: ComparisonFilterLookup[Decimal] | None = strawberry_django.filter_field()
    type_weight: ComparisonFilterLookup[Decimal] | None = strawberry_django.filter_field()


# Hand-overs to a disposal vendor (docs/handovers.md)
@register_filter(models.Handover, lookups=True)
class HandoverFilter(PrimaryModelFilter):
    number: StrFilterLookup | None = strawberry_django.filter_field()
    status: BaseFilterLookup[Annotated['HandoverStatusEnum', strawberry.lazy(_ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    site: Annotated['SiteFilter', strawberry.lazy('dcim.graphql.filters')] | None = strawberry_django.filter_field()
    site_id: ID | None = strawberry_django.filter_field()
    vendor_id: ID | None = strawberry_django.filter_field()
    received_by: StrFilterLookup | None = strawberry_django.filter_field()


__all__ += ('HandoverFilter',)
