"""
A crawl of NetBox's web UI with the plugin's data present, logged in as a superuser: the home page, every link of the
navigation menu (NetBox's menus and the plugin's, with their add and import buttons) and of the user menu, the first
object of every list with its page, every view registered for its model (tabs, edit and delete forms, the plugin's
action forms) and the links its page offers under its own address (documents, labels). No page may answer 5xx.

The plugin's event types are checked apart, where NetBox shows them: the Event Rule forms offer them, the rules' list
and page name them, and the notifications the stage moves leave are listed on the user's page and in the bell's menu.
"""
import traceback
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit

import lxml.html
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template.loader import render_to_string
from django.test import RequestFactory, TestCase
from django.urls import NoReverseMatch, resolve, reverse

from core.models import Job, ObjectType
from dcim.models import Rack
from extras.models import Bookmark, EventRule, JournalEntry, Notification, Subscription, Webhook
from netbox.navigation.menu import get_menus
from netbox.registry import registry
from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionReasonChoices
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.events import DEVICE_RETIRED, STAGE_CHANGED
from netbox_decommission.models import Decommission, StorageLocation
from users.models import Token, User
from utilities.views import get_viewname

from .utils import (
    add_ready_components,
    advance,
    create_cabled_server,
    create_devices,
    create_sites,
    create_workflow_decommission,
    grant,
    run_enqueued_jobs,
)

pytestmark = pytest.mark.crawl

# How many objects of each list the crawl opens, in the list's own order (the plugin's records are opened in every
# stage besides).
FIRST_OBJECTS = 1

PLUGIN_EVENT_TYPES = {
    STAGE_CHANGED: 'Decommission stage changed',
    DEVICE_RETIRED: 'Device retired by a decommission',
}


def not_crawled(url):
    """Links that a GET must not follow, each for its reason."""
    # Logging out ends the crawl's session: every page after it would be the login form.
    return urlsplit(url).path == reverse('logout')


def normalized(url):
    """The URL without its fragment and without return_url, which only says where a form goes back to."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != 'return_url']
    return f'{parts.path}?{urlencode(query)}' if query else parts.path


def links(content):
    """The site-internal links of an HTML page or fragment: its hrefs and its HTMX hx-gets."""
    return [
        link for link in lxml.html.fromstring(content).xpath('//a/@href | //*/@hx-get')
        if link.startswith('/') and not link.startswith('//')
    ]


class Crawl:
    """GETs each URL once; a 5xx answer, or an exception the view raised, is recorded with its cause."""

    def __init__(self, client):
        self.client = client
        self.fetched = {}
        self.page_links = {}
        self.failures = []

    def get(self, url):
        """The URL's status, fetched unless it was already."""
        url = normalized(url)
        if url not in self.fetched and not not_crawled(url):
            self.fetched[url] = self.fetch(url)
        return self.fetched.get(url)

    def fetch(self, url):
        try:
            # Every page sees the same data: what a GET changes (a notification dismissed, a preference saved) is
            # rolled back, and a failed query does not spoil the pages after it.
            with transaction.atomic():
                response = self.client.get(url)
                transaction.set_rollback(True)
        except Exception as error:
            cause = ''.join(traceback.format_exception(error, limit=-4))
            self.failures.append(f'{url}: raised {type(error).__name__}: {error}\n{cause}')
            return 500
        if response.status_code >= 500:
            body = b'' if response.streaming else response.content[:1000]
            self.failures.append(f'{url}: HTTP {response.status_code}\n{body.decode(errors="replace")}')
        elif not response.streaming and response.content and response['Content-Type'].startswith('text/html'):
            self.page_links[url] = links(response.content)
        return response.status_code

    def follow(self, url, prefix):
        """
        GET the page and the links it offers under `prefix`. A link with a query to a page already fetched with
        another (a PDF in the other language) is left out: the query changes what the page shows, not the code that
        shows it.
        """
        self.get(url)
        fetched_paths = {urlsplit(fetched).path for fetched in self.fetched}
        for link in self.page_links.get(normalized(url), ()):
            parts = urlsplit(link)
            if parts.path.startswith(prefix) and not (parts.query and parts.path in fetched_paths):
                fetched_paths.add(parts.path)
                self.get(link)


class CrawlTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        """The plugin's data as its users make it: every stage walked through, a batch job, events, notifications."""
        cls.admin = User.objects.create_superuser(username='crawler', email='crawler@example.com')
        site, other_site = create_sites('Crawl Site', 'Other Site')
        cls.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)
        StorageLocation.objects.create(name='Shelf 4', kind='warehouse', site=other_site,
                                       location=other_site.locations.first(), rack=Rack.objects.get(site=other_site))
        # The superuser heads every record, so that the moves the others make notify them.
        cls.people = SimpleNamespace(
            head=cls.admin,
            responsible=User.objects.create_user(username='responsible'),
            executors=[User.objects.create_user(username='executor1'), User.objects.create_user(username='executor2')],
        )
        webhook = Webhook.objects.create(name='Ticketing', payload_url='http://tickets.example.com/hook')
        cls.rule = EventRule.objects.create(name='Decommission moves', event_types=list(PLUGIN_EVENT_TYPES),
                                            action_type='webhook', action_object=webhook)
        cls.rule.object_types.set([ObjectType.objects.get_for_model(Decommission)])

        cls.records = {}
        for octet, target in enumerate((Status.STATUS_CLOSED, Status.STATUS_IN_STORAGE, Status.STATUS_SCHEDULED,
                                        Status.STATUS_CANCELLED), start=10):
            server = create_cabled_server(site, name=f'srv-{octet}', octet=octet)
            decommission = create_workflow_decommission(server.device, cls.people)
            if target == Status.STATUS_CANCELLED:
                advance(decommission, Status.STATUS_ORDERED, cls.people)
                workflow.cancel(decommission, cls.people.responsible, 'The server stays for another year')
            elif target == Status.STATUS_SCHEDULED:
                advance(decommission, target, cls.people)
            else:
                advance(decommission, Status.STATUS_BACKED_UP, cls.people)
                add_ready_components(decommission, cls.zone)
                advance(decommission, target, cls.people, cls.zone)
            decommission.refresh_from_db()
            cls.records[target] = decommission
        # The record in storage still has its device, whose page carries the plugin's tab.
        cls.device = cls.records[Status.STATUS_IN_STORAGE].device

        # A rack started as one batch from the UI runs as a background job.
        rack = Rack.objects.get(site=other_site)
        create_devices(6, other_site, prefix='rack', rack=rack)
        client = cls.client_class()
        client.force_login(cls.admin)
        with cls.captureOnCommitCallbacks() as callbacks:
            response = client.post(reverse('plugins:netbox_decommission:decommission_bulk_start'), {
                '_apply': 'true', 'rack': rack.pk, 'reason': DecommissionReasonChoices.REASON_END_OF_LIFE,
                'reason_text': 'Rack emptied', 'responsible': cls.people.responsible.pk,
            })
        run_enqueued_jobs(callbacks)
        cls.job = Job.objects.get(pk=resolve(response.url).kwargs['pk'])
        assert cls.job.data['succeeded'] == 6, cls.job.data

        closed = cls.records[Status.STATUS_CLOSED]
        Bookmark.objects.create(object=closed, user=cls.admin)
        Subscription.objects.create(object=cls.records[Status.STATUS_IN_STORAGE], user=cls.admin)
        JournalEntry.objects.create(assigned_object=closed, created_by=cls.admin, kind='info',
                                    comments='Act filed with the accounting department')
        Token.objects.create(user=cls.admin, description='Inventory sync')
        # NetBox lists a user's notifications to those who may view notifications.
        grant([cls.people.responsible], ['view'], model=Notification)

        # A hand-over to a disposal vendor, handed over and reconciled with a certificate (docs/handovers.md).
        from netbox_decommission.handovers import services as handovers
        from netbox_decommission.handovers.certificate import read_certificate
        from netbox_decommission.models import Handover

        vendor = StorageLocation.objects.create(name='Recycler', kind='vendor', site=site)
        handover = Handover.objects.create(site=site, vendor=vendor, pickup_date='2026-12-10')
        parts = list(cls.records[Status.STATUS_IN_STORAGE].components.all())
        handovers.add_items(handover, cls.admin, components=parts)
        handovers.hand_over(handover, cls.admin)
        handovers.reconcile(handover, cls.admin, read_certificate(
            f'serial,method,date,certificate\n{parts[0].serial},destroyed,2026-12-11,CERT-1\nX-1,recycled,'
            f'2026-12-11,CERT-1\n'.encode(), file_name='certificate.csv'))

    def setUp(self):
        self.client.force_login(self.admin)

    @pytest.fixture(autouse=True)
    def _record_suite_property(self, record_testsuite_property):
        self.record_suite_property = record_testsuite_property

    #
    # The crawl
    #

    @staticmethod
    def menu_urls():
        """Every link of the navigation menu (NetBox's menus, the plugin's, the admin menu) and of its buttons."""
        for menu in get_menus():
            for group in menu.groups:
                for item in group.items:
                    yield str(item.url)
                    yield from (str(button.url) for button in item.buttons)

    def user_menu_urls(self):
        """The links of the user menu and the notification bell, as NetBox's template renders them."""
        request = RequestFactory().get('/')
        request.user = self.admin
        return links(render_to_string('inc/user_menu.html', request=request))

    @staticmethod
    def model_urls(model, obj=None):
        """
        The URLs of the views registered for the model: its list-level ones, or those of the object `obj`. (Views
        register themselves as NetBox loads its URL configuration, which any reverse() does first.)
        """
        for view in registry['views'][model._meta.app_label].get(model._meta.model_name, ()):
            if view['detail'] != (obj is not None):
                continue
            try:
                yield reverse(get_viewname(model, view['name'] or None), kwargs={'pk': obj.pk} if obj else None)
            except NoReverseMatch:
                # Views NetBox registers without routing them (e.g. dcim.cabletermination's change log), and views
                # that take more than the object (a document's kind), which the links of the object's page reach.
                continue

    @staticmethod
    def detail_url(obj):
        return reverse(get_viewname(type(obj)), kwargs={'pk': obj.pk})

    def test_no_page_answers_5xx(self):
        crawl = Crawl(self.client)
        # The home page's links: its dashboard's widgets (some load their content with hx-get) and what they list.
        crawl.follow(reverse('home'), '/')

        # The account section (/user/): with the account pages' own tabs (notifications, password) and what they
        # list (API tokens).
        account = reverse('account:profile').rsplit('/', 2)[0] + '/'
        for url in self.user_menu_urls():
            crawl.follow(url, account)

        objects = []
        for url in self.menu_urls():
            crawl.get(url)
            queryset = getattr(getattr(resolve(urlsplit(url).path).func, 'view_class', None), 'queryset', None)
            if queryset is not None:
                for model_url in self.model_urls(queryset.model):
                    crawl.get(model_url)
                objects.extend(queryset.all()[:FIRST_OBJECTS])
        objects.extend([*self.records.values(), self.device])
        for obj in objects:
            for url in self.model_urls(type(obj), obj):
                crawl.get(url)
            crawl.follow(self.detail_url(obj), self.detail_url(obj))

        self.record_suite_property('ui_crawl_pages', len(crawl.fetched))
        self.record_suite_property('ui_crawl_errors', len(crawl.failures))
        print(f'UI crawl: {len(crawl.fetched)} pages, {len(crawl.failures)} errors')
        if crawl.failures:
            self.fail('\n\n'.join([f'{len(crawl.failures)} of {len(crawl.fetched)} pages failed:', *crawl.failures]))
        # The crawl reached what it is meant to: the plugin's pages, its tab on the device, the batch's job, the
        # event rule and the notifications.
        for url in (reverse('plugins:netbox_decommission:decommission_list'),
                    *(self.detail_url(record) for record in self.records.values()),
                    reverse('dcim:device_decommissions', kwargs={'pk': self.device.pk}),
                    self.job.get_absolute_url(), self.rule.get_absolute_url(), reverse('extras:eventrule_list'),
                    reverse('account:notifications'), reverse('extras:notifications')):
            self.assertEqual(crawl.fetched.get(url), 200, url)

    #
    # The plugin's event types where NetBox shows them
    #

    def event_type_options(self, url):
        """{value: selected} of the event types the form at `url` offers."""
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return {
            option.get('value'): option.get('selected') is not None
            for option in lxml.html.fromstring(response.content).xpath('//select[@name="event_types"]/option')
        }

    def test_the_event_rule_add_form_offers_the_plugin_event_types(self):
        options = self.event_type_options(reverse('extras:eventrule_add'))
        for event_type in PLUGIN_EVENT_TYPES:
            self.assertIs(options.get(event_type), False, f'{event_type} is not offered unselected: {options}')

    def test_the_event_rule_edit_form_shows_the_plugin_event_types_selected(self):
        options = self.event_type_options(reverse('extras:eventrule_edit', kwargs={'pk': self.rule.pk}))
        for event_type in PLUGIN_EVENT_TYPES:
            self.assertIs(options.get(event_type), True, f'{event_type} is not selected: {options}')

    def test_the_event_rules_list_and_the_rule_page_name_the_event_types(self):
        for url in (reverse('extras:eventrule_list'), self.rule.get_absolute_url()):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                for label in PLUGIN_EVENT_TYPES.values():
                    self.assertContains(response, label)

    def test_notified_users_see_the_notifications(self):
        """On their notifications page and in the bell's menu (the HTMX fragment the bell fetches)."""
        decommission_type = ContentType.objects.get_for_model(Decommission)
        for user in (self.admin, self.people.responsible):
            notification = Notification.objects.filter(user=user, object_type=decommission_type).latest('created')
            read_url = reverse('extras:notification_read', kwargs={'pk': notification.pk})
            self.client.force_login(user)
            for url in (reverse('account:notifications'), reverse('extras:notifications')):
                with self.subTest(user=user.username, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, notification.object_repr)
                    self.assertContains(response, read_url)
                    self.assertContains(response, PLUGIN_EVENT_TYPES[notification.event_type])
