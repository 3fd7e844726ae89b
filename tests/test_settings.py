"""The plugin's settings: start-up validation and the number format; `netbox check` with the plugin."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import SimpleTestCase, override_settings

from netbox.plugins import PluginConfig
from netbox_decommission import DecommissionConfig
from netbox_decommission.numbering import NumberFormat
from netbox_decommission.plugin_settings import get_setting
from netbox_decommission.settings_validation import validate_settings

VALID = {**DecommissionConfig.default_settings, 'organization_name': 'Example Data Center LLC'}


def config(**changes):
    return {**VALID, **changes}


class ValidateSettingsTestCase(SimpleTestCase):

    def assertRejected(self, setting, value, *fragments):
        with self.assertRaises(ImproperlyConfigured) as raised:
            validate_settings(config(**{setting: value}))
        message = str(raised.exception)
        self.assertIn(f'PLUGINS_CONFIG["netbox_decommission"]["{setting}"]', message)
        for fragment in fragments:
            self.assertIn(fragment, message)

    def test_valid_settings_pass(self):
        self.assertIsNone(validate_settings(VALID))
        for policy in ('delete', 'offline'):
            validate_settings(config(retirement_policy=policy))
        for policy in ('delete', 'deprecate'):
            validate_settings(config(ip_address_policy=policy))
        for language in ('ru', 'en'):
            validate_settings(config(document_language=language))
        for guard in ('open', 'always', 'off'):
            validate_settings(config(guard_device_deletion=guard))
        validate_settings(config(organization_name='', number_format='{seq}'))
        validate_settings(config(number_format='SRV/{seq:04d}/{year}'))

    def test_the_defaults_are_valid(self):
        self.assertIsNone(validate_settings(DecommissionConfig.default_settings))

    def test_bad_retirement_policy(self):
        self.assertRejected('retirement_policy', 'shred', "'shred'", "'delete'", "'offline'")

    def test_bad_ip_address_policy(self):
        self.assertRejected('ip_address_policy', 'keep', "'keep'", "'delete'", "'deprecate'")

    def test_bad_guard_device_deletion(self):
        self.assertRejected('guard_device_deletion', True, 'True', "'open'", "'always'", "'off'")

    def test_bad_document_language(self):
        self.assertRejected('document_language', 'de', "'de'", "'ru'", "'en'")
        self.assertRejected('disable_peer_ports', 'yes', 'True or False', "'yes'")

    def test_organization_name_must_be_a_string(self):
        self.assertRejected('organization_name', 42, 'must be a string', 'int')
        self.assertRejected('organization_name', None, 'must be a string', 'NoneType')

    def test_number_format_without_seq(self):
        self.assertRejected('number_format', 'DC-{year}', '{seq}')

    def test_number_format_with_seq_twice(self):
        self.assertRejected('number_format', 'DC-{seq}-{seq}', 'exactly once')

    def test_number_format_with_unknown_placeholder(self):
        self.assertRejected('number_format', 'DC-{year}-{month}-{seq}', 'unknown field {month}')

    def test_number_format_with_bad_spec(self):
        self.assertRejected('number_format', 'DC-{seq:s}', '{seq:s}', 'not an integer format')

    def test_number_format_whose_numbers_are_not_digits(self):
        # Such numbers could not be recognised when entered by hand.
        for pattern in ('DC-{seq:>5}', 'DC-{seq:x}', 'DC-{seq:,d}', 'DC-{seq:+d}'):
            with self.subTest(pattern=pattern):
                self.assertRejected('number_format', pattern, 'digits only')

    def test_number_format_not_a_format_string(self):
        self.assertRejected('number_format', 'DC-{seq', 'not a valid format string')

    def test_number_format_empty_or_not_a_string(self):
        self.assertRejected('number_format', '', 'non-empty string')
        self.assertRejected('number_format', 5, 'non-empty string')

    def test_document_number_format(self):
        validate_settings(config(document_number_format='{seq}/{kind}-{year}'))
        validate_settings(config(document_number_format='{kind}{seq:04d}'))
        self.assertRejected('document_number_format', '{kind}-{year}', '{seq}')
        self.assertRejected('document_number_format', '{kind}-{month}-{seq}', '{month}', '{kind}')
        self.assertRejected('document_number_format', '{kind}{kind}-{seq}', 'at most once')

    def test_document_codes(self):
        # A kind left out keeps its default code (the setting of a release with fewer kinds stays valid).
        validate_settings(config(document_codes={'order': 'ORD', 'application': 'APP', 'act': 'ACT'}))
        self.assertRejected('document_codes', {'order': 'ORD', 'memo': 'MEM'}, "'memo'", "'report'")
        self.assertRejected('document_codes', {'order': 'REP'}, 'distinct')
        self.assertRejected('document_codes', ['ORD', 'APP', 'ACT'], 'dict')
        self.assertRejected('document_codes', {'order': 'X', 'application': 'X', 'act': 'A'}, 'distinct')
        self.assertRejected('document_codes', {'order': '', 'application': 'B', 'act': 'A'}, 'non-empty')

    def test_document_requisites(self):
        validate_settings(config(place_of_issue='г. Москва', organization_address='Москва, ул. Примерная, 1'))
        self.assertRejected('place_of_issue', None, 'string')
        self.assertRejected('organization_address', 42, 'string')

    def test_fixity(self):
        validate_settings(config(fixity_check_interval=0, fixity_notify_group='Archivists'))
        self.assertRejected('fixity_check_interval', -1, 'minutes')
        self.assertRejected('fixity_check_interval', '1440', 'minutes')
        self.assertRejected('fixity_notify_group', None, 'string')

    def test_batch_chunk_size(self):
        validate_settings(config(batch_chunk_size=1))
        self.assertRejected('batch_chunk_size', 0, '1 or more')
        self.assertRejected('batch_chunk_size', True, 'whole number')
        self.assertRejected('batch_chunk_size', '10', 'whole number')

    def test_close_network_check(self):
        validate_settings(config(close_network_check={'enabled': True, 'tcp_ports': [22]}))
        validate_settings(config(close_network_check={'enabled': True, 'tcp_ports': [], 'icmp': True}))
        self.assertRejected('close_network_check', {'enable': True}, "'enabled'")
        self.assertRejected('close_network_check', {'tcp_ports': [0]}, '"tcp_ports"', '1-65535')
        self.assertRejected('close_network_check', {'tcp_ports': '22'}, '"tcp_ports"')
        self.assertRejected('close_network_check', {'timeout': 0}, '"timeout"')
        self.assertRejected('close_network_check', {'icmp': 'yes'}, '"icmp"')
        self.assertRejected('close_network_check', {'enabled': True, 'tcp_ports': []}, 'tries nothing')

    def test_document_logo(self):
        validate_settings(config(document_logo=''))
        self.assertRejected('document_logo', '/nonexistent/logo.png', "'/nonexistent/logo.png'", 'readable')
        self.assertRejected('document_logo', 42, 'file path')

    def test_half_configured_signing(self):
        self.assertRejected('signing_key', '/etc/hostname', 'signing_certificate')


class NumberFormatTestCase(SimpleTestCase):

    def test_render(self):
        number_format = NumberFormat('DC-{year}-{seq:05d}')
        self.assertEqual(number_format.render(2026, 7), 'DC-2026-00007')
        self.assertEqual(number_format.render(2026, 123456), 'DC-2026-123456')
        self.assertEqual(number_format.example, 'DC-2026-00001')
        self.assertEqual(NumberFormat('{seq}/{year}').render(2030, 12), '12/2030')

    def test_matches(self):
        number_format = NumberFormat('DC-{year}-{seq:05d}')
        for number in ('DC-2026-00007', 'DC-1999-99999', 'DC-2026-123456'):
            self.assertTrue(number_format.matches(number), number)
        for number in ('DC-2026-7', 'DC-26-00007', 'XDC-2026-00007', 'DC-2026-00007x', 'dc-2026-00007', ''):
            self.assertFalse(number_format.matches(number), number)

    def test_matches_escapes_literal_text(self):
        number_format = NumberFormat('A.B+{seq:03d}')
        self.assertTrue(number_format.matches('A.B+001'))
        self.assertFalse(number_format.matches('AxB+001'))
        self.assertFalse(number_format.matches('A.BB001'))

    def test_rendered_numbers_are_recognised(self):
        for pattern in ('DC-{year}-{seq:05d}', '{seq}', 'SRV/{seq:04d}/{year}', 'X{seq:03}Y'):
            number_format = NumberFormat(pattern)
            for seq in (1, 42, 99999):
                self.assertTrue(number_format.matches(number_format.render(2026, seq)), (pattern, seq))


class PluginStartupTestCase(SimpleTestCase):

    def test_runtime_settings_include_the_defaults(self):
        self.assertEqual(get_setting('number_format'), DecommissionConfig.default_settings['number_format'])
        self.assertEqual(get_setting('retirement_policy'), 'delete')
        # The test configuration overrides the organization name.
        self.assertEqual(get_setting('organization_name'), settings.PLUGINS_CONFIG['netbox_decommission'][
            'organization_name'])

    def test_ready_validates_the_settings(self):
        app_config = apps.get_app_config('netbox_decommission')
        # Only the plugin's own part of ready(): NetBox's part registers menus, views and indexes (once).
        with mock.patch.object(PluginConfig, 'ready') as netbox_ready:
            app_config.ready()
            bad = {'netbox_decommission': config(retirement_policy='shred')}
            with override_settings(PLUGINS_CONFIG=bad), self.assertRaises(ImproperlyConfigured) as raised:
                app_config.ready()
        self.assertEqual(netbox_ready.call_count, 2)
        self.assertIn('retirement_policy', str(raised.exception))


# The test environment's NetBox configuration with one setting of the plugin made invalid.
BAD_CONFIGURATION = """
from {base} import *  # noqa: F403

