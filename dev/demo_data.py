"""Load realistic demo data into the development NetBox (development only; idempotent).

Run through NetBox's environment, as `make demo` does:

    PYTHONPATH=dev NETBOX_CONFIGURATION=netbox_configuration NETBOX_ROOT=$PWD/.dev/netbox \\
        .venv/bin/python dev/demo_data.py

One data centre, DC Moscow-1 (site slug `dc-msk-1`), with two halls, four 42U racks, a top-of-rack switch per
rack and 40 servers: serials, asset tags, rack positions, interfaces with MAC addresses, IP addresses (primary
and out-of-band), DAC cables to the switches, and inventory items (CPUs, DIMMs, disks, NICs, PSUs) with
manufacturer, part ID and serial. Then the plugin's storage locations: a removal zone, a temporary storage, a
warehouse shelf and a disposal vendor.

Then twelve decommissions, one in every stage, walked through the plugin's own service functions by the people
dev/bootstrap.py creates (run it first), each move by the person whose part it is, over the past six weeks (story
time: DECOMMISSIONS): msk1-db-06 and msk1-bkp-04 closed (every document signed and frozen, the servers retired,
media sanitized with their certificates, parts handed over to the disposal vendor — msk1-db-06's hand-over
reconciled with the vendor's certificate and closed, msk1-bkp-04's awaiting it), msk1-k8s-05 retired by mistake and
restored from its snapshot, msk1-k8s-03 retired, msk1-app-08 in storage with the act awaiting the head's signature,
msk1-web-04 disassembled, msk1-k8s-07 shut down, msk1-db-02 backed up with its window passed (overdue), msk1-web-08
scheduled for next week, msk1-app-05 ordered, msk1-k8s-09 cancelled, and msk1-app-11 a draft whose order waits for
the signatures of ivanov (head) and petrov (responsible). An archive of the closed records' documents is a completed
job in NetBox's job list, and each person's home page shows the plugin's dashboard widgets.

The documentation's examples start decommissions of servers the demo leaves alone: msk1-app-10
(docs/examples/walk_decommission.py), msk1-app-12 (README.md), msk1-web-06 and msk1-web-07 (docs/api.md).

The data-centre part is skipped when the site already exists; each storage location and each decommission is
created only if missing (a decommission: if its server has none; a home page: if the user has none). The data centre
is generated from a fixed seed, so every run on an empty database gives the same data; the decommissions' dates are
relative to the day of the run.
"""

import os
import random
import sys
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path


def _dev_dir():
    # Run as a file, __file__ is this script; fed to `netbox shell` on standard input it is not (or not defined).
    here = Path(globals().get('__file__', '.')).resolve().parent
    return here if (here / 'netbox_configuration.py').exists() else Path.cwd() / 'dev'


DEV_DIR = _dev_dir()

SEED = 20260315
SITE_SLUG = 'dc-msk-1'
DOMAIN = 'msk1.example.net'

MANUFACTURERS = (
    'Dell', 'HPE', 'Supermicro', 'Arista', 'Cisco', 'Intel', 'AMD', 'Samsung', 'Micron', 'Seagate', 'NVIDIA',
)

# Interfaces of every server: (name, type, mgmt_only). The MAC vendor is the server maker for the on-board and
# management ports, NVIDIA (Mellanox) for the 25G card.
SERVER_INTERFACES = (
    ('mgmt', '1000base-t', True),
    ('eno1', '1000base-t', False),
    ('eno2', '1000base-t', False),
    ('ens1f0', '25gbase-x-sfp28', False),
    ('ens1f1', '25gbase-x-sfp28', False),
)
UPLINK_INTERFACES = ('ens1f0', 'ens1f1')
OUI = {
    'Dell': 'd0:94:66',
    'HPE': '94:40:c9',
    'Supermicro': 'ac:1f:6b',
    'Arista': '44:4c:a8',
    'Cisco': '00:3a:7d',
    'NVIDIA': 'b8:ce:f6',
}

# (manufacturer, model, slug, part number, height in U, management port label)
SERVER_TYPES = {
    'r650': ('Dell', 'PowerEdge R650', 'dell-poweredge-r650', '210-AYJZ', 1, 'iDRAC'),
    'r750': ('Dell', 'PowerEdge R750', 'dell-poweredge-r750', '210-AYCG', 2, 'iDRAC'),
    'dl360': ('HPE', 'ProLiant DL360 Gen10 Plus', 'hpe-proliant-dl360-gen10-plus', 'P28948-B21', 1, 'iLO'),
    'dl380': ('HPE', 'ProLiant DL380 Gen10 Plus', 'hpe-proliant-dl380-gen10-plus', 'P05172-B21', 2, 'iLO'),
    'sys1029': ('Supermicro', 'SYS-1029P-WTR', 'supermicro-sys-1029p-wtr', 'SYS-1029P-WTR', 1, 'IPMI'),
    'ssg6029': ('Supermicro', 'SSG-6029P-E1CR12L', 'supermicro-ssg-6029p-e1cr12l', 'SSG-6029P-E1CR12L', 2, 'IPMI'),
}
# The servers' weights in kilograms as their makers give them (the e-waste report and the hand-over manifests add them).
SERVER_WEIGHTS = {'r650': '17.9', 'r750': '28.6', 'dl360': '16.3', 'dl380': '24.9', 'sys1029': '13.6', 'ssg6029': '32'}
# The removed parts' weights in kilograms by kind, as the executors weigh them at the inspection (NetBox's inventory
# items record none).
PART_WEIGHTS = {'cpu': '0.10', 'memory': '0.03', 'ssd': '0.08', 'disk': '0.72', 'nic': '0.16', 'psu': '1.05'}
SWITCH_TYPES = {
    # (manufacturer, model, slug, part number, port name format, management port, platform slug)
    'arista': ('Arista', 'DCS-7050SX3-48YC8', 'arista-dcs-7050sx3-48yc8', 'DCS-7050SX3-48YC8-F',
               'Ethernet{}', 'Management1', 'arista-eos'),
    'cisco': ('Cisco', 'Nexus 93180YC-FX', 'cisco-nexus-93180yc-fx', 'N9K-C93180YC-FX',
              'Ethernet1/{}', 'mgmt0', 'cisco-nx-os'),
}

