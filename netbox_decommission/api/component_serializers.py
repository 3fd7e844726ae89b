"""Request bodies and read-only views of the component endpoints: disposition and the chain of custody."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dcim.models import Device
from netbox.api.fields import ChoiceField
from users.api.serializers import UserSerializer

from ..choices import ComponentStatusChoices
from ..disposition import DISPOSITIONS
from ..models import CustodyEvent, StorageLocation
from .serializers import DecommissionSerializer, StorageLocationSerializer

__all__ = (
    'CustodyEventSerializer',
    'DisposeRequestSerializer',
)


class DisposeRequestSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(
        choices=[(d, label) for d, label in ComponentStatusChoices if d in DISPOSITIONS],
        help_text=_('reused, transferred or destroyed'),
    )
    device = serializers.PrimaryKeyRelatedField(
        queryset=Device.objects.all(), required=False, allow_null=True, default=None,
        help_text=_('Reuse: the device the part is returned into NetBox on, as an inventory item'),
    )
    spare = serializers.BooleanField(default=False, help_text=_('Reuse: keep the inventory item offline, as a spare'))
    vendor = serializers.PrimaryKeyRelatedField(
        queryset=StorageLocation.objects.all(), required=False, allow_null=True, default=None,
        help_text=_('Transfer: the disposal vendor (a storage location of kind "vendor")'),
    )
    vendor_pickup_date = serializers.DateField(required=False, allow_null=True, default=None)
    vendor_certificate = serializers.CharField(max_length=100, required=False, allow_blank=True, default='')
    date = serializers.DateField(required=False, allow_null=True, default=None, help_text=_('Default: today'))
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default='')


class CustodyEventSerializer(serializers.ModelSerializer):
    decommission = DecommissionSerializer(nested=True, read_only=True)
    component = serializers.SerializerMethodField()
    from_location = StorageLocationSerializer(nested=True, read_only=True, allow_null=True)
    to_location = StorageLocationSerializer(nested=True, read_only=True, allow_null=True)
    user = UserSerializer(nested=True, read_only=True, allow_null=True)
    subject = ChoiceField(choices=(('server', _('Server')), ('component', _('Component'))), read_only=True,
                          source='subject_kind')

    class Meta:
        model = CustodyEvent
        fields = ('id', 'time', 'subject', 'decommission', 'component', 'from_location', 'to_location', 'transfer',
                  'user', 'reason')

    def get_component(self, event) -> dict | None:
        if event.component is None:
            return None
        return {'id': event.component_id, 'name': event.component.name, 'serial': event.component.serial}
