from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """
    The last number handed out per scope (e.g. "decommission") and year; see numbering.next_sequence_value, which
    names its table.
    """
    scope = models.CharField(verbose_name=_('scope'), max_length=50)
    year = models.PositiveSmallIntegerField(verbose_name=_('year'))
    last_value = models.PositiveIntegerField(verbose_name=_('last value'))

    class Meta:
        verbose_name = _('number sequence')
        verbose_name_plural = _('number sequences')
        constraints = (
            models.UniqueConstraint(
                fields=('scope', 'year'), name='netbox_decommission_numbersequence_unique_scope_year'
            ),
        )

    def __str__(self):
        return f'{self.scope} {self.year}: {self.last_value}'
