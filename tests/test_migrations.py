"""
The plugin's migrations install on every NetBox release it declares: they depend only on migrations the oldest
supported release (PluginConfig.min_version) has. A dependency on a newer one stops `netbox migrate` there with
NodeNotFoundError. The last migration of each NetBox app per release is pinned in
netbox_decommission/compat/netbox_releases.json, which is checked here against the migration files of the installed
release.
"""
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db.migrations.loader import MigrationLoader
from django.test import SimpleTestCase
from packaging.version import Version

from netbox_decommission import DecommissionConfig

pytestmark = pytest.mark.compat

RELEASES_FILE = Path(__file__).resolve().parent.parent / 'netbox_decommission' / 'compat' / 'netbox_releases.json'
PLUGIN = 'netbox_decommission'


def releases():
    return json.loads(RELEASES_FILE.read_text(encoding='utf-8'))['releases']


def number(migration_name):
    return int(migration_name.split('_', 1)[0])


class MigrationDependencyTestCase(SimpleTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.graph = MigrationLoader(None, ignore_no_migrations=True).graph

    def plugin_migrations(self):
        return sorted(key for key in self.graph.nodes if key[0] == PLUGIN)

    def test_the_releases_file_covers_the_declared_range(self):
        oldest, newest = Version(DecommissionConfig.min_version), Version(DecommissionConfig.max_version)
        listed = [Version(release) for release in releases()]
        self.assertIn(oldest, listed, f'{RELEASES_FILE.name} must list the oldest supported release, {oldest}')
        for release in listed:
            self.assertTrue(oldest <= release <= newest, f'{release} is outside the PluginConfig\'s {oldest}..{newest}')

    def test_dependencies_exist_in_the_oldest_supported_release(self):
        oldest = releases()[DecommissionConfig.min_version]['last_migrations']
        checked = 0
        for app, name in self.plugin_migrations():
            for dep_app, dep_name in self.graph.nodes[(app, name)].dependencies:
                if dep_app == PLUGIN:
                    continue
                where = f'{name} depends on ({dep_app!r}, {dep_name!r})'
                self.assertIn(dep_app, oldest, f'{where}, an app {RELEASES_FILE.name} does not pin')
                checked += 1
                if dep_name == '__first__':
                    continue
                last = oldest[dep_app]
                self.assertTrue(
                    dep_name == last or number(dep_name) < number(last),
                    f'{where}, which NetBox {DecommissionConfig.min_version} does not have (its last {dep_app} '
                    f'migration is {last}). Depend on {last} or an earlier one.',
                )
        # The initial migration depends on NetBox's apps: a check that found nothing to check is broken.
        self.assertGreater(checked, 0)

    def test_the_installed_release_matches_its_entry(self):
        installed = settings.RELEASE.version
        self.assertIn(installed, releases(), f'NetBox {installed} is installed: add it to {RELEASES_FILE.name}')
        pinned = releases()[installed]['last_migrations']
        actual = {}
        for app in pinned:
            leaves = [name for _app, name in self.graph.leaf_nodes(app)]
            self.assertEqual(len(leaves), 1, f'{app} has several last migrations: {leaves}')
            actual[app] = leaves[0]
        self.assertEqual(actual, pinned, f'{RELEASES_FILE.name} is wrong for NetBox {installed}')
