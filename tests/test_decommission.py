import datetime
from unittest import mock

import yaml
from django.test import TestCase, override_settings
from django.utils import timezone

from dcim.models import Device, Rack
from extras.models import Tag
from netbox.choices import ImportFormatChoices
from netbox_decommission.choices import DecommissionReasonChoices, DecommissionStatusChoices
from netbox_decommission.filtersets import DecommissionFilterSet
from netbox_decommission.models import Decommission, StorageLocation
from tenancy.models import ContactGroup, Tenant
from users.models import User
from utilities.testing import APIViewTestCases, ChangeLoggedFilterSetTestMixin, ViewTestCases, create_tags

from .mixins import PluginFilterSetTestMixin, PluginGraphQLMixin, PluginUrlMixin
from .utils import create_decommission, create_devices, create_sites

UTC = datetime.UTC
STATUS = DecommissionStatusChoices
REASON = DecommissionReasonChoices


def this_years_number(seq):
    return f'DC-{timezone.now().year}-{seq:05d}'


class DecommissionViewTestCase(PluginUrlMixin, ViewTestCases.PrimaryObjectViewTestCase):
    model = Decommission

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.devices = create_devices(8, site)
        head = User.objects.create_user(username='head')
        responsible = User.objects.create_user(username='responsible')
        executors = [User.objects.create_user(username=f'executor{i}') for i in (1, 2)]
        tenant = Tenant.objects.create(name='Tenant 1', slug='tenant-1')
        team = ContactGroup.objects.create(name='DC team', slug='dc-team')
        cls.storage_location = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)

        cls.decommissions = [
            create_decommission(device, head=head, reason_text=f'Old server {i}')
            for i, device in enumerate(cls.devices[:3], start=1)
        ]
        tags = create_tags('Alpha', 'Bravo', 'Charlie')

        cls.form_data = {
            'device': cls.devices[3].pk,
            'number': 'DC-2020-00042',
            'reason': REASON.REASON_CONSOLIDATION,
            'reason_text': 'Services moved to the new cluster',
            'organization': 'Example LLC',
            'tenant': tenant.pk,
            'head': head.pk,
            'responsible': responsible.pk,
            'responsible_team': team.pk,
            'executors': [e.pk for e in executors],
            'planned_start': datetime.datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
            'planned_end': datetime.datetime(2026, 3, 1, 18, 0, tzinfo=UTC),
            'storage_location': cls.storage_location.pk,
            'description': 'Retire server-04',
            'comments': 'Agreed with the owners',
            'tags': [t.pk for t in tags],
        }
        cls.csv_data = (
            'device,reason,reason_text,head,executors,storage_location',
            'server-05,end_of_life,Out of support,head,"executor1,executor2",Removal zone',
            'server-06,failure,Mainboard failure,,executor1,',
            'server-07,migration,,responsible,,',
        )
        cls.csv_update_data = (
            'id,reason_text,description',
            f'{cls.decommissions[0].pk},New reason 1,New description 1',
            f'{cls.decommissions[1].pk},New reason 2,New description 2',
            f'{cls.decommissions[2].pk},New reason 3,New description 3',
        )
        cls.bulk_edit_data = {
            'reason': REASON.REASON_FAILURE,
            'organization': 'Other LLC',
            'responsible': responsible.pk,
            'planned_start': datetime.datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
            'description': 'Bulk edited',
        }

    @override_settings(EXEMPT_VIEW_PERMISSIONS=['*'])
    def test_bulk_import_yaml(self):
        # Users are never exempt from view permissions.
        self.add_permissions('netbox_decommission.add_decommission', 'users.view_user')
        data = yaml.safe_dump([
            {'device': 'server-05', 'reason': 'contract_end', 'executors': ['executor1', 'executor2']},
            {'device': 'server-06', 'reason': 'other', 'number': 'DC-2019-00007', 'reason_text': 'Imported history'},
        ])
        response = self.client.post(self._get_url('bulk_import'), {'data': data, 'format': ImportFormatChoices.YAML})
        self.assertHttpStatus(response, 302)

        first = Decommission.objects.get(device__name='server-05')
        self.assertEqual(first.reason, REASON.REASON_CONTRACT_END)
        self.assertEqual(sorted(first.executors.values_list('username', flat=True)), ['executor1', 'executor2'])
        self.assertEqual(first.number, this_years_number(4))
        self.assertEqual(first.requested_by, self.user)
        self.assertEqual(first.device_serial, 'SN-server-05')
        second = Decommission.objects.get(device__name='server-06')
        self.assertEqual(second.number, 'DC-2019-00007')
        self.assertEqual(second.status, STATUS.STATUS_DRAFT)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=['*'])
    def test_create_assigns_number_requester_and_frozen_identity(self):
        self.add_permissions('netbox_decommission.add_decommission')
        response = self.client.post(self._get_url('add'), {
            'device': self.devices[7].pk, 'number': '', 'reason': REASON.REASON_END_OF_LIFE,
        })
        self.assertHttpStatus(response, 302)
        decommission = Decommission.objects.get(device=self.devices[7])
        self.assertEqual(decommission.number, this_years_number(4))
        self.assertEqual(decommission.status, STATUS.STATUS_DRAFT)
        self.assertEqual(decommission.requested_by, self.user)
        self.assertEqual(decommission.device_name, 'server-08')
        self.assertEqual(decommission.site, self.devices[7].site)
        # The organization defaults to the plugin setting.
        self.assertEqual(decommission.organization, Decommission._meta.get_field('organization').get_default())
        self.assertNotEqual(decommission.organization, '')

    @override_settings(EXEMPT_VIEW_PERMISSIONS=['*'])
    def test_status_is_not_editable_in_the_form(self):
        self.add_permissions('netbox_decommission.change_decommission')
        decommission = self.decommissions[0]
        response = self.client.post(self._get_url('edit', decommission), {
            'device': decommission.device.pk, 'number': decommission.number, 'reason': decommission.reason,
            'status': STATUS.STATUS_CLOSED,
        })
        self.assertHttpStatus(response, 302)
        decommission.refresh_from_db()
        self.assertEqual(decommission.status, STATUS.STATUS_DRAFT)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=['*'])
    def test_device_cannot_be_swapped_after_draft(self):
        self.add_permissions('netbox_decommission.change_decommission')
        decommission = self.decommissions[0]
        Decommission.objects.filter(pk=decommission.pk).update(status=STATUS.STATUS_ORDERED)
        original_device = decommission.device
        response = self.client.post(self._get_url('edit', decommission), {
            'device': self.devices[7].pk, 'number': decommission.number, 'reason': REASON.REASON_FAILURE,
        })
        self.assertHttpStatus(response, 302)
        decommission.refresh_from_db()
        # The disabled field keeps the original device (and its frozen identity); the other change is saved.
        self.assertEqual(decommission.device, original_device)
        self.assertEqual(decommission.device_name, original_device.name)
        self.assertEqual(decommission.reason, REASON.REASON_FAILURE)

    def test_list_shows_frozen_identity_columns(self):
        self.add_permissions('netbox_decommission.view_decommission')
        response = self.client.get(self._get_url('list'))
        self.assertHttpStatus(response, 200)
        for decommission in self.decommissions:
            self.assertContains(response, decommission.number)
            self.assertContains(response, decommission.device_serial)


