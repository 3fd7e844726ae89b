from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netbox.context import current_request
from utilities.querysets import RestrictedQuerySet

from ..compat.changelog import changelog_message
from .storage_location import StorageLocation

__all__ = (
    'CustodyEvent',
    'stored_location',
)


class CustodyEvent(models.Model):
    """
    One move in the chain of custody: a removed component, or the server itself (no component), taken from one
    storage location to another, by whom, when and why. Written whenever a storage location changes: by
    custody.move() for a deliberate move (record()), by the model's save() for an edit (record_edit()).
    """
    decommission = models.ForeignKey(
        to='netbox_decommission.Decommission',
        on_delete=models.CASCADE,
        related_name='custody_events',
        verbose_name=_('decommission'),
    )
    component = models.ForeignKey(
        to='netbox_decommission.RemovedComponent',
        on_delete=models.CASCADE,
        related_name='custody_events',
        blank=True,
        null=True,
        verbose_name=_('component'),
        help_text=_('Empty when the server itself was moved'),
    )
    from_location = models.ForeignKey(
        to='netbox_decommission.StorageLocation',
        on_delete=models.PROTECT,
        related_name='custody_departures',
        blank=True,
        null=True,
        verbose_name=pgettext_lazy('custody', 'from'),
    )
    to_location = models.ForeignKey(
        to='netbox_decommission.StorageLocation',
        on_delete=models.PROTECT,
        related_name='custody_arrivals',
        blank=True,
        null=True,
        verbose_name=pgettext_lazy('custody', 'to'),
    )
    transfer = models.BooleanField(
        verbose_name=_('transfer between sites'), default=False,
    )
    user = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='decommission_custody_events',
        blank=True,
        null=True,
        verbose_name=pgettext_lazy('decommission', 'user'),
    )
    time = models.DateTimeField(verbose_name=_('time'), auto_now_add=True)
    reason = models.CharField(verbose_name=_('reason'), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('time', 'pk')
        verbose_name = _('custody event')
        verbose_name_plural = _('custody events')

    def __str__(self):
        what = self.component or self.decommission.device_name
        return f'{what}: {self.from_location or "—"} → {self.to_location or "—"}'

    @property
    def subject_kind(self):
        """What moved: a component, or the server of the decommission."""
        return 'component' if self.component_id else 'server'

    @classmethod
    def record(cls, obj, previous_location_id, user, reason, component=None):
        """
        The event of ``obj`` (a decommission: its server; or a removed component, given as ``component`` too) if its
        location changed from ``previous_location_id``.
        """
        if obj.storage_location_id == previous_location_id:
            return None
        pks = [pk for pk in (previous_location_id, obj.storage_location_id) if pk]
        locations = StorageLocation.objects.in_bulk(pks)
        before, after = locations.get(previous_location_id), locations.get(obj.storage_location_id)
        return cls.objects.create(
            decommission=component.decommission if component is not None else obj, component=component,
            from_location=before, to_location=after,
            transfer=bool(before and after and before.site_id != after.site_id), user=user, reason=(reason or '')[:200],
        )

    @classmethod
    def record_edit(cls, obj, previous_location_id, component=None):
        """
        The event of an edit made through NetBox's generic paths (the model's save()): who is the request's user (the
        logged-in user or the token's owner), why is the change-log message the user gave.
        """
        user = getattr(current_request.get(), 'user', None)
        return cls.record(obj, previous_location_id, user if getattr(user, 'is_authenticated', False) else None,
                          changelog_message(obj), component=component)


def stored_location(obj):
    """The storage location's ID as the database has it (None for a new object)."""
    if obj.pk is None:
        return None
    return type(obj).objects.filter(pk=obj.pk).values_list('storage_location', flat=True).first()
