"""
The dashboard's numbers, as plain queries (widgets.py shows them). Each function takes the user whose permissions
bound the numbers — every queryset is restricted to what the user may view — and the widget's settings (the site,
the number of days, the period). A function answers None for a number the user may not view at all.

docs/dashboard.md defines each number; the definitions below are the same, word for word where it matters.
"""
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from dcim.models import Site

from ..choices import FINAL_COMPONENT_STATUSES
from ..choices import DashboardPeriodChoices as Period
from ..choices import DecommissionStatusChoices as Status
from ..models import Decommission, Handover, HandoverItem, RemovedComponent, StageChange

__all__ = (
    'backup_due',
    'by_stage',
    'overdue',
    'period_bounds',
    'period_dates',
    'sealed_media_waiting',
    'site_name',
    'this_period',
    'unsealed_media',
)

# A storage medium is sanitized once its method and date are recorded (as RemovedComponent.sanitization_state has
# it), and sealed once it carries a tamper seal and the reason to sanitize it later (as the disassembly's gate has
# it: workflow/gates.py).
NOT_SANITIZED = Q(sanitization_method='') | Q(sanitized_on__isnull=True)
SEALED = ~Q(sanitization_deferred_reason='') & ~Q(seal_number='')
NOT_SEALED = Q(sanitization_deferred_reason='') | Q(seal_number='')


def may_view(user, model):
    """Whether the user may view any object of the model (an ObjectPermission with "view", constrained or not)."""
    return user.has_perm(f'{model._meta.app_label}.view_{model._meta.model_name}')


def visible(user, model):
    """The objects of the model the user may view."""
    return model.objects.restrict(user, 'view')


def at_site(queryset, site, path='site'):
    """The queryset limited to the site's objects (``path`` leads from the model to its site); all without a site."""
    return queryset.filter(**{f'{path}_id': site}) if site else queryset


def site_name(user, site):
    """The configured site's name, if the user may view it."""
    if not site:
        return None
    return visible(user, Site).filter(pk=site).values_list('name', flat=True).first()


#
# By stage
#

@dataclass
class StageCount:
    stage: str
    label: str
    colour: str
    count: int


def by_stage(user, site=None):
    """
    Every open stage (all but closed, cancelled and restored), in the workflow's order, with the number of the
    decommissions at it that the user may view (at the site, if one is given); None without the permission to view
    decommissions.
    """
    if not may_view(user, Decommission):
        return None
    records = at_site(visible(user, Decommission).open(), site)
    counts = dict(records.order_by().values_list('status').annotate(count=Count('pk')))
    return [
        StageCount(stage, str(label), Status.colors.get(stage) or 'secondary', counts.get(stage, 0))
        for stage, label in Status if stage not in Status.FINISHED
    ]


#
# Overdue
#

@dataclass
class Listing:
    """How many objects there are, and the first of them."""
    count: int
    rows: list = field(default_factory=list)


def listing(queryset, limit):
    count = queryset.count()
    return Listing(count, list(queryset[:limit]) if count else [])


ROW_FIELDS = ('id', 'number', 'device_name', 'device_pk', 'status', 'planned_start', 'planned_end')


def _not_retired(user, site):
    # Open and not yet retired: the device is still in NetBox, its removal still to come.
    return at_site(visible(user, Decommission), site).exclude(
        status__in=(*Status.FINISHED, Status.STATUS_RETIRED)
    ).only(*ROW_FIELDS)


def overdue(user, site=None, limit=10, now=None):
    """
    The open decommissions, not yet retired, whose planned window has ended (planned end before now): the oldest
    first, ``limit`` of them, and their count. None without the permission to view decommissions.
    """
    if not may_view(user, Decommission):
        return None
    now = now or timezone.now()
    return listing(_not_retired(user, site).filter(planned_end__lt=now).order_by('planned_end', 'pk'), limit)


def backup_due(user, site=None, days=7, limit=10, now=None):
    """
    The open decommissions, not yet retired, whose planned window starts within ``days`` days (or has started and not
    ended) and whose backup is not recorded: neither a verified backup (backup_verified_at) nor a waiver with its
    reason (backup_waiver_reason), which are what the backup move records. The soonest first, ``limit`` of them, and
    their count. None without the permission to view decommissions.
    """
    if not may_view(user, Decommission):
        return None
    now = now or timezone.now()
    records = _not_retired(user, site).filter(
        planned_start__lte=now + datetime.timedelta(days=days),
        backup_verified_at__isnull=True,
        backup_waiver_reason='',
    ).exclude(planned_end__lt=now)
    return listing(records.order_by('planned_start', 'pk'), limit)


