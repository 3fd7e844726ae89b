"""
Windows that clash: scheduling a removal whose window overlaps another pending decommission's in the same rack, or
of a server cabled to the same switch, warns and names the other record and why, in the web UI and in the REST
answer; the move is made all the same. Non-overlapping windows and finished records warn of nothing.
"""
import datetime

from django.contrib.messages import get_messages
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from netbox_decommission import workflow
from netbox_decommission.calendar.conflicts import window_conflicts
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission
from utilities.testing import create_test_device

from .utils import (
    WINDOW,
    action_url,
    create_cabled_server,
    create_decommission,
    create_signers,
    create_sites,
    create_workflow_decommission,
    grant,
    token_header,
)

UTC = datetime.UTC
# Overlaps WINDOW (22:00–02:00) by an hour.
OVERLAPPING = (datetime.datetime(2026, 12, 6, 1, 0, tzinfo=UTC), datetime.datetime(2026, 12, 6, 4, 0, tzinfo=UTC))
# Ends when WINDOW starts: no overlap.
BEFORE = (datetime.datetime(2026, 12, 5, 18, 0, tzinfo=UTC), datetime.datetime(2026, 12, 5, 22, 0, tzinfo=UTC))
ELSEWHEN = (datetime.datetime(2027, 1, 15, 9, 0, tzinfo=UTC), datetime.datetime(2027, 1, 15, 12, 0, tzinfo=UTC))


class WindowConflictTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        cls.rack = cls.site.racks.get()
        cls.switch = create_test_device('msk-tor-01', site=cls.site)
        cls.people = create_signers()
        grant([cls.people.head], ['view', 'change', 'sign'])
        # The server to schedule: in the rack, cabled to the switch.
        server = create_cabled_server(cls.site, 'msk-app-12', octet=10, rack=cls.rack, position=10,
                                      switch=cls.switch).device
        cls.record = create_workflow_decommission(server, cls.people)
        workflow.sign(cls.record, cls.people.head, 'order', 'head')
        workflow.sign(cls.record, cls.people.responsible, 'order', 'responsible')

        def other(name, octet, window, status=Status.STATUS_SCHEDULED, **placement):
            device = create_cabled_server(cls.site, name, octet=octet, **placement).device
            return create_decommission(device, status=status, planned_start=window[0], planned_end=window[1])

        # Same rack, its own switch, an overlapping window.
        cls.same_rack = other('msk-db-03', 11, OVERLAPPING, rack=cls.rack, position=20)
        # Another rack (none), the same switch, an overlapping window.
        cls.same_switch = other('msk-web-07', 12, OVERLAPPING, switch=cls.switch)
        # Same rack and switch, but the windows only touch.
        cls.touching = other('msk-app-13', 13, BEFORE, rack=cls.rack, position=30, switch=cls.switch)
        # Same rack and switch, overlapping, but finished or already retired.
        cls.closed = other('msk-app-14', 14, WINDOW, status=Status.STATUS_CLOSED, rack=cls.rack, position=32,
                           switch=cls.switch)
        cls.retired = other('msk-app-15', 15, WINDOW, status=Status.STATUS_RETIRED, rack=cls.rack, position=34,
                            switch=cls.switch)
        # Overlapping, but neither in the rack nor behind the switch.
        cls.unrelated = other('msk-app-16', 16, WINDOW)

    def expected_warnings(self):
        return [
            f'The window overlaps that of {self.same_rack.number} (msk-db-03, 2026-12-06 01:00 UTC – 2026-12-06 '
            f'04:00 UTC), in the same rack Site A Rack.',
            f'The window overlaps that of {self.same_switch.number} (msk-web-07, 2026-12-06 01:00 UTC – 2026-12-06 '
            f'04:00 UTC), cabled to the same switch msk-tor-01.',
        ]

    def assertScheduled(self, window):
        record = Decommission.objects.get(pk=self.record.pk)
        self.assertEqual((record.planned_start, record.planned_end), window)

    def test_the_rule_names_each_clashing_record_and_why(self):
        workflow.schedule(self.record, self.people.head, *WINDOW)
        self.record.refresh_from_db()
        self.assertEqual(window_conflicts(self.record, self.people.head), self.expected_warnings())

    def test_both_reasons_at_once_and_records_the_user_may_not_view(self):
        Decommission.objects.filter(pk=self.same_switch.pk).update(rack=self.rack)
        workflow.schedule(self.record, self.people.head, *WINDOW)
        self.record.refresh_from_db()
        self.assertIn('in the same rack Site A Rack; cabled to the same switch msk-tor-01.',
                      window_conflicts(self.record, self.people.head)[1])
        planner = create_signers('site-b-').head
        grant([planner], ['view'], constraints={'pk': self.same_rack.pk})
        warnings = window_conflicts(self.record, planner)
        self.assertEqual(len(warnings), 2)
        self.assertIn(self.same_rack.number, warnings[0])
        self.assertNotIn(self.same_switch.number, warnings[1])
        self.assertIn('overlaps 1 decommission(s) in the same rack or behind the same switch that you may not view',
                      warnings[1])

    def test_the_api_answers_the_warnings_and_makes_the_move(self):
        client = APIClient()
        header = token_header(self.people.head)
        body = {'planned_start': WINDOW[0].isoformat(), 'planned_end': WINDOW[1].isoformat()}
        response = client.post(action_url(self.record, 'schedule'), body, format='json', **header)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['warnings'], self.expected_warnings())
        self.assertScheduled(WINDOW)

        body = {'planned_start': ELSEWHEN[0].isoformat(), 'planned_end': ELSEWHEN[1].isoformat()}
        response = client.post(action_url(self.record, 'schedule'), body, format='json', **header)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['warnings'], [])
        self.assertScheduled(ELSEWHEN)

    def test_other_moves_answer_no_warnings(self):
        response = APIClient().post(action_url(self.record, 'cancel'), {'reason': 'Stays'}, format='json',
                                    **token_header(self.people.head))
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['warnings'], [])

    def test_the_web_ui_shows_the_warnings_after_the_move_and_on_its_form(self):
        self.client.force_login(self.people.head)
        url = reverse('plugins:netbox_decommission:decommission_schedule', kwargs={'pk': self.record.pk})
        response = self.client.post(url, {'planned_start': '2026-12-05 22:00:00', 'planned_end': '2026-12-06 02:00:00'})
        self.assertEqual(response.status_code, 302)
        self.assertScheduled(WINDOW)
        shown = [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]
        self.assertEqual([message for level, message in shown if level == 'warning'], self.expected_warnings())
        self.assertIn('success', [level for level, _message in shown])

        form = self.client.get(url)
        self.assertContains(form, 'id="move-warnings"')
        for warning in self.expected_warnings():
            self.assertContains(form, warning)

        response = self.client.post(url, {'planned_start': '2027-01-15 09:00:00', 'planned_end': '2027-01-15 12:00:00'})
        self.assertEqual(response.status_code, 302)
        self.assertScheduled(ELSEWHEN)
        self.assertFalse([m for m in get_messages(response.wsgi_request) if m.level_tag == 'warning'])
        self.assertNotContains(self.client.get(url), 'id="move-warnings"')
