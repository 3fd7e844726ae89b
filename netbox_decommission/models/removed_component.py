from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netbox.models import PrimaryModel

from ..choices import (
    FINAL_COMPONENT_STATUSES,
    MEDIA_KINDS,
    ComponentConditionChoices,
    ComponentKindChoices,
    ComponentSourceChoices,
    ComponentStatusChoices,
    MediaDestinationChoices,
    SanitizationMethodChoices,
    SanitizationStateChoices,
)
from .custody_event import CustodyEvent, stored_location


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

    # The module type's weight in kilograms, frozen when the part is harvested from a module (NetBox's inventory
    # items have none); ``weight`` overrides it, or gives the weight where the type has none.
    type_weight = models.DecimalField(
        verbose_name=_('type weight (kg)'), max_digits=10, decimal_places=3, blank=True, null=True, editable=False
    )
    weight = models.DecimalField(
        verbose_name=_('weight (kg)'),
        max_digits=10,
        decimal_places=3,
        blank=True,
        null=True,
        help_text=_('The part\'s weight in kilograms, where its module type records none (or to correct it)'),
    )

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
    inspected_by = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='inspected_components',
        blank=True,
        null=True,
        verbose_name=_('inspected by'),
    )
    inspected_at = models.DateTimeField(verbose_name=_('inspected at'), blank=True, null=True)
    antistatic_packed = models.BooleanField(verbose_name=_('in anti-static packaging'), default=False)
    package_label = models.CharField(verbose_name=_('package label'), max_length=100, blank=True)
    seal_number = models.CharField(
        verbose_name=_('tamper seal'), max_length=50, blank=True, help_text=_('Number of the tamper-evident seal')
    )
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
    is_media = models.BooleanField(
        verbose_name=_('storage medium'),
        default=False,
        help_text=_('Holds data and must be sanitized (always true for disks and SSDs)'),
    )
    data_backed_up = models.BooleanField(verbose_name=_('data backed up'), blank=True, null=True)
    backup_location = models.CharField(
        verbose_name=_('backup location'), max_length=200, blank=True, help_text=_('Where the data was backed up')
    )
    information_system = models.CharField(
        verbose_name=_('information system'),
        max_length=200,
        blank=True,
        help_text=_('The information system whose data the medium held (printed on the act of destruction)'),
    )
    # The facts of personal data on the medium that the act of destruction of personal data prints (Roskomnadzor
    # order No. 179): what is destroyed, whose it is, and who processed it on the operator's behalf.
    personal_data_categories = models.TextField(
        verbose_name=_('categories of personal data'),
        blank=True,
        help_text=_('The categories of personal data the medium held (empty: none)'),
    )
    data_subject_categories = models.TextField(
        verbose_name=_('data subjects'),
        blank=True,
        help_text=_('The data subjects, or their categories, whose personal data the medium held'),
    )
    personal_data_processor = models.TextField(
        verbose_name=_('processor of personal data'),
        blank=True,
        help_text=_('Name and address of the person processing the data on the operator\'s behalf, where it was '
                    'delegated'),
    )
    data_classification = models.CharField(
        verbose_name=pgettext_lazy('data', 'classification'),
        max_length=100,
        blank=True,
        help_text=_('Security classification of the data the medium held, as your organization grades it'),
    )
    post_sanitization_classification = models.CharField(
        verbose_name=_('post-sanitization classification'),
        max_length=100,
        blank=True,
    )
    media_destination = models.CharField(
        verbose_name=_('media destination'),
        max_length=30,
        choices=MediaDestinationChoices,
        blank=True,
        help_text=_('Where the sanitized medium goes; empty: read from its disposition'),
    )
    sanitization_method = models.CharField(
        verbose_name=_('sanitization method'), max_length=30, choices=SanitizationMethodChoices, blank=True
    )
    sanitization_technique = models.CharField(
        verbose_name=_('sanitization technique'),
        max_length=100,
        blank=True,
        help_text=_('e.g. overwrite, ATA Secure Erase, cryptographic erase, degauss, shred'),
    )
    sanitization_tool = models.CharField(verbose_name=_('sanitization tool'), max_length=100, blank=True)
    sanitization_tool_version = models.CharField(verbose_name=_('tool version'), max_length=50, blank=True)
    sanitized_by = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='performed_sanitizations',
        blank=True,
        null=True,
        verbose_name=_('sanitized by'),
    )
    sanitized_by_title = models.CharField(verbose_name=_('position of the person who sanitized'), max_length=100,
                                          blank=True)
    sanitized_on = models.DateField(verbose_name=_('sanitization date'), blank=True, null=True)
    sanitization_verification = models.CharField(
        verbose_name=_('verification method'),
        max_length=100,
        blank=True,
        help_text=_('How the result was verified, e.g. full read-back, sampling'),
    )
    sanitization_verified_by = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='verified_sanitizations',
        blank=True,
        null=True,
        verbose_name=_('sanitization verified by'),
    )
    sanitization_verified_by_title = models.CharField(
        verbose_name=_('position of the verifier'), max_length=100, blank=True
    )
    sanitization_deferred_reason = models.TextField(
        verbose_name=_('reason to sanitize later'),
        blank=True,
        help_text=_('The medium is sealed (tamper seal) and sanitized later, e.g. by the disposal vendor'),
    )

    # Final disposition
    disposition_date = models.DateField(verbose_name=_('disposition date'), blank=True, null=True)
    disposition_reference = models.CharField(
        verbose_name=_('disposition document'),
        max_length=100,
        blank=True,
        help_text=_('Reference of the document recording the reuse, transfer or destruction'),
    )
    reused_as = models.ForeignKey(
        to='dcim.InventoryItem',
        on_delete=models.SET_NULL,
        related_name='+',
        blank=True,
        null=True,
        verbose_name=_('reused as'),
        help_text=_('The inventory item the part became when it was returned into NetBox'),
    )
    vendor_pickup_date = models.DateField(verbose_name=_('vendor pickup date'), blank=True, null=True)
    vendor_certificate = models.CharField(
        verbose_name=_('vendor certificate'),
        max_length=100,
        blank=True,
        help_text=_("Reference of the disposal vendor's certificate of recycling or destruction"),
    )

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

    @property
    def sanitization_state(self):
        if not self.is_media:
            return SanitizationStateChoices.STATE_NOT_MEDIA
        if self.sanitization_method and self.sanitized_on:
            if self.sanitization_verified_by_id:
                return SanitizationStateChoices.STATE_VERIFIED
            return SanitizationStateChoices.STATE_SANITIZED
        if self.sanitization_deferred_reason:
            return SanitizationStateChoices.STATE_DEFERRED
        return SanitizationStateChoices.STATE_PENDING

    def get_sanitization_state_display(self):
        return dict(SanitizationStateChoices)[self.sanitization_state]

    def get_sanitization_state_color(self):
        return SanitizationStateChoices.colors.get(self.sanitization_state)

    @property
    def is_final(self):
        return self.status in FINAL_COMPONENT_STATUSES

    def save(self, *args, record_custody=True, **kwargs):
        """
        A change of the storage location made by an edit (the form, bulk edit, import, the REST API) is recorded
        here, with the request's user and change-log message. custody.move() saves with ``record_custody=False``:
        it writes the event itself, with the user and the reason it was given.
        """
        if self.kind in MEDIA_KINDS:
            self.is_media = True
        if not record_custody:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            previous = stored_location(self)
            super().save(*args, **kwargs)
            CustodyEvent.record_edit(self, previous, component=self)

    def clean(self):
        super().clean()
        # Whatever the path; the move to another site is checked by each path with its "transfer" flag.
        errors = self.destroyed_refusals(self.storage_location_id)
        errors.update(self.validation_refusals())
        if errors:
            raise ValidationError(errors)

    def validation_refusals(self):
        """
        Separation of duties in the NIST SP 800-88 validation block: the person who validates the sanitization is
        not the one who performed it.
        """
        if self.sanitized_by_id and self.sanitized_by_id == self.sanitization_verified_by_id:
            return {'sanitization_verified_by': _(
                '{user} sanitized {component}; the sanitization is validated by a second person. Choose another '
                'user, or leave it empty until they have validated it.'
            ).format(user=self.sanitized_by, component=self)}
        return {}

    def destroyed_refusals(self, location_id):
        """
        Field errors for a change to a destroyed component, unconditional (clean() and custody.move()): it no longer
        moves (to ``location_id``), and it cannot be reused, stored or transferred any more.
        """
        if self.pk is None:
            return {}
        stored = RemovedComponent.objects.filter(pk=self.pk).values('status', 'storage_location').first()
        if not stored or stored['status'] != ComponentStatusChoices.STATUS_DESTROYED:
            return {}
        if location_id != stored['storage_location']:
            return {'storage_location': _(
                '{component} was destroyed; a destroyed component cannot be moved.').format(component=self)}
        if self.status != ComponentStatusChoices.STATUS_DESTROYED:
            return {'status': _(
                '{component} was destroyed; it cannot be reused, stored or transferred any more.'
            ).format(component=self)}
        return {}
