"""
The documentation site: `mkdocs build --strict` passes (and fails on a page left out of the nav, a broken link or
a missing image), and what the pages claim holds: the stage diagram is the workflow's, every REST endpoint and
every setting is documented, the webhook example of events.md posts the body it shows, and the template override
of document-templates.md is found.
"""
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from unittest import mock

import yaml
from django.test import SimpleTestCase, TestCase
from rest_framework.test import APIClient

from netbox_decommission import DecommissionConfig, workflow
from netbox_decommission.api import urls as api_urls
from netbox_decommission.choices import DecommissionStatusChoices
from users.models import User

from .utils import create_cabled_server, create_signers, create_sites, create_workflow_decommission, token_header

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / 'docs'


def mkdocs_build(config_file, site_dir):
    """Run `mkdocs build --strict`; returns the completed process (its output holds the warnings)."""
    return subprocess.run(
        [sys.executable, '-m', 'mkdocs', 'build', '--strict', '--config-file', str(config_file),
         '--site-dir', str(site_dir)],
        capture_output=True, text=True, env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'}, timeout=120,
    )


def nav_pages(nav):
    for entry in nav:
        for value in (entry.values() if isinstance(entry, dict) else [entry]):
            if isinstance(value, list):
                yield from nav_pages(value)
            else:
                yield value


FENCE = re.compile(r'^( *)```[\w-]*\n(.*?)^\1```', re.M | re.S)


def code_blocks(text, after=''):
    """The fenced code blocks of a page (dedented), those after the first occurrence of `after` only."""
    start = text.index(after) if after else 0
    return [textwrap.dedent(m.group(2)) for m in FENCE.finditer(text) if m.start() > start]


def code_block_after(text, marker):
    return code_blocks(text, marker)[0]


class StrictBuildTestCase(SimpleTestCase):

    def test_the_site_builds_without_a_warning(self):
        with tempfile.TemporaryDirectory() as site:
            build = mkdocs_build(REPO / 'mkdocs.yml', site)
            self.assertEqual(build.returncode, 0, build.stderr)
            self.assertTrue((Path(site) / 'index.html').exists())
            self.assertTrue((Path(site) / 'images' / 'stages.svg').exists())

    def test_every_page_is_in_the_nav(self):
        config = yaml.safe_load((REPO / 'mkdocs.yml').read_text())
        pages = {str(path.relative_to(DOCS)) for path in DOCS.rglob('*.md')}
        self.assertEqual(pages - set(nav_pages(config['nav'])), set(),
                         'add these pages to the nav of mkdocs.yml')

    def test_a_page_left_out_a_broken_link_and_a_missing_image_fail_the_build(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(DOCS, Path(tmp) / 'docs')
            shutil.copy(REPO / 'mkdocs.yml', tmp)
            (Path(tmp) / 'docs' / 'orphan.md').write_text('# Orphan\n')
            with open(Path(tmp) / 'docs' / 'faq.md', 'a') as faq:
                faq.write('\n[gone](no-such-page.md) ![gone](images/no-such-image.png)\n')
            build = mkdocs_build(Path(tmp) / 'mkdocs.yml', Path(tmp) / 'site')
        self.assertNotEqual(build.returncode, 0)
        for name in ('orphan.md', 'no-such-page.md', 'images/no-such-image.png'):
            self.assertIn(name, build.stderr)


class DrawnFromTheTableOfMovesTestCase(SimpleTestCase):

    def test_the_committed_diagram_is_the_workflows(self):
        draw = runpy.run_path(str(REPO / 'dev' / 'workflow_docs.py'))
        self.assertEqual(
            Path(draw['SVG_PATH']).read_text(encoding='utf-8'), draw['stages_svg'](),
            'docs/images/stages.svg is stale: run `make docs` (or dev/workflow_docs.py) and commit it',
        )

    def test_the_committed_moves_table_is_the_workflows(self):
        draw = runpy.run_path(str(REPO / 'dev' / 'workflow_docs.py'))
        self.assertEqual(
            Path(draw['API_PATH']).read_text(encoding='utf-8'), draw['api_page'](),
            'the moves table of docs/api.md is stale: run `make docs` (or dev/workflow_docs.py) and commit it',
        )

    def test_the_diagram_names_every_stage_and_the_overview_embeds_it(self):
        svg = (DOCS / 'images' / 'stages.svg').read_text(encoding='utf-8')
        for _value, label, _color in DecommissionStatusChoices.CHOICES:
            self.assertIn(f'>{label}</text>', svg)
        self.assertIn('](images/stages.svg)', (DOCS / 'index.md').read_text())


class ReferenceIsCompleteTestCase(SimpleTestCase):

    def test_every_rest_endpoint_is_in_the_api_page(self):
        page = (DOCS / 'api.md').read_text()
        table = page[page.index('## Every endpoint'):page.index('## Workflow endpoints')]
        missing = []
        for pattern in api_urls.urlpatterns:
            route = str(pattern.pattern)
            callback = pattern.callback
            if 'format' in route or not route.strip('^$'):
                continue  # the .json/.api suffix variants and the API root
            path = re.sub(r'<\w+:pk>|\(\?P<pk>[^)]*\)', '{id}', route)
            path = re.sub(r'<str:(\w+)>', r'{\1}', path).strip('^$')
            # HEAD answers wherever GET does (DRF adds it to a viewset's actions at its first request).
            if getattr(callback, 'actions', None):
                methods = [m for m in callback.actions if m != 'head']
            else:
                methods = [m for m in ('get', 'post', 'put', 'patch', 'delete') if hasattr(callback.view_class, m)]
            missing += [f'{m.upper()} {path}' for m in methods if f'`{m.upper()} {path}`' not in table]
        self.assertEqual(missing, [], 'document these endpoints in docs/api.md, "Every endpoint"')

    def test_every_setting_is_in_the_configuration_page_with_its_default(self):
        rows = [line for line in (DOCS / 'configuration.md').read_text().splitlines() if line.startswith('| `')]
        for name, default in DecommissionConfig.default_settings.items():
            with self.subTest(setting=name):
                (row,) = [row for row in rows if f'`{name}`' in row.split('|')[1]]
                self.assertEqual(row.split('|')[2].strip(), f'`{default!r}`')


class WebhookExampleTestCase(TestCase):
    """events.md: the webhook and event rule made from its JSON post the body it shows."""

    def test_the_documented_webhook_posts_the_documented_body(self):
        page = (DOCS / 'events.md').read_text()
        admin = User.objects.create_superuser('admin', 'admin@example.com', 'admin')
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=token_header(admin)['HTTP_AUTHORIZATION'])
        webhook = client.post('/api/extras/webhooks/', json.loads(code_block_after(page, 'POST /api/extras/webhooks/')),
                              format='json')
        self.assertEqual(webhook.status_code, 201, webhook.content)
        rule_body = json.loads(code_block_after(page, 'POST /api/extras/event-rules/'))
        rule = client.post('/api/extras/event-rules/', {**rule_body, 'action_object_id': webhook.json()['id']},
                           format='json')
        self.assertEqual(rule.status_code, 201, rule.content)

        (site,) = create_sites('Site A')
        device = create_cabled_server(site, 'msk1-app-12').device
        device.serial = 'CZ2041XK7Q'
        device.save()
        people = create_signers()
        decommission = create_workflow_decommission(device, people)
        with mock.patch('extras.event_rules.get_queue') as get_queue:
            workflow.sign(decommission, people.head, 'order', 'head')
            with self.captureOnCommitCallbacks(execute=True):
                workflow.sign(decommission, people.responsible, 'order', 'responsible')
        ((args, job),) = get_queue.return_value.enqueue.call_args_list
        self.assertEqual(args, ('extras.webhooks.send_webhook',))
        job.pop('retry')

        from extras.webhooks import send_webhook

        with mock.patch('requests.Session.send') as send:
            send.return_value.status_code = 200
            send_webhook(**job)
        sent = json.loads(send.call_args.args[0].body)
        expected = code_block_after(page, 'the ticket system receives:')
        expected = expected.replace('DC-2026-00001', decommission.number).replace(
            '/decommissions/21/', f'/decommissions/{decommission.pk}/')
        self.assertEqual(sent, json.loads(expected))


