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
