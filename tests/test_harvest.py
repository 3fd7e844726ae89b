"""
Harvesting removed components from the device's inventory items and modules: what is copied, the kind guessed
from the names, what is refused (changing nothing), and the UI page and the REST endpoint that call the service.
"""
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import ObjectType
from dcim.models import InventoryItem, InventoryItemRole, Manufacturer, Module, ModuleBay, ModuleType, ModuleTypeProfile
from extras.models import CustomField
from netbox_decommission import harvest
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, RemovedComponent
from netbox_decommission.workflow import WorkflowError
from users.models import User
from utilities.exceptions import PermissionsViolation

from .utils import create_cabled_server, create_decommission, create_sites, grant, token_header

# What harvesting may change: the components of the record, and nothing of the device's inventory.
SOURCE_FIELDS = ('pk', 'device_id', 'name', 'manufacturer_id', 'part_id', 'serial', 'asset_tag', 'description')


def harvest_url(decommission):
    return reverse('plugins:netbox_decommission:decommission_harvest', kwargs={'pk': decommission.pk})


def api_url(decommission):
    return reverse('plugins-api:netbox_decommission-api:decommission-harvest', kwargs={'pk': decommission.pk})


def inventory_state(device):
    return {
        'inventory_items': list(InventoryItem.objects.filter(device=device).values(*SOURCE_FIELDS).order_by('pk')),
        'modules': list(
            Module.objects.filter(device=device).values('pk', 'module_bay_id', 'module_type_id', 'serial', 'asset_tag',
                                                        'status', 'description').order_by('pk')
        ),
    }


class InferKindTestCase(SimpleTestCase):

    def test_kind_from_names(self):
        table = (
            ('Disk 0', 'disk'), ('disk_1', 'disk'), ('HDD 3', 'disk'), ('Hard drive', 'disk'), ('Drive bay 2', 'disk'),
            ('SSD 1', 'ssd'), ('NVMe0', 'ssd'), ('SSD disk 2', 'ssd'), ('Solid state drive', 'ssd'),
            ('DIMM A1', 'memory'), ('RDIMM B2', 'memory'), ('Memory', 'memory'), ('RAM 4', 'memory'),
            ('DDR4 module', 'memory'),
            ('CPU 1', 'cpu'), ('cpu2', 'cpu'), ('Processor', 'cpu'), ('Xeon Gold 6338', 'cpu'),
            ('PSU 2', 'psu'), ('Power supply', 'psu'), ('Power Supply 1', 'psu'),
            ('NIC', 'nic'), ('eth0', 'nic'), ('Network adapter', 'nic'), ('Ethernet card', 'nic'),
            ('ConnectX-6', 'nic'),
            ('HBA', 'hba'), ('RAID', 'hba'), ('RAID controller', 'hba'), ('SAS controller', 'hba'),
            ('Disk controller', 'hba'),
            ('GPU', 'gpu'), ('GPU 0', 'gpu'), ('Graphics processor', 'gpu'),
            ('Fan', 'fan'), ('FAN 3', 'fan'), ('Fans', 'fan'),
            ('Диск 0', 'disk'), ('Жёсткий диск', 'disk'), ('Накопитель 2', 'disk'), ('SSD-накопитель', 'ssd'),
            ('Твердотельный накопитель', 'ssd'), ('Память', 'memory'), ('Модуль памяти', 'memory'),
            ('ОЗУ', 'memory'), ('Процессор', 'cpu'), ('Процессор 2', 'cpu'), ('Блок питания', 'psu'),
            ('Блок питания 2', 'psu'), ('Сетевая карта', 'nic'), ('Сетевой адаптер', 'nic'),
            ('RAID-контроллер', 'hba'), ('Дисковый контроллер', 'hba'), ('Видеокарта', 'gpu'),
            ('Графический процессор', 'gpu'), ('Вентилятор', 'fan'), ('Вентилятор 4', 'fan'),
            ('Front bezel', 'other'), ('Fantastic widget', 'other'), ('Framework', 'other'), ('', 'other'),
        )
        for name, kind in table:
            with self.subTest(name=name):
                self.assertEqual(harvest.infer_kind(name), kind)

    def test_role_first_then_name_then_part_id(self):
        self.assertEqual(harvest.infer_kind('Bay 3', role_name='Hard disk'), 'disk')
        self.assertEqual(harvest.infer_kind('Slot 1', role_name='Память'), 'memory')
        # The role is the deliberate classification: it wins over a name that suggests another kind.
        self.assertEqual(harvest.infer_kind('Disk 0', role_name='SSD'), 'ssd')
        self.assertEqual(harvest.infer_kind('Slot 2', role_name='Accessory'), 'other')
        self.assertEqual(harvest.infer_kind('Socket 1', part_id='Xeon-6338'), 'cpu')
        self.assertEqual(harvest.infer_kind('Slot 1', part_id='ST4000NM'), 'other')


