"""
Walk one server through the whole decommissioning workflow with pynetbox, from draft to closed. Each step is
done by the person whose part it is, with their own API token: the requester starts the decommission, the head
and the responsible person sign the order, the responsible person schedules the removal and records the backup,
the head signs the application, the executor shuts the server down, records its components from the inventory,
takes it apart and moves it to the removal zone, the executor and the head sign the act (which retires the
device), and the responsible person closes the record.

Against `make demo`, from the repository's directory:

    .venv/bin/python docs/examples/walk_decommission.py msk1-app-10 \\
        --requester .dev/tokens/orlova --head .dev/tokens/ivanov \\
        --responsible .dev/tokens/petrov --executor .dev/tokens/sidorov

Each option names a file holding that person's API token (`make demo` writes one per person to .dev/tokens/);
the script asks NetBox whose token it is (`GET /api/authentication-check/`) and names those users on the record.
NetBox is at $NETBOX_URL, by default http://127.0.0.1:8000 (the demo's). Only the default settings are assumed:
with separation of duties on, the requester must not be the head.

It walks a server once. Run again for the same server, it stops with NetBox's explanation: after a complete walk
the device is no longer in NetBox (the act retired it); after an interrupted one the server already has an open
decommission (HTTP 400), which you continue in the web UI or cancel. On the demo, walk another server, e.g.
msk1-app-09.
"""
import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pynetbox

API = '/api/plugins/decommission'


class Person:
    """Someone who takes part, with their own token: pynetbox for the models, its session for the moves."""

    def __init__(self, url, token_file):
        self.url = url
        self.token = Path(token_file).read_text().strip()
        self.nb = pynetbox.api(url, token=self.token)
        self.dc = self.nb.plugins.decommission
        # Until NetBox has said whose token it is, messages name its file.
        self.username = token_file
        me = self.call('GET', '/api/authentication-check/')
        self.id, self.username = me['id'], me['username']

    def call(self, method, path, body=None):
        """One request; stops the walk with NetBox's explanation if it is refused."""
        response = self.nb.http_session.request(
            method, self.url + path, json=body,
            headers={'Authorization': f'Bearer {self.token}', 'Accept': 'application/json'},
        )
        if not response.ok:
            sys.exit(f'{method} {path} as {self.username}: HTTP {response.status_code}: {response.text}')
        return response.json()

    def move(self, record, action, **body):
        """POST one workflow move and show the stage it led to."""
        status = self.call('POST', f'{API}/decommissions/{record.id}/{action}/', body)['status']['value']
        print(f'{self.username:10} {action:12} -> {status}')


def walk(device_name, requester, head, responsible, executor):
    device = requester.nb.dcim.devices.get(name=device_name)
    if device is None:
        sys.exit(f'No device named {device_name} in NetBox (a completed walk retires it): choose another server.')
    zone = next(iter(requester.dc.storage_locations.filter(kind='removal_zone', site_id=device.site.id)), None)
    if zone is None:
        sys.exit(f'The site of {device_name} has no removal zone: add a storage location of that kind first.')

    # Draft: the record (its order is drafted with it) and the impact report to read before anyone signs.
    try:
        record = requester.dc.decommissions.create(
            device=device.id, reason='end_of_life', reason_text='Out of warranty; services moved to the new cluster',
            head=head.id, responsible=responsible.id, executors=[executor.id],
        )
    except pynetbox.RequestError as error:
        sys.exit(f'Cannot start the decommission of {device_name}: {error.error}')
    print(f'{record.number}: {record.device_name} (serial {record.device_serial}), requested by {requester.username}')
    impact = requester.call('GET', f'{API}/decommissions/{record.id}/impact/')
    print(f'impact: {len(impact["cables"])} cables, {len(impact["ip_addresses"])} IP addresses')

    head.move(record, 'sign', document='order', role='head')
    responsible.move(record, 'sign', document='order', role='responsible')
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    responsible.move(record, 'schedule', planned_start=start.isoformat(),
                     planned_end=(start + timedelta(hours=4)).isoformat())
    head.move(record, 'sign', document='application', role='head')
    responsible.move(record, 'backup', method='network', target=f'backup01:/srv/backup/{device_name}', size_gb='250',
                     verified=True)
    executor.move(record, 'shutdown', services_stopped=True, users_notified=True, powered_off=True,
                  network_disconnected=True)

    # Components: recorded from the device's inventory, then each inspected, packed and stored; the disks are
    # wiped (NIST SP 800-88 purge) before the disassembly closes.
    sources = executor.call('GET', f'{API}/decommissions/{record.id}/harvest/')
    components = executor.call('POST', f'{API}/decommissions/{record.id}/harvest/', {
        'inventory_items': [s['id'] for s in sources if s['source_kind']['value'] == 'inventory_item'],
        'modules': [s['id'] for s in sources if s['source_kind']['value'] == 'module'],
    })
    today = datetime.now(UTC).date().isoformat()
    executor.dc.removed_components.update([
        {'id': c['id'], 'condition': 'ok', 'antistatic_packed': True, 'package_label': f'{record.number}-{n:02d}',
         'storage_location': zone.id,
         **({'sanitization_method': 'purge', 'sanitized_on': today, 'sanitization_tool': 'nwipe'}
            if c['is_media'] else {})}
        for n, c in enumerate(components, start=1)
    ])
    media = [c for c in components if c['is_media']]
    print(f'components: {len(components)} recorded, {len(media)} of them storage media, wiped')
    executor.move(record, 'disassemble')
    executor.move(record, 'store', storage_location=zone.id)
    executor.move(record, 'sign', document='act', role='executor')
    head.move(record, 'sign', document='act', role='head')  # the last signature retires the device

    # Closing needs every storage medium's final disposition.
    for component in media:
        executor.call('POST', f'{API}/removed-components/{component["id"]}/dispose/',
                      {'disposition': 'destroyed', 'reference': f'DESTR-{record.number}'})
    responsible.move(record, 'close')
    print('device still in NetBox:', requester.nb.dcim.devices.get(device.id) is not None)


def main():
    parser = argparse.ArgumentParser(description='Walk one server from draft to closed, each person with their '
                                                 'own API token.')
    parser.add_argument('device', help='the name of the device (server) to decommission')
    for role in ('requester', 'head', 'responsible', 'executor'):
        parser.add_argument(f'--{role}', required=True, metavar='TOKEN_FILE', help=f"a file with the {role}'s token")
    parser.add_argument('--url', default=os.environ.get('NETBOX_URL', 'http://127.0.0.1:8000'),
                        help="NetBox's address (default: $NETBOX_URL, else http://127.0.0.1:8000)")
    args = parser.parse_args()
    url = args.url.rstrip('/')
    people = [Person(url, path) for path in (args.requester, args.head, args.responsible, args.executor)]
    try:
        walk(args.device, *people)
    except pynetbox.RequestError as error:
        sys.exit(f'NetBox refused: {error.error}')


if __name__ == '__main__':
    main()
