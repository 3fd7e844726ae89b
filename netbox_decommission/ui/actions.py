from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from netbox.ui.actions import LinkAction

from ..harvest import accepts_components

__all__ = (
    'HarvestFromInventory',
    'ObjectViewAction',
)


class ObjectViewAction(LinkAction):
    """
    A panel button linking to one of the page object's own views (its pk in the URL, which LinkAction's static
    view_kwargs cannot carry), shown only when `visible(object)` holds and the user has `permissions`.
    """

    def __init__(self, view_name, visible=None, **kwargs):
        super().__init__(view_name, **kwargs)
        self.visible = visible

    def get_url(self, context):
        # Panels are shared by every request: build the URL from the context, never by storing it on self.
        obj = context['object']
        url = reverse(self.view_name, kwargs={**self.view_kwargs, 'pk': obj.pk})
        return f'{url}?{urlencode({"return_url": obj.get_absolute_url()})}'

    def render(self, context):
        if self.visible is not None and not self.visible(context['object']):
            return ''
        return super().render(context)


class HarvestFromInventory(ObjectViewAction):
    """The decommission's "Harvest from inventory" button, offered while the record can take components."""

    def __init__(self, **kwargs):
        kwargs.setdefault('label', _('Harvest from inventory'))
        kwargs.setdefault('button_icon', 'tray-arrow-down')
        kwargs.setdefault('permissions', [
            'netbox_decommission.change_decommission', 'netbox_decommission.add_removedcomponent',
        ])
        super().__init__('plugins:netbox_decommission:decommission_harvest', visible=accepts_components, **kwargs)
