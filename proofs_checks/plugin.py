"""The pytest plugin: every claim in a theorem module becomes a test item.

Registered through the ``pytest11`` entry point, so it is loaded by every pytest run wherever
ratecheck is installed; it stays out of the way of projects that have no claims: its options
are namespaced, importing it imports no part of the engine (numpy, scipy, sympy, mpmath load
only when a theorem module is collected), and it uses public pytest API only.

Which files are theorem modules
-------------------------------
1. A module pytest collects anyway (one matching ``python_files``, ``test_*.py`` by default, or
   a file named on the command line or in ``testpaths``): every claim it defines becomes an
   item, next to its ordinary tests. ``pytest path/to/mytheorems.py`` checks that file.
2. A public module (not ``_*.py``, not ``conftest.py``) of a package registered under the
   ``ratecheck.theorems`` entry point, or a module registered there itself, whatever its file
   name. ratecheck registers its bundled ``theorems`` package, so ``pytest theorems`` and a plain
   ``pytest`` check every bundled claim; a third-party package registers its own the same way.
3. A public module in a directory (or a file) listed in the ``ratecheck_paths`` ini option, for
   a project that keeps theorem modules without packaging them::

       [tool.pytest.ini_options]
       ratecheck_paths = ["theorems"]

No file is recognised by reading its text, and no other file is imported. The claims of a
collected module are the :class:`proofs_checks.claims.Claim` objects it defines (not those it
imports). Two modules defining the same claim id is a collection error naming both.

Options
-------
``--ratecheck-seed N`` (root seed, default fixed), ``--ratecheck-profile quick|full``,
``--rate-report DIR`` (DIR/results.json, written atomically and merged from pytest-xdist
workers, then the report pages) and ``--rate-reliability PATH`` (a power benchmark,
``benchmarks/results/power.json``, shown in the report). results.json records in ``run`` how
many claims were collected, selected (``-k``, ``-m``) and run, and whether the run was
interrupted (Ctrl-C, ``-x``); an interrupted or partial run never has ``"passed": true``.

Under pytest-xdist (``-n N``) a claim runs with its BLAS/OpenMP pools limited to its worker's
share of the cores (only while the claim runs, not the worker's other tests); with
``--rate-report`` each worker also draws its claims' figures as they finish, and the controller
lays out their report sections as they arrive, so little of the report is left for the end.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from .options import nonnegative_int

_ENTRY_KEY = "ratecheck_entry"  # a claim's results.json entry, in its test report
_COUNTS_KEY = "ratecheck_counts"  # an xdist worker's claim counts, in each claim's report
_FIGURE_KEY = "ratecheck_figure"  # a claim's figure drawn on an xdist worker (base64 PNGs)


def _profile(text: str) -> str:
    from .context import PROFILES  # only when the option is given: it imports numpy

    if text not in PROFILES:
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(PROFILES)}, got {text!r}")
    return text


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ratecheck", "ratecheck: claims from theorem modules as tests")
    group.addoption(
        "--ratecheck-seed",
        type=nonnegative_int,
        default=None,
        metavar="N",
        help="root seed of every claim's random numbers (default: ratecheck's fixed seed)",
    )
    group.addoption(
        "--ratecheck-profile",
        type=_profile,
        default=None,
        metavar="quick|full",
        help="horizons and replicates: quick (default) or full",
    )
    group.addoption(
        "--rate-report",
        metavar="DIR",
        default=None,
        help="write DIR/results.json and the report (report.md, index.html, figures/)",
    )
    group.addoption(
        "--rate-reliability",
        metavar="PATH",
        type=Path,
        default=None,
        help="a power benchmark (benchmarks/results/power.json) to show in the report",
    )
    parser.addini(
        "ratecheck_paths",
        type="paths",
        default=[],
        help="directories (or files) of theorem modules to collect, whatever their file names",
    )


def pytest_configure(config: pytest.Config) -> None:
    reliability = config.getoption("rate_reliability")
    if reliability is not None and not reliability.is_file():
        raise pytest.UsageError(f"--rate-reliability {reliability}: no such file")
    config.pluginmanager.register(RateReport(config), "ratecheck-rate-report")
    config.addinivalue_line("markers", "ratecheck_claim: a claim from a theorem module")


def _seed_and_profile(config: pytest.Config) -> tuple[int, str]:
    from .context import DEFAULT_SEED

    seed = config.getoption("ratecheck_seed")
    profile = config.getoption("ratecheck_profile")
    return (DEFAULT_SEED if seed is None else seed), (profile or "quick")


def _evaluate(claim: Any, seed: int, profile: str) -> tuple[dict[str, Any], bool, str]:
    """Evaluate one claim with the engine: its results.json entry, whether it passed, and why not.

    The one place the plugin calls into the engine. The engine never raises for a problem of
    the claim (a malformed spec, a simulator error): it returns an inconclusive record saying
    so. Interrupts (KeyboardInterrupt) propagate.
    """
    from .execution import evaluate_record

    record = evaluate_record(claim, seed, profile)
    return record.to_json(), record.passed, record.failure_message()


# --- collection --------------------------------------------------------------------------


def _python_files_match(path: Path, patterns: list[str]) -> bool:
    """Whether pytest's own Python collection takes this file (its ``python_files`` rule)."""
    for pattern in patterns:
        if os.sep not in pattern and "/" not in pattern:
            if fnmatch.fnmatch(path.name, pattern):
                return True
        elif fnmatch.fnmatch(str(path), pattern) or fnmatch.fnmatch(str(path), f"*/{pattern}"):
            return True
    return False


