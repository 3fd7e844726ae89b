"""
The workflow's events: NetBox event rules for netbox_decommission.stage_changed / .device_retired run once the
move has committed (a webhook is queued with the stage change as its data), and NetBox notifications tell the
people named on the record, except the one who acted.
"""
import pickle
from unittest import mock

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from core.models import ObjectType
from extras.models import EventRule, Notification, NotificationGroup, Webhook
from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.events import DEVICE_RESTORED, DEVICE_RETIRED, STAGE_CHANGED
from netbox_decommission.models import Decommission, StorageLocation
from users.models import User

from .utils import (
    WINDOW,
    action_url,
    advance,
    create_cabled_server,
    create_signers,
    create_sites,
    create_workflow_decommission,
    dispose_media,
    grant,
    token_header,
)

pytestmark = pytest.mark.compat


class WorkflowEventsTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.device = create_cabled_server(site).device
        cls.people = create_signers()
        cls.requester = User.objects.create_user(username='requester')
        cls.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)
        webhook = Webhook.objects.create(name='Ticketing', payload_url='http://tickets.example.com/hook')
        decommission_type = ObjectType.objects.get_for_model(Decommission)
        cls.rules = {}
        for event_type in (STAGE_CHANGED, DEVICE_RETIRED, DEVICE_RESTORED):
            rule = EventRule.objects.create(name=event_type, event_types=[event_type], action_type='webhook',
                                            action_object=webhook)
            rule.object_types.set([decommission_type])
            cls.rules[event_type] = rule

    def setUp(self):
        self.decommission = create_workflow_decommission(self.device, self.people, requested_by=self.requester)
        patcher = mock.patch('extras.event_rules.get_queue')
        self.queue = patcher.start().return_value
        self.addCleanup(patcher.stop)

    def queued(self):
        """(rule name, event type, data) of every webhook queued so far; each job must be picklable for RQ."""
        jobs = []
        for call in self.queue.enqueue.call_args_list:
            self.assertEqual(call.args, ('extras.webhooks.send_webhook',))
            pickle.dumps(call.kwargs)
            self.assertEqual(call.kwargs['object_type'], ObjectType.objects.get_for_model(Decommission))
            jobs.append((call.kwargs['event_rule'].name, call.kwargs['event_type'], call.kwargs['data']))
        return jobs

    def notified(self, event_type=None):
        notifications = Notification.objects.filter(object_id=self.decommission.pk)
        if event_type:
            notifications = notifications.filter(event_type=event_type)
        return sorted(notifications.values_list('user__username', flat=True))

    def test_a_stage_change_queues_the_webhook_after_commit(self):
        head, responsible = self.people.head, self.people.responsible
        with self.captureOnCommitCallbacks(execute=True):
            workflow.sign(self.decommission, head, 'order', 'head')
        # A signature that does not complete the order changes no stage.
        self.assertEqual(self.queued(), [])

        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            workflow.sign(self.decommission, responsible, 'order', 'responsible')
        # Nothing leaves before the transaction commits.
        self.assertEqual(self.queue.enqueue.call_count, 0)
        for callback in callbacks:
            callback()

        ((rule, event_type, data),) = self.queued()
        self.assertEqual((rule, event_type), (STAGE_CHANGED, STAGE_CHANGED))
        self.assertEqual(data['id'], self.decommission.pk)
        self.assertEqual(data['number'], self.decommission.number)
        self.assertEqual((data['from_status'], data['status']), ('draft', 'ordered'))
        self.assertEqual((data['device_id'], data['device_name'], data['device_serial']),
                         (self.device.pk, 'srv-01', 'SN-srv-01'))
        self.assertEqual(data['url'], self.decommission.get_absolute_url())

    def test_a_refused_move_queues_nothing(self):
        with self.captureOnCommitCallbacks(execute=True):
            with self.assertRaises(workflow.WorkflowError):
                workflow.record_backup(self.decommission, self.people.head, waiver_reason='No data')
        self.assertEqual(self.queued(), [])
        self.assertEqual(self.notified(), [])

    def test_retirement_fires_device_retired(self):
        advance(self.decommission, Status.STATUS_IN_STORAGE, self.people, self.zone)
        for executor in self.people.executors:
            workflow.sign(self.decommission, executor, 'act', 'executor')
        with self.captureOnCommitCallbacks(execute=True):
            workflow.sign(self.decommission, self.people.head, 'act', 'head')

        jobs = self.queued()
        self.assertEqual([(rule, event_type) for rule, event_type, _data in jobs],
                         [(STAGE_CHANGED, STAGE_CHANGED), (DEVICE_RETIRED, DEVICE_RETIRED)])
        for _rule, _event_type, data in jobs:
            self.assertEqual((data['from_status'], data['status']), ('in_storage', 'retired'))
            self.assertEqual((data['device_id'], data['device_name']), (self.device.pk, 'srv-01'))

    def test_restore_fires_device_restored(self):
        from netbox_decommission.workflow import restore

        advance(self.decommission, Status.STATUS_IN_STORAGE, self.people, self.zone)
        dispose_media(self.decommission, self.people.head)
        advance(self.decommission, Status.STATUS_RETIRED, self.people, self.zone)
        self.queue.enqueue.reset_mock()
        with self.captureOnCommitCallbacks(execute=True):
            restore.restore(self.decommission, self.people.head)

        jobs = self.queued()
        self.assertEqual([(rule, event_type) for rule, event_type, _data in jobs],
                         [(STAGE_CHANGED, STAGE_CHANGED), (DEVICE_RESTORED, DEVICE_RESTORED)])
        for _rule, _event_type, data in jobs:
            self.assertEqual((data['from_status'], data['status']), ('retired', 'restored'))
            self.assertEqual((data['device_id'], data['device_name']), (self.device.pk, 'srv-01'))
        self.assertEqual(self.notified(DEVICE_RESTORED), ['executor1', 'executor2', 'requester', 'responsible'])

    def test_device_retired_does_not_fire_on_other_stage_changes(self):
        with self.captureOnCommitCallbacks(execute=True):
            advance(self.decommission, Status.STATUS_SCHEDULED, self.people, self.zone)
        self.assertEqual({event_type for _rule, event_type, _data in self.queued()}, {STAGE_CHANGED})
        self.assertEqual(len(self.queued()), 2)

    def test_a_disabled_rule_does_not_fire(self):
        EventRule.objects.filter(pk=self.rules[STAGE_CHANGED].pk).update(enabled=False)
        with self.captureOnCommitCallbacks(execute=True):
            advance(self.decommission, Status.STATUS_ORDERED, self.people, self.zone)
        self.assertEqual(self.queued(), [])

    def test_a_notification_rule(self):
        """An event rule whose action is a NetBox notification to a group."""
        watcher = User.objects.create_user(username='watcher')
        group = NotificationGroup.objects.create(name='DC managers')
        group.users.add(watcher)
        rule = EventRule.objects.create(name='Tell the managers', event_types=[STAGE_CHANGED],
                                        action_type='notification', action_object=group)
        rule.object_types.set([ObjectType.objects.get_for_model(Decommission)])
        with self.captureOnCommitCallbacks(execute=True):
            advance(self.decommission, Status.STATUS_ORDERED, self.people, self.zone)
        notification = Notification.objects.get(user=watcher)
        self.assertEqual(notification.object, self.decommission)
        self.assertEqual(notification.event_type, STAGE_CHANGED)
        self.assertEqual(notification.object_repr, str(self.decommission))

    def test_notifications_for_everyone_named_but_the_actor(self):
        head, responsible = self.people.head, self.people.responsible
        workflow.sign(self.decommission, head, 'order', 'head')
        self.assertEqual(self.notified(), [])

        workflow.sign(self.decommission, responsible, 'order', 'responsible')
        self.assertEqual(self.notified(STAGE_CHANGED), ['executor1', 'executor2', 'head', 'requester'])
        notification = Notification.objects.get(user=head)
        self.assertEqual(notification.object, self.decommission)
        self.assertEqual(notification.object_repr, str(self.decommission))
        self.assertIsNone(notification.read)

        # The next move, by the head: everyone else hears of it; one notification per person and record.
        workflow.schedule(self.decommission, head, *WINDOW)
        workflow.sign(self.decommission, head, 'application', 'head')
        self.assertEqual(self.notified(), ['executor1', 'executor2', 'head', 'requester', 'responsible'])
        self.assertEqual(Notification.objects.filter(user=responsible).count(), 1)

    def test_retirement_notifies_with_device_retired(self):
        advance(self.decommission, Status.STATUS_IN_STORAGE, self.people, self.zone)
        for executor in self.people.executors:
            workflow.sign(self.decommission, executor, 'act', 'executor')
        workflow.sign(self.decommission, self.people.head, 'act', 'head')
        self.assertEqual(self.notified(DEVICE_RETIRED), ['executor1', 'executor2', 'requester', 'responsible'])

    def test_a_move_refused_over_rest_sends_no_event_for_what_it_saved_before(self):
        """The refused change rolled back; NetBox must not send webhooks for the saves queued before the refusal."""
        webhook = self.rules[STAGE_CHANGED].action_object
        device_rule = EventRule.objects.create(name='Device updated', event_types=['object_updated'],
                                               action_type='webhook', action_object=webhook)
        device_rule.object_types.set([ObjectType.objects.get_for_model(self.device)])
        advance(self.decommission, Status.STATUS_IN_STORAGE, self.people, self.zone)
        for executor in self.people.executors:
            workflow.sign(self.decommission, executor, 'act', 'executor')
        grant([self.people.head], ['view', 'change', 'sign'])

        def refuse_after_saving(decommission, user):
            device = decommission.device
            device.snapshot()
            device.description = 'Half retired'
            device.save()
            raise workflow.WorkflowError('Refused after a save')

        self.queue.enqueue.reset_mock()
        with mock.patch('netbox_decommission.workflow.signing.retire_device', refuse_after_saving), \
                self.captureOnCommitCallbacks(execute=True):
            response = APIClient().post(action_url(self.decommission, 'sign'), {'document': 'act', 'role': 'head'},
                                        format='json', **token_header(self.people.head))
        self.assertEqual(response.status_code, 409, response.content)
        self.assertEqual(response.json(), {'detail': 'Refused after a save'})
        self.device.refresh_from_db()
        self.assertEqual(self.device.description, '')
        self.assertEqual(self.queue.enqueue.call_args_list, [])

    def test_over_rest(self):
        client = APIClient()
        grant([self.people.responsible], ['view', 'change', 'sign'])
        workflow.sign(self.decommission, self.people.head, 'order', 'head')
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(action_url(self.decommission, 'sign'), {'document': 'order', 'role': 'responsible'},
                                   format='json', **token_header(self.people.responsible))
        self.assertEqual(response.status_code, 200, response.content)
        ((rule, event_type, data),) = self.queued()
        self.assertEqual((event_type, data['status']), (STAGE_CHANGED, 'ordered'))
        self.assertEqual(self.notified(STAGE_CHANGED), ['executor1', 'executor2', 'head', 'requester'])
