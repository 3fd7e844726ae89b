"""
Closing's network check: is the retired server still visible on the network? Every address the device had (its
snapshot's) is probed from the NetBox host: a TCP connection to each configured port and, where the host permits
it, an ICMP echo. The close move (moves.close) calls it explicitly and decides what an answer means; this module
only probes and reports, in the format kept on the record (Decommission.network_check) and read by the decommission
report.

What counts as an answer: an accepted TCP connection or an echo reply. A refused connection (RST) or a timeout does
not: a host that refuses still exists, but so does every router or firewall that answers for an address nobody holds
any more, and the loopback interface refuses for every address of 127.0.0.0/8 (docs/network-check.md).
"""
import ipaddress
import os
import socket
import struct
import time
from concurrent.futures import ThreadPoolExecutor

from django.utils import timezone

__all__ = (
    'check',
    'former_addresses',
    'icmp_permitted',
    'probe',
    'still_answering',
)

# Threads probing at once. Each probe waits on a socket, not on a processor: many threads cost little, and with
# this many a hundred addresses on four ports take a few timeouts, not four hundred.
MAX_THREADS = 64

ECHO_REQUEST = {socket.AF_INET: 8, socket.AF_INET6: 128}
ECHO_REPLY = {socket.AF_INET: 0, socket.AF_INET6: 129}
ICMP_PROTOCOL = {socket.AF_INET: socket.IPPROTO_ICMP, socket.AF_INET6: socket.IPPROTO_ICMPV6}


def _address(value):
    """The address of "192.0.2.10/24" (or of a bare address), as a string; None for what is not an address."""
    try:
        return str(ipaddress.ip_interface(str(value).strip()).ip)
    except ValueError:
        return None


def former_addresses(decommission):
    """
    Every address the retired device had, without its prefix length, in a stable order (IPv4 first): the snapshot's
    addresses (its readable section, and the device's records that restore uses: device_records.records) and the
    primary addresses frozen on the record (the only ones known when there is no snapshot).
    """
    snapshot = decommission.device_snapshot or {}
    records = snapshot.get('records') or {}
    found = [entry.get('address') for entry in snapshot.get('ip_addresses') or [] if isinstance(entry, dict)]
    found += [
        (record.get('fields') or {}).get('address')
        for record in (records.get('ip_addresses') or [] if isinstance(records, dict) else [])
        if isinstance(record, dict)
    ]
    found += [decommission.primary_ip4, decommission.primary_ip6]
    addresses = {_address(value) for value in found if value}
    addresses.discard(None)
    return sorted(addresses, key=lambda a: (ipaddress.ip_address(a).version, ipaddress.ip_address(a)))


def _family(address):
    return socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET


def _tcp_answers(address, port, timeout):
    """True when the address accepts a TCP connection on the port within the timeout."""
    with socket.socket(_family(address), socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect((address, port))
        except OSError:
            # Refused, timed out, unreachable, no route: nobody took the connection.
            return False
        return True


def _icmp_socket(family):
    """An unprivileged ICMP echo socket (Linux: net.ipv4.ping_group_range must admit the process's group)."""
    return socket.socket(family, socket.SOCK_DGRAM, ICMP_PROTOCOL[family])


def icmp_permitted():
    """Whether this host lets the plugin open an unprivileged ICMP echo socket (the same setting rules IPv6)."""
    try:
        _icmp_socket(socket.AF_INET).close()
    except OSError:
        # EACCES where the group is not admitted; EPROTONOSUPPORT and the like where the kernel has no such socket.
        return False
    return True


def _checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack(f'!{len(data) // 2}H', data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def _icmp_answers(address, timeout):
    """True when the address sends an echo reply within the timeout."""
    family = _family(address)
    payload = os.urandom(16)
    # The kernel sets the identifier of a datagram echo socket (and delivers only the replies that carry it) and
    # fills in the checksum of ICMPv6; the checksum of ICMPv4 is computed here all the same.
    header = struct.pack('!BBHHH', ECHO_REQUEST[family], 0, 0, 0, 1)
    packet = struct.pack('!BBHHH', ECHO_REQUEST[family], 0, _checksum(header + payload), 0, 1) + payload
    deadline = time.monotonic() + timeout
    try:
        with _icmp_socket(family) as sock:
            sock.sendto(packet, (address, 0))
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                reply, _source = sock.recvfrom(2048)
                if reply[:1] == bytes([ECHO_REPLY[family]]) and reply[8:] == payload:
                    return True
    except OSError:
        # Timed out, unreachable, or no ICMPv6 on this host.
        return False
    return False


def probe(addresses, tcp_ports, timeout, icmp):
    """
    Probe each address on each TCP port (and by ICMP echo when ``icmp``), all at once: the whole check takes about
    one timeout, however many addresses. Answers {address: "tcp/<port>" | "icmp" | ""}: the first probe that
    answered, in the order TCP ports as configured, then ICMP.
    """
    probes = [(address, f'tcp/{port}', _tcp_answers, (address, port, timeout))
              for address in addresses for port in tcp_ports]
    if icmp:
        probes += [(address, 'icmp', _icmp_answers, (address, timeout)) for address in addresses]
    answered_on = dict.fromkeys(addresses, '')
    if not probes:
        return answered_on
    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(probes)), thread_name_prefix='network-check') as pool:
        results = [(address, how, pool.submit(function, *args)) for address, how, function, args in probes]
        for address, how, result in results:
            if result.result() and not answered_on[address]:
                answered_on[address] = how
    return answered_on


def check(decommission, user, settings, override_reason=''):
    """
    The network check of a retired record as it is kept on the record (docs/network-check.md). ``settings`` is the
    close_network_check setting with its defaults (plugin_settings.network_check_settings()).
    """
    # Asked even when ICMP is off: the record then says whether turning it on would work on this host.
    permitted = icmp_permitted()
    addresses = former_addresses(decommission)
    tcp_ports = list(settings['tcp_ports'])
    answered_on = probe(addresses, tcp_ports, settings['timeout'], icmp=settings['icmp'] and permitted)
    return {
        'checked_at': timezone.now().isoformat(),
        'checked_by': user.username,
        'tcp_ports': tcp_ports,
        'icmp': settings['icmp'],
        'icmp_permitted': permitted,
        'timeout': float(settings['timeout']),
        'addresses': [
            {'address': address, 'answered': bool(answered_on[address]), 'answered_on': answered_on[address]}
            for address in addresses
        ],
        'override_reason': override_reason,
    }


def still_answering(result):
    """The addresses of a check's result that answered, each with how."""
    return [(entry['address'], entry['answered_on']) for entry in result['addresses'] if entry['answered']]
