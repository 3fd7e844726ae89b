"""
A frozen document whose stored file is gone (a database restored without its media folder): the PDF answers 410
Gone, in the REST API and the UI, naming the document, its SHA-256 and the file to restore; the record's page and
GET .../documents/ say the copy is missing; the documents archive and the verification still answer. Real frozen
copies: the order is signed through the workflow, then one of its files is deleted from NetBox's media storage.
"""
import hashlib
import io
import json
import uuid
import zipfile

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import JobStatusChoices
from core.models import Job
from netbox_decommission import bulk, workflow
from netbox_decommission.jobs import BulkDocumentsJob

from .utils import create_devices, create_signers, create_sites, create_workflow_decommission, grant, token_header

API = 'plugins-api:netbox_decommission-api:{}'
UI = 'plugins:netbox_decommission:{}'


class MissingFrozenCopyTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        site, = create_sites('Missing Site')
        device, = create_devices(1, site, prefix='missing')
        cls.people = create_signers('missing-')
        cls.user = cls.people.head
        grant([cls.user, cls.people.responsible], ['view', 'change', 'sign'])
        cls.decommission = create_workflow_decommission(device, cls.people)
        workflow.sign(cls.decommission, cls.people.head, 'order', 'head')
        workflow.sign(cls.decommission, cls.people.responsible, 'order', 'responsible')
        cls.order = cls.decommission.documents.get(kind='order')
        cls.lost = cls.order.files.get(language='ru')
        cls.kept = cls.order.files.get(language='en')
        with cls.lost.file.open('rb') as f:
            cls.lost_bytes = f.read()
        cls.lost.file.storage.delete(cls.lost.file.name)

    def assert_names_what_to_restore(self, message):
        self.assertIn(f'signed order {self.order.number} (Russian)', message)
        self.assertIn(self.lost.sha256, message)
        self.assertIn(self.lost.file.name, message)
        self.assertIn(self.lost.file.path, message)
        self.assertIn('Restore', message)

    def pdf_url(self, namespace, language):
        name = 'decommission-document-pdf' if namespace == API else 'decommission_document'
        url = reverse(namespace.format(name), kwargs={'pk': self.decommission.pk, 'kind': 'order'})
        return f'{url}?lang={language}'

    def test_the_api_answers_410_naming_the_document_and_the_file(self):
        client, headers = APIClient(), token_header(self.user)
        response = client.get(self.pdf_url(API, 'ru'), **headers)
        self.assertEqual(response.status_code, 410, response.content)
        body = response.json()
        self.assert_names_what_to_restore(body['detail'])
        self.assertEqual((body['sha256'], body['file']), (self.lost.sha256, self.lost.file.name))
        # A client asking for the PDF gets the same JSON body, as with every error of this endpoint.
        response = client.get(self.pdf_url(API, 'ru'), HTTP_ACCEPT='application/pdf', **headers)
        self.assertEqual(response.status_code, 410)
        self.assert_names_what_to_restore(json.loads(response.content)['detail'])
        # The other language's copy is still there and handed out.
        response = client.get(self.pdf_url(API, 'en'), **headers)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(hashlib.sha256(response.content).hexdigest(), self.kept.sha256)

    def test_the_documents_list_says_which_copy_is_missing(self):
        url = reverse(API.format('decommission-documents'), kwargs={'pk': self.decommission.pk})
        response = APIClient().get(url, **token_header(self.user))
        self.assertEqual(response.status_code, 200)
        order = next(d for d in response.json() if d['kind']['value'] == 'order')
        files = {f['language']['value']: f for f in order['files']}
        self.assertEqual({language: f['file_missing'] for language, f in files.items()}, {'ru': True, 'en': False})
        self.assertEqual(files['ru']['sha256'], self.lost.sha256)
        self.assertEqual(files['ru']['size'], self.lost.size)
        self.assertEqual(set(files['ru']), {'language', 'sha256', 'size', 'digitally_signed', 'created',
                                            'file_missing', 'fixity_state', 'fixity_checked_at',
                                            'verification_url'})

    def test_the_ui_answers_410_with_the_message(self):
        self.client.force_login(self.user)
        response = self.client.get(self.pdf_url(UI, 'ru'))
        self.assertEqual(response.status_code, 410)
        page = response.content.decode()
        self.assert_names_what_to_restore(page.replace('&#x27;', "'"))
        self.assertIn(self.decommission.get_absolute_url(), page)
        response = self.client.get(self.pdf_url(UI, 'en'))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(hashlib.sha256(response.content).hexdigest(), self.kept.sha256)

    def test_the_record_page_shows_the_warning_instead_of_the_link(self):
        self.client.force_login(self.user)
        response = self.client.get(self.decommission.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        page = response.content.decode().replace('&#x27;', "'")
        self.assert_names_what_to_restore(page)
        self.assertNotIn(self.pdf_url(UI, 'ru'), page)
        self.assertIn(self.pdf_url(UI, 'en'), page)

    def test_the_archive_job_notes_the_missing_copy_and_archives_the_rest(self):
        job = Job.objects.create(name=BulkDocumentsJob.name, user=self.user, job_id=uuid.uuid4())
        BulkDocumentsJob.handle(job, decommission_ids=[self.decommission.pk], languages=['ru', 'en'])
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatusChoices.STATUS_COMPLETED, job.log_entries)
        self.assertEqual(len(job.data['missing']), 1)
        self.assert_names_what_to_restore(job.data['missing'][0])
        self.assertTrue(any(self.lost.sha256 in entry['message'] for entry in job.log_entries))
        with default_storage.open(job.data['file'], 'rb') as stored:
            archive = zipfile.ZipFile(stored)
            folder = f'{self.decommission.number}/{self.order.number}'
            self.assertEqual(sorted(archive.namelist()), [f'{folder}_en.pdf', f'{folder}_ru.pdf.missing.txt'])
            self.assertEqual(hashlib.sha256(archive.read(f'{folder}_en.pdf')).hexdigest(), self.kept.sha256)
            self.assert_names_what_to_restore(archive.read(f'{folder}_ru.pdf.missing.txt').decode())

    def test_the_archive_without_a_callback_still_completes(self):
        names = zipfile.ZipFile(io.BytesIO(bulk.documents_archive([self.decommission], ['ru']))).namelist()
        self.assertEqual(names, [f'{self.decommission.number}/{self.order.number}_ru.pdf.missing.txt'])

    def test_a_handed_in_copy_still_verifies(self):
        # The database keeps the hash: a copy someone kept is still recognized, and is the file to put back.
        url = reverse(API.format('decommission-documents-verify'))
        upload = SimpleUploadedFile('order.pdf', self.lost_bytes, content_type='application/pdf')
        response = APIClient().post(url, {'file': upload}, format='multipart', **token_header(self.user))
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response.json()['valid'])
        self.assertEqual(response.json()['sha256'], self.lost.sha256)

    def test_restoring_the_named_file_brings_the_copy_back(self):
        path = self.lost.file.path
        with open(path, 'wb') as f:
            f.write(self.lost_bytes)
        self.addCleanup(self.lost.file.storage.delete, self.lost.file.name)
        self.client.force_login(self.user)
        response = self.client.get(self.pdf_url(UI, 'ru'))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(hashlib.sha256(response.content).hexdigest(), self.lost.sha256)
        page = self.client.get(self.decommission.get_absolute_url()).content.decode()
        self.assertNotIn(self.lost.file.name, page)
        self.assertIn(self.pdf_url(UI, 'ru'), page)

