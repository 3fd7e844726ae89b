"""Small builders for the objects the plugin's tests need."""
import datetime
import io
import re
import threading
from functools import partial
from types import SimpleNamespace
from unittest import mock

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import close_old_connections, connection
from django.test import override_settings
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings

from core.models import Job, ObjectType
from dcim.models import Cable, CableTermination, Device, Interface, InventoryItem, Location, MACAddress, Rack, Site
from extras.models import Notification
from ipam.models import IPAddress
from netbox_decommission.choices import DecommissionReasonChoices
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.models import Decommission, RemovedComponent, Signature
from users.constants import TOKEN_PREFIX
from users.models import ObjectPermission, Token, User
from utilities.testing import create_test_device


def create_sites(*names):
    """Create one Site per name (slug derived from the name), each with a location and a rack of the same name."""
    sites = []
    for name in names:
        slug = name.lower().replace(' ', '-')
        site = Site.objects.create(name=name, slug=slug)
        location = Location.objects.create(name=f'{name} Hall', slug=f'{slug}-hall', site=site)
        Rack.objects.create(name=f'{name} Rack', site=site, location=location)
        sites.append(site)
    return sites


def create_devices(count, site, prefix='server', **attrs):
    """Create `count` devices at `site`, named <prefix>-01, <prefix>-02, ... with serials SN-<prefix>-01, ..."""
    return [
        create_test_device(f'{prefix}-{i:02d}', site=site, serial=f'SN-{prefix}-{i:02d}', **attrs)
        for i in range(1, count + 1)
    ]


def create_decommission(device, status=None, **attrs):
    """Save a decommission through the model (freezes the device identity, assigns a number)."""
    attrs.setdefault('reason', DecommissionReasonChoices.REASON_END_OF_LIFE)
    decommission = Decommission(device=device, **attrs)
    if status is not None:
        # Workflow-controlled; set directly for fixtures in later stages.
        decommission.status = status
    decommission.save()
    return decommission


#
# The workflow's tests: a cabled server, the people a decommission names, and walking the stages.
#

WINDOW = (
    datetime.datetime(2026, 12, 5, 22, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 12, 6, 2, 0, tzinfo=datetime.UTC),
)


def create_cabled_server(site, name='srv-01', octet=10, rack=None, position=None, switch=None, **attrs):
    """
    A server as NetBox knows it: eth0 (with a MAC) cabled to port Ethernet<octet> of a switch, eth1 spare;
    primary IPv4 and IPv6 on eth0, a further address on eth1; three inventory items with serials.
    """
    switch = switch or create_test_device(f'{name}-tor', site=site)
    switch_port = Interface.objects.create(device=switch, name=f'Ethernet{octet}', type='10gbase-x-sfpp',
                                           description='Server uplink')
    device = create_test_device(name, site=site, serial=f'SN-{name}', rack=rack, position=position,
                                face='front' if position is not None else '', **attrs)
    eth0 = Interface.objects.create(device=device, name='eth0', type='10gbase-x-sfpp')
    eth1 = Interface.objects.create(device=device, name='eth1', type='1000base-t')
    mac = MACAddress.objects.create(mac_address=f'00:11:22:33:44:{octet:02x}', assigned_object=eth0)
    eth0.primary_mac_address = mac
    eth0.save()
    ip4 = IPAddress.objects.create(address=f'192.0.2.{octet}/24', assigned_object=eth0, dns_name=f'{name}.example.com')
    ip6 = IPAddress.objects.create(address=f'2001:db8::{octet}/64', assigned_object=eth0)
    other_ip = IPAddress.objects.create(address=f'198.51.100.{octet}/24', assigned_object=eth1)
    device.primary_ip4 = ip4
    device.primary_ip6 = ip6
    device.save()
    cable = Cable(a_terminations=[eth0], b_terminations=[switch_port], label=f'{name}-uplink')
    cable.save()
    inventory_items = [
        InventoryItem.objects.create(device=device, name=item_name, serial=f'{serial}-{name}', part_id=part_id)
        for item_name, serial, part_id in (('Disk 0', 'HDD', 'ST4000NM'), ('DIMM A1', 'MEM', 'M393A4K40'),
                                           ('CPU 1', 'CPU', 'Xeon-6338'))
    ]
    return SimpleNamespace(
        device=device, switch=switch, switch_port=switch_port, interfaces=[eth0, eth1], mac=mac, ip4=ip4, ip6=ip6,
        other_ip=other_ip, ips=[ip4, ip6, other_ip], cable=cable, inventory_items=inventory_items,
    )


