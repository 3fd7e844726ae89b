"""How every document prints people, dates and times, in the active language."""
from django.utils import formats, timezone

__all__ = ('day', 'document_date', 'moment', 'person')


def person(user):
    """
    A person as documents name them (GOST R 7.0.97-2025): the first and last name of the NetBox user; the login
    name only when both are empty.
    """
    if user is None:
        return ''
    return user.get_full_name() or user.username


def moment(value):
    """A date and time in words of the active language, in NetBox's time zone (which is named)."""
    if value is None:
        return ''
    local = timezone.localtime(value)
    return f'{formats.date_format(local, "j E Y, H:i")} ({local.strftime("%Z")})'


def day(value):
    return formats.date_format(timezone.localtime(value), 'j E Y') if value else ''


def document_date(document):
    """A document is dated the day it took effect (its last signature, or its issue); a draft, the day drafted."""
    return document.signed_at or document.drafted_at
