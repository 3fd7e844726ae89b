"""Create the demo's users, their permissions and API tokens (development only; idempotent).

Run through NetBox's environment, as `make demo` does:

    PYTHONPATH=dev NETBOX_CONFIGURATION=netbox_configuration NETBOX_ROOT=$PWD/.dev/netbox \\
        .venv/bin/python dev/bootstrap.py

The superuser is `admin` with password `admin`. The people a decommission names are ordinary users with NetBox
object permissions, each with the password of their username:

| user | in a decommission | may |
| --- | --- | --- |
| `orlova` | the requester (a systems engineer) | start decommissions, record components, every move but signing |
| `ivanov` | the head (of the data centre) | sign |
| `petrov` | the responsible person (lead engineer) | every move, signing included |
| `sidorov`, `kozlova` | the executors (technicians) | every move, signing included |

All of them may view the data centre's objects (devices, racks, inventory, addresses, users) and the plugin's.

Every user gets an API token (a NetBox v2 token, `nbt_<key>.<secret>`): the admin's is written to .dev/api-token,
each person's to .dev/tokens/<username>; use one as `Authorization: Bearer $(cat .dev/tokens/ivanov)`. A later
run keeps the token in a file as long as it still exists and is valid, and makes a new one otherwise. DEMO_DIR
names another directory than .dev for these files (the tests use one of their own).
"""

import os
import sys
from pathlib import Path


def _dev_dir():
    # Run as a file, __file__ is this script; fed to `netbox shell` on standard input it is not (or not defined).
    here = Path(globals().get('__file__', '.')).resolve().parent
    return here if (here / 'netbox_configuration.py').exists() else Path.cwd() / 'dev'


DEV_DIR = _dev_dir()
DEMO_DIR = Path(os.environ.get('DEMO_DIR') or DEV_DIR.parent / '.dev')
TOKEN_FILE = DEMO_DIR / 'api-token'
PEOPLE_TOKENS = DEMO_DIR / 'tokens'

USERNAME = 'admin'
PASSWORD = 'admin'
EMAIL = 'admin@example.com'
TOKEN_DESCRIPTION = 'Demo token (dev/bootstrap.py)'

# (username, first name, last name, groups); the password is the username.
PEOPLE = (
    ('orlova', 'Anna', 'Orlova', ('staff', 'engineers')),
    ('ivanov', 'Ivan', 'Ivanov', ('staff', 'signers')),
    ('petrov', 'Pyotr', 'Petrov', ('staff', 'engineers', 'signers')),
    ('sidorov', 'Sergey', 'Sidorov', ('staff', 'engineers', 'signers')),
    ('kozlova', 'Maria', 'Kozlova', ('staff', 'engineers', 'signers')),
)
# What the people see: the objects a decommission's pages, forms and documents show or choose from.
VIEWED = (
    'dcim.region', 'dcim.site', 'dcim.location', 'dcim.rack', 'dcim.rackrole', 'dcim.manufacturer',
    'dcim.devicetype', 'dcim.devicerole', 'dcim.platform', 'dcim.device', 'dcim.interface', 'dcim.macaddress',
    'dcim.cable', 'dcim.inventoryitem', 'dcim.inventoryitemrole', 'dcim.module', 'ipam.prefix', 'ipam.vlan',
    'ipam.ipaddress', 'tenancy.tenantgroup', 'tenancy.tenant', 'tenancy.contactgroup', 'tenancy.contact',
    'users.user', 'netbox_decommission.storagelocation', 'netbox_decommission.decommission',
    'netbox_decommission.removedcomponent', 'netbox_decommission.handover',
)
# group key: (group name, description, [(permission name, actions, object types)])
GROUPS = {
    'staff': ('Data-centre staff', 'Everyone who takes part in a decommission', [
        ('Demo: view the data centre', ['view'], VIEWED),
    ]),
    'engineers': ('Decommission engineers', 'Start decommissions, record components, make the moves, hand over', [
        ('Demo: run decommissions', ['add', 'change'],
         ('netbox_decommission.decommission', 'netbox_decommission.removedcomponent',
          'netbox_decommission.handover')),
    ]),
    'signers': ('Decommission signers', 'Sign the order, the application and the act in the roles they hold', [
        ('Demo: sign decommissions', ['sign'], ('netbox_decommission.decommission',)),
    ]),
}


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


def ensure_groups():
    """The groups and their object permissions, as GROUPS has them (a permission edited since is set back)."""
    from core.models import ObjectType
    from users.models import Group, ObjectPermission

    groups = {}
    for key, (name, description, permissions) in GROUPS.items():
        group, _created = Group.objects.update_or_create(name=name, defaults={'description': description})
        for permission_name, actions, object_types in permissions:
            permission, _created = ObjectPermission.objects.update_or_create(
                name=permission_name, defaults={'actions': actions, 'constraints': None, 'enabled': True},
            )
            permission.object_types.set([ObjectType.objects.get_by_natural_key(*label.split('.'))
                                         for label in object_types])
            permission.groups.add(group)
        groups[key] = group
    return groups


def ensure_people(groups):
    from users.models import User

    people = []
    for username, first_name, last_name, group_keys in PEOPLE:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.first_name, user.last_name = first_name, last_name
        user.email = f'{username}@example.com'
        user.is_active, user.is_superuser = True, False
        if not user.check_password(username):
            user.set_password(username)
        user.save()
        user.groups.set([groups[key] for key in group_keys])
        people.append(user)
    print(f'Demo people: {", ".join(user.username for user in people)} (password: the username)')
    return people


def existing_token(user, path):
    """Return the bearer value stored in `path` if it still authenticates `user` with write access."""
    from users.constants import TOKEN_PREFIX
    from users.models import Token

    try:
        value = path.read_text().strip()
    except OSError:
        return None
    key, _, secret = value.removeprefix(TOKEN_PREFIX).partition('.')
    if not value.startswith(TOKEN_PREFIX) or not key or not secret:
        return None
    token = Token.objects.filter(version=2, key=key, user=user).first()
    if token is None or not token.is_active or not token.write_enabled or not token.validate(secret):
        return None
    return value


def ensure_token(user, path):
    from users.constants import TOKEN_PREFIX
    from users.models import Token

    value = existing_token(user, path)
    if value is not None:
        print(f'API token of {user.username} in {path} is still valid; keeping it')
        return value
    token = Token(user=user, description=TOKEN_DESCRIPTION, write_enabled=True)
    token.full_clean()  # generates the secret, the key and the digest
    token.save()
    # The secret is known only now: NetBox keeps just its HMAC digest.
    value = f'{TOKEN_PREFIX}{token.key}.{token.token}'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(value + '\n')
    print(f'Created an API token of {user.username}; written to {path}')
    return value


def main():
    setup_django()
    user = ensure_superuser()
    token = ensure_token(user, TOKEN_FILE)
    for person in ensure_people(ensure_groups()):
        ensure_token(person, PEOPLE_TOKENS / person.username)
    print()
    print(f'  Login:     {USERNAME} / {PASSWORD}; {", ".join(username for username, *_ in PEOPLE)} / the username')
    print(f'  API token: {token}   (the people\'s: {PEOPLE_TOKENS}/<username>)')
    address = os.environ.get('DEMO_ADDR', '127.0.0.1:8000')
    print(f'  Use it as: curl -H "Authorization: Bearer {token}" http://{address}/api/status/')
    print()


main()
