"""The REST API's serializers of hand-overs to a disposal vendor and of their operations (handovers/)."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dcim.api.serializers import SiteSerializer
from netbox.api.fields import ChoiceField
from netbox.api.serializers import PrimaryModelSerializer
from users.api.serializers import UserSerializer

from ..choices import CertificateMethodChoices, HandoverStatusChoices, ReconciliationStateChoices
from ..handovers.certificate import ENCODINGS
from ..models import Handover, HandoverCertificate, HandoverItem
from .serializers import (
    DecommissionSerializer,
    RefuseNullCharactersMixin,
    RemovedComponentSerializer,
    StorageLocationSerializer,
)

__all__ = (
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
    items = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False,
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
