"""Speed, always as ratios measured side by side in one run on one machine.

Sections (each can be run alone with ``--only NAME``):

* ``suite``: the whole ``pytest theorems`` quick profile, serial and with ``-n 2``, the ten
  slowest claims, and per claim the resolution reached per CPU-second spent
  (:mod:`benchmarks.cost`, from the serial run's results.json): the suite's total and the ten
  most expensive claims.
* ``simulators``: replicate-steps per second of the package's SGD, heavy-ball and last-iterate
  simulators (4096 replicates x 20 dimensions), against a plain Python loop over replicates
  doing the same update, and as a fraction of a streaming-copy bound. The bound: the bytes one
  step must move, counted in passes over the ``replicates x d`` float64 state (SGD 4: the
  residual reads the iterates and the sampled rows, the update reads and writes the iterates;
  heavy ball 4: it reads x_t and x_{t-1}, writes x_{t+1} and reads it for its norm;
  last iterate 4: the generator writes the noise, the update reads it and reads and writes the
  iterates), at the speed of a copy of an array of that size measured here, now (best of 20:
  2 passes in the copy's time). Fraction = bound time / measured step time. SGD is also
  shown with its numpy step (the fallback where scipy's compiled kernels are missing), the
  last iterate against the time its Gaussian noise alone takes to draw.
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

from benchmarks.cost import suite_cost
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
                doc = json.loads((out / "results.json").read_text())
                claims = doc["claims"]
                slow = sorted(claims, key=lambda c: -c["seconds"])[:10]
                timings["slowest_claims"] = [{"id": c["id"], "seconds": c["seconds"]} for c in slow]
                timings["claims"] = len(claims)
                # the headline per claim: the resolution reached per CPU-second spent
                timings["resolution_per_cpu_second"] = suite_cost(doc)
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


def _throughput(
    t_vec: float, t_loop: float, replicates: int, passes: int, state_bytes: int, bandwidth: float
) -> dict:
    """Replicate-steps per second, the speed-up over the loop, and the fraction of the
    streaming-copy bound: ``passes`` passes over ``state_bytes`` at ``bandwidth``."""
    bound = passes * state_bytes / bandwidth
    return {
        "replicate_steps_per_s": replicates / t_vec,
        "python_loop_replicate_steps_per_s": replicates / t_loop,
        "speedup_vs_loop": t_loop / t_vec,
        "passes_per_step": passes,
        "fraction_of_bandwidth_bound": bound / t_vec,
    }


def _bench_sgd(replicates: int, dim: int, steps: int, loop_steps: int, rng) -> tuple:
    """Seconds a step: the package's SGD (best of 5 runs), the Python loop over replicates, and
    the package's SGD with its numpy step instead of the compiled one (best of 5)."""
    from simulators.sgd import sgd_least_squares

    a = rng.standard_normal((50, dim))
    b = rng.standard_normal(50)
    x = np.zeros((replicates, dim))

    def vec_sgd(compiled: bool = True):  # the package's simulator
        horizons = np.array([steps])
        sgd_least_squares(a, b, np.zeros(dim), 0.01, horizons, replicates, rng, compiled=compiled)

    def loop_sgd():
        for _ in range(loop_steps):
            _sgd_step_loop(x, a, b, 0.01, rng)

    return (
        best_of(vec_sgd, repeat=5) / steps,
        best_of(loop_sgd, repeat=1) / loop_steps,
        best_of(lambda: vec_sgd(compiled=False), repeat=5) / steps,
    )


def _bench_heavy_ball(replicates: int, dim: int, steps: int, loop_steps: int, rng) -> tuple:
    """Seconds a step: the package's heavy ball (with its norms) and the Python loop."""
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

    return best_of(vec_hb, repeat=5) / steps, best_of(loop_hb, repeat=1) / loop_steps


def _bench_last_iterate(replicates: int, dim: int, steps: int, loop_steps: int, rng) -> tuple:
    """Seconds a step: the package's last-iterate SGD (l1 instance, Gaussian noise), the Python
    loop, and drawing the step's noise alone."""
    from simulators.last_iterate import l1_instance, last_iterate_values, step_sizes

    subgradient, value = l1_instance()
    schedule = step_sizes(steps, "sqrt", 0.5)
    noise = np.empty((replicates, dim))

    def vec_last():  # as the last-iterate claims run it
        last_iterate_values(
            subgradient, value, np.ones(dim), schedule, np.array([steps]), replicates, rng
        )

    def loop_last():
        x = np.ones((replicates, dim))
        for t in range(loop_steps):
            for r in range(replicates):
                x[r] -= schedule[t] * (np.sign(x[r]) + rng.standard_normal(dim))

    def draws():  # the run's noise alone, timed as the run is: best of 5 runs of every step
        for _ in range(steps):
            rng.standard_normal(out=noise)

    return (
        best_of(vec_last, repeat=5) / steps,
        best_of(loop_last, repeat=1) / loop_steps,
        best_of(draws, repeat=5) / steps,
    )


def simulators(replicates: int = 4096, dim: int = 20, steps: int = 200) -> dict:
    """Replicate-steps per second of the SGD, heavy-ball and last-iterate simulators against a
    Python loop over replicates and against the streaming-copy bound (see the module's
    docstring); every bound counts 4 passes over the ``replicates x dim`` float64 state.
    Vectorised runs: best of 5 (the least disturbed by other jobs)."""
    from simulators.sgd import compiled_step_available

    rng = np.random.default_rng(0)
    state_bytes = replicates * dim * 8
    bandwidth = memory_bandwidth(state_bytes)
    loop_steps = max(1, steps // 20)
    args = (replicates, dim, steps, loop_steps, rng)
    out = {"replicates": replicates, "dim": dim, "steps": steps}
    bound = (replicates, 4, state_bytes, bandwidth)
    t_vec, t_loop, t_numpy = _bench_sgd(*args)
    out["sgd"] = _throughput(t_vec, t_loop, *bound)
    # the same float64 state either way; the bound is the same 4 passes over it
    out["sgd"]["state_dtype"] = "float64"
    out["sgd"]["step"] = "compiled (scipy sparse kernels)" if compiled_step_available() else "numpy"
    out["sgd"]["numpy_step_fraction_of_bandwidth_bound"] = _throughput(t_numpy, t_loop, *bound)[
        "fraction_of_bandwidth_bound"
    ]
    out["heavy_ball"] = _throughput(*_bench_heavy_ball(*args), *bound)
    t_vec, t_loop, t_noise = _bench_last_iterate(*args)
    out["last_iterate"] = _throughput(t_vec, t_loop, *bound)
    # the Gaussian draws are compute-bound: a step can be no faster than drawing its noise
    out["last_iterate"]["noise_draw_share_of_step"] = t_noise / t_vec
    out["memory_bandwidth_GB_per_s"] = bandwidth / 1e9
    out["copy_microseconds"] = 2 * state_bytes / bandwidth * 1e6
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
