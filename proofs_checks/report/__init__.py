"""The report of a run: report.md, a self-contained index.html and figures/<claim id>.png.

:func:`write_report` reads the run's records (a :class:`~proofs_checks.records.RunRecord`, or a
results.json document validated into one), draws each claim's figure through its kind
(:mod:`proofs_checks.figures`), builds the view model once (:mod:`.view`: every text the pages
show, asked of each claim's kind) and lays it out twice: :mod:`.markdown` and :mod:`.html`.
Formulas are rendered with matplotlib's mathtext (:mod:`.math`).

index.html embeds everything it shows (figures at screen resolution and formulas as base64
PNG, CSS inline): it opens from disk, offline, and fetches nothing. The print-resolution
figures are the files under figures/, which the page links to.

Reliability over seeds (the power benchmark's counts) is an input: pass the benchmark's
document or its path as ``reliability``; without it the column shows a dash.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeAlias

from ..records import ClaimRecord, RunRecord
from ..results import write_atomic
from .html import page
from .markdown import markdown
from .reliability import Reliability
from .view import ReportView, build_view

__all__ = [
    "Drawn",
    "Reliability",
    "ReportView",
    "build_view",
    "draw_entry",
    "prepare_section",
    "write_report",
]

#: A claim's figure as the report uses it: its (print, screen) PNGs, None when its kind draws
#: none, or the text of why drawing failed.
Drawn: TypeAlias = tuple[bytes, bytes] | str | None


def write_report(
    directory: Path | str,
    doc_or_record: RunRecord | dict[str, Any],
    reliability: Reliability | dict[str, Any] | Path | str | None = None,
    *,
    power: Reliability | dict[str, Any] | Path | str | None = None,
    drawn: Mapping[str, Drawn] | None = None,
) -> RunRecord:
    """Write figures/, results.json, report.md and index.html into ``directory``.

    Parameters
    ----------
    directory
        Where the report goes (created if missing).
    doc_or_record
        The run: a :class:`RunRecord`, or a results.json document (schema 1), which is
        validated (:class:`~proofs_checks.records.ResultsError` names the offending field).
    reliability
        The power benchmark (``benchmarks/results/power.json``) as a document or a path, or
        None for no reliability column. ``power`` is the same, under its former name.
    drawn
        Figures already drawn by :func:`draw_entry`, by claim id (a pytest-xdist worker draws
        each claim's figure as the claim finishes); the others are drawn here.

    Returns
    -------
    RunRecord
        The run with each claim's ``figure`` set to ``figures/<id>.png``, or None where its
        kind draws no figure or drawing failed (the claim's section then says why: a figure
        that cannot be drawn does not stop the report). results.json is rewritten atomically
        with these fields; figures of claims no longer in the run are removed.
    """

    directory = Path(directory)
    results_path = directory / "results.json"
    if isinstance(doc_or_record, RunRecord):
        run, doc = doc_or_record, None
    else:
        run, doc = RunRecord.from_json(doc_or_record, str(results_path)), doc_or_record
    reliability = Reliability.load(reliability if reliability is not None else power)

    fig_dir = directory / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    screen: dict[str, bytes] = {}
    errors: dict[str, str] = {}
    claims = []
    for record, pngs_or_error in zip(run.claims, _render_all(run.claims, drawn), strict=True):
        pngs = None if isinstance(pngs_or_error, str) else pngs_or_error
        if isinstance(pngs_or_error, str):  # shown in the claim's section, never silently dropped
            errors[record.id] = pngs_or_error
        figure = None
        if pngs is not None:
            figure = f"figures/{record.id}.png"
            write_atomic(directory / figure, pngs[0])
            screen[record.id] = pngs[1]
        claims.append(replace(record, figure=figure))
    run = replace(run, claims=claims)
    for stale in fig_dir.glob("*.png"):  # figures of claims no longer in this run
        if stale.stem not in screen:
            stale.unlink(missing_ok=True)

    write_atomic(results_path, json.dumps(_with_figures(doc, run), indent=1) + "\n")
    view = build_view(run, reliability, screen, errors)
    write_atomic(directory / "report.md", markdown(view))
    write_atomic(directory / "index.html", page(view))
    return run


def draw_entry(entry: dict[str, Any]) -> Drawn:
    """A claim's figure from its results.json entry, the same bytes :func:`write_report` draws
    from the run's document (the entry goes through the document's round trip first)."""
    from ..records import jsonable

    record = ClaimRecord.from_json(entry, "entry", "claim")
    return _render_one(ClaimRecord.from_json(jsonable(record.to_json()), "entry", "claim"))


def prepare_section(entry: dict[str, Any]) -> None:
    """Lay out the claim's section of index.html once and drop it, for its formulas: they are
    rendered once per process (cached), and rendering them is the slowest part of writing the
    page. A process that waits on others for claims (a pytest-xdist controller) calls this as
    each claim arrives, so the page is quick to write at the end."""
    from .html import section
    from .view import claim_view

    section(claim_view(ClaimRecord.from_json(entry, "entry", "claim"), Reliability()))


def _render_one(record: Any) -> Drawn:
    """A claim's figure (print and screen PNGs), None without one, or why drawing failed."""
    from ..figures import render_pngs

    try:
        return render_pngs(record)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


# Drawing is most of a report's cost (matplotlib's layout and PNG encoding, ~0.3 s a claim):
# large runs draw on every core. Fresh "spawn" workers, not forked ones: the caller may be a
# threaded process (an xdist controller), where fork is unsafe. A fresh worker knows only the
# package's own kinds, so a claim of a kind registered elsewhere (a user's theorem module) is
# drawn in this process. The PNGs are the same bytes either way.
PARALLEL_FIGURES_FROM = 24


def _drawable_elsewhere(record: Any) -> bool:
    from ..kinds.base import KINDS

    cls = KINDS.get(record.kind)
    return cls is not None and cls.__module__.startswith(__package__.rsplit(".", 1)[0] + ".")


def _render_all(records: list[Any], drawn: Mapping[str, Drawn] | None) -> list[Drawn]:
    """Each record's figure: ``drawn``'s where it has it, the others drawn now."""
    if drawn is None:
        return _render_new(records)
    todo = [r for r in records if r.id not in drawn]
    new = dict(zip((r.id for r in todo), _render_new(todo), strict=True))
    return [drawn[r.id] if r.id in drawn else new[r.id] for r in records]


def _render_new(records: list[Any]) -> list[Drawn]:
    workers = min(os.cpu_count() or 1, 4)
    away = [i for i, r in enumerate(records) if _drawable_elsewhere(r)]
    if len(away) < PARALLEL_FIGURES_FROM or workers < 2:
        return [_render_one(r) for r in records]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    drawn: dict[int, Drawn] = {}
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            away_records = [records[i] for i in away]
            drawn = dict(zip(away, pool.map(_render_one, away_records, chunksize=4), strict=True))
    except OSError:  # no processes to be had here: draw in this one
        drawn = {}
    return [drawn[i] if i in drawn else _render_one(r) for i, r in enumerate(records)]


def _with_figures(doc: dict[str, Any] | None, run: RunRecord) -> dict[str, Any]:
    """The results document to write: the caller's own (every field it has kept, only the
    figures filled in), or the run's serialisation."""
    if doc is None:
        return run.to_json()
    figures = {c.id: c.figure for c in run.claims}
    return {**doc, "claims": [{**c, "figure": figures.get(c["id"])} for c in doc["claims"]]}
