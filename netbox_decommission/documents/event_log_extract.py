"""
The extract from the event log that accompanies an act of destruction of personal data processed by automated means
(Roskomnadzor order No. 179 of 28 October 2022): for each destruction, the data subjects or their categories, the
categories of personal data, the information system, the reason and the date of destruction; followed by the events
the record logged about the server and its storage media (its stage log and the media's custody events).

Like the act, it covers one medium or every storage medium of a server, and prints only what outlives the device.
"""
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext

from ..models import CustodyEvent, StageChange
from ..plugin_settings import get_setting
from .formatting import day, moment, person
from .rendering import render_pdf
from .requisites import requisites
from .sanitization import media

__all__ = ('extract_context', 'filename', 'render_extract')

TEMPLATE = 'netbox_decommission/documents/event_log_extract.html'


@dataclass(frozen=True)
class LoggedEvent:
    """One line of the event log as the extract prints it."""
    time: datetime
    who: str
    what: str
    subject: str
    detail: str


def _destroyed_at(component):
    """The day a medium's data was destroyed (sanitized), at the start of that day in NetBox's time zone."""
    return timezone.make_aware(datetime.combine(component.sanitized_on, time.min))


def _events(decommission, components):
    """The stage log of the record and the custody events of ``components``, as one log in time order."""
    events = []
    stage_changes = StageChange.objects.filter(decommission=decommission).select_related('user')
    for change in stage_changes:
        events.append(LoggedEvent(
            change.time, person(change.user), gettext('Stage change'), decommission.number,
            f'{change.get_from_status_display() or "—"} → {change.get_to_status_display()}'
            + (f': {change.comment}' if change.comment else ''),
        ))
    custody = CustodyEvent.objects.filter(component__in=components).select_related(
        'user', 'component', 'from_location', 'to_location')
    for event in custody:
        moved = f'{event.from_location or "—"} → {event.to_location or "—"}'
        events.append(LoggedEvent(
            event.time, person(event.user), gettext('Custody'), str(event.component),
            moved + (f': {event.reason}' if event.reason else ''),
        ))
    for component in components:
        if component.sanitized_on:
            method = component.get_sanitization_method_display()
            events.append(LoggedEvent(
                _destroyed_at(component), person(component.sanitized_by),
                gettext('Destruction of the data'), str(component),
                ' '.join(part for part in (str(method), component.sanitization_technique) if part),
            ))
    return sorted(events, key=lambda event: event.time)


def extract_context(decommission, components, language, document=None):
    """What the extract prints of ``components`` (storage media of ``decommission``), in ``language``."""
    components = list(components.select_related('sanitized_by', 'manufacturer'))
    with translation.override(language):
        reason = str(decommission.get_reason_display())
        if decommission.reason_text:
            reason = f'{reason}: {decommission.reason_text}'
        destroyed = [component for component in components if component.sanitized_on]
        logo = get_setting('document_logo')
        return {
            'decommission': decommission,
            'document': document,
            'single': len(components) == 1,
            'reference': f'{decommission.number} · {components[0]}' if len(components) == 1 else decommission.number,
            'organization_address': get_setting('organization_address'),
            'reason': reason,
            'destructions': [
                {'component': component, 'date': day(_destroyed_at(component)), 'who': person(component.sanitized_by)}
                for component in destroyed
            ],
            'not_destroyed': [component for component in components if not component.sanitized_on],
            'events': [
                {'time': moment(event.time), 'who': event.who, 'what': event.what, 'subject': event.subject,
                 'detail': event.detail}
                for event in _events(decommission, components)
            ],
            'document_date': day(max((_destroyed_at(c) for c in destroyed), default=timezone.now())),
            'generated_at': moment(timezone.now()),
            'logo_url': Path(logo).resolve().as_uri() if logo else '',
            **(requisites(document, language) if document is not None else {}),
        }


def render_extract(decommission, components, language, document=None):
    """The extract of ``components`` as PDF bytes."""
    return render_pdf(TEMPLATE, extract_context(decommission, components, language, document), language)


def render_document(document, language):
    """The extract issued when the record is closed: every storage medium of the server."""
    decommission = document.decommission
    return render_extract(decommission, media(decommission), language, document)


def filename(decommission, language, component=None):
    medium = f'_{component.pk}' if component is not None else ''
    return f'{decommission.number}_event_log_extract{medium}_{language}.pdf'