def create_signers(prefix=''):
    """The people a decommission names: its head, its responsible person and two executors."""
    create = User.objects.create_user
    return SimpleNamespace(
        head=create(username=f'{prefix}head'),
        responsible=create(username=f'{prefix}responsible'),
        executors=[create(username=f'{prefix}executor1'), create(username=f'{prefix}executor2')],
    )


def create_workflow_decommission(device, people, **attrs):
    """A decommission in draft that names the head, the responsible person and the executors."""
    decommission = create_decommission(device, head=people.head, responsible=people.responsible, **attrs)
    decommission.executors.set(people.executors)
    return decommission


def add_ready_components(decommission, storage_location, count=2):
    """
    Removed disks that are inspected, packed, stored and purged: what the disassembly needs (the closing also
    needs their final disposition: dispose_media).
    """
    return [
        RemovedComponent.objects.create(
            decommission=decommission, kind='disk', name=f'Disk {i}', serial=f'RC-{decommission.pk}-{i}',
            condition='ok', antistatic_packed=True, package_label=f'BOX-{i}', storage_location=storage_location,
            sanitization_method='purge', sanitized_on=datetime.date(2026, 12, 6), sanitization_tool='nwipe',
        )
        for i in range(count)
    ]


def dispose_media(decommission, user):
    """Destroy every storage medium of the decommission that has no final disposition yet."""
    from netbox_decommission import disposition

    for component in decommission.components.filter(is_media=True).exclude(
            status__in=('transferred', 'reused', 'destroyed')):
        disposition.destroy(component, user, reference=f'DESTR-{component.pk}')


def example_data(move, decommission, storage_location=None):
    """A move's inputs as its REST body would carry them: the table's examples, parsed by the move's serializer."""
    from netbox_decommission.api.workflow_serializers import request_serializer

    body = {spec.name: spec.example for spec in move.inputs if spec.example is not None}
    if 'storage_location' in body:
        body['storage_location'] = storage_location.pk
    serializer = request_serializer(move)(data=body)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _next_move(decommission, people, storage_location, to_status):
    """
    Make the moves that take the record out of its stage, as the table of moves has them: every signature the
    stage's document still needs, or else the move that leads straight to ``to_status`` (restore, from retired), or
    the move the stage awaits, by the person the table says makes it.
    """
    from netbox_decommission.workflow import SIGNED_AT_STAGE, missing_signers
    from netbox_decommission.workflow.table import awaited_move, moves_from

    document = decommission.documents.filter(kind=SIGNED_AT_STAGE.get(decommission.status)).first()
    if document is not None:
        (signing,) = [move for move in moves_from(decommission.status) if move.performed_by is None]
        for role, user in missing_signers(decommission, document):
            signing.perform(decommission, user, {'document': document.kind, 'role': role})
        return
    move = next((m for m in moves_from(decommission.status) if (decommission.status, to_status) in m.steps
                 and m.performed_by and not m.cancels), None) or awaited_move(decommission.status)
    if move is None:
        raise ValueError(f'No move leads on from {decommission.status}')
    if Status.STATUS_CLOSED in (to for _from, to in move.steps):
        # Closing verifies the media's final disposition.
        dispose_media(decommission, people.head)
    person = {'head': people.head, 'responsible': people.responsible, 'executor': people.executors[0]}
    move.perform(decommission, person[move.performed_by], example_data(move, decommission, storage_location))


