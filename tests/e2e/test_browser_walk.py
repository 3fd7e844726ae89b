"""
End to end in a real browser: Chromium, driven by Playwright, walks one server from its device page to the closed
decommission through NetBox's own pages — every person logged in through the login form with their own account —
and a Russian-speaking user sees the plugin in Russian. A full-page screenshot of every stage is saved to
E2E_ARTIFACTS (default .dev/e2e-artifacts/) as NN-stage.png; docs/user-guide.md shows them.
"""
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dcim.models import Device, Interface, InventoryItem, Manufacturer, Module
from ipam.models import IPAddress
from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, RemovedComponent, StorageLocation
from tests.utils import (
    WINDOW,
    advance,
    create_cabled_server,
    create_signers,
    create_sites,
    create_workflow_decommission,
    grant,
)
from users.models import User

from .browser import PASSWORD

pytestmark = pytest.mark.browser


def _people_with_passwords():
    people = create_signers()
    for user in (people.head, people.responsible, *people.executors):
        user.set_password(PASSWORD)
        user.first_name, user.last_name = {
            'head': ('Irina', 'Head'), 'responsible': ('Pavel', 'Responsible'),
            'executor1': ('Oleg', 'Executor'), 'executor2': ('Nina', 'Executor'),
        }[user.username]
        user.save()
    everyone = [people.head, people.responsible, *people.executors]
    # What a data-center team holds: the workflow on decommissions, the components, and read access to the DCIM.
    grant(everyone, ['view', 'change', 'sign'], Decommission)
    grant(everyone, ['view', 'add', 'change'], RemovedComponent)
    grant(everyone, ['view'], StorageLocation)
    for model in (Device, Interface, InventoryItem, Module, Manufacturer, IPAddress, User):
        grant(everyone, ['view'], model)
    return people


