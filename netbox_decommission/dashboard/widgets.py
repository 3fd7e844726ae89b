"""
The plugin's widgets for NetBox's dashboard (registered when the plugin is ready: PluginConfig.ready imports this
module). Each shows numbers from figures.py, bounded by the viewer's permissions, and is configured with NetBox's
widget configuration form: the site, the number of days, the period, as each needs.
"""
from urllib.parse import urlencode

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dcim.models import Site
from extras.dashboard.utils import register_widget
from extras.dashboard.widgets import DashboardWidget, WidgetConfigForm
from utilities.forms.fields import DynamicModelChoiceField

from ..choices import FINAL_COMPONENT_STATUSES, ComponentStatusChoices
from ..choices import DashboardPeriodChoices as Period
from . import figures

__all__ = (
    'ByStageWidget',
    'MediaAtRiskWidget',
    'OverdueWidget',
    'ThisPeriodWidget',
)

TEMPLATES = 'netbox_decommission/dashboard/'


def list_url(view, **params):
    """The URL of one of the plugin's lists, filtered by ``params`` (those without a value left out)."""
    query = urlencode([(key, value) for key, value in params.items() if value not in (None, '')], doseq=True)
    url = reverse(f'plugins:netbox_decommission:{view}_list')
    return f'{url}?{query}' if query else url


class SiteConfigForm(WidgetConfigForm):
    """A widget's configuration: the site it counts (none: every site the viewer may view)."""
    site = DynamicModelChoiceField(
        label=_('Site'),
        queryset=Site.objects.all(),
        required=False,
        help_text=_('Count only the records of this site; leave empty for every site'),
    )

    def clean_site(self):
        # The dashboard keeps its widgets' configuration as JSON: the site's ID.
        site = self.cleaned_data.get('site')
        return site.pk if site else None


def days_field(initial, help_text):
    return forms.IntegerField(label=_('Days'), min_value=1, max_value=3650, initial=initial, help_text=help_text)


def max_items_field():
    return forms.IntegerField(
        label=_('Rows'), min_value=1, max_value=100, initial=10,
        help_text=_('The most records each list shows; the count includes them all'),
    )


class DecommissionWidget(DashboardWidget):
    """
    What the plugin's widgets share: a template of their own, and the configured site named above the numbers. Each
    widget defines context(user), the numbers its template shows.
    """
    template_name = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The dashboard stores the title as JSON: the default title in the language of the one who added the widget.
        if self.title is not None:
            self.title = str(self.title)

    def setting(self, name):
        """
        One setting of the widget's configuration, or its default when it is not set. Numbers are whole numbers (a
        configuration written by hand, e.g. in DEFAULT_DASHBOARD, may give them as text).
        """
        value = self.config.get(name)
        value = self.default_config.get(name) if value in (None, '') else value
        return int(value) if name in ('site', 'days', 'max_items') and value is not None else value

    def render(self, request):
        site = self.setting('site')
        return render_to_string(self.template_name, {
            'site': site,
            'site_name': figures.site_name(request.user, site),
            **self.context(request.user),
        })


@register_widget
class ByStageWidget(DecommissionWidget):
    default_title = _('Decommissions by stage')
    description = _('The open decommissions at each stage of the workflow, each bar a link to them.')
    default_config = {'site': None}
    template_name = TEMPLATES + 'by_stage.html'
    width = 4
    height = 4

    class ConfigForm(SiteConfigForm):
        pass

    def context(self, user):
        site = self.setting('site')
        stages = figures.by_stage(user, site)
        if stages is None:
            return {'permitted': False}
        most = max((stage.count for stage in stages), default=0)
        bars = [{
            'stage': stage.stage, 'label': stage.label, 'colour': stage.colour, 'count': stage.count,
            # Whole percentages: a decimal fraction would print with the reader's decimal separator.
            'percent': round(100 * stage.count / most) if most else 0,
            'url': list_url('decommission', status=stage.stage, site_id=site),
        } for stage in stages]
        return {
            'permitted': True, 'bars': bars, 'total': sum(stage.count for stage in stages),
            'all_url': list_url('decommission', is_open='true', site_id=site),
        }


@register_widget
class OverdueWidget(DecommissionWidget):
    default_title = _('Overdue decommissions')
    description = _(
        'Open decommissions whose planned window has ended, and those whose window starts within the next days '
        'without a recorded backup.'
    )
    default_config = {'site': None, 'days': 7, 'max_items': 10}
    template_name = TEMPLATES + 'overdue.html'
    width = 4
    height = 4

    class ConfigForm(SiteConfigForm):
        days = days_field(7, _('List the windows that start within this many days without a recorded backup'))
        max_items = max_items_field()

    def context(self, user):
        site, days, limit = self.setting('site'), self.setting('days'), self.setting('max_items')
        overdue = figures.overdue(user, site, limit=limit)
        if overdue is None:
            return {'permitted': False}
        return {
            'permitted': True, 'days': days, 'overdue': overdue,
            'backup_due': figures.backup_due(user, site, days=days, limit=limit),
        }


@register_widget
class MediaAtRiskWidget(DecommissionWidget):
    default_title = _('Storage media at risk')
    description = _(
        'Removed storage media neither sanitized nor sealed, and sealed media waiting for sanitization longer than '
        'a number of days.'
    )
    default_config = {'site': None, 'days': 30, 'max_items': 10}
    template_name = TEMPLATES + 'media_at_risk.html'
    width = 4
    height = 4

    class ConfigForm(SiteConfigForm):
        days = days_field(30, _('List the sealed media removed more than this many days ago'))
        max_items = max_items_field()

    def context(self, user):
        site, days, limit = self.setting('site'), self.setting('days'), self.setting('max_items')
        unsealed = figures.unsealed_media(user, site, limit=limit)
        if unsealed is None:
            return {'permitted': False}
        return {
            'permitted': True, 'days': days, 'unsealed': unsealed,
            'sealed': figures.sealed_media_waiting(user, site, days=days, limit=limit),
        }


@register_widget
class ThisPeriodWidget(DecommissionWidget):
    default_title = _('Decommissioning this period')
    description = _(
        'Servers retired, components reused, transferred, destroyed or recycled, and kilograms handed to disposal '
        'vendors in a period.'
    )
    default_config = {'site': None, 'period': Period.PERIOD_THIS_MONTH}
    template_name = TEMPLATES + 'this_period.html'
    width = 4
    height = 4

    class ConfigForm(SiteConfigForm):
        period = forms.ChoiceField(label=_('Period'), choices=Period, initial=Period.PERIOD_THIS_MONTH)

    def context(self, user):
        site, period = self.setting('site'), self.setting('period')
        numbers = figures.this_period(user, site, period)
        labels = dict(ComponentStatusChoices)
        dispositions = None
        if numbers.dispositions is not None:
            dispositions = [{
                'status': status, 'label': labels[status], 'count': numbers.dispositions[status],
                'url': list_url('removedcomponent', status=status, site_id=site,
                                disposition_date__gte=numbers.first.isoformat(),
                                disposition_date__lte=numbers.last.isoformat()),
            } for status in FINAL_COMPONENT_STATUSES]
        return {
            'period_label': dict(Period).get(period, period), 'numbers': numbers, 'dispositions': dispositions,
        }
