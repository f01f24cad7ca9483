r"""DP-SGD as Abadi et al. (2016) run it: Poisson sampling, per-example clipping, Gaussian noise.

One step, for each replicate:

1. every record joins the batch independently with probability ``q`` (Poisson sampling: the
   event :func:`simulators.privacy.dp_sgd_event` accounts);
2. each sampled record's gradient is clipped to norm at most ``C``
   (:math:`g_i \min(1, C/\|g_i\|)`), then the clipped gradients are summed;
3. Gaussian noise :math:`N(0, \sigma^2 C^2 I_d)` is added to the sum, which has L2 sensitivity
   ``C`` under add/remove adjacency;
4. the sum is divided by the *expected* batch size ``q n``. ``n`` is treated as public (as
   TensorFlow Privacy and Opacus do): dividing by the realised batch size instead would make
   the divisor data-dependent, and dividing by the data set's own ``n`` under add/remove
   adjacency changes the mean's sensitivity to up to ``2C/n``.

The simulator *measures* what the accounting assumes: the largest norm of any one record's
contribution to a noised sum (``max_contribution``), to be compared with the sensitivity ``C``
the accountant used. The variant ``clip="after_averaging"`` (the batch's mean gradient clipped
instead of each example's) is a plausible mistake: a record's contribution is then bounded by
its unclipped gradient norm, not by ``C``, and the measurement shows it.

The instance is the sharp absolute-deviation loss of :mod:`simulators.dp` with per-record
scale ``G`` (each record's gradient has norm ``G`` away from ties): with ``G > C`` clipping is
active on every example.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import common
from .dp import spent_by_noise, symmetric_sharp_values
from .dp_sensitivity import Sensitivity
from .dp_sgd_sweep import SharpSweep
from .privacy import PrivacySpent, check_delta, check_sampling_rate

CLIPPING = ("per_example", "after_averaging")


@dataclass
class DPSGDRun:
    """Result of a batch of DP-SGD runs on one data set.

    Parameters
    ----------
    values
        ``(replicates,)``: the random-iterate output's expected excess risk (the mean of
        :math:`F(\\theta_t) - F^*` over the evaluated steps ``t < T``).
    privacy
        What the run spent by ``dp_accounting``: ``T`` Poisson-sampled Gaussian steps with
        noise multiplier ``sigma`` and sensitivity ``C``.
    max_contribution
        The largest norm of one record's contribution to a noised sum, over every step and
        replicate: the sensitivity the run actually had (at most ``C`` under per-example
        clipping).
    clip_norm
        ``C``, the sensitivity the accounting assumed.
    batch_sizes
        ``(replicates, T)``: the realised Poisson batch sizes.
    """

    values: np.ndarray
    privacy: PrivacySpent
    max_contribution: float
    clip_norm: float
    batch_sizes: np.ndarray

    @property
    def sensitivity(self) -> Sensitivity:
        """The batch sum's sensitivity: ``C`` assumed, ``max_contribution`` measured."""
        return Sensitivity("gradient sum", self.clip_norm, self.max_contribution)

    @property
    def overspends(self) -> bool:
        """Whether some record contributed more than the sensitivity the accountant used."""
        return self.max_contribution > self.clip_norm * (1 + 1e-9)


