"""``ratecheck run`` and ``ratecheck report``: run claims, print a verdict table, write the report.

One flag, one meaning: ``--out DIR`` writes results.json and the whole report there, for both
commands (``report`` only has a default, ``reports/latest``). A run stopped with Ctrl-C keeps
what finished: the table and results.json say how many of the selected claims ran, results.json
has ``"interrupted": true`` and ``"passed": false``, and the exit status is 130.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from .options import nonnegative_int

#: Exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130


class UsageError(Exception):
    """A mistake in how the command was called (exit status 2)."""


def _positive_int(text: str) -> int:
    value = nonnegative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_run_options(p: argparse.ArgumentParser, default_out: Path | None) -> None:
    """The options of ``run`` and ``report``: the same, but for ``--out``'s default."""
    from .context import DEFAULT_SEED, PROFILES

    p.add_argument("prefixes", nargs="*", metavar="ID_PREFIX")
    p.add_argument(
        "--out",
        type=Path,
        default=default_out,
        metavar="DIR",
        help="write DIR/results.json and the report (report.md, index.html, figures/)"
        + (f"; default {default_out}" if default_out else ""),
    )
    p.add_argument(
        "--reliability",
        type=Path,
        metavar="PATH",
        help="a power benchmark (benchmarks/results/power.json) to show in the report",
    )
    p.add_argument(
        "--seed",
        type=nonnegative_int,
        default=DEFAULT_SEED,
        help="root seed, a non-negative integer (default %(default)s)",
    )
    p.add_argument("--profile", choices=PROFILES, default="quick", help="horizons and replicates")
    p.add_argument(
        "--jobs", type=_positive_int, default=1, help="local processes for independent claims"
    )
    p.add_argument(
        "--scheduler", metavar="ADDRESS", default=None, help="run on a Dask cluster at ADDRESS"
    )
    p.add_argument("--dask", action="store_true", help="run on a local Dask cluster")
    p.add_argument(
        "--path", action="append", default=[], type=Path, help="extra theorem module or directory"
    )


def load_claims(paths: list[Path]) -> list[Any]:
    """Every registered claim, plus those in the given files or directories."""
    from .discovery import all_claims, registered_entry_points

    claims = all_claims(paths)
    if not claims and not paths and not registered_entry_points():
        raise UsageError(
            "no theorem modules are registered under the ratecheck.theorems entry point; "
            "reinstall ratecheck (pip install -e .) or give --path"
        )
    return claims


def run_selected(args: argparse.Namespace) -> dict[str, Any]:
    """Run the selected claims and return the results.json document (also after Ctrl-C)."""
    from .discovery import select
    from .execution import run_claims
    from .output import run_summary
    from .results import build

    claims = load_claims(args.path)
    chosen = select(claims, args.prefixes)
    if not chosen:
        raise UsageError(f"no claim id starts with {' or '.join(args.prefixes)!r}")
    start = time.perf_counter()
    progress = _Progress(len(chosen), start)
    options = dict(seed=args.seed, profile=args.profile, progress=progress)
    entries: list[dict[str, Any]] = []
    interrupted = False
    try:
        if args.jobs == 1 and args.scheduler is None and not args.dask:
            for c in chosen:  # one at a time, so that Ctrl-C keeps the claims that finished
                entries += run_claims([c], **options)
        else:  # the finished claims are only returned at the end
            entries = run_claims(
                chosen, jobs=args.jobs, scheduler=args.scheduler, local_dask=args.dask, **options
            )
    except KeyboardInterrupt:
        interrupted = True
        progress.stop()
    selection = f"prefixes: {', '.join(args.prefixes)}" if args.prefixes else None
    run = run_summary(len(claims), len(chosen), len(entries), interrupted, selection)
    return build(
        entries,
        seed=args.seed,
        profile=args.profile,
        wall_seconds=time.perf_counter() - start,
        run=run,
    )


def _run_and_write(args: argparse.Namespace) -> int:
    from .output import describe_run, write_outputs

    if args.reliability is not None and not args.reliability.is_file():
        raise UsageError(f"--reliability {args.reliability}: no such file")
    if args.reliability is not None and args.out is None:
        raise UsageError("--reliability needs --out: it is shown in the report")
    doc = run_selected(args)
    written = None
    if args.out is not None:  # before printing: a reader that stops early loses no results
        written = write_outputs(args.out, doc, args.reliability)
    print(table(doc))
    if written is not None:
        index = Path(args.out) / "index.html"
        print(f"wrote {written}" + (f" and {index}" if index.exists() else ""))
    run = doc.get("run") or {}
    if run.get("interrupted"):
        print(f"ratecheck: {describe_run(run)}", file=sys.stderr)
        return INTERRUPTED
    return 0 if doc["passed"] else 1


def cmd_run(args: argparse.Namespace) -> int:
    return _run_and_write(args)


def cmd_report(args: argparse.Namespace) -> int:
    return _run_and_write(args)


class _Progress:
    """One status line on stderr: claims done / total, the current claim, elapsed time."""

    def __init__(self, total: int, start: float) -> None:
        self.total, self.start, self.done = total, start, 0
        self.live = sys.stderr.isatty()

    def __call__(self, claim_id: str, finished: bool) -> None:
        self.done += finished
        elapsed = time.perf_counter() - self.start
        state = "done" if finished else "running"
        line = f"[{self.done}/{self.total}] {elapsed:6.1f}s  {state} {claim_id}"
        if self.live:
            print(f"\r\033[K{line}", end="" if self.done < self.total else "\n", file=sys.stderr)
        elif finished:
            print(line, file=sys.stderr)

    def stop(self) -> None:
        """End the live line after an interrupt, so that what follows starts on its own."""
        if self.live and self.done < self.total:
            print(file=sys.stderr)


def _fitted_text(fitted: dict[str, Any]) -> str:
    est, ci = fitted.get("estimate"), fitted.get("ci")
    if isinstance(est, float) and ci and None not in ci:
        return f"{est:.4g} [{ci[0]:.4g}, {ci[1]:.4g}]"
    if "counterexample" in fitted:
        return "counterexample"
    if "instances" in fitted:
        return f"{fitted['instances']} instances"
    return str(fitted.get("residual", "-")) if fitted else "-"


def table(doc: dict[str, Any]) -> str:
    """The verdict table of a results.json document, with a summary line."""
    from .output import describe_run

    rows = [("claim", "verdict", "expected", "fitted", "mutants refuted", "s")]
    for e in doc["claims"]:
        caught = sum(m["verdict"] == "refuted" for m in e["mutants"])
        rows.append(
            (
                e["id"],
                e["verdict"],
                e["expected_verdict"],
                _fitted_text(e.get("fitted") or {})[:40],
                f"{caught}/{len(e['mutants'])}",
                f"{e['seconds']:.1f}" + ("" if e["passed"] else "  <-- FAIL"),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    c = doc["counts"]
    note = describe_run(doc.get("run"))
    if doc["passed"]:
        outcome = "all as expected."
    elif all(e["passed"] for e in doc["claims"]):
        outcome = "INCOMPLETE."
    else:
        outcome = "SOME NOT AS EXPECTED."
    lines.append(
        f"\n{len(doc['claims'])} claims: {c['confirmed']} confirmed, {c['refuted']} refuted, "
        f"{c['inconclusive']} inconclusive" + (f" ({note})" if note else "") + f"; {outcome}"
    )
    return "\n".join(lines)
