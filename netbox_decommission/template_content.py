from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from netbox.plugins import PluginTemplateExtension

from .models import Decommission


class DeviceDecommissionButton(PluginTemplateExtension):
    """A button on every device page: start a decommission, or go to the one in progress."""
    models = ['dcim.device']

    def buttons(self):
        request = self.context['request']
        device = self.context['object']
        if not request.user.has_perm('netbox_decommission.view_decommission'):
            return ''
        open_decommission = (
            Decommission.objects.restrict(request.user, 'view').filter(device=device).open()
            .only('pk', 'number').first()
        )
        return self.render('netbox_decommission/inc/device_decommission_button.html', extra_context={
            'device': device,
            'open_decommission': open_decommission,
        })


class DeviceListDecommissionButton(PluginTemplateExtension):
    """
    On the device list: start decommissions for the devices the list is filtered to. Plugin list buttons are drawn
    outside the list's selection form, so the button carries the list's filter rather than the selection.
    """
    models = ['dcim.device']

    def list_buttons(self):
        request = self.context['request']
        if not request.user.has_perm('netbox_decommission.add_decommission'):
            return ''
        query = request.GET.copy()
        for name in ('page', 'per_page', 'sort', 'export'):
            query.pop(name, None)
        return self.render('netbox_decommission/inc/bulk_start_button.html', extra_context={
            'query': query, 'label': _('Decommission devices'),
        })


class RackDecommissionButton(PluginTemplateExtension):
    """On a rack's page: start decommissions for every device mounted in it."""
    models = ['dcim.rack']

    def buttons(self):
        request = self.context['request']
        if not request.user.has_perm('netbox_decommission.add_decommission'):
            return ''
        query = QueryDict(mutable=True)
        query['rack'] = self.context['object'].pk
        return self.render('netbox_decommission/inc/bulk_start_button.html', extra_context={
            'query': query, 'label': _('Decommission rack'),
        })


template_extensions = [DeviceDecommissionButton, DeviceListDecommissionButton, RackDecommissionButton]
