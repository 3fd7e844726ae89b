"""
Hand-overs to a disposal vendor (docs/handovers.md): the model's REST endpoint, which items may go, the hand-over
itself (a custody event for every item, all or nothing, weights frozen), the manifest as PDF and CSV, and object
permissions on every operation.
"""
import csv
import datetime
import io
import re
from decimal import Decimal
from unittest import mock

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import ObjectChange
from netbox_decommission import custody
from netbox_decommission.event_types import HANDOVER_HANDED_OVER
from netbox_decommission.handovers import services
from netbox_decommission.models import CustodyEvent, Decommission, Handover, HandoverItem, RemovedComponent
from netbox_decommission.workflow import WorkflowError
from users.models import User

from .mixins import HandoverFixtureMixin
from .utils import grant, pdf_text, plugin_settings, token_header

API = 'plugins-api:netbox_decommission-api:handover'


def api(name, handover=None):
    return reverse(f'{API}-{name}', kwargs={'pk': handover.pk} if handover else {})


class HandoverAPITestCase(HandoverFixtureMixin, TestCase):

    def setUp(self):
        self.client = APIClient()
        self.header = token_header(self.clerk)

    def test_create_read_update_delete(self):
        body = {'site': self.site.pk, 'vendor': self.vendor.pk, 'pickup_date': '2026-12-10'}
        created = self.client.post(api('list'), body, format='json', **self.header)
        self.assertEqual(created.status_code, 201, created.content)
        number = created.json()['number']
        self.assertRegex(number, rf'^HND-{datetime.date.today().year}-\d{{5}}$')
        self.assertEqual(created.json()['status']['value'], 'planned')
        handover = Handover.objects.get(number=number)

        brief = self.client.get(api('list') + '?brief=1', **self.header).json()['results'][0]
        self.assertEqual(set(brief), {'id', 'url', 'display', 'number', 'status', 'pickup_date', 'description'})

        patched = self.client.patch(api('detail', handover), {'received_by': 'Ivan Petrov'}, format='json',
                                    **self.header)
        self.assertEqual(patched.status_code, 200, patched.content)
        handover.refresh_from_db()
        self.assertEqual(handover.received_by, 'Ivan Petrov')
        # The change log records the creation and the edit, as for every NetBox object.
        logged = ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(Handover),
                                             changed_object_id=handover.pk)
        self.assertEqual(sorted(logged.values_list('action', flat=True)), ['create', 'update'])

        deleted = self.client.delete(api('detail', handover), **self.header)
        self.assertEqual(deleted.status_code, 204)
        self.assertFalse(Handover.objects.filter(pk=handover.pk).exists())

    def test_numbers_follow_the_configured_format(self):
        with plugin_settings(handover_number_format='VND/{year}/{seq:03d}'):
            handover = self.new_handover()
            self.assertRegex(handover.number, r'^VND/\d{4}/\d{3}$')
            refused = self.client.post(api('list'), {
                'site': self.site.pk, 'vendor': self.vendor.pk, 'pickup_date': '2026-12-10', 'number': 'X-1',
            }, format='json', **self.header)
        self.assertEqual(refused.status_code, 400)
        self.assertIn('VND/{year}/{seq:03d}', refused.json()['number'][0])

    def test_the_vendor_must_be_a_disposal_vendor(self):
        refused = self.client.post(api('list'), {
            'site': self.site.pk, 'vendor': self.zone.pk, 'pickup_date': '2026-12-10',
        }, format='json', **self.header)
        self.assertEqual(refused.status_code, 400)
        self.assertIn('Removal zone', refused.json()['vendor'][0])

    def test_add_and_remove_items(self):
        handover = self.new_handover()
        added = self.client.post(api('items', handover), {
            'components': [disk.pk for disk in self.disks], 'decommissions': [self.server.pk],
        }, format='json', **self.header)
        self.assertEqual(added.status_code, 201, added.content)
        self.assertEqual(len(added.json()), 4)
        listed = self.client.get(api('items', handover), **self.header).json()
        self.assertEqual([item['serial'] for item in listed], ['HDD-000', 'HDD-001', 'HDD-002', 'SN-WHOLE'])
        first = handover.items.order_by('pk').first()
        removed = self.client.delete(api('items', handover) + f'?item={first.pk}', **self.header)
        self.assertEqual(removed.status_code, 204)
        self.assertEqual(handover.items.count(), 3)
        stranger = self.client.delete(api('items', handover) + '?item=999999', **self.header)
        self.assertEqual(stranger.status_code, 400)
        self.assertIn('999999', stranger.json()['item'][0])
        self.assertEqual(self.client.delete(api('items', handover), **self.header).status_code, 400)


