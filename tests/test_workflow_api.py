"""
The workflow's REST API: POST /decommissions/{id}/<action>/ for every move, the refusals of
workflow_refusals.REFUSALS answered 409/400 with nothing changed, and the GET endpoints (impact, documents,
stage log).
"""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from dcim.models import Device, DeviceBay, DeviceType, Manufacturer
from ipam.models import Service
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, Signature
from tenancy.models import Contact, ContactAssignment, ContactRole
from utilities.testing import create_test_device
from virtualization.models import Cluster, ClusterType, VirtualMachine

from .mixins import WorkflowFixtureMixin
from .utils import (
    action_url,
    add_ready_components,
    advance,
    create_workflow_decommission,
    dispose_media,
    grant,
    token_header,
    workflow_state,
)
from .workflow_refusals import ZONE, refusal_tests

pytestmark = pytest.mark.compat


class WorkflowAPITestCaseBase(WorkflowFixtureMixin, TestCase):
    client_class = APIClient

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        people = cls.people
        cls.everyone = [people.head, people.responsible, *people.executors]
        grant(cls.everyone, ['view', 'change', 'sign'])
        cls.headers = {user.username: token_header(user) for user in cls.everyone}

    def post(self, decommission, action, user, body=None):
        return self.client.post(action_url(decommission, action), body or {}, format='json',
                                **self.headers[user.username])

    def get(self, decommission, action, user=None):
        return self.client.get(action_url(decommission, action), **self.headers[(user or self.people.head).username])

    def assertMoved(self, response, status):
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['status']['value'], status)
        return response.json()


