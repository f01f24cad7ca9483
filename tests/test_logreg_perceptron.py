"""LR+GD and the batch perceptron against hand computations and the paper's Table 1."""

from __future__ import annotations

import numpy as np
import pytest

from simulators.logreg_perceptron import (
    batch_perceptron_path,
    iterations_to_separate,
    lr_gd_path,
    tyurin_hard_dataset,
)


def test_first_lr_step_is_half_the_mean() -> None:
    # sigma(0) = 1/2 at theta_0 = 0: theta_1 = gamma / (2n) sum z_i
    z = np.array([[1.0, 2.0], [3.0, -1.0]])
    path = lr_gd_path(z, np.array([2.0, 5.0]), 1)
    np.testing.assert_allclose(path[:, 1], [[2.0, 0.5], [5.0, 1.25]])


def test_lr_gd_matches_a_scalar_loop() -> None:
    rng = np.random.default_rng(0)
    z = rng.standard_normal((7, 3))
    theta = np.zeros(3)
    for _ in range(5):
        theta = theta + 0.7 * np.mean(z / (1 + np.exp(z @ theta))[:, None], axis=0)
    np.testing.assert_allclose(lr_gd_path(z, np.array([0.7]), 5)[0, -1], theta, rtol=1e-12)


def test_theorem_4_1_dataset_limit() -> None:
    # Tyurin Thm 4.1: {(1,-1) -> +1, (-1,-4) -> -1}: theta_2 / gamma -> (1, 1/4) up to scaling
    z = np.array([[1.0, -1.0], [1.0, 4.0]])
    hat = batch_perceptron_path(z, 2)
    np.testing.assert_allclose(hat[1], [0.5, 0.75])
    assert np.all(z @ hat[2] > 0)


def test_table_1_counts() -> None:
    z = tyurin_hard_dataset(1000)
    assert iterations_to_separate(z, "lr_gd", 100.0) == 308
    assert iterations_to_separate(z, "normalized_lr_gd", 0.1) == 157
    assert iterations_to_separate(z, "normalized_perceptron") == 2


def test_unknown_method_rejected() -> None:
    with pytest.raises(ValueError, match="method"):
        iterations_to_separate(tyurin_hard_dataset(10), "adam")