# Components: (role slug, manufacturer, part ID, description, serial style)
CPU = {
    'gold6338': ('cpu', 'Intel', 'CD8068904572501', 'Intel Xeon Gold 6338, 32C, 2.0 GHz', 'ppin'),
    'gold6354': ('cpu', 'Intel', 'CD8068904571601', 'Intel Xeon Gold 6354, 18C, 3.0 GHz', 'ppin'),
    'silver4314': ('cpu', 'Intel', 'CD8068904655303', 'Intel Xeon Silver 4314, 16C, 2.4 GHz', 'ppin'),
    'epyc7443': ('cpu', 'AMD', '100-000000340', 'AMD EPYC 7443, 24C, 2.85 GHz', 'ppin'),
}
DIMM = {
    '32g': ('memory', 'Samsung', 'M393A4K40EB3-CWE', '32 GB DDR4-3200 RDIMM', 'dimm'),
    '64g': ('memory', 'Samsung', 'M393A8G40AB2-CWE', '64 GB DDR4-3200 RDIMM', 'dimm'),
    '32g-micron': ('memory', 'Micron', 'MTA36ASF4G72PZ-3G2R1', '32 GB DDR4-3200 RDIMM', 'dimm'),
}
DISK = {
    'ssd960': ('ssd', 'Samsung', 'MZ7L3960HCJR-00A07', 'Samsung PM893 960 GB SATA SSD', 'samsung'),
    'ssd480': ('ssd', 'Intel', 'SSDSC2KB480G8', 'Intel D3-S4510 480 GB SATA SSD', 'intel'),
    'nvme3t8': ('ssd', 'Samsung', 'MZQL23T8HCLS-00A07', 'Samsung PM9A3 3.84 TB NVMe U.2', 'samsung'),
    'nvme1t9': ('ssd', 'Micron', 'MTFDKCC1T9TFR', 'Micron 7450 PRO 1.92 TB NVMe U.3', 'micron'),
    'hdd16t': ('hdd', 'Seagate', 'ST16000NM001G', 'Seagate Exos X16 16 TB SATA HDD', 'seagate'),
}
NIC = ('nic', 'NVIDIA', 'MCX512A-ACAT', 'NVIDIA Mellanox ConnectX-5 EN 2x25GbE SFP28', 'mellanox')
PSU = {
    'Dell': ('psu', 'Dell', '0CMPGM', 'Dell 800 W Platinum hot-plug PSU', 'dellpsu'),
    'HPE': ('psu', 'HPE', '865414-B21', 'HPE 800 W Flex Slot Platinum PSU', 'hpepsu'),
    'Supermicro': ('psu', 'Supermicro', 'PWS-1K02A-1R', 'Supermicro 1000 W Titanium redundant PSU', 'smpsu'),
}

# Server groups: (prefix, count, server type, platform slug, tenant slug, CPU, CPU count, DIMM, DIMM count, disks)
SERVER_GROUPS = (
    ('app', 12, 'r650', 'ubuntu-22-04', 'retail-online', 'gold6338', 2, '32g', 16, (('ssd960', 2),)),
    ('web', 8, 'sys1029', 'astra-linux-se-1-7', 'retail-online', 'silver4314', 2, '32g-micron', 8,
     (('ssd480', 2),)),
    ('k8s', 10, 'r750', 'ubuntu-22-04', 'internal-it', 'epyc7443', 2, '32g', 16,
     (('ssd480', 2), ('nvme1t9', 4))),
    ('db', 6, 'dl380', 'rhel-9', 'retail-online', 'gold6354', 2, '64g', 16, (('ssd960', 2), ('nvme3t8', 4))),
    ('bkp', 4, 'ssg6029', 'rhel-9', 'internal-it', 'silver4314', 1, '32g-micron', 8,
     (('ssd480', 2), ('hdd16t', 12))),
)
# Servers that are not in service: candidates for the decommissioning workflow.
SERVER_STATUS = {
    'msk1-app-11': 'offline',
    'msk1-app-12': 'offline',
    'msk1-web-08': 'failed',
    'msk1-db-06': 'offline',
}

RACKS = (
    # (location, rack name, facility ID, switch type)
    ('hall-a', 'A01', 'MSK1-A-01', 'arista'),
    ('hall-a', 'A02', 'MSK1-A-02', 'arista'),
    ('hall-b', 'B01', 'MSK1-B-01', 'cisco'),
    ('hall-b', 'B02', 'MSK1-B-02', 'cisco'),
)
SWITCH_PORTS = 48
SERVER_NET = '10.11.10'  # production, one /24
OOB_NET = '10.11.20'  # out-of-band management, one /24

