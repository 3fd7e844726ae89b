"""
Batches (bulk.py, jobs.py and their views): starting decommissions for a rack or a selection, one workflow move on
many records, and the documents of a batch as one ZIP archive. Small batches run in the request; larger ones run as
a background job, which the tests run synchronously from the callback NetBox registers for the commit.
"""
import io
import uuid
import zipfile

from django.db import connection, transaction
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import JobStatusChoices
from core.models import ObjectChange
from dcim.models import Device, Rack
from netbox.context import events_queue
from netbox.context_managers import event_tracking
from netbox_decommission import bulk
from netbox_decommission.choices import DecommissionReasonChoices
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission

from .utils import (
    create_decommission,
    create_devices,
    create_signers,
    create_sites,
    grant,
    run_enqueued_jobs,
    token_header,
)

API = 'plugins-api:netbox_decommission-api:decommission-{}'
UI = 'plugins:netbox_decommission:decommission_{}'
EOL = DecommissionReasonChoices.REASON_END_OF_LIFE


class BulkTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        cls.site, = create_sites('Bulk Site')
        cls.rack = Rack.objects.get(site=cls.site)
        cls.rack_devices = create_devices(6, cls.site, prefix='rack', rack=cls.rack)
        cls.loose = create_devices(2, cls.site, prefix='loose')
        cls.people = create_signers('bulk-')
        cls.user = cls.people.head
        grant([cls.user, cls.people.responsible], ['view', 'add', 'change', 'sign'])
        grant([cls.user], ['view'], model=Device)
        grant([cls.user], ['view'], model=Rack)

    def setUp(self):
        self.client.force_login(self.user)


