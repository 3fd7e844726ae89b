"""
The vendor's certificate reconciled with a hand-over serial by serial (docs/handovers.md): a duplicate serial is an
error naming its rows and changes nothing; then matched, missing and unknown serials are reported; closing waits for
an exception on the missing item; the components end destroyed or recycled with the vendor's certificate number. Bad
files (encoding, columns, size, another hand-over's serial, a date) each answer 400 naming the row and column, and
change nothing. Through the REST API and the web form.
"""
import datetime
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from netbox_decommission.event_types import HANDOVER_CLOSED, HANDOVER_RECONCILED
from netbox_decommission.handovers import services
from netbox_decommission.handovers.certificate import MAX_ROWS
from netbox_decommission.models import HandoverCertificate, HandoverItem, RemovedComponent

from .mixins import HandoverFixtureMixin
from .utils import token_header

API = 'plugins-api:netbox_decommission-api:handover'

HEADER = 'Serial Number;Method;Date;Certificate\n'
ROWS = {
    'HDD-000': 'HDD-000;destroyed;08.12.2026;CERT-77\n',
    'HDD-001': 'HDD-001;recycled;2026-12-08;CERT-77\n',
    'SN-WHOLE': 'sn-whole ;Recycled;08.12.2026;CERT-77\n',  # another case and a space: the same serial
    'PALLET-9': 'PALLET-9;recycled;08.12.2026;CERT-77\n',  # on no hand-over: unknown
}
# HDD-002 is on the manifest but not on the certificate: missing.


def csv_file(*lines, header=HEADER, name='certificate.csv', encoding='utf-8'):
    return SimpleUploadedFile(name, (header + ''.join(lines)).encode(encoding), content_type='text/csv')


