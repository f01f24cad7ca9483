r"""Instances for the linear-stability claims: data sets drawn by hypothesis, and the predicates
of the trace bound evaluated on them.

An instance is ``(features, B, s)``: per-sample gradients :math:`g_i` (the rows of
``features``, so :math:`H_i = g_i g_i^\top`), a batch size ``B`` and a learning rate
:math:`\eta = s \cdot 2/\operatorname{tr}(H)` drawn relative to the trace threshold, so that
``s > 1`` is exactly where a bound :math:`\eta\operatorname{tr}(H) \le 2` says the minimum must
be unstable. The ground truth is the exact operator of :mod:`simulators.stability`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .stability import rank_one_hessians, spectral_radius, stability_threshold

#: Floating-point slack of a predicate on the operator. rho(M) is computed by a symmetric
#: eigensolver with absolute error ~1e-15 on entries of size O(1); where the claims are tight
#: (the orthogonal instance), d rho / d(eta tr H) >= 4/d >= 1/2 for d <= 8, so an eta that
#: violates a bound by more than 1e-9 relative has rho - 1 >= 5e-10, far above rounding.
SLACK = 1e-9

Instance = tuple[np.ndarray, int, float]


def hessian_trace(features: np.ndarray) -> float:
    r""":math:`\operatorname{tr}(H) = \frac1n\sum_i \|g_i\|^2`."""
    return float(np.mean(np.sum(features**2, axis=1)))


def features_json(features: np.ndarray) -> list[list[float]]:
    """A matrix as nested lists of floats (for a counterexample in the report)."""
    return [[float(v) for v in row] for row in features]


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


@st.composite
def stability_instances(
    draw,
    batches: Sequence[int] = (1,),
    max_n=12,
    max_d=8,
    cap_at_n=False,
    top=3.0,
    edge: bool | None = None,
) -> Instance:
    """``(features, B, s)`` with ``eta = s * 2 / tr(H)``. Without replacement (``cap_at_n``) a
    batch larger than n is read as the whole data set.

    With ``edge`` (the sampling scheme: True with replacement, False without), half of the
    draws place ``s`` in the top half of the instance's own stable range, ``s = u s^*`` with
    ``u`` in [1/2, 1] and ``s^* = eta^* tr(H)/2`` the exact threshold: the premise's edge, where
    a counterexample to a bound on ``eta tr(H)`` lives. A uniform ``s`` reaches the band
    ``(1, s^*]`` only with probability ``(s^* - 1)/top``, a few percent when ``s^*`` is near 1.
    """
    g = draw(datasets(max_n=max_n, max_d=max_d))
    b = draw(st.sampled_from(batches))
    b = min(b, len(g)) if cap_at_n else b
    trace = hessian_trace(g)
    if edge is not None and trace > 0 and draw(st.booleans()):
        star = stability_threshold(rank_one_hessians(g), b, edge, rtol=1e-10) * trace / 2
        s = star * draw(st.floats(0.5, 1.0, allow_nan=False))
    else:
        s = draw(st.floats(0.01, top, allow_nan=False))
    return g, b, s


@st.composite
def orthogonal_instances(draw) -> tuple[np.ndarray, float]:
    """g_i = c e_i (n = d <= 8), batch 1, eta = s * 2 / lambda_max(H) = s * 2 d / c^2."""
    d = draw(st.integers(1, 8))
    c = draw(st.integers(1, 4))
    s = draw(st.floats(0.01, 1.0, allow_nan=False))
    return c * np.eye(d), s


@dataclass(frozen=True)
class TraceBound:
    r"""The statement "mean-square stable implies :math:`\eta\operatorname{tr}(H) \le`
    ``bound``" on :func:`stability_instances`, for one sampling scheme."""

    replacement: bool
    bound: float = 2.0

    @staticmethod
    def eta(inst: Instance) -> float:
        g, _, s = inst
        return s * 2 / hessian_trace(g)

    def stable(self, inst: Instance) -> bool:
        """The premise: the operator's spectral radius is at most 1 (never for H = 0)."""
        g, b, _ = inst
        if hessian_trace(g) == 0:
            return False
        return spectral_radius(rank_one_hessians(g), self.eta(inst), b, self.replacement) <= 1

    def within_bound(self, inst: Instance) -> bool:
        """The conclusion: eta tr(H) <= bound, up to :data:`SLACK`."""
        return self.eta(inst) * hessian_trace(inst[0]) <= self.bound * (1 + SLACK)

    def describe(self, inst: Instance) -> dict[str, Any]:
        g, b, _ = inst
        h = rank_one_hessians(g)
        eta = self.eta(inst)
        star = stability_threshold(h, b, self.replacement, rtol=1e-10)
        return {
            "features": features_json(g),
            "n": int(g.shape[0]),
            "d": int(g.shape[1]),
            "batch_size": int(b),
            "sampling": "with replacement" if self.replacement else "without replacement",
            "eta": eta,
            "trace_H": hessian_trace(g),
            "eta_trace_H": eta * hessian_trace(g),
            "spectral_radius": spectral_radius(h, eta, b, self.replacement),
            "threshold_eta_star": star,
            "threshold_eta_star_trace_H": star * hessian_trace(g),
        }
