r"""The empirical neural tangent kernel of a one-hidden-layer network, at initialisation and
after full-batch gradient descent.

The network is :math:`f(x) = s \sum_{j \le m} a_j \sigma(w_j \cdot x)` with
:math:`s = m^{-1/2}` (NTK parameterisation) or :math:`s = 1/m` (mean field), no biases. With
:math:`Z = XW^\top`, :math:`A = \sigma(Z)` and :math:`S = \sigma'(Z)` the empirical kernel is
:math:`K = s^2\,(AA^\top + ((S \circ a)(S \circ a)^\top) \circ XX^\top)`; every function is
vectorised over independent networks (a leading replicate axis).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulators.common import check_generator, check_positive, check_positive_int

Activation = tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


ACTIVATIONS: dict[str, Activation] = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "softplus": (lambda z: np.logaddexp(0.0, z), _sigmoid),
}
OUTPUT_LAWS = ("gaussian", "centred_exponential")


def arccos_ntk(x: np.ndarray, first_layer_term: bool = True) -> np.ndarray:
    r"""The limit NTK of the one-hidden-layer ReLU network (NTK parameterisation, weights
    N(0, 1), no bias): :math:`u(\sin\theta + (\pi-\theta)\cos\theta)/(2\pi) +
    (x\cdot x')(\pi-\theta)/(2\pi)`, :math:`u = \|x\|\|x'\|`. The second term comes from
    the first layer's weights; ``first_layer_term=False`` drops it (a mistake to refute)."""
    gram = x @ x.T
    norms = np.sqrt(np.diag(gram))
    u = np.outer(norms, norms)
    theta = np.arccos(np.clip(gram / u, -1.0, 1.0))
    second_layer = u * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / (2 * np.pi)
    return second_layer + (gram * (np.pi - theta) / (2 * np.pi) if first_layer_term else 0.0)


def init_network(
    width: int, dim: int, replicates: int, rng: np.random.Generator, output_law: str = "gaussian"
) -> tuple[np.ndarray, np.ndarray]:
    """First-layer weights ``W`` (replicates, width, dim), N(0, 1), and output weights ``a``
    (replicates, width), mean 0 and variance 1: N(0, 1), or Exp(1) - 1 (third moment 2)."""
    width = check_positive_int("width", width)
    replicates = check_positive_int("replicates", replicates)
    rng = check_generator(rng)
    w = rng.standard_normal((replicates, width, dim))
    if output_law == "gaussian":
        a = rng.standard_normal((replicates, width))
    elif output_law == "centred_exponential":
        a = rng.exponential(1.0, (replicates, width)) - 1.0
    else:
        raise ValueError(f"output_law must be one of {OUTPUT_LAWS}, got {output_law!r}")
    return w, a


def empirical_ntk(
    x: np.ndarray,
    w: np.ndarray,
    a: np.ndarray,
    activation: str = "relu",
    scale: float | None = None,
) -> np.ndarray:
    """The empirical kernel on the inputs ``x`` (n, dim), shape (replicates, n, n); ``scale``
    is the output multiplier ``s`` (default ``width^-1/2``)."""
    s = w.shape[1] ** -0.5 if scale is None else scale
    gram = x @ x.T
    # one network at a time: its (n, m) arrays stay in cache, and every product is a thin
    # 2-D one (batched stacks of them ran several times slower)
    return np.stack(
        [
            _kernel(_thin_matmul(x, wr.T), ar, gram, s, activation)
            for wr, ar in zip(w, a, strict=True)
        ]
    )


