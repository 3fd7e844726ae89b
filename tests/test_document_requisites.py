"""
The requisites GOST R 7.0.97-2025 asks of the order, the application and the act, read back from the PDFs in both
languages: organization, document type, date and number, place of issue, heading, basis, text, signatures with the
signer's position and full name (not a login), the approval stamp on the act, the attachment mark and the
attachment with its sheet numbers; and the document QR code, decoded from the rendered page, that opens the
verification of that very copy.
"""
import hashlib

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.documents import issuing
from netbox_decommission.models import RemovedComponent
from tenancy.models import Contact

from .mixins import DocumentFixtureMixin
from .utils import (
    add_ready_components,
    advance,
    create_workflow_decommission,
    dispose_media,
    pdf_text,
    placed_qr_codes,
    plugin_settings,
    token_header,
)

# What each language prints for the requisites, looked for in the extracted text.
WORDS = {
    'ru': {'approved': 'УТВЕРЖДАЮ', 'basis': 'Основание: распоряжение №', 'attachment': 'Приложение: перечень',
           'attachment_to': 'Приложение к акту №', 'sheet': 'Лист {n} из {m}', 'list': 'Перечень снятых компонентов'},
    'en': {'approved': 'APPROVED', 'basis': 'Basis: order No.', 'attachment': 'Attachment: the list of removed',
           'attachment_to': 'Attachment to act No.', 'sheet': 'Sheet {n} of {m}', 'list': 'List of removed components'},
}
PLACE = 'г. Москва'


