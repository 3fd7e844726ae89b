from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from utilities.querysets import RestrictedQuerySet

from ..choices import DecommissionStatusChoices

__all__ = (
    'CalendarFeed',
)


class CalendarFeed(models.Model):
    """
    A user's subscription address for the iCalendar feed of removal windows. Calendar programs cannot send NetBox's
    API token, so the address carries a secret; only its SHA-256 is kept, and the feed shows what its owner may
    view, narrowed by the feed's filters. Revoking deletes the row: the address then answers 404.
    """
    user = models.ForeignKey(
        to='users.User',
        on_delete=models.CASCADE,
        related_name='decommission_calendar_feeds',
        verbose_name=_('user'),
    )
    name = models.CharField(verbose_name=_('name'), max_length=100)
    # The first characters of the secret, shown so that the owner can tell feeds apart (like NetBox's token keys).
    key_prefix = models.CharField(verbose_name=_('key'), max_length=8, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    site = models.ForeignKey(
        to='dcim.Site',
        on_delete=models.CASCADE,
        related_name='+',
        blank=True,
        null=True,
        verbose_name=_('site'),
    )
    tenant = models.ForeignKey(
        to='tenancy.Tenant',
        on_delete=models.CASCADE,
        related_name='+',
        blank=True,
        null=True,
        verbose_name=_('tenant'),
    )
    stages = ArrayField(
        base_field=models.CharField(max_length=30, choices=DecommissionStatusChoices),
        blank=True,
        default=list,
        verbose_name=_('stages'),
        help_text=_('Only records at these stages; none: every stage'),
    )
    created = models.DateTimeField(verbose_name=_('created'), auto_now_add=True)
    last_used = models.DateTimeField(verbose_name=_('last used'), blank=True, null=True, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('user', 'name', 'pk')
        verbose_name = _('calendar feed')
        verbose_name_plural = _('calendar feeds')

    def __str__(self):
        return self.name

    @property
    def stage_labels(self):
        """The feed's stages as people read them."""
        labels = dict(DecommissionStatusChoices)
        return [labels.get(stage, stage) for stage in self.stages]
