"""
The manifest of a hand-over: what leaves the site for the disposal vendor, item by item, with serials, kinds,
weights, package labels and seals, the total weight, and the signatures of who handed over and who received. As a
PDF (Russian or English, like the plugin's other documents) and as CSV (the same columns, then a total row).

Before the hand-over the manifest is a draft read from the items' current records; from the hand-over on it prints
what was frozen on the items (their weight is the one the e-waste report sums).
"""
import csv
import io
from dataclasses import dataclass

from django.utils import timezone, translation

from .. import weights
from ..choices import HandoverStatusChoices
from ..documents.rendering import render_pdf
from ..plugin_settings import get_setting
from .services import _describe_component, _describe_server, item_kind

__all__ = (
    'manifest_csv',
    'manifest_lines',
    'render_manifest',
)

TEMPLATE = 'netbox_decommission/documents/handover_manifest.html'


@dataclass(frozen=True)
class ManifestLine:
    position: int
    kind: str
    description: str
    serial: str
    weight: object
    package_label: str
    seal_number: str
    record: str


def manifest_lines(handover):
    """The manifest's lines, in the order the items were added; frozen values once the hand-over was made."""
    frozen = handover.status != HandoverStatusChoices.STATUS_PLANNED
    lines = []
    items = handover.items.select_related('component__decommission', 'component__manufacturer', 'decommission')
    for position, item in enumerate(items.order_by('pk'), start=1):
        component, decommission = item.component, item.decommission
        if frozen:
            values = (item.description, item.serial, item.weight, item.package_label, item.seal_number)
        elif component is not None:
            values = (_describe_component(component), component.serial, weights.component_weight(component),
                      component.package_label, component.seal_number)
        else:
            values = (_describe_server(decommission), decommission.device_serial, weights.server_weight(decommission),
                      '', '')
        record = (component.decommission if component is not None else decommission).number
        lines.append(ManifestLine(position, str(item_kind(item)), *values, record=record))
    return lines


def total(lines):
    """The total weight in kilograms of the lines whose weight is known, and how many have none."""
    known = [line.weight for line in lines if line.weight is not None]
    return sum(known, start=0), len(lines) - len(known)


def render_manifest(handover, language):
    """The manifest as PDF bytes in ``language``."""
    # The kinds are named while the lines are made: in the document's language, not the request's.
    with translation.override(language):
        lines = manifest_lines(handover)
    total_weight, unknown = total(lines)
    context = {
        'handover': handover,
        'organization': get_setting('organization_name'),
        'place_of_issue': get_setting('place_of_issue'),
        'lines': lines,
        'total_weight': total_weight,
        'unknown_weights': unknown,
        'draft': handover.status == HandoverStatusChoices.STATUS_PLANNED,
        'document_date': timezone.localtime(handover.handed_over_at).date() if handover.handed_over_at
        else handover.pickup_date,
    }
    return render_pdf(TEMPLATE, context, language)


def _weight(value):
    return '' if value is None else f'{value:.3f}'


def manifest_csv(handover):
    """
    The manifest as CSV text (UTF-8; the caller adds a byte-order mark for spreadsheets): a header, one row per item,
    then a total row (its weight the sum of the items' weights; the number of items in the position column).
    """
    lines = manifest_lines(handover)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(['handover', 'position', 'kind', 'description', 'serial', 'weight_kg', 'package_label',
                     'seal_number', 'decommission'])
    for line in lines:
        writer.writerow([handover.number, line.position, line.kind, line.description, line.serial,
                         _weight(line.weight), line.package_label, line.seal_number, line.record])
    total_weight, _unknown = total(lines)
    writer.writerow([handover.number, len(lines), 'total', '', '', _weight(total_weight), '', '', ''])
    return buffer.getvalue()
