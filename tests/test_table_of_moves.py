"""
The table of moves (workflow/table.py) is the only place a move is written: every move in it has its UI view, its REST
action, its batch entry, its button and its row in docs/api.md; each move refuses every stage it is not made from and
leads where it says; and no other module of the package names a move.
"""
import ast
import re
from pathlib import Path

from django.test import TestCase
from django.urls import reverse

from dcim.models import Site
from netbox_decommission import workflow
from netbox_decommission.api.bulk_views import BulkMoveRequestSerializer
from netbox_decommission.api.views import DecommissionViewSet
from netbox_decommission.choices import DecommissionStatusChoices as Status
from netbox_decommission.choices import DocumentKindChoices, SignatureRoleChoices
from netbox_decommission.forms.bulk import BulkMoveForm
from netbox_decommission.models import Decommission, StorageLocation
from netbox_decommission.ui.workflow_state import workflow_state
from netbox_decommission.workflow import MOVES, STAGE_ORDER, WorkflowError
from netbox_decommission.workflow.table import awaited_move

from .utils import advance, create_cabled_server, create_signers, create_workflow_decommission, example_data

PACKAGE = Path(workflow.__file__).resolve().parent.parent
TABLE = PACKAGE / 'workflow' / 'table.py'


def stage_records(people, site, location):
    """One record at each stage of the main line, and one cancelled."""
    records = {}
    for n, stage in enumerate(s for s in STAGE_ORDER if s != Status.STATUS_CANCELLED):
        server = create_cabled_server(site, name=f'srv-{n}', octet=10 + n)
        records[stage] = advance(create_workflow_decommission(server.device, people), stage, people, location)
    server = create_cabled_server(site, name='srv-cancelled', octet=40)
    cancelled = create_workflow_decommission(server.device, people)
    workflow.cancel(cancelled, people.head, 'Stays in service')
    records[Status.STATUS_CANCELLED] = cancelled
    return records


class EveryMoveIsWiredTestCase(TestCase):

    def test_every_move_has_its_ui_view_rest_action_and_batch_entry(self):
        extra_actions = {action.__name__: action for action in DecommissionViewSet.get_extra_actions()}
        batch_form_moves = dict(BulkMoveForm().fields['move'].choices)
        batch_api_moves = BulkMoveRequestSerializer().fields['move'].choices
        for name, move in MOVES.items():
            with self.subTest(move=name):
                self.assertEqual(reverse(move.viewname, kwargs={'pk': 1}),
                                 f'/plugins/decommission/decommissions/1/{name}/')
                self.assertEqual(reverse(move.api_viewname, kwargs={'pk': 1}),
                                 f'/api/plugins/decommission/decommissions/1/{name}/')
                self.assertEqual(extra_actions[name].mapping, {'post': name})
                self.assertIn(name, batch_form_moves)
                self.assertIn(name, batch_api_moves)

    def test_every_input_name_means_one_thing_across_the_moves(self):
        # A batch carries the inputs of every move under their names: one name must not mean two things.
        seen = {}
        for move in MOVES.values():
            for spec in move.fields:
                self.assertNotIn(spec.name, seen, f'{move.name}.{spec.name} is also an input of {seen.get(spec.name)}')
                seen[spec.name] = move.name

    def test_every_move_is_in_the_api_page(self):
        page = (PACKAGE.parent / 'docs' / 'api.md').read_text()
        for name in MOVES:
            self.assertIn(f'| `POST decommissions/{{id}}/{name}/` |', page)


class MovesFollowTheirStepsTestCase(TestCase):
    """Made at each stage of the walk, each move is refused wherever it is not made from, and offered where it is."""

    @classmethod
    def setUpTestData(cls):
        cls.site = Site.objects.create(name='Site 1', slug='site-1')
        cls.location = StorageLocation.objects.create(name='Zone A', site=cls.site, kind='removal_zone')
        cls.people = create_signers()
        cls.records = stage_records(cls.people, cls.site, cls.location)

    def test_a_move_outside_its_stages_is_refused_and_changes_nothing(self):
        for stage, record in self.records.items():
            for move in MOVES.values():
                if stage in move.made_from:
                    continue
                data = example_data(move, record, self.location)
                if move.performed_by is None:
                    # A signature given already is a no-op, not a refusal: ask for one nobody gave.
                    data |= {'document': DocumentKindChoices.KIND_ACT, 'role': SignatureRoleChoices.ROLE_RESPONSIBLE}
                with self.subTest(stage=stage, move=move.name):
                    with self.assertRaises(WorkflowError):
                        move.perform(record, self.people.head, data)
                    self.assertEqual(Decommission.objects.get(pk=record.pk).status, stage)

    def test_the_awaited_move_leads_where_its_steps_say(self):
        for stage, record in self.records.items():
            move = awaited_move(stage)
            if move is None:
                continue
            with self.subTest(stage=stage, move=move.name):
                move.perform(record, self.people.head, example_data(move, record, self.location))
                self.assertIn((stage, Decommission.objects.get(pk=record.pk).status), move.steps)

    def test_every_move_is_offered_as_a_button_at_a_stage_it_is_made_from(self):
        admin = self.people.head
        admin.is_superuser = True
        offered = {}
        for stage, record in self.records.items():
            record = Decommission.objects.get(pk=record.pk)
            for button in workflow_state(record, admin)['buttons']:
                offered.setdefault(button['name'], set()).add(stage)
        for name, move in MOVES.items():
            with self.subTest(move=name):
                self.assertTrue(offered.get(name), f'no button offers {name}')
                self.assertLessEqual(offered[name], set(move.made_from))


class NoMoveIsNamedOutsideTheTableTestCase(TestCase):
    """A move's name as a string appears only in the table: everything else reads it from there."""

    def test_no_module_of_the_package_names_a_move(self):
        found = []
        for path in PACKAGE.rglob('*.py'):
            if path != TABLE and 'migrations' not in path.parts:
                found += [f'{path.relative_to(PACKAGE)}:{line}: {name!r}' for line, name in named_moves(path)]
        for path in PACKAGE.rglob('*.html'):
            for line, text in enumerate(path.read_text().splitlines(), start=1):
                found += [f'{path.relative_to(PACKAGE)}:{line}: {name!r}'
                          for name in re.findall(r'decommission[_-](\w+)', text) if name in MOVES]
        self.assertEqual(found, [], 'read these moves from workflow.MOVES')


# Strings that equal a move's name without naming the move: words of a message, exported function names, and the
# permission's codename (the table names the permission each move needs).
NOT_A_MOVE = ('gettext', 'gettext_lazy', '_', 'pgettext_lazy')


def named_moves(path):
    """(line, name) of each string constant of the module equal to a move's name, outside NOT_A_MOVE's places."""
    def visit(node):
        if isinstance(node, ast.Call) and getattr(node.func, 'id', getattr(node.func, 'attr', None)) in NOT_A_MOVE:
            return
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) in ('__all__', 'permissions')
                                                for t in node.targets):
            return
        if isinstance(node, ast.Constant) and node.value in MOVES:
            yield node.lineno, node.value
        for child in ast.iter_child_nodes(node):
            yield from visit(child)

    return list(visit(ast.parse(path.read_text(), str(path))))
