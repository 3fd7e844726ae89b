"""
Walk one server through the whole decommissioning workflow with pynetbox, from draft to closed.

    python walk_decommission.py http://127.0.0.1:8000 "$(cat .dev/api-token)" msk1-app-07

The token's user is named as head, responsible and executor, so one token can give every signature. As that
user also requests the decommission, this needs the plugin setting separation_of_duties = False (by default the
requester cannot sign the order as head). In real life each person signs with their own token: the API accepts a
signature only from the user who holds the role on the record, and only with the "sign" permission.
"""
import sys

import pynetbox


def walk(url, token, device_name, storage_location_name=None):
    nb = pynetbox.api(url, token=token)
    dc = nb.plugins.decommission
    user = nb.users.users.get(username=whoami(nb, url, token))
    device = nb.dcim.devices.get(name=device_name)
    zone = (dc.storage_locations.get(name=storage_location_name) if storage_location_name
            else next(iter(dc.storage_locations.filter(kind='removal_zone', site_id=device.site.id))))

    def act(record, action, **body):
        """POST one workflow move; raise with the server's explanation if it is refused."""
        response = nb.http_session.post(
            f'{url}/api/plugins/decommission/decommissions/{record.id}/{action}/',
            json=body, headers={'Authorization': f'Bearer {token}', 'Accept': 'application/json'},
        )
        if response.status_code != 200:
            raise RuntimeError(f'{action}: HTTP {response.status_code}: {response.text}')
        status = response.json()['status']['value']
        print(f'{action:12} -> {status}')
        return status

    # Draft: the record, with the impact report to read before anyone signs.
    record = dc.decommissions.create(
        device=device.id, reason='end_of_life', reason_text='Out of warranty; services moved to the new cluster',
        head=user.id, responsible=user.id, executors=[user.id],
    )
    print(f'{record.number}: {record.device_name} (serial {record.device_serial})')
    impact = nb.http_session.get(
        f'{url}/api/plugins/decommission/decommissions/{record.id}/impact/',
        headers={'Authorization': f'Bearer {token}', 'Accept': 'application/json'},
    ).json()
    print(f'impact: {len(impact["cables"])} cables, {len(impact["ip_addresses"])} IP addresses')

    act(record, 'sign', document='order', role='head')
    act(record, 'sign', document='order', role='responsible')
    act(record, 'schedule', planned_start='2026-12-05T22:00:00Z', planned_end='2026-12-06T02:00:00Z')
    act(record, 'sign', document='application', role='head')
    act(record, 'backup', method='network', target='backup01:/srv/backup/' + device_name, size_gb='250',
        verified=True)
    act(record, 'shutdown', services_stopped=True, users_notified=True, powered_off=True, network_disconnected=True)

    # Components: every removed part is inspected, packed and stored before the disassembly closes.
    for item in nb.dcim.inventory_items.filter(device_id=device.id):
        dc.removed_components.create(
            decommission=record.id, kind='other', name=item.name, serial=item.serial or '', part_id=item.part_id or '',
            condition='ok', antistatic_packed=True, package_label=f'{record.number}-{item.id}',
            storage_location=zone.id,
        )
    act(record, 'disassemble')
    act(record, 'store', storage_location=zone.id)
    act(record, 'sign', document='act', role='executor')
    act(record, 'sign', document='act', role='head')   # the last signature retires the device
    act(record, 'close')

    print('device still in NetBox:', nb.dcim.devices.get(device.id) is not None)
    return dc.decommissions.get(record.id)


def whoami(nb, url, token):
    """The username behind the token: the token list shows the user their own tokens."""
    response = nb.http_session.get(
        f'{url}/api/users/tokens/', headers={'Authorization': f'Bearer {token}', 'Accept': 'application/json'},
    )
    return response.json()['results'][0]['user']['username']


if __name__ == '__main__':
    walk(*sys.argv[1:4])
