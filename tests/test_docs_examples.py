"""
The documentation's examples are tests: every REST, pynetbox and GraphQL example of README.md and docs/*.md runs,
unchanged, against a live NetBox with the demo's data, and must succeed.

Which blocks are examples (the rule): a fenced code block that calls NetBox — a ```bash block with `curl`, a
```python block that imports pynetbox, and every ```graphql block. The other blocks are left out by the rule:
they call nothing (responses and errors as NetBox prints them, configuration files, the commands that install or
upgrade NetBox, make targets). A block that calls NetBox in another language fails the test, since it could not
be run; every curl of an example must carry `--fail-with-body`, so that a refusal fails the command for the reader
as it fails the test.

How they run: against one NetBox, the test database loaded by dev/bootstrap.py and dev/demo_data.py as
`make demo` loads it and served by Django's live server (tests/demo_netbox.py), in a directory laid out like
the repository whose .dev/ holds the demo's tokens (api-token, tokens/<username>), with the two variables the
pages tell users to set: NETBOX_URL and NETBOX_TOKEN (the admin's token). A bash example runs with
`bash -e -o pipefail` (any failing command fails it), a python example with the virtualenv's Python (pynetbox
raises on an HTTP error, the examples call raise_for_status on their own requests), a graphql example is posted
to /graphql/ with the admin's token and must answer 200 with data and without errors.

The order (the rule for examples that move a record along): README.md first, then docs/*.md by name, each page
top to bottom. An example starts from the demo's data meant for it (the draft of msk1-app-11 to sign, the closed
decommission of msk1-db-06 to download and verify documents of) or from what an earlier example of the same page
did, never from another page's; examples that start a decommission take a server of their own (the demo's list:
docs/installation.md, "The demo").
"""
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests

from .demo_netbox import demo_netbox

pytestmark = [pytest.mark.docs, pytest.mark.django_db]

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / 'README.md', *sorted((REPO / 'docs').glob('*.md'))]
FENCE = re.compile(r'^( *)```([\w-]*)\n(.*?)^\1```', re.M | re.S)
CALLS_NETBOX = re.compile(r'\bcurl\b|\bpynetbox\b')
RUNNERS = {
    'bash': lambda body: ['bash', '-e', '-o', 'pipefail', '-c', body],
    'python': lambda body: [sys.executable, '-c', body],
}


def blocks():
    """Every fenced code block of the pages: (page, line, language, body), dedented."""
    for page in PAGES:
        text = page.read_text()
        for match in FENCE.finditer(text):
            line = text.count('\n', 0, match.start()) + 1
            yield page.relative_to(REPO).as_posix(), line, match.group(2), textwrap.dedent(match.group(3))


def is_example(language, body):
    if language == 'graphql':
        return True
    if language == 'bash':
        return re.search(r'\bcurl\b', body) is not None
    if language == 'python':
        return re.search(r'^\s*(import pynetbox|from pynetbox\b)', body, re.M) is not None
    return False


EXAMPLES = [pytest.param(language, body, id=f'{page}:{line}')
            for page, line, language, body in blocks() if is_example(language, body)]


@pytest.fixture(scope='module')
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with demo_netbox(django_db_blocker, tmp_path_factory.mktemp('clone')) as demo:
        yield demo


def test_every_block_that_calls_netbox_is_a_runnable_example():
    unrunnable = [f'{page}:{line} ({language or "no language"})' for page, line, language, body in blocks()
                  if CALLS_NETBOX.search(body) and not is_example(language, body)]
    assert unrunnable == [], 'these blocks call NetBox but are not ```bash with curl or ```python with pynetbox'
    # The rule finds the examples the pages have: the README's, the API page's and the documents page's.
    pages = {param.id.split(':')[0] for param in EXAMPLES}
    assert {'README.md', 'docs/api.md', 'docs/documents.md'} <= pages


@pytest.mark.parametrize('language, body', EXAMPLES)
def test_example(demo, language, body):
    if language == 'graphql':
        response = requests.post(f'{demo.url}/graphql/', json={'query': body}, timeout=60, headers={
            'Authorization': f'Bearer {demo.env["NETBOX_TOKEN"]}', 'Accept': 'application/json'})
        assert response.status_code == 200, response.text
        answer = response.json()
        assert 'errors' not in answer, json.dumps(answer['errors'], indent=2)
        assert answer['data'] and all(value for value in answer['data'].values()), answer
        return
    if language == 'bash':
        curls = re.findall(r'\bcurl\b[^\n]*', body)
        assert all('--fail-with-body' in curl for curl in curls), 'every curl needs --fail-with-body'
    run = subprocess.run(RUNNERS[language](body), cwd=demo.directory, env=demo.env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, f'exit status {run.returncode}\n{run.stdout}\n{run.stderr}'
