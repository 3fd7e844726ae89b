"""
In a real browser: the e-waste report from the menu, its chart and table, filtered to one site and a date range,
and its CSV downloaded — the same rows and total as the page. The screenshot is docs/ewaste.md's
(docs/images/ewaste-report.png).
"""
import csv
import datetime
import io
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site
from netbox_decommission.models import Handover, HandoverItem, RemovedComponent, StorageLocation
from netbox_decommission.weights import server_weight
from tests.utils import create_decommission, create_sites, grant
from users.models import User

from .browser import PASSWORD

pytestmark = pytest.mark.browser

# (vendor, site, day handed over, weights of the parts in kg; None: unknown)
HANDOVERS = (
    ('EcoTechnoPark', 'DC Moscow 1', '2026-01-20', ['0.65', '0.65', '1.2']),
    ('EcoTechnoPark', 'DC Moscow 1', '2026-02-11', ['18.5', '0.9', None]),
    ('Vtorchermet', 'DC Moscow 2', '2026-02-24', ['22.0', '1.4']),
    ('EcoTechnoPark', 'DC Moscow 2', '2026-03-16', ['15.75', '0.35', '0.35']),
    ('Vtorchermet', 'DC Moscow 1', '2026-04-08', ['27.3', '2.1']),
    ('EcoTechnoPark', 'DC Moscow 1', '2026-05-19', ['9.8']),
)


def make_report_data():
    sites = {site.name: site for site in create_sites('DC Moscow 1', 'DC Moscow 2')}
    vendors = {
        'EcoTechnoPark': StorageLocation.objects.create(name='EcoTechnoPark', kind='vendor', site=sites['DC Moscow 1']),
        'Vtorchermet': StorageLocation.objects.create(name='Vtorchermet', kind='vendor', site=sites['DC Moscow 2']),
    }
    # A server whose device type weighs 40 lb: 18.143 kg through NetBox's conversion.
    dell = Manufacturer.objects.create(name='Dell', slug='dell')
    device_type = DeviceType.objects.create(manufacturer=dell, model='PowerEdge R640', slug='r640', weight=40,
                                            weight_unit='lb')
    role = DeviceRole.objects.create(name='Server', slug='server')
    device = Device.objects.create(name='msk1-db-03', site=sites['DC Moscow 1'], device_type=device_type, role=role)
    server = create_decommission(device)
    for number, (vendor, site, day, weights) in enumerate(HANDOVERS, start=1):
        handover = Handover.objects.create(
            number=f'HND-2026-{number:05d}', site=sites[site], vendor=vendors[vendor], status='handed_over',
            pickup_date=datetime.date.fromisoformat(day),
            handed_over_at=datetime.datetime.fromisoformat(f'{day}T10:00:00+00:00'),
        )
        for index, weight in enumerate(weights):
            part = RemovedComponent.objects.create(decommission=server, kind='disk', name=f'{handover.number}-{index}')
            HandoverItem.objects.create(handover=handover, component=part, description=part.name,
                                        weight=Decimal(weight) if weight else None)
        if number == 2:
            HandoverItem.objects.create(handover=handover, decommission=server, weight=server_weight(server))
    # Planned: not counted.
    Handover.objects.create(number='HND-2026-00099', site=sites['DC Moscow 1'], vendor=vendors['Vtorchermet'],
                            pickup_date=datetime.date(2026, 6, 1))
    return sites


def test_the_ewaste_report(login, artifacts):
    sites = make_report_data()
    user = User.objects.create_user(username='ecologist', password=PASSWORD)
    grant([user], ['view'], model=Handover)
    grant([user], ['view'], model=Site)
    grant([user], ['view'], model=StorageLocation)

    ecologist = login('ecologist')
    ecologist.open('/plugins/decommission/')
    ecologist.open('/plugins/decommission/ewaste/')
    expect(ecologist.page.locator('#ewaste-chart .ewaste-bar')).to_have_count(5 + 2)  # five months, two vendors
    table = ecologist.page.locator('#ewaste-table')
    expect(table.locator('tbody tr')).to_have_count(6)
    # Every hand-over's parts, and the 40 lb server (18.143 kg) handed over in February.
    expect(table.locator('tfoot')).to_contain_text('119.093')
    expect(ecologist.page.locator('#ewaste-total')).to_contain_text('1 item has no weight')
    ecologist.screenshot('ewaste-report')

    # One site, from February to April.
    ecologist.fill_date('date_from', '2026-02-01')
    ecologist.fill_date('date_to', '2026-04-30')
    ecologist.choose('site_id', 'DC Moscow 1')
    ecologist.submit('Show')
    expect(table.locator('tbody tr')).to_have_count(2)
    expect(table).not_to_contain_text('DC Moscow 2')
    # 18.5 + 0.9 + 18.143 (February) and 27.3 + 2.1 (April).
    expect(table.locator('tfoot')).to_contain_text('66.943')
    assert f'site_id={sites["DC Moscow 1"].pk}' in ecologist.page.url

    with ecologist.page.expect_download() as download:
        ecologist.page.locator('#ewaste-csv').click()
    lines = list(csv.reader(io.StringIO(open(download.value.path(), encoding='utf-8').read())))
    assert lines[0] == ['vendor', 'site', 'period', 'period_start', 'kg', 'items', 'items_without_weight']
    assert lines[1:] == [
        ['EcoTechnoPark', 'DC Moscow 1', '2026-02', '2026-02-01', '37.543', '4', '1'],
        ['Vtorchermet', 'DC Moscow 1', '2026-04', '2026-04-01', '29.400', '2', '0'],
        ['Total', '', '', '', '66.943', '6', '1'],
    ]
    ecologist.screenshot('ewaste-report-filtered')
