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

**Wu, Ma & E 2018** (NeurIPS 2018, sufficient condition for linear stability, as printed on the
authors' NeurIPS poster). With :math:`\Sigma = \frac1n\sum_i H_i^2 - H^2` and batches of size
:math:`B` drawn without replacement, :math:`x^*` is linearly stable if

.. math::  \lambda_{\max}\Big\{(I - \eta H)^2 + \eta^2\,\frac{n - B}{B(n-1)}\,\Sigma\Big\} \le 1,

and in one dimension the condition is also necessary. (Proof of sufficiency in one line:
:math:`\mathbb{E}\|e_{t+1}\|^2 = \mathbb{E}\,e_t^\top \mathbb{E}[(I-\eta H_S)^2] e_t` and
:math:`\mathbb{E}[H_S^2] = H^2 + \frac{n-B}{B(n-1)}\Sigma`.)

**One dimension** (batch 1): :math:`\mathbb{E}[(1-\eta h)^2] \le 1` iff
:math:`\eta \le \eta^* = 2\,\mathbb{E}[h]/\mathbb{E}[h^2]`, derived here by sympy.

Not encoded: Dexter et al. 2024 (arXiv 2401.12332) define a coherence measure of the
per-example Hessians and a sufficient condition for instability; their definition and
inequalities could not be retrieved, and they are not encoded from memory.
"""

from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st
from sympy.utilities.iterables import variations

from proofs_checks import (
    Agreement,
    Comparison,
    Identity,
    Implication,
    Mutant,
    Paper,
    RunContext,
    Search,
    Symbolic,
    claim,
)
from simulators.stability import (
    noise_factor,
    rank_one_hessians,
    restrict_to_range,
    spectral_radius,
    stability_threshold,
)

WU_SU = Paper(
    title="The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent",
    authors="Lei Wu, Weijie J. Su",
    year=2023,
    arxiv="2305.17490",
    venue="ICML 2023",
)
WU_MA_E = Paper(
    title=(
        "How SGD Selects the Global Minima in Over-parameterized Learning: "
        "A Dynamical Stability Perspective"
    ),
    authors="Lei Wu, Chao Ma, Weinan E",
    year=2018,
    venue="NeurIPS 2018",
)

# Floating-point slack of a predicate on the operator. rho(M) is computed by a symmetric
# eigensolver with absolute error ~1e-15 on entries of size O(1); where the claims are tight
# (the orthogonal instance), d rho / d(eta tr H) >= 4/d >= 1/2 for d <= 8, so an eta that
# violates a bound by more than 1e-9 relative has rho - 1 >= 5e-10, far above rounding.
SLACK = 1e-9


# --- instances hypothesis draws ----------------------------------------------------------------


@st.composite
def datasets(draw, max_n: int = 12, max_d: int = 8, min_n: int = 1) -> np.ndarray:
    """Per-sample gradients g_i as small integers (readable counterexamples; the stability
    threshold scales as 1/scale^2, so integer data lose no generality in shape)."""
    n = draw(st.integers(min_n, max_n))
    d = draw(st.integers(1, max_d))
    rows = draw(
        st.lists(st.lists(st.integers(-4, 4), min_size=d, max_size=d), min_size=n, max_size=n)
    )
    return np.array(rows, dtype=float)


def hessian_trace(features: np.ndarray) -> float:
    return float(np.mean(np.sum(features**2, axis=1)))


def features_json(features: np.ndarray) -> list[list[float]]:
    return [[float(v) for v in row] for row in features]


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
    def claimed_threshold(h: np.ndarray) -> float:
        top = float(np.linalg.eigvalsh(h)[-1])
        return 2 / top if claimed == "sharpness" else 2 / float(np.trace(h))

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
    )


# --- Wu & Su: batch size 1 -------------------------------------------------------------------


@st.composite
def stability_instances(draw, batches=(1,), max_n=12, max_d=8, cap_at_n=False, top=3.0):
    """(features, B, s): eta = s * 2 / tr(H) is drawn relative to the claimed threshold, so
    s > 1 is exactly where the claim says the minimum must be unstable. Without replacement
    (``cap_at_n``) a batch larger than n is read as the whole data set."""
    g = draw(datasets(max_n=max_n, max_d=max_d))
    b = draw(st.sampled_from(batches))
    b = min(b, len(g)) if cap_at_n else b
    s = draw(st.floats(0.01, top, allow_nan=False))
    return g, b, s


def trace_search(
    batches, replacement: bool, bound: float, max_n: int = 12, max_d: int = 8
) -> Search:
    """Search for a stable (features, B, eta) with eta tr(H) > bound."""

    def eta_of(inst) -> float:
        g, _, s = inst
        return s * 2 / hessian_trace(g)

    def stable(inst) -> bool:
        g, b, _ = inst
        if hessian_trace(g) == 0:
            return False
        return spectral_radius(rank_one_hessians(g), eta_of(inst), b, replacement) <= 1

    def conclusion(inst) -> bool:
        return eta_of(inst) * hessian_trace(inst[0]) <= bound * (1 + SLACK)

    def describe(inst) -> dict:
        g, b, _ = inst
        h = rank_one_hessians(g)
        eta = eta_of(inst)
        star = stability_threshold(h, b, replacement, rtol=1e-10)
        return {
            "features": features_json(g),
            "n": int(g.shape[0]),
            "d": int(g.shape[1]),
            "batch_size": int(b),
            "sampling": "with replacement" if replacement else "without replacement",
            "eta": eta,
            "trace_H": hessian_trace(g),
            "eta_trace_H": eta * hessian_trace(g),
            "spectral_radius": spectral_radius(h, eta, b, replacement),
            "threshold_eta_star": star,
            "threshold_eta_star_trace_H": star * hessian_trace(g),
        }

    instances = stability_instances(batches, max_n, max_d, cap_at_n=not replacement)
    return Search(instances, stable, conclusion, describe)


@st.composite
def orthogonal_instances(draw):
    """g_i = c e_i (n = d <= 8), batch 1, eta = s * 2 / lambda_max(H) = s * 2 d / c^2."""
    d = draw(st.integers(1, 8))
    c = draw(st.integers(1, 4))
    s = draw(st.floats(0.01, 1.0, allow_nan=False))
    return c * np.eye(d), s


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
        "Searched over hypothesis-drawn data sets (n <= 12, d <= 8, integer entries in "
        "[-4, 4]) and eta = s 2/tr(H), s in [0.01, 3]. Tightness (the orthogonal instance "
        "g_i = c e_i has threshold exactly 2/tr(H)) is checked by "
        "stability.sgd.orthogonal_threshold at B = 1."
    ),
    predicted=Implication(max_examples=300, max_examples_full=2000),
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
    ],
)
def sgd_trace(ctx: RunContext, bound: float = 2.0, variant: str = "trace") -> Search:
    if variant == "gd_condition":
        return gd_condition_search()
    return trace_search(batches=(1,), replacement=True, bound=bound)


# --- Wu, Ma & E: the sufficient condition ------------------------------------------------------


def wu_ma_e_quantity(hessians: np.ndarray, eta: float, batch: int, factor: float) -> float:
    r"""lambda_max{(I - eta H)^2 + eta^2 factor Sigma} on the range of H."""
    h = restrict_to_range(hessians)
    mean = h.mean(axis=0)
    sigma = np.einsum("nij,njk->ik", h, h) / len(h) - mean @ mean
    a = np.eye(len(mean)) - eta * mean
    return float(np.linalg.eigvalsh(a @ a + eta**2 * factor * sigma)[-1])


@claim(
    "stability.wu_ma_e.sufficient",
    paper=WU_MA_E.theorem("sufficient condition for linear stability (NeurIPS poster)"),
    statement=(
        "With batches of B samples drawn without replacement, "
        "lambda_max{(I - eta H)^2 + eta^2 (n - B)/(B(n - 1)) Sigma} <= 1 implies mean-square "
        "linear stability; in one dimension it is also necessary (the thresholds coincide)."
    ),
    latex=r"\lambda_{\max}\Big\{(I-\eta H)^2 + \eta^2 \tfrac{n-B}{B(n-1)}\Sigma\Big\} \le 1 "
    r"\implies \rho(M) \le 1",
    assumptions=(
        "square loss, interpolating global minimum",
        "batches: uniform B-subsets (without replacement)",
    ),
    simplification=(
        "Searched over hypothesis-drawn data sets (2 <= n <= 12, d <= 6), B <= n, "
        "eta = s 2/tr(H), s in [0.01, 3]. The 1-D iff is checked on every instance whose H "
        "has rank 1, by comparing the condition's closed-form threshold "
        "2a/(a^2 + c s^2) with the operator's, to 1e-9 relative."
    ),
    predicted=Implication(max_examples=300, max_examples_full=2000),
    mutants=[
        Mutant(
            "no_finite_population_factor",
            "the factor (n - B)/(B(n - 1)) replaced by 1/B (the with-replacement formula)",
            params={"finite_population": False},
        )
    ],
)
def wu_ma_e_sufficient(ctx: RunContext, finite_population: bool = True) -> Search:
    def factor(n: int, b: int) -> float:
        return noise_factor(n, b, replacement=not finite_population)

    @st.composite
    def instances(draw):
        g = draw(datasets(max_n=12, max_d=6, min_n=2))
        b = draw(st.integers(1, len(g)))
        s = draw(st.floats(0.01, 3.0, allow_nan=False))
        return g, b, s

    def eta_of(inst) -> float:
        return inst[2] * 2 / hessian_trace(inst[0])

    def premise(inst) -> bool:
        g, b, _ = inst
        if hessian_trace(g) == 0:
            return False
        h = rank_one_hessians(g)
        return wu_ma_e_quantity(h, eta_of(inst), b, factor(len(g), b)) <= 1

    def one_dim_thresholds(inst) -> tuple[float, float] | None:
        g, b, _ = inst
        h = restrict_to_range(rank_one_hessians(g))
        if h.shape[1] != 1:
            return None
        values = h[:, 0, 0]
        a, var = values.mean(), values.var()
        closed_form = 2 * a / (a**2 + factor(len(g), b) * var)
        return closed_form, stability_threshold(h, b, replacement=False, rtol=1e-12)

    def conclusion(inst) -> bool:
        g, b, _ = inst
        radius = spectral_radius(rank_one_hessians(g), eta_of(inst), b, replacement=False)
        if radius > 1 + SLACK:
            return False
        pair = one_dim_thresholds(inst)
        return pair is None or abs(pair[0] / pair[1] - 1) <= SLACK

    def describe(inst) -> dict:
        g, b, _ = inst
        h = rank_one_hessians(g)
        pair = one_dim_thresholds(inst)
        return {
            "features": features_json(g),
            "batch_size": int(b),
            "sampling": "without replacement",
            "eta": eta_of(inst),
            "condition_lambda_max": wu_ma_e_quantity(h, eta_of(inst), b, factor(len(g), b)),
            "spectral_radius": spectral_radius(h, eta_of(inst), b, replacement=False),
            "one_dim_thresholds": None
            if pair is None
            else {"condition": pair[0], "operator": pair[1]},
        }

    return Search(instances(), premise, conclusion, describe)


# --- one dimension, symbolically ------------------------------------------------------------


def one_dim_threshold_by_sympy(samples: int, batch: int) -> tuple[sympy.Expr, list]:
    """Solve E[(1 - eta h_S)^2] = 1 for eta != 0, the expectation taken over all samples^batch
    equally likely batches (with replacement); returns the root and the derivation."""
    eta = sympy.Symbol("eta", positive=True)
    h = sympy.symbols(f"h1:{samples + 1}", positive=True)
    tuples = variations(range(samples), batch, repetition=True)
    factors = [(1 - eta * sum(h[i] for i in t) / batch) ** 2 for t in tuples]
    second_moment = sympy.expand(sympy.Add(*factors) / len(factors))
    roots = [r for r in sympy.solve(sympy.Eq(second_moment, 1), eta) if r != 0]
    if len(roots) != 1:
        raise ValueError(f"expected one non-zero root, got {roots}")
    steps = [
        ("one-step second moment E[(1 - eta h_S)^2]", second_moment),
        ("E[(1 - eta h_S)^2] - 1, factored", sympy.factor(second_moment - 1)),
        ("non-zero root", roots[0]),
    ]
    return sympy.simplify(roots[0]), steps


ONE_DIM_SAMPLES = 3


@claim(
    "stability.sgd.one_dim.symbolic",
    paper=WU_MA_E.theorem("stability condition in one dimension, batch size 1 (poster)"),
    statement=(
        "In one dimension with batch size 1, SGD is mean-square stable iff "
        "eta <= 2 E[h] / E[h^2]; sympy derives the root of E[(1 - eta h)^2] = 1."
    ),
    latex=r"\mathbb{E}[(1-\eta h)^2] = 1 \iff \eta = \frac{2\,\mathbb{E}[h]}{\mathbb{E}[h^2]}",
    assumptions=("one dimension: f_i(x) = h_i x^2 / 2, h_i > 0", "batch size 1"),
    simplification="Derived for n = 3 symbolic samples h1, h2, h3 > 0.",
    predicted=Symbolic(),
    mutants=[
        Mutant(
            "batch_two",
            "the batch-1 formula claimed for the batch-2 recursion (derived at B = 2)",
            params={"batch": 2},
        ),
        Mutant("gd_threshold", "GD's threshold 2/E[h] claimed for SGD", params={"claimed": "gd"}),
    ],
)
def one_dim_symbolic(ctx: RunContext, batch: int = 1, claimed: str = "sgd") -> Identity:
    root, steps = one_dim_threshold_by_sympy(ONE_DIM_SAMPLES, batch)
    h = sympy.symbols(f"h1:{ONE_DIM_SAMPLES + 1}", positive=True)
    mean = sympy.Add(*h) / len(h)
    mean_sq = sympy.Add(*[v**2 for v in h]) / len(h)
    rhs = 2 * mean / mean_sq if claimed == "sgd" else 2 / mean
    points = [dict(zip(h, vals, strict=True)) for vals in ((1, 2, 3), (1, 1, 5), (2, 7, 3))]
    return Identity(lhs=root, rhs=rhs, steps=steps, test_points=points)


@claim(
    "stability.sgd.one_dim.operator",
    paper=WU_MA_E.theorem("stability condition in one dimension, batch size 1 (poster)"),
    statement=(
        "The threshold 2 E[h]/E[h^2] derived symbolically equals the threshold of the "
        "second-moment operator (batch 1, with replacement) on random 1-D data sets."
    ),
    latex=r"\eta^*_{\rm operator} = \frac{2\,\mathbb{E}[h]}{\mathbb{E}[h^2]}",
    assumptions=("one dimension", "batch size 1, with replacement"),
    simplification="12 random data sets, n between 2 and 12, h_i log-normal.",
    # The operator threshold is bisected to 1e-12 relative, so 1e-9 only absorbs rounding.
    predicted=Agreement(rtol=1e-9),
    mutants=[
        Mutant(
            "batch_two",
            "the batch-1 formula compared with the batch-2 operator",
            params={"batch": 2},
        )
    ],
)
def one_dim_operator(ctx: RunContext, batch: int = 1) -> Comparison:
    computed, reference, labels = [], [], []
    for k in range(ctx.pick(12, 40)):
        n = int(ctx.rng.integers(2, 13))
        h = np.exp(ctx.rng.standard_normal(n))
        computed.append(stability_threshold(h[:, None, None], batch, rtol=1e-12))
        reference.append(2 * h.mean() / np.mean(h**2))
        labels.append(f"data set {k} (n = {n})")
    return Comparison(computed, reference, labels)


# --- the instances are what the docstring says they are -----------------------------------------


def test_wu_ma_e_quantity_is_the_operator_in_one_dimension():
    h = np.array([0.5, 1.0, 2.5, 4.0])[:, None, None]
    for b in (1, 2, 3):
        c = noise_factor(4, b, replacement=False)
        radius = spectral_radius(h, 0.3, b, replacement=False)
        assert math.isclose(wu_ma_e_quantity(h, 0.3, b, c), radius, rel_tol=1e-12)


def test_sympy_root_is_the_one_dim_formula_at_batch_one():
    root, _ = one_dim_threshold_by_sympy(2, 1)
    h1, h2 = sympy.symbols("h1:3", positive=True)
    assert sympy.simplify(root - 2 * (h1 + h2) / (h1**2 + h2**2)) == 0
