"""
The plugin's receivers: guards on NetBox's own deletion paths (the delete view, bulk delete, the REST API), which
keep a decommission whose documents were signed and, as the setting guard_device_deletion says, a device from
leaving NetBox outside the workflow. The plugin's own effects are not signal receivers: they are called where they
happen (a new decommission drafts its order in Decommission.save(), a move records its custody event in
custody.move()).
"""
from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext as _

from dcim.models import Device
from utilities.exceptions import AbortRequest

from . import guard
from .models import Decommission, Document


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


@receiver(pre_delete, sender=Device)
def guard_device_deletion(sender, instance, **kwargs):
    """
    NetBox's delete views show an AbortRequest as an error message and its REST API answers it with 400; the
    deletion's transaction rolls back, so a bulk deletion that includes a guarded device deletes nothing.
    """
    message = guard.refusal(instance)
    if message:
        raise AbortRequest(message)
