r"""Liu & Zhou's explicit last-iterate bound, judged on the hardest noisy Harvey instance found.

**The bound** (Liu & Zhou, arXiv 2312.08531, ICLR 2024; Theorem 3.1 in the ICLR numbering, the
convex Lipschitz case), in the form the issue and the colleagues' notes transcribe it: SGD with
the anytime step :math:`\eta_t = \eta/\sqrt t` on a convex :math:`M`-Lipschitz :math:`F`, with
oracle noise :math:`\mathbb E\|\xi_t\|^2 \le \sigma^2`, has

.. math::  \mathbb E[F(x_{T+1})] - F^* \le \Big(\frac{D}{\eta} + \eta(M^2 + \sigma^2)\Big)
           \frac{1 + \log T}{\sqrt T}, \qquad D = \tfrac12\|x^* - x_1\|^2 .

Only the theorem's number was verified against text (see :mod:`theorems.last_iterate`); the
constants are as transcribed, not checked against the PDF. Where the transcription leaves a
choice, the smaller right side is taken, so the check is the stricter one: :math:`M` is the
Lipschitz constant :math:`G` on the domain (Liu & Zhou's :math:`(0, M)`-smoothness holds with
:math:`M = 2G`, which only raises the bound) and :math:`D` the Bregman half-square (at most the
distance itself here, where it is below 1).

**The family.** Harvey, Liaw, Plan & Randhawa's convex construction :math:`f_H` (arXiv
1812.05217v1, Section 6; :mod:`simulators.harvey`), the instance on which the last iterate
attains :math:`\log T/\sqrt T`, with a noisy coordinate of its own added (the construction's
ties break under noise on its own coordinates: :mod:`theorems.last_iterate_sandwich`):

.. math::  F(x, z) = f_H(x) + \tfrac\lambda2 z^2 \quad\text{on } B_T \times [-r, r], \qquad
           \hat g_t = \big(h_{i'}(x_t),\ \lambda z_t + \sigma\zeta_t\big),\ \zeta_t \sim N(0, 1),

step :math:`\eta_t = c/\sqrt t` on both blocks (the construction is built for its step
constant, :math:`c \ge 1`), :math:`x_1 = 0`, :math:`z_1 = s r`. Then:

* :math:`F^* = 0` at :math:`(0, 0)`: :math:`f_H \ge 0` everywhere (for :math:`x \ne 0` let
  :math:`i` be the first index with :math:`x_i \le 0`: :math:`h_i^\top x = \sum_{j<i} a_j x_j -
  b_i x_i \ge 0`; if there is none, :math:`h_{T+1}^\top x = \sum_j a_j x_j > 0`). So
  :math:`x_1 = 0` is a minimiser, :math:`D = z_1^2/2`, and the gap is exactly
  :math:`y_T = f_H(x_{T+1}) + \tfrac\lambda2 z_{T+1}^2`.
* :math:`M^2 = G_H^2 + \lambda^2 r^2`, :math:`G_H = \max_i\|h_i\| \approx 0.51/c` computed
  exactly per :math:`T`.
* :math:`f_H(x_{T+1})` comes from the paper's closed form (:math:`O(T)`, exact), the
  :math:`z` block is simulated (one exact run when :math:`\sigma = 0`).

The search (``search.Family``) runs over :math:`c`, :math:`\sigma`, :math:`\lambda`, :math:`r`
and :math:`s`, maximising :math:`\max_T y_T/B`. What it meets (measured, module notes): the
construction block alone gives :math:`y/B = 0.209` at :math:`T = 2`, falling to :math:`0.180`
from :math:`T = 2^8` on, whatever :math:`c` (:math:`f_H(x_{T+1}) = 0.0469(1 + \ln T)/(c\sqrt
T)` against :math:`\eta G_H^2 (1 + \ln T)/\sqrt T = 0.260 (1 + \ln T)/(c\sqrt T)`); noise adds
about :math:`\eta_T\sigma^2/4` to the gap and :math:`\eta\sigma^2(1 + \ln T)/\sqrt T` to the
bound, so it only lowers the ratio; a start away from :math:`z^* = 0` adds to :math:`D` as
much as to the gap (a grid over :math:`c, \lambda, r` and :math:`z_1 = r/2, r` stays at or
under 0.208). The hardest instance is the noiseless construction with the narrowest added
block, 0.209 of the bound: the claim is declared loose (``LOOSE``). Its mutants are refuted:
the bound without its log factor on that instance (from :math:`T = 2^7`, 1.68 times it at
:math:`T = 2^{12}`), and the bound without its noise term on the family's noisy part
(``NOISY_REGION``, searched for its own worst case: 3 to 4 times it at :math:`T = 2^{12}`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from proofs_checks import AT_MOST, Bound, Mutant, RunContext, Samples, claim
from proofs_checks.search import Family
from simulators import harvey
from simulators.last_iterate import l1_quadratic_instance, last_iterate_values, step_sizes
from theorems.bibliography import LIU_ZHOU

CLAIM_ID = "sgd.last_iterate.explicit_bound"
T, eta, D, M, sigma = sp.symbols("T eta D M sigma", positive=True)
SYMBOLS = {
    "T": "steps (= dimension of Harvey's block)",
    "eta": "step scale, eta_t = eta/sqrt(t) (the construction's c)",
    "D": "(1/2)||x* - x_1||^2",
    "M": "Lipschitz constant of F on the domain",
    "sigma": "noise standard deviation, E||xi||^2 = sigma^2",
}
#: Written once; the mutants are derived from it.
EXPLICIT_BOUND = (D / eta + eta * (M**2 + sigma**2)) * (1 + sp.log(T)) / sp.sqrt(T)
PREDICTION = Bound(expression=EXPLICIT_BOUND, x=T, side=AT_MOST, symbols=SYMBOLS)

#: The search box. c >= 1 is the construction's own requirement (pieces of norm at most 1);
#: sigma up to 10 reaches the regime where the noise term dominates the bound; lambda and r
#: set the added block's curvature and width (its Lipschitz constant lambda r enters M); s
#: places z_1 = s r (s > 0 makes D positive).
BOX = {
    "step": (1.0, 4.0),
    "sigma": (0.0, 10.0),
    "z_curvature": (0.05, 4.0),
    "z_radius": (0.1, 3.0),
    "z_start": (0.0, 1.0),
}
#: Half the draws of these parameters come from the edges where the analysis puts the worst
#: cases: no noise or the most, the start at the minimiser or at the box's edge, the narrowest
#: added block (the smallest M) or the widest (the most room for noise), either end of c.
EDGES = {
    "step": [1.0, 4.0],
    "sigma": [0.0, 10.0],
    "z_radius": [0.1, 3.0],
    "z_start": [0.0, 1.0],
}
#: The noise-dominated part of the family, where the noise-dropped mutant is searched: much
#: noise on a wide, flat added block (so that lambda r, its share of M, stays small while the
#: noise keeps z spread over the block).
NOISY_REGION = {"sigma": (5.0, 10.0), "z_radius": (2.0, 3.0), "z_curvature": (0.05, 0.2)}
#: Search budget (draws, and as many refinement steps) for the noise-dropped mutant. Its
#: regime is the whole noisy region, not one corner of it: the worst ratio to the bound
#: without its noise term is 3.6 (95% interval [3.0, 4.2]) from 24 + 24 evaluations and 2.5
#: to 3.3 (half-width about 0.5) from 8 + 8, against 1 for the bound. Each instance keeps
#: its 200 replicates, so the worst one's interval does not widen: three half-widths clear.
MUTANT_EXAMPLES = 8


def construction_lipschitz(horizon: int, c: float) -> float:
    r""":math:`G_H = \max_i \|h_i\|` of Harvey's convex construction, exactly."""
    a, b = harvey.coefficients(horizon, "convex", c)
    prefix = np.concatenate(([0.0], np.cumsum(a * a)))  # prefix[k] = sum_{j <= k} a_j^2
    # ||h_i||^2 = sum_{j < i} a_j^2 + b_i^2 (i <= T), ||h_{T+1}||^2 = sum_j a_j^2
    return float(np.sqrt(max(np.max(prefix[:-1] + b * b), prefix[-1])))


