"""
Who may move a decommission over REST: actions need the "change" permission, signing the custom "sign"
permission, the GET endpoints "view"; ObjectPermission constraints hide records outside them (404).
"""
from django.test import TestCase
from rest_framework.test import APIClient

from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, StorageLocation

from .utils import (
    action_url,
    create_cabled_server,
    create_signers,
    create_sites,
    create_workflow_decommission,
    grant,
    token_header,
    workflow_state,
)

SIGN_ORDER = {'document': 'order', 'role': 'head'}
CANCEL = {'reason': 'Not needed'}


class WorkflowPermissionsTestCase(TestCase):
    client_class = APIClient

    @classmethod
    def setUpTestData(cls):
        site_a, other = create_sites('Site A', 'Other')
        cls.people = create_signers()
        cls.here = create_workflow_decommission(create_cabled_server(site_a, 'srv-a', octet=10).device, cls.people)
        cls.there = create_workflow_decommission(create_cabled_server(other, 'srv-o', octet=11).device, cls.people)
        StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site_a)

    def setUp(self):
        self.head = self.people.head
        self.header = token_header(self.head)

    def post(self, decommission, action, body, header=None):
        return self.client.post(action_url(decommission, action), body, format='json', **(header or self.header))

    def get(self, decommission, action):
        return self.client.get(action_url(decommission, action), **self.header)

    def assertRefused(self, decommission, action, body, status):
        state = workflow_state(decommission)
        response = self.post(decommission, action, body)
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(workflow_state(decommission), state)
        return response

    def test_without_any_permission(self):
        self.assertRefused(self.here, 'cancel', CANCEL, 403)
        self.assertRefused(self.here, 'sign', SIGN_ORDER, 403)
        for action in ('impact', 'documents', 'stage-log'):
            self.assertEqual(self.get(self.here, action).status_code, 403, action)

    def test_actions_need_change(self):
        grant([self.head], ['view'])
        response = self.assertRefused(self.here, 'cancel', CANCEL, 403)
        self.assertIn('"change" permission', response.json()['detail'])
        self.assertRefused(self.here, 'schedule', {'planned_start': '2026-12-05T22:00:00Z',
                                                   'planned_end': '2026-12-06T02:00:00Z'}, 403)

        grant([self.head], ['change'])
        response = self.post(self.here, 'cancel', CANCEL)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(Decommission.objects.get(pk=self.here.pk).status, Status.STATUS_CANCELLED)

    def test_change_constraints_are_honoured(self):
        grant([self.head], ['view', 'change'], constraints={'site__slug': 'other'})
        self.assertRefused(self.here, 'cancel', CANCEL, 404)
        response = self.post(self.there, 'cancel', CANCEL)
        self.assertEqual(response.status_code, 200, response.content)

    def test_sign_needs_the_sign_permission(self):
        grant([self.head], ['view', 'change'])
        response = self.assertRefused(self.here, 'sign', SIGN_ORDER, 403)
        self.assertIn('"sign" permission', response.json()['detail'])

        grant([self.head], ['sign'])
        response = self.post(self.here, 'sign', SIGN_ORDER)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(self.here.documents.get(kind='order').signatures.filter(user=self.head).exists())

    def test_sign_alone_does_not_allow_other_actions(self):
        grant([self.head], ['sign'])
        self.assertRefused(self.here, 'cancel', CANCEL, 403)
        self.assertEqual(self.post(self.here, 'sign', SIGN_ORDER).status_code, 200)

    def test_sign_constraints_are_honoured(self):
        grant([self.head], ['view', 'change'])
        grant([self.head], ['sign'], constraints={'site__slug': 'other'})
        self.assertRefused(self.here, 'sign', SIGN_ORDER, 404)
        self.assertEqual(self.post(self.there, 'sign', SIGN_ORDER).status_code, 200)

    def test_get_endpoints_need_view(self):
        grant([self.head], ['change', 'sign'])
        for action in ('impact', 'documents', 'stage-log'):
            response = self.get(self.here, action)
            self.assertEqual(response.status_code, 403, action)
            self.assertIn('"view" permission', response.json()['detail'])

        grant([self.head], ['view'], constraints={'site__slug': 'other'})
        for action in ('impact', 'documents', 'stage-log'):
            self.assertEqual(self.get(self.here, action).status_code, 404, action)
            self.assertEqual(self.get(self.there, action).status_code, 200, action)

    def test_a_read_only_token_cannot_act(self):
        grant([self.head], ['view', 'change', 'sign'])
        read_only = token_header(self.head, write_enabled=False)
        state = workflow_state(self.here)
        self.assertEqual(self.post(self.here, 'sign', SIGN_ORDER, header=read_only).status_code, 403)
        self.assertEqual(self.post(self.here, 'cancel', CANCEL, header=read_only).status_code, 403)
        self.assertEqual(workflow_state(self.here), state)
        self.assertEqual(self.client.get(action_url(self.here, 'documents'), **read_only).status_code, 200)

    def test_anonymous_requests_are_refused(self):
        state = workflow_state(self.here)
        self.assertIn(self.client.post(action_url(self.here, 'cancel'), CANCEL, format='json').status_code,
                      (401, 403))
        self.assertIn(self.client.get(action_url(self.here, 'impact')).status_code, (401, 403))
        self.assertEqual(workflow_state(self.here), state)
