r"""The convex lower bound of private ERM is attained in order: the sandwich.

Bassily, Smith, Thakurta, *Private Empirical Risk Minimization: Efficient Algorithms and Tight
Error Bounds*, FOCS 2014, arXiv 1405.7085: every :math:`(\varepsilon, \delta)`-DP algorithm has
worst-case excess empirical risk :math:`\Omega(LD\min(1, \sqrt d/(n\varepsilon)))` on convex
L-Lipschitz losses (their lower bound, by fingerprinting codes), and noisy gradient descent
achieves :math:`\tilde O(LD\sqrt{d\log(1/\delta)}/(n\varepsilon))` (Theorem 2.4). The bounds
meet: the rate :math:`\sqrt d/(n\varepsilon)` is tight.

No simulation can show a lower bound for every algorithm. What it can show is the sandwich's
upper side meeting the lower side's order on one instance family: DP-GD's excess, across
configurations that vary n, d and epsilon together, is proportional to
:math:`x = \sqrt d/(n\varepsilon)` (exponent 1 in x), so the algorithm's risk scales exactly as
the lower bound does, with neither a larger power of d nor a faster decay in n or epsilon. The
instance and the schedule are those of :mod:`theorems.dp_utility` (the sharp absolute-deviation
loss, T fixed so the noise term dominates), built here from :mod:`simulators.dp`.
"""

from __future__ import annotations

import numpy as np

from proofs_checks import Mutant, RunContext, Samples, Scaling, claim
from simulators.dp import AbsoluteLoss, dp_gd_random_iterate, symmetric_sharp_values
from simulators.privacy import calibrate_noise_multiplier
from theorems.bibliography import BST14

DELTA, LIPSCHITZ, DISTANCE, STEPS, EVERY = 1e-5, 1.0, 1.0, 65_536, 4
#: (n, d, eps) with x = sqrt(d)/(n eps) = 1/512, 1/256, ..., 1/32: each step of the grid
#: changes a different one of n, d and eps. The noise share d s^2 / L^2 is >= 4 at every point
#: (sigma(T = 65536) = 1036 at eps = 1) and the excess stays below a quarter of the start's.
CONFIGS = np.array([(1024, 4, 1.0), (512, 4, 1.0), (512, 16, 1.0), (256, 16, 1.0), (256, 16, 0.5)])


def sandwich_run(ctx: RunContext, noise: str = "calibrated") -> Samples:
    records, dims, eps = CONFIGS[:, 0].astype(int), CONFIGS[:, 1].astype(int), CONFIGS[:, 2]
    sigma = np.array([calibrate_noise_multiplier(float(e), DELTA, 1.0, STEPS) for e in eps])
    noise_std = sigma * LIPSCHITZ / records
    if noise == "sensitivity_L":
        noise_std = sigma * LIPSCHITZ  # calibrated to one record's gradient, not the mean's
    # the analysis's constant step for the noise the run adds
    step = DISTANCE / np.sqrt(STEPS * (LIPSCHITZ**2 + dims * noise_std**2))
    run = dp_gd_random_iterate(
        AbsoluteLoss(symmetric_sharp_values(4)),  # n / 4 copies of these four values
        DISTANCE,
        dims,
        step,
        noise_std,
        LIPSCHITZ / records,
        np.full(len(eps), STEPS),
        ctx.pick(16, 24),
        ctx.rng,
        DELTA,
        EVERY,
        records=records,
    )
    x = np.sqrt(dims) / (records * eps)
    return Samples(
        x,
        run.values,
        # the accountant's sigma(eps) eps, constant where eps is: its departure from 1/eps
        constants={"sigma_eps": sigma * eps},
        x_label="sqrt(d) / (n eps)",
        y_label="E F(theta_tau) - F*",
        notes={
            "privacy": run.privacy_notes(eps, DELTA),
            "sensitivity": run.sensitivity_notes(),
            "configs (n, d, eps)": CONFIGS.tolist(),
        },
    )


@claim(
    "dp.lower_bound.convex",
    paper=BST14.theorem("lower bound Omega(min(1, sqrt(d)/(n eps))) with Theorem 2.4 (sandwich)"),
    statement=(
        "The lower bound Omega(L D sqrt(d)/(n eps)) of (eps, delta)-DP convex ERM is attained in "
        "order: DP-GD's excess risk is proportional to sqrt(d)/(n eps) jointly in n, d and eps."
    ),
    latex=r"\mathbb{E}F(\hat\theta) - F^* \asymp LD\,\frac{\sqrt d}{n\varepsilon}",
    assumptions=("loss convex and L-Lipschitz", "(eps, delta)-DP, add/remove adjacency"),
    simplification=(
        "Sharp instance, full-batch DP-GD, T = 65536, delta = 1e-5; (n, d, eps) from "
        "(1024, 4, 1) to (256, 16, 1/2), x = sqrt(d)/(n eps) from 1/512 to 1/32; the "
        "accountant's sigma(eps) eps divided out."
    ),
    predicted=Scaling(exponent=1.0, parameter="sqrt(d)/(n eps)", known_factor="sigma_eps"),
    mutants=[
        Mutant(
            "noise_sensitivity_L",
            "noise calibrated to the sensitivity L of one gradient instead of L/n",
            params={"noise": "sensitivity_L"},
        ),
        Mutant(
            "smooth_rate",
            "the rate (sqrt(d)/(n eps))^2 = d/(n eps)^2 of smooth or strongly convex losses",
            predicted=Scaling(exponent=2.0, parameter="sqrt(d)/(n eps)", known_factor="sigma_eps"),
        ),
    ],
)
def sandwich(ctx: RunContext, noise: str = "calibrated") -> Samples:
    return sandwich_run(ctx, noise)
