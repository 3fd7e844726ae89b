from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.validators import UniqueValidator

from dcim.api.serializers import (
    DeviceSerializer,
    InventoryItemSerializer,
    LocationSerializer,
    ManufacturerSerializer,
    RackSerializer,
    SiteSerializer,
)
from netbox.api.fields import ChoiceField, RelatedObjectCountField, SerializedPKRelatedField
from netbox.api.serializers import PrimaryModelSerializer
from tenancy.api.serializers import ContactGroupSerializer, TenantSerializer
from users.api.serializers import UserSerializer
from users.models import User

from ..choices import (
    BackupMethodChoices,
    ComponentConditionChoices,
    ComponentKindChoices,
    ComponentSourceChoices,
    ComponentStatusChoices,
    DecommissionReasonChoices,
    DecommissionStatusChoices,
    SanitizationMethodChoices,
    SanitizationStateChoices,
    StorageLocationKindChoices,
)
from ..custody import refused_move
from ..documents.certification import refused_changes
from ..models import Decommission, RemovedComponent, StorageLocation
from ..serials import refused_serial
from ..weights import weight_origin

__all__ = (
    'DecommissionSerializer',
    'RemovedComponentSerializer',
    'StorageLocationSerializer',
)


def _contains_nul(value):
    if isinstance(value, str):
        return '\x00' in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


class RefuseNullCharactersMixin:
    """
    Refuses a NUL character anywhere in a field's value, as Django does in plain text fields (400). NetBox looks up
    related objects and tags by the attributes given and stores custom fields as JSON, and PostgreSQL refuses a NUL
    in either: a server error otherwise, in NetBox's own endpoints too.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {
                name: [ProhibitNullCharactersValidator.message]
                for name, value in data.items() if name in self.fields and _contains_nul(value)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _weight_field():
    return serializers.DecimalField(
        max_digits=10, decimal_places=3, min_value=0, required=False, allow_null=True,
        help_text=_("Weight in kilograms, overriding the type's (null: count the type's weight)"),
    )


class EffectiveWeightField(serializers.DecimalField):
    """The weight the e-waste report counts, in kilograms (weights.py): ``weight``, else ``type_weight``."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=10, decimal_places=3, source='*', read_only=True, allow_null=True, **kwargs)

    def to_representation(self, record):
        weight = weight_origin(record).weight
        return None if weight is None else super().to_representation(weight)


def _nested_user(**kwargs):
    return UserSerializer(nested=True, required=False, allow_null=True, **kwargs)


class StorageLocationSerializer(RefuseNullCharactersMixin, PrimaryModelSerializer):
    kind = ChoiceField(choices=StorageLocationKindChoices)
    site = SiteSerializer(nested=True)
    location = LocationSerializer(nested=True, required=False, allow_null=True)
    rack = RackSerializer(nested=True, required=False, allow_null=True)
    decommission_count = RelatedObjectCountField('decommissions')
    component_count = RelatedObjectCountField('components')

    class Meta:
        model = StorageLocation
        fields = (
            'id', 'url', 'display_url', 'display', 'name', 'kind', 'site', 'location', 'rack', 'capacity',
            'description', 'owner', 'comments', 'tags', 'custom_fields', 'created', 'last_updated',
            'decommission_count', 'component_count',
        )
        brief_fields = ('id', 'url', 'display', 'name', 'kind', 'description')


class Conflict(APIException):
    """
    A write that conflicts with what is recorded, not bad input (409): a change to facts a signed document
    certifies, or a serial number another component in custody carries.
    """
    status_code = status.HTTP_409_CONFLICT
    default_code = 'conflict'


class SnapshotField(serializers.JSONField):
    """
    The snapshot. Its ``records`` (every row of the device, for restore; some hundred kilobytes for a large server)
    are shown by the record's own endpoint, GET decommissions/{id}/, and left out of lists and move answers.
    """

    def to_representation(self, value):
        view = self.context.get('view')
        if value and 'records' in value and getattr(view, 'action', None) != 'retrieve':
            value = {key: section for key, section in value.items() if key != 'records'}
        return super().to_representation(value)


