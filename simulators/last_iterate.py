r"""Last iterate of (proximal, projected) stochastic gradient descent on separable instances.

One step of composite stochastic gradient descent with the Euclidean mirror map,

.. math::  x_{t+1} = \operatorname{prox}_{\eta_t h}\big(x_t - \eta_t (g(x_t) + \xi_t)\big),

where :math:`g(x) \in \partial f(x)`, :math:`\xi_t` is zero-mean noise and the proximal map of
:math:`h` is one of: none (plain SGD on :math:`\mathbb{R}^d`), the :math:`\ell_1` soft threshold,
the shrinkage of :math:`\tfrac{\mu}{2}\|x\|^2`, or the projection on a box (:math:`h` the box's
indicator). Everything is vectorised over independent replicates: iterates have shape
``(replicates, d)`` and one step is a handful of array operations, so a run of ``T`` steps
costs ``T`` vectorised steps whatever the number of replicates.

The instances are separable (a function of each coordinate summed), the objective value is
recorded at the requested horizons, and the step sizes are an explicit array, so the step-size
schedules the theorems prescribe are built by :func:`step_sizes` and visible to the caller.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import common, single_precision
from .common import huber

NOISES = ("gaussian", "pareto", "cauchy")
SCHEDULES = ("sqrt", "constant", "inverse", "power")
PROXES = ("none", "l1", "squared", "box")
DTYPES = (np.float64, np.float32)


def step_sizes(
    horizon: int,
    schedule: str,
    eta: float,
    *,
    power: float = 0.5,
    cap: float | None = None,
) -> np.ndarray:
    r"""Step sizes :math:`\eta_1, \dots, \eta_T`.

    Parameters
    ----------
    horizon
        :math:`T`.
    schedule
        ``"sqrt"``: :math:`\eta/\sqrt t`; ``"constant"``: :math:`\eta`; ``"inverse"``:
        :math:`\eta/t` (pass :math:`\eta = c/\mu`); ``"power"``: :math:`\eta/t^{\text{power}}`.
    eta
        The scale :math:`\eta > 0`.
    power
        Exponent of the ``"power"`` schedule (:math:`1/p` for heavy tails), in ``(0, 1]``.
    cap
        If given, :math:`\min\{\text{cap}, \eta_t\}` (e.g. :math:`1/(2L)` for smooth :math:`f`).

    Returns
    -------
    numpy.ndarray
        Shape ``(T,)``.
    """
    common.check_positive_int("horizon", horizon)
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    common.check_positive("eta", eta)
    if not (0 < power <= 1):
        raise ValueError(f"power must lie in (0, 1], got {power!r}")
    if cap is not None:
        common.check_positive("cap", cap)
    t = np.arange(1, horizon + 1, dtype=float)
    exponent = {"sqrt": 0.5, "constant": 0.0, "inverse": 1.0, "power": power}[schedule]
    steps = eta / t**exponent
    return np.minimum(steps, cap) if cap is not None else steps


def sample_noise(
    rng: np.random.Generator,
    shape: tuple[int, ...],
    kind: str,
    scale: float,
    tail: float = 2.0,
    dtype: type[np.floating] = np.float64,
) -> np.ndarray:
    r"""Zero-mean (or symmetric) gradient noise.

    ``"gaussian"``: :math:`N(0, \text{scale}^2)` (sub-Gaussian). ``"pareto"``: a symmetric
    Lomax variable, :math:`\pm\text{scale}\,(U^{-1/\alpha} - 1)` with tail index
    :math:`\alpha` = ``tail``: :math:`\mathbb{E}|\xi|^p < \infty` exactly for :math:`p < \alpha`.
    ``"cauchy"``: standard Cauchy times ``scale`` (no mean: outside every theorem here).
    ``dtype`` ``numpy.float32`` draws through :mod:`simulators.single_precision` (about four
    times faster; what it cuts and rounds is listed there).
    """
    if kind not in NOISES:
        raise ValueError(f"noise must be one of {NOISES}, got {kind!r}")
    common.check_positive("noise scale", scale, allow_zero=True)
    if kind == "pareto" and not (np.isfinite(tail) and tail > 1):
        raise ValueError(f"the Pareto tail index must exceed 1 (finite mean), got {tail!r}")
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    if dtype is np.float32:
        draw = {
            "gaussian": single_precision.standard_normal,
            "cauchy": single_precision.standard_cauchy,
            "pareto": lambda rng, shape: single_precision.symmetric_pareto(rng, shape, tail),
        }[kind](rng, shape)
        return np.multiply(draw, single_precision.FLOAT(scale), out=draw)
    if kind == "gaussian":
        return scale * rng.standard_normal(shape)
    if kind == "cauchy":
        return scale * rng.standard_cauchy(shape)
    # one uniform draw gives both: its side of 1/2 is the sign, and 1 - |2u - 1| is again
    # uniform on (0, 1] and independent of that side (floored so that u = 0 stays finite).
    # v^(-1/tail) as exp(-log(v)/tail): the same value up to rounding, at half the cost of a
    # power (which numpy does not vectorise); in place, since this runs once a step and the
    # temporaries of the one-line expression cost as much as the arithmetic. At the floor,
    # exp(708/tail) stays finite for every tail > 1.
    centred = rng.random(shape)
    np.multiply(centred, 2.0, out=centred)
    np.subtract(centred, 1.0, out=centred)
    out = np.abs(centred)
    np.subtract(1.0, out, out=out)
    np.maximum(out, np.finfo(float).tiny, out=out)
    np.log(out, out=out)
    np.multiply(out, -1.0 / tail, out=out)
    np.exp(out, out=out)
    np.subtract(out, 1.0, out=out)
    np.copysign(out, centred, out=out)
    np.multiply(out, scale, out=out)
    return out


def proximal_map(y: np.ndarray, step: float, prox: str, weight: float) -> np.ndarray:
    r""":math:`\operatorname{prox}_{\text{step}\cdot h}(y)` for the supported :math:`h`.

    ``"l1"``: :math:`h = \text{weight}\,\|x\|_1` (soft threshold); ``"squared"``:
    :math:`h = \tfrac{\text{weight}}{2}\|x\|^2`; ``"box"``: the indicator of
    :math:`[-\text{weight}, \text{weight}]^d` (projection); ``"none"``: :math:`h = 0`.
    """
    if prox == "none":
        return y
    if prox == "l1":
        return np.sign(y) * np.maximum(np.abs(y) - step * weight, 0.0)
    if prox == "squared":
        return y / (1.0 + step * weight)
    return np.clip(y, -weight, weight)


def _proximal_map_in_place(y: np.ndarray, step: float, prox: str, weight: float) -> None:
    """:func:`proximal_map` written into ``y`` (the same values, no temporaries but one)."""
    if prox == "l1":
        magnitude = np.abs(y)
        np.subtract(magnitude, step * weight, out=magnitude)
        np.maximum(magnitude, 0.0, out=magnitude)
        np.copysign(magnitude, y, out=y)
    elif prox == "squared":
        np.divide(y, 1.0 + step * weight, out=y)
    elif prox == "box":
        # clip as its two ufuncs: np.clip's dispatch costs more than the arithmetic on small runs
        np.maximum(y, -weight, out=y)
        np.minimum(y, weight, out=y)


#: Noise is drawn for several steps at once, about this many numbers a block: few enough to stay
#: in cache, enough that a run with few replicates does not pay numpy's per-call overhead on
#: every step. Blocks draw the same numbers, in the same order, as one draw a step.
NOISE_BLOCK_ELEMENTS = 1 << 16


def last_iterate_values(
    subgradient: Callable[[np.ndarray], np.ndarray],
    value: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    steps: np.ndarray,
    horizons: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    *,
    noise: str = "gaussian",
    noise_scale: float = 1.0,
    tail: float = 2.0,
    prox: str = "none",
    prox_weight: float = 0.0,
    dtype: type[np.floating] = np.float64,
) -> np.ndarray:
    r"""Objective values :math:`F(x_{t+1})` of the last iterate after ``t`` steps.

    Parameters
    ----------
    subgradient
        :math:`g(x)`: maps ``(replicates, d)`` to ``(replicates, d)``; a subgradient of the
        part :math:`f` the stochastic oracle sees.
    value
        :math:`F(x) - F^*`: maps ``(replicates, d)`` to ``(replicates,)``.
    x0
        Shape ``(d,)``: the common starting point :math:`x_1`.
    steps
        Shape ``(T,)``: :math:`\eta_1, \dots, \eta_T`, positive.
    horizons
        Strictly increasing step counts in ``[1, T]`` at which the value is recorded.
    replicates
        Independent runs.
    rng
        Source of the noise.
    noise, noise_scale, tail
        See :func:`sample_noise`.
    prox, prox_weight
        See :func:`proximal_map`.
    dtype
        ``numpy.float64`` (default) or ``numpy.float32``: the precision of the iterates and the
        noise (:mod:`simulators.single_precision`); ``value`` always sees float64 iterates.
        float32 is for claims whose resolution is far coarser than its rounding, as the caller
        argues.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, len(horizons))``: :math:`F(x_{t+1}) - F^*` after ``t`` steps.
        Non-finite entries mean the run overflowed; they are returned, not hidden.
    """
    x0 = common.check_finite_vector("x0", x0)
    steps = common.check_step_sizes(steps)
    horizons = common.check_horizons(horizons, lowest=1, highest=steps.size)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    if prox not in PROXES:
        raise ValueError(f"prox must be one of {PROXES}, got {prox!r}")
    common.check_positive("prox_weight", prox_weight, allow_zero=True)
    if prox == "box" and prox_weight <= 0:
        raise ValueError("a box needs a positive half-width (prox_weight)")
    sample_noise(rng, (0,), noise, noise_scale, tail, dtype)  # validates the noise arguments
    x = np.array(np.broadcast_to(x0, (replicates, x0.size)), dtype=dtype)
    step_array = steps.astype(dtype)  # a float64 step would promote float32 iterates
    update = np.empty_like(x)
    out = np.empty((replicates, horizons.size))
    block = max(1, NOISE_BLOCK_ELEMENTS // x.size)
    record = {int(h): k for k, h in enumerate(horizons)}
    last, t = int(horizons[-1]), 0
    with np.errstate(over="ignore", invalid="ignore"):
        while t < last:
            draws = sample_noise(
                rng, (min(block, last - t), *x.shape), noise, noise_scale, tail, dtype
            )
            for xi, step in zip(draws, step_array[t : t + len(draws)], strict=True):
                t += 1
                # x <- prox(x - step (g(x) + xi)), in place (the order of operations of the
                # textbook expression, so float64 runs are the same to the bit)
                np.add(subgradient(x), xi, out=update)
                np.multiply(update, step, out=update)
                np.subtract(x, update, out=x)
                _proximal_map_in_place(x, step, prox, prox_weight)
                if t in record:
                    values = value(x if dtype is np.float64 else x.astype(np.float64))
                    out[:, record[t]] = values
    return out


# --- separable instances: (subgradient, value) pairs ------------------------------------------


def l1_instance(center: float = 0.0) -> tuple[Callable, Callable]:
    r""":math:`f(x) = \|x - c\mathbf 1\|_1` (1-Lipschitz per coordinate), minimum 0 at
    :math:`c\mathbf 1`; subgradient :math:`\operatorname{sign}(x - c)`."""
    if center == 0:  # one operation a step fewer
        return np.sign, (lambda x: np.abs(x).sum(axis=1))
    return (lambda x: np.sign(x - center)), (lambda x: np.abs(x - center).sum(axis=1))


def l1_quadratic_instance(weight: float, mu: float) -> tuple[Callable, Callable]:
    r""":math:`f(x) = G\|x\|_1 + \tfrac{\mu}{2}\|x\|^2`: :math:`\mu`-strongly convex, and
    :math:`(L, M)`-smooth with :math:`L = \mu`, :math:`M = 2G\sqrt d`; minimum 0 at 0."""
    common.check_positive("weight", weight, allow_zero=True)
    common.check_positive("mu", mu)
    if weight == 0:  # the quadratic alone: one operation a step instead of four
        return (lambda x: mu * x), (lambda x: 0.5 * mu * (x * x).sum(axis=1))
    return (
        lambda x: weight * np.sign(x) + mu * x,
        lambda x: weight * np.abs(x).sum(axis=1) + 0.5 * mu * (x * x).sum(axis=1),
    )


def huber_instance(curvatures: np.ndarray, threshold: float) -> tuple[Callable, Callable]:
    r""":math:`f(x) = \sum_i \lambda_i\,\mathrm{hub}_\delta(x_i)`, with
    :math:`\mathrm{hub}_\delta(s) = s^2/2` for :math:`|s| \le \delta`, else
    :math:`\delta|s| - \delta^2/2`. Convex and :math:`\max_i\lambda_i`-smooth, not strongly
    convex (linear growth away from 0); minimum 0 at 0."""
    lam = common.check_eigenvalues(curvatures, allow_zero=True)
    common.check_positive("threshold", threshold)

    by_dtype = {np.dtype(np.float64): lam, np.dtype(np.float32): lam.astype(np.float32)}

    def grad(x: np.ndarray) -> np.ndarray:
        # huber_gradient's lam * clip(x, -threshold, threshold), in x's precision and as the two
        # ufuncs of the clip (np.clip's dispatch costs more than the arithmetic here)
        g = np.maximum(x, -threshold)
        np.minimum(g, threshold, out=g)
        return np.multiply(g, by_dtype.get(x.dtype, lam), out=g)

    def val(x: np.ndarray) -> np.ndarray:
        return huber(x, threshold, lam).sum(axis=1)

    return grad, val


def known_horizon_steps(horizon: int, scale: float) -> np.ndarray:
    r"""Jain, Nagaraj & Netrapalli's (2019) step sizes for a horizon :math:`T` known in advance.

    With :math:`T_0 = 0`, :math:`T_i = T - \lceil T 2^{-i}\rceil` for :math:`i \ge 1`, and
    :math:`k = \lceil\log_2 T\rceil`, the step is :math:`\text{scale}\cdot 2^{-i}/\sqrt T` on
    :math:`T_i < t \le T_{i+1}` (:math:`i = 0, \dots, k`; the last phase ends at :math:`T`): the
    step halves each time the remaining horizon halves. The paper's scale is :math:`D/G`
    (diameter over Lipschitz constant).

    Parameters
    ----------
    horizon
        :math:`T`.
    scale
        :math:`D/G > 0`.

    Returns
    -------
    numpy.ndarray
        Shape ``(T,)``: :math:`\eta_1, \dots, \eta_T`.
    """
    common.check_positive_int("horizon", horizon)
    common.check_positive("scale", scale)
    t = np.arange(1, horizon + 1)
    # phase of step t: the i with T_i < t <= T_{i+1}, i.e. the remaining horizon T - t + 1 lies
    # in (T 2^-(i+1), T 2^-i] up to the ceilings; computed from the boundaries themselves
    phases = int(np.ceil(np.log2(horizon))) if horizon > 1 else 0
    boundaries = [0] + [horizon - int(np.ceil(horizon * 2.0**-i)) for i in range(1, phases + 1)]
    boundaries.append(horizon)
    phase = np.searchsorted(np.asarray(boundaries[1:]), t, side="left")
    return scale * 2.0 ** (-phase.astype(float)) / np.sqrt(horizon)
