from django import forms
from django.utils.translation import gettext_lazy as _

from dcim.models import Location, Manufacturer, Rack, Site
from netbox.forms import PrimaryModelBulkEditForm
from tenancy.models import ContactGroup, Tenant
from users.models import User
from utilities.forms import add_blank_choice
from utilities.forms.fields import CommentField, DynamicModelChoiceField
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import BulkEditNullBooleanSelect, DatePicker, DateTimePicker

from ..choices import (
    ComponentConditionChoices,
    ComponentKindChoices,
    ComponentStatusChoices,
    DecommissionReasonChoices,
    SanitizationMethodChoices,
    StorageLocationKindChoices,
)
from ..models import Decommission, RemovedComponent, StorageLocation
from .mixins import weight_field

__all__ = (
    'DecommissionBulkEditForm',
    'RemovedComponentBulkEditForm',
    'StorageLocationBulkEditForm',
)


class StorageLocationBulkEditForm(PrimaryModelBulkEditForm):
    model = StorageLocation
    kind = forms.ChoiceField(label=_('Kind'), choices=add_blank_choice(StorageLocationKindChoices), required=False)
    site = DynamicModelChoiceField(label=_('Site'), queryset=Site.objects.all(), required=False)
    location = DynamicModelChoiceField(
        label=_('Location'), queryset=Location.objects.all(), required=False, query_params={'site_id': '$site'},
    )
    rack = DynamicModelChoiceField(
        label=_('Rack'), queryset=Rack.objects.all(), required=False, query_params={'site_id': '$site'},
    )
    capacity = forms.IntegerField(label=_('Capacity'), min_value=0, required=False)
    comments = CommentField()

    fieldsets = (
        FieldSet('kind', 'capacity', 'description', name=_('Storage location')),
        FieldSet('site', 'location', 'rack', name=_('Placement')),
    )
    nullable_fields = ('location', 'rack', 'capacity', 'description', 'comments')


class DecommissionBulkEditForm(PrimaryModelBulkEditForm):
    model = Decommission
    reason = forms.ChoiceField(label=_('Reason'), choices=add_blank_choice(DecommissionReasonChoices), required=False)
    organization = forms.CharField(label=_('Organization'), max_length=200, required=False)
    tenant = DynamicModelChoiceField(label=_('Tenant'), queryset=Tenant.objects.all(), required=False)
    head = DynamicModelChoiceField(label=_('Head'), queryset=User.objects.all(), required=False)
    responsible = DynamicModelChoiceField(label=_('Responsible'), queryset=User.objects.all(), required=False)
    responsible_team = DynamicModelChoiceField(
        label=_('Responsible team'), queryset=ContactGroup.objects.all(), required=False,
    )
    planned_start = forms.DateTimeField(label=_('Planned start'), required=False, widget=DateTimePicker())
    planned_end = forms.DateTimeField(label=_('Planned end'), required=False, widget=DateTimePicker())
    storage_location = DynamicModelChoiceField(
        label=_('Storage location'), queryset=StorageLocation.objects.all(), required=False,
    )
    weight = weight_field()
    comments = CommentField()

    fieldsets = (
        FieldSet('reason', 'description', name=_('Decommission')),
        FieldSet('organization', 'tenant', name=_('Organization')),
        FieldSet('head', 'responsible', 'responsible_team', name=_('People')),
        FieldSet('planned_start', 'planned_end', 'storage_location', name=_('Schedule and storage')),
        FieldSet('weight', name=_('E-waste')),
    )
    nullable_fields = (
        'tenant', 'head', 'responsible', 'responsible_team', 'planned_start', 'planned_end', 'storage_location',
        'weight', 'description', 'comments',
    )


