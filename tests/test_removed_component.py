import datetime

import yaml
from django.test import TestCase, override_settings

from dcim.models import Manufacturer
from extras.models import Tag
from netbox.choices import CSVDelimiterChoices, ImportFormatChoices
from netbox_decommission.choices import (
    ComponentConditionChoices,
    ComponentKindChoices,
    ComponentSourceChoices,
    ComponentStatusChoices,
)
from netbox_decommission.filtersets import RemovedComponentFilterSet
from netbox_decommission.models import RemovedComponent, StorageLocation
from users.models import User
from utilities.testing import APIViewTestCases, ChangeLoggedFilterSetTestMixin, ViewTestCases, create_tags

from .mixins import PluginFilterSetTestMixin, PluginGraphQLMixin, PluginUrlMixin
from .utils import create_decommission, create_devices, create_sites

KIND = ComponentKindChoices
CONDITION = ComponentConditionChoices
STATUS = ComponentStatusChoices


class RemovedComponentViewTestCase(PluginUrlMixin, ViewTestCases.PrimaryObjectViewTestCase):
    model = RemovedComponent

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        devices = create_devices(2, site)
        cls.decommissions = [create_decommission(device) for device in devices]
        cls.storage_location = StorageLocation.objects.create(name='Shelf 3', kind='warehouse', site=site)
        manufacturer = Manufacturer.objects.create(name='Seagate', slug='seagate')
        verifier = User.objects.create_user(username='verifier')

        components = (
            RemovedComponent(decommission=cls.decommissions[0], kind=KIND.KIND_DISK, name='Disk 0', serial='ZA1'),
            RemovedComponent(decommission=cls.decommissions[0], kind=KIND.KIND_MEMORY, name='DIMM A1', serial='M1'),
            RemovedComponent(decommission=cls.decommissions[1], kind=KIND.KIND_CPU, name='CPU 0'),
        )
        RemovedComponent.objects.bulk_create(components)
        tags = create_tags('Alpha', 'Bravo', 'Charlie')

        cls.form_data = {
            'decommission': cls.decommissions[1].pk,
            'kind': KIND.KIND_SSD,
            'name': 'NVMe 1',
            'manufacturer': manufacturer.pk,
            'part_id': 'ST4000NM',
            'serial': 'ZC9X',
            'asset_tag': 'AT-100',
            'condition': CONDITION.CONDITION_OK,
            'condition_notes': 'SMART clean',
            'antistatic_packed': True,
            'package_label': 'BOX-17',
            'storage_location': cls.storage_location.pk,
            'status': STATUS.STATUS_STORED,
            'sanitization_method': 'purge',
            'sanitization_tool': 'nvme format -s1',
            'sanitization_verified_by': verifier.pk,
            'sanitized_on': datetime.date(2026, 2, 3),
            'description': 'Boot drive',
            'comments': 'Kept for reuse',
            'tags': [t.pk for t in tags],
        }
        number_1, number_2 = (d.number for d in cls.decommissions)
        cls.csv_data = (
            'decommission,kind,name,serial,source_kind,source_pk,source_name,condition,antistatic_packed,'
            'storage_location,status',
            f'{number_1},disk,Disk 1,ZA2,inventory_item,41,Disk bay 1,ok,true,Shelf 3,stored',
            f'{number_1},psu,PSU 1,,module,42,PSU bay 1,damaged,false,,removed',
            f'{number_2},nic,NIC 1,NX1,,,,,,,',
        )
        cls.csv_update_data = (
            'id,name,serial,package_label',
            f'{components[0].pk},Disk 0 (renamed),ZA1-1,BOX-1',
            f'{components[1].pk},DIMM A1 (renamed),M1-1,BOX-2',
            f'{components[2].pk},CPU 0 (renamed),C1,BOX-3',
        )
        cls.bulk_edit_data = {
            'condition': CONDITION.CONDITION_FAULTY,
            'status': STATUS.STATUS_PACKED,
            'antistatic_packed': True,
            'package_label': 'BOX-9',
            'storage_location': cls.storage_location.pk,
        }

    @override_settings(EXEMPT_VIEW_PERMISSIONS=['*'])
    def test_bulk_import_keeps_the_source(self):
        self.add_permissions('netbox_decommission.add_removedcomponent')
        data = '\n'.join(self.csv_data)
        response = self.client.post(self._get_url('bulk_import'), {
            'data': data, 'format': ImportFormatChoices.CSV, 'csv_delimiter': CSVDelimiterChoices.AUTO,
        })
        self.assertHttpStatus(response, 302)
        disk = RemovedComponent.objects.get(name='Disk 1')
        self.assertEqual(disk.source_kind, ComponentSourceChoices.SOURCE_INVENTORY_ITEM)
        self.assertEqual(disk.source_pk, 41)
        self.assertEqual(disk.source_name, 'Disk bay 1')
        self.assertTrue(disk.antistatic_packed)
        self.assertEqual(disk.storage_location, self.storage_location)
        nic = RemovedComponent.objects.get(name='NIC 1')
        self.assertEqual(nic.source_kind, ComponentSourceChoices.SOURCE_MANUAL)
        self.assertEqual(nic.condition, CONDITION.CONDITION_UNKNOWN)
        self.assertEqual(nic.status, STATUS.STATUS_REMOVED)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=['*'])
    def test_bulk_import_yaml(self):
        self.add_permissions('netbox_decommission.add_removedcomponent')
        data = yaml.safe_dump([
            {'decommission': self.decommissions[0].number, 'kind': 'gpu', 'name': 'GPU 0', 'serial': 'G-1'},
            {'decommission': self.decommissions[1].number, 'kind': 'fan', 'name': 'Fan 2', 'condition': 'faulty'},
        ])
        response = self.client.post(self._get_url('bulk_import'), {'data': data, 'format': ImportFormatChoices.YAML})
        self.assertHttpStatus(response, 302)
        self.assertEqual(RemovedComponent.objects.get(serial='G-1').decommission, self.decommissions[0])
        self.assertEqual(RemovedComponent.objects.get(name='Fan 2').condition, CONDITION.CONDITION_FAULTY)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=['*'])
    def test_source_is_not_in_the_form(self):
        self.add_permissions('netbox_decommission.add_removedcomponent')
        response = self.client.post(self._get_url('add'), {
            'decommission': self.decommissions[0].pk, 'kind': KIND.KIND_HBA, 'name': 'HBA 1',
            'condition': CONDITION.CONDITION_OK, 'status': STATUS.STATUS_REMOVED,
            'source_kind': ComponentSourceChoices.SOURCE_MODULE, 'source_pk': 5, 'source_name': 'Forged',
        })
        self.assertHttpStatus(response, 302)
        hba = RemovedComponent.objects.get(name='HBA 1')
        self.assertEqual(hba.source_kind, ComponentSourceChoices.SOURCE_MANUAL)
        self.assertIsNone(hba.source_pk)
        self.assertEqual(hba.source_name, '')

    def test_list_filtered_by_decommission(self):
        self.add_permissions('netbox_decommission.view_decommission', 'netbox_decommission.view_removedcomponent')
        response = self.client.get(
            f'{self._get_url("list")}?decommission_id={self.decommissions[0].pk}', HTTP_HX_REQUEST='true',
        )
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'Disk 0')
        self.assertContains(response, 'DIMM A1')
        self.assertNotContains(response, 'CPU 0')


