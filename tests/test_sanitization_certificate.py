"""
Certificates of media sanitization: the NIST SP 800-88 certificate in English and the Russian act of destruction of
information media, per component and per decommission, read back from the PDF's text; media not sanitized yet;
documents of a record whose device is gone; the REST and UI downloads; a constant number of queries.
"""
import datetime
import re

from django.db import connection
from django.template.loader import render_to_string
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from dcim.models import Manufacturer
from netbox_decommission.documents import event_log_extract, sanitization
from netbox_decommission.models import Decommission, RemovedComponent, StorageLocation
from users.models import User

from .utils import (
    create_decommission,
    create_devices,
    create_sites,
    grant,
    guard_off,
    pdf_text,
    plugin_settings,
    token_header,
)

ORGANIZATION = 'ООО «Пример Дата-центр» (Example Data Center LLC)'
INFORMATION_SYSTEM = 'ИСПДн «Кадры» (HR)'
DEFERRED_REASON = 'The drive does not respond; the disposal vendor degausses it'


def compact(text):
    """Without any whitespace: letter-spaced headings come out of the PDF one letter at a time."""
    return re.sub(r'\s+', '', text)


class SanitizationFixtureMixin:
    """
    A decommission of srv-01 with a hard disk and an SSD, both sanitized and verified, a disk sealed for later
    sanitization, and a memory module (not a storage medium).
    """

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        (cls.device,) = create_devices(1, cls.site, prefix='srv', asset_tag='INV-000451')
        cls.vendor = StorageLocation.objects.create(name='EcoRecycle LLC', kind='vendor', site=cls.site)
        cls.shelf = StorageLocation.objects.create(name='Cage 3, shelf B', kind='warehouse', site=cls.site)
        create_user = User.objects.create_user
        cls.head = create_user(username='head', first_name='Ирина', last_name='Волкова')
        cls.sanitizer = create_user(username='osmirnov', first_name='Олег', last_name='Смирнов',
                                    email='o.smirnov@example.com')
        cls.verifier = create_user(username='alee', first_name='Anna', last_name='Lee')
        cls.decommission = create_decommission(cls.device, organization=ORGANIZATION, head=cls.head,
                                               reason_text='Replaced by srv-02')
        cls.disk = cls.medium(
            kind='disk', name='Disk 0', manufacturer=Manufacturer.objects.create(name='Seagate', slug='seagate'),
            part_id='ST4000NM0035', serial='ZC1A2B3C', asset_tag='MEDIA-0001', data_backed_up=True,
            backup_location='backup01:/srv/backup/srv-01', sanitization_method='purge',
            sanitization_technique='ATA Sanitize overwrite', sanitization_tool='hdparm',
            sanitization_tool_version='9.65', sanitization_verification='Full verification',
            sanitized_on=datetime.date(2026, 12, 8), status='reused', storage_location=cls.shelf,
        )
        cls.ssd = cls.medium(
            kind='ssd', name='SSD 0', manufacturer=Manufacturer.objects.create(name='Samsung', slug='samsung'),
            part_id='MZ7LH960', serial='S45NNE0M', asset_tag='MEDIA-0002', data_backed_up=False,
            sanitization_method='destroy', sanitization_technique='Shredding to 2 mm particles',
            sanitization_tool='SSD shredder HSM', sanitization_tool_version='2.1',
            sanitization_verification='Visual inspection of the particles',
            sanitized_on=datetime.date(2026, 12, 9), status='transferred', storage_location=cls.vendor,
        )
        cls.deferred = RemovedComponent.objects.create(
            decommission=cls.decommission, kind='disk', name='Disk 1', serial='WD7X9Y8Z',
            seal_number='SEAL-0042', sanitization_deferred_reason=DEFERRED_REASON, storage_location=cls.shelf,
        )
        cls.memory = RemovedComponent.objects.create(
            decommission=cls.decommission, kind='memory', name='DIMM A1', serial='MEM-0001',
        )
        cls.order_number = cls.decommission.documents.get(kind='order').number

    @classmethod
    def medium(cls, **attrs):
        """A storage medium sanitized by Oleg Smirnov and verified by Anna Lee."""
        return RemovedComponent.objects.create(
            decommission=cls.decommission, information_system=INFORMATION_SYSTEM, sanitized_by=cls.sanitizer,
            sanitized_by_title='Security engineer', sanitization_verified_by=cls.verifier,
            sanitization_verified_by_title='Information security officer', **attrs,
        )

    def certificate(self, language, component=None):
        decommission = Decommission.objects.get(pk=self.decommission.pk)
        media = sanitization.media(decommission)
        if component is not None:
            media = media.filter(pk=component.pk)
        return pdf_text(sanitization.render_sanitization_certificate(decommission, media, language))


