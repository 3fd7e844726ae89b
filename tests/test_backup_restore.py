"""
NetBox's backup path — a pg_dump of the database and a copy of the media folder — keeps everything the plugin
stores: a retired decommission restored into a brand-new database and media folder still has its record, stage log,
signatures and frozen documents, whose bytes match their SHA-256 and verify as genuine, and the number sequences go
on without handing out a number again.

Each step runs in its own process against databases of its own (copies of the test database's migrated schema),
as a NetBox installation and its restore would; they are dropped at the end, whatever happens.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import TestCase

pytestmark = pytest.mark.backup

REPO = Path(__file__).resolve().parent.parent

# A NetBox configuration that is the test environment's, with the media folder of the step.
CONFIGURATION = """
import os
from {base} import *  # noqa: F403

MEDIA_ROOT = os.environ['BACKUP_TEST_MEDIA_ROOT']
"""


def record_facts(decommission):
    """What the backup must keep of a decommission, as plain data to compare before and after."""
    from netbox_decommission.models import DocumentFile, Signature

    files = DocumentFile.objects.filter(document__decommission=decommission).order_by('document__kind', 'language')
    return {
        'pk': decommission.pk,
        'number': decommission.number,
        'status': decommission.status,
        'device_name': decommission.device_name,
        'snapshot_interfaces': sorted(i['name'] for i in (decommission.device_snapshot or {}).get('interfaces', ())),
        'stage_log': [
            [change.from_status, change.to_status, change.user.username, change.time.isoformat()]
            for change in decommission.stage_changes.select_related('user').order_by('time', 'pk')
        ],
        'documents': sorted([d.kind, d.number, d.signed_at.isoformat()] for d in decommission.documents.all()),
        'signatures': [
            [s.document.kind, s.role, s.user.username, s.signed_at.isoformat()]
            for s in Signature.objects.filter(document__decommission=decommission).select_related('document', 'user')
            .order_by('pk')
        ],
        'files': [[f.document.kind, f.language, f.file.name, f.sha256, f.size] for f in files],
        'components': sorted(decommission.components.values_list('serial', flat=True)),
    }


def make_records():
    """In the database to back up: a decommission walked to retirement, its act signed and its documents frozen."""
    from dcim.choices import DeviceStatusChoices
    from netbox_decommission.choices import DecommissionStatusChoices as Status
    from netbox_decommission.models import StorageLocation

    from .utils import (
        add_ready_components,
        advance,
        create_cabled_server,
        create_devices,
        create_signers,
        create_sites,
        create_workflow_decommission,
    )

    (site,) = create_sites('Site A')
    zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site)
    server = create_cabled_server(site, status=DeviceStatusChoices.STATUS_ACTIVE)
    create_devices(1, site, prefix='spare')
    people = create_signers()
    decommission = create_workflow_decommission(server.device, people)
    advance(decommission, Status.STATUS_BACKED_UP, people)
    add_ready_components(decommission, zone)
    advance(decommission, Status.STATUS_RETIRED, people, zone)
    return record_facts(decommission)


def check_restored(pk):
    """In the restored database: the facts, the stored files, their verification, and the next numbers."""
    from django.core.files.storage import default_storage

    from dcim.models import Device
    from netbox_decommission.documents.verification import verify
    from netbox_decommission.models import Decommission, Document, DocumentFile

    from .utils import create_decommission

    decommission = Decommission.objects.get(pk=pk)
    files = []
    for stored in DocumentFile.objects.filter(document__decommission=decommission).order_by('document__kind',
                                                                                            'language'):
        data = default_storage.open(stored.file.name, 'rb').read()
        result = verify(data)
        files.append({
            'name': stored.file.name,
            'sha256_of_bytes': hashlib.sha256(data).hexdigest(),
            'sha256': stored.sha256,
            'valid': result.valid,
            'message': result.message,
        })
    numbers = list(Decommission.objects.values_list('number', flat=True))
    document_numbers = list(Document.objects.filter(kind='order').values_list('number', flat=True))
    # A new record takes the next decommission number, and its order, drafted with it, the next order number.
    new = create_decommission(Device.objects.get(name='spare-01'))
    order = new.documents.get(kind='order')
    return {
        'facts': record_facts(decommission),
        'files': files,
        'numbers': numbers,
        'new_number': new.number,
        'document_numbers': document_numbers,
        'new_document_number': order.number,
    }


def pg_tool(name):
    found = shutil.which(name) or next(iter(sorted(Path('/usr/lib/postgresql').glob(f'*/bin/{name}'))), None)
    if found is None:
        raise AssertionError(f'{name} not found: install the PostgreSQL client tools (e.g. postgresql-client).')
    return str(found)


class BackupRestoreTestCase(TestCase):

    def setUp(self):
        settings = connection.settings_dict
        self.pg_env = {**os.environ, 'PGHOST': settings['HOST'] or '', 'PGPORT': str(settings['PORT'] or ''),
                       'PGUSER': settings['USER'] or '', 'PGPASSWORD': settings['PASSWORD'] or ''}
        self.work = Path(tempfile.mkdtemp(prefix='nbdc-backup-'))
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)
        (self.work / 'backup_configuration.py').write_text(
            CONFIGURATION.format(base=os.environ.get('NETBOX_CONFIGURATION', 'netbox_configuration')))
        suffix = uuid.uuid4().hex[:8]
        self.source, self.restored = f'nbdc_backup_src_{suffix}', f'nbdc_backup_restored_{suffix}'
        # The migrated schema (and nothing this test writes, which stays uncommitted) as the installation.
        self.pg('pg_dump', '--format=custom', f'--file={self.work / "schema.dump"}', settings['NAME'])
        for database in (self.source, self.restored):
            self.addCleanup(self.pg, 'dropdb', '--if-exists', '--force', database)
        self.create_database(self.source, self.work / 'schema.dump')

    def pg(self, tool, *args):
        subprocess.run([pg_tool(tool), *args], env=self.pg_env, check=True, capture_output=True, timeout=120)

    def create_database(self, name, dump):
        self.pg('createdb', name)
        self.pg('pg_restore', '--no-owner', f'--dbname={name}', str(dump))

    def netbox(self, database, media_root, call):
        """Run ``call`` (an expression of this module) in a NetBox process on ``database`` and ``media_root``."""
        env = {
            **os.environ, 'NETBOX_DB_NAME': database, 'BACKUP_TEST_MEDIA_ROOT': str(media_root),
            'NETBOX_CONFIGURATION': 'backup_configuration',
            'PYTHONPATH': os.pathsep.join([str(self.work), str(REPO / 'dev'), str(REPO),
                                          os.environ.get('PYTHONPATH', '')]),
        }
        script = (
            'import json, django; django.setup(); from tests import test_backup_restore as m; '
            f'print("RESULT " + json.dumps(m.{call}))'
        )
        run = subprocess.run([sys.executable, '-c', script], env=env, cwd=REPO, capture_output=True, text=True,
                             timeout=300)
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        (line,) = [line for line in run.stdout.splitlines() if line.startswith('RESULT ')]
        return json.loads(line.removeprefix('RESULT '))

    def test_restored_dump_and_media_keep_the_records_and_documents(self):
        media, restored_media = self.work / 'media', self.work / 'media-restored'
        before = self.netbox(self.source, media, 'make_records()')
        self.assertEqual(before['status'], 'retired')
        self.assertEqual(len(before['files']), 6)  # order, application and act, in both languages

        # NetBox's backup: the database dump and a copy of the media folder, restored into new ones.
        self.pg('pg_dump', '--format=custom', f'--file={self.work / "backup.dump"}', self.source)
        shutil.copytree(media, restored_media)
        self.create_database(self.restored, self.work / 'backup.dump')
        shutil.rmtree(media)

        after = self.netbox(self.restored, restored_media, f'check_restored({before["pk"]})')
        self.assertEqual(after['facts'], before)
        self.assertEqual(len(after['files']), 6)
        for file, (_kind, _language, name, sha256, _size) in zip(after['files'], before['files'], strict=True):
            with self.subTest(file=name):
                self.assertEqual(file['name'], name)
                self.assertEqual(file['sha256_of_bytes'], sha256)
                self.assertEqual(file['sha256'], sha256)
                self.assertTrue(file['valid'], file['message'])
                self.assertIn('Genuine and unchanged', file['message'])
        self.assertNotIn(after['new_number'], after['numbers'])
        self.assertGreater(after['new_number'], max(after['numbers']))
        self.assertNotIn(after['new_document_number'], after['document_numbers'])
        self.assertGreater(after['new_document_number'], max(after['document_numbers']))
