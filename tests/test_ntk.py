"""The NTK simulators against independent references: finite-difference Jacobians and Monte
Carlo over wide networks."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.ntk import (
    arccos_ntk,
    empirical_ntk,
    init_fluctuation,
    init_network,
    train_kernel_change,
)


def network_output(x, w, a, activation, scale):
    z = x @ w.T
    act = np.maximum(z, 0) if activation == "relu" else np.logaddexp(0, z)
    return scale * act @ a


@pytest.mark.parametrize("activation", ["relu", "softplus"])
def test_empirical_ntk_is_the_jacobian_gram_matrix(activation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    w, a = init_network(7, 3, 1, rng)
    scale = 7**-0.5
    params = np.concatenate([w[0].ravel(), a[0]])

    def f(p):
        return network_output(x, p[:21].reshape(7, 3), p[21:], activation, scale)

    h = 1e-6
    jac = np.stack([(f(params + h * e) - f(params - h * e)) / (2 * h) for e in np.eye(28)], 1)
    np.testing.assert_allclose(empirical_ntk(x, w, a, activation)[0], jac @ jac.T, atol=1e-6)


def test_arccos_kernel_is_the_wide_network_mean():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 4))
    w, a = init_network(200_000, 4, 4, rng)
    mean = empirical_ntk(x, w, a).mean(0)
    np.testing.assert_allclose(mean, arccos_ntk(x), atol=0.02 * np.abs(arccos_ntk(x)).max())
    np.testing.assert_allclose(np.diag(arccos_ntk(x)), np.sum(x**2, 1))  # Theta(x, x) = |x|^2


def test_init_fluctuation_halves_when_the_width_quadruples():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 3))
    d = init_fluctuation(x, np.array([500, 2000]), 400, rng).mean(0)
    assert d[1] / d[0] == pytest.approx(0.5, rel=0.1)


def test_training_reduces_the_loss_and_a_zero_step_leaves_the_kernel():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 3))
    y = np.sin(x[:, 0])
    change = train_kernel_change(x, y, 64, 3, rng, steps=5, rate=1e-12, activation="relu")
    assert np.all(change < 1e-9)


def gd_kernel_change(x, y, w, a, activation, scale, step, steps, centred):
    """Full-batch GD on the weights themselves (W and a, explicit gradients), for one network."""
    act, slope = (
        (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0)
        if activation == "relu"
        else (lambda z: np.logaddexp(0, z), lambda z: 1 / (1 + np.exp(-z)))
    )
    target = y + (network_output(x, w, a, activation, scale) if centred else 0)
    k0 = empirical_ntk(x, w[None], a[None], activation, scale)[0]
    for _ in range(steps):
        z = x @ w.T
        residual = scale * act(z) @ a - target
        grad_a = scale * act(z).T @ residual
        grad_w = scale * ((slope(z) * residual[:, None]).T @ x) * a[:, None]
        w, a = w - step * grad_w, a - step * grad_a
    kt = empirical_ntk(x, w[None], a[None], activation, scale)[0]
    return np.linalg.norm(kt - k0) / np.linalg.norm(k0)


@pytest.mark.parametrize(
    ("activation", "parameterization", "centred"),
    [("relu", "ntk", False), ("relu", "mean_field", False), ("softplus", "ntk", True)],
)
def test_kernel_change_matches_gradient_descent_on_the_weights(
    activation, parameterization, centred
):
    # the simulator trains the pre-activations XW^T; the reference trains W itself
    x = np.random.default_rng(4).standard_normal((6, 3))
    y = np.sin(3 * x[:, 0])
    width, steps, rate = 5000, 7, 0.2
    got = train_kernel_change(
        x,
        y,
        width,
        3,
        np.random.default_rng(8),
        steps=steps,
        rate=rate,
        activation=activation,
        parameterization=parameterization,
        centred=centred,
    )
    w, a = init_network(width, 3, 3, np.random.default_rng(8))
    scale, step = (width**-0.5, rate) if parameterization == "ntk" else (1 / width, rate * width)
    want = [
        gd_kernel_change(x, y, w[r], a[r], activation, scale, step, steps, centred)
        for r in range(3)
    ]
    assert np.all(np.array(want) > 1e-4)  # the kernel moved: the comparison has content
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_bad_input_is_named():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="output_law"):
        init_network(4, 2, 1, rng, output_law="uniform")
    with pytest.raises(ValueError, match="activation"):
        empirical_ntk(np.ones((2, 2)), *init_network(4, 2, 1, rng), activation="tanh")
    with pytest.raises(ValueError, match="parameterization"):
        train_kernel_change(
            np.ones((2, 2)), np.ones(2), 4, 1, rng, steps=1, rate=0.1, parameterization="standard"
        )
