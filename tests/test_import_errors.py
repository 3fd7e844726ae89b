"""
Imports with a broken row, in CSV, JSON and YAML through NetBox's bulk import views, and as a list through the REST
API: the answer names the row (or the list index) and the field and says what is wrong, and nothing is imported,
not even the good rows before the broken one.
"""
import csv
import io
import json

import yaml
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import ObjectChange
from netbox_decommission.models import Decommission, NumberSequence, RemovedComponent, StorageLocation
from users.models import User

from .utils import create_decommission, create_devices, create_sites, token_header

BROKEN_ROW = 3


def rows_as(data_format, rows):
    """The rows as the text a user pastes into the import form."""
    if data_format == 'csv':
        out = io.StringIO()
        fields = list(dict.fromkeys(name for row in rows for name in row))
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator='\n')
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    if data_format == 'json':
        return json.dumps(rows)
    return yaml.safe_dump(rows, allow_unicode=True)


class ImportFixtureMixin:

    @classmethod
    def setUpTestData(cls):
        cls.site, _ = create_sites('Site A', 'Site B')
        cls.devices = create_devices(6, cls.site)
        cls.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=cls.site)
        cls.open_decommission = create_decommission(cls.devices[5])
        cls.component = RemovedComponent.objects.create(
            decommission=cls.open_decommission, kind='disk', name='Disk 0', serial='SN-TAKEN',
        )
        cls.user = User.objects.create_superuser(username='importer')

    def written(self):
        """Every row an import could write: the plugin's records, the change log and the number counters."""
        return {
            'storage_locations': list(StorageLocation.objects.values_list('pk', flat=True)),
            'decommissions': list(Decommission.objects.values_list('pk', flat=True)),
            'components': list(RemovedComponent.objects.values_list('pk', flat=True)),
            'number_sequences': list(NumberSequence.objects.values_list('scope', 'year', 'last_value')),
            'changes': ObjectChange.objects.count(),
        }


# Per model: good rows, and broken rows (a bad choice, an unknown related object, a missing required field, a
# duplicate of a recorded value, a bad date) with the field the answer must name and words of what it must say.
def storage_location_rows(i):
    return {'name': f'Shelf {i}', 'kind': 'warehouse', 'site': 'Site A', 'capacity': '10'}


def decommission_rows(test, i):
    return {'device': test.devices[i].name, 'reason': 'end_of_life', 'planned_start': '2026-12-05 22:00'}


def component_rows(test, i):
    return {'decommission': test.open_decommission.number, 'kind': 'disk', 'name': f'Disk {i + 1}',
            'serial': f'SN-NEW-{i}', 'sanitized_on': '2026-12-06'}


STORAGE_LOCATION_BREAKS = {
    'bad choice': ({'kind': 'cellar'}, 'kind', 'cellar is not one of the available choices'),
    'unknown site': ({'site': 'Atlantis'}, 'site', 'Object not found: Atlantis'),
    'missing name': ({'name': ''}, 'name', 'This field is required'),
    'duplicate name': ({'name': 'Removal zone'}, 'name', 'already exists at this site'),
    'bad capacity': ({'capacity': 'many'}, 'capacity', 'Enter a whole number'),
}
DECOMMISSION_BREAKS = {
    'bad choice': ({'reason': 'boredom'}, 'reason', 'boredom is not one of the available choices'),
    'unknown device': ({'device': 'no-such-server'}, 'device', 'Object not found: no-such-server'),
    'missing reason': ({'reason': ''}, 'reason', 'This field is required'),
    'device with an open decommission': ({'device': 'server-06'}, 'device', 'already has an open decommission'),
    'bad date': ({'planned_start': '2026-13-45 25:00'}, 'planned_start', 'Enter a valid date/time'),
}
COMPONENT_BREAKS = {
    'bad choice': ({'kind': 'toaster'}, 'kind', 'toaster is not one of the available choices'),
    'unknown decommission': ({'decommission': 'DC-1999-99999'}, 'decommission', 'Object not found: DC-1999-99999'),
    'missing name': ({'name': ''}, 'name', 'This field is required'),
    'duplicate serial': ({'serial': 'SN-TAKEN'}, 'serial', 'SN-TAKEN'),
    'bad date': ({'sanitized_on': '2026-02-30'}, 'sanitized_on', 'Enter a valid date'),
}