class CertificateContentTestCase(SanitizationFixtureMixin, TestCase):

    def assertAllIn(self, expected, text):
        missing = [value for value in expected if value not in text]
        self.assertFalse(missing, f'missing from the document: {missing}')

    def test_the_nist_certificate_of_the_decommission(self):
        text = self.certificate('en')
        self.assertIn('CERTIFICATEOFSANITIZATION', compact(text))
        # The section headings of the form are printed in capitals.
        self.assertAllIn((
            ORGANIZATION, 'NIST SP 800-88', self.decommission.number, '9 December 2026',
            # The source: the server the media were removed from, as the decommission froze it.
            'Server name', 'srv-01', 'Serial number', 'SN-srv-01', 'Asset tag', 'INV-000451', 'Reason for removal',
            'End of life', 'Replaced by srv-02', self.order_number,
            # Person performing sanitization.
            'PERSON PERFORMING SANITIZATION', 'Full name', 'Олег Смирнов', 'Title', 'Security engineer',
            'Organization', 'Location', 'Cage 3, shelf B (Site A)', 'Phone or other contact',
            'o.smirnov@example.com',
            # Media information.
            'MEDIA INFORMATION', 'Make / vendor', 'Seagate', 'Samsung', 'Model number', 'ST4000NM0035', 'MZ7LH960',
            'ZC1A2B3C', 'S45NNE0M', 'Media property number (asset tag)', 'MEDIA-0001', 'MEDIA-0002', 'Media type',
            'Hard disk (Disk 0)', 'SSD (SSD 0)', 'Source',
            f'Server srv-01 (serial number SN-srv-01), decommission record {self.decommission.number}',
            'Classification', 'Information system', INFORMATION_SYSTEM, 'Data backed up', 'Yes', 'No',
            'Backup location', 'backup01:/srv/backup/srv-01',
            # Sanitization details.
            'SANITIZATION DETAILS', 'Method type', 'Purge', 'Destroy', 'Method used', 'ATA Sanitize overwrite',
            'Shredding to 2 mm particles', 'Tool used (including version)', 'hdparm 9.65', 'SSD shredder HSM 2.1',
            'Verification method', 'Full verification', 'Visual inspection of the particles', 'Sanitization date',
            '8 December 2026', 'Post-sanitization classification', 'Notes',
            # Media destination.
            'MEDIA DESTINATION', 'Internal reuse',
            'Transferred to a recycling facility or disposal vendor: EcoRecycle LLC', 'Awaiting disposition',
            # Signature and validation.
            'VALIDATION', 'Anna Lee', 'Information security officer', 'Signature and validation',
            'Sanitization performed by', 'Sanitization validated by', 'Signature', 'Date',
        ), text)
        # The medium not sanitized yet says so, with the reason and its seal, instead of blank fields.
        self.assertAllIn(('WD7X9Y8Z', 'SEAL-0042', f'Not sanitized: sealed for later sanitization: {DEFERRED_REASON}',
                          '1 medium listed above is not sanitized yet'), text)
        # Only storage media: the memory module has no place on it.
        self.assertNotIn('MEM-0001', text)
        self.assertNotIn('DIMM A1', text)

    def test_the_russian_act_of_the_decommission(self):
        text = self.certificate('ru')
        self.assertIn('АКТ', compact(text))
        self.assertAllIn((
            'об уничтожении носителей информации (персональных данных)', 'УТВЕРЖДАЮ',
            'Руководитель организации (подразделения)', 'Ирина Волкова', '9 декабря 2026',
            'Оператор (наименование, адрес)', ORGANIZATION, 'Информационная система', INFORMATION_SYSTEM,
            'Основание', f'Распоряжение № {self.order_number}', self.decommission.number,
            'Причина уничтожения', 'Вывод сервера из эксплуатации: Окончание срока службы', 'Replaced by srv-02',
            'Сервер, из которого изъяты носители', 'srv-01', 'SN-srv-01', 'INV-000451',
            'Дата уничтожения', '8 декабря 2026, 9 декабря 2026', 'Количество носителей',
            # The media list.
            'Перечень носителей информации', 'Жёсткий диск, Seagate ST4000NM0035', 'SSD-накопитель, Samsung MZ7LH960',
            'ZC1A2B3C', 'S45NNE0M', 'MEDIA-0001', 'Способ уничтожения',
            'Гарантированное удаление: ATA Sanitize overwrite',
            'средство: hdparm 9.65', 'контроль: Full verification', 'Уничтожение: Shredding to 2 mm particles',
            # Who destroyed it and who checked, with their positions.
            'Комиссия в составе: Олег Смирнов (Security engineer), Anna Lee (Information security '
            'officer)', 'Уничтожение произвели', 'Результат уничтожения проверил', 'Должность',
            'Фамилия, имя, отчество', 'Подпись', 'Security engineer', 'Information security officer',
            'приказ Роскомнадзора от 28.10.2022 № 179',
        ), text)
        self.assertAllIn((
            'WD7X9Y8Z', f'Информация не уничтожена: носитель опломбирован (пломба № SEAL-0042) для последующего '
            f'уничтожения. Причина: {DEFERRED_REASON}', 'Не уничтожена информация на носителях: 1 из 3',
        ), text)
        self.assertNotIn('MEM-0001', text)

    def test_one_certificate_per_medium(self):
        for language in ('en', 'ru'):
            text = self.certificate(language, self.disk)
            self.assertAllIn(('ZC1A2B3C', 'Seagate', 'ST4000NM0035', self.decommission.number, 'srv-01'), text)
            for other in ('S45NNE0M', 'WD7X9Y8Z', 'MEM-0001'):
                self.assertNotIn(other, text)
        text = self.certificate('en', self.disk)
        self.assertIn('8 December 2026', text)
        self.assertNotIn('not sanitized yet', text)

    def test_a_medium_not_sanitized_at_all(self):
        pending = RemovedComponent.objects.create(decommission=self.decommission, kind='ssd', name='SSD 1',
                                                 serial='PENDING-1')
        self.assertEqual(pending.sanitization_state, 'pending')
        self.assertIn('Not sanitized', self.certificate('en', pending))
        self.assertIn('Информация не уничтожена', self.certificate('ru', pending))

    # Deletes the device outside the workflow (the guard would refuse it): the documents outlive it all the same.
    @guard_off()
    def test_the_documents_outlive_the_device(self):
        self.device.delete()
        decommission = Decommission.objects.get(pk=self.decommission.pk)
        self.assertIsNone(decommission.device)
        for language in ('en', 'ru'):
            for component in (None, self.ssd):
                text = self.certificate(language, component)
                self.assertAllIn(('srv-01', 'SN-srv-01', 'INV-000451', 'S45NNE0M'), text)