class EligibilityTestCase(HandoverFixtureMixin, TestCase):
    """Each refusal names the item and the fix, and nothing is added."""

    def setUp(self):
        self.client = APIClient()
        self.header = token_header(self.clerk)
        self.handover = self.new_handover()

    def refused(self, **body):
        answer = self.client.post(api('items', self.handover), body, format='json', **self.header)
        self.assertEqual(answer.status_code, 409, answer.content)
        self.assertEqual(self.handover.items.count(), 0)
        return answer.json()['detail']

    def test_a_component_at_another_site(self):
        disk = self.disks[0]
        disk.storage_location = self.shelf
        custody.move(disk, self.shelf, self.clerk, 'test', transfer=True)
        message = self.refused(components=[disk.pk, self.disks[1].pk])
        self.assertIn('Disk 0 (HDD-000)', message)
        self.assertIn('Site B', message)
        self.assertIn('move it to a storage location at "Site A"', message)

    def test_a_component_with_a_final_disposition(self):
        RemovedComponent.objects.filter(pk=self.disks[0].pk).update(status='destroyed')
        message = self.refused(components=[self.disks[0].pk])
        self.assertIn('Disk 0 (HDD-000)', message)
        self.assertIn('Destroyed', message)

    def test_a_component_in_no_storage_location(self):
        RemovedComponent.objects.filter(pk=self.disks[0].pk).update(storage_location=None)
        self.assertIn('is in no storage location', self.refused(components=[self.disks[0].pk]))

    def test_an_item_on_another_open_handover(self):
        other = self.new_handover()
        services.add_items(other, self.clerk, components=[self.disks[0]])
        message = self.refused(components=[self.disks[0].pk])
        self.assertIn(f'already on hand-over {other.number}', message)

    def test_a_server_not_stored(self):
        Decommission.objects.filter(pk=self.server.pk).update(status='shut_down')
        message = self.refused(decommissions=[self.server.pk])
        self.assertIn(self.server.number, message)
        self.assertIn('Store it first', message)

    def test_a_server_at_another_site(self):
        Decommission.objects.filter(pk=self.server.pk).update(storage_location=self.shelf)
        message = self.refused(decommissions=[self.server.pk])
        self.assertIn('Site B', message)

    def test_every_refusal_at_once(self):
        RemovedComponent.objects.filter(pk=self.disks[0].pk).update(status='reused')
        Decommission.objects.filter(pk=self.server.pk).update(storage_location=self.shelf)
        message = self.refused(components=[self.disks[0].pk, self.disks[1].pk], decommissions=[self.server.pk])
        self.assertIn('Disk 0', message)
        self.assertIn(self.server.number, message)
        self.assertNotIn('Disk 1', message)

    def test_only_a_planned_handover_takes_items(self):
        services.add_items(self.handover, self.clerk, components=[self.disks[0]])
        services.hand_over(self.handover, self.clerk)
        answer = self.client.post(api('items', self.handover), {'components': [self.disks[1].pk]}, format='json',
                                  **self.header)
        self.assertEqual(answer.status_code, 409)
        self.assertIn('Handed over', answer.json()['detail'])

    def test_the_eligible_items_are_those_in_custody_at_the_site(self):
        RemovedComponent.objects.filter(pk=self.disks[0].pk).update(storage_location=self.shelf)
        self.assertEqual(set(services.eligible_components(self.handover)), set(self.disks[1:]))
        self.assertEqual(list(services.eligible_servers(self.handover)), [self.server])


