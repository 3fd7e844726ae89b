"""
The batched deletion writes what NetBox writes when it deletes the same objects one by one: the same change
records (content, related object, user, request id), the same queued events with the same payloads, the same
updates of the objects that survive — in a fraction of the queries. Each test deletes the same rows twice, once
each way, rolling the first back, so that the two records can be compared field for field.
"""
import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from core.models import ObjectChange, ObjectType
from dcim.models import Cable, CableTermination, Device
from extras.models import CustomField, JournalEntry, Tag
from ipam.models import IPAddress
from netbox_decommission.compat.deletion import delete_logged
from users.models import User
from utilities.testing import create_test_device

from .deletion_records import record_deletion
from .servers import create_large_server
from .utils import create_sites, on_an_unverified_release

pytestmark = pytest.mark.compat


class BatchedDeletionTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.user = User.objects.create_user(username='deleter')
        switch = create_test_device('switch', site=site)
        cls.server = create_large_server(site, 'srv', switch, interfaces=4, ips_per_interface=2, inventory_items=3)
        tag = Tag.objects.create(name='Legacy', slug='legacy')
        cls.server.tags.add(tag)
        cls.server.interfaces.first().tags.add(tag)
        field = CustomField.objects.create(name='owner', type='text')
        field.object_types.set([ObjectType.objects.get_for_model(Device)])
        cls.server.custom_field_data['owner'] = 'Team A'
        cls.server.save()
        JournalEntry.objects.create(assigned_object=cls.server, comments='Scheduled for refresh')
        # An address that stays, translated to one that goes: NetBox clears the reference with a logged update.
        cls.survivor = IPAddress.objects.create(
            address='192.0.2.1/24', nat_inside=IPAddress.objects.filter(interface__device=cls.server).first(),
        )

    def record(self, delete):
        return record_deletion(self.user, delete)

    maxDiff = None

    def assertSameRecords(self, netbox, batched):
        self.assertEqual(len(batched.changes), len(netbox.changes))
        for change, expected in zip(batched.changes, netbox.changes, strict=True):
            self.assertEqual(change, expected)
        self.assertEqual(batched.events.keys(), netbox.events.keys())
        for key, (event_type, data, snapshots) in batched.events.items():
            expected_type, expected_data, expected_snapshots = netbox.events[key]
            self.assertEqual(event_type, expected_type, key)
            if event_type == 'object_deleted':
                self.assertEqual(data, expected_data, key)
                self.assertEqual(snapshots, expected_snapshots, key)
        return netbox.queries, batched.queries

    @pytest.mark.fast_paths
    def test_a_device_with_its_components_addresses_and_journal(self):
        netbox = self.record(lambda: Device.objects.get(pk=self.server.pk).delete())
        batched = self.record(lambda: delete_logged(Device.objects.filter(pk=self.server.pk)))
        netbox_queries, queries = self.assertSameRecords(netbox, batched)
        kinds = {(change['changed_object_type_id'], change['action']) for change in batched.changes}
        self.assertIn((ObjectType.objects.get_for_model(IPAddress).pk, 'update'), kinds)  # the survivor
        self.assertEqual(
            sum(1 for change in batched.changes if change['action'] == 'delete'),
            # The device, its interfaces, MAC addresses, addresses, cable ends, inventory items and journal entry.
            1 + 4 + 4 + 8 + 4 + 3 + 1,
        )
        self.assertLess(queries, netbox_queries, f'{queries} queries batched, {netbox_queries} one by one')

    @pytest.mark.fast_paths
    def test_cables(self):
        cables = Cable.objects.filter(
            pk__in=CableTermination.objects.filter(_device=self.server).values('cable_id'))
        netbox = self.record(lambda: Cable.objects.filter(pk__in=list(cables.values_list('pk', flat=True))).delete())
        batched = self.record(lambda: delete_logged(Cable.objects.filter(pk__in=list(cables.values_list('pk',
                                                                                                     flat=True)))))
        netbox_queries, queries = self.assertSameRecords(netbox, batched)
        self.assertEqual(sum(1 for change in batched.changes if change['action'] == 'delete'), 4 + 8)
        self.assertLess(queries, netbox_queries)

    def test_on_an_unverified_release_it_is_netboxs_own_deletion(self):
        batched = self.record(lambda: delete_logged(Device.objects.filter(pk=self.server.pk)))
        with on_an_unverified_release():
            public = self.record(lambda: delete_logged(Device.objects.filter(pk=self.server.pk)))
        netbox = self.record(lambda: Device.objects.filter(pk=self.server.pk).delete())
        self.assertSameRecords(public, batched)
        self.assertEqual(public.queries, netbox.queries,
                         "the public path runs exactly the queries of NetBox's own deletion")

    def test_outside_a_request_it_is_a_plain_deletion(self):
        with CaptureQueriesContext(connection):
            delete_logged(Device.objects.filter(pk=self.server.pk))
        self.assertFalse(Device.objects.filter(pk=self.server.pk).exists())
        self.assertFalse(ObjectChange.objects.filter(changed_object_id=self.server.pk, action='delete').exists())
