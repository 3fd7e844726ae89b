"""
The demo NetBox, for the tests that run what the documentation tells users to run: the test database loaded by
dev/bootstrap.py and dev/demo_data.py, run as `make demo` runs them (with runpy, in a process Django is set up
in), served by Django's live server; and a directory laid out like a clone of the repository, with docs/ and
.venv/ linked to this one's and .dev/ holding the demo's token files (api-token, tokens/<username>), for the
commands to run in.

The demo's data is committed, as the live server answers from other threads. When the demo is done with, the
database is put back as it was before, as Django's TransactionTestCase does with serialized_rollback: flushed,
and reloaded from its contents serialized beforehand (which keep what NetBox's migrations put there), so the
tests that run later find it as they expect.
"""
import os
import runpy
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from django.core.management import call_command
from django.db import connection
from pytest_django.live_server_helper import LiveServer

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def demo_netbox(django_db_blocker, directory):
    """
    Yields the demo: `url`, `directory` (the clone-like directory) and `env` (the environment of a user who
    follows the documentation: NETBOX_URL and NETBOX_TOKEN, the admin's token, set).
    """
    for name in ('docs', '.venv'):
        (directory / name).symlink_to(REPO / name)
    dev = directory / '.dev'
    # Database access for as long as the demo lives: the live server's threads need it too.
    with django_db_blocker.unblock():
        before = connection.creation.serialize_db_to_string()
        try:
            with mock.patch.dict(os.environ, DEMO_DIR=str(dev)):
                runpy.run_path(str(REPO / 'dev' / 'bootstrap.py'))
                runpy.run_path(str(REPO / 'dev' / 'demo_data.py'))
            server = LiveServer('127.0.0.1:0')
            try:
                admin_token = (dev / 'api-token').read_text().strip()
                yield SimpleNamespace(
                    url=server.url, directory=directory,
                    env={**os.environ, 'NETBOX_URL': server.url, 'NETBOX_TOKEN': admin_token},
                )
            finally:
                server.stop()
        finally:
            # The content types come back with the rest, under their IDs: post_migrate must not make them anew.
            call_command('flush', interactive=False, verbosity=0, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(before)
