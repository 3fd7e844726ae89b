"""
Fixity of what was issued: a decommission walked through the workflow to closed (its order, application and act
signed, its sanitization certificate issued at closing, each in two languages), then one stored copy altered by a
single flipped byte and another deleted. The command and the system job find both, record what they found, notify the
group's users and fire the event once; the record's page and the REST API show it; intact copies stay intact.
"""
import io
import uuid
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import JobStatusChoices
from core.exceptions import JobFailed
from core.models import Job, ObjectType
from extras.models import EventRule, Notification, Webhook
from netbox.registry import registry
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.choices import FixityStateChoices as Fixity
from netbox_decommission.documents import fixity
from netbox_decommission.event_types import DOCUMENT_FIXITY_FAILED
from netbox_decommission.jobs import FixityCheckJob, register_system_jobs
from netbox_decommission.models import Decommission, DocumentFile
from users.models import Group, User

from .mixins import DocumentFixtureMixin
from .utils import add_ready_components, advance, create_workflow_decommission, plugin_settings, token_header

GROUP = 'Records office'


class FixityTestCase(DocumentFixtureMixin, TestCase):

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.decommission = create_workflow_decommission(cls.device, cls.people, reason_text='Replaced by srv-02')
        add_ready_components(cls.decommission, cls.zone)
        advance(cls.decommission, Status.STATUS_CLOSED, cls.people, cls.zone)
        files = DocumentFile.objects.filter(document__decommission=cls.decommission)
        cls.altered = files.get(document__kind='order', language='ru')
        # A document issued at closing: nobody signs it, it is frozen all the same.
        cls.missing = files.get(document__kind='sanitization', language='en')
        cls.total = files.count()
        group = Group.objects.create(name=GROUP)
        cls.archivists = [User.objects.create_user(username=f'archivist{i}') for i in (1, 2)]
        for user in cls.archivists:
            user.groups.add(group)
        cls.outsider = User.objects.create_user(username='outsider')
        webhook = Webhook.objects.create(name='Archive', payload_url='http://archive.example.com/hook')
        rule = EventRule.objects.create(name='Fixity', event_types=[DOCUMENT_FIXITY_FAILED], action_type='webhook',
                                        action_object=webhook)
        rule.object_types.set([ObjectType.objects.get_for_model(Decommission)])

    def setUp(self):
        patcher = mock.patch('extras.event_rules.get_queue')
        self.queue = patcher.start().return_value
        self.addCleanup(patcher.stop)
        settings = plugin_settings(fixity_notify_group=GROUP)
        settings.enable()
        self.addCleanup(settings.disable)

    def damage(self):
        """Flip one byte of one copy and delete another; both are put back after the test."""
        storage = self.altered.file.storage
        self.originals = originals = {}
        for frozen in (self.altered, self.missing):
            with storage.open(frozen.file.name, 'rb') as f:
                originals[frozen.file.name] = f.read()
            self.addCleanup(self.put_back, frozen.file.name, originals[frozen.file.name])
        data = bytearray(originals[self.altered.file.name])
        data[len(data) // 2] ^= 0x01
        with open(self.altered.file.path, 'wb') as f:
            f.write(data)
        storage.delete(self.missing.file.name)

    def put_back(self, name, data):
        storage = self.altered.file.storage
        storage.delete(name)
        self.assertEqual(storage.save(name, io.BytesIO(data)), name)

    def states(self):
        return dict(DocumentFile.objects.filter(document__decommission=self.decommission)
                    .values_list('pk', 'fixity_state'))

    def expected_states(self):
        states = dict.fromkeys(self.states(), Fixity.STATE_INTACT)
        states.update({self.altered.pk: Fixity.STATE_ALTERED, self.missing.pk: Fixity.STATE_MISSING})
        return states

    def run_command(self, *args):
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            try:
                call_command('decommission_fixity', *args, stdout=out)
            except SystemExit as exit:
                return exit.code, out.getvalue()
        return 0, out.getvalue()

    def fired(self):
        """The data of every webhook the fixity rule queued."""
        return [call.kwargs['data'] for call in self.queue.enqueue.call_args_list
                if call.kwargs['event_type'] == DOCUMENT_FIXITY_FAILED]

    def notified(self):
        return sorted(Notification.objects.filter(event_type=DOCUMENT_FIXITY_FAILED, object_id=self.decommission.pk)
                      .values_list('user__username', flat=True))

    def test_the_command_finds_the_altered_and_the_missing_copy(self):
        self.damage()
        status, out = self.run_command()
        self.assertEqual(status, 1)
        lines = out.strip().splitlines()
        self.assertEqual(len(lines), 3, out)
        altered, missing, summary = lines
        self.assertIn(f'{self.altered.document.number} (Russian) was altered', altered)
        self.assertIn(self.altered.sha256, altered)
        self.assertIn(self.altered.file.path, altered)
        self.assertIn(f'{self.missing.document.number} (English) is missing', missing)
        self.assertIn(self.missing.file.path, missing)
        self.assertIn(f'{self.total - 2} intact, 1 altered, 1 missing', summary)
        self.assertEqual(self.states(), self.expected_states())
        self.assertFalse(DocumentFile.objects.filter(fixity_checked_at__isnull=True).exists())

    def test_an_intact_copy_stays_intact_and_nobody_is_told(self):
        status, out = self.run_command()
        self.assertEqual(status, 0, out)
        self.assertIn(f'{self.total} intact, 0 altered, 0 missing', out)
        self.assertEqual(set(self.states().values()), {Fixity.STATE_INTACT})
        self.assertEqual((self.notified(), self.fired()), ([], []))

    def test_the_group_is_notified_and_the_event_fires_once_per_problem(self):
        self.damage()
        self.run_command()
        self.assertEqual(self.notified(), ['archivist1', 'archivist2'])
        fired = sorted(self.fired(), key=lambda data: data['state'])
        self.assertEqual([data['state'] for data in fired], ['altered', 'missing'])
        altered, missing = fired
        self.assertEqual(altered['id'], self.decommission.pk)
        self.assertEqual(altered['number'], self.decommission.number)
        self.assertEqual(altered['document'], {'id': self.altered.document_id, 'kind': 'order',
                                               'number': self.altered.document.number})
        self.assertEqual(altered['language'], 'ru')
        self.assertEqual(altered['expected_sha256'], self.altered.sha256)
        self.assertRegex(altered['found_sha256'], r'^[0-9a-f]{64}$')
        self.assertNotEqual(altered['found_sha256'], self.altered.sha256)
        self.assertEqual(altered['path'], self.altered.file.path)
        self.assertEqual((missing['document']['kind'], missing['language']), ('sanitization', 'en'))
        self.assertIsNone(missing['found_sha256'])
        self.assertEqual(missing['expected_sha256'], self.missing.sha256)

        # The same problems found again: listed and counted, not notified nor fired again.
        Notification.objects.all().delete()
        self.queue.reset_mock()
        status, out = self.run_command('--quiet')
        self.assertEqual(status, 1)
        self.assertEqual(len(out.strip().splitlines()), 2, out)
        self.assertEqual((self.notified(), self.fired()), ([], []))

    def test_nobody_is_notified_without_a_group_but_the_event_fires(self):
        self.damage()
        with plugin_settings(fixity_notify_group=''):
            self.run_command()
        self.assertEqual(self.notified(), [])
        self.assertEqual(len(self.fired()), 2)

    def test_the_system_job_finds_them(self):
        self.damage()
        job = Job.objects.create(name=FixityCheckJob.name, job_id=uuid.uuid4(), interval=1440)
        with self.captureOnCommitCallbacks(execute=True), self.assertRaises(JobFailed):
            FixityCheckJob(job).run()
        # NetBox saves the log with the job's end (handle()); run() keeps it on the job.
        self.assertTrue(any(self.altered.sha256 in entry['message'] for entry in job.log_entries))
        self.assertIn(f'{self.total - 2} intact, 1 altered, 1 missing', job.log_entries[-1]['message'])
        job.refresh_from_db()
        self.assertEqual({key: job.data[key] for key in ('intact', 'altered', 'missing')},
                         {'intact': self.total - 2, 'altered': 1, 'missing': 1})
        self.assertEqual({(p['document'], p['language'], p['state']) for p in job.data['problems']}, {
            (self.altered.document.number, 'ru', 'altered'), (self.missing.document.number, 'en', 'missing')})
        self.assertEqual(self.states(), self.expected_states())
        self.assertEqual(self.notified(), ['archivist1', 'archivist2'])
        self.assertEqual(len(self.fired()), 2)

    def test_the_job_ends_failed_with_problems_and_completed_without(self):
        # handle() as the RQ worker calls it; with an interval it schedules its successor, which the patched queue
        # of NetBox's Job.enqueue must not run.
        with mock.patch('core.models.jobs.django_rq'):
            job = Job.objects.create(name=FixityCheckJob.name, job_id=uuid.uuid4())
            FixityCheckJob.handle(job)
            job.refresh_from_db()
            self.assertEqual(job.status, JobStatusChoices.STATUS_COMPLETED, job.log_entries)
            self.damage()
            job = Job.objects.create(name=FixityCheckJob.name, job_id=uuid.uuid4())
            FixityCheckJob.handle(job)
            job.refresh_from_db()
            self.assertEqual(job.status, JobStatusChoices.STATUS_FAILED, job.log_entries)

    def test_the_record_page_shows_what_was_found(self):
        self.damage()
        self.run_command()
        self.client.force_login(self.people.head)
        response = self.client.get(self.decommission.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        page = response.content.decode().replace('&#x27;', "'")
        self.assertEqual(page.count('data-fixity="altered"'), 1)
        self.assertEqual(page.count('data-fixity="missing"'), 1)
        self.assertEqual(page.count('data-fixity="intact"'), self.total - 2)
        self.assertIn(f'The order {self.altered.document.number} (Russian) was altered after it was issued', page)
        self.assertIn(f'{self.missing.document.number} (English) cannot be handed out', page)
        # The missing copy cannot be downloaded; the altered one can, to be examined.
        url = reverse('plugins:netbox_decommission:decommission_document',
                      kwargs={'pk': self.decommission.pk, 'kind': 'sanitization'})
        self.assertNotIn(f'{url}?lang=en', page)
        url = reverse('plugins:netbox_decommission:decommission_document',
                      kwargs={'pk': self.decommission.pk, 'kind': 'order'})
        self.assertIn(f'{url}?lang=ru', page)

    def test_the_api_shows_what_was_found(self):
        url = reverse('plugins-api:netbox_decommission-api:decommission-documents', kwargs={'pk': self.decommission.pk})
        response = APIClient().get(url, **token_header(self.people.head))
        files = [f for document in response.json() for f in document['files']]
        self.assertEqual({(f['fixity_state'], f['fixity_checked_at']) for f in files}, {(None, None)})
        self.damage()
        self.run_command()
        response = APIClient().get(url, **token_header(self.people.head))
        self.assertEqual(response.status_code, 200)
        found = {(document['kind']['value'], f['language']['value']): f
                 for document in response.json() for f in document['files']}
        self.assertEqual(found['order', 'ru']['fixity_state'], {'value': 'altered', 'label': 'Altered'})
        self.assertEqual(found['sanitization', 'en']['fixity_state'], {'value': 'missing', 'label': 'Missing'})
        self.assertEqual(found['order', 'en']['fixity_state']['value'], 'intact')
        self.assertTrue(all(f['fixity_checked_at'] for f in found.values()))

    def test_the_command_checks_one_decommission(self):
        self.damage()
        status, out = self.run_command('--decommission', self.decommission.number)
        self.assertEqual(status, 1)
        self.assertIn(f'{self.total - 2} intact, 1 altered, 1 missing', out)
        with self.assertRaisesMessage(CommandError, 'No decommission numbered DC-1999-99999'):
            call_command('decommission_fixity', '--decommission', 'DC-1999-99999', stdout=io.StringIO())
        self.assertEqual(set(self.states().values()), {Fixity.STATE_ALTERED, Fixity.STATE_MISSING,
                                                       Fixity.STATE_INTACT})

    def test_a_copy_put_back_is_intact_again(self):
        self.damage()
        self.run_command()
        for name, data in self.originals.items():
            self.put_back(name, data)
        report = fixity.check()
        self.assertEqual(report.counts, {'intact': self.total, 'altered': 0, 'missing': 0})


class FixitySystemJobTestCase(TestCase):

    def tearDown(self):
        registry['system_jobs'].pop(FixityCheckJob, None)
        register_system_jobs()

    def test_registered_with_the_configured_interval(self):
        self.assertEqual(registry['system_jobs'][FixityCheckJob], {'interval': 1440})
        registry['system_jobs'].pop(FixityCheckJob)
        with plugin_settings(fixity_check_interval=60):
            register_system_jobs()
        self.assertEqual(registry['system_jobs'][FixityCheckJob], {'interval': 60})

    def test_not_registered_with_0(self):
        registry['system_jobs'].pop(FixityCheckJob)
        with plugin_settings(fixity_check_interval=0):
            register_system_jobs()
        self.assertNotIn(FixityCheckJob, registry['system_jobs'])

    def test_a_job_scheduled_before_0_ends_its_schedule(self):
        job = Job.objects.create(name=FixityCheckJob.name, job_id=uuid.uuid4(), interval=1440)
        with plugin_settings(fixity_check_interval=0), mock.patch.object(fixity, 'check') as check:
            FixityCheckJob.handle(job)
        check.assert_not_called()
        job.refresh_from_db()
        self.assertIsNone(job.interval)
        self.assertEqual(job.status, JobStatusChoices.STATUS_COMPLETED)
        self.assertFalse(Job.objects.filter(name=FixityCheckJob.name).exclude(pk=job.pk).exists())
