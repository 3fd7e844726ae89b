"""NetBox's OpenAPI schema (/api/schema/) documents every endpoint of the plugin, the workflow's included."""
from django.test import TestCase
from django.urls import reverse

from users.models import User


class APISchemaTestCase(TestCase):

    def test_the_schema_describes_the_plugin(self):
        self.client.force_login(User.objects.create_user(username='reader'))
        response = self.client.get(reverse('schema'), {'format': 'json'})
        self.assertEqual(response.status_code, 200)
        paths = response.json()['paths']
        prefix = '/api/plugins/decommission/decommissions/'
        for path in (
            '{id}/sign/', '{id}/schedule/', '{id}/backup/', '{id}/shutdown/', '{id}/disassemble/', '{id}/store/',
            '{id}/close/', '{id}/cancel/', '{id}/impact/', '{id}/documents/', '{id}/stage-log/',
            '{id}/documents/{kind}.pdf', '{id}/labels.pdf', 'documents/verify/',
        ):
            self.assertIn(prefix + path, paths)
        pdf = paths[prefix + '{id}/documents/{kind}.pdf']['get']
        self.assertIn('application/pdf', pdf['responses']['200']['content'])
        self.assertIn('lang', [p['name'] for p in pdf['parameters']])
        verify = paths[prefix + 'documents/verify/']['post']
        self.assertIn('multipart/form-data', verify['requestBody']['content'])
