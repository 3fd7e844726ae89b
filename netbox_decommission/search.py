from netbox.search import SearchIndex

from .models import Decommission, RemovedComponent, StorageLocation


class StorageLocationIndex(SearchIndex):
    model = StorageLocation
    fields = (
        ('name', 100),
        ('description', 500),
        ('comments', 5000),
    )
    display_attrs = ('kind', 'site', 'location', 'description')


class DecommissionIndex(SearchIndex):
    model = Decommission
    fields = (
        ('number', 50),
        ('device_name', 100),
        ('device_serial', 60),
        ('device_asset_tag', 50),
        ('reason_text', 2000),
        ('description', 500),
        ('comments', 5000),
    )
    display_attrs = ('status', 'device_name', 'device_serial', 'site', 'reason')


class RemovedComponentIndex(SearchIndex):
    model = RemovedComponent
    fields = (
        ('serial', 60),
        ('asset_tag', 50),
        ('name', 100),
        ('part_id', 200),
        ('package_label', 300),
        ('description', 500),
        ('comments', 5000),
    )
    display_attrs = ('decommission', 'kind', 'manufacturer', 'status')


# Hand-overs to a disposal vendor (docs/handovers.md)
from .models import Handover  # noqa: E402


class HandoverIndex(SearchIndex):
    model = Handover
    fields = (
        ('number', 50),
        ('received_by', 300),
        ('description', 500),
        ('comments', 5000),
    )
    display_attrs = ('status', 'site', 'vendor', 'pickup_date')


indexes = (StorageLocationIndex, DecommissionIndex, RemovedComponentIndex, HandoverIndex)
