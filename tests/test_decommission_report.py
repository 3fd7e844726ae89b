"""
The decommission report: issued, numbered and frozen when a record is closed, after the device is gone, and printing
the whole process in both languages: the stage log, the other documents with their SHA-256, the backup, the
shutdown checklist, the components (inspection, packing, custody, sanitization, disposition), the retirement and
the closing checks; downloadable like the other documents, with a constant number of queries.
"""
import datetime
import hashlib
import uuid

from django.db import connection
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.models import ObjectChange
from netbox.context_managers import event_tracking
from netbox_decommission import custody, disposition
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.documents import issuing, report
from netbox_decommission.documents.formatting import moment, person
from netbox_decommission.models import Document, RemovedComponent, StorageLocation

from .mixins import DocumentFixtureMixin
from .utils import (
    add_ready_components,
    advance,
    create_workflow_decommission,
    pdf_text,
    plugin_settings,
    token_header,
)

NETWORK_CHECK = {
    'checked_at': '2026-12-06T03:10:00+00:00', 'checked_by': 'head', 'tcp_ports': [22, 443], 'icmp': True,
    'icmp_permitted': False, 'timeout': 1.5,
    'addresses': [
        {'address': '192.0.2.10', 'answered': False, 'answered_on': ''},
        {'address': '2001:db8::10', 'answered': True, 'answered_on': 'tcp/22'},
    ],
    'override_reason': 'The address was already reassigned to srv-09',
}


