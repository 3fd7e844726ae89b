"""
In a real browser: a user creates a calendar feed on the "Calendar feeds" page, copies the address it shows once,
and a calendar program (a browser context without NetBox's session) reads the removal window from it; revoked, the
address answers 404. The screenshot of the page with the new address is docs/images/calendar-feeds.png. Scheduling
a window that clashes with another in the same rack warns on the form and after the move, and the move is made
(docs/images/schedule-conflict.png).
"""
import pytest
from playwright.sync_api import expect

from netbox_decommission import workflow
from netbox_decommission.models import CalendarFeed, Decommission
from tests.utils import (
    WINDOW,
    create_cabled_server,
    create_decommission,
    create_signers,
    create_sites,
    create_workflow_decommission,
    grant,
)

from .browser import PASSWORD

pytestmark = pytest.mark.browser


def test_create_subscribe_and_revoke_a_calendar_feed(login, chromium, live_server):
    (site,) = create_sites('DC Moscow 4')
    server = create_cabled_server(site, 'msk4-web-07', rack=site.racks.get(), position=12)
    people = create_signers()
    people.head.set_password(PASSWORD)
    people.head.save()
    grant([people.head], ['view'], Decommission)
    decommission = create_workflow_decommission(server.device, people, planned_start=WINDOW[0],
                                                planned_end=WINDOW[1], reason_text='Replaced by msk4-web-12')

    head = login('head')
    head.open('/plugins/decommission/calendar-feeds/')
    head.click('link', 'Add a calendar feed')
    head.page.get_by_label('Name').fill('Moscow windows in Thunderbird')
    head.submit('Create')
    address = head.page.locator('#new-calendar-feed-url')
    expect(address).to_contain_text('/plugins/decommission/calendar/')
    expect(head.page.locator('#calendar-feeds')).to_contain_text('Moscow windows in Thunderbird')
    head.screenshot('calendar-feeds')
    url = address.inner_text().strip()
    feed = CalendarFeed.objects.get(user=people.head)
    assert url.endswith('.ics') and feed.key_prefix in url

    # A calendar program: no NetBox session.
    calendar_program = chromium.new_context()
    answer = calendar_program.request.get(url)
    assert answer.status == 200
    assert answer.headers['content-type'] == 'text/calendar; charset=utf-8'
    body = answer.text()
    assert 'BEGIN:VEVENT' in body
    assert f'SUMMARY:Removal of msk4-web-07 ({decommission.number})' in body
    assert 'DTSTART:20261205T220000Z' in body

    # Shown once: not after the page is opened again.
    head.open('/plugins/decommission/calendar-feeds/')
    expect(head.page.locator('#new-calendar-feed-url')).to_have_count(0)
    head.click('link', 'Revoke')
    head.submit('Revoke')
    expect(head.page.locator('#calendar-feeds')).to_have_count(0)
    assert calendar_program.request.get(url).status == 404
    calendar_program.close()


def test_scheduling_a_clashing_window_warns_and_is_made(login):
    (site,) = create_sites('DC Moscow 4')
    rack = site.racks.get()
    people = create_signers()
    people.head.set_password(PASSWORD)
    people.head.save()
    grant([people.head], ['view', 'change', 'sign'], Decommission)
    neighbour = create_decommission(create_cabled_server(site, 'msk4-db-03', octet=11, rack=rack, position=20).device,
                                    status='scheduled', planned_start=WINDOW[0], planned_end=WINDOW[1])
    decommission = create_workflow_decommission(
        create_cabled_server(site, 'msk4-web-07', octet=12, rack=rack, position=12).device, people,
        planned_start=WINDOW[0], planned_end=WINDOW[1])
    workflow.sign(decommission, people.head, 'order', 'head')
    workflow.sign(decommission, people.responsible, 'order', 'responsible')

    head = login('head')
    head.open(f'/plugins/decommission/decommissions/{decommission.pk}/schedule/')
    warnings = head.page.locator('#move-warnings')
    expect(warnings).to_contain_text(f'The window overlaps that of {neighbour.number} (msk4-db-03')
    expect(warnings).to_contain_text('in the same rack DC Moscow 4 Rack')
    head.screenshot('schedule-conflict')
    head.submit('Schedule the removal')
    head.expect_message(f'The window overlaps that of {neighbour.number}')
    decommission.refresh_from_db()
    assert decommission.documents.filter(kind='application').exists()
