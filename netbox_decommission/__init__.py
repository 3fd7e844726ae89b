from django.utils.translation import gettext_lazy as _

from netbox.plugins import PluginConfig

__version__ = '0.1.0'


class DecommissionConfig(PluginConfig):
    name = 'netbox_decommission'
    verbose_name = _('Decommissioning')
    description = _('Decommission data-center servers as one tracked, documented workflow')
    version = __version__
    author = 'netbox-decommission developers'
    base_url = 'decommission'
    graphql_schema = 'graphql.schema.schema'
    min_version = '4.7.0'
    max_version = '4.7.99'
    default_settings = {
        # Full name of the organization, printed on the order, the application and the act, and the
        # default for a new decommission's "organization" field.
        'organization_name': '',
        # Format of decommission numbers. Placeholders: {year} (four digits) and {seq} (the running
        # number within the year, which may carry a format spec such as {seq:05d}). {seq} is required.
        'number_format': 'DC-{year}-{seq:05d}',
        # What retirement does to the device once the act is signed: 'delete' removes it from the
        # inventory; 'offline' keeps it with status offline, unracked, cables removed, primary IPs cleared.
        'retirement_policy': 'delete',
        # What retirement does to the device's IP addresses: 'delete' or 'deprecate' (status deprecated).
        'ip_address_policy': 'delete',
        # Default language of generated documents: 'ru' or 'en'.
        'document_language': 'ru',
        # At retirement, disable the far-end switch ports of the device's cables and note in their
        # description which decommission freed them.
        'disable_peer_ports': False,
    }

    def ready(self):
        super().ready()
        from django.conf import settings

        from . import signals  # noqa: F401  (connects the receivers)
        from .events import register_event_types
        from .plugin_settings import validate_settings

        validate_settings(settings.PLUGINS_CONFIG.get(self.name, {}))
        register_event_types()


config = DecommissionConfig
