"""
The e-waste report: the kilograms handed over to disposal vendors, per vendor, per site and per period (month,
quarter or year), from the hand-overs that left (status handed over or closed) by the date they left.

It counts the weight each hand-over item froze when it was handed over (what the manifest prints), so a report of
past months does not change when a record's weight is corrected later. Items without a weight are counted apart, so
that the reader knows a total is partial. The user sees only the hand-overs their object permissions let them view.
One query, whatever the number of hand-overs.
"""
import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import Trunc
from django.utils.translation import gettext_lazy as _

from utilities.choices import ChoiceSet

from .choices import HandoverStatusChoices
from .models import Handover, HandoverItem

__all__ = (
    'CSV_COLUMNS',
    'COUNTED_STATUSES',
    'EwasteReport',
    'EwasteRow',
    'PeriodChoices',
    'check_filters',
    'report',
    'report_csv',
)

# The hand-overs that count: those that left the site.
COUNTED_STATUSES = (HandoverStatusChoices.STATUS_HANDED_OVER, HandoverStatusChoices.STATUS_CLOSED)

# The columns of the CSV export, in order (stable names, for spreadsheets and scripts).
CSV_COLUMNS = ('vendor', 'site', 'period', 'period_start', 'kg', 'items', 'items_without_weight')

KG = Decimal('0.001')


class PeriodChoices(ChoiceSet):
    """The period the report groups by."""
    PERIOD_MONTH = 'month'
    PERIOD_QUARTER = 'quarter'
    PERIOD_YEAR = 'year'

    CHOICES = [
        (PERIOD_MONTH, _('Month')),
        (PERIOD_QUARTER, _('Quarter')),
        (PERIOD_YEAR, _('Year')),
    ]


def period_label(start, period):
    """A period's name: 2026-03, 2026-Q1 or 2026."""
    if period == PeriodChoices.PERIOD_YEAR:
        return f'{start.year}'
    if period == PeriodChoices.PERIOD_QUARTER:
        return f'{start.year}-Q{(start.month - 1) // 3 + 1}'
    return f'{start.year}-{start.month:02d}'


@dataclass(frozen=True)
class EwasteRow:
    """The kilograms one vendor received from one site in one period (or a total: vendor, site or period None)."""
    vendor: object
    site: object
    period: str | None
    period_start: datetime.date | None
    kg: Decimal
    items: int
    items_without_weight: int

    def as_dict(self):
        return {
            'vendor': {'id': self.vendor.pk, 'name': self.vendor.name} if self.vendor else None,
            'site': {'id': self.site.pk, 'name': self.site.name, 'slug': self.site.slug} if self.site else None,
            'period': self.period,
            'period_start': self.period_start,
            'kg': self.kg,
            'items': self.items,
            'items_without_weight': self.items_without_weight,
        }


@dataclass
class EwasteReport:
    """The rows (vendor, site, period) and their totals: overall, per vendor, per site and per period."""
    period: str
    rows: list = field(default_factory=list)

    @property
    def total(self):
        return _sum(self.rows, vendor=None, site=None, period=None, period_start=None)

    def _totals_by(self, key, blank):
        groups = {}
        for row in self.rows:
            groups.setdefault(key(row), []).append(row)
        return [_sum(rows, **blank(rows[0])) for rows in groups.values()]

    @property
    def by_vendor(self):
        rows = self._totals_by(lambda r: r.vendor.pk,
                               lambda r: {'vendor': r.vendor, 'site': None, 'period': None, 'period_start': None})
        return sorted(rows, key=lambda r: r.vendor.name)

    @property
    def by_site(self):
        rows = self._totals_by(lambda r: r.site.pk,
                               lambda r: {'vendor': None, 'site': r.site, 'period': None, 'period_start': None})
        return sorted(rows, key=lambda r: r.site.name)

    @property
    def by_period(self):
        rows = self._totals_by(lambda r: r.period_start, lambda r: {
            'vendor': None, 'site': None, 'period': r.period, 'period_start': r.period_start,
        })
        return sorted(rows, key=lambda r: r.period_start)

    @property
    def is_partial(self):
        return self.total.items_without_weight > 0