class DecommissionSerializer(RefuseNullCharactersMixin, PrimaryModelSerializer):
    number = serializers.CharField(
        max_length=50, required=False, allow_blank=True,
        # Declaring the field drops the model's uniqueness check, and full_clean() skips it in the API.
        validators=[UniqueValidator(queryset=Decommission.objects.all())],
        help_text=_('Leave empty to assign the next number of the configured format'),
    )
    # Null once the act has retired the device (the record outlives it).
    device = DeviceSerializer(nested=True, required=False, allow_null=True)
    status = ChoiceField(choices=DecommissionStatusChoices, read_only=True)
    reason = ChoiceField(choices=DecommissionReasonChoices)
    site = SiteSerializer(nested=True, read_only=True, allow_null=True)
    rack = RackSerializer(nested=True, read_only=True, allow_null=True)
    tenant = TenantSerializer(nested=True, required=False, allow_null=True)
    requested_by = _nested_user(read_only=True)
    head = _nested_user()
    responsible = _nested_user()
    responsible_team = ContactGroupSerializer(nested=True, required=False, allow_null=True)
    executors = SerializedPKRelatedField(
        queryset=User.objects.all(), serializer=UserSerializer, nested=True, required=False, many=True,
    )
    backup_method = ChoiceField(choices=BackupMethodChoices, required=False, allow_blank=True)
    backup_verified_by = _nested_user()
    storage_location = StorageLocationSerializer(nested=True, required=False, allow_null=True)
    snapshot = SnapshotField(source='device_snapshot', read_only=True, allow_null=True)
    restore_report = serializers.JSONField(read_only=True, allow_null=True)
    # Closing's network check (workflow/network_check.py); null when the setting is off or the record is not closed.
    network_check = serializers.JSONField(read_only=True, allow_null=True)
    component_count = RelatedObjectCountField('components')
    weight = _weight_field()
    effective_weight = EffectiveWeightField(
        help_text=_("The server's weight in kilograms the e-waste report counts: weight, else type_weight"),
    )

    class Meta:
        model = Decommission
        fields = (
            'id', 'url', 'display_url', 'display', 'number', 'device', 'status', 'reason', 'reason_text',
            'device_pk', 'device_name', 'device_serial', 'device_asset_tag', 'device_type_name', 'site', 'rack',
            'rack_name', 'position', 'primary_ip4', 'primary_ip6', 'organization', 'tenant', 'requested_by', 'head',
            'responsible', 'responsible_team', 'executors', 'planned_start', 'planned_end', 'removed_at',
            'backup_method', 'backup_target', 'backup_size_gb', 'backup_verified_by', 'backup_verified_at',
            'backup_waiver_reason', 'services_stopped', 'users_notified', 'powered_off', 'network_disconnected',
            'clone_medium', 'storage_location', 'snapshot', 'restore_report', 'network_check', 'type_weight',
            'weight', 'effective_weight', 'description', 'owner', 'comments', 'tags', 'custom_fields', 'created',
            'last_updated', 'component_count',
        )
        read_only_fields = (
            'device_pk', 'device_name', 'device_serial', 'device_asset_tag', 'device_type_name', 'rack_name',
            'position', 'primary_ip4', 'primary_ip6', 'type_weight',
        )
        brief_fields = ('id', 'url', 'display', 'number', 'status', 'device_name', 'description')

    def validate_device(self, device):
        if device is None:
            # Only the act's retirement clears it.
            raise serializers.ValidationError(_('Choose the device (server) to decommission.'))
        # The frozen identity belongs to one server: once out of draft the device cannot be swapped.
        if (
            self.instance and self.instance.device_id != device.pk
            and self.instance.status != DecommissionStatusChoices.STATUS_DRAFT
        ):
            raise serializers.ValidationError(_(
                'The device of a decommission can only be changed while it is a draft (it is "{status}"). '
                'Cancel this decommission and start a new one for the other device.'
            ).format(status=self.instance.get_status_display()))
        return device

    def validate(self, data):
        if self.instance is not None:
            refused = refused_changes(self.instance, data)
            if refused:
                raise Conflict(' '.join(str(message) for message in refused.values()))
        return super().validate(data)

    def create(self, validated_data):
        request = self.context.get('request')
        if request is not None:
            validated_data.setdefault('requested_by', request.user)
        return super().create(validated_data)


