"""Request bodies of the workflow actions and the read-only views of documents and the stage log."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from netbox.api.fields import ChoiceField
from users.api.serializers import UserSerializer

from ..choices import (
    BackupMethodChoices,
    DecommissionStatusChoices,
    DocumentKindChoices,
    DocumentLanguageChoices,
    SignatureRoleChoices,
)
from ..documents import issuing
from ..models import Decommission, Document, DocumentFile, Signature, StageChange, StorageLocation
from ..plugin_settings import DOCUMENT_LANGUAGES
from .serializers import DecommissionSerializer

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
    'VerificationSerializer',
    'VerifyRequestSerializer',
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


class DocumentFileSerializer(serializers.ModelSerializer):
    """A frozen copy: its SHA-256 identifies it (POST documents/verify/)."""
    language = ChoiceField(choices=DocumentLanguageChoices)
    file_missing = serializers.SerializerMethodField(
        help_text=_('The file is missing from the media storage: restore it from the backup (the PDF answers 410)'))

    class Meta:
        model = DocumentFile
        fields = ('language', 'sha256', 'size', 'digitally_signed', 'created', 'file_missing')

    def get_file_missing(self, frozen) -> bool:
        return not issuing.is_stored(frozen)


class DocumentSerializer(serializers.ModelSerializer):
    kind = ChoiceField(choices=DocumentKindChoices)
    signatures = SignatureSerializer(many=True)
    files = DocumentFileSerializer(many=True, read_only=True)
    pdf = serializers.SerializerMethodField(help_text=_('The PDF in each language: frozen once signed, else a draft'))

    class Meta:
        model = Document
        fields = ('kind', 'number', 'drafted_at', 'signed_at', 'signatures', 'files', 'pdf')

    def get_pdf(self, document) -> dict:
        request = self.context.get('request')
        path = reverse('plugins-api:netbox_decommission-api:decommission-document-pdf',
                       kwargs={'pk': document.decommission_id, 'kind': document.kind})
        url = request.build_absolute_uri(path) if request else path
        return {language: f'{url}?lang={language}' for language in DOCUMENT_LANGUAGES}


class VerifyRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_('The PDF to verify'),
        error_messages={'required': _('Attach the PDF to verify as the form field "file".')},
    )


class VerifiedDocumentSerializer(serializers.ModelSerializer):
    kind = ChoiceField(choices=DocumentKindChoices)
    decommission = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ('kind', 'number', 'drafted_at', 'signed_at', 'decommission')

    def get_decommission(self, document) -> dict | None:
        # The number is printed on the PDF anyway; the record itself only for those who may see it.
        request = self.context['request']
        visible = Decommission.objects.restrict(request.user, 'view').filter(pk=document.decommission_id).first()
        if visible is None:
            return {'number': document.decommission.number}
        return DecommissionSerializer(visible, nested=True, context=self.context).data


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text=_('An unchanged copy of a document this NetBox issued'))
    sha256 = serializers.CharField(help_text=_('SHA-256 of the uploaded file'))
    detail = serializers.CharField(source='message')
    language = serializers.CharField(source='file.language', default=None, allow_null=True)
    digitally_signed = serializers.BooleanField(source='file.digitally_signed', default=None, allow_null=True)
    document = VerifiedDocumentSerializer(allow_null=True)


class StageChangeSerializer(serializers.ModelSerializer):
    from_status = ChoiceField(choices=DecommissionStatusChoices)
    to_status = ChoiceField(choices=DecommissionStatusChoices)
    user = UserSerializer(nested=True)

    class Meta:
        model = StageChange
        fields = ('time', 'from_status', 'to_status', 'user', 'comment')