def sharp_data(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, d)`` records whose every column is a random permutation of
    :func:`simulators.dp.symmetric_sharp_values`: the minimizer is 0 and, near it,
    ``F(theta) - F* = G ||theta||_1 / (2 sqrt d)``."""

    common.check_positive_int("d", d)
    values = symmetric_sharp_values(n)
    return np.stack([rng.permutation(values) for _ in range(d)], axis=1)


def _check_sharp_data(data: np.ndarray) -> np.ndarray:
    data = np.asarray(data, float)
    if data.ndim != 2 or data.shape[0] < 4:
        raise ValueError(f"data must be an (n, d) array with n >= 4, got shape {data.shape}")
    return data


def dp_sgd_sharp(
    data: np.ndarray,
    scale: float,
    distance: float,
    step: float,
    noise_multiplier: float,
    clip_norm: float,
    sampling_rate: float,
    steps: int,
    replicates: int,
    rng: np.random.Generator,
    delta: float,
    clip: str = "per_example",
    every: int = 4,
) -> DPSGDRun:
    r"""DP-SGD on :math:`F(\theta) = \frac{G}{n}\sum_i \|\theta - z_i\|_1/\sqrt d`.

    Parameters
    ----------
    data
        ``(n, d)`` records (:func:`sharp_data`).
    scale
        ``G``: each record's gradient norm away from ties (its Lipschitz constant).
    distance
        Start at all coordinates ``distance / sqrt(d)``: ``||theta_0 - theta*|| = distance``.
    step
        Constant step size.
    noise_multiplier
        ``sigma``: the noise on the sum has standard deviation ``sigma C``; 0 switches it off
        (an infinite epsilon).
    clip_norm, sampling_rate, steps
        ``C``, ``q`` and ``T``.
    replicates, rng
        Independent runs and their source of randomness (sampling and noise).
    delta
        Where the spent epsilon is reported.
    clip
        ``"per_example"`` (DP-SGD) or ``"after_averaging"`` (the mistake: the batch's summed
        gradient is clipped to ``C`` times the batch size, as if the mean were clipped to C).
    every
        The excess risk is evaluated every ``every`` steps.

    Returns
    -------
    DPSGDRun
    """
    return dp_sgd_sharp_sweep(
        [data],
        scale,
        distance,
        [step],
        [noise_multiplier],
        clip_norm,
        sampling_rate,
        steps,
        replicates,
        rng,
        delta,
        clip=clip,
        every=every,
    )[0]


def dp_sgd_sharp_sweep(
    datasets: Sequence[np.ndarray],
    scale: float,
    distance: float,
    step: Sequence[float] | np.ndarray,
    noise_multiplier: Sequence[float] | np.ndarray,
    clip_norm: float,
    sampling_rate: float,
    steps: int,
    replicates: int,
    rng: np.random.Generator,
    delta: float,
    clip: str = "per_example",
    every: int = 4,
) -> list[DPSGDRun]:
    r""":func:`dp_sgd_sharp` at several points (a data set, a step and a noise multiplier each),
    on common random numbers, in one vectorised run.

    Point ``p`` returns, to rounding, what ``dp_sgd_sharp(datasets[p], ..., step[p],
    noise_multiplier[p], ..., rng=g)`` returns for a generator ``g`` in ``rng``'s state: points
    with the same ``n`` share their Poisson batches, points with the same ``d`` their standard
    normals (each scaled by its own ``sigma C``). Points that coincide run once. The output of
    the per-record arithmetic is identical to the bit; summing a batch by level counts instead of
    record by record may round differently where the clipped gradient's entries are not dyadic
    (``d`` not a power of 4), by an ulp.

    Parameters are those of :func:`dp_sgd_sharp`, with ``datasets``, ``step`` and
    ``noise_multiplier`` one per point.

    Returns
    -------
    list[DPSGDRun]
        One per point, in order.
    """
    datasets = [_check_sharp_data(data) for data in datasets]
    steps_sizes = [common.check_positive("step", s) for s in np.atleast_1d(step)]
    sigmas = [
        common.check_positive("noise_multiplier", s, allow_zero=True)
        for s in np.atleast_1d(noise_multiplier)
    ]
    if not len(datasets) == len(steps_sizes) == len(sigmas) > 0:
        raise ValueError("datasets, step and noise_multiplier need one entry per point")
    for name, value in (("scale", scale), ("clip_norm", clip_norm)):
        common.check_positive(name, value)
    common.check_positive("distance", distance, allow_zero=True)
    sampling_rate = check_sampling_rate(sampling_rate)
    steps, replicates, every = (
        common.check_positive_int(name, value)
        for name, value in (("steps", steps), ("replicates", replicates), ("every", every))
    )
    common.check_generator(rng)
    check_delta(delta)
    if clip not in CLIPPING:
        raise ValueError(f"clip must be one of {CLIPPING}, got {clip!r}")
    sweep = SharpSweep(datasets, steps_sizes, sigmas, scale, distance, clip_norm, sampling_rate)
    # batches and noise on streams of their own: two points that differ in n (so in how many
    # numbers a batch takes) still add the same Gaussian draws
    batch_rng, noise_rng = rng.spawn(2)
    values, largest, sizes = sweep.run(steps, replicates, batch_rng, noise_rng, clip, every)
    runs = []
    spent_by: dict[float, PrivacySpent] = {}  # points with the same noise spend the same
    for p in range(len(datasets)):
        unique = sweep.unique_of[p]
        noise_std = sigmas[p] * clip_norm
        if noise_std not in spent_by:
            spent_by[noise_std] = spent_by_noise(noise_std, clip_norm, sampling_rate, steps, delta)
        spent = spent_by[noise_std]
        runs.append(
            DPSGDRun(
                values[unique].copy(),
                spent,
                largest[unique],
                float(clip_norm),
                sizes[sweep.batch_group[unique]].copy(),
            )
        )
    return runs
