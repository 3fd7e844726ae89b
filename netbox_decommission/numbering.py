"""
Numbers of records and documents: the configurable formats (e.g. ``DC-{year}-{seq:05d}`` and
``{kind}-{year}-{seq:05d}``) and gap-free allocation.
"""
import re
import string

from django.db import connection


class NumberFormat:
    """
    A number format string with the fields {year} and {seq}, and {kind} when ``kinds`` maps kinds to
    the codes it renders as; renders and recognises numbers.
    """

    def __init__(self, pattern, kinds=None):
        if not isinstance(pattern, str) or not pattern:
            raise ValueError('the number format must be a non-empty string such as "DC-{year}-{seq:05d}".')
        self.pattern = pattern
        self.kinds = kinds or {}
        allowed = ('kind', 'year', 'seq') if kinds else ('year', 'seq')
        regex = ''
        fields = []
        try:
            parsed = list(string.Formatter().parse(pattern))
        except ValueError as e:
            raise ValueError(f'"{pattern}" is not a valid format string ({e}).') from e
        for literal, field, spec, _conversion in parsed:
            regex += re.escape(literal)
            if field is None:
                continue
            if field not in allowed:
                raise ValueError(
                    f'"{pattern}" uses the unknown field {{{field}}}; use only '
                    + ' and '.join(f'{{{name}}}' for name in allowed) + '.'
                )
            fields.append(field)
            if field == 'kind':
                regex += '(?P<kind>' + '|'.join(re.escape(code) for code in self.kinds.values()) + ')'
            elif field == 'year':
                regex += r'(?P<year>\d{4})'
            else:
                try:
                    width = len(format(0, spec or 'd'))
                except ValueError as e:
                    raise ValueError(f'"{pattern}": {{seq:{spec}}} is not an integer format ({e}).') from e
                if not all(format(n, spec or 'd').isdigit() for n in (0, 7, 1234567)):
                    raise ValueError(
                        f'"{pattern}": {{seq:{spec}}} must render the number as digits only, such as {{seq:05d}}.'
                    )
                regex += rf'(?P<seq>\d{{{width},}})'
        if fields.count('seq') != 1 or fields.count('year') > 1 or fields.count('kind') > 1:
            raise ValueError(f'"{pattern}" must contain {{seq}} exactly once and {{year}} and {{kind}} at most once.')
        self.regex = re.compile(f'^{regex}$')

    def render(self, year, seq, kind=None):
        return self.pattern.format(year=year, seq=seq, kind=self.kinds.get(kind, ''))

    def matches(self, number):
        return bool(self.regex.match(number))

    @property
    def example(self):
        return self.render(2026, 1, next(iter(self.kinds), None))


# The table of models.NumberSequence, named here so that numbering needs no model (migrations call it too).
SEQUENCE_TABLE = 'netbox_decommission_numbersequence'


def next_sequence_value(scope, year):
    """
    Atomically take the next value of the counter (scope, year) inside the caller's transaction.

    The upsert row-locks the counter until the transaction ends, so concurrent callers queue instead
    of racing, and a rolled-back transaction returns its value: numbers have neither gaps nor duplicates.
    """
    table = SEQUENCE_TABLE
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (scope, year, last_value) VALUES (%s, %s, 1) '
            f'ON CONFLICT (scope, year) DO UPDATE SET last_value = {table}.last_value + 1 '
            f'RETURNING last_value',
            [scope, year],
        )
        return cursor.fetchone()[0]


def allocate_number(queryset, field, number_format, scope, year, kind=None):
    """Return the next number of ``number_format`` not already used in ``field`` among ``queryset``."""
    while True:
        number = number_format.render(year=year, seq=next_sequence_value(scope, year), kind=kind)
        # Numbers entered by hand (e.g. imported history) may already hold a value; skip past them.
        if not queryset.filter(**{field: number}).exists():
            return number
