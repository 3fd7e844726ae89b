"""
Test case mixins: adapters that let NetBox's own test case classes address the plugin's views, API and
filtersets, and the fixtures (setUpTestData) that several test modules share.
"""
from unittest import mock

from django.urls import reverse

from core.models import ObjectType
from dcim.choices import DeviceStatusChoices
from netbox_decommission import workflow
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import CustodyEvent, Document, RemovedComponent, StorageLocation
from users.models import ObjectPermission

from .utils import (
    add_ready_components,
    advance,
    create_cabled_server,
    create_signers,
    create_sites,
    create_workflow_decommission,
    grant,
)

PLUGIN = 'netbox_decommission'


class PluginUrlMixin:
    """
    Route NetBox's generic view and API test cases to the plugin's URL namespaces.

    NetBox names core views ``<app>:<model>_<action>`` and API views ``<app>-api:<model>-list``; a plugin's
    live under ``plugins:<plugin>:`` and ``plugins-api:<plugin>-api:``.
    """

    def _get_base_url(self):
        return f'plugins:{PLUGIN}:{self.model._meta.model_name}_{{}}'

    def _get_view_namespace(self):
        return f'plugins-api:{PLUGIN}-api'


class PluginFilterSetTestMixin:
    """
    NetBox's test_missing_filters() finds the FilterSet in ``<top-level package of the test module>.filtersets``;
    the plugin's tests live in ``tests``, so present them as the plugin's while that check runs.
    """

    def test_missing_filters(self):
        with mock.patch.object(type(self), '__module__', f'{PLUGIN}.tests'):
            super().test_missing_filters()


class PluginGraphQLMixin:
    """
    The plugin's single-object GraphQL fields are nullable (graphql/schema.py): a record outside the user's
    constraint answers ``{"data": {"<field>": null}}`` without errors, where NetBox's own fields answer
    ``{"data": null, "errors": [...]}``. This replaces NetBox's test_graphql_get_object, which asserts its own.
    """

    def test_graphql_get_object(self):
        url = reverse('graphql')
        field_name = self._get_graphql_base_name()
        object_id = self._get_queryset().first().pk
        query = self._build_query(field_name, id=object_id)

        anonymous = self.client.post(url, data={'query': query}, format='json', HTTP_ACCEPT='application/json')
        self.assertHttpStatus(anonymous, 403)

        permission = ObjectPermission.objects.create(name='Test permission', actions=['view'], constraints={'id': 0})
        permission.users.add(self.user)
        permission.object_types.add(ObjectType.objects.get_for_model(self.model))
        constrained = self.client.post(url, data={'query': query}, format='json', **self.header)
        self.assertHttpStatus(constrained, 200)
        self.assertEqual(constrained.json(), {'data': {field_name: None}})

        permission.constraints = None
        permission.save()
        allowed = self.client.post(url, data={'query': query}, format='json', **self.header)
        self.assertHttpStatus(allowed, 200)
        self.assertNotIn('errors', allowed.json())
        self.assertEqual(allowed.json()['data'][field_name]['id'], str(object_id))


#
# The workflow's fixtures
#

class WorkflowFixtureMixin:
    """A site with a removal zone, a cabled server in a rack and the people its decommission names."""

    @classmethod
    def setUpTestData(cls):
        (cls.site,) = create_sites('Site A')
        cls.rack = cls.site.racks.get()
        cls.server = create_cabled_server(cls.site, rack=cls.rack, position=10,
                                          status=DeviceStatusChoices.STATUS_PLANNED)
        cls.device = cls.server.device
        cls.people = create_signers()
        cls.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=cls.site)

    def actor(self, name):
        return {
            'head': self.people.head, 'responsible': self.people.responsible,
            'executor': self.people.executors[0], 'executor2': self.people.executors[1],
        }[name]

    def decommission_at(self, stage):
        """A decommission of the server, walked through the service to `stage` ("cancelled": straight from draft)."""
        decommission = create_workflow_decommission(self.device, self.people)
        if stage == Status.STATUS_CANCELLED:
            workflow.cancel(decommission, self.people.head, 'The server stays')
            decommission.refresh_from_db()
        else:
            advance(decommission, stage, self.people, self.zone)
        self.assertEqual(decommission.status, stage)
        return decommission

    def prepared(self, refusal):
        decommission = self.decommission_at(refusal.stage)
        if refusal.prepare:
            refusal.prepare(decommission, self)
        decommission.refresh_from_db()
        return decommission


