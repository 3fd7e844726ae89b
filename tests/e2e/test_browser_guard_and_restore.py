"""
In a real browser: NetBox's own Delete of a device with an open decommission is refused with NetBox's error message,
and a retired server comes back through the restore button, its confirmation (what will and will not come back)
and the report. Screenshots go to E2E_ARTIFACTS as in the walk; docs/restore.md and docs/guard.md show them.
"""
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dcim.models import Device
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, StorageLocation
from tests.utils import (
    advance,
    create_cabled_server,
    create_signers,
    create_sites,
    create_workflow_decommission,
    dispose_media,
    grant,
)
from users.models import User

from .browser import PASSWORD

pytestmark = pytest.mark.browser


def test_the_device_page_delete_is_refused_while_a_decommission_is_open(login):
    (site,) = create_sites('DC Moscow 2')
    server = create_cabled_server(site, 'msk2-db-03')
    people = create_signers()
    decommission = create_workflow_decommission(server.device, people)
    User.objects.create_superuser('admin', 'admin@example.com', PASSWORD)

    admin = login('admin')
    # NetBox's confirmation of the device page's Delete button, as its own page.
    admin.open(reverse('dcim:device_delete', kwargs={'pk': server.device.pk}))
    admin.page.locator('form').get_by_role('button', name='Delete').click()
    admin.page.wait_for_load_state('networkidle')
    toast = admin.page.locator('.toast', has_text=decommission.number).first
    expect(toast).to_be_attached()
    expect(toast).to_contain_text('cannot be deleted')
    expect(toast).to_contain_text('cancel it')
    admin.screenshot('01-delete-refused')
    assert Device.objects.filter(pk=server.device.pk).exists()


def test_restore_a_retired_server_through_its_confirmation(login):
    (site,) = create_sites('DC Moscow 3')
    server = create_cabled_server(site, 'msk3-app-21', rack=site.racks.get(), position=12)
    zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)
    people = create_signers()
    people.head.set_password(PASSWORD)
    people.head.save()
    grant([people.head], ['view', 'change', 'sign', 'restore'], Decommission)
    grant([people.head], ['view'], Device)
    decommission = create_workflow_decommission(server.device, people)
    advance(decommission, Status.STATUS_IN_STORAGE, people, zone)
    dispose_media(decommission, people.head)
    advance(decommission, Status.STATUS_RETIRED, people, zone)
    assert not Device.objects.filter(pk=server.device.pk).exists()

    head = login('head')
    head.open(decommission.get_absolute_url())
    head.expect_stage('Retired')
    head.move('restore')
    preview = head.page.locator('#move-preview')
    expect(preview).to_contain_text('Will come back')
    expect(preview).to_contain_text('msk3-app-21')
    expect(preview).to_contain_text('192.0.2.10/24')
    head.screenshot('01-restore-confirmation')
    head.page.get_by_label('Comment').fill('Brought back: the application returns to service')
    head.submit('Restore the device')
    head.expect_message('is back in NetBox')
    head.expect_stage('Restored')
    expect(head.page.locator('#restore-restored')).to_contain_text('msk3-app-21')
    head.screenshot('02-restore-report')
    device = Device.objects.get(pk=server.device.pk)
    assert (device.name, device.rack_id, device.position) == ('msk3-app-21', site.racks.get().pk, 12)
