"""
The plugin's REST API fuzzed with schemathesis from NetBox's own OpenAPI schema: valid and invalid requests to every
operation under /api/plugins/decommission/, against records in every stage. No request may make a server error, the
successful answers match the schema, and every 4xx answer says what is wrong: a "detail" message or the fields.
"""
import json
from collections import Counter
from urllib.parse import urlsplit

import hypothesis
import schemathesis
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import TestCase
from django.urls import Resolver404, resolve
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from dcim.choices import DeviceStatusChoices
from netbox.wsgi import application
from netbox_decommission.calendar import subscriptions
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.choices import DocumentKindChoices
from netbox_decommission.models import CalendarFeed, Decommission, Handover, RemovedComponent, StorageLocation
from netbox_decommission.plugin_settings import DOCUMENT_LANGUAGES
from users.models import User

from .utils import (
    API_PREFIX,
    add_ready_components,
    advance,
    create_cabled_server,
    create_signers,
    create_sites,
    create_workflow_decommission,
    plugin_schema,
    token_header,
)

# Examples per operation and generation mode: enough to reach each kind of bad value, few enough that the whole
# run stays within two minutes. Derandomized, so that CI sends the same requests every time.
MAX_EXAMPLES = 5

FUZZ_SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)

# NetBox's query parameters that choose the fields of an answer.
DYNAMIC_FIELDS = {'brief', 'fields', 'omit'}

# The model whose records a path's {id} names.
ID_MODELS = (
    ('decommissions/', Decommission),
    ('removed-components/', RemovedComponent),
    ('storage-locations/', StorageLocation),
    ('calendar-feeds/', CalendarFeed),
    ('handovers/', Handover),
)


def allow_blank_choices_as_null(node):
    """
    NetBox's ChoiceField answers null for a blank choice (core's own fields, e.g. a device's face, too), which its
    schema does not say: say it, so that the answers are checked against what NetBox means.
    """
    if isinstance(node, dict):
        if set(node.get('properties', ())) == {'value', 'label'} and '' in node['properties']['value'].get('enum', ()):
            node['nullable'] = True
        for value in node.values():
            allow_blank_choices_as_null(value)
    elif isinstance(node, list):
        for value in node:
            allow_blank_choices_as_null(value)
    return node


def dereference(raw, node):
    while '$ref' in node:
        path, node = node['$ref'].removeprefix('#/').split('/'), raw
        for part in path:
            node = node[part]
    return node


def properties(raw, node):
    """The field names a request body schema names: an object's, an array's items', every alternative's."""
    node = dereference(raw, node)
    names = set(node.get('properties', ()))
    if 'items' in node:
        names |= properties(raw, node['items'])
    for alternatives in ('oneOf', 'anyOf', 'allOf'):
        for alternative in node.get(alternatives, ()):
            names |= properties(raw, alternative)
    return names


def named_fields(raw, path, method):
    """What a 4xx answer may key its messages by: the operation's parameters and its request body's fields."""
    operation = raw['paths'][path][method.lower()]
    names = {parameter['name'] for parameter in operation.get('parameters', ())}
    for content in operation.get('requestBody', {}).get('content', {}).values():
        names |= properties(raw, content['schema'])
    return names


def explains(body, names):
    """Why ``body`` fails to say what is wrong, or None when it does."""
    if isinstance(body, list) and all(isinstance(message, str) for message in body):
        # NetBox's pagination answers its messages alone; each names the parameter ("Invalid 'limit' parameter").
        if body and all(any(f"'{name}'" in message for name in names) for message in body):
            return None
        return 'messages naming no field'
    if isinstance(body, list):
        if not any(body):
            return 'a list of empty errors'
        # A list request (bulk update or delete) answers one error object per item, empty for the good ones.
        return next((reason for item in body if item for reason in [explains(item, names)] if reason), None)
    if not isinstance(body, dict) or not body:
        return f'{type(body).__name__} instead of an object naming the error'
    if 'detail' in body:
        return None if isinstance(body['detail'], str) and body['detail'].strip() else 'an empty "detail"'
    unnamed = set(body) - names
    if unnamed:
        return f'keys {sorted(unnamed)} that are not fields of the request'
    if not all(body.values()):
        return 'a field without a message'
    return None


