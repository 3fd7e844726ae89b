from django import forms
from django.utils.translation import gettext_lazy as _

from dcim.models import Site
from tenancy.models import Tenant
from utilities.forms.fields import DynamicModelChoiceField
from utilities.forms.rendering import FieldSet

from ..choices import DecommissionStatusChoices
from ..models import CalendarFeed

__all__ = (
    'CalendarFeedForm',
)


class CalendarFeedForm(forms.Form):
    """A new calendar feed of the user: a name, and the filters of what it shows."""
    name = forms.CharField(
        label=_('Name'), max_length=CalendarFeed._meta.get_field('name').max_length,
        help_text=_('To tell your feeds apart, e.g. "Moscow windows in Outlook"'),
    )
    site = DynamicModelChoiceField(
        label=_('Site'), queryset=Site.objects.all(), required=False,
        help_text=_('Only the windows of this site; empty: every site'),
    )
    tenant = DynamicModelChoiceField(
        label=_('Tenant'), queryset=Tenant.objects.all(), required=False,
        help_text=_('Only the windows of this tenant; empty: every tenant'),
    )
    stages = forms.MultipleChoiceField(
        label=_('Stages'), choices=DecommissionStatusChoices, required=False,
        help_text=_('Only records at these stages; none: every stage'),
    )

    fieldsets = (
        FieldSet('name', name=_('Calendar feed')),
        FieldSet('site', 'tenant', 'stages', name=_('What it shows')),
    )
