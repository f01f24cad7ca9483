"""results.json (schema 1): building, writing atomically, reading."""

from __future__ import annotations

import json
import math
import os
import platform
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

SCHEMA = 1
#: Fields that legitimately differ between two runs with the same seed.
TIMING_FIELDS = ("seconds", "created", "wall_seconds")


def jsonable(value: Any) -> Any:
    """Plain JSON values: numpy scalars and arrays unwrapped, NaN and inf as null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is None or isinstance(value, str | int):
        return value
    return str(value)


def build(entries: Iterable[dict[str, Any]], seed: int, profile: str, wall_seconds: float) -> dict:
    from . import __version__

    claims = sorted(entries, key=lambda e: e["id"])
    counts = {
        v: sum(1 for c in claims if c["verdict"] == v)
        for v in ("confirmed", "refuted", "inconclusive")
    }
    return jsonable(
        {
            "schema": SCHEMA,
            "package_version": __version__,
            "seed": seed,
            "profile": profile,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "wall_seconds": round(wall_seconds, 3),
            "counts": counts,
            "passed": all(c["passed"] for c in claims),
            "claims": claims,
        }
    )


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write to a temporary file in the same directory, then rename over ``path``.

    A run interrupted mid-write leaves the old file (or none), never half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_results(directory: Path, doc: dict) -> Path:
    path = Path(directory) / "results.json"
    write_atomic(path, json.dumps(doc, indent=1, sort_keys=False) + "\n")
    return path


def read_results(path: Path) -> dict:
    doc = json.loads(Path(path).read_text())
    if doc.get("schema") != SCHEMA:
        raise ValueError(f"{path}: results.json schema {doc.get('schema')!r}, expected {SCHEMA}")
    return doc


def strip_timings(doc: Any) -> Any:
    """A copy without timing fields, for comparing two runs."""
    if isinstance(doc, dict):
        return {k: strip_timings(v) for k, v in doc.items() if k not in TIMING_FIELDS}
    if isinstance(doc, list):
        return [strip_timings(v) for v in doc]
    return doc
