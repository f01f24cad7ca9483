"""Every ```python block in README.md and docs/*.md runs as written.

Each block is imported as a module of its own (so a block that is a theorem module template
must define its claims, which the spec check validates on import), in a fresh directory, by the
venv's Python in a subprocess: nothing from another block or from this test leaks into it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
# Imports the block as module ``snippet``; prints how many claims it defines.
RUNNER = (
    "import importlib\n"
    "module = importlib.import_module('snippet')\n"
    "from proofs_checks import claims_in\n"
    "print('claims:', len(claims_in(module)))\n"
)


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def snippets() -> list[pytest.param]:
    found = []
    for doc in documents():
        text = doc.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(pytest.param(match.group(1), id=f"{doc.relative_to(ROOT)}:{line}"))
    return found


def test_the_guides_have_python_examples():
    ids = [p.id for p in snippets()]
    assert any(i.startswith("README.md:") for i in ids)
    assert any(i.startswith("docs/adding-a-theorem.md:") for i in ids)


@pytest.mark.parametrize("code", snippets())
def test_snippet_runs_as_written(code, tmp_path):
    (tmp_path / "snippet.py").write_text(code, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    claims = int(re.search(r"^claims: (\d+)$", proc.stdout, re.MULTILINE).group(1))
    if "@claim(" in code:  # a module template: its claims must be found where pytest looks
        assert claims >= 1
