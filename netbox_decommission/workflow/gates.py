"""
What a stage still needs before the record may leave it, as lists the refusals, the checklist and the verification
name: components not yet ready for storage, media neither sanitized nor sealed, media without a final disposition,
and whatever still contradicts the retirement.
"""
from django.utils.translation import gettext as _

from .retirement import leftovers

__all__ = (
    'media_without_disposition',
    'unready_components',
    'unsanitized_media',
    'verification_failures',
)


def unready_components(decommission):
    """Components that are not yet inspected, packed in anti-static packaging and given a storage location."""
    return [
        c for c in decommission.components.all()
        if c.condition == 'unknown' or not c.antistatic_packed or not c.storage_location_id
    ]


def unsanitized_media(decommission):
    """
    Storage media neither sanitized (method and date) nor sealed for later sanitization (tamper seal and reason):
    data must not leave the disassembly unaccounted for.
    """
    return [
        c for c in decommission.components.all()
        if c.is_media and not (c.sanitization_method and c.sanitized_on)
        and not (c.sanitization_deferred_reason and c.seal_number)
    ]


def media_without_disposition(decommission):
    """Storage media not yet reused, transferred to a disposal vendor or destroyed."""
    return [c for c in decommission.components.all() if c.is_media and not c.is_final]


def verification_failures(decommission):
    """What still contradicts the retirement: each entry says what is left and what to do."""
    failures = leftovers(decommission)
    pending = media_without_disposition(decommission)
    if pending:
        failures.append(_(
            '{count} storage medium(s) have no final disposition: {names}. Record each as reused, transferred to a '
            'disposal vendor or destroyed.'
        ).format(count=len(pending), names=', '.join(str(c) for c in pending[:10])))
    return failures
