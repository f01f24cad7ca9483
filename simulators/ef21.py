r"""EF21 with Top-k compression on heterogeneous quadratics, vectorised over instances.

Client i holds :math:`f_i(x) = \frac12 (x - b_i)^\top A_i (x - b_i)`, the objective is
:math:`f = \frac1n\sum_i f_i`. EF21 (Richtarik, Sokolov & Fatkhullin 2021):
:math:`x^{t+1} = x^t - \gamma g^t`, :math:`g^t = \frac1n\sum_i g_i^t`,
:math:`g_i^{t+1} = g_i^t + C(\nabla f_i(x^{t+1}) - g_i^t)`, with :math:`g_i^0 = \nabla f_i(x^0)`
and C the Top-k compressor (contractive with :math:`\alpha = k/d`). Arrays are shaped
``(instances, clients, d[, d])``; the compression level k may differ between instances.
"""

from __future__ import annotations

import numpy as np

from simulators.common import check_generator, check_positive, check_positive_int

PATTERNS = ("geometric", "one_heavy")


def top_k(values: np.ndarray, keep: np.ndarray | int) -> np.ndarray:
    """Keep the ``keep`` largest-magnitude entries along the last axis (ties: lower index).

    ``keep`` has the shape of ``values`` without its last axis, or broadcasts to it.
    """
    order = np.argsort(-np.abs(values), axis=-1, kind="stable")
    # each entry's rank: the inverse of the sorting permutation, scattered, not sorted again
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(values.shape[-1]), axis=-1)
    return np.where(rank < np.asarray(keep)[..., None], values, 0.0)


def heterogeneous_quadratics(
    count: int,
    clients: int,
    dim: int,
    rng: np.random.Generator,
    spread: float = 10.0,
    pattern: str = "geometric",
    anisotropy: float = 0.9,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Hessians :math:`A_i = c_i Q_i \mathrm{diag}(\lambda) Q_i^\top` and centres :math:`b_i`.

    :math:`\lambda` uniform in :math:`[1 - \text{anisotropy}, 1]` (0: isotropic, then f's
    smoothness is the arithmetic mean of the :math:`L_i`); :math:`c_i = \text{spread}^{u_i}`,
    :math:`u_i` uniform (``"geometric"``) or :math:`c_1 = \text{spread}`, the others 1
    (``"one_heavy"``). Returns ``(A, b)`` shaped ``(count, clients, dim, dim)`` and
    ``(count, clients, dim)``.
    """
    count, n = check_positive_int("count", count), check_positive_int("clients", clients)
    dim, rng = check_positive_int("dim", dim), check_generator(rng)
    spread = check_positive("spread", spread)
    if not 0 <= anisotropy < 1:
        raise ValueError(f"anisotropy must be in [0, 1), got {anisotropy}")
    if pattern == "geometric":
        scales = spread ** rng.uniform(0, 1, (count, n))
    elif pattern == "one_heavy":
        scales = np.ones((count, n))
        scales[:, 0] = spread
    else:
        raise ValueError(f"pattern must be one of {PATTERNS}, got {pattern!r}")
    eigenvalues = rng.uniform(1 - anisotropy, 1, (count, n, dim))
    bases, _ = np.linalg.qr(rng.standard_normal((count, n, dim, dim)))
    hessians = np.einsum("cnij,cnj,cnkj->cnik", bases, eigenvalues, bases) * scales[..., None, None]
    centres = rng.standard_normal((count, n, dim))
    return hessians, centres


def smoothness(hessians: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""``(L_i, L)``: each client's largest eigenvalue, shape ``(count, clients)``, and f's,
    shape ``(count,)``."""
    clients = np.linalg.eigvalsh(hessians)[..., -1]
    total = np.linalg.eigvalsh(hessians.mean(axis=1))[..., -1]
    return clients, total


def ef21_step_size(
    hessians: np.ndarray, keep: np.ndarray, constant: str = "arithmetic"
) -> np.ndarray:
    r""":math:`\gamma = 1/(L + \tilde L\sqrt{\beta/\theta})` with :math:`\alpha = k/d`,
    :math:`\theta = 1 - \sqrt{1-\alpha}`, :math:`\beta = (1-\alpha)/\theta`.

    ``constant`` chooses :math:`\tilde L`: ``"arithmetic"`` (mean of the :math:`L_i`, EF21
    reloaded), ``"quadratic"`` (their quadratic mean, the original EF21 theorem) or
    ``"minimum"`` (the smallest :math:`L_i`, no theorem covers it).
    """
    clients, total = smoothness(hessians)
    tilde = {
        "arithmetic": lambda: clients.mean(axis=1),
        "quadratic": lambda: np.sqrt((clients**2).mean(axis=1)),
        "minimum": lambda: clients.min(axis=1),
    }[constant]()
    alpha = np.asarray(keep, float) / hessians.shape[-1]
    theta = 1 - np.sqrt(1 - alpha)
    beta = (1 - alpha) / theta
    return 1.0 / (total + tilde * np.sqrt(beta / theta))


def ef21_bound_ratios(
    hessians: np.ndarray,
    centres: np.ndarray,
    start: np.ndarray,
    keep: np.ndarray,
    steps: np.ndarray,
    iterations: int,
) -> np.ndarray:
    r""":math:`\gamma\sum_{t<T}\|\nabla f(x^t)\|^2 / (2(f(x^0) - f^{\inf}))` at ``T = iterations``.

    With :math:`G^0 = 0` (:math:`g_i^0 = \nabla f_i(x^0)`) the EF21 theorem's bound
    :math:`\frac1T\sum_{t<T}\|\nabla f(x^t)\|^2 \le 2(f(x^0) - f^{\inf})/(\gamma T)` is this
    ratio at most 1; the left side is a partial sum, so the largest T checked decides. A run
    that diverges gives ``inf``.

    Parameters
    ----------
    hessians, centres
        The instances, ``(count, clients, d, d)`` and ``(count, clients, d)``.
    start
        :math:`x^0`, ``(count, d)``.
    keep
        Top-k levels, ``(count,)``.
    steps
        :math:`\gamma`, ``(count,)``.
    iterations
        T.

    Returns
    -------
    numpy.ndarray
        Shape ``(count,)``.
    """
    iterations = check_positive_int("iterations", iterations)
    keep, steps = np.asarray(keep), np.asarray(steps, float)
    clients = hessians.shape[1]

    def value(x: np.ndarray) -> np.ndarray:
        r = x[:, None, :] - centres
        return 0.5 * np.einsum("cni,cnij,cnj->c", r, hessians, r) / clients

    def client_gradients(x: np.ndarray) -> np.ndarray:
        return np.einsum("cnij,cnj->cni", hessians, x[:, None, :] - centres)

    # f's minimiser solves (mean_i A_i) x = mean_i A_i b_i
    weighted = np.einsum("cnij,cnj->ci", hessians, centres) / clients
    minimiser = np.linalg.solve(hessians.mean(axis=1), weighted[..., None])[..., 0]
    x = np.array(start, float)
    gap = value(x) - value(minimiser)
    local = gradients = client_gradients(x)
    total = np.zeros(x.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(iterations):
            total += np.sum(gradients.mean(axis=1) ** 2, axis=1)
            x = x - steps[:, None] * local.mean(axis=1)
            gradients = client_gradients(x)  # at x^{t+1}: the compressed update's and next sum's
            local = local + top_k(gradients - local, keep[:, None])
    ratio = steps * total / (2 * gap)
    return np.where(np.isfinite(ratio), ratio, np.inf)
