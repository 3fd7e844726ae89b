"""
Printable labels with a QR code to the record: one for the server waiting in the removal zone and one per package
of its removed components, as an A4 sheet of cut-out cards.

Labels read only the identity frozen on the decommission (``device_name``, ``device_serial``, ...): they are printed
and reprinted after the device itself has been deleted from NetBox.
"""
import re
from dataclasses import dataclass

import segno

from ..models import StorageLocation
from .rendering import render_pdf

TEMPLATE = 'netbox_decommission/documents/labels.html'

# Cards per row of the sheet; the template's card width is the printable A4 width divided by it.
COLUMNS = 2


@dataclass(frozen=True)
class ServerLabel:
    """The server itself; ``storage_location`` (with its site) is where it waits, or None."""
    decommission: object
    storage_location: object = None

    is_server = True


@dataclass(frozen=True)
class PackageLabel:
    """One package: the components sharing a package label, or a single component that has none."""
    decommission: object
    label: str
    components: tuple

    is_server = False

    @property
    def antistatic_packed(self):
        """True if every component is in anti-static packaging, False if none is, None if only some are."""
        packed = {component.antistatic_packed for component in self.components}
        return packed.pop() if len(packed) == 1 else None

    @property
    def storage_locations(self):
        """The distinct storage locations of the components, in the order they come."""
        locations = {}
        for component in self.components:
            if component.storage_location is not None:
                locations.setdefault(component.storage_location.pk, component.storage_location)
        return list(locations.values())


@dataclass(frozen=True)
class LabelSheet:
    server: ServerLabel
    packages: tuple

    @property
    def labels(self):
        return (self.server, *self.packages)

    @property
    def rows(self):
        """The labels in rows of the sheet, the last one padded with None where no card is printed."""
        labels = self.labels + (None,) * (-len(self.labels) % COLUMNS)
        return [labels[i:i + COLUMNS] for i in range(0, len(labels), COLUMNS)]


def _natural_key(text):
    # So that BOX-2 comes before BOX-10 on the sheet, as on the shelf.
    # re.split() with a group alternates text and digit runs, so like is always compared with like.
    return [int(part) if i % 2 else part.casefold() for i, part in enumerate(re.split(r'(\d+)', text))]


def label_sheet(decommission):
    """
    The labels of ``decommission``: the server first, then its packages. Components sharing a non-empty package
    label form one package (packages in natural order of their labels); each unlabelled component is a package of
    its own, after the labelled ones. At most two queries, whatever the number of components.
    """
    storage_location = None
    if decommission.storage_location_id:
        storage_location = StorageLocation.objects.select_related('site').get(pk=decommission.storage_location_id)

    labelled = {}
    unlabelled = []
    components = decommission.components.select_related('manufacturer', 'storage_location__site')
    for component in components:
        if component.package_label:
            labelled.setdefault(component.package_label, []).append(component)
        else:
            unlabelled.append(PackageLabel(decommission, component.name, (component,)))
    packages = [
        PackageLabel(decommission, label, tuple(labelled[label])) for label in sorted(labelled, key=_natural_key)
    ]
    return LabelSheet(
        server=ServerLabel(decommission, storage_location),
        packages=tuple(packages + unlabelled),
    )


def qr_code(url):
    """
    ``url`` as a QR code in an SVG data URI: vector, so it prints sharp at any size. Error correction M or higher
    survives a scuffed label; the four-module quiet zone is what scanners need to find the code.
    """
    return segno.make(url, error='m', micro=False).svg_data_uri(border=4, omitsize=True, dark='black', light='white')


def render_labels(decommission, record_url, language):
    """The label sheet of ``decommission`` as PDF bytes; every QR code opens ``record_url`` (absolute)."""
    context = {
        'sheet': label_sheet(decommission),
        'qr_code': qr_code(record_url),
        'record_url': record_url,
    }
    return render_pdf(TEMPLATE, context, language)