class CertificateQueryCountTestCase(SanitizationFixtureMixin, TestCase):
    """The documents fetch the media with what they print of them: as many queries for six media as for two."""

    def add_media(self, count):
        for i in range(count):
            user = User.objects.create_user(username=f'engineer{i}')
            RemovedComponent.objects.create(
                decommission=self.decommission, kind='ssd', name=f'SSD extra {i}', serial=f'EXTRA-{i}',
                manufacturer=Manufacturer.objects.create(name=f'Vendor {i}', slug=f'vendor-{i}'),
                storage_location=StorageLocation.objects.create(name=f'Shelf {i}', kind='warehouse', site=self.site),
                sanitization_method='purge', sanitized_on=datetime.date(2026, 12, 10), sanitized_by=user,
                sanitization_verified_by=user,
            )

    def count(self, language, render):
        """The queries of building the context (and rendering the template), and the number of media printed."""
        decommission = Decommission.objects.get(pk=self.decommission.pk)
        with CaptureQueriesContext(connection) as queries, translation.override(language):
            context = sanitization.sanitization_context(decommission, sanitization.media(decommission), language)
            if render:
                render_to_string(sanitization.TEMPLATES[language], context)
        return len(queries), len(context['media'])

    def test_constant_query_count(self):
        RemovedComponent.objects.filter(pk=self.deferred.pk).delete()
        cases = [(language, render) for language in ('en', 'ru') for render in (False, True)]
        two = {case: self.count(*case) for case in cases}
        self.add_media(4)
        for case in cases:
            queries, media = two[case]
            self.assertEqual(media, 2)
            self.assertEqual(self.count(*case), (queries, 6), case)


