"""
In a real browser: a clerk plans a hand-over to a disposal vendor, adds the disks and the server waiting in the
removal zone, hands them over, uploads the vendor's certificate and sees each item reconciled (matched, missing) and
the unknown serial reported. The page's screenshot (handover.png in E2E_ARTIFACTS) is the one docs/handovers.md
shows (docs/images/handover.png).
"""
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dcim.models import Site
from netbox_decommission.models import Decommission, Handover, RemovedComponent, StorageLocation
from tests.utils import create_decommission, create_sites, grant
from users.models import User
from utilities.testing import create_test_device

from .browser import PASSWORD

pytestmark = pytest.mark.browser

def operation(session, name):
    """Click one of the hand-over page's operation buttons (data-handover-action)."""
    session.page.locator(f'[data-handover-action="{name}"]').click()
    session.page.wait_for_load_state('networkidle')



def test_plan_hand_over_and_reconcile_a_hand_over(login, tmp_path):
    (site,) = create_sites('DC Moscow 1')
    zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)
    StorageLocation.objects.create(name='EcoRecycle LLC', kind='vendor', site=site)
    parts = create_decommission(create_test_device('msk1-db-06', site=site, serial='CZ2041XK7Q'))
    for i, (kind, name, serial) in enumerate((('disk', 'Disk 0', 'ZC1A2B3C'), ('disk', 'Disk 1', 'ZC1A2B3D'),
                                              ('ssd', 'SSD 0', 'S3Z8NX0M1234'))):
        RemovedComponent.objects.create(decommission=parts, kind=kind, name=name, serial=serial,
                                        weight=Decimal('0.650'), package_label=f'BOX-{i + 1}',
                                        seal_number=f'SEAL-00{i + 1}', storage_location=zone)
    server = create_decommission(create_test_device('msk1-app-12', site=site, serial='CZ2039AB1C'),
                                 status='in_storage', storage_location=zone, weight=Decimal('21.300'))
    clerk = User.objects.create_user('clerk', password=PASSWORD, first_name='Olga', last_name='Orlova')
    grant([clerk], ['view', 'add', 'change'], Handover)
    grant([clerk], ['view'], StorageLocation)
    grant([clerk], ['view'], RemovedComponent)
    grant([clerk], ['view'], Decommission)
    grant([clerk], ['view'], Site)

    page = login('clerk')
    page.open('/plugins/decommission/handovers/add/')
    page.choose('site', 'DC Moscow 1')
    page.choose('vendor', 'EcoRecycle LLC')
    page.fill_date('pickup_date', '2026-12-10')
    page.page.get_by_label('Received by').fill('Ivan Petrov, driver of EcoRecycle LLC')
    page.submit('Create')
    handover = Handover.objects.get()
    page.expect_message(handover.number)

    operation(page, 'add_items')
    for serial in ('ZC1A2B3C', 'ZC1A2B3D', 'S3Z8NX0M1234', 'CZ2039AB1C'):
        page.page.locator('tr', has_text=serial).locator('input[type=checkbox]').check()
    page.submit('Add')
    page.expect_message('4 items added')

    operation(page, 'hand_over')
    expect(page.page.locator('tfoot')).to_contain_text('23.250')
    page.submit('Hand over')
    page.expect_message('handed over to EcoRecycle LLC')
    handover.refresh_from_db()
    assert handover.status == 'handed_over'
    assert server.custody_events.filter(to_location__kind='vendor').count() == 1

    certificate = tmp_path / 'eco-recycle-certificate-0412.csv'
    certificate.write_text(
        'S/N;Action taken;Date;Certificate\n'
        'ZC1A2B3C;destroyed;08.12.2026;CERT-2026-0412\n'
        'S3Z8NX0M1234;recycled;08.12.2026;CERT-2026-0412\n'
        'CZ2039AB1C;recycled;09.12.2026;CERT-2026-0412\n'
        'PALLET-7;recycled;09.12.2026;CERT-2026-0412\n', encoding='utf-8')
    operation(page, 'certificate')
    page.page.locator('input[type=file]').set_input_files(str(certificate))
    page.page.get_by_label('Serial number column').fill('S/N')
    page.page.get_by_label('Method column').fill('Action taken')
    page.submit('Upload and reconcile')
    page.expect_message('3 matched, 1 missing from the certificate, 1 unknown')
    items = page.page.locator('table', has_text='Reconciliation')
    expect(items.locator('tr', has_text='ZC1A2B3C')).to_contain_text('Matched')
    expect(items.locator('tr', has_text='ZC1A2B3D')).to_contain_text('Missing from the certificate')
    expect(page.page.get_by_text('PALLET-7')).to_be_visible()
    assert RemovedComponent.objects.get(serial='ZC1A2B3C').status == 'destroyed'
    assert RemovedComponent.objects.get(serial='S3Z8NX0M1234').vendor_certificate == 'CERT-2026-0412'
    # The toast would cover the items' last column in the picture.
    page.page.locator('.toast .btn-close').first.click()
    expect(page.page.locator('.toast.show')).to_have_count(0)
    page.screenshot('handover')