class HarvestFixtureMixin:
    """
    srv-01 (three inventory items from create_cabled_server, the disk given a manufacturer, asset tag and role)
    with two modules, a power supply and a network card; srv-02 has inventory of its own. A user with the
    permissions harvesting needs.
    """

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        server = create_cabled_server(site, 'srv-01', octet=10)
        cls.device = server.device
        cls.disk, cls.dimm, cls.cpu = server.inventory_items
        cls.seagate = Manufacturer.objects.create(name='Seagate', slug='seagate')
        cls.disk.manufacturer = cls.seagate
        cls.disk.asset_tag = 'AT-DISK-0'
        cls.disk.description = 'Front bay 0'
        cls.disk.role = InventoryItemRole.objects.create(name='Hard disk', slug='hard-disk')
        cls.disk.save()

        supermicro = Manufacturer.objects.create(name='Supermicro', slug='supermicro')
        nvidia = Manufacturer.objects.create(name='NVIDIA', slug='nvidia')
        psu_type = ModuleType.objects.create(manufacturer=supermicro, model='PWS-1K62A-1R', part_number='PWS-1K62A')
        nic_type = ModuleType.objects.create(manufacturer=nvidia, model='ConnectX-6 Dx')
        cls.psu = Module.objects.create(
            device=cls.device, module_bay=ModuleBay.objects.create(device=cls.device, name='PSU 1'),
            module_type=psu_type, serial='PSU-SN-1', asset_tag='AT-PSU-1', description='Left power supply',
        )
        cls.nic = Module.objects.create(
            device=cls.device, module_bay=ModuleBay.objects.create(device=cls.device, name='Slot 3'),
            module_type=nic_type, serial='NIC-SN-3',
        )

        cls.other = create_cabled_server(site, 'srv-02', octet=11)
        cls.other_module = Module.objects.create(
            device=cls.other.device, module_bay=ModuleBay.objects.create(device=cls.other.device, name='PSU 1'),
            module_type=psu_type, serial='PSU-SN-OTHER',
        )
        cls.decommission = create_decommission(cls.device)

        cls.user = User.objects.create_user(username='engineer')
        grant([cls.user], ['view', 'change'])
        grant([cls.user], ['view', 'add'], model=RemovedComponent)
        grant([cls.user], ['view'], model=InventoryItem)
        grant([cls.user], ['view'], model=Module)

    def components(self):
        return RemovedComponent.objects.filter(decommission=self.decommission)

    def assertNothingChanged(self, before_components, before_inventory):
        self.assertEqual(list(self.components().values().order_by('pk')), before_components)
        self.assertEqual(inventory_state(self.device), before_inventory)

    def state(self):
        return list(self.components().values().order_by('pk')), inventory_state(self.device)


