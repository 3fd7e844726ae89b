"""
HTML to PDF with WeasyPrint: a Django template rendered in the document's language, on A4.

WeasyPrint fetches whatever the HTML and CSS name (images, stylesheets, fonts, SVG references), from ``file:``
and the network alike. A document prints values people typed (names, reasons, comments), so the renderer fetches
only what a document needs: the configured logo and ``data:`` URLs (the labels' QR codes). Anything else is
refused before it is opened, whatever a template or a value puts in the HTML.
"""
import logging
import ssl
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ..plugin_settings import DOCUMENT_LANGUAGES, get_setting

logger = logging.getLogger('netbox_decommission.documents')


class LanguageError(ValueError):
    """A requested document language the plugin does not ship."""


def document_language(requested=None):
    """The language to render in: the requested one (``?lang=``) or the configured default."""
    if not requested:
        return get_setting('document_language')
    if requested not in DOCUMENT_LANGUAGES:
        raise LanguageError(_('Unknown document language "{language}": use {choices}.').format(
            language=requested, choices=' or '.join(DOCUMENT_LANGUAGES)))
    return requested


class FetchRefused(ValueError):
    """A URL a document may not fetch."""


def logo_path():
    """The configured logo's resolved path, or None."""
    logo = get_setting('document_logo')
    return Path(logo).resolve() if logo else None


def local_path(url):
    """The resolved path a ``file:`` URL names (query and fragment ignored, as WeasyPrint ignores them)."""
    parts = urlsplit(url)
    if parts.netloc not in ('', 'localhost'):
        return None
    return Path(url2pathname(unquote(parts.path))).resolve()


def allowed_url(url):
    """The URL to fetch for ``url``, or None when a document may not fetch it."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == 'data':
        return url
    if scheme == 'file':
        logo = logo_path()
        # Resolved on both sides, so that neither "..", a symbolic link nor an encoded character reach another file;
        # what is read is the logo's own path, not the URL as written.
        if logo is not None and local_path(url) == logo:
            return logo.as_uri()
    return None


@cache
def unused_tls_context():
    """
    The TLS context the fetcher is made with. It opens no HTTPS URL (only data: and file:), but without a context of
    its own urllib makes one for each fetcher, loading the system's certificates: a third of a document's render.
    """
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def url_fetcher():
    """A WeasyPrint URL fetcher that fetches only what allowed_url() allows and refuses anything else unread."""
    from weasyprint.urls import URLFetcher

    class DocumentURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            allowed = allowed_url(url)
            if allowed is None:
                logger.warning('A document tried to fetch %s: refused (only the document_logo and data: URLs are '
                               'fetched)', url[:200])
                raise FetchRefused(f'Not fetched: {url[:200]}')
            return super().fetch(allowed, headers)

    # No redirect: a data: or file: URL has none, and no other scheme is fetched.
    return DocumentURLFetcher(allowed_protocols=('data', 'file'), allow_redirects=False,
                              ssl_context=unused_tls_context())


def render_pdf(template_name, context, language):
    """Render ``template_name`` with ``context`` in ``language`` and return the PDF's bytes."""
    # Imported here: WeasyPrint takes a noticeable time to load and only document requests need it.
    import weasyprint

    with translation.override(language):
        html = render_to_string(template_name, context)
    return weasyprint.HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


def pdf_response(data, filename):
    """The PDF for the browser to show (it offers to save it under ``filename``)."""
    response = HttpResponse(data, content_type='application/pdf')
    response['Content-Disposition'] = f'inline; filename="{filename}"'
    return response