class HandOverTestCase(HandoverFixtureMixin, TestCase):

    def setUp(self):
        self.client = APIClient()
        self.header = token_header(self.clerk)
        self.handover = self.new_handover(received_by='Ivan Petrov, driver')
        services.add_items(self.handover, self.clerk, components=self.disks, decommissions=[self.server])

    def test_hand_over_moves_every_item_and_freezes_the_manifest(self):
        with mock.patch('netbox_decommission.events.flush_events') as flush, \
                self.captureOnCommitCallbacks(execute=True):
            answer = self.client.post(api('hand-over', self.handover), **self.header)
        self.assertEqual(answer.status_code, 200, answer.content)
        body = answer.json()
        self.assertEqual(body['status']['value'], 'handed_over')
        self.assertEqual(body['handed_over_by']['username'], 'clerk')
        self.assertEqual(body['total_weight'], '20.500')  # 0.650 + 0.650 + 0.700 (module type) + 18.500 (type)
        (event,) = [call.args[0][0] for call in flush.call_args_list]
        self.assertEqual(event['event_type'], HANDOVER_HANDED_OVER)
        self.assertEqual(event['data']['number'], self.handover.number)

        events = CustodyEvent.objects.filter(to_location=self.vendor)
        self.assertEqual(events.count(), 4)
        self.assertEqual(set(events.values_list('user__username', flat=True)), {'clerk'})
        self.assertTrue(all(self.handover.number in reason for reason in events.values_list('reason', flat=True)))
        self.assertEqual(set(events.exclude(component=None).values_list('component', flat=True)),
                         {disk.pk for disk in self.disks})
        self.assertEqual(events.filter(component=None).get().decommission, self.server)
        for disk in RemovedComponent.objects.filter(pk__in=[d.pk for d in self.disks]):
            self.assertEqual((disk.status, disk.storage_location, disk.vendor_pickup_date),
                             ('transferred', self.vendor, datetime.date(2026, 12, 10)))
        self.assertEqual(Decommission.objects.get(pk=self.server.pk).storage_location, self.vendor)
        frozen = list(self.handover.items.order_by('pk').values_list('serial', 'weight', 'package_label',
                                                                      'seal_number'))
        self.assertEqual(frozen, [
            ('HDD-000', Decimal('0.650'), 'BOX-0', 'SEAL-0'), ('HDD-001', Decimal('0.650'), 'BOX-1', 'SEAL-1'),
            ('HDD-002', Decimal('0.700'), 'BOX-2', 'SEAL-2'), ('SN-WHOLE', Decimal('18.500'), '', ''),
        ])
        # Frozen: a later correction of the part's weight does not change the manifest.
        RemovedComponent.objects.filter(pk=self.disks[0].pk).update(weight=Decimal('9.999'))
        self.assertEqual(HandoverItem.objects.get(component=self.disks[0]).weight, Decimal('0.650'))

    def test_a_failure_midway_changes_nothing(self):
        real_move = custody.move
        calls = []

        def failing_move(obj, *args, **kwargs):
            calls.append(obj)
            if len(calls) == 3:
                raise RuntimeError('the database went away')
            return real_move(obj, *args, **kwargs)

        with mock.patch('netbox_decommission.handovers.services.custody.move', side_effect=failing_move):
            with self.assertRaises(RuntimeError):
                services.hand_over(self.handover, self.clerk)
        self.assertEqual(len(calls), 3)
        self.assertFalse(CustodyEvent.objects.filter(to_location=self.vendor).exists())
        self.assertEqual(set(RemovedComponent.objects.filter(pk__in=[d.pk for d in self.disks]).values_list(
            'status', 'storage_location')), {('removed', self.zone.pk)})
        self.assertEqual(Decommission.objects.get(pk=self.server.pk).storage_location, self.zone)
        self.handover.refresh_from_db()
        self.assertEqual((self.handover.status, self.handover.handed_over_at), ('planned', None))
        self.assertEqual(set(self.handover.items.values_list('weight', flat=True)), {None})

    def test_an_item_that_left_custody_meanwhile_refuses_the_whole_hand_over(self):
        RemovedComponent.objects.filter(pk=self.disks[1].pk).update(storage_location=self.shelf)
        answer = self.client.post(api('hand-over', self.handover), **self.header)
        self.assertEqual(answer.status_code, 409)
        self.assertIn('Disk 1 (HDD-001)', answer.json()['detail'])
        self.assertFalse(CustodyEvent.objects.filter(to_location=self.vendor).exists())

    def test_a_handed_over_handover_is_kept(self):
        services.hand_over(self.handover, self.clerk)
        answer = self.client.delete(api('detail', self.handover), **self.header)
        self.assertEqual(answer.status_code, 400)
        self.assertIn('Only a planned hand-over can be deleted', answer.json()['detail'])
        self.assertTrue(Handover.objects.filter(pk=self.handover.pk).exists())

    def test_an_empty_handover_is_refused(self):
        empty = self.new_handover()
        with self.assertRaises(WorkflowError) as refused:
            services.hand_over(empty, self.clerk)
        self.assertIn('carries no items', refused.exception.message)


