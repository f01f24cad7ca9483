"""What a run leaves on disk, the same from ``pytest --rate-report`` and ``ratecheck run/report``.

results.json first (written atomically: the contract other tools read), then the report pages.
Also the run summary both front ends put in results.json and print: how many claims were
collected, selected and run, and whether the run was interrupted.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def run_summary(
    collected: int, selected: int, ran: int, interrupted: bool, selection: str | None
) -> dict[str, Any]:
    """The ``run`` object of results.json (claims counted, not other tests).

    ``interrupted`` is true when the run stopped early (Ctrl-C, ``-x``) before every selected
    claim ran; ``selection`` says how the claims were chosen (``"-k handbook"``,
    ``"prefixes: handbook"``) or is None when every collected claim was selected.
    """
    return {
        "collected": collected,
        "selected": selected,
        "ran": ran,
        "interrupted": bool(interrupted),
        "selection": selection,
    }


def describe_run(run: dict[str, Any] | None) -> str | None:
    """One line on how far a run got, or None for a complete run of every claim."""
    if not run:
        return None
    ran, selected, collected = run.get("ran"), run.get("selected"), run.get("collected")
    if run.get("interrupted"):
        return f"interrupted after {ran} of {selected} selected claims"
    if ran is not None and selected is not None and ran < selected:
        return f"only {ran} of {selected} selected claims ran"
    if run.get("selection"):
        return f"{run['selection']}: {selected} of {collected} claims"
    return None


def write_outputs(
    directory: Path,
    doc: dict[str, Any],
    reliability: Path | None = None,
    drawn: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``directory/results.json``, then the report pages; return the results path.

    ``reliability`` is a power benchmark (``benchmarks/results/power.json``) whose numbers the
    report shows next to each claim. A report writer that cannot be imported does not lose the
    results: results.json is written first, and the error propagates after it. ``drawn``:
    figures already drawn, by claim id (:func:`proofs_checks.report.draw_entry`).
    """
    from .results import write_results

    path = write_results(Path(directory), doc)
    write_report_pages(Path(directory), doc, reliability, drawn)
    return path


def write_report_pages(
    directory: Path,
    doc: dict[str, Any],
    reliability: Path | None,
    drawn: Mapping[str, Any] | None = None,
) -> None:
    """The report pages (report.md, index.html, figures/); ``reliability`` may be None."""
    from .report import write_report

    write_report(directory, doc, reliability=reliability, drawn=drawn)
