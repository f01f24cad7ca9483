r"""Private centring of features: the preprocessing of DPSGD-F (Sun, Suresh and Menon).

A coarse centre from a noisy histogram, a private quantile of the deviations from it (noisy
binary search over a grid of radii) as the clip radius, then the Gaussian mean of the clipped
deviations; the noise multipliers calibrated by ``dp_accounting`` for the composed release.
Vectorized over replicates and configurations. Each release also reports, per configuration,
the largest contribution of one record it measured next to the sensitivity its noise was
calibrated for (:class:`~simulators.dp_sensitivity.Sensitivity`): a histogram's count vector, a
count's indicator, a clipped deviation over n.
"""

from __future__ import annotations

import numpy as np

from . import common
from .dp_sensitivity import Sensitivity, worst_ratio


def coarse_center(
    features: np.ndarray,
    bound: float,
    bin_width: float,
    histogram_multiplier: float,
    replicates: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, list[Sensitivity]]:
    """Per coordinate, the centre of the largest bin of a Gaussian-noised histogram (bins of
    ``bin_width`` centred on its multiples in ``[-bound, bound]``; noise
    ``histogram_multiplier * sqrt(p)`` per count, a record moving one count per coordinate).

    Returns
    -------
    coarse, sensitivity
        Shape ``(replicates, m, p)`` for features of shape ``(m, n, p)``; per configuration,
        the largest norm of one record's vector of count increments (``sqrt(p)``) next to the
        sensitivity the noise was calibrated for.
    """
    m, _, p = features.shape
    half_bins = int(np.ceil(bound / bin_width))
    edges = (np.arange(-half_bins, half_bins + 2) - 0.5) * bin_width
    bins = len(edges) - 1
    index = np.clip(np.searchsorted(edges, features, side="right") - 1, 0, bins - 1)
    increments = np.ones(index.shape)  # what each record adds to its bin, per coordinate
    counts = np.zeros((m, p, bins))
    for j in range(p):
        np.add.at(counts[:, j], (np.arange(m)[:, None], index[..., j]), increments[..., j])
    noise_std = histogram_multiplier * np.sqrt(p)
    noisy = counts + noise_std * rng.standard_normal((replicates, m, p, bins))
    coarse = edges[0] + (np.argmax(noisy, axis=-1) + 0.5) * bin_width  # (R, m, p)
    one_record = np.sqrt((increments**2).sum(axis=-1)).max(axis=-1)  # (m,)
    assumed = noise_std / histogram_multiplier
    return coarse, [Sensitivity("histogram", assumed, float(g)) for g in one_record]


