"""
Restore: a retired device comes back from its snapshot, as NetBox's REST API showed it before (ids kept, timestamps
aside), under both retirement policies; what cannot come back is reported with its reason; refusals change nothing.
"""
import datetime
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase, TransactionTestCase, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import ObjectChange
from dcim.models import (
    Cable,
    ConsolePort,
    ConsoleServerPort,
    Device,
    FrontPort,
    Interface,
    InterfaceTemplate,
    InventoryItem,
    Manufacturer,
    Module,
    ModuleBay,
    ModuleType,
    PortMapping,
    PowerOutlet,
    PowerPort,
    RearPort,
)
from extras.models import JournalEntry, Tag
from ipam.models import VLAN, IPAddress, Service
from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, RemovedComponent, StageChange, StorageLocation
from netbox_decommission.workflow import restore
from users.models import User
from utilities.testing import create_test_device

from .servers import create_large_server
from .utils import (
    action_url,
    add_ready_components,
    advance,
    at_once,
    create_signers,
    create_sites,
    create_workflow_decommission,
    dispose_media,
    grant,
    on_an_unverified_release,
    token_header,
)

PLUGIN_DEFAULTS = settings.PLUGINS_CONFIG['netbox_decommission']
KEEP_OFFLINE = {'netbox_decommission': {
    **PLUGIN_DEFAULTS, 'retirement_policy': 'offline', 'ip_address_policy': 'deprecate', 'disable_peer_ports': True,
}}

# What NetBox's REST API shows of the device, listed with its own filters: compared before retirement and after restore.
REPRESENTATIONS = (
    ('dcim-api:device-list', 'id'),
    ('dcim-api:interface-list', 'device_id'),
    ('ipam-api:ipaddress-list', 'device_id'),
    ('dcim-api:cable-list', 'device_id'),
    ('dcim-api:inventoryitem-list', 'device_id'),
    ('dcim-api:module-list', 'device_id'),
    ('dcim-api:modulebay-list', 'device_id'),
    ('dcim-api:consoleport-list', 'device_id'),
    ('dcim-api:powerport-list', 'device_id'),
    ('dcim-api:frontport-list', 'device_id'),
    ('dcim-api:rearport-list', 'device_id'),
    ('ipam-api:service-list', 'device_id'),
)


def _without_timestamps(value):
    if isinstance(value, dict):
        return {k: _without_timestamps(v) for k, v in value.items() if k not in ('created', 'last_updated')}
    if isinstance(value, list):
        return [_without_timestamps(v) for v in value]
    return value


def create_rich_server(site, rack):
    """The richest test server: 48 interfaces, 96 addresses, 48 cables, inventory, a module, LAG, VLANs, ports."""
    switch = create_test_device('rich-tor', site=site)
    device = create_large_server(site, 'rich-01', switch, rack=rack, position=10, face='front')
    vlans = [VLAN.objects.create(vid=100 + i, name=f'VLAN{100 + i}') for i in range(2)]
    bond = Interface.objects.create(device=device, name='bond0', type='lag', mode='tagged', untagged_vlan=vlans[0])
    bond.tagged_vlans.set(vlans)
    Interface.objects.filter(device=device, name__in=('eth46', 'eth47')).update(lag=bond)
    eth0 = Interface.objects.get(device=device, name='eth0')
    Interface.objects.create(device=device, name='eth0.100', type='virtual', parent=eth0, mode='access',
                             untagged_vlan=vlans[0])
    manufacturer = Manufacturer.objects.get_or_create(name='Acme', slug='acme')[0]
    module_type = ModuleType.objects.create(manufacturer=manufacturer, model='NIC-2P')
    bay = ModuleBay.objects.create(device=device, name='PCIe 1')
    # NetBox creates the module type's interface with the module: restore must not create it twice.
    InterfaceTemplate.objects.create(module_type=module_type, name='nic-p1', type='10gbase-x-sfpp')
    Module.objects.create(device=device, module_bay=bay, module_type=module_type, serial='NIC-001')
    console_server = create_test_device('rich-console', site=site)
    console_server_port = ConsoleServerPort.objects.create(device=console_server, name='port 7')
    console = ConsolePort.objects.create(device=device, name='Console')
    Cable(a_terminations=[console], b_terminations=[console_server_port], label='rich-console', color='ff0000',
          length=3, length_unit='m').save()
    pdu = create_test_device('rich-pdu', site=site)
    outlet = PowerOutlet.objects.create(device=pdu, name='outlet 3')
    psu = PowerPort.objects.create(device=device, name='PSU1', maximum_draw=500)
    Cable(a_terminations=[psu], b_terminations=[outlet], label='rich-power').save()
    rear = RearPort.objects.create(device=device, name='rear 1', type='8p8c', positions=1)
    front = FrontPort.objects.create(device=device, name='front 1', type='8p8c')
    PortMapping.objects.create(device=device, front_port=front, rear_port=rear)
    Service.objects.create(parent=device, name='ssh', port_mappings=['tcp/22'])
    InventoryItem.objects.filter(device=device, name='Part 0').update(description='Riser')
    device.refresh_from_db()  # the component counters NetBox keeps on the row
    device.tags.add(Tag.objects.create(name='Gold', slug='gold'))
    device.comments = 'The richest server'
    device.local_context_data = {'ntp': ['10.0.0.1']}
    device.save()
    JournalEntry.objects.create(assigned_object=device, kind='info', comments='Commissioned')
    return device


