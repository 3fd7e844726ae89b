"""
Closing's network check (workflow/network_check.py, docs/network-check.md): the retired server's former addresses,
probed from the NetBox host when close_network_check is enabled. The server's addresses are loopback ones, so the
probes never leave this host: an address answers where the test listens on it, and is silent where the test only
binds the port (the loopback interface then refuses the connection) or where the listener's queue is full (the
connection times out).
"""
import datetime
import socket
import time
from unittest import mock

from django.test import Client, TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from dcim.models import Device
from ipam.models import IPAddress
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission
from netbox_decommission.workflow import MOVES, network_check

from .mixins import WorkflowFixtureMixin
from .utils import (
    action_url,
    advance,
    create_workflow_decommission,
    dispose_media,
    grant,
    plugin_settings,
    token_header,
    workflow_state,
)

LISTENING = '127.0.0.2'
SILENT = '127.0.0.3'
IPV6 = '::1'
TIMEOUT = 0.5
OVERRIDE = 'The address was handed over to srv-02, which answers on it now.'


def bound(address, port=0, listen=False, backlog=5):
    """A TCP socket bound to the address (and port), listening if asked; None where the host has no such address."""
    family = socket.AF_INET6 if ':' in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.bind((address, port))
    except OSError:
        sock.close()
        return None
    if listen:
        sock.listen(backlog)
    return sock


def icmp_permitted_here():
    """Whether this host admits the tests' group to unprivileged ICMP echo sockets (net.ipv4.ping_group_range)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP).close()
    except OSError:
        return False
    return True


class NetworkCheckTestCase(WorkflowFixtureMixin, TestCase):
    client_class = APIClient

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # The server's primary IPv4, its IPv6 and its other address become loopback addresses before any record
        # freezes or snapshots them.
        for ip, address in ((cls.server.ip4, f'{LISTENING}/8'), (cls.server.ip6, f'{IPV6}/128'),
                            (cls.server.other_ip, f'{SILENT}/8')):
            IPAddress.objects.filter(pk=ip.pk).update(address=address)
        cls.device = Device.objects.get(pk=cls.device.pk)
        grant([cls.people.head], ['view', 'change', 'sign'])
        cls.headers = token_header(cls.people.head)
        cls.decommission = advance(create_workflow_decommission(cls.device, cls.people), Status.STATUS_RETIRED,
                                   cls.people, cls.zone)
        dispose_media(cls.decommission, cls.people.head)

    def setUp(self):
        # One port on every address: bound everywhere (so no other process answers there), listened on only where a
        # test asks for an address that answers.
        self.sockets = []
        first = self.keep(bound(LISTENING))
        self.port = first.getsockname()[1]
        self.listener = first
        self.keep(bound(SILENT, self.port))
        self.keep(bound(IPV6, self.port))
        # Only this host's loopback addresses are probed.
        self.assertEqual(network_check.former_addresses(self.decommission), [LISTENING, SILENT, IPV6])

    def tearDown(self):
        for sock in self.sockets:
            sock.close()

    def keep(self, sock):
        if sock is not None:
            self.sockets.append(sock)
        return sock

    def settings(self, **values):
        return plugin_settings(close_network_check={'enabled': True, 'tcp_ports': [self.port], 'timeout': TIMEOUT,
                                                    **values})

    def close(self, body=None):
        return self.client.post(action_url(self.decommission, MOVES['close'].name), body or {}, format='json',
                                **self.headers)

    def record(self):
        return Decommission.objects.get(pk=self.decommission.pk)

    def assertClosed(self, response):
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['status']['value'], Status.STATUS_CLOSED)
        record = self.record()
        # The REST API shows what the record keeps.
        self.assertEqual(response.json()['network_check'], record.network_check)
        return record.network_check

    def assertResults(self, result, answered_on, override_reason='', icmp=False):
        """The record's results in the format the decommission report reads."""
        self.assertEqual(set(result), {'checked_at', 'checked_by', 'tcp_ports', 'icmp', 'icmp_permitted', 'timeout',
                                       'addresses', 'override_reason'})
        self.assertLess(abs(datetime.datetime.fromisoformat(result['checked_at'])
                            - datetime.datetime.now(datetime.UTC)), datetime.timedelta(minutes=1))
        self.assertEqual(result['checked_by'], self.people.head.username)
        self.assertEqual(result['tcp_ports'], [self.port])
        self.assertEqual(result['icmp'], icmp)
        self.assertEqual(result['icmp_permitted'], icmp_permitted_here())
        self.assertEqual(result['timeout'], TIMEOUT)
        self.assertEqual(result['override_reason'], override_reason)
        self.assertEqual(result['addresses'], [
            {'address': address, 'answered': address in answered_on, 'answered_on': answered_on.get(address, '')}
            for address in (LISTENING, SILENT, IPV6)
        ])

    def test_off_by_default(self):
        self.listener.listen()
        with plugin_settings(close_network_check={'tcp_ports': [self.port]}):
            result = self.assertClosed(self.close())
        self.assertIsNone(result)
        # Nothing was probed: nobody knocked at the listening address.
        self.listener.setblocking(False)
        with self.assertRaises(BlockingIOError):
            self.listener.accept()
        # No results, no panel.
        client = Client()
        client.force_login(self.people.head)
        self.assertNotContains(client.get(self.decommission.get_absolute_url()), 'id="network-check"')

    def test_an_address_that_answers_blocks_closing_in_the_api(self):
        self.listener.listen()
        before = workflow_state(self.decommission)
        with self.settings():
            response = self.close({'comment': 'All gone'})
            # A reason of nothing but spaces is no reason.
            blank = self.close({'network_check_override': '   '})
        self.assertEqual(response.status_code, 409, response.content)
        self.assertIn(f'{LISTENING} still answers on TCP port {self.port}', response.json()['detail'])
        self.assertNotIn(SILENT, response.json()['detail'])
        self.assertEqual(blank.status_code, 409, blank.content)
        # Nothing was kept of the refused attempts: not the stage, not the results.
        self.assertEqual(workflow_state(self.decommission), before)
        self.assertIsNone(self.record().network_check)

    def test_an_address_that_answers_blocks_closing_in_the_ui(self):
        self.listener.listen()
        before = workflow_state(self.decommission)
        client = Client()
        client.force_login(self.people.head)
        url = reverse(MOVES['close'].viewname, kwargs={'pk': self.decommission.pk})
        with self.settings():
            form = client.get(url)
            response = client.post(url, {'network_check_override': '', 'comment': ''})
        self.assertContains(form, 'name="network_check_override"')
        self.assertContains(response, f'{LISTENING} still answers on TCP port {self.port}')
        self.assertEqual(workflow_state(self.decommission), before)

    def test_the_override_closes_with_its_reason_and_the_results(self):
        self.listener.listen()
        with self.settings():
            result = self.assertClosed(self.close({'network_check_override': f'  {OVERRIDE}\n'}))
        self.assertResults(result, {LISTENING: f'tcp/{self.port}'}, override_reason=OVERRIDE)
        # The record's page shows them.
        client = Client()
        client.force_login(self.people.head)
        page = client.get(self.decommission.get_absolute_url())
        self.assertContains(page, 'id="network-check-addresses"')
        self.assertContains(page, OVERRIDE)
        self.assertContains(page, f'tcp/{self.port}')

    def test_silent_addresses_let_it_close(self):
        with self.settings():
            result = self.assertClosed(self.close())
        self.assertResults(result, {})

    def test_icmp_not_permitted_is_recorded_and_tcp_decides(self):
        denied = PermissionError(13, 'Permission denied')
        with self.settings(icmp=True), mock.patch.object(network_check, '_icmp_socket', side_effect=denied):
            result = self.assertClosed(self.close())
        self.assertTrue(result['icmp'])
        self.assertFalse(result['icmp_permitted'])
        self.assertFalse(any(entry['answered'] for entry in result['addresses']))

    def test_icmp_as_this_host_permits_it(self):
        with self.settings(icmp=True):
            response = self.close()
        if icmp_permitted_here():
            # The loopback interface answers every echo of 127.0.0.0/8.
            self.assertEqual(response.status_code, 409, response.content)
            self.assertIn(f'{LISTENING} still answers ICMP echo (ping)', response.json()['detail'])
        else:
            self.assertResults(self.assertClosed(response), {}, icmp=True)


