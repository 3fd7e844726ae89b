from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dcim.models import Site
from utilities.forms.fields import DynamicModelMultipleChoiceField
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import DatePicker

from ..choices import StorageLocationKindChoices
from ..ewaste import PeriodChoices, check_filters
from ..models import StorageLocation

__all__ = (
    'EwasteReportFilterForm',
)


class EwasteReportFilterForm(forms.Form):
    """The e-waste report's filters, the same for the page, its CSV and the REST endpoint (query parameters)."""
    date_from = forms.DateField(
        label=_('From'), required=False, widget=DatePicker(),
        help_text=_('First day counted (YYYY-MM-DD), by the date the hand-over left'),
        error_messages={'invalid': _('Enter the start date as YYYY-MM-DD.')},
    )
    date_to = forms.DateField(
        label=_('To'), required=False, widget=DatePicker(),
        help_text=_('Last day counted (YYYY-MM-DD)'),
        error_messages={'invalid': _('Enter the end date as YYYY-MM-DD.')},
    )
    site_id = DynamicModelMultipleChoiceField(label=_('Site'), queryset=Site.objects.all(), required=False)
    vendor_id = DynamicModelMultipleChoiceField(
        label=_('Disposal vendor'),
        queryset=StorageLocation.objects.filter(kind=StorageLocationKindChoices.KIND_VENDOR),
        required=False,
        query_params={'kind': StorageLocationKindChoices.KIND_VENDOR},
    )
    period = forms.ChoiceField(
        label=_('Per'), choices=PeriodChoices, required=False, initial=PeriodChoices.PERIOD_MONTH,
    )

    fieldsets = (
        FieldSet('date_from', 'date_to', 'period', name=_('Period')),
        FieldSet('site_id', 'vendor_id', name=_('Where')),
    )

    def clean_period(self):
        return self.cleaned_data.get('period') or PeriodChoices.PERIOD_MONTH

    def clean(self):
        data = super().clean()
        try:
            check_filters(data.get('date_from'), data.get('date_to'), data.get('period') or PeriodChoices.PERIOD_MONTH)
        except ValidationError as e:
            for name, messages in e.message_dict.items():
                self.add_error(name, messages)
        return data

    def report_filters(self):
        """The arguments of ewaste.report() (after is_valid())."""
        data = self.cleaned_data
        return {
            'date_from': data.get('date_from'),
            'date_to': data.get('date_to'),
            'sites': list(data.get('site_id') or ()),
            'vendors': list(data.get('vendor_id') or ()),
            'period': data.get('period') or PeriodChoices.PERIOD_MONTH,
        }