# The demo's decommissions, one per stage, oldest first: (server, the stage it ends at, reason, reason text, the day
# it was started and the first day of its removal window, in days from today). Each is walked by the people of
# dev/bootstrap.py, each move by the person whose part it is, through the workflow's own service functions, in story
# time: a record's moves happen on the days after its start and around its window, so the stage log, the change
# log, the dashboard and the calendar show weeks of work. The window of the scheduled record lies ahead; that of the
# backed-up one has passed (the dashboard's overdue list).
DECOMMISSIONS = (
    ('msk1-db-06', 'closed', 'end_of_life', 'Out of warranty since March; the database moved to the new cluster',
     -40, -34),
    ('msk1-bkp-04', 'closed', 'contract_end',
     'The storage support contract ended; the backup repository moved to msk1-bkp-01..03', -33, -27),
    ('msk1-k8s-05', 'restored', 'consolidation', 'The node pool shrinks after the autumn sale', -30, -25),
    ('msk1-k8s-03', 'retired', 'failure', 'Two DIMM slots of CPU2 failed; the vendor no longer repairs this model',
     -24, -18),
    ('msk1-app-08', 'in_storage', 'end_of_life', 'End of life; its application moved to the Kubernetes cluster',
     -17, -11),
    ('msk1-k8s-09', 'cancelled', 'consolidation', 'The node pool shrinks after the autumn sale', -15, -6),
    ('msk1-web-04', 'disassembled', 'failure', 'The mainboard fails under load; replaced by a virtual machine',
     -12, -7),
    ('msk1-k8s-07', 'shut_down', 'migration', 'The nodes move to the new hall C with the 2026 hardware', -9, -2),
    ('msk1-db-02', 'backed_up', 'migration', 'The replica moves to the new cluster', -8, -3),
    ('msk1-web-08', 'scheduled', 'failure', 'Mainboard failure; a repair costs more than the server is worth', -4, 6),
    ('msk1-app-05', 'ordered', 'consolidation', 'Its services moved to msk1-app-06', -2, None),
    ('msk1-app-11', 'draft', 'consolidation', 'Its services moved to the Kubernetes cluster', -1, None),
)
REQUESTER, HEAD, RESPONSIBLE, EXECUTORS = 'orlova', 'ivanov', 'petrov', ('sidorov', 'kozlova')
# What the media of each server held, for the documents a data-protection officer reads (information system,
# personal data and data subjects, classification).
MEDIA_DATA = {
    'db': ('Online store order database (PostgreSQL)', 'Names, contact details, delivery addresses, order history',
           'Customers of the online store', 'Confidential'),
    'bkp': ('Backup repository of the online store', 'Names, contact details, delivery addresses, order history',
            'Customers of the online store', 'Confidential'),
}
DEFAULT_MEDIA_DATA = ('Container platform node (no data kept on the node)', '', '', 'Internal')
# The reason of the cancelled record, and the restored record's.
CANCEL_REASON = 'The node pool grows again in the first quarter: the server stays in service'
# The closed server whose media go to the disposal vendor with its other parts (the other one's are shredded on site).
MEDIA_TO_VENDOR = {'msk1-bkp-04'}
RESTORE_COMMENT = ('The act named the wrong server: msk1-k8s-05 still runs in the node pool, the node removed was '
                   'msk1-k8s-06. Restored from the snapshot; a new decommission for msk1-k8s-06 follows.')

def setup_django():
    from django.apps import apps

    if apps.ready:  # already inside `netbox shell` or `nbshell`
        return
    import django

    sys.path.insert(0, str(DEV_DIR))
    os.environ.setdefault('NETBOX_CONFIGURATION', 'netbox_configuration')
    os.environ.setdefault('NETBOX_ROOT', str(DEV_DIR.parent / '.dev' / 'netbox'))
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'netbox.settings')
    django.setup()


def saved(obj, clean=True):
    if clean:
        obj.full_clean()
    obj.save()
    return obj


class Serials:
    """Deterministic, unique, vendor-looking serial numbers."""

    ALNUM = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def _chars(self, alphabet, n):
        return ''.join(self.rng.choice(alphabet) for _ in range(n))

    def make(self, style):
        while True:
            value = self._make(style)
            if value not in self.used:
                self.used.add(value)
                return value

    def _make(self, style):
        digits, hexdigits = '0123456789', '0123456789ABCDEF'
        return {
            'Dell': lambda: self._chars(self.ALNUM, 7),  # service tag
            'HPE': lambda: 'CZ' + self._chars(digits, 4) + self._chars(self.ALNUM, 4),
            'Supermicro': lambda: 'S' + self._chars(digits, 3) + 'X' + self._chars(digits, 8),
            'Arista': lambda: 'JPE' + self._chars(digits, 8),
            'Cisco': lambda: 'FDO' + self._chars(digits, 4) + self._chars(self.ALNUM, 4),
            'ppin': lambda: self._chars(hexdigits, 16),
            'dimm': lambda: self._chars(hexdigits, 8),
            'samsung': lambda: 'S6' + self._chars(self.ALNUM, 4) + 'NA' + self._chars(digits, 6),
            'intel': lambda: 'PHYF' + self._chars(digits, 6) + self._chars(self.ALNUM, 8),
            'micron': lambda: self._chars(digits, 4) + self._chars(hexdigits, 8),
            'seagate': lambda: 'ZL2' + self._chars(self.ALNUM, 5),
            'mellanox': lambda: 'MT' + self._chars(digits, 4) + 'X' + self._chars(digits, 5),
            'dellpsu': lambda: 'CN' + self._chars(digits, 6) + self._chars(self.ALNUM, 6),
            'hpepsu': lambda: '5WB' + self._chars(self.ALNUM, 11),
            'smpsu': lambda: 'P1K02' + self._chars(self.ALNUM, 10),
        }[style]()