class RemovedComponentAPITestCase(PluginUrlMixin, PluginGraphQLMixin, APIViewTestCases.APIViewTestCase):
    model = RemovedComponent
    # GraphQL resolves the non-null relation only for a user who may view it.
    user_permissions = ('netbox_decommission.view_decommission',)
    graphql_base_name = 'removed_component'
    brief_fields = ['description', 'display', 'id', 'kind', 'name', 'serial', 'url']
    bulk_update_data = {'condition': CONDITION.CONDITION_OK, 'antistatic_packed': True}
    bulk_update_invalid_data = {'kind': 'banana'}

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        devices = create_devices(2, site)
        decommissions = [create_decommission(device) for device in devices]
        storage_location = StorageLocation.objects.create(name='Shelf 3', kind='warehouse', site=site)
        manufacturer = Manufacturer.objects.create(name='Samsung', slug='samsung')
        RemovedComponent.objects.bulk_create((
            RemovedComponent(decommission=decommissions[0], kind=KIND.KIND_DISK, name='Disk 0', serial='D0',
                             manufacturer=manufacturer),
            RemovedComponent(decommission=decommissions[0], kind=KIND.KIND_MEMORY, name='DIMM 0', serial='M0',
                             condition=CONDITION.CONDITION_OK, storage_location=storage_location),
            RemovedComponent(decommission=decommissions[1], kind=KIND.KIND_CPU, name='CPU 0', part_id='X5670'),
        ))
        cls.create_data = [
            {
                'decommission': decommissions[1].pk, 'kind': KIND.KIND_SSD, 'name': 'SSD 1', 'serial': 'S1',
                'manufacturer': manufacturer.pk, 'storage_location': storage_location.pk,
                'antistatic_packed': True, 'status': STATUS.STATUS_STORED,
            },
            {
                'decommission': decommissions[1].pk, 'kind': KIND.KIND_DISK, 'name': 'Disk 1', 'serial': 'D1',
                'source_kind': ComponentSourceChoices.SOURCE_INVENTORY_ITEM, 'source_pk': 77,
                'source_name': 'Bay 1',
            },
            {
                'decommission': decommissions[0].pk, 'kind': KIND.KIND_DISK, 'name': 'Disk 2',
                'sanitization_method': 'destroy', 'sanitized_on': '2026-01-15',
            },
        ]

    def test_representation(self):
        self.add_permissions('netbox_decommission.view_removedcomponent')
        disk = RemovedComponent.objects.get(name='Disk 0')
        response = self.client.get(self._get_detail_url(disk), **self.header)
        self.assertHttpStatus(response, 200)
        self.assertEqual(response.data['decommission']['number'], disk.decommission.number)
        self.assertEqual(response.data['kind'], {'value': 'disk', 'label': 'Hard disk'})
        self.assertEqual(response.data['manufacturer']['name'], 'Samsung')
        self.assertEqual(response.data['source_kind']['value'], ComponentSourceChoices.SOURCE_MANUAL)
        self.assertEqual(response.data['condition']['value'], CONDITION.CONDITION_UNKNOWN)

    def test_a_serial_changed_to_one_in_custody_conflicts_as_in_the_form(self):
        # The rule of serials.refused_serial: on create and on a change of serial, in the form and the API alike.
        self.add_permissions('netbox_decommission.change_removedcomponent')
        cpu = RemovedComponent.objects.get(name='CPU 0')
        url = self._get_detail_url(cpu)
        response = self.client.patch(url, {'serial': 'd0'}, format='json', **self.header)
        self.assertHttpStatus(response, 409)
        self.assertIn('Disk 0', response.data['detail'])
        cpu.refresh_from_db()
        self.assertEqual(cpu.serial, '')
        response = self.client.patch(url, {'serial': 'd0', 'force': True}, format='json', **self.header)
        self.assertHttpStatus(response, 200)
        # An edit that leaves the serial as it is passes without "force".
        response = self.client.patch(url, {'description': 'Spare', 'serial': 'd0'}, format='json', **self.header)
        self.assertHttpStatus(response, 200)