#
# Media at risk
#

def _unsanitized_media(user, site):
    return at_site(visible(user, RemovedComponent), site, 'decommission__site').filter(
        NOT_SANITIZED, is_media=True,
    ).exclude(status__in=FINAL_COMPONENT_STATUSES).select_related('decommission').only(
        'id', 'name', 'serial', 'kind', 'seal_number', 'created', 'status', 'decommission__id', 'decommission__number',
    )


def unsealed_media(user, site=None, limit=10):
    """
    The removed storage media (is_media) not sanitized and not sealed for later sanitization, that have no final
    disposition yet (not transferred, reused, destroyed or recycled): the data on them is unaccounted for. The
    longest-removed first, ``limit`` of them, and their count. None without the permission to view removed
    components.
    """
    if not may_view(user, RemovedComponent):
        return None
    return listing(_unsanitized_media(user, site).filter(NOT_SEALED).order_by('created', 'pk'), limit)


def sealed_media_waiting(user, site=None, days=30, limit=10, now=None):
    """
    The removed storage media sealed for later sanitization (a tamper seal and the reason), not yet sanitized and with
    no final disposition, that were removed (recorded: their ``created``) more than ``days`` days ago. The longest
    waiting first, ``limit`` of them, and their count. None without the permission to view removed components.
    """
    if not may_view(user, RemovedComponent):
        return None
    now = now or timezone.now()
    media = _unsanitized_media(user, site).filter(SEALED, created__lt=now - datetime.timedelta(days=days))
    return listing(media.order_by('created', 'pk'), limit)


#
# This period
#

def _add_months(day, months):
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)


def period_dates(period, today=None):
    """
    The first and the last day of the period, in NetBox's time zone: this month, last month, this quarter and this
    year are calendar periods (the whole of them, today included); the last 30 days are today and the 29 days
    before.
    """
    today = today or timezone.localdate()
    if period == Period.PERIOD_LAST_30_DAYS:
        return today - datetime.timedelta(days=29), today
    if period == Period.PERIOD_LAST_MONTH:
        first = _add_months(today, -1)
        return first, _add_months(first, 1) - datetime.timedelta(days=1)
    if period == Period.PERIOD_THIS_QUARTER:
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return first, _add_months(first, 3) - datetime.timedelta(days=1)
    if period == Period.PERIOD_THIS_YEAR:
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    first = today.replace(day=1)
    return first, _add_months(first, 1) - datetime.timedelta(days=1)


def period_bounds(first, last):
    """The moments the days span: from the first day's midnight up to (not including) the midnight after the last."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    return start, datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


@dataclass
class PeriodFigures:
    first: datetime.date
    last: datetime.date
    # None where the user may not view the model the number counts.
    retired: int | None
    dispositions: dict | None
    kilograms: Decimal | None
    unweighed: int | None


def this_period(user, site=None, period=Period.PERIOD_THIS_MONTH, today=None):
    """
    In the period (period_dates): the servers retired — the decommissions the user may view with a stage change to
    "retired" in it; the removed components given each final disposition — reused, transferred, destroyed,
    recycled — by their disposition date; and the kilograms handed to disposal vendors — the sum of the items'
    weights of the hand-overs handed over in it (handed_over_at), with the number of their items without a weight.
    """
    first, last = period_dates(period, today)
    start, end = period_bounds(first, last)
    retired = dispositions = kilograms = unweighed = None
    if may_view(user, Decommission):
        retirements = StageChange.objects.filter(to_status=Status.STATUS_RETIRED, time__gte=start, time__lt=end)
        retired = at_site(visible(user, Decommission), site).filter(
            pk__in=retirements.values('decommission_id')
        ).count()
    if may_view(user, RemovedComponent):
        counts = dict(
            at_site(visible(user, RemovedComponent), site, 'decommission__site')
            .filter(status__in=FINAL_COMPONENT_STATUSES, disposition_date__gte=first, disposition_date__lte=last)
            .order_by().values_list('status').annotate(count=Count('pk'))
        )
        dispositions = {status: counts.get(status, 0) for status in FINAL_COMPONENT_STATUSES}
    if may_view(user, Handover):
        handovers = at_site(visible(user, Handover), site).filter(handed_over_at__gte=start, handed_over_at__lt=end)
        totals = HandoverItem.objects.filter(handover__in=handovers).aggregate(
            kilograms=Sum('weight'), unweighed=Count('pk', filter=Q(weight__isnull=True)),
        )
        kilograms = totals['kilograms'] or Decimal(0)
        unweighed = totals['unweighed']
    return PeriodFigures(first, last, retired, dispositions, kilograms, unweighed)
