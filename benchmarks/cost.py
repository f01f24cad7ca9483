"""Resolution per CPU-second: what a claim's verdict is worth against what it costs.

A check's value is its resolution, the nearest wrong predictions it refutes
(:mod:`proofs_checks.resolution`); its cost is CPU time. For each claim of a results.json:

* ``edge``: the resolution as one number, the largest over the sides that matter of
  ``edge_over_target`` (how far out the nearest refuted prediction lies, as a fraction of the
  target's distance: at most 1 when the target is met);
* ``sharpness = 1 / edge``: how many times finer than its target the check resolves;
* ``sharpness_per_cpu_second``: the headline figure, ``sharpness / cpu_seconds``;
* ``efficiency = sharpness^2 / cpu_seconds``: for a Monte Carlo check the interval narrows as
  one over the square root of the work, so more replicates leave this unchanged and only a
  better estimator (common random numbers, better-placed horizons, a harder instance) raises it.

Claims with no resolution (a search or a symbolic identity, or a claim the check refutes) are
listed with their cost only.

    python -m benchmarks.cost RESULTS.json [--top 10]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from pathlib import Path
from typing import Any


def edge(resolution: dict[str, Any] | None) -> float | None:
    """The resolution's edge as a fraction of its target (largest side); None when none was
    measured; ``inf`` when a side refutes nothing within the span searched."""
    if not resolution or not resolution.get("edge_over_target"):
        return None
    sides = resolution["edge_over_target"].values()
    if any(s is None for s in sides):
        return math.inf
    worst = max(sides)
    return worst if worst > 0 else None  # 0: the claim itself refuted, no near edge


def claim_cost(entry: dict[str, Any]) -> dict[str, Any]:
    """One claim's cost and resolution figures (see the module doc)."""
    cpu = float(entry.get("cpu_seconds") or entry.get("seconds") or 0.0)
    e = edge(entry.get("resolution"))
    out: dict[str, Any] = {
        "id": entry["id"],
        "cpu_seconds": round(cpu, 3),
        "wall_seconds": round(float(entry.get("seconds") or 0.0), 3),
        "edge_over_target": None if e is None or math.isinf(e) else float(f"{e:.3g}"),
    }
    if e is not None and cpu > 0:
        sharpness = 0.0 if math.isinf(e) else 1.0 / e
        out["sharpness"] = float(f"{sharpness:.4g}")
        out["sharpness_per_cpu_second"] = float(f"{sharpness / cpu:.4g}")
        out["efficiency"] = float(f"{sharpness**2 / cpu:.4g}")
    return out


def suite_cost(doc: dict[str, Any], top: int = 10) -> dict[str, Any]:
    """The suite's total CPU time, its resolution per CPU-second, every claim's figures, and
    the ``top`` most expensive claims."""
    claims = [claim_cost(c) for c in doc["claims"]]
    total = sum(c["cpu_seconds"] for c in claims)
    resolved = [c for c in claims if "sharpness" in c]
    resolved_cpu = sum(c["cpu_seconds"] for c in resolved)
    return {
        "claims": len(claims),
        "cpu_seconds": round(total, 2),
        "claims_with_resolution": len(resolved),
        "cpu_seconds_on_resolved_claims": round(resolved_cpu, 2),
        # the median claim's figure: exact computations resolve to 1e-8 and would swamp a sum
        "median_sharpness_per_cpu_second": (
            statistics.median(c["sharpness_per_cpu_second"] for c in resolved) if resolved else None
        ),
        "median_efficiency": (
            statistics.median(c["efficiency"] for c in resolved) if resolved else None
        ),
        "most_expensive": sorted(claims, key=lambda c: -c["cpu_seconds"])[:top],
        "per_claim": {c["id"]: {k: v for k, v in c.items() if k != "id"} for c in claims},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results", type=Path)
    p.add_argument("--top", type=int, default=10)
    args = p.parse_args(argv)
    cost = suite_cost(json.loads(args.results.read_text()), args.top)
    print(
        f"{cost['claims']} claims, {cost['cpu_seconds']:.1f} CPU-s; "
        f"median sharpness per CPU-second {cost['median_sharpness_per_cpu_second']}"
    )
    for c in cost["most_expensive"]:
        print(
            f"{c['id']:<55} {c['cpu_seconds']:7.2f} CPU-s  edge/target "
            f"{c['edge_over_target']}  sharpness/CPU-s {c.get('sharpness_per_cpu_second')}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
