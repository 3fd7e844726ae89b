"""
The guard on a device's deletion (the setting guard_device_deletion): which devices NetBox may delete outside the
workflow, and the one deletion that is always the workflow's, the retirement of a device by its signed act.
signals.py refuses the others from NetBox's pre_delete signal, which every deletion path of NetBox sends.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.html import escape
from django.utils.translation import gettext as _

from .choices import DecommissionStatusChoices
from .models import Decommission
from .plugin_settings import get_setting

__all__ = ('refusal', 'retiring')

# The ids of the devices whose retirement is deleting them right now (in this thread or task).
_retiring = ContextVar('netbox_decommission_retiring', default=frozenset())


@contextmanager
def retiring(device):
    """Let the retirement of the device delete it: the deletion is the signed act's."""
    token = _retiring.set(_retiring.get() | {device.pk})
    try:
        yield
    finally:
        _retiring.reset(token)


def refusal(device):
    """Why the device cannot be deleted now, or None if it can."""
    policy = get_setting('guard_device_deletion')
    if policy == 'off' or device.pk in _retiring.get():
        return None
    # NetBox's delete views show the message as HTML (mark_safe): the names in it are escaped.
    device_name = escape(device)
    # By the device's frozen id: NetBox's own pre_delete receiver, which runs first, has already let the record go
    # of the device (device = None, rolled back with the refused deletion).
    # A retired record no longer stands in the way: its act has been signed (the offline policy keeps the device).
    decommission = (Decommission.objects.filter(device_pk=device.pk).open()
                    .exclude(status=DecommissionStatusChoices.STATUS_RETIRED).first())
    if decommission is not None:
        return _(
            'Device {device} cannot be deleted: decommission {number} is open (stage "{stage}"). Finish the '
            'decommission, whose signed act retires the device, or cancel it.'
        ).format(device=device_name, number=escape(decommission.number),
                 stage=escape(decommission.get_status_display()))
    if policy == 'always':
        return _(
            'Device {device} cannot be deleted: devices leave NetBox only through the signed act of a '
            'decommission (the plugin setting guard_device_deletion is "always").'
        ).format(device=device_name)
    return None
