"""Small builders for the objects the plugin's tests need."""
from dcim.models import Location, Rack, Site
from netbox_decommission.choices import DecommissionReasonChoices
from netbox_decommission.models import Decommission
from utilities.testing import create_test_device


def create_sites(*names):
    """Create one Site per name (slug derived from the name), each with a location and a rack of the same name."""
    sites = []
    for name in names:
        slug = name.lower().replace(' ', '-')
        site = Site.objects.create(name=name, slug=slug)
        location = Location.objects.create(name=f'{name} Hall', slug=f'{slug}-hall', site=site)
        Rack.objects.create(name=f'{name} Rack', site=site, location=location)
        sites.append(site)
    return sites


def create_devices(count, site, prefix='server', **attrs):
    """Create `count` devices at `site`, named <prefix>-01, <prefix>-02, ... with serials SN-<prefix>-01, ..."""
    return [
        create_test_device(f'{prefix}-{i:02d}', site=site, serial=f'SN-{prefix}-{i:02d}', **attrs)
        for i in range(1, count + 1)
    ]


def create_decommission(device, status=None, **attrs):
    """Save a decommission through the model (freezes the device identity, assigns a number)."""
    attrs.setdefault('reason', DecommissionReasonChoices.REASON_END_OF_LIFE)
    decommission = Decommission(device=device, **attrs)
    if status is not None:
        # Workflow-controlled; set directly for fixtures in later stages.
        decommission.status = status
    decommission.save()
    return decommission
