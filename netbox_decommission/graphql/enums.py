import strawberry

from ..choices import (
    ComponentConditionChoices,
    ComponentKindChoices,
    ComponentStatusChoices,
    DecommissionReasonChoices,
    DecommissionStatusChoices,
    StorageLocationKindChoices,
)

__all__ = (
    'ComponentConditionEnum',
    'ComponentKindEnum',
    'ComponentStatusEnum',
    'DecommissionReasonEnum',
    'DecommissionStatusEnum',
    'StorageLocationKindEnum',
)

ComponentConditionEnum = strawberry.enum(ComponentConditionChoices.as_enum(prefix='condition'))
ComponentKindEnum = strawberry.enum(ComponentKindChoices.as_enum(prefix='kind'))
ComponentStatusEnum = strawberry.enum(ComponentStatusChoices.as_enum(prefix='status'))
DecommissionReasonEnum = strawberry.enum(DecommissionReasonChoices.as_enum(prefix='reason'))
DecommissionStatusEnum = strawberry.enum(DecommissionStatusChoices.as_enum(prefix='status'))
StorageLocationKindEnum = strawberry.enum(StorageLocationKindChoices.as_enum(prefix='kind'))

# Hand-overs to a disposal vendor (docs/handovers.md)
from ..choices import HandoverStatusChoices, ReconciliationStateChoices  # noqa: E402

HandoverStatusEnum = strawberry.enum(HandoverStatusChoices.as_enum(prefix='status'))
ReconciliationStateEnum = strawberry.enum(ReconciliationStateChoices.as_enum(prefix='state'))
__all__ += ('HandoverStatusEnum', 'ReconciliationStateEnum')
