"""
The permissions matrix: every web UI view, REST endpoint and GraphQL query of the plugin, requested by each
persona — anonymous, signed in without permissions, with "view", "change" or "sign" only, and with every action
constrained to Site A (on a Site A record, and on the Site B twin). Allowed requests work (writes change what they
should); refused ones answer as NetBox does — the login page, 403, 404, or an answer without the record — and
change nothing. One test per (route, persona), named test_<route>__<persona>; test_every_route_is_in_the_matrix
fails when the plugin gains a URL or a query without a row here.

Then who signs: a user signs only in a role the record names them in, and (separation of duties, on by default)
the user who requested a decommission cannot sign its order as head.
"""
import hashlib
import json
import uuid
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, SimpleTestCase, TestCase, override_settings
from django.urls import URLPattern, URLResolver, reverse

from core.choices import JobStatusChoices
from core.models import Job, ObjectType
from dcim.models import Device, InventoryItem, Location, Manufacturer, Module, Rack, Site
from netbox.registry import registry
from netbox_decommission import DecommissionConfig, jobs
from netbox_decommission import urls as ui_urls
from netbox_decommission.api import urls as api_urls
from netbox_decommission.calendar import subscriptions
from netbox_decommission.graphql.schema import DecommissionQuery
from netbox_decommission.handovers import services as handovers
from netbox_decommission.models import (
    CalendarFeed,
    Decommission,
    Handover,
    HandoverItem,
    RemovedComponent,
    Signature,
    StageChange,
    StorageLocation,
)
from netbox_decommission.settings_validation import validate_settings
from netbox_decommission.workflow import MOVES
from netbox_decommission.workflow.table import FieldKind
from users.models import ObjectPermission, User

from .utils import (
    create_cabled_server,
    create_devices,
    create_signers,
    create_sites,
    create_workflow_decommission,
    grant,
    token_header,
    workflow_state,
)

PLUGIN_MODELS = {'decommission': Decommission, 'storagelocation': StorageLocation,
                 'removedcomponent': RemovedComponent, 'handover': Handover}
# How each model reaches its site, for the constrained persona. A decommission's site is frozen with the record, so
# the constraint holds after retirement has deleted the device (device__site would not).
SITE_PATHS = {'decommission': 'site__name', 'storagelocation': 'site__name',
              'removedcomponent': 'decommission__site__name', 'handover': 'site__name'}
# What every signed-in persona but "none" may view outside the plugin: what its forms choose from.
CONTEXT_MODELS = (Site, Location, Rack, Device, InventoryItem, Module, Manufacturer, User)
CRUD = ('view', 'add', 'change', 'delete')

CONTEXT = frozenset({('device', 'view')})

# Each persona's permissions on the plugin's models (and, but for "none", the context), as (model, action) pairs.
PERSONAS = {
    'none': frozenset(),
    'view': CONTEXT | {(model, 'view') for model in PLUGIN_MODELS},
    'change': CONTEXT | {(model, 'change') for model in PLUGIN_MODELS},
    'sign': CONTEXT | {('decommission', 'sign')},
    'site_a': CONTEXT | {(model, action) for model in PLUGIN_MODELS for action in CRUD} | {('decommission', 'sign')},
}
# The e-waste report reads hand-overs: "view" views them all, "site_a" those of Site A (granted in setUpTestData).
EWASTE_VIEWERS = {'view': None, 'site_a': {'site__name': 'Site A'}}
for _persona in EWASTE_VIEWERS:
    PERSONAS[_persona] = PERSONAS[_persona] | {('handover', 'view')}
# A column of the matrix: the persona, and the site of the records its requests name.
COLUMNS = {
    'anonymous': (None, 'A'),
    'none': ('none', 'A'),
    'view': ('view', 'A'),
    'change': ('change', 'A'),
    'sign': ('sign', 'A'),
    'site_a': ('site_a', 'A'),
    'site_a_on_site_b': ('site_a', 'B'),
}

# Outcomes
ALLOWED = 'allowed'      # 2xx, or a redirect that is not to the login; a write changes its witness
LOGIN = 'login'          # the web UI redirects to the login page
DENIED = 'denied'        # 403, or the route's own refusal status
HIDDEN = 'hidden'        # 404: the object is outside the permission's constraints
FILTERED = 'filtered'    # answered, but without the record, and nothing changed



@dataclass(frozen=True)
class Route:
    """
    One row of the matrix. ``needs`` are the (model, action) pairs a persona must hold; ``target`` the fixture the
    URL's pk names (of the persona's site); ``body(fx, user)`` the request's data; ``witness(fx)`` what a write
    changes; ``visible(fx, answer)`` whether an answer shows the target record; ``outside`` what the constrained
    persona gets for the Site B record. Without ``also_needs`` NetBox still answers, but its form refuses the request
    (its choices are only the objects the user may view) or its list leaves the record out; nothing changes.
    """
    kind: str
    name: str
    needs: tuple
    method: str = 'get'
    target: str = None
    body: object = None
    witness: object = None
    visible: object = None
    outside: str = HIDDEN
    denied: int = 403
    prepare: object = None
    kwargs: object = None
    multipart: bool = False
    also_needs: tuple = ()
    # Answered without a login (the calendar feed: its address carries the credential).
    public: bool = False

    @property
    def id(self):
        name = self.name.split(':')[-1].replace('-', '_')
        suffix = '' if self.kind == 'graphql' else f'_{self.method}'
        return f'{self.kind}_{name}{suffix}'

    def url(self, fx, user):
        if self.kind == 'graphql':
            return reverse('graphql')
        kwargs = self.kwargs(fx, user) if self.kwargs else {'pk': getattr(fx, self.target).pk} if self.target else {}
        if self.kind == 'api':
            return reverse(f'plugins-api:netbox_decommission-api:{self.name}', kwargs=kwargs)
        name = self.name if ':' in self.name else f'plugins:netbox_decommission:{self.name}'
        return reverse(name, kwargs=kwargs)


def needs(*pairs):
    return tuple(tuple(pair.split('.')) for pair in pairs)


VIEW = needs('decommission.view')
CHANGE = needs('decommission.change')


