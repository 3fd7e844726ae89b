"""
What the document renderer may fetch: the configured logo and data: URLs, nothing else. A URL to a local file or to
the network, in a template or in any value a document prints, is refused before it is opened (and named in a
warning); so is the logo setting given a URL instead of a path. Every renderer of the package goes through
render_pdf, the one place WeasyPrint is called.
"""
import base64
import io
import socket
import tempfile
import urllib.request
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase, TestCase

from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.documents import issuing, labels, rendering, sanitization

from .mixins import DocumentFixtureMixin
from .utils import add_ready_components, advance, create_workflow_decommission, pdf_text, plugin_settings

PACKAGE = Path(rendering.__file__).resolve().parents[1]

FILE_URL = 'file:///etc/passwd'
NETWORK_URL = 'http://127.0.0.1:1/'
# What /etc/passwd starts with on every Linux; never in a document.
PASSWD_CONTENT = 'root:x:0:0'

# HTML and CSS that would make WeasyPrint read a local file or call the network, were it printed unescaped.
HOSTILE = (
    f'<img src="{FILE_URL}"><img src="{NETWORK_URL}logo.png"><link rel="stylesheet" href="{NETWORK_URL}x.css">'
    f'<style>@import url("{NETWORK_URL}a.css"); body {{ background: url({FILE_URL}) }}</style>'
    f'<object data="{FILE_URL}"></object>'
)


def png():
    from PIL import Image

    out = io.BytesIO()
    Image.new('RGB', (8, 8), 'navy').save(out, 'PNG')
    return out.getvalue()


def image_count(data):
    from pypdf import PdfReader

    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


class Watched:
    """Records every URL the renderer's fetcher opened and every connection attempted; refuses the connections."""

    def __init__(self, test):
        self.opened, self.connections = [], []
        original = urllib.request.OpenerDirector.open

        def opened(director, request, *args, **kwargs):
            self.opened.append(getattr(request, 'full_url', request))
            return original(director, request, *args, **kwargs)

        def connect(sock, address):
            self.connections.append(address)
            raise ConnectionRefusedError(f'no network in this test: {address}')

        for patcher in (mock.patch.object(urllib.request.OpenerDirector, 'open', opened),
                        mock.patch.object(socket.socket, 'connect', connect)):
            patcher.start()
            test.addCleanup(patcher.stop)

    def assert_nothing_but(self, test, *allowed):
        test.assertEqual(self.connections, [])
        test.assertEqual([url for url in self.opened if url not in allowed and not url.startswith('data:')], [])


class AllowedURLTestCase(SimpleTestCase):

    def setUp(self):
        folder = Path(tempfile.mkdtemp())
        self.logo = folder / 'logo.png'
        self.logo.write_bytes(png())
        (folder / 'other.png').write_bytes(png())
        self.other = folder / 'other.png'

    def test_refused(self):
        with plugin_settings(document_logo=str(self.logo)):
            for url in (FILE_URL, NETWORK_URL, 'https://example.com/logo.png', 'ftp://example.com/logo.png',
                        self.other.as_uri(), f'file://{self.logo.parent}/../{self.logo.parent.name}/other.png',
                        f'file://example.com{self.logo}', 'gopher://127.0.0.1:1/', 'logo.png', '/etc/passwd',
                        f'{self.logo}'):
                with self.subTest(url=url):
                    self.assertIsNone(rendering.allowed_url(url))

    def test_allowed(self):
        with plugin_settings(document_logo=str(self.logo)):
            self.assertEqual(rendering.allowed_url(self.logo.as_uri()), self.logo.as_uri())
            # The same file however the URL spells it: what is opened is the logo's own path.
            dotted = f'file://{self.logo.parent}/../{self.logo.parent.name}/logo.png?x=1#y'
            self.assertEqual(rendering.allowed_url(dotted), self.logo.as_uri())
            self.assertEqual(rendering.allowed_url('data:image/png;base64,AAAA'), 'data:image/png;base64,AAAA')
        with plugin_settings(document_logo=''):
            self.assertIsNone(rendering.allowed_url(self.logo.as_uri()))

    def test_every_renderer_goes_through_render_pdf(self):
        callers = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob('*.py')
                         if 'weasyprint' in path.read_text())
        self.assertEqual(callers, ['documents/rendering.py'])
        self.assertEqual(sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob('*.py')
                                if 'render_pdf(' in path.read_text() and path.name != 'rendering.py'),
                         ['documents/event_log_extract.py', 'documents/issuing.py', 'documents/labels.py',
                          'documents/report.py', 'documents/sanitization.py', 'handovers/manifest.py'])


