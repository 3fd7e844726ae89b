"""Request bodies of the workflow actions and the read-only views of documents and the stage log."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from netbox.api.fields import ChoiceField
from users.api.serializers import UserSerializer

from ..choices import BackupMethodChoices, DecommissionStatusChoices, DocumentKindChoices, SignatureRoleChoices
from ..models import Document, Signature, StageChange, StorageLocation

__all__ = (
    'BackupRequestSerializer',
    'CancelRequestSerializer',
    'CommentRequestSerializer',
    'DocumentSerializer',
    'ScheduleRequestSerializer',
    'ShutdownRequestSerializer',
    'SignRequestSerializer',
    'StageChangeSerializer',
    'StoreRequestSerializer',
)


class CommentRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default='')


class SignRequestSerializer(CommentRequestSerializer):
    document = serializers.ChoiceField(choices=DocumentKindChoices, help_text=_('order, application or act'))
    role = serializers.ChoiceField(choices=SignatureRoleChoices, help_text=_('head, responsible or executor'))


class ScheduleRequestSerializer(CommentRequestSerializer):
    planned_start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField()


class BackupRequestSerializer(CommentRequestSerializer):
    method = serializers.ChoiceField(choices=BackupMethodChoices, required=False, allow_blank=True, default='')
    target = serializers.CharField(max_length=200, required=False, allow_blank=True, default='')
    size_gb = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)
    verified = serializers.BooleanField(default=False, help_text=_('A restore from the backup was tested'))
    waiver_reason = serializers.CharField(required=False, allow_blank=True, default='')


class ShutdownRequestSerializer(CommentRequestSerializer):
    services_stopped = serializers.BooleanField(default=False)
    users_notified = serializers.BooleanField(default=False)
    powered_off = serializers.BooleanField(default=False)
    network_disconnected = serializers.BooleanField(default=False)
    clone_medium = serializers.CharField(max_length=200, required=False, allow_blank=True, default='')


class StoreRequestSerializer(CommentRequestSerializer):
    storage_location = serializers.PrimaryKeyRelatedField(queryset=StorageLocation.objects.all())
    removed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField()


class SignatureSerializer(serializers.ModelSerializer):
    role = ChoiceField(choices=SignatureRoleChoices)
    user = UserSerializer(nested=True)

    class Meta:
        model = Signature
        fields = ('role', 'user', 'signed_at', 'comment')


class DocumentSerializer(serializers.ModelSerializer):
    kind = ChoiceField(choices=DocumentKindChoices)
    signatures = SignatureSerializer(many=True)

    class Meta:
        model = Document
        fields = ('kind', 'drafted_at', 'signed_at', 'signatures')


class StageChangeSerializer(serializers.ModelSerializer):
    from_status = ChoiceField(choices=DecommissionStatusChoices)
    to_status = ChoiceField(choices=DecommissionStatusChoices)
    user = UserSerializer(nested=True)

    class Meta:
        model = StageChange
        fields = ('time', 'from_status', 'to_status', 'user', 'comment')