#
# Witnesses: what a write changes, read afresh
#

def record_state(target):
    """
    What every workflow move changes: the record's row (with last_updated), its signatures and stage log, and the
    device. (workflow_state() reads more, at a cost this many requests would feel; it checks the signing tests.)
    """
    def witness(fx):
        record = Decommission.objects.filter(pk=getattr(fx, target).pk)
        return (
            record.values().first(),
            list(Signature.objects.filter(document__decommission__in=record).values_list('pk', flat=True)),
            list(StageChange.objects.filter(decommission__in=record).values_list('pk', flat=True)),
            Device.objects.filter(pk=getattr(fx, target).device_pk).values().first(),
        )
    return witness


def row(model, target, *fields):
    def witness(fx):
        return model.objects.filter(pk=getattr(fx, target).pk).values(*fields).first()
    return witness


def count(model, **lookups):
    def witness(fx):
        return model.objects.filter(**{k: v(fx) for k, v in lookups.items()}).count()
    return witness


def jobs_count(fx):
    return Job.objects.filter(name=jobs.BulkDocumentsJob.name).count()


#
# Visibility: whether an answer shows the target record
#

def shows(text):
    return lambda fx, answer: text(fx) in answer.content.decode()


def listed_in_api(target):
    return lambda fx, answer: getattr(fx, target).pk in {item['id'] for item in answer.json()['results']}


def enqueued(fx, answer):
    """The documents job is enqueued when the request's transaction commits: which records it was given."""
    ids = [cb.keywords['decommission_ids'] for cb in answer.callbacks
           if isinstance(cb, partial) and 'decommission_ids' in cb.keywords]
    return any(fx.draft.pk in batch for batch in ids)


def in_graphql(field, attr):
    def visible(fx, answer):
        data = (answer.json().get('data') or {}).get(field)
        items = data if isinstance(data, list) else [data] if data else []
        return str(getattr(fx, attr).pk) in {item['id'] for item in items}
    return visible


def name_head(fx, user):
    # The persona signs the order as its head: name it so, so that an allowed request succeeds.
    if user is not None:
        Decommission.objects.filter(pk=fx.draft.pk).update(head=user)


def finished_archive(fx, user):
    """A finished documents job of the persona's own, with its archive in the media storage."""
    empty_zip = b'PK\x05\x06' + 18 * b'\0'
    name = default_storage.save(f'netbox-decommission/archives/{uuid.uuid4()}.zip', ContentFile(empty_zip))
    fx.job = Job.objects.create(name=jobs.BulkDocumentsJob.name, user=user, job_id=uuid.uuid4(),
                                status=JobStatusChoices.STATUS_COMPLETED, data={'file': name})


def form(**fields):
    return lambda fx, user: {name: value(fx) if callable(value) else value for name, value in fields.items()}


def own_feed(fx, user):
    """A calendar feed of the persona's own (for the anonymous column, another user's: it may not touch it)."""
    owner = user or User.objects.get_or_create(username='feed-owner')[0]
    fx.feed, fx.secret = subscriptions.create_feed(owner, f'Feed of {owner.username}')


def feed_kwargs(fx, user):
    return {'pk': fx.feed.pk}


SCAN = b'%PDF-1.7\n% not issued here\n'


def pdf_upload(fx, user):
    return {'file': SimpleUploadedFile('scan.pdf', SCAN, content_type='application/pdf')}


HANDOVER_VIEW = needs('handover.view')
HANDOVER_CHANGE = needs('handover.change')
HANDOVER_ITEMS = count(HandoverItem, handover=lambda fx: fx.handover.pk)


def certificate_upload(fx, user):
    return {'encoding': 'utf-8', 'file': SimpleUploadedFile('certificate.csv', f'serial,method,date,certificate\n'
                                       f'{fx.handed_item.serial},destroyed,2026-12-12,CERT-{fx.side}\n'.encode(),
                                       content_type='text/csv')}


#
# The routes
#

def crud_ui(model, target, add, edit, import_csv, bulk_edit, name_of, label, edit_needs=()):
    """
    NetBox's views of a plugin model: list, add, import, bulk edit/delete, detail, edit, delete, change log and journal.
    Its forms offer only the objects the user may view: bulk editing needs "view" too (the selection is a field), and
    so does an edit whose form chooses among other plugin objects (``edit_needs``).
    """
    view, add_, change, delete = (needs(f'{model}.{a}') for a in CRUD)
    created = count(PLUGIN_MODELS[model], **{name_of[0]: name_of[1]})
    exists = count(PLUGIN_MODELS[model], pk=lambda fx: getattr(fx, target).pk)
    edited = row(PLUGIN_MODELS[model], target, 'description', 'last_updated')
    listed = shows(lambda fx: label(getattr(fx, target)))
    return [
        Route('ui', f'{model}_list', view, visible=listed, outside=FILTERED),
        Route('ui', f'{model}_add', add_, outside=ALLOWED),
        Route('ui', f'{model}_add', add_, 'post', body=add, witness=created, outside=FILTERED),
        Route('ui', f'{model}_bulk_import', add_, outside=ALLOWED),
        Route('ui', f'{model}_bulk_import', add_, 'post', body=import_csv, witness=created, outside=FILTERED),
        Route('ui', f'{model}_bulk_edit', change, 'post', body=bulk_edit, witness=edited, outside=FILTERED,
              also_needs=view),
        Route('ui', f'{model}_bulk_delete', delete, 'post', witness=exists, outside=FILTERED,
              body=form(pk=lambda fx: [getattr(fx, target).pk], confirm='true', _confirm='true')),
        Route('ui', model, view, target=target),
        Route('ui', f'{model}_changelog', view, target=target, denied=404),
        Route('ui', f'{model}_journal', view, target=target, denied=404),
        Route('ui', f'{model}_edit', change, target=target),
        Route('ui', f'{model}_edit', change, 'post', target, body=edit, witness=edited, also_needs=edit_needs),
        Route('ui', f'{model}_delete', delete, target=target),
        Route('ui', f'{model}_delete', delete, 'post', target, body=form(confirm='true'), witness=exists),
    ]


