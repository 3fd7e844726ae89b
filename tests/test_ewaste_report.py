"""
The e-waste report (netbox_decommission/ewaste.py, its page and its REST endpoint): kilograms per vendor, site and
period from the hand-overs that left, checked against sums worked out by hand over several hand-overs — different
vendors, sites and months, an item without weight, a planned hand-over that must not count, a server whose device
type weighs in pounds. The CSV, the page and the API tell the same numbers; object permissions narrow what a user
sees; bad filters are refused naming the field.
"""
import csv
import datetime
import io
from decimal import Decimal

from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dcim.models import Device, DeviceRole, DeviceType, Manufacturer
from netbox_decommission import ewaste
from netbox_decommission.choices import HandoverStatusChoices, StorageLocationKindChoices
from netbox_decommission.models import Handover, HandoverItem, RemovedComponent, StorageLocation
from netbox_decommission.weights import server_weight
from users.models import User

from .utils import create_decommission, create_sites, grant, token_header

PAGE = 'plugins:netbox_decommission:ewaste_report'
API = 'plugins-api:netbox_decommission-api:ewaste-report'
# The queries of the page and of the API answer, whatever the number of hand-overs (test_constant_queries).
PAGE_QUERIES = 10
API_QUERIES = 7


def at(day):
    """Noon UTC of a day given as 'YYYY-MM-DD'."""
    return datetime.datetime.fromisoformat(f'{day}T12:00:00+00:00')


def kg(value):
    return Decimal(value).quantize(Decimal('0.001'))


class EwasteFixtureMixin:
    """
    Two sites, two disposal vendors, and these hand-overs (weights in kg, None: no weight known):

    | hand-over | vendor     | site   | left       | status      | items                          |
    | H1        | EcoRecycle | Site A | 2026-03-10 | handed over | server (20 lb type), 0.65, 1.2  |
    | H2        | EcoRecycle | Site A | 2026-03-25 | closed      | 5.0, None                       |
    | H3        | GreenMetal | Site A | 2026-04-05 | closed      | 2.5                             |
    | H4        | EcoRecycle | Site B | 2026-04-15 | handed over | 12.5, 0.35                      |
    | H5        | GreenMetal | Site B | 2026-05-02 | handed over | 7.25                            |
    | H6        | GreenMetal | Site B | 2026-06-20 | handed over | 3.0                             |
    | H7        | EcoRecycle | Site A | (planned)  | planned     | 100.0                           |
    """

    @classmethod
    def setUpTestData(cls):
        cls.site_a, cls.site_b = create_sites('Site A', 'Site B')
        vendor = StorageLocationKindChoices.KIND_VENDOR
        cls.eco = StorageLocation.objects.create(name='EcoRecycle', kind=vendor, site=cls.site_a)
        cls.green = StorageLocation.objects.create(name='GreenMetal', kind=vendor, site=cls.site_b)

        # A server whose device type records its weight in pounds: 20 lb = 9071.84 g, NetBox's whole grams 9071.
        manufacturer = Manufacturer.objects.create(name='Dell', slug='dell')
        pounds = DeviceType.objects.create(manufacturer=manufacturer, model='R740', slug='r740', weight=20,
                                           weight_unit='lb')
        role = DeviceRole.objects.create(name='Server', slug='server')
        device = Device.objects.create(name='srv-lb', site=cls.site_a, device_type=pounds, role=role)
        cls.server = create_decommission(device)
        disk = RemovedComponent.objects.create(decommission=cls.server, kind='disk', name='Disk 0', weight=kg('0.65'))

        numbers = iter(range(1, 100))

        def handover(vendor, site, day, weights, status=HandoverStatusChoices.STATUS_HANDED_OVER, first=None):
            h = Handover.objects.create(
                number=f'HND-T-{next(numbers)}', site=site, vendor=vendor, status=status,
                pickup_date=datetime.date.fromisoformat(day or '2026-07-01'), handed_over_at=at(day) if day else None,
            )
            items = list(first or [])
            for index, weight in enumerate(weights):
                # What a hand-over freezes of each item; the parts here are recorded for the occasion.
                part = RemovedComponent.objects.create(decommission=cls.server, kind='psu', name=f'{h.number}/{index}')
                items.append(HandoverItem(handover=h, component=part, weight=weight, description=part.name))
            HandoverItem.objects.bulk_create(items)
            return h

        # The hand-over service freezes the server's weight (the record's, else its type's) and each part's.
        frozen_server = HandoverItem(handover=None, decommission=cls.server, weight=server_weight(cls.server))
        frozen_disk = HandoverItem(handover=None, component=disk, weight=disk.weight)
        handed = HandoverStatusChoices.STATUS_HANDED_OVER
        closed = HandoverStatusChoices.STATUS_CLOSED
        cls.h1 = handover(cls.eco, cls.site_a, '2026-03-10', [kg('1.2')])
        for item in (frozen_server, frozen_disk):
            item.handover = cls.h1
        HandoverItem.objects.bulk_create([frozen_server, frozen_disk])
        cls.h2 = handover(cls.eco, cls.site_a, '2026-03-25', [kg('5.0'), None], status=closed)
        cls.h3 = handover(cls.green, cls.site_a, '2026-04-05', [kg('2.5')], status=closed)
        cls.h4 = handover(cls.eco, cls.site_b, '2026-04-15', [kg('12.5'), kg('0.35')], status=handed)
        cls.h5 = handover(cls.green, cls.site_b, '2026-05-02', [kg('7.25')])
        cls.h6 = handover(cls.green, cls.site_b, '2026-06-20', [kg('3.0')])
        cls.planned = handover(cls.eco, cls.site_a, None, [kg('100.0')], status=HandoverStatusChoices.STATUS_PLANNED)

        cls.admin = User.objects.create_user(username='ewaste-admin', is_superuser=True)
        cls.viewer = User.objects.create_user(username='ewaste-viewer')
        grant([cls.viewer], ['view'], model=Handover)
        cls.site_a_viewer = User.objects.create_user(username='ewaste-site-a')
        grant([cls.site_a_viewer], ['view'], model=Handover, constraints={'site__name': 'Site A'})
        cls.nobody = User.objects.create_user(username='ewaste-nobody')