def noisy_harvey_instance(
    ctx: RunContext,
    step: float,
    sigma: float,
    z_curvature: float,
    z_radius: float,
    z_start: float,
) -> Samples:
    """One instance: the exact gap f_H(x_{T+1}) + (lambda/2) z_{T+1}^2 at T = 2 ... 2^12 (2^14)."""
    horizons = 2 ** np.arange(1, ctx.pick(12, 14) + 1)
    construction = np.array(
        [harvey.closed_form_last_value(int(h), "convex", step) for h in horizons]
    )
    lipschitz_h = np.array([construction_lipschitz(int(h), step) for h in horizons])
    z_first = z_start * z_radius
    subgradient, value = l1_quadratic_instance(0.0, z_curvature)  # (lambda/2) z^2
    # without noise the z block is deterministic: one run is its exact value. Single precision
    # (simulators.single_precision): normals cut at 5.65 (the variance moves by 4e-6 relative),
    # values rounded to 6e-8 relative, against the mean's band over 200 runs (a few percent of
    # the z part) and the tightness 0.209 read to three digits.
    replicates = ctx.pick(200, 500) if sigma > 0 else 1
    z_part = last_iterate_values(
        subgradient,
        value,
        np.array([z_first]),
        step_sizes(int(horizons[-1]), "sqrt", step),
        horizons,
        replicates,
        ctx.rng,
        noise_scale=sigma,
        prox="box",
        prox_weight=z_radius,
        dtype=np.float32,
    )
    gaps = construction + z_part
    lipschitz = np.sqrt(lipschitz_h**2 + (z_curvature * z_radius) ** 2)
    constants = {"eta": step, "D": 0.5 * z_first**2, "M": lipschitz, "sigma": sigma}
    bound = PREDICTION.evaluate(horizons.astype(float), constants, CLAIM_ID)
    ratio = gaps.mean(axis=0) / bound
    no_log = ratio * (1 + np.log(horizons))
    return Samples(
        horizons,
        gaps,
        statistic="mean",
        constants=constants,
        x_label="steps T (= dimension of Harvey's block)",
        y_label="f_H(x_{T+1}) + (lambda/2) z_{T+1}^2",
        notes={
            "max y/B": round(float(ratio.max()), 4),
            "at T": int(horizons[int(np.argmax(ratio))]),
            "y/B at the largest T": round(float(ratio[-1]), 4),
            "construction block alone, f_H/(eta G_H^2 (1 + ln T)/sqrt T), at T = 2 and the "
            "largest T": [
                round(float(v), 4)
                for v in (construction / (step * lipschitz_h**2))[[0, -1]]
                * np.sqrt(horizons[[0, -1]])
                / (1 + np.log(horizons[[0, -1]]))
            ],
            "y over the bound without its log factor, at the largest T": round(
                float(no_log[-1]), 3
            ),
            "sqrt(T) f_H(x_{T+1}) / (1 + ln T) at the largest T (times c)": round(
                float(construction[-1] * np.sqrt(horizons[-1]) / (1 + np.log(horizons[-1]))) * step,
                4,
            ),
        },
    )


