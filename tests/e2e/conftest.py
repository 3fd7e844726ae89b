"""
The browser tests: Playwright's sync API drives Debian's Chromium against NetBox under Django's live server.
Playwright cannot download its own browsers here (and CI needs none of them): it launches the system Chromium.
"""
import os
import shutil
from pathlib import Path

import pytest

from .browser import Session

CHROMIUM = os.environ.get('E2E_CHROMIUM') or shutil.which('chromium') or '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
ARTIFACTS = Path(os.environ.get('E2E_ARTIFACTS') or Path(__file__).resolve().parents[2] / '.dev' / 'e2e-artifacts')


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test, so that the login fixture knows at teardown whether the test failed.
    report = yield
    setattr(item, f'report_{report.when}', report)
    return report


@pytest.fixture(scope='session')
def collected_static():
    """
    NetBox reads some stylesheets from STATIC_ROOT itself (the rack elevation and cable trace SVGs embed them), so
    the static files are collected as `make demo` does; collectstatic copies only what changed.
    """
    from django.core.management import call_command

    call_command('collectstatic', interactive=False, verbosity=0)


@pytest.fixture
def chromium(collected_static, live_server, monkeypatch):
    """
    The system Chromium under Playwright, started once the live server and its database are up. Playwright's sync
    API keeps an asyncio loop running in the test's thread, and Django then refuses database queries from that
    thread as if they came from async code; the test's own queries (its data, its checks) are plain synchronous
    code between browser calls, so the guard is lifted while the browser runs.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f'Chromium is missing at {CHROMIUM}: the browser tests need it (apt-get install chromium, '
                    f'or E2E_CHROMIUM=/path/to/chromium).', pytrace=False)
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv('DJANGO_ALLOW_ASYNC_UNSAFE', 'true')
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def artifacts(request):
    """The directory this test's screenshots go to: <E2E_ARTIFACTS>/<test name>/."""
    path = ARTIFACTS / request.node.name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture
def login(request, chromium, live_server, artifacts):
    """
    login(username) -> a Session of that user, logged in through NetBox's login form. If the test fails, every
    session's page is saved as failed-<username>.png next to the screenshots, to show where each person stood.
    """
    sessions = []

    def open_session(username):
        session = Session(chromium, live_server.url, artifacts, username)
        sessions.append(session)
        return session

    yield open_session
    failed = getattr(request.node, 'report_call', None) is not None and request.node.report_call.failed
    for session in sessions:
        if failed:
            session.screenshot(f'failed-{session.username}')
        session.close()
