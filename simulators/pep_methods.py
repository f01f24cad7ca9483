"""First-order methods written as PEPit steps, for performance estimation.

Each function takes PEPit functions, a PEPit starting point, a horizon and the method's
parameters, and returns the iterates as PEPit points; the same arithmetic runs on numpy arrays
(the replayed worst cases) because PEPit points support it. PEPit is imported only where a
primitive step needs it.
"""

from __future__ import annotations

import math


def gd_steps(funcs, x0, n, step):
    """Gradient descent with a constant step."""
    f, xs = funcs[0], [x0]
    for _ in range(n):
        xs.append(xs[-1] - step * f.gradient(xs[-1]))
    return xs


def fgm_steps(funcs, x0, n, smoothness):
    """Nesterov's fast gradient method (lambda_{k+1} = (1 + sqrt(4 lambda_k^2 + 1)) / 2)."""
    f, x, y, lam, xs = funcs[0], x0, x0, 1.0, [x0]
    for _ in range(n):
        lam_next = (1 + math.sqrt(4 * lam**2 + 1)) / 2
        x_next = y - 1 / smoothness * f.gradient(y)
        y = x_next + (lam - 1) / lam_next * (x_next - x)
        x, lam = x_next, lam_next
        xs.append(x)
    return xs


def heavy_ball_steps(funcs, x0, n, alpha, beta):
    """Heavy ball x_{k+1} = x_k - alpha grad f(x_k) + beta (x_k - x_{k-1}), x_{-1} = x_0."""
    f, prev, xs = funcs[0], x0, [x0]
    for _ in range(n):
        x = xs[-1]
        xs.append(x - alpha * f.gradient(x) + beta * (x - prev))
        prev = x
    return xs


def proximal_gradient_steps(funcs, x0, n, step):
    """Proximal gradient on f1 + f2: a gradient step on f1, a proximal step on f2."""
    from PEPit.primitive_steps import proximal_step

    f1, f2 = funcs
    xs = [x0]
    for _ in range(n):
        y = xs[-1] - step * f1.gradient(xs[-1])
        x, _, _ = proximal_step(y, f2, step)
        xs.append(x)
    return xs
