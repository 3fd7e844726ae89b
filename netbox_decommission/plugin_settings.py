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
DOCUMENT_KINDS = ('order', 'application', 'act', 'report', 'sanitization', 'extract')
# The code each kind of document is numbered with, where the document_codes setting names none (it may name only
# the kinds of an earlier release).
DEFAULT_DOCUMENT_CODES = {
    'order': 'ORD', 'application': 'APP', 'act': 'ACT', 'report': 'REP', 'sanitization': 'SAN', 'extract': 'LOG',
}
# close_network_check: what each key means is in __init__.py's default_settings.
NETWORK_CHECK_DEFAULTS = {'enabled': False, 'tcp_ports': [22, 80, 443, 3389], 'timeout': 1.0, 'icmp': False}
DEVICE_DELETION_GUARDS = ('open', 'always', 'off')


def get_setting(name):
    return settings.PLUGINS_CONFIG[PLUGIN_NAME][name]


def document_codes(config=None):
    """{kind: code} for every kind of document: the configured codes, the defaults for kinds it does not name."""
    config = config or settings.PLUGINS_CONFIG[PLUGIN_NAME]
    return {**DEFAULT_DOCUMENT_CODES, **(config.get('document_codes') or {})}


def document_number_format(config=None):
    """The NumberFormat of document numbers, with {kind} rendering the configured codes."""
    config = config or settings.PLUGINS_CONFIG[PLUGIN_NAME]
    return NumberFormat(config.get('document_number_format'), kinds=document_codes(config))


def network_check_settings(config=None):
    """The close_network_check setting, with the defaults of the keys it does not name."""
    config = config or settings.PLUGINS_CONFIG[PLUGIN_NAME]
    return {**NETWORK_CHECK_DEFAULTS, **(config.get('close_network_check') or {})}
