from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from utilities.querysets import RestrictedQuerySet

from ..choices import DocumentKindChoices, DocumentLanguageChoices, FixityStateChoices, SignatureRoleChoices
from ..numbering import allocate_number
from ..plugin_settings import document_number_format

__all__ = (
    'Document',
    'DocumentFile',
    'Signature',
)


def number_scope(kind):
    """Each kind of document is counted separately (per year)."""
    return f'document-{kind}'


class Document(models.Model):
    """
    A document of a decommission: one of the three people sign (order, application, act), drafted by the workflow
    and complete once everyone it requires has signed it; or one NetBox issues when the record is closed (report,
    sanitization certificate, event-log extract), complete when issued.
    """
    decommission = models.ForeignKey(
        to='netbox_decommission.Decommission',
        on_delete=models.CASCADE,
        related_name='documents',
        verbose_name=_('decommission'),
    )
    kind = models.CharField(verbose_name=pgettext_lazy('category', 'kind'), max_length=30, choices=DocumentKindChoices)
    number = models.CharField(
        verbose_name=_('number'),
        max_length=50,
        blank=True,
        editable=False,
        help_text=_('Assigned when the document is drafted; unique per kind'),
    )
    drafted_at = models.DateTimeField(verbose_name=_('drafted at'), auto_now_add=True)
    signed_at = models.DateTimeField(
        verbose_name=_('signed at'),
        blank=True,
        null=True,
        help_text=_('When the last required signature was given'),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('decommission', 'drafted_at', 'pk')
        verbose_name = _('document')
        verbose_name_plural = _('documents')
        constraints = (
            models.UniqueConstraint(
                fields=('decommission', 'kind'), name='netbox_decommission_document_unique_decommission_kind'
            ),
            models.UniqueConstraint(fields=('kind', 'number'), name='netbox_decommission_document_unique_kind_number'),
        )

    def __str__(self):
        return f'{self.get_kind_display()} {self.number}'

    @property
    def is_signed(self):
        """Signed by everyone it requires, and therefore frozen."""
        return self.signed_at is not None

    def save(self, *args, **kwargs):
        # The number and the row together; no savepoint of its own, as Decommission.save().
        with transaction.atomic(savepoint=False):
            if not self.number:
                self.number = allocate_number(
                    Document.objects.filter(kind=self.kind), 'number', document_number_format(),
                    scope=number_scope(self.kind), year=timezone.now().year, kind=self.kind,
                )
            super().save(*args, **kwargs)


def frozen_file_path(instance, filename):
    return f'netbox-decommission/documents/{instance.document.kind}/{filename}'


class DocumentFile(models.Model):
    """
    The stored PDF of a frozen (completely signed) document in one language. Its SHA-256 identifies it: a PDF
    whose hash matches is a copy this NetBox issued, unchanged.
    """
    document = models.ForeignKey(
        to='netbox_decommission.Document',
        on_delete=models.CASCADE,
        related_name='files',
        verbose_name=_('document'),
    )
    language = models.CharField(verbose_name=_('language'), max_length=10, choices=DocumentLanguageChoices)
    file = models.FileField(verbose_name=_('file'), upload_to=frozen_file_path)
    sha256 = models.CharField(verbose_name=_('SHA-256'), max_length=64, unique=True)
    size = models.PositiveIntegerField(verbose_name=_('size (bytes)'))
    digitally_signed = models.BooleanField(
        verbose_name=_('digitally signed'),
        default=False,
        help_text=_('Carries a PAdES digital signature'),
    )
    created = models.DateTimeField(verbose_name=pgettext_lazy('document file', 'created'), auto_now_add=True)
    fixity_state = models.CharField(
        verbose_name=_('fixity'),
        max_length=20,
        choices=FixityStateChoices,
        blank=True,
        help_text=_('What the last fixity check found: the stored file intact, altered or missing'),
    )
    fixity_checked_at = models.DateTimeField(verbose_name=_('fixity checked at'), blank=True, null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('document', 'language')
        verbose_name = _('document file')
        verbose_name_plural = _('document files')
        constraints = (
            models.UniqueConstraint(
                fields=('document', 'language'), name='netbox_decommission_documentfile_unique_document_language'
            ),
        )

    def __str__(self):
        return f'{self.document} ({self.language})'


class Signature(models.Model):
    """A person's signature on a document, in one of the roles the decommission assigns them."""
    document = models.ForeignKey(
        to='netbox_decommission.Document',
        on_delete=models.CASCADE,
        related_name='signatures',
        verbose_name=_('document'),
    )
    role = models.CharField(verbose_name=_('role'), max_length=30, choices=SignatureRoleChoices)
    user = models.ForeignKey(
        to='users.User',
        on_delete=models.PROTECT,
        related_name='decommission_signatures',
        verbose_name=pgettext_lazy('decommission', 'user'),
    )
    signed_at = models.DateTimeField(verbose_name=_('signed at'), auto_now_add=True)
    comment = models.CharField(verbose_name=_('comment'), max_length=200, blank=True)
    # Read when the signature is given, so that the documents print the signer as they were then.
    full_name = models.CharField(verbose_name=_('full name'), max_length=300, blank=True)
    position = models.CharField(verbose_name=pgettext_lazy('signer', 'position'), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('document', 'signed_at', 'pk')
        verbose_name = _('signature')
        verbose_name_plural = _('signatures')
        constraints = (
            models.UniqueConstraint(
                fields=('document', 'role', 'user'), name='netbox_decommission_signature_unique_document_role_user'
            ),
        )

    def __str__(self):
        return f'{self.user} ({self.get_role_display()})'
