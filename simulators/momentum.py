r"""Heavy ball: deterministic (float and exact rational), and stochastic with step decay.

Quadratic instances are diagonal, :math:`f(x) = \frac12 \sum_i \lambda_i x_i^2` (minimiser 0),
so iterates are arrays shaped ``(replicates, ..., d)``. Noiseless heavy ball on a quadratic is
linear and decouples per eigenvalue, which :func:`shb_noiseless_gaps` uses to evaluate budgets
of millions of steps exactly; :func:`shb_quadratic_risk` is the Monte Carlo simulator with
gradient noise. The exact second moments (sampled least squares, the variance term) are
in :mod:`simulators.momentum_moments`; ASGD and SGD with momentum live in
:mod:`simulators.momentum_sgd`.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from . import common
from .sgd import balanced_chunk, replicate_chunk

# the noise of shb_quadratic_risk is drawn this many bytes at a time (a block of steps)
NOISE_BLOCK_BYTES = 1 << 20

# --- deterministic heavy ball ----------------------------------------------------------------


def heavy_ball_quadratic(
    eigenvalues: np.ndarray, x0: np.ndarray, alpha: float, beta: float, steps: int
) -> np.ndarray:
    r"""Heavy ball :math:`x_{t+1} = x_t - \alpha\nabla f(x_t) + \beta(x_t - x_{t-1})` on a
    diagonal quadratic, started at rest (:math:`x_{-1} = x_0`).

    Parameters
    ----------
    eigenvalues
        Shape ``(d,)``: the Hessian's eigenvalues :math:`\lambda_i > 0`.
    x0
        Shape ``(replicates, d)``: starting points (the minimiser is 0).
    alpha, beta
        Step size and momentum.
    steps
        Number of iterations.

    Returns
    -------
    numpy.ndarray
        ``||x_t||`` for ``t = 0..steps``, shape ``(replicates, steps + 1)``.
    """
    lam = common.check_eigenvalues(eigenvalues)
    x = np.atleast_2d(np.asarray(x0, float))
    if x.shape[-1] != len(lam):
        raise ValueError(f"x0 must have shape (replicates, {len(lam)}), got {x.shape}")
    common.check_positive("alpha", alpha)
    common.check_momentum("beta", beta)
    common.check_positive_int("steps", steps)
    replicates, d = x.shape
    # x_{t+1} = (1 + beta - alpha lambda) x_t - beta x_{t-1}: two products and a difference, in
    # place. In float64 the one rounding of the coefficient moves a mode's rate by at most
    # ~1e-8 (at critical damping, where the rate is a square root of it): far below what any
    # fit of these norms resolves.
    coefficient = (1 + beta - alpha * lam)[:, None]
    ones = np.ones(d)  # squared norms as one BLAS matrix-vector product
    squared = np.empty((steps + 1, replicates))
    # iterates transposed, (d, replicates): the per-coordinate coefficient then broadcasts
    # along contiguous rows, and each chunk of replicates stays in cache for all the steps
    # balanced: 4096 replicates at d = 20 run as five chunks of 820, not as five of 819 and a
    # sixth of one replicate that adds a fifth to the calls a step makes for no work
    chunk = balanced_chunk(replicates, replicate_chunk(d, arrays=4))
    # the coefficient spelled out over the chunk: numpy multiplies two contiguous arrays
    # several times faster than it broadcasts a column across one
    coefficients = np.repeat(coefficient, chunk, axis=1)
    for first in range(0, replicates, chunk):
        part = slice(first, min(first + chunk, replicates))
        # a copy even where x[part].T is already contiguous (a chunk of one replicate): the
        # steps below overwrite it, and x may be the caller's array
        current = x[part].T.copy()
        previous = current.copy()
        scratch = np.empty_like(current)
        spread = coefficients[:, : current.shape[1]]
        np.multiply(current, current, out=scratch)
        np.matmul(ones, scratch, out=squared[0, part])
        for t in range(1, steps + 1):
            np.multiply(current, spread, out=scratch)
            np.multiply(previous, beta, out=previous)
            np.subtract(scratch, previous, out=previous)
            current, previous = previous, current
            np.multiply(current, current, out=scratch)
            np.matmul(ones, scratch, out=squared[t, part])
    # a transposed view, not a copy: transposing (steps + 1) x replicates values in memory
    # costs about as much as all the steps
    return np.sqrt(squared, out=squared).T


def lessard_branch(x: Fraction) -> tuple[int, int]:
    r"""The affine piece :math:`f'(x) = a x + b` of the Lessard-Recht-Packard function
    (arXiv 1408.3595, eq. (4.11)) that contains ``x``: ``(25, 0)`` for :math:`x < 1`,
    ``(1, 24)`` on :math:`[1, 2)`, ``(25, -24)`` for :math:`x \ge 2`. The function is
    1-strongly convex and 25-smooth with minimiser 0."""
    if x < 1:
        return 25, 0
    if x < 2:
        return 1, 24
    return 25, -24


def lessard_gradient(x: Fraction) -> Fraction:
    """Derivative of the Lessard-Recht-Packard function; exact on Fractions."""
    slope, intercept = lessard_branch(x)
    return slope * x + intercept


def heavy_ball_exact(
    gradient, x_previous: Fraction, x0: Fraction, alpha: Fraction, beta: Fraction, steps: int
) -> list[Fraction]:
    r"""Scalar heavy ball in exact rational arithmetic: ``[x_0, x_1, ..., x_steps]``.

    ``gradient`` maps a Fraction to a Fraction; every iterate is an exact rational number.
    """
    values = [Fraction(x_previous), Fraction(x0), Fraction(alpha), Fraction(beta)]
    common.check_positive_int("steps", steps)
    prev, x, a, b = values
    out = [x]
    for _ in range(steps):
        prev, x = x, x - a * gradient(x) + b * (x - prev)
        out.append(x)
    return out


# --- stochastic heavy ball with step decay ---------------------------------------------------


def step_decay_stages(horizon: int) -> int:
    """Number of stages of the step-decay schedule for a budget of ``horizon`` steps:
    ``max(1, floor(log2 horizon))`` (the step is halved every ``horizon / log2(horizon)``
    steps, the schedule of Ge, Kakade, Kidambi & Netrapalli 2019)."""
    common.check_positive_int("horizon", horizon)
    return max(1, int(np.floor(np.log2(horizon))))


def step_decay_lengths(horizon: int) -> np.ndarray:
    """Stage lengths (they sum to ``horizon``; the first stages take the remainder)."""
    stages = step_decay_stages(horizon)
    lengths = np.full(stages, horizon // stages)
    lengths[: horizon % stages] += 1
    return lengths


def _batched_power(
    m: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], exponents: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entrywise powers of a batch of 2x2 matrices given by their entries ``(a, b, c, d)``
    (arrays of one shape), to integer ``exponents`` of that shape, by repeated squaring."""
    a, b, c, d = (np.array(v, float) for v in m)
    ra, rb, rc, rd = np.ones_like(a), np.zeros_like(a), np.zeros_like(a), np.ones_like(a)
    e = np.array(exponents, dtype=np.int64)
    while np.any(e > 0):
        odd = e % 2 == 1
        na, nb = a * ra + b * rc, a * rb + b * rd
        nc, nd = c * ra + d * rc, c * rb + d * rd
        ra, rb, rc, rd = (np.where(odd, n, r) for n, r in ((na, ra), (nb, rb), (nc, rc), (nd, rd)))
        a, b, c, d = a * a + b * c, b * (a + d), c * (a + d), d * d + b * c
        e = e // 2
    return ra, rb, rc, rd


