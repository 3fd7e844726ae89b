"""
Certificates of media sanitization: in English the certificate of NIST SP 800-88 Rev. 1 (Appendix G), in Russian
the act of destruction of information media with the facts an act of destruction of personal data needs (operator,
information system, media, method, reason, date, the names, positions and signatures of those who destroyed it).
One document covers one medium, or every storage medium removed from a server.

Like the other documents they print only what the decommission froze (``device_name``, ``device_serial``, ...),
so they are printed again after the device has been deleted from NetBox.
"""
from dataclasses import dataclass
from pathlib import Path

from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..choices import ComponentStatusChoices as ComponentStatus
from ..choices import DocumentKindChoices
from ..choices import MediaDestinationChoices as Destination
from ..choices import SanitizationStateChoices as State
from ..plugin_settings import get_setting
from .formatting import moment, person
from .rendering import render_pdf
from .requisites import requisites

__all__ = ('TEMPLATES', 'filename', 'media', 'render_sanitization_certificate', 'sanitization_context')

# The English certificate follows the NIST sample; the Russian act is a document of its own, not a translation.
TEMPLATES = {
    'en': 'netbox_decommission/documents/sanitization_certificate.html',
    'ru': 'netbox_decommission/documents/sanitization_act_ru.html',
}

# What the documents print of each medium besides its own fields: fetched with the media, in the same query.
MEDIUM_RELATED = ('manufacturer', 'storage_location__site', 'sanitized_by', 'sanitization_verified_by')

BACKED_UP = {True: _('Yes'), False: _('No'), None: pgettext_lazy('data backed up', 'Unknown')}


def media(decommission):
    """The storage media removed from the server of ``decommission``, with what the documents print of them."""
    return decommission.components.filter(is_media=True).select_related(*MEDIUM_RELATED)


def _date(value):
    return formats.date_format(value, 'j E Y') if value else ''


def _place(location, decommission):
    """Where a medium is (or was last stored): its storage location with the site, else the server's site."""
    if location is not None:
        return f'{location.name} ({location.site})'
    return str(decommission.site) if decommission.site_id else ''


# The destination a disposition implies, where the medium's own media_destination names none.
DESTINATION_OF_STATUS = {
    ComponentStatus.STATUS_REUSED: Destination.DESTINATION_INTERNAL_REUSE,
    ComponentStatus.STATUS_TRANSFERRED: Destination.DESTINATION_RECYCLING,
    ComponentStatus.STATUS_DESTROYED: Destination.DESTINATION_OTHER,
}


def destination_choice(component):
    """The NIST sample's destination box to tick: the one recorded, else the one the disposition implies."""
    return component.media_destination or DESTINATION_OF_STATUS.get(component.status, '')


def _destination(component):
    """The media destination of the NIST certificate, in words, from the component's disposition."""
    status = component.status
    if status == ComponentStatus.STATUS_REUSED:
        return _('Internal reuse')
    if status == ComponentStatus.STATUS_TRANSFERRED:
        vendor = component.storage_location.name if component.storage_location else ''
        if vendor:
            return _('Transferred to a recycling facility or disposal vendor: {vendor}').format(vendor=vendor)
        return _('Transferred to a recycling facility or disposal vendor')
    if status == ComponentStatus.STATUS_DESTROYED:
        return _('Destroyed')
    return _('Awaiting disposition')


@dataclass(frozen=True)
class Medium:
    """One medium as the documents print it: the component, and the values derived from it."""
    position: int
    component: object
    place: str
    backed_up: str
    sanitizer: str
    sanitizer_contact: str
    sanitized_on: str
    verifier: str
    destination: str
    destination_choice: str
    disposition_date: str

    @property
    def state(self):
        return self.component.sanitization_state

    @property
    def is_sanitized(self):
        return self.state in (State.STATE_SANITIZED, State.STATE_VERIFIED)

    @property
    def is_verified(self):
        return self.state == State.STATE_VERIFIED

    @property
    def is_deferred(self):
        return self.state == State.STATE_DEFERRED

    @property
    def tool(self):
        component = self.component
        return ' '.join(part for part in (component.sanitization_tool, component.sanitization_tool_version) if part)

    @property
    def make_and_model(self):
        component = self.component
        return ' '.join(str(part) for part in (component.manufacturer or '', component.part_id) if part)


def _medium(position, component, decommission):
    return Medium(
        position=position,
        component=component,
        place=_place(component.storage_location, decommission),
        backed_up=BACKED_UP[component.data_backed_up],
        sanitizer=person(component.sanitized_by),
        sanitizer_contact=component.sanitized_by.email if component.sanitized_by else '',
        sanitized_on=_date(component.sanitized_on),
        verifier=person(component.sanitization_verified_by),
        destination=_destination(component),
        destination_choice=destination_choice(component),
        disposition_date=_date(component.disposition_date),
    )