class HarvestServiceTestCase(HarvestFixtureMixin, TestCase):

    def test_inventory_item_fields_copied_exactly(self):
        (component,) = harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk])
        component = RemovedComponent.objects.get(pk=component.pk)
        self.assertEqual(component.decommission, self.decommission)
        self.assertEqual(component.name, 'Disk 0')
        self.assertEqual(component.kind, 'disk')
        self.assertEqual(component.manufacturer, self.seagate)
        self.assertEqual(component.part_id, 'ST4000NM')
        self.assertEqual(component.serial, 'HDD-srv-01')
        self.assertEqual(component.asset_tag, 'AT-DISK-0')
        self.assertEqual(component.description, 'Front bay 0')
        self.assertEqual((component.source_kind, component.source_pk, component.source_name),
                         ('inventory_item', self.disk.pk, 'Disk 0'))
        self.assertEqual((component.status, component.condition), ('removed', 'unknown'))
        self.assertIsNone(component.storage_location)
        # A disk is a storage medium by nature.
        self.assertTrue(component.is_media)

    def test_every_source_recorded_once(self):
        components = harvest.harvest(self.decommission, self.user,
                                     inventory_items=[self.disk.pk, self.dimm.pk, self.cpu.pk],
                                     modules=[self.psu.pk, self.nic.pk])
        self.assertEqual(len(components), 5)
        recorded = {(c.source_kind, c.source_pk): (c.name, c.kind, c.serial) for c in self.components()}
        self.assertEqual(recorded, {
            ('inventory_item', self.disk.pk): ('Disk 0', 'disk', 'HDD-srv-01'),
            ('inventory_item', self.dimm.pk): ('DIMM A1', 'memory', 'MEM-srv-01'),
            ('inventory_item', self.cpu.pk): ('CPU 1', 'cpu', 'CPU-srv-01'),
            ('module', self.psu.pk): ('PSU 1: PWS-1K62A-1R', 'psu', 'PSU-SN-1'),
            ('module', self.nic.pk): ('Slot 3: ConnectX-6 Dx', 'nic', 'NIC-SN-3'),
        })

    def test_module_fields_from_module_type_and_module(self):
        psu, nic = harvest.harvest(self.decommission, self.user, modules=[self.nic.pk, self.psu.pk])
        psu = RemovedComponent.objects.get(pk=psu.pk)
        self.assertEqual(psu.manufacturer.name, 'Supermicro')
        self.assertEqual(psu.part_id, 'PWS-1K62A')
        self.assertEqual((psu.serial, psu.asset_tag, psu.description), ('PSU-SN-1', 'AT-PSU-1', 'Left power supply'))
        self.assertEqual((psu.source_kind, psu.source_pk, psu.source_name), ('module', self.psu.pk,
                                                                             'PSU 1: PWS-1K62A-1R'))
        # Without a part number the model is the part ID; without an asset tag, none.
        nic = RemovedComponent.objects.get(pk=nic.pk)
        self.assertEqual((nic.manufacturer.name, nic.part_id, nic.asset_tag), ('NVIDIA', 'ConnectX-6 Dx', ''))

    def test_module_kind_from_the_type_profile(self):
        profile = ModuleTypeProfile.objects.get_or_create(name='Hard disk')[0]
        disk_type = ModuleType.objects.create(manufacturer=self.seagate, model='Exos X18', profile=profile)
        module = Module.objects.create(device=self.device, module_bay=ModuleBay.objects.create(
            device=self.device, name='Bay 7'), module_type=disk_type, serial='X18-1')
        (component,) = harvest.harvest(self.decommission, self.user, modules=[module.pk])
        self.assertEqual(component.kind, 'disk')

    def test_inventory_untouched(self):
        before = inventory_state(self.device)
        harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk, self.dimm.pk, self.cpu.pk],
                        modules=[self.psu.pk, self.nic.pk])
        self.assertEqual(inventory_state(self.device), before)
        self.assertEqual(len(before['inventory_items']), 3)
        self.assertEqual(len(before['modules']), 2)

    def test_harvestable_leaves_out_what_is_recorded(self):
        everything = harvest.harvestable(self.decommission, self.user)
        self.assertEqual([(h.source_kind, h.pk) for h in everything], [
            ('inventory_item', self.disk.pk), ('inventory_item', self.dimm.pk), ('inventory_item', self.cpu.pk),
            ('module', self.psu.pk), ('module', self.nic.pk),
        ])
        disk = everything[0]
        self.assertEqual((disk.name, disk.kind, disk.manufacturer, disk.part_id, disk.serial, disk.asset_tag),
                         ('Disk 0', 'disk', self.seagate, 'ST4000NM', 'HDD-srv-01', 'AT-DISK-0'))
        harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk], modules=[self.nic.pk])
        self.assertEqual([(h.source_kind, h.pk) for h in harvest.harvestable(self.decommission)], [
            ('inventory_item', self.dimm.pk), ('inventory_item', self.cpu.pk), ('module', self.psu.pk),
        ])

    def test_harvestable_queries_do_not_grow_with_the_inventory(self):
        # Recorded sources, inventory items, modules, serials already recorded.
        with self.assertNumQueries(4):
            harvest.harvestable(self.decommission)
        for i in range(5):
            InventoryItem.objects.create(device=self.device, name=f'SSD {i}', serial=f'SSD-{i}',
                                         manufacturer=self.seagate)
        with self.assertNumQueries(4):
            self.assertEqual(len(harvest.harvestable(self.decommission)), 10)

    def test_second_harvest_refused(self):
        harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk])
        before = self.state()
        with self.assertRaises(WorkflowError) as refused:
            harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk, self.cpu.pk])
        self.assertIsNone(refused.exception.field)
        self.assertIn('Disk 0', refused.exception.message)
        self.assertNotIn('CPU 1', refused.exception.message)
        self.assertNothingChanged(*before)

    def test_another_devices_sources_refused(self):
        before = self.state()
        foreign = self.other.inventory_items[0]
        with self.assertRaises(WorkflowError) as refused:
            harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk, foreign.pk])
        self.assertEqual(refused.exception.field, 'inventory_items')
        self.assertIn(str(foreign.pk), refused.exception.message)
        self.assertIn('srv-01', refused.exception.message)
        with self.assertRaises(WorkflowError) as refused:
            harvest.harvest(self.decommission, self.user, modules=[self.other_module.pk])
        self.assertEqual(refused.exception.field, 'modules')
        self.assertIn(str(self.other_module.pk), refused.exception.message)
        with self.assertRaises(WorkflowError) as refused:
            harvest.harvest(self.decommission, self.user, inventory_items=[999999])
        self.assertEqual(refused.exception.field, 'inventory_items')
        self.assertNothingChanged(*before)

    def test_finished_records_refused(self):
        before = self.state()
        for status in (Status.STATUS_CLOSED, Status.STATUS_CANCELLED, Status.STATUS_RETIRED):
            Decommission.objects.filter(pk=self.decommission.pk).update(status=status)
            with self.subTest(status=status), self.assertRaises(WorkflowError) as refused:
                harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk])
            self.assertIsNone(refused.exception.field)
            self.assertIn(self.decommission.number, refused.exception.message)
            self.assertFalse(harvest.accepts_components(Decommission.objects.get(pk=self.decommission.pk)))
        self.assertNothingChanged(*before)

    def test_record_without_device_refused(self):
        Decommission.objects.filter(pk=self.decommission.pk).update(device=None)
        decommission = Decommission.objects.get(pk=self.decommission.pk)
        self.assertEqual(harvest.harvestable(decommission), [])
        self.assertFalse(harvest.accepts_components(decommission))
        with self.assertRaises(WorkflowError) as refused:
            harvest.harvest(decommission, self.user, inventory_items=[self.disk.pk])
        self.assertIsNone(refused.exception.field)
        self.assertFalse(self.components().exists())

    def test_empty_selection_refused(self):
        with self.assertRaises(WorkflowError) as refused:
            harvest.harvest(self.decommission, self.user)
        self.assertEqual(refused.exception.field, 'inventory_items')

    def test_serial_recorded_elsewhere_needs_force(self):
        by_hand = RemovedComponent.objects.create(decommission=self.decommission, kind='disk', name='Disk typed in',
                                                  serial='hdd-SRV-01')
        (disk,) = [h for h in harvest.harvestable(self.decommission) if h.pk == self.disk.pk
                   and h.source_kind == 'inventory_item']
        self.assertEqual(disk.duplicates, (by_hand,))
        before = self.state()
        with self.assertRaises(WorkflowError) as refused:
            harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk, self.cpu.pk])
        self.assertIn('HDD-srv-01', refused.exception.message)
        self.assertIsNone(refused.exception.field)
        self.assertNothingChanged(*before)
        components = harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk], force=True)
        self.assertEqual(components[0].serial, 'HDD-srv-01')

    def test_model_validation_applies(self):
        field = CustomField.objects.create(name='asset_owner', type='text', required=True)
        field.object_types.set([ObjectType.objects.get_for_model(RemovedComponent)])
        with self.assertRaises(WorkflowError) as refused:
            harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk])
        self.assertEqual(refused.exception.field, 'inventory_items')
        self.assertIn('asset_owner', refused.exception.message)
        self.assertFalse(self.components().exists())
        # With a default, the component takes it as the add form would.
        field.default = 'IT'
        field.save()
        (component,) = harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk])
        self.assertEqual(RemovedComponent.objects.get(pk=component.pk).custom_field_data, {'asset_owner': 'IT'})

    def test_object_permission_to_add_applies(self):
        constrained = User.objects.create_user(username='disk-clerk')
        grant([constrained], ['view', 'change'])
        grant([constrained], ['add'], model=RemovedComponent, constraints={'kind': 'disk'})
        grant([constrained], ['view'], model=InventoryItem)
        with self.assertRaises(PermissionsViolation):
            harvest.harvest(self.decommission, constrained, inventory_items=[self.disk.pk, self.cpu.pk])
        self.assertFalse(self.components().exists())
        self.assertEqual(len(harvest.harvest(self.decommission, constrained, inventory_items=[self.disk.pk])), 1)

    def test_only_sources_the_user_may_view(self):
        blind = User.objects.create_user(username='blind')
        grant([blind], ['view', 'change'])
        grant([blind], ['add'], model=RemovedComponent)
        grant([blind], ['view'], model=InventoryItem, constraints={'name': 'CPU 1'})
        self.assertEqual([h.pk for h in harvest.harvestable(self.decommission, blind)], [self.cpu.pk])
        with self.assertRaises(WorkflowError) as refused:
            harvest.harvest(self.decommission, blind, inventory_items=[self.disk.pk])
        self.assertEqual(refused.exception.field, 'inventory_items')


