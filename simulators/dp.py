r"""Differentially private gradient methods and their problem instances.

Every simulator here adds Gaussian noise of a standard deviation the caller chooses and reports
the ``(epsilon, delta)`` that noise actually buys, computed by ``dp_accounting`` through
:mod:`simulators.privacy` (add/remove adjacency; per-record gradients bounded by ``L``, so the
sum over a batch has sensitivity ``L`` and its average over ``n`` records ``L / n``, n public).
It also measures what that accounting assumes: the largest norm of one record's gradient seen
over the run, divided by n, next to the sensitivity the accountant was given
(:class:`~simulators.dp_sensitivity.Sensitivity`, one per configuration).
Iterates are arrays of shape ``(replicates, configurations, d)``: one run advances several
noise levels or step sizes at once, on common random numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import common
from .dp_sensitivity import Sensitivity, sensitivity_notes
from .privacy import PrivacySpent, check_delta, privacy_of_noise

#: The release every gradient-descent simulator here noises: the mean of the per-record gradients.
GRADIENT_MEAN = "gradient mean"


@dataclass
class DPRun:
    """Result of a DP simulation.

    Parameters
    ----------
    values
        The measured quantity, shape ``(replicates, configurations)``.
    privacy
        One :class:`~simulators.privacy.PrivacySpent` per configuration: what the noise that
        was actually added buys, from ``dp_accounting``.
    sensitivity
        Per configuration and noised release, the sensitivity the accounting used and the
        largest contribution of one record the run measured.
    """

    values: np.ndarray
    privacy: list[PrivacySpent] = field(default_factory=list)
    sensitivity: list[Sensitivity] = field(default_factory=list)

    def privacy_notes(self, epsilon: float | np.ndarray, delta: float) -> dict:
        """:func:`privacy_notes` of this run's configurations."""
        return privacy_notes(self.privacy, epsilon, delta)

    def sensitivity_notes(self) -> dict:
        """:func:`~simulators.dp_sensitivity.sensitivity_notes` of this run's releases."""
        return sensitivity_notes(self.sensitivity)

    @staticmethod
    def joined(runs: Sequence[DPRun]) -> DPRun:
        """Runs of one configuration each, side by side: values stacked along configurations."""
        return DPRun(
            np.hstack([r.values for r in runs]),
            [p for r in runs for p in r.privacy],
            [e for r in runs for e in r.sensitivity],
        )


def spent_by_noise(
    noise_std: float, sensitivity: float, sampling_rate: float, steps: int, delta: float
) -> PrivacySpent:
    """:func:`~simulators.privacy.privacy_of_noise`, or an infinite epsilon for a run without
    noise (it releases its gradients: no finite epsilon)."""
    if noise_std == 0:
        return PrivacySpent(math.inf, delta, 0.0, float(sampling_rate), int(steps))
    return privacy_of_noise(noise_std, sensitivity, sampling_rate, steps, delta)


def privacy_notes(
    spent: Sequence[PrivacySpent], epsilon: float | np.ndarray, delta: float
) -> dict[str, list[dict[str, float]]]:
    """What each configuration claims (``epsilon``: one value, or one per configuration) next to
    what it spent, from the noise it actually used: the ledger a claim records in its notes."""
    eps = np.broadcast_to(np.asarray(epsilon, float), (len(spent),))
    return {
        "claimed": [{"epsilon": float(e), "delta": delta} for e in eps],
        "spent": [{"epsilon": p.epsilon, "delta": p.delta} for p in spent],
    }


# --- absolute-deviation loss: a sharp minimum --------------------------------------------------


