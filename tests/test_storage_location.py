import yaml
from django.test import TestCase, override_settings

from dcim.models import Location, Rack
from extras.models import Tag
from netbox.choices import ImportFormatChoices
from netbox_decommission.choices import StorageLocationKindChoices
from netbox_decommission.filtersets import StorageLocationFilterSet
from netbox_decommission.models import RemovedComponent, StorageLocation
from utilities.testing import APIViewTestCases, ChangeLoggedFilterSetTestMixin, ViewTestCases, create_tags

from .mixins import PluginFilterSetTestMixin, PluginGraphQLMixin, PluginUrlMixin
from .utils import create_decommission, create_devices, create_sites


class StorageLocationViewTestCase(PluginUrlMixin, ViewTestCases.PrimaryObjectViewTestCase):
    model = StorageLocation

    @classmethod
    def setUpTestData(cls):
        site_a, site_b = create_sites('Site A', 'Site B')
        location_a = Location.objects.get(site=site_a)
        rack_a = Rack.objects.get(site=site_a)

        storage_locations = (
            StorageLocation(name='Removal zone 1', kind=StorageLocationKindChoices.KIND_REMOVAL_ZONE, site=site_a),
            StorageLocation(
                name='Shelf 1', kind=StorageLocationKindChoices.KIND_REMOVAL_ZONE, site=site_a, location=location_a,
            ),
            StorageLocation(name='Vendor 1', kind=StorageLocationKindChoices.KIND_REMOVAL_ZONE, site=site_b),
        )
        StorageLocation.objects.bulk_create(storage_locations)
        tags = create_tags('Alpha', 'Bravo', 'Charlie')

        cls.form_data = {
            'name': 'Cage 7',
            'kind': StorageLocationKindChoices.KIND_WAREHOUSE,
            'site': site_a.pk,
            'location': location_a.pk,
            'rack': rack_a.pk,
            'capacity': 12,
            'description': 'Locked cage',
            'comments': 'Key at the security desk',
            'tags': [t.pk for t in tags],
        }
        cls.csv_data = (
            'name,kind,site,location,rack,capacity,description',
            'Import 1,removal_zone,Site A,Site A Hall,Site A Rack,4,First',
            'Import 2,temporary_storage,Site A,,,,Second',
            'Import 3,vendor,Site B,Site B Hall,,,Third',
        )
        cls.csv_update_data = (
            'id,name,capacity,description',
            f'{storage_locations[0].pk},Renamed 1,10,New description 1',
            f'{storage_locations[1].pk},Renamed 2,20,New description 2',
            f'{storage_locations[2].pk},Renamed 3,30,New description 3',
        )
        cls.bulk_edit_data = {
            'kind': StorageLocationKindChoices.KIND_TEMPORARY_STORAGE,
            'capacity': 50,
            'description': 'Bulk edited',
        }

    @override_settings(EXEMPT_VIEW_PERMISSIONS=['*'])
    def test_bulk_import_yaml(self):
        self.add_permissions('netbox_decommission.add_storagelocation')
        data = yaml.safe_dump([
            {'name': 'YAML zone', 'kind': 'removal_zone', 'site': 'Site B', 'location': 'Site B Hall', 'capacity': 3},
            {'name': 'YAML vendor', 'kind': 'vendor', 'site': 'Site A', 'description': 'Recycler'},
        ])
        response = self.client.post(self._get_url('bulk_import'), {'data': data, 'format': ImportFormatChoices.YAML})
        self.assertHttpStatus(response, 302)
        zone = StorageLocation.objects.get(name='YAML zone')
        self.assertEqual(zone.site.name, 'Site B')
        self.assertEqual(zone.location.name, 'Site B Hall')
        self.assertEqual(zone.capacity, 3)
        self.assertEqual(StorageLocation.objects.get(name='YAML vendor').kind, StorageLocationKindChoices.KIND_VENDOR)

    def test_detail_shows_what_the_location_holds(self):
        self.add_permissions(
            'netbox_decommission.view_storagelocation', 'netbox_decommission.view_decommission',
            'netbox_decommission.view_removedcomponent',
        )
        storage_location = StorageLocation.objects.get(name='Removal zone 1')
        device = create_devices(1, storage_location.site, prefix='held')[0]
        decommission = create_decommission(device, storage_location=storage_location)
        RemovedComponent.objects.create(
            decommission=decommission, kind='disk', name='Disk 0', serial='DISK-HELD-0',
            storage_location=storage_location,
        )
        response = self.client.get(storage_location.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'Servers held here')
        self.assertContains(response, 'Components held here')

        # The list view counts what each location holds.
        response = self.client.get(f'{self._get_url("list")}?id={storage_location.pk}&export=table')
        self.assertHttpStatus(response, 200)
        header, row = response.content.decode().strip().splitlines()[:2]
        columns = dict(zip(header.split(','), row.split(','), strict=True))
        self.assertEqual(columns['Servers'], '1')
        self.assertEqual(columns['Components'], '1')


