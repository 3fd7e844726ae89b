"""
The disposal vendor's certificate of destruction or recycling, as a CSV file: read it (encoding, delimiter, the
column mapping), validate every row, and match it against a hand-over's manifest serial by serial.

Decisions (docs/handovers.md):
- Encoding: UTF-8, with or without a byte-order mark, by default; Windows-1251 only when the uploader says so
  (``encoding='cp1251'``): a file is never guessed at, since any byte sequence decodes as Windows-1251 and a wrong
  guess would corrupt serials silently.
- The delimiter is the header's: a comma, a semicolon (spreadsheets in Russian locales) or a tab.
- Serials are compared without surrounding whitespace and case-insensitively.
- A serial twice in the file, a row without a serial, an unreadable method or date, a serial carried by another
  hand-over, more than MAX_ROWS rows: each an error naming the row and the column; nothing is changed.
- A serial on no hand-over is "unknown": reported with its row, not an error (vendors add their own lines, e.g. a
  pallet); the items the file does not name are "missing".
"""
import csv
import datetime
import hashlib
import io
from dataclasses import dataclass, field

from django.db.models.functions import Trim, Upper
from django.utils.translation import gettext as _

from ..choices import CertificateMethodChoices, ReconciliationStateChoices
from ..models import HandoverItem

__all__ = (
    'CertificateError',
    'DEFAULT_COLUMNS',
    'MAX_ROWS',
    'match',
    'read_certificate',
)

# A hard limit: a hand-over carries hundreds of items, a certificate of more than this many rows is not one.
MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
ENCODINGS = ('utf-8', 'cp1251')

# The columns a certificate is read from, and the header names each is found under when the mapping names none.
DEFAULT_COLUMNS = {
    'serial': ('serial', 'serial number', 'serial_number', 'serial no', 'sn', 's/n', 'серийный номер', 'серийный'),
    'method': ('method', 'disposition', 'action', 'способ', 'метод'),
    'date': ('date', 'disposition date', 'дата'),
    'number': ('certificate', 'certificate number', 'certificate_number', 'certificate no', 'номер сертификата',
               'сертификат'),
}
METHODS = {
    CertificateMethodChoices.METHOD_DESTROYED: (
        'destroyed', 'destroy', 'destruction', 'shredded', 'shred', 'уничтожен', 'уничтожено', 'уничтожение',
    ),
    CertificateMethodChoices.METHOD_RECYCLED: (
        'recycled', 'recycle', 'recycling', 'переработан', 'переработано', 'переработка', 'утилизирован',
        'утилизировано', 'утилизация',
    ),
}
DATE_FORMATS = ('%Y-%m-%d', '%d.%m.%Y', '%d/%m/%Y')


class CertificateError(ValueError):
    """A certificate that cannot be read or applied; the message names the row and the column."""

    def __init__(self, message, field='file'):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CertificateRow:
    line: int  # the row's number in the file, the header being row 1
    serial: str
    method: str
    date: datetime.date
    number: str

    @property
    def key(self):
        return normalized(self.serial)


@dataclass
class CertificateReading:
    file_name: str
    sha256: str
    rows: list
    columns: dict = field(default_factory=dict)


def normalized(serial):
    return (serial or '').strip().casefold()


def _decode(data, encoding):
    if encoding not in ENCODINGS:
        raise CertificateError(_('Unknown encoding "{encoding}": use {choices}.').format(
            encoding=encoding, choices=' or '.join(ENCODINGS)), field='encoding')
    try:
        return data.decode('utf-8-sig' if encoding == 'utf-8' else encoding)
    except UnicodeDecodeError as e:
        row = data[:e.start].count(b'\n') + 1
        raise CertificateError(_(
            'Row {row} is not valid {encoding} (byte {byte} at position {position}): save the file as UTF-8 (CSV '
            'UTF-8), or choose the encoding Windows-1251 if that is what it is.'
        ).format(row=row, encoding=encoding.upper(), byte=f'0x{data[e.start]:02X}', position=e.start)) from None


def _column(header, mapping, name, required):
    """The index of column ``name`` in ``header``: the one the mapping names, else one of the usual names."""
    folded = [cell.strip().casefold() for cell in header]
    wanted = (mapping.get(name) or '').strip()
    if wanted:
        if wanted.casefold() not in folded:
            raise CertificateError(_(
                'The file has no column "{column}" (given for the {what}); its header has: {header}. Name one of '
                'those.'
            ).format(column=wanted, what=COLUMN_LABELS()[name], header=', '.join(header) or '—'), field=name)
        return folded.index(wanted.casefold())
    for candidate in DEFAULT_COLUMNS[name]:
        if candidate in folded:
            return folded.index(candidate)
    if required:
        raise CertificateError(_(
            'The file has no {what} column: its header has {header}. Name the column that holds the {what} in the '
            'mapping, or call it "{usual}".'
        ).format(what=COLUMN_LABELS()[name], header=', '.join(f'"{c}"' for c in header) or '—',
                 usual=DEFAULT_COLUMNS[name][0]), field=name)
    return None


def COLUMN_LABELS():  # noqa: N802 (translated when called)
    return {'serial': _('serial number'), 'method': _('method'), 'date': _('date'),
            'number': _('certificate number')}


def _method(value, line, column):
    folded = value.strip().casefold()
    for method, words in METHODS.items():
        if folded in words:
            return method
    raise CertificateError(_(
        'Row {row}, column "{column}": "{value}" is not a method the plugin knows; write "destroyed" or "recycled".'
    ).format(row=line, column=column, value=value[:100]))


def _date(value, line, column):
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), date_format).date()
        except ValueError:
            continue
    raise CertificateError(_(
        'Row {row}, column "{column}": "{value}" is not a date; write it as YYYY-MM-DD or DD.MM.YYYY.'
    ).format(row=line, column=column, value=value[:100]))