class RequisitesTestCase(DocumentFixtureMixin, TestCase):

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        people = cls.people
        # Positions are the titles of the NetBox contacts with the users' e-mail addresses.
        for user, email, title in ((people.head, 'i.volkova@example.com', 'Генеральный директор'),
                                   (people.executors[0], 'o.smirnov@example.com', 'Инженер ЦОД')):
            user.email = email
            user.save()
            Contact.objects.create(name=user.get_full_name(), email=email.upper(), title=title)
        with plugin_settings(place_of_issue=PLACE):
            decommission = create_workflow_decommission(cls.device, people, reason_text='Replaced by srv-02')
            add_ready_components(decommission, cls.zone, count=25)
            cls.decommission = advance(decommission, Status.STATUS_RETIRED, people, cls.zone)

    def copies(self, kind):
        document = self.document(self.decommission, kind)
        return document, {f.language: f.file.open('rb').read() for f in document.files.all()}

    def test_the_act_carries_every_requisite(self):
        act, copies = self.copies('act')
        order = self.document(self.decommission, 'order')
        head_signed = act.signatures.get(role='head').signed_at
        for language, data in copies.items():
            words = WORDS[language]
            text = pdf_text(data)
            for expected in (
                self.decommission.organization, act.number, PLACE, words['approved'], 'Генеральный директор',
                'Ирина Волкова', f'{words["basis"]} {order.number}', words['attachment'], words['attachment_to'],
                words['sheet'].format(n=1, m=2), words['sheet'].format(n=2, m=2), words['list'],
                'Инженер ЦОД', 'Олег Смирнов', 'Anna Lee', 'RC-', 'BOX-0',
                str(timezone.localtime(head_signed).year),
            ):
                self.assertIn(expected, text, f'act/{language}: {expected!r} missing')
            # Full names, never login names.
            for login in ('(head)', '(executor1)', '(executor2)'):
                self.assertNotIn(login, text)
            # Every component is listed once, across the two sheets.
            for component in RemovedComponent.objects.filter(decommission=self.decommission):
                self.assertEqual(text.count(component.serial + ' '), 1, component.serial)

    def test_positions_are_kept_with_the_signature(self):
        act = self.document(self.decommission, 'act')
        signature = act.signatures.get(role='head')
        self.assertEqual((signature.full_name, signature.position), ('Ирина Волкова', 'Генеральный директор'))
        # A later change of title does not change what the issued document printed.
        Contact.objects.filter(title='Генеральный директор').update(title='Председатель правления')
        blocks = issuing.signature_blocks(act)
        self.assertIn('Генеральный директор', [block['position'] for block in blocks])

    def test_the_order_and_the_application(self):
        order, copies = self.copies('order')
        for language, data in copies.items():
            text = pdf_text(data)
            self.assertIn(PLACE, text)
            self.assertIn('Генеральный директор', text)
            # The order is the basis of the others; it has none itself, nor an approval stamp or an attachment.
            self.assertNotIn(WORDS[language]['basis'], text)
            self.assertNotIn(WORDS[language]['approved'], text)
            self.assertNotIn(WORDS[language]['attachment'], text)
        application, copies = self.copies('application')
        for language, data in copies.items():
            self.assertIn(f'{WORDS[language]["basis"]} {order.number}', pdf_text(data))

    def test_the_qr_code_opens_the_verification_of_that_copy(self):
        self.client.force_login(self.people.head)
        for kind in ('order', 'application', 'act'):
            document, copies = self.copies(kind)
            for language, data in copies.items():
                (found,) = [code for code in placed_qr_codes(data) if '/verify/' in code[0]]
                url, page, (x, y) = found
                # Bottom right of the first page.
                self.assertEqual(page, 0)
                self.assertGreater(x, 0.7)
                self.assertGreater(y, 0.8)
                path = reverse('plugins:netbox_decommission:decommission_document_copy', kwargs={
                    'pk': self.decommission.pk, 'kind': kind, 'language': language})
                self.assertTrue(url.endswith(path), url)
                response = self.client.get(path)
                self.assertContains(response, 'data-copy-state="genuine"')
                self.assertContains(response, document.number)
                self.assertContains(response, document.files.get(language=language).sha256)

    def test_the_rest_api_verifies_a_copy(self):
        client, headers = APIClient(), token_header(self.people.head)
        act = self.document(self.decommission, 'act')
        listed = client.get(reverse('plugins-api:netbox_decommission-api:decommission-documents',
                                    kwargs={'pk': self.decommission.pk}), **headers).json()
        (act_files,) = [d['files'] for d in listed if d['kind']['value'] == 'act']
        for frozen in act_files:
            path = reverse('plugins:netbox_decommission:decommission_document_copy', kwargs={
                'pk': self.decommission.pk, 'kind': 'act', 'language': frozen['language']['value']})
            self.assertTrue(frozen['verification_url'].endswith(path))
        url = reverse('plugins-api:netbox_decommission-api:decommission-document-copy-verify',
                      kwargs={'pk': self.decommission.pk, 'kind': 'act', 'language': 'en'})
        answer = client.get(url, **headers).json()
        self.assertEqual((answer['state'], answer['genuine'], answer['document']['number']),
                         ('genuine', True, act.number))
        self.assertEqual(answer['sha256'], act.files.get(language='en').sha256)
        english = act.files.get(language='en')
        english.file.storage.delete(english.file.name)
        self.assertEqual(client.get(url, **headers).json()['state'], 'missing')
        for kind, language in (('act', 'de'), ('memo', 'en')):
            url = reverse('plugins-api:netbox_decommission-api:decommission-document-copy-verify',
                          kwargs={'pk': self.decommission.pk, 'kind': kind, 'language': language})
            self.assertEqual(client.get(url, **headers).status_code, 404)

    def test_the_verification_finds_an_altered_and_a_missing_copy(self):
        self.client.force_login(self.people.head)
        act = self.document(self.decommission, 'act')
        russian, english = act.files.get(language='ru'), act.files.get(language='en')
        path = russian.file.path
        data = bytearray(open(path, 'rb').read())
        data[len(data) // 2] ^= 0xFF
        with open(path, 'wb') as f:
            f.write(bytes(data))
        url = reverse('plugins:netbox_decommission:decommission_document_copy',
                      kwargs={'pk': self.decommission.pk, 'kind': 'act', 'language': 'ru'})
        self.assertContains(self.client.get(url), 'data-copy-state="altered"')
        english.file.storage.delete(english.file.name)
        url = reverse('plugins:netbox_decommission:decommission_document_copy',
                      kwargs={'pk': self.decommission.pk, 'kind': 'act', 'language': 'en'})
        self.assertContains(self.client.get(url), 'data-copy-state="missing"')
        # An unknown language or kind is a 404, not a 500.
        for kind, language in (('act', 'de'), ('memo', 'ru')):
            url = reverse('plugins:netbox_decommission:decommission_document_copy',
                          kwargs={'pk': self.decommission.pk, 'kind': kind, 'language': language})
            self.assertEqual(self.client.get(url).status_code, 404)


class DraftRequisitesTestCase(DocumentFixtureMixin, TestCase):

    def test_a_draft_is_not_issued(self):
        decommission = create_workflow_decommission(self.device, self.people)
        self.client.force_login(self.people.head)
        order = self.document(decommission, 'order')
        data = issuing.document_pdf(order, 'ru')
        (url, page, _centre), = placed_qr_codes(data)
        path = reverse('plugins:netbox_decommission:decommission_document_copy',
                       kwargs={'pk': decommission.pk, 'kind': 'order', 'language': 'ru'})
        self.assertTrue(url.endswith(path))
        self.assertContains(self.client.get(path), 'data-copy-state="not_issued"')

    def test_the_configured_base_url(self):
        decommission = create_workflow_decommission(self.device, self.people)
        with plugin_settings(document_base_url='https://netbox.example.com/'):
            data = issuing.document_pdf(self.document(decommission, 'order'), 'en')
        (url, _page, _centre), = placed_qr_codes(data)
        self.assertTrue(url.startswith('https://netbox.example.com/plugins/decommission/decommissions/'), url)

    def test_the_verification_needs_the_view_permission(self):
        from users.models import User

        decommission = create_workflow_decommission(self.device, self.people)
        stranger = User.objects.create_user(username='stranger')
        self.client.force_login(stranger)
        url = reverse('plugins:netbox_decommission:decommission_document_copy',
                      kwargs={'pk': decommission.pk, 'kind': 'order', 'language': 'ru'})
        self.assertEqual(self.client.get(url).status_code, 403)


class IssuedAtClosingTestCase(DocumentFixtureMixin, TestCase):
    """Closing issues and freezes the media's certificate and extract; their downloads hand out the issued copies."""

    def test_closing_issues_the_media_documents(self):
        decommission = self.retired()
        dispose_media(decommission, self.people.head)
        decommission = advance(decommission, Status.STATUS_CLOSED, self.people, self.zone)
        self.client.force_login(self.people.head)
        for kind, url_name in (('sanitization', 'decommission_sanitization_certificate'),
                               ('extract', 'decommission_event_log_extract')):
            document = self.document(decommission, kind)
            self.assertTrue(document.is_signed)
            self.assertEqual(document.signatures.count(), 0)
            for frozen in document.files.all():
                data = frozen.file.open('rb').read()
                self.assertEqual(hashlib.sha256(data).hexdigest(), frozen.sha256)
                self.assertIn(document.number, pdf_text(data))
                (url, page, _centre), = placed_qr_codes(data)
                self.assertIn(f'/documents/{kind}/{frozen.language}/verify/', url)
                response = self.client.get(reverse(f'plugins:netbox_decommission:{url_name}',
                                                   kwargs={'pk': decommission.pk}) + f'?lang={frozen.language}')
                self.assertEqual(response.content, data)
        # The act of destruction names the extract, its attachment.
        extract = self.document(decommission, 'extract')
        act = self.document(decommission, 'sanitization').files.get(language='ru').file.open('rb').read()
        self.assertIn(f'№ {extract.number}', pdf_text(act))
