from django.utils.translation import gettext_lazy as _

from netbox.plugins import PluginMenu, PluginMenuButton, PluginMenuItem


def _item(model_name, label):
    return PluginMenuItem(
        link=f'plugins:netbox_decommission:{model_name}_list',
        link_text=label,
        permissions=[f'netbox_decommission.view_{model_name}'],
        buttons=(
            PluginMenuButton(
                link=f'plugins:netbox_decommission:{model_name}_add',
                title=_('Add'),
                icon_class='mdi mdi-plus-thick',
                permissions=[f'netbox_decommission.add_{model_name}'],
            ),
            PluginMenuButton(
                link=f'plugins:netbox_decommission:{model_name}_bulk_import',
                title=_('Import'),
                icon_class='mdi mdi-upload',
                permissions=[f'netbox_decommission.add_{model_name}'],
            ),
        ),
    )


menu = PluginMenu(
    label=_('Decommissioning'),
    icon_class='mdi mdi-package-variant-remove',
    groups=(
        (_('Workflow'), (
            _item('decommission', _('Decommissions')),
            _item('removedcomponent', _('Removed components')),
        )),
        (_('Documents'), (
            PluginMenuItem(
                link='plugins:netbox_decommission:decommission_verify_document',
                link_text=_('Verify a document'),
                permissions=['netbox_decommission.view_decommission'],
            ),
        )),
        (_('Storage'), (
            _item('storagelocation', _('Storage locations')),
            # Hand-overs to a disposal vendor (docs/handovers.md)
            _item('handover', _('Hand-overs to vendors')),
        )),
        (_('Reports'), (
            PluginMenuItem(
                link='plugins:netbox_decommission:ewaste_report',
                link_text=_('E-waste report'),
                permissions=['netbox_decommission.view_handover'],
            ),
        )),
        (_('Calendar'), (
            PluginMenuItem(
                link='plugins:netbox_decommission:calendarfeed_list',
                link_text=_('Calendar feeds'),
                permissions=['netbox_decommission.view_decommission'],
                buttons=(
                    PluginMenuButton(
                        link='plugins:netbox_decommission:calendarfeed_add',
                        title=_('Add'),
                        icon_class='mdi mdi-plus-thick',
                        permissions=['netbox_decommission.view_decommission'],
                    ),
                ),
            ),
        )),
    ),
)
