"""
The workflow service, move by move: every legal move in order with what it records, every illegal move refused
with a message that names the stage, the missing condition and the fix, and nothing changed by a refusal.

The refusals are a table (REFUSALS) shared with test_workflow_api.py, which runs the same moves over REST.
"""
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from dcim.choices import DeviceStatusChoices
from dcim.models import Device
from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, Document, RemovedComponent, Signature, StorageLocation
from netbox_decommission.workflow import WorkflowError

from .utils import (
    WINDOW,
    add_ready_components,
    advance,
    create_cabled_server,
    create_signers,
    create_sites,
    create_workflow_decommission,
    dispose_media,
    workflow_state,
)

ZONE = '<storage location>'


@dataclass(frozen=True)
class Refusal:
    """
    An illegal move: bring a record to `stage`, apply `prepare`, then let `actor` try `action` with `body`.
    The move must answer `status` (409, or 400 naming `field`) with a message containing every string of
    `says`, and change nothing. `rest_says` replaces `says` where the REST API rejects the body before the
    workflow sees it (Django REST framework's own field messages).
    """
    name: str
    stage: str
    action: str
    actor: str
    body: dict = field(default_factory=dict)
    status: int = 409
    field: str | None = None
    says: tuple = ()
    rest_says: tuple | None = None
    prepare: object = None


def _unset_responsible(decommission, fixture):
    Decommission.objects.filter(pk=decommission.pk).update(responsible=None)


def _unset_head(decommission, fixture):
    Decommission.objects.filter(pk=decommission.pk).update(head=None)


def _remove_executors(decommission, fixture):
    decommission.executors.clear()


def _add_uninspected_component(decommission, fixture):
    RemovedComponent.objects.create(decommission=decommission, kind='memory', name='DIMM B2', serial='M-B2',
                                    antistatic_packed=True, storage_location=fixture.zone)


def _iso(value):
    return value.isoformat()