class DecommissionAPITestCase(PluginUrlMixin, PluginGraphQLMixin, APIViewTestCases.APIViewTestCase):
    model = Decommission
    graphql_base_name = 'decommission'
    brief_fields = ['description', 'device_name', 'display', 'id', 'number', 'status', 'url']
    update_data = {'reason': REASON.REASON_MIGRATION, 'reason_text': 'Moved to the cloud', 'organization': 'X LLC'}
    bulk_update_data = {'description': 'Bulk updated', 'reason': REASON.REASON_CONSOLIDATION}
    bulk_update_invalid_data = {'reason': 'banana'}

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.devices = create_devices(7, site)
        cls.head = User.objects.create_user(username='head')
        executors = [User.objects.create_user(username=f'executor{i}') for i in (1, 2)]
        cls.storage_location = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)
        cls.decommissions = [
            create_decommission(cls.devices[0], head=cls.head, storage_location=cls.storage_location),
            create_decommission(cls.devices[1], reason=REASON.REASON_FAILURE),
            create_decommission(cls.devices[2], status=STATUS.STATUS_SCHEDULED, reason_text='Scheduled one'),
        ]
        cls.create_data = [
            {
                'device': cls.devices[3].pk,
                'reason': REASON.REASON_END_OF_LIFE,
                'reason_text': 'Out of vendor support',
                'head': cls.head.pk,
                'executors': [e.pk for e in executors],
                'storage_location': cls.storage_location.pk,
            },
            {'device': cls.devices[4].pk, 'reason': REASON.REASON_FAILURE, 'services_stopped': True},
            {'device': cls.devices[5].pk, 'reason': REASON.REASON_OTHER, 'number': 'DC-2021-00001'},
        ]

    def test_create_assigns_number_requester_and_ignores_read_only_fields(self):
        self.add_permissions('netbox_decommission.add_decommission')
        response = self.client.post(self._get_list_url(), {
            'device': self.devices[6].pk,
            'reason': REASON.REASON_END_OF_LIFE,
            'status': STATUS.STATUS_CLOSED,
            'device_serial': 'FORGED',
            'snapshot': {'forged': True},
        }, format='json', **self.header)
        self.assertHttpStatus(response, 201)
        self.assertEqual(response.data['number'], this_years_number(4))
        self.assertEqual(response.data['status']['value'], STATUS.STATUS_DRAFT)
        self.assertEqual(response.data['device_serial'], 'SN-server-07')
        self.assertEqual(response.data['device_name'], 'server-07')
        self.assertEqual(response.data['requested_by']['id'], self.user.pk)
        self.assertIsNone(response.data['snapshot'])
        self.assertEqual(response.data['site']['id'], self.devices[6].site_id)

    def test_device_cannot_be_swapped_after_draft(self):
        self.add_permissions('netbox_decommission.change_decommission')
        scheduled = self.decommissions[2]
        response = self.client.patch(
            self._get_detail_url(scheduled), {'device': self.devices[6].pk}, format='json', **self.header,
        )
        self.assertHttpStatus(response, 400)
        self.assertIn('device', response.data)
        scheduled.refresh_from_db()
        self.assertEqual(scheduled.device, self.devices[2])

        # A draft may still change its device; the frozen identity follows.
        draft = self.decommissions[1]
        response = self.client.patch(
            self._get_detail_url(draft), {'device': self.devices[6].pk}, format='json', **self.header,
        )
        self.assertHttpStatus(response, 200)
        draft.refresh_from_db()
        self.assertEqual(draft.device_name, 'server-07')
        self.assertEqual(draft.device_pk, self.devices[6].pk)

    def test_filter_open_records(self):
        self.add_permissions('netbox_decommission.view_decommission')
        Decommission.objects.filter(pk=self.decommissions[0].pk).update(status=STATUS.STATUS_CANCELLED)
        response = self.client.get(f'{self._get_list_url()}?is_open=true', **self.header)
        self.assertHttpStatus(response, 200)
        self.assertEqual(
            {r['id'] for r in response.data['results']}, {self.decommissions[1].pk, self.decommissions[2].pk},
        )
        response = self.client.get(f'{self._get_list_url()}?status=cancelled', **self.header)
        self.assertEqual([r['id'] for r in response.data['results']], [self.decommissions[0].pk])

    def test_a_request_without_filters_skips_the_filter_set_alone(self):
        """api.views.PluginModelViewSet: no filter set is built, the ordering still applies, filters still filter."""
        self.add_permissions('netbox_decommission.view_decommission')
        ids = sorted(d.pk for d in self.decommissions)
        with mock.patch.object(DecommissionFilterSet, '__init__', side_effect=AssertionError('built')):
            response = self.client.get(f'{self._get_list_url()}?limit=25&ordering=id&brief=1', **self.header)
            self.assertEqual([r['id'] for r in response.data['results']], ids)
            response = self.client.get(f'{self._get_list_url()}?ordering=-id', **self.header)
            self.assertEqual([r['id'] for r in response.data['results']], ids[::-1])
            self.assertHttpStatus(self.client.get(self._get_detail_url(self.decommissions[0]), **self.header), 200)
        for query, expected in (('?reason=failure', [self.decommissions[1].pk]),
                                ('?device_name__ic=server-03', [self.decommissions[2].pk]),
                                (f'?cf_missing=1&id={ids[0]}', [ids[0]])):
            with self.subTest(query):
                response = self.client.get(f'{self._get_list_url()}{query}', **self.header)
                self.assertEqual([r['id'] for r in response.data['results']], expected)


