"""NetBox's OpenAPI schema documents every endpoint of the plugin, the workflow's and the components' included."""
from django.test import TestCase
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

PREFIX = '/api/plugins/decommission/'


class APISchemaTestCase(TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Generated here: NetBox's /api/schema/ view answers from a cache that outlives test databases.
        cls.schema = SchemaGenerator().get_schema(request=None, public=True)

    def test_the_schema_is_valid_and_describes_the_plugin(self):
        validate_schema(self.schema)
        paths = self.schema['paths']
        for path in (
            'decommissions/{id}/sign/', 'decommissions/{id}/schedule/', 'decommissions/{id}/backup/',
            'decommissions/{id}/shutdown/', 'decommissions/{id}/disassemble/', 'decommissions/{id}/store/',
            'decommissions/{id}/close/', 'decommissions/{id}/cancel/', 'decommissions/{id}/impact/',
            'decommissions/{id}/documents/', 'decommissions/{id}/stage-log/', 'decommissions/{id}/documents/{kind}.pdf',
            'decommissions/{id}/labels.pdf', 'decommissions/documents/verify/', 'decommissions/{id}/harvest/',
            'decommissions/{id}/custody/', 'decommissions/{id}/sanitization-certificate.pdf',
            'removed-components/{id}/dispose/', 'removed-components/{id}/custody/',
            'removed-components/{id}/sanitization-certificate.pdf', 'storage-locations/{id}/custody/',
            'decommissions/bulk-start/', 'decommissions/bulk-move/', 'decommissions/bulk-documents/',
        ):
            self.assertIn(PREFIX + path, paths)

    def test_pdf_endpoints(self):
        for path in ('decommissions/{id}/documents/{kind}.pdf', 'decommissions/{id}/labels.pdf',
                     'decommissions/{id}/sanitization-certificate.pdf',
                     'removed-components/{id}/sanitization-certificate.pdf'):
            operation = self.schema['paths'][PREFIX + path]['get']
            self.assertIn('application/pdf', operation['responses']['200']['content'], path)
            self.assertIn('lang', [p['name'] for p in operation['parameters']], path)

    def test_request_bodies(self):
        paths = self.schema['paths']
        self.assertIn('multipart/form-data', paths[PREFIX + 'decommissions/documents/verify/']['post']['requestBody'][
            'content'])
        harvest = paths[PREFIX + 'decommissions/{id}/harvest/']
        self.assertIn('201', harvest['post']['responses'])
        self.assertIn('application/json', paths[PREFIX + 'removed-components/{id}/dispose/']['post']['requestBody'][
            'content'])
