"""
What happens to the hardware: the disassembly gate for storage media, the final disposition (reuse into NetBox,
transfer to a disposal vendor, destruction) and its rules, the closing gate, repeated serial numbers, and the API
filters of removed components.
"""
import datetime

from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from dcim.models import InventoryItem
from netbox_decommission import disposition, workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import CustodyEvent, RemovedComponent, StorageLocation
from netbox_decommission.workflow import WorkflowError
from utilities.testing import create_test_device

from .mixins import CustodyFixtureMixin
from .utils import add_ready_components, advance, create_workflow_decommission, token_header

COMPONENTS_API = 'plugins-api:netbox_decommission-api:removedcomponent'


def purged(**attrs):
    return {'sanitization_method': 'purge', 'sanitized_on': datetime.date(2026, 12, 6), **attrs}


class DisassemblyGateTestCase(CustodyFixtureMixin, TestCase):

    def ready(self, component, **attrs):
        for name, value in {'condition': 'ok', 'antistatic_packed': True, **attrs}.items():
            setattr(component, name, value)
        component.save()

    def test_media_must_be_sanitized_or_sealed_with_a_reason(self):
        advance(self.decommission, Status.STATUS_SHUT_DOWN, self.people, self.zone)
        self.ready(self.component)
        with self.assertRaises(WorkflowError) as refused:
            workflow.disassemble(self.decommission, self.people.executors[0])
        self.assertIn('neither sanitized nor sealed', refused.exception.message)
        self.assertIn('Disk 0', refused.exception.message)
        # A reason without a seal is not enough.
        self.ready(self.component, sanitization_deferred_reason='The vendor shreds it')
        with self.assertRaises(WorkflowError):
            workflow.disassemble(self.decommission, self.people.executors[0])
        self.ready(self.component, seal_number='SEAL-000123')
        workflow.disassemble(self.decommission, self.people.executors[0])
        self.decommission.refresh_from_db()
        self.assertEqual(self.decommission.status, Status.STATUS_DISASSEMBLED)

    def test_a_memory_module_is_not_media_unless_marked(self):
        self.component.delete()
        advance(self.decommission, Status.STATUS_SHUT_DOWN, self.people, self.zone)
        dimm = RemovedComponent.objects.create(decommission=self.decommission, kind='memory', name='DIMM A1',
                                               condition='ok', antistatic_packed=True, storage_location=self.zone)
        self.assertFalse(dimm.is_media)
        nic = RemovedComponent.objects.create(decommission=self.decommission, kind='nic', name='NIC with flash',
                                              condition='ok', antistatic_packed=True, storage_location=self.zone,
                                              is_media=True)
        with self.assertRaises(WorkflowError):
            workflow.disassemble(self.decommission, self.people.executors[0])
        nic.delete()
        workflow.disassemble(self.decommission, self.people.executors[0])


