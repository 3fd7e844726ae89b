from django import forms
from django.utils.translation import gettext_lazy as _

from dcim.models import Device, Location, Manufacturer, Rack, Site
from netbox.forms import PrimaryModelImportForm
from tenancy.models import ContactGroup, Tenant
from users.models import User
from utilities.forms.fields import CSVChoiceField, CSVModelChoiceField, CSVModelMultipleChoiceField

from ..choices import (
    ComponentConditionChoices,
    ComponentKindChoices,
    ComponentSourceChoices,
    ComponentStatusChoices,
    DecommissionReasonChoices,
    SanitizationMethodChoices,
    StorageLocationKindChoices,
)
from ..models import Decommission, RemovedComponent, StorageLocation
from .mixins import ComponentRulesMixin, weight_field

__all__ = (
    'DecommissionImportForm',
    'RemovedComponentImportForm',
    'StorageLocationImportForm',
)


def _user_field(label, help_text=None):
    return CSVModelChoiceField(
        label=label, queryset=User.objects.all(), required=False, to_field_name='username', help_text=help_text,
    )


class StorageLocationImportForm(PrimaryModelImportForm):
    kind = CSVChoiceField(label=_('Kind'), choices=StorageLocationKindChoices)
    site = CSVModelChoiceField(
        label=_('Site'), queryset=Site.objects.all(), to_field_name='name', help_text=_('Site name'),
    )
    location = CSVModelChoiceField(
        label=_('Location'), queryset=Location.objects.all(), required=False, to_field_name='name',
        help_text=_('Location name, within the site'),
    )
    rack = CSVModelChoiceField(
        label=_('Rack'), queryset=Rack.objects.all(), required=False, to_field_name='name',
        help_text=_('Rack name, within the site'),
    )

    class Meta:
        model = StorageLocation
        fields = ('name', 'kind', 'site', 'location', 'rack', 'capacity', 'description', 'owner', 'comments', 'tags')

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # Location and rack names are unique only within a site.
        if data and data.get('site'):
            self.fields['location'].queryset = Location.objects.filter(site__name=data['site'])
            self.fields['rack'].queryset = Rack.objects.filter(site__name=data['site'])


class DecommissionImportForm(PrimaryModelImportForm):
    device = CSVModelChoiceField(
        label=_('Device'), queryset=Device.objects.all(), to_field_name='name', help_text=_('Device name'),
    )
    reason = CSVChoiceField(label=_('Reason'), choices=DecommissionReasonChoices)
    tenant = CSVModelChoiceField(
        label=_('Tenant'), queryset=Tenant.objects.all(), required=False, to_field_name='name',
    )
    head = _user_field(_('Head'), _('Username of the head who approves'))
    responsible = _user_field(_('Responsible'), _('Username of the person responsible'))
    responsible_team = CSVModelChoiceField(
        label=_('Responsible team'), queryset=ContactGroup.objects.all(), required=False, to_field_name='name',
    )
    executors = CSVModelMultipleChoiceField(
        label=_('Executors'), queryset=User.objects.all(), required=False, to_field_name='username',
        help_text=_('Usernames, separated by commas and enclosed in quotes'),
    )
    storage_location = CSVModelChoiceField(
        label=_('Storage location'), queryset=StorageLocation.objects.all(), required=False, to_field_name='name',
    )
    weight = weight_field(_('Weight in kilograms, overriding the device type\'s'))

    class Meta:
        model = Decommission
        fields = (
            'device', 'number', 'reason', 'reason_text', 'organization', 'tenant', 'head', 'responsible',
            'responsible_team', 'executors', 'planned_start', 'planned_end', 'storage_location', 'weight',
            'description', 'owner', 'comments', 'tags',
        )


class RemovedComponentImportForm(ComponentRulesMixin, PrimaryModelImportForm):
    decommission = CSVModelChoiceField(
        label=_('Decommission'), queryset=Decommission.objects.all(), to_field_name='number',
        help_text=_('Decommission number'),
    )
    kind = CSVChoiceField(label=_('Kind'), choices=ComponentKindChoices)
    manufacturer = CSVModelChoiceField(
        label=_('Manufacturer'), queryset=Manufacturer.objects.all(), required=False, to_field_name='name',
    )
    source_kind = CSVChoiceField(label=_('Source'), choices=ComponentSourceChoices, required=False)
    condition = CSVChoiceField(label=_('Condition'), choices=ComponentConditionChoices, required=False)
    storage_location = CSVModelChoiceField(
        label=_('Storage location'), queryset=StorageLocation.objects.all(), required=False, to_field_name='name',
    )
    status = CSVChoiceField(label=_('Status'), choices=ComponentStatusChoices, required=False)
    sanitization_method = CSVChoiceField(
        label=_('Sanitization method'), choices=SanitizationMethodChoices, required=False,
    )
    sanitization_verified_by = _user_field(_('Sanitization verified by'))
    inspected_by = _user_field(_('Inspected by'))
    sanitized_by = _user_field(_('Sanitized by'))
    force = forms.BooleanField(
        label=_('Record anyway'), required=False,
        help_text=_('true to record a serial number that another component still in custody carries'),
    )
    transfer = forms.BooleanField(
        label=_('Transfer to another site'), required=False,
        help_text=_('true to confirm a storage location at another site'),
    )
    weight = weight_field(_('Weight in kilograms, overriding the module type\'s'))

    class Meta:
        model = RemovedComponent
        fields = (
            'decommission', 'kind', 'name', 'manufacturer', 'part_id', 'serial', 'asset_tag', 'weight', 'source_kind',
            'source_pk', 'source_name', 'condition', 'condition_notes', 'inspected_by', 'inspected_at',
            'antistatic_packed', 'package_label', 'seal_number', 'storage_location', 'status', 'is_media',
            'information_system', 'data_backed_up', 'backup_location', 'sanitization_method',
            'sanitization_technique', 'sanitization_tool', 'sanitization_tool_version', 'sanitized_by',
            'sanitized_by_title', 'sanitized_on', 'sanitization_verification', 'sanitization_verified_by',
            'sanitization_verified_by_title', 'sanitization_deferred_reason', 'data_classification',
            'post_sanitization_classification', 'media_destination', 'personal_data_categories',
            'data_subject_categories', 'personal_data_processor', 'disposition_date',
            'disposition_reference', 'vendor_pickup_date', 'vendor_certificate', 'description', 'owner', 'comments',
            'tags',
        )