PLUGINS_CONFIG = {{'netbox_decommission': {{**PLUGINS_CONFIG['netbox_decommission'], 'retirement_policy': 'shred'}}}}
"""


class NetBoxCheckTestCase(SimpleTestCase):
    """`netbox check` as an administrator runs it after installing the plugin: a NetBox process of its own."""

    def netbox_check(self, configuration=None):
        env = {**os.environ, 'NETBOX_DB_NAME': connection.settings_dict['NAME']}
        with tempfile.TemporaryDirectory() as folder:
            if configuration is not None:
                (Path(folder) / 'bad_configuration.py').write_text(configuration)
                env['NETBOX_CONFIGURATION'] = 'bad_configuration'
                env['PYTHONPATH'] = os.pathsep.join([folder, env.get('PYTHONPATH', '')])
            return subprocess.run(
                [str(Path(sys.executable).parent / 'netbox'), 'check', '--fail-level', 'WARNING'],
                env=env, capture_output=True, text=True, timeout=300,
            )

    def test_netbox_check_passes_with_the_plugin(self):
        checked = self.netbox_check()
        self.assertEqual(checked.returncode, 0, checked.stderr[-3000:])
        self.assertIn('System check identified no issues', checked.stdout)

    def test_an_invalid_setting_stops_netbox_at_start_up_naming_it(self):
        base = os.environ.get('NETBOX_CONFIGURATION', 'netbox_configuration')
        checked = self.netbox_check(BAD_CONFIGURATION.format(base=base))
        self.assertNotEqual(checked.returncode, 0)
        self.assertIn('ImproperlyConfigured', checked.stderr)
        self.assertIn('PLUGINS_CONFIG["netbox_decommission"]["retirement_policy"]', checked.stderr)
