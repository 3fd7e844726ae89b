"""
POST .../decommissions/documents/verify/ and the "Verify a document" page: an issued, unchanged PDF is genuine;
a changed one (even by a byte), a draft, an unknown PDF and a file that is no PDF at all are not, each with a
message that says which.
"""
import hashlib
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from rest_framework.test import APIClient

from netbox_decommission import workflow
from netbox_decommission.documents import issuing
from netbox_decommission.models import Document
from users.models import User

from .mixins import DocumentFixtureMixin
from .utils import create_workflow_decommission, grant, token_header

VERIFY_URL = reverse('plugins-api:netbox_decommission-api:decommission-documents-verify')
VERIFY_PAGE = reverse('plugins:netbox_decommission:decommission_verify_document')


def modified(data):
    """The PDF as an editor would save it after drawing a line on its first page (its metadata kept)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    page = writer.pages[0]
    contents = page.get_contents()
    contents.set_data(contents.get_data() + b'\n0 0 m 100 100 l S\n')
    page.replace_contents(contents)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class DocumentVerificationTestCase(DocumentFixtureMixin, TestCase):

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.decommission = create_workflow_decommission(cls.device, cls.people)
        workflow.sign(cls.decommission, cls.people.head, 'order', 'head')
        workflow.sign(cls.decommission, cls.people.responsible, 'order', 'responsible')
        cls.order = Document.objects.get(decommission=cls.decommission, kind='order')

    def setUp(self):
        self.api = APIClient()
        self.headers = token_header(self.people.head)

    def verify(self, data, name='document.pdf', headers=None):
        upload = SimpleUploadedFile(name, data, content_type='application/pdf')
        return self.api.post(VERIFY_URL, {'file': upload}, format='multipart', **(headers or self.headers))

    def test_an_issued_copy_is_genuine(self):
        for language in ('ru', 'en'):
            data = issuing.document_pdf(self.order, language)
            response = self.verify(data)
            self.assertEqual(response.status_code, 200)
            result = response.json()
            self.assertTrue(result['valid'])
            self.assertEqual(result['sha256'], hashlib.sha256(data).hexdigest())
            self.assertEqual(result['language'], language)
            self.assertEqual(result['document']['number'], self.order.number)
            self.assertEqual(result['document']['decommission']['id'], self.decommission.pk)
            self.assertIn('Genuine and unchanged', result['detail'])

    def test_a_modified_copy_is_detected(self):
        data = modified(issuing.document_pdf(self.order, 'en'))
        result = self.verify(data).json()
        self.assertFalse(result['valid'])
        self.assertIn('Modified', result['detail'])
        self.assertIn(self.order.number, result['detail'])
        self.assertEqual(result['document']['number'], self.order.number)

    def test_appended_bytes_are_detected(self):
        data = issuing.document_pdf(self.order, 'ru') + b'\n% appended\n'
        self.assertFalse(self.verify(data).json()['valid'])

    def test_a_draft_is_not_valid(self):
        other = create_workflow_decommission(self.server_two(), self.people)
        draft = issuing.document_pdf(Document.objects.get(decommission=other, kind='order'), 'en')
        result = self.verify(draft).json()
        self.assertFalse(result['valid'])
        self.assertIn('draft', result['detail'])

    def test_unknown_and_non_pdf_files(self):
        import weasyprint
        result = self.verify(weasyprint.HTML(string='<p>Some other PDF</p>').write_pdf()).json()
        self.assertFalse(result['valid'])
        self.assertIn('not a document issued by this NetBox', result['detail'])
        self.assertIsNone(result['document'])
        result = self.verify(b'GIF89a not a pdf', name='picture.gif').json()
        self.assertFalse(result['valid'])
        self.assertIn('not a PDF', result['detail'])

    def test_the_file_is_required(self):
        response = self.api.post(VERIFY_URL, {}, format='multipart', **self.headers)
        self.assertEqual(response.status_code, 400)
        self.assertIn('"file"', response.json()['file'][0])

    def test_permissions(self):
        outsider = User.objects.create_user(username='outsider')
        data = issuing.document_pdf(self.order, 'en')
        self.assertEqual(self.verify(data, headers=token_header(outsider)).status_code, 403)
        # Someone who may view decommissions, but not this one, learns the result and the number (printed on the
        # PDF they hold) but not the record.
        auditor = User.objects.create_user(username='auditor')
        grant([auditor], ['view'], constraints={'pk': 0}, name='nothing in particular')
        result = self.verify(data, headers=token_header(auditor)).json()
        self.assertTrue(result['valid'])
        self.assertEqual(result['document']['decommission'], {'number': self.decommission.number})
        self.assertEqual(self.api.post(VERIFY_URL, {}, format='multipart').status_code, 403)

    def test_the_verify_page(self):
        self.client.force_login(self.people.head)
        self.assertEqual(self.client.get(VERIFY_PAGE).status_code, 200)
        data = issuing.document_pdf(self.order, 'ru')
        response = self.client.post(VERIFY_PAGE, {'file': SimpleUploadedFile('order.pdf', data)})
        self.assertContains(response, 'Genuine and unchanged')
        self.assertContains(response, self.decommission.get_absolute_url())
        response = self.client.post(VERIFY_PAGE, {'file': SimpleUploadedFile('order.pdf', modified(data))})
        self.assertContains(response, 'Modified')
        response = self.client.post(VERIFY_PAGE, {})
        self.assertContains(response, 'Choose the PDF to verify.')

    def server_two(self):
        from .utils import create_cabled_server
        return create_cabled_server(self.site, name='srv-02', octet=20).device