class RemovedComponentFilterSetTestCase(PluginFilterSetTestMixin, TestCase, ChangeLoggedFilterSetTestMixin):
    queryset = RemovedComponent.objects.all()
    filterset = RemovedComponentFilterSet

    @classmethod
    def setUpTestData(cls):
        site_a, site_b = create_sites('Site A', 'Site B')
        cls.sites = (site_a, site_b)
        cls.devices = create_devices(2, site_a, prefix='alpha') + create_devices(1, site_b, prefix='bravo')
        cls.decommissions = [create_decommission(device) for device in cls.devices]
        cls.storage_locations = [
            StorageLocation.objects.create(name='Shelf A', kind='warehouse', site=site_a),
            StorageLocation.objects.create(name='Shelf B', kind='warehouse', site=site_b),
        ]
        cls.manufacturers = [
            Manufacturer.objects.create(name='Seagate', slug='seagate'),
            Manufacturer.objects.create(name='Intel', slug='intel'),
        ]
        cls.verifier = User.objects.create_user(username='verifier')
        RemovedComponent.objects.bulk_create((
            RemovedComponent(
                decommission=cls.decommissions[0], kind=KIND.KIND_DISK, name='Disk 0', serial='ZA100',
                manufacturer=cls.manufacturers[0], condition=CONDITION.CONDITION_OK, antistatic_packed=True,
                storage_location=cls.storage_locations[0], status=STATUS.STATUS_STORED, sanitization_method='purge',
                sanitization_verified_by=cls.verifier, source_kind=ComponentSourceChoices.SOURCE_INVENTORY_ITEM,
                source_pk=11, source_name='Bay 0', package_label='BOX-1', description='first',
            ),
            RemovedComponent(
                decommission=cls.decommissions[0], kind=KIND.KIND_CPU, name='CPU 0', part_id='E5-2620',
                manufacturer=cls.manufacturers[1], condition=CONDITION.CONDITION_DAMAGED,
                source_kind=ComponentSourceChoices.SOURCE_MODULE, source_pk=12, description='second',
            ),
            RemovedComponent(
                decommission=cls.decommissions[1], kind=KIND.KIND_SSD, name='SSD 0', serial='S3Z',
                condition=CONDITION.CONDITION_FAULTY, status=STATUS.STATUS_DESTROYED, sanitization_method='destroy',
                storage_location=cls.storage_locations[0], antistatic_packed=True,
            ),
            RemovedComponent(
                decommission=cls.decommissions[2], kind=KIND.KIND_MEMORY, name='DIMM 0', serial='M-77',
                storage_location=cls.storage_locations[1], asset_tag='AT-9',
            ),
        ))
        tag = Tag.objects.create(name='Fragile', slug='fragile')
        RemovedComponent.objects.get(name='SSD 0').tags.add(tag)

    def names(self, params):
        filterset = self.filterset(params, self.queryset)
        self.assertTrue(filterset.is_valid(), filterset.errors)
        return set(filterset.qs.values_list('name', flat=True))

    def test_q(self):
        self.assertEqual(self.names({'q': 'za1'}), {'Disk 0'})
        self.assertEqual(self.names({'q': 'e5-26'}), {'CPU 0'})
        self.assertEqual(self.names({'q': 'box-1'}), {'Disk 0'})

    def test_kind(self):
        self.assertEqual(self.names({'kind': [KIND.KIND_DISK, KIND.KIND_SSD]}), {'Disk 0', 'SSD 0'})
        self.assertFalse(self.filterset({'kind': ['banana']}, self.queryset).is_valid())

    def test_condition(self):
        self.assertEqual(self.names({'condition': [CONDITION.CONDITION_FAULTY, CONDITION.CONDITION_DAMAGED]}),
                         {'CPU 0', 'SSD 0'})

    def test_status(self):
        self.assertEqual(self.names({'status': [STATUS.STATUS_STORED]}), {'Disk 0'})

    def test_serial(self):
        self.assertEqual(self.names({'serial': ['ZA100', 'M-77']}), {'Disk 0', 'DIMM 0'})

    def test_asset_tag(self):
        self.assertEqual(self.names({'asset_tag': ['AT-9']}), {'DIMM 0'})

    def test_decommission(self):
        self.assertEqual(self.names({'decommission_id': [self.decommissions[0].pk]}), {'Disk 0', 'CPU 0'})
        self.assertEqual(self.names({'decommission': [self.decommissions[1].number]}), {'SSD 0'})

    def test_device(self):
        self.assertEqual(self.names({'device_id': [self.devices[2].pk]}), {'DIMM 0'})

    def test_site(self):
        self.assertEqual(self.names({'site_id': [self.sites[0].pk]}), {'Disk 0', 'CPU 0', 'SSD 0'})

    def test_storage_location(self):
        self.assertEqual(self.names({'storage_location_id': [self.storage_locations[0].pk]}), {'Disk 0', 'SSD 0'})

    def test_manufacturer(self):
        self.assertEqual(self.names({'manufacturer_id': [self.manufacturers[1].pk]}), {'CPU 0'})
        self.assertEqual(self.names({'manufacturer': ['seagate']}), {'Disk 0'})

    def test_antistatic_packed(self):
        self.assertEqual(self.names({'antistatic_packed': True}), {'Disk 0', 'SSD 0'})
        self.assertEqual(self.names({'antistatic_packed': False}), {'CPU 0', 'DIMM 0'})

    def test_source(self):
        self.assertEqual(self.names({'source_kind': [ComponentSourceChoices.SOURCE_MODULE]}), {'CPU 0'})
        self.assertEqual(self.names({'source_pk': [11]}), {'Disk 0'})

    def test_sanitization(self):
        self.assertEqual(self.names({'sanitization_method': ['purge', 'destroy']}), {'Disk 0', 'SSD 0'})
        self.assertEqual(self.names({'sanitization_verified_by': ['verifier']}), {'Disk 0'})

    def test_description(self):
        self.assertEqual(self.names({'description': ['first', 'second']}), {'Disk 0', 'CPU 0'})

    def test_tag(self):
        self.assertEqual(self.names({'tag': ['fragile']}), {'SSD 0'})
