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

from dataclasses import dataclass

import numpy as np

from . import common
from .dp import AbsoluteLoss, spent_by_noise, symmetric_sharp_values
from .dp_sensitivity import Sensitivity
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


#: Steps whose Poisson batches and noise are drawn at once: the per-step work is then a gather
#: and a segment sum, with no per-step random-number call.
BLOCK = 256


@dataclass
class PoissonBatches:
    """Poisson-sampled batches of ``steps`` steps for ``replicates`` runs, drawn at once.

    ``records`` lists the sampled records step by step, replicate by replicate (replicates in
    order within a step); ``offsets[k * R + r]`` is where replicate ``r``'s batch at step ``k``
    starts in it.
    """

    records: np.ndarray
    rows: np.ndarray
    offsets: np.ndarray
    replicates: int

    def step(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Step ``k``'s replicate of each sampled record, the records, and the batch bounds
        (``replicates + 1`` offsets into them)."""
        bounds = self.offsets[k * self.replicates : (k + 1) * self.replicates + 1]
        lo, hi = bounds[0], bounds[-1]
        return self.rows[lo:hi], self.records[lo:hi], bounds - lo


def poisson_batches(
    n: int, rate: float, replicates: int, steps: int, rng: np.random.Generator
) -> PoissonBatches:
    """Every record joins each batch independently with probability ``rate``, exactly.

    The gaps between successive sampled records are independent Geometric(rate) variables, so
    a batch is drawn from about ``rate n`` geometric numbers instead of ``n`` uniforms; rows
    whose gaps do not yet pass the last record are extended by further independent gaps (no
    rejection, so the law is exact).
    """
    mean = rate * n
    width = int(np.ceil(mean + 8 * np.sqrt(mean) + 8))
    positions = np.cumsum(rng.geometric(rate, (steps, replicates, width)), axis=-1) - 1
    while np.any(positions[..., -1] < n):
        more = np.cumsum(rng.geometric(rate, (steps, replicates, width)), axis=-1)
        positions = np.concatenate([positions, positions[..., -1:] + more], axis=-1)
    inside = positions < n
    counts = inside.sum(axis=-1).ravel()
    offsets = np.concatenate([[0], np.cumsum(counts)])
    rows = np.repeat(np.tile(np.arange(replicates), steps), counts)
    return PoissonBatches(positions[inside], rows, offsets, replicates)


def segment_sums(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Sums of the row blocks ``values[bounds[i]:bounds[i + 1]]`` (empty blocks sum to 0)."""
    # reduceat returns the start row for an empty block, and needs a row at every start:
    # pad one zero row and zero the empty blocks
    padded = np.concatenate([values, np.zeros((1, values.shape[1]))])
    sums = np.add.reduceat(padded, bounds[:-1], axis=0)
    sums[bounds[1:] == bounds[:-1]] = 0.0
    return sums


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
    data = _check_sharp_data(data)
    n, d = data.shape
    for name, value in (("scale", scale), ("step", step), ("clip_norm", clip_norm)):
        common.check_positive(name, value)
    common.check_positive("distance", distance, allow_zero=True)
    common.check_positive("noise_multiplier", noise_multiplier, allow_zero=True)
    sampling_rate = check_sampling_rate(sampling_rate)
    steps, replicates, every = (
        common.check_positive_int(name, value)
        for name, value in (("steps", steps), ("replicates", replicates), ("every", every))
    )
    common.check_generator(rng)
    check_delta(delta)
    if clip not in CLIPPING:
        raise ValueError(f"clip must be one of {CLIPPING}, got {clip!r}")
    # batches and noise on streams of their own: two runs from equal generators that differ in
    # n (so in how many numbers a batch takes) still add the same Gaussian draws
    batch_rng, noise_rng = rng.spawn(2)
    loss = AbsoluteLoss(np.sort(data[:, 0]))  # every column holds the same values
    theta = np.full((replicates, d), distance / np.sqrt(d))
    total = np.zeros(replicates)
    batch_sizes = np.zeros((replicates, steps), int)
    largest = 0.0
    expected_batch = sampling_rate * n
    for first in range(0, steps, BLOCK):
        block = min(BLOCK, steps - first)
        batches = poisson_batches(n, sampling_rate, replicates, block, batch_rng)
        noise = noise_multiplier * clip_norm * noise_rng.standard_normal((block, replicates, d))
        for k in range(block):
            t = first + k
            if t % every == 0:
                total += scale * loss.coordinate_excess(theta).sum(axis=1) / np.sqrt(d)
            rows, records, bounds = batches.step(k)
            signs = np.sign(theta[rows] - data[records])
            # each gradient is scale * signs / sqrt(d): its norm needs no square root per entry
            norms = scale * np.sqrt(np.einsum("ij,ij->i", signs, signs) / d)
            weights = np.full(len(rows), scale / np.sqrt(d))
            if clip == "per_example":
                weights *= np.minimum(1.0, clip_norm / np.maximum(norms, 1e-300))
            summed = segment_sums(signs * weights[:, None], bounds)
            counts = np.diff(bounds)
            batch_sizes[:, t] = counts
            if clip == "after_averaging":
                # the mean of the batch clipped to C: each record's contribution is its own
                # gradient times the batch's common factor, not bounded by C
                mean_norm = np.linalg.norm(summed, axis=1) / np.maximum(counts, 1)
                factor = np.minimum(1.0, clip_norm / np.maximum(mean_norm, 1e-300))
                summed *= factor[:, None]
                norms = norms * factor[rows]
            else:
                norms = np.minimum(norms, clip_norm)
            if len(norms):
                largest = max(largest, float(norms.max()))
            summed += noise[k]
            theta -= (step / expected_batch) * summed
    evaluated = (steps + every - 1) // every
    privacy = spent_by_noise(noise_multiplier * clip_norm, clip_norm, sampling_rate, steps, delta)
    return DPSGDRun(total / evaluated, privacy, largest, float(clip_norm), batch_sizes)
