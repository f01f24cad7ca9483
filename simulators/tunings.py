"""Closed-form parameter choices, each a sympy expression written once.

The claims that state a tuning, the report that renders it and the simulators that run it all
read these expressions; numbers come from :func:`sympy.lambdify`, never from a retyped formula.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

mu, L = sp.symbols("mu L", positive=True)
KAPPA = L / mu
#: Polyak's heavy-ball step and momentum for a spectrum in [mu, L], and the rate they give.
POLYAK_ALPHA = 4 / (sp.sqrt(L) + sp.sqrt(mu)) ** 2
POLYAK_RHO = (sp.sqrt(KAPPA) - 1) / (sp.sqrt(KAPPA) + 1)
POLYAK_BETA = POLYAK_RHO**2
_polyak_numbers = sp.lambdify((mu, L), (POLYAK_ALPHA, POLYAK_BETA, POLYAK_RHO))


def polyak_parameters(mu_value: float, smoothness: float) -> tuple[float, float]:
    r"""Polyak's :math:`(\alpha, \beta)` for eigenvalues in ``[mu_value, smoothness]``."""
    if not (np.isfinite(mu_value) and np.isfinite(smoothness) and 0 < mu_value < smoothness):
        raise ValueError(f"need 0 < mu < L, got mu={mu_value!r}, L={smoothness!r}")
    alpha, beta, _ = _polyak_numbers(mu_value, smoothness)
    return float(alpha), float(beta)


def polyak_rate(mu_value: float, smoothness: float) -> float:
    """Polyak's rate (sqrt(kappa) - 1)/(sqrt(kappa) + 1), kappa = L/mu."""
    return float(_polyak_numbers(mu_value, smoothness)[2])
