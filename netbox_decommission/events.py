"""
What the plugin tells NetBox of a stage change: notifications for the people on the record, and its event types
(`event_types.py`) for the event rules.
"""
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from core.models import ObjectType
from extras.events import EventContext, flush_events
from extras.models import Notification

from .event_types import DEVICE_RESTORED, DEVICE_RETIRED, STAGE_CHANGED


def _payload(decommission, from_status):
    return {
        'id': decommission.pk,
        'number': decommission.number,
        'from_status': from_status,
        'status': decommission.status,
        'device_id': decommission.device_pk,
        'device_name': decommission.device_name,
        'device_serial': decommission.device_serial,
        'url': decommission.get_absolute_url(),
    }


def _recipients(decommission, actor):
    people = {decommission.requested_by, decommission.head, decommission.responsible, *decommission.executors.all()}
    return [person for person in people if person is not None and person != actor]


def _notify(decommission, event_type, actor):
    """NetBox notifications (the bell) for everyone named on the record but the person who acted."""
    object_type = ContentType.objects.get_for_model(decommission)
    recipients = _recipients(decommission, actor)
    Notification.objects.filter(
        object_type=object_type, object_id=decommission.pk, user__in=recipients,
    ).delete()
    Notification.objects.bulk_create([
        Notification(
            user=user, object_type=object_type, object_id=decommission.pk, event_type=event_type,
            object_repr=Notification.get_object_repr(decommission),
        )
        for user in recipients
    ])


def _run_event_rules(event_type, data, user):
    # Through NetBox's EVENTS_PIPELINE, as NetBox flushes the events of a request: its event rules, and whatever
    # else an installation has put in the pipeline, see the plugin's events as they see NetBox's own.
    object_type = ObjectType.objects.get_by_natural_key('netbox_decommission', 'decommission')
    flush_events([EventContext(
        object_type=object_type, object_id=data['id'], event_type=event_type, data=data,
        user=user, username=getattr(user, 'username', None),
    )])


def emit_stage_change(decommission, from_status, user):
    """Tell the people on the record now; run the event rules once the transaction has committed."""
    from .choices import DecommissionStatusChoices as Status

    # The stages in which the device leaves NetBox or comes back have an event of their own, besides the stage's.
    event_type = {Status.STATUS_RETIRED: DEVICE_RETIRED, Status.STATUS_RESTORED: DEVICE_RESTORED}.get(
        decommission.status, STAGE_CHANGED)
    _notify(decommission, event_type, user)
    data = _payload(decommission, from_status)
    transaction.on_commit(lambda: _run_event_rules(STAGE_CHANGED, data, user))
    if event_type != STAGE_CHANGED:
        transaction.on_commit(lambda: _run_event_rules(event_type, data, user))
