r"""The lower-bound constructions of Harvey, Liaw, Plan & Randhawa (arXiv 1812.05217v1).

Both functions live on the Euclidean unit ball of :math:`\mathbb{R}^T` (the dimension is the
horizon) and are maxima of :math:`T+1` affine (or affine plus :math:`\tfrac12\|x\|^2`) pieces

.. math::  h_{i,j} = \begin{cases} a_j & j < i \\ -b_i & j = i \le T \\ 0 & j > i \end{cases},
           \qquad i = 1, \dots, T+1 .

* Convex (Section 6, Theorem 3.5): :math:`a_j = 1/(8c(T-j+1))`, :math:`b_j = \sqrt j/(2c\sqrt T)`,
  :math:`f(x) = \max_i h_i^\top x`, step :math:`\eta_t = c/\sqrt t`; the oracle returns
  :math:`h_{i'}`.
* Strongly convex (Section 5, Theorem 3.4): :math:`a_j = 1/(2(T+1-j))`, :math:`b_j = 1`,
  :math:`f(x) = \max_i h_i^\top x + \tfrac12\|x\|^2`, step :math:`\eta_t = 1/t`; the oracle
  returns :math:`h_{i'} + x`.

In both, :math:`i' = \min I(x)` with :math:`I(x) = \{i : H_i(x) = f(x)\}`: the *minimum* index
among the active pieces. That tie-breaking rule is what makes the last iterate slow.

Projected subgradient descent starts at :math:`x_1 = 0`. Each step evaluates all :math:`T+1`
pieces with one cumulative sum (:math:`O(T)`), so a run costs :math:`O(T^2)` arithmetic in
:math:`T` vectorised steps. At the iterates of the construction the tied pieces are computed by
identical floating-point operations (sums of exact zeros), so the ties the paper's oracle sees
are exact ties here too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from . import common, single_precision

# --- the lower bounds the construction attains, each written once (sympy) ----------------------

T, c = sp.symbols("T c", positive=True)
SYMBOLS = {"T": "steps (= dimension)", "c": "step constant, eta_t = c/sqrt(t)"}
#: Theorem 3.5: f(x_{T+1}) - f^* >= log T / (32 c sqrt T) (convex, eta_t = c/sqrt t).
CONVEX_LOWER_BOUND = sp.log(T) / (32 * c * sp.sqrt(T))
#: Theorem 3.4: f(x_{T+1}) - f^* >= log T / (4 T) (strongly convex, eta_t = 1/t).
STRONGLY_CONVEX_LOWER_BOUND = sp.log(T) / (4 * T)

KINDS = ("convex", "strongly_convex")
TIES = ("min", "max")


def _check(horizon: int, kind: str, c: float, tie: str) -> None:
    common.check_positive_int("horizon T", horizon, least=2)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if tie not in TIES:
        raise ValueError(f"tie must be one of {TIES}, got {tie!r}")
    # Section 6 needs c >= 1 so that every piece has norm at most 1 (f 1-Lipschitz on the ball)
    if kind == "convex" and not (np.isfinite(c) and c >= 1):
        raise ValueError(f"the convex construction needs a step constant c >= 1, got {c!r}")


def coefficients(horizon: int, kind: str = "convex", c: float = 1.0) -> tuple[np.ndarray, ...]:
    """The sequences :math:`a_j` and :math:`b_j`, :math:`j = 1..T` (index ``j - 1``)."""
    _check(horizon, kind, c, "min")
    j = np.arange(1, horizon + 1, dtype=float)
    if kind == "convex":
        return 1.0 / (8 * c * (horizon - j + 1)), np.sqrt(j) / (2 * c * np.sqrt(horizon))
    return 1.0 / (2 * (horizon + 1 - j)), np.ones(horizon)


def piece_values(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    r""":math:`h_i^\top x` for :math:`i = 1..T+1` (index ``i - 1``), in :math:`O(T)`."""
    prefix = np.concatenate(([0.0], np.cumsum(a * x)))  # prefix[k] = sum_{j <= k} a_j x_j
    values = prefix.copy()
    values[:-1] -= b * x
    return values


def objective(x: np.ndarray, kind: str, a: np.ndarray, b: np.ndarray) -> float:
    """The construction's objective at ``x`` (its minimum is at most f(0) = 0)."""
    value = float(np.max(piece_values(x, a, b)))
    return value + 0.5 * float(x @ x) if kind == "strongly_convex" else value


def _schedule(horizon: int, kind: str, c: float, steps: np.ndarray | None) -> np.ndarray:
    """The step sizes eta_1..eta_T: the construction's own (c/sqrt t or 1/t) or ``steps``."""
    if steps is None:
        t = np.arange(1, horizon + 1, dtype=float)
        return 1.0 / t if kind == "strongly_convex" else c / np.sqrt(t)
    steps = np.asarray(steps, dtype=float)
    if steps.shape != (horizon,) or not np.all(np.isfinite(steps) & (steps > 0)):
        raise ValueError(f"steps must be {horizon} positive finite step sizes")
    return steps


