from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from netbox.models import ChangeLoggedModel, PrimaryModel
from utilities.exceptions import AbortRequest
from utilities.querysets import RestrictedQuerySet

from ..choices import (
    CertificateMethodChoices,
    HandoverStatusChoices,
    ReconciliationStateChoices,
    StorageLocationKindChoices,
)
from ..numbering import NumberFormat, allocate_number
from ..plugin_settings import get_setting

__all__ = (
    'Handover',
    'HandoverCertificate',
    'HandoverItem',
)

# The counter of hand-over numbers (numbering.next_sequence_value), apart from the decommissions'.
NUMBER_SCOPE = 'handover'

WEIGHT = {'max_digits': 10, 'decimal_places': 3, 'blank': True, 'null': True}


class Handover(PrimaryModel):
    """
    A hand-over to a disposal vendor: the removed components and servers one pickup carries from a site to the
    vendor, its manifest, and the reconciliation of the vendor's certificate against it, serial by serial.
    """
    number = models.CharField(
        verbose_name=_('number'),
        max_length=50,
        unique=True,
        blank=True,
        help_text=_('Leave empty to assign the next number of the configured format'),
    )
    status = models.CharField(
        verbose_name=_('status'),
        max_length=30,
        choices=HandoverStatusChoices,
        default=HandoverStatusChoices.STATUS_PLANNED,
        editable=False,
    )
    site = models.ForeignKey(
        to='dcim.Site',
        on_delete=models.PROTECT,
        related_name='decommission_handovers',
        verbose_name=_('site'),
        help_text=_('The site the items leave from: each must be in custody there'),
    )
    vendor = models.ForeignKey(
        to='netbox_decommission.StorageLocation',
        on_delete=models.PROTECT,
        related_name='handovers',
        verbose_name=_('disposal vendor'),
        help_text=_('A storage location of kind "Disposal vendor"'),
    )
    pickup_date = models.DateField(verbose_name=_('pickup date'))
    handed_over_by = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='decommission_handovers',
        blank=True,
        null=True,
        verbose_name=_('handed over by'),
    )
    received_by = models.CharField(
        verbose_name=_('received by'),
        max_length=200,
        blank=True,
        help_text=_("The vendor's representative who received the items: full name and position"),
    )
    handed_over_at = models.DateTimeField(verbose_name=_('handed over at'), blank=True, null=True, editable=False)
    closed_at = models.DateTimeField(verbose_name=_('closed at'), blank=True, null=True, editable=False)

    clone_fields = ('site', 'vendor', 'pickup_date', 'received_by')

    class Meta:
        ordering = ('-pickup_date', '-pk')
        verbose_name = _('hand-over')
        verbose_name_plural = _('hand-overs')

    def __str__(self):
        return self.number or _('Hand-over {pk}').format(pk=self.pk)

    def get_status_color(self):
        return HandoverStatusChoices.colors.get(self.status)

    def clean(self):
        super().clean()
        if self.vendor_id and self.vendor.kind != StorageLocationKindChoices.KIND_VENDOR:
            raise ValidationError({'vendor': _(
                '"{location}" is a storage location of kind "{kind}"; choose one of kind "{vendor}".'
            ).format(location=self.vendor, kind=self.vendor.get_kind_display(),
                     vendor=dict(StorageLocationKindChoices)[StorageLocationKindChoices.KIND_VENDOR])})
        stored = Handover.objects.filter(pk=self.pk).values('status', 'site', 'vendor').first() if self.pk else None
        if stored and stored['status'] != HandoverStatusChoices.STATUS_PLANNED:
            for field in ('site', 'vendor'):
                if getattr(self, f'{field}_id') != stored[field]:
                    raise ValidationError({field: _(
                        'The items were handed over: the {field} of the hand-over can no longer be changed.'
                    ).format(field=self._meta.get_field(field).verbose_name)})
        if self.number and not Handover.objects.filter(pk=self.pk, number=self.number).exists():
            number_format = NumberFormat(get_setting('handover_number_format'))
            if not number_format.matches(self.number):
                raise ValidationError({'number': _(
                    '"{number}" does not match the configured number format "{format}" (for example '
                    '"{example}"). Correct it, or leave the field empty to assign the next number.'
                ).format(number=self.number, format=number_format.pattern, example=number_format.example)})

    def delete(self, *args, **kwargs):
        # Once handed over, the hand-over is the record of where the items went (and of the certificates): it stays.
        # NetBox's delete views and API answer AbortRequest with its message (400 in the API).
        stored = Handover.objects.filter(pk=self.pk).values_list('status', flat=True).first()
        if stored and stored != HandoverStatusChoices.STATUS_PLANNED:
            raise AbortRequest(escape(_(
                'Hand-over {number} was handed over: it is the record of where its items went, and is kept. Only a '
                'planned hand-over can be deleted.'
            ).format(number=self.number)))
        return super().delete(*args, **kwargs)

    def save(self, *args, **kwargs):
        # A number left empty is the next of handover_number_format, whatever the path (form, import, REST API).
        with transaction.atomic():
            if not self.number:
                self.number = allocate_number(
                    Handover.objects.all(), 'number', NumberFormat(get_setting('handover_number_format')),
                    scope=NUMBER_SCOPE, year=timezone.now().year,
                )
            super().save(*args, **kwargs)


