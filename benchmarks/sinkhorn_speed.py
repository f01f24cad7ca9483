"""Time to marginal error 1e-9: SNS, the package's log-domain Sinkhorn and POT's sinkhorn_log.

Random assignment problems (``C ~ U[0, 1]^{n x n}``, uniform marginals) at ``n`` in
{200, 500, 1000} and ``eta = 1/reg`` in {100, 400} (an easy and a hard regime), SNS with
``lambda = 5/n`` and 20 warm-up steps, one core, best of ``--repeats`` runs. The package's
solvers stop on the l1 marginal error ``||P1 - a||_1 + ||P^T 1 - b||_1 < 1e-9``; POT stops on
its own criterion (the l2 column error, checked every 10th iteration, ``stopThr = 1e-9``), and
the l1 error of the plan it returns is reported next to its time. Ratios are times relative to
SNS.

Usage: ``python benchmarks/sinkhorn_speed.py [--etas 100 400] [--repeats 3]``; writes
``benchmarks/results/sinkhorn_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import ot

from simulators.sinkhorn import plan, random_assignment, sinkhorn_log
from simulators.sns import sns

TOL = 1e-9


def best_time(fn, repeats: int):
    best, out = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def l1_error(P: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum())


def run(n: int, eta: float, repeats: int, seed: int) -> dict:
    a, b, cost = random_assignment(np.random.default_rng(seed), 1, n)
    reg = 1.0 / eta
    cap = 200_000
    t_sns, res_sns = best_time(
        lambda: sns(a, b, cost, reg, warmup=20, max_newton=200, tol=TOL, keep_fraction=5 / n),
        repeats,
    )
    t_sk, res_sk = best_time(lambda: sinkhorn_log(a, b, cost, reg, max_iter=cap, tol=TOL), repeats)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_pot, res_pot = best_time(
            lambda: ot.bregman.sinkhorn_log(
                a[0], b[0], cost[0], reg, numItermax=cap, stopThr=TOL, log=True
            ),
            repeats,
        )
    P_sk = plan(res_sk.log_u, res_sk.log_v, cost, reg)[0]
    return {
        "n": n,
        "eta": eta,
        "sns": {
            "seconds": t_sns,
            "iterations": int(res_sns.iterations[0]),
            "fallbacks": int(res_sns.fallbacks[0]),
        },
        "sinkhorn": {
            "seconds": t_sk,
            "iterations": int(res_sk.iterations[0]),
            "l1_error": l1_error(P_sk, a[0], b[0]),
        },
        "pot_sinkhorn_log": {
            "seconds": t_pot,
            "iterations": int(res_pot[1]["niter"]) + 1,
            "l1_error": l1_error(res_pot[0], a[0], b[0]),
        },
        "ratio_sinkhorn_to_sns": t_sk / t_sns,
        "ratio_pot_to_sns": t_pot / t_sns,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--etas", type=float, nargs="+", default=[100.0, 400.0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 500, 1000])
    parser.add_argument("--out", default="sinkhorn_speed.json", help="file in benchmarks/results")
    args = parser.parse_args()
    rows = []
    for eta in args.etas:
        for n in args.sizes:
            row = run(n, eta, args.repeats, args.seed)
            rows.append(row)
            print(
                f"n={n:5d} eta={eta:g}: SNS {row['sns']['seconds']:.3f}s "
                f"({row['sns']['iterations']} its) | Sinkhorn {row['sinkhorn']['seconds']:.3f}s "
                f"({row['sinkhorn']['iterations']} its, x{row['ratio_sinkhorn_to_sns']:.1f}) | "
                f"POT {row['pot_sinkhorn_log']['seconds']:.3f}s "
                f"({row['pot_sinkhorn_log']['iterations']} its, x{row['ratio_pot_to_sns']:.1f}, "
                f"l1 {row['pot_sinkhorn_log']['l1_error']:.1e})",
                flush=True,
            )
    out = Path(__file__).parent / "results" / args.out
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"tol": TOL, "instance": "random assignment", "runs": rows}, indent=2)
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