class DocumentFixtureMixin(WorkflowFixtureMixin):
    """The workflow's fixture with what the documents print (full names, an asset tag); everyone may sign."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        people = cls.people
        for user, first, last in ((people.head, 'Ирина', 'Волкова'), (people.responsible, 'Pavel', 'Orlov'),
                                  (people.executors[0], 'Олег', 'Смирнов'), (people.executors[1], 'Anna', 'Lee')):
            user.first_name, user.last_name = first, last
            user.save()
        cls.device.asset_tag = 'INV-000451'
        cls.device.save()
        cls.everyone = [people.head, people.responsible, *people.executors]
        grant(cls.everyone, ['view', 'change', 'sign', 'delete'])

    def retired(self):
        decommission = create_workflow_decommission(self.device, self.people, reason_text='Replaced by srv-02')
        add_ready_components(decommission, self.zone)
        return advance(decommission, Status.STATUS_RETIRED, self.people, self.zone)

    def document(self, decommission, kind):
        return Document.objects.get(decommission=decommission, kind=kind)


class CustodyFixtureMixin(WorkflowFixtureMixin):
    """
    The workflow's fixture with a shelf at the same site and a warehouse at another; each test gets a draft
    decommission with a disk in the removal zone.
    """

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.shelf = StorageLocation.objects.create(name='Shelf S-03', kind='warehouse', site=cls.site, capacity=4)
        (cls.other_site,) = create_sites('Site B')
        cls.remote = StorageLocation.objects.create(name='Central warehouse', kind='warehouse', site=cls.other_site)
        grant([cls.people.head], ['view', 'change', 'add'], model=RemovedComponent)
        grant([cls.people.head], ['view', 'change', 'sign'])
        grant([cls.people.head], ['view'], model=StorageLocation)

    def setUp(self):
        self.decommission = create_workflow_decommission(self.device, self.people)
        self.component = RemovedComponent.objects.create(
            decommission=self.decommission, kind='disk', name='Disk 0', serial='ZC1A2B3C', storage_location=self.zone,
        )

    def events(self, component=None):
        return list(CustodyEvent.objects.filter(component=component or self.component).values_list(
            'from_location__name', 'to_location__name', 'transfer', 'user__username', 'reason'))


#
# Hand-overs to a disposal vendor (docs/handovers.md)
#

class HandoverFixtureMixin:
    """
    Site A with a removal zone and a disposal vendor's location, site B with a shelf; a decommission at site A with
    three disks in the removal zone (weights 0.650 kg each, the last one its module type's), another decommission's
    server stored in the zone (weighing 18.500 kg); a user who may do everything with hand-overs ("clerk").
    """

    @classmethod
    def setUpTestData(cls):
        from decimal import Decimal

        from django.contrib.auth import get_user_model

        from netbox_decommission.models import Decommission, Handover
        from utilities.testing import create_test_device

        from .utils import create_decommission

        cls.site, cls.other_site = create_sites('Site A', 'Site B')
        cls.zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=cls.site)
        cls.vendor = StorageLocation.objects.create(name='EcoRecycle LLC', kind='vendor', site=cls.site,
                                                    description='Licensed e-waste recycler')
        cls.shelf = StorageLocation.objects.create(name='Shelf B-1', kind='warehouse', site=cls.other_site)
        cls.decommission = create_decommission(create_test_device('srv-parts', site=cls.site, serial='SN-PARTS'))
        cls.disks = [
            RemovedComponent.objects.create(
                decommission=cls.decommission, kind='disk', name=f'Disk {i}', serial=f'HDD-{i:03d}',
                weight=Decimal('0.650') if i < 2 else None, package_label=f'BOX-{i}', seal_number=f'SEAL-{i}',
                storage_location=cls.zone,
            )
            for i in range(3)
        ]
        RemovedComponent.objects.filter(pk=cls.disks[2].pk).update(type_weight=Decimal('0.700'))
        cls.server = create_decommission(create_test_device('srv-whole', site=cls.site, serial='SN-WHOLE'),
                                         status='in_storage', storage_location=cls.zone)
        Decommission.objects.filter(pk=cls.server.pk).update(type_weight=Decimal('18.500'))
        cls.clerk = get_user_model().objects.create_user(username='clerk')
        grant([cls.clerk], ['view', 'add', 'change', 'delete'], model=Handover)
        grant([cls.clerk], ['view'], model=StorageLocation)
        grant([cls.clerk], ['view'], model=RemovedComponent)
        grant([cls.clerk], ['view'], model=Decommission)

    def new_handover(self, **attrs):
        import datetime

        from netbox_decommission.models import Handover

        attrs = {'site': self.site, 'vendor': self.vendor, 'pickup_date': datetime.date(2026, 12, 10), **attrs}
        handover = Handover(**attrs)
        handover.full_clean()
        handover.save()
        return handover

    def handed_over(self):
        """A hand-over of the three disks and the server, handed over by the clerk."""
        from netbox_decommission.handovers import services

        handover = self.new_handover(received_by='Ivan Petrov, driver')
        services.add_items(handover, self.clerk, components=self.disks, decommissions=[self.server])
        return services.hand_over(handover, self.clerk)