class MACs:
    def __init__(self):
        self.counters = {}

    def make(self, vendor):
        n = self.counters.get(vendor, 0x10000) + 1
        self.counters[vendor] = n
        return f'{OUI[vendor]}:{(n >> 16) & 0xff:02x}:{(n >> 8) & 0xff:02x}:{n & 0xff:02x}'


def load_datacenter():
    from dcim.models import (
        Cable,
        Device,
        DeviceRole,
        DeviceType,
        InterfaceTemplate,
        InventoryItem,
        InventoryItemRole,
        Location,
        MACAddress,
        Manufacturer,
        Platform,
        Rack,
        RackRole,
        Region,
        Site,
    )
    from ipam.models import VLAN, IPAddress, Prefix
    from tenancy.models import Tenant, TenantGroup

    rng = random.Random(SEED)
    serials = Serials(rng)
    macs = MACs()
    counts = {}

    def count(what, n=1):
        counts[what] = counts.get(what, 0) + n

    # Organisation
    tenant_group = saved(TenantGroup(name='Example Group', slug='example-group'))
    tenants = {
        'internal-it': saved(Tenant(name='Internal IT', slug='internal-it', group=tenant_group,
                                    description='Shared infrastructure: Kubernetes, backups, network')),
        'retail-online': saved(Tenant(name='Retail Online', slug='retail-online', group=tenant_group,
                                      description='Online shop: application, web and database servers')),
    }
    region = saved(Region(name='Moscow', slug='moscow'))
    site = saved(Site(
        name='DC Moscow-1', slug=SITE_SLUG, status='active', region=region, tenant=tenants['internal-it'],
        facility='MSK1', time_zone='Europe/Moscow', physical_address='Moscow, Example street 1, bldg. 2',
        description='Main data centre, two halls',
    ))
    locations = {
        'hall-a': saved(Location(name='Hall A', slug='hall-a', site=site, status='active', facility='MSK1-A',
                                 description='Machine hall A, 1st floor')),
        'hall-b': saved(Location(name='Hall B', slug='hall-b', site=site, status='active', facility='MSK1-B',
                                 description='Machine hall B, 1st floor')),
    }

    # Hardware catalogue
    manufacturers = {
        name: saved(Manufacturer(name=name, slug=name.lower())) for name in MANUFACTURERS
    }
    platforms = {}
    for name, slug, maker in (
        ('Ubuntu 22.04 LTS', 'ubuntu-22-04', None),
        ('Red Hat Enterprise Linux 9', 'rhel-9', None),
        ('Astra Linux SE 1.7', 'astra-linux-se-1-7', None),
        ('VMware ESXi 8.0', 'vmware-esxi-8-0', None),
        ('Arista EOS', 'arista-eos', 'Arista'),
        ('Cisco NX-OS', 'cisco-nx-os', 'Cisco'),
    ):
        platforms[slug] = saved(Platform(name=name, slug=slug, manufacturer=manufacturers.get(maker)))
    server_role = saved(DeviceRole(name='Server', slug='server', color='2196f3', vm_role=False))
    switch_role = saved(DeviceRole(name='Access switch', slug='access-switch', color='4caf50', vm_role=False))
    rack_role = saved(RackRole(name='Compute', slug='compute', color='9e9e9e'))
    item_roles = {
        slug: saved(InventoryItemRole(name=name, slug=slug, color=color))
        for name, slug, color in (
            ('CPU', 'cpu', 'f44336'),
            ('Memory', 'memory', '3f51b5'),
            ('SSD', 'ssd', '009688'),
            ('HDD', 'hdd', '795548'),
            ('Network adapter', 'nic', 'ff9800'),
            ('Power supply', 'psu', '607d8b'),
        )
    }

    server_types = {}
    for key, (maker, model, slug, part, height, mgmt_label) in SERVER_TYPES.items():
        device_type = saved(DeviceType(manufacturer=manufacturers[maker], model=model, slug=slug, part_number=part,
                                       u_height=height, is_full_depth=True, airflow='front-to-rear',
                                       weight=Decimal(SERVER_WEIGHTS[key]), weight_unit='kg'))
        for name, if_type, mgmt_only in SERVER_INTERFACES:
            saved(InterfaceTemplate(device_type=device_type, name=name, type=if_type, mgmt_only=mgmt_only,
                                    label=mgmt_label if mgmt_only else ''))
        server_types[key] = device_type
    switch_types = {}
    for key, (maker, model, slug, part, port_format, mgmt_name, _platform) in SWITCH_TYPES.items():
        device_type = saved(DeviceType(manufacturer=manufacturers[maker], model=model, slug=slug, part_number=part,
                                       u_height=1, is_full_depth=True, airflow='rear-to-front'))
        saved(InterfaceTemplate(device_type=device_type, name=mgmt_name, type='1000base-t', mgmt_only=True))
        for port in range(1, SWITCH_PORTS + 1):
            saved(InterfaceTemplate(device_type=device_type, name=port_format.format(port), type='25gbase-x-sfp28'),
                  clean=False)
        switch_types[key] = device_type

    # Addressing
    saved(Prefix(prefix='10.11.0.0/16', status='container', scope=site, tenant=tenants['internal-it'],
                 description='DC Moscow-1'))
    vlans = {
        'prod': saved(VLAN(vid=110, name='SRV-PROD', status='active', tenant=tenants['internal-it'])),
        'oob': saved(VLAN(vid=120, name='OOB-MGMT', status='active', tenant=tenants['internal-it'])),
    }
    saved(Prefix(prefix=f'{SERVER_NET}.0/24', status='active', scope=site, vlan=vlans['prod'],
                 tenant=tenants['internal-it'], description='Servers, production'))
    saved(Prefix(prefix=f'{OOB_NET}.0/24', status='active', scope=site, vlan=vlans['oob'],
                 tenant=tenants['internal-it'], description='Out-of-band management (iDRAC, iLO, IPMI, switches)'))
    count('prefixes', 3)

    def add_ip(address, interface, tenant, dns_name, description=''):
        count('IP addresses')
        return saved(IPAddress(address=address, status='active', assigned_object=interface, tenant=tenant,
                               dns_name=dns_name, description=description))

    def add_mac(interface, vendor):
        mac = MACAddress(mac_address=macs.make(vendor), assigned_object=interface)
        mac.save()
        interface.primary_mac_address = mac
        interface.save()
        count('MAC addresses')

    # Racks and top-of-rack switches
    racks, switches = [], []
    for index, (location_slug, name, facility_id, switch_key) in enumerate(RACKS, start=1):
        rack = saved(Rack(site=site, location=locations[location_slug], name=name, facility_id=facility_id,
                          status='active', role=rack_role, tenant=tenants['internal-it'], u_height=42, width=19,
                          form_factor='4-post-cabinet', serial=serials.make('Supermicro'),
                          asset_tag=f'INV-MSK1-R{index:04d}'))
        racks.append(rack)
        maker, _model, _slug, _part, _fmt, mgmt_name, platform_slug = SWITCH_TYPES[switch_key]
        switch = saved(Device(
            name=f'msk1-tor-{name.lower()}', device_type=switch_types[switch_key], role=switch_role,
            platform=platforms[platform_slug], tenant=tenants['internal-it'], site=site,
            location=locations[location_slug], rack=rack, position=42, face='front', status='active',
            serial=serials.make(maker), asset_tag=f'INV-MSK1-N{index:04d}',
        ))
        mgmt = switch.interfaces.get(name=mgmt_name)
        add_mac(mgmt, maker)
        switch.oob_ip = add_ip(f'{OOB_NET}.{index + 1}/24', mgmt, tenants['internal-it'],
                               f'{switch.name}.{DOMAIN}', 'Switch management')
        switch.primary_ip4 = switch.oob_ip
        switch.save()
        switches.append(switch)
        count('switches')

    # Servers: spread over the racks round-robin, stacked from U1 upwards, two DAC cables each to the rack's switch
    servers = []
    for prefix, number, type_key, platform_slug, tenant_slug, cpu, cpu_count, dimm, dimm_count, disks in SERVER_GROUPS:
        for n in range(1, number + 1):
            servers.append((f'msk1-{prefix}-{n:02d}', type_key, platform_slug, tenant_slug, cpu, cpu_count, dimm,
                            dimm_count, disks))
    next_unit = [1] * len(racks)
    next_port = [1] * len(racks)
    for index, (name, type_key, platform_slug, tenant_slug, cpu, cpu_count, dimm, dimm_count, disks) in enumerate(
        servers, start=1
    ):
        slot = (index - 1) % len(racks)
        rack, switch = racks[slot], switches[slot]
        maker, _model, _slug, _part, height, _mgmt = SERVER_TYPES[type_key]
        tenant = tenants[tenant_slug]
        device = saved(Device(
            name=name, device_type=server_types[type_key], role=server_role, platform=platforms[platform_slug],
            tenant=tenant, site=site, location=rack.location, rack=rack, position=next_unit[slot], face='front',
            status=SERVER_STATUS.get(name, 'active'), serial=serials.make(maker),
            asset_tag=f'INV-MSK1-{index:06d}',
            description=f'{tenant.name}: {name.split("-")[1]} node',
        ))
        next_unit[slot] += height
        count('servers')

        interfaces = {interface.name: interface for interface in device.interfaces.all()}
        for interface in interfaces.values():
            add_mac(interface, 'NVIDIA' if interface.name in UPLINK_INTERFACES else maker)
        device.primary_ip4 = add_ip(f'{SERVER_NET}.{10 + index}/24', interfaces['ens1f0'], tenant,
                                    f'{name}.{DOMAIN}')
        device.oob_ip = add_ip(f'{OOB_NET}.{10 + index}/24', interfaces['mgmt'], tenant, f'{name}-mgmt.{DOMAIN}',
                               f'{SERVER_TYPES[type_key][5]} of {name}')
        device.save()

        for if_name in UPLINK_INTERFACES:
            port = switch.interfaces.get(name=SWITCH_TYPES[RACKS[slot][3]][4].format(next_port[slot]))
            Cable(a_terminations=[interfaces[if_name]], b_terminations=[port], type='dac-passive',
                  status='connected', length=2, length_unit='m', color='2f6a31',
                  label=f'{rack.name}-{next_port[slot]:02d}', tenant=tenant).save()
            next_port[slot] += 1
            count('cables')

        # Inventory: CPUs, DIMMs, disks, the 25G card, power supplies
        items = []
        for socket in range(1, cpu_count + 1):
            items.append((f'CPU{socket}', CPU[cpu]))
        for slot_number in range(1, dimm_count + 1):
            bank = 'A' if slot_number <= dimm_count // 2 else 'B'
            items.append((f'DIMM {bank}{slot_number}', DIMM[dimm]))
        bay = 0
        for disk, disk_count in disks:
            for _ in range(disk_count):
                items.append((f'Disk {bay}', DISK[disk]))
                bay += 1
        items.append(('NIC slot 1', NIC))
        for psu in (1, 2):
            items.append((f'PSU{psu}', PSU[maker]))
        for item_name, (role_slug, item_maker, part_id, description, serial_style) in items:
            InventoryItem(
                device=device, name=item_name, role=item_roles[role_slug], manufacturer=manufacturers[item_maker],
                part_id=part_id, serial=serials.make(serial_style), description=description, discovered=True,
            ).save()
        count('inventory items', len(items))

    return site, counts


