"""Speed, always as ratios measured side by side in one run on one machine.

Sections (each can be run alone with ``--only NAME``):

* ``suite``: the whole ``pytest theorems`` quick profile, serial and with ``-n 2``, and the
  ten slowest claims (from the serial run's results.json).
* ``simulators``: replicate-steps per second of the vectorised SGD and heavy-ball updates,
  against a plain Python loop over replicates doing the same update, and against the machine's
  memory bandwidth for arrays of that size (a streaming copy measured here, now).
* ``sinkhorn``: time to marginal error 1e-9 of the package's Sinkhorn and SNS against POT's
  ``ot.bregman.sinkhorn_log`` (delegates to benchmarks/sinkhorn_speed.py when present).
* ``privacy``: the package's noise calibration path against calling dp-accounting directly.

    python -m benchmarks.speed [--only suite|simulators|sinkhorn|privacy]

Writes benchmarks/results/speed.json.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from proofs_checks.results import write_atomic

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of ``repeat`` runs (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def suite() -> dict:
    timings = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (("serial", []), ("xdist_2", ["-n", "2"])):
            out = Path(tmp) / label
            cmd = [
                sys.executable,
                "-m",
                "pytest",
                "theorems",
                "-q",
                "--rate-report",
                str(out),
                *extra,
            ]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            timings[label] = {
                "seconds": round(time.perf_counter() - t0, 2),
                "exit": proc.returncode,
            }
            if label == "serial" and (out / "results.json").exists():
                claims = json.loads((out / "results.json").read_text())["claims"]
                slow = sorted(claims, key=lambda c: -c["seconds"])[:10]
                timings["slowest_claims"] = [{"id": c["id"], "seconds": c["seconds"]} for c in slow]
                timings["claims"] = len(claims)
    timings["speedup_xdist_2"] = round(
        timings["serial"]["seconds"] / timings["xdist_2"]["seconds"], 2
    )
    return timings


def memory_bandwidth(nbytes: int) -> float:
    """Bytes per second of a streaming copy (read + write) of an array of ``nbytes``."""
    a = np.ones(max(1, nbytes // 8))
    b = np.empty_like(a)
    t = best_of(lambda: np.copyto(b, a), repeat=20)
    return 2 * a.nbytes / t


def _sgd_step_loop(x, a, b, step, rng):
    for r in range(x.shape[0]):
        i = rng.integers(0, a.shape[0])
        residual = a[i] @ x[r] - b[i]
        x[r] -= step * residual * a[i]


def simulators(replicates: int = 4096, dim: int = 20, steps: int = 200) -> dict:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((50, dim))
    b = rng.standard_normal(50)
    out = {"replicates": replicates, "dim": dim}
    x = np.zeros((replicates, dim))

    from simulators.sgd import sgd_least_squares

    def vec_sgd():  # the package's simulator, as the claims call it
        sgd_least_squares(a, b, np.zeros(dim), 0.01, np.array([steps]), replicates, rng)

    loop_steps = max(1, steps // 20)

    def loop_sgd():
        for _ in range(loop_steps):
            _sgd_step_loop(x, a, b, 0.01, rng)

    t_vec = best_of(vec_sgd) / steps
    t_loop = best_of(loop_sgd, repeat=1) / loop_steps
    # one SGD step streams the iterate array and the gathered rows: about 4 array passes
    bytes_per_step = 4 * x.nbytes
    bandwidth = memory_bandwidth(x.nbytes)
    out["sgd"] = {
        "replicate_steps_per_s": replicates / t_vec,
        "python_loop_replicate_steps_per_s": replicates / t_loop,
        "speedup_vs_loop": t_loop / t_vec,
        "fraction_of_bandwidth_bound": (bytes_per_step / bandwidth) / t_vec,
    }
    from simulators.momentum import heavy_ball_quadratic

    h = np.linspace(0.01, 1.0, dim)
    x0 = rng.standard_normal((replicates, dim))

    def vec_hb():  # the package's simulator, as the claims call it
        heavy_ball_quadratic(h, x0, 0.5, 0.8, steps)

    def loop_hb():
        x, previous = x0.copy(), x0.copy()
        for _ in range(loop_steps):
            new = np.empty_like(x)
            for r in range(replicates):
                new[r] = x[r] - 0.5 * h * x[r] + 0.8 * (x[r] - previous[r])
            x, previous = new, x

    t_vec = best_of(vec_hb) / steps
    t_loop = best_of(loop_hb, repeat=1) / loop_steps
    bytes_per_step = 6 * x.nbytes  # reads x and x_prev, writes temporaries, x_new and a norm
    out["heavy_ball"] = {
        "replicate_steps_per_s": replicates / t_vec,
        "python_loop_replicate_steps_per_s": replicates / t_loop,
        "speedup_vs_loop": t_loop / t_vec,
        "fraction_of_bandwidth_bound": (bytes_per_step / bandwidth) / t_vec,
    }
    out["memory_bandwidth_GB_per_s"] = bandwidth / 1e9
    return out


def sinkhorn() -> dict:
    try:
        module = importlib.import_module("benchmarks.sinkhorn_speed")
    except ImportError as exc:
        return {"skipped": f"benchmarks/sinkhorn_speed.py not importable: {exc}"}
    # two regularizations: eta = 1/reg = 100 (easy: Sinkhorn is quick too) and 400 (hard)
    runs = [
        module.run(n, eta, 1 if n >= 2000 else 2, 0)
        for eta in (100.0, 400.0)
        for n in (200, 500, 1000, 2000)
    ]
    return {"tol": module.TOL, "instance": "random assignment", "runs": runs}


def privacy() -> dict:
    try:
        module = importlib.import_module("benchmarks.privacy_speed")
    except ImportError as exc:
        return {"skipped": f"benchmarks/privacy_speed.py not importable: {exc}"}
    return module.run()


SECTIONS = {"suite": suite, "simulators": simulators, "sinkhorn": sinkhorn, "privacy": privacy}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=sorted(SECTIONS), action="append")
    p.add_argument("--out", type=Path, default=RESULTS / "speed.json")
    args = p.parse_args(argv)
    doc = json.loads(args.out.read_text()) if args.out.exists() else {}
    doc["machine"] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    for name in args.only or list(SECTIONS):
        t0 = time.perf_counter()
        print(f"[speed] {name} ...", flush=True)
        doc[name] = SECTIONS[name]()
        print(json.dumps(doc[name], indent=1, default=float)[:2000], flush=True)
        doc[name]["benchmark_seconds"] = round(time.perf_counter() - t0, 1)
    write_atomic(args.out, json.dumps(doc, indent=1, default=float) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
