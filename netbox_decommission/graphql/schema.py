import strawberry
import strawberry_django

from .types import DecommissionType, HandoverType, RemovedComponentType, StorageLocationType


@strawberry.type(name='Query')
class DecommissionQuery:
    # The single-object fields are nullable, unlike NetBox's own: a record the user may not view (or that does not
    # exist) answers null for its field alone, and the other fields of the same query keep their data. A non-null
    # field would turn the whole answer into {"data": null, "errors": [...]}.
    storage_location: StorageLocationType | None = strawberry_django.field()
    storage_location_list: list[StorageLocationType] = strawberry_django.field()
    decommission: DecommissionType | None = strawberry_django.field()
    decommission_list: list[DecommissionType] = strawberry_django.field()
    removed_component: RemovedComponentType | None = strawberry_django.field()
    removed_component_list: list[RemovedComponentType] = strawberry_django.field()
    # Hand-overs to a disposal vendor (docs/handovers.md)
    handover: HandoverType | None = strawberry_django.field()
    handover_list: list[HandoverType] = strawberry_django.field()


schema = [DecommissionQuery]
