"""
The tests' own layout: no test module imports another. Shared fixtures live in mixins.py (test case mixins),
utils.py (plain helpers) and workflow_refusals.py (the table of illegal moves); a TestCase imported into a second
module would also be collected and run there a second time.
"""
import ast
from pathlib import Path

from django.test import SimpleTestCase

TESTS = Path(__file__).resolve().parent


def module_name(path):
    return '.'.join(path.relative_to(TESTS.parent).with_suffix('').parts)


TEST_MODULES = {module_name(path): path for path in sorted(TESTS.rglob('test_*.py'))}


def imported_modules(source, importer):
    """(line, module) for every import in `source`, at any depth, resolved as if it were module `importer`."""
    package = importer.rpartition('.')[0].split('.')
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = '.'.join(package[:len(package) - node.level + 1] if node.level else [])
            base = '.'.join(part for part in (base, node.module) if part)
            yield node.lineno, base
            # `from . import test_x` names a module, not an attribute.
            for alias in node.names:
                yield node.lineno, f'{base}.{alias.name}'


def imports_of_test_modules(source, importer):
    """The test modules, other than `importer` itself, that `source` imports: [(line, module)]."""
    return [
        (line, module) for line, module in imported_modules(source, importer)
        if module in TEST_MODULES and module != importer
    ]


class TestLayoutTestCase(SimpleTestCase):

    def test_no_test_module_imports_another(self):
        offences = [
            f'{path.relative_to(TESTS.parent)}:{line} imports {module}'
            for importer, path in TEST_MODULES.items()
            for line, module in imports_of_test_modules(path.read_text(), importer)
        ]
        self.assertEqual(offences, [], 'Move what they share to tests/mixins.py or tests/utils.py.')

    def test_every_form_of_importing_a_test_module_is_found(self):
        source = '\n'.join((
            'from .test_workflow_moves import call_service',
            'from . import test_documents, utils',
            'import tests.test_custody',
            'from tests.test_pades import PadesTestCase',
            'from .utils import grant',
            'from .mixins import WorkflowFixtureMixin',
            'def setUpClass(cls):',
            '    from .test_bulk import BulkTestCase',
        ))
        self.assertEqual(imports_of_test_modules(source, 'tests.test_api_fuzz'), [
            (1, 'tests.test_workflow_moves'), (2, 'tests.test_documents'), (3, 'tests.test_custody'),
            (4, 'tests.test_pades'), (8, 'tests.test_bulk'),
        ])
        # From tests/e2e, `..` is the tests package; a module that imports itself (in a subprocess) is no offence.
        self.assertEqual(
            imports_of_test_modules('from ..test_bulk import BulkTestCase\nfrom . import test_browser_walk',
                                    'tests.e2e.test_browser_walk'),
            [(1, 'tests.test_bulk')],
        )
