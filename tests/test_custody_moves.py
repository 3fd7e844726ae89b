"""
Custody moves are explicit: custody.move() moves a component or the server with the user and the reason it is
given, saving once and recording once; every path that moves a component applies the one rule for other sites
(custody.refused_move) with the "transfer" flag it got; no module passes custody facts as private attributes.
"""
import csv
import io
import re
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.test import RequestFactory, TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import ObjectChange
from netbox.context_managers import event_tracking
from netbox_decommission import custody
from netbox_decommission.models import CustodyEvent, Decommission, RemovedComponent

from .mixins import CustodyFixtureMixin
from .utils import token_header

PACKAGE = Path(__file__).resolve().parent.parent / 'netbox_decommission'
COMPONENTS_API = 'plugins-api:netbox_decommission-api:removedcomponent'


def csv_import(row):
    """The form data of a CSV import of one row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator='\n')
    writer.writeheader()
    writer.writerow(row)
    return {'data': out.getvalue(), 'format': 'csv', 'csv_delimiter': ','}


class MoveServiceTestCase(CustodyFixtureMixin, TestCase):

    def as_request(self, user):
        """Run as NetBox runs a request of ``user``: change logging on, under one request id."""
        request = RequestFactory().post('/')
        request.user, request.id = user, uuid.uuid4()
        return request

    def changes(self, request, obj):
        return list(ObjectChange.objects.filter(request_id=request.id, changed_object_id=obj.pk).values_list(
            'action', 'postchange_data'))

    def test_a_move_saves_once_and_records_once_with_the_given_user_and_reason(self):
        executor = self.people.executors[0]
        request = self.as_request(self.people.head)
        events_before = CustodyEvent.objects.count()
        with event_tracking(request):
            self.component.snapshot()
            self.component.package_label = 'BOX-7'
            custody.move(self.component, self.shelf, executor, 'Packed and shelved')
        # The caller's own change and the move are one change of the record.
        ((action, data),) = self.changes(request, self.component)
        self.assertEqual((action, data['storage_location'], data['package_label']), ('update', self.shelf.pk, 'BOX-7'))
        self.assertEqual(CustodyEvent.objects.count(), events_before + 1)
        # The user and the reason given, not the request's user and change-log message.
        self.assertEqual(self.events()[-1], ('Removal zone', 'Shelf S-03', False, 'executor1', 'Packed and shelved'))

    def test_the_server_moves_the_same_way(self):
        request = self.as_request(self.people.head)
        with event_tracking(request):
            self.decommission.snapshot()
            self.decommission.description = 'On the shelf'
            custody.move(self.decommission, self.shelf, self.people.responsible, 'Moved for the audit')
        ((action, data),) = self.changes(request, self.decommission)
        self.assertEqual((action, data['storage_location'], data['description']),
                         ('update', self.shelf.pk, 'On the shelf'))
        server_events = CustodyEvent.objects.filter(decommission=self.decommission, component__isnull=True)
        self.assertEqual(list(server_events.values_list('to_location__name', 'user__username', 'reason')),
                         [('Shelf S-03', 'responsible', 'Moved for the audit')])

    def test_a_refused_move_changes_nothing(self):
        request = self.as_request(self.people.head)
        events_before = CustodyEvent.objects.count()
        with event_tracking(request):
            with self.assertRaises(ValidationError) as refused:
                custody.move(self.component, self.remote, self.people.head, 'To the central warehouse')
        self.assertIn('is a transfer', refused.exception.message_dict['storage_location'][0])
        self.assertEqual(self.changes(request, self.component), [])
        self.assertEqual(CustodyEvent.objects.count(), events_before)
        self.assertEqual(RemovedComponent.objects.get(pk=self.component.pk).storage_location, self.zone)

        custody.move(self.component, self.remote, self.people.head, 'To the central warehouse', transfer=True)
        self.assertEqual(self.events()[-1], ('Removal zone', 'Central warehouse', True, 'head',
                                             'To the central warehouse'))

    def test_a_destroyed_component_does_not_move_even_as_a_transfer(self):
        RemovedComponent.objects.filter(pk=self.component.pk).update(status='destroyed')
        component = RemovedComponent.objects.get(pk=self.component.pk)
        for to in (self.shelf, self.remote):
            with self.subTest(to=to.name), self.assertRaises(ValidationError) as refused:
                custody.move(component, to, self.people.head, 'Shelved', transfer=True)
            self.assertIn('destroyed', refused.exception.message_dict['storage_location'][0])
        self.assertEqual(len(self.events()), 1)


    def test_an_edit_of_the_servers_location_is_recorded_once(self):
        decommission = Decommission.objects.get(pk=self.decommission.pk)
        decommission.storage_location = self.shelf
        decommission.save()
        decommission.save()
        server_events = CustodyEvent.objects.filter(decommission=decommission, component__isnull=True)
        self.assertEqual(list(server_events.values_list('from_location', 'to_location__name')),
                         [(None, 'Shelf S-03')])

class TransferRuleTestCase(CustodyFixtureMixin, TestCase):
    """A move to another site, in each path that moves a component: refused without "transfer", allowed with it."""

    def setUp(self):
        super().setUp()
        self.client.force_login(self.people.head)

    def assertMovedAsTransfer(self, component=None):
        self.assertEqual(self.events(component)[-1][:3], ('Removal zone', 'Central warehouse', True))

    def assertNotMoved(self, *components):
        for component in components or (self.component,):
            self.assertEqual(RemovedComponent.objects.get(pk=component.pk).storage_location, self.zone)
            self.assertEqual(len(self.events(component)), 1)

    def test_edit_form(self):
        url = reverse('plugins:netbox_decommission:removedcomponent_edit', kwargs={'pk': self.component.pk})
        data = {'decommission': self.decommission.pk, 'kind': 'disk', 'name': 'Disk 0', 'serial': 'ZC1A2B3C',
                'condition': 'ok', 'status': 'stored', 'storage_location': self.remote.pk, 'source_kind': 'manual'}
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertIn('is a transfer', response.context['form'].errors['storage_location'][0])
        self.assertNotMoved()
        self.assertEqual(self.client.post(url, {**data, 'transfer': 'on'}).status_code, 302)
        self.assertMovedAsTransfer()

    def test_bulk_edit(self):
        second = RemovedComponent.objects.create(decommission=self.decommission, kind='memory', name='DIMM A1',
                                                 storage_location=self.zone)
        url = reverse('plugins:netbox_decommission:removedcomponent_bulk_edit')
        data = {'pk': [self.component.pk, second.pk], '_apply': '', 'storage_location': self.remote.pk}
        response = self.client.post(url, data)
        # The form again with NetBox's error, not a server error; the whole edit is rolled back.
        self.assertEqual(response.status_code, 200)
        errors = response.context['form'].non_field_errors()
        self.assertTrue(errors)
        self.assertTrue(all(e.startswith('Storage location "Central warehouse"') and 'is a transfer' in e
                            for e in errors), errors)
        self.assertContains(response, 'is a transfer')
        self.assertNotMoved(self.component, second)
        self.assertEqual(self.client.post(url, {**data, 'transfer': 'on'}).status_code, 302)
        for component in (self.component, second):
            self.assertMovedAsTransfer(component)

    def test_import_of_an_update(self):
        url = reverse('plugins:netbox_decommission:removedcomponent_bulk_import')
        row = {'id': self.component.pk, 'storage_location': self.remote.name}
        response = self.client.post(url, csv_import(row))
        self.assertEqual(response.status_code, 200)
        (error,) = response.context['form'].non_field_errors()
        self.assertTrue(error.startswith('Record 1 storage_location: '), error)
        self.assertIn('is a transfer', error)
        self.assertNotMoved()
        response = self.client.post(url, csv_import({**row, 'transfer': 'true'}))
        self.assertEqual(response.status_code, 302)
        self.assertMovedAsTransfer()

    def test_import_of_a_new_component(self):
        # A new part is at its decommission's site.
        url = reverse('plugins:netbox_decommission:removedcomponent_bulk_import')
        row = {'decommission': self.decommission.number, 'kind': 'memory', 'name': 'DIMM B2',
               'storage_location': self.remote.name}
        response = self.client.post(url, csv_import(row))
        (error,) = response.context['form'].non_field_errors()
        self.assertTrue(error.startswith('Record 1 storage_location: '), error)
        self.assertIn(f'the new component of decommission {self.decommission.number}', error)
        self.assertFalse(RemovedComponent.objects.filter(name='DIMM B2').exists())
        response = self.client.post(url, csv_import({**row, 'transfer': 'true'}))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(RemovedComponent.objects.get(name='DIMM B2').storage_location, self.remote)

    def test_rest_patch_and_post(self):
        api, headers = APIClient(), token_header(self.people.head)
        url = reverse(f'{COMPONENTS_API}-detail', kwargs={'pk': self.component.pk})
        response = api.patch(url, {'storage_location': self.remote.pk}, format='json', **headers)
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(list(response.json()), ['storage_location'])
        self.assertIn('is a transfer', response.json()['storage_location'][0])
        self.assertNotMoved()
        response = api.patch(url, {'storage_location': self.remote.pk, 'transfer': True}, format='json', **headers)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertMovedAsTransfer()

        new = {'decommission': self.decommission.pk, 'kind': 'memory', 'name': 'DIMM B2',
               'storage_location': self.remote.pk}
        response = api.post(reverse(f'{COMPONENTS_API}-list'), new, format='json', **headers)
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn('is a transfer', response.json()['storage_location'][0])
        response = api.post(reverse(f'{COMPONENTS_API}-list'), {**new, 'transfer': True}, format='json', **headers)
        self.assertEqual(response.status_code, 201, response.content)

    def test_the_same_site_needs_no_transfer(self):
        for to in (self.shelf, None):
            with self.subTest(to=to):
                self.assertIsNone(custody.refused_move(self.component, to))
        self.assertIsNone(custody.refused_move(self.decommission, self.remote))


def test_no_module_passes_custody_facts_as_private_attributes():
    """Who moved a part, why, and whether it is a transfer are arguments (custody.move, refused_move)."""
    private = re.compile(r'\b_(custody_user|custody_reason|transfer)\b')
    found = [
        f'{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}'
        for path in sorted(PACKAGE.rglob('*.py'))
        for number, line in enumerate(path.read_text(encoding='utf-8').splitlines(), start=1)
        if private.search(line)
    ]
    assert not found, 'Private custody attributes:\n  ' + '\n  '.join(found)