def crud_api(model, target, create, name_of):
    view, add, change, delete = (needs(f'{model}.{a}') for a in CRUD)
    return [
        Route('api', f'{model}-list', view, visible=listed_in_api(target), outside=FILTERED),
        Route('api', f'{model}-list', add, 'post', body=create, outside=DENIED,
              witness=count(PLUGIN_MODELS[model], **{name_of[0]: name_of[1]})),
        Route('api', f'{model}-detail', view, target=target),
        Route('api', f'{model}-detail', change, 'patch', target, body=form(description='Changed over the API'),
              witness=row(PLUGIN_MODELS[model], target, 'description')),
        Route('api', f'{model}-detail', delete, 'delete', target,
              witness=count(PLUGIN_MODELS[model], pk=lambda fx: getattr(fx, target).pk)),
    ]


def move_body(move):
    """A move's form or REST body: the table's examples, with the fixture's storage location."""
    return form(**{
        spec.name: (lambda fx: fx.location.pk) if spec.kind == FieldKind.STORAGE_LOCATION else spec.example
        for spec in move.inputs if spec.example is not None
    })


def moves():
    """The UI view (GET, POST) and the REST action of every move of the table, at the first stage it is made from."""
    routes = []
    for move in MOVES.values():
        target = move.made_from[0]
        permission = needs(f'decommission.{move.permission}')
        # The form chooses among the storage locations the user may view.
        picks_location = any(spec.kind == FieldKind.STORAGE_LOCATION for spec in move.inputs)
        also_needs = needs('storagelocation.view') if picks_location else ()
        # A signature is given in a role the record names the persona in.
        prepare = name_head if move.performed_by is None else None
        routes += [
            Route('ui', f'decommission_{move.name}', permission, target=target, prepare=prepare),
            Route('ui', f'decommission_{move.name}', permission, 'post', target, body=move_body(move),
                  also_needs=also_needs, witness=record_state(target), prepare=prepare),
            Route('api', f'decommission-{move.name}', permission, 'post', target, body=move_body(move),
                  witness=record_state(target), prepare=prepare),
        ]
    return routes


def graphql(field, model, target):
    single = not field.endswith('_list')

    def body(fx, user):
        arguments = f'(id: {getattr(fx, target).pk})' if single else ''
        return {'query': f'{{ {field}{arguments} {{ id }} }}'}
    return Route('graphql', field, needs(f'{model}.view'), 'post', target, visible=in_graphql(field, target),
                 outside=FILTERED, body=body)


def document_kwargs(fx, user):
    return {'pk': fx.draft.pk, 'kind': 'order'}


def copy_kwargs(fx, user):
    return {'pk': fx.draft.pk, 'kind': 'order', 'language': 'ru'}


HARVESTED = count(RemovedComponent, decommission=lambda fx: fx.draft.pk)
HARVEST = needs('decommission.change', 'removedcomponent.add')
DISPOSED = row(RemovedComponent, 'component', 'status', 'disposition_reference')

