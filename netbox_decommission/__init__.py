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
        # Format of decommission numbers. Fields: {year} (four digits) and {seq} (the running
        # number within the year, which may carry a format spec such as {seq:05d}). {seq} is required.
        'number_format': 'DC-{year}-{seq:05d}',
        # What retirement does to the device once the act is signed: 'delete' removes it from the
        # inventory; 'offline' keeps it with status offline, unracked, cables removed, primary IPs cleared.
        'retirement_policy': 'delete',
        # What retirement does to the device's IP addresses: 'delete' or 'deprecate' (status deprecated).
        'ip_address_policy': 'delete',
        # Default language of generated documents: 'ru' or 'en'. A request may ask for the other with ?lang=.
        'document_language': 'ru',
        # Format of document numbers, counted separately per kind and year. Fields: {kind} (the kind's
        # code from document_codes), {year} and {seq} as in number_format. {seq} is required.
        'document_number_format': '{kind}-{year}-{seq:05d}',
        # The code each kind of document is numbered with ({kind} in document_number_format).
        # A kind left out keeps its default code (plugin_settings.DEFAULT_DOCUMENT_CODES).
        'document_codes': {
            'order': 'ORD', 'application': 'APP', 'act': 'ACT', 'report': 'REP', 'sanitization': 'SAN',
            'extract': 'LOG',
        },
        # Format of hand-over numbers (docs/handovers.md); fields as in number_format.
        'handover_number_format': 'HND-{year}-{seq:05d}',
        # GOST R 7.0.97-2025 requisites printed on the Russian and English documents: the place of issue (e.g.
        # 'г. Москва'), and the operator's address that the act of destruction of personal data names.
        'place_of_issue': '',
        'organization_address': '',
        # The address of this NetBox that the documents' QR codes open (e.g. 'https://netbox.example.com'); '' takes
        # the address of the request that issues the document.
        'document_base_url': '',
        # Path to an image file (PNG, JPEG or SVG) printed in the documents' letterhead; '' for none.
        'document_logo': '',
        # PAdES digital signature of frozen documents (needs pyHanko: pip install pyhanko). Paths to the PEM
        # private key and certificate; both '' (the default) means documents are frozen without a digital
        # signature. The passphrase decrypts the key ('' if it is not encrypted); signing_ca_chain is an
        # optional PEM file of intermediate certificates to embed.
        'signing_key': '',
        'signing_certificate': '',
        'signing_key_passphrase': '',
        'signing_ca_chain': '',
        # At retirement, disable the far-end switch ports of the device's cables and note in their
        # description which decommission freed them.
        'disable_peer_ports': False,
        # Separation of duties: the user who requested a decommission (its "requested by", set when the record is
        # created) cannot also sign its order as head; another head approves it. False lets one person do both.
        'separation_of_duties': True,
        # The plugin's fast paths into NetBox's internals (netbox_decommission/compat/), taken only on the NetBox
        # releases they are verified on. False always takes NetBox's public paths (e.g. retirement deletes through
        # NetBox's own per-object change logging), as on a release not verified.
        'netbox_fast_paths': True,
        # Who may delete a device outside the workflow (docs/guard.md): 'open' refuses to delete a device with an
        # open decommission; 'always' refuses every deletion but the retirement by a signed act; 'off' guards none.
        'guard_device_deletion': 'open',
        # Restore (docs/restore.md) brings a retired device back from its snapshot until the decommission is closed;
        # a number of days lets it do so for that many days after closing too. 0: not once it is closed.
        'restore_within_days': 0,
        # Closing checks that the retired server's former addresses no longer answer from the NetBox host
        # (docs/network-check.md): 'enabled' (False by default), the 'tcp_ports' to try, the 'timeout' in seconds
        # per attempt, and 'icmp' (an ICMP echo too, where the host permits it). Keys left out keep their defaults.
        'close_network_check': {'enabled': False, 'tcp_ports': [22, 80, 443, 3389], 'timeout': 1.0, 'icmp': False},
        # Fixity checks (docs/fixity.md): every issued copy is re-hashed against its SHA-256 by a NetBox system job
        # every this many minutes (0: only by `manage.py decommission_fixity`); the users of the NetBox group named
        # here are notified of a copy found altered or missing ('' for nobody; event rules still fire).
        'fixity_check_interval': 1440,
        'fixity_notify_group': '',
        # Batches of more records than this (bulk start, bulk workflow move) are split into chunk jobs of this many
        # records that NetBox's RQ workers run in parallel (docs/bulk.md).
        'batch_chunk_size': 10,
    }

    def import_models(self):
        # NetBox's extras app builds its Event Rule forms' choices of event types in its ready(), which runs before
        # any plugin's: registered here, while Django imports the apps' models, ours are among them.
        from .event_types import register_event_types

        register_event_types()
        super().import_models()

    def ready(self):
        super().ready()
        from django.conf import settings

        from . import signals  # noqa: F401  (connects the deletion guards)
        from .compat import warn_if_unverified
        from .dashboard import widgets  # noqa: F401  (registers the dashboard widgets)
        from .jobs import register_system_jobs
        from .settings_validation import validate_settings

        validate_settings(settings.PLUGINS_CONFIG.get(self.name, {}))
        warn_if_unverified()
        # After the validation: the interval is read from the settings once it is known to be a whole number.
        register_system_jobs()


config = DecommissionConfig
