"""
The iCalendar (RFC 5545) feed of removal windows: one VEVENT per decommission with a planned window (start and end)
that the feed's owner may view, narrowed by the feed's site, tenant and stages. Built with the icalendar library in
a fixed number of queries, whatever the number of events.

An event's UID stays the same for the record's life; SEQUENCE is the window's revision (Decommission.window_sequence,
raised by the schedule move each time it moves the window), so that calendar programs replace the event they hold.
The status follows the record:

    draft, ordered                 TENTATIVE  (the application with the window is not signed yet)
    scheduled … in_storage         CONFIRMED
    retired, closed, restored      CONFIRMED, the summary starts with "Removed:" (kept: it is what happened)
    cancelled                      CANCELLED, the summary starts with "Cancelled:"
"""
import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from ..choices import DecommissionStatusChoices as Status
from ..models import Decommission

__all__ = ('DONE', 'build_calendar', 'feed_decommissions')

PRODID = '-//netbox-decommission//Removal windows//EN'
# The removal has happened: the event stays, marked done.
DONE = (Status.STATUS_RETIRED, Status.STATUS_CLOSED, Status.STATUS_RESTORED)
TENTATIVE = (Status.STATUS_DRAFT, Status.STATUS_ORDERED)


def feed_decommissions(feed):
    """The records a feed shows: those with a window that its owner may view, narrowed by the feed's filters."""
    decommissions = Decommission.objects.restrict(feed.user, 'view').filter(
        planned_start__isnull=False, planned_end__isnull=False,
    )
    if feed.site_id:
        decommissions = decommissions.filter(site_id=feed.site_id)
    if feed.tenant_id:
        decommissions = decommissions.filter(tenant_id=feed.tenant_id)
    if feed.stages:
        decommissions = decommissions.filter(status__in=feed.stages)
    return decommissions.select_related(
        'site', 'rack', 'tenant', 'head', 'responsible', 'responsible_team',
    ).prefetch_related('executors').order_by('planned_start', 'pk')


def build_calendar(feed, base_url, host):
    """
    The feed as iCalendar bytes. ``base_url`` makes the records' links absolute (e.g. https://netbox.example.com);
    ``host`` completes the UIDs (RFC 5545 recommends a domain on the right of the "@"). Texts are in the owner's
    NetBox language.
    """
    language = _owner_language(feed.user)
    with translation.override(language):
        calendar = Calendar()
        calendar.add('prodid', PRODID)
        calendar.add('version', '2.0')
        calendar.add('calscale', 'GREGORIAN')
        calendar.add('x-wr-calname', _('Removal windows: {name}').format(name=feed.name))
        calendar.add('x-wr-caldesc', _('Planned removal windows of servers (NetBox decommissioning)'))
        # Advice to the calendar program: read the feed again every hour.
        calendar.add('refresh-interval', datetime.timedelta(hours=1), parameters={'VALUE': 'DURATION'})
        calendar.add('x-published-ttl', datetime.timedelta(hours=1))
        for decommission in feed_decommissions(feed):
            calendar.add_component(_event(decommission, base_url, host))
        return calendar.to_ical()


def _owner_language(user):
    config = getattr(user, 'config', None)
    return (config.get('locale.language') if config else None) or translation.get_language()


def _person(user):
    return (user.get_full_name() or user.username) if user else ''


def _event(decommission, base_url, host):
    device = decommission.device_name or str(decommission.device_pk or '—')
    event = Event()
    event.add('uid', f'decommission-{decommission.pk}@{host}')
    event.add('sequence', decommission.window_sequence)
    event.add('dtstamp', decommission.last_updated or timezone.now())
    if decommission.created:
        event.add('created', decommission.created)
    if decommission.last_updated:
        event.add('last-modified', decommission.last_updated)
    event.add('dtstart', decommission.planned_start)
    event.add('dtend', decommission.planned_end)
    event.add('summary', _summary(decommission, device))
    event.add('status', _status(decommission))
    location = _location(decommission)
    if location:
        event.add('location', location)
    url = base_url + decommission.get_absolute_url()
    event.add('url', url)
    event.add('description', _description(decommission, device, url))
    event.add('categories', [str(decommission.get_status_display())])
    # Busy time for the executors; a cancelled window blocks nobody.
    event.add('transp', 'TRANSPARENT' if decommission.status == Status.STATUS_CANCELLED else 'OPAQUE')
    return event


def _summary(decommission, device):
    if decommission.status == Status.STATUS_CANCELLED:
        return _('Cancelled: removal of {device} ({number})').format(device=device, number=decommission.number)
    if decommission.status in DONE:
        return _('Removed: {device} ({number})').format(device=device, number=decommission.number)
    return _('Removal of {device} ({number})').format(device=device, number=decommission.number)


def _status(decommission):
    if decommission.status == Status.STATUS_CANCELLED:
        return 'CANCELLED'
    if decommission.status in TENTATIVE:
        return 'TENTATIVE'
    return 'CONFIRMED'


def _location(decommission):
    parts = [decommission.site.name if decommission.site else '']
    rack = decommission.rack.name if decommission.rack else decommission.rack_name
    if rack:
        if decommission.position is not None:
            position = decommission.position
            position = int(position) if position == int(position) else position
            rack = _('{rack}, U{position}').format(rack=rack, position=position)
        parts.append(rack)
    return ' / '.join(part for part in parts if part)


def _description(decommission, device, url):
    reason = str(decommission.get_reason_display())
    if decommission.reason_text:
        reason = f'{reason}: {decommission.reason_text}'
    lines = [
        _('Decommission {number} of {device}').format(number=decommission.number, device=device),
        _('Stage: {stage}').format(stage=decommission.get_status_display()),
        _('Reason: {reason}').format(reason=reason),
    ]
    if decommission.status == Status.STATUS_CANCELLED and decommission.cancel_reason:
        lines.append(_('Cancelled because: {reason}').format(reason=decommission.cancel_reason))
    if decommission.status in DONE:
        lines.append(_('The server was removed; this window is kept as a record of it.'))
    if decommission.device_serial:
        lines.append(_('Serial number: {serial}').format(serial=decommission.device_serial))
    if decommission.tenant:
        lines.append(_('Tenant: {tenant}').format(tenant=decommission.tenant))
    people = (
        (_('Head'), _person(decommission.head)),
        (_('Responsible'), _person(decommission.responsible)),
        (_('Responsible team'), str(decommission.responsible_team or '')),
        (_('Executors'), ', '.join(_person(user) for user in decommission.executors.all())),
    )
    lines += [_('{role}: {people}').format(role=role, people=names) for role, names in people if names]
    lines.append(url)
    return '\n'.join(lines)
