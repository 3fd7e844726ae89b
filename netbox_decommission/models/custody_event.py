from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from utilities.querysets import RestrictedQuerySet


class CustodyEvent(models.Model):
    """
    One move in the chain of custody: a removed component, or the server itself (no component), taken from one
    storage location to another, by whom, when and why. Recorded by custody.record_move whenever a storage
    location changes, however it was changed.
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
