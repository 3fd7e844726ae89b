"""
Servers the size of real ones, for the query-count pins and the benchmark: many interfaces, each with its
addresses and a cable to a switch port, and a chassis full of inventory items. Built through the models'
save(), as NetBox builds them, so that cables have their terminations and paths.
"""
from ipaddress import IPv4Address

from dcim.models import Cable, Interface, InventoryItem, MACAddress
from ipam.models import IPAddress
from utilities.testing import create_test_device


def create_large_server(site, name, switch, interfaces=48, ips_per_interface=2, cables=None, inventory_items=20,
                        **attrs):
    """
    A server with `interfaces` interfaces (each with a MAC and `ips_per_interface` addresses; the first `cables`, by
    default all, cabled to a port of `switch`) and `inventory_items` inventory items; eth0's first address is its
    primary IPv4.
    """
    device = create_test_device(name, site=site, serial=f'SN-{name}', **attrs)
    # Addresses unique per device: a block of 1024 in 10.0.0.0/8 per device ID.
    base = IPv4Address('10.0.0.0') + device.pk % 16384 * 1024
    first_ip = None
    for i in range(interfaces):
        interface = Interface.objects.create(device=device, name=f'eth{i}', type='10gbase-x-sfpp')
        mac = MACAddress.objects.create(
            mac_address=f'02:{device.pk // 256 % 256:02x}:{device.pk % 256:02x}:00:{i // 256:02x}:{i % 256:02x}',
            assigned_object=interface,
        )
        interface.primary_mac_address = mac
        interface.save()
        for j in range(ips_per_interface):
            n = i * ips_per_interface + j
            address = IPAddress.objects.create(
                address=f'{base + n + 1}/22',
                assigned_object=interface, dns_name=f'{name}-{n}.example.com',
            )
            first_ip = first_ip or address
        if cables is None or i < cables:
            port = Interface.objects.create(device=switch, name=f'{name}-eth{i}', type='10gbase-x-sfpp')
            Cable(a_terminations=[interface], b_terminations=[port], label=f'{name}-eth{i}').save()
    for i in range(inventory_items):
        InventoryItem.objects.create(device=device, name=f'Part {i}', serial=f'INV-{name}-{i}', part_id=f'PN-{i}')
    if first_ip is not None:
        device.refresh_from_db()  # the component counters NetBox keeps on the row, which save() writes back
        device.primary_ip4 = first_ip
        device.save()
    return device
