"""
Draw the parts of the documentation that the table of moves (netbox_decommission/workflow/table.py) says, so that
they cannot drift from the code: docs/images/stages.svg, the workflow's stages and the moves between them, and the
table of the moves' REST endpoints in docs/api.md (between its "moves table" markers). The diagram is a plain SVG
rather than a mermaid block: mermaid renders in the reader's browser from a CDN, which a data center's network may
not reach. `make docs` runs this; tests/test_docs_site.py fails when a committed file differs from what it draws.

    PYTHONPATH=dev NETBOX_CONFIGURATION=netbox_configuration NETBOX_ROOT=$PWD/.dev/netbox \\
        DJANGO_SETTINGS_MODULE=netbox.settings .venv/bin/python dev/workflow_docs.py
"""
import json
import textwrap
from pathlib import Path
from xml.sax.saxutils import escape

DOCS = Path(__file__).resolve().parent.parent / 'docs'
SVG_PATH = DOCS / 'images' / 'stages.svg'
API_PATH = DOCS / 'api.md'
TABLE_BEGIN = '<!-- moves table: drawn by dev/workflow_docs.py from the table of moves; do not edit -->'
TABLE_END = '<!-- end of the moves table -->'
LABEL_WIDTH = 46

BOX_WIDTH, BOX_HEIGHT, GAP, MARGIN = 170, 34, 48, 20
LABEL_X = MARGIN + BOX_WIDTH // 2 + 12
BUS_X = 440
CANCELLED_X = BUS_X + 100
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'
# The colour names of the stages' badges in NetBox's UI, as NetBox's ColorChoices spells them.
COLOR_ALIASES = {'gray': 'GREY', 'dark': 'DARK_GREY'}


def _labels(before, stage):
    """What moves a record from ``before`` into ``stage``: the moves made at ``before`` first, then the move itself."""
    from netbox_decommission.workflow import MOVES, STAGE_AFTER_SIGNING

    document = {after: kind for kind, after in STAGE_AFTER_SIGNING.items()}
    texts = [f'{move.name}: {move.summary}' for move in MOVES.values() if (before, before) in move.steps]
    for move in MOVES.values():
        if (before, stage) in move.steps:
            texts.append(f'{move.name} the {document[stage]}' if stage in document else f'{move.name}: {move.summary}')
    if not texts:
        raise ValueError(f'No move of the table leads from {before!r} to {stage!r}.')
    return textwrap.wrap(', then '.join(texts), LABEL_WIDTH)


def _color(name):
    from netbox.choices import ColorChoices

    return '#' + getattr(ColorChoices, 'COLOR_' + COLOR_ALIASES.get(name, name.upper()))


def _box(x, y, text, color):
    return (
        f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" fill="#ffffff" stroke="#8a8a8a"/>'
        f'<rect x="{x}" y="{y}" width="8" height="{BOX_HEIGHT}" rx="3" fill="{color}"/>'
        f'<text x="{x + BOX_WIDTH // 2 + 4}" y="{y + BOX_HEIGHT // 2 + 5}" text-anchor="middle" font-size="14" '
        f'{FONT} fill="#1f1f1f">{escape(text)}</text>'
    )


