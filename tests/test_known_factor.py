"""A power law's or a scaling's known factor: a measured dependence divided out before fitting."""

from __future__ import annotations

import numpy as np
import pytest

from proofs_checks import PowerLaw, Samples, Scaling
from proofs_checks.context import JudgeContext
from proofs_checks.errors import ClaimError
from proofs_checks.verdicts import CONFIRMED, REFUTED

EPS = np.array([0.25, 0.35, 0.5, 0.71, 1.0])
#: a calibrated noise that is 1/eps only up to a slowly varying correction (as an accountant's)
SIGMA = 3.0 / EPS * (1 + 0.4 * np.log(1 / EPS))


def noisy(rng, truth, replicates=64):
    return truth * np.exp(0.05 * rng.standard_normal((replicates, len(truth))))


def test_dividing_the_known_factor_out_recovers_the_claimed_exponent():
    rng = np.random.default_rng(1)
    y = noisy(rng, 0.1 * SIGMA * EPS * EPS**-1.0)  # y = sigma(eps): 1/eps times the factor
    data = Samples(EPS, y, constants={"sigma_eps": SIGMA * EPS})
    ctx = JudgeContext("t", rng)
    with_factor = Scaling(exponent=-1.0, parameter="eps", known_factor="sigma_eps")
    assert with_factor.judge(data, ctx).verdict == CONFIRMED
    # the same data without the factor divided out: the correction bends the slope away
    assert Scaling(exponent=-1.0, parameter="eps").judge(data, ctx).verdict == REFUTED
    # a wrong exponent is still refuted after the division
    wrong = Scaling(exponent=-0.8, parameter="eps", known_factor="sigma_eps")
    assert wrong.judge(data, ctx).verdict == REFUTED
    assert "after dividing out sigma_eps" in with_factor.describe()


def test_a_flat_quantity_is_refuted_after_the_division():
    # the noise switched off: the excess does not depend on eps, and dividing out sigma(eps) eps
    # cannot make it look like 1/eps
    rng = np.random.default_rng(2)
    data = Samples(EPS, noisy(rng, np.full(5, 0.2)), constants={"sigma_eps": SIGMA * EPS})
    kind = Scaling(exponent=-1.0, parameter="eps", known_factor="sigma_eps")
    assert kind.judge(data, JudgeContext("t", rng)).verdict == REFUTED


def test_hardness_uses_the_divided_data():
    n = np.geomspace(10, 1e4, 8)
    data = Samples(n, n**-0.5 * np.log(n), constants={"f": np.log(n)})
    kind = PowerLaw(exponent=-0.5, side="at_most", known_factor="f")
    assert kind.hardness(data, "t") == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("constants", "match"),
    [({}, "no known factor"), ({"f": np.array([1.0, 0.0, 1, 1, 1])}, "positive")],
)
def test_bad_known_factor_data(constants, match):
    data = Samples(EPS, EPS**-1.0, constants=constants)
    with pytest.raises(ClaimError, match=match):
        Scaling(exponent=-1.0, known_factor="f").judge(data, JudgeContext("t", None))


def test_bad_known_factor_name():
    with pytest.raises(ClaimError, match="known_factor"):
        Scaling(exponent=-1.0, known_factor="").validate("t")
