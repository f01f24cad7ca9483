r"""Linear (mean-square) stability of GD and SGD at an interpolating minimum of the square loss.

Setting (Wu, Ma & E 2018; Wu & Su 2023). Near a global minimum :math:`x^*` that interpolates the
data, the square loss is :math:`f(x) = \frac1n \sum_i \frac12 (g_i^\top (x - x^*))^2` to second
order, with per-sample Hessians :math:`H_i = g_i g_i^\top` and :math:`H = \frac1n\sum_i H_i`.
SGD with learning rate :math:`\eta` and batch :math:`S` linearises to
:math:`e_{t+1} = (I - \eta H_S) e_t`, and :math:`x^*` is *linearly stable* iff
:math:`\mathbb{E}\|e_t\|^2 \le C \|e_0\|^2` for all :math:`t`, i.e. iff the spectral radius of
:math:`M = \mathbb{E}[(I - \eta H_S) \otimes (I - \eta H_S)]` is at most 1 (on the range of
:math:`H`). That operator, computed exactly by :mod:`simulators.stability`, is the ground truth
of every claim here; batches are drawn **with replacement** unless a claim says otherwise.

**GD** (classical; Wu, Ma & E 2018 find GD's sharpness at :math:`2/\eta` in experiments).
With :math:`S` the whole data set, :math:`x^*` is linearly stable iff
:math:`\lambda_{\max}(H) \le 2/\eta`.

**Wu & Su 2023** (arXiv 2305.17490, ICML 2023; main result, as stated in the abstract): *if a
global minimum is linearly stable for SGD, then* :math:`\operatorname{tr}(H) \le 2/\eta`. The
theorem's own text (and how it treats the batch size) could not be retrieved; we encode the
statement for batch size 1 (with replacement), where it holds and is tight, and in
:mod:`theorems.stability_batch` the statement read for every batch size, which is false.

Wu, Ma & E's sufficient condition, the one-dimensional threshold and escape are in
:mod:`theorems.stability_wu_ma_e`; the batch-size claims in :mod:`theorems.stability_batch`.

Not encoded: Dexter et al. 2024 (arXiv 2401.12332) define a coherence measure of the
per-example Hessians and a sufficient condition for instability; their definition and
inequalities could not be retrieved, and they are not encoded from memory.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from proofs_checks import (
    Implication,
    Mutant,
    RunContext,
    Search,
    claim,
)
from simulators.stability import (
    rank_one_hessians,
    spectral_radius,
    stability_threshold,
)
from simulators.stability_instances import (
    SLACK,
    datasets,
    features_json,
    hessian_trace,
    orthogonal_instances,
)
from theorems.bibliography import WU_MA_E, WU_SU

# --- GD --------------------------------------------------------------------------------------


@st.composite
def psd_matrices(draw, max_d: int = 8) -> np.ndarray:
    """H = A A^T with A a small integer d x k matrix, d <= 8: any rank, repeated eigenvalues."""
    d = draw(st.integers(1, max_d))
    k = draw(st.integers(1, max_d))
    rows = draw(
        st.lists(st.lists(st.integers(-5, 5), min_size=k, max_size=k), min_size=d, max_size=d)
    )
    a = np.array(rows, dtype=float)
    return a @ a.T


@claim(
    "stability.gd.sharpness",
    paper=WU_MA_E.theorem("linear stability of GD: stable iff lambda_max(H) <= 2/eta (poster)"),
    statement=(
        "Gradient descent is linearly stable at a minimum with Hessian H iff "
        "lambda_max(H) <= 2/eta: the exact threshold of the second-moment operator equals "
        "2/lambda_max(H) to 1e-9 relative."
    ),
    latex=r"\rho\big((I-\eta H)\otimes(I-\eta H)\big) \le 1 \iff \eta \le 2/\lambda_{\max}(H)",
    assumptions=("quadratic loss with PSD Hessian H (the square loss at a minimum)",),
    simplification=(
        "Checked on hypothesis-drawn H = A A^T, A an integer d x k matrix (d, k <= 8); the "
        "threshold is found by bisection on the spectral radius of the operator restricted to "
        "the range of H, to 1e-12 relative, with a bracket found by doubling (no use of "
        "lambda_max)."
    ),
    predicted=Implication(max_examples=150, max_examples_full=1000),
    mutants=[
        Mutant(
            "trace_threshold",
            "SGD's trace threshold 2/tr(H) claimed for GD",
            params={"claimed": "trace"},
        )
    ],
)
def gd_sharpness(ctx: RunContext, claimed: str = "sharpness") -> Search:
    return sharpness_search(claimed)


def sharpness_search(claimed: str, factor: float = 1.0) -> Search:
    """The search for GD's threshold: ``factor`` divides the claimed constant 2 (near
    statements: the threshold claimed as 2/((1 + d) lambda_max), refuted once d > SLACK)."""

    def claimed_threshold(h: np.ndarray) -> float:
        top = float(np.linalg.eigvalsh(h)[-1])
        return (2 / factor) / (top if claimed == "sharpness" else float(np.trace(h)))

    def threshold(h: np.ndarray) -> float:
        return stability_threshold(h[None], batch=1, rtol=1e-12)  # one "sample": GD

    def agrees(h: np.ndarray) -> bool:
        return abs(threshold(h) / claimed_threshold(h) - 1) <= SLACK

    def describe(h: np.ndarray) -> dict:
        return {
            "H": features_json(h),
            "eigenvalues": [float(v) for v in np.linalg.eigvalsh(h)],
            "threshold": threshold(h),
            "claimed_threshold": claimed_threshold(h),
        }

    return Search(
        psd_matrices(),
        premise=lambda h: bool(np.trace(h) > 0),
        conclusion=agrees,
        describe=describe,
        near=lambda d: sharpness_search(claimed, factor * (1 + d)),
    )


# --- Wu & Su: batch size 1 -------------------------------------------------------------------


def gd_condition_search() -> Search:
    """The mutant: 'lambda_max(H) <= 2/eta suffices for SGD', on the orthogonal instance."""

    def eta_of(inst) -> float:
        g, s = inst
        return s * 2 / float(np.linalg.eigvalsh(rank_one_hessians(g).mean(0))[-1])

    def describe(inst) -> dict:
        g, _ = inst
        h, eta = rank_one_hessians(g), eta_of(inst)
        return {
            "features": features_json(g),
            "batch_size": 1,
            "eta": eta,
            "eta_lambda_max": eta * float(np.linalg.eigvalsh(h.mean(0))[-1]),
            "eta_trace_H": eta * hessian_trace(g),
            "spectral_radius": spectral_radius(h, eta, 1),
        }

    return Search(
        orthogonal_instances(),
        premise=lambda inst: True,  # eta <= 2/lambda_max by construction (s <= 1)
        conclusion=lambda inst: (
            spectral_radius(rank_one_hessians(inst[0]), eta_of(inst), 1) <= 1 + SLACK
        ),
        describe=describe,
    )


@claim(
    "stability.sgd.trace",
    paper=WU_SU.theorem("main result (abstract): linear stability implies tr(H) <= 2/eta"),
    statement=(
        "For SGD with batch size 1 (indices drawn with replacement) at an interpolating "
        "minimum of the square loss, mean-square linear stability implies eta tr(H) <= 2."
    ),
    latex=r"\rho\big(\mathbb{E}_i[(I-\eta H_i)^{\otimes 2}]\big) \le 1 \implies "
    r"\eta \operatorname{tr}(H) \le 2",
    assumptions=(
        "square loss, interpolating global minimum: H_i = g_i g_i^T",
        "batch size 1, index uniform with replacement",
        "linear stability in the mean-square sense",
    ),
    simplification=(
        "Checked on the threshold itself: eta* = sup{eta: rho(M) <= 1}, bisected on the exact "
        "operator to 1e-12, satisfies eta* tr(H) <= 2 over hypothesis-drawn data sets (n <= 12, "
        "d <= 8, integer entries in [-4, 4]), the search driven toward eta* tr(H) = 2 (one "
        "sample, orthogonal samples attain it exactly)."
    ),
    predicted=Implication(max_examples=150, max_examples_full=600),
    mutants=[
        Mutant(
            "halved_bound",
            "stable implies eta tr(H) <= 1 (the bound halved)",
            params={"bound": 1.0},
        ),
        Mutant(
            "gd_condition_suffices",
            "GD's condition lambda_max(H) <= 2/eta claimed sufficient for SGD (searched on the "
            "orthogonal instance g_i = c e_i)",
            params={"variant": "gd_condition"},
        ),
        Mutant(
            "general_psd_hessians",
            "the bound claimed for general PSD per-sample Hessians H_i = A_i A_i^T (rank up to "
            "2), not only the square loss's rank-one g_i g_i^T",
            params={"variant": "general_psd"},
        ),
    ],
)
def sgd_trace(ctx: RunContext, bound: float = 2.0, variant: str = "trace") -> Search:
    if variant == "gd_condition":
        return gd_condition_search()
    return threshold_search(bound, general_psd=variant == "general_psd")


@st.composite
def psd_hessian_sets(draw) -> np.ndarray:
    """``(n, d, d)`` per-sample Hessians ``A_i A_i^T`` with integer ``A_i`` of shape (d, 2)."""
    n, d = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    entries = draw(st.lists(st.integers(-4, 4), min_size=n * d * 2, max_size=n * d * 2))
    a = np.array(entries, dtype=float).reshape(n, d, 2)
    return np.einsum("nik,njk->nij", a, a)


def threshold_search(bound: float, general_psd: bool = False) -> Search:
    """The search for "eta* tr(H) <= ``bound``" at batch size 1 (with replacement), on the
    bisected threshold eta*; near statements divide the bound by 1 + d."""
    cache: dict[bytes, float] = {}

    def hessians(inst: np.ndarray) -> np.ndarray:
        return inst if general_psd else rank_one_hessians(inst)

    def scaled_threshold(inst: np.ndarray) -> float:
        key = inst.tobytes() + bytes(str(inst.shape), "ascii")
        if key not in cache:
            h = hessians(inst)
            trace = float(np.trace(h.mean(axis=0)))
            cache[key] = stability_threshold(h, 1, rtol=1e-12) * trace
        return cache[key]

    def nonzero(inst: np.ndarray) -> bool:
        return bool(np.any(inst != 0))

    def describe(inst: np.ndarray) -> dict:
        key = "hessians" if general_psd else "features"
        return {key: inst.tolist(), "eta_star_trace_H": scaled_threshold(inst), "bound": bound}

    return Search(
        psd_hessian_sets() if general_psd else datasets(),
        nonzero,
        lambda inst: scaled_threshold(inst) <= bound * (1 + SLACK),
        describe,
        near=lambda d: threshold_search(bound / (1 + d), general_psd),
        near_parameter="threshold factor",
        # toward eta* tr(H) = 2, the edge the theorem claims (and the rank-one case attains)
        slack=lambda inst: abs(2.0 - scaled_threshold(inst)) if nonzero(inst) else 10.0,
    )


# --- the instances are what the docstring says they are -----------------------------------------


def test_trace_bound_is_attained_on_the_orthogonal_instance_at_batch_one():
    for d in (1, 3, 8):
        g = 1.5 * np.eye(d)  # tr(H) = 2.25
        assert math.isclose(stability_threshold(rank_one_hessians(g), 1) * 2.25, 2, rel_tol=1e-9)
