"""
Draw docs/images/stages.svg, the workflow's stages, from the workflow's own tables, so that the diagram cannot
drift from the code. A plain SVG rather than a mermaid block: mermaid renders in the reader's browser from a CDN,
which a data center's network may not reach. `make docs` runs this; tests/test_docs_site.py fails when the
committed file differs from what it draws.

    PYTHONPATH=dev NETBOX_CONFIGURATION=netbox_configuration NETBOX_ROOT=$PWD/.dev/netbox \\
        DJANGO_SETTINGS_MODULE=netbox.settings .venv/bin/python dev/stages_diagram.py
"""
from pathlib import Path
from xml.sax.saxutils import escape

SVG_PATH = Path(__file__).resolve().parent.parent / 'docs' / 'images' / 'stages.svg'

# What moves a record into each stage: the workflow move (API action) and, for a signature, the document.
MOVES = {
    'ordered': ('sign', 'order', ['the order signed by the head and the responsible']),
    'scheduled': ('sign', 'application', ['schedule (the window), then the application', 'signed by the head']),
    'backed_up': ('backup', None, ['backup: verified, or waived with a reason']),
    'shut_down': ('shutdown', None, ['shutdown: every checklist item confirmed']),
    'disassembled': ('disassemble', None, ['disassemble: every component inspected,', 'packed and stored']),
    'in_storage': ('store', None, ['store: the server in the removal zone']),
    'retired': ('sign', 'act', ['the act signed by the executors and the head:', 'the device leaves the inventory']),
    'closed': ('close', None, ['close: the verification checks pass']),
}

BOX_WIDTH, BOX_HEIGHT, GAP, MARGIN = 170, 34, 48, 20
LABEL_X = MARGIN + BOX_WIDTH // 2 + 12
BUS_X = 440
CANCELLED_X = BUS_X + 100
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'
# The colour names of the stages' badges in NetBox's UI, as NetBox's ColorChoices spells them.
COLOR_ALIASES = {'gray': 'GREY', 'dark': 'DARK_GREY'}


def _transitions(stages):
    """The main line of stages, each with the move into it, checked against the workflow's tables."""
    from netbox_decommission import workflow

    main_line = [stage for stage in stages if stage != workflow.Status.STATUS_CANCELLED]
    for before, stage in zip(main_line, main_line[1:], strict=False):
        if stage not in MOVES:
            raise ValueError(f'The workflow has a new stage {stage!r}: describe the move into it in MOVES.')
        move, kind, _label = MOVES[stage]
        if move == 'sign':
            consistent = workflow.SIGNING_STAGE.get(kind) == before and workflow.STAGE_AFTER_SIGNING[kind] == stage
        else:
            consistent = workflow.MOVE_FROM_STAGE.get(move) == before
        if not consistent:
            raise ValueError(f'MOVES[{stage!r}] does not match the workflow: correct it from workflow.py.')
    return main_line


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

    from netbox_decommission import workflow

    with translation.override('en'):
        choices = {value: (str(label), color) for value, label, color in workflow.Status.CHOICES}
    main_line = _transitions(list(choices))
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
        lines = MOVES[stage][2]
        first = arrow_top + GAP // 2 + 4 - (len(lines) - 1) * 7
        for n, line in enumerate(lines):
            parts.append(f'<text x="{LABEL_X}" y="{first + n * 14}" font-size="12" {FONT} '
                         f'fill="#333333">{escape(line)}</text>')

    # Every stage before retirement may be cancelled: one dashed line from each into a common bus.
    centres = [top[stage] + BOX_HEIGHT // 2 for stage in workflow.CANCELLABLE]
    for y in centres:
        parts.append(f'<line x1="{MARGIN + BOX_WIDTH}" y1="{y}" x2="{BUS_X}" y2="{y}" stroke="#c62828" '
                     f'stroke-dasharray="4 3"/>')
    parts.append(f'<line x1="{BUS_X}" y1="{centres[0]}" x2="{BUS_X}" y2="{centres[-1]}" stroke="#c62828"/>')
    bus_middle = (centres[0] + centres[-1]) // 2
    parts.append(f'<line x1="{BUS_X}" y1="{bus_middle}" x2="{CANCELLED_X - 2}" y2="{bus_middle}" '
                 f'stroke="#c62828" stroke-width="1.5" marker-end="url(#arrow-red)"/>')
    parts.append(f'<text x="{BUS_X + 6}" y="{bus_middle - 24}" font-size="12" {FONT} fill="#c62828">cancel,</text>')
    parts.append(f'<text x="{BUS_X + 6}" y="{bus_middle - 10}" font-size="12" {FONT} fill="#c62828">'
                 f'with a reason</text>')
    cancelled = workflow.Status.STATUS_CANCELLED
    parts.append(_box(CANCELLED_X, bus_middle - BOX_HEIGHT // 2, choices[cancelled][0], _color(choices[cancelled][1])))

    width = CANCELLED_X + BOX_WIDTH + MARGIN
    height = top[main_line[-1]] + BOX_HEIGHT + MARGIN
    markers = ''.join(
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{fill}"/></marker>'
        for name, fill in (('arrow', '#444444'), ('arrow-red', '#c62828'))
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


if __name__ == '__main__':
    import django

    django.setup()
    SVG_PATH.write_text(stages_svg(), encoding='utf-8')
    print(f'Wrote {SVG_PATH}')