def load_storage_locations(site):
    from dcim.models import Location, Rack
    from netbox_decommission.models import StorageLocation

    hall_a = Location.objects.filter(site=site, slug='hall-a').first()
    hall_b = Location.objects.filter(site=site, slug='hall-b').first()
    rack_b02 = Rack.objects.filter(site=site, name='B02').first()
    wanted = (
        dict(name='Removal zone, Hall A', kind='removal_zone', location=hall_a, capacity=4,
             description='Marked floor area by the hall A doors; servers wait here right after removal'),
        dict(name='Temporary storage, Hall B', kind='temporary_storage', location=hall_b, rack=rack_b02,
             capacity=10, description='Empty units of rack B02 and the cage beside it'),
        dict(name='Warehouse shelf W-03', kind='warehouse', capacity=120,
             description='Spare-parts warehouse, shelf W-03: removed disks and DIMMs in labelled anti-static bags'),
        dict(name='EcoUtil LLC (disposal vendor)', kind='vendor',
             description='Licensed e-waste disposal contractor; collection on request, certificate of destruction'),
    )
    created = 0
    for fields in wanted:
        if StorageLocation.objects.filter(site=site, name=fields['name']).exists():
            continue
        saved(StorageLocation(site=site, **fields))
        created += 1
    return created


