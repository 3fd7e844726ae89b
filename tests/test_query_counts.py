"""
Query-count pins: the plugin's pages, the device page's additions, the snapshot, the list APIs and a batch start run
exactly the number of queries recorded in query_budgets.json, and no more as the data grows. A change that adds a
query fails here with the page, its budget and the count; if the extra query is intended, record the budgets
anew with UPDATE_QUERY_BUDGETS=1 and commit the file.
"""
import json
import os
import uuid
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory, TestCase
from django.urls import reverse

from dcim.models import Device
from netbox.context_managers import event_tracking
from netbox_decommission import bulk, device_facts, workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.jobs import BulkStartJob
from netbox_decommission.models import RemovedComponent, StorageLocation
from users.models import User
from utilities.request import copy_safe_request
from utilities.testing import create_test_device

from .page_queries import count_queries, plugin_off_device_page
from .servers import create_large_server
from .utils import (
    add_ready_components,
    advance,
    create_decommission,
    create_devices,
    create_signers,
    create_sites,
    create_workflow_decommission,
    dispose_media,
    grant,
    plugin_settings,
    run_enqueued_jobs,
    token_header,
)

BUDGETS = Path(__file__).resolve().parent / 'query_budgets.json'
UPDATE = os.environ.get('UPDATE_QUERY_BUDGETS') == '1'


def budgets():
    return json.loads(BUDGETS.read_text()) if BUDGETS.exists() else {}


class QueryBudgetTestCase(TestCase):

    def assertWithinBudget(self, name, count):
        """The count equals the recorded budget (or is recorded as it, with UPDATE_QUERY_BUDGETS=1)."""
        if UPDATE:
            recorded = budgets()
            recorded[name] = count
            BUDGETS.write_text(json.dumps(dict(sorted(recorded.items())), indent=2) + '\n')
            return
        budget = budgets().get(name)
        self.assertIsNotNone(budget, f'{name}: no budget in {BUDGETS.name}; record it with UPDATE_QUERY_BUDGETS=1')
        self.assertEqual(
            count, budget,
            f'{name}: {count} queries, the budget is {budget}. Remove the extra queries, or if they are intended, '
            f'record the budgets with UPDATE_QUERY_BUDGETS=1.' if count > budget else
            f'{name}: {count} queries, fewer than the budget of {budget}: record the lower budget with '
            f'UPDATE_QUERY_BUDGETS=1.',
        )


class PageQueryBudgetTests(QueryBudgetTestCase):

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        cls.admin = User.objects.create_superuser(username='admin', password='admin')
        cls.people = create_signers()
        zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=cls.site)
        switch = create_test_device('tor-1', site=cls.site)
        cls.device = create_large_server(cls.site, 'srv-01', switch, interfaces=8, inventory_items=4)
        cls.decommission = create_workflow_decommission(cls.device, cls.people)
        add_ready_components(cls.decommission, zone, count=4)
        advance(cls.decommission, Status.STATUS_IN_STORAGE, cls.people, zone)
        cls.idle_device = create_large_server(cls.site, 'srv-02', switch, interfaces=8, inventory_items=4)

    def setUp(self):
        self.client.force_login(self.admin)

    def page_queries(self, url):
        count, response = count_queries(self.client.get, url)
        self.assertEqual(response.status_code, 200, url)
        return count

    def test_decommission_page(self):
        self.assertWithinBudget('decommission_page', self.page_queries(self.decommission.get_absolute_url()))

    def test_impact_tab(self):
        url = reverse('plugins:netbox_decommission:decommission_impact', kwargs={'pk': self.decommission.pk})
        self.assertWithinBudget('decommission_impact_tab', self.page_queries(url))

    def test_device_decommission_tab(self):
        url = reverse('dcim:device_decommissions', kwargs={'pk': self.device.pk})
        self.assertWithinBudget('device_decommission_tab', self.page_queries(url))

    def test_device_page_additions(self):
        """What the plugin's button and tab add to NetBox's device page, with and without an open decommission."""
        for name, device in (('device_page_extra_queries_open_decommission', self.device),
                             ('device_page_extra_queries_no_decommission', self.idle_device)):
            with self.subTest(name):
                url = device.get_absolute_url()
                self.page_queries(url)  # Caches warmed alike for both counts.
                with plugin_off_device_page():
                    baseline = self.page_queries(url)
                self.assertWithinBudget(name, self.page_queries(url) - baseline)


    def test_retirement(self):
        """The act's last signature over REST: the snapshot, the freezing of the act and the batched deletion."""
        for executor in self.people.executors:
            workflow.sign(self.decommission, executor, 'act', 'executor')
        dispose_media(self.decommission, self.people.head)
        url = reverse('plugins-api:netbox_decommission-api:decommission-sign', kwargs={'pk': self.decommission.pk})
        self.client.logout()  # the head's token, not the admin's session
        grant([self.people.head], ['view', 'sign'])
        # The count must not depend on which tests ran before and filled the content-type cache.
        ContentType.objects.clear_cache()
        count, response = count_queries(self.client.post, url, {'document': 'act', 'role': 'head'},
                                        content_type='application/json', **token_header(self.people.head))
        self.assertEqual(response.status_code, 200, response.content)
        self.decommission.refresh_from_db()
        self.assertEqual(self.decommission.status, Status.STATUS_RETIRED)
        self.assertWithinBudget('retirement_sign_act_8_interfaces', count)