class WorkflowAPITestCase(WorkflowAPITestCaseBase):

    def test_every_action_in_order(self):
        people, head, responsible = self.people, self.people.head, self.people.responsible
        executor1, executor2 = people.executors
        decommission = create_workflow_decommission(self.device, people)

        self.assertMoved(self.post(decommission, 'sign', head, {'document': 'order', 'role': 'head'}), 'draft')
        data = self.assertMoved(
            self.post(decommission, 'sign', responsible, {'document': 'order', 'role': 'responsible'}), 'ordered')
        # The answer is the decommission as the regular endpoint shows it.
        self.assertEqual(data['id'], decommission.pk)
        self.assertEqual(data['number'], decommission.number)
        self.assertEqual(data['device']['id'], self.device.pk)
        self.assertEqual(Device.objects.get(pk=self.device.pk).status, 'decommissioning')

        data = self.assertMoved(self.post(decommission, 'schedule', head, {
            'planned_start': '2026-12-05T22:00:00Z', 'planned_end': '2026-12-06T02:00:00Z',
        }), 'ordered')
        self.assertEqual((data['planned_start'], data['planned_end']), ('2026-12-05T22:00:00Z', '2026-12-06T02:00:00Z'))
        self.assertMoved(self.post(decommission, 'sign', head, {'document': 'application', 'role': 'head'}),
                         'scheduled')
        self.assertMoved(self.post(decommission, 'backup', responsible, {
            'method': 'network', 'target': 'backup01:/srv/backup/srv-01', 'size_gb': '250', 'verified': True,
        }), 'backed_up')
        self.assertMoved(self.post(decommission, 'shutdown', executor1, {
            'services_stopped': True, 'users_notified': True, 'powered_off': True, 'network_disconnected': True,
            'clone_medium': 'LTO-8 #17',
        }), 'shut_down')
        add_ready_components(decommission, self.zone)
        self.assertMoved(self.post(decommission, 'disassemble', executor1, {'comment': 'All parts boxed'}),
                         'disassembled')
        self.assertMoved(self.post(decommission, 'store', executor2, {
            'storage_location': self.zone.pk, 'removed_at': '2026-12-06T01:30:00Z',
        }), 'in_storage')
        self.assertMoved(self.post(decommission, 'sign', executor1, {'document': 'act', 'role': 'executor'}),
                         'in_storage')
        self.assertMoved(self.post(decommission, 'sign', executor2, {'document': 'act', 'role': 'executor'}),
                         'in_storage')
        data = self.assertMoved(self.post(decommission, 'sign', head, {'document': 'act', 'role': 'head'}), 'retired')
        self.assertIsNone(data['device'])
        self.assertFalse(Device.objects.filter(pk=self.device.pk).exists())
        dispose_media(decommission, head)
        self.assertMoved(self.post(decommission, 'close', head, {'comment': 'Verified'}), 'closed')

        decommission.refresh_from_db()
        self.assertEqual(decommission.removed_at.isoformat(), '2026-12-06T01:30:00+00:00')
        self.assertEqual(decommission.clone_medium, 'LTO-8 #17')

        # The documents, with who signed them in which role.
        response = self.get(decommission, 'documents')
        self.assertEqual(response.status_code, 200)
        documents = response.json()
        self.assertEqual([d['kind']['value'] for d in documents],
                         ['order', 'application', 'act', 'extract', 'sanitization', 'report'])
        self.assertTrue(all(d['signed_at'] for d in documents))
        self.assertEqual(documents[-1]['signatures'], [])
        self.assertEqual(
            [(s['role']['value'], s['user']['username']) for s in documents[2]['signatures']],
            [('executor', 'executor1'), ('executor', 'executor2'), ('head', 'head')],
        )

        # The stage log.
        response = self.get(decommission, 'stage-log')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [(e['from_status']['value'], e['to_status']['value'], e['user']['username']) for e in response.json()],
            [('draft', 'ordered', 'responsible'), ('ordered', 'ordered', 'head'), ('ordered', 'scheduled', 'head'),
             ('scheduled', 'backed_up', 'responsible'), ('backed_up', 'shut_down', 'executor1'),
             ('shut_down', 'disassembled', 'executor1'), ('disassembled', 'in_storage', 'executor2'),
             ('in_storage', 'retired', 'head'), ('retired', 'closed', 'head')],
        )
        self.assertEqual(response.json()[-1]['comment'], 'Verified')

    def test_cancel(self):
        decommission = self.decommission_at(Status.STATUS_ORDERED)
        data = self.assertMoved(self.post(decommission, 'cancel', self.people.head, {'reason': 'Kept as a spare'}),
                                'cancelled')
        self.assertEqual(Device.objects.get(pk=self.device.pk).status, 'planned')
        self.assertEqual(data['device']['id'], self.device.pk)

    def test_signing_twice_answers_the_record_unchanged(self):
        decommission = self.decommission_at(Status.STATUS_DRAFT)
        body = {'document': 'order', 'role': 'head'}
        self.assertMoved(self.post(decommission, 'sign', self.people.head, body), 'draft')
        self.assertMoved(self.post(decommission, 'sign', self.people.head, body), 'draft')
        self.assertEqual(Signature.objects.filter(document__decommission=decommission).count(), 1)

    def test_invalid_bodies(self):
        decommission = self.decommission_at(Status.STATUS_DRAFT)
        head = self.people.head
        for action, body, field in (
            ('sign', {'document': 'invoice', 'role': 'head'}, 'document'),
            ('sign', {'document': 'order', 'role': 'owner'}, 'role'),
            ('sign', {'role': 'head'}, 'document'),
            ('schedule', {'planned_start': 'tomorrow', 'planned_end': '2026-12-06T02:00:00Z'}, 'planned_start'),
            ('store', {'storage_location': 999999}, 'storage_location'),
            ('backup', {'method': 'carrier-pigeon', 'verified': True}, 'method'),
            ('cancel', {}, 'reason'),
        ):
            with self.subTest(action=action, body=body):
                response = self.post(decommission, action, head, body)
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(field, response.json())
        self.assertEqual(Decommission.objects.get(pk=decommission.pk).status, Status.STATUS_DRAFT)
        self.assertFalse(Signature.objects.exists())

    def test_unknown_decommission(self):
        response = self.client.post(
            reverse('plugins-api:netbox_decommission-api:decommission-cancel', kwargs={'pk': 999999}),
            {'reason': 'x'}, format='json', **self.headers['head'],
        )
        self.assertEqual(response.status_code, 404)


class WorkflowAPIRefusalsTestCase(WorkflowAPITestCaseBase):
    """Each refusal of REFUSALS over REST: 409 {"detail": ...} or 400 {field: [...]}, and nothing changed."""

    def run_refusal(self, refusal):
        decommission = self.prepared(refusal)
        state = workflow_state(decommission)
        body = {key: self.zone.pk if value == ZONE else value for key, value in refusal.body.items()}
        response = self.post(decommission, refusal.action, self.actor(refusal.actor), body)
        self.assertEqual(response.status_code, refusal.status, response.content)
        data = response.json()
        if refusal.status == 409:
            self.assertEqual(list(data), ['detail'])
            message = data['detail']
            self.assertIn(decommission.number, message)
        else:
            self.assertEqual(list(data), [refusal.field])
            message = ' '.join(data[refusal.field])
        for text in refusal.rest_says or refusal.says:
            self.assertIn(text, message)
        self.assertEqual(workflow_state(decommission), state)

    locals().update(refusal_tests(run_refusal))