class CertificateTestCase(HandoverFixtureMixin, TestCase):

    def setUp(self):
        self.client = APIClient()
        self.header = token_header(self.clerk)
        self.handover = self.handed_over()

    def url(self, name='certificate', handover=None):
        return reverse(f'{API}-{name}', kwargs={'pk': (handover or self.handover).pk})

    def upload(self, file, **fields):
        return self.client.post(self.url(), {'file': file, **fields}, format='multipart', **self.header)

    def state(self):
        """Everything a certificate may change."""
        return {
            'items': list(HandoverItem.objects.order_by('pk').values()),
            'components': list(RemovedComponent.objects.order_by('pk').values('status', 'disposition_reference',
                                                                               'vendor_certificate')),
            'certificates': HandoverCertificate.objects.count(),
        }

    def assert_refused(self, answer, field, *fragments):
        self.assertEqual(answer.status_code, 400, answer.content)
        message = answer.json()[field][0]
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    def test_the_full_reconciliation(self):
        before = self.state()
        duplicate = self.upload(csv_file(*ROWS.values(), 'HDD-000;destroyed;08.12.2026;CERT-77\n'))
        self.assert_refused(duplicate, 'file', 'Rows 2 and 6', 'column "Serial Number"', 'HDD-000')
        self.assertEqual(self.state(), before)

        with mock.patch('netbox_decommission.events.flush_events') as flush, \
                self.captureOnCommitCallbacks(execute=True):
            answer = self.upload(csv_file(*ROWS.values()))
        self.assertEqual(answer.status_code, 201, answer.content)
        result = answer.json()['result']
        self.assertEqual(result['counts'], {'matched': 3, 'already_matched': 0, 'missing': 1, 'unknown': 1})
        self.assertEqual([row['serial'] for row in result['missing']], ['HDD-002'])
        self.assertEqual(result['unknown'], [{'row': 5, 'serial': 'PALLET-9'}])
        self.assertEqual(answer.json()['rows'], 4)
        self.assertEqual(answer.json()['uploaded_by']['username'], 'clerk')
        (event,) = [call.args[0][0] for call in flush.call_args_list]
        self.assertEqual(event['event_type'], HANDOVER_RECONCILED)

        items = {item.serial: item for item in self.handover.items.all()}
        self.assertEqual({serial: item.reconciliation for serial, item in items.items()},
                         {'HDD-000': 'matched', 'HDD-001': 'matched', 'HDD-002': 'missing', 'SN-WHOLE': 'matched'})
        self.assertEqual((items['SN-WHOLE'].certificate_method, items['SN-WHOLE'].certificate_date,
                          items['SN-WHOLE'].certificate_number), ('recycled', datetime.date(2026, 12, 8), 'CERT-77'))
        disks = {disk.serial: disk for disk in RemovedComponent.objects.all()}
        self.assertEqual((disks['HDD-000'].status, disks['HDD-000'].vendor_certificate,
                          disks['HDD-000'].disposition_reference, disks['HDD-000'].disposition_date),
                         ('destroyed', 'CERT-77', 'CERT-77', datetime.date(2026, 12, 8)))
        self.assertEqual((disks['HDD-001'].status, disks['HDD-001'].vendor_certificate), ('recycled', 'CERT-77'))
        self.assertEqual(disks['HDD-002'].status, 'transferred')

        refused = self.client.post(self.url('close'), {}, format='json', **self.header)
        self.assertEqual(refused.status_code, 409)
        self.assertIn('HDD-002', refused.json()['detail'])
        self.handover.refresh_from_db()
        self.assertEqual(self.handover.status, 'handed_over')
        no_reason = self.client.post(self.url('close'), {'exceptions': [
            {'item': items['HDD-002'].pk, 'reason': ''}]}, format='json', **self.header)
        self.assertEqual(no_reason.status_code, 400)

        with mock.patch('netbox_decommission.events.flush_events') as flush, \
                self.captureOnCommitCallbacks(execute=True):
            closed = self.client.post(self.url('close'), {'exceptions': [
                {'item': items['HDD-002'].pk, 'reason': 'Lost in transit; police report 4411'}]}, format='json',
                **self.header)
        self.assertEqual(closed.status_code, 200, closed.content)
        self.assertEqual(closed.json()['status']['value'], 'closed')
        self.assertIsNotNone(closed.json()['closed_at'])
        self.assertEqual([call.args[0][0]['event_type'] for call in flush.call_args_list], [HANDOVER_CLOSED])
        missing = HandoverItem.objects.get(pk=items['HDD-002'].pk)
        self.assertEqual((missing.reconciliation, missing.exception_reason),
                         ('exception', 'Lost in transit; police report 4411'))

    def test_a_full_match_closes_without_exceptions(self):
        self.assertEqual(self.upload(csv_file(*ROWS.values(), 'HDD-002;destroyed;2026-12-09;CERT-78\n')).status_code,
                         201)
        self.assertEqual(RemovedComponent.objects.get(serial='HDD-002').vendor_certificate, 'CERT-78')
        services.close(self.handover, self.clerk)
        self.handover.refresh_from_db()
        self.assertEqual(self.handover.status, 'closed')

    def test_a_second_certificate_completes_the_first(self):
        self.upload(csv_file(ROWS['HDD-000'], ROWS['HDD-001'], ROWS['SN-WHOLE']))
        second = self.upload(csv_file('HDD-002;recycled;2026-12-20;CERT-90\n', ROWS['HDD-000']))
        self.assertEqual(second.status_code, 201)
        self.assertEqual(second.json()['result']['counts'],
                         {'matched': 1, 'already_matched': 1, 'missing': 0, 'unknown': 0})
        # Matched once, an item keeps its first certificate.
        self.assertEqual(RemovedComponent.objects.get(serial='HDD-000').vendor_certificate, 'CERT-77')
        self.assertEqual(RemovedComponent.objects.get(serial='HDD-002').status, 'recycled')
        self.assertEqual(self.handover.certificates.count(), 2)

    def test_the_mapping_names_the_columns(self):
        file = csv_file('HDD-000,уничтожено,2026-12-08\n', header='S/N of unit,Action taken,Done on\n')
        answer = self.upload(file, serial_column='S/N of unit', method_column='Action taken', date_column='Done on',
                             certificate_number='CERT-5')
        self.assertEqual(answer.status_code, 201, answer.content)
        self.assertEqual(RemovedComponent.objects.get(serial='HDD-000').status, 'destroyed')
        self.assertEqual(RemovedComponent.objects.get(serial='HDD-000').vendor_certificate, 'CERT-5')

    def test_windows_1251_when_the_uploader_says_so(self):
        file = csv_file('HDD-000;уничтожено;08.12.2026;СЕРТ-1\n', header='Серийный номер;Способ;Дата;Сертификат\n',
                        encoding='cp1251')
        self.assertEqual(self.upload(file, encoding='cp1251').status_code, 201)
        self.assertEqual(RemovedComponent.objects.get(serial='HDD-000').vendor_certificate, 'СЕРТ-1')

    def test_bad_files_change_nothing(self):
        other = self.new_handover()
        services.add_items(other, self.clerk, components=[RemovedComponent.objects.create(
            decommission=self.decommission, kind='ssd', name='SSD 9', serial='SSD-999', storage_location=self.zone)])
        before = self.state()
        cases = (
            (csv_file(ROWS['HDD-000'], 'HDD-001;уничтожено;08.12.2026;CERT-77\n', encoding='cp1251'), {},
             'file', ('Row 3', 'not valid UTF-8', 'Windows-1251')),
            (csv_file(ROWS['HDD-000'], header='Item;Method;Date;Certificate\n'), {},
             'serial_column', ('no serial number column', '"Item"')),
            (csv_file(ROWS['HDD-000']), {'serial_column': 'Serial'}, 'serial_column', ('no column "Serial"',)),
            (csv_file(*(f'X-{i};destroyed;2026-12-08;C\n' for i in range(MAX_ROWS + 1))), {},
             'file', ('50001 rows', '50000 rows (a hard limit)')),
            (csv_file(ROWS['HDD-000'], 'SSD-999;destroyed;08.12.2026;CERT-77\n'), {},
             'file', ('Row 3', 'column "Serial Number"', f'belongs to hand-over {other.number}')),
            (csv_file(ROWS['HDD-000'], 'HDD-001;recycled;31.02.2026;CERT-77\n'), {},
             'file', ('Row 3', 'column "Date"', '31.02.2026')),
            (csv_file('HDD-000;melted;08.12.2026;CERT-77\n'), {}, 'file', ('Row 2', 'column "Method"', 'melted')),
            (csv_file(ROWS['HDD-000'], ';destroyed;08.12.2026;CERT-77\n'), {},
             'file', ('Row 3', 'serial number is empty')),
        )
        for file, fields, field, fragments in cases:
            with self.subTest(fragments[0]):
                self.assert_refused(self.upload(file, **fields), field, *fragments)
                self.assertEqual(self.state(), before)

    def test_only_a_handed_over_handover_takes_a_certificate(self):
        planned = self.new_handover()
        answer = self.client.post(self.url(handover=planned), {'file': csv_file(ROWS['HDD-000'])},
                                  format='multipart', **self.header)
        self.assertEqual(answer.status_code, 409)
        self.assertIn('Planned', answer.json()['detail'])


