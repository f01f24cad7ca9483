r"""Learning curves of online SGD on Gaussian features with a power-law spectrum.

Bordelon & Pehlevan, *Learning Curves for SGD on Structured Features*, ICLR 2022, arXiv
2106.02713. The abstract (read) states that for Gaussian features the test loss of online SGD
is given exactly by a recursion over the feature covariance's spectrum, and that power-law
spectra give power-law learning curves. The recursion's notation and the exponent are recalled,
not read; the mathematics is ours (Isserlis' theorem, ``simulators.learning_curves``):

.. math::  c_k(t+1) = (1 - \eta\lambda_k)^2 c_k + \frac{\eta^2}{B}\Big[\lambda_k^2 c_k +
           \lambda_k \sum_j \lambda_j c_j\Big], \qquad L_t = \tfrac12 \sum_k \lambda_k c_k(t),

and with :math:`\lambda_k = k^{-b}`, :math:`\lambda_k w_k^{*2} = k^{-a}` (:math:`a > 1`),
:math:`L_t \asymp t^{-(a-1)/b}` (the gradient-flow integral
:math:`\sum_k k^{-a} e^{-2\eta k^{-b} t}`).
"""

from __future__ import annotations

import functools

import numpy as np

from proofs_checks import Agreement, Comparison, Mutant, PowerLaw, RunContext, Samples, claim
from simulators.learning_curves import loss_recursion, power_law_spectrum, sgd_test_loss
from theorems.bibliography import BORDELON_PEHLEVAN

A, B, STEP, BATCH = 2.0, 1.5, 0.2, 1
EXPONENT = -(A - 1) / B


@claim(
    "sgd.learning_curves.power_law",
    paper=BORDELON_PEHLEVAN.theorem("abstract; the power-law exponent recalled, derived here"),
    statement=(
        "For online SGD on Gaussian features with lambda_k = k^-b and lambda_k w*_k^2 = k^-a, "
        "the expected test loss (the exact recursion) decays as t^-(a-1)/b: a = 2, b = 1.5 "
        "give exponent -2/3."
    ),
    latex=r"L_t \asymp t^{-(a-1)/b}",
    assumptions=("x ~ N(0, diag(lambda))", "noiseless linear target", "eta tr(Sigma)/B < 1"),
    simplification=(
        "a = 2, b = 1.5, eta = 0.2, B = 1, w_0 = 0, M = 1e4 modes, t from 30 to 3000 (the "
        "exact recursion, deterministic)."
    ),
    # Truncating at M modes removes a loss M^(1-a)/(a-1) = 1e-4 that the infinite model
    # would still carry (modes k > M are unlearned until t ~ M^b/eta = 5e6): 2-4% of L_t
    # here, which steepens the local slope by under 0.01; the SGD noise term changes the
    # constant, not the exponent. Below t = 30 the few learned modes make the curve discrete.
    # 0.05, the default, is five times the local-slope drift (-0.660 to -0.669).
    predicted=PowerLaw(exponent=EXPONENT, tolerance=0.05),
    mutants=[
        Mutant(
            "exponent_a_over_b",
            "exponent -a/b (the target's decay lambda_k w_k^2 = k^-a, its (a - 1) integral "
            "forgotten)",
            predicted=PowerLaw(exponent=-A / B, tolerance=0.05),
        ),
    ],
)
def learning_curve_exponent(ctx: RunContext) -> Samples:
    del ctx  # deterministic
    eigenvalues, target_squares = power_law_spectrum(10_000, A, B)
    horizons = np.unique(np.geomspace(30, 3_000, 16).astype(int))
    loss = loss_recursion(eigenvalues, target_squares, STEP, BATCH, horizons)
    return Samples(
        horizons,
        loss,
        constants={"a": A, "b": B, "eta": STEP},
        x_label="iterations t",
        y_label="expected test loss L_t (exact recursion)",
    )


@claim(
    "sgd.learning_curves.recursion",
    paper=BORDELON_PEHLEVAN.theorem("abstract (exact learning curves for Gaussian features)"),
    statement=(
        "The second-moment recursion (with SGD's noise term eta^2/B [lambda_k^2 c_k + lambda_k "
        "sum_j lambda_j c_j]) gives the expected test loss of online SGD on Gaussian features "
        "exactly: Monte Carlo agrees within its bands at every t."
    ),
    latex=r"E\,L_t^{\mathrm{SGD}} = \tfrac12 \sum_k \lambda_k c_k(t)",
    assumptions=("x ~ N(0, diag(lambda))", "noiseless linear target"),
    simplification=(
        "M = 100 modes, a = 2, b = 1.5, eta = 0.2, B = 1, w_0 = 0; 8000 SGD runs (32000 full), "
        "t from 1 to 300."
    ),
    # A single run's loss is heavy-tailed at small t (a few large early errors in the top
    # modes): with 2000 runs the joint 95% band over the horizons is about +-3%, so 8000 runs
    # (+-1.5%) keep it inside a 3% tolerance; a reference off by 10% (the target) is refuted
    # and the dropped noise term (the recursion 20-40% low from t = 10) is far outside.
    predicted=Agreement(rtol=0.03),
    mutants=[
        Mutant(
            "no_noise_term",
            "the recursion without SGD's eta^2/B term (gradient descent's, the gradient-flow "
            "prediction)",
            params={"noise_term": False},
        ),
    ],
)
def learning_curve_recursion(ctx: RunContext, noise_term: bool = True) -> Comparison:
    eigenvalues, target_squares = power_law_spectrum(100, A, B)
    horizons = np.unique(np.geomspace(1, 300, 10).astype(int))
    seed = int(ctx.rng.integers(2**63))
    simulated = _monte_carlo_loss(ctx.pick(8_000, 32_000), seed).copy()
    reference = loss_recursion(eigenvalues, target_squares, STEP, BATCH, horizons, noise_term)
    return Comparison(
        simulated, reference, labels=[f"t = {t}" for t in horizons], notes={"modes": 100}
    )


@functools.lru_cache(maxsize=4)
def _monte_carlo_loss(replicates: int, seed: int) -> np.ndarray:
    """The SGD runs' test losses at the claim's horizons, from a stream seeded with ``seed``.

    The claim and its mutant draw ``seed`` from the same seed stream and differ only in the
    reference they compare with, so their Monte Carlo data are the same numbers: simulated once
    (the runs are the whole cost) and shared through this cache, keyed by the seed.

    The runs draw from SFC64 rather than the claim's PCG64: the 2.4e8 standard normals (8,000
    runs x 300 steps x 100 modes) are the runs' cost, and SFC64 feeds the ziggurat about 20%
    faster here. It passes the same statistical batteries (BigCrush, PractRand), and seeded from
    the claim's stream the runs stay deterministic given the seed.
    """
    rng = np.random.Generator(np.random.SFC64(seed))
    eigenvalues, target_squares = power_law_spectrum(100, A, B)
    horizons = np.unique(np.geomspace(1, 300, 10).astype(int))
    return sgd_test_loss(
        eigenvalues, np.sqrt(target_squares), STEP, BATCH, horizons, replicates, rng
    )
