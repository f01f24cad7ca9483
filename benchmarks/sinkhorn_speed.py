"""Time to l1 marginal error 1e-9: SNS, the package's Sinkhorn and POT's sinkhorn_log.

The regime of Tang et al. (ICLR 2024, arXiv 2401.12253): random assignment problems
(``C ~ U[0, 1]^{n x n}``, uniform marginals, :func:`simulators.sinkhorn.random_assignment`) at
``n`` in {200, 500, 1000} and ``eta = 1/reg`` in {400, 1000, 1200, 2000}; the paper's figure is
``n = 500``, ``eta = 1200``. Every method stops on the same criterion, the l1 marginal error
``||P 1 - a||_1 + ||P^T 1 - b||_1 < 1e-9`` of its current plan, on one core.

How each method is timed
------------------------
* SNS (:func:`simulators.sns.sns`, its defaults): one call, best of ``--repeats``.
* The package's ``sinkhorn_log``: run in chunks of growing length (x1.5), each chunk warm
  started from the log-scalings where the last one stopped (the iteration depends only on
  them, so the iterates are those of one long run); the chunks' times add up (each restart
  costs about one iteration). It stops itself at the tolerance, checked every iteration.
* POT's ``ot.bregman.sinkhorn_log`` (``stopThr = 0``, so POT never stops on its own l2
  criterion): the same chunks through its ``warmstart``; the l1 error of the plan is computed
  between chunks, outside the timed region. When a chunk crosses the tolerance, it is re-run
  from its start in chunks of 10 iterations (POT's own checking period) and the time up to the
  first one below the tolerance is counted.
* Wall seconds and CPU seconds of the process are both recorded, with the time ratios to SNS
  on each. The CPU time is the one robust to other work on a shared machine (the load average
  at the start and the end is recorded); the cap and the traces are in wall time.
* Each Sinkhorn gets a wall-time cap (``--cap`` seconds). A capped run reports the error it
  reached, and its time ratio to SNS is a lower bound (``ratio_is_lower_bound``, ">=" in the
  printout and the README).

Traces (``--trace`` configurations, by default ``n = 500`` and ``eta`` in {1000, 1200, 2000}):
the Sinkhorn traces are the chunk ends of the timed runs (cumulative time, error). SNS's trace
is measured by re-running it with a growing budget: ``warmup = w, max_newton = 0`` for the
warm-up points and ``max_newton = k`` after (each best of ``--repeats``); SNS is deterministic,
so each run retraces the same iterates. Figures: ``results/sinkhorn_trace_n{n}_eta{eta}.png``.

Defaults of SNS (``--sweep``): the time to 1e-9 for ``keep_fraction`` in {2, 3, 5, 10, 20}/n
(the paper uses 2/n) and the exact Hessian, and for warm-up lengths {5, 10, 20, 50}, on the
sweep configurations; the best setting minimises the geometric mean over configurations of the
CPU time relative to each configuration's fastest. Result (recorded in the json under ``sweep``):
see benchmarks/README.md; :func:`simulators.sns.sns`'s defaults are that setting.

Usage: ``python -m benchmarks.sinkhorn_speed [--cap 60] [--repeats 3] [--no-sweep]``; writes
``benchmarks/results/sinkhorn_speed.json`` and the trace figures. About 20 minutes.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import time
import warnings
from pathlib import Path

import numpy as np
import ot

from simulators.sinkhorn import random_assignment, sinkhorn_log
from simulators.sns import sns

TOL = 1e-9
RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (200, 500, 1000)
ETAS = (400.0, 1000.0, 1200.0, 2000.0)
TRACES = ((500, 1000.0), (500, 1200.0), (500, 2000.0))
SWEEP_CONFIGS = ((200, 1200.0), (500, 1000.0), (500, 1200.0), (500, 2000.0), (1000, 1200.0))
SWEEP_KEEPS = (2, 3, 5, 10, 20, None)  # entries kept per row (keep_fraction = k/n); None: exact
SWEEP_WARMUPS = (5, 10, 20, 50)
SWEEP_WARMUP_KEEP = 10  # the keep of the warm-up sweep (the keep sweep uses sns's default warm-up)


def l1_error(log_plan: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """The l1 marginal error of the plan ``exp(log_plan)``."""
    P = np.exp(log_plan)
    return float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum())


def timed(fn, *args, **kwargs) -> tuple[float, float, object]:
    """``(wall seconds, CPU seconds of this process, fn(*args, **kwargs))``."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu, out


