"""The package as a NetBox administrator installs it: the wheel and the sdist `make dist` builds (dev/package.py).

Built from a clean export of the checkout, the sdist first and the wheel from it, so a file MANIFEST.in leaves out is
missing here as it would be on PyPI.
"""

import re
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / 'netbox_decommission'
sys.path.insert(0, str(ROOT / 'dev'))
import package  # noqa: E402  (dev/package.py, which `make dist` runs)


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    sdist, wheel = package.build(tmp_path_factory.mktemp('dist'))
    with zipfile.ZipFile(wheel) as archive:
        wheel_files = {name: archive.read(name) for name in archive.namelist()}
    with tarfile.open(sdist) as archive:
        sdist_files = {member.name.split('/', 1)[1] for member in archive.getmembers() if member.isfile()}
    return wheel_files, sdist_files


def _shipped(folder, pattern):
    return {path.relative_to(ROOT).as_posix() for path in (PACKAGE / folder).rglob(pattern)}


def _dist_info(wheel_files, name):
    matches = [path for path in wheel_files if re.fullmatch(rf'netbox_decommission-[^/]+\.dist-info/{name}', path)]
    assert len(matches) == 1, f'{name} in the wheel: {matches}'
    return wheel_files[matches[0]]


def test_the_wheel_holds_every_file_of_the_package_templates_and_compiled_catalogues_included(built):
    wheel_files, _ = built
    package_files = {
        path.relative_to(ROOT).as_posix() for path in PACKAGE.rglob('*')
        if path.is_file() and '__pycache__' not in path.parts and path.suffix != '.pyc'
    }
    templates = _shipped('templates', '*.html')
    catalogues = _shipped('locale', '*.mo')
    assert {'netbox_decommission/locale/ru/LC_MESSAGES/django.mo',
            'netbox_decommission/locale/en/LC_MESSAGES/django.mo'} <= catalogues
    assert len(templates) > 20 and 'netbox_decommission/compat/netbox_releases.json' in package_files
    assert package_files - set(wheel_files) == set()
    for catalogue in catalogues:  # the compiled catalogue as built, not an empty or stale file
        assert wheel_files[catalogue] == (ROOT / catalogue).read_bytes()


def test_the_wheel_carries_the_licence_and_the_changelog(built):
    wheel_files, _ = built
    assert _dist_info(wheel_files, 'licenses/LICENSE') == (ROOT / 'LICENSE').read_bytes()
    metadata = Parser().parsestr(_dist_info(wheel_files, 'METADATA').decode())
    assert 'Apache-2.0' in (metadata['License-Expression'] or metadata['License'])
    assert metadata['Requires-Python'] == '>=3.12'
    description = metadata.get_payload()
    assert '# Changelog' in description and '## [0.1.0]' in description
    requirements = {re.split(r'[ ;<>=!\[]', requirement)[0] for requirement in metadata.get_all('Requires-Dist')}
    assert 'weasyprint' in requirements and 'netbox' not in requirements


def test_the_wheel_holds_no_tests_and_no_development_files(built):
    wheel_files, _ = built
    outside = {path for path in wheel_files
               if not path.startswith(('netbox_decommission/', 'netbox_decommission-'))}
    assert outside == set()
    strays = {path for path in wheel_files if re.search(
        r'(^|/)(tests?|dev|benchmarks|loadtest|docs|__pycache__)/|\.py[co]$|\.po~$|conftest\.py$', path)}
    assert strays == set()


def test_the_sdist_has_the_licence_the_changelog_and_builds_the_same_package(built):
    wheel_files, sdist_files = built
    assert {'LICENSE', 'CHANGELOG.md', 'README.md', 'setup.py', 'pyproject.toml', 'MANIFEST.in'} <= sdist_files
    assert not {path for path in sdist_files if path.startswith(('tests/', 'dev/', 'docs/'))}
    in_package = {path for path in wheel_files if path.startswith('netbox_decommission/')}
    assert in_package <= sdist_files
