"""
The workflow service, move by move: every legal move in order with what it records, every illegal move refused
with a message that names the stage, the missing condition and the fix, and nothing changed by a refusal.

The refusals are a table (workflow_refusals.py) that test_workflow_api.py runs over REST too.
"""
import datetime
from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from dcim.choices import DeviceStatusChoices
from dcim.models import Device
from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, Document, Signature
from netbox_decommission.workflow import WorkflowError

from .mixins import WorkflowFixtureMixin
from .utils import WINDOW, add_ready_components, create_workflow_decommission, dispose_media, workflow_state
from .workflow_refusals import ZONE, refusal_tests


def call_service(action, decommission, user, body, zone):
    """Run the workflow move behind a REST action with the same body."""
    body = {key: zone if value == ZONE else value for key, value in body.items()}
    comment = body.pop('comment', '')
    if action == 'sign':
        return workflow.sign(decommission, user, body['document'], body['role'], comment)
    if action == 'schedule':
        start, end = (datetime.datetime.fromisoformat(body[key]) for key in ('planned_start', 'planned_end'))
        return workflow.schedule(decommission, user, start, end, comment)
    if action == 'backup':
        return workflow.record_backup(decommission, user, comment=comment, **body)
    if action == 'shutdown':
        return workflow.shut_down(decommission, user, comment=comment, **body)
    if action == 'disassemble':
        return workflow.disassemble(decommission, user, comment)
    if action == 'store':
        return workflow.store(decommission, user, body.get('storage_location'), comment=comment)
    if action == 'close':
        return workflow.close(decommission, user, comment)
    if action == 'cancel':
        return workflow.cancel(decommission, user, body['reason'])
    raise ValueError(action)


