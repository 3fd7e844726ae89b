import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import DataError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dcim.models import Device, InventoryItem, Location, Manufacturer, Rack, Site
from netbox.filtersets import PrimaryModelFilterSet
from tenancy.filtersets import TenancyFilterSet
from tenancy.models import ContactGroup
from users.models import User
from utilities.filters import (
    MultiValueCharFilter,
    MultiValueDateTimeFilter,
    TreeNodeMultipleChoiceFilter,
    multivalue_field_factory,
)
from utilities.filtersets import register_filterset

from .choices import (
    BackupMethodChoices,
    ComponentConditionChoices,
    ComponentKindChoices,
    ComponentSourceChoices,
    ComponentStatusChoices,
    DecommissionReasonChoices,
    DecommissionStatusChoices,
    MediaDestinationChoices,
    SanitizationMethodChoices,
    SanitizationStateChoices,
    StorageLocationKindChoices,
)
from .models import Decommission, RemovedComponent, StorageLocation

__all__ = (
    'DecommissionFilterSet',
    'HandoverFilterSet',
    'RemovedComponentFilterSet',
    'StorageLocationFilterSet',
)


class UTCDateTimeField(forms.DateTimeField):
    """
    A date and time compared in UTC. A query string may carry any offset up to ±23:59, PostgreSQL takes them only up
    to ±15:59 and answers a server error beyond (in NetBox's own date filters too); in UTC it takes them all.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None or timezone.is_naive(value):
            return value
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            # Beyond year 1 or 9999 once in UTC.
            raise ValidationError(self.error_messages['invalid'], code='invalid') from None


class DateTimeFilter(MultiValueDateTimeFilter):
    field_class = multivalue_field_factory(UTCDateTimeField)


class RegexField(forms.CharField):
    """
    A regular expression that PostgreSQL takes (asked in a savepoint): an invalid one is refused (400) instead of
    failing in the database query (a server error, in NetBox's own __regex filters too).
    """

    def validate(self, value):
        super().validate(value)
        if not value or '\x00' in value:
            return  # a NUL is refused by the field's own validator
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute('SELECT %s ~ %s', ['', value])
        except DataError as e:
            raise ValidationError(_('"{value}" is not a regular expression PostgreSQL accepts: {error}').format(
                value=value, error=str(e).splitlines()[0]), code='invalid') from None


class CharFilter(MultiValueCharFilter):
    """
    "null" is text. NetBox takes it for "no value" (None), which the negated and pattern lookups (__nisw, __iregex,
    ...) cannot take: a server error, in NetBox's own filters too. The plugin's text fields are never null. A regular
    expression (__regex, __iregex) must be one PostgreSQL accepts.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.null_value = None
        if self.lookup_expr in ('regex', 'iregex'):
            self.field_class = multivalue_field_factory(RegexField)


class PluginFilterSet(PrimaryModelFilterSet):
    """
    NetBox's filter set for primary models, safe against input NetBox's own would answer with a server error: dates
    and times (created and last_updated too) compared in UTC, and "null" as text in text filters.
    """
    FILTER_DEFAULTS = {
        **PrimaryModelFilterSet.FILTER_DEFAULTS,
        models.DateTimeField: {'filter_class': DateTimeFilter},
        **{
            field: {**default, 'filter_class': CharFilter}
            for field, default in PrimaryModelFilterSet.FILTER_DEFAULTS.items()
            if default.get('filter_class') is MultiValueCharFilter
        },
    }
    created = DateTimeFilter()
    last_updated = DateTimeFilter()


def _related_filter(field_name, queryset, label, to_field_name=None):
    """A multiple-choice filter on a foreign key, by ID or (with to_field_name) by a natural key."""
    if to_field_name:
        # The lookup must follow the relation to the natural key (e.g. site__slug), as NetBox's own filters do.
        return django_filters.ModelMultipleChoiceFilter(
            field_name=f'{field_name}__{to_field_name}', queryset=queryset, label=label, to_field_name=to_field_name,
        )
    return django_filters.ModelMultipleChoiceFilter(field_name=field_name, queryset=queryset, label=label)


def _choice_filter(choices, **kwargs):
    """
    A filter on a choice field. "null" is then an invalid choice (400), as in NetBox's own status filters; by default
    it would mean "no value", which the field's string lookups (__ic, __iew, ...) cannot take (a server error).
    """
    return django_filters.MultipleChoiceFilter(choices=choices, null_value=None, **kwargs)


def filter_has_weight(queryset, name, value):
    """Records whose effective weight (weights.py: the override, else the type's) is known, or not."""
    known = Q(weight__isnull=False) | Q(type_weight__isnull=False)
    return queryset.filter(known) if value else queryset.exclude(known)


def _user_filters(field_name, label):
    return (
        _related_filter(field_name, User.objects.all(), label),
        _related_filter(field_name, User.objects.all(), label, to_field_name='username'),
    )


@register_filterset
class StorageLocationFilterSet(PluginFilterSet):
    kind = _choice_filter(StorageLocationKindChoices)
    site_id = _related_filter('site', Site.objects.all(), _('Site (ID)'))
    site = _related_filter('site', Site.objects.all(), _('Site (slug)'), to_field_name='slug')
    location_id = TreeNodeMultipleChoiceFilter(
        queryset=Location.objects.all(), field_name='location', lookup_expr='in', label=_('Location (ID)'),
    )
    rack_id = _related_filter('rack', Rack.objects.all(), _('Rack (ID)'))

    class Meta:
        model = StorageLocation
        fields = ('id', 'name', 'capacity', 'description')

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(description__icontains=value) | Q(comments__icontains=value)
        )


