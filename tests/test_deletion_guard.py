"""
The guard on deleting devices (guard_device_deletion): every way NetBox deletes a device refuses a guarded one, with
a message that says why and what to do, and answers that are never 5xx; the signed act still retires the device.
"""
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import TestCase
from django.urls import reverse

from dcim.models import Device, Site
from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import StorageLocation
from users.models import User

from .utils import (
    action_url,
    add_ready_components,
    advance,
    create_decommission,
    create_devices,
    create_signers,
    create_sites,
    create_workflow_decommission,
    dispose_media,
    grant,
    guard_off,
    plugin_settings,
    token_header,
)


class DeletionGuardTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        cls.guarded, cls.free, cls.other_free = create_devices(3, cls.site, prefix='srv')
        cls.decommission = create_decommission(cls.guarded, status=Status.STATUS_SCHEDULED)
        cls.admin = User.objects.create_superuser(username='admin')
        cls.api_header = token_header(cls.admin)

    def setUp(self):
        self.client.force_login(self.admin)

    # Each way NetBox deletes a device; each returns the response.

    def delete_in_ui(self, device):
        return self.client.post(reverse('dcim:device_delete', kwargs={'pk': device.pk}), {'confirm': True})

    def bulk_delete_in_ui(self, *devices):
        return self.client.post(reverse('dcim:device_bulk_delete'),
                                {'pk': [d.pk for d in devices], 'confirm': True, '_confirm': True})

    def delete_in_api(self, device):
        return self.client.delete(reverse('dcim-api:device-detail', kwargs={'pk': device.pk}), **self.api_header)

    def bulk_delete_in_api(self, *devices):
        return self.client.delete(reverse('dcim-api:device-list'), [{'id': d.pk} for d in devices],
                                  content_type='application/json', **self.api_header)

    def deletion_paths(self):
        return {'ui': self.delete_in_ui, 'ui bulk': self.bulk_delete_in_ui,
                'api': self.delete_in_api, 'api bulk': self.bulk_delete_in_api}

    def refusal_text(self, response):
        """The message a refused deletion shows: the UI's error message or the API's detail (and errors)."""
        self.assertLess(response.status_code, 500, response.content)
        if response.get('Content-Type', '').startswith('application/json'):
            self.assertEqual(response.status_code, 400, response.content)
            return response.content.decode()
        self.assertEqual(response.status_code, 302)
        return ' '.join(self.refusal_messages(response))

    def refusal_messages(self, response):
        if not hasattr(response, 'wsgi_request') or response.get('Content-Type', '').startswith('application/json'):
            return []
        return [str(m) for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]

    def assertRefused(self, device, *expected):
        for path, delete in self.deletion_paths().items():
            with self.subTest(path=path):
                text = self.refusal_text(delete(device))
                self.assertTrue(Device.objects.filter(pk=device.pk).exists())
                for part in expected:
                    self.assertIn(part, text)

    def assertDeletable(self, *devices):
        # Each path deletes the devices in a transaction of its own, rolled back for the next path.
        for path, delete in self.deletion_paths().items():
            with self.subTest(path=path), transaction.atomic():
                deleted = devices if 'bulk' in path else devices[:1]
                response = delete(*deleted)
                self.assertIn(response.status_code, (204, 302), response.content)
                self.assertEqual(self.refusal_messages(response), [])
                self.assertFalse(Device.objects.filter(pk__in=[d.pk for d in deleted]).exists())
                transaction.set_rollback(True)

    def test_open_refuses_a_device_with_an_open_decommission(self):
        self.assertRefused(self.guarded, 'srv-01', self.decommission.number, 'Scheduled', 'cancel')

    def test_open_lets_a_device_without_one_go(self):
        self.assertDeletable(self.free)

    def test_a_finished_decommission_does_not_guard_its_device(self):
        for status in (Status.STATUS_CANCELLED, Status.STATUS_CLOSED):
            with self.subTest(status=status):
                self.decommission.status = status
                self.decommission.save()
                self.assertDeletable(self.guarded)

    def test_a_mixed_bulk_deletion_deletes_nothing(self):
        for path, delete in (('ui bulk', self.bulk_delete_in_ui), ('api bulk', self.bulk_delete_in_api)):
            with self.subTest(path=path):
                text = self.refusal_text(delete(self.free, self.guarded, self.other_free))
                self.assertIn(self.decommission.number, text)
                self.assertEqual(Device.objects.filter(pk__in=[self.free.pk, self.guarded.pk,
                                                               self.other_free.pk]).count(), 3)

    def test_always_refuses_every_device_even_to_a_superuser(self):
        with plugin_settings(guard_device_deletion='always'):
            self.assertRefused(self.free, 'srv-02', 'signed act', 'guard_device_deletion')
            self.assertRefused(self.guarded, self.decommission.number, 'Scheduled')

    @guard_off()
    def test_off_lets_every_device_go(self):
        self.assertDeletable(self.guarded)
        self.assertDeletable(self.free, self.guarded)

    def test_no_deletion_cascades_to_a_device(self):
        # NetBox protects a device's site (and its type, role, tenant, location, rack): deleting them is refused.
        response = self.client.post(reverse('dcim:site_delete', kwargs={'pk': self.site.pk}), {'confirm': True})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Site.objects.filter(pk=self.site.pk).exists())
        self.assertTrue(Device.objects.filter(pk=self.guarded.pk).exists())

    def test_the_message_is_escaped_for_the_ui(self):
        Device.objects.filter(pk=self.guarded.pk).update(name='<b>srv</b>')
        text = self.refusal_text(self.delete_in_ui(self.guarded))
        self.assertIn('&lt;b&gt;srv&lt;/b&gt;', text)


class RetirementThroughTheGuardTestCase(TestCase):
    """The signed act retires (deletes) the device whatever the guard."""

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        (cls.device,) = create_devices(1, cls.site, prefix='srv')
        cls.people = create_signers()
        cls.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=cls.site)

    def retire(self, through_the_api=False):
        decommission = create_workflow_decommission(self.device, self.people)
        add_ready_components(decommission, self.zone)
        advance(decommission, Status.STATUS_IN_STORAGE, self.people, self.zone)
        dispose_media(decommission, self.people.head)
        for executor in self.people.executors:
            workflow.sign(decommission, executor, 'act', 'executor')
        workflow.sign(decommission, self.people.responsible, 'act', 'responsible')
        if through_the_api:
            # In a request the retirement deletes through the batched deletion (compat/deletion.py).
            grant([self.people.head], ['view', 'change', 'sign'])
            response = self.client.post(action_url(decommission, 'sign'), {'document': 'act', 'role': 'head'},
                                        content_type='application/json', **token_header(self.people.head))
            self.assertEqual(response.status_code, 200, response.content)
        else:
            workflow.sign(decommission, self.people.head, 'act', 'head')
        decommission.refresh_from_db()
        self.assertEqual(decommission.status, Status.STATUS_RETIRED)
        self.assertFalse(Device.objects.filter(pk=self.device.pk).exists())

    def test_under_open(self):
        self.retire()

    @plugin_settings(guard_device_deletion='always')
    def test_under_always(self):
        self.retire()

    @plugin_settings(guard_device_deletion='always')
    def test_signed_through_the_api_under_always(self):
        self.retire(through_the_api=True)
