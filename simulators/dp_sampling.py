r"""What DP-SGD with fixed-size batches spends, under the adjacency Poisson sampling is reported in.

Implementations that draw batches of exactly :math:`b = qn` records often report the epsilon of
Poisson sampling at rate :math:`q` (add/remove adjacency). Under that same adjacency a record
added to the data set does not join a fixed-size batch on top of the others: it *displaces* one
of them. Take D with n records whose gradients are all :math:`-Ce` and
:math:`D' = D \cup \{x\}` with x's gradient :math:`+Ce`. A batch of b records drawn without
replacement from D' holds x with probability :math:`q' = b/(n+1)`, and then only b - 1 of the
others, so the batch sum moves by 2C. After the common shift -bC, each step releases
:math:`N(0, \sigma^2C^2)` on D against :math:`(1-q')N(0, \sigma^2C^2) + q'N(2C, \sigma^2C^2)`
on D': the Poisson-subsampled Gaussian pair at sensitivity 2C, that is at noise multiplier
:math:`\sigma/2`. Batches are drawn independently at every step (the scheme of dp_accounting's
``SampledWithoutReplacementDpEvent``); shuffling into disjoint batches is another scheme.

Every number comes from ``dp_accounting``: :func:`fixed_size_pair_epsilon` accounts the pair with
the RDP accountant (the accountant the Poisson number is reported with: like for like), and
:func:`fixed_size_pair_lower_bound` with the optimistic privacy-loss distribution, a lower bound
on the pair's epsilon, hence on what the fixed-size run spends.
"""

from __future__ import annotations

from dp_accounting.pld import privacy_loss_distribution

from . import common
from .privacy import check_delta, check_sampling_rate, spent_epsilon


def fixed_size_pair_rate(sampling_rate: float, records: int) -> float:
    """The probability b/(n + 1) that the added record enters a batch of b = round(q n) records
    drawn without replacement from the n + 1 records of the larger data set."""
    check_sampling_rate(sampling_rate)
    common.check_positive_int("records", records)
    return round(sampling_rate * records) / (records + 1)


def fixed_size_pair_epsilon(
    noise_multiplier: float, sampling_rate: float, steps: int, delta: float, records: int
) -> float:
    """Epsilon at ``delta`` of ``steps`` fixed-size batches on the displacing pair (module
    docstring), by the RDP accountant under add/remove adjacency: the Poisson-sampled Gaussian
    at rate b/(n + 1) and noise multiplier ``noise_multiplier / 2``."""
    common.check_positive("noise_multiplier", noise_multiplier)
    rate = fixed_size_pair_rate(sampling_rate, records)
    return spent_epsilon(noise_multiplier / 2, rate, steps, delta)


def fixed_size_pair_lower_bound(
    noise_multiplier: float,
    sampling_rate: float,
    steps: int,
    delta: float,
    records: int,
    discretization: float = 1e-5,
) -> float:
    """A lower bound on the epsilon at ``delta`` of ``steps`` fixed-size batches: the optimistic
    privacy-loss distribution (privacy buckets rounded down) of the displacing pair, both
    directions of add/remove. Coarse ``discretization`` makes it looser (towards 0), never
    wrong."""
    common.check_positive("noise_multiplier", noise_multiplier)
    common.check_positive_int("steps", steps)
    check_delta(delta)
    pair = privacy_loss_distribution.from_gaussian_mechanism(
        noise_multiplier,
        sensitivity=2.0,
        pessimistic_estimate=False,
        use_connect_dots=False,  # connect-the-dots is pessimistic only
        sampling_prob=fixed_size_pair_rate(sampling_rate, records),
        value_discretization_interval=discretization,
    )
    return float(pair.self_compose(steps).get_epsilon_for_delta(delta))
