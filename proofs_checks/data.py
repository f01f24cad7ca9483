"""What a claim function hands back to the engine.

A claim function runs a simulator and returns one of these containers; the claim's
prediction (see :mod:`proofs_checks.kinds`) decides how it is fitted and judged.

* :class:`Samples`: a quantity measured at increasing horizons (or parameter values) over
  independent replicates: power-law, scaling, geometric, bound and agreement claims.
* :class:`ErrorSequence`: the errors of a (super)linearly converging iteration, possibly in
  mpmath precision: order claims.
* :class:`Search`: instances to search for a counterexample: implication claims.
* :class:`Identity`: a symbolic identity derived with sympy: symbolic claims.
* :class:`Comparison`: computed values against reference values: agreement claims.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Samples:
    """A quantity observed at increasing ``x`` over replicates.

    Parameters
    ----------
    x
        Horizons, iteration counts or parameter values, strictly increasing, shape ``(m,)``.
    y
        Observations, shape ``(replicates, m)``, or ``(m,)`` for a deterministic run.
        Non-finite entries mean the simulation diverged: the verdict is then
        ``inconclusive`` with the reason, never a fit.
    statistic
        How replicates are summarised at each ``x``: ``"mean"`` (claims in expectation:
        the mean is taken before the log) or ``"quantile:q"`` (high-probability claims).
    constants
        Instance constants the prediction's formula needs (for bound claims: ``D``,
        ``gamma``, ``sigma``...). Recorded in results.json.
    x_label, y_label
        Axis labels for the report, with units where they apply.
    notes
        Free-form facts about the run worth recording (e.g. the instance's size).
    """

    x: Any
    y: Any
    statistic: str = "mean"
    constants: Mapping[str, float] = field(default_factory=dict)
    x_label: str = "n"
    y_label: str = "y"
    notes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def replicates(self) -> int:
        y = np.asarray(self.y)
        return 1 if y.ndim == 1 else int(y.shape[0])


@dataclass
class ErrorSequence:
    """Errors ``e_0, e_1, ...`` of one run of an iterative method.

    Parameters
    ----------
    errors
        The errors, as floats or ``mpmath.mpf`` (high-precision runs keep their digits).
    floor
        The precision floor: errors at or below it carry no information about the order
        and are dropped (and reported as dropped). Defaults to ``1e3 * eps`` of the
        arithmetic used (float64, or the mpmath working precision).
    label
        Name of the error for the report (e.g. "marginal error ||P1 - a||_1").
    """

    errors: Sequence[Any]
    floor: float | None = None
    label: str = "e_k"
    notes: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Search:
    """A property-based search for a counterexample to ``premise => conclusion``.

    Parameters
    ----------
    strategy
        A hypothesis strategy drawing instances.
    premise, conclusion
        Predicates on an instance.
    describe
        Turns an instance into a JSON-serialisable dict (the recorded counterexample),
        including any derived numbers worth showing (spectral radius, eta tr(H), ...).
    near
        The claim's near statements: ``near(d)`` is the :class:`Search` of the claim made
        stronger by ``d > 0`` (the premise's threshold constant scaled by ``1 + d``, or the
        conclusion's by ``1 - d``). The resolution is the smallest ``d`` whose statement a
        counterexample among the instances already drawn refutes.
    near_parameter
        What ``near`` scales, for the report (``"threshold factor"``).
    slack
        How far an instance lies from the premise's boundary (0 on it; any sign outside):
        the search is driven toward the boundary with ``hypothesis.target``, where a
        near-miss lives and where the near statements are decided.
    """

    strategy: Any
    premise: Callable[[Any], bool]
    conclusion: Callable[[Any], bool]
    describe: Callable[[Any], dict] = field(default=lambda instance: {"instance": repr(instance)})
    notes: Mapping[str, Any] = field(default_factory=dict)
    near: Callable[[float], Search] | None = None
    near_parameter: str = "threshold factor"
    slack: Callable[[Any], float] | None = None


@dataclass
class Identity:
    """A symbolic statement ``lhs == rhs`` (or ``lhs <= rhs``) with its derivation.

    Parameters
    ----------
    lhs, rhs
        sympy expressions.
    steps
        The derivation, as ``(label, expression)`` pairs, shown in the report.
    test_points
        Substitutions at which a non-zero residual is evaluated in high precision to
        refute a false identity (simplification failing to reach zero is not, by itself,
        a refutation).
    relation
        ``"=="`` or ``"<="`` (the latter proved by showing ``rhs - lhs`` is non-negative
        under the symbols' assumptions).
    """

    lhs: Any
    rhs: Any
    steps: Sequence[tuple[str, Any]] = ()
    test_points: Sequence[Mapping[Any, Any]] = ()
    relation: str = "=="
    notes: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Comparison:
    """Computed values against reference values (an oracle, a closed form, a library).

    Parameters
    ----------
    computed
        Shape ``(m,)``, or ``(replicates, m)`` for Monte Carlo estimates (then a
        confidence band on the mean is used).
    reference
        Shape ``(m,)``: the values the claim says ``computed`` equals.
    labels
        One label per entry (e.g. "q=0.01, sigma=1, alpha=8").
    """

    computed: Any
    reference: Any
    labels: Sequence[str] = ()
    notes: Mapping[str, Any] = field(default_factory=dict)
