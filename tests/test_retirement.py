"""
Retirement: the act's last signature removes the device from the inventory (or takes it offline), in the
signing transaction, with one change-log request id; a failing step leaves everything as it was; two final
signatures at once retire the device once.
"""
from functools import partial
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import pre_delete
from django.test import TestCase, TransactionTestCase, override_settings
from rest_framework.test import APIClient

from core.models import ObjectChange, ObjectType
from dcim.models import Cable, CableTermination, Device, Interface, MACAddress
from extras.models import CustomField, JournalEntry, Tag
from ipam.models import IPAddress
from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, Signature, StageChange, StorageLocation
from virtualization.models import Cluster, ClusterType, VirtualMachine

from .utils import (
    action_url,
    add_ready_components,
    advance,
    at_once,
    create_cabled_server,
    create_signers,
    create_sites,
    create_workflow_decommission,
    dispose_media,
    grant,
    on_an_unverified_release,
    token_header,
    workflow_state,
)

pytestmark = pytest.mark.compat

PLUGIN_DEFAULTS = settings.PLUGINS_CONFIG['netbox_decommission']
KEEP_OFFLINE = {'netbox_decommission': {
    **PLUGIN_DEFAULTS, 'retirement_policy': 'offline', 'ip_address_policy': 'deprecate', 'disable_peer_ports': True,
}}
DELETE_BUT_DEPRECATE_IPS = {'netbox_decommission': {**PLUGIN_DEFAULTS, 'ip_address_policy': 'deprecate'}}