def advance(decommission, to_status, people, storage_location=None):
    """Walk the decommission through the workflow service, stage by stage, until it reaches `to_status`."""
    stages = [value for value, *_ in Status.CHOICES]
    if stages.index(to_status) < stages.index(decommission.status):
        raise ValueError(f'{decommission.status} is past {to_status}')
    while decommission.status != to_status:
        _next_move(decommission, people, storage_location, to_status)
        decommission.refresh_from_db()
    return decommission


def grant(users, actions, model=Decommission, constraints=None, name=None):
    """An ObjectPermission giving `users` the `actions` on `model`, optionally constrained."""
    permission = ObjectPermission.objects.create(
        name=name or f'{model._meta.model_name}: {", ".join(actions)}', actions=list(actions), constraints=constraints,
    )
    permission.object_types.add(ObjectType.objects.get_for_model(model))
    permission.users.add(*users)
    return permission


def token_header(user, **attrs):
    """The Authorization header of a new v2 API token of `user`, for Django's test client."""
    token = Token.objects.create(user=user, **attrs)
    return {'HTTP_AUTHORIZATION': f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}'}


def action_url(decommission, action):
    """The REST endpoint of a workflow move (or another action) of `decommission`: /decommissions/<pk>/<action>/."""
    return reverse(f'plugins-api:netbox_decommission-api:decommission-{action}', kwargs={'pk': decommission.pk})


API_PREFIX = '/api/plugins/decommission/'


class PluginSchemaGenerator(SchemaGenerator):
    """NetBox's schema generator over the plugin's endpoints only: the same operations, without NetBox's 25 s."""

    def _initialise_endpoints(self):
        super()._initialise_endpoints()
        self.endpoints = [endpoint for endpoint in self.endpoints if endpoint[0].startswith(API_PREFIX)]


def plugin_schema():
    """The OpenAPI schema of the plugin's endpoints, as NetBox's /api/schema/ describes them."""
    # The prefix common to NetBox's whole schema, so that the operation IDs are those of NetBox's /api/schema/.
    with patched_settings({'SCHEMA_PATH_PREFIX': '/api/'}):
        return PluginSchemaGenerator().get_schema(request=None, public=True)


def workflow_state(decommission):
    """
    Everything a workflow move may change, read afresh from the database: the record (every column, including
    last_updated), its executors, stage log, documents and signatures, and the device with its cables and
    addresses. Two equal states mean that nothing changed.
    """
    record = Decommission.objects.get(pk=decommission.pk)
    device_pk = record.device_pk
    interfaces = Interface.objects.filter(device_id=device_pk)
    return {
        'record': {f.attname: getattr(record, f.attname) for f in Decommission._meta.concrete_fields},
        'executors': sorted(record.executors.values_list('pk', flat=True)),
        'stage_log': list(record.stage_changes.values_list('from_status', 'to_status', 'user_id', 'comment')),
        'documents': list(record.documents.values_list('kind', 'signed_at').order_by('kind')),
        'signatures': list(
            Signature.objects.filter(document__decommission=record)
            .values_list('document__kind', 'role', 'user_id').order_by('pk')
        ),
        'device': Device.objects.filter(pk=device_pk).values().first(),
        'cables': sorted(CableTermination.objects.filter(_device_id=device_pk).values_list('cable_id', flat=True)),
        'ip_addresses': sorted(
            IPAddress.objects.filter(
                assigned_object_type=ContentType.objects.get_for_model(Interface),
                assigned_object_id__in=interfaces.values('pk'),
            ).values_list('address', 'status')
        ),
        'components': list(record.components.values().order_by('pk')),
        'notifications': Notification.objects.count(),
    }


