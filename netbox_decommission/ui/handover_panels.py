"""The panels of a hand-over's page (views/handover.py)."""
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netbox.ui import attrs, panels

from ..handovers.services import item_kind, total_weight

__all__ = (
    'HandoverCertificatesPanel',
    'HandoverItemsPanel',
    'HandoverPanel',
)


class HandoverPanel(panels.ObjectAttributesPanel):
    number = attrs.TextAttr('number', label=_('Number'), style='font-monospace', copy_button=True)
    status = attrs.ChoiceAttr('status', label=_('Status'))
    site = attrs.RelatedObjectAttr('site', label=_('Site'), linkify=True)
    vendor = attrs.RelatedObjectAttr('vendor', label=_('Disposal vendor'), linkify=True)
    pickup_date = attrs.DateTimeAttr('pickup_date', label=_('Pickup date'), spec='date')
    handed_over_by = attrs.RelatedObjectAttr('handed_over_by', label=_('Handed over by'))
    handed_over_at = attrs.DateTimeAttr('handed_over_at', label=_('Handed over at'), spec='minutes')
    received_by = attrs.TextAttr('received_by', label=_('Received by'))
    closed_at = attrs.DateTimeAttr('closed_at', label=_('Closed at'), spec='minutes')
    description = attrs.TextAttr('description', label=_('Description'))


class HandoverItemsPanel(panels.ObjectPanel):
    """The items, their reconciliation state in colour, and the total weight."""
    template_name = 'netbox_decommission/panels/handover_items.html'
    title = pgettext_lazy('hand-over', 'Items')

    def get_context(self, context):
        handover = context['object']
        items = list(handover.items.select_related(
            'component__decommission', 'component__storage_location', 'decommission__storage_location',
        ).order_by('pk'))
        for item in items:
            item.kind = item_kind(item)
        total, unknown = total_weight(items)
        return {**super().get_context(context), 'items': items, 'total_weight': total, 'unknown_weights': unknown,
                'planned': handover.status == 'planned'}


class HandoverCertificatesPanel(panels.ObjectPanel):
    """Every certificate uploaded, newest first, with the result of its matching."""
    template_name = 'netbox_decommission/panels/handover_certificates.html'
    title = _('Certificates')

    def get_context(self, context):
        certificates = context['object'].certificates.select_related('uploaded_by').order_by('-uploaded_at', '-pk')
        return {**super().get_context(context), 'certificates': certificates}