class RemovedComponentSerializer(RefuseNullCharactersMixin, PrimaryModelSerializer):
    decommission = DecommissionSerializer(nested=True)
    kind = ChoiceField(choices=ComponentKindChoices)
    manufacturer = ManufacturerSerializer(nested=True, required=False, allow_null=True)
    source_kind = ChoiceField(choices=ComponentSourceChoices, required=False)
    condition = ChoiceField(choices=ComponentConditionChoices, required=False)
    storage_location = StorageLocationSerializer(nested=True, required=False, allow_null=True)
    status = ChoiceField(choices=ComponentStatusChoices, required=False)
    sanitization_method = ChoiceField(choices=SanitizationMethodChoices, required=False, allow_blank=True)
    sanitization_verified_by = _nested_user()
    sanitized_by = _nested_user()
    inspected_by = _nested_user()
    reused_as = InventoryItemSerializer(nested=True, read_only=True, allow_null=True)
    sanitization_state = ChoiceField(choices=SanitizationStateChoices, read_only=True)
    force = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text=_('Record the component even though its serial is recorded for another live component'),
    )
    transfer = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text=_('Confirm a move to a storage location at another site'),
    )
    weight = _weight_field()
    effective_weight = EffectiveWeightField(
        help_text=_("The part's weight in kilograms the e-waste report counts: weight, else type_weight"),
    )

    class Meta:
        model = RemovedComponent
        fields = (
            'id', 'url', 'display_url', 'display', 'decommission', 'kind', 'name', 'manufacturer', 'part_id',
            'serial', 'asset_tag', 'source_kind', 'source_pk', 'source_name', 'condition', 'condition_notes',
            'inspected_by', 'inspected_at', 'antistatic_packed', 'package_label', 'seal_number', 'storage_location',
            'status', 'is_media', 'sanitization_state', 'data_backed_up', 'backup_location', 'information_system',
            'sanitization_method', 'sanitization_technique', 'sanitization_tool', 'sanitization_tool_version',
            'sanitized_by', 'sanitized_by_title', 'sanitized_on', 'sanitization_verification',
            'sanitization_verified_by', 'sanitization_verified_by_title', 'sanitization_deferred_reason',
            'data_classification', 'post_sanitization_classification', 'media_destination',
            'personal_data_categories', 'data_subject_categories', 'personal_data_processor',
            'disposition_date', 'disposition_reference', 'reused_as', 'vendor_pickup_date', 'vendor_certificate',
            'type_weight', 'weight', 'effective_weight', 'description', 'owner', 'comments', 'tags', 'custom_fields',
            'created', 'last_updated', 'force', 'transfer',
        )
        read_only_fields = ('type_weight',)
        brief_fields = ('id', 'url', 'display', 'name', 'kind', 'serial', 'description')

    def validate(self, data):
        force, transfer = data.pop('force', False), data.pop('transfer', False)
        serial = data.get('serial', getattr(self.instance, 'serial', ''))
        refusal = refused_serial(serial, self.instance or RemovedComponent(), force)
        if refusal:
            raise Conflict(refusal)
        if 'storage_location' in data:
            refusal = refused_move(self.instance or RemovedComponent(), data['storage_location'], transfer,
                                   decommission=data.get('decommission'))
            if refusal:
                raise serializers.ValidationError({'storage_location': refusal})
        return super().validate(data)

# Hand-overs to a disposal vendor (docs/handovers.md): the model's, its items' and certificates' (read through the
# hand-over; NetBox's change log and events serialize items with these), and the bodies of its operations.
from ..choices import CertificateMethodChoices, HandoverStatusChoices, ReconciliationStateChoices  # noqa: E402
from ..handovers.certificate import ENCODINGS  # noqa: E402
from ..models import Handover, HandoverCertificate, HandoverItem  # noqa: E402

__all__ += (
    'HandoverAddItemsSerializer',
    'HandoverCertificateSerializer',
    'HandoverCertificateUploadSerializer',
    'HandoverCloseSerializer',
    'HandoverItemSerializer',
    'HandoverRemoveItemsSerializer',
    'HandoverSerializer',
)