class DecommissionFilterSetTestCase(PluginFilterSetTestMixin, TestCase, ChangeLoggedFilterSetTestMixin):
    queryset = Decommission.objects.all()
    filterset = DecommissionFilterSet
    # JSON records, and the calendar's revision counter of the window (not something anyone looks records up by).
    ignore_fields = ('device_snapshot', 'restore_report', 'network_check', 'window_sequence')
    # The M2M to users.User is filtered as executor_id / executor (username).
    filter_name_map = {'user': 'executor'}

    @classmethod
    def setUpTestData(cls):
        site_a, site_b = create_sites('Site A', 'Site B')
        rack_a = Rack.objects.get(site=site_a)
        cls.sites = (site_a, site_b)
        cls.rack = rack_a
        devices_a = create_devices(3, site_a, prefix='alpha')
        devices_b = create_devices(2, site_b, prefix='bravo')
        Device.objects.filter(pk=devices_a[0].pk).update(rack=rack_a, position=10, face='front')
        devices_a[0].refresh_from_db()
        cls.users = [User.objects.create_user(username=f'user{i}') for i in range(1, 4)]
        cls.parent_team = ContactGroup.objects.create(name='Operations', slug='operations')
        cls.child_team = ContactGroup.objects.create(name='DC shift', slug='dc-shift', parent=cls.parent_team)
        cls.tenants = [Tenant.objects.create(name=f'Tenant {i}', slug=f'tenant-{i}') for i in (1, 2)]
        cls.storage_locations = [
            StorageLocation.objects.create(name='Zone A', kind='removal_zone', site=site_a),
            StorageLocation.objects.create(name='Zone B', kind='removal_zone', site=site_b),
        ]

        cls.decommissions = [
            create_decommission(
                devices_a[0], number='DC-2025-00001', reason=REASON.REASON_END_OF_LIFE, head=cls.users[0],
                responsible=cls.users[1], responsible_team=cls.child_team, tenant=cls.tenants[0],
                storage_location=cls.storage_locations[0], services_stopped=True, description='first',
            ),
            create_decommission(
                devices_a[1], number='DC-2025-00002', status=STATUS.STATUS_SHUT_DOWN, reason=REASON.REASON_FAILURE,
                head=cls.users[0], responsible_team=cls.parent_team, tenant=cls.tenants[1], description='second',
            ),
            create_decommission(
                devices_a[2], number='DC-2025-00003', status=STATUS.STATUS_CLOSED, reason=REASON.REASON_FAILURE,
                head=cls.users[1], backup_method='network', description='third',
            ),
            create_decommission(
                devices_b[0], number='DC-2026-00001', status=STATUS.STATUS_CANCELLED,
                reason=REASON.REASON_MIGRATION, storage_location=cls.storage_locations[1],
            ),
            create_decommission(
                devices_b[1], number='DC-2026-00002', status=STATUS.STATUS_IN_STORAGE,
                reason=REASON.REASON_CONSOLIDATION, backup_method='clone', reason_text='Merged into cluster X',
            ),
        ]
        cls.decommissions[0].executors.set([cls.users[1], cls.users[2]])
        cls.decommissions[4].executors.set([cls.users[2]])
        # The device of the cancelled record was decommissioned again later.
        cls.decommissions.append(create_decommission(devices_b[0], number='DC-2026-00003'))
        tag = Tag.objects.create(name='Urgent', slug='urgent')
        cls.decommissions[1].tags.add(tag)

    def numbers(self, params):
        filterset = self.filterset(params, self.queryset)
        self.assertTrue(filterset.is_valid(), filterset.errors)
        return set(filterset.qs.values_list('number', flat=True))

    def test_q_searches_number_name_serial_and_reason(self):
        self.assertEqual(self.numbers({'q': 'SN-alpha-02'}), {'DC-2025-00002'})
        self.assertEqual(self.numbers({'q': '2026-00002'}), {'DC-2026-00002'})
        self.assertEqual(self.numbers({'q': 'cluster x'}), {'DC-2026-00002'})
        self.assertEqual(self.numbers({'q': 'bravo-01'}), {'DC-2026-00001', 'DC-2026-00003'})

    def test_number(self):
        numbers = {'DC-2025-00001', 'DC-2026-00001'}
        self.assertEqual(self.numbers({'number': sorted(numbers)}), numbers)

    def test_status(self):
        self.assertEqual(self.numbers({'status': [STATUS.STATUS_CLOSED, STATUS.STATUS_CANCELLED]}),
                         {'DC-2025-00003', 'DC-2026-00001'})
        self.assertFalse(self.filterset({'status': ['banana']}, self.queryset).is_valid())

    def test_is_open(self):
        self.assertEqual(self.numbers({'is_open': True}),
                         {'DC-2025-00001', 'DC-2025-00002', 'DC-2026-00002', 'DC-2026-00003'})
        self.assertEqual(self.numbers({'is_open': False}), {'DC-2025-00003', 'DC-2026-00001'})

    def test_reason(self):
        self.assertEqual(self.numbers({'reason': [REASON.REASON_FAILURE]}), {'DC-2025-00002', 'DC-2025-00003'})

    def test_backup_method(self):
        self.assertEqual(self.numbers({'backup_method': ['network', 'clone']}), {'DC-2025-00003', 'DC-2026-00002'})

    def test_device(self):
        device = Device.objects.get(name='bravo-01')
        self.assertEqual(self.numbers({'device_id': [device.pk]}), {'DC-2026-00001', 'DC-2026-00003'})
        self.assertEqual(self.numbers({'device': ['alpha-01', 'alpha-03']}), {'DC-2025-00001', 'DC-2025-00003'})

    def test_device_serial(self):
        self.assertEqual(self.numbers({'device_serial': ['SN-alpha-03']}), {'DC-2025-00003'})

    def test_device_name(self):
        self.assertEqual(self.numbers({'device_name': ['alpha-02', 'bravo-02']}), {'DC-2025-00002', 'DC-2026-00002'})

    def test_site(self):
        site_b = self.sites[1]
        expected = {'DC-2026-00001', 'DC-2026-00002', 'DC-2026-00003'}
        self.assertEqual(self.numbers({'site_id': [site_b.pk]}), expected)
        self.assertEqual(self.numbers({'site': [site_b.slug]}), expected)

    def test_rack(self):
        self.assertEqual(self.numbers({'rack_id': [self.rack.pk]}), {'DC-2025-00001'})
        self.assertEqual(self.numbers({'rack_name': [self.rack.name]}), {'DC-2025-00001'})

    def test_storage_location(self):
        self.assertEqual(
            self.numbers({'storage_location_id': [self.storage_locations[1].pk]}), {'DC-2026-00001'},
        )

    def test_people(self):
        self.assertEqual(self.numbers({'head_id': [self.users[0].pk]}), {'DC-2025-00001', 'DC-2025-00002'})
        self.assertEqual(self.numbers({'head': ['user2']}), {'DC-2025-00003'})
        self.assertEqual(self.numbers({'responsible_id': [self.users[1].pk]}), {'DC-2025-00001'})

    def test_executor(self):
        self.assertEqual(self.numbers({'executor_id': [self.users[2].pk]}), {'DC-2025-00001', 'DC-2026-00002'})
        self.assertEqual(self.numbers({'executor': ['user2']}), {'DC-2025-00001'})

    def test_responsible_team_includes_sub_teams(self):
        self.assertEqual(self.numbers({'responsible_team_id': [self.parent_team.pk]}),
                         {'DC-2025-00001', 'DC-2025-00002'})
        self.assertEqual(self.numbers({'responsible_team_id': [self.child_team.pk]}), {'DC-2025-00001'})

    def test_tenant(self):
        self.assertEqual(self.numbers({'tenant_id': [self.tenants[1].pk]}), {'DC-2025-00002'})
        self.assertEqual(self.numbers({'tenant': [self.tenants[0].slug]}), {'DC-2025-00001'})

    def test_shutdown_checklist(self):
        self.assertEqual(self.numbers({'services_stopped': True}), {'DC-2025-00001'})

    def test_description(self):
        self.assertEqual(self.numbers({'description': ['first', 'third']}), {'DC-2025-00001', 'DC-2025-00003'})

    def test_tag(self):
        self.assertEqual(self.numbers({'tag': ['urgent']}), {'DC-2025-00002'})
