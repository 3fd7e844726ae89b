"""Adapters that let NetBox's own test case classes address the plugin's views, API and filtersets."""
from unittest import mock

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