def read_certificate(data, file_name='', mapping=None, encoding='utf-8', certificate_number=''):
    """
    Read and validate a certificate CSV file (``data``: bytes). ``mapping`` names the columns ({'serial': ...,
    'method': ..., 'date': ..., 'number': ...}; each left out is found under its usual names); the certificate
    number, when the file has no column of it, is ``certificate_number``. Raises CertificateError.
    """
    mapping = mapping or {}
    if len(data) > MAX_BYTES:
        raise CertificateError(_('The file is larger than {size} MB: a certificate is read up to that size.').format(
            size=MAX_BYTES // 1024 // 1024))
    text = _decode(data, encoding)
    if not text.strip():
        raise CertificateError(_('The file is empty: upload the certificate as CSV with a header row.'))
    first_line = text.splitlines()[0]
    delimiter = max((',', ';', '\t'), key=first_line.count)
    try:
        lines = list(csv.reader(io.StringIO(text, newline=''), delimiter=delimiter))
    except csv.Error as e:
        raise CertificateError(_('The file is not readable as CSV: {error}.').format(error=e)) from None
    header, body = lines[0], lines[1:]
    if len(body) > MAX_ROWS:
        raise CertificateError(_(
            'The file has {count} rows; a certificate is read up to {limit} rows (a hard limit). Split it, and upload '
            'the parts one after another.'
        ).format(count=len(body), limit=MAX_ROWS))
    columns = {
        'serial': _column(header, mapping, 'serial', True),
        'method': _column(header, mapping, 'method', True),
        'date': _column(header, mapping, 'date', True),
        'number': _column(header, mapping, 'number', False),
    }
    if columns['number'] is None and not certificate_number.strip():
        raise CertificateError(_(
            'The file has no certificate number column: name it in the mapping, or give the certificate\'s number for '
            'the whole file.'
        ), field='certificate_number')
    names = {key: (header[index] if index is not None else '') for key, index in columns.items()}
    rows, seen = [], {}
    for line, cells in enumerate(body, start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(key, cells=cells):
            index = columns[key]
            return cells[index].strip() if index is not None and index < len(cells) else ''

        serial = cell('serial')
        if not serial:
            raise CertificateError(_('Row {row}, column "{column}": the serial number is empty.').format(
                row=line, column=names['serial']))
        key = normalized(serial)
        if key in seen:
            raise CertificateError(_(
                'Rows {first} and {row}, column "{column}": serial number "{serial}" is there twice. A certificate '
                'names each item once: remove the duplicate row and upload again.'
            ).format(first=seen[key], row=line, column=names['serial'], serial=serial))
        seen[key] = line
        number = cell('number') or certificate_number.strip()
        if not number:
            raise CertificateError(_('Row {row}, column "{column}": the certificate number is empty.').format(
                row=line, column=names['number']))
        rows.append(CertificateRow(
            line=line, serial=serial, method=_method(cell('method'), line, names['method']),
            date=_date(cell('date'), line, names['date']), number=number[:100],
        ))
    return CertificateReading(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), rows=rows,
                              columns=names)


@dataclass
class MatchResult:
    matched: list  # [(item pk, row)]
    already: list  # [(item pk, row)]: matched by an earlier certificate
    missing: list  # [item pk]
    unknown: list  # [row]

    def as_json(self, items):
        def item(pk):
            return {'item': pk, 'serial': items[pk].serial, 'description': items[pk].description}

        return {
            'counts': {'matched': len(self.matched), 'already_matched': len(self.already),
                       'missing': len(self.missing), 'unknown': len(self.unknown)},
            'matched': [{**item(pk), 'row': row.line} for pk, row in self.matched],
            'already_matched': [{**item(pk), 'row': row.line} for pk, row in self.already],
            'missing': [item(pk) for pk in self.missing],
            'unknown': [{'row': row.line, 'serial': row.serial} for row in self.unknown],
        }


def match(handover, items, reading):
    """
    Match ``reading``'s rows with ``items`` (the hand-over's) serial by serial. A row whose serial another hand-over
    carries (and this one does not) is an error naming the row and that hand-over.
    """
    by_serial = {}
    for item in items:
        if item.serial:
            by_serial.setdefault(normalized(item.serial), []).append(item)
    result = MatchResult(matched=[], already=[], missing=[], unknown=[])
    named = set()
    strangers = []
    for row in reading.rows:
        found = by_serial.get(row.key)
        if not found:
            strangers.append(row)
            continue
        for item in found:
            named.add(item.pk)
            if item.reconciliation == ReconciliationStateChoices.STATE_MATCHED:
                result.already.append((item.pk, row))
            else:
                result.matched.append((item.pk, row))
    if strangers:
        others = {}
        candidates = HandoverItem.objects.annotate(key=Upper(Trim('serial'))).filter(
            key__in={row.serial.strip().upper() for row in strangers},
        ).exclude(handover=handover)
        for other in candidates.select_related('handover').order_by('pk'):
            others.setdefault(normalized(other.serial), other.handover)
        for row in strangers:
            other = others.get(row.key)
            if other is not None:
                raise CertificateError(_(
                    'Row {row}, column "{column}": serial number "{serial}" belongs to hand-over {other}, not to '
                    '{handover}. Upload that part of the certificate to hand-over {other}.'
                ).format(row=row.line, column=reading.columns['serial'], serial=row.serial, other=other,
                         handover=handover))
            result.unknown.append(row)
    result.missing = [item.pk for item in items if item.pk not in named
                      and item.reconciliation not in (ReconciliationStateChoices.STATE_MATCHED,
                                                      ReconciliationStateChoices.STATE_EXCEPTION)]
    return result