class CertificateFormTestCase(HandoverFixtureMixin, TestCase):
    """The same through the web form, with its column mapping."""

    def setUp(self):
        self.client.force_login(self.clerk)
        self.handover = self.handed_over()
        self.url = reverse('plugins:netbox_decommission:handover_certificate', kwargs={'pk': self.handover.pk})

    def test_upload_reconcile_and_close(self):
        self.assertContains(self.client.get(self.url), 'Serial number column')
        duplicate = self.client.post(self.url, {'file': csv_file(ROWS['HDD-000'], ROWS['HDD-000']),
                                                'encoding': 'utf-8'})
        self.assertEqual(duplicate.status_code, 200)
        self.assertContains(duplicate, 'Rows 2 and 3')
        self.assertFalse(self.handover.certificates.exists())

        answer = self.client.post(self.url, {'file': csv_file(*ROWS.values()), 'encoding': 'utf-8'})
        self.assertRedirects(answer, self.handover.get_absolute_url(), fetch_redirect_response=False)
        page = self.client.get(self.handover.get_absolute_url()).content.decode()
        for text in ('Matched', 'Missing from the certificate', 'PALLET-9', 'certificate.csv'):
            self.assertIn(text, page)

        close = reverse('plugins:netbox_decommission:handover_close_handover', kwargs={'pk': self.handover.pk})
        missing = self.handover.items.get(serial='HDD-002')
        refused = self.client.post(close, {})
        self.assertContains(refused, 'HDD-002')
        self.handover.refresh_from_db()
        self.assertEqual(self.handover.status, 'handed_over')
        self.client.post(close, {f'reason_{missing.pk}': 'Lost in transit'})
        self.handover.refresh_from_db()
        self.assertEqual(self.handover.status, 'closed')

    def test_a_missing_column_is_named_on_its_field(self):
        answer = self.client.post(self.url, {'file': csv_file(ROWS['HDD-000']), 'encoding': 'utf-8',
                                             'date_column': 'Completed'})
        self.assertEqual(answer.status_code, 200)
        self.assertIn('date_column', answer.context['form'].errors)
        self.assertFalse(self.handover.certificates.exists())
