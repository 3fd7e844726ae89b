"""
The iCalendar feed of removal windows, read as a calendar program reads it: without logging in, through the secret
address, and parsed by an independent iCalendar parser (vobject, not the icalendar library that writes it). Its
events, their revisions (SEQUENCE), cancelled and retired records, the owner's permissions and the feed's filters,
revoked and made-up secrets; the feeds' REST API and web UI, each user's own.
"""
import datetime
import hashlib

import vobject
from django.db import connection
from django.test import TestCase, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from netbox_decommission import workflow
from netbox_decommission.calendar import subscriptions
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import CalendarFeed, Decommission
from tenancy.models import Tenant
from users.models import User

from .utils import (
    WINDOW,
    create_cabled_server,
    create_decommission,
    create_signers,
    create_sites,
    create_workflow_decommission,
    grant,
    token_header,
)

UTC = datetime.UTC
LATER = (datetime.datetime(2026, 12, 12, 20, 0, tzinfo=UTC), datetime.datetime(2026, 12, 12, 23, 30, tzinfo=UTC))


def parse(response):
    """The feed's VEVENTs by UID, as vobject reads them."""
    calendar = vobject.readOne(response.content.decode('utf-8'))
    return {event.uid.value: event for event in calendar.contents.get('vevent', [])}


class CalendarFeedTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        cls.site_a, cls.site_b = create_sites('Site A', 'Site B')
        cls.rack_a = cls.site_a.racks.get()
        cls.people = create_signers()
        for user, first, last in ((cls.people.head, 'Irina', 'Volkova'), (cls.people.executors[0], 'Oleg', 'Smirnov')):
            user.first_name, user.last_name = first, last
            user.save()
        cls.tenant = Tenant.objects.create(name='Bank', slug='bank')
        cls.server_a = create_cabled_server(cls.site_a, 'msk-app-12', octet=12, rack=cls.rack_a, position=10).device
        cls.server_b = create_cabled_server(cls.site_b, 'spb-db-03', octet=13).device
        cls.server_c = create_cabled_server(cls.site_a, 'msk-old-01', octet=14).device
        cls.record_a = create_workflow_decommission(
            cls.server_a, cls.people, reason_text='Replaced by msk-app-20', tenant=cls.tenant,
            planned_start=WINDOW[0], planned_end=WINDOW[1],
        )
        cls.record_b = create_decommission(cls.server_b, planned_start=LATER[0], planned_end=LATER[1])
        # No window: never in a feed.
        cls.unplanned = create_decommission(cls.server_c)
        # The owner may view the decommissions of site A only.
        cls.owner = User.objects.create_user(username='planner')
        grant([cls.owner], ['view'], constraints={'site_id': cls.site_a.pk})
        cls.everything = User.objects.create_user(username='chief')
        grant([cls.everything], ['view'])

    def feed(self, user=None, **filters):
        return subscriptions.create_feed(user or self.everything, 'Windows', **filters)

    def fetch(self, secret):
        # A calendar program: no session, no token.
        return self.client_class().get(subscriptions.feed_path(secret))

    def events(self, secret):
        response = self.fetch(secret)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response['Content-Type'], 'text/calendar; charset=utf-8')
        return parse(response)

    def uid(self, record):
        return f'decommission-{record.pk}@testserver'

    @override_settings(LOGIN_REQUIRED=True)
    def test_the_event_carries_the_window_the_place_the_reason_and_the_people(self):
        _feed, secret = self.feed()
        events = self.events(secret)
        self.assertEqual(set(events), {self.uid(self.record_a), self.uid(self.record_b)})
        event = events[self.uid(self.record_a)]
        self.assertEqual(event.dtstart.value, WINDOW[0])
        self.assertEqual(event.dtend.value, WINDOW[1])
        self.assertEqual(event.summary.value, f'Removal of msk-app-12 ({self.record_a.number})')
        self.assertEqual(event.location.value, 'Site A / Site A Rack, U10')
        self.assertEqual(event.sequence.value, '0')
        # A draft's window is not signed yet.
        self.assertEqual(event.status.value, 'TENTATIVE')
        url = f'http://testserver{self.record_a.get_absolute_url()}'
        self.assertEqual(event.url.value, url)
        description = event.description.value
        for text in ('Reason: End of life: Replaced by msk-app-20', 'Head: Irina Volkova',
                     f'Responsible: {self.people.responsible.username}',
                     f'Executors: Oleg Smirnov, {self.people.executors[1].username}', 'Tenant: Bank',
                     'Serial number: SN-msk-app-12', url):
            self.assertIn(text, description)

    def test_the_uid_stays_and_the_sequence_grows_when_the_window_moves(self):
        record = create_workflow_decommission(create_cabled_server(self.site_a, 'msk-web-07', octet=15).device,
                                              self.people)
        workflow.sign(record, self.people.head, 'order', 'head')
        workflow.sign(record, self.people.responsible, 'order', 'responsible')
        _feed, secret = self.feed(stages=[Status.STATUS_ORDERED])
        self.assertEqual(self.events(secret), {})

        workflow.schedule(record, self.people.head, *WINDOW)
        first = self.events(secret)[self.uid(record)]
        self.assertEqual((first.sequence.value, first.dtstart.value), ('0', WINDOW[0]))

        workflow.schedule(record, self.people.head, *LATER)
        moved = self.events(secret)[self.uid(record)]
        self.assertEqual((moved.sequence.value, moved.dtstart.value, moved.dtend.value), ('1', *LATER))
        # The same window again is no new revision.
        workflow.schedule(record, self.people.head, *LATER)
        self.assertEqual(self.events(secret)[self.uid(record)].sequence.value, '1')
        workflow.schedule(record, self.people.head, *WINDOW)
        self.assertEqual(self.events(secret)[self.uid(record)].sequence.value, '2')
        record.refresh_from_db()
        self.assertEqual(record.window_sequence, 2)

    def test_a_cancelled_record_is_a_cancelled_event(self):
        workflow.cancel(self.record_a, self.people.head, 'The application stays in service')
        _feed, secret = self.feed()
        event = self.events(secret)[self.uid(self.record_a)]
        self.assertEqual(event.status.value, 'CANCELLED')
        self.assertTrue(event.summary.value.startswith('Cancelled: '))
        self.assertIn('Cancelled because: The application stays in service', event.description.value)

    def test_a_retired_record_keeps_its_event_marked_done(self):
        for status in (Status.STATUS_RETIRED, Status.STATUS_CLOSED):
            Decommission.objects.filter(pk=self.record_a.pk).update(status=status)
            _feed, secret = self.feed()
            event = self.events(secret)[self.uid(self.record_a)]
            self.assertEqual(event.status.value, 'CONFIRMED')
            self.assertEqual(event.summary.value, f'Removed: msk-app-12 ({self.record_a.number})')
            self.assertIn('The server was removed', event.description.value)

    def test_a_feed_shows_only_what_its_owner_may_view(self):
        _feed, secret = self.feed(self.owner)
        self.assertEqual(set(self.events(secret)), {self.uid(self.record_a)})
        nobody = User.objects.create_user(username='nobody')
        _feed, secret = self.feed(nobody)
        self.assertEqual(self.events(secret), {})

    def test_the_filters_narrow_the_feed(self):
        for filters, expected in (
            ({'site': self.site_b}, {self.record_b}),
            ({'tenant': self.tenant}, {self.record_a}),
            ({'stages': [Status.STATUS_DRAFT]}, {self.record_a, self.record_b}),
            ({'stages': [Status.STATUS_SCHEDULED]}, set()),
            ({'site': self.site_a, 'tenant': self.tenant, 'stages': [Status.STATUS_DRAFT]}, {self.record_a}),
        ):
            with self.subTest(filters=filters):
                _feed, secret = self.feed(**filters)
                self.assertEqual(set(self.events(secret)), {self.uid(record) for record in expected})

    def test_revoked_made_up_and_deactivated_secrets_answer_404(self):
        feed, secret = self.feed()
        self.assertEqual(self.fetch(secret).status_code, 200)
        made_up = self.fetch('x' * len(secret))
        self.assertEqual(made_up.status_code, 404)
        subscriptions.revoke_feed(feed)
        revoked = self.fetch(secret)
        self.assertEqual(revoked.status_code, 404)
        # No hint which of the two it was.
        self.assertEqual((revoked.content, revoked['Content-Type']), (made_up.content, made_up['Content-Type']))

        feed, secret = self.feed(self.owner)
        self.owner.is_active = False
        self.owner.save()
        self.assertEqual(self.fetch(secret).status_code, 404)

    def test_the_secret_is_stored_hashed_and_the_last_use_recorded(self):
        feed, secret = self.feed()
        self.assertIsNone(feed.last_used)
        self.assertEqual(feed.secret_hash, hashlib.sha256(secret.encode()).hexdigest())
        self.assertEqual(feed.key_prefix, secret[:8])
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT * FROM {CalendarFeed._meta.db_table} WHERE id = %s', [feed.pk])
            row = cursor.fetchone()
        self.assertFalse([value for value in row if isinstance(value, str) and secret in value])
        self.fetch(secret)
        feed.refresh_from_db()
        self.assertIsNotNone(feed.last_used)

    def test_the_feed_takes_the_same_queries_however_many_events(self):
        _feed, secret = self.feed()
        with self.assertNumQueries(8):
            self.assertEqual(len(self.events(secret)), 2)
        for i in range(6):
            device = create_cabled_server(self.site_a, f'msk-batch-{i}', octet=40 + i).device
            create_workflow_decommission(device, self.people, planned_start=WINDOW[0], planned_end=WINDOW[1])
        with self.assertNumQueries(8):
            self.assertEqual(len(self.events(secret)), 8)


