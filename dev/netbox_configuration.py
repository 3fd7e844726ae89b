"""NetBox configuration for the plugin's demo and test environment (never for production).

Service locations come from the environment that dev/services.py prepares, so the same file serves
the machine's own PostgreSQL/Redis and the private embedded ones.
"""
import os
import sys
from pathlib import Path

from instance_redis import instance_databases, redis_server

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
# Named here, so that the test database pytest-django creates and the instance name below agree.
DATABASES['default']['TEST'] = {'NAME': f"test_{DATABASES['default']['NAME']}"}

# Every NetBox instance (the demo, each test database, make bench, make load and their clones) has its own queues
# and cache: a pair of Redis databases leased to the database it works on (dev/instance_redis.py), as NetBox's queue
# names are the same everywhere. Under pytest-django that is the test database.
_INSTANCE = DATABASES['default']['TEST']['NAME'] if 'pytest_django' in sys.modules else DATABASES['default']['NAME']
_REDIS_SERVER = redis_server()
_TASKS_DB, _CACHE_DB = instance_databases(_INSTANCE, _REDIS_SERVER)
REDIS = {
    'tasks': {**_REDIS_SERVER, 'DATABASE': _TASKS_DB},
    'caching': {**_REDIS_SERVER, 'DATABASE': _CACHE_DB},
}

SECRET_KEY = 'netbox-decommission-development-only-secret-key-0123456789abcdefghij'
API_TOKEN_PEPPERS = {1: 'netbox-decommission-development-only-pepper-0123456789abcdefghijklmnop'}

DEBUG = os.environ.get('NETBOX_DEBUG', '') == '1'
# Enables makemigrations (and its --check in make test) for the plugin.
DEVELOPER = True

# NETBOX_MEDIA_ROOT: the bench's RQ workers write into the media directory of its run.
MEDIA_ROOT = os.environ.get('NETBOX_MEDIA_ROOT') or str(REPO / '.dev' / 'media')
TIME_ZONE = 'UTC'
# The daily housekeeping job the RQ workers of the demo and the tests run reports to NetBox's census otherwise.
CENSUS_REPORTING_ENABLED = False

PLUGINS = ['netbox_decommission']
PLUGINS_CONFIG = {
    'netbox_decommission': {
        'organization_name': 'ООО «Пример Дата-центр» (Example Data Center LLC)',
        # NETBOX_DECOMMISSION_FAST_PATHS=0 makes the plugin take NetBox's public paths on every release, as the
        # release matrix (dev/netbox_matrix.py) does for its second run of the compatibility tests.
        'netbox_fast_paths': os.environ.get('NETBOX_DECOMMISSION_FAST_PATHS', '1') != '0',
    },
}

DEFAULT_PERMISSIONS = {}
LOGGING = {'version': 1, 'disable_existing_loggers': False}