class LegalMovesTestCase(WorkflowFixtureMixin, TestCase):

    def assertStageLog(self, decommission, expected):
        self.assertEqual(
            list(decommission.stage_changes.values_list('from_status', 'to_status', 'user__username')), expected,
        )

    def test_every_move_in_order(self):
        people, head, responsible = self.people, self.people.head, self.people.responsible
        executor1, executor2 = people.executors
        decommission = create_workflow_decommission(self.device, people)
        pk = decommission.pk

        def reload():
            return Decommission.objects.get(pk=pk)

        def device_status():
            return Device.objects.get(pk=self.device.pk).status

        # Draft: the order is drafted with the record; no signatures, the device untouched.
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_DRAFT)
        self.assertEqual(list(decommission.documents.values_list('kind', 'signed_at')), [('order', None)])
        self.assertFalse(Signature.objects.exists())
        self.assertStageLog(decommission, [])
        self.assertEqual(device_status(), DeviceStatusChoices.STATUS_PLANNED)

        # The head's signature alone does not complete the order.
        workflow.sign(decommission, head, 'order', 'head')
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_DRAFT)
        self.assertIsNone(decommission.documents.get(kind='order').signed_at)
        self.assertEqual(device_status(), DeviceStatusChoices.STATUS_PLANNED)

        # The responsible person's completes it: ordered, and the device is being decommissioned.
        workflow.sign(decommission, responsible, 'order', 'responsible', comment='Agreed with the owners')
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_ORDERED)
        order = decommission.documents.get(kind='order')
        self.assertIsNotNone(order.signed_at)
        self.assertEqual(
            list(order.signatures.values_list('role', 'user__username', 'comment')),
            [('head', 'head', ''), ('responsible', 'responsible', 'Agreed with the owners')],
        )
        self.assertEqual(device_status(), DeviceStatusChoices.STATUS_DECOMMISSIONING)
        self.assertEqual(decommission.device_status_before, DeviceStatusChoices.STATUS_PLANNED)
        self.assertStageLog(decommission, [('draft', 'ordered', 'responsible')])
        self.assertEqual(decommission.stage_changes.get().comment, 'Agreed with the owners')

        # Scheduling sets the window and drafts the application; the head's signature completes the stage.
        workflow.schedule(decommission, head, *WINDOW)
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_ORDERED)
        self.assertEqual((decommission.planned_start, decommission.planned_end), WINDOW)
        self.assertEqual(list(decommission.documents.values_list('kind', flat=True)), ['order', 'application'])
        self.assertIn('Application drafted with the window', decommission.stage_changes.last().comment)
        workflow.sign(decommission, head, 'application', 'head')
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_SCHEDULED)
        self.assertIsNotNone(decommission.documents.get(kind='application').signed_at)

        # Backup, verified by the person who records it.
        workflow.record_backup(decommission, responsible, method='network', target='backup01:/srv/backup/srv-01',
                               size_gb=Decimal('250.5'), verified=True)
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_BACKED_UP)
        self.assertEqual(
            (decommission.backup_method, decommission.backup_target, decommission.backup_size_gb,
             decommission.backup_verified_by, decommission.backup_waiver_reason),
            ('network', 'backup01:/srv/backup/srv-01', Decimal('250.50'), responsible, ''),
        )
        self.assertIsNotNone(decommission.backup_verified_at)

        # Shutdown checklist.
        workflow.shut_down(decommission, executor1, services_stopped=True, users_notified=True, powered_off=True,
                           network_disconnected=True, clone_medium='LTO-8 tape #17')
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_SHUT_DOWN)
        self.assertTrue(all((decommission.services_stopped, decommission.users_notified, decommission.powered_off,
                             decommission.network_disconnected)))
        self.assertEqual(decommission.clone_medium, 'LTO-8 tape #17')

        # Disassembly, once every component is inspected, packed and stored.
        add_ready_components(decommission, self.zone)
        workflow.disassemble(decommission, executor1)
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_DISASSEMBLED)

        # Storage: the removal zone and the time of removal; drafts the act.
        before = timezone.now()
        workflow.store(decommission, executor2, self.zone)
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_IN_STORAGE)
        self.assertEqual(decommission.storage_location, self.zone)
        self.assertTrue(before <= decommission.removed_at <= timezone.now())
        self.assertEqual(list(decommission.documents.values_list('kind', flat=True)), ['order', 'application', 'act'])
        self.assertTrue(Device.objects.filter(pk=self.device.pk).exists())

        # The act: both executors, then the head; the last signature retires the device.
        workflow.sign(decommission, executor1, 'act', 'executor')
        workflow.sign(decommission, executor2, 'act', 'executor')
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_IN_STORAGE)
        self.assertIsNone(decommission.documents.get(kind='act').signed_at)
        self.assertTrue(Device.objects.filter(pk=self.device.pk).exists())
        workflow.sign(decommission, head, 'act', 'head')
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_RETIRED)
        self.assertIsNotNone(decommission.documents.get(kind='act').signed_at)
        self.assertFalse(Device.objects.filter(pk=self.device.pk).exists())
        self.assertIsNone(decommission.device)
        self.assertEqual(decommission.device_name, 'srv-01')

        dispose_media(decommission, head)
        workflow.close(decommission, head, comment='Verified')
        decommission = reload()
        self.assertEqual(decommission.status, Status.STATUS_CLOSED)

        self.assertStageLog(decommission, [
            ('draft', 'ordered', 'responsible'),
            ('ordered', 'ordered', 'head'),
            ('ordered', 'scheduled', 'head'),
            ('scheduled', 'backed_up', 'responsible'),
            ('backed_up', 'shut_down', 'executor1'),
            ('shut_down', 'disassembled', 'executor1'),
            ('disassembled', 'in_storage', 'executor2'),
            ('in_storage', 'retired', 'head'),
            ('retired', 'closed', 'head'),
        ])
        self.assertEqual(
            list(Signature.objects.filter(document__decommission=decommission).order_by('pk').values_list(
                'document__kind', 'role', 'user__username')),
            [('order', 'head', 'head'), ('order', 'responsible', 'responsible'), ('application', 'head', 'head'),
             ('act', 'executor', 'executor1'), ('act', 'executor', 'executor2'), ('act', 'head', 'head')],
        )
        documents = list(Document.objects.filter(decommission=decommission).order_by('drafted_at'))
        # The three signed documents, then the three issued at closing (the media's, then the report).
        self.assertEqual([d.kind for d in documents],
                         ['order', 'application', 'act', 'extract', 'sanitization', 'report'])
        self.assertTrue(all(d.signed_at for d in documents))

    def test_one_person_may_sign_in_every_role_they_hold(self):
        head = self.people.head
        decommission = create_decommission_named(self.device, head)
        workflow.sign(decommission, head, 'order', 'head')
        workflow.sign(decommission, head, 'order', 'responsible')
        decommission.refresh_from_db()
        self.assertEqual(decommission.status, Status.STATUS_ORDERED)
        self.assertEqual(Signature.objects.filter(user=head).count(), 2)

    def test_a_waived_backup(self):
        decommission = self.decommission_at(Status.STATUS_SCHEDULED)
        workflow.record_backup(decommission, self.people.responsible, waiver_reason='A diskless compute node')
        decommission.refresh_from_db()
        self.assertEqual(decommission.status, Status.STATUS_BACKED_UP)
        self.assertEqual(decommission.backup_waiver_reason, 'A diskless compute node')
        self.assertIsNone(decommission.backup_verified_by)
        self.assertIsNone(decommission.backup_verified_at)

    def test_the_window_may_be_changed_until_the_application_is_signed(self):
        decommission = self.decommission_at(Status.STATUS_ORDERED)
        head = self.people.head
        workflow.schedule(decommission, head, *WINDOW)
        later = tuple(moment + datetime.timedelta(days=7) for moment in WINDOW)
        workflow.schedule(decommission, head, *later)
        decommission.refresh_from_db()
        self.assertEqual((decommission.planned_start, decommission.planned_end), later)
        self.assertEqual(decommission.documents.filter(kind='application').count(), 1)


