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
