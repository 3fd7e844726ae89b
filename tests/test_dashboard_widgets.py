"""
The dashboard widgets (netbox_decommission/dashboard/): each number against hand-made data, the site, the number of
days and the period they are configured with, the viewer's object permissions, NetBox's dashboard page with each
widget on it, and queries that do not grow with the records.
"""
import datetime
import uuid
from decimal import Decimal

from django.test import RequestFactory, TestCase
from django.urls import reverse
from django.utils import timezone
from lxml import html

from extras.dashboard.forms import DashboardWidgetAddForm
from extras.dashboard.utils import get_widget_class
from extras.models import Dashboard
from netbox_decommission.choices import DashboardPeriodChoices as Period
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.dashboard import figures
from netbox_decommission.dashboard.widgets import ByStageWidget, MediaAtRiskWidget, OverdueWidget, ThisPeriodWidget
from netbox_decommission.models import (
    Decommission,
    Handover,
    HandoverItem,
    RemovedComponent,
    StageChange,
    StorageLocation,
)
from users.models import User

from .page_queries import count_queries
from .utils import create_decommission, create_devices, create_sites, grant

WIDGETS = (ByStageWidget, OverdueWidget, MediaAtRiskWidget, ThisPeriodWidget)
# The day the period tests are counted on, and moments in it (NetBox's time zone is UTC in the tests).
TODAY = datetime.date(2026, 5, 15)


def at(day, hour=12):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


