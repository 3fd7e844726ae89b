import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netbox.tables import PrimaryModelTable, columns
from tenancy.tables import TenancyColumnsMixin

from .models import Decommission, RemovedComponent, StorageLocation
from .weights import weight_origin

__all__ = (
    'DecommissionTable',
    'HandoverTable',
    'RemovedComponentTable',
    'StorageLocationTable',
)


class EffectiveWeightColumn(tables.Column):
    """The weight the e-waste report counts (weights.py): the record's own, else its type's."""

    def __init__(self, **kwargs):
        super().__init__(accessor='pk', orderable=False, verbose_name=_('Effective weight (kg)'), **kwargs)

    def render(self, record):
        weight = weight_origin(record).weight
        return '—' if weight is None else weight

    def value(self, record, value):
        weight = weight_origin(record).weight
        return '' if weight is None else weight


class StorageLocationTable(PrimaryModelTable):
    name = tables.Column(verbose_name=_('Name'), linkify=True)
    kind = columns.ChoiceFieldColumn(verbose_name=_('Kind'))
    site = tables.Column(verbose_name=_('Site'), linkify=True)
    location = tables.Column(verbose_name=_('Location'), linkify=True)
    rack = tables.Column(verbose_name=_('Rack'), linkify=True)
    decommission_count = columns.LinkedCountColumn(
        viewname='plugins:netbox_decommission:decommission_list',
        url_params={'storage_location_id': 'pk'},
        verbose_name=_('Servers'),
    )
    component_count = columns.LinkedCountColumn(
        viewname='plugins:netbox_decommission:removedcomponent_list',
        url_params={'storage_location_id': 'pk'},
        verbose_name=_('Components'),
    )
    tags = columns.TagColumn(url_name='plugins:netbox_decommission:storagelocation_list')

    class Meta(PrimaryModelTable.Meta):
        model = StorageLocation
        fields = (
            'pk', 'id', 'name', 'kind', 'site', 'location', 'rack', 'capacity', 'decommission_count',
            'component_count', 'description', 'owner', 'owner_group', 'comments', 'tags', 'created', 'last_updated',
            'actions',
        )
        default_columns = (
            'pk', 'name', 'kind', 'site', 'location', 'capacity', 'decommission_count', 'component_count',
        )


class DecommissionTable(TenancyColumnsMixin, PrimaryModelTable):
    number = tables.Column(verbose_name=_('Number'), linkify=True)
    device = tables.Column(verbose_name=_('Device'), linkify=True)
    device_name = tables.Column(verbose_name=_('Server'))
    status = columns.ChoiceFieldColumn(verbose_name=_('Status'))
    reason = columns.ChoiceFieldColumn(verbose_name=_('Reason'))
    site = tables.Column(verbose_name=_('Site'), linkify=True)
    rack = tables.Column(verbose_name=_('Rack'), linkify=True)
    head = tables.Column(verbose_name=_('Head'))
    responsible = tables.Column(verbose_name=_('Responsible'))
    responsible_team = tables.Column(verbose_name=_('Responsible team'), linkify=True)
    executors = columns.ManyToManyColumn(verbose_name=_('Executors'))
    requested_by = tables.Column(verbose_name=_('Requested by'))
    planned_start = columns.DateTimeColumn(verbose_name=_('Planned start'))
    planned_end = columns.DateTimeColumn(verbose_name=_('Planned end'))
    removed_at = columns.DateTimeColumn(verbose_name=_('Removed at'))
    storage_location = tables.Column(verbose_name=_('Storage location'), linkify=True)
    component_count = columns.LinkedCountColumn(
        viewname='plugins:netbox_decommission:removedcomponent_list',
        url_params={'decommission_id': 'pk'},
        verbose_name=_('Components'),
    )
    weight = tables.Column(verbose_name=_('Weight (kg)'))
    type_weight = tables.Column(verbose_name=_('Type weight (kg)'))
    effective_weight = EffectiveWeightColumn()
    tags = columns.TagColumn(url_name='plugins:netbox_decommission:decommission_list')

    class Meta(PrimaryModelTable.Meta):
        model = Decommission
        fields = (
            'pk', 'id', 'number', 'device', 'device_name', 'device_serial', 'device_asset_tag', 'device_type_name',
            'status', 'reason', 'reason_text', 'site', 'rack', 'rack_name', 'position', 'primary_ip4', 'primary_ip6',
            'organization', 'tenant', 'tenant_group', 'requested_by', 'head', 'responsible', 'responsible_team',
            'executors', 'planned_start', 'planned_end', 'removed_at', 'storage_location', 'component_count',
            'weight', 'type_weight', 'effective_weight', 'description', 'owner', 'owner_group', 'comments', 'tags',
            'created', 'last_updated', 'actions',
        )
        default_columns = (
            'pk', 'number', 'device_name', 'device_serial', 'status', 'reason', 'site', 'responsible',
            'planned_start', 'component_count',
        )