class StartTest(BulkTestCase):

    def test_rack_of_six_from_the_ui_runs_as_a_job(self):
        with self.captureOnCommitCallbacks() as callbacks:
            response = self.client.post(reverse(UI.format('bulk_start')), {
                '_apply': 'true', 'rack': self.rack.pk, 'reason': EOL, 'reason_text': 'Rack emptied',
                'head': self.people.head.pk, 'responsible': self.people.responsible.pk,
                'executors': [u.pk for u in self.people.executors],
            })
        job, = run_enqueued_jobs(callbacks)
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(job.status, JobStatusChoices.STATUS_COMPLETED)
        self.assertEqual((job.data['done'], job.data['total'], job.data['succeeded']), (6, 6, 6))
        self.assertTrue(all(r['ok'] for r in job.data['results']))
        started = Decommission.objects.filter(device__in=self.rack_devices)
        self.assertEqual(started.count(), 6)
        for decommission in started:
            self.assertEqual(decommission.reason_text, 'Rack emptied')
            self.assertEqual(decommission.requested_by, self.user)
            self.assertEqual(decommission.executors.count(), 2)
            self.assertTrue(decommission.documents.filter(kind='order').exists())

    def test_rack_of_six_from_the_api_answers_202_with_the_job(self):
        header = token_header(self.user)
        client = APIClient()
        with self.captureOnCommitCallbacks() as callbacks:
            response = client.post(reverse(API.format('bulk-start')), {'rack': self.rack.pk, 'reason': EOL},
                                   format='json', **header)
        self.assertEqual(response.status_code, 202, response.content)
        job, = run_enqueued_jobs(callbacks)
        self.assertEqual(response.json()['job']['id'], job.pk)
        self.assertEqual(job.data['succeeded'], 6)
        self.assertEqual(sorted(r['device'] for r in job.data['results']), sorted(d.name for d in self.rack_devices))

    def test_two_devices_run_inline_and_a_refused_one_leaves_the_other_started(self):
        existing = create_decommission(self.loose[1])
        response = APIClient().post(reverse(API.format('bulk-start')), {
            'devices': [d.pk for d in self.loose], 'reason': EOL,
        }, format='json', **token_header(self.user))
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body['succeeded'], body['failed']), (1, 1))
        ok, refused = sorted(body['results'], key=lambda r: r['device'])
        self.assertTrue(ok['ok'])
        self.assertTrue(Decommission.objects.filter(device=self.loose[0], number=ok['number']).exists())
        self.assertFalse(refused['ok'])
        self.assertIn('already has an open decommission', refused['message'])
        self.assertEqual(list(Decommission.objects.filter(device=self.loose[1])), [existing])

    def test_two_devices_from_the_ui_show_the_results(self):
        response = self.client.post(reverse(UI.format('bulk_start')), {
            '_apply': 'true', 'devices': [d.pk for d in self.loose], 'reason': EOL,
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="bulk-results"')
        for decommission in Decommission.objects.filter(device__in=self.loose):
            self.assertContains(response, decommission.get_absolute_url())

    def test_the_form_from_a_rack_page_and_from_a_device_list_selection(self):
        response = self.client.get(reverse('dcim:rack', kwargs={'pk': self.rack.pk}))
        self.assertContains(response, reverse(UI.format('bulk_start')) + f'?rack={self.rack.pk}')
        response = self.client.get(reverse('dcim:device_list') + f'?rack_id={self.rack.pk}')
        self.assertContains(response, reverse(UI.format('bulk_start')) + f'?rack_id={self.rack.pk}')
        response = self.client.get(reverse(UI.format('bulk_start')) + f'?rack_id={self.rack.pk}')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(sorted(response.context['form'].initial['devices']), sorted(d.pk for d in self.rack_devices))
        response = self.client.post(reverse(UI.format('bulk_start')), {'pk': [d.pk for d in self.loose]})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context['count'], 2)

    def test_without_the_add_permission(self):
        viewer = create_signers('viewer-').head
        grant([viewer], ['view'], name='viewer')
        response = APIClient().post(reverse(API.format('bulk-start')), {'rack': self.rack.pk, 'reason': EOL},
                                    format='json', **token_header(viewer))
        self.assertEqual(response.status_code, 403)
        self.client.force_login(viewer)
        response = self.client.post(reverse(UI.format('bulk_start')), {'_apply': 'true', 'rack': self.rack.pk,
                                                                      'reason': EOL})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Decommission.objects.exists())

    def test_queries_per_device_are_constant(self):
        devices = create_devices(9, self.site, prefix='count')
        counts = []
        # The first batch warms NetBox's caches (content types, custom fields); it is not measured.
        for batch in (devices[:1], devices[1:2], devices[2:4], devices[4:]):
            batch = list(Device.objects.filter(pk__in=[d.pk for d in batch]).select_related(
                'device_type__manufacturer', 'rack', 'site', 'primary_ip4', 'primary_ip6'))
            with CaptureQueriesContext(connection) as queries:
                results = bulk.start_decommissions(batch, self.user, reason=EOL, head=self.people.head,
                                                   executors=self.people.executors)
            self.assertTrue(all(r.ok for r in results))
            counts.append(len(queries))
        _warm, one, two, five = counts
        per_device = two - one
        self.assertEqual(five - two, 3 * per_device, counts)


    def test_a_constrained_permission_refuses_the_devices_outside_it(self):
        other_site, = create_sites('Other Site')
        outside, = create_devices(1, other_site, prefix='outside')
        starter = create_signers('starter-').head
        grant([starter], ['view', 'add'], constraints={'site_id': self.site.pk}, name='starter')
        results = bulk.start_decommissions([outside, self.loose[0]], starter, reason=EOL)
        refused, started = results
        self.assertFalse(refused.ok)
        self.assertEqual(refused.message, f'You may not start a decommission of {outside}.')
        self.assertTrue(started.ok)
        self.assertFalse(Decommission.objects.filter(device=outside).exists())
        self.assertTrue(Decommission.objects.filter(device=self.loose[0], number=started.number).exists())

    def test_a_missing_user_is_refused_as_full_clean_refuses_it(self):
        gone = create_signers('gone-').head
        gone_pk = gone.pk
        gone.delete()
        gone.pk = gone_pk
        result, = bulk.start_decommissions([self.loose[0]], self.user, reason=EOL, head=gone)
        self.assertFalse(result.ok)
        self.assertEqual(result.message, f'user instance with id {gone_pk} is not a valid choice.')
        self.assertFalse(Decommission.objects.exists())

    def test_a_device_deleted_since_it_was_chosen_is_reported(self):
        gone, kept = self.loose[:2]
        Device.objects.filter(pk=gone.pk).delete()
        refused, started = bulk.start_decommissions([gone, kept], self.user, reason=EOL)
        self.assertEqual((refused.ok, refused.message, refused.device_id),
                         (False, f'{gone} no longer exists.', gone.pk))
        self.assertTrue(started.ok, started.message)
        self.assertEqual(list(Decommission.objects.values_list('device_id', flat=True)), [kept.pk])

    def test_a_batch_records_the_change_log_and_events_of_a_single_start(self):
        """The batch's shortcuts (users and devices resolved once, no savepoints) leave what NetBox records alike."""
        device = self.loose[0]

        def single():
            # A record started on its own, as the edit form saves one.
            decommission = Decommission(device=device, reason=EOL, reason_text='Old', head=self.people.head,
                                        responsible=self.people.responsible, requested_by=self.user)
            decommission.full_clean()
            decommission.save()
            decommission.executors.set(self.people.executors)

        def batch():
            result, = bulk.start_decommissions(
                Device.objects.filter(pk=device.pk), self.user, reason=EOL, reason_text='Old', head=self.people.head,
                responsible=self.people.responsible, executors=self.people.executors)
            self.assertTrue(result.ok, result.message)

        self.assertEqual(recorded(batch, self.user), recorded(single, self.user))