def rows(report):
    return [(r.vendor.name, r.site.name, r.period, r.kg, r.items, r.items_without_weight) for r in report.rows]


class EwasteReportTestCase(EwasteFixtureMixin, TestCase):

    def test_the_pound_typed_server_weighs_what_netbox_converts(self):
        # 20 lb x 453.592 g = 9071.84 g; NetBox keeps whole grams.
        self.assertEqual(self.server.type_weight, kg('9.071'))
        self.assertEqual(HandoverItem.objects.get(decommission=self.server).weight, kg('9.071'))

    def test_rows_per_vendor_site_and_month(self):
        report = ewaste.report(self.admin)
        self.assertEqual(rows(report), [
            # H1: 9.071 + 0.65 + 1.2 = 10.921; H2: 5.0 and one item without weight.
            ('EcoRecycle', 'Site A', '2026-03', kg('15.921'), 5, 1),
            ('EcoRecycle', 'Site B', '2026-04', kg('12.850'), 2, 0),
            ('GreenMetal', 'Site A', '2026-04', kg('2.500'), 1, 0),
            ('GreenMetal', 'Site B', '2026-05', kg('7.250'), 1, 0),
            ('GreenMetal', 'Site B', '2026-06', kg('3.000'), 1, 0),
        ])

    def test_totals_per_vendor_site_and_month(self):
        report = ewaste.report(self.admin)
        total = report.total
        self.assertEqual((total.kg, total.items, total.items_without_weight), (kg('41.521'), 10, 1))
        self.assertTrue(report.is_partial)
        self.assertEqual([(r.vendor.name, r.kg, r.items, r.items_without_weight) for r in report.by_vendor], [
            ('EcoRecycle', kg('28.771'), 7, 1),
            ('GreenMetal', kg('12.750'), 3, 0),
        ])
        self.assertEqual([(r.site.name, r.kg, r.items) for r in report.by_site], [
            ('Site A', kg('18.421'), 6),
            ('Site B', kg('23.100'), 4),
        ])
        self.assertEqual([(r.period, r.kg) for r in report.by_period], [
            ('2026-03', kg('15.921')), ('2026-04', kg('15.350')), ('2026-05', kg('7.250')), ('2026-06', kg('3.000')),
        ])

    def test_quarters_and_years(self):
        quarters = ewaste.report(self.admin, period='quarter')
        self.assertEqual([(r.period, r.kg) for r in quarters.by_period],
                         [('2026-Q1', kg('15.921')), ('2026-Q2', kg('25.600'))])
        years = ewaste.report(self.admin, period='year')
        self.assertEqual([(r.period, r.period_start, r.kg) for r in years.by_period],
                         [('2026', datetime.date(2026, 1, 1), kg('41.521'))])

    def test_the_planned_hand_over_does_not_count(self):
        report = ewaste.report(self.admin)
        self.assertNotIn(kg('100'), [r.kg for r in report.rows])
        self.planned.status = HandoverStatusChoices.STATUS_HANDED_OVER
        self.planned.handed_over_at = at('2026-03-30')
        self.planned.save()
        self.assertEqual(ewaste.report(self.admin).total.kg, kg('141.521'))

    def test_the_sum_is_the_sum_of_the_manifests(self):
        counted = Handover.objects.filter(status__in=ewaste.COUNTED_STATUSES)
        manifests = sum(item.weight for item in HandoverItem.objects.filter(handover__in=counted)
                        if item.weight is not None)
        self.assertEqual(ewaste.report(self.admin).total.kg, manifests)
        self.assertEqual(manifests, kg('41.521'))

    def test_filters(self):
        march = ewaste.report(self.admin, date_from=datetime.date(2026, 3, 25), date_to=datetime.date(2026, 4, 15))
        # H2, H3, H4: the dates are inclusive.
        self.assertEqual(march.total.kg, kg('5.0') + kg('2.5') + kg('12.85'))
        site_b = ewaste.report(self.admin, sites=[self.site_b])
        self.assertEqual({r.site.name for r in site_b.rows}, {'Site B'})
        self.assertEqual(site_b.total.kg, kg('23.1'))
        green = ewaste.report(self.admin, vendors=[self.green.pk])
        self.assertEqual(green.total.kg, kg('12.75'))

    def test_object_permissions(self):
        report = ewaste.report(self.site_a_viewer)
        self.assertEqual({r.site.name for r in report.rows}, {'Site A'})
        self.assertEqual(report.total.kg, kg('18.421'))
        self.assertEqual(ewaste.report(self.nobody).rows, [])

    def test_one_query_whatever_the_number_of_hand_overs(self):
        with self.assertNumQueries(1):
            small = ewaste.report(self.admin, sites=[self.site_a.pk])
            summaries = (small.total, small.by_vendor, small.by_site, small.by_period)
        with self.assertNumQueries(1):
            everything = ewaste.report(self.admin)
            self.assertEqual(len(everything.by_period), 4)
        self.assertEqual(summaries[0].kg, kg('18.421'))


