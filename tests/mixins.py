"""Adapters that let NetBox's own test case classes address the plugin's views, API and filtersets."""
from unittest import mock

from django.urls import reverse

from core.models import ObjectType
from users.models import ObjectPermission

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
