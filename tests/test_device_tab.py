"""The Decommission tab and button that the plugin adds to NetBox's device page."""
import html
import re

from django.urls import reverse

from netbox_decommission.choices import DecommissionStatusChoices
from utilities.testing import TestCase

from .utils import create_decommission, create_devices, create_sites

STATUS = DecommissionStatusChoices


class DeviceDecommissionTabTestCase(TestCase):
    user_permissions = (
        'dcim.view_device',
        'netbox_decommission.view_decommission',
        'netbox_decommission.add_decommission',
    )

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.device, cls.idle_device, cls.other_device = create_devices(3, site)
        cls.cancelled = create_decommission(cls.device, status=STATUS.STATUS_CANCELLED)
        cls.closed = create_decommission(cls.device, status=STATUS.STATUS_CLOSED)
        cls.open = create_decommission(cls.device, status=STATUS.STATUS_SHUT_DOWN)
        cls.others = create_decommission(cls.other_device)

    def tab_url(self, device):
        return reverse('dcim:device_decommissions', kwargs={'pk': device.pk})

    def add_url(self, device):
        return f'{reverse("plugins:netbox_decommission:decommission_add")}?device={device.pk}'

    def tab_link(self, content, device):
        """The tab's link in the device page's tab bar, or None: (label, badge)."""
        match = re.search(
            rf'<a href="{re.escape(self.tab_url(device))}" class="nav-link[^"]*">\s*(.*?)\s*</a>', content, re.S,
        )
        if match is None:
            return None
        badge = re.search(r'<span class="badge[^"]*">([^<]*)</span>', match.group(1))
        label = re.sub(r'<[^>]+>.*', '', match.group(1), flags=re.S).strip()
        return label, badge.group(1) if badge else None

    def test_tab_lists_the_devices_records(self):
        response = self.client.get(self.tab_url(self.device))
        self.assertHttpStatus(response, 200)
        for decommission in (self.cancelled, self.closed, self.open):
            self.assertContains(response, decommission.get_absolute_url())
            self.assertContains(response, decommission.number)
        self.assertNotContains(response, self.others.number)

    def test_tab_links_to_the_open_record_instead_of_starting_another(self):
        response = self.client.get(self.tab_url(self.device))
        self.assertNotContains(response, 'id="start-decommission"')
        self.assertContains(response, f'href="{self.open.get_absolute_url()}"')

    def test_tab_badge_counts_open_records(self):
        response = self.client.get(self.device.get_absolute_url())
        self.assertHttpStatus(response, 200)
        # Three records, one of them open.
        self.assertEqual(self.tab_link(response.content.decode(), self.device), ('Decommission', '1'))

        # Once it is finished nothing is open, and the badge goes away.
        self.open.status = STATUS.STATUS_CLOSED
        self.open.save()
        response = self.client.get(self.device.get_absolute_url())
        self.assertEqual(self.tab_link(response.content.decode(), self.device), ('Decommission', None))

    def test_tab_without_open_records_has_no_badge(self):
        response = self.client.get(self.idle_device.get_absolute_url())
        self.assertEqual(self.tab_link(response.content.decode(), self.idle_device), ('Decommission', None))

    def test_start_button_links_to_prefilled_add_form(self):
        response = self.client.get(self.tab_url(self.idle_device))
        self.assertHttpStatus(response, 200)
        match = re.search(r'<a href="([^"]+)"\s+class="[^"]*"\s+id="start-decommission">', response.content.decode())
        self.assertIsNotNone(match, 'no "Start decommission" button on the tab')
        href = html.unescape(match.group(1))
        self.assertTrue(href.startswith(self.add_url(self.idle_device) + '&'), href)
        self.assertContains(response, 'Start decommission')

        # The add form opens with the device chosen.
        response = self.client.get(href)
        self.assertHttpStatus(response, 200)
        self.assertRegex(
            response.content.decode(),
            rf'<select name="device"[^>]*>\s*<option value=""\s*>[^<]*</option>\s*'
            rf'<option value="{self.idle_device.pk}"\s*selected\s*>{self.idle_device.name}</option>',
        )

    def test_start_button_needs_add_permission(self):
        self.remove_permissions('netbox_decommission.add_decommission')
        response = self.client.get(self.tab_url(self.idle_device))
        self.assertHttpStatus(response, 200)
        self.assertNotContains(response, 'id="start-decommission"')

    def test_device_page_button(self):
        # No decommission in progress: a button that starts one.
        response = self.client.get(self.idle_device.get_absolute_url())
        return_url = self.idle_device.get_absolute_url()
        self.assertContains(response, f'href="{self.add_url(self.idle_device)}&return_url={return_url}"')
        # One in progress: a button that leads to it, labelled with its number.
        response = self.client.get(self.device.get_absolute_url())
        self.assertRegex(
            response.content.decode(),
            rf'<a href="{re.escape(self.open.get_absolute_url())}" class="btn btn-warning"[^>]*>\s*'
            rf'<i class="[^"]*"></i>\s*{re.escape(self.open.number)}\s*</a>',
        )
        self.assertNotContains(response, f'href="{self.add_url(self.device)}')

    def test_without_view_permission_there_is_no_tab_or_button(self):
        self.remove_permissions('netbox_decommission.view_decommission')
        response = self.client.get(self.device.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertIsNone(self.tab_link(response.content.decode(), self.device))
        self.assertNotContains(response, self.open.number)
        self.assertNotContains(response, self.add_url(self.device))

    def test_without_view_permission_the_tab_shows_no_records(self):
        # As with NetBox's own tabs, ViewTab.permission hides the tab; the view behind it needs only view_device,
        # and it lists just the records the user may view: none.
        self.remove_permissions('netbox_decommission.view_decommission')
        response = self.client.get(self.tab_url(self.device))
        self.assertHttpStatus(response, 200)
        for decommission in (self.cancelled, self.closed, self.open):
            self.assertNotContains(response, decommission.number)
            self.assertNotContains(response, decommission.get_absolute_url())

    def test_tab_needs_view_device_permission(self):
        self.remove_permissions('dcim.view_device')
        response = self.client.get(self.tab_url(self.device))
        self.assertHttpStatus(response, 403)
