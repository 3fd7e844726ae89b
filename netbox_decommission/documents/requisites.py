"""
The requisites GOST R 7.0.97-2025 asks of every document beyond its text, shared by all the documents NetBox
issues: the place of issue, the basis (the order a later document rests on), the mark of the electronic signature
where a PAdES signature is applied, and the document QR code that opens the verification of that very copy.
"""
import segno
from django.urls import reverse
from django.utils import formats

from netbox.context import current_request

from ..choices import DocumentKindChoices as Kind
from ..plugin_settings import get_setting
from . import pades
from .formatting import day

__all__ = ('copy_verification_url', 'requisites')


def copy_verification_url(document, language):
    """
    The page that verifies the copy of ``document`` in ``language``: the configured document_base_url, else the
    address of the request that issues it; a path alone when neither is known (a job without a base URL).
    """
    path = reverse('plugins:netbox_decommission:decommission_document_copy', kwargs={
        'pk': document.decommission_id, 'kind': document.kind, 'language': language})
    base_url = get_setting('document_base_url')
    if base_url:
        return base_url.rstrip('/') + path
    # A background job's request is NetBox's stand-in (NetBoxFakeRequest), which knows no address.
    absolute = getattr(current_request.get(), 'build_absolute_uri', None)
    return absolute(path) if absolute is not None else path


def qr_code(url):
    """The QR code of ``url`` as an SVG data: URL (the renderer fetches nothing else)."""
    return segno.make(url, error='m', micro=False).svg_data_uri(border=2, omitsize=True, dark='black',
                                                                light='white')


def signature_mark():
    """
    The mark of an electronic signature as GOST R 7.0.97-2025 shows it (certificate serial, owner, validity), when
    frozen copies are PAdES-signed; None otherwise.
    """
    if not pades.signing_configured():
        return None
    certificate = pades.signing_certificate_summary()
    return {
        'serial': certificate['serial'],
        'owner': certificate['owner'],
        'valid_from': formats.date_format(certificate['valid_from'], 'SHORT_DATE_FORMAT'),
        'valid_to': formats.date_format(certificate['valid_to'], 'SHORT_DATE_FORMAT'),
    }


def requisites(document, language):
    """What base.html prints around the text of ``document``'s copy in ``language`` (the language is active)."""
    decommission = document.decommission
    order = None
    if document.kind != Kind.KIND_ORDER:
        order = next((d for d in decommission.documents.all() if d.kind == Kind.KIND_ORDER), None)
    url = copy_verification_url(document, language)
    return {
        'place_of_issue': get_setting('place_of_issue'),
        'basis': {'number': order.number, 'date': day(order.signed_at or order.drafted_at)} if order else None,
        'signature_mark': signature_mark() if document.is_signed else None,
        'verification_url': url,
        'verification_qr': qr_code(url),
    }