class BulkImportErrorsTestCase(ImportFixtureMixin, TestCase):

    def setUp(self):
        self.client.force_login(self.user)

    def import_rows(self, model, rows, data_format):
        url = reverse(f'plugins:netbox_decommission:{model}_bulk_import')
        return self.client.post(url, {'data': rows_as(data_format, rows), 'format': data_format, 'csv_delimiter': ','})

    def assertRefused(self, model, good_row, breaks):
        for data_format in ('csv', 'json', 'yaml'):
            for name, (change, field, says) in breaks.items():
                with self.subTest(format=data_format, row=name):
                    rows = [good_row(i) for i in range(4)]
                    rows[BROKEN_ROW - 1] = rows[BROKEN_ROW - 1] | change
                    before = self.written()
                    response = self.import_rows(model, rows, data_format)
                    # The form again, with the error: no redirect to the imported objects.
                    self.assertEqual(response.status_code, 200)
                    errors = response.context['form'].non_field_errors()
                    # Every message names the row and the field (an unknown device also gets the model's "choose
                    # the device"), and one says what is wrong.
                    for error in errors:
                        self.assertTrue(error.startswith(f'Record {BROKEN_ROW} {field}: '), error)
                    self.assertTrue(any(says in error for error in errors), errors)
                    self.assertContains(response, f'Record {BROKEN_ROW} {field}: ')
                    self.assertEqual(self.written(), before)

    def test_storage_locations(self):
        self.assertRefused('storagelocation', storage_location_rows, STORAGE_LOCATION_BREAKS)

    def test_decommissions(self):
        self.assertRefused('decommission', lambda i: decommission_rows(self, i), DECOMMISSION_BREAKS)

    def test_removed_components(self):
        self.assertRefused('removedcomponent', lambda i: component_rows(self, i), COMPONENT_BREAKS)

    def test_the_good_rows_alone_are_imported(self):
        # The same rows without the broken one go in: the refusals above are the broken row's doing.
        for model, rows, manager in (
            ('storagelocation', [storage_location_rows(i) for i in range(3)], StorageLocation.objects),
            ('decommission', [decommission_rows(self, i) for i in range(3)], Decommission.objects),
            ('removedcomponent', [component_rows(self, i) for i in range(3)], RemovedComponent.objects),
        ):
            with self.subTest(model=model):
                before = manager.count()
                response = self.import_rows(model, rows, 'csv')
                self.assertEqual(response.status_code, 302)
                self.assertEqual(manager.count(), before + 3)


class APIBulkCreateErrorsTestCase(ImportFixtureMixin, TestCase):
    client_class = APIClient

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.header = token_header(cls.user)

    def post_list(self, endpoint, items):
        url = reverse(f'plugins-api:netbox_decommission-api:{endpoint}-list')
        return self.client.post(url, items, format='json', **self.header)

    def assertRefused(self, endpoint, items, index, field, says):
        before = self.written()
        response = self.post_list(endpoint, items)
        self.assertEqual(response.status_code, 400, response.content)
        body = response.json()
        self.assertEqual(body['detail'], f'1 of {len(items)} objects could not be created.')
        (error,) = body['errors']
        self.assertEqual(error['index'], index)
        self.assertEqual(list(error['errors']), [field], body)
        self.assertTrue(any(says in message for message in error['errors'][field]), body)
        self.assertEqual(self.written(), before)

    def test_one_bad_item_creates_nothing(self):
        site, zone, decommission = self.site.pk, self.zone.pk, self.open_decommission.pk
        storage_location = {'name': 'Shelf', 'kind': 'warehouse', 'site': site}
        record = {'reason': 'end_of_life'}
        component = {'decommission': decommission, 'kind': 'disk', 'name': 'Disk'}
        cases = (
            ('storagelocation', storage_location, {'kind': 'cellar'}, 'kind', 'not a valid choice'),
            ('storagelocation', storage_location, {'site': 99999}, 'site', '99999'),
            ('storagelocation', storage_location, {'name': 'Removal zone'}, 'name', 'already exists at this site'),
            ('decommission', record, {'reason': 'boredom'}, 'reason', 'not a valid choice'),
            ('decommission', record, {'device': 99999}, 'device', '99999'),
            ('decommission', record, {'device': self.devices[5].pk}, 'device', 'already has an open decommission'),
            ('decommission', record, {'planned_start': '2026-13-45T25:00'}, 'planned_start', 'wrong format'),
            ('removedcomponent', component, {'kind': 'toaster'}, 'kind', 'not a valid choice'),
            ('removedcomponent', component, {'storage_location': zone, 'name': ''}, 'name', 'may not be blank'),
            ('removedcomponent', component, {'sanitized_on': '2026-02-30'}, 'sanitized_on', 'wrong format'),
        )
        for endpoint, item, change, field, says in cases:
            with self.subTest(endpoint=endpoint, field=field, change=change):
                items = [dict(item, name=f'{item.get("name", "")} {i}') if 'name' in item else dict(item)
                         for i in range(4)]
                if endpoint == 'decommission':
                    for i, device in enumerate(self.devices[:4]):
                        items[i]['device'] = device.pk
                items[2] |= change
                self.assertRefused(endpoint, items, 2, field, says)
