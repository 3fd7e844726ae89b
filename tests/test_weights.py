"""
Weights in kilograms (netbox_decommission/weights.py): a device type's weight in lb, g or kg frozen on the record
through NetBox's own conversion when it is created, a module type's at harvest, and the override given on the record
or the part winning over either — in the model, the REST API, GraphQL, the filters, the forms and the detail pages.
"""
import json
from decimal import Decimal

from django.test import Client, TestCase
from django.urls import reverse

from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Module, ModuleBay, ModuleType
from netbox_decommission import harvest
from netbox_decommission.filtersets import DecommissionFilterSet, RemovedComponentFilterSet
from netbox_decommission.models import Decommission, RemovedComponent
from netbox_decommission.weights import component_weight, server_weight, weight_origin
from users.models import User
from utilities.conversion import to_grams

from .utils import create_decommission, create_sites, grant, token_header


class WeightFixtureMixin:

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site W')
        cls.dell = Manufacturer.objects.create(name='Dell', slug='dell')
        cls.role = DeviceRole.objects.create(name='Server', slug='server')
        cls.admin = User.objects.create_user(username='weights-admin', is_superuser=True)

    @classmethod
    def device(cls, name, weight=None, unit=''):
        device_type = DeviceType.objects.create(
            manufacturer=cls.dell, model=f'Type {name}', slug=f'type-{name}', weight=weight, weight_unit=unit,
        )
        return Device.objects.create(name=name, site=cls.site, device_type=device_type, role=cls.role)


class FrozenWeightTestCase(WeightFixtureMixin, TestCase):

    def test_device_type_weight_frozen_in_kilograms(self):
        # Worked out by hand: NetBox's whole grams, then kilograms.
        cases = (
            ('lb', Decimal('20'), Decimal('9.071')),       # 20 x 453.592 g = 9071.84 g
            ('lb', Decimal('1.5'), Decimal('0.680')),      # 680.388 g
            ('g', Decimal('2500'), Decimal('2.5')),
            ('kg', Decimal('12.5'), Decimal('12.5')),
            ('oz', Decimal('16'), Decimal('0.453')),       # 16 x 28.3495 g = 453.592 g
        )
        for index, (unit, weight, expected) in enumerate(cases):
            with self.subTest(unit=unit, weight=weight):
                decommission = create_decommission(self.device(f'srv-{index}', weight, unit))
                decommission.refresh_from_db()
                self.assertEqual(decommission.type_weight, expected)
                self.assertEqual(decommission.type_weight, Decimal(to_grams(weight, unit)) / 1000)
                self.assertEqual(server_weight(decommission), expected)
                self.assertEqual(weight_origin(decommission).source, 'type')

    def test_no_type_weight(self):
        decommission = create_decommission(self.device('srv-none'))
        self.assertIsNone(decommission.type_weight)
        self.assertIsNone(server_weight(decommission))
        self.assertEqual(weight_origin(decommission), (None, None, None))

    def test_the_frozen_weight_outlives_a_change_of_the_type(self):
        device = self.device('srv-frozen', Decimal('10'), 'kg')
        decommission = create_decommission(device)
        device.device_type.weight = Decimal('99')
        device.device_type.save()
        decommission.description = 'Edited'
        decommission.save()
        decommission.refresh_from_db()
        self.assertEqual(decommission.type_weight, Decimal('10'))

    def test_the_override_wins(self):
        decommission = create_decommission(self.device('srv-override', Decimal('20'), 'lb'))
        decommission.weight = Decimal('11.25')
        decommission.save()
        self.assertEqual(server_weight(decommission), Decimal('11.25'))
        self.assertEqual(weight_origin(decommission), (Decimal('11.25'), 'record', Decimal('9.071')))
        component = RemovedComponent.objects.create(decommission=decommission, kind='psu', name='PSU',
                                                    weight=Decimal('1.1'))
        self.assertEqual(component_weight(component), Decimal('1.1'))

    def test_module_type_weight_frozen_at_harvest(self):
        device = self.device('srv-modules', Decimal('15'), 'kg')
        decommission = create_decommission(device)
        psu_type = ModuleType.objects.create(manufacturer=self.dell, model='PSU 750W', weight=Decimal('3'),
                                             weight_unit='lb')
        nic_type = ModuleType.objects.create(manufacturer=self.dell, model='NIC', weight=Decimal('350'),
                                             weight_unit='g')
        bare_type = ModuleType.objects.create(manufacturer=self.dell, model='Blank')
        modules = [
            Module.objects.create(device=device, module_bay=ModuleBay.objects.create(device=device, name=f'Bay {i}'),
                                  module_type=module_type, serial=f'MOD-{i}')
            for i, module_type in enumerate((psu_type, nic_type, bare_type))
        ]
        components = harvest.harvest(decommission, self.admin, modules=[m.pk for m in modules])
        weights = {c.source_pk: RemovedComponent.objects.get(pk=c.pk).type_weight for c in components}
        # 3 lb = 1360.776 g -> 1360 g.
        self.assertEqual(weights, {modules[0].pk: Decimal('1.360'), modules[1].pk: Decimal('0.350'),
                                   modules[2].pk: None})
        psu = RemovedComponent.objects.get(source_pk=modules[0].pk, decommission=decommission)
        self.assertEqual(component_weight(psu), Decimal('1.360'))
        psu.weight = Decimal('1.5')
        psu.save()
        self.assertEqual(component_weight(psu), Decimal('1.5'))
        self.assertEqual(weight_origin(psu).source, 'record')


