from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from utilities.querysets import RestrictedQuerySet

from ..choices import DocumentKindChoices, SignatureRoleChoices


class Document(models.Model):
    """
    One of the three documents of a decommission (order, application, act), drafted by the workflow and
    complete once everyone it requires has signed it.
    """
    decommission = models.ForeignKey(
        to='netbox_decommission.Decommission',
        on_delete=models.CASCADE,
        related_name='documents',
        verbose_name=_('decommission'),
    )
    kind = models.CharField(verbose_name=pgettext_lazy('category', 'kind'), max_length=30, choices=DocumentKindChoices)
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
        )

    def __str__(self):
        return f'{self.get_kind_display()} {self.decommission.number}'

    @property
    def is_signed(self):
        return self.signed_at is not None


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
