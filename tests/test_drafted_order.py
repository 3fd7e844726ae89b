"""
A new decommission comes with its drafted order, whichever path creates it (Decommission.save() drafts it; no
signal receiver does): the UI form, the REST API, CSV import, a bulk start.
"""
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from netbox_decommission import bulk
from netbox_decommission.models import Decommission, Document
from users.models import User

from .utils import create_devices, create_sites, token_header


class DraftedOrderTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.devices = create_devices(5, site)
        cls.user = User.objects.create_superuser(username='starter')

    def assertOrderDrafted(self, device):
        decommission = Decommission.objects.get(device=device)
        self.assertEqual(list(Document.objects.filter(decommission=decommission).values_list('kind', 'signed_at')),
                         [('order', None)])

    def test_ui_form(self):
        self.client.force_login(self.user)
        response = self.client.post(reverse('plugins:netbox_decommission:decommission_add'), {
            'device': self.devices[0].pk, 'reason': 'end_of_life',
        })
        self.assertEqual(response.status_code, 302)
        self.assertOrderDrafted(self.devices[0])

    def test_rest_api(self):
        response = APIClient().post(
            reverse('plugins-api:netbox_decommission-api:decommission-list'),
            {'device': self.devices[1].pk, 'reason': 'end_of_life'}, format='json', **token_header(self.user),
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertOrderDrafted(self.devices[1])

    def test_csv_import(self):
        self.client.force_login(self.user)
        response = self.client.post(reverse('plugins:netbox_decommission:decommission_bulk_import'), {
            'data': f'device,reason\n{self.devices[2].name},end_of_life\n', 'format': 'csv', 'csv_delimiter': ',',
        })
        self.assertEqual(response.status_code, 302)
        self.assertOrderDrafted(self.devices[2])

    def test_bulk_start(self):
        (result,) = bulk.start_decommissions([self.devices[3]], self.user, reason='end_of_life')
        self.assertTrue(result.ok, result.message)
        self.assertOrderDrafted(self.devices[3])

    def test_an_edit_drafts_nothing_more(self):
        decommission = Decommission.objects.create(device=self.devices[4], reason='end_of_life')
        decommission.description = 'Edited'
        decommission.save()
        self.assertOrderDrafted(self.devices[4])