class WeightSurfacesTestCase(WeightFixtureMixin, TestCase):

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.typed = create_decommission(cls.device('srv-typed', Decimal('20'), 'lb'))
        cls.overridden = create_decommission(cls.device('srv-over', Decimal('20'), 'lb'))
        cls.overridden.weight = Decimal('30')
        cls.overridden.save()
        cls.unknown = create_decommission(cls.device('srv-unknown'))
        cls.part = RemovedComponent.objects.create(decommission=cls.typed, kind='disk', name='Disk',
                                                   weight=Decimal('0.7'))
        cls.bare_part = RemovedComponent.objects.create(decommission=cls.typed, kind='fan', name='Fan')
        cls.user = User.objects.create_user(username='weights-engineer')
        grant([cls.user], ['view', 'change'], model=Decommission)
        grant([cls.user], ['view', 'change'], model=RemovedComponent)

    def api(self, method, url, body=None):
        return getattr(Client(), method)(url, json.dumps(body) if body is not None else None,
                                         content_type='application/json', HTTP_ACCEPT='application/json',
                                         **token_header(self.user))

    def test_rest(self):
        url = reverse('plugins-api:netbox_decommission-api:decommission-detail', kwargs={'pk': self.typed.pk})
        data = self.api('get', url).json()
        self.assertEqual((data['type_weight'], data['weight'], data['effective_weight']), (9.071, None, 9.071))
        # type_weight is read-only; weight is the override.
        answer = self.api('patch', url, {'weight': '12.5', 'type_weight': '1'})
        self.assertEqual(answer.status_code, 200, answer.content)
        self.assertEqual((answer.json()['type_weight'], answer.json()['effective_weight']), (9.071, 12.5))
        self.typed.refresh_from_db()
        self.assertEqual((self.typed.type_weight, self.typed.weight), (Decimal('9.071'), Decimal('12.5')))
        refused = self.api('patch', url, {'weight': '-1'})
        self.assertEqual(refused.status_code, 400)
        self.assertIn('weight', refused.json())
        cleared = self.api('patch', url, {'weight': None}).json()
        self.assertEqual(cleared['effective_weight'], 9.071)

        part_url = reverse('plugins-api:netbox_decommission-api:removedcomponent-detail', kwargs={'pk': self.part.pk})
        part = self.api('get', part_url).json()
        self.assertEqual((part['type_weight'], part['weight'], part['effective_weight']), (None, 0.7, 0.7))
        bare = self.api('get', reverse('plugins-api:netbox_decommission-api:removedcomponent-detail',
                                       kwargs={'pk': self.bare_part.pk})).json()
        self.assertIsNone(bare['effective_weight'])

    def test_filters(self):
        def numbers(**params):
            return set(DecommissionFilterSet(params, Decommission.objects.all()).qs.values_list('number', flat=True))

        self.assertEqual(numbers(has_weight='true'), {self.typed.number, self.overridden.number})
        self.assertEqual(numbers(has_weight='false'), {self.unknown.number})
        self.assertEqual(numbers(weight__gte=['25']), {self.overridden.number})
        self.assertEqual(numbers(type_weight=['9.071']), {self.typed.number, self.overridden.number})
        parts = RemovedComponentFilterSet({'has_weight': 'false'}, RemovedComponent.objects.all()).qs
        self.assertEqual(list(parts), [self.bare_part])

    def test_graphql(self):
        query = '{ decommission_list { number type_weight weight effective_weight } }'
        client = Client()
        client.force_login(self.user)
        answer = client.post(reverse('graphql'), json.dumps({'query': query}), content_type='application/json')
        data = {row['number']: row for row in answer.json()['data']['decommission_list']}
        self.assertEqual(data[self.overridden.number]['effective_weight'], '30.000')
        self.assertEqual(data[self.typed.number]['effective_weight'], '9.071')
        self.assertIsNone(data[self.unknown.number]['effective_weight'])

    def test_detail_pages_say_where_the_weight_comes_from(self):
        client = Client()
        client.force_login(self.user)
        typed = client.get(self.typed.get_absolute_url()).content.decode()
        self.assertIn('9.071', typed)
        self.assertIn('from the device type', typed)
        overridden = client.get(self.overridden.get_absolute_url()).content.decode()
        self.assertIn('set on the record (its type: 9.071 kg)', overridden)
        part = client.get(self.part.get_absolute_url()).content.decode()
        self.assertIn('0.7', part)
        self.assertIn('set on the record', part)
        for record in (self.typed, self.part):
            edit = client.get(reverse(f'plugins:netbox_decommission:{record._meta.model_name}_edit',
                                      kwargs={'pk': record.pk}))
            self.assertContains(edit, 'name="weight"')

    def test_list_columns(self):
        client = Client()
        client.force_login(self.user)
        url = reverse('plugins:netbox_decommission:decommission_list')
        self.user.config.set('tables.DecommissionTable.columns', ['number', 'weight', 'type_weight',
                                                                  'effective_weight'], commit=True)
        page = client.get(url, {'export': 'table'})
        self.assertEqual(page.status_code, 200)
        text = page.content.decode()
        self.assertIn(f'{self.overridden.number},30.000,9.071,30.000', text)
        self.assertIn(f'{self.typed.number},,9.071,9.071', text)

    def test_bulk_edit_and_import(self):
        client = Client()
        client.force_login(self.user)
        grant([self.user], ['add'], model=Decommission)
        grant([self.user], ['view'], model=Device)
        url = reverse('plugins:netbox_decommission:decommission_bulk_edit')
        answer = client.post(url, {'pk': [self.typed.pk, self.unknown.pk], '_apply': 'true', 'weight': '42'})
        self.assertEqual(answer.status_code, 302, answer.content[:2000])
        self.assertEqual(set(Decommission.objects.filter(weight=42).values_list('pk', flat=True)),
                         {self.typed.pk, self.unknown.pk})
        answer = client.post(url, {'pk': [self.typed.pk], '_apply': 'true', '_nullify': ['weight']})
        self.typed.refresh_from_db()
        self.assertIsNone(self.typed.weight)

        device = self.device('srv-import', Decimal('5'), 'kg')
        csv_data = f'device,reason,weight\n{device.name},end_of_life,6.5'
        answer = client.post(reverse('plugins:netbox_decommission:decommission_bulk_import'),
                             {'data': csv_data, 'format': 'csv', 'csv_delimiter': ','})
        self.assertIn(answer.status_code, (200, 302))
        imported = Decommission.objects.get(device=device)
        self.assertEqual((imported.weight, imported.type_weight, server_weight(imported)),
                         (Decimal('6.5'), Decimal('5'), Decimal('6.5')))