class ReportFixtureMixin(DocumentFixtureMixin):
    """A record walked to closed under one request (so with a change log), with components in every state."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        people = cls.people
        cls.shelf = StorageLocation.objects.create(name='Shelf S-03', kind='warehouse', site=cls.site)
        cls.vendor = StorageLocation.objects.create(name='EcoRecycle', kind='vendor', site=cls.site)
        cls.device_pk = cls.device.pk
        request = RequestFactory().post('/')
        request.user, request.id = people.head, uuid.uuid4()
        cls.request_id = request.id
        with event_tracking(request):
            decommission = create_workflow_decommission(cls.device, people, reason_text='Replaced by srv-02')
            disk, spare_disk = add_ready_components(decommission, cls.zone)
            disk.sanitization_verified_by = people.executors[1]
            disk.save()
            memory = RemovedComponent.objects.create(
                decommission=decommission, kind='memory', name='DIMM A1', serial='MEM-77', condition='damaged',
                condition_notes='Bent pin', inspected_by=people.executors[0], antistatic_packed=True,
                package_label='BOX-MEM', storage_location=cls.zone,
            )
            advance(decommission, Status.STATUS_SHUT_DOWN, people, cls.zone)
            custody.move(memory, cls.shelf, people.executors[0], 'Shelved for reuse')
            disposition.reuse(memory, people.head, reference='REUSE-1')
            disposition.transfer_to_vendor(disk, people.head, cls.vendor, certificate='CERT-ECO-42',
                                           pickup_date=datetime.date(2026, 12, 7))
            cls.decommission = advance(decommission, Status.STATUS_CLOSED, people, cls.zone)
        cls.components = {c.serial: c for c in cls.decommission.components.all()}

    def report_document(self):
        return self.decommission.documents.get(kind='report')


class ReportContentTestCase(ReportFixtureMixin, TestCase):

    def texts(self):
        document = self.report_document()
        return {frozen.language: pdf_text(frozen.file.open('rb').read()) for frozen in document.files.all()}

    def test_the_report_is_issued_numbered_and_frozen_at_closing(self):
        document = self.report_document()
        self.assertTrue(document.number.startswith('REP-'))
        self.assertIsNotNone(document.signed_at)
        self.assertEqual(document.signatures.count(), 0)
        files = {frozen.language: frozen for frozen in document.files.all()}
        self.assertEqual(set(files), {'ru', 'en'})
        for frozen in files.values():
            data = frozen.file.open('rb').read()
            self.assertEqual(frozen.sha256, hashlib.sha256(data).hexdigest())
            self.assertEqual(frozen.size, len(data))
        # Issued last: after the certificate of sanitization, which it lists.
        sanitization = self.decommission.documents.get(kind='sanitization')
        self.assertLess(sanitization.pk, document.pk)

    def test_the_stage_log(self):
        changes = list(self.decommission.stage_changes.select_related('user'))
        self.assertEqual(changes[-1].to_status, Status.STATUS_CLOSED)
        for language, text in self.texts().items():
            with translation.override(language):
                for change in changes:
                    for expected in (str(change.get_to_status_display()), moment(change.time), person(change.user),
                                     ' '.join(change.comment.split())):
                        self.assertIn(expected, text, f'{language}: {expected!r} of {change} missing')

    def test_the_other_documents_with_their_sha256(self):
        others = self.decommission.documents.exclude(kind='report').prefetch_related('files')
        self.assertEqual(sorted(d.kind for d in others), ['act', 'application', 'extract', 'order', 'sanitization'])
        for language, text in self.texts().items():
            for document in others:
                self.assertIn(document.number, text)
                for frozen in document.files.all():
                    self.assertEqual(text.count(frozen.sha256), 1, f'{language}: {document} {frozen.language}')

    def test_the_backup_and_the_shutdown(self):
        decommission = self.decommission
        for language, text in self.texts().items():
            with translation.override(language):
                for expected in (str(decommission.get_backup_method_display()), decommission.backup_target,
                                 person(decommission.backup_verified_by), moment(decommission.backup_verified_at),
                                 str(decommission._meta.get_field('powered_off').verbose_name).capitalize(),
                                 str(decommission._meta.get_field('network_disconnected').verbose_name).capitalize()):
                    self.assertIn(expected, text, f'{language}: {expected!r} missing')
            self.assertIn('250', text)

    def test_the_components(self):
        for language, text in self.texts().items():
            with translation.override(language):
                for component in self.components.values():
                    for expected in (component.serial, str(component.get_kind_display()),
                                     str(component.get_condition_display()), component.package_label,
                                     str(component.get_status_display())):
                        self.assertIn(expected, text, f'{language}: {expected!r} of {component} missing')
                memory = self.components['MEM-77']
                self.assertIn('Bent pin', text)
                self.assertIn('Shelf S-03 (Site A)', text)
                self.assertIn('Shelved for reuse', text)
                self.assertIn('REUSE-1', text)
                disk = self.components[f'RC-{self.decommission.pk}-0']
                self.assertIn('EcoRecycle (Site A)', text)
                self.assertIn('CERT-ECO-42', text)
                self.assertIn(person(disk.sanitization_verified_by), text)
                self.assertIn(str(disk.get_sanitization_method_display()), text)
                self.assertIn('nwipe', text)
                self.assertIn(f'DESTR-{self.components[f"RC-{self.decommission.pk}-1"].pk}', text)
                self.assertIn(str(memory.get_status_display()), text)

    def test_the_retirement(self):
        record = self.decommission.device_snapshot['retirement']
        self.assertEqual(record['request_id'], str(self.request_id))
        self.assertEqual((record['device'], record['ip_addresses']), ('deleted', 'deleted'))
        changes = ObjectChange.objects.filter(request_id=self.request_id).count()
        for text in self.texts().values():
            self.assertIn(str(self.request_id), text)
            self.assertIn(str(changes), text)
            for address in ('192.0.2.10/24', '2001:db8::10/64', '198.51.100.10/24'):
                self.assertIn(address, text)
            self.assertIn('srv-01-uplink', text)
            self.assertIn('srv-01-tor Ethernet10', text)

    def test_the_closing_checks(self):
        for language, text in self.texts().items():
            self.assertIn(f'{self.decommission.device_name}', text)
            with translation.override(language):
                self.assertIn(str(report._closing_checks(self.decommission, [])[0]), text)
            self.assertIn('✓', text)

    def test_the_network_check(self):
        self.decommission.network_check = NETWORK_CHECK
        document = self.report_document()
        document.decommission = self.decommission
        for language in ('ru', 'en'):
            text = pdf_text(report.render_document(document, language))
            timeout = {'ru': '1,5', 'en': '1.5'}[language]
            for expected in ('192.0.2.10', '2001:db8::10', 'tcp/22', 'tcp/443', 'icmp', 'head',
                             'The address was already reassigned to srv-09', timeout):
                self.assertIn(expected, text, f'{language}: {expected!r} missing')
            with translation.override(language):
                self.assertIn(moment(datetime.datetime(2026, 12, 6, 3, 10, tzinfo=datetime.UTC)), text)

    def test_a_retirement_the_snapshot_holds_no_account_of(self):
        # Retired by a version of the plugin that kept no record of the retirement.
        self.decommission.device_snapshot.pop('retirement')
        document = self.report_document()
        document.decommission = self.decommission
        text = pdf_text(report.render_document(document, 'en'))
        self.assertIn('holds no account of the retirement', text)
        self.assertIn('SN-srv-01', text)

    def test_the_report_outlives_the_device(self):
        self.assertIsNone(self.decommission.device)
        for text in self.texts().values():
            self.assertIn('SN-srv-01', text)
            self.assertIn(str(self.device_pk), text)


@plugin_settings(retirement_policy='offline', ip_address_policy='deprecate', disable_peer_ports=True)
class OfflineRetirementReportTestCase(DocumentFixtureMixin, TestCase):
    """Under the offline policy: the device kept, its addresses deprecated, the far-end ports freed."""

    def test_the_retirement_and_the_checks_under_the_offline_policy(self):
        decommission = create_workflow_decommission(self.device, self.people)
        advance(decommission, Status.STATUS_CLOSED, self.people, self.zone)
        record = decommission.device_snapshot['retirement']
        # Walked outside a request: NetBox logged no change, so there is no request id.
        self.assertEqual((record['device'], record['ip_addresses'], record['request_id']),
                         ('offline', 'deprecated', ''))
        self.assertEqual(record['peer_ports_freed'], [
            {'id': self.server.switch_port.pk, 'device': 'srv-01-tor', 'name': 'Ethernet10'}])
        document = decommission.documents.get(kind='report')
        for frozen in document.files.all():
            text = pdf_text(frozen.file.open('rb').read())
            with translation.override(frozen.language):
                for expected in (*report._closing_checks(decommission, []), report.DEVICE_OUTCOMES['offline'],
                                 report.ADDRESS_OUTCOMES['deprecated']):
                    self.assertIn(' '.join(str(expected).split()), text, frozen.language)
            self.assertIn('srv-01-tor Ethernet10', text)
            self.assertEqual(len(report._closing_checks(decommission, [])), 5)


class ReportDownloadTestCase(ReportFixtureMixin, TestCase):

    def test_rest_download_and_listing(self):
        document = self.report_document()
        header = token_header(self.people.head)
        for language in ('ru', 'en'):
            response = self.client.get(f'/api/plugins/decommission/decommissions/{self.decommission.pk}/documents/'
                                       f'report.pdf?lang={language}', **header)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(b''.join(response), document.files.get(language=language).file.open('rb').read())
        listing = self.client.get(f'/api/plugins/decommission/decommissions/{self.decommission.pk}/documents/',
                                  **header).json()
        (entry,) = [d for d in listing if d['kind']['value'] == 'report']
        self.assertEqual(entry['number'], document.number)
        self.assertEqual(entry['signatures'], [])
        self.assertEqual(len(entry['files']), 2)

    def test_ui_download_and_panel(self):
        self.client.force_login(self.people.head)
        document = self.report_document()
        url = reverse('plugins:netbox_decommission:decommission_document',
                      kwargs={'pk': self.decommission.pk, 'kind': 'report'})
        response = self.client.get(f'{url}?lang=en')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b''.join(response), document.files.get(language='en').file.open('rb').read())
        page = self.client.get(self.decommission.get_absolute_url()).content.decode()
        self.assertIn(document.number, page)
        self.assertIn(url, page)
        self.assertIn('Issued by NetBox when the record was closed', page)
        self.assertNotIn('Awaiting signatures', page)

    def test_before_closing_the_report_is_not_issued_yet(self):
        header = token_header(self.people.head)
        decommission = create_workflow_decommission(self.device_for_another_record(), self.people)
        response = self.client.get(f'/api/plugins/decommission/decommissions/{decommission.pk}/documents/'
                                   'report.pdf?lang=en', **header)
        self.assertEqual(response.status_code, 404)
        self.assertIn('issued when the decommission is closed', response.json()['detail'])
        self.client.force_login(self.people.head)
        page = self.client.get(decommission.get_absolute_url()).content.decode()
        self.assertIn('Issued at closing', page)

    def device_for_another_record(self):
        from .utils import create_devices

        (device,) = create_devices(1, self.site, prefix='other')
        return device


class ReportQueryCountTestCase(ReportFixtureMixin, TestCase):

    def queries(self):
        # Afresh: nothing the previous rendering loaded is cached on the instances.
        document = Document.objects.select_related('decommission').get(pk=self.report_document().pk)
        with CaptureQueriesContext(connection) as context:
            report.report_context(document, 'en')
        return len(context.captured_queries)

    def test_constant_query_count(self):
        before = self.queries()
        for i in range(5):
            component = RemovedComponent.objects.create(
                decommission=self.decommission, kind='cpu', name=f'CPU {i}', serial=f'CPU-{i}', condition='ok',
                antistatic_packed=True, storage_location=self.zone, inspected_by=self.people.head,
                inspected_at=timezone.now(),
            )
            custody.move(component, self.shelf, self.people.head, 'Shelved')
        self.assertEqual(self.queries(), before)

    def test_the_closing_documents_are_issued_with_the_report(self):
        # issue_closing_documents() does not issue it twice.
        self.assertEqual(issuing.issue_closing_documents(self.decommission), [])
        self.assertEqual(self.decommission.documents.filter(kind='report').count(), 1)