def _sum(rows, **attrs):
    return EwasteRow(
        kg=sum((row.kg for row in rows), Decimal(0)).quantize(KG),
        items=sum(row.items for row in rows),
        items_without_weight=sum(row.items_without_weight for row in rows),
        **attrs,
    )


def check_filters(date_from=None, date_to=None, period=PeriodChoices.PERIOD_MONTH):
    """Refuses filters that cannot make a report, naming the field and the fix."""
    errors = {}
    if date_from and date_to and date_from > date_to:
        errors['date_to'] = _('The end date {date_to} is before the start date {date_from}: swap them or change one.'
                              ).format(date_to=date_to.isoformat(), date_from=date_from.isoformat())
    if period not in PeriodChoices.values():
        errors['period'] = _('"{period}" is not a period; choose one of {choices}.').format(
            period=period, choices=', '.join(PeriodChoices.values()))
    if errors:
        raise ValidationError(errors)


def report(user, date_from=None, date_to=None, sites=(), vendors=(), period=PeriodChoices.PERIOD_MONTH):
    """
    The e-waste report of the hand-overs ``user`` may view that left between ``date_from`` and ``date_to`` (dates,
    inclusive, in the current time zone; either may be None), from ``sites`` to ``vendors`` (Site and StorageLocation
    objects or ids; empty: all), grouped by ``period`` (PeriodChoices). Raises ValidationError on bad filters.
    """
    check_filters(date_from, date_to, period)
    handovers = Handover.objects.restrict(user, 'view').filter(
        status__in=COUNTED_STATUSES, handed_over_at__isnull=False,
    )
    if date_from:
        handovers = handovers.filter(handed_over_at__date__gte=date_from)
    if date_to:
        handovers = handovers.filter(handed_over_at__date__lte=date_to)
    if sites:
        handovers = handovers.filter(site__in=sites)
    if vendors:
        handovers = handovers.filter(vendor__in=vendors)

    groups = (
        HandoverItem.objects.filter(handover__in=handovers)
        .annotate(period_start=Trunc('handover__handed_over_at', period, output_field=DateField()))
        .values('handover__vendor', 'handover__site', 'period_start')
        .annotate(kg=Sum('weight'), items=Count('pk'), items_without_weight=Count('pk', filter=Q(weight__isnull=True)))
        .order_by()
    )
    # The names come with the rows (one query): the vendor and the site as they are now.
    groups = groups.values(
        'period_start', 'kg', 'items', 'items_without_weight', 'handover__vendor', 'handover__vendor__name',
        'handover__site', 'handover__site__name', 'handover__site__slug',
    )
    rows = []
    vendors_seen, sites_seen = {}, {}
    for group in groups:
        vendor = vendors_seen.setdefault(group['handover__vendor'], _Named(
            group['handover__vendor'], group['handover__vendor__name']))
        site = sites_seen.setdefault(group['handover__site'], _Named(
            group['handover__site'], group['handover__site__name'], group['handover__site__slug']))
        rows.append(EwasteRow(
            vendor=vendor,
            site=site,
            period=period_label(group['period_start'], period),
            period_start=group['period_start'],
            kg=(group['kg'] or Decimal(0)).quantize(KG),
            items=group['items'],
            items_without_weight=group['items_without_weight'],
        ))
    rows.sort(key=lambda r: (r.period_start, r.vendor.name, r.site.name))
    return EwasteReport(period=period, rows=rows)


@dataclass(frozen=True)
class _Named:
    """A vendor or a site as the report names it (no model instance: one query for the whole report)."""
    pk: int
    name: str
    slug: str = ''

    def __str__(self):
        return self.name


def report_csv(ewaste):
    """The report as CSV: a header (CSV_COLUMNS), one line per row, and the total as the last line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(CSV_COLUMNS)
    for row in ewaste.rows:
        writer.writerow((row.vendor.name, row.site.name, row.period, row.period_start.isoformat(), row.kg,
                         row.items, row.items_without_weight))
    total = ewaste.total
    writer.writerow((_('Total'), '', '', '', total.kg, total.items, total.items_without_weight))
    return out.getvalue()