def best_time(fn, repeats: int) -> tuple[float, float, object]:
    """The shortest of ``repeats`` wall and CPU times of ``fn()``, and its last result."""
    best, best_cpu, out = math.inf, math.inf, None
    for _ in range(repeats):
        wall, cpu, out = timed(fn)
        best, best_cpu = min(best, wall), min(best_cpu, cpu)
    return best, best_cpu, out


def _next_chunk(chunk: int, elapsed: float, iterations: int, cap: float) -> int:
    """Grow the chunk by 1.5, but not past the iterations that fit in the time left."""
    per_it = elapsed / max(iterations, 1)
    fit = int((cap - elapsed) / per_it) + 1 if iterations else chunk
    return max(10, min(int(chunk * 1.5), fit))


def package_sinkhorn(a, b, cost, reg: float, cap: float) -> dict:
    """The package's ``sinkhorn_log`` run in warm-started chunks until 1e-9 or ``cap`` seconds."""
    u = v = None
    elapsed, cpu, iterations, chunk = 0.0, 0.0, 0, 10
    trace = [[0.0, 0, None]]
    while elapsed < cap:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # each unfinished chunk warns; the record says it
            wall, used, res = timed(
                sinkhorn_log, a, b, cost, reg, max_iter=chunk, tol=TOL, log_u0=u, log_v0=v
            )
        elapsed, cpu = elapsed + wall, cpu + used
        if trace[0][2] is None:
            trace[0][2] = float(res.errors[0, 0])
        iterations += res.errors.shape[1] - 1
        trace.append([elapsed, iterations, float(res.errors[0, -1])])
        if res.converged[0]:
            break
        u, v = res.log_u, res.log_v
        chunk = _next_chunk(chunk, elapsed, iterations, cap)
    return _record(elapsed, cpu, iterations, trace, cap)


def _pot_chunk(a, b, cost, reg, its, u, v):
    """``its`` POT iterations from ``(u, v)``: (wall seconds, CPU seconds, u, v)."""
    wall, cpu, (_, log) = timed(
        lambda: ot.bregman.sinkhorn_log(
            a, b, cost, reg, numItermax=its, stopThr=0.0, log=True, warn=False, warmstart=(u, v)
        )
    )
    return wall, cpu, log["log_u"], log["log_v"]


def pot_sinkhorn(a, b, cost, reg: float, cap: float) -> dict:
    """POT's ``sinkhorn_log`` in warm-started chunks, the l1 error checked between chunks."""
    log_kernel = -cost / reg
    u, v = np.zeros(len(a)), np.zeros(len(b))
    elapsed, cpu, iterations, chunk = 0.0, 0.0, 0, 10
    trace = [[0.0, 0, l1_error(log_kernel, a, b)]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while elapsed < cap:
            seconds, used, u1, v1 = _pot_chunk(a, b, cost, reg, chunk, u, v)
            err = l1_error(log_kernel + u1[:, None] + v1[None, :], a, b)
            if err < TOL:  # find the first 10-iteration block below TOL
                done, err = 0, math.inf
                while err >= TOL and done < chunk:
                    seconds_10, used_10, u, v = _pot_chunk(a, b, cost, reg, 10, u, v)
                    elapsed, cpu, done = elapsed + seconds_10, cpu + used_10, done + 10
                    err = l1_error(log_kernel + u[:, None] + v[None, :], a, b)
                trace.append([elapsed, iterations + done, err])
                return _record(elapsed, cpu, iterations + done, trace, cap)
            elapsed, cpu, iterations, u, v = (
                elapsed + seconds,
                cpu + used,
                iterations + chunk,
                u1,
                v1,
            )
            trace.append([elapsed, iterations, err])
            chunk = _next_chunk(chunk, elapsed, iterations, cap)
    return _record(elapsed, cpu, iterations, trace, cap)


def _record(elapsed: float, cpu: float, iterations: int, trace: list, cap: float) -> dict:
    error = trace[-1][2]
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "iterations": iterations,
        "l1_error": error,
        "converged": error < TOL,
        "capped": error >= TOL,
        "cap_seconds": cap,
        "trace": [[round(t, 5), k, e] for t, k, e in trace],
    }