def private_center(
    features: np.ndarray,
    bound: float,
    bin_width: float,
    radius: float,
    histogram_multiplier: float,
    mean_multiplier: float,
    replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    r"""A private estimate of the feature mean whose error scales with the data's diameter,
    not with the feature norm (the preprocessing of DPSGD-F, in a simple form):

    1. per coordinate, a histogram with bins of ``bin_width`` centred on the multiples of
       ``bin_width`` in ``[-bound, bound]``; Gaussian
       noise of standard deviation ``histogram_multiplier * sqrt(p)`` on each count (a record
       moves one count per coordinate: L2 sensitivity sqrt(p)); the largest noisy bin's centre
       is a coarse centre :math:`m_0`;
    2. the mean of the deviations :math:`x_i - m_0` clipped to norm ``radius``, plus Gaussian
       noise of standard deviation ``mean_multiplier * radius / n`` (sensitivity radius / n).

    Parameters
    ----------
    features
        Shape ``(m, n, p)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, m, p)``: the private mean estimates.
    """
    m, n, p = features.shape
    common.check_positive_array("bound, bin_width, radius", np.array([bound, bin_width, radius]))
    common.check_positive_array(
        "noise multipliers", np.array([histogram_multiplier, mean_multiplier])
    )
    coarse, _ = coarse_center(features, bound, bin_width, histogram_multiplier, replicates, rng)
    deviation = features[None] - coarse[:, :, None, :]
    norms = np.linalg.norm(deviation, axis=-1, keepdims=True)
    deviation *= np.minimum(1.0, radius / np.maximum(norms, 1e-300))
    noise = mean_multiplier * radius / n * rng.standard_normal((replicates, m, p))
    return coarse + deviation.mean(axis=2) + noise


#: The radii the private quantile step chooses from: powers of 2 from 2^-19 to 2^12, 32 of
#: them, so the binary search asks 5 noisy counts and the radius is within a factor 2 of the
#: quantile it targets.
RADIUS_GRID = 2.0 ** np.arange(-19, 13)


def private_quantile_radius(
    norms: np.ndarray,
    excluded: float,
    multiplier: float,
    rng: np.random.Generator,
    grid: np.ndarray = RADIUS_GRID,
) -> np.ndarray:
    r"""A private upper quantile of ``norms`` by noisy binary search over the sorted ``grid``:
    :math:`\lceil\log_2 |\text{grid}|\rceil` queries, each asking whether the count
    :math:`\#\{i: r_i > t\}` plus :math:`N(0, \text{multiplier}^2)` exceeds ``excluded`` (one
    Gaussian query of sensitivity 1 each). The returned radius leaves about ``excluded``
    records outside it, give or take the count noise: the records a clipped mean may clip.

    Parameters
    ----------
    norms
        Shape ``(..., n)``: one set of norms per leading index.

    Returns
    -------
    numpy.ndarray
        The radii, shape ``norms.shape[:-1]``.
    """
    return quantile_search(norms, excluded, multiplier, rng, grid)[0]


def quantile_search(
    norms: np.ndarray,
    excluded: float,
    multiplier: float,
    rng: np.random.Generator,
    grid: np.ndarray = RADIUS_GRID,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`private_quantile_radius`, and the largest contribution of one record to a noised
    count: per leading index of ``norms`` but the first (the replicates), the largest indicator
    ``r_i > t`` over every query, replicate and record (1 as soon as some record is counted)."""
    common.check_positive_array("excluded, multiplier", np.array([excluded, multiplier]))
    grid = common.check_positive_array("grid", grid)
    low = np.full(norms.shape[:-1], -1)  # grid index known to leave too many outside
    high = np.full(norms.shape[:-1], len(grid) - 1)
    # the replicates' axis (if any) and the records' are reduced over
    axes = (0, -1) if norms.ndim > 1 else (-1,)
    largest = np.zeros(norms.shape[1:-1])
    for _ in range(quantile_queries(grid)):
        middle = (low + high + 1) // 2
        indicators = (norms > grid[middle][..., None]).astype(float)  # each record's count
        largest = np.maximum(largest, indicators.max(axis=axes))
        too_many = indicators.sum(axis=-1) + multiplier * rng.standard_normal(middle.shape)
        low = np.where(too_many > excluded, middle, low)
        high = np.where(too_many > excluded, high, middle)
    return grid[np.maximum(high, 0)], largest


def quantile_queries(grid: np.ndarray = RADIUS_GRID) -> int:
    """Noisy counts the private quantile search asks over ``grid``."""
    return int(np.ceil(np.log2(len(grid))))


def quantile_center(
    features: np.ndarray,
    bound: float,
    bin_width: float,
    excluded: float,
    multipliers: tuple[float, float, float],
    replicates: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, list[list[Sensitivity]]]:
    r"""DPSGD-F's preprocessing: a coarse centre :math:`m_0` (:func:`coarse_center`), a private
    quantile of the deviation norms :math:`\|x_i - m_0\|` as the clip radius :math:`\tau`
    (:func:`private_quantile_radius`, about ``excluded`` records outside it), then the
    Gaussian mean of the deviations clipped at :math:`\tau`, noise
    :math:`\sigma_m\tau/n`. The records outside :math:`\tau` bias the mean by at most
    their excess over :math:`\tau` each, so the error is
    :math:`O((\text{excluded}\cdot R + \sigma_m\tau)/n)`: Theorem 1's
    :math:`R\log n/(n\varepsilon)` term when ``excluded`` ~ :math:`\log n/\varepsilon`.

    Parameters
    ----------
    features
        Shape ``(m, n, p)``.
    bound
        Public bound on the coordinates (the histogram's range).
    multipliers
        Noise multipliers of the histogram, of each quantile query and of the mean.

    Returns
    -------
    center, radius, sensitivity
        Shapes ``(replicates, m, p)`` and ``(replicates, m)``; per configuration, the three
        releases' (histogram, quantile counts, mean) measured and assumed sensitivities.
    """
    histogram_multiplier, quantile_multiplier, mean_multiplier = multipliers
    m, n, p = features.shape
    coarse, histogram = coarse_center(
        features, bound, bin_width, histogram_multiplier, replicates, rng
    )
    deviation = features[None] - coarse[:, :, None, :]
    norms = np.linalg.norm(deviation, axis=-1)
    radius, counted = quantile_search(norms, excluded, quantile_multiplier, rng)
    deviation *= np.minimum(1.0, radius[..., None] / np.maximum(norms, 1e-300))[..., None]
    noise_std = mean_multiplier * radius / n  # (R, m)
    noise = noise_std[..., None] * rng.standard_normal((replicates, m, p))
    # one record's share of the mean of the clipped deviations, per replicate and configuration
    contribution = np.linalg.norm(deviation, axis=-1).max(axis=-1) / n
    sensitivity = [
        [
            histogram[k],
            Sensitivity("quantile count", 1.0, float(counted[k])),
            worst_ratio("clipped mean", contribution[:, k], noise_std[:, k] / mean_multiplier),
        ]
        for k in range(m)
    ]
    return coarse + deviation.mean(axis=2) + noise, radius, sensitivity


#: Noise multipliers of the centring, in units of a common scale: the histogram, each of the
#: quantile search's counts, the mean (the quantile's counts get half the weight each, as
#: there are several of them).
CENTRING_WEIGHTS = (1.0, 2.0, 1.0)


def centring_events(multipliers: tuple[float, float, float]) -> list:
    """The ``DpEvent`` of :func:`quantile_center`: histogram, quantile counts, mean."""
    from dp_accounting import dp_event

    histogram, quantile, mean = multipliers
    return [
        dp_event.GaussianDpEvent(histogram),
        dp_event.SelfComposedDpEvent(dp_event.GaussianDpEvent(quantile), quantile_queries()),
        dp_event.GaussianDpEvent(mean),
    ]


def centring_multipliers(
    epsilon: float, delta: float, count_preprocessing: bool = True
) -> tuple[float, float, float]:
    r"""Noise multipliers :math:`s\,w` (``w`` = :data:`CENTRING_WEIGHTS`) with which the
    centring spends ``(epsilon, delta)``: Gaussian mechanisms compose into one Gaussian of
    multiplier :math:`(\sum_i \sigma_i^{-2})^{-1/2}`, so :math:`s` is the accountant's
    single-release multiplier times :math:`(\sum_i w_i^{-2})^{1/2}`.
    ``count_preprocessing=False`` calibrates the mean alone, leaving the histogram and the
    quantile counts out of the budget (the pipeline then overspends)."""
    from .privacy import calibrate_noise_multiplier

    single = calibrate_noise_multiplier(epsilon, delta, 1.0, 1)
    histogram, quantile, mean = CENTRING_WEIGHTS
    if count_preprocessing:
        inverse = histogram**-2 + quantile_queries() * quantile**-2 + mean**-2
    else:
        inverse = mean**-2
    scale = single * np.sqrt(inverse)
    return float(histogram * scale), float(quantile * scale), float(mean * scale)


def outliers_for(multipliers: tuple[float, float, float], per_sigma: float = 3.0) -> int:
    """The outlier count of the instance that attains the quantile step's clipping term:
    ``per_sigma`` times the count noise, half the records the quantile step may leave out."""
    return round(per_sigma * multipliers[1])