def recorded(start, user):
    """
    The change records and the queued events of start() in a request, with what differs between two runs (the
    primary key, the times) left out. Rolled back afterwards: the next run gets the same numbers.
    """
    volatile = {'id', 'url', 'display_url', 'created', 'last_updated', 'time', 'changed_object_id', 'object_id'}

    def stable(value):
        if isinstance(value, dict):
            return {key: stable(item) for key, item in value.items() if key not in volatile}
        if isinstance(value, list):
            return [stable(item) for item in value]
        return value

    request = RequestFactory().post('/')
    request.user, request.id = user, uuid.uuid4()
    with event_tracking(request), transaction.atomic():
        start()
        changes = [stable(change) for change in ObjectChange.objects.filter(request_id=request.id).order_by('pk')
                   .values('action', 'changed_object_type', 'object_repr', 'message', 'user', 'user_name',
                           'prechange_data', 'postchange_data')]
        events = [stable({'event_type': event['event_type'], 'object_type': event['object_type'].pk,
                          'user': event['user'].pk, 'request': event['request'] is request,
                          'data': event['data'], 'snapshots': event['snapshots']})
                  for event in events_queue.get().values()]
        # Nothing leaves the rolled-back block: neither the records nor their events.
        events_queue.set({})
        transaction.set_rollback(True)
    return {'changes': changes, 'events': events}


