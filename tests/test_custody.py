"""
The chain of custody: every move of a component or of the server between storage locations is recorded (from, to,
who, when, why) whatever made it — the model, the edit form, bulk edit, the REST API, the workflow; moves to another
site need an explicit transfer; the storage location page shows what it holds, its capacity use and what passed
through it.
"""
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from netbox_decommission import custody
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import CustodyEvent, RemovedComponent

from .mixins import CustodyFixtureMixin
from .utils import add_ready_components, advance, token_header


class CustodyRecordingTestCase(CustodyFixtureMixin, TestCase):

    def test_creation_and_each_move_are_recorded(self):
        custody.move(self.component, self.shelf, None, 'Packed and shelved')
        self.component.description = 'No move'
        self.component.save()
        self.assertEqual(self.events(), [
            (None, 'Removal zone', False, None, ''),
            ('Removal zone', 'Shelf S-03', False, None, 'Packed and shelved'),
        ])

    def test_the_edit_form_records_user_and_changelog_message(self):
        self.client.force_login(self.people.head)
        url = reverse('plugins:netbox_decommission:removedcomponent_edit', kwargs={'pk': self.component.pk})
        response = self.client.post(url, {
            'decommission': self.decommission.pk, 'kind': 'disk', 'name': 'Disk 0', 'serial': 'ZC1A2B3C',
            'condition': 'ok', 'status': 'stored', 'storage_location': self.shelf.pk, 'source_kind': 'manual',
            'changelog_message': 'Moved to the shelf',
        })
        self.assertEqual(response.status_code, 302, response.content[-3000:])
        self.assertEqual(self.events()[-1], ('Removal zone', 'Shelf S-03', False, 'head', 'Moved to the shelf'))

    def test_bulk_edit_records_every_component(self):
        second = RemovedComponent.objects.create(decommission=self.decommission, kind='memory', name='DIMM A1',
                                                 storage_location=self.zone)
        self.client.force_login(self.people.head)
        response = self.client.post(reverse('plugins:netbox_decommission:removedcomponent_bulk_edit'), {
            'pk': [self.component.pk, second.pk], '_apply': '', 'storage_location': self.shelf.pk,
            'changelog_message': 'Shelved together',
        })
        self.assertEqual(response.status_code, 302)
        for component in (self.component, second):
            self.assertEqual(self.events(component)[-1], ('Removal zone', 'Shelf S-03', False, 'head',
                                                          'Shelved together'))

    def test_the_server_moves_are_recorded_too(self):
        self.component.delete()
        add_ready_components(self.decommission, self.zone)
        advance(self.decommission, Status.STATUS_IN_STORAGE, self.people, self.zone)
        server_events = CustodyEvent.objects.filter(decommission=self.decommission, component__isnull=True)
        self.assertEqual(list(server_events.values_list('from_location', 'to_location__name', 'user__username')),
                         [(None, 'Removal zone', 'executor1')])

    def test_api_history_of_component_decommission_and_location(self):
        api, headers = APIClient(), token_header(self.people.head)
        response = api.patch(
            reverse('plugins-api:netbox_decommission-api:removedcomponent-detail', kwargs={'pk': self.component.pk}),
            {'storage_location': self.shelf.pk, 'changelog_message': 'API move'}, format='json', **headers)
        self.assertEqual(response.status_code, 200, response.content)
        for name, pk in (('removedcomponent-custody', self.component.pk),
                         ('decommission-custody', self.decommission.pk),
                         ('storagelocation-custody', self.shelf.pk)):
            data = api.get(reverse(f'plugins-api:netbox_decommission-api:{name}', kwargs={'pk': pk}), **headers).json()
            last = data[-1]
            self.assertEqual((last['from_location']['name'], last['to_location']['name']), ('Removal zone',
                                                                                          'Shelf S-03'), name)
            self.assertEqual((last['user']['username'], last['reason'], last['subject']['value']),
                             ('head', 'API move', 'component'))


class TransferTestCase(CustodyFixtureMixin, TestCase):

    def test_another_site_needs_an_explicit_transfer(self):
        self.client.force_login(self.people.head)
        url = reverse('plugins:netbox_decommission:removedcomponent_edit', kwargs={'pk': self.component.pk})
        data = {'decommission': self.decommission.pk, 'kind': 'disk', 'name': 'Disk 0', 'serial': 'ZC1A2B3C',
                'condition': 'ok', 'status': 'stored', 'storage_location': self.remote.pk, 'source_kind': 'manual'}
        response = self.client.post(url, data)
        self.assertContains(response, 'is a transfer')
        self.component.refresh_from_db()
        self.assertEqual(self.component.storage_location, self.zone)
        response = self.client.post(url, {**data, 'transfer': 'on'})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.events()[-1][:3], ('Removal zone', 'Central warehouse', True))

    def test_api_transfer(self):
        api, headers = APIClient(), token_header(self.people.head)
        url = reverse('plugins-api:netbox_decommission-api:removedcomponent-detail', kwargs={'pk': self.component.pk})
        response = api.patch(url, {'storage_location': self.remote.pk}, format='json', **headers)
        self.assertEqual(response.status_code, 400)
        self.assertIn('transfer', response.json()['storage_location'][0])
        response = api.patch(url, {'storage_location': self.remote.pk, 'transfer': True}, format='json', **headers)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(self.events()[-1][2])


class StorageLocationPageTestCase(CustodyFixtureMixin, TestCase):

    def test_holds_capacity_and_history(self):
        for i, label in enumerate(('BOX-1', 'BOX-1', 'BOX-2', '')):
            RemovedComponent.objects.create(decommission=self.decommission, kind='memory', name=f'DIMM {i}',
                                            package_label=label, storage_location=self.shelf)
        self.component.storage_location = self.shelf
        self.component.save()
        self.client.force_login(self.people.head)
        response = self.client.get(self.shelf.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        # Five components in four places (BOX-1, BOX-2, and two unlabelled parts) of a capacity of four.
        self.assertIn('4 / 4 (100%)', page)
        self.assertIn('Passed through', page)
        self.assertIn('Disk 0', page)
