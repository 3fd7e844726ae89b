from django import forms
from django.utils.translation import gettext_lazy as _

from dcim.models import Device
from utilities.forms.fields import DynamicModelChoiceField
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import DatePicker

from ..choices import ComponentStatusChoices, StorageLocationKindChoices
from ..disposition import DISPOSITIONS
from ..models import StorageLocation

__all__ = (
    'DispositionForm',
)


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_('Disposition'), choices=[(d, label) for d, label in ComponentStatusChoices if d in DISPOSITIONS],
    )
    device = DynamicModelChoiceField(
        label=_('Return into NetBox on device'), queryset=Device.objects.all(), required=False, selector=True,
        help_text=_('Reuse: the part becomes an inventory item of this device (leave empty to only record the reuse)'),
    )
    spare = forms.BooleanField(
        label=_('As a spare'), required=False,
        help_text=_('Reuse: the inventory item is kept offline, as a spare, instead of in service'),
    )
    vendor = DynamicModelChoiceField(
        label=_('Disposal vendor'), queryset=StorageLocation.objects.all(), required=False,
        query_params={'kind': StorageLocationKindChoices.KIND_VENDOR},
        help_text=_('Transfer: a storage location of kind "disposal vendor"'),
    )
    vendor_pickup_date = forms.DateField(label=_('Vendor pickup date'), required=False, widget=DatePicker())
    vendor_certificate = forms.CharField(label=_('Vendor certificate'), max_length=100, required=False)
    date = forms.DateField(label=_('Date'), required=False, widget=DatePicker(), help_text=_('Default: today'))
    reference = forms.CharField(
        label=_('Document'), max_length=100, required=False,
        help_text=_('Reference of the document recording it (required for a destruction)'),
    )

    fieldsets = (
        FieldSet('disposition', 'date', 'reference', name=_('Disposition')),
        FieldSet('device', 'spare', name=_('Reuse')),
        FieldSet('vendor', 'vendor_pickup_date', 'vendor_certificate', name=_('Transfer to a disposal vendor')),
    )
