"""PAdES signatures on document PDFs: signing, validation with pyHanko, tamper detection, settings checks."""
import os
import shutil
import sys
import tempfile
from io import BytesIO
from pathlib import Path
from unittest import mock

import pypdf
import weasyprint
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from netbox_decommission.documents import pades
from netbox_decommission.documents.pades import (
    SIGNATURE_FIELD,
    SigningError,
    check_signing_settings,
    sign_pdf,
    signing_configured,
)

from .utils import cert_pem, key_pem, x509_certificate, x509_name

PLUGIN = 'netbox_decommission'
CYRILLIC = 'Приказ о списании'
CYRILLIC_PARAGRAPH = 'Основание: истечение срока службы.'
REASON = 'Order ORD-2026-00001 signed by head and responsible'
SIGNER_NAME = 'Иван Петров'
PASSPHRASE = 'секретный пароль'
NO_SIGNING = {'signing_key': '', 'signing_certificate': '', 'signing_key_passphrase': '', 'signing_ca_chain': ''}


def _status(signed, trust_roots):
    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures
    assert len(embedded) == 1
    return embedded[0], validate_pdf_signature(embedded[0], ValidationContext(trust_roots=trust_roots))


class PadesTestCase(SimpleTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dir = Path(tempfile.mkdtemp(prefix='nbdc-pades-'))
        cls.addClassCleanup(shutil.rmtree, cls.dir)

        cls.ca_key = ec.generate_private_key(ec.SECP256R1())
        cls.ca_cert = x509_certificate(x509_name('Example Test CA'), cls.ca_key.public_key(),
                                       x509_name('Example Test CA'), cls.ca_key, ca=True)
        cls.ec_key = ec.generate_private_key(ec.SECP256R1())
        cls.ec_cert = x509_certificate(x509_name(SIGNER_NAME), cls.ec_key.public_key(), cls.ca_cert.subject,
                                       cls.ca_key, ca=False)
        cls.rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.rsa_cert = x509_certificate(x509_name('Signing Robot'), cls.rsa_key.public_key(), cls.ca_cert.subject,
                                        cls.ca_key, ca=False)

        cls.ca_pem = cls.write('ca.pem', cert_pem(cls.ca_cert))
        cls.ec_key_pem = cls.write('ec-key.pem', key_pem(cls.ec_key))
        cls.ec_cert_pem = cls.write('ec-cert.pem', cert_pem(cls.ec_cert))
        cls.rsa_key_pem = cls.write('rsa-key.pem', key_pem(cls.rsa_key, PASSPHRASE))
        cls.rsa_cert_pem = cls.write('rsa-cert.pem', cert_pem(cls.rsa_cert))
        cls.ca_key_pem = cls.write('ca-key.pem', key_pem(cls.ca_key))
        cls.trust_roots = [load_cert_from_pemder(cls.ca_pem)]

        cls.pdf = weasyprint.HTML(string=(
            '<html lang="ru"><head><meta charset="utf-8"></head><body>'
            f'<h1>{CYRILLIC}</h1><p>{CYRILLIC_PARAGRAPH} Ответственный: {SIGNER_NAME}.</p>'
            '</body></html>'
        )).write_pdf()

    @classmethod
    def write(cls, name, data):
        path = cls.dir / name
        path.write_bytes(data)
        return str(path)

    def signing(self, **config):
        """override_settings with the plugin's current settings plus ``config`` (defaults: the EC signer)."""
        plugin_config = {
            **settings.PLUGINS_CONFIG[PLUGIN],
            'signing_key': self.ec_key_pem,
            'signing_certificate': self.ec_cert_pem,
            'signing_key_passphrase': '',
            'signing_ca_chain': self.ca_pem,
            **config,
        }
        return override_settings(PLUGINS_CONFIG={**settings.PLUGINS_CONFIG, PLUGIN: plugin_config})

    def sign(self, **config):
        with self.signing(**config):
            return sign_pdf(self.pdf, REASON, location='Москва, ЦОД-1', name=SIGNER_NAME)


class SignPdfTestCase(PadesTestCase):

    def test_signed_pdf_validates_against_the_ca(self):
        signed = self.sign()

        embedded, status = _status(signed, self.trust_roots)
        self.assertTrue(status.bottom_line, status.pretty_print_details())
        self.assertTrue(status.intact)
        self.assertTrue(status.valid)
        self.assertTrue(status.trusted)
        self.assertEqual(status.coverage, SignatureCoverageLevel.ENTIRE_FILE)
        self.assertEqual(status.modification_level, ModificationLevel.NONE)
        self.assertTrue(status.docmdp_ok)
        self.assertEqual(status.signing_cert.subject.native['common_name'], SIGNER_NAME)

        # An incremental update: the frozen PDF's bytes are kept verbatim ahead of the signature.
        self.assertEqual(signed[:len(self.pdf)], self.pdf)
        self.assertEqual(embedded.field_name, SIGNATURE_FIELD)
        sig = embedded.sig_object
        self.assertEqual(sig['/SubFilter'], '/ETSI.CAdES.detached')
        self.assertEqual(sig['/Reason'], REASON)
        self.assertEqual(sig['/Location'], 'Москва, ЦОД-1')
        self.assertEqual(sig['/Name'], SIGNER_NAME)
        # The signer's certificate and the configured chain travel with the signature.
        embedded_subjects = {cert.chosen.subject.native['common_name'] for cert in embedded.signed_data['certificates']}
        self.assertEqual(embedded_subjects, {SIGNER_NAME, 'Example Test CA'})
        # PAdES-B-B: ESS signing-certificate-v2 signed, no CMS signing-time (the time lives in /M).
        signed_attrs = {attr['type'].native for attr in embedded.signer_info['signed_attrs']}
        self.assertIn('signing_certificate_v2', signed_attrs)
        self.assertNotIn('signing_time', signed_attrs)

    def test_signature_is_not_trusted_without_the_ca(self):
        other_key = ec.generate_private_key(ec.SECP256R1())
        other_ca = x509_certificate(x509_name('Other CA'), other_key.public_key(), x509_name('Other CA'), other_key,
                                    ca=True)
        trust_roots = [load_cert_from_pemder(self.write('other-ca.pem', cert_pem(other_ca)))]

        _, status = _status(self.sign(), trust_roots)
        self.assertTrue(status.intact)
        self.assertTrue(status.valid)
        self.assertFalse(status.trusted)
        self.assertFalse(status.bottom_line)

    def test_encrypted_rsa_key_with_passphrase(self):
        signed = self.sign(
            signing_key=self.rsa_key_pem, signing_certificate=self.rsa_cert_pem, signing_key_passphrase=PASSPHRASE,
        )

        _, status = _status(signed, self.trust_roots)
        self.assertTrue(status.bottom_line, status.pretty_print_details())
        self.assertEqual(status.signing_cert.subject.native['common_name'], 'Signing Robot')

    def test_certificate_file_may_hold_the_full_chain(self):
        full_chain = self.write('ec-fullchain.pem', cert_pem(self.ca_cert, self.ec_cert))

        signed = self.sign(signing_certificate=full_chain, signing_ca_chain='')

        embedded, status = _status(signed, self.trust_roots)
        self.assertTrue(status.bottom_line, status.pretty_print_details())
        self.assertEqual(status.signing_cert.subject.native['common_name'], SIGNER_NAME)
        self.assertEqual(len(embedded.signed_data['certificates']), 2)

    def test_text_stays_extractable(self):
        text = pypdf.PdfReader(BytesIO(self.sign())).pages[0].extract_text()
        self.assertIn(CYRILLIC, text)
        self.assertIn(CYRILLIC_PARAGRAPH, text)

    def test_flipped_byte_in_the_signed_content_is_detected(self):
        signed = self.sign()
        # A byte inside the first (compressed) stream of the original document: the file still parses,
        # but the signed digest no longer matches.
        position = self.pdf.index(b'stream\n') + len(b'stream\n') + 5
        tampered = bytearray(signed)
        tampered[position] ^= 0xFF

        _, status = _status(bytes(tampered), self.trust_roots)
        self.assertFalse(status.intact)
        self.assertFalse(status.bottom_line)

    def test_page_content_replaced_in_a_later_revision_is_detected(self):
        signed = self.sign()
        writer = IncrementalPdfFileWriter(BytesIO(signed))
        page = writer.root['/Pages']['/Kids'][0].get_object()
        page['/Contents'] = writer.add_object(generic.StreamObject(stream_data=b'BT /F1 24 Tf 72 720 Td (X) Tj ET'))
        writer.update_container(page)
        output = BytesIO()
        writer.write(output)

        # pyHanko warns about the disallowed change it found; that is the expected outcome here.
        with self.assertLogs('pyhanko.sign.diff_analysis', level='WARNING'):
            _, status = _status(output.getvalue(), self.trust_roots)
        # The signed revision itself is untouched, but what came after it is not an allowed modification.
        self.assertTrue(status.intact)
        self.assertEqual(status.coverage, SignatureCoverageLevel.ENTIRE_REVISION)
        self.assertEqual(status.modification_level, ModificationLevel.OTHER)
        self.assertFalse(status.docmdp_ok)
        self.assertFalse(status.bottom_line)

    def test_signer_is_loaded_once_until_a_file_changes(self):
        with mock.patch.object(pades, '_load_signer', wraps=pades._load_signer) as load:
            pades._signer_cache.clear()
            self.sign()
            self.sign()
            self.assertEqual(load.call_count, 1)

            stat = os.stat(self.ec_cert_pem)
            os.utime(self.ec_cert_pem, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
            self.sign()
            self.assertEqual(load.call_count, 2)

    def test_signing_configured(self):
        with self.signing():
            self.assertTrue(signing_configured())
        with self.signing(signing_certificate=''):
            self.assertFalse(signing_configured())
        with self.signing(**NO_SIGNING):
            self.assertFalse(signing_configured())

    def test_unconfigured_signing_raises(self):
        with self.signing(**NO_SIGNING), self.assertRaises(SigningError):
            sign_pdf(self.pdf, REASON)

    def test_broken_pdf_raises_signing_error(self):
        with self.signing(), self.assertRaises(SigningError) as raised:
            sign_pdf(b'not a PDF at all', REASON)
        self.assertIn('could not be signed', str(raised.exception))

    def test_key_file_gone_after_start_up_raises_signing_error(self):
        key = self.write('vanishing-key.pem', key_pem(self.ec_key))
        with self.signing(signing_key=key):
            check_signing_settings(settings.PLUGINS_CONFIG[PLUGIN])
            os.remove(key)
            with self.assertRaises(SigningError) as raised:
                sign_pdf(self.pdf, REASON)
        self.assertIn('PLUGINS_CONFIG["netbox_decommission"]["signing_key"]', str(raised.exception))


class CheckSigningSettingsTestCase(PadesTestCase):

    def config(self, **changes):
        return {
            **settings.PLUGINS_CONFIG[PLUGIN],
            'signing_key': self.ec_key_pem,
            'signing_certificate': self.ec_cert_pem,
            'signing_key_passphrase': '',
            'signing_ca_chain': self.ca_pem,
            **changes,
        }

    def assertRejected(self, config, setting, *fragments):
        with self.assertRaises(ImproperlyConfigured) as raised:
            check_signing_settings(config)
        message = str(raised.exception)
        self.assertIn(f'PLUGINS_CONFIG["netbox_decommission"]["{setting}"]', message)
        for fragment in fragments:
            self.assertIn(fragment, message)

    def test_valid_and_empty_settings_pass(self):
        self.assertIsNone(check_signing_settings(self.config()))
        self.assertIsNone(check_signing_settings(self.config(
            signing_key=self.rsa_key_pem, signing_certificate=self.rsa_cert_pem, signing_key_passphrase=PASSPHRASE,
        )))
        self.assertIsNone(check_signing_settings(self.config(**NO_SIGNING)))
        self.assertIsNone(check_signing_settings({}))

    def test_half_configured(self):
        self.assertRejected(self.config(signing_certificate=''), 'signing_certificate', 'set both', 'clear both')
        self.assertRejected(self.config(signing_key=''), 'signing_key', 'set both', 'clear both')

    def test_missing_files(self):
        missing = str(self.dir / 'missing.pem')
        self.assertRejected(self.config(signing_key=missing), 'signing_key', 'does not exist', missing)
        self.assertRejected(self.config(signing_certificate=missing), 'signing_certificate', 'does not exist')
        self.assertRejected(self.config(signing_ca_chain=missing), 'signing_ca_chain', 'does not exist')
        self.assertRejected(self.config(signing_key=str(self.dir)), 'signing_key', 'is a directory')

    def test_unreadable_key_file(self):
        # Simulated: file modes do not stop root, which the test run may be.
        denied = PermissionError(13, 'Permission denied')
        with mock.patch.object(pades, 'open', side_effect=denied, create=True):
            self.assertRejected(self.config(), 'signing_key', 'permission denied', 'readable by the user NetBox')

    def test_passphrase_problems(self):
        rsa = {'signing_key': self.rsa_key_pem, 'signing_certificate': self.rsa_cert_pem}
        self.assertRejected(self.config(**rsa, signing_key_passphrase='wrong'), 'signing_key_passphrase',
                            'cannot be decrypted')
        self.assertRejected(self.config(**rsa, signing_key_passphrase=''), 'signing_key_passphrase', 'is encrypted')
        self.assertRejected(self.config(signing_key_passphrase='unneeded'), 'signing_key_passphrase',
                            'is not encrypted')

    def test_files_of_the_wrong_kind(self):
        self.assertRejected(self.config(signing_key=self.ec_cert_pem), 'signing_key', 'private key')
        self.assertRejected(self.config(signing_certificate=self.ec_key_pem), 'signing_certificate',
                            'holds no certificate')
        garbage = self.write('garbage.der', b'\x30\x03\x02\x01')
        self.assertRejected(self.config(signing_certificate=garbage), 'signing_certificate', 'readable certificates')

    def test_mismatched_key_and_certificate(self):
        self.assertRejected(self.config(signing_certificate=self.rsa_cert_pem), 'signing_certificate',
                            'does not match', 'Signing Robot')

    def test_certificate_without_signing_key_usage(self):
        self.assertRejected(self.config(signing_key=self.ca_key_pem, signing_certificate=self.ca_pem),
                            'signing_certificate', 'digitalSignature')

    def test_pyhanko_missing(self):
        with mock.patch.dict(sys.modules, {'pyhanko.sign': None}):
            self.assertRejected(self.config(), 'signing_key', 'pip install pyhanko')
            # Without signing configured the plugin does not need pyHanko at all.
            self.assertIsNone(check_signing_settings(self.config(**NO_SIGNING)))
