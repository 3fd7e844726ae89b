import strawberry
import strawberry_django

from .types import DecommissionType, RemovedComponentType, StorageLocationType


@strawberry.type(name='Query')
class DecommissionQuery:
    storage_location: StorageLocationType = strawberry_django.field()
    storage_location_list: list[StorageLocationType] = strawberry_django.field()
    decommission: DecommissionType = strawberry_django.field()
    decommission_list: list[DecommissionType] = strawberry_django.field()
    removed_component: RemovedComponentType = strawberry_django.field()
    removed_component_list: list[RemovedComponentType] = strawberry_django.field()


schema = [DecommissionQuery]
