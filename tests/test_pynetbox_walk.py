"""
End to end: docs/examples/walk_decommission.py drives a running NetBox through pynetbox from draft to closed.
The NetBox is Django's live server (a thread serving the app on the test database).
"""
import contextlib
import importlib.util
import io
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.test import LiveServerTestCase, override_settings

from dcim.models import Cable, Device, Interface
from ipam.models import IPAddress
from netbox_decommission.models import Decommission, RemovedComponent, StorageLocation
from users.constants import TOKEN_PREFIX
from users.models import Token, User

from .utils import create_cabled_server, create_sites

EXAMPLE = Path(__file__).resolve().parent.parent / 'docs' / 'examples' / 'walk_decommission.py'


def load_example():
    spec = importlib.util.spec_from_file_location('walk_decommission', EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class PynetboxWalkTestCase(LiveServerTestCase):

    def setUp(self):
        (site,) = create_sites('Site A')
        self.server = create_cabled_server(site, 'msk1-app-07', rack=site.racks.get(), position=5)
        self.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)
        StorageLocation.objects.create(name='Shelf 1', kind='warehouse', site=site)
        admin = User.objects.create_superuser('admin', 'admin@example.com', 'admin')
        token = Token.objects.create(user=admin)
        self.token = f'{TOKEN_PREFIX}{token.key}.{token.token}'

    # One token plays every role, the requester's included (see the example's docstring).
    @override_settings(PLUGINS_CONFIG={**settings.PLUGINS_CONFIG, 'netbox_decommission': {
        **settings.PLUGINS_CONFIG['netbox_decommission'], 'separation_of_duties': False}})
    def test_walk_from_draft_to_closed(self):
        server = self.server
        output = io.StringIO()
        # Index the search cache inline instead of handing it to an RQ worker that may listen on the shared Redis.
        with mock.patch('netbox.search.deferred.any_workers_for_queue', return_value=False), \
                contextlib.redirect_stdout(output):
            record = load_example().walk(self.live_server_url, self.token, 'msk1-app-07')

        self.assertEqual(record.status.value, 'closed')
        self.assertIsNone(record.device)
        self.assertEqual(record.device_name, 'msk1-app-07')

        decommission = Decommission.objects.get(pk=record.id)
        self.assertEqual(decommission.status, 'closed')
        self.assertEqual(decommission.storage_location, self.zone)
        self.assertEqual(
            list(decommission.stage_changes.values_list('to_status', flat=True)),
            ['ordered', 'ordered', 'scheduled', 'backed_up', 'shut_down', 'disassembled', 'in_storage', 'retired',
             'closed'],
        )
        self.assertTrue(all(decommission.documents.values_list('signed_at', flat=True)))
        self.assertEqual(
            sorted(RemovedComponent.objects.filter(decommission=decommission).values_list('serial', flat=True)),
            sorted(item.serial for item in server.inventory_items),
        )

        # The device is gone with its cable and addresses; the switch stays, its port free.
        self.assertFalse(Device.objects.filter(pk=server.device.pk).exists())
        self.assertFalse(Cable.objects.filter(pk=server.cable.pk).exists())
        self.assertFalse(IPAddress.objects.filter(pk__in=[ip.pk for ip in server.ips]).exists())
        self.assertIsNone(Interface.objects.get(pk=server.switch_port.pk).cable)
        self.assertEqual(decommission.device_snapshot['cables'][0]['peer'][0]['name'], 'Ethernet10')

        printed = output.getvalue()
        self.assertIn('impact: 1 cables, 3 IP addresses', printed)
        self.assertIn('device still in NetBox: False', printed)