class DispositionTestCase(CustodyFixtureMixin, TestCase):

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.vendor = StorageLocation.objects.create(name='EcoRecycle', kind='vendor', site=cls.other_site)
        cls.spares = create_test_device('spares-cabinet', site=cls.site)

    def test_reuse_returns_the_part_into_netbox(self):
        RemovedComponent.objects.filter(pk=self.component.pk).update(**purged())
        component = disposition.reuse(self.component, self.people.head, device=self.spares, spare=True,
                                      reference='REUSE-1')
        item = InventoryItem.objects.get(device=self.spares)
        self.assertEqual((item.name, item.serial, item.status), ('Disk 0', 'ZC1A2B3C', 'offline'))
        self.assertIn(self.decommission.number, item.description)
        self.assertEqual((component.status, component.reused_as, component.disposition_reference),
                         ('reused', item, 'REUSE-1'))
        self.assertIsNotNone(component.disposition_date)

    def test_media_is_reused_only_after_clear_or_purge(self):
        with self.assertRaises(WorkflowError) as refused:
            disposition.reuse(self.component, self.people.head, device=self.spares)
        self.assertIn('cleared or purged', refused.exception.message)
        RemovedComponent.objects.filter(pk=self.component.pk).update(**purged(sanitization_method='destroy'))
        with self.assertRaises(WorkflowError):
            disposition.reuse(self.component, self.people.head)
        self.assertFalse(InventoryItem.objects.filter(device=self.spares).exists())

    def test_transfer_to_a_vendor_moves_it_with_a_custody_event(self):
        component = disposition.transfer_to_vendor(
            self.component, self.people.head, self.vendor, pickup_date=datetime.date(2026, 12, 10),
            certificate='ECO-CERT-77', reference='TRANSFER-9',
        )
        self.assertEqual((component.status, component.storage_location, component.vendor_certificate),
                         ('transferred', self.vendor, 'ECO-CERT-77'))
        event = CustodyEvent.objects.filter(component=component).last()
        self.assertEqual((event.to_location, event.transfer, event.user), (self.vendor, True, self.people.head))
        with self.assertRaises(WorkflowError) as refused:
            disposition.transfer_to_vendor(self.component, self.people.head, self.shelf)
        self.assertIn('already', refused.exception.message)

    def test_only_a_vendor_location_takes_a_transfer(self):
        with self.assertRaises(WorkflowError) as refused:
            disposition.transfer_to_vendor(self.component, self.people.head, self.shelf)
        self.assertEqual(refused.exception.field, 'vendor')

    def test_a_destroyed_component_never_moves_again(self):
        with self.assertRaises(WorkflowError) as refused:
            disposition.destroy(self.component, self.people.head)
        self.assertEqual(refused.exception.field, 'reference')
        disposition.destroy(self.component, self.people.head, reference='ACT-DESTR-5')
        component = RemovedComponent.objects.get(pk=self.component.pk)
        for action in (lambda: disposition.reuse(component, self.people.head),
                       lambda: disposition.transfer_to_vendor(component, self.people.head, self.vendor)):
            with self.assertRaises(WorkflowError) as refused:
                action()
            self.assertIn('destroyed', refused.exception.message)
        api, headers = APIClient(), token_header(self.people.head)
        url = reverse(f'{COMPONENTS_API}-detail', kwargs={'pk': component.pk})
        response = api.patch(url, {'storage_location': self.shelf.pk}, format='json', **headers)
        self.assertEqual(response.status_code, 400)
        self.assertIn('destroyed', response.json()['storage_location'][0])
        response = api.patch(url, {'status': 'reused'}, format='json', **headers)
        self.assertEqual(response.status_code, 400)
        self.assertIn('destroyed', response.json()['status'][0])

    def test_api_dispose(self):
        api, headers = APIClient(), token_header(self.people.head)
        url = reverse(f'{COMPONENTS_API}-dispose', kwargs={'pk': self.component.pk})
        response = api.post(url, {'disposition': 'destroyed'}, format='json', **headers)
        self.assertEqual(response.status_code, 400)
        self.assertIn('reference', response.json())
        response = api.post(url, {'disposition': 'reused', 'device': self.spares.pk}, format='json', **headers)
        self.assertEqual(response.status_code, 409)
        self.assertIn('cleared or purged', response.json()['detail'])
        response = api.post(url, {'disposition': 'transferred', 'vendor': self.vendor.pk,
                                  'vendor_certificate': 'ECO-1'}, format='json', **headers)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['status']['value'], 'transferred')

    def test_ui_dispose(self):
        self.client.force_login(self.people.head)
        url = reverse('plugins:netbox_decommission:removedcomponent_dispose', kwargs={'pk': self.component.pk})
        self.assertContains(self.client.get(url), 'Final disposition')
        response = self.client.post(url, {'disposition': 'destroyed'})
        self.assertContains(response, 'Give the reference')
        response = self.client.post(url, {'disposition': 'destroyed', 'reference': 'ACT-DESTR-6'})
        self.assertRedirects(response, self.component.get_absolute_url())
        self.component.refresh_from_db()
        self.assertEqual(self.component.status, 'destroyed')
        page = self.client.get(self.component.get_absolute_url()).content.decode()
        self.assertIn('ACT-DESTR-6', page)
        self.assertIn('Chain of custody', page)


class ClosingGateTestCase(CustodyFixtureMixin, TestCase):

    def test_media_without_disposition_block_the_closing(self):
        self.component.delete()
        disks = add_ready_components(self.decommission, self.zone)
        advance(self.decommission, Status.STATUS_RETIRED, self.people, self.zone)
        with self.assertRaises(WorkflowError) as refused:
            workflow.close(self.decommission, self.people.head)
        self.assertIn('no final disposition', refused.exception.message)
        for disk in disks:
            disposition.destroy(disk, self.people.head, reference='ACT-DESTR-7')
        workflow.close(self.decommission, self.people.head)
        self.decommission.refresh_from_db()
        self.assertEqual(self.decommission.status, Status.STATUS_CLOSED)


