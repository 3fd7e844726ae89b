from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netbox.models import PrimaryModel
from utilities.querysets import RestrictedQuerySet

from ..choices import BackupMethodChoices, DecommissionReasonChoices, DecommissionStatusChoices, DocumentKindChoices
from ..numbering import NumberFormat, allocate_number
from ..plugin_settings import get_setting
from ..weights import kilograms
from .custody_event import CustodyEvent, stored_location
from .document import Document

NUMBER_SCOPE = 'decommission'


def default_organization():
    return get_setting('organization_name')


class DecommissionQuerySet(RestrictedQuerySet):

    def open(self):
        return self.exclude(status__in=DecommissionStatusChoices.FINISHED)


class Decommission(PrimaryModel):
    """One server's decommissioning: the workflow record that outlives the device it retires."""
    number = models.CharField(
        verbose_name=_('number'),
        max_length=50,
        unique=True,
        blank=True,
        help_text=_('Leave empty to assign the next number of the configured format'),
    )
    device = models.ForeignKey(
        to='dcim.Device',
        on_delete=models.SET_NULL,
        related_name='decommissions',
        blank=True,
        null=True,
        verbose_name=_('device'),
    )
    status = models.CharField(
        verbose_name=_('status'),
        max_length=30,
        choices=DecommissionStatusChoices,
        default=DecommissionStatusChoices.STATUS_DRAFT,
    )
    reason = models.CharField(verbose_name=_('reason'), max_length=30, choices=DecommissionReasonChoices)
    reason_text = models.TextField(
        verbose_name=_('reason details'),
        blank=True,
        help_text=_('What makes the server unnecessary: analysis of its status and usage'),
    )

    # The device's identity, frozen when the record is created so that it survives the device.
    device_pk = models.PositiveBigIntegerField(
        verbose_name=_('NetBox device ID'), blank=True, null=True, editable=False
    )
    device_name = models.CharField(verbose_name=_('device name'), max_length=64, blank=True, editable=False)
    device_serial = models.CharField(verbose_name=_('serial number'), max_length=50, blank=True, editable=False)
    device_asset_tag = models.CharField(verbose_name=_('asset tag'), max_length=50, blank=True, editable=False)
    device_type_name = models.CharField(verbose_name=_('device type'), max_length=200, blank=True, editable=False)
    # The device type's weight in kilograms (NetBox's weight and unit, converted), frozen with the identity: the
    # e-waste report counts it after the device and even its type are gone.
    type_weight = models.DecimalField(
        verbose_name=_('type weight (kg)'), max_digits=10, decimal_places=3, blank=True, null=True, editable=False
    )
    weight = models.DecimalField(
        verbose_name=_('weight (kg)'),
        max_digits=10,
        decimal_places=3,
        blank=True,
        null=True,
        help_text=_("The server's weight in kilograms, where its device type records none (or to correct it)"),
    )
    site = models.ForeignKey(
        to='dcim.Site',
        on_delete=models.SET_NULL,
        related_name='decommissions',
        blank=True,
        null=True,
        editable=False,
        verbose_name=_('site'),
    )
    rack = models.ForeignKey(
        to='dcim.Rack',
        on_delete=models.SET_NULL,
        related_name='decommissions',
        blank=True,
        null=True,
        editable=False,
        verbose_name=_('rack'),
    )
    rack_name = models.CharField(verbose_name=_('rack name'), max_length=100, blank=True, editable=False)
    position = models.DecimalField(
        verbose_name=_('position (U)'), max_digits=4, decimal_places=1, blank=True, null=True, editable=False
    )
    primary_ip4 = models.CharField(verbose_name=_('primary IPv4'), max_length=64, blank=True, editable=False)
    primary_ip6 = models.CharField(verbose_name=_('primary IPv6'), max_length=64, blank=True, editable=False)

    # People
    organization = models.CharField(
        verbose_name=_('organization'),
        max_length=200,
        blank=True,
        default=default_organization,
        help_text=_('Full name of the organization, as printed on the documents'),
    )
    tenant = models.ForeignKey(
        to='tenancy.Tenant',
        on_delete=models.SET_NULL,
        related_name='decommissions',
        blank=True,
        null=True,
        verbose_name=_('tenant'),
    )
    requested_by = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='requested_decommissions',
        blank=True,
        null=True,
        verbose_name=_('requested by'),
    )
    head = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='headed_decommissions',
        blank=True,
        null=True,
        verbose_name=_('head'),
        help_text=_('Head of the organization or department who approves and signs the documents'),
    )
    responsible = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='responsible_decommissions',
        blank=True,
        null=True,
        verbose_name=_('responsible'),
        help_text=_('Person responsible for the removal; co-signs the order'),
    )
    responsible_team = models.ForeignKey(
        to='tenancy.ContactGroup',
        on_delete=models.SET_NULL,
        related_name='decommissions',
        blank=True,
        null=True,
        verbose_name=_('responsible team'),
    )
    executors = models.ManyToManyField(
        to='users.User',
        related_name='executed_decommissions',
        blank=True,
        verbose_name=_('executors'),
        help_text=_('People who physically remove the server; they sign the act'),
    )

    # Window
    planned_start = models.DateTimeField(verbose_name=_('planned start'), blank=True, null=True)
    planned_end = models.DateTimeField(verbose_name=_('planned end'), blank=True, null=True)
    # RFC 5545 SEQUENCE of the window's calendar event (calendar/): counts the re-schedulings, so that subscribed
    # calendar programs replace the event they hold.
    window_sequence = models.PositiveIntegerField(verbose_name=_('window revision'), default=0, editable=False)
    removed_at = models.DateTimeField(verbose_name=_('actual removal time'), blank=True, null=True)

    # Backup
    backup_method = models.CharField(
        verbose_name=_('backup method'), max_length=30, choices=BackupMethodChoices, blank=True
    )
    backup_target = models.CharField(
        verbose_name=_('backup target'), max_length=200, blank=True, help_text=_('Where the backup is kept')
    )
    backup_size_gb = models.DecimalField(
        verbose_name=_('backup size (GB)'), max_digits=12, decimal_places=2, blank=True, null=True
    )
    backup_verified_by = models.ForeignKey(
        to='users.User',
        on_delete=models.SET_NULL,
        related_name='verified_decommission_backups',
        blank=True,
        null=True,
        verbose_name=_('restore verified by'),
    )
    backup_verified_at = models.DateTimeField(verbose_name=_('restore verified at'), blank=True, null=True)
    backup_waiver_reason = models.TextField(
        verbose_name=_('backup waiver reason'),
        blank=True,
        help_text=_('Why no backup is needed (e.g. the server holds no data)'),
    )

    # Shutdown checklist
    services_stopped = models.BooleanField(verbose_name=_('services stopped'), default=False)
    users_notified = models.BooleanField(verbose_name=_('users notified'), default=False)
    powered_off = models.BooleanField(verbose_name=_('powered off'), default=False)
    network_disconnected = models.BooleanField(verbose_name=_('disconnected from the network'), default=False)
    clone_medium = models.CharField(
        verbose_name=_('clone medium'),
        max_length=200,
        blank=True,
        help_text=_('Reliable medium the server was cloned to, if it was cloned'),
    )

    network_check = models.JSONField(
        verbose_name=_('network check'),
        blank=True,
        null=True,
        editable=False,
        help_text=_("Closing's check that the retired server's addresses no longer answer, with its results"),
    )

    storage_location = models.ForeignKey(
        to='netbox_decommission.StorageLocation',
        on_delete=models.PROTECT,
        related_name='decommissions',
        blank=True,
        null=True,
        verbose_name=_('storage location'),
        help_text=_('Where the server itself was moved (removal zone)'),
    )
    # Not named "snapshot": that would shadow ChangeLoggingMixin.snapshot(), which NetBox calls before every edit
    # and deletion to record the change log's pre-change data. The REST API still names it "snapshot".
    device_snapshot = models.JSONField(
        verbose_name=_('snapshot'),
        blank=True,
        null=True,
        editable=False,
        help_text=_('Everything NetBox knew about the device when it was retired'),
    )

    device_status_before = models.CharField(
        verbose_name=_('device status before'),
        max_length=50,
        blank=True,
        editable=False,
        help_text=_("The device's status when the order was signed; restored if the decommission is cancelled"),
    )
    cancel_reason = models.TextField(verbose_name=_('cancellation reason'), blank=True, editable=False)
    restore_report = models.JSONField(
        verbose_name=_('restore report'),
        blank=True,
        null=True,
        editable=False,
        help_text=_('What the restore brought back from the snapshot, and what it did not, with the reason'),
    )

    objects = DecommissionQuerySet.as_manager()

    clone_fields = (
        'reason', 'reason_text', 'organization', 'tenant', 'head', 'responsible', 'responsible_team', 'executors',
        'planned_start', 'planned_end', 'storage_location',
    )

    class Meta:
        ordering = ('-created', '-pk')
        # The codename is the action, as in NetBox core (DataSource's "sync"): NetBox offers it as a checkbox in the
        # object permission form, and has_perm('netbox_decommission.sign_decommission') checks that action.
        permissions = (
            ('sign', 'Sign decommission documents'),
            ('restore', 'Restore the retired device from its snapshot'),
        )
        verbose_name = _('decommission')
        verbose_name_plural = _('decommissions')
        constraints = (
            models.UniqueConstraint(
                fields=('device',),
                condition=~models.Q(status__in=DecommissionStatusChoices.FINISHED),
                name='netbox_decommission_decommission_unique_open_device',
                violation_error_code='unique',
                violation_error_message=_(
                    'This device already has an open decommission. Continue that one, or close or cancel it '
                    'before starting another.'
                ),
            ),
        )

    def __str__(self):
        return f'{self.number} ({self.device_name or self.device_pk or "—"})' if self.number else super().__str__()

    def get_status_color(self):
        return DecommissionStatusChoices.colors.get(self.status)

    @property
    def is_open(self):
        return self.status not in DecommissionStatusChoices.FINISHED

    @property
    def device_deleted(self):
        return self.device_id is None and self.device_pk is not None

    # What freeze_device_identity() reads of the device besides its own row: a batch loads them with its devices.
    FROZEN_DEVICE_RELATIONS = ('device_type__manufacturer', 'site', 'rack', 'primary_ip4', 'primary_ip6')

    def freeze_device_identity(self):
        device = self.device
        self.device_pk = device.pk
        self.device_name = device.name or ''
        self.device_serial = device.serial
        self.device_asset_tag = device.asset_tag or ''
        self.device_type_name = device.device_type.full_name
        self.type_weight = kilograms(device.device_type.weight, device.device_type.weight_unit)
        self.site = device.site
        self.rack = device.rack
        self.rack_name = device.rack.name if device.rack else ''
        self.position = device.position
        self.primary_ip4 = str(device.primary_ip4.address) if device.primary_ip4 else ''
        self.primary_ip6 = str(device.primary_ip6.address) if device.primary_ip6 else ''

    def clean(self):
        super().clean()
        if not self.device_id and self._state.adding:
            raise ValidationError({'device': _('Choose the device (server) to decommission.')})
        # Also enforced by the unique_open_device constraint, but Django skips validating that constraint
        # wherever "status" is not a form field (the edit and import forms), which ended in an IntegrityError.
        if self.device_id and self.is_open:
            if Decommission.objects.filter(device_id=self.device_id).open().exclude(pk=self.pk).exists():
                raise ValidationError({'device': _(
                    'This device already has an open decommission. Continue that one, or close or cancel it '
                    'before starting another.'
                )})
        if self.number and self._number_changed():
            number_format = NumberFormat(get_setting('number_format'))
            if not number_format.matches(self.number):
                raise ValidationError({'number': _(
                    '"{number}" does not match the configured number format "{format}" (for example '
                    '"{example}"). Correct it, or leave the field empty to assign the next number.'
                ).format(number=self.number, format=number_format.pattern, example=number_format.example)})
        if not self._state.adding:
            self._refuse_certified_changes()
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError({'planned_end': _(
                'The planned end is before the planned start; set it later than {start}.'
            ).format(start=self.planned_start)})

    def _refuse_certified_changes(self):
        from ..documents.certification import CERTIFIED_FIELDS, MANY_TO_MANY, refused_changes

        fields = [f for names in CERTIFIED_FIELDS.values() for f in names if f not in MANY_TO_MANY]
        refused = refused_changes(self, {f: getattr(self, self._meta.get_field(f).attname) for f in fields})
        if refused:
            raise ValidationError(refused)

    def _number_changed(self):
        if self._state.adding:
            return True
        return not Decommission.objects.filter(pk=self.pk, number=self.number).exists()

    def save(self, *args, record_custody=True, **kwargs):
        """
        A new record comes with its drafted order, however it is created (the form, the import, the REST API, a
        bulk start, the demo data; loaddata saves raw, past this method). A change of the server's storage location
        made by an edit is recorded here, with the request's user and change-log message; custody.move() saves
        with ``record_custody=False`` and writes the event itself, with the user and the reason it was given.
        """
        # No savepoint of its own inside the caller's transaction, as Django's Model.save_base(): an error rolls the
        # caller's transaction back whole. A batch (bulk.py) saves many records, each in its own transaction.
        with transaction.atomic(savepoint=False):
            created = self._state.adding
            previous = stored_location(self) if record_custody else None
            if self.device_id and self.device_id != self.device_pk:
                self.freeze_device_identity()
            if not self.number:
                self.number = allocate_number(
                    Decommission.objects.all(), 'number', NumberFormat(get_setting('number_format')),
                    scope=NUMBER_SCOPE, year=timezone.now().year,
                )
            super().save(*args, **kwargs)
            if record_custody:
                CustodyEvent.record_edit(self, previous)
            if created:
                Document.objects.create(decommission=self, kind=DocumentKindChoices.KIND_ORDER)
