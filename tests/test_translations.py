"""
The plugin's Russian catalogue: complete, current with the code, compiled, and what users really see.

Regenerate and recompile after changing translatable strings (from the package directory, netbox_decommission/):

    PYTHONPATH=../dev NETBOX_CONFIGURATION=netbox_configuration NETBOX_ROOT=../.dev/netbox \
        ../.venv/bin/netbox makemessages -l ru -l en --no-obsolete
    ../.venv/bin/django-admin compilemessages    # without DJANGO_SETTINGS_MODULE: compiles only the plugin's locale/

None of these tests needs the database.
"""

import gettext
import re
import shutil
import string
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

PACKAGE = Path(__file__).resolve().parent.parent / 'netbox_decommission'
LOCALE = PACKAGE / 'locale'
RU_PO = LOCALE / 'ru' / 'LC_MESSAGES' / 'django.po'
RU_MO = LOCALE / 'ru' / 'LC_MESSAGES' / 'django.mo'
EN_PO = LOCALE / 'en' / 'LC_MESSAGES' / 'django.po'
EN_MO = LOCALE / 'en' / 'LC_MESSAGES' / 'django.mo'

REGENERATE = (
    'regenerate with "netbox makemessages -l ru -l en --no-obsolete" run in netbox_decommission/, translate, then '
    'run "django-admin compilemessages" there (see the docstring of tests/test_translations.py)'
)

# NetBox's own catalogue (settings.LOCALE_PATHS) takes precedence over a plugin's, so a msgid that NetBox also
# translates is shown with NetBox's Russian: such strings carry a context in the code (pgettext_lazy).


# --- A small reader of gettext PO files (the project has no PO library among its dependencies) ---

_ESCAPES = {'n': '\n', 't': '\t', 'r': '\r', '"': '"', '\\': '\\'}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')


