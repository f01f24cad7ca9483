r"""Privacy accounting for the DP simulators, through Google's ``dp-accounting``.

Nothing here is an accountant: every number comes from ``dp_accounting`` (the RDP accountant by
default, the PLD accountant on request). This module fixes the conventions and the calibration
path that every DP simulator of the package uses:

* adjacency is *add or remove one record* (``dp_accounting``'s default), and per-record
  gradients are bounded in norm by ``L`` (the Lipschitz constant, or the clip norm), so the *sum*
  of a batch's gradients has L2 sensitivity ``L``; the Gaussian noise added to that sum has
  standard deviation ``noise_multiplier * L``;
* a DP-SGD run of ``steps`` iterations, each on a Poisson sample of rate ``q``, is the event
  ``SelfComposed(PoissonSampled(q, Gaussian(noise_multiplier)), steps)``; ``q = 1`` is full-batch
  noisy gradient descent, the plain ``steps``-fold Gaussian composition;
* :func:`calibrate_noise_multiplier` finds the smallest noise multiplier whose run spends at most
  a target ``(epsilon, delta)``; :func:`spent_epsilon` is the epsilon a run with the noise it
  actually used spends at ``delta``. A simulator reports the latter, never the target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import dp_accounting
import numpy as np
from dp_accounting import dp_event
from dp_accounting.pld import pld_privacy_accountant
from dp_accounting.rdp import rdp_privacy_accountant

from . import common

ACCOUNTANTS = ("rdp", "pld")
#: An epsilon sweep on which the calibrated noise multiplier follows 1/epsilon closely. The
#: accountant's conversion from RDP to (epsilon, delta) adds logarithmic factors (the
#: log(alpha)/(alpha - 1) term of the improved conversion, the discrete order grid):
#: calibrate_noise_multiplier(eps) has a fitted exponent of -0.92 on [1/4, 1] at delta = 1e-5
#: but -0.975 at delta = 1e-8, where the correction is small next to log(1/delta). Sweeps in
#: epsilon that test a 1/epsilon (or 1/epsilon^2) law use this grid at this delta.
EPSILON_SWEEP = np.array([0.25, 0.35, 0.5, 0.71, 1.0])
EPSILON_SWEEP_DELTA = 1e-8
#: Relative search tolerance of the calibration: the returned multiplier is within this factor
#: of the smallest admissible one, and never below it (dp_accounting checks the returned root).
CALIBRATION_RTOL = 1e-6


@dataclass(frozen=True)
class PrivacySpent:
    """The ``(epsilon, delta)`` a run spent, as computed by ``dp_accounting``.

    Parameters
    ----------
    epsilon, delta
        The guarantee: the run is ``(epsilon, delta)``-DP (add/remove adjacency).
    noise_multiplier
        The noise the run actually used, in units of the sensitivity.
    sampling_rate
        Poisson sampling rate per step (1 for full batch).
    steps
        Number of noisy steps composed.
    accountant
        ``"rdp"`` or ``"pld"``.
    """

    epsilon: float
    delta: float
    noise_multiplier: float
    sampling_rate: float
    steps: int
    accountant: str = "rdp"

    def within(self, epsilon: float, delta: float, rtol: float = 1e-9) -> bool:
        """Whether this spending is within a claimed ``(epsilon, delta)`` budget."""
        return self.delta <= delta * (1 + rtol) and self.epsilon <= epsilon * (1 + rtol)


def check_budget(epsilon: float, delta: float) -> None:
    """Raise ``ValueError`` unless ``epsilon > 0`` is finite and ``0 < delta < 1``."""
    common.check_positive("epsilon", epsilon)
    check_delta(delta)


def check_delta(delta: float) -> None:
    """Raise ``ValueError`` unless ``0 < delta < 1``."""
    if not isinstance(delta, int | float) or not 0 < delta < 1:
        raise ValueError(f"delta must lie in the open interval (0, 1), got {delta!r}")


def check_mechanism(noise_multiplier: float, sampling_rate: float, steps: int) -> None:
    """Raise ``ValueError`` for a noise multiplier that is not positive and finite, a
    sampling rate outside ``(0, 1]`` or a step count below 1."""
    if (
        not isinstance(noise_multiplier, int | float)
        or not math.isfinite(noise_multiplier)
        or noise_multiplier <= 0
    ):
        raise ValueError(
            f"noise multiplier must be positive and finite, got {noise_multiplier!r} "
            "(a noise multiplier of 0 releases the gradients: no finite epsilon)"
        )
    check_sampling_rate(sampling_rate)
    common.check_positive_int("steps", steps)


def check_sampling_rate(sampling_rate: float) -> None:
    """Raise ``ValueError`` unless ``0 < sampling_rate <= 1``."""
    if not isinstance(sampling_rate, int | float) or not 0 < sampling_rate <= 1:
        raise ValueError(f"sampling rate must lie in (0, 1], got {sampling_rate!r}")


def dp_sgd_event(noise_multiplier: float, sampling_rate: float, steps: int) -> dp_event.DpEvent:
    """The ``DpEvent`` of ``steps`` Poisson-subsampled Gaussian steps (full batch if q = 1)."""
    check_mechanism(noise_multiplier, sampling_rate, steps)
    step = dp_event.GaussianDpEvent(noise_multiplier)
    if sampling_rate < 1:
        step = dp_event.PoissonSampledDpEvent(sampling_rate, step)
    return dp_event.SelfComposedDpEvent(step, steps)


def _accountant(accountant: str, orders: Sequence[float] | None = None):
    if accountant == "rdp":
        return rdp_privacy_accountant.RdpAccountant(orders=orders)
    if accountant == "pld":
        if orders is not None:
            raise ValueError("orders apply to the RDP accountant only")
        return pld_privacy_accountant.PLDAccountant()
    raise ValueError(f"accountant must be one of {ACCOUNTANTS}, got {accountant!r}")


def event_epsilon(
    event: dp_event.DpEvent,
    delta: float,
    accountant: str = "rdp",
    orders: Sequence[float] | None = None,
) -> float:
    """Epsilon at ``delta`` of any composed ``DpEvent`` (e.g. preprocessing plus training)."""
    check_delta(delta)
    return float(_accountant(accountant, orders).compose(event).get_epsilon(delta))


def spent_epsilon(
    noise_multiplier: float,
    sampling_rate: float,
    steps: int,
    delta: float,
    accountant: str = "rdp",
    orders: Sequence[float] | None = None,
) -> float:
    """Epsilon spent at ``delta`` by a DP-SGD run with the given noise, rate and steps."""
    event = dp_sgd_event(noise_multiplier, sampling_rate, steps)
    return event_epsilon(event, delta, accountant, orders)


def privacy_spent(
    noise_multiplier: float,
    sampling_rate: float,
    steps: int,
    delta: float,
    accountant: str = "rdp",
) -> PrivacySpent:
    """:func:`spent_epsilon` with its inputs, as a :class:`PrivacySpent` record."""
    eps = spent_epsilon(noise_multiplier, sampling_rate, steps, delta, accountant)
    return PrivacySpent(
        eps, delta, float(noise_multiplier), float(sampling_rate), steps, accountant
    )


def calibrate_noise_multiplier(
    epsilon: float,
    delta: float,
    sampling_rate: float,
    steps: int,
    accountant: str = "rdp",
    preceding: Sequence[dp_event.DpEvent] = (),
) -> float:
    """The smallest noise multiplier whose DP-SGD run is ``(epsilon, delta)``-DP.

    Uses ``dp_accounting.calibrate_dp_mechanism`` (Brent's method on the accountant's epsilon),
    which guarantees the returned multiplier does not overspend the budget. ``preceding``
    events (a private preprocessing step) are composed with the run: the budget covers both.

    Raises
    ------
    ValueError
        For a budget that is not ``epsilon > 0``, ``0 < delta < 1``, a sampling rate outside
        ``(0, 1]`` or a step count below 1.
    """
    check_budget(epsilon, delta)
    check_sampling_rate(sampling_rate)
    steps = common.check_positive_int("steps", steps)

    def make_event(sigma: float) -> dp_event.DpEvent:
        run = dp_sgd_event(sigma, sampling_rate, steps)
        return dp_event.ComposedDpEvent([*preceding, run]) if preceding else run

    if preceding and event_epsilon(dp_event.ComposedDpEvent(list(preceding)), delta) >= epsilon:
        raise ValueError(f"the preceding events alone spend more than epsilon = {epsilon}")

    # The Gaussian noise needed for T full-batch steps is about sqrt(T log(1/delta))/epsilon;
    # starting the bracket search there keeps it to a few accountant calls.
    guess = max(1e-3, math.sqrt(2 * steps * math.log(1 / delta)) / epsilon * min(1, sampling_rate))
    sigma = dp_accounting.calibrate_dp_mechanism(
        lambda: _accountant(accountant),
        make_event,
        epsilon,
        delta,
        dp_accounting.LowerEndpointAndGuess(1e-4 * guess, guess),
        tol=CALIBRATION_RTOL * guess,
    )
    return float(sigma)


def rdp_poisson_gaussian(
    sampling_rate: float, noise_multiplier: float, orders: Sequence[float]
) -> list[float]:
    """Per-step RDP of the Poisson-subsampled Gaussian at ``orders``, from ``dp_accounting``."""
    acc = _accountant("rdp", orders)
    acc.compose(dp_sgd_event(noise_multiplier, sampling_rate, 1))
    return [float(v) for v in acc.rdp]


def rdp_gaussian(noise_multiplier: float, orders: Sequence[float]) -> list[float]:
    """RDP of the plain Gaussian mechanism (sensitivity 1) at ``orders``, from ``dp_accounting``."""
    return rdp_poisson_gaussian(1.0, noise_multiplier, orders)


def privacy_of_noise(
    noise_std: float,
    sensitivity: float,
    sampling_rate: float,
    steps: int,
    delta: float,
    accountant: str = "rdp",
) -> PrivacySpent:
    """What a run spent, from the noise it actually added.

    ``noise_std`` is the standard deviation of the Gaussian noise added per step to a statistic
    whose L2 sensitivity (add/remove one record) is ``sensitivity``; the noise multiplier is
    their ratio.
    """
    common.check_positive("sensitivity", sensitivity)
    return privacy_spent(float(noise_std) / sensitivity, sampling_rate, steps, delta, accountant)