class RemovedComponentBulkEditForm(PrimaryModelBulkEditForm):
    model = RemovedComponent
    kind = forms.ChoiceField(label=_('Kind'), choices=add_blank_choice(ComponentKindChoices), required=False)
    manufacturer = DynamicModelChoiceField(
        label=_('Manufacturer'), queryset=Manufacturer.objects.all(), required=False,
    )
    condition = forms.ChoiceField(
        label=_('Condition'), choices=add_blank_choice(ComponentConditionChoices), required=False,
    )
    condition_notes = forms.CharField(label=_('Inspection notes'), required=False)
    inspected_by = DynamicModelChoiceField(label=_('Inspected by'), queryset=User.objects.all(), required=False)
    inspected_at = forms.DateTimeField(label=_('Inspected at'), required=False, widget=DateTimePicker())
    antistatic_packed = forms.NullBooleanField(
        label=_('Anti-static packaging'), required=False, widget=BulkEditNullBooleanSelect(),
    )
    package_label = forms.CharField(label=_('Package label'), max_length=100, required=False)
    seal_number = forms.CharField(label=_('Tamper seal'), max_length=50, required=False)
    storage_location = DynamicModelChoiceField(
        label=_('Storage location'), queryset=StorageLocation.objects.all(), required=False,
    )
    transfer = forms.BooleanField(
        label=_('Transfer to another site'), required=False,
        help_text=_('Confirm that the new storage location is at another site'),
    )
    status = forms.ChoiceField(label=_('Status'), choices=add_blank_choice(ComponentStatusChoices), required=False)
    is_media = forms.NullBooleanField(label=_('Storage medium'), required=False, widget=BulkEditNullBooleanSelect())
    information_system = forms.CharField(label=_('Information system'), max_length=200, required=False)
    sanitization_method = forms.ChoiceField(
        label=_('Sanitization method'), choices=add_blank_choice(SanitizationMethodChoices), required=False,
    )
    sanitization_technique = forms.CharField(label=_('Sanitization technique'), max_length=100, required=False)
    sanitization_tool = forms.CharField(label=_('Sanitization tool'), max_length=100, required=False)
    sanitization_tool_version = forms.CharField(label=_('Tool version'), max_length=50, required=False)
    sanitized_by = DynamicModelChoiceField(label=_('Sanitized by'), queryset=User.objects.all(), required=False)
    sanitized_on = forms.DateField(label=_('Sanitization date'), required=False, widget=DatePicker())
    sanitization_verification = forms.CharField(label=_('Verification method'), max_length=100, required=False)
    sanitization_verified_by = DynamicModelChoiceField(
        label=_('Sanitization verified by'), queryset=User.objects.all(), required=False,
    )
    disposition_date = forms.DateField(label=_('Disposition date'), required=False, widget=DatePicker())
    disposition_reference = forms.CharField(label=_('Disposition document'), max_length=100, required=False)
    weight = weight_field()
    comments = CommentField()

    fieldsets = (
        FieldSet('kind', 'manufacturer', 'weight', 'description', name=_('Component')),
        FieldSet('condition', 'condition_notes', 'inspected_by', 'inspected_at', name=_('Inspection')),
        FieldSet(
            'antistatic_packed', 'package_label', 'seal_number', 'storage_location', 'transfer', 'status',
            name=_('Packing and storage'),
        ),
        FieldSet(
            'is_media', 'information_system', 'sanitization_method', 'sanitization_technique', 'sanitization_tool',
            'sanitization_tool_version', 'sanitized_by', 'sanitized_on', 'sanitization_verification',
            'sanitization_verified_by', name=_('Media sanitization'),
        ),
        FieldSet('disposition_date', 'disposition_reference', name=_('Disposition')),
    )
    nullable_fields = (
        'manufacturer', 'condition_notes', 'inspected_by', 'inspected_at', 'package_label', 'seal_number',
        'storage_location', 'information_system', 'sanitization_method', 'sanitization_technique',
        'sanitization_tool', 'sanitization_tool_version', 'sanitized_by', 'sanitized_on', 'sanitization_verification',
        'sanitization_verified_by', 'disposition_date', 'disposition_reference', 'weight', 'description', 'comments',
    )
