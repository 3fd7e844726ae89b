from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from utilities.querysets import RestrictedQuerySet

from ..choices import DecommissionStatusChoices


class StageChange(models.Model):
    """One entry of a decommission's stage log: who moved it from which stage to which, when, and why."""
    decommission = models.ForeignKey(
        to='netbox_decommission.Decommission',
        on_delete=models.CASCADE,
        related_name='stage_changes',
        verbose_name=_('decommission'),
    )
    from_status = models.CharField(
        verbose_name=pgettext_lazy('stage', 'from'), max_length=30, choices=DecommissionStatusChoices, blank=True
    )
    to_status = models.CharField(
        verbose_name=pgettext_lazy('stage', 'to'), max_length=30, choices=DecommissionStatusChoices
    )
    user = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='decommission_stage_changes',
        blank=True,
        null=True,
        verbose_name=pgettext_lazy('decommission', 'user'),
    )
    time = models.DateTimeField(verbose_name=_('time'), auto_now_add=True)
    comment = models.TextField(verbose_name=_('comment'), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('decommission', 'time', 'pk')
        verbose_name = _('stage change')
        verbose_name_plural = _('stage changes')

    def __str__(self):
        return f'{self.decommission.number}: {self.from_status} → {self.to_status}'

    def get_to_status_color(self):
        return DecommissionStatusChoices.colors.get(self.to_status)
