"""Statistical reliability: how often each claim gets its expected verdict over many seeds.

For every claim, the check is run with seeds 0, 1, ..., S-1 (S = 50 in the quick profile, 200 in
full); we record how often the claim gets its expected verdict, how often it is inconclusive, how
often each mutant is refuted, and the claim's resolution over the seeds: on each side that
matters, the median and the worst (farthest from the claim) near prediction the check refutes,
and on how many seeds it meets its target. Deterministic claims (no random numbers) give the same
answer for every seed: they are run for every seed anyway, so a hidden dependence on the seed
shows.

Scheduling: every (claim, seed) pair is a task, all submitted at once to ``--jobs`` worker
processes, seed by seed (so a deadline leaves every claim with about as many seeds) and within
a seed the claims that cost most (by the previous power.json) first, so the workers stay busy
to the end. Then the cheap claims (under ``--cheap-below`` seconds per seed)
run on to ``--cheap-seeds`` seeds. A deadline (``--hours``, 1 by default) bounds the whole run:
tasks not started by then are cancelled, and a claim that ran fewer seeds says so ("k/n seeds").

    python -m benchmarks.power [--seeds 50] [--cheap-seeds 200] [--cheap-below 1.0]
                               [--profile quick] [--jobs 2] [--hours 1] [PREFIX...]

Writes benchmarks/results/power.json. With PREFIX arguments only the matching claims are
re-measured: the other claims' numbers and the whole run's description are kept, and the
re-measurement is listed under ``remeasured`` (its seeds, workers and wall time).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np

from proofs_checks.discovery import all_claims, select
from proofs_checks.execution import evaluate_by_id, locate
from proofs_checks.results import write_atomic

RESULTS = Path(__file__).resolve().parent / "results"
GOAL = 0.98


def _one(claim_id: str, seed: int, profile: str, where: tuple[str, str]) -> dict:
    start = time.perf_counter()
    entry = evaluate_by_id(claim_id, seed, profile, where)
    return {
        "seed": seed,
        "verdict": entry["verdict"],
        "expected": entry["expected_verdict"],
        "mutants": {m["name"]: m["verdict"] for m in entry["mutants"]},
        "resolution": entry.get("resolution") or {},
        "seconds": time.perf_counter() - start,
    }


def resolution_over_seeds(runs: list[dict]) -> dict | None:
    """The resolution's spread over seeds: per side that matters, the median and the worst edge
    (in the parameter's units; worst is farthest from the claim, None when some seed refutes
    nothing on that side), and on how many seeds the target is met."""
    resolutions = [r["resolution"] for r in runs if r["resolution"]]
    if not resolutions or resolutions[0].get("parameter") is None:
        return None
    first = resolutions[0]
    out = {
        "parameter": first["parameter"],
        "value": first.get("value"),
        "target": first.get("target"),
        "meets_target": sum(bool(r.get("meets_target")) for r in resolutions),
        "seeds": len(resolutions),
    }
    for side in first.get("sides", []):
        edges = [r.get(f"refutes_{side}") for r in resolutions]
        found = [e for e in edges if e is not None]
        value = first.get("value") or 0.0
        out[side] = {
            "median": statistics.median(found) if found else None,
            "worst": None if len(found) < len(edges) else max(found, key=lambda e: abs(e - value)),
            "unrefuted": len(edges) - len(found),
        }
    return out


def summarize(runs: list[dict], seeds_planned: int) -> dict:
    """One claim's reliability over the seeds it ran."""
    runs = sorted(runs, key=lambda r: r["seed"])
    expected = runs[0]["expected"] if runs else "confirmed"
    mutant_names = sorted({n for r in runs for n in r["mutants"]})
    n = len(runs)
    summary = {
        "seeds_run": n,
        "seeds_planned": seeds_planned,
        "expected_verdict": expected,
        "expected": sum(r["verdict"] == expected for r in runs),
        "inconclusive": sum(r["verdict"] == "inconclusive" for r in runs),
        "verdicts": {
            v: sum(r["verdict"] == v for r in runs)
            for v in ("confirmed", "refuted", "inconclusive")
        },
        "mutants": {
            name: {
                "refuted": sum(r["mutants"].get(name) == "refuted" for r in runs),
                "inconclusive": sum(r["mutants"].get(name) == "inconclusive" for r in runs),
            }
            for name in mutant_names
        },
        "resolution": resolution_over_seeds(runs),
        "seconds_per_seed": (sum(r["seconds"] for r in runs) / n) if n else None,
        "failed_seeds": [r["seed"] for r in runs if r["verdict"] != expected],
    }
    rates = (
        [summary["expected"] / n] + [m["refuted"] / n for m in summary["mutants"].values()]
        if n
        else [0]
    )
    summary["meets_goal"] = bool(n) and min(rates) >= GOAL
    return summary