class ManifestTestCase(HandoverFixtureMixin, TestCase):

    def setUp(self):
        self.client = APIClient()
        self.header = token_header(self.clerk)

    def test_pdf_in_both_languages(self):
        handover = self.handed_over()
        for language in ('en', 'ru'):
            answer = self.client.get(api('manifest-pdf', handover) + f'?lang={language}', **self.header)
            self.assertEqual(answer.status_code, 200)
            self.assertEqual(answer['Content-Type'], 'application/pdf')
            text = pdf_text(answer.content)
            # Weights as each language writes decimals.
            weights = [w if language == 'en' else w.replace('.', ',') for w in ('0.650', '18.500', '20.500')]
            for expected in (handover.number, 'Site A', 'EcoRecycle LLC', '10.12.2026', 'HDD-000', 'HDD-002',
                             'SN-WHOLE', 'BOX-1', 'SEAL-2', *weights, 'Ivan Petrov, driver'):
                self.assertIn(expected, text, f'{expected} missing from the {language} manifest')
        english = pdf_text(self.client.get(api('manifest-pdf', handover) + '?lang=en', **self.header).content)
        self.assertIn('HAND-OVER MANIFEST', english)
        self.assertIn('Total: 4 items', english)
        refused = self.client.get(api('manifest-pdf', handover) + '?lang=de', **self.header)
        self.assertEqual(refused.status_code, 400)
        self.assertIn('lang', refused.json())

    def test_csv_with_a_total_row(self):
        handover = self.handed_over()
        answer = self.client.get(api('manifest-csv', handover), **self.header)
        self.assertEqual(answer.status_code, 200)
        self.assertTrue(answer.content.startswith('\ufeff'.encode()))
        rows = list(csv.DictReader(io.StringIO(answer.content.decode('utf-8-sig'))))
        *items, total = rows
        self.assertEqual([row['serial'] for row in items], ['HDD-000', 'HDD-001', 'HDD-002', 'SN-WHOLE'])
        self.assertEqual([row['kind'] for row in items], ['Hard disk', 'Hard disk', 'Hard disk', 'Server'])
        stored = sum(handover.items.values_list('weight', flat=True))
        self.assertEqual(Decimal(total['weight_kg']), stored)
        self.assertEqual(sum(Decimal(row['weight_kg']) for row in items), stored)
        self.assertEqual((total['kind'], total['position']), ('total', '4'))

    def test_a_planned_handover_prints_a_draft(self):
        handover = self.new_handover()
        services.add_items(handover, self.clerk, components=self.disks[:1])
        text = pdf_text(self.client.get(api('manifest-pdf', handover) + '?lang=en', **self.header).content)
        self.assertIn('DRAFT', text)
        self.assertIn('HDD-000', text)


class HandoverPermissionsTestCase(HandoverFixtureMixin, TestCase):

    def setUp(self):
        self.client = APIClient()
        self.handover = self.new_handover()
        services.add_items(self.handover, self.clerk, components=self.disks[:1])
        self.viewer = User.objects.create_user(username='viewer')
        grant([self.viewer], ['view'], model=Handover)
        self.other = User.objects.create_user(username='other-site')
        grant([self.other], ['view', 'change'], model=Handover, constraints={'site__name': 'Site B'})
        self.nobody = User.objects.create_user(username='nobody')

    def test_view_only_may_read_but_not_operate(self):
        header = token_header(self.viewer)
        self.assertEqual(self.client.get(api('detail', self.handover), **header).status_code, 200)
        self.assertEqual(self.client.get(api('items', self.handover), **header).status_code, 200)
        self.assertEqual(self.client.get(api('manifest-csv', self.handover), **header).status_code, 200)
        for name, body in (('hand-over', {}), ('items', {'components': [self.disks[1].pk]}), ('close', {})):
            answer = self.client.post(api(name, self.handover), body, format='json', **header)
            self.assertEqual(answer.status_code, 403, name)
        self.assertEqual(self.handover.items.count(), 1)

    def test_object_permissions_hide_other_handovers(self):
        header = token_header(self.other)
        for name in ('detail', 'items', 'manifest-csv', 'manifest-pdf', 'certificates'):
            self.assertEqual(self.client.get(api(name, self.handover), **header).status_code, 404, name)
        answer = self.client.post(api('hand-over', self.handover), **header)
        self.assertEqual(answer.status_code, 404)
        self.handover.refresh_from_db()
        self.assertEqual(self.handover.status, 'planned')

    def test_no_permission_no_access(self):
        header = token_header(self.nobody)
        self.assertEqual(self.client.get(api('manifest-pdf', self.handover), **header).status_code, 403)
        self.assertEqual(self.client.get(api('list'), **header).status_code, 403)

    def test_ui_operations_honour_object_permissions(self):
        self.client.force_login(self.other)
        for name in ('add_items', 'hand_over', 'certificate', 'close_handover', 'manifest'):
            url = reverse(f'plugins:netbox_decommission:handover_{name}', kwargs={'pk': self.handover.pk})
            self.assertEqual(self.client.get(url).status_code, 404, name)
        url = reverse('plugins:netbox_decommission:handover_hand_over', kwargs={'pk': self.handover.pk})
        self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(self.viewer)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.handover.refresh_from_db()
        self.assertEqual(self.handover.status, 'planned')