def shb_noiseless_gaps(
    eigenvalues: np.ndarray,
    e0: np.ndarray,
    horizons: np.ndarray,
    eta0: float,
    beta: float,
    decay: bool = True,
) -> np.ndarray:
    r"""Final gaps :math:`f(w_T) - f^*` of heavy ball with step decay on a noiseless quadratic.

    For each budget ``T`` the step is :math:`\eta_0 2^{-(\ell-1)}` in stage
    :math:`\ell = 1..S(T)` (:func:`step_decay_lengths`), the momentum ``beta`` is fixed, and
    the run starts at rest at ``e0``. Noiseless linear dynamics decouple per eigenvalue, so a
    stage of length ``K`` is the ``K``-th power of a 2x2 iteration matrix, computed exactly by
    repeated squaring: budgets up to millions of steps cost microseconds. ``beta = 0`` is SGD
    (here GD) with the same schedule.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(horizons),)``.
    """
    lam = common.check_eigenvalues(eigenvalues)
    e0 = common.check_finite_vector("e0", e0, len(lam))
    horizons = common.check_horizons(horizons)
    common.check_positive("eta0", eta0)
    common.check_momentum("beta", beta)
    lengths = [step_decay_lengths(int(T)) for T in horizons]
    most = max(len(s) for s in lengths)
    # state (w_t, w_{t-1}) per budget and eigenvalue, at rest
    w = np.broadcast_to(e0, (len(horizons), len(lam))).copy()
    previous = w.copy()
    for stage in range(most):
        k = np.array([s[stage] if stage < len(s) else 0 for s in lengths])
        eta = eta0 * 0.5**stage if decay else eta0
        shape = w.shape
        a, b, c, d = _batched_power(
            (
                np.broadcast_to(1 + beta - eta * lam, shape),
                np.full(shape, -beta),
                np.ones(shape),
                np.zeros(shape),
            ),
            np.broadcast_to(k[:, None], shape),
        )
        w, previous = a * w + b * previous, c * w + d * previous
    return 0.5 * (lam * w**2).sum(axis=-1)


