"""
The chain of custody of removed components and of the server itself: every change of a storage location is a
CustodyEvent (from, to, who, when, why), whatever made it (the UI, bulk edit, the API, the workflow); moves
across sites need an explicit transfer, and a destroyed component no longer moves.
"""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from netbox.context import current_request

from .choices import ComponentStatusChoices
from .compat.changelog import changelog_message


def _acting_user():
    request = current_request.get()
    user = getattr(request, 'user', None)
    return user if getattr(user, 'is_authenticated', False) else None


def _reason(obj):
    return (getattr(obj, '_custody_reason', '') or changelog_message(obj))[:200]


def stored_location(obj):
    """The storage location as the database has it (None for a new object)."""
    if obj.pk is None:
        return None
    return type(obj).objects.filter(pk=obj.pk).values_list('storage_location', flat=True).first()


def refuse_illegal_move(component):
    """Field errors for a component's move that the rules forbid (called by RemovedComponent.clean)."""
    stored = None
    if component.pk:
        stored = type(component).objects.filter(pk=component.pk).values('status', 'storage_location').first()
    if stored and stored['status'] == ComponentStatusChoices.STATUS_DESTROYED:
        if component.storage_location_id != stored['storage_location']:
            raise ValidationError({'storage_location': _(
                '{component} was destroyed; a destroyed component cannot be moved.').format(component=component)})
        if component.status != ComponentStatusChoices.STATUS_DESTROYED:
            raise ValidationError({'status': _(
                '{component} was destroyed; it cannot be reused, stored or transferred any more.'
            ).format(component=component)})
    location = component.storage_location if component.storage_location_id else None
    if location is None or (stored and stored['storage_location'] == location.pk):
        return
    site = _current_site(component, stored)
    if site is not None and location.site_id != site.pk and not getattr(component, '_transfer', False):
        raise ValidationError({'storage_location': _(
            'Storage location "{location}" is at site "{other}", but {component} of decommission {number} is at site '
            '"{site}". Moving it to another site is a transfer: confirm it as a transfer, or choose a storage '
            'location at "{site}".'
        ).format(location=location, other=location.site, component=component,
                 number=component.decommission.number, site=site)})


def _current_site(component, stored):
    from .models import StorageLocation

    if stored and stored['storage_location']:
        return StorageLocation.objects.select_related('site').get(pk=stored['storage_location']).site
    return component.decommission.site if component.decommission_id else None


def record_move(obj, previous_location_id, component=None):
    """Write the custody event of ``obj`` (a component, or a decommission for its server) if its location changed."""
    from .models import CustodyEvent, StorageLocation

    if obj.storage_location_id == previous_location_id:
        return None
    decommission = component.decommission if component is not None else obj
    locations = StorageLocation.objects.in_bulk([pk for pk in (previous_location_id, obj.storage_location_id) if pk])
    before, after = locations.get(previous_location_id), locations.get(obj.storage_location_id)
    return CustodyEvent.objects.create(
        decommission=decommission, component=component, from_location=before, to_location=after,
        transfer=bool(before and after and before.site_id != after.site_id),
        user=getattr(obj, '_custody_user', None) or _acting_user(), reason=_reason(obj),
    )
