"""No module imports another module's private names: a ``_name`` is its own module's business.

What is shared has a public name in the module that owns it (the lifecycle, the owner, the
action registry, the web's shared pages); an import of ``_something`` from elsewhere would be
an API hidden behind a private name. Checked over the package, the tests and the benchmarks.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("signals", "tests", "benchmarks", "migrations")


def python_files() -> Iterator[Path]:
    for folder in CHECKED:
        yield from sorted((ROOT / folder).rglob("*.py"))


def private_imports(source: str) -> list[str]:
    """Every ``from module import _name`` and ``module._name`` attribute use of an import."""
    tree = ast.parse(source)
    found = [
        f"line {node.lineno}: from {node.module} import {alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if _is_private(alias.name)
    ]
    modules = _imported_module_names(tree)
    found += [
        f"line {node.lineno}: {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
        and _is_private(node.attr)
    ]
    return found


def _imported_module_names(tree: ast.Module) -> set[str]:
    """The names the file binds to our own modules: ``import signals.x``, ``from signals import x``.

    Only ours: the standard library has documented names with an underscore (``os._exit``).
    """
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if alias.name.startswith("signals")
            )
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("signals"):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_the_checker_finds_both_kinds_of_private_import() -> None:
    source = (
        "import os\n"
        "from signals.workflow import services\n"
        "from signals.workflow.services import _begin, public\n"
        "services._move(x)\n"
        "services.public(x)\n"
        "obj._own_attribute\n"
        "os._exit(0)\n"
    )
    assert private_imports(source) == [
        "line 3: from signals.workflow.services import _begin",
        "line 4: services._move",
    ]


def test_no_module_imports_another_modules_private_names() -> None:
    offences = {
        str(path.relative_to(ROOT)): found
        for path in python_files()
        if (found := private_imports(path.read_text(encoding="utf-8")))
    }
    assert offences == {}