_LOCATIONS = pytest.StashKey[Any]()


def _is_registered_theorem_file(path: Path, config: pytest.Config) -> bool:
    from .discovery import is_public_module_file, registered_locations

    if not is_public_module_file(path):
        return False
    locations = config.stash.get(_LOCATIONS, None)
    if locations is None:  # computed once, at the first candidate file: no import of theorems
        locations = registered_locations()
        for entry in config.getini("ratecheck_paths"):
            entry = Path(entry).resolve()
            (locations.directories if entry.is_dir() else locations.files).add(entry)
        for problem in locations.problems:  # shown in the warnings summary
            warnings.warn(pytest.PytestConfigWarning(f"ratecheck: {problem}"), stacklevel=2)
        config.stash[_LOCATIONS] = locations
    return locations.contains(path)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if file_path.suffix != ".py" or parent.session.isinitpath(file_path):
        return None  # pytest collects files named on the command line itself
    if _python_files_match(file_path, parent.config.getini("python_files")):
        return None  # ... and files matching python_files
    if _is_registered_theorem_file(file_path, parent.config):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


_SEEN = pytest.StashKey[dict]()


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, obj: object):
    claims = sys.modules.get("proofs_checks.claims")
    if claims is None or not isinstance(collector, pytest.Module):
        return None  # no module has defined a claim yet: nothing to look at
    if not isinstance(obj, claims.Claim) or obj.module != collector.obj.__name__:
        return None  # not a claim, or a claim imported from elsewhere (collected there)
    seen = collector.config.stash.setdefault(_SEEN, {})
    here = f"{collector.obj.__name__} ({collector.path})"
    if obj.id in seen:
        first, where = seen[obj.id]
        if first is obj:
            return []  # the same claim under a second name
        raise pytest.Collector.CollectError(
            f"claim id {obj.id!r} is defined twice: in {where} and in {here}; "
            "claim ids must be unique"
        )
    seen[obj.id] = (obj, here)
    return ClaimItem.from_parent(collector, name=obj.id, claim=obj)


class ClaimFailure(Exception):
    """The claim did not get its expected verdict, or a mutant survived."""


