"""
The batched cable deletion leaves what NetBox's own cable deletion leaves: the same change records (the cables,
their ends, the logged updates of the cabled objects), the same queued events with the same payloads, and the same
cable paths on what survives (the CablePath rows, each object's cable fields, `_path`, link peers and connected
endpoints) — in fewer queries. Each test deletes the same cables twice, once each way, rolling the first back.
"""
import json
from unittest import mock

import pytest
from django.test import TestCase

from core.models import ObjectType
from dcim.models import (
    Cable,
    CablePath,
    CableTermination,
    ConsolePort,
    ConsoleServerPort,
    FrontPort,
    Interface,
    PortMapping,
    PowerOutlet,
    PowerPort,
    RearPort,
)
from extras.models import CustomField, Tag
from netbox_decommission import compat
from netbox_decommission.compat.cable_deletion import delete_cables
from netbox_decommission.compat.deletion import delete_logged
from users.models import User
from utilities.testing import create_test_device

from .deletion_records import record_deletion
from .utils import create_sites, on_an_unverified_release

pytestmark = pytest.mark.compat

CABLED_MODELS = (ConsolePort, ConsoleServerPort, FrontPort, Interface, PowerOutlet, PowerPort, RearPort)


def release_without_cable_deletion():
    """A release the batched deletion is verified on, but not the cable deletion's fast path."""
    releases = json.loads(compat.RELEASES_FILE.read_text())['releases']
    return next(version for version, release in releases.items()
                if 'deletion' in release['fast_paths'] and 'cable_deletion' not in release['fast_paths'])


def _cable(a, b, **attrs):
    cable = Cable(a_terminations=a, b_terminations=b, **attrs)
    cable.save()
    return cable


def cabling():
    """Every cable path, and every cabled object's cable fields, path, link peers and connected endpoints."""
    paths = sorted(CablePath.objects.values_list('pk', 'path', 'is_active', 'is_complete', 'is_split'))
    ends = {}
    for model in CABLED_MODELS:
        for obj in model.objects.order_by('pk'):
            ends[model._meta.model_name, obj.pk] = (
                obj.cable_id, obj.cable_end, obj.cable_connector, obj.cable_positions, obj.mark_connected,
                getattr(obj, '_path_id', None), [repr(peer) for peer in obj.link_peers],
                [repr(endpoint) for endpoint in getattr(obj, 'connected_endpoints', None) or []],
            )
    return paths, ends


