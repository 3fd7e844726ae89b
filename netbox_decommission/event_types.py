"""
The plugin's NetBox event types, which event rules (webhooks, scripts, notifications) can trigger on.

Two NetBox behaviours shape this module (NetBox 4.7, `netbox/events.py`, `extras/tables/tables.py`,
`extras/forms/model_forms.py`, `core/apps.py`):
- NetBox treats an event type's text as a plain ``str``: its Event Rules table joins the texts with ``', '.join``
  and ``EventType.__str__`` returns the text, so a lazy translation object there answers HTTP 500 on the Event Rules
  list, on every rule's page and on the notifications page. NetBox's own types pass an already translated ``str``.
- NetBox's Event Rule forms take their choices once, when ``extras.forms`` is imported, which NetBox's extras app
  does in its ``ready()`` — before any plugin's ``ready()``. Types registered later are missing from the forms.
"""
from django.utils.translation import gettext, gettext_noop

from netbox.events import EVENT_TYPE_KIND_DANGER, EVENT_TYPE_KIND_INFO, EVENT_TYPE_KIND_WARNING, EventType
from netbox.registry import registry

STAGE_CHANGED = 'netbox_decommission.stage_changed'
DEVICE_RETIRED = 'netbox_decommission.device_retired'
DEVICE_RESTORED = 'netbox_decommission.device_restored'
DOCUMENT_FIXITY_FAILED = 'netbox_decommission.document_fixity_failed'
HANDOVER_HANDED_OVER = 'netbox_decommission.handover_handed_over'
HANDOVER_RECONCILED = 'netbox_decommission.handover_reconciled'
HANDOVER_CLOSED = 'netbox_decommission.handover_closed'


class EventTypeText(str):
    """
    An event type's text: the English source as the ``str`` NetBox joins and compares, translated into the reader's
    language wherever NetBox renders it with ``str()`` (templates, panels, the notification list).
    """

    def __str__(self):
        return gettext(str.__str__(self))


EVENT_TYPES = (
    EventType(STAGE_CHANGED, EventTypeText(gettext_noop('Decommission stage changed')), kind=EVENT_TYPE_KIND_INFO),
    EventType(DEVICE_RETIRED, EventTypeText(gettext_noop('Device retired by a decommission')),
              kind=EVENT_TYPE_KIND_WARNING),
    EventType(DEVICE_RESTORED, EventTypeText(gettext_noop('Device restored from a decommission snapshot')),
              kind=EVENT_TYPE_KIND_WARNING),
    EventType(DOCUMENT_FIXITY_FAILED, EventTypeText(gettext_noop('Issued document altered or missing')),
              kind=EVENT_TYPE_KIND_DANGER),
    EventType(HANDOVER_HANDED_OVER, EventTypeText(gettext_noop('Items handed over to a disposal vendor')),
              kind=EVENT_TYPE_KIND_INFO),
    EventType(HANDOVER_RECONCILED, EventTypeText(gettext_noop("Vendor's certificate reconciled with a hand-over")),
              kind=EVENT_TYPE_KIND_INFO),
    EventType(HANDOVER_CLOSED, EventTypeText(gettext_noop('Hand-over to a disposal vendor closed')),
              kind=EVENT_TYPE_KIND_INFO),
)


def register_event_types():
    """Register the event types with NetBox; the app config calls this before NetBox's apps become ready."""
    # Django may populate the apps more than once in one process (tests); NetBox refuses a second registration.
    for event_type in EVENT_TYPES:
        if event_type.name not in registry['event_types']:
            event_type.register()
