"""
End to end: docs/examples/walk_decommission.py, run as its docstring tells a user to run it against `make demo`.
The command line is taken from the docstring and run unchanged, in a directory laid out like the repository,
against a live NetBox with the demo's data, people and tokens (tests/demo_netbox.py), under the plugin's default
settings (separation of duties on). Each person signs with their own token; the outcome is checked in the
database.
"""
import ast
import subprocess
from pathlib import Path

import pytest

from dcim.models import Cable, Device, InventoryItem
from ipam.models import IPAddress
from netbox_decommission.models import Decommission, StorageLocation

from .demo_netbox import demo_netbox

pytestmark = [pytest.mark.docs, pytest.mark.django_db]

EXAMPLE = Path(__file__).resolve().parent.parent / 'docs' / 'examples' / 'walk_decommission.py'
DEVICE = 'msk1-app-10'


def documented_command():
    """The command of the docstring's "Against `make demo`" paragraph, its continuation lines joined."""
    lines = ast.get_docstring(ast.parse(EXAMPLE.read_text())).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('Against `make demo`'))
    block = []
    for line in lines[start + 2:]:
        if not line.startswith('    '):
            break
        block.append(line.strip().removesuffix('\\').strip())
    return ' '.join(block)


@pytest.fixture(scope='module')
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with demo_netbox(django_db_blocker, tmp_path_factory.mktemp('clone')) as demo:
        yield demo


def run(demo, command):
    return subprocess.run(['bash', '-c', command], cwd=demo.directory, env=demo.env, capture_output=True,
                          text=True, timeout=600)


def test_the_documented_command_walks_the_server_from_draft_to_closed(demo):
    command = documented_command()
    assert command.startswith(f'.venv/bin/python docs/examples/walk_decommission.py {DEVICE} ')
    device = Device.objects.get(name=DEVICE)
    serials = sorted(InventoryItem.objects.filter(device=device).values_list('serial', flat=True))
    cables = list(Cable.objects.filter(terminations___device=device).values_list('pk', flat=True))
    addresses = list(IPAddress.objects.filter(interface__device=device).values_list('pk', flat=True))
    assert serials and cables and addresses

    walk = run(demo, command)

    assert walk.returncode == 0, walk.stdout + walk.stderr
    decommission = Decommission.objects.get(device_name=DEVICE)
    assert decommission.status == 'closed'
    assert (decommission.requested_by.username, decommission.head.username, decommission.responsible.username) == (
        'orlova', 'ivanov', 'petrov')
    assert [user.username for user in decommission.executors.all()] == ['sidorov']
    # Each move by the person whose part it is; the order's last signature (the responsible's) completes it.
    assert [(change.to_status, change.user.username) for change in decommission.stage_changes.order_by('pk')] == [
        ('ordered', 'petrov'), ('ordered', 'petrov'), ('scheduled', 'ivanov'), ('backed_up', 'petrov'),
        ('shut_down', 'sidorov'), ('disassembled', 'sidorov'), ('in_storage', 'sidorov'), ('retired', 'ivanov'),
        ('closed', 'petrov'),
    ]
    signatures = {(document.kind, signature.role, signature.user.username)
                  for document in decommission.documents.all() for signature in document.signatures.all()}
    assert signatures == {('order', 'head', 'ivanov'), ('order', 'responsible', 'petrov'),
                          ('application', 'head', 'ivanov'), ('act', 'executor', 'sidorov'),
                          ('act', 'head', 'ivanov')}
    assert all(document.signed_at and document.files.exists() for document in decommission.documents.all())

    zone = StorageLocation.objects.get(name='Removal zone, Hall A')
    assert decommission.storage_location == zone
    components = list(decommission.components.all())
    assert sorted(component.serial for component in components) == serials
    assert all(c.condition == 'ok' and c.antistatic_packed and c.storage_location == zone for c in components)
    media = [c for c in components if c.is_media]
    assert media and all(c.sanitization_method == 'purge' and c.status == 'destroyed' for c in media)

    # The device is gone with its cables and addresses.
    assert decommission.device is None
    assert not Device.objects.filter(name=DEVICE).exists()
    assert not Cable.objects.filter(pk__in=cables).exists()
    assert not IPAddress.objects.filter(pk__in=addresses).exists()
    assert 'device still in NetBox: False' in walk.stdout

    # Run again, it stops with the reason: the server is no longer in NetBox.
    again = run(demo, command)
    assert again.returncode == 1
    assert f'No device named {DEVICE} in NetBox (a completed walk retires it)' in again.stderr
    assert Decommission.objects.filter(device_name=DEVICE).count() == 1


def test_a_server_with_an_open_decommission_stops_the_walk_with_the_plugins_message(demo):
    # The demo's msk1-app-11 has a draft, as a server has after an interrupted walk.
    command = documented_command().replace(DEVICE, 'msk1-app-11')
    before = Decommission.objects.count()

    walk = run(demo, command)

    assert walk.returncode == 1
    assert 'Cannot start the decommission of msk1-app-11' in walk.stderr
    assert 'This device already has an open decommission' in walk.stderr
    assert Decommission.objects.count() == before
