"""
docs/development.md's layout table names every module and folder of the package, and no two modules of the package
import each other (directly or through others).
"""
import ast
from pathlib import Path

from django.test import SimpleTestCase

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / 'netbox_decommission'
# Folders whose modules the table names one by one (NetBox's layers keep NetBox's own names and are named whole).
DOMAIN = ('workflow', 'documents', 'ui')


def entries(folder):
    return sorted(
        path.name + ('/' if path.is_dir() else '') for path in folder.iterdir()
        if not path.name.startswith(('_', '.')) and path.suffix not in ('.pyc', '.json', '.txt')
        and path.name != 'egg-info'
    )


class LayoutTableTestCase(SimpleTestCase):

    def test_the_layout_table_names_every_module_and_folder(self):
        page = (REPO / 'docs' / 'development.md').read_text()
        table = page[page.index('## Layout'):page.index('## Adding a move')]
        missing = [f'netbox_decommission/{name}' for name in entries(PACKAGE) if f'`{name}`' not in table
                   and f'`netbox_decommission/{name}`' not in table]
        for folder in DOMAIN:
            missing += [f'netbox_decommission/{folder}/{name}' for name in entries(PACKAGE / folder)
                        if f'`{name}`' not in table]
        self.assertEqual(missing, [], 'name these in the layout table of docs/development.md')


def imported_modules(path, modules):
    """The package's modules that the module at ``path`` imports, at its top or inside a function."""
    name = '.'.join(path.relative_to(REPO).with_suffix('').parts)
    package = name.split('.') if path.name == '__init__.py' else name.split('.')[:-1]
    if path.name == '__init__.py':
        name = name.removesuffix('.__init__')
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            base = '.'.join(package[:len(package) - node.level + 1] + [node.module or ''] if node.level else
                            [node.module or ''])
            base = base.rstrip('.')
            # "from . import x" imports the submodule x, not the package's __init__ (which is running already).
            submodules = [f'{base}.{alias.name}' for alias in node.names if f'{base}.{alias.name}' in modules]
            found |= set(submodules) if len(submodules) == len(node.names) else {base, *submodules}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {module for module in found if module in modules and module != name}


class ImportCyclesTestCase(SimpleTestCase):

    def test_no_two_modules_of_the_package_import_each_other(self):
        paths = {}
        for path in PACKAGE.rglob('*.py'):
            if 'migrations' not in path.parts:
                name = '.'.join(path.relative_to(REPO).with_suffix('').parts).removesuffix('.__init__')
                paths[name] = path
        graph = {name: imported_modules(path, paths) for name, path in paths.items()}

        def cycle_from(start):
            # Depth-first: the first path that leads back to ``start``.
            stack = [(start, [start])]
            seen = set()
            while stack:
                module, trail = stack.pop()
                for target in graph[module]:
                    if target == start:
                        return trail + [start]
                    if target not in seen:
                        seen.add(target)
                        stack.append((target, trail + [target]))
            return None

        cycles = {' -> '.join(cycle) for name in graph if (cycle := cycle_from(name))}
        self.assertEqual(sorted(cycles), [], 'import cycles in the package')
