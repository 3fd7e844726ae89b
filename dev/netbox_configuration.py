"""NetBox configuration for the plugin's demo and test environment (never for production).

Service locations come from the environment that dev/services.py prepares, so the same file serves
the machine's own PostgreSQL/Redis and the private embedded ones.
"""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

ALLOWED_HOSTS = ['*']

DATABASES = {
    'default': {
        'NAME': os.environ.get('NETBOX_DB_NAME', 'netbox_decommission'),
        'USER': os.environ.get('NETBOX_DB_USER', 'postgres'),
        'PASSWORD': os.environ.get('NETBOX_DB_PASSWORD', ''),
        'HOST': os.environ.get('NETBOX_DB_HOST', '127.0.0.1'),
        'PORT': os.environ.get('NETBOX_DB_PORT', '5432'),
        'CONN_MAX_AGE': 300,
    }
}

_REDIS_HOST = os.environ.get('NETBOX_REDIS_HOST', '127.0.0.1')
_REDIS_PORT = int(os.environ.get('NETBOX_REDIS_PORT', '6379'))
# Separate databases from other projects on a shared Redis: tasks and cache of the demo.
REDIS = {
    'tasks': {'HOST': _REDIS_HOST, 'PORT': _REDIS_PORT, 'USERNAME': '', 'PASSWORD': '', 'DATABASE': 6, 'SSL': False},
    'caching': {'HOST': _REDIS_HOST, 'PORT': _REDIS_PORT, 'USERNAME': '', 'PASSWORD': '', 'DATABASE': 7, 'SSL': False},
}

SECRET_KEY = 'netbox-decommission-development-only-secret-key-0123456789abcdefghij'
API_TOKEN_PEPPERS = {1: 'netbox-decommission-development-only-pepper-0123456789abcdefghijklmnop'}

DEBUG = os.environ.get('NETBOX_DEBUG', '') == '1'
# Enables makemigrations (and its --check in make test) for the plugin.
DEVELOPER = True

MEDIA_ROOT = str(REPO / '.dev' / 'media')
TIME_ZONE = 'UTC'

PLUGINS = ['netbox_decommission']
PLUGINS_CONFIG = {
    'netbox_decommission': {
        'organization_name': 'ООО «Пример Дата-центр» (Example Data Center LLC)',
    },
}

DEFAULT_PERMISSIONS = {}
LOGGING = {'version': 1, 'disable_existing_loggers': False}
