from django import forms
from django.utils.translation import gettext_lazy as _

from dcim.models import Device, Location, Manufacturer, Rack, Site
from netbox.forms import PrimaryModelForm
from tenancy.forms import TenancyForm
from tenancy.models import ContactGroup
from users.models import User
from utilities.forms.fields import DynamicModelChoiceField, DynamicModelMultipleChoiceField
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import DatePicker, DateTimePicker

from ..choices import DecommissionStatusChoices
from ..documents.certification import certified_notice, certifying_documents
from ..models import Decommission, RemovedComponent, StorageLocation
from .mixins import ComponentRulesMixin, weight_field

__all__ = (
    'DecommissionForm',
    'RemovedComponentForm',
    'StorageLocationForm',
)


class StorageLocationForm(PrimaryModelForm):
    site = DynamicModelChoiceField(label=_('Site'), queryset=Site.objects.all())
    location = DynamicModelChoiceField(
        label=_('Location'),
        queryset=Location.objects.all(),
        required=False,
        query_params={'site_id': '$site'},
    )
    rack = DynamicModelChoiceField(
        label=_('Rack'),
        queryset=Rack.objects.all(),
        required=False,
        query_params={'site_id': '$site', 'location_id': '$location'},
    )

    fieldsets = (
        FieldSet('name', 'kind', 'capacity', 'description', 'tags', name=_('Storage location')),
        FieldSet('site', 'location', 'rack', name=_('Placement')),
    )

    class Meta:
        model = StorageLocation
        fields = ('name', 'kind', 'site', 'location', 'rack', 'capacity', 'description', 'owner', 'comments', 'tags')