class ClaimItem(pytest.Item):
    """One claim: passes iff its verdict is the expected one and every mutant is refuted."""

    def __init__(self, *, claim: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.claim = claim
        self.add_marker(pytest.mark.ratecheck_claim)

    def runtest(self) -> None:
        seed, profile = _seed_and_profile(self.config)
        if hasattr(self.config, "workerinput"):  # tell the xdist controller what was collected
            rate_report = self.config.pluginmanager.get_plugin("ratecheck-rate-report")
            assert isinstance(rate_report, RateReport)  # registered by pytest_configure
            self.user_properties.append((_COUNTS_KEY, json.dumps(rate_report.counts())))
        with _worker_share_of_threads(self.config):
            entry, passed, message = _evaluate(self.claim, seed, profile)
        self.user_properties.append((_ENTRY_KEY, json.dumps(entry)))
        if hasattr(self.config, "workerinput") and self.config.getoption("rate_report"):
            figure = _draw(entry)
            if figure is not None:
                self.user_properties.append((_FIGURE_KEY, figure))
        if not passed:
            raise ClaimFailure(message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None):
        if isinstance(excinfo.value, ClaimFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        code = getattr(getattr(self.claim, "func", None), "__code__", None)
        line = code.co_firstlineno - 1 if code is not None else None
        return self.path, line, f"claim {self.claim.id}"


def _worker_share_of_threads(config: pytest.Config) -> Any:
    """On one of N pytest-xdist workers: the claim's thread pools limited to this worker's
    share of the cores (:func:`proofs_checks.execution.share_of_threads`)."""
    from contextlib import nullcontext

    if not hasattr(config, "workerinput"):
        return nullcontext()
    from .execution import share_of_threads

    return share_of_threads(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1))


def _draw(entry: dict[str, Any]) -> str | None:
    """The claim's figure for the report, drawn here as the claim finishes (JSON text), or None
    to leave it to the report writer.

    On pytest-xdist workers: drawing is most of a report's cost, and drawn while the other
    worker still runs claims it costs no wall time at the end. The bytes are those the report
    writer would draw (:func:`proofs_checks.report.draw_entry`).
    """
    import base64

    try:
        from .report import draw_entry

        drawn = draw_entry(entry)
    except Exception:  # the report writer draws it and says what went wrong
        return None
    if isinstance(drawn, tuple):
        print_png, screen_png = (base64.b64encode(png).decode("ascii") for png in drawn)
        return json.dumps({"id": entry["id"], "png": print_png, "screen": screen_png})
    return json.dumps({"id": entry["id"], "error": drawn})


def _prepare_section(entry: dict[str, Any]) -> None:
    """The claim's section of the report laid out ahead (its formulas cached), while the
    workers run the other claims; the page is written the same either way."""
    try:
        from .report import prepare_section

        prepare_section(entry)
    except Exception:  # the report writer lays it out again and says what went wrong
        return


def _undraw(text: str) -> tuple[str, Any]:
    """:func:`_draw`'s JSON text back to the claim id and what the report writer takes."""
    import base64

    obj = json.loads(text)
    if "png" in obj:
        return obj["id"], (base64.b64decode(obj["png"]), base64.b64decode(obj["screen"]))
    return obj["id"], obj["error"]


# --- the run's record ----------------------------------------------------------------------


class RateReport:
    """Counts the claims collected, selected and run; collects each claim's results.json entry
    (from xdist workers too) and writes results.json and the report at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.entries: dict[str, dict] = {}
        self.figures: dict[str, Any] = {}  # drawn on xdist workers, by claim id
        self.collected = 0
        self.selected: int | None = None  # None until this process has collected
        self.worker_counts: dict[str, int] | None = None
        self.start = time.perf_counter()

    def counts(self) -> dict[str, int | None]:
        return {"collected": self.collected, "selected": self.selected}

    def pytest_itemcollected(self, item: pytest.Item) -> None:
        self.collected += isinstance(item, ClaimItem)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.selected = sum(isinstance(item, ClaimItem) for item in session.items)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        """The figure rides on the call phase's report only: the teardown report copies the
        item's properties again, and junitxml writes those into its file."""
        if any(key == _FIGURE_KEY for key, _ in item.user_properties):
            item.user_properties = [p for p in item.user_properties if p[0] != _FIGURE_KEY]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # an xdist worker sends its reports on whole; the controller (or a lone process) reads
        if report.when != "call" or hasattr(self.config, "workerinput"):
            return
        figures = [v for k, v in report.user_properties if k == _FIGURE_KEY]
        if figures:  # taken out before other plugins (junitxml) copy the PNGs' text
            report.user_properties = [p for p in report.user_properties if p[0] != _FIGURE_KEY]
        for value in figures:
            if isinstance(value, str):
                claim_id, drawn = _undraw(value)
                self.figures[claim_id] = drawn
        for key, value in report.user_properties:
            if not isinstance(value, str):
                continue  # ours are JSON text; another plugin's properties are not read
            if key == _ENTRY_KEY:
                entry = json.loads(value)
                self.entries[entry["id"]] = entry
                if figures:  # from an xdist worker: this process would otherwise wait idle
                    _prepare_section(entry)
            elif key == _COUNTS_KEY:
                self.worker_counts = json.loads(value)

    def _collected_and_selected(self) -> tuple[int, int] | None:
        """The claims collected and selected: an xdist worker's counts (sent with each claim it
        runs), else this process's once it has collected; None before that."""
        if self.worker_counts:
            return self.worker_counts["collected"], self.worker_counts["selected"]
        if self.selected is None:
            return None
        return self.collected, self.selected

    def _selection(self, collected: int, selected: int) -> str | None:
        parts = []
        for flag, dest in (("-k", "keyword"), ("-m", "markexpr")):
            value = self.config.getoption(dest, default=None)
            if value:
                parts.append(f"{flag} {value}")
        if not parts and selected < collected:
            parts.append(f"{collected - selected} deselected")
        return "; ".join(parts) or None

    def run_info(self, session: pytest.Session, exitstatus: int) -> dict[str, Any] | None:
        """The ``run`` object of results.json, or None when this run saw no claim."""
        counts = self._collected_and_selected()
        if counts is None:
            return None
        from .output import run_summary

        (collected, selected), ran = counts, len(self.entries)
        stopped_early = bool(session.shouldstop or session.shouldfail)
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED or (
            stopped_early and ran < selected
        )
        selection = self._selection(collected, selected)
        return run_summary(collected, selected, ran, interrupted, selection)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        config = self.config
        directory = config.getoption("rate_report")
        if not directory or hasattr(config, "workerinput"):  # the xdist controller writes
            return
        if config.getoption("collectonly"):  # nothing ran: keep the last results
            return
        run = self.run_info(session, exitstatus)
        if run is None or (run["collected"] == 0 and not self.entries):
            return
        from .output import describe_run, write_outputs
        from .results import build

        seed, profile = _seed_and_profile(config)
        wall = time.perf_counter() - self.start
        doc = build(self.entries.values(), seed=seed, profile=profile, wall_seconds=wall, run=run)
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        note = describe_run(run)
        try:
            write_outputs(Path(directory), doc, config.getoption("rate_reliability"), self.figures)
        except Exception as exc:  # results.json is written first; say why the pages are not
            if reporter is None:
                raise
            reporter.write_line(f"ratecheck: report pages not written: {exc!r}", red=True)
        if reporter is not None:
            where = Path(directory) / "results.json"
            reporter.write_line(f"ratecheck: wrote {where}" + (f" ({note})" if note else ""))