class RenderPdfTestCase(SimpleTestCase):
    """render_pdf itself, with HTML no template of ours would produce: the fetcher is the last line."""

    def setUp(self):
        self.logo = Path(tempfile.mkdtemp()) / 'logo.png'
        self.logo.write_bytes(png())
        self.watched = Watched(self)

    def render(self, html):
        with mock.patch.object(rendering, 'render_to_string', return_value=html):
            return rendering.render_pdf('any.html', {}, 'en')

    def test_only_the_logo_and_data_urls_are_fetched(self):
        data_url = 'data:image/png;base64,' + base64.b64encode(png()).decode()
        html = f'<p>Hello</p><img src="{self.logo.as_uri()}"><img src="{data_url}">{HOSTILE}'
        with plugin_settings(document_logo=str(self.logo)), self.assertLogs('netbox_decommission.documents',
                                                                            'WARNING') as logs:
            data = self.render(html)
        self.assertEqual(image_count(data), 2)
        self.assertIn(self.logo.as_uri(), self.watched.opened)
        self.watched.assert_nothing_but(self, self.logo.as_uri())
        refused = '\n'.join(logs.output)
        for url in (FILE_URL, f'{NETWORK_URL}logo.png', f'{NETWORK_URL}x.css', f'{NETWORK_URL}a.css'):
            self.assertIn(f'tried to fetch {url}: refused', refused)

    def test_a_url_as_the_logo_setting_is_not_fetched(self):
        for logo in (FILE_URL, NETWORK_URL):
            with self.subTest(logo=logo), plugin_settings(document_logo=logo):
                self.render(f'<img src="{FILE_URL}"><img src="{NETWORK_URL}">')
                self.watched.assert_nothing_but(self)


class HostileValuesTestCase(DocumentFixtureMixin, TestCase):
    """Every value a user types that the documents print, set to hostile HTML, through the whole workflow."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.device.name = '<img src="file:///etc/passwd">'
        cls.device.save()
        cls.people.head.last_name = HOSTILE[:150]
        cls.people.head.save()

    def setUp(self):
        self.logo = Path(tempfile.mkdtemp()) / 'logo.png'
        self.logo.write_bytes(png())
        settings = plugin_settings(document_logo=str(self.logo), organization_name=HOSTILE,
                                   place_of_issue=HOSTILE[:100], organization_address=HOSTILE)
        settings.enable()
        self.addCleanup(settings.disable)
        self.watched = Watched(self)

    def test_no_document_fetches_what_a_value_names(self):
        decommission = create_workflow_decommission(
            self.device, self.people, reason_text=HOSTILE, organization=HOSTILE[:200], comments=HOSTILE,
            description=HOSTILE[:200])
        for component in add_ready_components(decommission, self.zone):
            component.description, component.sanitization_tool = HOSTILE[:200], HOSTILE[:100]
            component.save()
        # Every signed document and those issued at closing are rendered (and frozen) on the way.
        advance(decommission, Status.STATUS_CLOSED, self.people, self.zone)
        documents = list(decommission.documents.all())
        self.assertEqual({d.kind for d in documents} >= {'order', 'application', 'act', 'sanitization'}, True)
        rendered = [issuing.document_pdf(d, language) for d in documents for language in ('ru', 'en')]
        rendered += [labels.render_labels(decommission, f'https://netbox.example.com{NETWORK_URL}', language)
                     for language in ('ru', 'en')]
        rendered += [sanitization.render_sanitization_certificate(decommission, sanitization.media(decommission),
                                                                  language) for language in ('ru', 'en')]
        self.watched.assert_nothing_but(self, self.logo.as_uri())
        self.assertIn(self.logo.as_uri(), self.watched.opened)
        for data in rendered:
            self.assertNotIn(PASSWD_CONTENT, pdf_text(data))
        # The values are printed as the text they are.
        self.assertIn(FILE_URL, pdf_text(issuing.document_pdf(decommission.documents.get(kind='order'), 'en')))
