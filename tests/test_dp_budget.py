"""Every DP experiment spends at most the privacy it claims, measured rather than trusted.

Every claim of every ``theorems/dp_*.py`` module that runs a private mechanism carries, per
configuration, the (epsilon, delta) it claims next to the (epsilon, delta) that
``dp_accounting`` computes from the noise the simulator actually added, and, per noised release,
the sensitivity that accounting used next to the largest contribution of one record the
simulator measured over the run (a clipped gradient over n, a histogram's count vector, ...),
under the accountant's adjacency (add/remove one record, a mean's n public). The tests rerun
every such claim (quick profile) and fail on any overspending of either kind; a claim of a DP
module that releases nothing private must say so below, with the reason. They also show that
the checks catch the variants that do overspend: trusted, a clipping mistake or a wrong
Lipschitz constant would go unseen.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

import theorems.dp_correlated_noise as correlated
import theorems.dp_sgd as dp_sgd
import theorems.dp_utility as utility
import theorems.dp_utility_strongly_convex as strongly_convex
from proofs_checks import RunContext, claims_in
from simulators.dp import AbsoluteLoss, dp_gd_random_iterate, symmetric_sharp_values
from simulators.dp_sampling import fixed_size_pair_lower_bound
from simulators.dp_sensitivity import ADJACENCY
from simulators.dp_sgd import dp_sgd_sharp, sharp_data
from simulators.dp_strongly_convex import dp_sgd_strongly_convex_linear, unit_records
from simulators.privacy import privacy_of_noise, spent_epsilon

DP_MODULES = [
    importlib.import_module(f"theorems.{path.stem}")
    for path in sorted((Path(utility.__file__).parent).glob("dp_*.py"))
]
#: The claims of the DP modules that release nothing private, and why.
NO_PRIVATE_RELEASE = {
    "dp.rdp.gaussian": "an identity between RDP formulas: no data, no release",
    "dp.rdp.subsampled_gaussian": "a formula against dp_accounting's numbers: no release",
    "dp.sgd.amplification": "accountant numbers for (q, T) families, and its mutant's pair of "
    "data sets, whose sensitivity 2C is the point of the claim: no simulated release",
    "dp.clipping.bias": "clipped SGD under gradient noise: no privacy claimed",
    "dp.clipping.symmetry_bound": "clipped SGD under gradient noise: no privacy claimed",
    "dp.clipping.error_feedback": "the noise-free DiceSGD recursion: no (eps, delta) claimed",
}
ALL_DP_CLAIMS = [c for module in DP_MODULES for c in claims_in(module)]
EXPERIMENTS = [c for c in ALL_DP_CLAIMS if c.id not in NO_PRIVATE_RELEASE]
BY_ID = {c.id: c for c in EXPERIMENTS}


def run(claim, **params):
    ctx = RunContext(claim.id, 0, "quick", np.random.default_rng(0))
    return claim(ctx, **params)


def overspending(data) -> list[tuple[dict, dict]]:
    """The (claimed, spent) pairs where the run spent more than it claims."""
    ledger = data.notes["privacy"]
    assert len(ledger["claimed"]) == len(ledger["spent"]) > 0
    return [
        (claimed, spent)
        for claimed, spent in zip(ledger["claimed"], ledger["spent"], strict=True)
        if spent["epsilon"] > claimed["epsilon"] * (1 + 1e-9) or spent["delta"] > claimed["delta"]
    ]


def sensitivity_exceeded(data) -> list[tuple[str, float, float]]:
    """The (release, measured, assumed) triples where one record contributed more than the
    sensitivity the accountant used, or where nothing was measured at all."""
    sensitivity = data.notes["sensitivity"]
    assert sensitivity["adjacency"] == ADJACENCY
    entries = list(
        zip(sensitivity["mechanism"], sensitivity["measured"], sensitivity["assumed"], strict=True)
    )
    assert entries
    return [e for e in entries if not 0 < e[1] <= e[2] * (1 + 1e-9)]


def test_every_claim_of_the_dp_modules_is_checked_or_releases_nothing():
    ids = {c.id for c in ALL_DP_CLAIMS}
    assert set(NO_PRIVATE_RELEASE) <= ids, "a listed claim no longer exists"
    assert len(DP_MODULES) >= 8 and len(EXPERIMENTS) >= 20


@pytest.mark.parametrize("claim", EXPERIMENTS, ids=lambda c: c.id)
def test_no_experiment_overspends(claim):
    data = run(claim)
    assert "privacy" in data.notes, f"{claim.id} does not report the privacy it spent"
    assert "sensitivity" in data.notes, f"{claim.id} does not report the sensitivity it had"
    assert overspending(data) == []
    assert sensitivity_exceeded(data) == []


@pytest.mark.parametrize(
    ("claim_id", "params"),
    [
        ("dp.utility.convex_lipschitz.eps", {"noise": "no_composition"}),
        ("dp.utility.strongly_convex.eps", {"noise": "no_composition"}),
        (
            "dp.correlated_noise.linear_regression",
            # the mutant's own parameters: noise accounted as a single participation
            next(m.params for m in correlated.correlated_noise_formula.mutants),
        ),
        ("dp.feature_preprocessing", {"count_preprocessing": False}),
    ],
)
def test_the_budget_check_catches_overspending(claim_id, params):
    data = run(BY_ID[claim_id], **params)
    assert overspending(data), f"{claim_id} with {params} should overspend"


def test_the_sensitivity_check_catches_clipping_after_averaging():
    """The claim's own run with the batch's mean clipped instead of each example's: the
    excess risk keeps its exponent in n (the utility claim cannot refute the mistake), but
    each record then contributes its unclipped gradient, G = 2 = twice the C the accountant
    used, and the measurement shows it at every n."""
    exceeded = sensitivity_exceeded(run(dp_sgd.utility, clip="after_averaging"))
    assert len(exceeded) == len(dp_sgd.SGD_N)
    for _, measured, assumed in exceeded:
        assert measured == pytest.approx(dp_sgd.SGD_SCALE) and assumed == dp_sgd.SGD_CLIP


def test_the_sensitivity_check_catches_a_wrong_lipschitz_constant():
    """DP-GD on the sharp instance of dp.utility with records whose losses are 2-Lipschitz,
    accounted with L = 1: each record moves the mean gradient by 2/n, twice what was assumed."""
    n, steps = np.array([64, 128]), np.array([50, 50])
    args = (np.array([4, 4]), np.full(2, 0.01), 0.1 / n, utility.LIPSCHITZ / n, steps, 2)
    for scale, overspends in ((1.0, False), (2.0, True)):
        loss = AbsoluteLoss(symmetric_sharp_values(4), scale=scale)
        sharp = dp_gd_random_iterate(loss, 1.0, *args, np.random.default_rng(0), 1e-5, records=n)
        assert [e.exceeded for e in sharp.sensitivity] == [overspends] * 2
        assert [e.measured for e in sharp.sensitivity] == pytest.approx(scale / n)


def test_the_sensitivity_check_catches_unnormalised_features():
    """The strongly convex instance with features of norm 2 (each linear loss 2-Lipschitz)
    accounted with L = 1: measured 2/n against 1/n, and only for the unnormalised data."""
    zbar = np.full(strongly_convex.SC_D, 0.1)
    data = [unit_records(zbar, 64), 2 * unit_records(zbar, 64)]
    linear = dp_sgd_strongly_convex_linear(
        data, 0.5, np.full(2, 0.1), np.full(2, 1 / 64), 10, 2, np.random.default_rng(0), 1e-5
    )
    assert [e.exceeded for e in linear.sensitivity] == [False, True]
    assert linear.sensitivity[1].measured == pytest.approx(2 / 64)


def test_clipping_after_averaging_is_caught_by_the_measurement():
    rng = np.random.default_rng(0)
    data = sharp_data(256, 8, rng)
    args = (2.0, 1.0, 0.01, 4.0, 1.0, 1 / 16, 200, 4, rng, 1e-5)
    per_example = dp_sgd_sharp(data, *args)
    after = dp_sgd_sharp(data, *args, clip="after_averaging")
    assert not per_example.overspends
    # each record contributes its unclipped gradient (norm G = 2): twice the sensitivity used
    assert after.overspends
    assert after.max_contribution == pytest.approx(2.0)
    # and the accountant, given the sensitivity the run really had, charges more
    honest = privacy_of_noise(4.0 * 1.0, after.max_contribution, 1 / 16, 200, 1e-5)
    assert honest.epsilon > 1.5 * after.privacy.epsilon


def test_fixed_size_batches_spend_more_than_their_poisson_accounting():
    """The mutant dp.sgd.amplification/fixed_size_as_poisson, certified: on the pair of data sets
    its docstring builds (the added record displaces one of the batch's, the sum moves by 2C),
    the optimistic privacy-loss distribution, a lower bound on that pair's epsilon up to its
    truncated tail, already exceeds twice the Poisson epsilon the run reports, both under
    add/remove adjacency; so the gap is the sampling scheme's, not the RDP accountant's slack."""
    q, steps = float(dp_sgd.AMPLIFICATION_Q[0]), dp_sgd.AMPLIFICATION_T0
    sigma, delta = dp_sgd.AMPLIFICATION_SIGMA, dp_sgd.DELTA
    reported = spent_epsilon(sigma, q, steps, delta)
    certified = fixed_size_pair_lower_bound(sigma, q, steps, delta, dp_sgd.FIXED_SIZE_RECORDS)
    assert certified > 2 * reported
    # the mutant's own number (RDP accountant on the same pair) is above the certified one
    mutant = dp_sgd.amplification(None, sampling="fixed_size")
    assert certified <= mutant.computed[0] < 1.2 * certified