class DashboardFixture:
    """
    Two sites. Site A: records at draft, ordered, three scheduled (window in 3 days, window ended, window in 10
    days), backed up, retired and closed; site B: a scheduled one whose window ended and a draft. Media of every
    sanitization state, and hand-overs of known weights.
    """

    @classmethod
    def setUpTestData(cls):
        cls.now = timezone.now()
        now = cls.now
        cls.site_a, cls.site_b = create_sites('Site A', 'Site B')
        devices_a = create_devices(8, cls.site_a, prefix='a')
        devices_b = create_devices(2, cls.site_b, prefix='b')
        day = datetime.timedelta(days=1)

        def record(device, status, **attrs):
            return create_decommission(device, status=status, **attrs)

        cls.a_draft = record(devices_a[0], Status.STATUS_DRAFT)
        cls.a_ordered = record(devices_a[1], Status.STATUS_ORDERED)
        cls.a_soon = record(devices_a[2], Status.STATUS_SCHEDULED, planned_start=now + 3 * day,
                            planned_end=now + 3 * day + datetime.timedelta(hours=4))
        cls.a_late = record(devices_a[3], Status.STATUS_SCHEDULED, planned_start=now - 2 * day,
                            planned_end=now - day)
        cls.a_backed_up = record(devices_a[4], Status.STATUS_BACKED_UP, planned_start=now + day,
                                 planned_end=now + 2 * day, backup_method='network', backup_target='nas',
                                 backup_verified_at=now - day)
        cls.a_retired = record(devices_a[5], Status.STATUS_RETIRED, planned_start=now - 5 * day,
                               planned_end=now - 4 * day)
        cls.a_closed = record(devices_a[6], Status.STATUS_CLOSED, planned_start=now - 9 * day,
                              planned_end=now - 8 * day)
        cls.a_later = record(devices_a[7], Status.STATUS_SCHEDULED, planned_start=now + 10 * day,
                             planned_end=now + 10 * day + datetime.timedelta(hours=2))
        cls.b_late = record(devices_b[0], Status.STATUS_SCHEDULED, planned_start=now - 3 * day,
                            planned_end=now - 2 * day)
        cls.b_draft = record(devices_b[1], Status.STATUS_DRAFT)

        # Media: (name, decommission, kind, fields, days since removed)
        def component(name, decommission, kind='disk', age=0, **attrs):
            made = RemovedComponent.objects.create(decommission=decommission, kind=kind, name=name,
                                                   serial=f'SN-{name}', **attrs)
            if age:
                RemovedComponent.objects.filter(pk=made.pk).update(created=now - age * day)
            return made

        sealed = {'sanitization_deferred_reason': 'The vendor shreds it', 'seal_number': 'SEAL-1'}
        cls.unsealed = component('pending', cls.a_retired, age=2)
        cls.sealed_old = component('sealed-old', cls.a_retired, age=40, **{**sealed, 'seal_number': 'SEAL-40'})
        cls.sealed_new = component('sealed-new', cls.a_retired, age=5, **{**sealed, 'seal_number': 'SEAL-5'})
        component('sanitized', cls.a_retired, sanitization_method='purge', sanitized_on=now.date())
        component('destroyed', cls.a_retired, status='destroyed')
        component('memory', cls.a_retired, kind='memory', age=90)
        cls.seal_only = component('seal-only', cls.a_retired, age=1, seal_number='SEAL-X')
        cls.reason_only = component('reason-only', cls.a_retired, age=60,
                                    sanitization_deferred_reason='Later')
        cls.unsealed_b = component('pending-b', cls.b_late, kind='ssd', age=3)
        cls.sealed_old_b = component('sealed-old-b', cls.b_late, age=45, **{**sealed, 'seal_number': 'SEAL-45'})

        # This period (counted on TODAY, 2026-05-15): retirements, dispositions, hand-overs.
        def retirement(decommission, moment):
            change = StageChange.objects.create(decommission=decommission, from_status=Status.STATUS_IN_STORAGE,
                                                to_status=Status.STATUS_RETIRED)
            StageChange.objects.filter(pk=change.pk).update(time=moment)

        retirement(cls.a_retired, at(datetime.date(2026, 5, 10)))
        retirement(cls.a_closed, at(datetime.date(2026, 4, 20)))
        retirement(cls.a_draft, at(datetime.date(2026, 2, 1)))  # (its stage does not matter to the count)
        retirement(cls.b_late, at(datetime.date(2026, 5, 2)))
        # Not retirements: another stage change in May.
        StageChange.objects.create(decommission=cls.a_soon, to_status=Status.STATUS_SCHEDULED)
        StageChange.objects.filter(decommission=cls.a_soon).update(time=at(datetime.date(2026, 5, 11)))

        for name, status, date, decommission in (
            ('reused-may', 'reused', datetime.date(2026, 5, 3), cls.a_closed),
            ('destroyed-may', 'destroyed', datetime.date(2026, 5, 14), cls.a_closed),
            ('transferred-april', 'transferred', datetime.date(2026, 4, 30), cls.a_closed),
            ('recycled-late-may', 'recycled', datetime.date(2026, 5, 20), cls.a_closed),
            ('destroyed-b', 'destroyed', datetime.date(2026, 5, 5), cls.b_late),
            ('stored-may', 'stored', datetime.date(2026, 5, 6), cls.a_closed),
        ):
            component(name, decommission, kind='cpu', status=status, disposition_date=date)

        vendor_a = StorageLocation.objects.create(name='Vendor A', kind='vendor', site=cls.site_a)
        vendor_b = StorageLocation.objects.create(name='Vendor B', kind='vendor', site=cls.site_b)

        def handover(number, site, vendor, moment, weights, status='handed_over'):
            made = Handover.objects.create(number=number, site=site, vendor=vendor, pickup_date=TODAY,
                                           status=status, handed_over_at=moment)
            for i, weight in enumerate(weights):
                part = component(f'{number}-{i}', cls.a_closed if site == cls.site_a else cls.b_late, kind='psu')
                HandoverItem.objects.create(handover=made, component=part, serial=part.serial, weight=weight)
            return made

        handover('HND-1', cls.site_a, vendor_a, at(datetime.date(2026, 5, 5)), [Decimal('10.5'), Decimal('2.25'),
                                                                             None])
        handover('HND-2', cls.site_a, vendor_a, at(datetime.date(2026, 3, 1)), [Decimal('100')], status='closed')
        handover('HND-3', cls.site_b, vendor_b, at(datetime.date(2026, 5, 6)), [Decimal('7')])
        handover('HND-4', cls.site_a, vendor_a, None, [Decimal('50')], status='planned')

        cls.admin = User.objects.create_superuser(username='admin', password='admin')
        cls.site_a_viewer = User.objects.create_user(username='site-a-viewer')
        for model, path in ((Decommission, 'site'), (RemovedComponent, 'decommission__site'), (Handover, 'site')):
            grant([cls.site_a_viewer], ['view'], model, constraints={f'{path}_id': cls.site_a.pk},
                  name=f'{model._meta.model_name} at site A')
        cls.nobody = User.objects.create_user(username='nobody')