@register_filterset
class DecommissionFilterSet(PluginFilterSet, TenancyFilterSet):
    status = _choice_filter(DecommissionStatusChoices)
    is_open = django_filters.BooleanFilter(method='filter_is_open', label=_('Open records'))
    has_weight = django_filters.BooleanFilter(method='filter_has_weight', label=_('Has a weight'))
    reason = _choice_filter(DecommissionReasonChoices)
    backup_method = _choice_filter(BackupMethodChoices)
    device_id = _related_filter('device', Device.objects.all(), _('Device (ID)'))
    device = _related_filter('device', Device.objects.all(), _('Device (name)'), to_field_name='name')
    site_id = _related_filter('site', Site.objects.all(), _('Site (ID)'))
    site = _related_filter('site', Site.objects.all(), _('Site (slug)'), to_field_name='slug')
    rack_id = _related_filter('rack', Rack.objects.all(), _('Rack (ID)'))
    storage_location_id = _related_filter(
        'storage_location', StorageLocation.objects.all(), _('Storage location (ID)')
    )
    # Contact groups nest: a team includes its sub-teams, as NetBox's own contact group filters do.
    responsible_team_id = TreeNodeMultipleChoiceFilter(
        queryset=ContactGroup.objects.all(), field_name='responsible_team', lookup_expr='in',
        label=_('Responsible team (ID)'),
    )
    requested_by_id, requested_by = _user_filters('requested_by', _('Requested by'))
    head_id, head = _user_filters('head', _('Head'))
    responsible_id, responsible = _user_filters('responsible', _('Responsible'))
    executor_id, executor = _user_filters('executors', _('Executor'))
    backup_verified_by_id, backup_verified_by = _user_filters('backup_verified_by', _('Restore verified by'))

    class Meta:
        model = Decommission
        fields = (
            'id', 'number', 'reason_text', 'device_pk', 'device_name', 'device_serial', 'device_asset_tag',
            'device_type_name', 'rack_name', 'position', 'primary_ip4', 'primary_ip6', 'organization',
            'planned_start', 'planned_end', 'removed_at', 'backup_target', 'backup_size_gb', 'backup_verified_at',
            'backup_waiver_reason', 'services_stopped', 'users_notified', 'powered_off', 'network_disconnected',
            'clone_medium', 'device_status_before', 'cancel_reason', 'weight', 'type_weight', 'description',
        )

    def filter_has_weight(self, queryset, name, value):
        return filter_has_weight(queryset, name, value)

    def filter_is_open(self, queryset, name, value):
        finished = Q(status__in=DecommissionStatusChoices.FINISHED)
        return queryset.exclude(finished) if value else queryset.filter(finished)

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(
            Q(number__icontains=value) |
            Q(device_name__icontains=value) |
            Q(device_serial__icontains=value) |
            Q(device_asset_tag__icontains=value) |
            Q(reason_text__icontains=value) |
            Q(description__icontains=value) |
            Q(comments__icontains=value)
        )


