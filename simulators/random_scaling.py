r"""Exponential random scaling: both sides of Zhang & Cutkosky's key identity, by quadrature.

For :math:`s \sim \mathrm{Exp}(1)` and :math:`F` locally Lipschitz with sub-exponential growth,
integrating by parts against :math:`e^{-s}` gives

.. math::  \mathbb{E}_s[F(x + s\Delta)] - F(x) = \mathbb{E}_s[\langle \nabla F(x + s\Delta),
           \Delta \rangle].

The test function is non-smooth and non-convex, :math:`F(x) = v^\top \mathrm{ReLU}(Wx) +
\sum_j |\sin 2x_j|`. Along the ray :math:`x + s\Delta` it is smooth between kinks, which are
found in closed form, so Gauss-Legendre quadrature on each piece is exact to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulators.common import check_generator, check_positive_int

#: Beyond this s the exponential weight e^-s is below 1e-21: the tail is negligible against
#: a test function that grows linearly.
EXP_HORIZON = 48.0
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(24)


@dataclass(frozen=True)
class ReluSine:
    """``F(x) = v^T relu(W x) + sum_j |sin(2 x_j)|``."""

    weights: np.ndarray  # W, shape (m, d)
    outer: np.ndarray  # v, shape (m,)

    def value(self, x: np.ndarray) -> np.ndarray:
        """F at the rows of ``x`` (shape (..., d))."""
        hidden = np.maximum(x @ self.weights.T, 0.0)
        return hidden @ self.outer + np.abs(np.sin(2 * x)).sum(axis=-1)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """A gradient of F (exact away from the kinks, a measure-zero set on every ray)."""
        active = (x @ self.weights.T > 0).astype(float)
        return (active * self.outer) @ self.weights + 2 * np.sign(np.sin(2 * x)) * np.cos(2 * x)

    def kinks(self, x: np.ndarray, direction: np.ndarray, upper: float) -> np.ndarray:
        """The s in (0, upper) where F(x + s direction) is not differentiable."""
        slopes = self.weights @ direction
        with np.errstate(divide="ignore", invalid="ignore"):
            relu = -(self.weights @ x) / slopes
        points = [relu[np.isfinite(relu)]]
        for xj, dj in zip(x, direction, strict=True):
            if dj == 0:
                continue
            # sin(2 (x_j + s d_j)) = 0  <=>  x_j + s d_j = m pi / 2
            ends = sorted((2 * xj / np.pi, 2 * (xj + upper * dj) / np.pi))
            m = np.arange(np.ceil(ends[0]), np.floor(ends[1]) + 1)
            points.append((m * np.pi / 2 - xj) / dj)
        s = np.concatenate(points)
        return np.unique(s[(s > 0) & (s < upper)])


def relu_sine_instance(rng: np.random.Generator, dim: int = 5, width: int = 8) -> ReluSine:
    """A random ``ReluSine`` with Gaussian ``W`` and ``v``."""
    rng = check_generator(rng)
    dim, width = check_positive_int("dim", dim), check_positive_int("width", width)
    return ReluSine(rng.standard_normal((width, dim)), rng.standard_normal(width))


def scaling_identity_sides(
    function: ReluSine, x: np.ndarray, direction: np.ndarray, scaling: str = "exponential"
) -> tuple[float, float]:
    """Both sides of the identity: ``(E[F(x + s d)] - F(x), E[<grad F(x + s d), d>])``.

    Parameters
    ----------
    function
        The test function.
    x, direction
        The point and the update direction, shape ``(d,)``.
    scaling
        The law of ``s``: ``"exponential"`` (Exp(1), the paper's), ``"uniform"`` (U(0, 2), the
        same mean) or ``"constant"`` (s = 1).
    """
    x, direction = np.asarray(x, float), np.asarray(direction, float)
    if scaling == "constant":
        moved = x + direction
        return float(function.value(moved) - function.value(x)), float(
            function.gradient(moved) @ direction
        )
    if scaling not in ("exponential", "uniform"):
        raise ValueError(f"scaling must be exponential, uniform or constant, got {scaling!r}")
    upper = EXP_HORIZON if scaling == "exponential" else 2.0
    edges = np.concatenate([[0.0], function.kinks(x, direction, upper), [upper]])
    low, high = edges[:-1, None], edges[1:, None]
    s = (low + high) / 2 + (high - low) / 2 * _NODES  # (pieces, nodes)
    w = (high - low) / 2 * _WEIGHTS
    density = np.exp(-s) if scaling == "exponential" else np.full_like(s, 0.5)
    points = x + s[..., None] * direction
    lhs = float(np.sum(w * density * function.value(points))) - float(function.value(x))
    rhs = float(np.sum(w * density * (function.gradient(points) @ direction)))
    return lhs, rhs
