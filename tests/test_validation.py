"""Bad input is refused with an error on the offending field, in the UI and in the REST API, and nothing is saved."""
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from dcim.models import Location, Rack
from netbox_decommission.choices import DecommissionStatusChoices
from netbox_decommission.models import Decommission, RemovedComponent, StorageLocation
from users.constants import TOKEN_PREFIX
from users.models import Token
from utilities.testing import TestCase

from .utils import create_decommission, create_devices, create_sites

STATUS = DecommissionStatusChoices
PLUGIN_SETTINGS = settings.PLUGINS_CONFIG['netbox_decommission']


def number_format(pattern):
    """Run with another configured number format."""
    return override_settings(PLUGINS_CONFIG={
        **settings.PLUGINS_CONFIG, 'netbox_decommission': {**PLUGIN_SETTINGS, 'number_format': pattern},
    })


class ValidationTestCase(TestCase):
    """Each check runs in the UI (form POST) and in the REST API."""

    user_permissions = (
        'dcim.view_site', 'dcim.view_location', 'dcim.view_rack', 'dcim.view_device',
        'netbox_decommission.view_storagelocation', 'netbox_decommission.add_storagelocation',
        'netbox_decommission.change_storagelocation',
        'netbox_decommission.view_decommission', 'netbox_decommission.add_decommission',
        'netbox_decommission.change_decommission',
        'netbox_decommission.view_removedcomponent', 'netbox_decommission.add_removedcomponent',
        'netbox_decommission.change_removedcomponent',
    )

    @classmethod
    def setUpTestData(cls):
        cls.site_a, cls.site_b = create_sites('Site A', 'Site B')
        cls.location_b = Location.objects.get(site=cls.site_b)
        cls.rack_b = Rack.objects.get(site=cls.site_b)
        cls.devices = create_devices(4, cls.site_a)
        cls.zone_a = StorageLocation.objects.create(name='Zone A', kind='removal_zone', site=cls.site_a)
        cls.zone_b = StorageLocation.objects.create(name='Zone B', kind='removal_zone', site=cls.site_b)
        cls.decommission = create_decommission(cls.devices[0])

    def setUp(self):
        super().setUp()
        token = Token.objects.create(user=self.user)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}')

    #
    # Helpers
    #

    def ui_post(self, url_name, data, instance=None):
        kwargs = {'pk': instance.pk} if instance else {}
        from django.urls import reverse
        return self.client.post(reverse(f'plugins:netbox_decommission:{url_name}', kwargs=kwargs), data)

    def api_post(self, endpoint, data):
        return self.api.post(f'/api/plugins/decommission/{endpoint}/', data, format='json')

    def api_patch(self, endpoint, instance, data):
        return self.api.patch(f'/api/plugins/decommission/{endpoint}/{instance.pk}/', data, format='json')

    def assertFieldError(self, response, field, *fragments):
        """The form was shown again (200) with an error on `field` containing each fragment."""
        self.assertHttpStatus(response, 200)
        errors = response.context['form'].errors
        self.assertIn(field, errors, f'no error on "{field}"; errors: {errors.as_data()}')
        message = ' '.join(errors[field])
        for fragment in fragments:
            self.assertIn(fragment, message)
        # ... and the page shows it next to the field.
        self.assertContains(response, f'id="id_{field}_errors"')

    def assertApiFieldError(self, response, field, *fragments):
        """HTTP 400 whose JSON names `field`, with each fragment in its message."""
        self.assertHttpStatus(response, 400)
        data = response.json()
        self.assertIn(field, data, f'"{field}" not named in {data}')
        message = ' '.join(str(m) for m in data[field])
        for fragment in fragments:
            self.assertIn(fragment, message)

    def counts(self):
        return (StorageLocation.objects.count(), Decommission.objects.count(), RemovedComponent.objects.count())

    #
    # Storage location placement
    #

    def storage_location_data(self, **changes):
        return {'name': 'Cage 9', 'kind': 'warehouse', 'site': self.site_a.pk, **changes}

    def test_storage_location_with_location_of_another_site_ui(self):
        before = self.counts()
        response = self.ui_post('storagelocation_add', self.storage_location_data(location=self.location_b.pk))
        self.assertFieldError(response, 'location', 'Site B Hall', 'Site A')
        self.assertEqual(self.counts(), before)

    def test_storage_location_with_location_of_another_site_api(self):
        before = self.counts()
        response = self.api_post('storage-locations', self.storage_location_data(location=self.location_b.pk))
        self.assertApiFieldError(response, 'location', 'Site B Hall', 'Site A')
        self.assertEqual(self.counts(), before)

    def test_storage_location_with_rack_of_another_site_ui(self):
        before = self.counts()
        response = self.ui_post('storagelocation_add', self.storage_location_data(rack=self.rack_b.pk))
        self.assertFieldError(response, 'rack', 'Site B Rack', 'Site A')
        self.assertEqual(self.counts(), before)

    def test_storage_location_with_rack_of_another_site_api(self):
        before = self.counts()
        response = self.api_post('storage-locations', self.storage_location_data(rack=self.rack_b.pk))
        self.assertApiFieldError(response, 'rack', 'Site B Rack', 'Site A')
        self.assertEqual(self.counts(), before)

    def test_storage_location_moved_to_another_site_api(self):
        # Editing counts as much as creating: moving the zone away from its location's site is refused.
        zone = StorageLocation.objects.create(
            name='Zone B2', kind='warehouse', site=self.site_b, location=self.location_b, rack=self.rack_b,
        )
        response = self.api_patch('storage-locations', zone, {'site': self.site_a.pk})
        self.assertApiFieldError(response, 'location')
        zone.refresh_from_db()
        self.assertEqual(zone.site, self.site_b)

    def test_storage_location_name_unique_per_site(self):
        before = self.counts()
        response = self.ui_post('storagelocation_add', self.storage_location_data(name='Zone A'))
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'already exists at this site')
        response = self.api_post('storage-locations', self.storage_location_data(name='Zone A'))
        self.assertHttpStatus(response, 400)
        self.assertIn('already exists at this site', str(response.json()))
        self.assertEqual(self.counts(), before)
        # The same name at another site is fine.
        response = self.api_post('storage-locations', self.storage_location_data(name='Zone A', site=self.site_b.pk))
        self.assertHttpStatus(response, 201)

    #
    # One open decommission per device
    #

    def test_second_open_decommission_for_a_device_ui(self):
        before = self.counts()
        response = self.ui_post('decommission_add', {'device': self.devices[0].pk, 'reason': 'failure'})
        self.assertFieldError(response, 'device', 'already has an open decommission')
        self.assertEqual(self.counts(), before)

    def test_second_open_decommission_for_a_device_api(self):
        before = self.counts()
        response = self.api_post('decommissions', {'device': self.devices[0].pk, 'reason': 'failure'})
        self.assertApiFieldError(response, 'device', 'already has an open decommission')
        self.assertEqual(self.counts(), before)

    def test_moving_a_draft_to_a_device_with_an_open_decommission_api(self):
        other = create_decommission(self.devices[1])
        response = self.api_patch('decommissions', other, {'device': self.devices[0].pk})
        self.assertApiFieldError(response, 'device', 'already has an open decommission')
        other.refresh_from_db()
        self.assertEqual(other.device, self.devices[1])

    def test_new_decommission_allowed_once_the_open_one_is_finished(self):
        for status, device in ((STATUS.STATUS_CLOSED, self.devices[0]), (STATUS.STATUS_CANCELLED, self.devices[1])):
            with self.subTest(status=status):
                first = Decommission.objects.filter(device=device).first() or create_decommission(device)
                first.status = status
                first.save()
                response = self.ui_post('decommission_add', {'device': device.pk, 'reason': 'failure'})
                self.assertHttpStatus(response, 302)
                # Finish the second one as well, then start a third through the API.
                Decommission.objects.filter(device=device).update(status=status)
                response = self.api_post('decommissions', {'device': device.pk, 'reason': 'other'})
                self.assertHttpStatus(response, 201)
                self.assertEqual(Decommission.objects.filter(device=device).count(), 3)
                self.assertEqual(Decommission.objects.filter(device=device).open().count(), 1)

    def test_decommission_requires_a_device(self):
        before = self.counts()
        self.assertFieldError(self.ui_post('decommission_add', {'reason': 'failure'}), 'device')
        self.assertApiFieldError(self.api_post('decommissions', {'reason': 'failure'}), 'device', 'Choose the device')
        self.assertEqual(self.counts(), before)

    def test_planned_end_before_start(self):
        before = self.counts()
        window = {'planned_start': '2026-05-02 10:00', 'planned_end': '2026-05-01 10:00'}
        response = self.ui_post('decommission_add', {'device': self.devices[1].pk, 'reason': 'failure', **window})
        self.assertFieldError(response, 'planned_end', 'before the planned start')
        response = self.api_post('decommissions', {
            'device': self.devices[1].pk, 'reason': 'failure',
            'planned_start': '2026-05-02T10:00:00Z', 'planned_end': '2026-05-01T10:00:00Z',
        })
        self.assertApiFieldError(response, 'planned_end', 'before the planned start')
        self.assertEqual(self.counts(), before)

    #
    # A component's storage location must be at the decommission's site
    #

    def component_data(self, **changes):
        return {'decommission': self.decommission.pk, 'kind': 'disk', 'name': 'Disk 9', 'condition': 'ok',
                'status': 'stored', **changes}

    def test_component_stored_at_another_site_ui(self):
        before = self.counts()
        response = self.ui_post('removedcomponent_add', self.component_data(storage_location=self.zone_b.pk))
        self.assertFieldError(response, 'storage_location', 'Zone B', 'Site B', 'Site A', self.decommission.number)
        self.assertEqual(self.counts(), before)

    def test_component_stored_at_another_site_api(self):
        before = self.counts()
        response = self.api_post('removed-components', self.component_data(storage_location=self.zone_b.pk))
        self.assertApiFieldError(response, 'storage_location', 'Zone B', 'Site B', 'Site A')
        self.assertEqual(self.counts(), before)

    def test_component_stored_at_the_same_site(self):
        response = self.ui_post('removedcomponent_add', self.component_data(storage_location=self.zone_a.pk))
        self.assertHttpStatus(response, 302)
        response = self.api_post('removed-components', self.component_data(storage_location=self.zone_a.pk))
        self.assertHttpStatus(response, 201)
        self.assertEqual(RemovedComponent.objects.filter(storage_location=self.zone_a).count(), 2)

    def test_component_moved_to_another_site_by_bulk_edit(self):
        component = RemovedComponent.objects.create(
            decommission=self.decommission, kind='disk', name='Disk 1', storage_location=self.zone_a,
        )
        response = self.client.post('/plugins/decommission/removed-components/edit/', {
            'pk': [component.pk], '_apply': True, 'storage_location': self.zone_b.pk,
        })
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'choose a storage location at')
        component.refresh_from_db()
        self.assertEqual(component.storage_location, self.zone_a)

    #
    # Unknown choice values
    #

    def test_unknown_choice_ui(self):
        before = self.counts()
        cases = (
            ('storagelocation_add', self.storage_location_data(kind='banana'), 'kind'),
            ('decommission_add', {'device': self.devices[1].pk, 'reason': 'banana'}, 'reason'),
            ('removedcomponent_add', self.component_data(kind='banana'), 'kind'),
            ('removedcomponent_add', self.component_data(condition='banana'), 'condition'),
            ('removedcomponent_add', self.component_data(status='banana'), 'status'),
        )
        for url_name, data, field in cases:
            with self.subTest(url_name=url_name, field=field):
                self.assertFieldError(self.ui_post(url_name, data), field, 'banana')
        self.assertEqual(self.counts(), before)

    def test_unknown_choice_api(self):
        before = self.counts()
        cases = (
            ('storage-locations', self.storage_location_data(kind='banana'), 'kind'),
            ('decommissions', {'device': self.devices[1].pk, 'reason': 'banana'}, 'reason'),
            ('decommissions', {'device': self.devices[1].pk, 'reason': 'other', 'backup_method': 'banana'},
             'backup_method'),
            ('removed-components', self.component_data(kind='banana'), 'kind'),
            ('removed-components', self.component_data(condition='banana'), 'condition'),
            ('removed-components', self.component_data(sanitization_method='banana'), 'sanitization_method'),
        )
        for endpoint, data, field in cases:
            with self.subTest(endpoint=endpoint, field=field):
                self.assertApiFieldError(self.api_post(endpoint, data), field, 'banana')
        self.assertEqual(self.counts(), before)

    #
    # Numbers follow the configured format
    #

    def test_number_not_matching_the_format_ui(self):
        before = self.counts()
        for number in ('2026-00001', 'DC-2026-1', 'DC-26-00001'):
            with self.subTest(number=number):
                response = self.ui_post(
                    'decommission_add', {'device': self.devices[1].pk, 'reason': 'failure', 'number': number},
                )
                self.assertFieldError(response, 'number', number, 'DC-{year}-{seq:05d}', 'DC-2026-00001')
        self.assertEqual(self.counts(), before)

    def test_number_not_matching_the_format_api(self):
        before = self.counts()
        response = self.api_post('decommissions', {'device': self.devices[1].pk, 'reason': 'failure', 'number': 'X-1'})
        self.assertApiFieldError(response, 'number', 'X-1', 'DC-{year}-{seq:05d}')
        # Changing the number of an existing record is checked as well.
        response = self.api_patch('decommissions', self.decommission, {'number': 'X-2'})
        self.assertApiFieldError(response, 'number', 'X-2')
        self.assertEqual(self.counts(), before)
        self.assertEqual(Decommission.objects.get(pk=self.decommission.pk).number, self.decommission.number)

    @number_format('SRV/{year}/{seq:03d}')
    def test_number_follows_the_configured_format(self):
        response = self.api_post('decommissions', {'device': self.devices[1].pk, 'reason': 'failure',
                                                   'number': 'DC-2026-00999'})
        self.assertApiFieldError(response, 'number', 'SRV/{year}/{seq:03d}', 'SRV/2026/001')
        response = self.api_post('decommissions', {'device': self.devices[1].pk, 'reason': 'failure',
                                                   'number': 'SRV/2024/007'})
        self.assertHttpStatus(response, 201)
        response = self.api_post('decommissions', {'device': self.devices[2].pk, 'reason': 'failure'})
        self.assertHttpStatus(response, 201)
        self.assertRegex(response.json()['number'], rf'^SRV/{timezone.now().year}/\d{{3}}$')
        # A record whose number predates a format change can still be edited.
        response = self.api_patch('decommissions', self.decommission, {'description': 'Edited'})
        self.assertHttpStatus(response, 200)

    def test_hand_entered_number_matching_the_format_is_kept(self):
        response = self.ui_post(
            'decommission_add', {'device': self.devices[1].pk, 'reason': 'failure', 'number': 'DC-2019-00123'},
        )
        self.assertHttpStatus(response, 302)
        response = self.api_post(
            'decommissions', {'device': self.devices[2].pk, 'reason': 'failure', 'number': 'DC-2018-123456'},
        )
        self.assertHttpStatus(response, 201)
        self.assertEqual(
            set(Decommission.objects.filter(device__in=self.devices[1:3]).values_list('number', flat=True)),
            {'DC-2019-00123', 'DC-2018-123456'},
        )

    def test_duplicate_number(self):
        before = self.counts()
        number = self.decommission.number
        response = self.ui_post('decommission_add', {'device': self.devices[1].pk, 'reason': 'other', 'number': number})
        self.assertFieldError(response, 'number', 'already exists')
        response = self.api_post('decommissions', {'device': self.devices[1].pk, 'reason': 'other', 'number': number})
        self.assertApiFieldError(response, 'number', 'must be unique')
        self.assertEqual(self.counts(), before)

    def test_automatic_numbers_skip_a_hand_entered_one(self):
        year = timezone.now().year
        # The setup's record took number 1 of this year; 2 and 4 are entered by hand.
        self.assertEqual(self.decommission.number, f'DC-{year}-00001')
        for device, number in ((self.devices[1], f'DC-{year}-00002'), (self.devices[2], f'DC-{year}-00004')):
            response = self.api_post('decommissions', {'device': device.pk, 'reason': 'other', 'number': number})
            self.assertHttpStatus(response, 201)
        response = self.api_post('decommissions', {'device': self.devices[3].pk, 'reason': 'other'})
        self.assertHttpStatus(response, 201)
        self.assertEqual(response.json()['number'], f'DC-{year}-00003')
        Decommission.objects.filter(device=self.devices[3]).update(status=STATUS.STATUS_CANCELLED)
        response = self.ui_post('decommission_add', {'device': self.devices[3].pk, 'reason': 'other'})
        self.assertHttpStatus(response, 302)
        self.assertEqual(Decommission.objects.get(device=self.devices[3], status='draft').number, f'DC-{year}-00005')

    def test_bulk_import_of_a_second_open_decommission(self):
        before = self.counts()
        response = self.client.post('/plugins/decommission/decommissions/import/', {
            'data': 'device,reason\nserver-02,failure\nserver-01,failure', 'format': 'csv', 'csv_delimiter': ',',
        })
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'Record 2 device: This device already has an open decommission')
        # The valid first row is rolled back with the rest.
        self.assertEqual(self.counts(), before)