REFUSALS = (
    # Skipping a stage
    Refusal(
        'backup_while_draft', Status.STATUS_DRAFT, 'backup', 'responsible',
        body={'method': 'network', 'target': 'backup01:/srv', 'verified': True},
        says=('Cannot record the backup', 'at stage "Draft"', 'needs stage "Scheduled"',
              'Next: the order needs the signatures of Head (head), Responsible (responsible)'),
    ),
    Refusal(
        'shutdown_while_ordered', Status.STATUS_ORDERED, 'shutdown', 'executor',
        body={'services_stopped': True, 'users_notified': True, 'powered_off': True, 'network_disconnected': True},
        says=('Cannot confirm the shutdown', 'at stage "Ordered"', 'needs stage "Backed up"',
              'Next: schedule the removal'),
    ),
    Refusal(
        'store_while_ordered', Status.STATUS_ORDERED, 'store', 'executor', body={'storage_location': ZONE},
        says=('Cannot move the server to storage', 'at stage "Ordered"', 'needs stage "Disassembled"'),
    ),
    Refusal(
        'disassemble_while_scheduled', Status.STATUS_SCHEDULED, 'disassemble', 'executor',
        says=('Cannot finish the disassembly', 'at stage "Scheduled"', 'needs stage "Shut down"',
              'Next: back up the data and verify a restore, or waive the backup with a reason.'),
    ),
    Refusal(
        'schedule_twice', Status.STATUS_SCHEDULED, 'schedule', 'head',
        body={'planned_start': _iso(WINDOW[0]), 'planned_end': _iso(WINDOW[1])},
        says=('Cannot schedule the removal', 'at stage "Scheduled"', 'needs stage "Ordered"'),
    ),
    Refusal(
        'close_before_retirement', Status.STATUS_IN_STORAGE, 'close', 'head',
        says=('Cannot close', 'at stage "In storage"', 'needs stage "Retired"',
              'Next: the act needs the signatures of Executor (executor1), Executor (executor2), Head (head)'),
    ),
    # Signing a document that does not exist yet, or in the wrong stage
    Refusal(
        'sign_act_while_draft', Status.STATUS_DRAFT, 'sign', 'head', body={'document': 'act', 'role': 'head'},
        status=400, field='document',
        says=('Cannot sign the act', 'has not been drafted yet', 'stage "Draft"', 'Next: the order needs'),
    ),
    Refusal(
        'sign_application_before_scheduling', Status.STATUS_ORDERED, 'sign', 'head',
        body={'document': 'application', 'role': 'head'}, status=400, field='document',
        says=('Cannot sign the application', 'has not been drafted yet', 'stage "Ordered"',
              'Next: schedule the removal (set the planned window), which drafts the application.'),
    ),
    Refusal(
        'sign_order_after_ordering_in_a_new_role', Status.STATUS_SCHEDULED, 'sign', 'executor',
        body={'document': 'order', 'role': 'executor'},
        says=('Cannot sign the order', 'at stage "Scheduled"', 'needs stage "Draft"'),
    ),
    # Roles
    Refusal(
        'sign_order_in_a_role_not_held', Status.STATUS_DRAFT, 'sign', 'responsible',
        body={'document': 'order', 'role': 'head'}, status=400, field='role',
        says=('Cannot sign the order', 'as Head', 'responsible is not the Head named on this decommission',
              'Sign in a role you hold'),
    ),
    Refusal(
        'sign_act_as_head_by_an_executor', Status.STATUS_IN_STORAGE, 'sign', 'executor',
        body={'document': 'act', 'role': 'head'}, status=400, field='role',
        says=('Cannot sign the act', 'executor1 is not the Head named', 'have the record edited to name you'),
    ),
    Refusal(
        'sign_order_without_responsible', Status.STATUS_DRAFT, 'sign', 'head',
        body={'document': 'order', 'role': 'head'}, prepare=_unset_responsible,
        says=('Cannot sign the order', 'needs both a head and a responsible person',
              'Edit the decommission to name them.'),
    ),
    Refusal(
        'sign_order_without_head', Status.STATUS_DRAFT, 'sign', 'responsible',
        body={'document': 'order', 'role': 'responsible'}, prepare=_unset_head,
        says=('Cannot sign the order', 'needs both a head and a responsible person',
              'Edit the decommission to name them.'),
    ),
    # Finished records
    Refusal(
        'sign_cancelled_order', 'cancelled', 'sign', 'responsible',
        body={'document': 'order', 'role': 'responsible'},
        says=('Cannot sign the order', 'at stage "Cancelled"', 'Nothing: the decommission was cancelled.'),
    ),
    Refusal(
        'schedule_cancelled', 'cancelled', 'schedule', 'head',
        body={'planned_start': _iso(WINDOW[0]), 'planned_end': _iso(WINDOW[1])},
        says=('Cannot schedule the removal', 'at stage "Cancelled"', 'Nothing: the decommission was cancelled.'),
    ),
    Refusal(
        'cancel_cancelled', 'cancelled', 'cancel', 'head', body={'reason': 'Again'},
        says=('Cannot cancel', 'at stage "Cancelled"'),
    ),
    Refusal(
        'backup_closed', Status.STATUS_CLOSED, 'backup', 'responsible',
        body={'waiver_reason': 'No data'},
        says=('Cannot record the backup', 'at stage "Closed"', 'Nothing: the decommission is closed.'),
    ),
    Refusal(
        'cancel_closed', Status.STATUS_CLOSED, 'cancel', 'head', body={'reason': 'Too late'},
        says=('Cannot cancel', 'at stage "Closed"', 'Nothing: the decommission is closed.'),
    ),
    Refusal(
        'cancel_after_retirement', Status.STATUS_RETIRED, 'cancel', 'head', body={'reason': 'Changed our minds'},
        says=('Cannot cancel', 'at stage "Retired"', '"Draft"', '"In storage"',
              'Next: verify that the device, its cables and addresses are gone, and close.'),
    ),
    Refusal(
        'cancel_without_reason', Status.STATUS_ORDERED, 'cancel', 'head', body={'reason': '  '},
        status=400, field='reason', says=('Give the reason for cancelling',),
        rest_says=('This field may not be blank.',),
    ),
    # Gates
    Refusal(
        'schedule_with_end_before_start', Status.STATUS_ORDERED, 'schedule', 'head',
        body={'planned_start': _iso(WINDOW[1]), 'planned_end': _iso(WINDOW[0])},
        status=400, field='planned_end', says=('The planned end must be later than the planned start',),
    ),
    Refusal(
        'backup_without_verification_or_waiver', Status.STATUS_SCHEDULED, 'backup', 'responsible',
        body={'method': 'network', 'target': 'backup01:/srv', 'verified': False},
        status=400, field='verified',
        says=('Cannot record the backup', 'confirm that a restore from it was tested (verified)',
              'waive the backup and give the reason'),
    ),
    Refusal(
        'verified_backup_without_target', Status.STATUS_SCHEDULED, 'backup', 'responsible',
        body={'method': 'network', 'verified': True}, status=400, field='target',
        says=('A verified backup needs its method and its target',),
    ),
    Refusal(
        'shutdown_with_an_unchecked_item', Status.STATUS_BACKED_UP, 'shutdown', 'executor',
        body={'services_stopped': True, 'users_notified': True, 'powered_off': False, 'network_disconnected': True},
        status=400, field='powered_off',
        says=('Cannot confirm the shutdown', 'not yet confirmed: powered off', 'Confirm each item once it is done'),
    ),
    Refusal(
        'disassemble_with_an_unready_component', Status.STATUS_SHUT_DOWN, 'disassemble', 'executor',
        prepare=_add_uninspected_component,
        says=('Cannot finish the disassembly', '1 component(s) still need an inspection result',
              'anti-static packaging and a storage location', 'DIMM B2', 'Complete them first'),
    ),
    Refusal(
        'store_without_storage_location', Status.STATUS_DISASSEMBLED, 'store', 'executor',
        status=400, field='storage_location', says=('Choose the storage location (removal zone)',),
        rest_says=('This field is required.',),
    ),
    Refusal(
        'store_without_executors', Status.STATUS_DISASSEMBLED, 'store', 'head', body={'storage_location': ZONE},
        prepare=_remove_executors,
        says=('Cannot draft the act', 'signed by the executors and the head', 'names no executors',
              'Edit the decommission to name them.'),
    ),
    Refusal(
        'store_without_head', Status.STATUS_DISASSEMBLED, 'store', 'executor', body={'storage_location': ZONE},
        prepare=_unset_head, says=('Cannot draft the act', 'names no head', 'Edit the decommission to name them.'),
    ),
)


