"""NetBox's WSGI application, storing the run's frozen documents in a directory of its own (LOAD_MEDIA_ROOT)."""
import os

from django.test.utils import override_settings

from netbox.wsgi import application

__all__ = ('application',)

override_settings(MEDIA_ROOT=os.environ['LOAD_MEDIA_ROOT']).enable()
