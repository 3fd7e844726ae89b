"""Create the demo's superuser and API token (development only; idempotent).

Run through NetBox's environment, as `make demo` does:

    PYTHONPATH=dev NETBOX_CONFIGURATION=netbox_configuration NETBOX_ROOT=$PWD/.dev/netbox \\
        .venv/bin/python dev/bootstrap.py

The superuser is `admin` with password `admin`. The API token (a NetBox v2 token, `nbt_<key>.<secret>`) is printed
and written to .dev/api-token; use it as `Authorization: Bearer $(cat .dev/api-token)`. A later run keeps the token
in that file as long as it still exists and is valid, and makes a new one otherwise.
"""

import os
import sys
from pathlib import Path


def _dev_dir():
    # Run as a file, __file__ is this script; fed to `netbox shell` on standard input it is not (or not defined).
    here = Path(globals().get('__file__', '.')).resolve().parent
    return here if (here / 'netbox_configuration.py').exists() else Path.cwd() / 'dev'


DEV_DIR = _dev_dir()
TOKEN_FILE = DEV_DIR.parent / '.dev' / 'api-token'

USERNAME = 'admin'
PASSWORD = 'admin'
EMAIL = 'admin@example.com'
TOKEN_DESCRIPTION = 'Demo token (dev/bootstrap.py)'


def setup_django():
    from django.apps import apps

    if apps.ready:  # already inside `netbox shell` or `nbshell`
        return
    import django

    sys.path.insert(0, str(DEV_DIR))
    os.environ.setdefault('NETBOX_CONFIGURATION', 'netbox_configuration')
    os.environ.setdefault('NETBOX_ROOT', str(DEV_DIR.parent / '.dev' / 'netbox'))
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'netbox.settings')
    django.setup()


def ensure_superuser():
    from users.models import User

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(USERNAME, EMAIL, PASSWORD)
        print(f'Created superuser {USERNAME!r}')
        return user
    changed = []
    if not (user.is_superuser and user.is_active):
        user.is_superuser = user.is_active = True
        changed.append('flags')
    if not user.check_password(PASSWORD):
        user.set_password(PASSWORD)
        changed.append('password')
    if changed:
        user.save()
        print(f'Superuser {USERNAME!r} exists; reset its {" and ".join(changed)}')
    else:
        print(f'Superuser {USERNAME!r} exists')
    return user


def existing_token(user):
    """Return the bearer value stored in TOKEN_FILE if it still authenticates `user` with write access."""
    from users.constants import TOKEN_PREFIX
    from users.models import Token

    try:
        value = TOKEN_FILE.read_text().strip()
    except OSError:
        return None
    key, _, secret = value.removeprefix(TOKEN_PREFIX).partition('.')
    if not value.startswith(TOKEN_PREFIX) or not key or not secret:
        return None
    token = Token.objects.filter(version=2, key=key, user=user).first()
    if token is None or not token.is_active or not token.write_enabled or not token.validate(secret):
        return None
    return value


def ensure_token(user):
    from users.constants import TOKEN_PREFIX
    from users.models import Token

    value = existing_token(user)
    if value is not None:
        print(f'API token in {TOKEN_FILE} is still valid; keeping it')
        return value
    token = Token(user=user, description=TOKEN_DESCRIPTION, write_enabled=True)
    token.full_clean()  # generates the secret, the key and the digest
    token.save()
    # The secret is known only now: NetBox keeps just its HMAC digest.
    value = f'{TOKEN_PREFIX}{token.key}.{token.token}'
    TOKEN_FILE.parent.mkdir(parents=True, exist_ok=True)
    TOKEN_FILE.touch(mode=0o600)
    TOKEN_FILE.write_text(value + '\n')
    print(f'Created an API token; written to {TOKEN_FILE}')
    return value


def main():
    setup_django()
    user = ensure_superuser()
    token = ensure_token(user)
    print()
    print(f'  Login:     {USERNAME} / {PASSWORD}')
    print(f'  API token: {token}')
    address = os.environ.get('DEMO_ADDR', '127.0.0.1:8000')
    print(f'  Use it as: curl -H "Authorization: Bearer {token}" http://{address}/api/status/')
    print()


main()