def _unescape(text):
    return re.sub(r'\\(.)', lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


class Entry:
    def __init__(self):
        self.msgctxt = None
        self.msgid = None
        self.msgid_plural = None
        self.msgstr = {}
        self.flags = set()
        self.references = []

    @property
    def key(self):
        return self.msgctxt, self.msgid, self.msgid_plural

    @property
    def where(self):
        return ' '.join(self.references[:3]) or '?'

    def __str__(self):
        context = f'[{self.msgctxt}] ' if self.msgctxt else ''
        return f'{context}{self.msgid!r} ({self.where})'


def read_po(path):
    """Return (header, entries) of a PO file; obsolete (#~) entries are left out."""
    entries = []
    entry, field = Entry(), None

    def finish():
        nonlocal entry, field
        if entry.msgid is not None:
            entries.append(entry)
        entry, field = Entry(), None

    for line in Path(path).read_text(encoding='utf-8').splitlines():
        line = line.strip()
        match = _KEYWORD.match(line)
        starts_entry = line.startswith('#') or (match and match.group(1) in ('msgctxt', 'msgid'))
        if not line or (starts_entry and entry.msgstr):
            finish()
        if not line or line.startswith('#~'):
            continue
        if line.startswith('#,'):
            entry.flags.update(flag.strip() for flag in line[2:].split(','))
        elif line.startswith('#:'):
            entry.references.extend(line[2:].split())
        elif line.startswith('#'):
            continue
        elif match:
            keyword, value = match.group(1), _unescape(match.group(2))
            if keyword.startswith('msgstr'):
                entry.msgstr[keyword] = value
            else:
                setattr(entry, keyword, value)
            field = keyword
        else:
            assert line.startswith('"') and field, f'{path}: cannot read the line {line!r}'
            value = _unescape(line[1:-1])
            if field.startswith('msgstr'):
                entry.msgstr[field] += value
            else:
                setattr(entry, field, getattr(entry, field) + value)
    finish()
    header = next((e for e in entries if e.msgid == '' and e.msgctxt is None), None)
    return header, [e for e in entries if e is not header]


def header_fields(header):
    text = header.msgstr.get('msgstr', '') if header else ''
    return dict(line.split(':', 1) for line in text.splitlines() if ':' in line)


def plural_count(header):
    match = re.search(r'nplurals\s*=\s*(\d+)', header_fields(header).get('Plural-Forms', ''))
    return int(match.group(1)) if match else 1


def translations(entry, nplurals):
    """The msgstr(s) of an entry, in plural-form order."""
    if entry.msgid_plural is None:
        return [entry.msgstr.get('msgstr', '')]
    return [entry.msgstr.get(f'msgstr[{i}]', '') for i in range(nplurals)]


_PERCENT = re.compile(r'%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]')
_TAG = re.compile(r'</?[a-zA-Z][^>]*>')


def placeholders(text, flags):
    found = _TAG.findall(text)
    if 'python-brace-format' in flags:
        found += [
            f'{{{name}{":" + spec if spec else ""}}}'
            for _literal, name, spec, _conversion in string.Formatter().parse(text)
            if name is not None
        ]
    if 'python-format' in flags:
        found += [p for p in _PERCENT.findall(text) if p != '%%']
    return sorted(found)


@pytest.fixture(scope='module')
def ru_catalogue():
    assert RU_PO.is_file(), f'{RU_PO} is missing; {REGENERATE}'
    return read_po(RU_PO)


# --- The tests ---


def test_every_russian_string_is_translated(ru_catalogue):
    header, entries = ru_catalogue
    assert entries, f'{RU_PO} has no entries; {REGENERATE}'
    assert header is not None and 'fuzzy' not in header.flags, f'the header of {RU_PO} is missing or fuzzy'
    assert header_fields(header).get('Language', '').strip() == 'ru', f'{RU_PO}: the header needs "Language: ru"'
    nplurals = plural_count(header)
    problems = [f'untranslated: {e}' for e in entries if not all(t.strip() for t in translations(e, nplurals))]
    problems += [f'fuzzy (unchecked; check it and drop "#, fuzzy"): {e}' for e in entries if 'fuzzy' in e.flags]
    assert not problems, f'{RU_PO.relative_to(PACKAGE.parent)} is not complete:\n  ' + '\n  '.join(problems)


def test_translations_keep_placeholders_and_markup(ru_catalogue):
    header, entries = ru_catalogue
    nplurals = plural_count(header)
    broken = []
    for entry in entries:
        expected = placeholders(entry.msgid, entry.flags)
        for text in translations(entry, nplurals):
            if text and placeholders(text, entry.flags) != expected:
                broken.append(f'{entry}: {text!r}')
    assert not broken, 'Translations that lose or change a placeholder or HTML tag:\n  ' + '\n  '.join(broken)


def test_catalogue_is_current_with_the_code(ru_catalogue, tmp_path, monkeypatch):
    """Extract the strings of a copy of the package as makemessages does and compare with the catalogue."""
    if shutil.which('xgettext') is None or shutil.which('msgmerge') is None:
        pytest.fail('GNU gettext (xgettext, msgmerge) is needed to extract the strings: apt-get install gettext')
    copy = tmp_path / 'netbox_decommission'
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns('locale', '__pycache__', '*.pyc', '*.mo', '*.po'))
    (copy / 'locale').mkdir()
    monkeypatch.chdir(copy)
    call_command('makemessages', locale=['ru'], no_obsolete=True, verbosity=0)

    _header, extracted = read_po(copy / 'locale' / 'ru' / 'LC_MESSAGES' / 'django.po')
    assert extracted, 'makemessages found no translatable strings in the package'
    catalogued = {e.key for e in ru_catalogue[1]}
    missing = [str(e) for e in extracted if e.key not in catalogued]
    assert not missing, (
        f'{len(missing)} string(s) of the code are not in the Russian catalogue ({REGENERATE}):\n  '
        + '\n  '.join(missing)
    )