def pdf_text(data):
    """The text of every page of a PDF, each run of whitespace as one space (text wraps where the layout does)."""
    from pypdf import PdfReader

    return re.sub(r'\s+', ' ', ' '.join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def run_enqueued_jobs(callbacks):
    """Run the jobs whose enqueueing was deferred to the commit, as the RQ worker would."""
    jobs = []
    for callback in callbacks:
        if isinstance(callback, partial) and callback.func.__name__ == 'enqueue':
            kwargs = dict(callback.keywords)
            kwargs.pop('job_id')
            callback.args[0](**kwargs)
            jobs.append(Job.objects.get(pk=kwargs['job'].pk))
    return jobs


# A NetBox release the plugin's fast paths are not verified on: the plugin takes NetBox's public paths there.
UNVERIFIED_RELEASE = '4.7.99'


def on_an_unverified_release():
    """Patch (as decorator or context) the NetBox release the plugin sees: one its fast paths are not verified on."""
    return mock.patch('netbox_decommission.compat.netbox_release', new=lambda: UNVERIFIED_RELEASE)


def plugin_settings(**values):
    """override_settings (as decorator or context) of the plugin's current settings with `values` changed."""
    return override_settings(PLUGINS_CONFIG={
        **settings.PLUGINS_CONFIG, 'netbox_decommission': {**settings.PLUGINS_CONFIG['netbox_decommission'], **values},
    })


def guard_off():
    """No guard on deleting devices: for tests of what a deletion outside the workflow does to a decommission."""
    return plugin_settings(guard_device_deletion='off')


#
# Signing: a test CA and its signers, their certificates and keys as PEM.
#

def x509_name(common_name):
    """A certificate subject of the example organization."""
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'Example Data Center LLC'),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _key_usage(**enabled):
    flags = dict.fromkeys((
        'digital_signature', 'content_commitment', 'key_encipherment', 'data_encipherment', 'key_agreement',
        'key_cert_sign', 'crl_sign', 'encipher_only', 'decipher_only',
    ), False)
    return x509.KeyUsage(**{**flags, **enabled})


def x509_certificate(subject, public_key, issuer, issuer_key, ca):
    """A certificate valid for a year: a CA's (ca=True) or a document signer's, signed by `issuer_key`."""
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
    else:
        builder = builder.add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def key_pem(key, passphrase=None):
    """The private key as PKCS#8 PEM, encrypted with `passphrase` if one is given."""
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def cert_pem(*certs):
    """The certificates as one PEM bundle, in the order given."""
    return b''.join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


def at_once(*calls):
    """
    Run each call in its own thread with its own database connection (so in its own transaction), all released
    together; returns the exceptions they raised. The search cache is indexed inline rather than handed to an RQ
    worker that may listen on the shared Redis.
    """
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as e:  # the caller's assertions report them
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    with mock.patch('netbox.search.deferred.any_workers_for_queue', return_value=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    close_old_connections()
    if any(thread.is_alive() for thread in threads):
        raise AssertionError('a thread is stuck')
    return errors


def scan_qr_codes(pdf):
    """The text of every QR code found on the PDF's pages, rasterized as a printer would."""
    return [text for text, _page, _centre in placed_qr_codes(pdf)]


def placed_qr_codes(pdf, pages=None):
    """
    Every QR code found on the PDF's pages (or the first ``pages``), rasterized at 200 dpi as a printer would, with
    where it lies: [(text, page index, (x, y) of its centre as fractions of the page's width and height)].
    """
    import pypdfium2
    import zxingcpp

    found = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index, page in enumerate(document):
            if pages is not None and index >= pages:
                break
            image = page.render(scale=200 / 72).to_pil()
            for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
                corners = (code.position.top_left, code.position.bottom_right)
                centre = (sum(p.x for p in corners) / 2 / image.width, sum(p.y for p in corners) / 2 / image.height)
                found.append((code.text, index, centre))
    finally:
        document.close()
    return found