def sns_run(a, b, cost, reg: float, repeats: int, **options) -> dict:
    """Best-of-``repeats`` time of one SNS run to 1e-9 (``options`` override its defaults)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seconds, cpu, res = best_time(
            lambda: sns(a, b, cost, reg, max_newton=300, tol=TOL, **options), repeats
        )
    errors = res.errors[0][~np.isnan(res.errors[0])]
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "iterations": int(res.iterations[0]),
        "fallbacks": int(res.fallbacks[0]),
        "l1_error": float(errors[-1]),
        "converged": bool(res.converged[0]),
    }


def sns_trace(a, b, cost, reg: float, repeats: int, iterations: int) -> list:
    """(seconds, iteration, error) of SNS re-run with growing budgets (see the docstring)."""
    default_warmup = _sns_default("warmup")
    trace = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        budgets = [(w, 0) for w in (1, 2, 5, 10, 15) if w < default_warmup]
        budgets += [(default_warmup, k) for k in range(0, iterations - default_warmup + 1)]
        for warmup, newton in budgets:
            seconds, _, res = best_time(
                lambda w=warmup, k=newton: sns(a, b, cost, reg, warmup=w, max_newton=k, tol=TOL),
                repeats,
            )
            errors = res.errors[0][~np.isnan(res.errors[0])]
            trace.append([round(seconds, 5), warmup + newton, float(errors[-1])])
    return trace


def _sns_default(name: str):
    return inspect.signature(sns).parameters[name].default


def run(
    n: int, eta: float, repeats: int, seed: int, cap: float = 60.0, trace: bool = False
) -> dict:
    """One configuration: SNS, the package's Sinkhorn and POT to 1e-9 (Sinkhorns capped)."""
    a, b, cost = random_assignment(np.random.default_rng(seed), 1, n)
    reg = 1.0 / eta
    row = {"n": n, "eta": eta, "sns": sns_run(a, b, cost, reg, repeats)}
    row["sinkhorn"] = package_sinkhorn(a, b, cost, reg, cap)
    row["pot_sinkhorn_log"] = pot_sinkhorn(a[0], b[0], cost[0], reg, cap)
    for key, name in (("sinkhorn", "sinkhorn"), ("pot_sinkhorn_log", "pot")):
        row[f"ratio_{name}_to_sns"] = row[key]["seconds"] / row["sns"]["seconds"]
        row[f"cpu_ratio_{name}_to_sns"] = row[key]["cpu_seconds"] / row["sns"]["cpu_seconds"]
        row[f"ratio_{name}_is_lower_bound"] = row[key]["capped"]
    if trace:
        row["sns"]["trace"] = sns_trace(a, b, cost, reg, repeats, row["sns"]["iterations"])
    return row


def sweep(configs, repeats: int, seed: int) -> dict:
    """SNS's time to 1e-9 over keep fractions and warm-up lengths (see the docstring)."""
    settings = [("keep", k) for k in SWEEP_KEEPS] + [("warmup", w) for w in SWEEP_WARMUPS]
    rows = []
    for n, eta in configs:
        a, b, cost = random_assignment(np.random.default_rng(seed), 1, n)
        for axis, value in settings:
            if axis == "keep":
                options = {"keep_fraction": 1.0 if value is None else min(1.0, value / n)}
            else:
                options = {"warmup": value, "keep_fraction": SWEEP_WARMUP_KEEP / n}
            out = sns_run(a, b, cost, 1.0 / eta, repeats, **options)
            rows.append({"n": n, "eta": eta, "axis": axis, "value": value, **out})
            print(
                f"  sweep n={n} eta={eta:g} {axis}={value}: {out['seconds']:.3f}s "
                f"{out['iterations']} its",
                flush=True,
            )
    return {"configs": [list(c) for c in configs], "rows": rows, "best": _best(rows)}