class ProbeTestCase(TestCase):
    """The probing itself: which addresses, what counts as an answer, and all at once."""

    def test_former_addresses_without_prefix_length(self):
        decommission = Decommission(
            primary_ip4='192.0.2.10/24', primary_ip6='2001:db8::10/64',
            device_snapshot={
                'ip_addresses': [{'address': '192.0.2.10/24'}, {'address': '2001:db8::10/64'}],
                'records': {'format': 1, 'ip_addresses': [
                    {'model': 'ipam.ipaddress', 'pk': 3, 'fields': {'address': '198.51.100.10/24'}},
                ]},
            },
        )
        self.assertEqual(network_check.former_addresses(decommission),
                         ['192.0.2.10', '198.51.100.10', '2001:db8::10'])
        # Without a snapshot the primary addresses frozen on the record are all that is known.
        self.assertEqual(network_check.former_addresses(Decommission(primary_ip4='192.0.2.10/24')), ['192.0.2.10'])
        self.assertEqual(network_check.former_addresses(Decommission()), [])

    def test_a_timeout_is_silence_and_addresses_are_probed_at_once(self):
        # A listener whose queue is full drops new connections: the probe waits out its timeout.
        addresses = [f'127.0.0.{n}' for n in range(11, 17)]
        sockets = []
        try:
            port = 0
            for address in addresses:
                listener = bound(address, port, listen=True, backlog=0)
                port = listener.getsockname()[1]
                filler = socket.create_connection((address, port))
                sockets += [listener, filler]
            started = time.monotonic()
            answered_on = network_check.probe(addresses, [port], TIMEOUT, icmp=False)
            elapsed = time.monotonic() - started
        finally:
            for sock in sockets:
                sock.close()
        self.assertEqual(answered_on, dict.fromkeys(addresses, ''))
        self.assertGreaterEqual(elapsed, TIMEOUT * 0.9)
        # One after the other they would take six timeouts.
        self.assertLess(elapsed, TIMEOUT * 4)