class DuplicateSerialTestCase(CustodyFixtureMixin, TestCase):

    def test_api_create_answers_409_naming_the_other_record(self):
        api, headers = APIClient(), token_header(self.people.head)
        body = {'decommission': self.decommission.pk, 'kind': 'disk', 'name': 'Disk 9', 'serial': 'zc1a2b3c'}
        response = api.post(reverse(f'{COMPONENTS_API}-list'), body, format='json', **headers)
        self.assertEqual(response.status_code, 409)
        detail = response.json()['detail']
        self.assertIn('Disk 0', detail)
        self.assertIn(f'ID {self.component.pk}', detail)
        self.assertIn(self.decommission.number, detail)
        response = api.post(reverse(f'{COMPONENTS_API}-list'), {**body, 'force': True}, format='json', **headers)
        self.assertEqual(response.status_code, 201, response.content)

    def test_a_part_out_of_custody_does_not_count(self):
        disposition.destroy(self.component, self.people.head, reference='ACT-DESTR-8')
        api, headers = APIClient(), token_header(self.people.head)
        body = {'decommission': self.decommission.pk, 'kind': 'disk', 'name': 'Disk 9', 'serial': 'ZC1A2B3C'}
        self.assertEqual(api.post(reverse(f'{COMPONENTS_API}-list'), body, format='json', **headers).status_code,
                         201)

    def test_ui_warns_and_records_when_confirmed(self):
        self.client.force_login(self.people.head)
        url = reverse('plugins:netbox_decommission:removedcomponent_add')
        data = {'decommission': self.decommission.pk, 'kind': 'disk', 'name': 'Disk 9', 'serial': 'ZC1A2B3C',
                'condition': 'unknown', 'status': 'removed', 'source_kind': 'manual'}
        response = self.client.post(url, data)
        self.assertContains(response, 'is already recorded for Disk 0')
        self.assertEqual(RemovedComponent.objects.filter(serial='ZC1A2B3C').count(), 1)
        response = self.client.post(url, {**data, 'force': 'on'})
        self.assertEqual(response.status_code, 302)
        second = RemovedComponent.objects.exclude(pk=self.component.pk).get(serial='ZC1A2B3C')
        # Both pages keep warning about the other.
        self.assertContains(self.client.get(second.get_absolute_url()), 'also recorded for another component')


    def test_csv_import_flags_and_forces(self):
        self.client.force_login(self.people.head)
        url = reverse('plugins:netbox_decommission:removedcomponent_bulk_import')
        csv = (f'decommission,kind,name,serial,seal_number,information_system{{force}}\n'
               f'{self.decommission.number},ssd,SSD 7,ZC1A2B3C,SEAL-77,Billing{{value}}')
        response = self.client.post(url, {'data': csv.format(force='', value=''), 'format': 'csv',
                                          'csv_delimiter': ','})
        self.assertContains(response, 'is already recorded for Disk 0')
        self.assertFalse(RemovedComponent.objects.filter(name='SSD 7').exists())
        response = self.client.post(url, {'data': csv.format(force=',force', value=',true'), 'format': 'csv',
                                          'csv_delimiter': ','})
        self.assertEqual(response.status_code, 302, response.content[-2000:])
        imported = RemovedComponent.objects.get(name='SSD 7')
        self.assertEqual((imported.seal_number, imported.information_system, imported.is_media),
                         ('SEAL-77', 'Billing', True))


class ComponentFilterTestCase(CustodyFixtureMixin, TestCase):

    def test_api_filters(self):
        other = create_workflow_decommission(create_test_device('srv-77', site=self.site), self.people)
        RemovedComponent.objects.create(decommission=other, kind='ssd', name='SSD 1', serial='S3Z8',
                                        storage_location=self.shelf,
                                        **purged(sanitization_verified_by=self.people.head))
        RemovedComponent.objects.create(decommission=other, kind='ssd', name='SSD 2', serial='S3Z9',
                                        sanitization_deferred_reason='Vendor', seal_number='SEAL-9')
        RemovedComponent.objects.create(decommission=other, kind='memory', name='DIMM', serial='M1', status='stored')
        api, headers = APIClient(), token_header(self.people.head)

        def names(**params):
            response = api.get(reverse(f'{COMPONENTS_API}-list'), params, **headers)
            return sorted(c['name'] for c in response.json()['results'])

        self.assertEqual(names(sanitization_state='pending'), ['Disk 0'])
        self.assertEqual(names(sanitization_state='verified'), ['SSD 1'])
        self.assertEqual(names(sanitization_state='deferred'), ['SSD 2'])
        self.assertEqual(names(sanitization_state=['not_media', 'deferred']), ['DIMM', 'SSD 2'])
        self.assertEqual(names(is_media='false'), ['DIMM'])
        self.assertEqual(names(storage_location_id=self.shelf.pk), ['SSD 1'])
        self.assertEqual(names(status='stored', kind='memory'), ['DIMM'])
        self.assertEqual(names(serial='S3Z9'), ['SSD 2'])
        self.assertEqual(names(serial__isw='S3Z'), ['SSD 1', 'SSD 2'])
        self.assertEqual(names(seal_number='SEAL-9'), ['SSD 2'])
        self.assertEqual(names(q='SEAL-9'), ['SSD 2'])