def shb_quadratic_risk(
    eigenvalues: np.ndarray,
    horizons: np.ndarray,
    eta0: float,
    beta: float,
    sigma: float,
    replicates: int,
    rng: np.random.Generator,
    decay: bool = True,
    e0: np.ndarray | None = None,
) -> np.ndarray:
    r"""Final excess risk of stochastic heavy ball with step decay, under anisotropic noise.

    The stochastic gradient is :math:`\nabla f(w) + n_t`, :math:`n_t = \sigma H^{1/2} z_t`,
    :math:`z_t \sim N(0, I)`, so :math:`\mathbb E[n_t n_t^\top] = \sigma^2 H` (the anisotropic
    noise condition with equality). Each budget ``T`` has its own schedule (stage ``ell``
    step :math:`\eta_0 2^{-(\ell-1)}`, or :math:`\eta_0` throughout if ``decay`` is False);
    all budgets run together on common noise, each frozen once its budget is spent.

    Parameters
    ----------
    eigenvalues
        Shape ``(d,)``.
    horizons
        Budgets ``T``, strictly increasing.
    eta0, beta, sigma
        Initial step, momentum (0 is SGD), noise scale.
    replicates
        Independent runs.
    rng
        Source of the noise.
    decay
        Step decay (True) or a constant step.
    e0
        Starting error ``w_0 - w^*`` (default 0: the variance term alone).

    Returns
    -------
    numpy.ndarray
        :math:`f(w_T) - f^*`, shape ``(replicates, len(horizons))``.
    """
    lam = common.check_eigenvalues(eigenvalues)
    horizons = common.check_horizons(horizons)
    common.check_positive("eta0", eta0)
    common.check_momentum("beta", beta)
    common.check_positive("sigma", sigma)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    n, d, last = len(horizons), len(lam), int(horizons[-1])
    steps = np.zeros((n, last))
    for h, T in enumerate(horizons):
        lengths = step_decay_lengths(int(T))
        rates = eta0 * 0.5 ** np.arange(len(lengths)) if decay else np.full(len(lengths), eta0)
        steps[h, :T] = np.repeat(rates, lengths)
    start = np.zeros(d) if e0 is None else np.asarray(e0, float)
    w = np.broadcast_to(start, (replicates, n, d)).copy()
    previous = w.copy()
    scratch = np.empty_like(w)
    noise_scale = sigma * np.sqrt(lam)
    etas = steps.T[:, :, None].copy()  # (last, n, 1): step t of every budget
    momenta = np.where(etas > 0, beta, 0.0)  # a finished budget stays where it is
    # the noise of a block of steps drawn at once: the same stream as one draw a step
    block = max(1, min(last, NOISE_BLOCK_BYTES // (8 * replicates * d)))
    noise = np.empty((block, replicates, 1, d))
    # in place, the original expression's operations in its order, so the values are unchanged:
    # w_{t+1} = (w - eta (lam w + noise)) + momentum (w - w_{t-1})
    for first in range(0, last, block):
        size = min(block, last - first)
        rng.standard_normal(out=noise[:size])
        for s in range(size):
            t = first + s
            np.multiply(noise[s], noise_scale, out=noise[s])
            np.multiply(lam, w, out=scratch)
            np.add(scratch, noise[s], out=scratch)
            np.multiply(etas[t], scratch, out=scratch)
            np.subtract(w, scratch, out=scratch)
            np.subtract(w, previous, out=previous)
            np.multiply(momenta[t], previous, out=previous)
            np.add(scratch, previous, out=previous)
            w, previous = previous, w
    return 0.5 * (lam * w**2).sum(axis=-1)