class MoveTest(BulkTestCase):

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.records = [
            create_decommission(device, head=cls.people.head, responsible=cls.people.responsible)
            for device in cls.loose
        ]
        other = create_signers('other-')
        cls.foreign = create_decommission(cls.rack_devices[0], head=other.head, responsible=other.responsible)

    def post(self, user, decommissions, **params):
        return APIClient().post(reverse(API.format('bulk-move')), {
            'decommissions': [d.pk for d in decommissions], **params,
        }, format='json', **token_header(user))

    def test_sign_many_with_a_refused_record(self):
        response = self.post(self.people.head, [*self.records, self.foreign], move='sign', role='head')
        self.assertEqual(response.status_code, 200, response.content)
        results = {r['number']: r for r in response.json()['results']}
        self.assertTrue(all(results[d.number]['ok'] for d in self.records))
        refused = results[self.foreign.number]
        self.assertFalse(refused['ok'])
        self.assertIn('is not the head named on this decommission', refused['message'].lower())
        self.assertFalse(self.foreign.documents.get(kind='order').signatures.exists())

        response = self.post(self.people.responsible, self.records, move='sign', role='responsible')
        self.assertEqual(response.json()['succeeded'], 2)
        for decommission in self.records:
            decommission.refresh_from_db()
            self.assertEqual(decommission.status, Status.STATUS_ORDERED)

    def test_a_move_refused_at_the_wrong_stage(self):
        response = self.post(self.people.head, self.records, move='disassemble')
        self.assertEqual(response.json()['failed'], 2)
        self.assertIn('Cannot finish the disassembly', response.json()['results'][0]['message'])

    def test_many_records_run_as_a_job_from_the_list(self):
        extra = [
            create_decommission(device, head=self.people.head, responsible=self.people.responsible)
            for device in self.rack_devices[1:]
        ]
        selected = [*self.records, *extra]
        response = self.client.post(reverse(UI.format('bulk_move')), {'pk': [d.pk for d in selected]})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context['count'], 7)
        for field in ('role', 'document', 'planned_start', 'waiver_reason', 'powered_off', 'storage_location'):
            self.assertIn(field, response.context['form'].fields)
        with self.captureOnCommitCallbacks() as callbacks:
            response = self.client.post(reverse(UI.format('bulk_move')), {
                '_apply': 'true', 'pk': [d.pk for d in selected], 'move': 'sign', 'role': 'head',
            })
        job, = run_enqueued_jobs(callbacks)
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual((job.data['total'], job.data['succeeded']), (7, 7))

    def test_a_small_selection_from_the_ui_shows_the_results(self):
        response = self.client.post(reverse(UI.format('bulk_move')), {
            '_apply': 'true', 'pk': [d.pk for d in (*self.records, self.foreign)], 'move': 'sign', 'role': 'head',
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="bulk-results"')
        self.assertContains(response, self.foreign.get_absolute_url())
        self.assertEqual(response.content.decode().count('text-bg-danger'), 1)

    def test_the_list_offers_the_batch_actions(self):
        response = self.client.get(reverse(UI.format('list')))
        self.assertContains(response, reverse(UI.format('bulk_move')))
        self.assertContains(response, reverse(UI.format('bulk_documents')))

    def test_a_move_needs_its_permission(self):
        signer = create_signers('signer-').head
        grant([signer], ['view', 'sign'], name='signer')
        response = self.post(signer, self.records, move='close')
        self.assertEqual(response.status_code, 403)


class DocumentsTest(BulkTestCase):

    def test_the_archive_holds_every_document_in_each_language(self):
        records = [create_decommission(device) for device in self.loose]
        data = bulk.documents_archive(records, ['ru', 'en'])
        archive = zipfile.ZipFile(io.BytesIO(data))
        order_numbers = [r.documents.get(kind='order').number for r in records]
        self.assertEqual(sorted(archive.namelist()), sorted(
            f'{record.number}/{number}_{language}.pdf'
            for record, number in zip(records, order_numbers, strict=True) for language in ('ru', 'en')
        ))
        for name in archive.namelist():
            self.assertTrue(archive.read(name).startswith(b'%PDF'), name)

    def test_the_archive_job_and_its_download(self):
        record = create_decommission(self.loose[0])
        with self.captureOnCommitCallbacks() as callbacks:
            response = self.client.post(reverse(UI.format('bulk_documents')), {
                '_apply': 'true', 'pk': [record.pk], 'languages': ['en'],
            })
        job, = run_enqueued_jobs(callbacks)
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(job.status, JobStatusChoices.STATUS_COMPLETED, job.log_entries)
        response = self.client.get(job.data['url'])
        self.assertEqual(response.status_code, 200)
        archive = zipfile.ZipFile(io.BytesIO(b''.join(response.streaming_content)))
        self.assertEqual(archive.namelist(), [f'{record.number}/{record.documents.get().number}_en.pdf'])

        stranger = create_signers('stranger-').head
        grant([stranger], ['view'], name='stranger')
        self.client.force_login(stranger)
        self.assertEqual(self.client.get(job.data['url']).status_code, 404)

    def test_the_api_answers_202_with_the_job(self):
        record = create_decommission(self.loose[0])
        with self.captureOnCommitCallbacks() as callbacks:
            response = APIClient().post(reverse(API.format('bulk-documents')), {
                'decommissions': [record.pk], 'languages': ['ru'],
            }, format='json', **token_header(self.user))
        self.assertEqual(response.status_code, 202, response.content)
        job, = run_enqueued_jobs(callbacks)
        self.assertEqual(job.data['done'], 1)
        self.assertTrue(job.data['file'].startswith('netbox-decommission/archives/'))
