from pathlib import Path

import pytest

QUERY_COUNTS = Path(__file__).resolve().parent / 'query_counts.json'


@pytest.fixture(autouse=True, scope='session')
def plugin_query_count_baselines():
    """
    NetBox's list tests compare query counts with ``<app>/tests/query_counts.json``; keep the plugin's
    baselines with its tests (record them with UPDATE_QUERY_COUNTS=1).
    """
    from utilities.testing import query_counts

    original = query_counts._baseline_path

    def baseline_path(app_label):
        return QUERY_COUNTS if app_label == 'netbox_decommission' else original(app_label)

    query_counts._baseline_path = baseline_path
    yield
    query_counts._baseline_path = original


@pytest.fixture(autouse=True, scope='session')
def media_root(tmp_path_factory):
    """Frozen documents are stored in NetBox's media storage: a directory of its own per test run."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp('media'))):
        yield


def pytest_runtest_setup(item):
    """
    Tests marked fast_paths assert what only the plugin's fast paths do (those the marker names, say
    fast_paths('cable_deletion'), or any); where it takes NetBox's public paths (the setting netbox_fast_paths off, as
    in the release matrix's second run, or a release they are not verified on), they are skipped.
    """
    marker = item.get_closest_marker('fast_paths')
    if marker is None:
        return
    from django.conf import settings

    from netbox_decommission import compat

    if not settings.PLUGINS_CONFIG['netbox_decommission']['netbox_fast_paths']:
        pytest.skip('the fast paths are turned off (netbox_fast_paths)')
    if not compat.fast_paths(*marker.args):
        named = f' ({", ".join(marker.args)})' if marker.args else ''
        pytest.skip(f'the fast paths{named} are not verified on NetBox {compat.netbox_release()}')
