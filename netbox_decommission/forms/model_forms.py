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

    fieldsets = (
        FieldSet('device', 'number', 'reason', 'reason_text', 'description', 'tags', name=_('Decommission')),
        FieldSet('organization', 'tenant_group', 'tenant', name=_('Organization')),
        FieldSet('head', 'responsible', 'responsible_team', 'executors', name=_('People')),
        FieldSet('planned_start', 'planned_end', 'storage_location', name=_('Schedule and storage')),
    )

    class Meta:
        model = Decommission
        fields = (
            'device', 'number', 'reason', 'reason_text', 'organization', 'tenant', 'head', 'responsible',
            'responsible_team', 'executors', 'planned_start', 'planned_end', 'storage_location', 'description',
            'owner', 'comments', 'tags',
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


class RemovedComponentForm(PrimaryModelForm):
    decommission = DynamicModelChoiceField(label=_('Decommission'), queryset=Decommission.objects.all())
    manufacturer = DynamicModelChoiceField(label=_('Manufacturer'), queryset=Manufacturer.objects.all(), required=False)
    storage_location = DynamicModelChoiceField(
        label=_('Storage location'), queryset=StorageLocation.objects.all(), required=False,
    )
    sanitization_verified_by = DynamicModelChoiceField(
        label=_('Sanitization verified by'), queryset=User.objects.all(), required=False,
    )

    fieldsets = (
        FieldSet('decommission', 'kind', 'name', 'description', 'tags', name=_('Component')),
        FieldSet('manufacturer', 'part_id', 'serial', 'asset_tag', name=_('Identity')),
        FieldSet('condition', 'condition_notes', name=_('Inspection')),
        FieldSet('antistatic_packed', 'package_label', 'storage_location', 'status', name=_('Packing and storage')),
        FieldSet(
            'sanitization_method', 'sanitization_tool', 'sanitization_verified_by', 'sanitized_on',
            name=_('Media sanitization'),
        ),
    )

    class Meta:
        model = RemovedComponent
        fields = (
            'decommission', 'kind', 'name', 'manufacturer', 'part_id', 'serial', 'asset_tag', 'condition',
            'condition_notes', 'antistatic_packed', 'package_label', 'storage_location', 'status',
            'sanitization_method', 'sanitization_tool', 'sanitization_verified_by', 'sanitized_on', 'description',
            'owner', 'comments', 'tags',
        )
        widgets = {
            'sanitized_on': DatePicker(),
        }
        labels = {'antistatic_packed': _('Anti-static packaging')}