class RetirementTestCase(TestCase):
    client_class = APIClient

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        cls.rack = cls.site.racks.get()
        cls.server = create_cabled_server(cls.site, rack=cls.rack, position=20)
        cls.device = device = cls.server.device
        cls.people = create_signers()
        cls.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=cls.site)
        grant([cls.people.head], ['view', 'change', 'sign'])
        cls.head_header = token_header(cls.people.head)

        warranty = CustomField.objects.create(name='warranty_end', type='text')
        warranty.object_types.set([ObjectType.objects.get_for_model(Device)])
        device.custom_field_data = {'warranty_end': '2027-01-31'}
        device.oob_ip = cls.server.other_ip
        device.save()
        device.tags.add(Tag.objects.create(name='Critical', slug='critical'))
        JournalEntry.objects.create(assigned_object=device, created_by=cls.people.responsible, kind='warning',
                                    comments='Fan noise reported')

    def setUp(self):
        self.decommission = create_workflow_decommission(self.device, self.people)
        self.components = add_ready_components(self.decommission, self.zone)
        advance(self.decommission, Status.STATUS_IN_STORAGE, self.people, self.zone)
        # The disks' fate is not what these tests are about: they are destroyed already.
        dispose_media(self.decommission, self.people.head)
        for executor in self.people.executors:
            workflow.sign(self.decommission, executor, 'act', 'executor')

    def post(self, action, body=None):
        return self.client.post(action_url(self.decommission, action), body or {}, format='json', **self.head_header)

    def sign_the_act(self):
        """The head's signature: the last one the act needs."""
        response = self.post('sign', {'document': 'act', 'role': 'head'})
        self.assertEqual(response.status_code, 200, response.content)
        self.decommission.refresh_from_db()
        return response

    def assertCablesGone(self):
        self.assertFalse(CableTermination.objects.filter(_device_id=self.device.pk).exists())
        self.assertFalse(Cable.objects.filter(pk=self.server.cable.pk).exists())
        switch_port = Interface.objects.get(pk=self.server.switch_port.pk)
        self.assertIsNone(switch_port.cable)
        self.assertEqual(switch_port.link_peers, [])
        return switch_port

    def test_default_policy_deletes_the_device(self):
        server = self.server
        mac = str(MACAddress.objects.get(pk=server.mac.pk).mac_address)
        device_type = ContentType.objects.get_for_model(Device)
        changes_before = set(ObjectChange.objects.values_list('pk', flat=True))

        self.sign_the_act()
        decommission = self.decommission

        # The device, its cables and addresses are gone; the far end is free, otherwise untouched.
        self.assertEqual(decommission.status, Status.STATUS_RETIRED)
        self.assertFalse(Device.objects.filter(pk=self.device.pk).exists())
        switch_port = self.assertCablesGone()
        self.assertTrue(switch_port.enabled)
        self.assertEqual(switch_port.description, 'Server uplink')
        self.assertFalse(IPAddress.objects.filter(pk__in=[ip.pk for ip in server.ips]).exists())
        self.assertTrue(Device.objects.filter(pk=server.switch.pk).exists())

        # The decommission survives with its frozen identity, components and documents.
        self.assertIsNone(decommission.device)
        self.assertTrue(decommission.device_deleted)
        self.assertEqual(
            (decommission.device_pk, decommission.device_name, decommission.device_serial, decommission.site,
             decommission.rack, decommission.rack_name, decommission.position, decommission.primary_ip4,
             decommission.primary_ip6),
            (self.device.pk, 'srv-01', 'SN-srv-01', self.site, self.rack, 'Site A Rack', 20, '192.0.2.10/24',
             '2001:db8::10/64'),
        )
        self.assertEqual(sorted(decommission.components.values_list('serial', flat=True)),
                         sorted(c.serial for c in self.components))
        self.assertEqual(list(decommission.documents.values_list('kind', flat=True)), ['order', 'application', 'act'])
        self.assertTrue(all(decommission.documents.values_list('signed_at', flat=True)))
        self.assertEqual(Signature.objects.filter(document__decommission=decommission).count(), 6)

        # The snapshot: everything NetBox knew about the device.
        snapshot = decommission.device_snapshot
        self.assertEqual(snapshot['device']['name'], 'srv-01')
        self.assertEqual(snapshot['device']['serial'], 'SN-srv-01')
        self.assertEqual(snapshot['device']['status'], 'decommissioning')
        self.assertEqual(snapshot['device']['rack'], self.rack.pk)
        self.assertEqual(snapshot['device']['custom_fields'], {'warranty_end': '2027-01-31'})
        self.assertEqual(snapshot['device']['tags'], ['Critical'])
        self.assertEqual(
            [(i['name'], i['mac_address'], i['cable_id']) for i in snapshot['interfaces']],
            [('eth0', mac, server.cable.pk), ('eth1', '', None)],
        )
        self.assertEqual(
            [(ip['address'], ip['interface'], ip['primary'], ip['oob']) for ip in snapshot['ip_addresses']],
            [('192.0.2.10/24', 'eth0', 'ipv4', False), ('198.51.100.10/24', 'eth1', '', True),
             ('2001:db8::10/64', 'eth0', 'ipv6', False)],
        )
        self.assertEqual(snapshot['ip_addresses'][0]['dns_name'], 'srv-01.example.com')
        (cable,) = snapshot['cables']
        self.assertEqual((cable['id'], cable['label']), (server.cable.pk, 'srv-01-uplink'))
        self.assertEqual([(e['device'], e['name']) for e in cable['local']], [('srv-01', 'eth0')])
        self.assertEqual([(e['device'], e['device_id'], e['name']) for e in cable['peer']],
                         [('srv-01-tor', server.switch.pk, 'Ethernet10')])
        self.assertEqual(
            [(i['name'], i['serial'], i['part_id']) for i in snapshot['inventory_items']],
            [(i.name, i.serial, i.part_id) for i in server.inventory_items],
        )
        self.assertEqual(
            [(e['kind'], e['comments'], e['created_by']) for e in snapshot['journal']],
            [('warning', 'Fan noise reported', 'responsible')],
        )

        # One change-log request id for everything the signature changed.
        changes = ObjectChange.objects.exclude(pk__in=changes_before)
        device_changes = changes.filter(changed_object_type=device_type, changed_object_id=self.device.pk)
        # Primary addresses cleared, then deleted.
        self.assertEqual(list(device_changes.order_by('pk').values_list('action', flat=True)), ['update', 'delete'])
        request_id = device_changes.get(action='delete').request_id
        cable_deletion = changes.get(changed_object_type=ContentType.objects.get_for_model(Cable),
                                     changed_object_id=server.cable.pk)
        self.assertEqual(cable_deletion.action, 'delete')
        decommission_updates = changes.filter(changed_object_type=ContentType.objects.get_for_model(Decommission),
                                              changed_object_id=decommission.pk)
        # NetBox logs the device reference set to null by the deletion, then the stage move.
        self.assertEqual(
            [(c.action, c.postchange_data['status'], c.postchange_data['device'])
             for c in decommission_updates.order_by('pk')],
            [('update', Status.STATUS_IN_STORAGE, None), ('update', Status.STATUS_RETIRED, None)],
        )
        ip_deletions = changes.filter(changed_object_type=ContentType.objects.get_for_model(IPAddress),
                                      action='delete')
        self.assertEqual(sorted(ip_deletions.values_list('changed_object_id', flat=True)),
                         sorted(ip.pk for ip in server.ips))
        self.assertEqual(set(changes.values_list('request_id', flat=True)), {request_id})
        self.assertEqual(set(changes.values_list('user_name', flat=True)), {'head'})

        # Nothing contradicts the retirement: close.
        response = self.post('close')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['status']['value'], Status.STATUS_CLOSED)

    @override_settings(PLUGINS_CONFIG=DELETE_BUT_DEPRECATE_IPS)
    def test_deleted_device_with_deprecated_addresses(self):
        self.sign_the_act()
        self.assertFalse(Device.objects.filter(pk=self.device.pk).exists())
        addresses = IPAddress.objects.filter(pk__in=[ip.pk for ip in self.server.ips])
        self.assertEqual(addresses.count(), 3)
        self.assertEqual(set(addresses.values_list('status', 'assigned_object_id')), {('deprecated', None)})
        self.assertEqual(self.post('close').status_code, 200)

    @override_settings(PLUGINS_CONFIG=KEEP_OFFLINE)
    def test_offline_policy_keeps_the_device(self):
        self.sign_the_act()
        decommission = self.decommission
        self.assertEqual(decommission.status, Status.STATUS_RETIRED)
        self.assertEqual(decommission.device_id, self.device.pk)
        self.assertIsNotNone(decommission.device_snapshot)

        device = Device.objects.get(pk=self.device.pk)
        self.assertEqual(device.status, 'offline')
        self.assertEqual((device.rack, device.position, device.face), (None, None, ''))
        self.assertEqual((device.primary_ip4, device.primary_ip6, device.oob_ip), (None, None, None))
        switch_port = self.assertCablesGone()
        self.assertFalse(switch_port.enabled)
        self.assertEqual(switch_port.description, f'Freed by decommission {decommission.number}')
        addresses = IPAddress.objects.filter(pk__in=[ip.pk for ip in self.server.ips])
        self.assertEqual(addresses.count(), 3)
        self.assertEqual(set(addresses.values_list('status', flat=True)), {'deprecated'})
        self.assertEqual(
            set(addresses.values_list('assigned_object_id', flat=True)), {i.pk for i in self.server.interfaces},
        )
        self.assertEqual(decommission.components.count(), 2)

        response = self.post('close')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['status']['value'], Status.STATUS_CLOSED)

    @override_settings(PLUGINS_CONFIG=KEEP_OFFLINE)
    def test_close_refuses_while_something_is_left(self):
        self.sign_the_act()
        device = Device.objects.get(pk=self.device.pk)
        eth0, eth1 = self.server.interfaces
        spare_port = Interface.objects.create(device=self.server.switch, name='Ethernet48', type='1000base-t')
        cable = Cable(a_terminations=[eth1], b_terminations=[spare_port])
        cable.save()
        address = IPAddress.objects.create(address='203.0.113.7/24', assigned_object=eth0)
        Device.objects.filter(pk=device.pk).update(rack=self.rack, position=30, face='front')
        state = workflow_state(self.decommission)

        response = self.post('close')
        self.assertEqual(response.status_code, 409, response.content)
        detail = response.json()['detail']
        self.assertIn(f'Cannot close {self.decommission.number}', detail)
        self.assertIn('Device srv-01 is still mounted in rack Site A Rack; unrack it.', detail)
        self.assertIn('Device srv-01 still has cables; remove them.', detail)
        self.assertIn('Device srv-01 has IP addresses that are not deprecated; deprecate them.', detail)
        self.assertEqual(workflow_state(self.decommission), state)

        # Put right what was listed, and it closes.
        cable.delete()
        address.status = 'deprecated'
        address.save()
        Device.objects.filter(pk=device.pk).update(rack=None, position=None, face='')
        response = self.post('close')
        self.assertEqual(response.status_code, 200, response.content)

    def test_a_failing_snapshot_leaves_the_act_unsigned(self):
        state = workflow_state(self.decommission)
        with mock.patch('netbox_decommission.workflow.retirement.device_facts.snapshot',
                        side_effect=RuntimeError('boom')):
            with self.assertRaises(RuntimeError):
                workflow.sign(self.decommission, self.people.head, 'act', 'head')
        self.assertEqual(workflow_state(self.decommission), state)
        act = self.decommission.documents.get(kind='act')
        self.assertIsNone(act.signed_at)
        self.assertFalse(act.signatures.filter(role='head').exists())

    def test_a_failing_deletion_over_rest_leaves_everything_as_it_was(self):
        state = workflow_state(self.decommission)
        changes = ObjectChange.objects.count()
        self.client.raise_request_exception = False
        def refuse(sender, instance, **kwargs):
            raise RuntimeError('storage offline')

        pre_delete.connect(refuse, sender=Device, dispatch_uid='test-refuse-device-deletion')
        try:
            response = self.post('sign', {'document': 'act', 'role': 'head'})
        finally:
            pre_delete.disconnect(sender=Device, dispatch_uid='test-refuse-device-deletion')
        self.assertEqual(response.status_code, 500)
        # The snapshot, the primary addresses cleared and the change records written before the failing deletion:
        # all of it was rolled back.
        self.assertEqual(workflow_state(self.decommission), state)
        self.assertEqual(ObjectChange.objects.count(), changes)
        self.decommission.refresh_from_db()
        self.assertEqual(self.decommission.status, Status.STATUS_IN_STORAGE)
        self.assertIsNone(self.decommission.documents.get(kind='act').signed_at)
        self.assertTrue(Cable.objects.filter(pk=self.server.cable.pk).exists())
        self.assertEqual(IPAddress.objects.filter(pk__in=[ip.pk for ip in self.server.ips]).count(), 3)

        # Once the cause is gone, the same signature retires the device.
        self.sign_the_act()
        self.assertEqual(self.decommission.status, Status.STATUS_RETIRED)
        self.assertFalse(Device.objects.filter(pk=self.device.pk).exists())

    def test_a_virtual_machine_pinned_to_the_device(self):
        cluster = Cluster.objects.create(name='Cluster 1', type=ClusterType.objects.create(name='KVM', slug='kvm'))
        Device.objects.filter(pk=self.device.pk).update(cluster=cluster)
        vm = VirtualMachine.objects.create(name='vm-pinned', cluster=cluster, device=self.device)
        state = workflow_state(self.decommission)

        response = self.post('sign', {'document': 'act', 'role': 'head'})
        self.assertEqual(response.status_code, 409, response.content)
        detail = response.json()['detail']
        self.assertIn('Cannot retire srv-01: virtual machines are pinned to it (vm-pinned)', detail)
        self.assertIn('Move them to another host or unpin them, then sign the act again', detail)
        self.assertEqual(workflow_state(self.decommission), state)

        VirtualMachine.objects.filter(pk=vm.pk).update(device=None)
        self.sign_the_act()
        self.assertEqual(self.decommission.status, Status.STATUS_RETIRED)
        self.assertEqual(self.decommission.device_snapshot['virtual_machines'][0]['name'], 'vm-pinned')