class FigureTests(DashboardFixture, TestCase):

    def test_by_stage_counts_the_open_records_of_every_open_stage(self):
        expected = {'draft': 2, 'ordered': 1, 'scheduled': 4, 'backed_up': 1, 'shut_down': 0, 'disassembled': 0,
                    'in_storage': 0, 'retired': 1}
        counts = figures.by_stage(self.admin)
        self.assertEqual({stage.stage: stage.count for stage in counts}, expected)
        self.assertEqual([stage.stage for stage in counts], list(expected))  # the workflow's order
        self.assertEqual(
            {stage.stage: stage.count for stage in figures.by_stage(self.admin, self.site_a.pk)},
            {**expected, 'draft': 1, 'scheduled': 3},
        )
        # Every bar's count is what the decommission list filtered by its stage (and site) shows.
        for stage in figures.by_stage(self.admin, self.site_b.pk):
            self.assertEqual(stage.count, Decommission.objects.filter(status=stage.stage, site=self.site_b).count())

    def test_overdue_lists_the_ended_windows_of_records_not_retired(self):
        overdue = figures.overdue(self.admin, now=self.now)
        self.assertEqual(overdue.count, 2)
        self.assertEqual(overdue.rows, [self.b_late, self.a_late])  # the longest overdue first
        self.assertEqual(figures.overdue(self.admin, self.site_a.pk, now=self.now).rows, [self.a_late])
        self.assertEqual(figures.overdue(self.admin, limit=1, now=self.now).count, 2)
        self.assertEqual(len(figures.overdue(self.admin, limit=1, now=self.now).rows), 1)

    def test_backup_due_lists_windows_within_n_days_without_a_backup(self):
        # a_backed_up's window is tomorrow, but its backup is recorded; a_later's is in 10 days.
        self.assertEqual(figures.backup_due(self.admin, days=7, now=self.now).rows, [self.a_soon])
        self.assertEqual(figures.backup_due(self.admin, days=14, now=self.now).rows, [self.a_soon, self.a_later])
        self.assertEqual(figures.backup_due(self.admin, days=2, now=self.now).count, 0)
        # A waiver records the backup as well.
        Decommission.objects.filter(pk=self.a_soon.pk).update(backup_waiver_reason='No data on it')
        self.assertEqual(figures.backup_due(self.admin, days=14, now=self.now).rows, [self.a_later])
        self.assertEqual(figures.backup_due(self.admin, self.site_b.pk, days=14, now=self.now).count, 0)

    def test_unsealed_media(self):
        media = figures.unsealed_media(self.admin)
        # A seal without the reason, or the reason without a seal, is not sealed (the disassembly's gate).
        self.assertEqual(set(media.rows), {self.unsealed, self.seal_only, self.reason_only, self.unsealed_b})
        self.assertEqual(media.rows[0], self.reason_only)  # the longest removed first
        self.assertEqual(set(figures.unsealed_media(self.admin, self.site_b.pk).rows), {self.unsealed_b})

    def test_sealed_media_waiting_longer_than_n_days(self):
        self.assertEqual(figures.sealed_media_waiting(self.admin, days=30, now=self.now).rows,
                         [self.sealed_old_b, self.sealed_old])
        self.assertEqual(figures.sealed_media_waiting(self.admin, days=42, now=self.now).rows, [self.sealed_old_b])
        self.assertEqual(figures.sealed_media_waiting(self.admin, days=4, now=self.now).count, 3)
        self.assertEqual(figures.sealed_media_waiting(self.admin, self.site_a.pk, days=30, now=self.now).rows,
                         [self.sealed_old])
        # Sanitized (or given a final disposition), it is no longer at risk.
        RemovedComponent.objects.filter(pk=self.sealed_old.pk).update(sanitization_method='destroy',
                                                                      sanitized_on=TODAY)
        RemovedComponent.objects.filter(pk=self.sealed_old_b.pk).update(status='transferred')
        self.assertEqual(figures.sealed_media_waiting(self.admin, days=30, now=self.now).count, 0)

    def test_period_dates(self):
        self.assertEqual(figures.period_dates(Period.PERIOD_THIS_MONTH, TODAY),
                         (datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)))
        self.assertEqual(figures.period_dates(Period.PERIOD_LAST_MONTH, TODAY),
                         (datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)))
        self.assertEqual(figures.period_dates(Period.PERIOD_LAST_MONTH, datetime.date(2026, 1, 31)),
                         (datetime.date(2025, 12, 1), datetime.date(2025, 12, 31)))
        self.assertEqual(figures.period_dates(Period.PERIOD_LAST_30_DAYS, TODAY),
                         (datetime.date(2026, 4, 16), TODAY))
        self.assertEqual(figures.period_dates(Period.PERIOD_THIS_QUARTER, TODAY),
                         (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)))
        self.assertEqual(figures.period_dates(Period.PERIOD_THIS_QUARTER, datetime.date(2026, 12, 6)),
                         (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)))
        self.assertEqual(figures.period_dates(Period.PERIOD_THIS_YEAR, TODAY),
                         (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)))

    def test_this_period(self):
        dispositions = {'transferred': 0, 'reused': 0, 'destroyed': 0, 'recycled': 0}
        # (period, site) -> (retired, dispositions, kilograms, items without weight)
        expected = {
            (Period.PERIOD_THIS_MONTH, None): (2, {'reused': 1, 'destroyed': 2, 'recycled': 1}, '19.75', 1),
            (Period.PERIOD_THIS_MONTH, 'a'): (1, {'reused': 1, 'destroyed': 1, 'recycled': 1}, '12.75', 1),
            (Period.PERIOD_LAST_MONTH, None): (1, {'transferred': 1}, '0', 0),
            (Period.PERIOD_LAST_30_DAYS, None): (3, {'reused': 1, 'destroyed': 2, 'transferred': 1}, '19.75', 1),
            (Period.PERIOD_THIS_QUARTER, 'b'): (1, {'destroyed': 1}, '7', 0),
            (Period.PERIOD_THIS_YEAR, None): (
                4, {'reused': 1, 'destroyed': 2, 'recycled': 1, 'transferred': 1}, '119.75', 1),
        }
        sites = {None: None, 'a': self.site_a.pk, 'b': self.site_b.pk}
        for (period, site), (retired, counts, kilograms, unweighed) in expected.items():
            with self.subTest(period=period, site=site):
                numbers = figures.this_period(self.admin, sites[site], period, today=TODAY)
                self.assertEqual(numbers.retired, retired)
                self.assertEqual(numbers.dispositions, {**dispositions, **counts})
                self.assertEqual(numbers.kilograms, Decimal(kilograms))
                self.assertEqual(numbers.unweighed, unweighed)

    def test_a_viewer_constrained_to_a_site_sees_only_its_numbers(self):
        user = self.site_a_viewer
        self.assertEqual([s.count for s in figures.by_stage(user)], [s.count for s in figures.by_stage(
            self.admin, self.site_a.pk)])
        # Asking for the other site shows nothing of it.
        self.assertEqual(sum(s.count for s in figures.by_stage(user, self.site_b.pk)), 0)
        self.assertEqual(figures.overdue(user, now=self.now).rows, [self.a_late])
        self.assertEqual(figures.backup_due(user, days=14, now=self.now).rows, [self.a_soon, self.a_later])
        self.assertEqual(set(figures.unsealed_media(user).rows), {self.unsealed, self.seal_only, self.reason_only})
        self.assertEqual(figures.sealed_media_waiting(user, days=30, now=self.now).rows, [self.sealed_old])
        for period in Period.values():
            with self.subTest(period=period):
                self.assertEqual(figures.this_period(user, None, period, today=TODAY),
                                 figures.this_period(self.admin, self.site_a.pk, period, today=TODAY))
        self.assertIsNone(figures.site_name(user, self.site_b.pk))
        self.assertEqual(figures.site_name(self.admin, self.site_b.pk), 'Site B')

    def test_a_user_without_view_permission_gets_no_numbers(self):
        user = self.nobody
        self.assertIsNone(figures.by_stage(user))
        self.assertIsNone(figures.overdue(user))
        self.assertIsNone(figures.backup_due(user))
        self.assertIsNone(figures.unsealed_media(user))
        self.assertIsNone(figures.sealed_media_waiting(user))
        numbers = figures.this_period(user, None, Period.PERIOD_THIS_YEAR, today=TODAY)
        self.assertEqual((numbers.retired, numbers.dispositions, numbers.kilograms, numbers.unweighed),
                         (None, None, None, None))


