"""results.json (schema 1): building, writing atomically, reading."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .records import SCHEMA, ClaimRecord, ResultsError, RunInfo, RunRecord, jsonable

__all__ = ["SCHEMA", "ResultsError", "build", "jsonable", "read_results", "read_run"]

#: Fields that legitimately differ between two runs with the same seed.
TIMING_FIELDS = ("seconds", "cpu_seconds", "created", "wall_seconds")


def build(
    entries: Iterable[ClaimRecord | dict[str, Any]],
    seed: int,
    profile: str,
    wall_seconds: float,
    run: RunInfo | dict[str, Any] | None = None,
) -> dict:
    """The results.json document of a run, from its claims' records (or their JSON entries)."""
    records = [
        e if isinstance(e, ClaimRecord) else ClaimRecord.from_json(e, "entry", f"claims[{i}]")
        for i, e in enumerate(entries)
    ]
    if isinstance(run, dict):
        run = RunInfo.from_json(run, "run")
    return RunRecord(seed, profile, records, wall_seconds=wall_seconds, run=run).to_json()


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


def _load(path: Path) -> tuple[dict, RunRecord]:
    try:
        doc = json.loads(path.read_text())
    except OSError as exc:
        raise ResultsError(str(path), "file", f"cannot be read ({exc.strerror})") from None
    except ValueError as exc:
        raise ResultsError(str(path), "file", f"is not JSON ({exc})") from None
    return doc, RunRecord.from_json(doc, str(path))


def read_run(path: Path) -> RunRecord:
    """A results.json file as a :class:`RunRecord`, validated against schema 1.

    Raises :class:`ResultsError` naming the file and the offending field.
    """
    return _load(Path(path))[1]


def read_results(path: Path) -> dict:
    """A results.json file as its JSON document, after validating it against schema 1."""
    return _load(Path(path))[0]


def strip_timings(doc: Any) -> Any:
    """A copy without timing fields, for comparing two runs."""
    if isinstance(doc, dict):
        return {k: strip_timings(v) for k, v in doc.items() if k not in TIMING_FIELDS}
    if isinstance(doc, list):
        return [strip_timings(v) for v in doc]
    return doc
