r"""Wu, Ma & E 2018: the necessary condition for linear stability (sharpness and non-uniformity).

Setting and ground truth as in :mod:`theorems.stability`. Wu, Ma & E (NeurIPS 2018, the
necessary condition as printed on the authors' poster; the units of ``s`` as in the paper):
with :math:`H = \frac1n\sum_i H_i`, :math:`\Sigma = \frac1n\sum_i H_i^2 - H^2`, sharpness
:math:`a = \lambda_{\max}(H)` and non-uniformity :math:`s = \lambda_{\max}(\Sigma)^{1/2}`, if
:math:`x^*` is linearly stable for SGD with learning rate :math:`\eta` and batch size :math:`B`
(drawn without replacement), then

.. math::  a \le \frac2\eta, \qquad s \le \frac1\eta\sqrt{\frac{B(n-1)}{n-B}}.

Both sides grow with :math:`\eta`, so the hardest stable rate is the threshold :math:`\eta^*`
itself, bisected on the exact operator: the claim is checked at :math:`\eta = \eta^*(B)` over
hypothesis-drawn data sets and every batch size.

**In one dimension** (``stability.wu_ma_e.necessary``) stability is exactly
:math:`(1 - \eta a)^2 + \eta^2 p s^2 \le 1`, :math:`p = (n-B)/(B(n-1))`, which implies both
bounds. Both are attained: the first by identical samples (SGD is GD, :math:`\eta^* a = 2`),
the second where :math:`a = s\sqrt{p}` (gradients (0, 2), B = 1: a = s = 2, :math:`\eta^* = 1/2`).

**In any dimension** (``stability.wu_ma_e.necessary_any_dimension``, expected refuted): the
sharpness bound still holds (mean-square stability implies stability of the mean,
:math:`\rho(I - \eta H) \le 1`), but the non-uniformity bound does not: it follows from the
*sufficient* condition along the top eigenvector of :math:`\Sigma`, not from stability. The
search finds, e.g., gradients (0, 1), (1, 0), (1, 1) at B = 1: stable up to
:math:`\eta^* = 1.268` while :math:`\eta^* s = 1.035 > 1`. Whether the paper states the
condition for d > 1 could not be checked (its text was not retrieved; the poster's diagram
draws the rectangle); the package records both readings.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from proofs_checks import Implication, Mutant, RunContext, Search, claim
from simulators.stability import noise_factor, rank_one_hessians, stability_threshold
from simulators.stability_instances import SLACK, datasets, features_json
from theorems.bibliography import WU_MA_E


def sharpness_and_nonuniformity(features: np.ndarray) -> tuple[float, float]:
    """``(a, s)``: the largest eigenvalue of H and the square root of Sigma's."""
    h = rank_one_hessians(features)
    mean = h.mean(axis=0)
    sigma = np.einsum("nij,njk->ik", h, h) / len(h) - mean @ mean
    return float(np.linalg.eigvalsh(mean)[-1]), float(
        np.sqrt(max(np.linalg.eigvalsh(sigma)[-1], 0))
    )


@st.composite
def instances(draw, max_d: int = 1):
    g = draw(datasets(max_n=6, max_d=max_d, min_n=2))
    b = draw(st.integers(1, len(g)))
    return g, b


#: The sampling factor of the non-uniformity bound: the claim's (batches without replacement),
#: the with-replacement factor 1/B (the finite-population correction dropped).
FACTORS = {
    "without_replacement": lambda n, b: noise_factor(n, b, replacement=False),
    "with_replacement_factor": lambda n, b: 1.0 / b,
}


def necessary_search(
    factor: str = "without_replacement", shrink: float = 1.0, units: str = "root", max_d: int = 1
) -> Search:
    """The search for "stable at eta implies eta a <= 2 and eta s <= 1/sqrt(p)" at
    eta = eta*(B); ``shrink`` > 1 divides both bounds (the near statements); ``units="poster"``
    takes s = lambda_max(Sigma) instead of its square root."""
    cache: dict[bytes, tuple[float, float, float]] = {}

    def quantities(inst) -> tuple[float, float, float]:
        g, b = inst
        key = g.tobytes() + bytes(f"{g.shape}{b}", "ascii")
        if key not in cache:
            eta = stability_threshold(rank_one_hessians(g), b, replacement=False, rtol=1e-12)
            a, s = sharpness_and_nonuniformity(g)
            cache[key] = (eta, a, s**2 if units == "poster" else s)
        return cache[key]

    def premise(inst) -> bool:
        return bool(np.any(inst[0] != 0))

    def ratios(inst) -> tuple[float, float]:
        """eta a / 2 and eta s sqrt(p): each at most 1 / shrink if the claim holds."""
        g, b = inst
        eta, a, s = quantities(inst)
        p = FACTORS[factor](len(g), b)
        return eta * a / 2, eta * s * np.sqrt(p)

    def holds(inst) -> bool:
        return max(ratios(inst)) <= (1 + SLACK) / shrink

    def describe(inst) -> dict:
        g, b = inst
        eta, a, s = quantities(inst)
        sharp, spread = ratios(inst)
        return {
            "features": features_json(g),
            "batch_size": int(b),
            "eta_star": eta,
            "sharpness_a": a,
            "nonuniformity_s": s,
            "eta_a_over_2": sharp,
            "eta_s_sqrt_p": spread,
        }

    return Search(
        instances(max_d),
        premise,
        holds,
        describe,
        near=lambda d: necessary_search(factor, shrink * (1 + d), units, max_d),
        # toward the non-uniformity bound's edge (the sharpness edge is reached by identical
        # samples, which the search draws readily)
        slack=lambda inst: abs(1 - ratios(inst)[1]) if premise(inst) else 10.0,
    )


