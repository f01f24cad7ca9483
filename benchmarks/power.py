"""Statistical reliability: how often each claim gets its expected verdict over many seeds.

For every claim, the check is run with seeds 0, 1, ..., S-1 (S = 50 in the quick profile, 200 in
full); we record how often the claim gets its expected verdict, how often it is inconclusive, how
often each mutant is refuted, and the claim's resolution over the seeds: on each side that
matters, the median and the worst (farthest from the claim) near prediction the check refutes,
and on how many seeds it meets its target. Deterministic claims (no random numbers) give the same
answer for every seed: they are run for every seed anyway, so a hidden dependence on the seed
shows.

A per-claim time budget keeps the benchmark bounded on a small machine: a claim whose seeds do
not all fit in the budget reports how many seeds it ran (the report shows "k/n seeds").

    python -m benchmarks.power [--seeds 50] [--profile quick] [--jobs 2] [--budget 600] [PREFIX...]

Writes benchmarks/results/power.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

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


def measure(claim, seeds: int, profile: str, budget: float, pool, batch: int) -> dict:
    """Run one claim over seeds, in batches of the pool's size, until done or out of budget."""
    runs: list[dict] = []
    start = time.perf_counter()
    seed = 0
    while seed < seeds and time.perf_counter() - start < budget:
        chunk = range(seed, min(seeds, seed + batch))
        k = len(chunk)
        runs += list(pool.map(_one, [claim.id] * k, chunk, [profile] * k, [locate(claim)] * k))
        seed += len(chunk)
    expected = runs[0]["expected"] if runs else "confirmed"
    mutant_names = sorted({n for r in runs for n in r["mutants"]})
    n = len(runs)
    summary = {
        "seeds_run": n,
        "seeds_planned": seeds,
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
    }
    rates = (
        [summary["expected"] / n] + [m["refuted"] / n for m in summary["mutants"].values()]
        if n
        else [0]
    )
    summary["meets_goal"] = bool(n) and min(rates) >= GOAL
    return summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("prefixes", nargs="*")
    p.add_argument("--seeds", type=int, default=None, help="50 (quick) or 200 (full) by default")
    p.add_argument("--profile", choices=("quick", "full"), default="quick")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--budget", type=float, default=300.0, help="seconds per claim at most")
    p.add_argument("--out", type=Path, default=RESULTS / "power.json")
    args = p.parse_args(argv)
    seeds = args.seeds or (50 if args.profile == "quick" else 200)
    claims = select(all_claims(), args.prefixes)
    previous = {}
    if args.out.exists():  # keep other claims' measurements when re-measuring a subset
        previous = json.loads(args.out.read_text()).get("claims", {})
    results = dict(previous)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for c in claims:
            s = measure(c, seeds, args.profile, args.budget, pool, max(1, args.jobs))
            results[c.id] = s
            mutants = ", ".join(
                f"{k} {v['refuted']}/{s['seeds_run']}" for k, v in s["mutants"].items()
            )
            flag = "" if s["meets_goal"] else "   <-- below 98%"
            res = s["resolution"]
            target = f"; target met {res['meets_target']}/{res['seeds']}" if res else ""
            print(
                f"{c.id:<50} {s['expected']}/{s['seeds_run']} {s['expected_verdict']}; "
                f"mutants refuted: {mutants}{target}{flag}",
                flush=True,
            )
    doc = {
        "schema": 1,
        "profile": args.profile,
        "seeds": seeds,
        "goal": GOAL,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "wall_seconds": round(time.perf_counter() - start, 1),
        "claims": dict(sorted(results.items())),
    }
    write_atomic(args.out, json.dumps(doc, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