class HandoverItem(ChangeLoggedModel):
    """
    One item of a hand-over: a removed component, or a server (its decommission), with what the manifest prints of
    it frozen at hand-over, and where it stands against the vendor's certificate.
    """
    handover = models.ForeignKey(
        to='netbox_decommission.Handover',
        on_delete=models.CASCADE,
        related_name='items',
        verbose_name=_('hand-over'),
    )
    component = models.ForeignKey(
        to='netbox_decommission.RemovedComponent',
        on_delete=models.PROTECT,
        related_name='handover_items',
        blank=True,
        null=True,
        verbose_name=_('component'),
    )
    decommission = models.ForeignKey(
        to='netbox_decommission.Decommission',
        on_delete=models.PROTECT,
        related_name='handover_items',
        blank=True,
        null=True,
        verbose_name=_('server'),
        help_text=_('The decommission whose server itself is handed over'),
    )
    serial = models.CharField(verbose_name=_('serial number'), max_length=50, blank=True)
    description = models.CharField(verbose_name=_('description'), max_length=200, blank=True)
    weight = models.DecimalField(verbose_name=_('weight (kg)'), **WEIGHT)
    package_label = models.CharField(verbose_name=_('package label'), max_length=100, blank=True)
    seal_number = models.CharField(verbose_name=_('tamper seal'), max_length=50, blank=True)
    reconciliation = models.CharField(
        verbose_name=_('reconciliation'),
        max_length=30,
        choices=ReconciliationStateChoices,
        default=ReconciliationStateChoices.STATE_PENDING,
    )
    certificate_method = models.CharField(
        verbose_name=_('certified method'), max_length=30, choices=CertificateMethodChoices, blank=True
    )
    certificate_date = models.DateField(verbose_name=_('certified date'), blank=True, null=True)
    certificate_number = models.CharField(verbose_name=_('certificate number'), max_length=100, blank=True)
    exception_reason = models.TextField(
        verbose_name=_('exception'),
        blank=True,
        help_text=_('Why the hand-over closes although the certificate does not account for this item'),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('handover', 'pk')
        verbose_name = _('hand-over item')
        verbose_name_plural = _('hand-over items')
        constraints = (
            models.CheckConstraint(
                condition=models.Q(component__isnull=True) ^ models.Q(decommission__isnull=True),
                name='netbox_decommission_handoveritem_component_xor_server',
            ),
            models.UniqueConstraint(
                fields=('handover', 'component'), name='netbox_decommission_handoveritem_unique_component'
            ),
            models.UniqueConstraint(
                fields=('handover', 'decommission'), name='netbox_decommission_handoveritem_unique_server'
            ),
        )

    def __str__(self):
        return f'{self.description} ({self.serial})' if self.serial else self.description

    def get_reconciliation_color(self):
        return ReconciliationStateChoices.colors.get(self.reconciliation)


class HandoverCertificate(models.Model):
    """
    One certificate of destruction or recycling the vendor returned for a hand-over, as it was read: who uploaded
    it, when, and the result of matching it serial by serial (matched, missing, unknown rows).
    """
    handover = models.ForeignKey(
        to='netbox_decommission.Handover',
        on_delete=models.CASCADE,
        related_name='certificates',
        verbose_name=_('hand-over'),
    )
    file_name = models.CharField(verbose_name=_('file name'), max_length=200, blank=True)
    sha256 = models.CharField(verbose_name=_('SHA-256'), max_length=64)
    uploaded_by = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='+',
        blank=True,
        null=True,
        verbose_name=_('uploaded by'),
    )
    uploaded_at = models.DateTimeField(verbose_name=_('uploaded at'), auto_now_add=True)
    rows = models.PositiveIntegerField(verbose_name=_('rows'), default=0)
    result = models.JSONField(verbose_name=_('result'), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('handover', '-uploaded_at', '-pk')
        verbose_name = _('hand-over certificate')
        verbose_name_plural = _('hand-over certificates')

    def __str__(self):
        return self.file_name or str(self.pk)
