"""harvey.noisy_last_values against a plain reference that draws the same noise.

The simulator reuses its buffers across steps; the reference builds every array afresh, so a
value that leaks from one step into the next (as piece 0's did) shows as a difference.
"""

from __future__ import annotations

import numpy as np

from simulators import harvey, single_precision


def reference_noisy_last_values(
    horizon: int, c: float, sigma: float, replicates: int, rng: np.random.Generator
) -> np.ndarray:
    """The same run, written directly: fresh arrays each step, the same noise stream."""
    a, b = harvey.coefficients(horizon, "convex", c)
    x = np.zeros((replicates, horizon))
    scale = single_precision.FLOAT(sigma / np.sqrt(horizon))

    def pieces(x: np.ndarray) -> np.ndarray:
        values = np.zeros((replicates, horizon + 1))
        values[:, 1:] = np.cumsum(a * x, axis=1)
        values[:, :-1] -= b * x
        return values

    rows = np.arange(replicates)
    for t in range(1, horizon + 1):
        first = np.argmax(pieces(x), axis=1)
        gradient = np.where(np.arange(horizon) < first[:, None], a, 0.0)
        inside = first < horizon
        gradient[rows[inside], first[inside]] = -b[first[inside]]
        noise = single_precision.standard_normal(rng, x.shape)
        gradient = gradient + noise * scale
        x = x - c / np.sqrt(t) * gradient
        norms = np.linalg.norm(x, axis=1)
        x[norms > 1.0] /= norms[norms > 1.0, None]
    return pieces(x).max(axis=1)


def test_noisy_run_matches_the_fresh_array_reference():
    # sigma large enough that x_0 turns negative on some runs, where a leaking piece 0 grows
    for horizon, sigma in ((32, 0.35), (64, 1.0)):
        simulated = harvey.noisy_last_values(horizon, 1.0, sigma, 16, np.random.default_rng(3))
        reference = reference_noisy_last_values(horizon, 1.0, sigma, 16, np.random.default_rng(3))
        np.testing.assert_allclose(simulated, reference, rtol=1e-12, atol=1e-15)