class RestoreTestBase(TestCase):
    """A retired rich server, and NetBox's REST representations of it."""
    client_class = APIClient
    maxDiff = None

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site R')
        cls.rack = cls.site.racks.get()
        cls.people = create_signers()
        cls.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=cls.site)
        grant([cls.people.head], ['view', 'change', 'sign', 'restore'])
        cls.header = token_header(cls.people.head)
        cls.device = create_rich_server(cls.site, cls.rack)
        cls.reader = token_header(User.objects.create_superuser(username='reader'))

    def representations(self, device_pk):
        result = {}
        for viewname, key in REPRESENTATIONS:
            response = self.client.get(reverse(viewname), {key: device_pk, 'limit': 0, 'ordering': 'id'},
                                       **self.reader)
            self.assertEqual(response.status_code, 200, response.content)
            result[viewname] = _without_timestamps(response.json()['results'])
        return result

    def retire(self):
        decommission = create_workflow_decommission(self.device, self.people)
        add_ready_components(decommission, self.zone)
        # A disk harvested from the inventory item "Part 1", destroyed with the other media.
        part = InventoryItem.objects.get(device=self.device, name='Part 1')
        RemovedComponent.objects.create(
            decommission=decommission, kind='disk', name='Part 1', serial=part.serial, source_kind='inventory_item',
            source_pk=part.pk, condition='ok', antistatic_packed=True, package_label='BOX-P1',
            storage_location=self.zone, sanitization_method='purge', sanitized_on=datetime.date(2026, 12, 6),
            sanitization_tool='nwipe',
        )
        advance(decommission, Status.STATUS_IN_STORAGE, self.people, self.zone)
        dispose_media(decommission, self.people.head)
        for role, user in workflow.missing_signers(decommission, decommission.documents.get(kind='act')):
            workflow.sign(decommission, user, 'act', role)
        decommission.refresh_from_db()
        self.assertEqual(decommission.status, Status.STATUS_RETIRED)
        return decommission

    def post_restore(self, decommission, body=None):
        return self.client.post(action_url(decommission, 'restore'), body or {}, format='json', **self.header)