def train_kernel_change(
    x: np.ndarray,
    y: np.ndarray,
    width: int,
    replicates: int,
    rng: np.random.Generator,
    *,
    steps: int,
    rate: float,
    activation: str = "softplus",
    output_law: str = "gaussian",
    parameterization: str = "ntk",
    centred: bool = True,
) -> np.ndarray:
    r"""``||K_T - K_0||_F / ||K_0||_F`` after ``steps`` of full-batch GD on
    :math:`\tfrac12\sum_i (f(x_i) - y_i)^2`, shape (replicates,).

    ``rate`` is the step in the NTK parameterisation; the mean-field network (output scale
    ``1/m``) takes ``rate * m``, the step for which its function moves as fast. ``centred``
    trains each network on ``y + f_0(x)`` (equivalently, ``f - f_0`` on ``y``), so every
    replicate starts from the residual ``-y`` and the random initial function adds no noise.

    The first layer is trained through its pre-activations :math:`Z = XW^\top` alone: the
    gradient step :math:`W \leftarrow W - \eta s\,(a \circ (S \circ r)^\top X)` moves them by
    :math:`\eta s\,((XX^\top \circ r^\top)\,S) \circ a` (r the residuals, S the slopes), and
    the kernel and the outputs depend on W only through Z. One network at a time, so its
    (n, m) arrays stay in cache.
    """
    steps = check_positive_int("steps", steps)
    rate = check_positive("rate", rate)
    if parameterization not in ("ntk", "mean_field"):
        raise ValueError(
            f"parameterization must be 'ntk' or 'mean_field', got {parameterization!r}"
        )
    sigma, dsigma = _activation(activation)
    w, a = init_network(width, x.shape[1], replicates, rng, output_law)
    scale, step = (width**-0.5, rate) if parameterization == "ntk" else (1 / width, rate * width)
    gram = x @ x.T
    change = np.empty(replicates)
    for r in range(replicates):
        z, weights = x @ w[r].T, a[r].copy()
        k0 = _kernel(z, weights, gram, scale, activation)
        target = y + (scale * (sigma(z) @ weights) if centred else 0.0)
        for _ in range(steps):
            features = sigma(z)
            residual = scale * (features @ weights) - target
            grad_a = residual @ features  # times scale, applied with the step below
            shift = _thin_matmul(gram * residual, dsigma(z))
            shift *= weights
            shift *= step * scale
            z -= shift
            grad_a *= step * scale
            weights -= grad_a
        kt = _kernel(z, weights, gram, scale, activation)
        change[r] = np.linalg.norm(kt - k0) / np.linalg.norm(k0)
    return change


def _kernel(
    z: np.ndarray, a: np.ndarray, gram: np.ndarray, scale: float, activation: str
) -> np.ndarray:
    """The empirical kernel of one network from its pre-activations ``z`` (n, m)."""
    sigma, dsigma = _activation(activation)
    feats, slopes = sigma(z), dsigma(z) * a
    return scale**2 * (_thin_matmul(feats, feats.T) + _thin_matmul(slopes, slopes.T) * gram)


def _thin_matmul(left: np.ndarray, right: np.ndarray, block: int = 2048) -> np.ndarray:
    """``left @ right`` for a thin product (inner or outer size n = 8, the other the width),
    in blocks of ``block`` columns of the width: OpenBLAS spreads a larger product over
    threads, and on a shared two-core machine that costs ten times the CPU of one thread."""
    if left.shape[1] > right.shape[1]:  # (n, m) @ (m, n): sum the blocks
        out = np.zeros((left.shape[0], right.shape[1]))
        for j in range(0, left.shape[1], block):
            out += left[:, j : j + block] @ right[j : j + block]
        return out
    out = np.empty((left.shape[0], right.shape[1]))
    for j in range(0, right.shape[1], block):
        np.matmul(left, right[:, j : j + block], out=out[:, j : j + block])
    return out


def init_fluctuation(
    x: np.ndarray,
    widths: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    chunk: int = 4_000_000,
) -> np.ndarray:
    """``||K_0 - K_inf||_F / ||K_inf||_F`` for ReLU networks of each width (NTK
    parameterisation, Gaussian weights), shape (replicates, len(widths))."""
    replicates = check_positive_int("replicates", replicates)
    limit = arccos_ntk(x)
    out = np.empty((replicates, len(widths)))
    for j, width in enumerate(widths):
        rows = max(1, chunk // (int(width) * x.shape[0]))
        for start in range(0, replicates, rows):
            stop = min(replicates, start + rows)
            w, a = init_network(int(width), x.shape[1], stop - start, rng)
            k = empirical_ntk(x, w, a)
            out[start:stop, j] = np.linalg.norm(k - limit, axis=(1, 2)) / np.linalg.norm(limit)
    return out


def _activation(name: str) -> Activation:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]
