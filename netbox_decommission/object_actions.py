"""Buttons of the plugin's object pages, in NetBox's ObjectAction form (rendered with the page's other actions)."""
from django.utils.translation import gettext_lazy as _

from netbox.object_actions import ObjectAction

__all__ = (
    'DisposeComponent',
)


class DisposeComponent(ObjectAction):
    """Record the final disposition of a removed component: reused, transferred to a vendor, or destroyed."""
    name = 'dispose'
    label = _('Final disposition')
    permissions_required = {'change'}
    url_kwargs = ['pk']
    template_name = 'netbox_decommission/buttons/dispose.html'

    @classmethod
    def render(cls, context, obj, **kwargs):
        # Once final, a disposition is corrected by editing the record, not recorded again.
        return '' if obj.is_final else super().render(context, obj, **kwargs)
