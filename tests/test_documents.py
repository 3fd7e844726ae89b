"""
The order, the application and the act as PDFs: every field the seed procedure lists, in Russian and English,
read back from the PDF's text; drafts before the last signature, frozen copies with their SHA-256 after it; the
REST and UI downloads; and documents of a record whose device is gone.
"""
import hashlib
import io
import re
from unittest import mock

from django.conf import settings
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.documents import issuing
from netbox_decommission.models import DocumentFile
from netbox_decommission.plugin_settings import get_setting
from users.models import User

from .mixins import DocumentFixtureMixin
from .utils import (
    add_ready_components,
    advance,
    cert_pem,
    create_workflow_decommission,
    key_pem,
    pdf_text,
    token_header,
    x509_certificate,
    x509_name,
)

ORGANIZATION = 'ООО «Пример Дата-центр» (Example Data Center LLC)'


def compact(text):
    """Without any whitespace: letter-spaced headings come out of the PDF one letter at a time."""
    return re.sub(r'\s+', '', text)


# The words each document prints, per language, looked for in the extracted text next to the record's values.
LABELS = {
    'ru': {
        'order': 'РАСПОРЯЖЕНИЕ', 'application': 'ЗАЯВЛЕНИЕ', 'act': 'АКТ', 'number': '№',
        'server': 'Наименование сервера', 'serial': 'Серийный номер', 'asset_tag': 'Инвентарный номер',
        'netbox_id': 'ID устройства в NetBox', 'reason': 'Причина удаления',
        'responsible': 'Ответственный за удаление', 'planned': 'Запланированные дата и время удаления',
        'actual': 'Фактические дата и время удаления', 'organization': 'Полное наименование организации',
        'removed_by': 'Удаление произвели', 'head': 'Руководитель организации или подразделения',
        'signed': 'подписано электронно', 'draft': 'ПРОЕКТ', 'reason_value': 'Окончание срока службы',
        'month': 'декабря',
    },
    'en': {
        'order': 'ORDER', 'application': 'APPLICATION', 'act': 'ACT', 'number': 'No.',
        'server': 'Server name', 'serial': 'Serial number', 'asset_tag': 'Asset tag',
        'netbox_id': 'NetBox device ID', 'reason': 'Reason for removal',
        'responsible': 'Responsible for the removal', 'planned': 'Planned date and time of removal',
        'actual': 'Actual date and time of removal', 'organization': 'Full name of the organization',
        'removed_by': 'Removed by', 'head': 'Head of the organization or department',
        'signed': 'signed electronically', 'draft': 'DRAFT', 'reason_value': 'End of life',
        'month': 'December',
    },
}