LOOSE = (
    "no instance is known that reaches two thirds of the bound: the hardest the search finds "
    "is y/B = 0.21 (noiseless, at T = 2). Harvey's construction is exactly minimised at its "
    "start (f_H >= 0 = f_H(x_1), so D = 0 and the bound is eta M^2 (1 + ln T)/sqrt T with "
    "M = G_H = 0.51/c); its last iterate has f_H = 0.0469 (1 + ln T)/(c sqrt T) against the "
    "bound's 0.260 (1 + ln T)/(c sqrt T): a ratio 0.180 for every c and T >= 2^8, 0.209 at "
    "T = 2 (Harvey's own lower bound, log T/(32 c sqrt T), is a further factor 1.5 below). "
    "Noise adds about eta_T sigma^2/4 to the gap against eta sigma^2 (1 + ln T)/sqrt T to "
    "the bound (a ratio 1/(4(1 + ln T)) at most), so it lowers the ratio; a start away from "
    "the minimiser on the added block stays under it too"
)


@claim(
    CLAIM_ID,
    paper=LIU_ZHOU.theorem("Theorem 3.1 (ICLR 2024 numbering), convex Lipschitz case"),
    statement=(
        "SGD with eta_t = eta/sqrt(t) on a convex M-Lipschitz F with noise variance sigma^2 "
        f"has E[F(x_{{T+1}})] - F* <= {EXPLICIT_BOUND} at every T, D = ||x* - x_1||^2/2. The "
        "form is Liu & Zhou's Theorem 3.1 (convex Lipschitz case) as the issue and the notes "
        "transcribe it; its constants were not verified against the paper's text."
    ),
    latex=rf"\mathbb E[F(x_{{T+1}})] - F^* \le {sp.latex(EXPLICIT_BOUND)}",
    assumptions=(
        "F convex and M-Lipschitz on a closed convex domain, x* a minimiser, D = ||x* - x_1||^2/2",
        "unbiased oracle with E||xi_t||^2 <= sigma^2",
        "eta_t = eta/sqrt(t), projected SGD, T unknown in advance",
    ),
    simplification=(
        "The family: Harvey et al.'s convex construction f_H (dimension T, built for the step "
        "constant c = eta >= 1, minimum-index oracle) plus (lambda/2) z^2 on [-r, r] with "
        "N(0, sigma^2) noise on z; F* = 0, D = z_1^2/2, M^2 = G_H^2 + lambda^2 r^2. T = 2 ... "
        "2^12 (quick, 200 replicates for the z block) or 2^14 (full, 500); f_H(x_{T+1}) from "
        "the paper's closed form, the z block simulated (exact when sigma = 0). The worst-case "
        "search maximises max_T y/B over c in [1, 4], sigma in [0, 10], lambda in [0.05, 4], "
        "r in [0.1, 3], z_1/r in [0, 1]. M is read as the Lipschitz constant, the smaller "
        "right side of the transcription's readings."
    ),
    predicted=PREDICTION,
    loose=LOOSE,
    mutants=[
        Mutant(
            "no_log_factor",
            "the bound without its (1 + log T): (D/eta + eta(M^2 + sigma^2))/sqrt T, the rate "
            "averaged iterates have; on Harvey's block the last iterate exceeds it from T = 2^7",
            predicted=PREDICTION.substituted({sp.log(T): 0}),
        ),
        Mutant(
            "noise_term_dropped",
            "the deterministic bound (D/eta + eta M^2)(1 + log T)/sqrt T applied to SGD: "
            "searched over the noisy part of the family (sigma in [5, 10], r in [2, 3], lambda "
            "in [0.05, 0.2]), where the noise keeps a wide, flat added block away from its "
            "minimum",
            predicted=PREDICTION.substituted({sigma: 0}),
            params={"region": NOISY_REGION, "examples": MUTANT_EXAMPLES},
        ),
    ],
)
def explicit_bound(
    ctx: RunContext,
    region: Mapping[str, tuple[float, float]] | None = None,
    examples: int | None = None,
) -> Family:
    # region: part of the box to search (a mutant's regime); the whole box by default.
    # examples: draws and refinement steps of the search (a mutant's smaller budget)
    box = {**BOX, **(region or {})}
    edges = {k: [v for v in values if box[k][0] <= v <= box[k][1]] for k, values in EDGES.items()}
    strategy = st.fixed_dictionaries(
        {
            k: st.one_of(st.sampled_from(edges[k]), st.floats(*v))
            if edges.get(k)
            else st.floats(*v)
            for k, v in box.items()
        }
    )
    return Family(
        noisy_harvey_instance,
        box=box,
        strategy=strategy,
        examples=examples or 24,
        examples_full=examples or 60,
        refine=examples or 24,
    )
