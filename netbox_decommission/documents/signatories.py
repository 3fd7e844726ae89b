"""
Who signs, as GOST R 7.0.97-2025 prints a signature: the signer's position and full name, never a login name.

Full names come from the NetBox user (first and last name). Positions are kept where an administrator already keeps
them for everyone: the title of the NetBox contact whose e-mail address is the user's (docs/documents.md,
"Positions and full names"). Both are read when the signature is given and kept with it, so a document prints the
signer as they were on that day.
"""
from tenancy.models import Contact

from .formatting import person

__all__ = ('position', 'sign_as')


def position(user):
    """The title of the user's NetBox contact (matched by e-mail address), or '' when there is none."""
    if user is None or not user.email:
        return ''
    return Contact.objects.filter(email__iexact=user.email).exclude(title='').order_by('name', 'pk').values_list(
        'title', flat=True).first() or ''


def sign_as(user):
    """The signer's full name and position as the signature keeps them: {'full_name': ..., 'position': ...}."""
    return {'full_name': person(user), 'position': position(user)}
