"""
The illegal workflow moves, as one table: test_workflow_moves.py runs each against the workflow service,
test_workflow_api.py over REST, and both expect the same refusal with nothing changed.
"""
from dataclasses import dataclass, field

from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, RemovedComponent

from .utils import WINDOW

# Stands for the fixture's removal zone in a body: the service takes the StorageLocation, REST its primary key.
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


def refusal_tests(run):
    """One test method per refusal, each calling run(self, refusal)."""
    def make(refusal):
        def test(self):
            run(self, refusal)
        test.__name__ = f'test_refuses_{refusal.name}'
        test.__doc__ = f'{refusal.action} at stage {refusal.stage} by the {refusal.actor} is refused.'
        return test
    return {f'test_refuses_{refusal.name}': make(refusal) for refusal in REFUSALS}
