"""docs/reference.md stays in step with the code: every kind and simulator module is listed."""

from __future__ import annotations

import ast
from pathlib import Path

from proofs_checks import KINDS

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = (ROOT / "docs" / "reference.md").read_text()


def test_every_registered_kind_is_documented():
    for name, cls in KINDS.items():
        assert f"`{name}`" in REFERENCE, f"kind {name} missing from docs/reference.md"
        assert f"{cls.__name__}(" in REFERENCE, f"{cls.__name__} parameters not documented"


def test_every_simulator_module_is_indexed_with_existing_functions():
    for path in sorted((ROOT / "simulators").glob("*.py")):
        if path.name.startswith("_"):
            continue
        row = next(
            (ln for ln in REFERENCE.splitlines() if ln.startswith(f"| `simulators.{path.stem}`")),
            None,
        )
        assert row is not None, (
            f"simulators/{path.name} missing from the index in docs/reference.md"
        )
        tree = ast.parse(path.read_text())
        public = {
            n.name
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Assign) and getattr(n, "name", "")
        }
        named = {part.strip("` ") for part in row.split("|")[3].split(",")}
        assert named <= public, f"{path.stem}: the index names {named - public}, not in the module"
