r"""Mean-square linear stability of SGD at an interpolating minimum of the square loss.

Near a global minimum :math:`x^*` that interpolates the data, the square loss
:math:`f(x) = \frac1n \sum_i \frac12 (g_i^\top (x - x^*))^2` is exactly quadratic, with
per-sample Hessians :math:`H_i = g_i g_i^\top` and Hessian :math:`H = \frac1n \sum_i H_i`. SGD
with learning rate :math:`\eta` and a batch :math:`S` of size :math:`B` moves the error
:math:`e_t = x_t - x^*` by

.. math::  e_{t+1} = (I - \eta H_S)\, e_t, \qquad H_S = \frac1B \sum_{i \in S} H_i ,

so the second moment :math:`\Sigma_t = \mathbb{E}[e_t e_t^\top]` obeys the linear recursion
:math:`\operatorname{vec}\Sigma_{t+1} = M \operatorname{vec}\Sigma_t` with

.. math::  M = \mathbb{E}_S[(I - \eta H_S) \otimes (I - \eta H_S)]
             = I - \eta (H \otimes I + I \otimes H) + \eta^2 \mathbb{E}[H_S \otimes H_S],

.. math::  \mathbb{E}[H_S \otimes H_S] = H \otimes H + c\, (P - H \otimes H), \qquad
           P = \frac1n \sum_i H_i \otimes H_i ,

where :math:`c = 1/B` for a batch of :math:`B` indices drawn uniformly **with replacement**
and :math:`c = (n - B)/(B(n - 1))` for a uniformly random subset **without replacement** (the
finite-population correction). Both are exact: no enumeration of batches is needed. The
minimum is mean-square (linearly) stable iff the spectral radius :math:`\rho(M) \le 1`
(Wu, Ma & E 2018's definition); :math:`M` is symmetric, so :math:`\rho` is computed by a
symmetric eigensolver.

Directions in the common null space of the :math:`H_i` (the flat valley of an
over-parameterised interpolating minimum) are never moved, so :math:`M` always has the
eigenvalue 1 there; stability is about the other directions, and every function here first
restricts the Hessians to the range of :math:`H`.

The stable learning rates form an interval :math:`(0, \eta^*]`: if :math:`\rho < 1` at
:math:`\eta` there is a :math:`P \succ 0` with :math:`\mathbb{E}[A_S P A_S] \prec P`, i.e.
:math:`-(HP + PH) + \eta\,\mathbb{E}[H_S P H_S] \prec 0`, which then holds for every smaller
:math:`\eta` too. :func:`stability_threshold` therefore finds :math:`\eta^*` as the edge of that
interval. :math:`M` is a positive map (it sends PSD matrices to PSD matrices), so
:math:`\rho(M)` is its largest eigenvalue (Krein-Rutman), and
:math:`\lambda_{\max}(I - \eta L + \eta^2 Q) \le 1` iff :math:`\eta Q \preceq L`: for a dense
:math:`M`, :math:`\eta^* = 1/\lambda_{\max}(Q, L)`, one generalised symmetric eigensolve
(:math:`L = H \otimes I + I \otimes H \succ 0` on the range); above ``DENSE_MAX_DIM``, by
bisection on :math:`\rho(M) \le 1`.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy.sparse.linalg import LinearOperator, eigsh

from . import common

DENSE_MAX_DIM = 32  # d^2 = 1024: a dense symmetric eigensolve is then faster than Lanczos


def _check_hessians(hessians: np.ndarray) -> np.ndarray:
    h = np.asarray(hessians, dtype=float)
    if h.ndim != 3 or h.shape[1] != h.shape[2] or h.shape[0] < 1 or h.shape[1] < 1:
        raise ValueError(f"hessians must have shape (n, d, d) with n, d >= 1; got {h.shape}")
    if not np.all(np.isfinite(h)):
        raise ValueError("hessians contain NaN or infinite entries")
    if not np.allclose(h, np.swapaxes(h, 1, 2), rtol=1e-10, atol=1e-12 * max(1.0, abs(h).max())):
        raise ValueError("hessians must be symmetric")
    return 0.5 * (h + np.swapaxes(h, 1, 2))


def rank_one_hessians(features: np.ndarray) -> np.ndarray:
    r"""Per-sample Hessians :math:`H_i = g_i g_i^\top` of the square loss at an interpolating
    minimum, from the per-sample gradients of the model output (for a linear model, the data).

    Parameters
    ----------
    features
        Shape ``(n, d)``: the vectors :math:`g_i`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, d, d)``.
    """
    g = np.asarray(features, dtype=float)
    if g.ndim != 2 or g.shape[0] < 1 or g.shape[1] < 1:
        raise ValueError(f"features must have shape (n, d) with n, d >= 1; got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("features contain NaN or infinite entries")
    return np.einsum("ni,nj->nij", g, g)


def noise_factor(n: int, batch: int, replacement: bool = True) -> float:
    r"""The factor :math:`c` in :math:`\mathbb{E}[H_S\otimes H_S] = H\otimes H + c(P - H\otimes H)`.

    ``1/B`` with replacement; ``(n - B)/(B (n - 1))`` without (0 at ``B = n``: full-batch GD).
    """
    common.check_positive_int("n (number of samples)", n)
    common.check_positive_int("batch size", batch)
    if replacement:
        return 1.0 / batch
    if batch > n:
        raise ValueError(f"batch size {batch} exceeds n = {n}: impossible without replacement")
    return 0.0 if n == 1 else (n - batch) / (batch * (n - 1))


def restrict_to_range(hessians: np.ndarray, rtol: float = 1e-10) -> np.ndarray:
    r"""The Hessians in an orthonormal basis of the range of :math:`H` (eigenvalues of
    :math:`H` above ``rtol * lambda_max``): shape ``(n, r, r)``.

    Each PSD :math:`H_i` has its range inside that of :math:`H`, so nothing is lost except
    components below the numerical rank tolerance.
    """
    h = _check_hessians(hessians)
    mean = h.mean(axis=0)
    evals, evecs = np.linalg.eigh(mean)
    top = evals.max()
    if top <= 0:
        raise ValueError("the Hessian is zero (or not PSD): there is nothing to be stable in")
    basis = evecs[:, evals > rtol * top]
    return np.einsum("ia,nij,jb->nab", basis, h, basis)


def operator_pieces(
    hessians: np.ndarray, batch: int, replacement: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    r"""``(L, Q)`` with :math:`M(\eta) = I - \eta L + \eta^2 Q` (dense, ``d^2 x d^2``).

    :math:`L = H \otimes I + I \otimes H`, :math:`Q = \mathbb{E}[H_S \otimes H_S]`. Row-major
    vectorisation: :math:`\operatorname{vec}(A X B) = (A \otimes B^\top)\operatorname{vec}X`.
    """
    h = _check_hessians(hessians)
    n, d, _ = h.shape
    c = noise_factor(n, batch, replacement)
    mean = h.mean(axis=0)
    eye = np.eye(d)
    lin = np.kron(mean, eye) + np.kron(eye, mean)
    hh = np.kron(mean, mean)
    pp = np.einsum("nij,nkl->ikjl", h, h).reshape(d * d, d * d) / n
    return lin, hh + c * (pp - hh)


def second_moment_operator(
    hessians: np.ndarray, eta: float, batch: int, replacement: bool = True
) -> np.ndarray:
    r"""The dense operator :math:`M = \mathbb{E}[(I - \eta H_S) \otimes (I - \eta H_S)]`.

    Parameters
    ----------
    hessians
        Shape ``(n, d, d)``: symmetric per-sample Hessians.
    eta
        The learning rate.
    batch
        The batch size ``B``.
    replacement
        Batches of ``B`` i.i.d. uniform indices (True) or a uniform ``B``-subset (False).

    Returns
    -------
    numpy.ndarray
        Shape ``(d^2, d^2)``, symmetric.
    """
    eta = common.check_positive("eta (learning rate)", eta)
    lin, quad = operator_pieces(hessians, batch, replacement)
    return np.eye(lin.shape[0]) - eta * lin + eta**2 * quad


def apply_operator(
    hessians: np.ndarray, second_moment: np.ndarray, eta: float, batch: int, replacement=True
) -> np.ndarray:
    r"""One step of the second-moment recursion without forming :math:`M`:
    :math:`\Sigma \mapsto \mathbb{E}[(I - \eta H_S)\Sigma(I - \eta H_S)]`, in
    :math:`O(n d^3)`. ``second_moment`` may carry leading batch axes ``(..., d, d)``.
    """
    h = _check_hessians(hessians)
    eta = common.check_positive("eta (learning rate)", eta)
    n = h.shape[0]
    c = noise_factor(n, batch, replacement)
    mean = h.mean(axis=0)
    x = np.asarray(second_moment, dtype=float)
    per_sample = np.einsum("nij,...jk,nkl->...il", h, x, h) / n
    quad = (1 - c) * (mean @ x @ mean) + c * per_sample
    return x - eta * (mean @ x + x @ mean) + eta**2 * quad


def spectral_radius(
    hessians: np.ndarray, eta: float, batch: int, replacement: bool = True
) -> float:
    r""":math:`\rho(M)` on the range of :math:`H`: at most 1 iff the minimum is mean-square
    stable for SGD with this learning rate and batch.

    Exact (dense symmetric eigensolve) for ``r <= DENSE_MAX_DIM`` (``r`` the rank of
    :math:`H`); above that, Lanczos (ARPACK) on the matrix-free operator, converged to
    ``1e-12`` relative. :math:`M` is a positive map (it sends PSD matrices to PSD matrices),
    so its spectral radius is its largest eigenvalue (Krein-Rutman).
    """
    eta = common.check_positive("eta (learning rate)", eta)
    h = restrict_to_range(hessians)
    return _radius(h, eta, batch, replacement)


def _radius(h: np.ndarray, eta: float, batch: int, replacement: bool, pieces=None) -> float:
    r = h.shape[1]
    if r <= DENSE_MAX_DIM:
        lin, quad = pieces if pieces is not None else operator_pieces(h, batch, replacement)
        evals = np.linalg.eigvalsh(np.eye(r * r) - eta * lin + eta**2 * quad)
        return float(max(evals[-1], -evals[0]))

    def matvec(v):
        return apply_operator(h, v.reshape(r, r), eta, batch, replacement).reshape(-1)

    op = LinearOperator((r * r, r * r), matvec=matvec, dtype=float)
    start = np.eye(r).reshape(-1)  # in the PSD cone: not orthogonal to the Perron eigenvector
    top = eigsh(op, k=1, which="LA", v0=start, tol=1e-12, return_eigenvectors=False)
    return float(top[0])


def stability_threshold(
    hessians: np.ndarray, batch: int, replacement: bool = True, rtol: float = 1e-12
) -> float:
    r"""The largest mean-square stable learning rate :math:`\eta^* = \sup\{\eta: \rho(M) \le 1\}`.

    For a dense operator (rank of :math:`H` at most ``DENSE_MAX_DIM``),
    :math:`\eta^* = 1/\lambda_{\max}(Q, L)` (module docstring), one generalised eigensolve
    instead of the some forty dense eigensolves of a bisection, and the rate returned is
    :math:`\eta^*(1 - \mathrm{rtol}/2)`: within ``rtol`` of the edge and stable despite rounding.
    Otherwise (or should :math:`L` fail to be numerically positive definite): bracketed by
    doubling from :math:`1/\operatorname{tr} H` (which is stable: see the module docstring)
    until :math:`\rho > 1`, then bisected until the bracket is narrower than ``rtol``
    relative. Neither assumes anything about the answer (in particular not the GD threshold
    :math:`2/\lambda_{\max}`, which claims test).

    Parameters
    ----------
    hessians
        Shape ``(n, d, d)``: symmetric PSD per-sample Hessians.
    batch, replacement
        The sampling scheme (see :func:`second_moment_operator`).
    rtol
        Relative width of the final bracket; the lower end (a stable rate) is returned.
    """
    if not (isinstance(rtol, float) and 0 < rtol < 1):
        raise ValueError(f"rtol must be a float in (0, 1), got {rtol!r}")
    h = restrict_to_range(hessians)
    pieces = operator_pieces(h, batch, replacement) if h.shape[1] <= DENSE_MAX_DIM else None
    if pieces is not None:
        lin, quad = pieces
        last = lin.shape[0] - 1
        try:
            top = scipy.linalg.eigh(quad, lin, eigvals_only=True, subset_by_index=[last, last])
        except np.linalg.LinAlgError:  # L not numerically positive definite: bisect below
            top = np.array([np.nan])
        if np.isfinite(top[0]) and top[0] > 0:
            return float(1.0 / top[0]) * (1 - rtol / 2)

    def stable(eta: float) -> bool:
        return _radius(h, eta, batch, replacement, pieces) <= 1.0

    lo = 0.0
    hi = 1.0 / float(np.trace(h.mean(axis=0)))
    while stable(hi):
        lo, hi = hi, 2 * hi
        if hi > 1e300:
            raise ValueError("no unstable learning rate found: is some Hessian negative?")
    while hi - lo > rtol * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if stable(mid) else (lo, mid)
    return lo


def linear_sgd_sq_norms(
    hessians: np.ndarray,
    eta: float,
    batch: int,
    x0: np.ndarray,
    horizons: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    replacement: bool = True,
) -> np.ndarray:
    r"""Monte Carlo: SGD on the quadratic :math:`\frac1n\sum_i \frac12 e^\top H_i e`
    (the square loss at an interpolating minimum, exactly), :math:`\|e_t\|^2` per replicate.

    Parameters
    ----------
    hessians
        Shape ``(n, d, d)``.
    eta, batch, replacement
        Learning rate and sampling (see :func:`second_moment_operator`).
    x0
        Shape ``(d,)``: the common starting error :math:`e_0 = x_0 - x^*`.
    horizons
        Strictly increasing non-negative step counts at which to record.
    replicates
        Independent runs (vectorised).
    rng
        Source of the batches.

    Returns
    -------
    numpy.ndarray
        Shape ``(replicates, len(horizons))``.
    """
    h = _check_hessians(hessians)
    eta = common.check_positive("eta (learning rate)", eta)
    n, d, _ = h.shape
    noise_factor(n, batch, replacement)  # validates batch against n
    e0 = common.check_finite_vector("x0", x0, d)
    horizons = common.check_horizons(horizons, lowest=0)
    common.check_positive_int("replicates", replicates)
    common.check_generator(rng)
    e = np.broadcast_to(e0, (replicates, d)).copy()
    out = np.empty((replicates, len(horizons)))
    k = 0
    for t in range(int(horizons[-1]) + 1):
        if t > 0:
            if replacement:
                idx = rng.integers(0, n, size=(replicates, batch))
            else:  # a uniform B-subset per replicate: the first B of a random permutation
                idx = np.argsort(rng.random((replicates, n)), axis=1)[:, :batch]
            step = np.einsum("rbij,rj->ri", h[idx], e) / batch
            e -= eta * step
        if horizons[k] == t:
            out[:, k] = np.einsum("ri,ri->r", e, e)
            k += 1
    return out