ROUTES = [
    *crud_ui(
        'storagelocation', 'location',
        add=form(name=lambda fx: f'New zone {fx.side}', kind='warehouse', site=lambda fx: fx.site.pk),
        edit=form(name=lambda fx: fx.location.name, kind='removal_zone', site=lambda fx: fx.site.pk,
                  description='Edited'),
        import_csv=form(data=lambda fx: f'name,kind,site\nNew zone {fx.side},warehouse,{fx.site.name}',
                        format='csv', csv_delimiter=','),
        bulk_edit=form(pk=lambda fx: [fx.location.pk], _apply='true', description='Edited in bulk'),
        name_of=('name', lambda fx: f'New zone {fx.side}'), label=lambda location: location.name,
    ),
    *crud_ui(
        'decommission', 'draft',
        add=form(device=lambda fx: fx.free_device.pk, reason='end_of_life'),
        edit=form(device=lambda fx: fx.draft.device_id, reason='failure', description='Edited'),
        import_csv=form(data=lambda fx: f'device,reason\n{fx.free_device.name},end_of_life', format='csv',
                        csv_delimiter=','),
        bulk_edit=form(pk=lambda fx: [fx.draft.pk], _apply='true', description='Edited in bulk'),
        name_of=('device', lambda fx: fx.free_device.pk), label=lambda decommission: decommission.number,
    ),
    *crud_ui(
        'removedcomponent', 'component',
        add=form(decommission=lambda fx: fx.draft.pk, kind='psu', name='PSU 9', condition='unknown',
                 status='removed'),
        edit=form(decommission=lambda fx: fx.draft.pk, kind='disk', name=lambda fx: fx.component.name,
                  condition='unknown', status='removed', is_media=True, description='Edited'),
        import_csv=form(data=lambda fx: f'decommission,kind,name\n{fx.draft.number},psu,PSU 9', format='csv',
                        csv_delimiter=','),
        bulk_edit=form(pk=lambda fx: [fx.component.pk], _apply='true', description='Edited in bulk'),
        name_of=('name', lambda _fx: 'PSU 9'), label=lambda component: component.name,
        edit_needs=needs('decommission.view'),
    ),
    *moves(),
    # The decommission's own pages beyond NetBox's standard views
    Route('ui', 'decommission_impact', VIEW, target='draft'),
    Route('ui', 'decommission_document', VIEW, target='draft', kwargs=document_kwargs),
    Route('ui', 'decommission_labels', VIEW, target='draft'),
    Route('ui', 'decommission_sanitization_certificate', VIEW, target='draft'),
    Route('ui', 'decommission_event_log_extract', VIEW, target='draft'),
    Route('ui', 'decommission_document_copy', VIEW, target='draft', kwargs=copy_kwargs),
    Route('ui', 'decommission_harvest', HARVEST, target='draft'),
    Route('ui', 'decommission_harvest', HARVEST, 'post', 'draft', witness=HARVESTED,
          body=form(pk=lambda fx: [f'inventory_item:{fx.inventory_item.pk}'])),
    Route('ui', 'decommission_verify_document', VIEW, outside=ALLOWED),
    Route('ui', 'decommission_verify_document', VIEW, 'post', body=pdf_upload, outside=ALLOWED,
          visible=shows(lambda fx: hashlib.sha256(SCAN).hexdigest())),
    # Batches
    Route('ui', 'decommission_bulk_start', needs('decommission.add'), outside=ALLOWED),
    Route('ui', 'decommission_bulk_start', needs('decommission.add'), 'post', outside=FILTERED,
          body=form(_apply='true', devices=lambda fx: [fx.free_device.pk], reason='end_of_life'),
          witness=count(Decommission, device=lambda fx: fx.free_device.pk)),
    Route('ui', 'decommission_bulk_move', needs('decommission.view', 'decommission.change'), 'post',
          outside=FILTERED, witness=record_state('draft'),
          body=form(_apply='true', pk=lambda fx: [fx.draft.pk], move='cancel', reason='No longer needed')),
    Route('ui', 'decommission_bulk_documents', VIEW, 'post', outside=FILTERED, visible=enqueued,
          body=form(_apply='true', pk=lambda fx: [fx.draft.pk], languages=['en'])),
    Route('ui', 'decommission_bulk_documents_download', VIEW, outside=ALLOWED, prepare=finished_archive,
          kwargs=lambda fx, user: {'job_id': fx.job.pk}),
    # Removed components
    Route('ui', 'removedcomponent_dispose', needs('removedcomponent.change'), target='component'),
    Route('ui', 'removedcomponent_dispose', needs('removedcomponent.change'), 'post', 'component',
          body=form(disposition='destroyed', reference='DESTR-1'), witness=DISPOSED),
    Route('ui', 'removedcomponent_sanitization_certificate', needs('removedcomponent.view', 'decommission.view'),
          target='component'),
    Route('ui', 'removedcomponent_event_log_extract', needs('removedcomponent.view', 'decommission.view'),
          target='component'),
    # The Decommission tab of a device
    # As NetBox's own tabs: the page needs the device's view permission; without "view" on decommissions it is empty.
    Route('ui', 'dcim:device_decommissions', needs('device.view'), target='device', outside=FILTERED,
          visible=shows(lambda fx: fx.draft.number), also_needs=VIEW),
    # REST
    Route('api', 'api-root', (), outside=ALLOWED),
    *crud_api('storagelocation', 'location', name_of=('name', lambda fx: f'New zone {fx.side}'),
              create=form(name=lambda fx: f'New zone {fx.side}', kind='warehouse', site=lambda fx: fx.site.pk)),
    *crud_api('decommission', 'draft', name_of=('device', lambda fx: fx.free_device.pk),
              create=form(device=lambda fx: fx.free_device.pk, reason='end_of_life')),
    *crud_api('removedcomponent', 'component', name_of=('name', lambda _fx: 'PSU 9'),
              create=form(decommission=lambda fx: fx.draft.pk, kind='psu', name='PSU 9')),
    Route('api', 'decommission-impact', VIEW, target='draft'),
    Route('api', 'decommission-documents', VIEW, target='draft'),
    Route('api', 'decommission-stage-log', VIEW, target='draft'),
    Route('api', 'decommission-custody', VIEW, target='draft'),
    Route('api', 'decommission-document-pdf', VIEW, target='draft', kwargs=document_kwargs),
    Route('api', 'decommission-labels-pdf', VIEW, target='draft'),
    Route('api', 'decommission-sanitization-certificate-pdf', VIEW, target='draft'),
    Route('api', 'decommission-event-log-extract-pdf', VIEW, target='draft'),
    Route('api', 'decommission-document-copy-verify', VIEW, target='draft', kwargs=copy_kwargs),
    Route('api', 'decommission-harvest', HARVEST, target='draft'),
    Route('api', 'decommission-harvest', HARVEST, 'post', 'draft', witness=HARVESTED,
          body=form(inventory_items=lambda fx: [fx.inventory_item.pk])),
    Route('api', 'decommission-documents-verify', VIEW, 'post', body=pdf_upload, multipart=True, outside=ALLOWED),
    Route('api', 'removedcomponent-dispose', needs('removedcomponent.change'), 'post', 'component',
          body=form(disposition='destroyed', reference='DESTR-1'), witness=DISPOSED),
    Route('api', 'removedcomponent-custody', needs('removedcomponent.view'), target='component'),
    Route('api', 'removedcomponent-sanitization-certificate-pdf', needs('removedcomponent.view', 'decommission.view'),
          target='component'),
    Route('api', 'removedcomponent-event-log-extract-pdf', needs('removedcomponent.view', 'decommission.view'),
          target='component'),
    Route('api', 'storagelocation-custody', needs('storagelocation.view'), target='location'),
    Route('api', 'decommission-bulk-start', needs('decommission.add'), 'post', outside=FILTERED,
          body=form(devices=lambda fx: [fx.free_device.pk], reason='end_of_life'),
          witness=count(Decommission, device=lambda fx: fx.free_device.pk)),
    Route('api', 'decommission-bulk-move', CHANGE, 'post', outside=FILTERED, witness=record_state('draft'),
          body=form(decommissions=lambda fx: [fx.draft.pk], move='cancel', reason='No longer needed')),
    Route('api', 'decommission-bulk-documents', VIEW, 'post', outside=FILTERED, visible=enqueued,
          body=form(decommissions=lambda fx: [fx.draft.pk], languages=['en'])),
    # The calendar feeds: each signed-in user's own, whatever their permissions; the feed itself needs no login.
    Route('ui', 'calendarfeed_list', (), outside=ALLOWED, prepare=own_feed, visible=shows(lambda fx: fx.feed.name)),
    Route('ui', 'calendarfeed_add', (), outside=ALLOWED),
    Route('ui', 'calendarfeed_add', (), 'post', outside=ALLOWED, body=form(name='New feed'),
          witness=count(CalendarFeed, name=lambda _fx: 'New feed')),
    Route('ui', 'calendarfeed_delete', (), outside=ALLOWED, prepare=own_feed, kwargs=feed_kwargs),
    Route('ui', 'calendarfeed_delete', (), 'post', outside=ALLOWED, prepare=own_feed, kwargs=feed_kwargs,
          witness=count(CalendarFeed, pk=lambda fx: fx.feed.pk)),
    Route('ui', 'calendar_feed', (), outside=ALLOWED, public=True, prepare=own_feed,
          kwargs=lambda fx, user: {'secret': fx.secret}),
    Route('api', 'calendarfeed-list', (), outside=ALLOWED, prepare=own_feed,
          visible=lambda fx, answer: fx.feed.pk in {item['id'] for item in answer.json()['results']}),
    Route('api', 'calendarfeed-list', (), 'post', outside=ALLOWED, body=form(name='New feed'),
          witness=count(CalendarFeed, name=lambda _fx: 'New feed')),
    Route('api', 'calendarfeed-detail', (), outside=ALLOWED, prepare=own_feed, kwargs=feed_kwargs),
    Route('api', 'calendarfeed-detail', (), 'delete', outside=ALLOWED, prepare=own_feed, kwargs=feed_kwargs,
          witness=count(CalendarFeed, pk=lambda fx: fx.feed.pk)),
    # Hand-overs to a disposal vendor (docs/handovers.md): a planned one ("handover") and a handed-over one ("handed")
    *crud_ui(
        'handover', 'handover',
        add=form(site=lambda fx: fx.site.pk, vendor=lambda fx: fx.vendor.pk, pickup_date='2026-12-10',
                 received_by=lambda fx: f'Driver {fx.side}'),
        edit=form(site=lambda fx: fx.site.pk, vendor=lambda fx: fx.vendor.pk, pickup_date='2026-12-11',
                  description='Edited'),
        import_csv=form(data=lambda fx: f'site,vendor,pickup_date,received_by\n{fx.site.name},{fx.vendor.name},'
                                        f'2026-12-10,Driver {fx.side}', format='csv', csv_delimiter=','),
        bulk_edit=form(pk=lambda fx: [fx.handover.pk], _apply='true', description='Edited in bulk'),
        name_of=('received_by', lambda fx: f'Driver {fx.side}'), label=lambda handover: handover.number,
        edit_needs=needs('storagelocation.view'),
    ),
    Route('ui', 'handover_add_items', HANDOVER_CHANGE, target='handover'),
    Route('ui', 'handover_add_items', HANDOVER_CHANGE, 'post', 'handover', witness=HANDOVER_ITEMS,
          body=form(components=lambda fx: [fx.loose_part.pk]), also_needs=needs('removedcomponent.view')),
    Route('ui', 'handover_remove_item', HANDOVER_CHANGE, 'post', 'handover', witness=HANDOVER_ITEMS,
          body=form(item=lambda fx: fx.handover_item.pk)),
    Route('ui', 'handover_hand_over', HANDOVER_CHANGE, target='handover'),
    Route('ui', 'handover_hand_over', HANDOVER_CHANGE, 'post', 'handover', witness=row(Handover, 'handover', 'status')),
    Route('ui', 'handover_manifest', HANDOVER_VIEW, target='handed'),
    Route('ui', 'handover_certificate', HANDOVER_CHANGE, target='handed'),
    Route('ui', 'handover_certificate', HANDOVER_CHANGE, 'post', 'handed', body=certificate_upload,
          witness=row(HandoverItem, 'handed_item', 'reconciliation')),
    Route('ui', 'handover_close_handover', HANDOVER_CHANGE, target='handed'),
    Route('ui', 'handover_close_handover', HANDOVER_CHANGE, 'post', 'handed',
          body=lambda fx, user: {f'reason_{fx.handed_item.pk}': 'Lost in transit'},
          witness=row(Handover, 'handed', 'status')),
    *crud_api('handover', 'handover', name_of=('received_by', lambda fx: f'Driver {fx.side}'),
              create=form(site=lambda fx: fx.site.pk, vendor=lambda fx: fx.vendor.pk, pickup_date='2026-12-10',
                          received_by=lambda fx: f'Driver {fx.side}')),
    Route('api', 'handover-items', HANDOVER_VIEW, target='handover'),
    Route('api', 'handover-items', HANDOVER_CHANGE, 'post', 'handover', witness=HANDOVER_ITEMS,
          body=form(components=lambda fx: [fx.loose_part.pk])),
    Route('api', 'handover-items', HANDOVER_CHANGE, 'delete', 'handover', witness=HANDOVER_ITEMS,
          body=form(item=lambda fx: [fx.handover_item.pk])),
    Route('api', 'handover-hand-over', HANDOVER_CHANGE, 'post', 'handover',
          witness=row(Handover, 'handover', 'status')),
    Route('api', 'handover-manifest-pdf', HANDOVER_VIEW, target='handed'),
    Route('api', 'handover-manifest-csv', HANDOVER_VIEW, target='handed'),
    Route('api', 'handover-certificate', HANDOVER_CHANGE, 'post', 'handed', body=certificate_upload, multipart=True,
          witness=row(HandoverItem, 'handed_item', 'reconciliation')),
    Route('api', 'handover-certificates', HANDOVER_VIEW, target='handed'),
    Route('api', 'handover-close', HANDOVER_CHANGE, 'post', 'handed', witness=row(Handover, 'handed', 'status'),
          body=lambda fx, user: {'exceptions': [{'item': fx.handed_item.pk, 'reason': 'Lost in transit'}]}),
    graphql('handover', 'handover', 'handover'),
    graphql('handover_list', 'handover', 'handover'),
    # GraphQL
    graphql('decommission', 'decommission', 'draft'),
    graphql('decommission_list', 'decommission', 'draft'),
    graphql('storage_location', 'storagelocation', 'location'),
    graphql('storage_location_list', 'storagelocation', 'location'),
    graphql('removed_component', 'removedcomponent', 'component'),
    graphql('removed_component_list', 'removedcomponent', 'component'),
    # The e-waste report: the constrained persona gets the report without Site B's hand-over.
    Route('ui', 'ewaste_report', needs('handover.view'), outside=FILTERED, visible=shows(lambda fx: fx.vendor.name)),
    Route('api', 'ewaste-report', needs('handover.view'), outside=FILTERED,
          visible=lambda fx, answer: fx.vendor.name in {row['vendor']['name'] for row in answer.json()['rows']}),
]