class StorageLocationAPITestCase(PluginUrlMixin, PluginGraphQLMixin, APIViewTestCases.APIViewTestCase):
    model = StorageLocation
    # GraphQL resolves the non-null relation only for a user who may view it.
    user_permissions = ('dcim.view_site',)
    graphql_base_name = 'storage_location'
    brief_fields = ['description', 'display', 'id', 'kind', 'name', 'url']
    bulk_update_data = {'description': 'New description', 'capacity': 99}
    bulk_update_invalid_data = {'kind': 'banana'}

    @classmethod
    def setUpTestData(cls):
        site_a, site_b = create_sites('Site A', 'Site B')
        location_a = Location.objects.get(site=site_a)
        rack_a = Rack.objects.get(site=site_a)
        StorageLocation.objects.bulk_create((
            StorageLocation(name='Zone 1', kind='removal_zone', site=site_a, location=location_a, capacity=5),
            StorageLocation(name='Zone 2', kind='warehouse', site=site_a, rack=rack_a, capacity=10),
            StorageLocation(name='Zone 3', kind='vendor', site=site_b, description='Recycler'),
        ))
        cls.create_data = [
            {'name': 'Zone 4', 'kind': 'removal_zone', 'site': site_a.pk, 'location': location_a.pk, 'capacity': 2},
            {'name': 'Zone 5', 'kind': 'temporary_storage', 'site': site_a.pk, 'rack': rack_a.pk},
            {'name': 'Zone 6', 'kind': 'warehouse', 'site': site_b.pk, 'description': 'Main warehouse'},
        ]

    def test_counts_of_what_is_held(self):
        self.add_permissions('netbox_decommission.view_storagelocation')
        storage_location = StorageLocation.objects.get(name='Zone 1')
        device = create_devices(1, storage_location.site, prefix='api-held')[0]
        decommission = create_decommission(device, storage_location=storage_location)
        RemovedComponent.objects.create(decommission=decommission, kind='cpu', name='CPU 0', storage_location=None)
        RemovedComponent.objects.create(
            decommission=decommission, kind='memory', name='DIMM 0', storage_location=storage_location,
        )
        response = self.client.get(self._get_detail_url(storage_location), **self.header)
        self.assertHttpStatus(response, 200)
        self.assertEqual(response.data['decommission_count'], 1)
        self.assertEqual(response.data['component_count'], 1)
        self.assertEqual(response.data['site']['id'], storage_location.site_id)


class StorageLocationFilterSetTestCase(PluginFilterSetTestMixin, TestCase, ChangeLoggedFilterSetTestMixin):
    queryset = StorageLocation.objects.all()
    filterset = StorageLocationFilterSet

    @classmethod
    def setUpTestData(cls):
        cls.sites = create_sites('Site A', 'Site B', 'Site C')
        cls.locations = [Location.objects.get(site=site) for site in cls.sites]
        cls.racks = [Rack.objects.get(site=site) for site in cls.sites]
        # A child location, to check that filtering by a location includes its descendants.
        cls.child_location = Location.objects.create(
            name='Site A Cage', slug='site-a-cage', site=cls.sites[0], parent=cls.locations[0],
        )
        storage_locations = (
            StorageLocation(
                name='Zone Alpha', kind='removal_zone', site=cls.sites[0], location=cls.locations[0],
                rack=cls.racks[0], capacity=1, description='first',
            ),
            StorageLocation(
                name='Zone Bravo', kind='temporary_storage', site=cls.sites[0], location=cls.child_location,
                capacity=2, description='second',
            ),
            StorageLocation(
                name='Zone Charlie', kind='warehouse', site=cls.sites[1], location=cls.locations[1],
                rack=cls.racks[1], capacity=3, description='third',
            ),
            StorageLocation(name='Zone Delta', kind='vendor', site=cls.sites[2], comments='Recycler with a contract'),
        )
        StorageLocation.objects.bulk_create(storage_locations)
        tag = Tag.objects.create(name='Quarantine', slug='quarantine')
        storage_locations[0].tags.add(tag)
        storage_locations[2].tags.add(tag)

    def test_q(self):
        self.assertEqual(self.filterset({'q': 'bravo'}, self.queryset).qs.get().name, 'Zone Bravo')
        # Comments are searched as well.
        self.assertEqual(self.filterset({'q': 'contract'}, self.queryset).qs.get().name, 'Zone Delta')

    def test_name(self):
        params = {'name': ['Zone Alpha', 'Zone Bravo']}
        self.assertEqual(self.filterset(params, self.queryset).qs.count(), 2)

    def test_kind(self):
        params = {'kind': ['removal_zone', 'vendor']}
        names = set(self.filterset(params, self.queryset).qs.values_list('name', flat=True))
        self.assertEqual(names, {'Zone Alpha', 'Zone Delta'})

    def test_kind_rejects_unknown_choice(self):
        self.assertFalse(self.filterset({'kind': ['banana']}, self.queryset).is_valid())

    def test_site(self):
        params = {'site_id': [self.sites[0].pk, self.sites[1].pk]}
        self.assertEqual(self.filterset(params, self.queryset).qs.count(), 3)
        params = {'site': [self.sites[2].slug]}
        self.assertEqual(self.filterset(params, self.queryset).qs.get().name, 'Zone Delta')

    def test_location_includes_child_locations(self):
        params = {'location_id': [self.locations[0].pk]}
        names = set(self.filterset(params, self.queryset).qs.values_list('name', flat=True))
        self.assertEqual(names, {'Zone Alpha', 'Zone Bravo'})

    def test_rack(self):
        params = {'rack_id': [self.racks[1].pk]}
        self.assertEqual(self.filterset(params, self.queryset).qs.get().name, 'Zone Charlie')

    def test_capacity(self):
        params = {'capacity': [1, 3]}
        self.assertEqual(self.filterset(params, self.queryset).qs.count(), 2)

    def test_description(self):
        params = {'description': ['first', 'third']}
        self.assertEqual(self.filterset(params, self.queryset).qs.count(), 2)

    def test_tag(self):
        params = {'tag': ['quarantine']}
        self.assertEqual(self.filterset(params, self.queryset).qs.count(), 2)