def says_what_is_wrong(ctx, response, case):
    """Every 4xx answer is a JSON object with a "detail" message or messages keyed by the fields at fault."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        resolve(urlsplit(response.request.url).path)
    except Resolver404:
        # A URL no endpoint matches (an {id} such as "1.5"): NetBox's own "page not found", as for all of its API.
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f'{response.status_code}: not JSON: {response.content[:200]!r}') from None
    names = named_fields(case.operation.schema.raw_schema, case.operation.path, case.method)
    # NetBox filters a detail endpoint's queryset too: an undocumented query parameter it reads (?kind= on
    # GET .../{id}/) is refused by its own name, which is a field at fault of the request as sent.
    names |= set(case.query or {})
    if not isinstance(case.body, dict) and isinstance(body, dict):
        # The body is not an object at all: no field to name but the body as a whole ("__all__").
        names.add(NON_FIELD_ERRORS)
    reason = explains(body, names)
    if reason:
        raise AssertionError(f'{response.status_code} answers {reason}: {body}')
    return None


def documented_answer(ctx, response, case):
    """
    A successful answer matches the schema. Not checked: 4xx answers, which NetBox's schema leaves undescribed, the
    answer to a list of objects created at once, which it describes as one object, and answers shaped by
    ?brief, ?fields or ?omit, which it does not describe.
    """
    if not 200 <= response.status_code < 300 or (case.method == 'POST' and isinstance(case.body, list)):
        return None
    if set(case.query or ()) & DYNAMIC_FIELDS:
        return None
    content_type_conformance(ctx, response, case)
    return response_schema_conformance(ctx, response, case)


CHECKS = [not_a_server_error, documented_answer, says_what_is_wrong]


class APIFuzzTestCase(TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.schema = schemathesis.openapi.from_dict(allow_blank_choices_as_null(plugin_schema()))
        cls.schema.app = application
        # The requests run in-process inside the test's transaction: Django must not close the connection
        # when each request starts and ends, as it does for a real server.
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            cls.addClassCleanup(signal.connect, close_old_connections)

    @classmethod
    def setUpTestData(cls):
        site_a, site_b = create_sites('Site A', 'Site B')
        zone = StorageLocation.objects.create(name='Removal zone', kind='removal_zone', site=site_a)
        StorageLocation.objects.create(name='Shelf 1', kind='warehouse', site=site_a, capacity=20,
                                       location=site_a.locations.get(), rack=site_a.racks.get())
        recycler = StorageLocation.objects.create(name='Recycler', kind='vendor', site=site_b)
        people = create_signers()
        records = []
        for octet, stage in enumerate((
                Status.STATUS_DRAFT, Status.STATUS_ORDERED, Status.STATUS_SCHEDULED, Status.STATUS_SHUT_DOWN,
                Status.STATUS_IN_STORAGE, Status.STATUS_RETIRED), start=10):
            server = create_cabled_server(site_a, name=f'srv-{octet}', octet=octet,
                                          status=DeviceStatusChoices.STATUS_ACTIVE)
            decommission = create_workflow_decommission(server.device, people)
            if stage in (Status.STATUS_SHUT_DOWN, Status.STATUS_IN_STORAGE, Status.STATUS_RETIRED):
                advance(decommission, Status.STATUS_BACKED_UP, people)
                add_ready_components(decommission, zone)
            advance(decommission, stage, people, zone)
            records.append(decommission)
        # Hand-overs (docs/handovers.md): one planned with items, one handed over.
        from netbox_decommission.handovers import services as handovers

        for status, components in (('planned', records[3].components.all()[:1]),
                                   ('handed_over', records[4].components.all())):
            handover = Handover.objects.create(site=site_a, vendor=recycler, pickup_date='2026-12-10')
            handovers.add_items(handover, people.head, components=list(components))
            if status == 'handed_over':
                handovers.hand_over(handover, people.head)
        cls.admin = User.objects.create_superuser(username='fuzzer', password='fuzzer')
        cls.authorization = token_header(cls.admin)['HTTP_AUTHORIZATION']
        # The fuzzer's own calendar feed: the only ones calendar-feeds/{id}/ answers are the user's own.
        subscriptions.create_feed(cls.admin, 'Fuzzed')

    def known_ids(self, path):
        for prefix, model in ID_MODELS:
            if path.startswith(prefix):
                return list(model.objects.order_by('pk').values_list('pk', flat=True))
        raise AssertionError(f'{path}: which model does its {{id}} name?')

    def strategy(self, operation, mode):
        """Cases for the operation; mostly on the records in the database, some on whatever {id} is generated."""
        names = {parameter.name for parameter in operation.path_parameters}
        if not names:
            return operation.as_strategy(mode)
        path = operation.path.removeprefix(API_PREFIX)
        known = {}
        if 'id' in names:
            known['id'] = st.sampled_from(self.known_ids(path))
        if 'kind' in names:
            known['kind'] = st.sampled_from(DocumentKindChoices.values())
        if 'language' in names:
            known['language'] = st.sampled_from(DOCUMENT_LANGUAGES)
        on_records = st.fixed_dictionaries(known).flatmap(
            lambda parameters: operation.as_strategy(mode, path_parameters=parameters))
        return st.one_of(on_records, on_records, operation.as_strategy(mode))

    def fuzz(self, operation, mode, statuses):
        @hypothesis.given(case=self.strategy(operation, mode))
        @FUZZ_SETTINGS
        def run(case):
            # Each request's writes are undone, so that every example meets the same records.
            with transaction.atomic():
                response = case.call(headers={'Authorization': self.authorization})
                transaction.set_rollback(True)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

        run()

    def test_every_operation(self):
        operations = [result.ok() for result in self.schema.get_all_operations()]
        self.assertEqual(len(operations), 79)  # 56, +1 GET ewaste/, +4 calendar-feeds/, +18 handovers/
        for operation in operations:
            statuses = Counter()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                with self.subTest(operation=operation.label, mode=mode.value):
                    self.fuzz(operation, mode, statuses)
            with self.subTest(operation=operation.label):
                # Requests reached past the routing and the lookup: an answer other than "not found".
                self.assertTrue(set(statuses) - {404}, statuses)
