r"""The mean-square stability threshold of SGD is non-decreasing in the batch size.

Mulayoff & Michaeli, *Exact Mean Square Linear Stability Analysis for SGD*, COLT 2024
(PMLR 247), arXiv 2306.07850v3, main result on the batch size (as the abstract states it): *the
stability threshold is monotonically non-decreasing in the batch size* B, so reducing the batch
size can only decrease stability; SGD's threshold equals that of a mixture process taking a
full-batch step with probability 1 - p and a single-sample step with probability p,
:math:`p = (n - B)/(B(n - 1))` (batches drawn without replacement).

Encoded on the exact operator of :mod:`simulators.stability` (square loss at an interpolating
minimum, :math:`H_i = g_i g_i^\top`, batches of B distinct indices): for every drawn data set
and every :math:`1 \le B < n`, :math:`\eta^*(B) \le \eta^*(B + 1)`, with :math:`\eta^*` bisected
to 1e-12. The operator is :math:`I - \eta L + \eta^2 (H\otimes H + p\,(\mathbb{E}H_i\otimes H_i
- H\otimes H))` with p decreasing in B, and :math:`\mathbb{E}H_i\otimes H_i - H\otimes H` is
PSD, so the statement holds; the search looks for a floating-point or modelling slip.

Near statements: :math:`\eta^*(B+1) \ge (1 + d)\,\eta^*(B)` (the threshold grows by a factor
1 + d at least); identical samples (every :math:`g_i` equal: SGD is GD) have a threshold
constant in B, so every d > 0 is refuted where the search finds them.
"""

from __future__ import annotations

import numpy as np

from proofs_checks import Implication, Mutant, RunContext, Search, claim
from simulators.stability import rank_one_hessians, stability_threshold
from simulators.stability_instances import SLACK, datasets, features_json
from theorems.bibliography import MULAYOFF

#: How consecutive thresholds must compare: the claim and two plausible misreadings.
RELATIONS = {
    "non_decreasing": "eta*(B) <= eta*(B + 1)",
    "non_increasing": "eta*(B) >= eta*(B + 1) (a larger batch is less stable)",
    "linear_scaling": "eta*(2B) >= 2 eta*(B) (the linear scaling rule taken as exact)",
}


def thresholds(features: np.ndarray) -> np.ndarray:
    """``eta*(B)`` for B = 1..n, batches without replacement."""
    h = rank_one_hessians(features)
    return np.array(
        [stability_threshold(h, b, replacement=False, rtol=1e-12) for b in range(1, len(h) + 1)]
    )


def monotone_search(relation: str = "non_decreasing", factor: float = 1.0) -> Search:
    """The search for ``relation`` between the thresholds of each data set; ``factor`` > 1
    strengthens "non-decreasing" to "grows by at least ``factor``" (the near statements)."""
    cache: dict[bytes, np.ndarray] = {}

    def etas(g: np.ndarray) -> np.ndarray:
        key = g.tobytes() + bytes(str(g.shape), "ascii")
        if key not in cache:
            cache[key] = thresholds(g)
        return cache[key]

    def holds(g: np.ndarray) -> bool:
        e = etas(g)
        tol = 1 + 10 * SLACK  # the bisection's 1e-12 bracket, with room
        if relation == "non_increasing":
            return bool(np.all(e[1:] <= e[:-1] * tol))
        if relation == "linear_scaling":
            b = np.arange(1, len(e) // 2 + 1)
            return bool(np.all(2 * e[b - 1] <= e[2 * b - 1] * tol))
        return bool(np.all(factor * e[:-1] <= e[1:] * tol))

    def premise(g: np.ndarray) -> bool:
        return len(g) >= 2 and bool(np.any(g != 0))

    def describe(g: np.ndarray) -> dict:
        return {
            "features": features_json(g),
            "eta_star_by_batch": etas(g).tolist(),
            "relation": RELATIONS[relation],
            "factor": factor,
        }

    return Search(
        datasets(max_n=6, max_d=4, min_n=2),
        premise,
        holds,
        describe,
        near=lambda d: monotone_search(relation, factor * (1 + d)),
        near_parameter="growth factor",
        # toward equal thresholds (the edge of "non-decreasing"): the smallest relative growth
        slack=lambda g: float(np.min(np.diff(etas(g)) / etas(g)[:-1])) if premise(g) else 1.0,
    )


@claim(
    "stability.mulayoff.monotone_in_batch",
    paper=MULAYOFF.theorem("main result on the batch size (abstract, v3)"),
    statement=(
        "The mean-square linear stability threshold eta*(B) of SGD (batches without "
        "replacement) at an interpolating minimum is non-decreasing in the batch size B."
    ),
    latex=r"1 \le B < n \implies \eta^*(B) \le \eta^*(B+1)",
    assumptions=(
        "square loss, interpolating minimum: H_i = g_i g_i^T",
        "batches of B distinct indices, uniform",
        "mean-square linear stability",
    ),
    simplification=(
        "Hypothesis-drawn data sets (2 <= n <= 6, d <= 4, integer entries in [-4, 4]); every B "
        "from 1 to n; eta* bisected on the exact operator to 1e-12; search driven toward equal "
        "consecutive thresholds."
    ),
    predicted=Implication(max_examples=120, max_examples_full=500),
    mutants=[
        Mutant(
            "non_increasing",
            "the threshold read as non-increasing in B (larger batches less stable)",
            params={"relation": "non_increasing"},
        ),
        Mutant(
            "linear_scaling_exact",
            "the linear scaling rule taken as exact: doubling B doubles the threshold",
            params={"relation": "linear_scaling"},
        ),
    ],
)
def monotone_in_batch(ctx: RunContext, relation: str = "non_decreasing") -> Search:
    return monotone_search(relation)


# --- the instances are what the docstring says they are -----------------------------------------


def test_identical_samples_have_a_threshold_constant_in_batch_and_equal_to_gd():
    g = np.tile([[1.0, 2.0]], (4, 1))  # SGD on identical samples is GD: 2 / ||g||^2
    np.testing.assert_allclose(thresholds(g), 2 / 5, rtol=1e-10)


def test_orthogonal_samples_grow_from_the_trace_bound_to_gd():
    e = thresholds(2.0 * np.eye(3))  # tr(H) = 4, lambda_max(H) = 4/3
    # B = 1: the trace bound 2 / tr(H) is attained; B = n: GD's 2 / lambda_max(H)
    np.testing.assert_allclose([e[0], e[-1]], [2 / 4, 2 / (4 / 3)], rtol=1e-9)
    assert np.all(np.diff(e) > 0)
