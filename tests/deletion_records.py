"""
What a deletion leaves behind, recorded to compare the plugin's batched deletions (compat.deletion,
compat.cable_deletion) with NetBox's own: its change records, the events it queued, its queries and any further
state a test captures, from a run rolled back afterwards so that the same objects can be deleted again.
"""
import copy
import json
import uuid
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from core import signals as core_signals
from core.models import ObjectChange
from netbox.context import events_queue
from netbox.context_managers import event_tracking

CHANGE_FIELDS = (
    'changed_object_type_id', 'changed_object_id', 'related_object_type_id', 'related_object_id', 'action',
    'object_repr', 'prechange_data', 'postchange_data', 'user_name', 'message',
)


class Recorded(NamedTuple):
    changes: list
    events: dict
    queries: int
    state: Any = None


def without_update_time(data):
    # An updated object is stamped with the time it is saved, which differs between two runs.
    return {key: value for key, value in data.items() if key != 'last_updated'} if isinstance(data, dict) else data


def record_deletion(user, delete, capture=None):
    """
    Run `delete` as NetBox runs a request of `user`, then roll it back: its change records (in a stable order),
    its queued events (in their order), its query count and what `capture()` returns before the rollback.
    """
    request = RequestFactory().delete('/')
    request.user, request.id = user, uuid.uuid4()
    with transaction.atomic():
        savepoint = transaction.savepoint()
        with event_tracking(request), CaptureQueriesContext(connection) as queries:
            delete()
            events = {
                key: (event['event_type'], without_update_time(copy.deepcopy(event['data'])),
                      {when: without_update_time(copy.deepcopy(snapshot))
                       for when, snapshot in event['snapshots'].items()})
                for key, event in events_queue.get().items()
            }
        changes = [
            {**change, 'prechange_data': without_update_time(change['prechange_data']),
             'postchange_data': without_update_time(change['postchange_data'])}
            for change in ObjectChange.objects.filter(request_id=request.id).values(*CHANGE_FIELDS)
        ]
        state = capture() if capture else None
        transaction.savepoint_rollback(savepoint)
    # As at the end of a request: NetBox forgets which deletions it has recorded.
    core_signals._signals_received.pre_delete = set()
    changes.sort(key=lambda change: json.dumps(change, sort_keys=True, default=str))
    return Recorded(changes, events, len(queries), state)