class CertificateDownloadTestCase(SanitizationFixtureMixin, TestCase):
    """GET .../sanitization-certificate.pdf in the REST API and .../sanitization-certificate/ in the UI."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.reader = User.objects.create_user(username='reader')
        grant([cls.reader], ['view'])
        grant([cls.reader], ['view'], model=RemovedComponent)

    def api_url(self, obj):
        name = 'decommission' if isinstance(obj, Decommission) else 'removedcomponent'
        return reverse(f'plugins-api:netbox_decommission-api:{name}-sanitization-certificate-pdf',
                       kwargs={'pk': obj.pk})

    def ui_url(self, obj):
        name = 'decommission' if isinstance(obj, Decommission) else 'removedcomponent'
        return reverse(f'plugins:netbox_decommission:{name}_sanitization_certificate', kwargs={'pk': obj.pk})

    def assertPDF(self, response, filename, *expected):
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response['Content-Type'], 'application/pdf')
        self.assertIn(filename, response['Content-Disposition'])
        text = pdf_text(response.content)
        for value in expected:
            self.assertIn(value, text)

    def test_api_downloads(self):
        client, headers = APIClient(), token_header(self.reader)
        number = self.decommission.number
        self.assertPDF(client.get(f'{self.api_url(self.decommission)}?lang=en', **headers),
                       f'{number}_sanitization_en.pdf', 'PERSON PERFORMING SANITIZATION', 'S45NNE0M', 'ZC1A2B3C')
        self.assertPDF(client.get(f'{self.api_url(self.disk)}?lang=ru', **headers),
                       f'{number}_sanitization_{self.disk.pk}_ru.pdf', 'Перечень носителей информации', 'ZC1A2B3C')
        # Without ?lang=, the configured default (ru); with Accept: application/pdf as well.
        self.assertPDF(client.get(self.api_url(self.ssd), HTTP_ACCEPT='application/pdf', **headers),
                       f'{number}_sanitization_{self.ssd.pk}_ru.pdf', 'УТВЕРЖДАЮ', 'S45NNE0M')

    def test_api_refusals(self):
        client, headers = APIClient(), token_header(self.reader)
        response = client.get(self.api_url(self.memory), **headers)
        self.assertEqual(response.status_code, 404)
        self.assertIn('is not a storage medium', response.json()['detail'])
        for obj in (self.decommission, self.disk):
            response = client.get(f'{self.api_url(obj)}?lang=xx', **headers)
            self.assertEqual(response.status_code, 400)
            self.assertIn('lang', response.json())
        RemovedComponent.objects.filter(decommission=self.decommission, is_media=True).delete()
        response = client.get(self.api_url(self.decommission), **headers)
        self.assertEqual(response.status_code, 404)
        self.assertIn('No storage media', response.json()['detail'])
        self.assertEqual(client.get(self.api_url(Decommission(pk=0)), **headers).status_code, 404)

    def test_api_needs_the_view_permissions(self):
        client = APIClient()
        components_only = User.objects.create_user(username='components-only')
        grant([components_only], ['view'], model=RemovedComponent)
        decommissions_only = User.objects.create_user(username='decommissions-only')
        grant([decommissions_only], ['view'])
        self.assertEqual(client.get(self.api_url(self.disk), **token_header(components_only)).status_code, 403)
        self.assertEqual(client.get(self.api_url(self.disk), **token_header(decommissions_only)).status_code, 403)
        self.assertEqual(
            client.get(self.api_url(self.decommission), **token_header(components_only)).status_code, 403)

    def test_ui_downloads(self):
        self.client.force_login(self.reader)
        number = self.decommission.number
        self.assertPDF(self.client.get(f'{self.ui_url(self.decommission)}?lang=en'),
                       f'{number}_sanitization_en.pdf', 'CERTIFICATE', 'S45NNE0M', 'ZC1A2B3C')
        self.assertPDF(self.client.get(f'{self.ui_url(self.ssd)}?lang=ru'),
                       f'{number}_sanitization_{self.ssd.pk}_ru.pdf', 'S45NNE0M')

    def test_ui_refusals(self):
        self.client.force_login(self.reader)
        response = self.client.get(self.ui_url(self.memory), follow=True)
        self.assertRedirects(response, self.memory.get_absolute_url())
        self.assertContains(response, 'is not a storage medium')
        response = self.client.get(f'{self.ui_url(self.disk)}?lang=xx', follow=True)
        self.assertRedirects(response, self.disk.get_absolute_url())
        self.assertContains(response, 'Unknown document language')
        response = self.client.get(f'{self.ui_url(self.decommission)}?lang=xx', follow=True)
        self.assertRedirects(response, self.decommission.get_absolute_url())
        RemovedComponent.objects.filter(decommission=self.decommission, is_media=True).delete()
        response = self.client.get(self.ui_url(self.decommission), follow=True)
        self.assertRedirects(response, self.decommission.get_absolute_url())
        self.assertContains(response, 'No storage media were removed')

    def test_ui_needs_the_view_permissions(self):
        components_only = User.objects.create_user(username='components-only')
        grant([components_only], ['view'], model=RemovedComponent)
        self.client.force_login(components_only)
        self.assertEqual(self.client.get(self.ui_url(self.disk)).status_code, 403)


class StandardsFieldsTestCase(SanitizationFixtureMixin, TestCase):
    """
    What NIST SP 800-88 and Roskomnadzor order No. 179 ask beyond the basic certificate: classification, the media
    destination boxes, personal-data facts, and the extract from the event log.
    """

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        RemovedComponent.objects.filter(pk=cls.disk.pk).update(
            data_classification='Confidential', post_sanitization_classification='Unclassified',
            media_destination='external_reuse', personal_data_categories='фамилия, имя, паспортные данные',
            data_subject_categories='работники организации',
            personal_data_processor='ООО «Обработчик», 101000, г. Москва, ул. Ленина, д. 1',
        )
        cls.reader = User.objects.create_user(username='reader')
        grant([cls.reader], ['view'])
        grant([cls.reader], ['view'], model=RemovedComponent)

    def test_the_nist_classification_and_destination(self):
        text = self.certificate('en', self.disk)
        for expected in ('Classification', 'Confidential', 'Post-sanitization classification', 'Unclassified',
                         'Internal reuse', 'External reuse', 'Recycling facility', 'Manufacturer', 'Other'):
            self.assertIn(expected, text)
        # The box of the recorded destination is ticked, the others are not.
        self.assertIn('☒ External reuse', text)
        self.assertIn('☐ Internal reuse', text)
        # Without a recorded destination, the disposition decides: the SSD went to a recycling vendor.
        self.assertIn('☒ Recycling facility', self.certificate('en', self.ssd))

    def test_the_act_of_destruction_of_personal_data(self):
        with plugin_settings(organization_address='123456, г. Москва, ул. Примерная, д. 1'):
            text = self.certificate('ru')
        for expected in (
            'Оператор (наименование, адрес)', ORGANIZATION, '123456, г. Москва, ул. Примерная, д. 1',
            'по поручению оператора', 'ООО «Обработчик», 101000, г. Москва, ул. Ленина, д. 1',
            'Субъекты (категории субъектов) персональных данных', 'работники организации',
            'Категории уничтоженных персональных данных', 'фамилия, имя, паспортные данные',
            'Смирнов', 'Security engineer', INFORMATION_SYSTEM, 'Дата уничтожения', 'Причина уничтожения',
        ):
            self.assertIn(expected, text)

    def extract(self, language, component=None):
        decommission = Decommission.objects.get(pk=self.decommission.pk)
        media = sanitization.media(decommission)
        if component is not None:
            media = media.filter(pk=component.pk)
        return pdf_text(event_log_extract.render_extract(decommission, media, language))

    def test_the_extract_from_the_event_log(self):
        for language, words in (
            ('ru', ('ВЫГРУЗКА', 'Дата уничтожения', 'Субъекты или категории субъектов', 'Категории персональных данных',
                    'Причина уничтожения', '8 декабря 2026', 'Уничтожение информации', 'Ещё не уничтожены')),
            ('en', ('EXTRACT', 'Date of destruction', 'Data subjects or their categories',
                    'Categories of personal data', 'Reason for the destruction', '8 December 2026',
                    'Destruction of the data', 'Not destroyed yet')),
        ):
            text = self.extract(language)
            for expected in (*words, 'ZC1A2B3C', 'S45NNE0M', INFORMATION_SYSTEM, 'работники организации',
                             'фамилия, имя, паспортные данные', 'Replaced by srv-02', 'Олег Смирнов'):
                self.assertIn(expected, text if expected != words[0] else compact(text), f'{language}: {expected}')
        # One medium's extract names that medium only.
        text = self.extract('en', self.ssd)
        self.assertIn('S45NNE0M', text)
        self.assertNotIn('ZC1A2B3C', text)

    def test_the_extract_downloads(self):
        client, headers = APIClient(), token_header(self.reader)
        number = self.decommission.number
        for obj, filename in ((self.decommission, f'{number}_event_log_extract_en.pdf'),
                              (self.disk, f'{number}_event_log_extract_{self.disk.pk}_en.pdf')):
            name = 'decommission' if isinstance(obj, Decommission) else 'removedcomponent'
            response = client.get(reverse(f'plugins-api:netbox_decommission-api:{name}-event-log-extract-pdf',
                                          kwargs={'pk': obj.pk}) + '?lang=en', **headers)
            self.assertEqual(response.status_code, 200)
            self.assertIn(filename, response['Content-Disposition'])
            self.client.force_login(self.reader)
            response = self.client.get(reverse(f'plugins:netbox_decommission:{name}_event_log_extract',
                                               kwargs={'pk': obj.pk}) + '?lang=ru')
            self.assertEqual(response.status_code, 200)
            self.assertIn('Выгрузка из журнала', pdf_text(response.content))
        response = client.get(reverse('plugins-api:netbox_decommission-api:removedcomponent-event-log-extract-pdf',
                                      kwargs={'pk': self.memory.pk}), **headers)
        self.assertEqual(response.status_code, 404)
        self.assertIn('extract from the event log', response.json()['detail'])


class ValidationBySecondPersonTestCase(SanitizationFixtureMixin, TestCase):
    """Separation of duties in the NIST validation block: whoever sanitized a medium does not validate it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.editor = User.objects.create_user(username='editor')
        grant([cls.editor], ['view', 'change'], model=RemovedComponent)
        grant([cls.editor], ['view'])
        grant([cls.editor], ['view'], model=User)

    def test_the_api_refuses_the_same_person(self):
        url = reverse('plugins-api:netbox_decommission-api:removedcomponent-detail', kwargs={'pk': self.disk.pk})
        response = APIClient().patch(url, {'sanitization_verified_by': self.sanitizer.pk}, format='json',
                                     **token_header(self.editor))
        self.assertEqual(response.status_code, 400)
        self.assertIn('second person', response.json()['sanitization_verified_by'][0])
        self.disk.refresh_from_db()
        self.assertEqual(self.disk.sanitization_verified_by, self.verifier)
        response = APIClient().patch(url, {'sanitization_verified_by': self.head.pk}, format='json',
                                     **token_header(self.editor))
        self.assertEqual(response.status_code, 200)

    def test_the_edit_form_refuses_the_same_person(self):
        from netbox_decommission.forms import RemovedComponentForm

        form = RemovedComponentForm(instance=self.disk, data={
            'decommission': self.decommission.pk, 'kind': 'disk', 'name': 'Disk 0', 'condition': 'ok',
            'status': 'reused', 'is_media': True, 'sanitized_by': self.sanitizer.pk,
            'sanitization_verified_by': self.sanitizer.pk, 'storage_location': self.shelf.pk,
        })
        self.assertFalse(form.is_valid())
        self.assertIn('second person', form.errors['sanitization_verified_by'][0])
