"""HTML to PDF with WeasyPrint: a Django template rendered in the document's language, on A4."""
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ..plugin_settings import DOCUMENT_LANGUAGES, get_setting


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


def render_pdf(template_name, context, language, base_url=None):
    """Render ``template_name`` with ``context`` in ``language`` and return the PDF's bytes."""
    # Imported here: WeasyPrint takes a noticeable time to load and only document requests need it.
    import weasyprint

    with translation.override(language):
        html = render_to_string(template_name, context)
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()


def pdf_response(data, filename):
    """The PDF for the browser to show (it offers to save it under ``filename``)."""
    response = HttpResponse(data, content_type='application/pdf')
    response['Content-Disposition'] = f'inline; filename="{filename}"'
    return response
