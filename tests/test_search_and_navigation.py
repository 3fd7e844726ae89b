"""Global search, the navigation menu and the API root that pynetbox walks."""
from unittest import mock

from django.test import override_settings

from dcim.models import Device
from netbox_decommission.models import RemovedComponent
from users.constants import TOKEN_PREFIX
from users.models import Token
from utilities.testing import TestCase

from .utils import create_decommission, create_devices, create_sites, guard_off

PLUGIN_LISTS = {
    'decommissions': '/plugins/decommission/decommissions/',
    'removed-components': '/plugins/decommission/removed-components/',
    'storage-locations': '/plugins/decommission/storage-locations/',
    # Each user's own calendar feeds (no model permission: the menu shows it to those who may view decommissions).
    'calendar-feeds': '/plugins/decommission/calendar-feeds/',
    'handovers': '/plugins/decommission/handovers/',
}


class GlobalSearchTestCase(TestCase):
    user_permissions = ('netbox_decommission.view_decommission', 'netbox_decommission.view_removedcomponent')

    def setUp(self):
        super().setUp()
        # NetBox indexes objects after the transaction commits (or in an RQ worker, if one listens): run the
        # commit hooks here, inline. Everything is created inside the block, because NetBox adds objects saved in
        # the same transaction to the batch of the first one.
        with mock.patch('netbox.search.deferred.any_workers_for_queue', return_value=False), \
                self.captureOnCommitCallbacks(execute=True):
            (site,) = create_sites('Site A')
            (self.device,) = create_devices(1, site, prefix='findme')
            self.decommission = create_decommission(self.device, reason_text='Replaced by a blade')
            self.component = RemovedComponent.objects.create(
                decommission=self.decommission, kind='ssd', name='Boot SSD', serial='S3Z9NX0K123456',
            )

    def search(self, query):
        response = self.client.get('/search/', {'q': query})
        self.assertHttpStatus(response, 200)
        return response

    def test_finds_a_decommission_by_the_frozen_serial(self):
        response = self.search('SN-findme-01')
        self.assertContains(response, self.decommission.get_absolute_url())
        self.assertNotContains(response, self.component.get_absolute_url())

    def test_finds_a_decommission_by_its_number(self):
        self.assertContains(self.search(self.decommission.number), self.decommission.get_absolute_url())

    def test_finds_a_removed_component_by_its_serial(self):
        response = self.search('S3Z9NX0K')
        self.assertContains(response, self.component.get_absolute_url())
        self.assertContains(response, 'S3Z9NX0K123456')

    # Deletes the device outside the workflow (the guard would refuse it): the record stays findable.
    @guard_off()
    def test_finds_the_decommission_after_the_device_is_gone(self):
        with mock.patch('netbox.search.deferred.any_workers_for_queue', return_value=False), \
                self.captureOnCommitCallbacks(execute=True):
            Device.objects.get(pk=self.device.pk).delete()
        self.assertContains(self.search('SN-findme-01'), self.decommission.get_absolute_url())

    def test_results_respect_permissions(self):
        self.remove_permissions('netbox_decommission.view_decommission')
        self.assertNotContains(self.search('SN-findme-01'), self.decommission.get_absolute_url())


class NavigationTestCase(TestCase):

    def test_menu_lists_the_plugin_pages(self):
        self.add_permissions(
            'netbox_decommission.view_decommission', 'netbox_decommission.view_removedcomponent',
            'netbox_decommission.view_storagelocation', 'netbox_decommission.add_decommission',
            'netbox_decommission.view_handover',
        )
        response = self.client.get('/')
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'Decommissioning')
        for url in PLUGIN_LISTS.values():
            self.assertContains(response, f'href="{url}"')
        # Add and import buttons for what the user may add.
        self.assertContains(response, 'href="/plugins/decommission/decommissions/add/"')
        self.assertContains(response, 'href="/plugins/decommission/decommissions/import/"')
        self.assertNotContains(response, 'href="/plugins/decommission/storage-locations/add/"')

    def test_menu_entries_need_view_permission(self):
        self.add_permissions('netbox_decommission.view_storagelocation')
        response = self.client.get('/')
        self.assertHttpStatus(response, 200)
        self.assertContains(response, f'href="{PLUGIN_LISTS["storage-locations"]}"')
        self.assertNotContains(response, f'href="{PLUGIN_LISTS["decommissions"]}"')
        self.assertNotContains(response, f'href="{PLUGIN_LISTS["removed-components"]}"')

    def test_list_pages_answer(self):
        self.add_permissions(
            'netbox_decommission.view_decommission', 'netbox_decommission.view_removedcomponent',
            'netbox_decommission.view_storagelocation', 'netbox_decommission.view_handover',
        )
        for url in PLUGIN_LISTS.values():
            with self.subTest(url=url):
                self.assertHttpStatus(self.client.get(url), 200)


@override_settings(LOGIN_REQUIRED=True)
class APIRootTestCase(TestCase):
    """pynetbox reaches the endpoints as nb.plugins.decommission.<endpoint>: /api/plugins/decommission/<endpoint>/."""

    def setUp(self):
        super().setUp()
        token = Token.objects.create(user=self.user)
        self.header = {'HTTP_AUTHORIZATION': f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}'}

    def test_plugins_root_lists_the_plugin_under_its_base_url(self):
        response = self.client.get('/api/plugins/', **self.header)
        self.assertHttpStatus(response, 200)
        self.assertTrue(response.json()['decommission'].endswith('/api/plugins/decommission/'))

    def test_plugin_root_lists_the_three_endpoints(self):
        response = self.client.get('/api/plugins/decommission/', **self.header)
        self.assertHttpStatus(response, 200)
        data = response.json()
        self.assertEqual(set(data), set(PLUGIN_LISTS))
        for endpoint, url in data.items():
            self.assertTrue(url.endswith(f'/api/plugins/decommission/{endpoint}/'), url)

    def test_endpoints_answer(self):
        self.add_permissions(
            'netbox_decommission.view_decommission', 'netbox_decommission.view_removedcomponent',
            'netbox_decommission.view_storagelocation', 'netbox_decommission.view_handover',
        )
        for endpoint in PLUGIN_LISTS:
            with self.subTest(endpoint=endpoint):
                response = self.client.get(f'/api/plugins/decommission/{endpoint}/', **self.header)
                self.assertHttpStatus(response, 200)
                self.assertEqual(response.json()['count'], 0)
