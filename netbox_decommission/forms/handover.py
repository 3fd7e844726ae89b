"""The forms of hand-overs to a disposal vendor: the model's own, and those of its operations (handovers/)."""
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dcim.models import Site
from netbox.forms import PrimaryModelBulkEditForm, PrimaryModelFilterSetForm, PrimaryModelForm, PrimaryModelImportForm
from utilities.forms.fields import (
    CommentField,
    CSVModelChoiceField,
    DynamicModelChoiceField,
    DynamicModelMultipleChoiceField,
    TagFilterField,
)
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import DatePicker

from ..choices import HandoverStatusChoices, StorageLocationKindChoices
from ..handovers.certificate import ENCODINGS
from ..models import Handover, StorageLocation

__all__ = (
    'HandoverAddItemsForm',
    'HandoverBulkEditForm',
    'HandoverCloseForm',
    'HandoverCertificateForm',
    'HandoverFilterForm',
    'HandoverForm',
    'HandoverImportForm',
)

VENDORS = {'kind': StorageLocationKindChoices.KIND_VENDOR}


class HandoverForm(PrimaryModelForm):
    site = DynamicModelChoiceField(label=_('Site'), queryset=Site.objects.all())
    vendor = DynamicModelChoiceField(
        label=_('Disposal vendor'), queryset=StorageLocation.objects.filter(**VENDORS), query_params=VENDORS,
        help_text=Handover._meta.get_field('vendor').help_text,
    )

    fieldsets = (
        FieldSet('number', 'site', 'vendor', 'pickup_date', 'received_by', 'description', 'tags',
                 name=_('Hand-over')),
    )

    class Meta:
        model = Handover
        fields = ('number', 'site', 'vendor', 'pickup_date', 'received_by', 'description', 'owner', 'comments',
                  'tags')
        widgets = {'pickup_date': DatePicker()}


class HandoverFilterForm(PrimaryModelFilterSetForm):
    model = Handover
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag'),
        FieldSet('status', 'site_id', 'vendor_id', name=_('Hand-over')),
        FieldSet('owner_group_id', 'owner_id', name=_('Ownership')),
    )
    status = forms.MultipleChoiceField(label=_('Status'), choices=HandoverStatusChoices, required=False)
    site_id = DynamicModelMultipleChoiceField(label=_('Site'), queryset=Site.objects.all(), required=False)
    vendor_id = DynamicModelMultipleChoiceField(
        label=_('Disposal vendor'), queryset=StorageLocation.objects.filter(**VENDORS), query_params=VENDORS,
        required=False,
    )
    tag = TagFilterField(model)


class HandoverBulkEditForm(PrimaryModelBulkEditForm):
    model = Handover
    pickup_date = forms.DateField(label=_('Pickup date'), required=False, widget=DatePicker())
    received_by = forms.CharField(label=_('Received by'), max_length=200, required=False)
    comments = CommentField()

    fieldsets = (
        FieldSet('pickup_date', 'received_by', 'description', name=_('Hand-over')),
    )
    nullable_fields = ('received_by', 'description', 'comments')


class HandoverImportForm(PrimaryModelImportForm):
    site = CSVModelChoiceField(
        label=_('Site'), queryset=Site.objects.all(), to_field_name='name', help_text=_('Site name'),
    )
    vendor = CSVModelChoiceField(
        label=_('Disposal vendor'), queryset=StorageLocation.objects.filter(**VENDORS), to_field_name='name',
        help_text=_('Name of a storage location of kind "Disposal vendor"'),
    )

    class Meta:
        model = Handover
        fields = ('number', 'site', 'vendor', 'pickup_date', 'received_by', 'description', 'owner', 'comments',
                  'tags')


class HandoverAddItemsForm(forms.Form):
    """The items a planned hand-over may carry, offered as checkboxes (handovers.services.eligible_*)."""
    components = forms.ModelMultipleChoiceField(
        label=_('Components'), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
    )
    decommissions = forms.ModelMultipleChoiceField(
        label=_('Servers'), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, components, servers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields['components'].queryset = components
        self.fields['components'].label_from_instance = lambda c: _(
            '{component} — {kind}, decommission {number}, in {location}').format(
            component=c, kind=c.get_kind_display(), number=c.decommission.number, location=c.storage_location)
        self.fields['decommissions'].queryset = servers
        self.fields['decommissions'].label_from_instance = lambda d: _(
            'Server {name} ({serial}) — decommission {number}, in {location}').format(
            name=d.device_name, serial=d.device_serial or '—', number=d.number, location=d.storage_location)


class HandoverCertificateForm(forms.Form):
    """The vendor's certificate as a CSV file, and which of its columns hold what."""
    file = forms.FileField(label=_('Certificate (CSV)'))
    encoding = forms.ChoiceField(
        label=_('Encoding'), choices=[(e, {'utf-8': 'UTF-8', 'cp1251': 'Windows-1251'}[e]) for e in ENCODINGS],
        initial='utf-8',
    )
    serial_column = forms.CharField(
        label=_('Serial number column'), required=False, max_length=100,
        help_text=_('Empty: a column named "serial", "serial number", "sn" or "серийный номер"'),
    )
    method_column = forms.CharField(
        label=_('Method column'), required=False, max_length=100,
        help_text=_('Empty: a column named "method", "disposition" or "способ"; values "destroyed" or "recycled"'),
    )
    date_column = forms.CharField(
        label=_('Date column'), required=False, max_length=100,
        help_text=_('Empty: a column named "date" or "дата"; dates as YYYY-MM-DD or DD.MM.YYYY'),
    )
    number_column = forms.CharField(
        label=_('Certificate number column'), required=False, max_length=100,
        help_text=_('Empty: a column named "certificate" or "certificate number"'),
    )
    certificate_number = forms.CharField(
        label=_('Certificate number'), required=False, max_length=100,
        help_text=_('The certificate\'s number, for a file that has no column of it'),
    )

    fieldsets = (
        FieldSet('file', 'encoding', 'certificate_number', name=_('Certificate')),
        FieldSet('serial_column', 'method_column', 'date_column', 'number_column',
                 name=pgettext_lazy('CSV file', 'Columns')),
    )

    def mapping(self):
        data = self.cleaned_data
        return {key: data[f'{key}_column'] for key in ('serial', 'method', 'date', 'number')}


class HandoverCloseForm(forms.Form):
    """Closing a hand-over: a reason for each item the certificates do not account for (an exception)."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f'reason_{item.pk}'] = forms.CharField(
                label=str(item) or str(item.pk), required=False, widget=forms.Textarea(attrs={'rows': 2}),
                help_text=_('Why the hand-over closes although the certificate does not account for this item'),
            )

    def exceptions(self):
        return [(item, self.cleaned_data[f'reason_{item.pk}']) for item in self.items]
