"""
What the web UI offers for a decommission's workflow: the buttons of the moves available now and the checklist of
what the current stage still needs. Everything here only decides what to show; the rules themselves live in
the workflow package, which the move views call and which refuses an illegal move whatever a button promised. The
buttons are the table of moves' offers.
"""
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..choices import DecommissionStatusChoices as Status
from ..choices import DocumentKindChoices as Kind
from ..choices import SignatureRoleChoices as Role
from ..workflow import (
    MOVES,
    SIGNED_AT_STAGE,
    missing_signers,
    next_step,
    required_signers,
    unready_components,
    unsanitized_media,
    verification_failures,
)
from ..workflow.table import Offer

__all__ = (
    'progress_steps',
    'workflow_state',
)


def progress_steps(decommission):
    """
    The stages of the progress bar, each marked done or current. Cancelled is not a stage one walks to; restored is
    one only a restored record walked to, from retired or from closed.
    """
    skipped = {Status.STATUS_CANCELLED}
    if decommission.status != Status.STATUS_RESTORED:
        skipped.add(Status.STATUS_RESTORED)
    elif not any(c.to_status == Status.STATUS_CLOSED for c in decommission.stage_changes.all()):
        skipped.add(Status.STATUS_CLOSED)
    stages = [(value, label) for value, label, *_rest in Status.CHOICES if value not in skipped]
    values = [value for value, _label in stages]
    current = values.index(decommission.status) if decommission.status in values else None
    if decommission.status == Status.STATUS_CANCELLED:
        # Where it stopped: the stage the stage log says it left for "cancelled".
        left = next(
            (c.from_status for c in decommission.stage_changes.all() if c.to_status == Status.STATUS_CANCELLED), None
        )
        current = values.index(left) if left in values else None
    return [
        {'value': value, 'label': label, 'done': current is not None and i < current, 'current': i == current}
        for i, (value, label) in enumerate(stages)
    ]


def _url(move, decommission, return_url, params):
    url = reverse(move.viewname, kwargs={'pk': decommission.pk})
    params = dict(params)
    if return_url:
        params['return_url'] = return_url
    return f'{url}?{urlencode(params)}' if params else url


def _button(move, decommission, return_url, offer):
    return {
        'name': move.name, 'label': offer.label, 'icon': move.icon, 'color': move.color,
        'url': _url(move, decommission, return_url, offer.params),
    }


def _signature_items(decommission, document):
    """One checklist line per required signature, done once given."""
    missing = set(missing_signers(decommission, document))
    signed = {(s.role, s.user_id): s for s in document.signatures.all()}
    items = []
    for role, user in required_signers(decommission, document.kind):
        role_label = dict(Role)[role]
        if user is None:
            items.append({'done': False, 'text': _('{role}: not named yet; edit the decommission to name them').format(
                role=role_label)})
            continue
        signature = signed.get((role, user.pk))
        items.append({
            'done': (role, user) not in missing,
            'text': _('{role}: {user}').format(role=role_label, user=user),
            'time': signature.signed_at if signature else None,
            'pending_text': _('awaiting signature'),
        })
    return items


def _checklist(decommission, documents):
    """What the current stage still needs, as lines that are done or not."""
    status = decommission.status
    items = []
    if status == Status.STATUS_ORDERED:
        has_window = Kind.KIND_APPLICATION in documents
        items.append({
            'done': has_window,
            'text': _('Planned window') if has_window else _('Planned window: not set yet'),
            'window': (decommission.planned_start, decommission.planned_end) if has_window else None,
        })
    # Stages whose needs next_step() already says in full (backup, shutdown checklist, storage) add no lines.
    if status in SIGNED_AT_STAGE and SIGNED_AT_STAGE[status] in documents:
        items += _signature_items(decommission, documents[SIGNED_AT_STAGE[status]])
    elif status == Status.STATUS_SHUT_DOWN:
        components = list(decommission.components.all())
        unready = {c.pk for c in unready_components(decommission)} | {c.pk for c in unsanitized_media(decommission)}
        if not components:
            items.append({'done': True, 'text': _('No components recorded as removed')})
        for component in components:
            items.append({'done': component.pk not in unready, 'component': component})
    elif status == Status.STATUS_RETIRED:
        failures = verification_failures(decommission)
        items += [{'done': False, 'text': failure} for failure in failures]
        if not failures:
            items.append({'done': True, 'text': _('The device, its cables and its addresses are gone')})
    return items


def _buttons(decommission, user, documents, return_url):
    """The moves the user may make now, as the table of moves offers them (signatures: in the roles still owed)."""
    buttons = []
    for move in MOVES.values():
        if decommission.status not in move.made_from or not user.has_perm(move.permission_name, decommission):
            continue
        offers = move.offers(decommission, user, documents) if move.offers else [Offer(move.label)]
        buttons += [_button(move, decommission, return_url, offer) for offer in offers]
    return buttons


def workflow_state(decommission, user, return_url=None):
    """
    Where the record stands for this user: the next step, the checklist of the current stage and the buttons of the
    moves available now. Cached on the instance, as several panels of one page ask for it.
    """
    key = (user.pk, return_url)
    cache = decommission.__dict__.setdefault('_workflow_state', {})
    if key not in cache:
        documents = {d.kind: d for d in decommission.documents.all()}
        cache[key] = {
            'next_step': next_step(decommission),
            'checklist': _checklist(decommission, documents),
            'buttons': _buttons(decommission, user, documents, return_url),
        }
    return cache[key]