def test_walk_a_server_from_its_device_page_to_the_closed_decommission(login):
    (site,) = create_sites('DC Moscow 1')
    server = create_cabled_server(site, 'msk1-app-07', rack=site.racks.get(), position=5)
    zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)
    User.objects.create_superuser('admin', 'admin@example.com', PASSWORD)
    people = _people_with_passwords()
    device_url = server.device.get_absolute_url()

    # 01–04: the requester starts the decommission from the device page.
    admin = login('admin')
    admin.open(device_url)
    assert admin.page.get_by_role('link', name='Decommission', exact=True).count() >= 1
    admin.screenshot('01-device')
    admin.page.locator('.nav-tabs').get_by_role('link', name='Decommission').click()
    admin.page.wait_for_load_state('networkidle')
    admin.screenshot('02-device-tab')
    admin.click('link', 'Start decommission')
    admin.choose('reason', 'End of life')
    admin.page.get_by_label('Reason details').fill('Out of warranty; services moved to the new cluster')
    admin.choose('head', 'head')
    admin.choose('responsible', 'responsible')
    admin.choose('executors', 'executor1')
    admin.choose('executors', 'executor2')
    admin.fill_date('planned_start', '2026-12-05 22:00:00')
    admin.fill_date('planned_end', '2026-12-06 02:00:00')
    admin.screenshot('03-start-form')
    admin.submit('Create')
    decommission = Decommission.objects.get(device=server.device)
    number = decommission.number
    admin.expect_message(number)
    expect(admin.page.get_by_text(f'Decommission {number} in progress')).to_be_visible()
    admin.expect_stage('Draft')
    admin.screenshot('04-draft')
    decommission_url = decommission.get_absolute_url()

    # 05–06: the head and the responsible person sign the order, each logged in as themselves.
    head = login('head')
    head.open(device_url)
    head.click('link', number)
    head.expect_stage('Draft')
    assert head.page.get_by_role('link', name='Sign the order as responsible').count() == 0
    head.click('link', 'Sign the order as head')
    head.screenshot('05-sign-order')
    head.submit('Sign')
    head.expect_message(f'Signed the order of {number} as head.')
    head.expect_stage('Draft')

    responsible = login('responsible')
    responsible.open(decommission_url)
    responsible.click('link', 'Sign the order as responsible')
    responsible.submit('Sign')
    responsible.expect_message('the order is complete')
    responsible.expect_stage('Ordered')
    responsible.screenshot('06-ordered')

    # 07–08: the responsible person confirms the window (entered with the record); the head signs the application.
    responsible.move('schedule')
    assert responsible.page.locator('#id_planned_start').input_value().startswith('2026-12-05 22:00')
    responsible.screenshot('07-schedule')
    responsible.submit('Schedule the removal')
    responsible.expect_message('the application is drafted and awaits signing')
    head.open(decommission_url)
    head.click('link', 'Sign the application as head')
    head.submit('Sign')
    head.expect_message('the application is complete')
    head.expect_stage('Scheduled')
    head.screenshot('08-scheduled')

    # 09: the backup, its restore tested.
    responsible.open(decommission_url)
    responsible.move('backup')
    responsible.choose('method', 'Network')
    responsible.page.get_by_label('Target').fill('backup01:/srv/backup/msk1-app-07')
    responsible.page.get_by_label('Size (GB)').fill('250')
    responsible.page.get_by_label('Restore tested').check()
    responsible.screenshot('09-backup')
    responsible.submit('Record the backup')
    responsible.expect_stage('Backed up')

    # 10: an executor shuts the server down; a checklist item left out is refused, naming it.
    executor = login('executor1')
    executor.open(decommission_url)
    executor.move('shutdown')
    for item in ('Services stopped', 'Users notified', 'Powered off'):
        executor.page.get_by_label(item).check()
    executor.submit('Confirm the shutdown')
    executor.expect_stage('Backed up')
    executor.expect_message('not yet confirmed: disconnected from the network')
    executor.page.get_by_label('Disconnected from the network').check()
    executor.screenshot('10-shutdown')
    executor.submit('Confirm the shutdown')
    executor.expect_stage('Shut down')

    # 11–13: the parts come out: harvested from the device's inventory, inspected and packed (bulk edit), and the
    # disk sanitized before the disassembly may close.
    executor.click('link', 'Harvest from inventory')
    rows = executor.page.locator('input[name="pk"]')
    expect(rows).to_have_count(len(server.inventory_items))
    executor.page.locator('input.toggle').check()
    executor.screenshot('11-harvest')
    executor.submit('Harvest selected')
    executor.expect_message(f'Recorded 3 components of {number} from the inventory')
    components_table = executor.page.locator('table', has_text='Disk 0')
    for item in server.inventory_items:
        expect(components_table.get_by_role('link', name=item.name)).to_be_visible()

    executor.move('disassemble')
    executor.submit('Finish the disassembly')
    executor.expect_message('still need an inspection result, anti-static packaging and a storage location')
    executor.expect_stage('Shut down')

    executor.open(f'{reverse("plugins:netbox_decommission:removedcomponent_list")}?decommission_id={decommission.pk}')
    executor.page.locator('table input.toggle').check()
    executor.click('button', 'Edit Selected')
    executor.choose('condition', 'OK')
    executor.choose('antistatic_packed', 'Yes')
    executor.page.get_by_label('Package label').fill(f'{number}-BOX-1')
    executor.choose('storage_location', 'Removal zone')
    executor.screenshot('12-components-bulk-edit')
    executor.submit('Apply')
    executor.expect_message('Updated 3 removed components')

    executor.click('link', 'Disk 0', exact=True)
    executor.click('button', 'Edit', exact=True)
    executor.choose('sanitization_method', 'Purge')
    executor.page.get_by_label('Sanitization technique').fill('ATA Secure Erase')
    executor.page.get_by_label('Sanitization tool', exact=True).fill('nwipe')
    executor.fill_date('sanitized_on', '2026-12-06')
    executor.screenshot('13-sanitize-disk')
    executor.submit('Save')
    executor.expect_message('Modified removed component')
    expect(executor.page.get_by_text('Sanitized, not verified', exact=True).first).to_be_visible()

    # 14–15: the disassembly closes and the server moves to the removal zone; the act is drafted.
    executor.open(decommission_url)
    executor.move('disassemble')
    executor.submit('Finish the disassembly')
    executor.expect_stage('Disassembled')
    executor.screenshot('14-disassembled')
    executor.move('store')
    executor.choose('storage_location', 'Removal zone')
    executor.submit('Move to storage')
    executor.expect_message(f'{number}: the server is in Removal zone; the act is drafted and awaits signing.')
    executor.expect_stage('In storage')
    executor.screenshot('15-in-storage')

    # 16–17: both executors and then the head sign the act; the last signature retires the device.
    executor.click('link', 'Sign the act as executor')
    executor.submit('Sign')
    executor.expect_message(f'Signed the act of {number} as executor.')
    second = login('executor2')
    second.open(decommission_url)
    second.click('link', 'Sign the act as executor')
    second.submit('Sign')
    second.expect_stage('In storage')
    head.open(decommission_url)
    head.click('link', 'Sign the act as head')
    head.screenshot('16-sign-act')
    head.submit('Sign')
    head.expect_message(f'the act is complete, {number} moved to stage "Retired"')
    head.expect_stage('Retired')
    head.screenshot('17-retired')

    assert head.open(device_url).status == 404
    head.screenshot('18-device-gone')
    assert not Device.objects.filter(pk=server.device.pk).exists()
    assert not IPAddress.objects.filter(pk__in=[ip.pk for ip in server.ips]).exists()

    # 19–20: the disk is destroyed (its final disposition), and the head closes the record.
    head.open(decommission_url)
    head.move('close')
    head.submit('Close')
    head.expect_message('have no final disposition: Disk 0')
    head.expect_stage('Retired')
    executor.open(decommission_url)
    executor.click('link', 'Disk 0', exact=True)
    executor.click('button', 'Final disposition')
    executor.choose('disposition', 'Destroyed')
    executor.page.get_by_role('textbox', name='Document').fill('DESTR-2026-014')
    executor.screenshot('19-disposition')
    executor.submit('Record')
    executor.expect_message('Disk 0')
    head.open(decommission_url)
    head.move('close')
    head.submit('Close')
    head.expect_message(f'{number}: moved to stage "Closed".')
    head.expect_stage('Closed')
    head.screenshot('20-closed')

    decommission.refresh_from_db()
    assert decommission.status == Status.STATUS_CLOSED
    assert list(decommission.stage_changes.values_list('to_status', flat=True)) == [
        'ordered', 'ordered', 'scheduled', 'backed_up', 'shut_down', 'disassembled', 'in_storage', 'retired', 'closed',
    ]
    assert decommission.storage_location == zone
    assert {s.user for d in decommission.documents.all() for s in d.signatures.all()} == {
        people.head, people.responsible, *people.executors,
    }