def expected(route, column):
    persona, side = COLUMNS[column]
    if persona is None and route.public:
        return ALLOWED
    if persona is None:
        return LOGIN if route.kind == 'ui' else DENIED
    if not set(route.needs) <= PERSONAS[persona]:
        return FILTERED if route.kind == 'graphql' else DENIED
    if not set(route.also_needs) <= PERSONAS[persona]:
        return FILTERED
    if side == 'B':
        return route.outside
    return ALLOWED


class PermissionsMatrixTestCase(TestCase):
    """Generated below: one test per route and column."""
    # Filled in place by setUpTestData, so that Django does not deep-copy it for every one of the many tests; the
    # tests only read it (each request names objects by pk, each witness reads the database afresh).
    world = {}

    @classmethod
    def setUpTestData(cls):
        people = create_signers()
        manufacturer = Manufacturer.objects.create(name='Seagate', slug='seagate')
        sides = cls.world['sides'] = {}
        for side, site in zip('AB', create_sites('Site A', 'Site B'), strict=True):
            prefix = f'{side.lower()}-'
            server = create_cabled_server(site, f'{prefix}srv', octet=10 + len(sides))
            draft = create_workflow_decommission(server.device, people)
            staged = dict(zip(
                ('ordered', 'scheduled', 'backed_up', 'shut_down', 'disassembled', 'retired'),
                create_devices(6, site, prefix=f'{prefix}stage'), strict=True,
            ))
            records = {stage: create_workflow_decommission(device, people, status=stage)
                       for stage, device in staged.items()}
            # A retired record has lost its device: closing it finds nothing left in the inventory.
            staged['retired'].delete()
            sides[side] = SimpleNamespace(
                side=side, site=site, draft=draft, device=server.device, inventory_item=server.inventory_items[0],
                location=StorageLocation.objects.create(name=f'Removal zone {side}', kind='removal_zone', site=site),
                component=RemovedComponent.objects.create(decommission=draft, kind='disk', name=f'Disk {side}',
                                                          serial=f'SN-DISK-{side}', manufacturer=manufacturer),
                free_device=create_devices(1, site, prefix=f'{prefix}free')[0],
                **records,
            )
            # Hand-overs: a planned one carrying a part, and a handed-over one awaiting its certificate.
            fx = sides[side]
            # (Their parts are kept apart from the records and places the CRUD rows delete.)
            fx.vendor = StorageLocation.objects.create(name=f'Recycler {side}', kind='vendor', site=site)
            shelf = StorageLocation.objects.create(name=f'Pickup shelf {side}', kind='warehouse', site=site)
            parts = [RemovedComponent.objects.create(decommission=fx.backed_up, kind='disk', name=f'Disk {side}{i}',
                                                     serial=f'SN-HO-{side}{i}', storage_location=shelf)
                     for i in range(3)]
            fx.loose_part = parts[2]
            fx.handover = Handover.objects.create(site=site, vendor=fx.vendor, pickup_date='2026-12-10')
            (fx.handover_item,) = handovers.add_items(fx.handover, people.head, components=parts[:1])
            fx.handed = Handover.objects.create(site=site, vendor=fx.vendor, pickup_date='2026-12-10')
            (fx.handed_item,) = handovers.add_items(fx.handed, people.head, components=parts[1:2])
            handovers.hand_over(fx.handed, people.head)
            fx.handed_item.refresh_from_db()

        # Per persona: the user, a signed-in browser (its session lives as long as the class's data) and a token.
        users, browsers, tokens = {}, {None: Client()}, {}
        cls.world.update(users=users, browsers=browsers, tokens=tokens)
        for persona, permissions in PERSONAS.items():
            user = users[persona] = User.objects.create_user(username=f'persona-{persona}')
            browsers[persona] = Client()
            browsers[persona].force_login(user)
            tokens[persona] = token_header(user)
            if persona == 'none':
                continue
            for model in CONTEXT_MODELS:
                grant([user], ['view'], model=model, name=f'{persona}: view {model._meta.model_name}')
            for model_name, model in PLUGIN_MODELS.items():
                actions = sorted(action for m, action in permissions if m == model_name)
                if actions:
                    grant([user], actions, model=model, name=f'{persona}: {model_name}',
                          constraints={SITE_PATHS[model_name]: 'Site A'} if persona == 'site_a' else None)
            if persona in EWASTE_VIEWERS:
                grant([user], ['view'], model=Handover, name=f'{persona}: view handover (e-waste)',
                      constraints=EWASTE_VIEWERS[persona])
        # A hand-over per side, handed over to the side's vendor, for the e-waste report.
        for side in sides.values():
            side.vendor = StorageLocation.objects.create(name=f'E-waste vendor {side.side}', kind='vendor',
                                                         site=side.site)
            handover = Handover.objects.create(
                number=f'HND-MATRIX-{side.side}', site=side.site, vendor=side.vendor, status='handed_over',
                pickup_date='2026-03-01', handed_over_at='2026-03-01T12:00:00Z',
            )
            HandoverItem.objects.create(handover=handover, decommission=side.ordered, weight=1)

    @classmethod
    def tearDownClass(cls):
        cls.world.clear()
        super().tearDownClass()

    def request(self, route, fx, persona, user):
        url = route.url(fx, user)
        body = route.body(fx, user) if route.body else None
        if route.kind == 'ui':
            browser = self.world['browsers'][persona]
            # Messages a previous test left for the next page are not this test's.
            browser.cookies.pop('messages', None)
            send = getattr(browser, route.method)
            return send(url, body) if body is not None else send(url)
        headers = {'HTTP_ACCEPT': 'application/json', **self.world['tokens'].get(persona, {})}
        client = Client()
        if route.multipart:
            return client.post(url, body, **headers)
        if body is None:
            return getattr(client, route.method)(url, **headers)
        return getattr(client, route.method)(url, json.dumps(body), content_type='application/json', **headers)

    def check(self, route, column):
        persona, side = COLUMNS[column]
        fx = SimpleNamespace(**vars(self.world['sides'][side]))
        user = self.world['users'].get(persona)
        if route.prepare:
            route.prepare(fx, user)
        before = route.witness(fx) if route.witness else None
        with self.captureOnCommitCallbacks() as callbacks:
            response = self.request(route, fx, persona, user)
        response.callbacks = callbacks
        after = route.witness(fx) if route.witness else None
        outcome = expected(route, column)
        status = response.status_code
        location = response.get('Location', '')
        detail = f'{route.method.upper()} {route.url(fx, user)} as {column}: HTTP {status} {location}'
        answered = status in (200, 201, 202, 204) or (status == 302 and '/login/' not in location)

        if outcome == ALLOWED:
            self.assertTrue(answered, f'{detail}: expected it to be allowed. {_content(response)[:500]!r}')
            if route.kind == 'graphql':
                self.assertNotIn('errors', response.json(), detail)
            if route.witness:
                self.assertNotEqual(after, before, f'{detail}: allowed, but nothing changed. '
                                                   f'{_content(response)[:1500]!r}')
            if route.visible:
                self.assertTrue(route.visible(fx, response), f'{detail}: the record is missing from the answer')
            return
        if outcome == LOGIN:
            self.assertEqual(status, 302, detail)
            self.assertIn('/login/?next=', location, detail)
        elif outcome == DENIED:
            self.assertEqual(status, route.denied, detail)
        elif outcome == HIDDEN:
            self.assertEqual(status, 404, detail)
        elif outcome == FILTERED:
            self.assertTrue(answered, f'{detail}: expected an answer without the record')
            if route.visible:
                self.assertFalse(route.visible(fx, response), f'{detail}: the record must not be in the answer')
        self.assertEqual(after, before, f'{detail}: refused, but something changed')

    def test_every_route_is_in_the_matrix(self):
        """Every URL of the plugin's urls.py and API router, every view it adds to NetBox's pages, every query."""
        covered = {(route.kind, route.name) for route in ROUTES}
        plugin = {('ui', name) for name in _url_names(ui_urls.urlpatterns)}
        plugin |= {('api', name) for name in _url_names(api_urls.urlpatterns)}
        plugin |= {
            ('ui', f'{app}:{model}_{view["name"]}')
            for app, models in registry['views'].items() if app != 'netbox_decommission'
            for model, views in models.items() for view in views
            if _module(view['view']).startswith('netbox_decommission.')
        }
        plugin |= {('graphql', field.name) for field in DecommissionQuery.__strawberry_definition__.fields}
        self.assertEqual(plugin - covered, set(), 'routes without a row in the permissions matrix')
        self.assertEqual(covered - plugin, set(), 'rows of the matrix for routes that no longer exist')
        ids = [route.id for route in ROUTES]
        self.assertEqual(len(ids), len(set(ids)), 'two rows with the same test name')