class RestoreTestCase(RestoreTestBase):
    """Partial restores, refusals, permissions, the setting, and the confirmation."""

    def test_partial_restore_reports_what_stays_out(self):
        decommission = self.retire()
        # The rack position, an address and a far-end port are taken meanwhile.
        create_test_device('newcomer', site=self.site, rack=self.rack, position=10, face='front')
        IPAddress.objects.create(address=decommission.device_snapshot['ip_addresses'][0]['address'])
        peer_id = decommission.device_snapshot['cables'][0]['peer'][0]['object_id']
        other = create_test_device('other-server', site=self.site)
        Cable(a_terminations=[Interface.objects.create(device=other, name='eth9', type='1000base-t')],
              b_terminations=[Interface.objects.get(pk=peer_id)]).save()

        preview = restore.report_of(restore.preview(decommission))
        response = self.post_restore(decommission)
        self.assertEqual(response.status_code, 200, response.content)
        report = response.json()['restore_report']
        reasons = ' | '.join(o['reason'] for o in report['not_restored'])
        self.assertIn('is taken by', reasons)
        self.assertIn('cabled elsewhere', reasons)
        self.assertEqual([o['name'] for o in preview['not_restored']], [o['name'] for o in report['not_restored']])
        device_outcome = next(o for o in report['restored'] if o['object_type'] == 'dcim.device')
        self.assertIn('is taken', ' '.join(device_outcome['notes']))
        device = Device.objects.get(pk=self.device.pk)
        self.assertEqual((device.rack, device.position), (self.rack, None))
        # The destroyed disks were removed components, not NetBox rows: nothing of theirs to restore.

    def test_refusals_change_nothing(self):
        decommission = create_workflow_decommission(self.device, self.people)
        response = self.post_restore(decommission)
        self.assertEqual(response.status_code, 409)
        self.assertIn('Draft', response.json()['detail'])
        decommission.delete()

        decommission = self.retire()
        create_test_device('rich-01', site=self.site)
        changes = ObjectChange.objects.count()
        response = self.post_restore(decommission)
        self.assertEqual(response.status_code, 409, response.content)
        self.assertIn('rich-01', response.json()['detail'])
        self.assertIn('same name', response.json()['detail'])
        # The confirmation says so before anyone submits.
        self.client.force_login(self.people.head)
        page = self.client.get(reverse('plugins:netbox_decommission:decommission_restore',
                                       kwargs={'pk': decommission.pk}))
        self.assertContains(page, 'of the same name is already in site')
        self.assertEqual(ObjectChange.objects.count(), changes)
        self.assertFalse(Device.objects.filter(pk=self.device.pk).exists())
        decommission.refresh_from_db()
        self.assertEqual(decommission.status, Status.STATUS_RETIRED)

    def test_the_records_are_shown_by_the_record_alone(self):
        decommission = self.retire()
        url = reverse('plugins-api:netbox_decommission-api:decommission-detail', kwargs={'pk': decommission.pk})
        one = self.client.get(url, **self.header).json()['snapshot']
        self.assertEqual(len(one['records']['interfaces']), 51)
        listed = self.client.get(reverse('plugins-api:netbox_decommission-api:decommission-list'),
                                 **self.header).json()['results'][0]['snapshot']
        self.assertNotIn('records', listed)
        self.assertEqual(listed['device']['name'], 'rich-01')

    def test_restore_needs_its_permission(self):
        decommission = self.retire()
        other = create_signers('x')
        grant([other.head], ['view', 'change', 'sign'], name='no restore')
        response = self.client.post(action_url(decommission, 'restore'), {}, format='json',
                                    **token_header(other.head))
        self.assertEqual(response.status_code, 403)

    def test_a_snapshot_without_records(self):
        decommission = self.retire()
        decommission.device_snapshot.pop('records')
        decommission.save()
        response = self.post_restore(decommission)
        self.assertEqual(response.status_code, 200, response.content)
        report = response.json()['restore_report']
        self.assertIn('interfaces', [o['object_type'] for o in report['not_restored']])
        device = Device.objects.get(pk=self.device.pk, name='rich-01')
        self.assertEqual((device.interface_count, device.inventory_item_count), (0, 0))

    @override_settings(PLUGINS_CONFIG={'netbox_decommission': {**PLUGIN_DEFAULTS, 'restore_within_days': 30}})
    def test_a_closed_record_within_the_days_the_setting_allows(self):
        decommission = self.retire()
        workflow.close(decommission, self.people.head)
        closing = StageChange.objects.get(decommission=decommission, to_status=Status.STATUS_CLOSED)
        StageChange.objects.filter(pk=closing.pk).update(time=closing.time - datetime.timedelta(days=31))
        response = self.post_restore(decommission)
        self.assertEqual(response.status_code, 409, response.content)
        self.assertIn('within 30 days', response.json()['detail'])
        StageChange.objects.filter(pk=closing.pk).update(time=closing.time - datetime.timedelta(days=29))
        self.assertEqual(self.post_restore(decommission).status_code, 200)
        self.assertTrue(Device.objects.filter(pk=self.device.pk).exists())

    def test_a_closed_record_by_default(self):
        decommission = self.retire()
        workflow.close(decommission, self.people.head)
        response = self.post_restore(decommission)
        self.assertEqual(response.status_code, 409, response.content)
        self.assertIn('Closed', response.json()['detail'])

    def test_the_confirmation_lists_what_will_and_will_not_come_back(self):
        decommission = self.retire()
        self.client.force_login(self.people.head)
        response = self.client.get(reverse('plugins:netbox_decommission:decommission_restore',
                                           kwargs={'pk': decommission.pk}))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'Will not come back')
        self.assertContains(response, 'Part 1')
        response = self.client.post(reverse('plugins:netbox_decommission:decommission_restore',
                                            kwargs={'pk': decommission.pk}), {'comment': 'audit'})
        self.assertEqual(response.status_code, 302)
        response = self.client.get(decommission.get_absolute_url())
        self.assertContains(response, 'Restore report')
        self.assertContains(response, 'Destroyed')



