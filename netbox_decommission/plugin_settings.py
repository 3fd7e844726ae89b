"""
The plugin's settings (PLUGINS_CONFIG["netbox_decommission"]): reading them, and the values they may take.
settings_validation.py checks them at start-up.
"""
from django.conf import settings

from .numbering import NumberFormat

PLUGIN_NAME = 'netbox_decommission'

RETIREMENT_POLICIES = ('delete', 'offline')
IP_ADDRESS_POLICIES = ('delete', 'deprecate')
DOCUMENT_LANGUAGES = ('ru', 'en')
DOCUMENT_KINDS = ('order', 'application', 'act')
DEVICE_DELETION_GUARDS = ('open', 'always', 'off')


def get_setting(name):
    return settings.PLUGINS_CONFIG[PLUGIN_NAME][name]


def document_number_format(config=None):
    """The NumberFormat of document numbers, with {kind} rendering the configured codes."""
    config = config or settings.PLUGINS_CONFIG[PLUGIN_NAME]
    return NumberFormat(config.get('document_number_format'), kinds=config.get('document_codes'))
