from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netbox.models import PrimaryModel

from ..choices import (
    ComponentConditionChoices,
    ComponentKindChoices,
    ComponentSourceChoices,
    ComponentStatusChoices,
    SanitizationMethodChoices,
)


class RemovedComponent(PrimaryModel):
    """A part taken out of a server being decommissioned: what it is, its condition, packing and whereabouts."""
    decommission = models.ForeignKey(
        to='netbox_decommission.Decommission',
        on_delete=models.CASCADE,
        related_name='components',
        verbose_name=_('decommission'),
    )
    kind = models.CharField(
        verbose_name=pgettext_lazy('category', 'kind'), max_length=30, choices=ComponentKindChoices
    )
    name = models.CharField(verbose_name=_('name'), max_length=100)
    manufacturer = models.ForeignKey(
        to='dcim.Manufacturer',
        on_delete=models.PROTECT,
        related_name='removed_components',
        blank=True,
        null=True,
        verbose_name=_('manufacturer'),
    )
    part_id = models.CharField(verbose_name=_('part ID'), max_length=50, blank=True)
    serial = models.CharField(verbose_name=_('serial number'), max_length=50, blank=True)
    asset_tag = models.CharField(verbose_name=_('asset tag'), max_length=50, blank=True)

    # Where the part came from, copied: the InventoryItem or Module row disappears with the device.
    source_kind = models.CharField(
        verbose_name=_('source'),
        max_length=30,
        choices=ComponentSourceChoices,
        default=ComponentSourceChoices.SOURCE_MANUAL,
    )
    source_pk = models.PositiveBigIntegerField(verbose_name=_('source ID'), blank=True, null=True)
    source_name = models.CharField(verbose_name=_('source name'), max_length=200, blank=True)

    condition = models.CharField(
        verbose_name=_('condition'),
        max_length=30,
        choices=ComponentConditionChoices,
        default=ComponentConditionChoices.CONDITION_UNKNOWN,
    )
    condition_notes = models.TextField(verbose_name=_('inspection notes'), blank=True)
    antistatic_packed = models.BooleanField(verbose_name=_('in anti-static packaging'), default=False)
    package_label = models.CharField(verbose_name=_('package label'), max_length=100, blank=True)
    storage_location = models.ForeignKey(
        to='netbox_decommission.StorageLocation',
        on_delete=models.PROTECT,
        related_name='components',
        blank=True,
        null=True,
        verbose_name=_('storage location'),
    )
    status = models.CharField(
        verbose_name=_('status'),
        max_length=30,
        choices=ComponentStatusChoices,
        default=ComponentStatusChoices.STATUS_REMOVED,
    )

    # Media sanitization (NIST SP 800-88)
    sanitization_method = models.CharField(
        verbose_name=_('sanitization method'), max_length=30, choices=SanitizationMethodChoices, blank=True
    )
    sanitization_tool = models.CharField(verbose_name=_('sanitization tool'), max_length=100, blank=True)
    sanitization_verified_by = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='verified_sanitizations',
        blank=True,
        null=True,
        verbose_name=_('sanitization verified by'),
    )
    sanitized_on = models.DateField(verbose_name=_('sanitization date'), blank=True, null=True)

    clone_fields = (
        'decommission', 'kind', 'manufacturer', 'part_id', 'condition', 'antistatic_packed', 'storage_location',
        'status',
    )

    class Meta:
        ordering = ('decommission', 'kind', 'name', 'pk')
        verbose_name = _('removed component')
        verbose_name_plural = _('removed components')

    def __str__(self):
        return f'{self.name} ({self.serial})' if self.serial else self.name

    def get_condition_color(self):
        return ComponentConditionChoices.colors.get(self.condition)

    def get_status_color(self):
        return ComponentStatusChoices.colors.get(self.status)

    def get_sanitization_method_color(self):
        return SanitizationMethodChoices.colors.get(self.sanitization_method)

    def clean(self):
        super().clean()
        if self.storage_location_id and self.decommission_id:
            site = self.decommission.site
            if site and self.storage_location.site_id != site.pk:
                raise ValidationError({'storage_location': _(
                    'Storage location "{location}" is at site "{other}", but decommission {decommission} is at site '
                    '"{site}". Choose a storage location at "{site}".'
                ).format(
                    location=self.storage_location, other=self.storage_location.site,
                    decommission=self.decommission.number, site=site,
                )})