def run_tasks(tasks: list[tuple], profile: str, pool, deadline: float) -> dict[str, list[dict]]:
    """Run (claim, seed) tasks on the pool, all submitted at once in the order given (the
    longest first packs the workers best); tasks not started by the deadline are cancelled."""
    futures = {
        pool.submit(_one, claim.id, seed, profile, locate(claim)): claim.id for claim, seed in tasks
    }
    runs: dict[str, list[dict]] = {}
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=5.0, return_when=FIRST_COMPLETED)
        for future in done:
            if not future.cancelled():
                runs.setdefault(futures[future], []).append(future.result())
        if time.monotonic() > deadline:
            for future in pending:
                future.cancel()
    return runs


def previous_cost(path: Path) -> dict[str, float]:
    """Seconds per seed measured by an earlier run (to order the work longest first)."""
    if not path.exists():
        return {}
    claims = json.loads(path.read_text()).get("claims", {})
    return {cid: c.get("seconds_per_seed") or 0.0 for cid, c in claims.items()}


def report_line(cid: str, s: dict) -> str:
    mutants = ", ".join(f"{k} {v['refuted']}/{s['seeds_run']}" for k, v in s["mutants"].items())
    flag = "" if s["meets_goal"] else "   <-- below 98%"
    res = s["resolution"]
    target = f"; target met {res['meets_target']}/{res['seeds']}" if res else ""
    return (
        f"{cid:<50} {s['expected']}/{s['seeds_run']} {s['expected_verdict']}; "
        f"mutants refuted: {mutants}{target}{flag}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("prefixes", nargs="*")
    p.add_argument("--seeds", type=int, default=None, help="50 (quick) or 200 (full) by default")
    p.add_argument("--cheap-seeds", type=int, default=200, help="seeds for the cheap claims")
    p.add_argument(
        "--cheap-below", type=float, default=1.0, help="seconds per seed that make a claim cheap"
    )
    p.add_argument("--profile", choices=("quick", "full"), default="quick")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--hours", type=float, default=1.0, help="the whole run's deadline")
    p.add_argument("--out", type=Path, default=RESULTS / "power.json")
    args = p.parse_args(argv)
    seeds = args.seeds or (50 if args.profile == "quick" else 200)
    claims = select(all_claims(), args.prefixes)
    previous_doc: dict = {}
    if args.out.exists():  # keep other claims' measurements when re-measuring a subset
        previous_doc = json.loads(args.out.read_text())
    previous = previous_doc.get("claims", {})
    cost = previous_cost(args.out)
    results = dict(previous)
    start = time.perf_counter()
    deadline = time.monotonic() + 3600 * args.hours
    by_id = {c.id: c for c in claims}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        # seed by seed, so a deadline leaves every claim with about as many seeds; within a
        # seed the most expensive claims first, so the workers stay busy to the end
        order = sorted(claims, key=lambda c: -cost.get(c.id, 1.0))
        first = [(c, s) for s in range(seeds) for c in order]
        runs = run_tasks(first, args.profile, pool, deadline)
        per_seed = {cid: sum(r["seconds"] for r in rs) / len(rs) for cid, rs in runs.items() if rs}
        cheap = [c for c in order if per_seed.get(c.id, np.inf) < args.cheap_below]
        more = [(c, s) for s in range(seeds, args.cheap_seeds) for c in cheap]
        for cid, rs in run_tasks(more, args.profile, pool, deadline).items():
            runs[cid] += rs
    for cid in sorted(runs):
        planned = args.cheap_seeds if by_id[cid] in cheap else seeds
        results[cid] = summarize(runs[cid], planned)
        print(report_line(cid, results[cid]), flush=True)
    doc = {
        "schema": 1,
        "profile": args.profile,
        "seeds": seeds,
        "cheap_seeds": args.cheap_seeds,
        "cheap_below_seconds": args.cheap_below,
        "cheap_claims": sorted(c.id for c in cheap),
        "goal": GOAL,
        "machine": {
            "cpus": os.cpu_count(),
            "jobs": args.jobs,
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "wall_seconds": round(time.perf_counter() - start, 1),
        "claims": dict(sorted(results.items())),
    }
    if args.prefixes and previous_doc.get("claims"):
        # a subset re-measured: the whole run's description stays; this run is listed under it
        run = {k: doc[k] for k in ("seeds", "cheap_seeds", "machine", "wall_seconds")}
        run["claims"] = sorted(runs)
        kept = [c for c in previous_doc.get("cheap_claims", []) if c not in runs]
        doc = {
            **previous_doc,
            "cheap_claims": sorted(kept + doc["cheap_claims"]),
            "remeasured": [*previous_doc.get("remeasured", []), run],
            "claims": doc["claims"],
        }
    write_atomic(args.out, json.dumps(doc, indent=1) + "\n")
    below = [cid for cid in runs if not results[cid]["meets_goal"]]
    short = [cid for cid in runs if results[cid]["seeds_run"] < seeds]
    took = round(time.perf_counter() - start, 1)
    print(f"wrote {args.out}: {len(runs)} claims in {took} s; below goal: {below}")
    if short:
        print(f"ran fewer than {seeds} seeds before the deadline: {short}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