def test_compiled_catalogue_matches_the_po(ru_catalogue):
    header, entries = ru_catalogue
    assert RU_MO.is_file(), f'{RU_MO} is missing; {REGENERATE}'
    with RU_MO.open('rb') as mo:
        compiled = gettext.GNUTranslations(mo)
    samples = {0: 1, 1: 2, 2: 5}  # a number that selects each Russian plural form
    stale = []
    for entry in entries:
        for form, text in enumerate(translations(entry, plural_count(header))):
            if entry.msgid_plural is None:
                got = compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else compiled.gettext(entry.msgid)
            elif form in samples:
                n = samples[form]
                got = (
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    if entry.msgctxt
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                )
            else:
                continue
            if got != text:
                stale.append(f'{entry}: compiled {got!r}, catalogue {text!r}')
    assert not stale, f'{RU_MO} is older than {RU_PO.name}; {REGENERATE}:\n  ' + '\n  '.join(stale)


def test_english_catalogue_exists_and_compiles():
    """English is the source language: its catalogue exists for the language switcher and translates nothing."""
    header, entries = read_po(EN_PO)
    assert header_fields(header).get('Language', '').strip() == 'en'
    assert entries, f'{EN_PO} has no entries; {REGENERATE}'
    assert EN_MO.is_file(), f'{EN_MO} is missing; {REGENERATE}'
    with EN_MO.open('rb') as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.gettext('Decommissioning') == 'Decommissioning'


def test_models_and_choices_render_in_russian():
    from netbox_decommission.choices import (
        ComponentKindChoices,
        ComponentStatusChoices,
        DecommissionStatusChoices,
        SanitizationMethodChoices,
        StorageLocationKindChoices,
    )
    from netbox_decommission.models import Decommission, RemovedComponent, StorageLocation
    from netbox_decommission.navigation import menu

    with translation.override('ru'):
        assert str(Decommission._meta.verbose_name) == 'вывод из эксплуатации'
        assert str(Decommission._meta.verbose_name_plural) == 'выводы из эксплуатации'
        assert str(RemovedComponent._meta.verbose_name) == 'снятый компонент'
        assert str(StorageLocation._meta.verbose_name_plural) == 'места хранения'
        assert str(Decommission._meta.get_field('head').verbose_name) == 'руководитель'
        assert str(menu.label) == 'Вывод из эксплуатации'

        assert str(dict(DecommissionStatusChoices)['ordered']) == 'Распоряжение издано'
        assert str(dict(StorageLocationKindChoices)['removal_zone']) == 'Зона удаления'
        assert str(dict(ComponentKindChoices)['disk']) == 'Жёсткий диск'
        assert str(dict(ComponentStatusChoices)['destroyed']) == 'Уничтожен'
        assert str(dict(SanitizationMethodChoices)['purge']) == 'Гарантированное удаление'
        assert str(dict(SanitizationMethodChoices)['destroy']) == 'Уничтожение'

    with translation.override('en'):
        assert str(Decommission._meta.verbose_name) == 'decommission'
        assert str(dict(SanitizationMethodChoices)['purge']) == 'Purge'


def test_netbox_catalogue_does_not_override_the_plugin(ru_catalogue):
    """Every Russian string of the plugin is shown as the plugin translates it."""
    header, entries = ru_catalogue
    overridden = []
    with translation.override('ru'):
        for entry in entries:
            if entry.msgid_plural is not None:
                continue
            text = entry.msgstr.get('msgstr', '')
            shown = (
                translation.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else translation.gettext(entry.msgid)
            )
            if shown != text:
                overridden.append(f'{entry}: shown {shown!r}, the plugin says {text!r}')
    assert not overridden, (
        "Shown in Russian differently from the plugin's catalogue. Either the .mo is stale (see "
        "test_compiled_catalogue_matches_the_po), or another catalogue (usually NetBox's own, which takes "
        'precedence) translates the msgid too: give it a context in the code (pgettext_lazy) or translate it as '
        'NetBox does:\n  ' + '\n  '.join(overridden)
    )