class StoryClock:
    """
    The demo's story time: while it runs, NetBox and the plugin read the time from it (django.utils.timezone.now),
    so every record, signature, change-log entry and stage-log entry carries the moment of the story it belongs
    to. Each reading is a second later than the one before, so the moves of a record keep their order.
    """

    def __init__(self):
        from django.utils import timezone

        self.real_now = timezone.now
        self.moment = self.real_now()

    def day(self, days, hour=10, minute=0):
        """The moment ``days`` from today at hour:minute (local time of NetBox's time zone)."""
        from django.utils import timezone

        today = timezone.localtime(self.real_now()).replace(hour=0, minute=0, second=0, microsecond=0)
        return today + timedelta(days=days, hours=hour, minutes=minute)

    def at(self, days, hour=10, minute=0):
        """Set the clock to ``days`` from today at hour:minute."""
        self.moment = self.day(days, hour, minute)
        return self.moment

    def later(self, **delta):
        self.moment += timedelta(**delta)
        return self.moment

    def now(self):
        self.moment += timedelta(seconds=1)
        return self.moment

    @contextmanager
    def running(self):
        from unittest import mock

        with mock.patch('django.utils.timezone.now', self.now):
            yield


@contextmanager
def acting_as(user):
    """
    What runs inside is done by `user` as in a request of theirs: NetBox's change log, the events and the chain
    of custody name them.
    """
    from netbox.context_managers import event_tracking
    from utilities.request import NetBoxFakeRequest

    request = NetBoxFakeRequest({
        'META': {}, 'COOKIES': {}, 'POST': {}, 'GET': {}, 'FILES': {}, 'user': user, 'method': 'POST',
        'path': '', 'path_info': '', 'id': uuid.uuid4(),
    })
    with event_tracking(request):
        yield


def inspect_components(decommission, components, zones, people, clock, sanitize):
    """
    The executors' inspection of the removed parts, as an edit of each in the UI: condition, anti-static package and
    label, the warehouse shelf; each medium sanitized (NIST SP 800-88) by one executor and validated by the other, or
    sealed for the disposal vendor to sanitize (sanitize=False).
    """
    first, second = (people[name] for name in EXECUTORS)
    prefix = decommission.device_name.split('-')[1]
    system, personal, subjects, classification = MEDIA_DATA.get(prefix, DEFAULT_MEDIA_DATA)
    for number, component in enumerate(components, start=1):
        component.snapshot()
        # The failed DIMM slots of a failed server: its last two DIMMs.
        failed = decommission.reason == 'failure' and component.kind == 'memory' and component.name.endswith(
            ('15', '16'))
        component.condition = 'faulty' if failed else 'ok'
        component.antistatic_packed = True
        component.weight = Decimal(PART_WEIGHTS[component.kind]) if component.kind in PART_WEIGHTS else None
        component.package_label = f'{decommission.number}-{number:02d}'
        component.storage_location = zones['warehouse']
        if component.is_media:
            component.information_system = system
            component.personal_data_categories = personal
            component.data_subject_categories = subjects
            component.data_classification = classification
            if sanitize:
                hdd = component.kind == 'disk'
                component.sanitization_method = 'clear' if hdd else 'purge'
                component.sanitization_technique = 'overwrite, one pass of zeros' if hdd else 'ATA Secure Erase'
                component.sanitization_tool = 'nwipe' if hdd else 'hdparm'
                component.sanitization_tool_version = '0.35' if hdd else '9.65'
                component.sanitized_by = first
                component.sanitized_by_title = 'Data-centre engineer'
                component.sanitized_on = clock.moment.date()
                component.sanitization_verification = 'full read-back' if hdd else 'sampling of 10% of the blocks'
                component.sanitization_verified_by = second
                component.sanitization_verified_by_title = 'Data-centre engineer'
            else:
                component.seal_number = f'SEAL-{decommission.number[-5:]}-{number:02d}'
                component.sanitization_deferred_reason = 'Sealed; the disposal vendor destroys it (shredding)'
        with acting_as(first):
            saved(component)