class BatchedCableDeletionTestCase(TestCase):
    """
    A server cabled every way: interfaces to a switch (one cable with two ends a side), an interface to a patch
    panel whose rear port goes on to the switch (so that the switch's path passes through the panel), its console to
    a console server and its power supply to a PDU.
    """

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.user = User.objects.create_user(username='deleter')
        cls.server = server = create_test_device('srv', site=site)
        switch = create_test_device('switch', site=site)
        panel = create_test_device('panel', site=site)
        console = create_test_device('console', site=site)
        pdu = create_test_device('pdu', site=site)
        tag = Tag.objects.create(name='Uplink', slug='uplink')
        field = CustomField.objects.create(name='patch', type='text')
        field.object_types.set([ObjectType.objects.get_for_model(Interface)])

        eth = [Interface.objects.create(device=server, name=f'eth{i}', type='10gbase-x-sfpp') for i in range(5)]
        ports = [
            Interface.objects.create(device=switch, name=f'xe-0/0/{i}', type='10gbase-x-sfpp',
                                     description='to srv', custom_field_data={'patch': f'P{i}'})
            for i in range(5)
        ]
        ports[0].tags.add(tag)
        eth[0].tags.add(tag)
        _cable([eth[0]], [ports[0]], label='eth0')
        _cable([ports[1]], [eth[1]], label='eth1')  # the server at the B end
        _cable([eth[3], eth[4]], [ports[3], ports[4]], label='eth3-4')

        front = FrontPort.objects.create(device=panel, name='Front 1', type='8p8c')
        rear = RearPort.objects.create(device=panel, name='Rear 1', type='8p8c', positions=1)
        PortMapping.objects.create(device=panel, front_port=front, front_port_position=1, rear_port=rear,
                                   rear_port_position=1)
        _cable([eth[2]], [front], label='eth2-panel')
        _cable([rear], [ports[2]], label='panel-switch')

        _cable([ConsolePort.objects.create(device=server, name='Console')],
               [ConsoleServerPort.objects.create(device=console, name='Port 1')], label='console')
        _cable([PowerPort.objects.create(device=server, name='PSU0')],
               [PowerOutlet.objects.create(device=pdu, name='Outlet 1')], label='power')

        # A cable that stays: nothing of it changes.
        _cable([Interface.objects.create(device=switch, name='xe-0/0/9', type='10gbase-x-sfpp')],
               [Interface.objects.create(device=console, name='mgmt0', type='1000base-t')], label='stays')

    def cables(self):
        return Cable.objects.filter(pk__in=list(
            CableTermination.objects.filter(_device=self.server).values_list('cable_id', flat=True)))

    def record(self, delete):
        return record_deletion(self.user, delete, capture=cabling)

    maxDiff = None

    def assertSameDeletion(self, netbox, batched):
        self.assertEqual(len(batched.changes), len(netbox.changes))
        for change, expected in zip(batched.changes, netbox.changes, strict=True):
            self.assertEqual(change, expected)
        self.assertEqual(list(batched.events), list(netbox.events), 'the same events, in the same order')
        for key, event in batched.events.items():
            self.assertEqual(event, netbox.events[key], key)
        self.assertEqual(batched.state, netbox.state)

    def netboxs_own(self):
        return self.record(lambda: self.cables().delete())

    @pytest.mark.fast_paths('deletion', 'cable_deletion')
    def test_the_same_records_events_and_paths_in_fewer_queries(self):
        netbox = self.netboxs_own()
        batched = self.record(lambda: delete_cables(self.cables()))
        self.assertSameDeletion(netbox, batched)
        changes, (paths, _ends), queries = batched.changes, batched.state, batched.queries
        updated = [change for change in changes if change['action'] == 'update']
        # Both ends of each of the six cables, two a side for one of them.
        self.assertEqual(len(updated), 2 * 6 + 2)
        self.assertEqual(sum(1 for change in changes if change['action'] == 'delete'), 6 + 2 * 6 + 2)
        # What survives: the switch's path through the panel, cut at the panel's front port; the cable that stays.
        switch_port = Interface.objects.get(device__name='switch', name='xe-0/0/2')
        front = FrontPort.objects.get(device__name='panel')
        through = [path for path in paths if path[1][0] == [f'{ObjectType.objects.get_for_model(Interface).pk}:'
                                                            f'{switch_port.pk}']]
        self.assertEqual(len(through), 1)
        self.assertEqual(through[0][1][-1], [f'{ObjectType.objects.get_for_model(FrontPort).pk}:{front.pk}'])
        self.assertFalse(through[0][3], 'the path through the panel ends incomplete at its front port')
        self.assertEqual(len(paths), 1 + 2)
        self.assertLess(queries, netbox.queries, f'{queries} queries batched, {netbox.queries} by NetBox')

    @pytest.mark.fast_paths('deletion')
    def test_where_the_cable_fast_path_is_not_verified_it_is_the_batched_deletion(self):
        netbox = self.netboxs_own()
        logged = self.record(lambda: delete_logged(self.cables()))
        with mock.patch('netbox_decommission.compat.netbox_release', new=lambda: release_without_cable_deletion()):
            fallback = self.record(lambda: delete_cables(self.cables()))
        self.assertSameDeletion(netbox, fallback)
        self.assertEqual(fallback.queries, logged.queries, 'the queries of compat.deletion.delete_logged')

    def test_on_an_unverified_release_it_is_netboxs_own_deletion(self):
        # A first deletion loads what any deletion loads once per process (content types, ...), so that the two
        # counted below start alike.
        self.netboxs_own()
        with on_an_unverified_release():
            public = self.record(lambda: delete_cables(self.cables()))
        netbox = self.netboxs_own()
        self.assertSameDeletion(netbox, public)
        self.assertEqual(public.queries, netbox.queries,
                         "the public path runs exactly the queries of NetBox's own deletion")