class ImpactAPITestCase(WorkflowAPITestCaseBase):
    """GET impact/: what removing the device touches; after retirement, the same from the snapshot."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        device = cls.device
        manufacturer = Manufacturer.objects.create(name='Blade maker', slug='blade-maker')
        child_type = DeviceType.objects.create(manufacturer=manufacturer, model='Blade', slug='blade', u_height=0,
                                               subdevice_role='child')
        DeviceType.objects.filter(pk=device.device_type_id).update(subdevice_role='parent')
        cls.child = create_test_device('srv-01-blade-1', site=cls.site)
        Device.objects.filter(pk=cls.child.pk).update(device_type=child_type)
        DeviceBay.objects.create(device=device, name='Bay 1', installed_device=cls.child)

        cluster = Cluster.objects.create(name='Cluster 1', type=ClusterType.objects.create(name='KVM', slug='kvm'))
        device.cluster = cluster
        device.save()
        VirtualMachine.objects.create(name='vm-web', cluster=cluster, status='active')
        VirtualMachine.objects.create(name='vm-db', cluster=cluster, status='offline')

        Service.objects.create(parent=device, name='ssh', port_mappings=['tcp/22'], description='Admin access')
        Service.objects.create(parent=device, name='https', port_mappings=['tcp/443', 'tcp/8443'])
        # On two protocols: NetBox's legacy protocol/ports cannot express it (both None).
        Service.objects.create(parent=device, name='dns', port_mappings=['tcp/53', 'udp/53'])

        contact = Contact.objects.create(name='Alice Owner', email='alice@example.com', phone='+1 555 0100')
        ContactAssignment.objects.create(
            object_type=ContentType.objects.get_for_model(Device), object_id=device.pk, contact=contact,
            role=ContactRole.objects.create(name='Owner', slug='owner'), priority='primary',
        )

    def test_impact_report(self):
        decommission = self.decommission_at(Status.STATUS_DRAFT)
        response = self.get(decommission, 'impact')
        self.assertEqual(response.status_code, 200, response.content)
        impact = response.json()
        server = self.server

        self.assertEqual(impact['device'], {'id': self.device.pk, 'name': 'srv-01', 'status': 'planned'})
        (cable,) = impact['cables']
        self.assertEqual(cable['id'], server.cable.pk)
        self.assertEqual(cable['label'], 'srv-01-uplink')
        self.assertEqual([(e['device'], e['name']) for e in cable['local']], [('srv-01', 'eth0')])
        self.assertEqual([(e['device'], e['name'], e['object_type']) for e in cable['peer']],
                         [('srv-01-tor', 'Ethernet10', 'dcim.interface')])
        self.assertEqual(
            [(ip['address'], ip['interface'], ip['primary']) for ip in impact['ip_addresses']],
            [('192.0.2.10/24', 'eth0', 'ipv4'), ('198.51.100.10/24', 'eth1', ''), ('2001:db8::10/64', 'eth0', 'ipv6')],
        )
        self.assertEqual(impact['child_devices'],
                         [{'bay': 'Bay 1', 'device': 'srv-01-blade-1', 'device_id': self.child.pk}])
        self.assertEqual(
            sorted((vm['name'], vm['status'], vm['cluster'], vm['pinned']) for vm in impact['virtual_machines']),
            [('vm-db', 'offline', 'Cluster 1', False), ('vm-web', 'active', 'Cluster 1', False)],
        )
        self.assertEqual(
            [(s['name'], s['protocol'], s['ports'], s['port_mappings'], s['description']) for s in impact['services']],
            [('dns', None, [], ['tcp/53', 'udp/53'], ''), ('https', 'tcp', [443, 8443], ['tcp/443', 'tcp/8443'], ''),
             ('ssh', 'tcp', [22], ['tcp/22'], 'Admin access')],
        )
        self.assertEqual(impact['contacts'], [{'contact': 'Alice Owner', 'role': 'Owner', 'priority': 'primary',
                                               'email': 'alice@example.com', 'phone': '+1 555 0100'}])
        self.assertEqual(impact['circuits'], [])

    def test_after_retirement_the_report_comes_from_the_snapshot(self):
        decommission = self.decommission_at(Status.STATUS_DRAFT)
        before = self.get(decommission, 'impact').json()
        advance(decommission, Status.STATUS_RETIRED, self.people, self.zone)
        self.assertFalse(Device.objects.filter(pk=self.device.pk).exists())

        response = self.get(decommission, 'impact')
        self.assertEqual(response.status_code, 200, response.content)
        after = response.json()
        self.assertTrue(after['from_snapshot'])
        self.assertIsNone(after['device'])
        for key in ('cables', 'ip_addresses', 'virtual_machines', 'child_devices', 'services', 'contacts', 'circuits',
                    'power_ports'):
            self.assertEqual(after[key], before[key], key)
        self.assertEqual(len(after['cables']), 1)
        self.assertEqual(len(after['services']), 3)