class DecommissionForm(TenancyForm, PrimaryModelForm):
    device = DynamicModelChoiceField(label=_('Device'), queryset=Device.objects.all(), selector=True)
    head = DynamicModelChoiceField(
        label=_('Head'), queryset=User.objects.all(), required=False,
        help_text=Decommission._meta.get_field('head').help_text,
    )
    responsible = DynamicModelChoiceField(
        label=_('Responsible'), queryset=User.objects.all(), required=False,
        help_text=Decommission._meta.get_field('responsible').help_text,
    )
    responsible_team = DynamicModelChoiceField(
        label=_('Responsible team'), queryset=ContactGroup.objects.all(), required=False,
    )
    executors = DynamicModelMultipleChoiceField(
        label=_('Executors'), queryset=User.objects.all(), required=False,
        help_text=Decommission._meta.get_field('executors').help_text,
    )
    storage_location = DynamicModelChoiceField(
        label=_('Storage location'), queryset=StorageLocation.objects.all(), required=False,
    )
    weight = weight_field(Decommission._meta.get_field('weight').help_text)

    fieldsets = (
        FieldSet('device', 'number', 'reason', 'reason_text', 'description', 'tags', name=_('Decommission')),
        FieldSet('organization', 'tenant_group', 'tenant', name=_('Organization')),
        FieldSet('head', 'responsible', 'responsible_team', 'executors', name=_('People')),
        FieldSet('planned_start', 'planned_end', 'storage_location', name=_('Schedule and storage')),
        FieldSet('weight', name=_('E-waste')),
    )

    class Meta:
        model = Decommission
        fields = (
            'device', 'number', 'reason', 'reason_text', 'organization', 'tenant', 'head', 'responsible',
            'responsible_team', 'executors', 'planned_start', 'planned_end', 'storage_location', 'weight',
            'description', 'owner', 'comments', 'tags',
        )
        widgets = {
            'planned_start': DateTimePicker(),
            'planned_end': DateTimePicker(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The record's frozen identity belongs to one server; once the workflow has left the draft the
        # device can no longer be swapped.
        if self.instance.pk and self.instance.status != DecommissionStatusChoices.STATUS_DRAFT:
            self.fields['device'].disabled = True
        # What a signed document certifies leaves the form (the edit page lists it read-only), so that no
        # submission can change it.
        self.certified = [
            (self.fields.pop(field).label, self._display(field), certified_notice(document))
            for field, document in certifying_documents(self.instance).items() if field in self.fields
        ]

    def _display(self, field):
        instance = self.instance
        if field == 'executors':
            return ', '.join(str(user) for user in instance.executors.all())
        if hasattr(instance, f'get_{field}_display'):
            return getattr(instance, f'get_{field}_display')()
        value = getattr(instance, field)
        return '' if value is None else str(value)


class RemovedComponentForm(ComponentRulesMixin, PrimaryModelForm):
    decommission = DynamicModelChoiceField(label=_('Decommission'), queryset=Decommission.objects.all())
    manufacturer = DynamicModelChoiceField(label=_('Manufacturer'), queryset=Manufacturer.objects.all(), required=False)
    inspected_by = DynamicModelChoiceField(label=_('Inspected by'), queryset=User.objects.all(), required=False)
    storage_location = DynamicModelChoiceField(
        label=_('Storage location'), queryset=StorageLocation.objects.all(), required=False,
    )
    transfer = forms.BooleanField(
        label=_('Transfer to another site'), required=False,
        help_text=_('Confirm that the new storage location is at another site'),
    )
    sanitized_by = DynamicModelChoiceField(label=_('Sanitized by'), queryset=User.objects.all(), required=False)
    sanitization_verified_by = DynamicModelChoiceField(
        label=_('Sanitization verified by'), queryset=User.objects.all(), required=False,
    )
    force = forms.BooleanField(
        label=_('Record anyway'), required=False,
        help_text=_('The serial number is recorded for another component still in custody, and this is another part'),
    )
    weight = weight_field(RemovedComponent._meta.get_field('weight').help_text)

    fieldsets = (
        FieldSet('decommission', 'kind', 'name', 'description', 'tags', name=_('Component')),
        FieldSet('manufacturer', 'part_id', 'serial', 'asset_tag', 'weight', 'force', name=_('Identity')),
        FieldSet('condition', 'condition_notes', 'inspected_by', 'inspected_at', name=_('Inspection')),
        FieldSet(
            'antistatic_packed', 'package_label', 'seal_number', 'storage_location', 'transfer', 'status',
            name=_('Packing and storage'),
        ),
        FieldSet(
            'is_media', 'information_system', 'data_classification', 'data_backed_up', 'backup_location',
            'sanitization_method', 'sanitization_technique', 'sanitization_tool', 'sanitization_tool_version',
            'sanitized_by', 'sanitized_by_title', 'sanitized_on', 'sanitization_verification',
            'post_sanitization_classification', 'media_destination', 'sanitization_deferred_reason',
            name=_('Media sanitization'),
        ),
        FieldSet(
            'sanitization_verified_by', 'sanitization_verified_by_title',
            name=_('Validation (by a second person)'),
        ),
        FieldSet(
            'personal_data_categories', 'data_subject_categories', 'personal_data_processor',
            name=_('Personal data'),
        ),
        FieldSet(
            'disposition_date', 'disposition_reference', 'vendor_pickup_date', 'vendor_certificate',
            name=_('Disposition'),
        ),
    )

    class Meta:
        model = RemovedComponent
        fields = (
            'decommission', 'kind', 'name', 'manufacturer', 'part_id', 'serial', 'asset_tag', 'weight', 'condition',
            'condition_notes', 'inspected_by', 'inspected_at', 'antistatic_packed', 'package_label', 'seal_number',
            'storage_location', 'status', 'is_media', 'information_system', 'data_backed_up', 'backup_location',
            'sanitization_method', 'sanitization_technique', 'sanitization_tool', 'sanitization_tool_version',
            'sanitized_by', 'sanitized_by_title', 'sanitized_on', 'sanitization_verification',
            'sanitization_verified_by', 'sanitization_verified_by_title', 'sanitization_deferred_reason',
            'data_classification', 'post_sanitization_classification', 'media_destination',
            'personal_data_categories', 'data_subject_categories', 'personal_data_processor',
            'disposition_date', 'disposition_reference', 'vendor_pickup_date', 'vendor_certificate', 'description',
            'owner', 'comments', 'tags',
        )
        widgets = {
            'inspected_at': DateTimePicker(),
            'sanitized_on': DatePicker(),
            'disposition_date': DatePicker(),
            'vendor_pickup_date': DatePicker(),
        }
        labels = {'antistatic_packed': _('Anti-static packaging')}
