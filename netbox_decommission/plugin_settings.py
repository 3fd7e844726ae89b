"""The plugin's settings (PLUGINS_CONFIG["netbox_decommission"]): access and start-up validation."""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .numbering import NumberFormat

PLUGIN_NAME = 'netbox_decommission'

RETIREMENT_POLICIES = ('delete', 'offline')
IP_ADDRESS_POLICIES = ('delete', 'deprecate')
DOCUMENT_LANGUAGES = ('ru', 'en')


def get_setting(name):
    return settings.PLUGINS_CONFIG[PLUGIN_NAME][name]


def _require_choice(config, name, allowed):
    value = config.get(name)
    if value not in allowed:
        raise ImproperlyConfigured(
            f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["{name}"] is {value!r}; '
            f'set it to one of: {", ".join(repr(a) for a in allowed)}.'
        )


def validate_settings(config):
    """Raise ImproperlyConfigured naming the setting and the fix for the first invalid value."""
    organization_name = config.get('organization_name')
    if not isinstance(organization_name, str):
        raise ImproperlyConfigured(
            f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["organization_name"] must be a string (the full name of your '
            f'organization), not {type(organization_name).__name__}.'
        )
    try:
        NumberFormat(config.get('number_format'))
    except ValueError as e:
        raise ImproperlyConfigured(f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["number_format"]: {e}') from e
    _require_choice(config, 'retirement_policy', RETIREMENT_POLICIES)
    _require_choice(config, 'ip_address_policy', IP_ADDRESS_POLICIES)
    _require_choice(config, 'document_language', DOCUMENT_LANGUAGES)
    if not isinstance(config.get('disable_peer_ports'), bool):
        raise ImproperlyConfigured(
            f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["disable_peer_ports"] must be True or False, '
            f'not {config.get("disable_peer_ports")!r}.'
        )