class CalendarFeedAPITestCase(TestCase):
    client_class = APIClient

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        cls.alice = User.objects.create_user(username='alice')
        cls.bob = User.objects.create_user(username='bob')
        cls.admin = User.objects.create_user(username='admin', is_superuser=True)
        grant([cls.alice, cls.bob], ['view'])
        cls.headers = {user.username: token_header(user) for user in (cls.alice, cls.bob, cls.admin)}
        record = create_decommission(create_cabled_server(cls.site, 'msk-app-12').device,
                                     planned_start=WINDOW[0], planned_end=WINDOW[1])
        cls.uid = f'decommission-{record.pk}@testserver'

    list_url = reverse('plugins-api:netbox_decommission-api:calendarfeed-list')

    def detail_url(self, pk):
        return reverse('plugins-api:netbox_decommission-api:calendarfeed-detail', kwargs={'pk': pk})

    def test_create_list_and_revoke_own_feeds_only(self):
        response = self.client.post(self.list_url, {'name': 'Outlook', 'site': self.site.pk, 'stages': ['draft']},
                                    format='json', **self.headers['alice'])
        self.assertEqual(response.status_code, 201, response.content)
        created = response.json()
        feed = CalendarFeed.objects.get(pk=created['id'])
        self.assertEqual((feed.user, feed.name, feed.site, feed.stages), (self.alice, 'Outlook', self.site, ['draft']))
        feed_url = created['feed_url']
        secret = feed_url.rpartition('/')[2].removesuffix('.ics')
        self.assertTrue(feed_url.startswith('http://testserver/plugins/decommission/calendar/'))
        self.assertEqual(feed.secret_hash, hashlib.sha256(secret.encode()).hexdigest())
        self.assertEqual(created['key_prefix'], secret[:8])
        # The address is a calendar program's: no token needed.
        self.assertIn(self.uid, parse(self.client_class().get(feed_url)))

        bobs = self.client.post(self.list_url, {'name': "Bob's"}, format='json', **self.headers['bob']).json()
        listed = self.client.get(self.list_url, **self.headers['alice']).json()
        self.assertEqual([row['id'] for row in listed['results']], [feed.pk])
        # Shown once: never again.
        self.assertIsNone(listed['results'][0]['feed_url'])
        self.assertIsNone(self.client.get(self.detail_url(feed.pk), **self.headers['alice']).json()['feed_url'])
        # Not another user's, and a superuser's list is their own too.
        self.assertEqual(self.client.get(self.detail_url(bobs['id']), **self.headers['alice']).status_code, 404)
        self.assertEqual(self.client.delete(self.detail_url(bobs['id']), **self.headers['alice']).status_code, 404)
        self.assertEqual(self.client.get(self.list_url, **self.headers['admin']).json()['count'], 0)
        self.assertTrue(CalendarFeed.objects.filter(pk=bobs['id']).exists())

        self.assertEqual(self.client.delete(self.detail_url(feed.pk), **self.headers['alice']).status_code, 204)
        self.assertFalse(CalendarFeed.objects.filter(pk=feed.pk).exists())
        self.assertEqual(self.client_class().get(feed_url).status_code, 404)

    def test_bad_input_names_the_field(self):
        response = self.client.post(self.list_url, {'stages': ['nowhere']}, format='json', **self.headers['alice'])
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.json()), {'name', 'stages'})
        self.assertFalse(CalendarFeed.objects.exists())

    def test_a_read_only_token_cannot_create_and_anonymous_users_see_nothing(self):
        read_only = token_header(self.alice, write_enabled=False)
        self.assertEqual(self.client.post(self.list_url, {'name': 'x'}, format='json', **read_only).status_code, 403)
        self.assertEqual(self.client.get(self.list_url).status_code, 403)


class CalendarFeedUITestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        cls.alice = User.objects.create_user(username='alice')
        cls.bob = User.objects.create_user(username='bob')
        grant([cls.alice, cls.bob], ['view'])

    def test_create_see_the_address_once_and_revoke(self):
        self.client.force_login(self.alice)
        list_url = reverse('plugins:netbox_decommission:calendarfeed_list')
        response = self.client.post(reverse('plugins:netbox_decommission:calendarfeed_add'),
                                    {'name': 'Thunderbird', 'stages': ['scheduled']}, follow=True)
        self.assertRedirects(response, list_url)
        feed = CalendarFeed.objects.get(user=self.alice)
        shown = response.context['new_feed'][1]
        secret = shown.rpartition('/')[2].removesuffix('.ics')
        self.assertEqual(feed.secret_hash, hashlib.sha256(secret.encode()).hexdigest())
        self.assertContains(response, shown)
        again = self.client.get(list_url)
        self.assertNotContains(again, secret)
        self.assertContains(again, 'Thunderbird')
        self.assertContains(again, feed.key_prefix)

        bobs, _secret = subscriptions.create_feed(self.bob, "Bob's feed")
        self.assertNotContains(self.client.get(list_url), "Bob&#x27;s feed")
        delete_url = reverse('plugins:netbox_decommission:calendarfeed_delete', kwargs={'pk': bobs.pk})
        self.assertEqual(self.client.post(delete_url).status_code, 404)
        self.assertTrue(CalendarFeed.objects.filter(pk=bobs.pk).exists())

        delete_url = reverse('plugins:netbox_decommission:calendarfeed_delete', kwargs={'pk': feed.pk})
        self.assertContains(self.client.get(delete_url), 'Thunderbird')
        self.assertRedirects(self.client.post(delete_url), list_url)
        self.assertFalse(CalendarFeed.objects.filter(pk=feed.pk).exists())

    def test_the_pages_need_a_login(self):
        response = self.client.get(reverse('plugins:netbox_decommission:calendarfeed_list'))
        self.assertEqual(response.status_code, 302)
        self.assertIn('/login/', response['Location'])