class ScalingQueryBudgetTests(QueryBudgetTestCase):
    """Queries that do not grow with the data."""

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        switch = create_test_device('tor-1', site=cls.site)
        cls.small = create_large_server(cls.site, 'srv-small', switch, interfaces=10, ips_per_interface=1,
                                        inventory_items=2)
        cls.large = create_large_server(cls.site, 'srv-large', switch, interfaces=100, ips_per_interface=1,
                                        inventory_items=20)
        cls.admin = User.objects.create_superuser(username='admin', password='admin')
        cls.header = token_header(cls.admin)
        devices = create_devices(100, cls.site, prefix='retired')
        records = [create_decommission(device) for device in devices]
        RemovedComponent.objects.bulk_create([
            RemovedComponent(decommission=record, kind=kind, name=f'{kind} {i}', serial=f'{record.number}-{kind}-{i}')
            for record in records for i, kind in enumerate(('disk', 'memory'))
        ])

    def test_snapshot_does_not_grow_with_interfaces(self):
        small, _ = count_queries(device_facts.snapshot, self.small)
        large, _ = count_queries(device_facts.snapshot, self.large)
        self.assertWithinBudget('snapshot_10_interfaces', small)
        self.assertWithinBudget('snapshot_100_interfaces', large)
        self.assertEqual(small, large, f'snapshot: {small} queries at 10 interfaces, {large} at 100')

    def test_list_apis_do_not_grow_with_the_page(self):
        for endpoint, model_name in (('decommissions', 'decommission'), ('removed_components', 'removedcomponent')):
            with self.subTest(endpoint):
                url = reverse(f'plugins-api:netbox_decommission-api:{model_name}-list')
                # Caches (content types, the token's last use) warmed alike for both counts.
                self.client.get(f'{url}?limit=1', **self.header)
                counts = {}
                for limit in (10, 100):
                    counts[limit], response = count_queries(self.client.get, f'{url}?limit={limit}', **self.header)
                    self.assertEqual(response.status_code, 200)
                    self.assertWithinBudget(f'api_{endpoint}_limit_{limit}', counts[limit])
                self.assertEqual(counts[10], counts[100], f'{url}: {counts[10]} queries at limit=10, '
                                                          f'{counts[100]} at limit=100')


class BatchStartQueryBudgetTests(QueryBudgetTestCase):
    """
    bulk.start_decommissions in a change-logging request, as the batch views and jobs run it: a fixed number of
    queries per batch (users, devices, custom fields resolved once) and a fixed number per device.
    """

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        cls.devices = create_devices(62, cls.site, prefix='rack')
        cls.people = create_signers()
        grant([cls.people.head], ['view', 'add'])
        cls.constrained = create_signers('constrained-').head
        grant([cls.constrained], ['view', 'add'], constraints={'site_id': cls.site.pk})

    def start(self, devices, user):
        request = RequestFactory().post('/')
        request.user, request.id = user, uuid.uuid4()
        with event_tracking(request):
            count, results = count_queries(
                bulk.start_decommissions, Device.objects.filter(pk__in=[d.pk for d in devices]).order_by('name'),
                user, reason='end_of_life', head=self.people.head, responsible=self.people.responsible,
                executors=self.people.executors,
            )
        self.assertTrue(all(result.ok for result in results), [result.message for result in results])
        return count

    def test_batch_start(self):
        ContentType.objects.clear_cache()
        for name, user, devices in (('', self.people.head, self.devices[:31]),
                                    ('_constrained_permission', self.constrained, self.devices[31:62])):
            with self.subTest(name or 'unconstrained'):
                # Warms the caches (content types, the user's permissions) alike for both counts.
                self.start(devices[:1], user)
                devices = devices[1:]
                ten, twenty = self.start(devices[:10], user), self.start(devices[10:], user)
                per_device = (twenty - ten) // 10
                self.assertEqual(twenty, ten + 10 * per_device, f'10 devices: {ten} queries, 20: {twenty}')
                self.assertWithinBudget(f'bulk_start_10_devices{name}', ten)
                self.assertWithinBudget(f'bulk_start_per_device{name}', per_device)

    def start_as_job(self, devices):
        """BulkStartJob enqueued as the batch views enqueue it, run as a worker runs it: the queries of running it."""
        request = RequestFactory().post('/')
        request.user, request.id = self.people.head, uuid.uuid4()
        with self.captureOnCommitCallbacks() as callbacks:
            BulkStartJob.enqueue(user=self.people.head, request=copy_safe_request(request),
                                 device_ids=[d.pk for d in devices], reason='end_of_life',
                                 head_id=self.people.head.pk, responsible_id=self.people.responsible.pk,
                                 executor_ids=[u.pk for u in self.people.executors])
        count, (job,) = count_queries(run_enqueued_jobs, callbacks)
        self.assertEqual(job.data['succeeded'], len(devices), job.data['results'])
        return count

    @plugin_settings(batch_chunk_size=40)
    def test_batch_start_as_a_job(self):
        """
        A job starts its devices as one bulk.start_decommissions, so a device costs what it costs there plus the
        saving of the job's data with its result.
        """
        self.start_as_job(self.devices[:1])
        ten, twenty = self.start_as_job(self.devices[1:11]), self.start_as_job(self.devices[11:31])
        self.assertEqual((twenty - ten) % 10, 0, f'10 devices: {ten} queries, 20: {twenty}')
        self.assertEqual((twenty - ten) // 10, budgets()['bulk_start_per_device'] + 1)