@register_filterset
class RemovedComponentFilterSet(PluginFilterSet):
    kind = _choice_filter(ComponentKindChoices)
    source_kind = _choice_filter(ComponentSourceChoices)
    condition = _choice_filter(ComponentConditionChoices)
    status = _choice_filter(ComponentStatusChoices)
    sanitization_method = _choice_filter(SanitizationMethodChoices)
    media_destination = _choice_filter(MediaDestinationChoices)
    sanitization_state = _choice_filter(
        SanitizationStateChoices, method='filter_sanitization_state', label=_('Sanitization state'),
    )
    decommission_id = _related_filter('decommission', Decommission.objects.all(), _('Decommission (ID)'))
    decommission = _related_filter(
        'decommission', Decommission.objects.all(), _('Decommission (number)'), to_field_name='number'
    )
    device_id = _related_filter('decommission__device', Device.objects.all(), _('Device (ID)'))
    site_id = _related_filter('decommission__site', Site.objects.all(), _('Site (ID)'))
    manufacturer_id = _related_filter('manufacturer', Manufacturer.objects.all(), _('Manufacturer (ID)'))
    manufacturer = _related_filter(
        'manufacturer', Manufacturer.objects.all(), _('Manufacturer (slug)'), to_field_name='slug'
    )
    storage_location_id = _related_filter('storage_location', StorageLocation.objects.all(), _('Storage location (ID)'))
    sanitization_verified_by_id, sanitization_verified_by = _user_filters(
        'sanitization_verified_by', _('Sanitization verified by')
    )
    sanitized_by_id, sanitized_by = _user_filters('sanitized_by', _('Sanitized by'))
    reused_as_id = TreeNodeMultipleChoiceFilter(
        queryset=InventoryItem.objects.all(), field_name='reused_as', lookup_expr='in',
        label=_('Reused as (inventory item ID)'),
    )
    inspected_by_id, inspected_by = _user_filters('inspected_by', _('Inspected by'))
    has_weight = django_filters.BooleanFilter(method='filter_has_weight', label=_('Has a weight'))

    class Meta:
        model = RemovedComponent
        fields = (
            'id', 'name', 'part_id', 'serial', 'asset_tag', 'source_pk', 'source_name', 'condition_notes',
            'inspected_at', 'antistatic_packed', 'package_label', 'seal_number', 'is_media', 'data_backed_up',
            'backup_location', 'information_system', 'sanitization_technique', 'sanitization_tool',
            'sanitization_tool_version', 'sanitized_by_title', 'sanitized_on', 'sanitization_verification',
            'sanitization_verified_by_title', 'sanitization_deferred_reason', 'disposition_date',
            'disposition_reference', 'vendor_pickup_date', 'vendor_certificate', 'description',
            'data_classification', 'post_sanitization_classification', 'media_destination',
            'personal_data_categories', 'data_subject_categories', 'personal_data_processor', 'weight', 'type_weight',
        )

    def filter_has_weight(self, queryset, name, value):
        return filter_has_weight(queryset, name, value)

    def filter_sanitization_state(self, queryset, name, value):
        sanitized = ~Q(sanitization_method='') & Q(sanitized_on__isnull=False)
        states = {
            SanitizationStateChoices.STATE_NOT_MEDIA: Q(is_media=False),
            SanitizationStateChoices.STATE_VERIFIED: Q(is_media=True) & sanitized
            & Q(sanitization_verified_by__isnull=False),
            SanitizationStateChoices.STATE_SANITIZED: Q(is_media=True) & sanitized
            & Q(sanitization_verified_by__isnull=True),
            SanitizationStateChoices.STATE_DEFERRED: Q(is_media=True) & ~sanitized
            & ~Q(sanitization_deferred_reason=''),
            SanitizationStateChoices.STATE_PENDING: Q(is_media=True) & ~sanitized & Q(sanitization_deferred_reason=''),
        }
        query = Q()
        for state in value:
            query |= states[state]
        return queryset.filter(query) if value else queryset

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(
            Q(name__icontains=value) |
            Q(serial__icontains=value) |
            Q(asset_tag__icontains=value) |
            Q(part_id__icontains=value) |
            Q(package_label__icontains=value) |
            Q(seal_number__icontains=value) |
            Q(description__icontains=value)
        )


# Hand-overs to a disposal vendor (handovers/).
from .choices import HandoverStatusChoices  # noqa: E402
from .models import Handover  # noqa: E402


@register_filterset
class HandoverFilterSet(PluginFilterSet):
    status = _choice_filter(HandoverStatusChoices)
    site_id = _related_filter('site', Site.objects.all(), _('Site (ID)'))
    site = _related_filter('site', Site.objects.all(), _('Site (slug)'), to_field_name='slug')
    vendor_id = _related_filter('vendor', StorageLocation.objects.all(), _('Disposal vendor (ID)'))
    handed_over_by_id, handed_over_by = _user_filters('handed_over_by', _('Handed over by'))
    component_id = django_filters.ModelMultipleChoiceFilter(
        field_name='items__component', queryset=RemovedComponent.objects.all(), label=_('Component (ID)'),
        distinct=True,
    )
    decommission_id = django_filters.ModelMultipleChoiceFilter(
        field_name='items__decommission', queryset=Decommission.objects.all(), label=_('Decommission (ID)'),
        distinct=True,
    )
    serial = CharFilter(field_name='items__serial', lookup_expr='iexact', label=_('Serial number of an item'),
                        distinct=True)

    class Meta:
        model = Handover
        fields = ('id', 'number', 'pickup_date', 'received_by', 'handed_over_at', 'closed_at', 'description')

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(received_by__icontains=value) | Q(description__icontains=value)
            | Q(comments__icontains=value) | Q(items__serial__iexact=value.strip())
        ).distinct()