def walk_decommission(device, story, people, zones, clock):
    """
    Start a decommission of `device` as the requester and walk it to the stage of `story`, each move made by the
    person whose part it is, through the plugin's services (as its views and API do), on the days of the story.
    """
    from netbox_decommission import bulk, disposition, harvest, workflow
    from netbox_decommission.models import Decommission
    from netbox_decommission.workflow import restore

    _name, target, reason, reason_text, started, window = story
    head, responsible, executors = people[HEAD], people[RESPONSIBLE], [people[name] for name in EXECUTORS]
    executor = executors[0]

    def move(person, function, *args, **kwargs):
        with acting_as(person):
            return function(*args, **kwargs)

    clock.at(started, hour=9, minute=40)
    with acting_as(people[REQUESTER]):
        (result,) = bulk.start_decommissions([device], people[REQUESTER], reason=reason, reason_text=reason_text,
                                             head=head, responsible=responsible, executors=executors)
    if not result.ok:
        raise RuntimeError(f'{device}: {result.message}')
    decommission = Decommission.objects.get(pk=result.decommission_id)
    if target == 'draft':
        return decommission

    clock.later(hours=2)
    move(responsible, workflow.sign, decommission, responsible, 'order', 'responsible')
    clock.at(started + 1, hour=11, minute=15)
    move(head, workflow.sign, decommission, head, 'order', 'head', comment='Approved at the Monday planning meeting')
    if target == 'ordered':
        return decommission
    if target == 'cancelled':
        clock.at(started + 3, hour=16)
        return move(responsible, workflow.cancel, decommission, responsible, reason=CANCEL_REASON)

    # The window: a night from 22:00 to 02:00, agreed with the application's owners.
    start = clock.day(window, hour=22)
    clock.at(started + 1, hour=14)
    move(responsible, workflow.schedule, decommission, responsible, start, start + timedelta(hours=4))
    clock.at(started + 2, hour=10, minute=5)
    move(head, workflow.sign, decommission, head, 'application', 'head')
    if target == 'scheduled':
        return decommission

    clock.at(window, hour=20)
    size = Decimal('14200') if decommission.device_name.startswith('msk1-bkp') else Decimal('1840')
    move(responsible, workflow.record_backup, decommission, responsible, method='network', size_gb=size,
         verified=True, target=f'backup01.{DOMAIN}:/srv/backup/{device.name}',
         comment='Restore tested on the staging server')
    if target == 'backed_up':
        return decommission

    clock.at(window, hour=22, minute=10)
    move(executor, workflow.shut_down, decommission, executor, services_stopped=True, users_notified=True,
         powered_off=True, network_disconnected=True)
    if target == 'shut_down':
        clock.later(minutes=40)
        disks = device.inventoryitems.filter(name__startswith='Disk').values_list('pk', flat=True)
        move(executor, harvest.harvest, decommission, executor, inventory_items=disks)
        return decommission

    clock.at(window, hour=23, minute=5)
    components = move(executor, harvest.harvest, decommission, executor,
                      inventory_items=device.inventoryitems.values_list('pk', flat=True))
    clock.at(window + 1, hour=0, minute=30)
    # The media of the records that got as far as the act were sanitized in the window; the others' are sealed for
    # the vendor.
    inspect_components(decommission, components, zones, people, clock,
                       sanitize=target in ('retired', 'closed', 'restored'))
    clock.at(window + 1, hour=1, minute=20)
    move(executor, workflow.disassemble, decommission, executor)
    if target == 'disassembled':
        return decommission

    clock.at(window + 1, hour=1, minute=45)
    move(executor, workflow.store, decommission, executor, zones['removal_zone'],
         removed_at=clock.day(window + 1, hour=1, minute=30), comment='On the marked floor by the hall A doors')
    clock.at(window + 1, hour=10)
    for person in executors:
        move(person, workflow.sign, decommission, person, 'act', 'executor')
        clock.later(minutes=25)
    if target == 'in_storage':
        return decommission

    clock.at(window + 2, hour=9, minute=30)
    move(head, workflow.sign, decommission, head, 'act', 'head')
    if target == 'restored':
        clock.at(window + 3, hour=12)
        return move(responsible, restore.restore, decommission, responsible, comment=RESTORE_COMMENT)
    if target == 'retired':
        return decommission

    # A record closes once every medium has its final disposition: shredded on site after the purge, or handed over
    # to the disposal vendor with the server's other parts and chassis (MEDIA_TO_VENDOR).
    to_vendor = decommission.device_name in MEDIA_TO_VENDOR
    if to_vendor:
        hand_over_to_vendor(decommission, people, zones, clock, window + 4, certified=False)
    else:
        clock.at(window + 4, hour=15)
        for component in decommission.components.filter(is_media=True):
            move(executors[1], disposition.destroy, component, executors[1], reference=f'DESTR-{decommission.number}')
    clock.at(window + 5, hour=11)
    move(responsible, workflow.close, decommission, responsible,
         comment='Device, cables and addresses verified gone from NetBox')
    if not to_vendor:
        hand_over_to_vendor(decommission, people, zones, clock, window + 8, certified=True)
    return decommission


