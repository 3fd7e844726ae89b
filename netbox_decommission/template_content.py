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


template_extensions = [DeviceDecommissionButton]