class HandoverUITestCase(HandoverFixtureMixin, TestCase):

    def setUp(self):
        self.client.force_login(self.clerk)
        self.handover = self.new_handover()

    def url(self, name):
        return reverse(f'plugins:netbox_decommission:handover_{name}', kwargs={'pk': self.handover.pk})

    def test_add_items_hand_over_and_the_page(self):
        page = self.client.get(self.url('add_items'))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, 'HDD-000')
        self.assertContains(page, 'SN-WHOLE')
        answer = self.client.post(self.url('add_items'), {
            'components': [disk.pk for disk in self.disks], 'decommissions': [self.server.pk]})
        self.assertRedirects(answer, self.handover.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(self.handover.items.count(), 4)
        self.assertEqual(self.client.get(self.url('hand_over')).status_code, 200)
        self.assertRedirects(self.client.post(self.url('hand_over')), self.handover.get_absolute_url(),
                             fetch_redirect_response=False)
        self.handover.refresh_from_db()
        self.assertEqual(self.handover.status, 'handed_over')
        detail = self.client.get(self.handover.get_absolute_url())
        self.assertEqual(detail.status_code, 200)
        content = detail.content.decode()
        self.assertIn('20.500', content)
        self.assertIn('Awaiting the certificate', content)
        self.assertIn(self.url('certificate'), content)
        self.assertNotIn(self.url('add_items'), content)
        csv_answer = self.client.get(self.url('manifest') + '?format=csv')
        self.assertEqual(csv_answer['Content-Type'], 'text/csv; charset=utf-8')
        self.assertEqual(self.client.get(reverse('plugins:netbox_decommission:handover_list')).status_code, 200)
        # Handed over, it is kept.
        self.client.post(reverse('plugins:netbox_decommission:handover_delete', kwargs={'pk': self.handover.pk}),
                         {'confirm': 'true'})
        self.assertTrue(Handover.objects.filter(pk=self.handover.pk).exists())

    def test_a_refused_addition_names_the_item(self):
        RemovedComponent.objects.filter(pk=self.disks[0].pk).update(status='destroyed')
        answer = self.client.post(self.url('add_items'), {'components': [self.disks[0].pk]})
        # Not offered any more: the form says the choice is not one of the eligible ones.
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(self.handover.items.count(), 0)
        self.assertTrue(re.search(r'valid choice', answer.content.decode()))


class HandoverQueryCountTestCase(HandoverFixtureMixin, TestCase):
    """
    Exact query counts (make test pins them): handing over costs a fixed part and a fixed part per item (each item's
    custody move is saved and change-logged on its own, as NetBox logs every object); the hand-over's page and its
    REST detail do not grow with its items.
    """
    # Handing over one item, and each further item.
    HAND_OVER_FIXED = 37
    HAND_OVER_PER_ITEM = 23
    PAGE = 16
    API_DETAIL = 18

    def hand_over_queries(self, disks=(), servers=()):
        handover = self.new_handover()
        services.add_items(handover, self.clerk, components=disks, decommissions=servers)
        with CaptureQueriesContext(connection) as queries:
            services.hand_over(handover, self.clerk)
        return handover, len(queries)

    def read_queries(self, handover):
        self.client.force_login(self.clerk)
        with CaptureQueriesContext(connection) as page:
            self.assertEqual(self.client.get(handover.get_absolute_url()).status_code, 200)
        client = APIClient()
        with CaptureQueriesContext(connection) as detail:
            self.assertEqual(client.get(api('detail', handover), **token_header(self.clerk)).status_code, 200)
        return len(page), len(detail)

    def test_handing_over_costs_a_fixed_part_per_item(self):
        # The first hand-over of a component in the process fills caches (content types) the others reuse.
        spare = RemovedComponent.objects.create(decommission=self.decommission, kind='disk', name='Spare',
                                                serial='HDD-SPARE', storage_location=self.zone)
        self.hand_over_queries([spare])
        one, one_item = self.hand_over_queries(self.disks[:1])
        two, two_items = self.hand_over_queries(self.disks[1:3])
        self.assertEqual((one_item, two_items - one_item), (self.HAND_OVER_FIXED, self.HAND_OVER_PER_ITEM))
        self.assertEqual(self.read_queries(one), (self.PAGE, self.API_DETAIL))
        self.assertEqual(self.read_queries(two), (self.PAGE, self.API_DETAIL))
