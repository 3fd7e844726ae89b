"""
The message a user gave with a change. NetBox 4.7's object and bulk edit views and its serializers
(``netbox/views/generic/object_views.py``, ``netbox/api/serializers/features.py``) put the "changelog message" field
on the instance as ``_changelog_message`` before saving it; that is how the change record gets it. Off the verified
releases a custody event is written without it (its reason is then the plugin's own, or empty).
"""
from . import fast_paths

__all__ = ('changelog_message',)


def changelog_message(obj):
    if not fast_paths('changelog'):
        return ''
    return getattr(obj, '_changelog_message', '') or ''
