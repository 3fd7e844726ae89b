"""
Once a document has all its signatures, the facts it certifies are frozen: the REST API answers 409 naming the
document and the field, the edit form shows them disabled, bulk edit and import refuse them, and a record with
signed documents cannot be deleted. Everything else on the record stays editable.
"""
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, Document
from users.models import User

from .mixins import DocumentFixtureMixin
from .utils import add_ready_components, advance, create_workflow_decommission, token_header, workflow_state


def detail_url(decommission):
    return reverse('plugins-api:netbox_decommission-api:decommission-detail', kwargs={'pk': decommission.pk})


class CertifiedFactsAPITestCase(DocumentFixtureMixin, TestCase):

    def setUp(self):
        self.api = APIClient()
        self.headers = token_header(self.people.head)
        self.decommission = create_workflow_decommission(self.device, self.people, reason_text='Old')

    def patch(self, body):
        return self.api.patch(detail_url(self.decommission), body, format='json', **self.headers)

    def sign_order(self):
        workflow.sign(self.decommission, self.people.head, 'order', 'head')
        workflow.sign(self.decommission, self.people.responsible, 'order', 'responsible')
        return Document.objects.get(decommission=self.decommission, kind='order')

    def test_before_signing_everything_is_editable(self):
        response = self.patch({'reason_text': 'New', 'head': self.people.responsible.pk})
        self.assertEqual(response.status_code, 200, response.content)

    def test_the_signed_order_freezes_its_facts(self):
        order = self.sign_order()
        other = User.objects.create_user(username='other')
        for body, field in (
            ({'reason': 'consolidation'}, 'reason'),
            ({'reason_text': 'Something else'}, 'reason details'),
            ({'organization': 'Another LLC'}, 'organization'),
            ({'head': other.pk}, 'head'),
            ({'responsible': None}, 'responsible'),
            ({'number': 'DC-2026-99999'}, 'number'),
        ):
            before = workflow_state(self.decommission)
            response = self.patch(body)
            self.assertEqual(response.status_code, 409, body)
            detail = response.json()['detail']
            self.assertIn(order.number, detail)
            self.assertIn(field, detail)
            self.assertIn('journal', detail)
            self.assertEqual(workflow_state(self.decommission), before, body)

    def test_unchanged_certified_values_and_other_fields_are_accepted(self):
        self.sign_order()
        response = self.patch({'reason': 'end_of_life', 'reason_text': 'Old', 'description': 'Rack A',
                               'planned_start': '2026-12-05T22:00:00Z', 'comments': 'Call before'})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(Decommission.objects.get(pk=self.decommission.pk).description, 'Rack A')

    def test_the_signed_application_freezes_the_window(self):
        self.sign_order()
        workflow.schedule(self.decommission, self.people.head, *self.window())
        self.assertEqual(self.patch({'planned_end': '2026-12-07T02:00:00Z'}).status_code, 200)
        workflow.sign(self.decommission, self.people.head, 'application', 'head')
        response = self.patch({'planned_end': '2026-12-08T02:00:00Z'})
        self.assertEqual(response.status_code, 409)
        self.assertIn('planned end', response.json()['detail'])

    def test_the_signed_act_freezes_the_executors_and_the_storage(self):
        add_ready_components(self.decommission, self.zone)
        advance(self.decommission, Status.STATUS_RETIRED, self.people, self.zone)
        response = self.patch({'executors': [self.people.head.pk]})
        self.assertEqual(response.status_code, 409)
        self.assertIn('executors', response.json()['detail'])
        self.assertEqual(self.patch({'storage_location': None}).status_code, 409)
        self.assertEqual(self.patch({'comments': 'Archived'}).status_code, 200)

    def test_a_record_with_signed_documents_cannot_be_deleted(self):
        self.sign_order()
        response = self.api.delete(detail_url(self.decommission), **self.headers)
        self.assertEqual(response.status_code, 409)
        self.assertIn('signed documents', response.json()['detail'])
        self.assertTrue(Decommission.objects.filter(pk=self.decommission.pk).exists())

    def test_an_unsigned_record_can_be_deleted(self):
        self.assertEqual(self.api.delete(detail_url(self.decommission), **self.headers).status_code, 204)

    @staticmethod
    def window():
        from .utils import WINDOW
        return WINDOW


class CertifiedFactsUITestCase(DocumentFixtureMixin, TestCase):

    def setUp(self):
        self.decommission = create_workflow_decommission(self.device, self.people, reason_text='Old')
        workflow.sign(self.decommission, self.people.head, 'order', 'head')
        workflow.sign(self.decommission, self.people.responsible, 'order', 'responsible')
        self.order = Document.objects.get(decommission=self.decommission, kind='order')
        self.client.force_login(self.people.head)

    def test_the_edit_form_lists_certified_fields_read_only(self):
        url = reverse('plugins:netbox_decommission:decommission_edit', kwargs={'pk': self.decommission.pk})
        response = self.client.get(url)
        self.assertContains(response, f'Certified by the signed order {self.order.number}')
        self.assertContains(response, 'End of life')
        form = response.context['form']
        for field in ('reason', 'reason_text', 'organization', 'head', 'responsible', 'number'):
            self.assertNotIn(field, form.fields)
        self.assertIn('description', form.fields)
        # A submitted change to a certified fact is ignored; the rest is saved.
        response = self.client.post(url, {
            'device': self.device.pk, 'reason': 'consolidation', 'reason_text': 'Hacked', 'description': 'Edited',
            'organization': 'Other', 'head': self.people.responsible.pk,
        })
        self.assertEqual(response.status_code, 302, response.content)
        self.decommission.refresh_from_db()
        self.assertEqual((self.decommission.reason, self.decommission.reason_text, self.decommission.description),
                         ('end_of_life', 'Old', 'Edited'))
        self.assertEqual(self.decommission.head, self.people.head)

    def test_bulk_edit_refuses_certified_fields(self):
        url = reverse('plugins:netbox_decommission:decommission_bulk_edit')
        response = self.client.post(url, {
            'pk': [self.decommission.pk], '_apply': '', 'reason': 'consolidation',
        })
        self.decommission.refresh_from_db()
        self.assertEqual(self.decommission.reason, 'end_of_life')
        self.assertContains(response, f'Certified by the signed order {self.order.number}')

    def test_delete_is_refused_in_the_ui(self):
        url = reverse('plugins:netbox_decommission:decommission_delete', kwargs={'pk': self.decommission.pk})
        response = self.client.post(url, {'confirm': True}, follow=True)
        self.assertTrue(Decommission.objects.filter(pk=self.decommission.pk).exists())
        self.assertContains(response, 'Unable to delete')
        self.assertContains(response, self.order.number)
