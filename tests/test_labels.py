"""
Printable labels: what the PDF says in each language, QR codes that scan to the record, one label per package,
labels of a record whose device is gone, and a query count that does not grow with the components.
"""
import io

import pypdf
from django.template.loader import render_to_string
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from dcim.models import Manufacturer
from netbox_decommission.choices import ComponentKindChoices as Kind
from netbox_decommission.choices import StorageLocationKindChoices
from netbox_decommission.documents.labels import TEMPLATE, label_sheet, qr_code, render_labels
from netbox_decommission.models import Decommission, RemovedComponent, StorageLocation
from users.models import User

from .utils import (
    create_cabled_server,
    create_decommission,
    create_devices,
    create_sites,
    grant,
    guard_off,
    pdf_text,
    scan_qr_codes,
    token_header,
)

ORGANIZATION = 'Northwind Data Centres'
# Rendered at this resolution a QR module is several pixels wide, as from a phone camera held close to a label.


def record_url(decommission):
    return f'https://netbox.example.com/plugins/decommission/decommissions/{decommission.pk}/'


def add_component(decommission, name, kind, serial, package_label='', **attrs):
    return RemovedComponent.objects.create(
        decommission=decommission, name=name, kind=kind, serial=serial, package_label=package_label, **attrs
    )


class LabelSheetTestCase(TestCase):
    """A server with five removed parts in four packages: BOX-1 (two disks), BOX-2, and two unlabelled parts."""

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.server = create_cabled_server(site, asset_tag='INV-0042')
        cls.removal_zone = StorageLocation.objects.create(
            name='Removal zone 1', kind=StorageLocationKindChoices.KIND_REMOVAL_ZONE, site=site
        )
        cls.shelf = StorageLocation.objects.create(
            name='Shelf B', kind=StorageLocationKindChoices.KIND_WAREHOUSE, site=site
        )
        cls.decommission = create_decommission(
            cls.server.device, storage_location=cls.removal_zone, organization=ORGANIZATION
        )
        seagate = Manufacturer.objects.create(name='Seagate', slug='seagate')
        cls.components = [
            add_component(cls.decommission, 'Disk 0', Kind.KIND_DISK, 'SN-DISK-0', 'BOX-1', manufacturer=seagate,
                          part_id='ST4000NM', antistatic_packed=True, storage_location=cls.shelf),
            add_component(cls.decommission, 'Disk 1', Kind.KIND_DISK, 'SN-DISK-1', 'BOX-1', manufacturer=seagate,
                          part_id='ST4000NM', antistatic_packed=True, storage_location=cls.shelf),
            add_component(cls.decommission, 'DIMM A1', Kind.KIND_MEMORY, 'SN-MEM-A1', 'BOX-2',
                          antistatic_packed=True, storage_location=cls.removal_zone),
            add_component(cls.decommission, 'CPU 1', Kind.KIND_CPU, 'SN-CPU-1', antistatic_packed=False,
                          storage_location=cls.shelf),
            add_component(cls.decommission, 'Fan 3', Kind.KIND_FAN, 'SN-FAN-3'),
        ]
        cls.url = record_url(cls.decommission)
        cls.pdfs = {language: render_labels(cls.decommission, cls.url, language) for language in ('ru', 'en')}

    def test_one_label_per_package(self):
        sheet = label_sheet(self.decommission)

        self.assertEqual(sheet.labels[0], sheet.server)
        self.assertEqual([package.label for package in sheet.packages], ['BOX-1', 'BOX-2', 'CPU 1', 'Fan 3'])
        box1, box2, cpu, fan = sheet.packages
        self.assertEqual([c.name for c in box1.components], ['Disk 0', 'Disk 1'])
        self.assertEqual([c.name for c in cpu.components], ['CPU 1'])
        self.assertEqual([box1.antistatic_packed, box2.antistatic_packed, cpu.antistatic_packed], [True, True, False])
        self.assertEqual(box1.storage_locations, [self.shelf])
        self.assertEqual(fan.storage_locations, [])
        self.assertEqual(sheet.server.storage_location, self.removal_zone)

    def test_rows_of_two_cards(self):
        rows = label_sheet(self.decommission).rows

        self.assertEqual([len(row) for row in rows], [2, 2, 2])
        self.assertIsNone(rows[-1][-1], 'an odd label count leaves the last card of the sheet blank')

    def test_packages_in_natural_order_and_partly_antistatic(self):
        add_component(self.decommission, 'Disk 9', Kind.KIND_DISK, 'SN-DISK-9', 'BOX-10', antistatic_packed=True)
        add_component(self.decommission, 'Disk 8', Kind.KIND_DISK, 'SN-DISK-8', 'BOX-10')

        packages = label_sheet(self.decommission).packages

        self.assertEqual([package.label for package in packages], ['BOX-1', 'BOX-2', 'BOX-10', 'CPU 1', 'Fan 3'])
        self.assertIsNone(packages[2].antistatic_packed, 'a package only partly in anti-static packaging')

    def test_pdf_text_in_both_languages(self):
        headings = {
            'ru': ('Сервер на временном хранении — ожидает удаления', 'Место хранения', 'Жёсткий диск'),
            'en': ('Server awaiting removal', 'Storage location', 'Hard disk'),
        }
        for language, pdf in self.pdfs.items():
            with self.subTest(language=language):
                self.assertTrue(pdf.startswith(b'%PDF-'))
                text = pdf_text(pdf)
                expected = [
                    self.decommission.number, 'srv-01', 'SN-srv-01', 'INV-0042', str(self.server.device.pk),
                    self.decommission.device_type_name, 'Removal zone 1', 'Shelf B', 'Site A', ORGANIZATION,
                    'BOX-1', 'BOX-2', 'Seagate', 'ST4000NM', *headings[language],
                    *(component.serial for component in self.components),
                ]
                for fragment in expected:
                    self.assertIn(fragment, text)

    def test_page_language_and_title(self):
        context = {'sheet': label_sheet(self.decommission), 'qr_code': qr_code(self.url), 'record_url': self.url}
        for language in ('ru', 'en'):
            with self.subTest(language=language), translation.override(language):
                html = render_to_string(TEMPLATE, context)
                self.assertIn(f'<html lang="{language}">', html)
                self.assertIn('<title>', html)
                self.assertIn(self.decommission.number, html[html.index('<title>'):html.index('</title>')])

    def test_every_label_has_a_qr_code_to_the_record(self):
        for language, pdf in self.pdfs.items():
            with self.subTest(language=language):
                # The server's label and four packages.
                self.assertEqual(scan_qr_codes(pdf), [self.url] * 5)

    # Deletes the device outside the workflow (the guard would refuse it): the labels outlive it all the same.
    @guard_off()
    def test_labels_after_the_device_is_deleted(self):
        self.server.device.delete()
        decommission = Decommission.objects.get(pk=self.decommission.pk)
        self.assertIsNone(decommission.device)

        pdf = render_labels(decommission, self.url, 'en')

        text = pdf_text(pdf)
        for fragment in (decommission.number, 'srv-01', 'SN-srv-01', 'INV-0042', str(decommission.device_pk),
                         'SN-DISK-0', 'SN-FAN-3'):
            self.assertIn(fragment, text)
        self.assertEqual(scan_qr_codes(pdf), [self.url] * 5)

    def test_a_sheet_over_two_pages(self):
        for i in range(4, 12):
            add_component(self.decommission, f'Fan {i}', Kind.KIND_FAN, f'SN-FAN-{i}')

        pdf = render_labels(self.decommission, self.url, 'en')

        # Eight 95 × 69 mm cards to an A4 page: the server and twelve packages take two, no card cut in half.
        self.assertEqual(len(pypdf.PdfReader(io.BytesIO(pdf)).pages), 2)
        self.assertEqual(scan_qr_codes(pdf), [self.url] * 13)

    def test_unassigned_storage_location(self):
        decommission = create_decommission(create_devices(1, self.server.device.site, prefix='spare')[0])

        text = pdf_text(render_labels(decommission, record_url(decommission), 'en'))

        self.assertIn('not assigned', text)
        self.assertIn('SN-spare-01', text)


class LabelQueryCountTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.devices = create_devices(2, site)
        cls.storage_location = StorageLocation.objects.create(
            name='Removal zone 1', kind=StorageLocationKindChoices.KIND_REMOVAL_ZONE, site=site
        )
        cls.manufacturer = Manufacturer.objects.create(name='Seagate', slug='seagate')

    def decommission_with_components(self, device, count):
        decommission = create_decommission(device, storage_location=self.storage_location)
        for i in range(count):
            add_component(decommission, f'Disk {i}', Kind.KIND_DISK, f'SN-{device.name}-{i}', f'BOX-{i // 2}',
                          manufacturer=self.manufacturer, part_id='ST4000NM', storage_location=self.storage_location)
        # Read afresh, so that nothing is cached on the instance the labels are built from.
        return Decommission.objects.get(pk=decommission.pk)

    def test_queries_do_not_grow_with_components(self):
        # The record's storage location with its site, and the components with theirs and their manufacturers.
        for device, count in zip(self.devices, (2, 10), strict=True):
            decommission = self.decommission_with_components(device, count)
            with self.subTest(components=count), self.assertNumQueries(2):
                sheet = label_sheet(decommission)
                # Everything the template reads from the label data.
                for package in sheet.packages:
                    for component in package.components:
                        self.assertEqual(component.manufacturer.name, 'Seagate')
                        self.assertEqual(component.storage_location.site.name, 'Site A')
                self.assertEqual(sheet.server.storage_location.site.name, 'Site A')
                self.assertEqual(len(sheet.packages), count // 2)

    def test_rendering_adds_no_queries(self):
        for device, count in zip(self.devices, (2, 10), strict=True):
            decommission = self.decommission_with_components(device, count)
            with self.subTest(components=count), self.assertNumQueries(2):
                render_labels(decommission, record_url(decommission), 'en')


class LabelDownloadTestCase(TestCase):
    """GET .../decommissions/{id}/labels.pdf (REST) and the "Labels" buttons of the decommission page."""

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.decommission = create_decommission(create_devices(1, site)[0])
        add_component(cls.decommission, 'Disk 0', Kind.KIND_DISK, 'ZC1A2B3C', package_label='BOX-1')
        cls.user = User.objects.create_user(username='engineer')
        grant([cls.user], ['view'])

    def test_api(self):
        url = reverse('plugins-api:netbox_decommission-api:decommission-labels-pdf',
                      kwargs={'pk': self.decommission.pk})
        response = APIClient().get(f'{url}?lang=en', **token_header(self.user))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response['Content-Type'], 'application/pdf')
        self.assertIn('ZC1A2B3C', pdf_text(response.content))
        record = f'http://testserver{self.decommission.get_absolute_url()}'
        self.assertEqual(scan_qr_codes(response.content), [record, record])
        self.assertEqual(APIClient().get(f'{url}?lang=fr', **token_header(self.user)).status_code, 400)

    def test_ui(self):
        self.client.force_login(self.user)
        url = reverse('plugins:netbox_decommission:decommission_labels', kwargs={'pk': self.decommission.pk})
        response = self.client.get(f'{url}?lang=ru')
        self.assertEqual(response['Content-Type'], 'application/pdf')
        self.assertIn('Упаковка снятых компонентов', pdf_text(response.content))
