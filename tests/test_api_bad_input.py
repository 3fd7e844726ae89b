"""
Regressions of the fuzzer's finds (test_api_fuzz): input that NetBox's generic API code passed on to PostgreSQL or to
an unsupported bulk update (server errors, in NetBox's own endpoints too) is refused with a 400 naming the field, and
the schema describes what the endpoints answer.
"""
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from netbox_decommission.models import RemovedComponent, StorageLocation
from users.models import User

from .utils import create_decommission, create_devices, create_sites, plugin_schema, token_header

API = 'plugins-api:netbox_decommission-api'


class BadInputTestCase(TestCase):
    client_class = APIClient

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        cls.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=cls.site)
        cls.decommission = create_decommission(create_devices(1, cls.site)[0])
        cls.component = RemovedComponent.objects.create(decommission=cls.decommission, kind='disk', name='Disk 0')
        cls.header = token_header(User.objects.create_superuser(username='admin'))

    def get(self, endpoint, query):
        return self.client.get(f'{reverse(f"{API}:{endpoint}-list")}?{query}', **self.header)

    def write(self, method, url, body):
        return getattr(self.client, method)(url, body, format='json', **self.header)

    def test_null_in_a_choice_filter_is_an_invalid_choice(self):
        for endpoint, query in (('storagelocation', 'kind__iew=null'), ('decommission', 'status__iew=null'),
                                ('removedcomponent', 'kind__iew=null'), ('removedcomponent', 'status__nie=null')):
            with self.subTest(query=query):
                response = self.get(endpoint, query)
                self.assertEqual(response.status_code, 400, response.content)
                field = query.split('=')[0]
                self.assertIn('null is not one of the available choices', response.json()[field][0])

    def test_null_in_a_text_filter_is_text(self):
        for endpoint, query in (('decommission', 'device_serial__nisw=null'),
                                ('removedcomponent', 'package_label__iregex=null'),
                                ('storagelocation', 'description__niew=null')):
            with self.subTest(query=query):
                response = self.get(endpoint, query)
                self.assertEqual(response.status_code, 200, response.content)

    def test_a_regular_expression_postgresql_refuses(self):
        for endpoint, query in (('decommission', 'organization__regex=%2A%2A'),
                                ('removedcomponent', 'serial__iregex=(')):
            with self.subTest(query=query):
                response = self.get(endpoint, query)
                self.assertEqual(response.status_code, 400, response.content)
                field = query.split('=')[0]
                self.assertIn('is not a regular expression PostgreSQL accepts', response.json()[field][0])
        self.assertEqual(self.get('decommission', 'device_name__regex=%5Esrv').status_code, 200)

    def test_dates_and_times_with_any_offset(self):
        # +22:15 is valid ISO 8601 but beyond what PostgreSQL takes; compared in UTC it is an ordinary moment.
        for endpoint, query, count in (
                ('decommission', 'created__gte=2000-03-15T09:41:51%2B22:15', 1),
                ('decommission', 'planned_end__gte=0280-12-18T23:50:07%2B22:45', 0),
                ('storagelocation', 'last_updated__lte=9000-01-01T00:00:00-23:59', 1)):
            with self.subTest(query=query):
                response = self.get(endpoint, query)
                self.assertEqual(response.status_code, 200, response.content)
                self.assertEqual(response.json()['count'], count)
        # Before year 1 once in UTC: not a moment at all.
        response = self.get('decommission', 'created=0001-01-01T00:00:00%2B01:00')
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(list(response.json()), ['created'])

    def test_null_characters_in_related_objects_tags_and_custom_fields(self):
        url = reverse(f'{API}:storagelocation-detail', kwargs={'pk': self.zone.pk})
        for field, value in (('site', {'name': 'Site\x00A'}), ('tags', [{'name': 'hot\x00'}]),
                             ('custom_fields', {'note\x00': 'x'}), ('rack', {'name': 'R\x00'})):
            with self.subTest(field=field):
                response = self.write('patch', url, {field: value})
                self.assertEqual(response.status_code, 400, response.content)
                self.assertEqual(response.json(), {field: ['Null characters are not allowed.']})
        response = self.write('post', reverse(f'{API}:decommission-list'),
                              {'device': {'name': '\x00'}, 'reason': 'end_of_life'})
        self.assertEqual(response.json(), {'device': ['Null characters are not allowed.']})

    def test_a_list_sent_to_one_objects_url(self):
        for name, obj in (('storagelocation', self.zone), ('decommission', self.decommission),
                          ('removedcomponent', self.component)):
            for method in ('put', 'patch'):
                with self.subTest(endpoint=name, method=method):
                    url = reverse(f'{API}:{name}-detail', kwargs={'pk': obj.pk})
                    response = self.write(method, url, [])
                    self.assertEqual(response.status_code, 400, response.content)
                    self.assertEqual(response.json(),
                                     {'__all__': ['Invalid data. Expected a dictionary, but got list.']})

    def test_a_decommission_keeps_its_device(self):
        url = reverse(f'{API}:decommission-detail', kwargs={'pk': self.decommission.pk})
        response = self.write('patch', url, {'device': None})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(list(response.json()), ['device'])
        self.decommission.refresh_from_db()
        self.assertIsNotNone(self.decommission.device_id)

    def test_a_workflow_move_answers_the_decommission_as_its_endpoint_does(self):
        url = reverse(f'{API}:decommission-cancel', kwargs={'pk': self.decommission.pk})
        moved = self.write('post', url, {'reason': 'The server stays'}).json()
        shown = self.client.get(reverse(f'{API}:decommission-detail', kwargs={'pk': self.decommission.pk}),
                                **self.header).json()
        self.assertEqual(moved['component_count'], 1)
        # The decommission as its endpoint shows it, and the move's warnings (docs/calendar.md: conflicting windows).
        self.assertEqual(set(moved), set(shown) | {'warnings'})
        self.assertEqual(moved['warnings'], [])


class SchemaTestCase(TestCase):

    def test_the_schema_says_what_the_endpoints_answer(self):
        schema = plugin_schema()
        prefix = '/api/plugins/decommission/'
        for move in ('sign', 'schedule', 'backup', 'shutdown', 'disassemble', 'store', 'close', 'cancel'):
            response = schema['paths'][f'{prefix}decommissions/{{id}}/{move}/']['post']['responses']['200']
            self.assertEqual(response['content']['application/json']['schema'],
                             {'$ref': '#/components/schemas/MoveResult'}, move)
        components = schema['components']['schemas']
        # A move answers the decommission, with the warnings it gave.
        self.assertLessEqual(set(components['Decommission']['properties']), set(components['MoveResult']['properties']))
        self.assertEqual(components['MoveResult']['properties']['warnings']['type'], 'array')
        for model, field in (('Decommission', 'device'), ('Decommission', 'site'), ('Decommission', 'rack'),
                             ('RemovedComponent', 'reused_as'), ('CustodyEvent', 'from_location'),
                             ('CustodyEvent', 'to_location'), ('CustodyEvent', 'user')):
            with self.subTest(model=model, field=field):
                self.assertTrue(components[model]['properties'][field].get('nullable'), field)