def stages_svg():
    from django.utils import translation

    from netbox_decommission.choices import DecommissionStatusChoices as Status
    from netbox_decommission.workflow import MOVES

    with translation.override('en'):
        choices = {value: (str(label), color) for value, label, color in Status.CHOICES}
        cancelling = next(move for move in MOVES.values() if move.cancels)
        restoring = next(move for move in MOVES.values() if all(to == Status.STATUS_RESTORED for _f, to in move.steps))
        # Cancelled and restored are where a record leaves the main line, drawn to its side.
        main_line = [stage for stage in choices if stage not in (Status.STATUS_CANCELLED, Status.STATUS_RESTORED)]
        labels = {stage: _labels(before, stage) for before, stage in zip(main_line, main_line[1:], strict=False)}
    top = {stage: MARGIN + i * (BOX_HEIGHT + GAP) for i, stage in enumerate(main_line)}
    middle_x = MARGIN + BOX_WIDTH // 2
    parts = []
    for i, stage in enumerate(main_line):
        parts.append(_box(MARGIN, top[stage], choices[stage][0], _color(choices[stage][1])))
        if i == 0:
            continue
        arrow_top = top[main_line[i - 1]] + BOX_HEIGHT
        parts.append(f'<line x1="{middle_x}" y1="{arrow_top}" x2="{middle_x}" y2="{top[stage] - 2}" '
                     f'stroke="#444444" stroke-width="1.5" marker-end="url(#arrow)"/>')
        lines = labels[stage]
        first = arrow_top + GAP // 2 + 4 - (len(lines) - 1) * 7
        for n, line in enumerate(lines):
            parts.append(f'<text x="{LABEL_X}" y="{first + n * 14}" font-size="12" {FONT} '
                         f'fill="#333333">{escape(line)}</text>')

    # Every stage before retirement may be cancelled: one dashed line from each into a common bus.
    centres = [top[stage] + BOX_HEIGHT // 2 for stage in cancelling.made_from]
    for y in centres:
        parts.append(f'<line x1="{MARGIN + BOX_WIDTH}" y1="{y}" x2="{BUS_X}" y2="{y}" stroke="#c62828" '
                     f'stroke-dasharray="4 3"/>')
    parts.append(f'<line x1="{BUS_X}" y1="{centres[0]}" x2="{BUS_X}" y2="{centres[-1]}" stroke="#c62828"/>')
    bus_middle = (centres[0] + centres[-1]) // 2
    parts.append(f'<line x1="{BUS_X}" y1="{bus_middle}" x2="{CANCELLED_X - 2}" y2="{bus_middle}" '
                 f'stroke="#c62828" stroke-width="1.5" marker-end="url(#arrow-red)"/>')
    parts.append(f'<text x="{BUS_X + 6}" y="{bus_middle - 24}" font-size="12" {FONT} fill="#c62828">'
                 f'{cancelling.name},</text>')
    parts.append(f'<text x="{BUS_X + 6}" y="{bus_middle - 10}" font-size="12" {FONT} fill="#c62828">'
                 f'with a reason</text>')
    cancelled = Status.STATUS_CANCELLED
    parts.append(_box(CANCELLED_X, bus_middle - BOX_HEIGHT // 2, choices[cancelled][0], _color(choices[cancelled][1])))

    # A retired device may be restored from its snapshot (a closed one too, while the settings allow it).
    for stage in restoring.made_from:
        y = top[stage] + BOX_HEIGHT // 2
        parts.append(f'<line x1="{MARGIN + BOX_WIDTH}" y1="{y}" x2="{CANCELLED_X - 2}" y2="{y}" stroke="#00897b" '
                     f'stroke-width="1.5" marker-end="url(#arrow-teal)"/>')
        parts.append(f'<text x="{MARGIN + BOX_WIDTH + 12}" y="{y - 8}" font-size="12" {FONT} fill="#00796b">'
                     f'{restoring.name}, from the snapshot</text>')
        restored = Status.STATUS_RESTORED
        parts.append(_box(CANCELLED_X, top[stage], choices[restored][0], _color(choices[restored][1])))

    width = CANCELLED_X + BOX_WIDTH + MARGIN
    height = top[main_line[-1]] + BOX_HEIGHT + MARGIN
    markers = ''.join(
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{fill}"/></marker>'
        for name, fill in (('arrow', '#444444'), ('arrow-red', '#c62828'), ('arrow-teal', '#00897b'))
    )
    body = '\n'.join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">\n'
        f'<title>The stages of a decommission</title>\n'
        f'<defs>{markers}</defs>\n'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>\n'
        f'{body}\n</svg>\n'
    )


FIELD_KINDS = {
    'text': 'text', 'note': 'text', 'flag': 'true/false', 'moment': 'date and time', 'amount': 'decimal',
    'storage_location': 'storage location id',
}


def _field(spec):
    kind = ' \\| '.join(f'`{value}`' for value in spec.choices.values()) if spec.choices else FIELD_KINDS[spec.kind]
    return f'`{spec.name}` ({kind}{", required" if spec.required else ""})'


def _stages(move, labels):
    arrows = {}
    for before, after in move.steps:
        arrows.setdefault(after, []).append(labels[before])
    return '; '.join(
        f'{(froms[0] + " … " + froms[-1]) if len(froms) > 3 else ", ".join(froms)} → {labels[after]}'
        for after, froms in arrows.items()
    )


def moves_table():
    """The Markdown table of the moves' REST endpoints, between its markers."""
    from django.utils import translation

    from netbox_decommission.choices import DecommissionStatusChoices as Status
    from netbox_decommission.workflow import MOVES

    with translation.override('en'):
        labels = {value: str(label).lower() for value, label, *_rest in Status.CHOICES}
        rows = [
            f'| `POST decommissions/{{id}}/{move.name}/` | {move.summary} | {_stages(move, labels)} | '
            f'{"; ".join(_field(spec) for spec in move.inputs) or "—"} | '
            f'`{json.dumps({f.name: f.example for f in move.inputs if f.example is not None}, ensure_ascii=False)}` '
            f'| `{move.permission}` |'
            for move in MOVES.values()
        ]
    return '\n'.join([
        TABLE_BEGIN,
        '| method and path | what it does | stages | body | example | permission |',
        '| --- | --- | --- | --- | --- | --- |',
        *rows,
        TABLE_END,
    ])


def api_page():
    """docs/api.md with its moves table drawn anew."""
    page = API_PATH.read_text(encoding='utf-8')
    start, end = page.index(TABLE_BEGIN), page.index(TABLE_END) + len(TABLE_END)
    return page[:start] + moves_table() + page[end:]


if __name__ == '__main__':
    import django

    django.setup()
    SVG_PATH.write_text(stages_svg(), encoding='utf-8')
    API_PATH.write_text(api_page(), encoding='utf-8')
    print(f'Wrote {SVG_PATH} and the moves table of {API_PATH}')
