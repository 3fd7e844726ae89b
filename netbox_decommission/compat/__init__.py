"""
The fence around NetBox's internals: everything the plugin uses of NetBox that NetBox does not publish (names with a
leading underscore, receivers it mirrors, the event machinery's inner state) lives in this package, and nowhere else.

Each use names the NetBox source it mirrors. NetBox changes such code in patch releases (its deletion receiver in
4.6.8, ``process_event_rules``' signature in 4.5.2, its cable-deletion receivers between 4.7.0 and 4.7.2), so each
fast path runs only on the releases of ``netbox_releases.json`` whose ``fast_paths`` name it, those its compatibility
tests pass on; on any other release, or with the setting ``netbox_fast_paths`` off, the plugin takes NetBox's public
paths (plain deletion through NetBox's own change logging, and so on), which are slower but follow whatever NetBox
does.
"""
import json
import logging
from functools import cache
from pathlib import Path

from django.conf import settings

__all__ = ('fast_paths', 'netbox_release', 'verified_releases', 'warn_if_unverified')

logger = logging.getLogger('netbox_decommission.compat')

RELEASES_FILE = Path(__file__).resolve().parent / 'netbox_releases.json'


@cache
def _releases():
    with RELEASES_FILE.open() as f:
        return json.load(f)['releases']


def verified_releases():
    """The NetBox releases the fast paths are verified on, oldest first."""
    return tuple(sorted(_releases(), key=lambda version: tuple(int(part) for part in version.split('.'))))


def netbox_release():
    return settings.RELEASE.version


def fast_paths(*names):
    """
    True when the plugin may take its fast paths into NetBox's internals on this NetBox: the named ones (say
    ``'deletion'``), each verified on this release; with no name, any of them.
    """
    if not settings.PLUGINS_CONFIG['netbox_decommission']['netbox_fast_paths']:
        return False
    release = _releases().get(netbox_release())
    return release is not None and all(name in release['fast_paths'] for name in names)


def warn_if_unverified():
    """One warning at start-up when this NetBox release is not one the fast paths are verified on."""
    if netbox_release() not in verified_releases():
        logger.warning(
            'netbox_decommission: NetBox %s is not among the releases its fast paths are verified on (%s); it takes '
            "NetBox's public paths instead (retiring a server costs as much as deleting it in NetBox).",
            netbox_release(), ', '.join(verified_releases()),
        )