class RemovedComponentTable(PrimaryModelTable):
    name = tables.Column(verbose_name=_('Name'), linkify=True)
    decommission = tables.Column(verbose_name=_('Decommission'), linkify=True)
    server = tables.Column(accessor='decommission__device_name', verbose_name=_('Server'), orderable=False)
    kind = columns.ChoiceFieldColumn(verbose_name=_('Kind'))
    manufacturer = tables.Column(verbose_name=_('Manufacturer'), linkify=True)
    source_kind = columns.ChoiceFieldColumn(verbose_name=_('Source'))
    condition = columns.ChoiceFieldColumn(verbose_name=_('Condition'))
    antistatic_packed = columns.BooleanColumn(verbose_name=_('Anti-static'))
    storage_location = tables.Column(verbose_name=_('Storage location'), linkify=True)
    status = columns.ChoiceFieldColumn(verbose_name=_('Status'))
    sanitization_method = columns.ChoiceFieldColumn(verbose_name=_('Sanitization'))
    sanitization_state = columns.ChoiceFieldColumn(verbose_name=_('Sanitization state'), orderable=False)
    is_media = columns.BooleanColumn(verbose_name=_('Storage medium'))
    inspected_by = tables.Column(verbose_name=_('Inspected by'))
    sanitized_by = tables.Column(verbose_name=_('Sanitized by'))
    sanitization_verified_by = tables.Column(verbose_name=_('Sanitization verified by'))
    reused_as = tables.Column(verbose_name=_('Reused as'), linkify=True)
    weight = tables.Column(verbose_name=_('Weight (kg)'))
    type_weight = tables.Column(verbose_name=_('Type weight (kg)'))
    effective_weight = EffectiveWeightColumn()
    tags = columns.TagColumn(url_name='plugins:netbox_decommission:removedcomponent_list')

    class Meta(PrimaryModelTable.Meta):
        model = RemovedComponent
        fields = (
            'pk', 'id', 'name', 'decommission', 'server', 'kind', 'manufacturer', 'part_id', 'serial', 'asset_tag',
            'source_kind', 'source_name', 'condition', 'condition_notes', 'inspected_by', 'inspected_at',
            'antistatic_packed', 'package_label', 'seal_number', 'storage_location', 'status', 'is_media',
            'sanitization_state', 'information_system', 'sanitization_method', 'sanitization_technique',
            'sanitization_tool', 'sanitization_tool_version', 'sanitized_by', 'sanitized_on',
            'sanitization_verification', 'sanitization_verified_by', 'sanitization_deferred_reason',
            'data_classification', 'post_sanitization_classification', 'media_destination',
            'personal_data_categories', 'data_subject_categories', 'personal_data_processor',
            'disposition_date', 'disposition_reference', 'reused_as', 'vendor_pickup_date', 'vendor_certificate',
            'weight', 'type_weight', 'effective_weight', 'description', 'owner', 'owner_group', 'comments', 'tags',
            'created', 'last_updated', 'actions',
        )
        default_columns = (
            'pk', 'name', 'decommission', 'kind', 'manufacturer', 'serial', 'condition', 'antistatic_packed',
            'storage_location', 'status',
        )


# Hand-overs to a disposal vendor (handovers/).
from .models import Handover  # noqa: E402


class HandoverTable(PrimaryModelTable):
    number = tables.Column(verbose_name=_('Number'), linkify=True)
    status = columns.ChoiceFieldColumn(verbose_name=_('Status'))
    site = tables.Column(verbose_name=_('Site'), linkify=True)
    vendor = tables.Column(verbose_name=_('Disposal vendor'), linkify=True)
    handed_over_by = tables.Column(verbose_name=_('Handed over by'))
    item_count = tables.Column(verbose_name=pgettext_lazy('hand-over', 'Items'))
    total_weight = tables.Column(verbose_name=_('Total weight (kg)'))
    tags = columns.TagColumn(url_name='plugins:netbox_decommission:handover_list')

    class Meta(PrimaryModelTable.Meta):
        model = Handover
        fields = (
            'pk', 'id', 'number', 'status', 'site', 'vendor', 'pickup_date', 'handed_over_by', 'handed_over_at',
            'received_by', 'closed_at', 'item_count', 'total_weight', 'description', 'owner', 'owner_group',
            'comments', 'tags', 'created', 'last_updated', 'actions',
        )
        default_columns = (
            'pk', 'number', 'status', 'site', 'vendor', 'pickup_date', 'item_count', 'total_weight', 'handed_over_at',
        )
