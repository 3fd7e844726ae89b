"""Decommission numbers: sequential per year, unique, and gap-free even when allocated concurrently."""
import datetime
from functools import partial
from unittest import mock

from django.db import IntegrityError, transaction
from django.test import TestCase, TransactionTestCase
from django.utils import timezone

from netbox_decommission.models import Decommission, Document, NumberSequence
from netbox_decommission.models.decommission import NUMBER_SCOPE
from netbox_decommission.models.document import number_scope
from netbox_decommission.numbering import SEQUENCE_TABLE

from .utils import at_once, create_decommission, create_devices, create_sites


def at(year):
    """Pretend the current time is in `year`."""
    return mock.patch('django.utils.timezone.now', return_value=datetime.datetime(year, 6, 1, tzinfo=datetime.UTC))


class NumberingTestCase(TestCase):

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.devices = create_devices(6, site)

    def test_the_counter_is_the_number_sequence_table(self):
        self.assertEqual(SEQUENCE_TABLE, NumberSequence._meta.db_table)

    def test_numbers_are_sequential_within_the_year(self):
        year = timezone.now().year
        numbers = [create_decommission(device).number for device in self.devices[:3]]
        self.assertEqual(numbers, [f'DC-{year}-00001', f'DC-{year}-00002', f'DC-{year}-00003'])

    def test_each_year_starts_from_one(self):
        with at(2030):
            first, second = create_decommission(self.devices[0]), create_decommission(self.devices[1])
        with at(2031):
            third = create_decommission(self.devices[2])
        with at(2030):
            fourth = create_decommission(self.devices[3])
        self.assertEqual(
            [first.number, second.number, third.number, fourth.number],
            ['DC-2030-00001', 'DC-2030-00002', 'DC-2031-00001', 'DC-2030-00003'],
        )
        self.assertEqual(
            dict(NumberSequence.objects.filter(scope=NUMBER_SCOPE).values_list('year', 'last_value')),
            {2030: 3, 2031: 1},
        )

    def test_the_number_is_kept_when_the_record_is_edited(self):
        decommission = create_decommission(self.devices[0])
        number = decommission.number
        decommission.description = 'edited'
        decommission.save()
        decommission.refresh_from_db()
        self.assertEqual(decommission.number, number)
        self.assertEqual(NumberSequence.objects.get(scope=NUMBER_SCOPE).last_value, 1)

    def test_a_rolled_back_creation_gives_its_number_back(self):
        year = timezone.now().year
        create_decommission(self.devices[0])
        with self.assertRaises(RuntimeError), transaction.atomic():
            self.assertEqual(create_decommission(self.devices[1]).number, f'DC-{year}-00002')
            raise RuntimeError('the rest of the request failed')
        self.assertFalse(Decommission.objects.filter(device=self.devices[1]).exists())
        self.assertEqual(create_decommission(self.devices[2]).number, f'DC-{year}-00002')

    def test_document_numbers_are_counted_per_kind_and_year(self):
        with at(2030):
            first, second = create_decommission(self.devices[0]), create_decommission(self.devices[1])
        with at(2031):
            third = create_decommission(self.devices[2])
        self.assertEqual(
            [Document.objects.get(decommission=d, kind='order').number for d in (first, second, third)],
            ['ORD-2030-00001', 'ORD-2030-00002', 'ORD-2031-00001'],
        )
        with at(2030):
            application = Document.objects.create(decommission=first, kind='application')
        self.assertEqual(application.number, 'APP-2030-00001')

    def test_numbers_are_unique_in_the_database(self):
        first = create_decommission(self.devices[0])
        with self.assertRaises(IntegrityError), transaction.atomic():
            create_decommission(self.devices[1], number=first.number)


class ConcurrentNumberingTestCase(TransactionTestCase):
    """
    Requests creating decommissions at the same time each get their own number: none is handed out twice and
    none is skipped. (Runs against real transactions; TransactionTestCase empties the tables afterwards.)
    """
    THREADS = 8
    PER_THREAD = 5

    def setUp(self):
        (site,) = create_sites('Site A')
        self.devices = create_devices(self.THREADS * self.PER_THREAD, site)

    def test_concurrent_allocation(self):
        numbers = []  # list.append is atomic: the threads need no lock of their own

        def worker(devices):
            for device in devices:
                numbers.append(create_decommission(device).number)

        chunks = [self.devices[i::self.THREADS] for i in range(self.THREADS)]
        self.assertEqual(at_once(*(partial(worker, chunk) for chunk in chunks)), [])
        total = self.THREADS * self.PER_THREAD
        year = timezone.now().year
        self.assertEqual(len(numbers), total)
        self.assertEqual(sorted(numbers), [f'DC-{year}-{seq:05d}' for seq in range(1, total + 1)])
        self.assertEqual(Decommission.objects.count(), total)
        self.assertEqual(NumberSequence.objects.get(scope=NUMBER_SCOPE, year=year).last_value, total)
        # Each record drafted its order in the same transaction: the orders are numbered without gaps or
        # duplicates too, in their own sequence.
        orders = sorted(Document.objects.filter(kind='order').values_list('number', flat=True))
        self.assertEqual(orders, [f'ORD-{year}-{seq:05d}' for seq in range(1, total + 1)])
        self.assertEqual(NumberSequence.objects.get(scope=number_scope('order'), year=year).last_value, total)
