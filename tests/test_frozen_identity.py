"""A decommission keeps the server's identity after the device itself is gone from NetBox."""
import json
from decimal import Decimal

from django.urls import reverse

from dcim.models import Device, Interface, Rack
from ipam.models import IPAddress
from netbox_decommission.models import Decommission, RemovedComponent
from users.constants import TOKEN_PREFIX
from users.models import Token
from utilities.testing import TestCase

from .utils import create_decommission, create_devices, create_sites, guard_off


# Deletes the device outside the workflow (the guard would refuse it): what the record keeps when that happens.
@guard_off()
class FrozenIdentityTestCase(TestCase):
    user_permissions = (
        'dcim.view_device',
        'netbox_decommission.view_decommission',
        'netbox_decommission.change_decommission',
        'netbox_decommission.view_removedcomponent',
    )

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.site = site
        cls.rack = Rack.objects.get(site=site)
        (device,) = create_devices(1, site, prefix='db', asset_tag='INV-0042', rack=cls.rack, position=12,
                                   face='front')
        interface = Interface.objects.create(device=device, name='eth0', type='1000base-t')
        ip4 = IPAddress.objects.create(address='192.0.2.10/24', assigned_object=interface)
        ip6 = IPAddress.objects.create(address='2001:db8::10/64', assigned_object=interface)
        device.primary_ip4 = ip4
        device.primary_ip6 = ip6
        device.save()
        cls.device = device
        cls.decommission = create_decommission(device)
        cls.components = [
            RemovedComponent.objects.create(decommission=cls.decommission, kind='disk', name=f'Disk {i}',
                                            serial=f'HDD-{i}')
            for i in range(2)
        ]

    def assertIdentityFrozen(self, decommission):
        self.assertEqual(decommission.device_pk, self.device.pk)
        self.assertEqual(decommission.device_name, 'db-01')
        self.assertEqual(decommission.device_serial, 'SN-db-01')
        self.assertEqual(decommission.device_asset_tag, 'INV-0042')
        self.assertEqual(decommission.device_type_name, self.device.device_type.full_name)
        self.assertEqual(decommission.site, self.site)
        self.assertEqual(decommission.rack, self.rack)
        self.assertEqual(decommission.rack_name, 'Site A Rack')
        self.assertEqual(decommission.position, Decimal('12.0'))
        self.assertEqual(decommission.primary_ip4, '192.0.2.10/24')
        self.assertEqual(decommission.primary_ip6, '2001:db8::10/64')

    def delete_device(self):
        Device.objects.get(pk=self.device.pk).delete()
        self.decommission.refresh_from_db()

    def api_header(self):
        token = Token.objects.create(user=self.user)
        return {'HTTP_AUTHORIZATION': f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}'}

    def test_identity_is_frozen_on_creation(self):
        self.assertIdentityFrozen(Decommission.objects.get(pk=self.decommission.pk))

    def test_later_changes_to_the_device_do_not_alter_the_record(self):
        Device.objects.filter(pk=self.device.pk).update(name='renamed', serial='OTHER', asset_tag=None)
        self.decommission.refresh_from_db()
        self.decommission.description = 'Edited after the device changed'
        self.decommission.full_clean()
        self.decommission.save()
        self.decommission.refresh_from_db()
        self.assertIdentityFrozen(self.decommission)

    def test_deleting_the_device_keeps_the_record_and_its_components(self):
        self.delete_device()
        self.assertIsNone(self.decommission.device)
        self.assertTrue(self.decommission.device_deleted)
        self.assertIdentityFrozen(self.decommission)
        self.assertEqual(
            set(self.decommission.components.values_list('serial', flat=True)), {'HDD-0', 'HDD-1'},
        )
        self.assertEqual(str(self.decommission), f'{self.decommission.number} (db-01)')

    def test_device_can_be_deleted_through_the_rest_api(self):
        self.add_permissions('dcim.delete_device')
        response = self.client.delete(
            reverse('dcim-api:device-detail', kwargs={'pk': self.device.pk}), **self.api_header(),
        )
        self.assertHttpStatus(response, 204)
        self.decommission.refresh_from_db()
        self.assertIsNone(self.decommission.device)
        self.assertIdentityFrozen(self.decommission)
        self.assertEqual(RemovedComponent.objects.filter(decommission=self.decommission).count(), 2)

    def test_detail_page_after_the_device_is_deleted(self):
        response = self.client.get(self.decommission.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertNotContains(response, 'removed from the NetBox inventory')

        self.delete_device()
        response = self.client.get(self.decommission.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'removed from the NetBox inventory')
        self.assertContains(response, f'Device #{self.device.pk}')
        for value in ('db-01', 'SN-db-01', 'INV-0042', 'Site A Rack', '192.0.2.10/24', '2001:db8::10/64'):
            self.assertContains(response, value)

    def test_rest_api_after_the_device_is_deleted(self):
        self.delete_device()
        url = reverse('plugins-api:netbox_decommission-api:decommission-detail', kwargs={'pk': self.decommission.pk})
        response = self.client.get(url, **self.api_header())
        self.assertHttpStatus(response, 200)
        data = response.json()
        self.assertIsNone(data['device'])
        self.assertEqual(data['device_pk'], self.device.pk)
        self.assertEqual(data['device_name'], 'db-01')
        self.assertEqual(data['device_serial'], 'SN-db-01')
        self.assertEqual(data['device_asset_tag'], 'INV-0042')
        self.assertEqual(data['rack_name'], 'Site A Rack')
        self.assertEqual(Decimal(str(data['position'])), Decimal('12'))
        self.assertEqual(data['primary_ip4'], '192.0.2.10/24')
        self.assertEqual(data['primary_ip6'], '2001:db8::10/64')
        self.assertEqual(data['site']['id'], self.site.pk)
        self.assertEqual(data['display'], f'{self.decommission.number} (db-01)')
        self.assertEqual(data['component_count'], 2)

        # The orphaned record can still be edited; its identity stays.
        response = self.client.patch(
            url, json.dumps({'description': 'Server gone'}), content_type='application/json', **self.api_header(),
        )
        self.assertHttpStatus(response, 200)
        self.decommission.refresh_from_db()
        self.assertEqual(self.decommission.description, 'Server gone')
        self.assertIdentityFrozen(self.decommission)