class HarvestViewTestCase(HarvestFixtureMixin, TestCase):

    def setUp(self):
        self.client.force_login(self.user)

    def test_page_lists_what_can_be_harvested(self):
        harvest.harvest(self.decommission, self.user, inventory_items=[self.cpu.pk])
        response = self.client.get(harvest_url(self.decommission))
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        for text in ('Disk 0', 'HDD-srv-01', 'ST4000NM', 'AT-DISK-0', 'Seagate', 'DIMM A1', 'MEM-srv-01',
                     'PSU 1: PWS-1K62A-1R', 'PSU-SN-1', 'Slot 3: ConnectX-6 Dx', 'Harvest selected'):
            self.assertIn(text, content)
        self.assertIn(f'value="inventory_item:{self.disk.pk}"', content)
        self.assertIn(f'value="module:{self.psu.pk}"', content)
        # Already recorded: not offered again.
        self.assertNotIn(f'value="inventory_item:{self.cpu.pk}"', content)
        self.assertNotIn('CPU-srv-01', content)

    def test_post_records_and_redirects(self):
        before = inventory_state(self.device)
        response = self.client.post(harvest_url(self.decommission), {
            'pk': [f'inventory_item:{self.disk.pk}', f'inventory_item:{self.dimm.pk}', f'module:{self.psu.pk}'],
        }, follow=True)
        self.assertRedirects(response, self.decommission.get_absolute_url())
        self.assertEqual(
            sorted(self.components().values_list('source_kind', 'source_pk')),
            sorted([('inventory_item', self.disk.pk), ('inventory_item', self.dimm.pk), ('module', self.psu.pk)]),
        )
        self.assertIn('Recorded 3 components', response.content.decode())
        self.assertEqual(inventory_state(self.device), before)

    def test_refusal_is_shown_and_nothing_recorded(self):
        harvest.harvest(self.decommission, self.user, inventory_items=[self.disk.pk])
        before = self.state()
        response = self.client.post(harvest_url(self.decommission), {
            'pk': [f'inventory_item:{self.disk.pk}', f'inventory_item:{self.cpu.pk}'],
        })
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="workflow-error"', response.content.decode())
        self.assertIn('Already recorded', response.content.decode())
        self.assertNothingChanged(*before)

        response = self.client.post(harvest_url(self.decommission), {
            'pk': [f'inventory_item:{self.other.inventory_items[0].pk}'],
        })
        self.assertEqual(response.status_code, 200)
        self.assertIn(str(self.other.inventory_items[0].pk), response.content.decode())
        self.assertNothingChanged(*before)

    def test_needs_change_and_add_permissions(self):
        for name, grants in (
            ('viewer', [(Decommission, ['view']), (RemovedComponent, ['view', 'add'])]),
            ('no-add', [(Decommission, ['view', 'change']), (RemovedComponent, ['view'])]),
        ):
            user = User.objects.create_user(username=name)
            for model, actions in grants:
                grant([user], actions, model=model, name=f'{name} {model._meta.model_name}')
            self.client.force_login(user)
            with self.subTest(user=name):
                self.assertEqual(self.client.get(harvest_url(self.decommission)).status_code, 403)
                response = self.client.post(harvest_url(self.decommission), {'pk': [f'inventory_item:{self.disk.pk}']})
                self.assertEqual(response.status_code, 403)
        self.assertFalse(self.components().exists())

    def test_button_on_the_decommission_page(self):
        response = self.client.get(self.decommission.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn(harvest_url(self.decommission), response.content.decode())
        self.assertIn('Harvest from inventory', response.content.decode())

        Decommission.objects.filter(pk=self.decommission.pk).update(status=Status.STATUS_CANCELLED)
        response = self.client.get(self.decommission.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(harvest_url(self.decommission), response.content.decode())

        # Without the permission to add components, no button.
        Decommission.objects.filter(pk=self.decommission.pk).update(status=Status.STATUS_DRAFT)
        viewer = User.objects.create_user(username='viewer')
        grant([viewer], ['view', 'change'], name='viewer decommission')
        grant([viewer], ['view'], model=RemovedComponent, name='viewer components')
        self.client.force_login(viewer)
        response = self.client.get(self.decommission.get_absolute_url())
        self.assertNotIn(harvest_url(self.decommission), response.content.decode())


class HarvestAPITestCase(HarvestFixtureMixin, TestCase):
    client_class = APIClient

    def setUp(self):
        self.header = token_header(self.user)

    def get(self, header=None):
        return self.client.get(api_url(self.decommission), **(header or self.header))

    def post(self, body, header=None):
        return self.client.post(api_url(self.decommission), body, format='json', **(header or self.header))

    def test_get_lists_what_can_be_harvested(self):
        response = self.get()
        self.assertEqual(response.status_code, 200, response.content)
        rows = response.json()
        self.assertEqual([(r['source_kind']['value'], r['id']) for r in rows], [
            ('inventory_item', self.disk.pk), ('inventory_item', self.dimm.pk), ('inventory_item', self.cpu.pk),
            ('module', self.psu.pk), ('module', self.nic.pk),
        ])
        disk = rows[0]
        self.assertEqual(disk['name'], 'Disk 0')
        self.assertEqual(disk['kind']['value'], 'disk')
        self.assertEqual(disk['manufacturer']['id'], self.seagate.pk)
        self.assertEqual((disk['part_id'], disk['serial'], disk['asset_tag']), ('ST4000NM', 'HDD-srv-01', 'AT-DISK-0'))
        self.assertEqual(disk['duplicates'], [])
        psu = rows[3]
        self.assertEqual((psu['kind']['value'], psu['part_id'], psu['serial']), ('psu', 'PWS-1K62A', 'PSU-SN-1'))

    def test_post_records_and_answers_the_components(self):
        before = inventory_state(self.device)
        response = self.post({'inventory_items': [self.disk.pk], 'modules': [self.psu.pk]})
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(sorted((c['source_kind']['value'], c['source_pk']) for c in data),
                         sorted([('inventory_item', self.disk.pk), ('module', self.psu.pk)]))
        disk = next(c for c in data if c['source_kind']['value'] == 'inventory_item')
        self.assertEqual(disk['decommission']['id'], self.decommission.pk)
        self.assertEqual((disk['name'], disk['kind']['value'], disk['serial'], disk['asset_tag'], disk['part_id']),
                         ('Disk 0', 'disk', 'HDD-srv-01', 'AT-DISK-0', 'ST4000NM'))
        self.assertEqual(disk['manufacturer']['id'], self.seagate.pk)
        self.assertEqual((disk['status']['value'], disk['condition']['value']), ('removed', 'unknown'))
        self.assertEqual(self.components().count(), 2)
        self.assertEqual(inventory_state(self.device), before)
        # What is recorded is no longer offered.
        self.assertEqual([r['id'] for r in self.get().json()], [self.dimm.pk, self.cpu.pk, self.nic.pk])

    def test_second_harvest_conflicts(self):
        self.assertEqual(self.post({'inventory_items': [self.disk.pk]}).status_code, 201)
        before = self.state()
        response = self.post({'inventory_items': [self.disk.pk, self.dimm.pk]})
        self.assertEqual(response.status_code, 409, response.content)
        self.assertIn('Disk 0', response.json()['detail'])
        self.assertNothingChanged(*before)

    def test_another_devices_item_is_a_bad_request(self):
        foreign = self.other.inventory_items[0]
        response = self.post({'inventory_items': [self.disk.pk, foreign.pk]})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn(str(foreign.pk), response.json()['inventory_items'][0])
        response = self.post({'modules': [self.other_module.pk]})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn('modules', response.json())
        self.assertEqual(self.post({'inventory_items': ['disk']}).status_code, 400)
        self.assertEqual(self.post({}).status_code, 400)
        self.assertFalse(self.components().exists())

    def test_finished_records_conflict(self):
        for status in (Status.STATUS_CLOSED, Status.STATUS_CANCELLED):
            Decommission.objects.filter(pk=self.decommission.pk).update(status=status)
            with self.subTest(status=status):
                response = self.post({'inventory_items': [self.disk.pk]})
                self.assertEqual(response.status_code, 409, response.content)
                self.assertIn(self.decommission.number, response.json()['detail'])
        self.assertFalse(self.components().exists())

    def test_duplicate_serial_conflicts_unless_forced(self):
        RemovedComponent.objects.create(decommission=self.decommission, kind='disk', name='Typed', serial='HDD-srv-01')
        self.assertEqual(len(self.get().json()[0]['duplicates']), 1)
        response = self.post({'inventory_items': [self.disk.pk]})
        self.assertEqual(response.status_code, 409, response.content)
        self.assertEqual(self.post({'inventory_items': [self.disk.pk], 'force': True}).status_code, 201)

    def test_permissions(self):
        no_add = User.objects.create_user(username='no-add')
        grant([no_add], ['view', 'change'], name='no-add decommission')
        grant([no_add], ['view'], model=RemovedComponent, name='no-add components')
        header = token_header(no_add)
        for response in (self.get(header), self.post({'inventory_items': [self.disk.pk]}, header)):
            self.assertEqual(response.status_code, 403, response.content)
            self.assertIn('"add" permission on removed components', response.json()['detail'])

        viewer = User.objects.create_user(username='viewer')
        grant([viewer], ['view'], name='viewer decommission')
        grant([viewer], ['view', 'add'], model=RemovedComponent, name='viewer components')
        response = self.post({'inventory_items': [self.disk.pk]}, token_header(viewer))
        self.assertEqual(response.status_code, 403, response.content)
        self.assertIn('"change" permission on decommissions', response.json()['detail'])

        # Change permission on other records only: this one is not found.
        elsewhere = User.objects.create_user(username='elsewhere')
        grant([elsewhere], ['view', 'change'], constraints={'pk': 0}, name='elsewhere decommission')
        grant([elsewhere], ['add'], model=RemovedComponent, name='elsewhere components')
        self.assertEqual(self.post({'inventory_items': [self.disk.pk]}, token_header(elsewhere)).status_code, 404)

        # A read-only token cannot harvest.
        read_only = token_header(self.user, write_enabled=False)
        self.assertEqual(self.get(read_only).status_code, 200)
        self.assertEqual(self.post({'inventory_items': [self.disk.pk]}, read_only).status_code, 403)
        self.assertFalse(self.components().exists())

    def test_object_permission_to_add_applies(self):
        constrained = User.objects.create_user(username='disk-clerk')
        grant([constrained], ['view', 'change'], name='clerk decommission')
        grant([constrained], ['add'], model=RemovedComponent, constraints={'kind': 'disk'}, name='clerk components')
        grant([constrained], ['view'], model=InventoryItem, name='clerk inventory')
        response = self.post({'inventory_items': [self.disk.pk, self.cpu.pk]}, token_header(constrained))
        self.assertEqual(response.status_code, 403, response.content)
        self.assertFalse(self.components().exists())
