from django import forms
from django.utils.translation import gettext_lazy as _

from dcim.models import Device, Location, Manufacturer, Rack, Site
from netbox.forms import PrimaryModelFilterSetForm
from tenancy.forms import TenancyFilterForm
from users.models import User
from utilities.forms import BOOLEAN_WITH_BLANK_CHOICES
from utilities.forms.fields import DynamicModelMultipleChoiceField, TagFilterField
from utilities.forms.rendering import FieldSet

from ..choices import (
    ComponentConditionChoices,
    ComponentKindChoices,
    ComponentStatusChoices,
    DecommissionReasonChoices,
    DecommissionStatusChoices,
    MediaDestinationChoices,
    SanitizationMethodChoices,
    SanitizationStateChoices,
    StorageLocationKindChoices,
)
from ..models import Decommission, RemovedComponent, StorageLocation

__all__ = (
    'DecommissionFilterForm',
    'RemovedComponentFilterForm',
    'StorageLocationFilterForm',
)


def _boolean_filter(label):
    return forms.NullBooleanField(label=label, required=False, widget=forms.Select(choices=BOOLEAN_WITH_BLANK_CHOICES))


class StorageLocationFilterForm(PrimaryModelFilterSetForm):
    model = StorageLocation
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag'),
        FieldSet('kind', 'site_id', 'location_id', 'rack_id', name=_('Attributes')),
        FieldSet('owner_group_id', 'owner_id', name=_('Ownership')),
    )
    kind = forms.MultipleChoiceField(label=_('Kind'), choices=StorageLocationKindChoices, required=False)
    site_id = DynamicModelMultipleChoiceField(label=_('Site'), queryset=Site.objects.all(), required=False)
    location_id = DynamicModelMultipleChoiceField(
        label=_('Location'), queryset=Location.objects.all(), required=False, query_params={'site_id': '$site_id'},
    )
    rack_id = DynamicModelMultipleChoiceField(
        label=_('Rack'), queryset=Rack.objects.all(), required=False, query_params={'site_id': '$site_id'},
    )
    tag = TagFilterField(model)


class DecommissionFilterForm(TenancyFilterForm, PrimaryModelFilterSetForm):
    model = Decommission
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag'),
        FieldSet('status', 'is_open', 'reason', name=_('Workflow')),
        FieldSet('site_id', 'rack_id', 'device_id', 'storage_location_id', 'has_weight', name=_('Server')),
        FieldSet('head_id', 'responsible_id', 'executor_id', name=_('People')),
        FieldSet('tenant_group_id', 'tenant_id', name=_('Tenant')),
        FieldSet('owner_group_id', 'owner_id', name=_('Ownership')),
    )
    status = forms.MultipleChoiceField(label=_('Status'), choices=DecommissionStatusChoices, required=False)
    is_open = _boolean_filter(_('Open records'))
    has_weight = _boolean_filter(_('Has a weight'))
    reason = forms.MultipleChoiceField(label=_('Reason'), choices=DecommissionReasonChoices, required=False)
    site_id = DynamicModelMultipleChoiceField(label=_('Site'), queryset=Site.objects.all(), required=False)
    rack_id = DynamicModelMultipleChoiceField(
        label=_('Rack'), queryset=Rack.objects.all(), required=False, query_params={'site_id': '$site_id'},
    )
    device_id = DynamicModelMultipleChoiceField(
        label=_('Device'), queryset=Device.objects.all(), required=False, query_params={'site_id': '$site_id'},
    )
    storage_location_id = DynamicModelMultipleChoiceField(
        label=_('Storage location'), queryset=StorageLocation.objects.all(), required=False,
    )
    head_id = DynamicModelMultipleChoiceField(label=_('Head'), queryset=User.objects.all(), required=False)
    responsible_id = DynamicModelMultipleChoiceField(
        label=_('Responsible'), queryset=User.objects.all(), required=False,
    )
    executor_id = DynamicModelMultipleChoiceField(label=_('Executor'), queryset=User.objects.all(), required=False)
    tag = TagFilterField(model)


class RemovedComponentFilterForm(PrimaryModelFilterSetForm):
    model = RemovedComponent
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag'),
        FieldSet('decommission_id', 'kind', 'manufacturer_id', 'serial', 'has_weight', name=_('Component')),
        FieldSet('condition', 'status', 'antistatic_packed', 'seal_number', 'storage_location_id', name=_('Handling')),
        FieldSet('is_media', 'sanitization_state', 'sanitization_method', 'media_destination',
                 name=_('Media sanitization')),
        FieldSet('owner_group_id', 'owner_id', name=_('Ownership')),
    )
    decommission_id = DynamicModelMultipleChoiceField(
        label=_('Decommission'), queryset=Decommission.objects.all(), required=False,
    )
    kind = forms.MultipleChoiceField(label=_('Kind'), choices=ComponentKindChoices, required=False)
    manufacturer_id = DynamicModelMultipleChoiceField(
        label=_('Manufacturer'), queryset=Manufacturer.objects.all(), required=False,
    )
    serial = forms.CharField(label=_('Serial number'), required=False)
    has_weight = _boolean_filter(_('Has a weight'))
    condition = forms.MultipleChoiceField(label=_('Condition'), choices=ComponentConditionChoices, required=False)
    status = forms.MultipleChoiceField(label=_('Status'), choices=ComponentStatusChoices, required=False)
    antistatic_packed = _boolean_filter(_('Anti-static packaging'))
    storage_location_id = DynamicModelMultipleChoiceField(
        label=_('Storage location'), queryset=StorageLocation.objects.all(), required=False,
    )
    seal_number = forms.CharField(label=_('Tamper seal'), required=False)
    is_media = _boolean_filter(_('Storage medium'))
    sanitization_state = forms.MultipleChoiceField(
        label=_('Sanitization state'), choices=SanitizationStateChoices, required=False,
    )
    sanitization_method = forms.MultipleChoiceField(
        label=_('Sanitization method'), choices=SanitizationMethodChoices, required=False,
    )
    media_destination = forms.MultipleChoiceField(
        label=_('Media destination'), choices=MediaDestinationChoices, required=False,
    )
    tag = TagFilterField(model)