def hand_over_to_vendor(decommission, people, zones, clock, days, certified):
    """
    A hand-over of the record's parts still in custody and of its server to the disposal vendor; with ``certified``,
    the vendor's certificate of destruction comes back a few days later, is reconciled serial by serial, and the
    hand-over is closed.
    """
    from netbox_decommission.handovers import services as handovers
    from netbox_decommission.handovers.certificate import read_certificate
    from netbox_decommission.models import Handover

    responsible = people[RESPONSIBLE]
    clock.at(days, hour=9)
    with acting_as(responsible):
        handover = saved(Handover(
            site=decommission.site, vendor=zones['vendor'], pickup_date=clock.moment.date(),
            received_by='A. Smirnov (EcoUtil LLC)', description=f'Parts and chassis of {decommission.device_name}',
        ))
        parts = handovers.eligible_components(handover).filter(decommission=decommission)
        handovers.add_items(handover, responsible, components=parts, decommissions=[decommission])
        clock.at(days, hour=11)
        handovers.hand_over(handover, responsible)
    if not certified:
        return handover
    clock.at(days + 4, hour=14)
    issued = clock.moment.date().isoformat()
    rows = ''.join(f'{item.serial},destroyed,{issued},ECO-{decommission.number[-5:]}\n'
                   for item in handover.items.order_by('pk'))
    reading = read_certificate(f'serial,method,date,certificate\n{rows}'.encode(),
                               file_name=f'ecoutil-certificate-{decommission.number}.csv')
    with acting_as(responsible):
        handovers.reconcile(handover, responsible, reading)
        clock.later(minutes=20)
        handovers.close(handover, responsible)
    return handover


def archive_documents(decommissions, people, clock):
    """The auditor's archive of the closed records' documents: a background job in NetBox's job list, run here."""
    from netbox_decommission.jobs import BulkDocumentsJob

    clock.at(-1, hour=16, minute=30)
    return BulkDocumentsJob.enqueue(immediate=True, user=people[HEAD], decommission_ids=[d.pk for d in decommissions],
                                    languages=['ru', 'en'])


def load_decommissions(site):
    from django.db import transaction

    from dcim.models import Device
    from netbox_decommission.models import Decommission, StorageLocation
    from users.models import User

    usernames = [REQUESTER, HEAD, RESPONSIBLE, *EXECUTORS]
    people = User.objects.in_bulk(usernames, field_name='username')
    if len(people) < len(usernames):
        print('Demo data: no decommissions (run dev/bootstrap.py first: it creates the people who sign them)')
        return 0
    zones = {zone.kind: zone for zone in StorageLocation.objects.filter(site=site)}
    clock = StoryClock()
    created, closed = 0, []
    for story in DECOMMISSIONS:
        name, target = story[:2]
        device = Device.objects.filter(site=site, name=name).first()
        if device is None or Decommission.objects.filter(device_name=name).exists():
            continue
        # A walk that fails leaves no half-walked record, which the next run would skip (the PDFs it froze stay
        # in the media folder, referenced by nothing).
        with transaction.atomic(), clock.running():
            decommission = walk_decommission(device, story, people, zones, clock)
        if target == 'closed':
            closed.append(decommission)
        decommission.refresh_from_db()
        print(f'Demo data: {decommission.number} ({name}) walked to {decommission.get_status_display()}')
        created += 1
    if closed:
        with clock.running():
            job = archive_documents(closed, people, clock)
        print(f'Demo data: job #{job.pk} archived the documents of {len(closed)} closed decommission(s)')
    return created


# The plugin's four widgets (docs/dashboard.md) above NetBox's default ones on the demo people's home page; NetBox's
# news feed is left out, as the demo may run without internet access.
DASHBOARD_WIDGETS = (
    {'widget': 'netbox_decommission.ByStageWidget', 'width': 6, 'height': 4},
    {'widget': 'netbox_decommission.ThisPeriodWidget', 'width': 6, 'height': 4, 'config': {'period': 'last_30_days'}},
    {'widget': 'netbox_decommission.OverdueWidget', 'width': 6, 'height': 4},
    {'widget': 'netbox_decommission.MediaAtRiskWidget', 'width': 6, 'height': 4},
)


def load_dashboards():
    """A home page with the plugin's widgets for each demo user who has none yet (NetBox makes it on first visit)."""
    from extras.constants import DEFAULT_DASHBOARD
    from extras.dashboard.utils import get_default_dashboard
    from users.models import User

    netbox_widgets = [widget for widget in DEFAULT_DASHBOARD if not widget.get('config', {}).get('requires_internet')]
    created = 0
    for user in User.objects.filter(dashboard__isnull=True):
        dashboard = get_default_dashboard(config=[*DASHBOARD_WIDGETS, *netbox_widgets])
        dashboard.user = user
        dashboard.save()
        created += 1
    return created


def load():
    from django.db import transaction

    from dcim.models import Device, Site

    with transaction.atomic():
        site = Site.objects.filter(slug=SITE_SLUG).first()
        if site is not None:
            print(f'Demo data: site {SITE_SLUG!r} exists ({Device.objects.filter(site=site).count()} devices); '
                  'data-centre part skipped')
        else:
            site, counts = load_datacenter()
            summary = ', '.join(f'{n} {what}' for what, n in counts.items())
            print(f'Demo data: created site {site.name!r} with {summary}')
        created = load_storage_locations(site)
    print(f'Demo data: {created} storage location(s) created')
    created = load_decommissions(site)
    print(f'Demo data: {created} decommission(s) created')
    print(f'Demo data: {load_dashboards()} home page(s) with the decommission widgets')


def main():
    setup_django()
    from netbox.context import query_cache

    started = time.monotonic()
    # NetBox's per-request cache of object types and custom fields, set up as a request would have it: without it
    # every save() looks them up again, which doubles the run time.
    cache_token = query_cache.set(defaultdict(dict))
    try:
        load()
    finally:
        query_cache.reset(cache_token)
    print(f'Demo data: done in {time.monotonic() - started:.1f} s')


main()