class DocumentContentTestCase(DocumentFixtureMixin, TestCase):
    """Each frozen document carries every field the seed lists for it, in both languages."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.device_pk = cls.device.pk
        decommission = create_workflow_decommission(cls.device, cls.people, reason_text='Replaced by srv-02')
        add_ready_components(decommission, cls.zone)
        cls.decommission = advance(decommission, Status.STATUS_RETIRED, cls.people, cls.zone)

    def texts(self, kind):
        document = self.document(self.decommission, kind)
        return {f.language: pdf_text(f.file.open('rb').read()) for f in document.files.all()}, document

    def assertCommonFields(self, text, language, document):
        labels = LABELS[language]
        decommission = self.decommission
        signed_on = timezone.localtime(document.signed_at)
        for expected in (
            labels['number'], document.number, ORGANIZATION,
            labels['server'], 'srv-01', labels['serial'], 'SN-srv-01', labels['asset_tag'], 'INV-000451',
            labels['netbox_id'], str(self.device_pk), labels['reason'], labels['reason_value'], 'Replaced by srv-02',
            labels['responsible'], 'Pavel Orlov', decommission.number, labels['signed'],
            str(signed_on.year),
        ):
            self.assertIn(expected, text, f'{document.kind}/{language}: {expected!r} missing')
        self.assertNotIn(labels['draft'], compact(text))

    def test_the_order(self):
        texts, document = self.texts('order')
        self.assertEqual(set(texts), {'ru', 'en'})
        for language, text in texts.items():
            self.assertIn(LABELS[language]['order'], compact(text))
            self.assertCommonFields(text, language, document)
            # Signed by the head and co-signed by the responsible person.
            self.assertIn('Ирина Волкова', text)
            self.assertIn(LABELS[language]['head'], text)
            self.assertEqual(text.count(LABELS[language]['signed']), 2)

    def test_the_application(self):
        texts, document = self.texts('application')
        for language, text in texts.items():
            labels = LABELS[language]
            self.assertIn(labels['application'], compact(text))
            self.assertCommonFields(text, language, document)
            self.assertIn(labels['organization'], text)
            # The planned window: 2026-12-05 22:00 to 2026-12-06 02:00 UTC.
            self.assertIn(labels['planned'], text)
            self.assertRegex(text, rf'5 {labels["month"]} 2026, 22:00 \(UTC\) – 6 {labels["month"]} 2026, 02:00')
            self.assertIn(self.document(self.decommission, 'order').number, text)
            self.assertEqual(text.count(labels['signed']), 1)

    def test_the_act(self):
        texts, document = self.texts('act')
        removed = timezone.localtime(self.decommission.removed_at)
        for language, text in texts.items():
            labels = LABELS[language]
            self.assertIn(labels['act'], compact(text))
            self.assertCommonFields(text, language, document)
            self.assertIn(labels['actual'], text)
            self.assertIn(f'{removed:%H:%M} (UTC)', text)
            self.assertIn(labels['removed_by'], text)
            # Signed by both executors and the head, whose signature is also the approval stamp.
            for name in ('Олег Смирнов', 'Anna Lee', 'Ирина Волкова'):
                self.assertIn(name, text)
            self.assertEqual(text.count(labels['signed']), 4)
            self.assertIn('Removal zone', text)

    def test_the_documents_outlive_the_device(self):
        # The default retirement policy deleted the device when the act was signed.
        self.assertIsNone(self.decommission.device)
        for kind in ('order', 'application', 'act'):
            document = self.document(self.decommission, kind)
            for language in ('ru', 'en'):
                text = pdf_text(issuing.render_document(document, language))
                self.assertIn('SN-srv-01', text)
                self.assertIn(str(self.device_pk), text)

    def test_numbers_per_kind(self):
        year = timezone.now().year
        numbers = {d.kind: d.number for d in self.decommission.documents.all()}
        self.assertEqual(numbers, {'order': f'ORD-{year}-00001', 'application': f'APP-{year}-00001',
                                   'act': f'ACT-{year}-00001'})


class DraftAndFreezeTestCase(DocumentFixtureMixin, TestCase):

    def test_a_draft_is_marked_and_not_stored(self):
        decommission = create_workflow_decommission(self.device, self.people)
        order = self.document(decommission, 'order')
        workflow.sign(decommission, self.people.head, 'order', 'head')
        for language in ('ru', 'en'):
            text = pdf_text(issuing.document_pdf(order, language))
            self.assertIn(LABELS[language]['draft'], compact(text))
            # The head's signature is shown; the responsible person's line is still empty.
            self.assertEqual(text.count(LABELS[language]['signed']), 1)
        self.assertFalse(DocumentFile.objects.exists())

    def test_the_last_signature_freezes_the_document(self):
        decommission = create_workflow_decommission(self.device, self.people)
        workflow.sign(decommission, self.people.head, 'order', 'head')
        workflow.sign(decommission, self.people.responsible, 'order', 'responsible')
        order = self.document(decommission, 'order')
        files = {f.language: f for f in order.files.all()}
        self.assertEqual(set(files), {'ru', 'en'})
        for language, frozen in files.items():
            data = frozen.file.open('rb').read()
            self.assertEqual(frozen.sha256, hashlib.sha256(data).hexdigest())
            self.assertEqual(frozen.size, len(data))
            self.assertFalse(frozen.digitally_signed)
            # What is handed out from now on is the stored copy, byte for byte.
            self.assertEqual(issuing.document_pdf(order, language), data)

    def test_a_failing_freeze_leaves_the_signature_ungiven(self):
        decommission = create_workflow_decommission(self.device, self.people)
        workflow.sign(decommission, self.people.head, 'order', 'head')
        with mock.patch('netbox_decommission.documents.issuing.render_pdf', side_effect=OSError('disk full')), \
                self.assertRaises(OSError):
            workflow.sign(decommission, self.people.responsible, 'order', 'responsible')
        decommission.refresh_from_db()
        self.assertEqual(decommission.status, Status.STATUS_DRAFT)
        order = self.document(decommission, 'order')
        self.assertIsNone(order.signed_at)
        self.assertEqual(order.signatures.count(), 1)
        self.assertFalse(DocumentFile.objects.exists())

    def test_a_document_signed_before_freezing_existed_is_frozen_on_first_request(self):
        decommission = create_workflow_decommission(self.device, self.people)
        workflow.sign(decommission, self.people.head, 'order', 'head')
        workflow.sign(decommission, self.people.responsible, 'order', 'responsible')
        order = self.document(decommission, 'order')
        DocumentFile.objects.filter(document=order).delete()
        first = issuing.document_pdf(order, 'en')
        self.assertEqual(issuing.document_pdf(order, 'en'), first)
        self.assertEqual(order.files.count(), 2)

    @override_settings(PLUGINS_CONFIG={'netbox_decommission': {
        **settings.PLUGINS_CONFIG['netbox_decommission'], 'document_number_format': '{kind}/{seq:03d}/{year}',
        'document_codes': {'order': 'Р', 'application': 'З', 'act': 'А'},
    }})
    def test_the_configured_number_format(self):
        decommission = create_workflow_decommission(self.device, self.people)
        self.assertEqual(get_setting('document_codes')['order'], 'Р')
        self.assertEqual(self.document(decommission, 'order').number, f'Р/001/{timezone.now().year}')


class DocumentDownloadTestCase(DocumentFixtureMixin, TestCase):
    """GET .../documents/{kind}.pdf in the REST API and the UI; ?lang= chooses the language."""

    def api_url(self, decommission, kind):
        return reverse('plugins-api:netbox_decommission-api:decommission-document-pdf',
                       kwargs={'pk': decommission.pk, 'kind': kind})

    def ui_url(self, decommission, kind):
        return reverse('plugins:netbox_decommission:decommission_document', kwargs={'pk': decommission.pk,
                                                                                  'kind': kind})

    def test_api_download_of_the_frozen_copies(self):
        decommission = self.retired()
        client = APIClient()
        headers = token_header(self.people.head)
        for kind in ('order', 'application', 'act'):
            document = self.document(decommission, kind)
            for language in ('ru', 'en'):
                response = client.get(f'{self.api_url(decommission, kind)}?lang={language}', **headers)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response['Content-Type'], 'application/pdf')
                self.assertIn(f'{document.number}_{language}.pdf', response['Content-Disposition'])
                self.assertEqual(hashlib.sha256(response.content).hexdigest(),
                                 document.files.get(language=language).sha256)
        # Without ?lang=, the configured default (ru); with Accept: application/pdf as well.
        response = client.get(self.api_url(decommission, 'order'), HTTP_ACCEPT='application/pdf', **headers)
        self.assertEqual(hashlib.sha256(response.content).hexdigest(),
                         self.document(decommission, 'order').files.get(language='ru').sha256)

    def test_api_documents_list_shows_numbers_hashes_and_links(self):
        decommission = self.retired()
        url = reverse('plugins-api:netbox_decommission-api:decommission-documents', kwargs={'pk': decommission.pk})
        data = APIClient().get(url, **token_header(self.people.head)).json()
        order = next(d for d in data if d['kind']['value'] == 'order')
        document = self.document(decommission, 'order')
        self.assertEqual(order['number'], document.number)
        self.assertEqual({f['language']['value']: f['sha256'] for f in order['files']},
                         dict(document.files.values_list('language', 'sha256')))
        self.assertTrue(order['pdf']['en'].endswith(f'{self.api_url(decommission, "order")}?lang=en'))

    def test_api_refusals(self):
        decommission = create_workflow_decommission(self.device, self.people)
        client, headers = APIClient(), token_header(self.people.head)
        response = client.get(f'{self.api_url(decommission, "order")}?lang=de', **headers)
        self.assertEqual(response.status_code, 400)
        self.assertIn('lang', response.json())
        response = client.get(self.api_url(decommission, 'application'), **headers)
        self.assertEqual(response.status_code, 404)
        self.assertIn('has not been drafted yet. Next: the order needs the signatures', response.json()['detail'])
        self.assertEqual(client.get(self.api_url(decommission, 'invoice'), **headers).status_code, 404)
        outsider = User.objects.create_user(username='outsider')
        self.assertIn(client.get(self.api_url(decommission, 'order'), **token_header(outsider)).status_code,
                      (403, 404))

    def test_ui_download_and_panel(self):
        decommission = self.retired()
        self.client.force_login(self.people.head)
        response = self.client.get(f'{self.ui_url(decommission, "act")}?lang=en')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response['Content-Type'], 'application/pdf')
        act = self.document(decommission, 'act')
        self.assertEqual(hashlib.sha256(response.content).hexdigest(), act.files.get(language='en').sha256)
        page = self.client.get(decommission.get_absolute_url()).content.decode()
        for document in decommission.documents.all():
            self.assertIn(document.number, page)
            for frozen in document.files.all():
                self.assertIn(frozen.sha256, page)
        self.assertIn(self.ui_url(decommission, 'order') + '?lang=ru', page)
        self.assertIn(reverse('plugins:netbox_decommission:decommission_labels', kwargs={'pk': decommission.pk}),
                      page)

    def test_ui_undrafted_document_redirects_with_the_next_step(self):
        decommission = create_workflow_decommission(self.device, self.people)
        self.client.force_login(self.people.head)
        response = self.client.get(self.ui_url(decommission, 'act'), follow=True)
        self.assertRedirects(response, decommission.get_absolute_url())
        self.assertContains(response, 'has not been drafted yet')


class DigitallySignedDocumentTestCase(DocumentFixtureMixin, TestCase):
    """With a signing key configured, every frozen copy carries a PAdES signature that pyHanko validates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import shutil
        import tempfile
        from pathlib import Path

        from cryptography.hazmat.primitives.asymmetric import ec
        from pyhanko.keys import load_cert_from_pemder

        directory = Path(tempfile.mkdtemp(prefix='nbdc-signed-'))
        cls.addClassCleanup(shutil.rmtree, directory)
        ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        ca_cert = x509_certificate(x509_name('Example Test CA'), ca_key.public_key(), x509_name('Example Test CA'),
                                   ca_key, ca=True)
        cert = x509_certificate(x509_name('Example Data Center LLC'), key.public_key(), ca_cert.subject, ca_key,
                                ca=False)
        for name, data in (('ca.pem', cert_pem(ca_cert)), ('key.pem', key_pem(key)), ('cert.pem', cert_pem(cert))):
            (directory / name).write_bytes(data)
        cls.trust_roots = [load_cert_from_pemder(str(directory / 'ca.pem'))]
        cls.certificate_serial = format(cert.serial_number, 'X')
        cls.signing = override_settings(PLUGINS_CONFIG={**settings.PLUGINS_CONFIG, 'netbox_decommission': {
            **settings.PLUGINS_CONFIG['netbox_decommission'], 'signing_key': str(directory / 'key.pem'),
            'signing_certificate': str(directory / 'cert.pem'), 'signing_ca_chain': str(directory / 'ca.pem'),
        }})

    def test_frozen_copies_are_digitally_signed(self):
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

        decommission = create_workflow_decommission(self.device, self.people)
        with self.signing:
            workflow.sign(decommission, self.people.head, 'order', 'head')
            workflow.sign(decommission, self.people.responsible, 'order', 'responsible')
        order = self.document(decommission, 'order')
        for frozen in order.files.all():
            self.assertTrue(frozen.digitally_signed)
            data = frozen.file.open('rb').read()
            (signature,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
            status = validate_pdf_signature(signature, ValidationContext(trust_roots=self.trust_roots))
            self.assertTrue(status.bottom_line, status.pretty_print_details())
            self.assertTrue(status.intact and status.trusted)
            self.assertIn(order.number, str(signature.sig_object.get('/Reason')))
            # The signed copy still reads as the document, and verifies as issued.
            text = pdf_text(data)
            self.assertIn(order.number, text)
            # The mark of the electronic signature (GOST R 7.0.97-2025): certificate serial, owner, validity.
            mark = {'ru': ('ДОКУМЕНТ ПОДПИСАН ЭЛЕКТРОННОЙ ПОДПИСЬЮ', 'Владелец', 'Действителен с'),
                    'en': ('DOCUMENT SIGNED WITH AN ELECTRONIC SIGNATURE', 'Owner', 'Valid from')}[frozen.language]
            for expected in (*mark, self.certificate_serial, 'Example Data Center LLC'):
                self.assertIn(expected, text)
            self.assertEqual(frozen.sha256, hashlib.sha256(data).hexdigest())
