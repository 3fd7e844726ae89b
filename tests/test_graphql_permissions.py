"""
GraphQL and object permissions: a single-object field asking for a record outside the user's constraint answers
null for that field alone, without an error, and the other fields of the same query keep their data.
"""
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from dcim.models import Site
from netbox_decommission.models import Decommission, RemovedComponent, StorageLocation
from users.models import User

from .utils import create_decommission, create_devices, create_sites, grant, token_header

SITE_A = {'site__name': 'Site A'}


class GraphQLConstraintTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        cls.sites = create_sites('Site A', 'Site B')
        cls.records, cls.locations, cls.components = {}, {}, {}
        for side, site in zip('AB', cls.sites, strict=True):
            device, = create_devices(1, site, prefix=f'gql-{side.lower()}')
            record = cls.records[side] = create_decommission(device)
            cls.locations[side] = StorageLocation.objects.create(name=f'Zone {side}', kind='removal_zone', site=site)
            cls.components[side] = RemovedComponent.objects.create(decommission=record, kind='disk',
                                                                   name=f'Disk {side}', serial=f'GQL-{side}')
        cls.user = User.objects.create_user(username='site-a-viewer')
        grant([cls.user], ['view'], constraints=SITE_A, name='decommissions at Site A')
        grant([cls.user], ['view'], model=StorageLocation, constraints=SITE_A, name='storage locations at Site A')
        grant([cls.user], ['view'], model=RemovedComponent, name='every removed component')
        grant([cls.user], ['view'], model=Site, name='sites')

    def query(self, text):
        response = APIClient().post(reverse('graphql'), {'query': text}, format='json', **token_header(self.user))
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def test_a_hidden_record_is_null_and_the_rest_of_the_query_survives(self):
        a, b = self.records['A'], self.records['B']
        answer = self.query(f'''{{
            visible: decommission(id: {a.pk}) {{ number }}
            hidden: decommission(id: {b.pk}) {{ number }}
            hidden_location: storage_location(id: {self.locations['B'].pk}) {{ name }}
            location: storage_location(id: {self.locations['A'].pk}) {{ name }}
            decommission_list {{ number }}
        }}''')
        self.assertNotIn('errors', answer)
        self.assertEqual(answer['data'], {
            'visible': {'number': a.number},
            'hidden': None,
            'hidden_location': None,
            'location': {'name': 'Zone A'},
            'decommission_list': [{'number': a.number}],
        })

    def test_a_record_that_does_not_exist_is_null(self):
        missing = Decommission.objects.order_by('-pk').first().pk + 1000
        answer = self.query(f'{{ decommission(id: {missing}) {{ number }} removed_component(id: 0) {{ name }} }}')
        self.assertEqual(answer, {'data': {'decommission': None, 'removed_component': None}})

    def test_a_hidden_relation_voids_only_the_object_holding_it(self):
        # The user may view every component, but only the decommissions at Site A: the component of Site B holds
        # a decommission the user may not see, a non-null relation, as in NetBox's own types.
        answer = self.query(f'''{{
            other: removed_component(id: {self.components['B'].pk}) {{ name decommission {{ number }} }}
            own: removed_component(id: {self.components['A'].pk}) {{ name decommission {{ number }} }}
        }}''')
        self.assertEqual(answer['data'], {
            'other': None,
            'own': {'name': 'Disk A', 'decommission': {'number': self.records['A'].number}},
        })
        self.assertEqual([error['path'] for error in answer['errors']], [['other', 'decommission']])