def _signers(entries, user_attr, title_attr):
    """
    The people who signed for the media in one capacity: one block per person and position, with the media
    (by their position in the document) they sign for and the dates they sanitized them.
    """
    blocks = {}
    for entry in entries:
        user = getattr(entry.component, user_attr)
        if user is None:
            continue
        title = getattr(entry.component, title_attr)
        block = blocks.setdefault((user.pk, title), {'name': person(user), 'title': title, 'media': [], 'dates': []})
        block['media'].append(entry.position)
        if entry.sanitized_on and entry.sanitized_on not in block['dates']:
            block['dates'].append(entry.sanitized_on)
    return list(blocks.values())


def _commission(entries):
    """Everyone who sanitized or verified the media, once each: the commission the Russian act names."""
    members = {}
    for entry in entries:
        component = entry.component
        for user, title in ((component.sanitized_by, component.sanitized_by_title),
                            (component.sanitization_verified_by, component.sanitization_verified_by_title)):
            if user is not None:
                members.setdefault(user.pk, {'name': person(user), 'title': title})
    return list(members.values())


def _distinct(entries, field):
    """The distinct non-empty values of a text field over the media, in their order."""
    return list(dict.fromkeys(getattr(e.component, field).strip() for e in entries if getattr(e.component, field)))


def sanitization_context(decommission, components, language, document=None):
    """
    What the certificate (or the act) prints for ``components``, storage media of ``decommission``: a queryset
    (what ``media()`` returns, or one component of it) or a list of components fetched with ``MEDIUM_RELATED``.
    A constant number of queries, whatever the number of media. ``document`` is the issued document (kind
    sanitization) when this renders its copy: its number, and the requisites of base.html.
    """
    if hasattr(components, 'select_related'):
        components = components.select_related(*MEDIUM_RELATED)
    with translation.override(language):
        entries = [_medium(i, component, decommission) for i, component in enumerate(components, start=1)]
        sanitized_on = [entry.component.sanitized_on for entry in entries if entry.component.sanitized_on]
        numbers = dict(decommission.documents.filter(
            kind__in=(DocumentKindChoices.KIND_ORDER, DocumentKindChoices.KIND_EXTRACT)).values_list('kind', 'number'))
        order_number = numbers.get(DocumentKindChoices.KIND_ORDER)
        logo = get_setting('document_logo')
        single = len(entries) == 1
        return {
            'decommission': decommission,
            'media': entries,
            'single': single,
            # What the page footer names: the record, and the medium when the document covers only one.
            'reference': f'{decommission.number} · {entries[0].component}' if single else decommission.number,
            # Dated the day the last medium was sanitized, so that a reprint bears the same date.
            'document_date': _date(max(sanitized_on) if sanitized_on else timezone.localdate()),
            'sanitization_dates': [_date(value) for value in sorted(set(sanitized_on))],
            'order_number': order_number or '',
            # The extract from the event log, the act's attachment, once it is issued (at closing).
            'extract_number': numbers.get(DocumentKindChoices.KIND_EXTRACT, ''),
            'information_systems': _distinct(entries, 'information_system'),
            # What the act of destruction of personal data names (Roskomnadzor order No. 179).
            'organization_address': get_setting('organization_address'),
            'personal_data_categories': _distinct(entries, 'personal_data_categories'),
            'data_subject_categories': _distinct(entries, 'data_subject_categories'),
            'processors': _distinct(entries, 'personal_data_processor'),
            'destinations': Destination.CHOICES,
            'head': person(decommission.head),
            'sanitizers': _signers(entries, 'sanitized_by', 'sanitized_by_title'),
            'verifiers': _signers(entries, 'sanitization_verified_by', 'sanitization_verified_by_title'),
            'commission': _commission(entries),
            'unsanitized': [entry for entry in entries if not entry.is_sanitized],
            'generated_at': moment(timezone.now()),
            'logo_url': Path(logo).resolve().as_uri() if logo else '',
            'document': document,
            **(requisites(document, language) if document is not None else {}),
        }


def render_sanitization_certificate(decommission, components, language, document=None):
    """
    The certificate of sanitization (``en``) or the act of destruction of information media (``ru``) of
    ``components`` as PDF bytes; ``document``, the issued document whose copy this is.
    """
    context = sanitization_context(decommission, components, language, document)
    return render_pdf(TEMPLATES[language], context, language)


def filename(decommission, language, component=None):
    medium = f'_{component.pk}' if component is not None else ''
    return f'{decommission.number}_sanitization{medium}_{language}.pdf'