class DocumentTemplateOverrideTestCase(SimpleTestCase):
    """document-templates.md: a local plugin listed first overrides a document template and can extend it."""

    def test_the_documented_override_is_found_and_extends_the_plugins_template(self):
        blocks = code_blocks((DOCS / 'document-templates.md').read_text())
        (init,) = [b for b in blocks if b.startswith('# local_documents/__init__.py')]
        (order,) = [b for b in blocks if b.startswith('{% extends "netbox_decommission/documents/order.html" %}')]
        with tempfile.TemporaryDirectory() as tmp:
            package = Path(tmp) / 'local_documents'
            templates = package / 'templates' / 'netbox_decommission' / 'documents'
            templates.mkdir(parents=True)
            (package / '__init__.py').write_text(init)
            (templates / 'order.html').write_text(order)
            # NetBox's configuration of this test run, with the local plugin listed first as the page says.
            (Path(tmp) / 'override_configuration.py').write_text(
                f'from {os.environ["NETBOX_CONFIGURATION"]} import *  # noqa\n'
                f'PLUGINS = ["local_documents", *PLUGINS]  # noqa\n'
            )
            render = (
                'import django; django.setup()\n'
                'from django.template.loader import render_to_string\n'
                'from django.utils import translation\n'
                'translation.activate("en")\n'
                'print(render_to_string("netbox_decommission/documents/order.html", {}))\n'
            )
            env = {**os.environ, 'NETBOX_CONFIGURATION': 'override_configuration',
                   'PYTHONPATH': os.pathsep.join([tmp, os.environ.get('PYTHONPATH', '')]),
                   'DJANGO_SETTINGS_MODULE': 'netbox.settings'}
            result = subprocess.run([sys.executable, '-c', render], capture_output=True, text=True, env=env,
                                    cwd=REPO, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        html = result.stdout
        # The override's paragraph, inside the plugin's own order (its heading and text come through block.super).
        self.assertIn("Copies: the data center's security office", html)
        self.assertIn('on decommissioning a server and removing it from the data center', html)
        self.assertIn('the server described below is to be decommissioned', html)
        self.assertLess(html.index('the server described below'), html.index('Copies: the data center'))
