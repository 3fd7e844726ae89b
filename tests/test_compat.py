"""
The fence around NetBox's internals (netbox_decommission/compat/): the fast paths run only on the NetBox releases
they are verified on, the public paths give the same results, and nothing outside the fence touches NetBox's
private names.
"""
import json
import logging
import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import TestCase, override_settings

from netbox_decommission import compat, device_facts
from netbox_decommission.compat.cables import device_cable_ids

from .utils import UNVERIFIED_RELEASE, create_cabled_server, create_sites, on_an_unverified_release

pytestmark = pytest.mark.compat

PACKAGE = Path(compat.__file__).resolve().parent.parent
FENCE = PACKAGE / 'compat'

# NetBox's private names the plugin has used, and any import of an underscored name from NetBox's packages.
NETBOX_PRIVATE = re.compile(
    r'_signals_received|_serialization_source|_prechange_snapshot|_netbox_private|_changelog_message'
    r'|\._device\b|\b_device(_id)?\s*=|\b_device__'
    r'|from (core|dcim|extras|ipam|netbox|tenancy|users|utilities|virtualization|circuits)\S* import .*\b_[a-z]'
)

RELEASES = json.loads(compat.RELEASES_FILE.read_text())['releases']
# The fast paths the fence's modules ask for by name (compat.fast_paths('deletion'), ...).
FAST_PATH_NAMES = {
    name for path in FENCE.glob('*.py') for name in re.findall(r"fast_paths\(([^)]*)\)", path.read_text())
    for name in re.findall(r"'(\w+)'", name)
}

FAST_PATHS_OFF = {
    **settings.PLUGINS_CONFIG,
    'netbox_decommission': {**settings.PLUGINS_CONFIG['netbox_decommission'], 'netbox_fast_paths': False},
}
# The setting on, as the release matrix's public-path run turns it off.
FAST_PATHS_ON = {
    **settings.PLUGINS_CONFIG,
    'netbox_decommission': {**settings.PLUGINS_CONFIG['netbox_decommission'], 'netbox_fast_paths': True},
}


class ReleasesTestCase(TestCase):

    @pytest.mark.fast_paths
    def test_the_installed_release_is_verified_and_the_fast_paths_are_taken(self):
        self.assertIn(settings.RELEASE.version, compat.verified_releases())
        self.assertTrue(compat.fast_paths())

    def test_the_setting_turns_the_fast_paths_off(self):
        with override_settings(PLUGINS_CONFIG=FAST_PATHS_OFF):
            self.assertFalse(compat.fast_paths())

    def test_on_an_unverified_release_the_public_paths_are_taken_with_one_warning(self):
        with on_an_unverified_release(), self.assertLogs('netbox_decommission.compat', logging.WARNING) as logs:
            self.assertFalse(compat.fast_paths())
            compat.warn_if_unverified()
        self.assertEqual(len(logs.output), 1)
        self.assertIn(f'NetBox {UNVERIFIED_RELEASE} is not among the releases', logs.output[0])

    def test_no_warning_on_a_verified_release(self):
        with self.assertNoLogs('netbox_decommission.compat', logging.WARNING):
            compat.warn_if_unverified()

    @override_settings(PLUGINS_CONFIG=FAST_PATHS_ON)
    def test_each_fast_path_only_on_the_releases_that_list_it(self):
        for release in compat.verified_releases():
            listed = set(RELEASES[release]['fast_paths'])
            with self.subTest(release), mock.patch('netbox_decommission.compat.netbox_release', return_value=release):
                for name in FAST_PATH_NAMES:
                    self.assertEqual(compat.fast_paths(name), name in listed, name)
                self.assertTrue(compat.fast_paths())
        with on_an_unverified_release():
            self.assertFalse(any(compat.fast_paths(name) for name in FAST_PATH_NAMES))

    def test_the_releases_list_only_fast_paths_the_fence_takes(self):
        named = {name for release in compat.verified_releases() for name in RELEASES[release]['fast_paths']}
        self.assertEqual(named, FAST_PATH_NAMES)
        # The newest release the fence is verified on takes every fast path; older ones may take fewer.
        self.assertEqual(set(RELEASES[compat.verified_releases()[-1]]['fast_paths']), FAST_PATH_NAMES)

    def test_the_releases_are_the_4_7_line_oldest_first(self):
        releases = compat.verified_releases()
        self.assertEqual(releases[0], '4.7.0')
        self.assertTrue(all(release.startswith('4.7.') for release in releases))


class PublicPathsTestCase(TestCase):
    """What the fast paths read from NetBox's internals, the public paths find the same."""

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site A')
        cls.server = create_cabled_server(site)

    def test_the_cables_and_the_snapshot_are_the_same_both_ways(self):
        device = self.server.device
        fast = (sorted(device_cable_ids(device)), device_facts.snapshot(device))
        with on_an_unverified_release():
            public = (sorted(device_cable_ids(device)), device_facts.snapshot(device))
        self.assertTrue(fast[0])
        self.assertTrue(fast[1]['cables'])
        self.assertEqual(public, fast)


def test_nothing_outside_the_fence_uses_netboxs_private_names():
    uses = [
        f'{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}'
        for path in sorted(PACKAGE.rglob('*.py'))
        if FENCE not in path.parents and 'migrations' not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if NETBOX_PRIVATE.search(line)
    ]
    assert not uses, 'NetBox internals used outside netbox_decommission/compat/:\n  ' + '\n  '.join(uses)


def test_the_fence_names_the_netbox_source_it_mirrors():
    for path in sorted(FENCE.glob('*.py')):
        if path.name == '__init__.py':
            continue
        docstring = path.read_text().split('"""')[1]
        assert 'NetBox 4.7' in docstring and re.search(r'``[\w./]+``', docstring), (
            f'{path.name}: its docstring must name the NetBox source (module, function) it mirrors')
