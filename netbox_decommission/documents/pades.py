"""
PAdES signatures (PAdES-B-B, /ETSI.CAdES.detached) on frozen document PDFs, made with pyHanko.

Signing is optional: it is on when the plugin settings name both a private key (``signing_key``) and its
certificate (``signing_certificate``). pyHanko is imported only inside the functions that need it, so the
plugin runs without it as long as signing stays off.
"""
import os
import threading
from io import BytesIO

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from ..plugin_settings import PLUGIN_NAME, get_setting

__all__ = ('SIGNATURE_FIELD', 'SigningError', 'check_signing_settings', 'sign_pdf', 'signing_configured')

# The name PDF readers show in their signature panel.
SIGNATURE_FIELD = 'NetBoxDecommission'

SIGNING_SETTINGS = ('signing_key', 'signing_certificate', 'signing_key_passphrase', 'signing_ca_chain')

# A certificate that restricts its key usage must allow one of these for a document signature to validate.
SIGNATURE_KEY_USAGES = frozenset({'digital_signature', 'non_repudiation'})


class SigningError(Exception):
    """A document could not be signed; the message says why. The caller rolls back the freeze."""


class _MaterialError(Exception):
    """The configured key material is unusable; the message names the setting and the fix."""


def _ref(name):
    return f'PLUGINS_CONFIG["{PLUGIN_NAME}"]["{name}"]'


def signing_configured():
    """True when the settings name both a signing key and a certificate."""
    return bool(get_setting('signing_key')) and bool(get_setting('signing_certificate'))


def _path(config, name):
    value = config.get(name) or ''
    if not isinstance(value, str | os.PathLike):
        raise _MaterialError(f'{_ref(name)} must be a file path (a string), not {type(value).__name__}.')
    return os.fspath(value)


def _passphrase(config):
    value = config.get('signing_key_passphrase') or ''
    if isinstance(value, str):
        return value.encode('utf-8') or None
    if isinstance(value, bytes):
        return value or None
    raise _MaterialError(
        f'{_ref("signing_key_passphrase")} must be a string (the private key\'s passphrase, or \'\' for an '
        f'unencrypted key), not {type(value).__name__}.'
    )


def _read(path, name, what):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except FileNotFoundError:
        problem = 'does not exist'
    except IsADirectoryError:
        problem = 'is a directory, not a file'
    except PermissionError:
        problem = 'cannot be read by the NetBox process (permission denied)'
    except OSError as e:
        problem = f'cannot be read ({e.strerror or e})'
    raise _MaterialError(
        f'{_ref(name)} is {path!r}, which {problem}; set it to the path of {what} readable by the user NetBox '
        f'runs as.'
    )


def _load_key(data, passphrase):
    from pyhanko.keys import load_private_key_from_pemder_data

    try:
        return load_private_key_from_pemder_data(data, passphrase=passphrase)
    except TypeError as e:
        # cryptography raises TypeError for exactly two cases: a passphrase missing or one too many.
        if passphrase is None:
            raise _MaterialError(
                f'The private key in {_ref("signing_key")} is encrypted; set {_ref("signing_key_passphrase")} '
                f'to its passphrase.'
            ) from e
        raise _MaterialError(
            f'The private key in {_ref("signing_key")} is not encrypted, but {_ref("signing_key_passphrase")} '
            f'is set; set {_ref("signing_key_passphrase")} to \'\'.'
        ) from e
    except Exception as e:
        if passphrase is not None and _is_encrypted_key(data):
            raise _MaterialError(
                f'The private key in {_ref("signing_key")} cannot be decrypted with '
                f'{_ref("signing_key_passphrase")}; set it to the key\'s passphrase.'
            ) from e
        raise _MaterialError(
            f'{_ref("signing_key")} does not hold a usable private key ({e}); set it to the path of a PEM or DER '
            f'private key file (RSA or EC).'
        ) from e


def _is_encrypted_key(data):
    """Whether ``data`` parses as a key that only lacks its passphrase (so a passphrase given was wrong)."""
    from pyhanko.keys import load_private_key_from_pemder_data

    try:
        load_private_key_from_pemder_data(data, passphrase=None)
    except TypeError:
        return True
    except Exception:
        return False
    return False


def _load_certs(data, name, what):
    from pyhanko.keys import load_certs_from_pemder_data

    try:
        certs = list(load_certs_from_pemder_data(data))
        for cert in certs:
            # asn1crypto parses lazily: touch the parts signing uses so a damaged file fails here, not later.
            cert.public_key.dump()
            cert.subject.dump()
    except Exception as e:
        raise _MaterialError(
            f'{_ref(name)} does not hold readable certificates ({e}); set it to the path of {what}.'
        ) from e
    if not certs:
        raise _MaterialError(f'{_ref(name)} holds no certificate; set it to the path of {what}.')
    return certs


def _public_key_der(public_key):
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _matching_certificate(key, certs):
    """The certificate among ``certs`` whose public key belongs to ``key``."""
    from cryptography.hazmat.primitives import serialization

    key_public = _public_key_der(serialization.load_der_private_key(key.dump(), password=None).public_key())
    for cert in certs:
        try:
            # Re-encoded through cryptography so that equal keys compare equal whatever their original encoding.
            cert_public = _public_key_der(serialization.load_der_public_key(cert.public_key.dump()))
        except (ValueError, TypeError):
            continue
        if cert_public == key_public:
            return cert
    subjects = '; '.join(cert.subject.human_friendly for cert in certs)
    raise _MaterialError(
        f'The certificate in {_ref("signing_certificate")} ({subjects}) does not match the private key in '
        f'{_ref("signing_key")}; set them to a key and the certificate issued for that key.'
    )