class HandoverItemSerializer(serializers.ModelSerializer):
    component = RemovedComponentSerializer(nested=True, read_only=True, allow_null=True)
    decommission = DecommissionSerializer(nested=True, read_only=True, allow_null=True)
    reconciliation = ChoiceField(choices=ReconciliationStateChoices, read_only=True)
    certificate_method = ChoiceField(choices=CertificateMethodChoices, read_only=True, allow_blank=True)

    class Meta:
        model = HandoverItem
        fields = (
            'id', 'component', 'decommission', 'serial', 'description', 'weight', 'package_label', 'seal_number',
            'reconciliation', 'certificate_method', 'certificate_date', 'certificate_number', 'exception_reason',
            'created', 'last_updated',
        )
        read_only_fields = fields


class HandoverCertificateSerializer(serializers.ModelSerializer):
    uploaded_by = UserSerializer(nested=True, read_only=True, allow_null=True)

    class Meta:
        model = HandoverCertificate
        fields = ('id', 'file_name', 'sha256', 'uploaded_by', 'uploaded_at', 'rows', 'result')
        read_only_fields = fields


class HandoverSerializer(RefuseNullCharactersMixin, PrimaryModelSerializer):
    number = serializers.CharField(
        max_length=50, required=False, allow_blank=True,
        help_text=_('Leave empty to assign the next number of the configured format'),
    )
    status = ChoiceField(choices=HandoverStatusChoices, read_only=True)
    site = SiteSerializer(nested=True)
    vendor = StorageLocationSerializer(nested=True)
    handed_over_by = UserSerializer(nested=True, read_only=True, allow_null=True)
    items = HandoverItemSerializer(many=True, read_only=True)
    total_weight = serializers.SerializerMethodField(read_only=True)

    class Meta:
        model = Handover
        fields = (
            'id', 'url', 'display_url', 'display', 'number', 'status', 'site', 'vendor', 'pickup_date',
            'handed_over_by', 'handed_over_at', 'received_by', 'closed_at', 'items', 'total_weight', 'description',
            'owner', 'comments', 'tags', 'custom_fields', 'created', 'last_updated',
        )
        brief_fields = ('id', 'url', 'display', 'number', 'status', 'pickup_date', 'description')

    def get_total_weight(self, obj) -> str | None:
        """The sum of the items' frozen weights in kilograms (from the hand-over on; null before)."""
        weights = [item.weight for item in obj.items.all() if item.weight is not None]
        return f'{sum(weights):.3f}' if weights else None

    def validate(self, data):
        data = super().validate(data)
        number = data.get('number')
        if number and Handover.objects.exclude(pk=getattr(self.instance, 'pk', None)).filter(number=number).exists():
            raise serializers.ValidationError({'number': _(
                'Hand-over number "{number}" is taken: choose another, or leave it empty to assign the next.'
            ).format(number=number)})
        return data


class HandoverAddItemsSerializer(serializers.Serializer):
    components = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                       help_text=_('IDs of removed components'))
    decommissions = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                          default=list, help_text=_('IDs of decommissions whose server goes'))


class HandoverRemoveItemsSerializer(serializers.Serializer):
    item = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False,
                                  help_text=_('IDs of the hand-over\'s items'))


class HandoverCertificateUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_('The certificate as a CSV file'))
    encoding = serializers.ChoiceField(choices=ENCODINGS, default='utf-8')
    serial_column = serializers.CharField(required=False, allow_blank=True, default='', max_length=100)
    method_column = serializers.CharField(required=False, allow_blank=True, default='', max_length=100)
    date_column = serializers.CharField(required=False, allow_blank=True, default='', max_length=100)
    number_column = serializers.CharField(required=False, allow_blank=True, default='', max_length=100)
    certificate_number = serializers.CharField(required=False, allow_blank=True, default='', max_length=100)


class HandoverExceptionSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=2000)


class HandoverCloseSerializer(serializers.Serializer):
    exceptions = HandoverExceptionSerializer(many=True, required=False, default=list)