@dataclass
class AbsoluteLoss:
    r"""Empirical risk :math:`F(\theta) = \frac{G}{n} \sum_i \|\theta - z_i\|_1 / \sqrt d`.

    Each record's loss is G-Lipschitz in the Euclidean norm (its subgradient is G times a sign
    vector divided by :math:`\sqrt d`; ``scale`` is G, 1 by default). The minimizer is the
    coordinatewise median, and the excess risk grows linearly with the distance to it: a sharp
    minimum. The data set is described by
    ``values``, shape ``(n,)``: every coordinate of the records runs through these values (the
    columns of the data matrix are permutations of ``values``), so that
    :math:`F(\theta) = \frac{1}{\sqrt d}\sum_j f(\theta_j)` with
    :math:`f(t) = \frac1n \sum_i |t - v_i|`, in any dimension.
    """

    values: np.ndarray
    scale: float = 1.0
    sorted_values: np.ndarray = field(init=False)
    prefix: np.ndarray = field(init=False)
    distinct: np.ndarray = field(init=False)
    #: The values and their predecessors among floats, sorted, each once: the count of values
    #: and predecessors below t is #{v < t} + #{v <= t} (prev(v) < t exactly when v <= t), so
    #: one search gives the records below minus the records above (read off the table).
    split: np.ndarray = field(init=False)
    #: ``gradient_table[j]``: :meth:`coordinate_gradient` where :attr:`split` has j entries below.
    gradient_table: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        values = np.asarray(self.values, float)
        if values.ndim != 1 or len(values) < 2 or not np.all(np.isfinite(values)):
            raise ValueError(f"values must be a finite vector of length >= 2, got {values!r}")
        common.check_positive("scale", self.scale)
        self.values = values
        self.sorted_values = np.sort(values)
        self.prefix = np.concatenate([[0.0], np.cumsum(self.sorted_values)])
        self.distinct = np.unique(values)
        predecessors = np.nextafter(self.sorted_values, -np.inf)
        thresholds = np.sort(np.concatenate([self.sorted_values, predecessors]))
        self.split = np.unique(thresholds)
        # below t, when `split` has j entries below it: the thresholds up to split[j - 1]
        below = np.concatenate([[0], np.searchsorted(thresholds, self.split, side="right")])
        self.gradient_table = self.scale * (below - self.n) / self.n

    @property
    def n(self) -> int:
        return len(self.values)

    def coordinate_gradient(self, t: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """:math:`f'(t)` elementwise: (records below minus records above) / n (into ``out``,
        an array of t's shape, when given)."""
        # below - above = #{v < t} + #{v <= t} - n: one search in `split`, one table lookup
        # (the search's positions 0 .. len(split) all index the table: no bounds check needed)
        return self.gradient_table.take(np.searchsorted(self.split, t), out=out, mode="clip")

    def largest_record_gradient(self, t: np.ndarray) -> np.ndarray:
        """Elementwise, the largest magnitude of one record's term in :meth:`coordinate_gradient`
        times n: ``G |sign(t - v)|`` over the values v (0 only where t equals every value).

        Summed in squares over coordinates it bounds one record's gradient norm from above,
        with equality when some record's values avoid t in every coordinate (always, off ties).
        """
        # |sign(t - v)| is 1 for some value v unless t equals them all, i.e. unless t equals
        # both the smallest and the largest: two comparisons instead of one per value
        lo, hi = self.distinct[0], self.distinct[-1]
        return self.scale * ((t != lo) | (t != hi))

    def coordinate_excess(self, t: np.ndarray) -> np.ndarray:
        r""":math:`f(t) - \min f` elementwise."""
        return self.scale * (self._f(t) - self._f(self.sorted_values[(self.n - 1) // 2]))

    def _f(self, t):
        v, s, n = self.sorted_values, self.prefix, self.n
        k = np.searchsorted(v, t)
        # (t k - s[k] + (s[n] - s[k]) - t (n - k)) / n in that order, one lookup, in place
        below = s.take(k)
        f = t * k
        f -= below
        f += s[n] - below
        f -= t * (n - k)
        f /= n
        return f


def symmetric_sharp_values(n: int) -> np.ndarray:
    """Half the records at 0, a quarter at +1/2, a quarter at -1/2 (per coordinate).

    The median is 0 and ``f(t) - f* = |t| / 2`` for ``|t| <= 1/2``: in dimension ``d``,
    ``F(theta) - F* = ||theta||_1 / (2 sqrt d)`` near the minimum.
    """
    if n < 4 or n % 4:
        raise ValueError(f"n must be a positive multiple of 4, got {n}")
    return np.concatenate([np.zeros(n // 2), np.full(n // 4, 0.5), np.full(n // 4, -0.5)])


#: Noise drawn per chunk of steps: about this many numbers (2 MB, in cache: 5% faster than 16 MB
#: chunks; the draws and the running sum, so the numbers, do not depend on the chunking).
_CHUNK_ELEMENTS = 1 << 18


def _segments(horizons: np.ndarray) -> list[tuple[int, int]]:
    """``(first, stop)`` per stretch of steps over which the same configurations run: those from
    ``first`` on (the ones before have reached their horizon) until step ``stop``."""
    ends = sorted(set(int(h) for h in horizons))
    starts = [0, *ends[:-1]]
    return [(int(np.sum(horizons <= a)), b) for a, b in zip(starts, ends, strict=True)]


def _checked_sharp_run(
    loss: AbsoluteLoss,
    distance: float,
    dims: np.ndarray,
    step: np.ndarray,
    noise_std: np.ndarray,
    sensitivity: np.ndarray,
    steps: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    delta: float,
    every: int,
    records: np.ndarray | None,
) -> tuple[np.ndarray, ...]:
    """The checks of :func:`dp_gd_random_iterate`; its per-configuration arrays
    ``(step, noise_std, sensitivity, horizons, dims, records)``."""
    step = common.check_positive_array("step", step)
    noise_std = common.check_positive_array("noise_std", noise_std, allow_zero=True)
    sensitivity = common.check_positive_array("sensitivity", sensitivity)
    horizons = np.atleast_1d(np.asarray(steps))
    dims = np.atleast_1d(np.asarray(dims))
    if not step.shape == noise_std.shape == sensitivity.shape == horizons.shape == dims.shape:
        raise ValueError("dims, step, noise_std, sensitivity, steps: one entry per configuration")
    for name, arr in (("steps", horizons), ("dims", dims)):
        if not np.issubdtype(arr.dtype, np.integer) or arr.min() < 1:
            raise ValueError(f"{name} must be positive integers, got {arr.tolist()}")
    if np.any(np.diff(horizons) < 0):
        raise ValueError(f"steps must be non-decreasing over configurations, got {horizons}")
    common.check_positive_int("replicates", replicates)
    common.check_positive_int("every", every)
    common.check_generator(rng)
    check_delta(delta)
    common.check_positive("distance", distance, allow_zero=True)
    records = np.full(len(step), loss.n) if records is None else np.atleast_1d(records)
    if records.shape != step.shape or np.any(records % loss.n) or records.min() < loss.n:
        raise ValueError(f"records must be multiples of {loss.n}, one per configuration")
    return step, noise_std, sensitivity, horizons, dims, records


def _advance(
    loss: AbsoluteLoss,
    views: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    noise: np.ndarray,
    begin: int,
    every: int,
    largest: np.ndarray | None,
) -> np.ndarray:
    """``len(noise)`` steps of :func:`dp_gd_random_iterate` from step ``begin``, in place on the
    iterates ``views[0]`` (the others: the coordinate scale, the mask, eta times the mask).

    Returns the risk of the iterates at the steps that are multiples of ``every``, one row per
    such step; ``largest`` (when given) is raised to the per-step largest record gradient."""
    th, sc, mk, em = views
    evaluated = [i for i in range(len(noise)) if (begin + i) % every == 0]
    snapshots = np.empty((len(evaluated), *th.shape))
    # The per-step factors spread to the iterates' shape once: a product with an operand
    # broadcast along the last axis took about ten times a contiguous one (3072 iterates: 5.7
    # against 0.6 us a step). The same products, so the same numbers to the bit.
    sc_full = np.ascontiguousarray(np.broadcast_to(sc, th.shape))
    em_full = np.ascontiguousarray(np.broadcast_to(em, th.shape))
    grad = np.empty(th.shape)
    for i, z in enumerate(noise):
        if (begin + i) % every == 0:
            snapshots[(i - evaluated[0]) // every] = th
        if largest is not None:
            one = np.sqrt(((loss.largest_record_gradient(th) * sc * mk) ** 2).sum(axis=-1))
            np.maximum(largest, one.max(axis=0), out=largest)
        loss.coordinate_gradient(th, out=grad)
        grad *= sc_full
        grad += z
        grad *= em_full
        th -= grad
    return (loss.coordinate_excess(snapshots) * mk).sum(axis=-1) * sc[..., 0]


def _sharp_runs(
    loss: AbsoluteLoss,
    distance: float,
    dims: np.ndarray,
    step: np.ndarray,
    noise_std: np.ndarray,
    horizons: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    every: int,
    common_noise: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The runs of :func:`dp_gd_random_iterate`: the mean risk over the evaluated steps,
    ``(replicates, m)``, and per configuration the largest gradient norm of one record."""
    m, width = len(step), int(dims.max())
    # Configurations of smaller dimension use the first d coordinates; the rest stay at 0 and
    # are masked out of the gradient, the noise and the risk.
    mask = (np.arange(width)[None, :] < dims[:, None]).astype(float)[None]
    scale = (1.0 / np.sqrt(dims))[None, :, None]
    theta = np.broadcast_to(distance * scale[0] * mask, (replicates, m, width)).copy()
    total = np.zeros((replicates, m))
    # eta * mask in one factor: mask is 0 or 1, so (eta g) mask == g (eta mask) to the bit
    eta_mask, s = step[None, :, None] * mask, noise_std[None, :, None]
    # |sign(t - v)| is 1 for some value v at every t unless all the values are equal: one
    # record's gradient norm is then G over the configuration's d coordinates at every step (the
    # number the per-step maximum gives); only a degenerate loss is measured step by step
    ones = np.ones((1, m, width))
    largest = np.sqrt(((loss.largest_record_gradient(ones) * scale * mask) ** 2).sum(axis=-1))[0]
    per_step = loss.distinct[0] == loss.distinct[-1]
    if per_step:
        largest[:] = 0.0
    start = 0
    # The configurations still running are constant between consecutive horizons: within such a
    # segment, the noise is drawn in chunks (the same numbers, in the same order, as one draw per
    # step) and the risk of a chunk's evaluated iterates is computed in one pass.
    for first, stop in _segments(horizons):
        views = (theta[:, first:], scale[:, first:], mask[:, first:], eta_mask[:, first:])
        # common noise: every configuration of a replicate adds the same standard normals (its
        # first d coordinates), scaled by its own s: common random numbers across a sweep
        shape = (replicates, 1, width) if common_noise else views[0].shape
        chunk = max(every, _CHUNK_ELEMENTS // views[0].size // every * every)
        for begin in range(start, stop, chunk):
            noise = s[:, first:] * rng.standard_normal((min(chunk, stop - begin), *shape))
            risk = _advance(loss, views, noise, begin, every, largest[first:] if per_step else None)
            if len(risk):
                # added one evaluation after the other, as a running sum over the steps would
                # (a cumulative sum is sequential; a reduction may sum pairwise)
                risk[0] += total[:, first:]
                total[:, first:] = np.cumsum(risk, axis=0)[-1]
        start = stop
    evaluated = (horizons + every - 1) // every  # t = 0, every, 2 every, ... < T
    return total / evaluated, largest


def dp_gd_random_iterate(
    loss: AbsoluteLoss,
    distance: float,
    dims: np.ndarray,
    step: np.ndarray,
    noise_std: np.ndarray,
    sensitivity: np.ndarray,
    steps: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    delta: float,
    every: int = 1,
    records: np.ndarray | None = None,
    common_noise: bool = False,
) -> DPRun:
    r"""Full-batch noisy (sub)gradient descent,
    :math:`\theta_{t+1} = \theta_t - \eta (\nabla F(\theta_t) + \xi_t)`,
    :math:`\xi_t \sim N(0, s^2 I_d)`, output a uniformly random iterate of
    :math:`\theta_0, \dots, \theta_{T-1}`.

    Parameters
    ----------
    loss
        The empirical risk (unconstrained: it is globally Lipschitz).
    distance
        :math:`\|\theta_0 - \theta^*\|`: the start has all coordinates equal to
        ``distance / sqrt(d)`` (the minimizer is 0 for :func:`symmetric_sharp_values`).
    dims, step, noise_std, sensitivity, steps
        Shape ``(m,)``: per configuration, the dimension :math:`d`, the step :math:`\eta`, the
        noise standard deviation :math:`s` on the averaged gradient (0: no noise, an infinite
        epsilon), the sensitivity of that
        average (``L / n``) and the horizon :math:`T` (non-decreasing over configurations: a
        configuration stops when its horizon is reached, the others go on).
    replicates
        Independent runs.
    rng
        Source of the noise.
    delta
        The delta at which the spent epsilon is reported.
    every
        The risk is evaluated every ``every`` steps (the output is then a uniformly random
        iterate among those); 1 evaluates it at every step.
    records
        Shape ``(m,)``: per configuration, the size n of its data set, ``n / len(values)``
        copies of ``loss.values`` (the same empirical risk at every n); by default the loss's
        own records.
    common_noise
        Every configuration of a replicate adds the same standard normals (scaled by its own
        ``noise_std``; a configuration of dimension d uses the first d): common random numbers
        across a sweep, so the points' errors move together and a fitted slope is sharper.

    Returns
    -------
    DPRun
        ``values[r, k]``: expected excess risk of the random-iterate output of run ``r`` in
        configuration ``k``, i.e. the mean of :math:`F(\theta_t) - F^*` over ``t < T_k``
        (``t`` a multiple of ``every``); ``sensitivity``: per configuration, the ``sensitivity``
        given to the accountant and the largest gradient norm of one record over every step
        and replicate, divided by n.
    """
    step, noise_std, sensitivity, horizons, dims, records = _checked_sharp_run(
        loss, distance, dims, step, noise_std, sensitivity, steps, replicates, rng, delta, every,
        records,
    )  # fmt: skip
    # Runs that cannot differ are run once: every replicate of a run without noise, and, under
    # common noise, configurations with the same dimension, step, noise and horizon (the noise
    # they add is the same draw; n enters the run through the noise alone)
    noiseless = not noise_std.any()
    same = np.arange(len(step))
    if noiseless or common_noise:
        key = np.stack([dims, step, noise_std, horizons], axis=1)
        same = np.array([int(np.argmax((key == row).all(axis=1))) for row in key])
    kept = np.unique(same)  # first occurrences, in order: horizons stay non-decreasing
    runs = 1 if noiseless else replicates
    values, largest = _sharp_runs(
        loss, distance, dims[kept], step[kept], noise_std[kept], horizons[kept], runs, rng,
        every, common_noise,
    )  # fmt: skip
    position = np.searchsorted(kept, same)
    values, largest = np.repeat(values[:, position], replicates // runs, axis=0), largest[position]
    privacy = [
        spent_by_noise(sk, dk, 1.0, int(tk), delta)
        for sk, dk, tk in zip(noise_std, sensitivity, horizons, strict=True)
    ]
    measured = [
        Sensitivity(GRADIENT_MEAN, float(dk), float(g / nk))
        for dk, g, nk in zip(sensitivity, largest, records, strict=True)
    ]
    return DPRun(values, privacy, measured)
