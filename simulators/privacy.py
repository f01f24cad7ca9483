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
  a target ``(epsilon, delta)``, within a relative tolerance of the answer, with either
  accountant; :func:`spent_epsilon` is the epsilon a run with the noise it actually used spends
  at ``delta``. A simulator reports the latter, never the target;
* a schedule given in epochs becomes a step count as TensorFlow Privacy and Opacus count it
  (:func:`dp_sgd_schedule`: ``q = batch_size / n``, ``steps = ceil(epochs n / batch_size)``);
* what ``dp_accounting`` logs about its own computation (an RDP order whose series failed to
  converge and was excluded from the epsilon) is passed on as an :class:`AccountingWarning`
  and listed in :attr:`PrivacySpent.excluded_orders`, never swallowed.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import warnings
from collections.abc import Iterator, Sequence
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
#: Factor by which the calibration's bracket grows or shrinks from its first guess. The PLD
#: accountant's memory grows with the privacy loss's range (about 1/sigma^2 per step), so the
#: bracket never strays far below the answer: one step of this factor at most.
_BRACKET_FACTOR = 1.5


class AccountingWarning(UserWarning):
    """``dp_accounting`` reported a problem in its own computation (an excluded RDP order)."""


_EXCLUDED_ORDER = re.compile(r"alpha=([0-9.eE+-]+)\. Excluding this order")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _accountant_warnings() -> Iterator[list[str]]:
    """Collect what ``dp_accounting`` logs (through absl) and re-emit it as warnings."""
    handler = _Collect()
    logger = logging.getLogger("absl")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
    for message in dict.fromkeys(handler.messages):
        warnings.warn(f"dp_accounting: {message}", AccountingWarning, stacklevel=4)