def _load_signer(config):
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key_path = _path(config, 'signing_key')
    cert_path = _path(config, 'signing_certificate')
    chain_path = _path(config, 'signing_ca_chain')
    passphrase = _passphrase(config)

    key = _load_key(_read(key_path, 'signing_key', 'a PEM or DER private key file'), passphrase)
    cert_what = 'the PEM certificate of the signing key'
    certs = _load_certs(_read(cert_path, 'signing_certificate', cert_what), 'signing_certificate', cert_what)
    chain = []
    if chain_path:
        chain_what = 'a PEM file with the CA and intermediate certificates'
        chain = _load_certs(_read(chain_path, 'signing_ca_chain', chain_what), 'signing_ca_chain', chain_what)
    # A certificate file may be a "full chain": the signer's own certificate is the one matching the key.
    signing_cert = _matching_certificate(key, certs)
    usages = signing_cert.key_usage_value
    if usages is not None and not SIGNATURE_KEY_USAGES & set(usages.native):
        raise _MaterialError(
            f'The certificate in {_ref("signing_certificate")} does not allow document signatures (its key usage '
            f'is {", ".join(sorted(usages.native))}); use a certificate with key usage digitalSignature or '
            f'nonRepudiation.'
        )
    others = [cert for cert in certs if cert is not signing_cert] + chain
    # SimpleSigner.load() would log and return None on any failure; loading the parts through pyhanko.keys
    # first is what lets every problem above name its setting.
    return SimpleSigner(
        signing_cert=signing_cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(others),
    )


_signer_lock = threading.Lock()
_signer_cache = {}


def _cache_key(config):
    parts = []
    for name in ('signing_key', 'signing_certificate', 'signing_ca_chain'):
        path = _path(config, name)
        if not path:
            parts.append((name, None, None))
            continue
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            return None
        parts.append((name, path, mtime))
    parts.append(_passphrase(config))
    return tuple(parts)


def _signer(config):
    """The signer for ``config``, loaded once per process and again only when a file's mtime changes."""
    cache_key = _cache_key(config)
    with _signer_lock:
        signer = _signer_cache.get(cache_key) if cache_key is not None else None
        if signer is None:
            signer = _load_signer(config)
            if cache_key is not None:
                # Only the current configuration is worth keeping; replaced key files should not linger in memory.
                _signer_cache.clear()
                _signer_cache[cache_key] = signer
    return signer


def _configured():
    return {name: get_setting(name) for name in SIGNING_SETTINGS}


def sign_pdf(data, reason, location='', name=''):
    """
    Return ``data`` (a PDF) with a PAdES-B-B signature appended as an incremental update.

    The signature goes in an invisible field named ``SIGNATURE_FIELD``, embeds the signer's certificate and the
    configured chain, and records ``reason``, ``location`` and the signer's ``name``. Raises ``SigningError``.
    """
    config = _configured()
    if not (config['signing_key'] and config['signing_certificate']):
        raise SigningError(_('Document signing is not configured: the plugin settings name no signing key and '
                             'certificate.'))
    try:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign.fields import SigSeedSubFilter
        from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
    except ImportError as e:
        raise SigningError(_('Document signing needs pyHanko, which is not installed: pip install pyhanko.')) from e
    try:
        signer = _signer(config)
    except _MaterialError as e:
        raise SigningError(_('The signing key or certificate could not be loaded: {problem}').format(
            problem=e)) from e
    metadata = PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=name or None,
    )
    try:
        writer = IncrementalPdfFileWriter(BytesIO(data))
        output = PdfSigner(metadata, signer).sign_pdf(writer)
    except Exception as e:
        error = str(e) or type(e).__name__
        raise SigningError(_('The document could not be signed: {error}').format(error=error)) from e
    return output.getvalue()


def signing_certificate_summary():
    """
    The certificate frozen copies are signed with, as the mark of an electronic signature prints it: {'serial':
    hexadecimal, 'owner': the subject's common name (or the whole subject), 'valid_from', 'valid_to': dates}.
    """
    certificate = _signer(_configured()).signing_cert
    validity = certificate['tbs_certificate']['validity']
    subject = certificate.subject.native
    return {
        'serial': format(certificate.serial_number, 'X'),
        'owner': subject.get('common_name') or certificate.subject.human_friendly,
        'valid_from': validity['not_before'].native.date(),
        'valid_to': validity['not_after'].native.date(),
    }


def check_signing_settings(config):
    """
    Raise ImproperlyConfigured, naming the setting and the fix, unless the signing settings in ``config``
    are either all empty or name a key and a certificate that load and belong together.
    """
    key_set = bool(config.get('signing_key'))
    cert_set = bool(config.get('signing_certificate'))
    if not key_set and not cert_set:
        return
    if key_set != cert_set:
        given, missing = ('signing_key', 'signing_certificate') if key_set else ('signing_certificate', 'signing_key')
        raise ImproperlyConfigured(
            f'{_ref(given)} is set but {_ref(missing)} is empty; set both (the private key file and its '
            f'certificate file) to sign documents, or clear both to leave them unsigned.'
        )
    try:
        import pyhanko.sign  # noqa: F401
    except ImportError as e:
        raise ImproperlyConfigured(
            f'{_ref("signing_key")} and {_ref("signing_certificate")} are set, but pyHanko, which signs the '
            f'documents, is not installed ({e}); pip install pyhanko, or clear both settings.'
        ) from e
    try:
        _signer(config)
    except _MaterialError as e:
        raise ImproperlyConfigured(str(e)) from e