@pytest.mark.public_paths_rerun
@on_an_unverified_release()
class RetirementOnThePublicPathsTestCase(RetirementTestCase):
    """The same retirement where the fast paths are not verified: NetBox's own deletion and cable lookups."""


class ConcurrentRetirementTestCase(TransactionTestCase):
    """
    Final signatures given at the same moment, from threads with their own transactions: the device is retired
    exactly once. (TransactionTestCase: real commits; the tables are emptied afterwards.)
    """

    def setUp(self):
        (site,) = create_sites('Site A')
        self.people = create_signers()
        zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)
        self.servers = [create_cabled_server(site, f'srv-0{i}', octet=10 + i) for i in (1, 2)]
        self.decommissions = [create_workflow_decommission(s.device, self.people) for s in self.servers]
        with mock.patch('netbox.search.deferred.any_workers_for_queue', return_value=False):
            for decommission in self.decommissions:
                advance(decommission, Status.STATUS_IN_STORAGE, self.people, zone)

    def sign_at_once(self, decommission, signers):
        """Each (user, role) signs the act from its own thread, all released together; returns the errors."""
        def sign(user, role):
            workflow.sign(Decommission.objects.get(pk=decommission.pk), user, 'act', role)

        return at_once(*(partial(sign, user, role) for user, role in signers))

    def assertRetiredOnce(self, decommission, server):
        decommission = Decommission.objects.get(pk=decommission.pk)
        self.assertEqual(decommission.status, Status.STATUS_RETIRED)
        self.assertFalse(Device.objects.filter(pk=server.device.pk).exists())
        self.assertEqual(StageChange.objects.filter(decommission=decommission, to_status='retired').count(), 1)
        self.assertIsNotNone(decommission.documents.get(kind='act').signed_at)
        self.assertEqual(decommission.device_snapshot['device']['name'], server.device.name)
        self.assertEqual(
            sorted(Signature.objects.filter(document__decommission=decommission, document__kind='act')
                   .values_list('role', 'user__username')),
            [('executor', 'executor1'), ('executor', 'executor2'), ('head', 'head')],
        )

    def test_concurrent_final_signatures(self):
        head, (executor1, executor2) = self.people.head, self.people.executors
        first, second = self.decommissions

        # Both executors' signatures are missing; whichever comes second completes the act.
        workflow.sign(first, head, 'act', 'head')
        self.assertEqual(self.sign_at_once(first, [(executor1, 'executor'), (executor2, 'executor')]), [])
        self.assertRetiredOnce(first, self.servers[0])

        # The head gives the last signature twice at once (a double click): one signature, one retirement.
        workflow.sign(second, executor1, 'act', 'executor')
        workflow.sign(second, executor2, 'act', 'executor')
        self.assertEqual(self.sign_at_once(second, [(head, 'head'), (head, 'head')]), [])
        self.assertRetiredOnce(second, self.servers[1])
