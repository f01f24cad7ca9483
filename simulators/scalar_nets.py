r"""Gradient descent on scalar networks and the sharpness of their gradient-flow solutions.

A depth-:math:`D` scalar network fits the target 1 with the squared loss
:math:`L(w) = \tfrac12(\pi(w) - 1)^2`, :math:`\pi(w) = \prod_i w_i`, and GD reads
:math:`w \leftarrow w - \eta(\pi - 1)\pi / w` (elementwise). Gradient flow conserves
:math:`w_i^2 - w_j^2`, so from a positive :math:`w` it reaches the minimiser
:math:`\sqrt{w_i^2 + c}` with :math:`c` the root of :math:`\sum_i \log(w_i^2 + c) = 0`; the
sharpness there (the Hessian's top eigenvalue at a minimiser is :math:`\sum_i \pi^2/w_i^2`) is
the **gradient-flow-solution (GFS) sharpness**

.. math::  \varphi(w) = \sum_i \frac{1}{w_i^2 + c(w)}.

The raw sharpness is the top eigenvalue of :math:`\nabla^2 L(w) = \pi(2\pi - 1)\,uu^\top -
\pi(\pi - 1)\operatorname{diag}(u^2)`, :math:`u = 1/w`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulators.common import check_generator, check_positive, check_positive_int

#: Newton on c stops when the product is within this of 1 (a few units of rounding), or after
#: NEWTON_CAP steps from a cold start; phi is then exact to about 1e-14 relative, far below the
#: 1e-10 relative increases the claims look for.
NEWTON_TOLERANCE = 1e-14
NEWTON_CAP = 60


def _gfs_shift(squares: np.ndarray, start: np.ndarray, iterations: int = NEWTON_CAP) -> np.ndarray:
    """The root ``c > -min squares`` of ``h(c) = prod_i (squares_i + c) - 1`` (rows).

    ``h`` is increasing and convex there, so Newton from the right of the root decreases
    monotonically to it and a step from the left lands right of it (inside the domain): from
    any start in the domain Newton converges, quadratically, with no safeguard after one step.
    """
    if squares.shape[-1] == 2:
        # (a + c)(b + c) = 1: the positive root, written without cancellation
        a, b = squares[..., 0], squares[..., 1]
        return 2 * (1 - a * b) / (a + b + np.sqrt((a - b) ** 2 + 4))
    edge = -squares.min(axis=-1)
    c = np.where(start > edge, start, edge / 2)
    for _ in range(iterations):
        shifted = squares + c[..., None]
        product = np.prod(shifted, axis=-1)
        if np.max(np.abs(product - 1)) <= NEWTON_TOLERANCE:
            break
        c = c - (product - 1) / (product * np.sum(1.0 / shifted, axis=-1))
    return c


def gfs_sharpness(w: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """``phi(w)``, the sharpness of the minimiser gradient flow reaches from positive ``w``
    (rows are networks, the last axis the layers); ``start`` warm-starts the shift ``c``."""
    squares = np.asarray(w, float) ** 2
    c = _gfs_shift(squares, np.zeros(squares.shape[:-1]) if start is None else start)
    return np.sum(1.0 / (squares + c[..., None]), axis=-1)


def raw_sharpness(w: np.ndarray) -> np.ndarray:
    """The top eigenvalue of the loss Hessian at ``w`` (rows are networks)."""
    w = np.asarray(w, float)
    u = 1.0 / w
    if w.shape[-1] == 2:
        # the 2 x 2 case in closed form (the batched eigensolver dominates the run time)
        p = np.prod(w, axis=-1)
        off = p * (2 * p - 1) * u[..., 0] * u[..., 1]
        d0, d1 = p**2 * u[..., 0] ** 2, p**2 * u[..., 1] ** 2
        return (d0 + d1) / 2 + np.sqrt(((d0 - d1) / 2) ** 2 + off**2)
    if w.shape[-1] == 3:
        return _top_eigenvalue_3x3(hessian_entries(w))
    return np.linalg.eigvalsh(hessian_entries(w))[..., -1]


def hessian_entries(w: np.ndarray) -> np.ndarray:
    """The loss Hessian at ``w``, shape ``w.shape + (D,)``."""
    u = 1.0 / w
    prod = np.prod(w, axis=-1)[..., None, None]
    hessian = prod * (2 * prod - 1) * u[..., :, None] * u[..., None, :]
    return hessian - prod * (prod - 1) * (u[..., :, None] ** 2) * np.eye(w.shape[-1])


def _top_eigenvalue_3x3(a: np.ndarray) -> np.ndarray:
    """The largest eigenvalue of symmetric 3 x 3 matrices (rows), by the trigonometric formula
    for the roots of the characteristic cubic (Smith 1961): a batched eigensolver costs ten
    times more at the batch sizes used here."""
    q = np.trace(a, axis1=-2, axis2=-1) / 3
    off = a[..., 0, 1] ** 2 + a[..., 0, 2] ** 2 + a[..., 1, 2] ** 2
    diag = (a[..., 0, 0] - q) ** 2 + (a[..., 1, 1] - q) ** 2 + (a[..., 2, 2] - q) ** 2
    p = np.sqrt((diag + 2 * off) / 6)
    scale = np.where(p > 0, p, 1.0)[..., None, None]
    b = (a - q[..., None, None] * np.eye(3)) / scale
    half_det = np.clip(np.linalg.det(b) / 2, -1.0, 1.0)
    return q + 2 * p * np.cos(np.arccos(half_det) / 3)


@dataclass(frozen=True)
class RunSummary:
    """What a batch of GD runs did, one entry per run.

    Attributes
    ----------
    step_ratio
        ``eta phi(w_0) / 2``: the step in units of the initial GFS sharpness's stability limit.
    depth
        The number of layers D.
    positive
        Every weight stayed positive at every step (the domain where phi is defined).
    phi_increase, raw_increase
        The largest relative one-step increase of phi and of the raw sharpness
        (``max_t s_{t+1}/s_t - 1``; negative if it decreased at every step).
    converged
        ``|prod w_T - 1| <= 1e-8`` at the last step.
    limit_ratio
        ``eta phi(w_T) / 2``: the limit's sharpness in units of ``2/eta`` (for converged runs).
    """

    step_ratio: np.ndarray
    depth: np.ndarray
    positive: np.ndarray
    phi_increase: np.ndarray
    raw_increase: np.ndarray
    converged: np.ndarray
    limit_ratio: np.ndarray


def initial_weights(
    depth: int, runs: int, rng: np.random.Generator, spread: float = 2.0
) -> np.ndarray:
    """Positive initial weights, log-uniform in ``[1/spread, spread]`` per layer: shape
    ``(runs, depth)``."""
    depth, runs = check_positive_int("depth", depth), check_positive_int("runs", runs)
    log_spread = np.log(check_positive("spread", spread))
    return np.exp(check_generator(rng).uniform(-log_spread, log_spread, (runs, depth)))


def gd_sharpness_runs(
    w0: np.ndarray, step_ratio: np.ndarray, steps: int, converged_tolerance: float = 1e-8
) -> RunSummary:
    """Run GD from each row of ``w0`` with ``eta = step_ratio * 2 / phi(w_0)`` for ``steps``
    steps, tracking phi and the raw sharpness at every step."""
    steps = check_positive_int("steps", steps)
    check_positive("converged_tolerance", converged_tolerance)
    w = np.array(w0, float)
    ratio = np.asarray(step_ratio, float)
    if w.ndim != 2 or np.any(w <= 0) or ratio.shape != (w.shape[0],):
        raise ValueError("w0 must be positive, shape (runs, depth), with one step ratio per run")
    c = _gfs_shift(w**2, np.zeros(len(w)))
    phi = np.sum(1.0 / (w**2 + c[:, None]), axis=1)
    eta = 2 * ratio / phi
    raw = raw_sharpness(w)
    phi_increase = np.full(len(w), -np.inf)
    raw_increase = np.full(len(w), -np.inf)
    positive = np.ones(len(w), bool)
    for _ in range(steps):
        prod = np.prod(w, axis=1)
        w = w - (eta * (prod - 1) * prod)[:, None] / w
        positive &= np.all(w > 0, axis=1)
        # phi is defined on positive weights only: a run that leaves them is frozen (at w = 1,
        # so it cannot overflow) and keeps its last records
        w = np.where(positive[:, None], w, 1.0)
        safe = w
        c = np.where(positive, _gfs_shift(safe**2, np.where(positive, c, 0.0)), c)
        new_phi = np.sum(1.0 / (safe**2 + c[:, None]), axis=1)
        new_raw = raw_sharpness(safe)
        phi_increase = np.where(positive, np.maximum(phi_increase, new_phi / phi - 1), phi_increase)
        raw_increase = np.where(positive, np.maximum(raw_increase, new_raw / raw - 1), raw_increase)
        phi = np.where(positive, new_phi, phi)
        raw = np.where(positive, new_raw, raw)
    converged = positive & (np.abs(np.prod(w, axis=1) - 1) <= converged_tolerance)
    return RunSummary(
        step_ratio=ratio,
        depth=np.full(len(w), w.shape[1]),
        positive=positive,
        phi_increase=phi_increase,
        raw_increase=raw_increase,
        converged=converged,
        limit_ratio=eta * phi / 2,
    )