class WorkflowFixtureMixin:
    """A site with a removal zone, a cabled server in a rack and the people its decommission names."""

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        cls.rack = cls.site.racks.get()
        cls.server = create_cabled_server(cls.site, rack=cls.rack, position=10,
                                          status=DeviceStatusChoices.STATUS_PLANNED)
        cls.device = cls.server.device
        cls.people = create_signers()
        cls.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=cls.site)

    def actor(self, name):
        return {
            'head': self.people.head, 'responsible': self.people.responsible,
            'executor': self.people.executors[0], 'executor2': self.people.executors[1],
        }[name]

    def decommission_at(self, stage):
        """A decommission of the server, walked through the service to `stage` ("cancelled": straight from draft)."""
        decommission = create_workflow_decommission(self.device, self.people)
        if stage == Status.STATUS_CANCELLED:
            workflow.cancel(decommission, self.people.head, 'The server stays')
            decommission.refresh_from_db()
        else:
            advance(decommission, stage, self.people, self.zone)
        self.assertEqual(decommission.status, stage)
        return decommission

    def prepared(self, refusal):
        decommission = self.decommission_at(refusal.stage)
        if refusal.prepare:
            refusal.prepare(decommission, self)
        decommission.refresh_from_db()
        return decommission


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


def refusal_tests(run):
    """One test method per refusal, each calling run(self, refusal)."""
    def make(refusal):
        def test(self):
            run(self, refusal)
        test.__name__ = f'test_refuses_{refusal.name}'
        test.__doc__ = f'{refusal.action} at stage {refusal.stage} by the {refusal.actor} is refused.'
        return test
    return {f'test_refuses_{refusal.name}': make(refusal) for refusal in REFUSALS}


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
        self.assertEqual([d.kind for d in documents], ['order', 'application', 'act'])
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
