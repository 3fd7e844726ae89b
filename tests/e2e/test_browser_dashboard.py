"""
In a real browser: the plugin's four widgets added to NetBox's dashboard through its own "Add Widget" dialog (the
by-stage widget limited to a site in its configuration form), their numbers on the home page, and a bar of the
by-stage widget opening the decommission list filtered by its stage and site. Screenshots go to E2E_ARTIFACTS;
docs/dashboard.md shows them (docs/images/dashboard-*.png).
"""
import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from extras.models import Dashboard
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Handover, HandoverItem, RemovedComponent, StageChange, StorageLocation
from tests.utils import create_decommission, create_devices, create_sites
from users.models import User

from .browser import PASSWORD

pytestmark = pytest.mark.browser


def add_widget(session, widget, title, site=None, days=None, shot=None):
    """NetBox's Add Widget dialog: the widget type, a title, the widget's own settings; Save."""
    page = session.page
    # NetBox shows its Add Widget button once the dashboard is unlocked.
    page.locator('#unlock_dashboard').click()
    page.get_by_role('link', name='Add Widget').click()
    form = page.locator('#widget_add_form')
    expect(form).to_be_visible()
    # The type's select reloads the dialog with that widget's configuration form (htmx, on change).
    form.locator('#id_widget_class').evaluate(
        '(select, value) => { select.value = value; select.dispatchEvent(new Event("change", {bubbles: true})); }',
        f'netbox_decommission.{widget}',
    )
    expect(page.locator('#widget_add_form #id_title')).to_be_visible()
    expect(page.locator('#widget_add_form #id_config-site')).to_be_attached()
    page.locator('#widget_add_form #id_title').fill(title)
    if site:
        # The site's select searches NetBox's REST API (TomSelect). Not Session.choose(): its Escape would close the
        # dialog.
        page.bring_to_front()
        page.locator('#id_config-site-ts-control').locator('..').click()
        option = page.locator('#id_config-site-ts-dropdown .option', has_text=site).first
        expect(option).to_be_visible()
        option.click()
        expect(page.locator('#id_config-site option:checked', has_text=site)).to_be_attached()
    if days is not None:
        page.locator('#widget_add_form #id_config-days').fill(str(days))
    if shot:
        session.screenshot(shot)
    page.locator('#widget_add_form').get_by_role('button', name='Save').click()
    page.wait_for_url(re.compile(r'/$'))
    page.wait_for_load_state('networkidle')
    expect(page.locator('.card-title', has_text=title)).to_be_visible()


def test_the_widgets_on_the_dashboard(login):
    now = timezone.now()
    day = datetime.timedelta(days=1)
    moscow, kazan = create_sites('DC Moscow 5', 'DC Kazan 1')
    devices = create_devices(9, moscow, prefix='msk5-app')
    stages = [Status.STATUS_DRAFT, Status.STATUS_ORDERED, Status.STATUS_SCHEDULED, Status.STATUS_SCHEDULED,
              Status.STATUS_SCHEDULED, Status.STATUS_BACKED_UP, Status.STATUS_SHUT_DOWN, Status.STATUS_IN_STORAGE,
              Status.STATUS_RETIRED]
    records = [create_decommission(device, status=stage) for device, stage in zip(devices, stages, strict=True)]
    late, soon = records[2], records[3]
    late.planned_start, late.planned_end = now - 3 * day, now - 2 * day
    late.save()
    soon.planned_start, soon.planned_end = now + 2 * day, now + 2 * day + datetime.timedelta(hours=4)
    soon.save()
    StageChange.objects.create(decommission=records[-1], from_status=Status.STATUS_IN_STORAGE,
                               to_status=Status.STATUS_RETIRED)
    for i in range(3):
        RemovedComponent.objects.create(decommission=records[-1], kind='disk', name=f'Disk {i}',
                                        serial=f'WD-MSK5-{i}')
    sealed = RemovedComponent.objects.create(
        decommission=records[-1], kind='ssd', name='SSD 0', serial='S3Z-MSK5', seal_number='SEAL-0042',
        sanitization_deferred_reason='Shredded by the vendor',
    )
    RemovedComponent.objects.filter(pk=sealed.pk).update(created=now - 45 * day)
    RemovedComponent.objects.create(decommission=records[-1], kind='memory', name='DIMM A1', serial='M-1',
                                    status='reused', disposition_date=timezone.localdate())
    vendor = StorageLocation.objects.create(name='EcoRecycling', kind='vendor', site=moscow)
    handover = Handover.objects.create(number='HND-2026-00001', site=moscow, vendor=vendor, pickup_date=now.date(),
                                       status='handed_over', handed_over_at=now)
    for i, weight in enumerate((Decimal('11.5'), Decimal('0.75'))):
        part = RemovedComponent.objects.create(decommission=records[-1], kind='psu', name=f'PSU {i}',
                                               serial=f'PSU-MSK5-{i}', status='transferred')
        HandoverItem.objects.create(handover=handover, component=part, serial=part.serial, weight=weight)
    for device in create_devices(3, kazan, prefix='kzn1-db'):
        create_decommission(device, status=Status.STATUS_SCHEDULED)
    manager_user = User.objects.create_superuser('manager', 'manager@example.com', PASSWORD)
    # An empty dashboard to begin with (NetBox would give a new user its default widgets).
    Dashboard.objects.create(user=manager_user, layout=[], config={})

    manager = login('manager')
    manager.open('/')
    add_widget(manager, 'ByStageWidget', 'Moscow 5 by stage', site='DC Moscow 5', shot='dashboard-add-widget')
    add_widget(manager, 'OverdueWidget', 'Overdue', days=7)
    add_widget(manager, 'MediaAtRiskWidget', 'Media at risk', days=30)
    add_widget(manager, 'ThisPeriodWidget', 'This month')

    page = manager.page
    by_stage = page.locator('[data-widget="by-stage"]')
    expect(by_stage.locator('[data-stage="scheduled"]')).to_have_attribute('data-count', '3')  # not Kazan's
    expect(by_stage.locator('[data-stage=""]')).to_have_attribute('data-count', '9')
    expect(page.locator('[data-figure="overdue"]')).to_have_attribute('data-count', '1')
    expect(page.locator('[data-widget="overdue"]')).to_contain_text(late.number)
    expect(page.locator('[data-figure="backup-due"]')).to_have_attribute('data-count', '1')
    expect(page.locator('[data-figure="unsealed"]')).to_have_attribute('data-count', '3')
    expect(page.locator('[data-figure="sealed"]')).to_have_attribute('data-count', '1')
    expect(page.locator('[data-widget="media-at-risk"]')).to_contain_text('SEAL-0042')
    expect(page.locator('[data-figure="retired"]')).to_have_attribute('data-count', '1')
    expect(page.locator('[data-figure="reused"]')).to_have_attribute('data-count', '1')
    expect(page.locator('[data-figure="kilograms"]')).to_have_attribute('data-count', '12.250')
    expect(page.locator('[data-figure="kilograms"]')).to_contain_text('12.25 kg')
    manager.open('/')  # without the toast of the last widget added
    manager.screenshot('dashboard-widgets')

    by_stage.locator('[data-stage="scheduled"]').click()
    page.wait_for_load_state('networkidle')
    assert re.search(rf'/plugins/decommission/decommissions/\?status=scheduled&site_id={moscow.pk}$', page.url)
    table = page.locator('table')
    for record in records[2:5]:
        expect(table).to_contain_text(record.number)
    expect(table).not_to_contain_text('kzn1-db')
    manager.screenshot('dashboard-by-stage-list')
