"""
The request bodies of the workflow's moves, made from the table of moves (workflow/table.py), and the read-only
views of documents and the stage log.
"""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from netbox.api.fields import ChoiceField
from users.api.serializers import UserSerializer

from ..choices import (
    DecommissionStatusChoices,
    DocumentKindChoices,
    DocumentLanguageChoices,
    FixityStateChoices,
    SignatureRoleChoices,
)
from ..documents import issuing
from ..models import Decommission, Document, DocumentFile, Signature, StageChange, StorageLocation
from ..plugin_settings import DOCUMENT_LANGUAGES
from ..workflow.table import FieldKind
from .serializers import DecommissionSerializer

__all__ = (
    'DocumentSerializer',
    'MoveResultSerializer',
    'StageChangeSerializer',
    'VerificationSerializer',
    'VerifyRequestSerializer',
    'request_field',
    'request_serializer',
)


def request_field(spec, required=None):
    """The REST field of one input of a move (workflow.table.Field); ``required`` overrides the spec's."""
    required = spec.required if required is None else required
    optional = {} if required else {'required': False}
    common = {'help_text': spec.help_text or None, 'label': spec.label}
    if spec.kind in (FieldKind.TEXT, FieldKind.NOTE):
        blank = {} if required else {'allow_blank': True, 'default': ''}
        return serializers.CharField(max_length=spec.max_length, **common, **optional, **blank)
    if spec.kind == FieldKind.CHOICE:
        blank = {} if required else {'allow_blank': True, 'default': ''}
        return serializers.ChoiceField(choices=spec.choices, **common, **optional, **blank)
    if spec.kind == FieldKind.FLAG:
        return serializers.BooleanField(default=False, **common)
    if spec.kind == FieldKind.MOMENT:
        null = {} if required else {'allow_null': True, 'default': None}
        return serializers.DateTimeField(**common, **optional, **null)
    if spec.kind == FieldKind.AMOUNT:
        null = {} if required else {'allow_null': True, 'default': None}
        return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, **common, **optional, **null)
    if spec.kind == FieldKind.STORAGE_LOCATION:
        null = {} if required else {'allow_null': True, 'default': None}
        return serializers.PrimaryKeyRelatedField(queryset=StorageLocation.objects.all(), **common, **optional,
                                                  **null)
    raise ValueError(f'No REST field for the kind {spec.kind!r} of {spec.name!r}')


def request_serializer(move):
    """The request body of ``move`` (a workflow.table.Move), named as the OpenAPI schema shows it."""
    fields = {spec.name: request_field(spec) for spec in move.inputs}
    return type(f'{move.name.title()}RequestSerializer', (serializers.Serializer,), fields | {'__module__': __name__})


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
    fixity_state = ChoiceField(
        choices=FixityStateChoices, allow_blank=True, read_only=True,
        help_text=_('What the last fixity check found: intact, altered or missing; null if never checked'))

    verification_url = serializers.SerializerMethodField(
        help_text=_('The page the document QR code of this copy opens: is it still the copy issued?'))

    class Meta:
        model = DocumentFile
        fields = ('language', 'sha256', 'size', 'digitally_signed', 'created', 'file_missing', 'fixity_state',
                  'fixity_checked_at', 'verification_url')

    def get_file_missing(self, frozen) -> bool:
        return not issuing.is_stored(frozen)

    def get_verification_url(self, frozen) -> str:
        return self.context['request'].build_absolute_uri(reverse(
            'plugins:netbox_decommission:decommission_document_copy',
            kwargs={'pk': frozen.document.decommission_id, 'kind': frozen.document.kind, 'language': frozen.language}))


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


class MoveResultSerializer(DecommissionSerializer):
    """What a move answers: the decommission as the regular endpoint shows it, and the move's warnings."""
    warnings = serializers.ListField(
        child=serializers.CharField(), source='move_warnings', read_only=True,
        help_text=_('Warnings about the record as the move left it (e.g. a window that clashes with another); they '
                    'did not stop the move'),
    )

    class Meta(DecommissionSerializer.Meta):
        fields = DecommissionSerializer.Meta.fields + ('warnings',)
