"""Dependencies point one way: theorems -> proofs_checks and simulators; a theorem module imports
no other theorem module but the shared bibliography; simulators import neither the engine nor
theorems; the engine imports no theorem module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved in its package)."""
    package = path.parent.name
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = f"{package}.{base}" if base else package
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", files("theorems"), ids=lambda p: p.name)
def test_a_theorem_module_imports_no_other_theorem_module(path):
    others = {
        name
        for name in imported_modules(path)
        if name.startswith("theorems.") and not name.startswith("theorems.bibliography")
    }
    assert others == set(), f"{path.name} imports {sorted(others)}"


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("simulators", ("proofs_checks", "theorems")), ("proofs_checks", ("theorems",))],
)
def test_simulators_and_engine_do_not_import_upward(package, forbidden):
    for path in files(package):
        bad = {n for n in imported_modules(path) if n.split(".")[0] in forbidden}
        assert bad == set(), f"{path.relative_to(ROOT)} imports {sorted(bad)}"