@dataclass
class HarveyRun:
    """One run of projected subgradient descent on a construction.

    Attributes
    ----------
    last
        The last iterate :math:`x_{T+1}`, shape ``(T,)``.
    f_last
        :math:`f(x_{T+1})`.
    suffix_average
        The uniform average of the last ``suffix`` iterates :math:`x_{T+2-k}, \\dots, x_{T+1}`.
    f_suffix
        :math:`f` at the suffix average.
    f_path
        :math:`f(x_t)` for :math:`t = 1..T+1`, shape ``(T+1,)``.
    iterates
        All iterates, shape ``(T+1, T)``, only if requested (memory :math:`O(T^2)`).
    projections
        How many steps left the unit ball and were projected back.
    """

    last: np.ndarray
    f_last: float
    suffix_average: np.ndarray
    f_suffix: float
    f_path: np.ndarray
    iterates: np.ndarray | None
    projections: int


def run(
    horizon: int,
    kind: str = "convex",
    c: float = 1.0,
    tie: str = "min",
    suffix: int | None = None,
    keep_iterates: bool = False,
    steps: np.ndarray | None = None,
) -> HarveyRun:
    """Projected subgradient descent on Harvey et al.'s construction for horizon ``T``.

    Parameters
    ----------
    horizon
        :math:`T \\ge 2`: the number of steps and the dimension.
    kind
        ``"convex"`` (step :math:`c/\\sqrt t`) or ``"strongly_convex"`` (step :math:`1/t`).
    c
        Step constant of the convex construction (:math:`c \\ge 1`); ignored otherwise.
    tie
        ``"min"`` (the paper's oracle) or ``"max"``: which active piece the oracle returns.
    suffix
        Length ``k`` of the suffix average (default ``ceil(T/2)``).
    keep_iterates
        Store every iterate (``(T+1, T)`` floats: only for small ``T``).
    steps
        Step sizes :math:`\\eta_1, \\dots, \\eta_T` (shape ``(T,)``, positive) in place of the
        construction's own schedule: the same function and oracle run with another schedule
        (e.g. a known-horizon one). The construction's coefficients still use ``c``.

    Returns
    -------
    HarveyRun
    """
    _check(horizon, kind, c, tie)
    schedule = _schedule(horizon, kind, c, steps)
    k = -(-horizon // 2) if suffix is None else suffix
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= horizon + 1:
        raise ValueError(f"suffix must be an integer in [1, T+1], got {suffix!r}")
    a, b = coefficients(horizon, kind, c)
    strongly = kind == "strongly_convex"
    x = np.zeros(horizon)
    total = np.zeros(horizon)
    f_path = np.empty(horizon + 1)
    iterates = np.empty((horizon + 1, horizon)) if keep_iterates else None
    values = np.empty(horizon + 1)  # preallocated: no O(T) allocation inside the loop
    scratch = np.empty(horizon)
    support = 0  # x_j = 0 exactly for every j >= support
    projections = 0
    for t in range(1, horizon + 2):  # x is x_t
        # Pieces i >= support + 1 (1-based) all equal sum_{j <= support} a_j x_j: one tied
        # block, evaluated once as values[support].
        s = support
        v = values[: s + 1]
        np.multiply(a[:s], x[:s], out=v[1:])
        v[0] = 0.0
        np.cumsum(v, out=v)
        np.multiply(b[:s], x[:s], out=scratch[:s])
        v[:s] -= scratch[:s]
        # argmax returns the first maximiser: the minimum index among exact ties
        first = int(np.argmax(v))
        top = v[first]
        sq = float(x[:s] @ x[:s])
        f_path[t - 1] = top + 0.5 * sq if strongly else top
        if iterates is not None:  # keep_iterates
            iterates[t - 1] = x
        if t >= horizon + 2 - k:
            total[:s] += x[:s]
        if t == horizon + 1:
            break
        if tie == "min":
            i = first  # 0-based piece index; the tied block's smallest member is s
        else:
            last = s - int(np.argmax(v[::-1]))
            i = horizon if last == s else last  # the tied block's largest member is T+1
        # the oracle's answer g = h_{i+1} (+ x): a on j < i, -b_i on j = i
        if strongly:
            x[:s] *= 1.0 - schedule[t - 1]
        np.multiply(a[:i], schedule[t - 1], out=scratch[:i])
        x[:i] -= scratch[:i]
        if i < horizon:
            x[i] += schedule[t - 1] * b[i]
        support = max(s, min(i + 1, horizon))
        norm = float(np.sqrt(x[:support] @ x[:support]))
        if norm > 1.0:
            x[:support] /= norm
            projections += 1
    average = total / k
    return HarveyRun(
        last=x,
        f_last=float(f_path[-1]),
        suffix_average=average,
        f_suffix=objective(average, kind, a, b),
        f_path=f_path,
        iterates=iterates,
        projections=projections,
    )


def closed_form_iterate(horizon: int, t: int, kind: str = "convex", c: float = 1.0) -> np.ndarray:
    r"""The paper's closed form :math:`z_t` of the iterate :math:`x_t` (min-index oracle).

    Convex (Section 6): :math:`z_{t,j} = c\,(b_j/\sqrt j - a_j \sum_{k=j+1}^{t-1} 1/\sqrt k)`;
    strongly convex (Lemma 5.4): :math:`z_{t,j} = (1 - (t-j-1) a_j)/(t-1)`; both for
    :math:`j < t`, and :math:`0` for :math:`j \ge t`.
    """
    _check(horizon, kind, c, "min")
    if not 1 <= t <= horizon + 1:
        raise ValueError(f"t must lie in [1, T+1], got {t!r}")
    a, b = coefficients(horizon, kind, c)
    z = np.zeros(horizon)
    if t == 1:
        return z
    j = np.arange(1, t, dtype=float)
    if kind == "convex":
        inv_sqrt = 1.0 / np.sqrt(np.arange(1, t, dtype=float))  # 1/sqrt(k), k = 1..t-1
        # tail[j-1] = sum_{k=j+1}^{t-1} 1/sqrt(k)
        tail = np.concatenate((np.cumsum(inv_sqrt[::-1])[::-1][1:], [0.0]))
        z[: t - 1] = c * (b[: t - 1] / np.sqrt(j) - a[: t - 1] * tail)
    else:
        z[: t - 1] = (1.0 - (t - j - 1) * a[: t - 1]) / (t - 1)
    return z


def closed_form_last_value(horizon: int, kind: str = "convex", c: float = 1.0) -> float:
    """:math:`f(z_{T+1})` from the closed form, in :math:`O(T)` (no simulation)."""
    a, b = coefficients(horizon, kind, c)
    return objective(closed_form_iterate(horizon, horizon + 1, kind, c), kind, a, b)


def noisy_last_values(
    horizon: int, c: float, sigma: float, replicates: int, rng: np.random.Generator
) -> np.ndarray:
    r""":math:`f(x_{T+1})` on the convex construction when the oracle's answer carries noise.

    The oracle returns :math:`h_{i'} + \xi_t` with :math:`i'` the minimum active index and
    :math:`\xi_t \sim N(0, \sigma^2 I_T/T)` (so :math:`\mathbb E\|\xi_t\|^2 = \sigma^2`); steps
    :math:`c/\sqrt t`, projection on the unit ball, :math:`x_1 = 0`. The noise enters every
    coordinate, so the pieces are no longer tied at the iterates and the minimum-index rule no
    longer steers the path (with ``sigma = 0`` the run is :func:`run`'s). Vectorised over
    replicates, :math:`O(RT)` per step: :math:`O(RT^2)` in all, for moderate :math:`T` only.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates,)``.
    """
    _check(horizon, "convex", c, "min")
    common.check_positive("sigma", sigma, allow_zero=True)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    a, b = coefficients(horizon, "convex", c)
    x = np.zeros((replicates, horizon))
    columns = np.arange(horizon)
    scale = single_precision.FLOAT(sigma / np.sqrt(horizon))
    # buffers reused by every step: a step is O(RT), and fresh (R, T) arrays cost as much
    values = np.zeros((replicates, horizon + 1))
    product = np.empty((replicates, horizon))
    gradient = np.empty((replicates, horizon))

    def pieces(x: np.ndarray) -> np.ndarray:
        # piece 0 is -b_0 x_0 alone: the buffer's column 0 is reset, or the subtraction below
        # would accumulate -b_0 x_0 over every step (and, once noise pushes x_0 negative,
        # lift piece 0 over the others)
        values[:, 0] = 0.0
        np.multiply(a, x, out=product)
        np.cumsum(product, axis=1, out=values[:, 1:])
        np.multiply(b, x, out=product)
        values[:, :-1] -= product
        return values

    for t in range(1, horizon + 1):
        first = np.argmax(pieces(x), axis=1)  # first maximiser: the minimum index among ties
        np.multiply(a, columns < first[:, None], out=gradient)
        inside = np.flatnonzero(first < horizon)
        gradient[inside, first[inside]] = -b[first[inside]]
        # single-precision normals (simulators.single_precision: cut at 5.65, rounded to 6e-8),
        # added to the float64 gradient: the noise's law, not its last bits, breaks the ties
        noise = single_precision.standard_normal(rng, x.shape)
        gradient += np.multiply(noise, scale, out=noise)
        gradient *= c / np.sqrt(t)
        x -= gradient
        norms = np.sqrt(np.einsum("ij,ij->i", x, x))
        outside = norms > 1.0
        x[outside] /= norms[outside, None]
    return pieces(x).max(axis=1)