def excluded_orders(messages: Sequence[str]) -> tuple[float, ...]:
    """The RDP orders that ``dp_accounting``'s messages say were excluded from the epsilon."""
    found = {float(m.group(1)) for msg in messages if (m := _EXCLUDED_ORDER.search(msg))}
    return tuple(sorted(found))


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
    excluded_orders
        RDP orders that ``dp_accounting`` excluded from the epsilon (its series for them did
        not converge); the epsilon is still a valid bound, over the remaining orders.
    """

    epsilon: float
    delta: float
    noise_multiplier: float
    sampling_rate: float
    steps: int
    accountant: str = "rdp"
    excluded_orders: tuple[float, ...] = ()

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


def _is_real(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def check_mechanism(
    noise_multiplier: float, sampling_rate: float, steps: int
) -> tuple[float, float, int]:
    """The mechanism's parameters as Python numbers (numpy scalars accepted, bools not).

    Raises
    ------
    ValueError
        For a noise multiplier that is not positive and finite, a sampling rate outside
        ``(0, 1]`` or a step count that is not an integer of at least 1.
    """
    if (
        not _is_real(noise_multiplier)
        or not math.isfinite(noise_multiplier)
        or noise_multiplier <= 0
    ):
        raise ValueError(
            f"noise multiplier must be positive and finite, got {noise_multiplier!r} "
            "(a noise multiplier of 0 releases the gradients: no finite epsilon)"
        )
    rate = check_sampling_rate(sampling_rate)
    return float(noise_multiplier), rate, common.check_positive_int("steps", steps)


def check_sampling_rate(sampling_rate: float) -> float:
    """``sampling_rate`` as a float; raise ``ValueError`` unless ``0 < sampling_rate <= 1``."""
    if not _is_real(sampling_rate) or not 0 < sampling_rate <= 1:
        raise ValueError(f"sampling rate must lie in (0, 1], got {sampling_rate!r}")
    return float(sampling_rate)


def dp_sgd_schedule(n: int, batch_size: int, epochs: float) -> tuple[float, int]:
    """The Poisson sampling rate and step count of ``epochs`` passes of batches over ``n`` records.

    As TensorFlow Privacy's ``compute_dp_sgd_privacy`` and Opacus count them: the expected batch
    size is ``batch_size``, so ``q = batch_size / n``, and ``steps = ceil(epochs n / batch_size)``
    (60 epochs of batch 256 over 60000 records: ``q = 0.004267``, 14063 steps).

    Raises
    ------
    ValueError
        Unless ``n`` and ``batch_size`` are positive integers with ``batch_size <= n`` and
        ``epochs`` is positive and finite.
    """
    n = common.check_positive_int("n", n)
    batch_size = common.check_positive_int("batch_size", batch_size)
    epochs = common.check_positive("epochs", epochs)
    if batch_size > n:
        raise ValueError(f"batch_size ({batch_size}) cannot exceed n ({n})")
    # the product is rounded before ceil so that an exact number of steps (e.g. 1.0000000000002
    # from a float epoch count) does not gain one
    return batch_size / n, max(1, math.ceil(round(epochs * n / batch_size, 9)))


def dp_sgd_event(noise_multiplier: float, sampling_rate: float, steps: int) -> dp_event.DpEvent:
    """The ``DpEvent`` of ``steps`` Poisson-subsampled Gaussian steps (full batch if q = 1)."""
    noise_multiplier, sampling_rate, steps = check_mechanism(noise_multiplier, sampling_rate, steps)
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
    """Epsilon at ``delta`` of any composed ``DpEvent`` (e.g. preprocessing plus training).

    What ``dp_accounting`` logs while computing it is re-emitted as an :class:`AccountingWarning`.
    """
    return _event_epsilon(event, delta, accountant, orders)[0]


def _event_epsilon(
    event: dp_event.DpEvent,
    delta: float,
    accountant: str = "rdp",
    orders: Sequence[float] | None = None,
) -> tuple[float, tuple[float, ...]]:
    check_delta(delta)
    with _accountant_warnings() as messages:
        epsilon = float(_accountant(accountant, orders).compose(event).get_epsilon(delta))
    return epsilon, excluded_orders(messages)


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
    """:func:`spent_epsilon` with its inputs, as a :class:`PrivacySpent` record (with the RDP
    orders ``dp_accounting`` excluded, if any)."""
    event = dp_sgd_event(noise_multiplier, sampling_rate, steps)
    eps, excluded = _event_epsilon(event, delta, accountant)
    sigma, rate, count = check_mechanism(noise_multiplier, sampling_rate, steps)
    return PrivacySpent(eps, delta, sigma, rate, count, accountant, excluded)


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
    which guarantees the returned multiplier does not overspend the budget, on a bracket found
    here: from a first guess (the Gaussian's ``sqrt(2 T log(1/delta)) q / epsilon``, or, for the
    PLD accountant, the RDP accountant's answer, which is an upper bound on it), grown or shrunk
    by a factor 1.5 until it brackets the answer. So the PLD accountant is only ever evaluated
    near the answer (its memory grows without bound as the noise goes to 0), and the tolerance,
    ``CALIBRATION_RTOL`` times the bracket's lower end, is relative to the answer itself.
    ``preceding`` events (a private preprocessing step) are composed with the run: the budget
    covers both. Any step count that is an integer (Python or numpy) is accepted.

    Raises
    ------
    ValueError
        For a budget that is not ``epsilon > 0``, ``0 < delta < 1``, a sampling rate outside
        ``(0, 1]`` or a step count below 1.
    """
    check_budget(epsilon, delta)
    sampling_rate = check_sampling_rate(sampling_rate)
    steps = common.check_positive_int("steps", steps)
    epsilon = float(epsilon)

    def make_event(sigma: float) -> dp_event.DpEvent:
        run = dp_sgd_event(sigma, sampling_rate, steps)
        return dp_event.ComposedDpEvent([*preceding, run]) if preceding else run

    if preceding and event_epsilon(dp_event.ComposedDpEvent(list(preceding)), delta) >= epsilon:
        raise ValueError(f"the preceding events alone spend more than epsilon = {epsilon}")

    if accountant == "pld":
        guess = calibrate_noise_multiplier(epsilon, delta, sampling_rate, steps, "rdp", preceding)
    else:
        _accountant(accountant)  # reject an unknown accountant before searching
        guess = math.sqrt(2 * steps * math.log(1 / delta)) / epsilon * sampling_rate
        guess = max(guess, 1e-3)

    def overspends(sigma: float) -> bool:
        return event_epsilon(make_event(sigma), delta, accountant) > epsilon

    low, high = _bracket(overspends, guess)
    sigma = dp_accounting.calibrate_dp_mechanism(
        lambda: _accountant(accountant),
        make_event,
        epsilon,
        delta,
        dp_accounting.ExplicitBracketInterval(low, high),
        tol=CALIBRATION_RTOL * low,
    )
    return float(sigma)


def _bracket(overspends, guess: float, max_steps: int = 200) -> tuple[float, float]:
    """``(low, high)`` with ``overspends(low)`` and not ``overspends(high)``, ``high / low`` at
    most 1.5, searched geometrically from ``guess``."""
    high = guess
    for _ in range(max_steps):
        if not overspends(high):
            break
        high *= _BRACKET_FACTOR
    else:
        raise ValueError(f"no noise multiplier up to {high:.3g} meets the budget")
    low = high / _BRACKET_FACTOR
    for _ in range(max_steps):
        if overspends(low):
            return low, high
        low, high = low / _BRACKET_FACTOR, low
    raise ValueError(f"every noise multiplier down to {low:.3g} meets the budget")


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