@claim(
    "stability.wu_ma_e.necessary",
    paper=WU_MA_E.theorem("necessary condition for linear stability (NeurIPS poster), d = 1"),
    statement=(
        "In one dimension, if an interpolating minimum is linearly stable for SGD with learning "
        "rate eta and batch size B (without replacement), then its sharpness a <= 2/eta and its "
        "non-uniformity s <= sqrt(B(n-1)/(n-B))/eta."
    ),
    latex=r"\rho(M) \le 1 \implies a \le \frac2\eta,\ s \le \frac1\eta\sqrt{\frac{B(n-1)}{n-B}}",
    assumptions=(
        "square loss, interpolating minimum: h_i = g_i^2, one dimension",
        "batches of B distinct indices",
        "s^2 = mean h_i^2 - (mean h_i)^2",
    ),
    simplification=(
        "Checked at the hardest stable rate, eta = eta*(B) bisected on the exact operator to "
        "1e-12, over hypothesis-drawn data sets (2 <= n <= 6, integer gradients in [-4, 4]) and "
        "every B from 1 to n, the search driven toward eta* s sqrt(p) = 1."
    ),
    predicted=Implication(max_examples=200, max_examples_full=800),
    mutants=[
        Mutant(
            "with_replacement_factor",
            "the non-uniformity bound with the with-replacement factor sqrt(B)/eta (the "
            "finite-population correction (n-1)/(n-B) dropped)",
            params={"factor": "with_replacement_factor"},
        ),
        Mutant(
            "poster_units",
            "s read as lambda_max(Sigma) (the poster's print) instead of its square root",
            params={"units": "poster"},
        ),
    ],
)
def wu_ma_e_necessary(
    ctx: RunContext, factor: str = "without_replacement", units: str = "root"
) -> Search:
    return necessary_search(factor, units=units)


@claim(
    "stability.wu_ma_e.necessary_any_dimension",
    paper=WU_MA_E.theorem("necessary condition (NeurIPS poster), read for any dimension"),
    statement=(
        "In any dimension, linear stability of SGD (batch B without replacement) implies "
        "a = lambda_max(H) <= 2/eta and s = lambda_max(Sigma)^(1/2) <= sqrt(B(n-1)/(n-B))/eta. "
        "False for d >= 2: the non-uniformity bound fails at stable rates."
    ),
    latex=r"\rho(M) \le 1 \implies s \le \frac1\eta\sqrt{\frac{B(n-1)}{n-B}}\ (d \ge 2)",
    assumptions=(
        "square loss, interpolating minimum: H_i = g_i g_i^T",
        "batches without replacement",
    ),
    simplification=(
        "As stability.wu_ma_e.necessary, with d <= 3: the search finds a stable data set whose "
        "non-uniformity exceeds the bound."
    ),
    predicted=Implication(max_examples=200, max_examples_full=800),
    expect="refuted",
    mutants=[
        Mutant(
            "with_replacement_factor",
            "the same reading with the with-replacement factor sqrt(B)/eta",
            params={"factor": "with_replacement_factor"},
        )
    ],
)
def wu_ma_e_necessary_any_dimension(ctx: RunContext, factor: str = "without_replacement") -> Search:
    return necessary_search(factor, max_d=3)


# --- the instances are what the docstring says they are -----------------------------------------


def test_both_bounds_are_attained_in_one_dimension():
    same = np.array([[3.0], [3.0]])  # identical samples: GD, eta* a = 2
    eta = stability_threshold(rank_one_hessians(same), 1, replacement=False, rtol=1e-12)
    assert abs(eta * sharpness_and_nonuniformity(same)[0] - 2) < 1e-9
    g = np.array([[0.0], [2.0]])  # a = s = 2, B = 1, p = 1: eta* = 1/2, eta* s = 1
    eta = stability_threshold(rank_one_hessians(g), 1, replacement=False, rtol=1e-12)
    a, s = sharpness_and_nonuniformity(g)
    assert (a, s) == (2.0, 2.0)
    assert abs(eta - 0.5) < 1e-9


def test_the_two_dimensional_counterexample_is_stable_beyond_the_bound():
    g = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    eta = stability_threshold(rank_one_hessians(g), 1, replacement=False, rtol=1e-12)
    a, s = sharpness_and_nonuniformity(g)
    assert (a, round(s**2, 12)) == (1.0, round(2 / 3, 12))
    assert eta * a <= 2  # the sharpness bound holds
    assert eta * s > 1.03  # the non-uniformity bound (p = 1) does not
