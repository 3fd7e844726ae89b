"""
What the plugin tells NetBox: of a stage change, notifications for the people on the record; of a frozen copy
found altered or missing (documents/fixity.py), notifications for the group ``fixity_notify_group``; and, of both,
its event types (`event_types.py`) for the event rules.
"""
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from core.models import ObjectType
from extras.events import EventContext, flush_events
from extras.models import Notification
from users.models import User

from .event_types import DEVICE_RESTORED, DEVICE_RETIRED, DOCUMENT_FIXITY_FAILED, STAGE_CHANGED
from .plugin_settings import get_setting

logger = logging.getLogger('netbox_decommission.events')


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


def fixity_recipients():
    """The active users of the NetBox group ``fixity_notify_group`` ('' names nobody)."""
    name = get_setting('fixity_notify_group')
    if not name:
        return User.objects.none()
    recipients = User.objects.filter(groups__name=name, is_active=True).distinct()
    if not recipients.exists():
        # The setting is checked at start-up, but the group lives in the database: say why nobody was told.
        logger.warning('fixity_notify_group "%s" names no NetBox group with active users: nobody is notified', name)
    return recipients


def fixity_payload(finding, checked_at):
    frozen = finding.file
    document = frozen.document
    decommission = document.decommission
    return {
        'id': decommission.pk,
        'number': decommission.number,
        'url': decommission.get_absolute_url(),
        'document': {'id': document.pk, 'kind': document.kind, 'number': document.number},
        'language': frozen.language,
        'state': finding.state,
        'expected_sha256': frozen.sha256,
        'found_sha256': finding.found_sha256,
        'path': finding.path,
        'checked_at': checked_at.isoformat(),
    }


def emit_fixity_failure(finding, checked_at):
    """
    A frozen copy found altered or missing: a notification (the bell) on its decommission for each user of
    ``fixity_notify_group`` (NetBox keeps one per user and object: it replaces the previous one, as a stage change's
    does), and the event rules once the transaction has committed.
    """
    decommission = finding.file.document.decommission
    object_type = ContentType.objects.get_for_model(decommission)
    recipients = list(fixity_recipients())
    Notification.objects.filter(object_type=object_type, object_id=decommission.pk, user__in=recipients).delete()
    Notification.objects.bulk_create([
        Notification(user=user, object_type=object_type, object_id=decommission.pk,
                     event_type=DOCUMENT_FIXITY_FAILED, object_repr=Notification.get_object_repr(decommission))
        for user in recipients
    ])
    data = fixity_payload(finding, checked_at)
    transaction.on_commit(lambda: _run_event_rules(DOCUMENT_FIXITY_FAILED, data, None))


# Hand-overs to a disposal vendor (handovers/services.py): their event types, on the hand-over's object type.

def handover_payload(handover, certificate=None):
    items = list(handover.items.values_list('reconciliation', flat=True))
    data = {
        'id': handover.pk,
        'number': handover.number,
        'status': handover.status,
        'site_id': handover.site_id,
        'vendor_id': handover.vendor_id,
        'pickup_date': handover.pickup_date.isoformat() if handover.pickup_date else None,
        'items': len(items),
        'reconciliation': {state: items.count(state) for state in sorted(set(items))},
        'url': handover.get_absolute_url(),
    }
    if certificate is not None:
        data['certificate'] = {'id': certificate.pk, 'file_name': certificate.file_name,
                               'sha256': certificate.sha256, 'result': certificate.result.get('counts', {})}
    return data


def emit_handover_event(handover, event_type, user, certificate=None):
    """Run the event rules of ``event_type`` on ``handover`` once the transaction has committed."""
    data = handover_payload(handover, certificate)

    def run():
        object_type = ObjectType.objects.get_by_natural_key('netbox_decommission', 'handover')
        flush_events([EventContext(
            object_type=object_type, object_id=data['id'], event_type=event_type, data=data,
            user=user, username=getattr(user, 'username', None),
        )])

    transaction.on_commit(run)