class EwastePageAndApiTestCase(EwasteFixtureMixin, TestCase):

    def setUp(self):
        self.browser = Client()
        self.browser.force_login(self.viewer)

    def api(self, user, **params):
        return Client().get(reverse(API), params, HTTP_ACCEPT='application/json', **token_header(user))

    def test_page_shows_rows_totals_and_chart(self):
        response = self.browser.get(reverse(PAGE))
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn('id="ewaste-table"', page)
        self.assertIn('id="ewaste-chart"', page)
        self.assertEqual(page.count('class="d-flex align-items-center mb-2 ewaste-bar"'), 4 + 2)  # months, vendors
        self.assertIn('41.521', page)
        self.assertIn('15.921', page)
        self.assertIn('1 item has no weight', page)
        self.assertNotIn('100.000', page)
        report = response.context['report']
        self.assertEqual(rows(report), rows(ewaste.report(self.viewer)))

    def test_the_page_is_in_the_menu(self):
        self.assertContains(self.browser.get(reverse('home')), f'href="{reverse(PAGE)}"')
        nobody = Client()
        nobody.force_login(self.nobody)
        self.assertNotContains(nobody.get(reverse('home')), f'href="{reverse(PAGE)}"')

    def test_csv_page_and_api_agree(self):
        params = {'period': 'month', 'date_from': '2026-01-01', 'date_to': '2026-12-31'}
        page = self.browser.get(reverse(PAGE), params).context['report']
        download = self.browser.get(reverse(PAGE), {**params, 'export': 'csv'})
        self.assertEqual(download['Content-Type'], 'text/csv; charset=utf-8')
        self.assertIn('attachment', download['Content-Disposition'])
        lines = list(csv.reader(io.StringIO(download.content.decode())))
        self.assertEqual(lines[0], list(ewaste.CSV_COLUMNS))
        *body, total = lines[1:]
        self.assertEqual([(v, s, p, Decimal(k), int(i), int(u)) for v, s, p, _start, k, i, u in body], rows(page))
        self.assertEqual(total[0], 'Total')
        self.assertEqual((Decimal(total[4]), int(total[5]), int(total[6])), (kg('41.521'), 10, 1))
        self.assertEqual(sum(Decimal(line[4]) for line in body), Decimal(total[4]))

        answer = self.api(self.viewer, **params)
        self.assertEqual(answer.status_code, 200)
        data = answer.json()
        self.assertEqual(
            [(r['vendor']['name'], r['site']['name'], r['period'], kg(str(r['kg'])), r['items'],
              r['items_without_weight']) for r in data['rows']],
            rows(page),
        )
        self.assertEqual(kg(str(data['total']['kg'])), kg('41.521'))
        self.assertEqual((data['total']['items'], data['total']['items_without_weight']), (10, 1))
        self.assertTrue(data['partial'])
        self.assertEqual([(r['vendor']['name'], kg(str(r['kg']))) for r in data['by_vendor']],
                         [('EcoRecycle', kg('28.771')), ('GreenMetal', kg('12.75'))])

        api_csv = Client().get(reverse(API), {**params, 'format': 'csv'}, **token_header(self.viewer))
        self.assertEqual(api_csv.status_code, 200)
        self.assertTrue(api_csv['Content-Type'].startswith('text/csv'))
        self.assertEqual(api_csv.content, download.content)

    def test_site_restricted_user_sees_only_the_site(self):
        browser = Client()
        browser.force_login(self.site_a_viewer)
        page = browser.get(reverse(PAGE)).content.decode()
        self.assertIn('Site A', page)
        self.assertNotIn('Site B', page)
        self.assertIn('18.421', page)
        data = self.api(self.site_a_viewer).json()
        self.assertEqual({r['site']['name'] for r in data['rows']}, {'Site A'})
        self.assertEqual(kg(str(data['total']['kg'])), kg('18.421'))

    def test_without_permission(self):
        browser = Client()
        browser.force_login(self.nobody)
        self.assertEqual(browser.get(reverse(PAGE)).status_code, 403)
        self.assertEqual(browser.get(reverse(PAGE), {'export': 'csv'}).status_code, 403)
        self.assertEqual(self.api(self.nobody).status_code, 403)
        anonymous = Client().get(reverse(PAGE))
        self.assertEqual(anonymous.status_code, 302)
        self.assertIn('/login/', anonymous['Location'])
        self.assertEqual(Client().get(reverse(API), HTTP_ACCEPT='application/json').status_code, 403)

    def test_bad_filters(self):
        cases = (
            ({'date_from': '2026-05-01', 'date_to': '2026-04-01'}, 'date_to', 'before the start date'),
            ({'date_from': 'yesterday'}, 'date_from', 'YYYY-MM-DD'),
            ({'date_to': '2026-02-30'}, 'date_to', 'YYYY-MM-DD'),
            ({'period': 'fortnight'}, 'period', 'fortnight'),
            ({'site_id': 'x'}, 'site_id', ''),
            ({'vendor_id': self.site_a.pk + 100000}, 'vendor_id', ''),
        )
        for params, field, text in cases:
            with self.subTest(params=params):
                answer = self.api(self.viewer, **params)
                self.assertEqual(answer.status_code, 400)
                self.assertIn(field, answer.json())
                self.assertIn(text, ' '.join(answer.json()[field]))
                page = self.browser.get(reverse(PAGE), params)
                self.assertEqual(page.status_code, 400)
                self.assertIn(text, page.content.decode())
                self.assertIn('id="ewaste-errors"', page.content.decode())
                csv_answer = Client().get(reverse(API), {**params, 'format': 'csv'}, **token_header(self.viewer))
                self.assertEqual(csv_answer.status_code, 400)
                self.assertEqual(csv_answer['Content-Type'], 'application/json')
                self.assertIn(field, csv_answer.json())

    def test_constant_queries(self):
        # Pinned: a page and an API answer cost the same whatever the number of hand-overs and rows.
        headers = token_header(self.viewer)

        def count(call):
            with CaptureQueriesContext(connection) as queries:
                call()
            return len(queries)

        def page():
            self.assertEqual(self.browser.get(reverse(PAGE)).status_code, 200)

        def api():
            self.assertEqual(Client().get(reverse(API), HTTP_ACCEPT='application/json', **headers).status_code, 200)

        page(), api()  # NetBox caches a few things at a client's first request
        page_before, api_before = count(page), count(api)
        # NetBox's own per request (session, user, permissions, preferences, ...) and the report's single query.
        self.assertEqual((page_before, api_before), (PAGE_QUERIES, API_QUERIES))
        for month in range(1, 13):
            h = Handover.objects.create(
                number=f'HND-X-{month}', site=self.site_b, vendor=self.eco, status=HandoverStatusChoices.STATUS_CLOSED,
                pickup_date=datetime.date(2025, 1, 1), handed_over_at=at(f'2025-{month:02d}-15'),
            )
            HandoverItem.objects.create(handover=h, decommission=None, component=RemovedComponent.objects.create(
                decommission=self.server, kind='fan', name=f'Fan {month}'), weight=kg('0.1'))
        self.assertEqual(count(page), page_before)
        self.assertEqual(count(api), api_before)