def request_of(user):
    request = RequestFactory().get('/')
    request.user = user
    return request


def figure(page, name, attribute='data-figure'):
    """The data-count of the element of the rendered widget (or page) marked ``attribute="name"``."""
    (count,) = html.fromstring(page).xpath(f'//*[@{attribute}="{name}"]/@data-count')
    return count


class WidgetTests(DashboardFixture, TestCase):

    def test_the_widgets_are_registered_with_netbox(self):
        names = dict(DashboardWidgetAddForm().fields['widget_class'].choices)
        for widget in WIDGETS:
            self.assertIs(get_widget_class(f'netbox_decommission.{widget.__name__}'), widget)
            self.assertIn(f'netbox_decommission.{widget.__name__}', names)

    def test_by_stage_bars_link_to_the_filtered_list(self):
        page = ByStageWidget(config={'site': self.site_a.pk}).render(request_of(self.admin))
        tree = html.fromstring(page)
        (bar,) = tree.xpath('//a[@data-stage="scheduled"]')
        self.assertEqual(bar.get('data-count'), '3')
        url = bar.get('href')
        self.assertEqual(url, reverse('plugins:netbox_decommission:decommission_list')
                         + f'?status=scheduled&site_id={self.site_a.pk}')
        self.assertIn('Site A', page)
        # The list the bar opens shows those records, and no other.
        self.client.force_login(self.admin)
        listed = self.client.get(url).content.decode()
        for record in (self.a_soon, self.a_late, self.a_later):
            self.assertIn(record.number, listed)
        for record in (self.b_late, self.a_draft, self.a_backed_up):
            self.assertNotIn(record.number, listed)
        # "All open": the site's open records, as many as the bars add up to.
        (everything,) = tree.xpath('//a[@data-stage=""]')
        self.assertEqual(everything.get('data-count'), '7')
        listed = html.fromstring(self.client.get(everything.get('href')).content.decode())
        self.assertEqual(len(listed.xpath('//table//tbody/tr')), 7)

    def test_the_configuration_forms(self):
        form = OverdueWidget.ConfigForm({'site': self.site_b.pk, 'days': 3, 'max_items': 5})
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data, {'site': self.site_b.pk, 'days': 3, 'max_items': 5})
        self.assertFalse(OverdueWidget.ConfigForm({'days': 0, 'max_items': 5}).is_valid())
        self.assertIn('days', MediaAtRiskWidget.ConfigForm({'days': 'x', 'max_items': 5}).errors)
        form = ThisPeriodWidget.ConfigForm({'period': 'this_quarter'})
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data, {'site': None, 'period': 'this_quarter'})
        self.assertIn('period', ThisPeriodWidget.ConfigForm({'period': 'next_century'}).errors)
        self.assertTrue(ByStageWidget.ConfigForm({}).is_valid())

    def test_the_widgets_honour_n_and_the_site(self):
        request = request_of(self.admin)
        page = OverdueWidget(config={'days': 14, 'max_items': 10}).render(request)
        self.assertEqual((figure(page, 'overdue'), figure(page, 'backup-due')), ('2', '2'))
        page = OverdueWidget(config={'site': self.site_b.pk, 'days': 14, 'max_items': 10}).render(request)
        self.assertEqual((figure(page, 'overdue'), figure(page, 'backup-due')), ('1', '0'))
        self.assertIn(self.b_late.get_absolute_url(), page)
        page = MediaAtRiskWidget(config={'days': 42, 'max_items': 1}).render(request)
        self.assertEqual((figure(page, 'unsealed'), figure(page, 'sealed')), ('4', '1'))
        self.assertIn(self.sealed_old_b.get_absolute_url(), page)
        self.assertIn('1 of 4 shown', page)
        page = ThisPeriodWidget(config={'period': Period.PERIOD_THIS_YEAR, 'site': self.site_b.pk}).render(request)
        self.assertIn('this-period', page)

    def test_this_period_links_list_the_counted_components(self):
        today = timezone.localdate()
        RemovedComponent.objects.filter(pk__in=(self.unsealed_b.pk, self.sealed_old_b.pk)).update(
            status='destroyed', disposition_date=today)
        page = ThisPeriodWidget(config={'site': self.site_b.pk, 'period': 'this_month'}).render(request_of(self.admin))
        (link,) = html.fromstring(page).xpath('//a[@data-figure="destroyed"]')
        self.assertEqual(link.get('data-count'), str(figures.this_period(
            self.admin, self.site_b.pk, Period.PERIOD_THIS_MONTH).dispositions['destroyed']))
        self.client.force_login(self.admin)
        listed = self.client.get(link.get('href'))
        self.assertEqual(listed.status_code, 200)
        rows = html.fromstring(listed.content.decode()).xpath('//table//tbody/tr')
        self.assertEqual(len(rows), int(link.get('data-count')))
        for component in (self.unsealed_b, self.sealed_old_b):
            self.assertIn(component.serial, listed.content.decode())

    def test_the_configuration_dialog_shows_the_configured_site(self):
        self.dashboard_with(ByStageWidget(config={'site': self.site_b.pk}))
        self.client.force_login(self.admin)
        widget_id = next(iter(self.admin.dashboard.config))
        response = self.client.get(reverse('extras:dashboardwidget_config', kwargs={'id': widget_id}),
                                   HTTP_HX_REQUEST='true')
        self.assertEqual(response.status_code, 200)
        dialog = html.fromstring(response.content.decode())
        (selected,) = dialog.xpath('//select[@name="config-site"]/option[@value!=""]')
        self.assertEqual((selected.get('value'), selected.text), (str(self.site_b.pk), 'Site B'))

    def dashboard_with(self, widget):
        dashboard = Dashboard(user=self.admin)
        dashboard.add_widget(widget)
        dashboard.save()
        self.admin.refresh_from_db()

    def test_a_configuration_written_by_hand(self):
        """As DEFAULT_DASHBOARD may give it: numbers as text, settings left out (their defaults)."""
        page = OverdueWidget(config={'site': str(self.site_b.pk), 'days': '14'}).render(request_of(self.admin))
        self.assertEqual((figure(page, 'overdue'), figure(page, 'backup-due')), ('1', '0'))
        page = MediaAtRiskWidget(config={'max_items': '1'}).render(request_of(self.admin))
        self.assertEqual((figure(page, 'unsealed'), figure(page, 'sealed')), ('4', '2'))  # 30 days by default
        self.assertIn('1 of 4 shown', page)

    def test_a_user_without_permission_is_told_so(self):
        request = request_of(self.nobody)
        for widget in (ByStageWidget, OverdueWidget, MediaAtRiskWidget):
            with self.subTest(widget.__name__):
                page = widget(config=widget.default_config).render(request)
                self.assertTrue(html.fromstring(page).xpath('//*[@data-widget-no-permission]'))
                self.assertIn('You do not have permission', page)
        page = ThisPeriodWidget(config={'period': 'this_year'}).render(request)
        self.assertEqual(len(html.fromstring(page).xpath('//*[@class="mdi mdi-lock-outline"]')), 3)

    def test_queries_do_not_grow_with_the_records(self):
        """Each widget's queries, for a viewer with constrained permissions: pinned, and the same with more data."""
        # Four load the viewer's permissions (NetBox does so once per request); then one per count, one per list's
        # first rows (the site's name takes none: this viewer may not view sites).
        budgets = {ByStageWidget: 4 + 1, OverdueWidget: 4 + 3, MediaAtRiskWidget: 4 + 4, ThisPeriodWidget: 4 + 3}

        def queries(widget):
            user = User.objects.get(pk=self.site_a_viewer.pk)  # its permissions not cached yet
            config = {**widget.default_config, 'site': self.site_a.pk, 'days': 1, 'period': 'this_year'}
            count, page = count_queries(widget(config=config).render, request_of(user))
            self.assertNotIn('data-widget-no-permission', page)
            return count

        before = {widget: queries(widget) for widget in WIDGETS}
        devices = create_devices(12, self.site_a, prefix='more')
        for device in devices:
            decommission = create_decommission(device, status=Status.STATUS_SCHEDULED,
                                               planned_start=self.now - datetime.timedelta(days=3),
                                               planned_end=self.now - datetime.timedelta(days=2))
            StageChange.objects.create(decommission=decommission, to_status=Status.STATUS_RETIRED)
            for i in range(2):
                RemovedComponent.objects.create(decommission=decommission, kind='disk', name=f'Disk {i}',
                                                serial=f'{device.name}-{i}')
        after = {widget: queries(widget) for widget in WIDGETS}
        self.assertEqual(before, after)
        self.assertEqual(after, budgets)