def _content(response):
    return b'(streamed)' if response.streaming else response.content


def _module(view):
    # NetBox registers some views by dotted path.
    return view if isinstance(view, str) else view.__module__


def _url_names(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name


def _case(route, column):
    def test(self):
        self.check(route, column)
    test.__doc__ = f'{route.kind} {route.method.upper()} {route.name} as {column}: {expected(route, column)}'
    return test


for _route in ROUTES:
    for _column in COLUMNS:
        setattr(PermissionsMatrixTestCase, f'test_{_route.id}__{_column}', _case(_route, _column))


#
# Who signs
#

SIGN_URL = 'plugins:netbox_decommission:decommission_sign'
SIGN_API = 'plugins-api:netbox_decommission-api:decommission-sign'
ORDER_AS = {role: {'document': 'order', 'role': role} for role in ('head', 'responsible')}


class SigningTestCase(TestCase):

    def sign_over_rest(self, user, decommission, role):
        return Client().post(reverse(SIGN_API, kwargs={'pk': decommission.pk}), json.dumps(ORDER_AS[role]),
                             content_type='application/json', **token_header(user))

    def sign_in_the_ui(self, user, decommission, role):
        client = Client()
        client.force_login(user)
        return client.post(reverse(SIGN_URL, kwargs={'pk': decommission.pk}), ORDER_AS[role])

    def assertRefused(self, sign, user, decommission, role, *fragments):
        """Signing is refused on the "role" field with a message naming the fix; nothing changes."""
        state = workflow_state(decommission)
        response = sign(user, decommission, role)
        if sign == self.sign_over_rest:
            self.assertEqual(response.status_code, 400, response.content)
            message = ' '.join(response.json()['role'])
        else:
            self.assertEqual(response.status_code, 200)
            message = ' '.join(response.context['form'].errors['role'])
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertEqual(workflow_state(decommission), state)

    def assertSigned(self, response, decommission, user, role):
        self.assertIn(response.status_code, (200, 302), response.content[:500])
        self.assertTrue(decommission.documents.get(kind='order').signatures.filter(user=user, role=role).exists())


class SigningRolesTestCase(SigningTestCase):
    """A user with the "sign" permission signs only in a role the record names them in."""

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site R')
        cls.people = create_signers()
        cls.outsider = User.objects.create_user(username='outsider')
        cls.decommission = create_workflow_decommission(create_devices(1, site, prefix='roles')[0], cls.people)
        grant([cls.people.head, cls.people.responsible, *cls.people.executors, cls.outsider], ['view', 'sign'])

    def wrong_roles(self):
        people = self.people
        return ((people.responsible, 'head'), (people.head, 'responsible'), (people.executors[0], 'head'),
                (self.outsider, 'head'), (self.outsider, 'responsible'))

    def test_over_rest(self):
        for user, role in self.wrong_roles():
            with self.subTest(user=user.username, role=role):
                self.assertRefused(self.sign_over_rest, user, self.decommission, role,
                                   f'{user} is not the', 'Sign in a role you hold')
        self.assertSigned(self.sign_over_rest(self.people.head, self.decommission, 'head'), self.decommission,
                          self.people.head, 'head')

    def test_in_the_ui(self):
        # The form offers a user only the roles they hold; one who holds none may pick any, and the workflow refuses.
        client = Client()
        client.force_login(self.people.responsible)
        form = client.get(reverse(SIGN_URL, kwargs={'pk': self.decommission.pk})).context['form']
        self.assertEqual([value for value, _label in form.fields['role'].choices], ['responsible'])
        for user, role in self.wrong_roles():
            with self.subTest(user=user.username, role=role):
                fragment = f'{user} is not the' if user == self.outsider else f'{role} is not one of the available'
                self.assertRefused(self.sign_in_the_ui, user, self.decommission, role, fragment)
        self.assertSigned(self.sign_in_the_ui(self.people.responsible, self.decommission, 'responsible'),
                          self.decommission, self.people.responsible, 'responsible')

    def test_the_sign_checkbox_of_the_permission_form_grants_signing(self):
        admin = User.objects.create_superuser(username='admin')
        client = Client()
        client.force_login(admin)
        response = client.post(reverse('users:objectpermission_add'), {
            'name': 'Signers', 'enabled': True, 'object_types_1': [ObjectType.objects.get_for_model(Decommission).pk],
            'action_sign': True, 'users': [self.outsider.pk],
        })
        self.assertEqual(response.status_code, 302, response.context['form'].errors if response.context else '')
        self.assertEqual(ObjectPermission.objects.get(name='Signers').actions, ['sign'])
        self.assertTrue(User.objects.get(pk=self.outsider.pk).has_perm('netbox_decommission.sign_decommission'))

    def test_in_a_batch(self):
        state = workflow_state(self.decommission)
        response = Client().post(
            reverse('plugins-api:netbox_decommission-api:decommission-bulk-move'),
            json.dumps({'decommissions': [self.decommission.pk], 'move': 'sign', 'document': 'order', 'role': 'head'}),
            content_type='application/json', **token_header(self.people.responsible),
        )
        self.assertEqual(response.status_code, 200, response.content)
        (result,) = response.json()['results']
        self.assertFalse(result['ok'])
        self.assertIn('is not the', result['message'])
        self.assertEqual(workflow_state(self.decommission), state)


def separation_of_duties(enabled):
    return override_settings(PLUGINS_CONFIG={**settings.PLUGINS_CONFIG, 'netbox_decommission': {
        **settings.PLUGINS_CONFIG['netbox_decommission'], 'separation_of_duties': enabled}})


class SeparationOfDutiesTestCase(SigningTestCase):
    """The head who requested a decommission cannot also approve it by signing its order as head."""

    @classmethod
    def setUpTestData(cls):
        (site,) = create_sites('Site S')
        cls.devices = create_devices(2, site, prefix='sod')
        cls.people = create_signers()
        cls.other_head = User.objects.create_user(username='other-head')
        cls.requester = cls.people.head
        grant([cls.requester, cls.people.responsible, cls.other_head], ['view', 'add', 'change', 'sign'])
        grant([cls.requester], ['view'], model=Device)
        grant([cls.requester], ['view'], model=User)

    def request_over_rest(self):
        """The head requests the decommission and names themself its head: "requested by" is the caller."""
        response = Client().post(
            reverse('plugins-api:netbox_decommission-api:decommission-list'),
            json.dumps({'device': self.devices[0].pk, 'reason': 'end_of_life', 'head': self.requester.pk,
                        'responsible': self.people.responsible.pk}),
            content_type='application/json', **token_header(self.requester),
        )
        self.assertEqual(response.status_code, 201, response.content)
        decommission = Decommission.objects.get(pk=response.json()['id'])
        self.assertEqual(decommission.requested_by, self.requester)
        return decommission

    def request_in_the_ui(self):
        client = Client()
        client.force_login(self.requester)
        response = client.post(reverse('plugins:netbox_decommission:decommission_add'), {
            'device': self.devices[1].pk, 'reason': 'end_of_life', 'head': self.requester.pk,
            'responsible': self.people.responsible.pk,
        })
        self.assertEqual(response.status_code, 302)
        decommission = Decommission.objects.get(device=self.devices[1])
        self.assertEqual(decommission.requested_by, self.requester)
        return decommission

    def test_on_by_default(self):
        self.assertIs(DecommissionConfig.default_settings['separation_of_duties'], True)
        self.assertIs(settings.PLUGINS_CONFIG['netbox_decommission']['separation_of_duties'], True)

    def test_the_requester_cannot_sign_the_order_as_head_over_rest(self):
        decommission = self.request_over_rest()
        self.assertRefused(self.sign_over_rest, self.requester, decommission, 'head',
                           'requested this decommission', 'Ask another head to sign')
        # Only the head's approval is kept apart: the responsible person co-signs as usual.
        self.assertSigned(self.sign_over_rest(self.people.responsible, decommission, 'responsible'), decommission,
                          self.people.responsible, 'responsible')

    def test_the_requester_cannot_sign_the_order_as_head_in_the_ui(self):
        decommission = self.request_in_the_ui()
        self.assertRefused(self.sign_in_the_ui, self.requester, decommission, 'head',
                           'requested this decommission', 'Ask another head to sign')

    def test_another_head_signs(self):
        decommission = self.request_over_rest()
        Decommission.objects.filter(pk=decommission.pk).update(head=self.other_head)
        self.assertSigned(self.sign_over_rest(self.other_head, decommission, 'head'), decommission, self.other_head,
                          'head')

    def test_turned_off_the_requester_signs(self):
        with separation_of_duties(False):
            decommission = self.request_over_rest()
            self.assertSigned(self.sign_over_rest(self.requester, decommission, 'head'), decommission,
                              self.requester, 'head')
            decommission = self.request_in_the_ui()
            self.assertSigned(self.sign_in_the_ui(self.requester, decommission, 'head'), decommission,
                              self.requester, 'head')


class SeparationOfDutiesSettingTestCase(SimpleTestCase):

    def test_must_be_a_boolean(self):
        valid = {**DecommissionConfig.default_settings, 'organization_name': 'Example Data Center LLC'}
        for value in (True, False):
            validate_settings({**valid, 'separation_of_duties': value})
        for value in ('yes', 1, None):
            with self.subTest(value=value), self.assertRaises(ImproperlyConfigured) as raised:
                validate_settings({**valid, 'separation_of_duties': value})
            self.assertIn('PLUGINS_CONFIG["netbox_decommission"]["separation_of_duties"] must be True or False',
                          str(raised.exception))
            self.assertIn(repr(value), str(raised.exception))
