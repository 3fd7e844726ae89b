"""Counting the queries of a request, and NetBox's device page as it is without the plugin's additions."""
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

from netbox.registry import registry
from netbox_decommission.template_content import template_extensions


def count_queries(func, *args, **kwargs):
    """(the number of SQL queries func ran, its result)."""
    with CaptureQueriesContext(connection) as queries:
        result = func(*args, **kwargs)
    return len(queries), result


def _view_path(view):
    # The registry holds a view class, or its dotted path for views imported lazily.
    return view if isinstance(view, str) else f'{view.__module__}.{view.__qualname__}'


@contextmanager
def plugin_off_device_page():
    """
    NetBox's device page without what the plugin adds to it: its template extensions (the button) and its
    device tab (whose badge counts the open decommissions) are taken out of NetBox's registry meanwhile.
    """
    extensions = registry['plugins']['template_extensions']['dcim.device']
    device_views = registry['views']['dcim']['device']
    saved_extensions, saved_views = list(extensions), list(device_views)
    extensions[:] = [e for e in extensions if e not in template_extensions]
    device_views[:] = [v for v in device_views if not _view_path(v['view']).startswith('netbox_decommission.')]
    try:
        yield
    finally:
        extensions[:] = saved_extensions
        device_views[:] = saved_views
