"""
The decommission report: the whole process on paper, issued by NetBox when the record is closed (nobody signs it;
it records what was signed and done). Every stage with who moved it, when and why; the other documents with their
numbers and the SHA-256 of each frozen copy; the backup, the shutdown checklist; each removed component with its
inspection, packing, chain of custody, sanitization and disposition; what the retirement did to NetBox's inventory;
and the closing checks with their results.

It prints only what outlives the device: the record's frozen fields, its snapshot (where the retirement recorded
what it did), the stage log, the documents, the components and the custody events. Issued last at closing
(DocumentKindChoices.ISSUED_AT_CLOSE), it lists the documents issued just before it.
"""
from pathlib import Path

from django.db.models import Prefetch
from django.utils import formats, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import ObjectChange

from ..choices import DocumentKindChoices as Kind
from ..models import CustodyEvent
from ..plugin_settings import get_setting
from .formatting import day, document_date, moment, person
from .rendering import render_pdf
from .requisites import requisites

__all__ = ('TEMPLATE', 'render_document', 'report_context')

TEMPLATE = 'netbox_decommission/documents/report.html'

# What the report prints of each component besides its own fields: fetched with the components, in one query.
COMPONENT_RELATED = ('manufacturer', 'storage_location__site', 'inspected_by', 'sanitized_by',
                     'sanitization_verified_by')
CUSTODY_RELATED = ('from_location__site', 'to_location__site', 'user')

YES_NO = {True: _('Yes'), False: _('No')}

# What the retirement did to the device and to its addresses (the snapshot's "retirement" record).
DEVICE_OUTCOMES = {
    'deleted': _('Deleted from the NetBox inventory'),
    'offline': _('Kept in the inventory with status "offline", unracked, primary addresses cleared'),
}
ADDRESS_OUTCOMES = {
    'deleted': pgettext_lazy('IP address', 'Deleted'),
    'deprecated': pgettext_lazy('IP address', 'Marked deprecated'),
}


def _date(value):
    return formats.date_format(value, 'j E Y') if value else ''


def _iso_moment(value):
    """A date and time the snapshot or the network check stored as ISO 8601 text, printed like the others."""
    parsed = parse_datetime(value) if value else None
    return moment(parsed) if parsed else (value or '')


def _place(location):
    return f'{location.name} ({location.site})' if location is not None else '—'


def _stage_log(decommission):
    return [
        {'from': change.get_from_status_display() if change.from_status else '',
         'to': change.get_to_status_display(), 'time': moment(change.time), 'user': person(change.user),
         'comment': change.comment}
        for change in decommission.stage_changes.select_related('user').order_by('time', 'pk')
    ]


def _documents(decommission, report):
    """Every other document of the record: number, date, who signed it, and each frozen copy's SHA-256."""
    order = [value for value, *_rest in Kind.CHOICES]
    documents = decommission.documents.exclude(pk=report.pk).prefetch_related('files', 'signatures__user')
    return [
        {'label': document.get_kind_display(), 'number': document.number, 'date': day(document_date(document)),
         'issued': document.kind not in Kind.SIGNED, 'completed': document.is_signed,
         'signatures': [f'{signature.get_role_display()}: {person(signature.user)}, {moment(signature.signed_at)}'
                        for signature in document.signatures.all()],
         'files': [{'language': file.language, 'sha256': file.sha256, 'size': file.size,
                    'digitally_signed': file.digitally_signed} for file in document.files.all()]}
        for document in sorted(documents, key=lambda d: order.index(d.kind))
    ]


def _backup(decommission):
    if decommission.backup_waiver_reason:
        return {'waived': True, 'reason': decommission.backup_waiver_reason}
    size = decommission.backup_size_gb
    return {
        'waived': False,
        'method': decommission.get_backup_method_display(),
        'target': decommission.backup_target,
        'size': f'{formats.number_format(size, decimal_pos=2)} GB' if size is not None else '',
        'verified_by': person(decommission.backup_verified_by),
        'verified_at': moment(decommission.backup_verified_at),
    }


def _checklist(decommission):
    # workflow.moves.SHUTDOWN_CHECKLIST, which cannot be imported here: the workflow imports the documents.
    fields = ('services_stopped', 'users_notified', 'powered_off', 'network_disconnected')
    return [
        {'label': decommission._meta.get_field(name).verbose_name, 'done': YES_NO[getattr(decommission, name)]}
        for name in fields
    ]


def _custody(events):
    return [
        {'time': moment(event.time), 'from': _place(event.from_location), 'to': _place(event.to_location),
         'user': person(event.user), 'reason': event.reason, 'transfer': event.transfer}
        for event in events
    ]


