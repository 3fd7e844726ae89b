from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Decommission
from .retirement import retire_device
from .workflow import act_signed, draft_order


@receiver(post_save, sender=Decommission)
def draft_order_with_new_record(sender, instance, created, raw=False, **kwargs):
    """The order is drafted together with the decommission, however it was created (UI, API, import)."""
    if created and not raw:
        draft_order(instance)


act_signed.connect(retire_device, sender=Decommission, dispatch_uid='netbox_decommission.retire_device')
