"""
A user's calendar feeds: created with a new secret (returned once, never stored), found again by that secret when a
calendar program asks for the feed, and revoked (deleted) by their owner. The UI (views/calendar_feeds.py) and the
REST API (api/calendar_views.py) both call these.
"""
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..models import CalendarFeed
from .secrets import hash_secret, key_prefix, new_secret

__all__ = ('create_feed', 'feed_for_secret', 'feed_path', 'own_feeds', 'revoke_feed', 'touch')


def own_feeds(user):
    """The feeds of ``user``: everyone, superusers too, sees and revokes only their own."""
    return CalendarFeed.objects.filter(user=user).select_related('site', 'tenant')


@transaction.atomic
def create_feed(user, name, site=None, tenant=None, stages=()):
    """A new feed of ``user``; returns it and its secret, which is not kept anywhere (show it once)."""
    secret = new_secret()
    feed = CalendarFeed(user=user, name=name, site=site, tenant=tenant, stages=list(stages or ()),
                        key_prefix=key_prefix(secret), secret_hash=hash_secret(secret))
    feed.full_clean()
    feed.save()
    return feed, secret


def feed_path(secret):
    """The address path of the feed with ``secret``: /plugins/decommission/calendar/<secret>.ics."""
    return reverse('plugins:netbox_decommission:calendar_feed', kwargs={'secret': secret})


def feed_for_secret(secret):
    """The feed whose secret this is, if its owner is still an active user; otherwise None (the caller answers 404)."""
    if not secret:
        return None
    return CalendarFeed.objects.select_related('user__config', 'site', 'tenant').filter(
        secret_hash=hash_secret(secret), user__is_active=True).first()


def touch(feed):
    """Record when the feed was last read (one UPDATE, without the row's other fields)."""
    feed.last_used = timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used=feed.last_used)


def revoke_feed(feed):
    """Revoke: the row goes, and the address answers 404 from now on."""
    feed.delete()
