from django.db.models import ProtectedError
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .models import Decommission, Document
from .workflow import draft_order


@receiver(post_save, sender=Decommission)
def draft_order_with_new_record(sender, instance, created, raw=False, **kwargs):
    """The order is drafted together with the decommission, however it was created (UI, API, import)."""
    if created and not raw:
        draft_order(instance)


@receiver(pre_delete, sender=Decommission)
def keep_signed_documents(sender, instance, **kwargs):
    """A record whose documents were signed is evidence: deleting it would delete the frozen documents too."""
    signed = list(Document.objects.filter(decommission=instance, signed_at__isnull=False))
    if signed:
        raise ProtectedError(
            _('Decommission {number} cannot be deleted: its signed documents ({documents}) are kept as evidence. '
              'Cancel it instead, if it is still open.').format(
                number=instance.number, documents=', '.join(str(d) for d in signed)),
            signed,
        )

