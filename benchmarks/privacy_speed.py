"""The package's privacy path against calling dp-accounting directly, side by side.

Two operations, each on the same grid of DP-SGD settings (sampling rate, steps, noise): the
epsilon a run spent (``simulators.privacy.spent_epsilon`` against building the ``DpEvent`` and
an ``RdpAccountant`` by hand), and the noise calibrated for a target budget
(``calibrate_noise_multiplier`` against ``dp_accounting.calibrate_dp_mechanism`` with a generic
bracket). The ratio is the package's overhead; the values must agree.

    python -m benchmarks.privacy_speed
"""

from __future__ import annotations

import time

import dp_accounting
from dp_accounting import dp_event
from dp_accounting.rdp import rdp_privacy_accountant

from simulators.privacy import calibrate_noise_multiplier, spent_epsilon

GRID = [(0.01, 1000, 1.1), (0.1, 100, 2.0), (1.0, 50, 5.0), (0.004, 10_000, 0.9)]
DELTA = 1e-5


def _direct_epsilon(q: float, steps: int, sigma: float) -> float:
    event = dp_event.SelfComposedDpEvent(
        dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma))
        if q < 1
        else dp_event.GaussianDpEvent(sigma),
        steps,
    )
    return rdp_privacy_accountant.RdpAccountant().compose(event).get_epsilon(DELTA)


def _direct_calibration(epsilon: float, q: float, steps: int) -> float:
    def make_event(sigma: float):
        step = dp_event.GaussianDpEvent(sigma)
        if q < 1:
            step = dp_event.PoissonSampledDpEvent(q, step)
        return dp_event.SelfComposedDpEvent(step, steps)

    return dp_accounting.calibrate_dp_mechanism(
        rdp_privacy_accountant.RdpAccountant,
        make_event,
        epsilon,
        DELTA,
        dp_accounting.LowerEndpointAndGuess(1e-3, 1.0),
        tol=1e-4,
    )


def _timed(fn, *args):
    t0 = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - t0


def run() -> dict:
    rows = []
    for q, steps, sigma in GRID:
        eps_pkg, t_pkg = _timed(spent_epsilon, sigma, q, steps, DELTA)
        eps_dir, t_dir = _timed(_direct_epsilon, q, steps, sigma)
        target = eps_dir
        cal_pkg, tc_pkg = _timed(calibrate_noise_multiplier, target, DELTA, q, steps)
        cal_dir, tc_dir = _timed(_direct_calibration, target, q, steps)
        rows.append(
            {
                "sampling_rate": q,
                "steps": steps,
                "noise_multiplier": sigma,
                "epsilon": eps_dir,
                "epsilon_relative_difference": abs(eps_pkg - eps_dir) / eps_dir,
                "spent_seconds": {"package": t_pkg, "direct": t_dir, "ratio": t_pkg / t_dir},
                "calibrated_noise": {"package": cal_pkg, "direct": cal_dir},
                "calibration_seconds": {
                    "package": tc_pkg,
                    "direct": tc_dir,
                    "ratio": tc_pkg / tc_dir,
                },
            }
        )
    return {"delta": DELTA, "runs": rows}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