@pytest.mark.compat
class RestoreRoundTripTestCase(RestoreTestBase):
    """NetBox's REST representation of the device and what goes with it: the same before and after."""

    def assertRoundTrip(self, gone):
        before = self.representations(self.device.pk)
        self.assertEqual(len(before['dcim-api:interface-list']), 51)
        self.assertEqual(len(before['ipam-api:ipaddress-list']), 96)
        self.assertEqual(len(before['dcim-api:cable-list']), 50)
        decommission = self.retire()
        self.assertEqual(Device.objects.filter(pk=self.device.pk).exists(), not gone)

        response = self.post_restore(decommission, {'comment': 'Brought back for the audit'})
        self.assertEqual(response.status_code, 200, response.content)
        report = response.json()['restore_report']
        self.assertEqual(response.json()['status']['value'], Status.STATUS_RESTORED)
        # The destroyed disk is the one thing reported as not coming back. (Under the offline policy its inventory
        # item was never deleted, and restore deletes nothing: the report points at it.)
        self.assertEqual([(o['name'], o['reason'].split(':')[0]) for o in report['not_restored']],
                         [('Part 1', 'Destroyed')])
        after = self.representations(self.device.pk)
        part = next(i for i in before['dcim-api:inventoryitem-list'] if i['name'] == 'Part 1')
        if gone:
            before['dcim-api:inventoryitem-list'].remove(part)
            before['dcim-api:device-list'][0]['inventory_item_count'] -= 1
        for viewname, _key in REPRESENTATIONS:
            with self.subTest(viewname):
                self.assertEqual(after[viewname], before[viewname])

        decommission.refresh_from_db()
        self.assertEqual(decommission.device_id, self.device.pk)
        self.assertEqual(StageChange.objects.filter(decommission=decommission).latest('time').to_status,
                         Status.STATUS_RESTORED)
        # One request id for every change the restore made, the journal's author and time kept in its text.
        request_ids = set(ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(Device), changed_object_id=self.device.pk,
        ).order_by('-time').values_list('request_id', flat=True)[:1])
        self.assertEqual(len(request_ids), 1)
        entry = JournalEntry.objects.get(assigned_object_id=self.device.pk, comments__contains='Commissioned')
        # A journal entry retirement deleted comes back with its author and time in its text; a kept one is untouched.
        if gone:
            self.assertIn('restored by decommission', entry.comments)
        else:
            self.assertEqual(entry.comments, 'Commissioned')
        return decommission

    def test_round_trip_delete_policy(self):
        self.assertRoundTrip(gone=True)

    @override_settings(PLUGINS_CONFIG=KEEP_OFFLINE)
    def test_round_trip_offline_policy(self):
        self.assertRoundTrip(gone=False)


@pytest.mark.public_paths_rerun
@on_an_unverified_release()
class RestoreRoundTripOnThePublicPathsTestCase(RestoreRoundTripTestCase):
    """The same, where the fast paths are not verified: a module is put back as NetBox's UI creates one."""


class ConcurrentRestoreTestCase(TransactionTestCase):
    """Two restores at once, from threads with their own transactions: exactly one restores the device."""

    def test_twice_at_once(self):
        (site,) = create_sites('Site C')
        people = create_signers()
        zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)
        device = create_test_device('twice-01', site=site)
        Interface.objects.create(device=device, name='eth0', type='1000base-t')
        decommission = create_workflow_decommission(device, people)
        with mock.patch('netbox.search.deferred.any_workers_for_queue', return_value=False):
            advance(decommission, Status.STATUS_RETIRED, people, zone)
        def restore_now():
            restore.restore(Decommission.objects.get(pk=decommission.pk), people.head)

        errors = at_once(restore_now, restore_now)
        self.assertEqual(len(errors), 1, errors)
        self.assertIn('Restored', str(errors[0]))
        self.assertEqual(Device.objects.filter(name='twice-01').count(), 1)
        self.assertEqual(Interface.objects.filter(device__name='twice-01').count(), 1)
        self.assertEqual(StageChange.objects.filter(decommission=decommission, to_status='restored').count(), 1)