def create_decommission_named(device, person):
    """A decommission whose head, responsible person and only executor are all `person`."""
    decommission = Decommission(device=device, reason='end_of_life', head=person, responsible=person)
    decommission.save()
    decommission.executors.set([person])
    return decommission


class IdempotentSigningTestCase(WorkflowFixtureMixin, TestCase):

    def test_signing_the_order_twice_in_the_same_role(self):
        decommission = self.decommission_at(Status.STATUS_DRAFT)
        workflow.sign(decommission, self.people.head, 'order', 'head')
        state = workflow_state(decommission)
        workflow.sign(decommission, self.people.head, 'order', 'head', comment='Once more')
        self.assertEqual(workflow_state(decommission), state)
        self.assertEqual(Signature.objects.filter(document__decommission=decommission).count(), 1)

    def test_signing_a_completed_order_again(self):
        decommission = self.decommission_at(Status.STATUS_ORDERED)
        state = workflow_state(decommission)
        returned = workflow.sign(decommission, self.people.responsible, 'order', 'responsible')
        self.assertEqual(returned.status, Status.STATUS_ORDERED)
        self.assertEqual(workflow_state(decommission), state)

    def test_signing_the_act_twice_as_executor(self):
        decommission = self.decommission_at(Status.STATUS_IN_STORAGE)
        executor = self.people.executors[0]
        workflow.sign(decommission, executor, 'act', 'executor')
        state = workflow_state(decommission)
        workflow.sign(decommission, executor, 'act', 'executor')
        self.assertEqual(workflow_state(decommission), state)
        self.assertEqual(Signature.objects.filter(document__kind='act', user=executor).count(), 1)


class CancelTestCase(WorkflowFixtureMixin, TestCase):

    def test_cancel_restores_the_device_status(self):
        decommission = self.decommission_at(Status.STATUS_ORDERED)
        self.assertEqual(Device.objects.get(pk=self.device.pk).status, DeviceStatusChoices.STATUS_DECOMMISSIONING)
        workflow.cancel(decommission, self.people.head, 'The application moved to this server after all')
        decommission.refresh_from_db()
        self.assertEqual(decommission.status, Status.STATUS_CANCELLED)
        self.assertEqual(decommission.cancel_reason, 'The application moved to this server after all')
        self.assertEqual(Device.objects.get(pk=self.device.pk).status, DeviceStatusChoices.STATUS_PLANNED)
        self.assertEqual(
            list(decommission.stage_changes.values_list('from_status', 'to_status', 'user__username', 'comment'))[-1],
            ('ordered', 'cancelled', 'head', 'The application moved to this server after all'),
        )

    def test_cancel_in_a_later_stage_restores_the_device_status(self):
        decommission = self.decommission_at(Status.STATUS_IN_STORAGE)
        workflow.cancel(decommission, self.people.head, 'Kept as a spare')
        decommission.refresh_from_db()
        self.assertEqual(decommission.status, Status.STATUS_CANCELLED)
        self.assertEqual(Device.objects.get(pk=self.device.pk).status, DeviceStatusChoices.STATUS_PLANNED)

    def test_cancel_a_draft_leaves_the_device_alone(self):
        decommission = self.decommission_at(Status.STATUS_DRAFT)
        Device.objects.filter(pk=self.device.pk).update(status=DeviceStatusChoices.STATUS_FAILED)
        workflow.cancel(decommission, self.people.responsible, 'Repaired instead')
        decommission.refresh_from_db()
        self.assertEqual(decommission.status, Status.STATUS_CANCELLED)
        self.assertEqual(Device.objects.get(pk=self.device.pk).status, DeviceStatusChoices.STATUS_FAILED)

    def test_a_cancelled_decommission_frees_the_device_for_a_new_one(self):
        decommission = self.decommission_at(Status.STATUS_ORDERED)
        workflow.cancel(decommission, self.people.head, 'Postponed to next year')
        again = create_workflow_decommission(self.device, self.people)
        self.assertEqual(again.status, Status.STATUS_DRAFT)
        self.assertEqual(list(again.documents.values_list('kind', flat=True)), ['order'])


class IllegalMovesTestCase(WorkflowFixtureMixin, TestCase):
    """Each refusal through the service: WorkflowError with the message and field, and nothing changed."""

    def run_refusal(self, refusal):
        decommission = self.prepared(refusal)
        state = workflow_state(decommission)
        with self.assertRaises(WorkflowError) as raised:
            call_service(refusal.action, decommission, self.actor(refusal.actor), refusal.body, self.zone)
        error = raised.exception
        self.assertEqual(error.field, refusal.field)
        for text in refusal.says:
            self.assertIn(text, error.message)
        if refusal.status == 409:
            self.assertIn(decommission.number, error.message)
        self.assertEqual(workflow_state(decommission), state)

    locals().update(refusal_tests(run_refusal))