class DashboardPageTests(DashboardFixture, TestCase):
    """NetBox's home page with the widgets on the user's dashboard."""

    def dashboard(self, user, configs):
        layout, config = [], {}
        for widget, widget_config in configs:
            widget_id = str(uuid.uuid4())
            layout.append({'id': widget_id, 'w': 4, 'h': 4, 'x': None, 'y': None})
            config[widget_id] = {'class': f'netbox_decommission.{widget.__name__}', 'title': None, 'color': None,
                                 'config': widget_config}
        Dashboard.objects.update_or_create(user=user, defaults={'layout': layout, 'config': config})

    def home(self, user):
        self.client.force_login(user)
        response = self.client.get('/')
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertNotIn('An error was encountered when attempting to render this widget', page)
        return page

    def test_every_widget_on_the_dashboard(self):
        # This period on the real date: one retirement, a disposition and a hand-over today.
        today = timezone.localdate()
        StageChange.objects.create(decommission=self.a_retired, to_status=Status.STATUS_RETIRED)
        RemovedComponent.objects.filter(pk=self.sealed_new.pk).update(status='destroyed', disposition_date=today)
        Handover.objects.filter(number='HND-1').update(handed_over_at=timezone.now())
        expected = figures.this_period(self.admin, None, Period.PERIOD_THIS_MONTH)
        self.assertGreaterEqual(expected.retired, 1)
        self.dashboard(self.admin, [(widget, widget.default_config) for widget in WIDGETS])
        page = self.home(self.admin)
        self.assertEqual(figure(page, 'scheduled', 'data-stage'), '4')
        self.assertEqual(figure(page, '', 'data-stage'), '9')
        self.assertEqual((figure(page, 'overdue'), figure(page, 'backup-due')), ('2', '1'))
        self.assertEqual((figure(page, 'unsealed'), figure(page, 'sealed')), ('4', '2'))
        self.assertEqual(figure(page, 'retired'), str(expected.retired))
        self.assertEqual(figure(page, 'destroyed'), str(expected.dispositions['destroyed']))
        self.assertEqual(Decimal(figure(page, 'kilograms')), expected.kilograms)
        for title in ('Decommissions by stage', 'Overdue decommissions', 'Storage media at risk',
                      'Decommissioning this period'):
            self.assertIn(title, page)

    def test_a_site_viewer_and_a_user_without_permission(self):
        configs = [(widget, {**widget.default_config, 'days': 30}) for widget in WIDGETS]
        self.dashboard(self.site_a_viewer, configs)
        page = self.home(self.site_a_viewer)
        self.assertEqual(figure(page, 'scheduled', 'data-stage'), '3')
        self.assertEqual((figure(page, 'overdue'), figure(page, 'unsealed'), figure(page, 'sealed')), ('1', '3', '1'))
        self.assertNotIn(self.b_late.get_absolute_url(), page)

        self.dashboard(self.nobody, configs)
        page = self.home(self.nobody)
        self.assertEqual(len(html.fromstring(page).xpath('//*[@data-widget-no-permission]')), 3)
        self.assertNotIn('data-stage', page)

    def test_a_widget_configured_with_a_deleted_site(self):
        self.dashboard(self.admin, [(ByStageWidget, {'site': 999999})])
        page = self.home(self.admin)
        self.assertEqual(figure(page, '', 'data-stage'), '0')