def _components(decommission):
    """Each component with its chain of custody: two queries, whatever their number."""
    events = Prefetch('custody_events', queryset=CustodyEvent.objects.select_related(*CUSTODY_RELATED).order_by(
        'time', 'pk'))
    components = decommission.components.select_related(*COMPONENT_RELATED).prefetch_related(events).order_by(
        'kind', 'name', 'pk')
    return [
        {'position': position, 'component': component,
         'make': ' '.join(str(part) for part in (component.manufacturer or '', component.part_id) if part),
         'inspected_by': person(component.inspected_by), 'inspected_at': moment(component.inspected_at),
         'location': _place(component.storage_location),
         'sanitized_by': person(component.sanitized_by), 'sanitized_on': _date(component.sanitized_on),
         'verified_by': person(component.sanitization_verified_by),
         'disposition_date': _date(component.disposition_date), 'pickup_date': _date(component.vendor_pickup_date),
         'custody': _custody(component.custody_events.all())}
        for position, component in enumerate(components, start=1)
    ]


def _retirement(decommission):
    """What the retirement recorded in the snapshot, with the change log's count of its changes."""
    snapshot = decommission.device_snapshot or {}
    record = snapshot.get('retirement')
    if record is None:
        return None
    request_id = record.get('request_id') or ''
    addresses = ADDRESS_OUTCOMES.get(record.get('ip_addresses'), '')
    return {
        'at': _iso_moment(record.get('retired_at')),
        'by': record.get('retired_by', ''),
        'request_id': request_id,
        'changes': ObjectChange.objects.filter(request_id=request_id).count() if request_id else None,
        'device': DEVICE_OUTCOMES.get(record.get('device'), ''),
        'addresses': [
            {'address': address['address'], 'interface': address['interface'], 'outcome': addresses}
            for address in snapshot.get('ip_addresses', ())
        ],
        'cables': [
            {'label': cable['label'] or f'#{cable["id"]}',
             'local': ', '.join(end['name'] for end in cable['local']),
             'peer': ', '.join(f'{end["device"]} {end["name"]}'.strip() for end in cable['peer'])}
            for cable in snapshot.get('cables', ())
        ],
        'freed': record.get('peer_ports_freed', []),
    }


def _closing_checks(decommission, components):
    """
    What the close verified (workflow.gates.verification_failures): the report is issued by the close only once
    every check passed, so each is printed as passed.
    """
    device = decommission.device_name or decommission.device_pk
    if get_setting('retirement_policy') == 'delete':
        checks = [_('Device {device} is no longer in the NetBox inventory').format(device=device)]
    else:
        checks = [
            _('Device {device} has status "offline"').format(device=device),
            _('Device {device} is not mounted in a rack').format(device=device),
            _('Device {device} has no cables').format(device=device),
            _('Device {device} has no IP addresses').format(device=device)
            if get_setting('ip_address_policy') == 'delete'
            else _('Every IP address of device {device} is deprecated').format(device=device),
        ]
    media = [entry for entry in components if entry['component'].is_media]
    checks.append(_('Every storage medium has a final disposition (reused, transferred or destroyed): {count}').format(
        count=len(media)))
    return checks


def _network_check(decommission):
    check = decommission.network_check
    if not check:
        return None
    ports = ', '.join(f'tcp/{port}' for port in check.get('tcp_ports', ()))
    return {
        'at': _iso_moment(check.get('checked_at')),
        'by': check.get('checked_by', ''),
        'probes': ', '.join(part for part in (ports, 'icmp' if check.get('icmp') else '') if part),
        # Whether the host allowed ICMP matters only when ICMP was asked for.
        'icmp_permitted': check.get('icmp_permitted') if check.get('icmp') else None,
        'timeout': formats.number_format(check['timeout']) if check.get('timeout') is not None else '',
        'addresses': check.get('addresses', []),
        'override_reason': check.get('override_reason', ''),
    }


def report_context(document, language):
    """What the report prints, formatted in ``language``. A constant number of queries, whatever the record holds."""
    decommission = document.decommission
    with translation.override(language):
        components = _components(decommission)
        server_events = decommission.custody_events.filter(component__isnull=True).select_related(
            *CUSTODY_RELATED).order_by('time', 'pk')
        logo = get_setting('document_logo')
        return {
            'document': document,
            'decommission': decommission,
            'document_date': day(document_date(document)),
            'issued_at': moment(document.signed_at),
            'responsible': person(decommission.responsible),
            'head': person(decommission.head),
            'executors': [person(user) for user in decommission.executors.order_by('username')],
            'planned_window': (f'{moment(decommission.planned_start)} – {moment(decommission.planned_end)}'
                               if decommission.planned_start and decommission.planned_end else ''),
            'removed_at': moment(decommission.removed_at),
            'stage_log': _stage_log(decommission),
            'documents': _documents(decommission, document),
            'backup_record': _backup(decommission),
            'checklist': _checklist(decommission),
            'components': components,
            'server_custody': _custody(server_events),
            'retirement': _retirement(decommission),
            'closing_checks': _closing_checks(decommission, components),
            'network_check': _network_check(decommission),
            'logo_url': Path(logo).resolve().as_uri() if logo else '',
            **requisites(document, language),
        }


def render_document(document, language):
    """The decommission report of ``document``'s record as PDF bytes."""
    return render_pdf(TEMPLATE, report_context(document, language), language)
