"""
The demo `make demo` serves, as a new user meets it: dev/bootstrap.py and dev/demo_data.py loaded as make demo loads
them (tests/demo_netbox.py), then checked — a decommission in every stage, walked by the workflow's services by the
people whose part each move is, over past weeks; frozen documents, harvested and sanitized parts, custody moves, the
hand-overs to the disposal vendor, the archive job — and a second load that adds nothing. Then in a browser: the
decommission list with every stage, the home page's widgets, and the record the README says to open first. The
screenshots (E2E_ARTIFACTS) are README's and docs/images/demo-*.png.
"""
import runpy
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Job, ObjectChange
from extras.models import Dashboard
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.choices import DocumentKindChoices as Kind
from netbox_decommission.models import (
    CustodyEvent,
    Decommission,
    Document,
    Handover,
    RemovedComponent,
    Signature,
    StageChange,
)
from tests.demo_netbox import REPO, demo_netbox
from users.models import User

from .browser import PASSWORD, Session

pytestmark = pytest.mark.browser

PEOPLE = ('orlova', 'ivanov', 'petrov', 'sidorov', 'kozlova')


@pytest.fixture(scope='module')
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with demo_netbox(django_db_blocker, tmp_path_factory.mktemp('clone')) as demo:
        yield demo


def counts():
    return {model.__name__: model.objects.count() for model in (
        Decommission, Handover, Job, ObjectChange, Document, Signature, RemovedComponent, CustodyEvent, Dashboard)}


def check_the_story():
    records = {record.device_name: record for record in Decommission.objects.all()}
    assert {record.status for record in records.values()} == {value for value, *_rest in Status.CHOICES}
    closed = records['msk1-db-06']
    # Each document signed in person, by the people the record names, in their roles.
    signers = set(Signature.objects.filter(document__decommission=closed).values_list('role', 'user__username'))
    assert signers == {('head', 'ivanov'), ('responsible', 'petrov'), ('executor', 'sidorov'),
                       ('executor', 'kozlova')}
    assert closed.requested_by.username == 'orlova'
    frozen = set(closed.documents.exclude(signed_at=None).values_list('kind', flat=True))
    assert {Kind.KIND_ORDER, Kind.KIND_APPLICATION, Kind.KIND_ACT, Kind.KIND_SANITIZATION, Kind.KIND_REPORT} <= frozen
    assert all(document.files.count() == 2 for document in closed.documents.all())  # Russian and English
    media = closed.components.filter(is_media=True)
    assert media.exists() and not media.exclude(status='destroyed').exists()
    assert not media.filter(sanitization_method='').exists()
    assert closed.device is None and records['msk1-k8s-05'].device is not None  # retired; restored
    assert CustodyEvent.objects.filter(decommission=closed).exists()
    # The hand-overs: one reconciled with the vendor's certificate and closed, one awaiting its certificate.
    assert dict(Handover.objects.values_list('status', 'items__reconciliation').distinct()) == {
        'closed': 'matched', 'handed_over': 'pending'}
    # Spread over the past weeks: the stage log covers more than a month, on many days; nothing in the future.
    now = timezone.now()
    times = list(StageChange.objects.values_list('time', flat=True))
    assert min(times) < now - timedelta(days=30) and max(times) < now
    assert len({moment.date() for moment in times}) >= 15
    assert records['msk1-web-08'].planned_start > now  # scheduled: next week
    assert records['msk1-db-02'].planned_end < now  # backed up, its window passed: overdue
    assert Job.objects.filter(name='Decommission documents archive', status='completed').count() == 1
    for username in ('admin', *PEOPLE):
        widgets = {item['class'] for item in User.objects.get(username=username).dashboard.config.values()}
        assert 'netbox_decommission.ByStageWidget' in widgets


def test_the_demo_tells_the_story_and_shows_it(demo, chromium, artifacts):
    check_the_story()
    before = counts()
    with mock.patch.dict('os.environ', DEMO_DIR=str(demo.directory / '.dev')):
        runpy.run_path(str(REPO / 'dev' / 'bootstrap.py'))
        runpy.run_path(str(REPO / 'dev' / 'demo_data.py'))
    assert counts() == before  # a second make demo adds nothing

    # The admin, whom the demo's banner names first (its password, admin, is the browser sessions' here).
    admin = User.objects.get(username='admin')
    admin.set_password(PASSWORD)
    admin.save()
    session = Session(chromium, demo.url, artifacts, 'admin')
    try:
        session.open('/plugins/decommission/decommissions/?per_page=50&ordering=number')
        rows = session.page.locator('table.object-list tbody tr')
        expect(rows).to_have_count(Decommission.objects.count())
        for _value, label, *_color in Status.CHOICES:
            expect(session.page.locator('table.object-list tbody').get_by_text(str(label), exact=True).first
                   ).to_be_visible()
        session.screenshot('demo-decommissions')

        session.open('/')
        for title in ('Decommissions by stage', 'Overdue decommissions', 'Storage media at risk',
                      'Decommissioning this period'):
            expect(session.page.locator('.card-title', has_text=title)).to_be_visible()
        expect(session.page.get_by_text('msk1-db-02').first).to_be_visible()  # overdue
        expect(session.page.get_by_text('Servers retired')).to_be_visible()  # the last 30 days
        session.screenshot('demo-dashboard')

        closed = Decommission.objects.get(device_name='msk1-db-06')
        session.open(closed.get_absolute_url())
        expect(session.page.get_by_text('Closed', exact=True).first).to_be_visible()
        session.screenshot('demo-first-record')
    finally:
        session.close()