def _best(rows: list) -> dict:
    """Per axis, the value with the smallest geometric mean of time / fastest-in-config."""
    best = {}
    for axis in ("keep", "warmup"):
        sub = [r for r in rows if r["axis"] == axis]
        fastest = {}
        for r in sub:
            key = (r["n"], r["eta"])
            fastest[key] = min(fastest.get(key, math.inf), r["cpu_seconds"])
        score = {}
        for r in sub:
            rel = r["cpu_seconds"] / fastest[(r["n"], r["eta"])] if r["converged"] else math.inf
            score.setdefault(str(r["value"]), []).append(math.log(rel))
        means = {v: math.exp(sum(s) / len(s)) for v, s in score.items()}
        best[axis] = {"relative_time": means, "best": min(means, key=means.get)}
    return best


def plot_trace(row: dict) -> Path:
    """Error against wall time of the three methods at one configuration (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    series = (
        ("sns", "SNS (warm-up, then Newton steps)", "C0", "o"),
        ("sinkhorn", "package sinkhorn_log", "C1", None),
        ("pot_sinkhorn_log", "POT sinkhorn_log", "C2", None),
    )
    for key, label, colour, marker in series:
        points = [(t, e) for t, _, e in row[key]["trace"] if t > 0]
        t, e = zip(*points, strict=True)
        capped = " (capped)" if row[key].get("capped") else ""
        ax.loglog(t, e, color=colour, marker=marker, markersize=3, label=label + capped)
    ax.axhline(TOL, color="grey", linestyle=":", linewidth=1, label="tolerance 1e-9")
    ax.set_xlabel("wall time (s, one core)")
    ax.set_ylabel(r"l1 marginal error $\|P1-a\|_1+\|P^T1-b\|_1$")
    ax.set_title(f"random assignment, n = {row['n']}, 1/reg = {row['eta']:g}")
    ax.legend(fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    path = RESULTS / f"sinkhorn_trace_n{row['n']}_eta{row['eta']:g}.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _ratio(row: dict, name: str) -> str:
    sign = ">=" if row[f"ratio_{name}_is_lower_bound"] else ""
    return f"{sign}{row[f'ratio_{name}_to_sns']:.1f} (CPU {row[f'cpu_ratio_{name}_to_sns']:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--etas", type=float, nargs="+", default=list(ETAS))
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--cap", type=float, default=60.0, help="seconds per Sinkhorn run")
    parser.add_argument("--repeats", type=int, default=3, help="best of, for SNS")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-sweep", action="store_true", help="skip the SNS defaults sweep")
    parser.add_argument("--out", default="sinkhorn_speed.json", help="file in benchmarks/results")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    load_start = os.getloadavg()[0]
    result = {
        "tol": TOL,
        "instance": "random assignment",
        "cap_seconds": args.cap,
        "sns_defaults": {k: _sns_default(k) for k in ("warmup", "keep_fraction")},
        "timing": __doc__.split("How each method is timed")[1].split("Defaults of")[0],
    }
    if not args.no_sweep:
        result["sweep"] = sweep(SWEEP_CONFIGS, args.repeats, args.seed)
        print("sweep best:", json.dumps(result["sweep"]["best"]), flush=True)
    rows = []
    for n in args.sizes:
        for eta in args.etas:
            row = run(n, eta, args.repeats, args.seed, args.cap, trace=(n, eta) in TRACES)
            rows.append(row)
            if "trace" in row["sns"]:
                row["figure"] = plot_trace(row).name
            print(
                f"n={n:5d} eta={eta:g}: SNS {row['sns']['seconds']:.3f}s "
                f"({row['sns']['iterations']} its) | Sinkhorn {row['sinkhorn']['seconds']:.1f}s "
                f"({row['sinkhorn']['iterations']} its, l1 {row['sinkhorn']['l1_error']:.1e}, "
                f"x{_ratio(row, 'sinkhorn')}) | POT {row['pot_sinkhorn_log']['seconds']:.1f}s "
                f"({row['pot_sinkhorn_log']['iterations']} its, "
                f"l1 {row['pot_sinkhorn_log']['l1_error']:.1e}, x{_ratio(row, 'pot')})",
                flush=True,
            )
    result["runs"] = rows
    # other work on the machine slows every method alike but shortens what a capped run reaches
    result["load_average_1min"] = {"start": load_start, "end": os.getloadavg()[0]}
    out = RESULTS / args.out
    out.write_text(json.dumps(result, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
