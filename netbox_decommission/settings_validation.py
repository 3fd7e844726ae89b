"""The start-up check of the plugin's settings: the first invalid value stops NetBox, named with its fix."""
import os

from django.core.exceptions import ImproperlyConfigured

from .documents.pades import check_signing_settings
from .numbering import NumberFormat
from .plugin_settings import (
    DEFAULT_DOCUMENT_CODES,
    DEVICE_DELETION_GUARDS,
    DOCUMENT_KINDS,
    DOCUMENT_LANGUAGES,
    IP_ADDRESS_POLICIES,
    NETWORK_CHECK_DEFAULTS,
    PLUGIN_NAME,
    RETIREMENT_POLICIES,
    document_number_format,
)

__all__ = ('validate_settings',)


def _require_choice(config, name, allowed):
    value = config.get(name)
    if value not in allowed:
        raise ImproperlyConfigured(
            f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["{name}"] is {value!r}; '
            f'set it to one of: {", ".join(repr(a) for a in allowed)}.'
        )


def _validate_document_codes(codes):
    setting = f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["document_codes"]'
    if not isinstance(codes, dict) or not set(codes) <= set(DOCUMENT_KINDS):
        raise ImproperlyConfigured(
            f'{setting} must be a dict whose keys are among {", ".join(repr(k) for k in DOCUMENT_KINDS)} '
            f'(the code each document kind is numbered with; a kind left out keeps its default), not {codes!r}.'
        )
    values = list({**DEFAULT_DOCUMENT_CODES, **codes}.values())
    if not all(isinstance(v, str) and v.strip() for v in values) or len(set(values)) != len(values):
        raise ImproperlyConfigured(f'{setting}: the codes must be distinct, non-empty strings, not {values!r}.')


def _validate_readable_file(config, name):
    path = config.get(name)
    if not isinstance(path, str):
        raise ImproperlyConfigured(
            f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["{name}"] must be a file path (a string), or \'\' for none.'
        )
    if path and not os.access(path, os.R_OK):
        raise ImproperlyConfigured(
            f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["{name}"] is {path!r}, which is not a readable file; correct the '
            f'path, or set it to \'\'.'
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
    try:
        NumberFormat(config.get('handover_number_format'))
    except ValueError as e:
        raise ImproperlyConfigured(f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["handover_number_format"]: {e}') from e
    _require_choice(config, 'retirement_policy', RETIREMENT_POLICIES)
    _require_choice(config, 'ip_address_policy', IP_ADDRESS_POLICIES)
    _require_choice(config, 'document_language', DOCUMENT_LANGUAGES)
    _require_choice(config, 'guard_device_deletion', DEVICE_DELETION_GUARDS)
    _validate_document_codes(config.get('document_codes'))
    try:
        document_number_format(config)
    except ValueError as e:
        raise ImproperlyConfigured(f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["document_number_format"]: {e}') from e
    _validate_readable_file(config, 'document_logo')
    for name in ('disable_peer_ports', 'separation_of_duties', 'netbox_fast_paths'):
        if not isinstance(config.get(name), bool):
            raise ImproperlyConfigured(
                f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["{name}"] must be True or False, not {config.get(name)!r}.'
            )
    days = config.get('restore_within_days')
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ImproperlyConfigured(
            f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["restore_within_days"] must be a whole number of days, 0 or more '
            f'(0: a closed decommission cannot be restored), not {days!r}.'
        )
    for name in ('place_of_issue', 'organization_address', 'fixity_notify_group'):
        if not isinstance(config.get(name), str):
            raise ImproperlyConfigured(
                f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["{name}"] must be a string (\'\' for none), not {config.get(name)!r}.'
            )
    base_url = config.get('document_base_url')
    if not isinstance(base_url, str) or (base_url and not base_url.startswith(('http://', 'https://'))):
        raise ImproperlyConfigured(
            f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["document_base_url"] must be the http:// or https:// address of this '
            f'NetBox (e.g. \'https://netbox.example.com\'), or \'\' for the address of the request, not {base_url!r}.'
        )
    interval = config.get('fixity_check_interval')
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 0:
        raise ImproperlyConfigured(
            f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["fixity_check_interval"] must be a whole number of minutes, 0 or more '
            f'(0: fixity is checked only by manage.py decommission_fixity), not {interval!r}.'
        )
    chunk_size = config.get('batch_chunk_size')
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ImproperlyConfigured(
            f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["batch_chunk_size"] must be a whole number of records, 1 or more, '
            f'not {chunk_size!r}.'
        )
    _validate_network_check(config.get('close_network_check'))
    check_signing_settings(config)


def _validate_network_check(value):
    setting = f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["close_network_check"]'
    if not isinstance(value, dict) or not set(value) <= set(NETWORK_CHECK_DEFAULTS):
        raise ImproperlyConfigured(
            f'{setting} must be a dict with some of the keys {", ".join(repr(k) for k in NETWORK_CHECK_DEFAULTS)}, '
            f'not {value!r}.'
        )
    check = {**NETWORK_CHECK_DEFAULTS, **value}
    for key in ('enabled', 'icmp'):
        if not isinstance(check[key], bool):
            raise ImproperlyConfigured(f'{setting}["{key}"] must be True or False, not {check[key]!r}.')
    ports = check['tcp_ports']
    if not isinstance(ports, (list, tuple)) or not all(
            isinstance(p, int) and not isinstance(p, bool) and 0 < p < 65536 for p in ports):
        raise ImproperlyConfigured(f'{setting}["tcp_ports"] must be a list of TCP port numbers (1-65535), not '
                                   f'{ports!r}.')
    timeout = check['timeout']
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 30:
        raise ImproperlyConfigured(f'{setting}["timeout"] must be a number of seconds above 0 and at most 30, not '
                                   f'{timeout!r}.')
    if check['enabled'] and not ports and not check['icmp']:
        raise ImproperlyConfigured(f'{setting} is enabled but tries nothing: give "tcp_ports", or set "icmp" to '
                                   f'True.')