def test_the_plugin_speaks_russian_to_a_user_who_prefers_it(login):
    (site,) = create_sites('DC Moscow 1')
    server = create_cabled_server(site, 'msk1-db-03', rack=site.racks.get(), position=12)
    zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)
    people = _people_with_passwords()
    decommission = create_workflow_decommission(server.device, people, reason_text='Замена на новый кластер')
    advance(decommission, Status.STATUS_ORDERED, people, zone)
    workflow.schedule(decommission, people.head, *WINDOW)
    # NetBox's own preference (Preferences › Language): the login sets the language cookie from it.
    people.head.config.set('locale.language', 'ru', commit=True)

    head = login('head')
    head.open(reverse('dcim:device_decommissions', kwargs={'pk': server.device.pk}))
    expect(head.page.locator('.nav-tabs').get_by_role('link', name='Вывод из эксплуатации')).to_be_visible()
    expect(head.page.get_by_text(f'Идёт вывод из эксплуатации {decommission.number}')).to_be_visible()
    head.expect_stage('Распоряжение издано')
    expect(head.page.get_by_role('link', name='Подписать заявление как руководитель')).to_be_visible()
    head.screenshot('21-ru-device-tab')

    head.open(decommission.get_absolute_url())
    head.expect_stage('Распоряжение издано')
    for title in ('Участники', 'Документы', 'Журнал этапов', 'Снятые компоненты'):
        expect(head.page.get_by_role('heading', name=title).first).to_be_visible()
    head.click('link', 'Подписать заявление как руководитель')
    head.submit('Подписать')
    head.expect_message('Вы подписали заявление как руководитель')
    head.expect_stage('Запланировано')
    head.screenshot('22-ru-decommission')
