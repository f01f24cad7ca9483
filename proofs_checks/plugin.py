"""The pytest plugin: every claim in a theorem module becomes a test item.

Registered through the ``pytest11`` entry point, so it is active wherever ratecheck is installed:
``pytest theorems`` (or ``pytest any/dir/of/theorem/modules``) collects each claim; the item
passes only if the claim gets its expected verdict and every mutant is refuted.

Options: ``--seed``, ``--profile quick|full``, ``--rate-report DIR`` (results.json, written
atomically, merged from pytest-xdist workers; then the report pages).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from _pytest.python import path_matches_patterns

from .claims import DEFAULT_SEED, PROFILES, Claim, claims_in
from .execution import evaluate_record
from .results import build, write_results

_ENTRY_KEY = "ratecheck_entry"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ratecheck", "ratecheck: executable claims")
    group.addoption(
        "--seed", type=int, default=DEFAULT_SEED, help="root seed of every claim's random numbers"
    )
    group.addoption(
        "--profile", choices=PROFILES, default="quick", help="quick (default) or full horizons"
    )
    group.addoption(
        "--rate-report", metavar="DIR", default=None, help="write DIR/results.json and the report"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(RateReport(config), "ratecheck-rate-report")
    config.addinivalue_line("markers", "ratecheck_claim: a claim from a theorem module")


def _is_theorem_file(path: Path) -> bool:
    if path.suffix != ".py" or path.name.startswith("_") or path.name == "conftest.py":
        return False
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "proofs_checks" in text and "claim(" in text


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    # Files pytest would collect anyway go through pytest_pycollect_makemodule below.
    if parent.session.isinitpath(file_path):
        return None
    if path_matches_patterns(file_path, parent.config.getini("python_files")):
        return None
    if _is_theorem_file(file_path):
        return TheoremModule.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector):
    if _is_theorem_file(module_path):
        return TheoremModule.from_parent(parent, path=module_path)
    return None


class TheoremModule(pytest.Module):
    """A module's ordinary tests plus one item per claim it defines."""

    def collect(self):
        items = list(super().collect())
        for c in claims_in(self.obj):
            items.append(ClaimItem.from_parent(self, name=c.id, claim=c))
        return items


class ClaimFailure(Exception):
    pass


class ClaimItem(pytest.Item):
    def __init__(self, *, claim: Claim, **kwargs) -> None:
        super().__init__(**kwargs)
        self.claim = claim
        self.add_marker(pytest.mark.ratecheck_claim)

    def runtest(self) -> None:
        config = self.config
        seed = config.getoption("--seed")
        profile = config.getoption("--profile")
        record = evaluate_record(self.claim, seed, profile)
        self.user_properties.append((_ENTRY_KEY, json.dumps(record.to_json())))
        if not record.passed:
            raise ClaimFailure(record.failure_message())

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"claim {self.claim.id}"


class RateReport:
    """Collects each claim's results.json entry (from xdist workers too) and writes the file."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.entries: dict[str, dict] = {}
        self.start = time.perf_counter()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for key, value in report.user_properties:
            if key == _ENTRY_KEY:
                entry = json.loads(value)
                self.entries[entry["id"]] = entry

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        config = self.config
        if hasattr(config, "workerinput"):  # an xdist worker: the controller writes the file
            return
        directory = config.getoption("--rate-report")
        if not directory or not self.entries:
            return
        doc = build(
            self.entries.values(),
            seed=config.getoption("--seed"),
            profile=config.getoption("--profile"),
            wall_seconds=time.perf_counter() - self.start,
        )
        path = write_results(Path(directory), doc)
        try:
            from .report import write_report
        except ImportError:  # the report pages are optional; results.json is the contract
            write_report = None
        if write_report is not None:
            write_report(Path(directory), doc)
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"ratecheck: wrote {path}")
