"""What every claim kind is: the base class, the judgement, the registry.

A kind is one module that owns its whole life: the prediction's parameters and their
validation, ``judge(data, ctx)`` (the same signature for every kind), the one-line text of a
prediction and of a fitted value, the method shown in the report, and its figure. The report
and the figure code only ever ask the kind (looked up by name in :data:`KINDS`), so adding a
kind means writing its module and registering it with :func:`register`, nothing else.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ClaimError
from ..verdicts import SIDES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..context import JudgeContext
    from ..records import ClaimRecord


@dataclass
class Judgement:
    """The outcome of judging one data set against one prediction."""

    verdict: str
    reason: str
    fitted: dict[str, Any] = field(default_factory=dict)
    plot: dict[str, Any] = field(default_factory=dict)
    replicates: int = 1
    #: What the kind needs to re-judge near predictions on the same data without refitting
    #: (a window fit, the bands of a bound, the instances a search drew). Never serialised.
    state: Any = field(default=None, repr=False, compare=False)


def article(word: str) -> str:
    """``"an order claim"``, ``"a bound claim"``: the indefinite article for a kind's name."""
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


class Kind:
    """Base class of every claim kind (a prediction of a particular form).

    Subclasses are dataclasses whose fields are exactly the prediction's parameters, and set
    the class variables below.
    """

    #: The kind's name in results.json (``"power_law"``).
    name: ClassVar[str] = "abstract"
    #: The data container a claim function of this kind returns.
    data_type: ClassVar[type] = object
    #: One line: what this kind predicts and how it is judged (docs, report).
    summary: ClassVar[str] = ""
    #: How the check works, for the report's "Method" row (None: the summary says enough).
    method: ClassVar[str | None] = None
    #: Whether :meth:`draw` draws anything.
    has_figure: ClassVar[bool] = False
    #: The module under ``proofs_checks.figures`` that draws this kind and writes its caption
    #: (``draw(fig, record)``, ``caption(record)``); None: no figure.
    view: ClassVar[str | None] = None
    #: How a fitted estimate is introduced in tables (``"slope"``); None: by its statistic.
    fitted_label: ClassVar[str | None] = None

    # --- the prediction -------------------------------------------------------------------

    def validate(self, claim_id: str) -> None:
        """Raise :class:`ClaimError` if the prediction is malformed."""

    def parameters(self) -> dict[str, Any]:
        """The prediction's parameters as JSON values (results.json ``predicted``)."""
        out = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.name, **self.parameters()}

    def describe(self) -> str:
        """One line for tables: what is predicted."""
        raise NotImplementedError

    def judge(self, data: Any, ctx: JudgeContext) -> Judgement:
        raise NotImplementedError

    # --- resolution: the near predictions ---------------------------------------------------
    #
    # A kind defines a one-parameter family of predictions around its own, ``nearby(d)``
    # (``nearby(0)`` is the prediction itself). The resolution (proofs_checks.resolution) is the
    # smallest offset on each side that the check refutes on the claim's own data. Offsets are
    # reached through a step ``t >= 0`` (``near_offset``): linear for exponents and orders, a
    # factor ``e^t`` for a bound, so the bisection is fine where the family is.

    #: The quantity the family varies (``"exponent"``); None: the kind has no family.
    resolution_parameter: ClassVar[str | None] = None
    #: The default resolution target, in steps (see docs/reference.md for the argument).
    resolution_target: ClassVar[float] = 0.1
    #: How far, in steps, the bisection looks for a refuted near prediction on each side.
    resolution_span: ClassVar[float] = 2.0
    #: Whether a claim of this kind must measure a resolution (symbolic proofs need none).
    needs_resolution: ClassVar[bool] = True
    #: Why the resolution is not measured when the kind or the data give no family.
    resolution_note: ClassVar[str] = ""
    #: Relative precision of the bisection (of the edge's step).
    resolution_precision: ClassVar[float] = 1e-3
    #: What :meth:`tightness` measures, for the record (``"max y/B"``).
    tightness_statistic: ClassVar[str | None] = None
    #: What :meth:`hardness` measures, for the worst-case record.
    hardness_statistic: ClassVar[str] = "hardness"

    def nearby(self, d: float) -> Kind:
        """The near prediction at offset ``d`` (``nearby(0)`` equals this prediction)."""
        raise NotImplementedError(f"{self.name} defines no near predictions")

    def parameter_value(self, d: float) -> float:
        """The family's parameter at offset ``d``, in the parameter's own units."""
        return d

    def near_offset(self, direction: int, step: float) -> float:
        """The offset ``d`` reached by ``step >= 0`` in ``direction`` (-1 or +1)."""
        return direction * step

    def step_limit(self, _direction: int) -> float:
        """How far, in steps, the bisection looks in a direction (the same both ways here)."""
        return self.resolution_span

    def target_step(self, target: float) -> float:
        """A resolution target (as a claim states it) in steps."""
        return target

    def format_value(self, value: float) -> str:
        """A value of the family's parameter, for messages (``"-0.6"``, ``"0.67 B"``)."""
        return f"{value:.4g}"

    def near_text(self, parameter: str, d: float) -> str:
        """The near prediction at ``d`` in words, for messages (``"exponent -0.6"``)."""
        return f"{parameter} {self.format_value(self.parameter_value(d))}"

    def strict_directions(self) -> tuple[int, ...]:
        """The directions of ``d`` whose near predictions the check must refute: both for a
        two-sided claim, the strict one for a one-sided claim (the lenient one is implied)."""
        return (-1, 1)

    def family_name(self, _data: Any) -> str | None:
        """The family's parameter for these data (a search names its own); None: no family."""
        return self.resolution_parameter

    def resolver(
        self, data: Any, _judgement: Judgement, make_ctx: Callable[[], JudgeContext]
    ) -> Callable[[float], str]:
        """A function ``d -> verdict`` of ``nearby(d)`` on ``data``.

        The default re-judges (each time with the same judging stream, so the near predictions
        see the same resamples); kinds whose verdict is cheap given the fit override it and
        reuse ``judgement.state``.
        """
        return lambda d: self.nearby(d).judge(data, make_ctx()).verdict

    def tightness(self, _judgement: Judgement) -> float | None:
        """How close the data come to the prediction (bounds and one-sided claims), or None."""
        return None

    def hardness(self, _data: Any, claim_id: str) -> float:
        """How hard an instance is for this prediction (larger: closer to breaking it): what a
        worst-case search over an instance family maximises (proofs_checks.search)."""
        raise ClaimError(claim_id, "data", f"{self.name} claims have no worst-case search")

    def check_data_type(self, data: Any, claim_id: str) -> None:
        if not isinstance(data, self.data_type):
            raise ClaimError(
                claim_id,
                "data",
                f"{article(self.name.replace('_', ' '))} claim must return "
                f"{self.data_type.__name__}, got {type(data).__name__}",
            )

    # --- the report -----------------------------------------------------------------------

    @classmethod
    def fitted_text(cls, fitted: dict[str, Any], deterministic: bool = False) -> str:
        """The fitted value with its interval (none for an exact computation, whose record
        carries no interval), introduced by :attr:`fitted_label` or the fit's statistic."""
        from ..formatting import DASH, fmt_ci

        if fitted.get("estimate") is None:
            return DASH
        label = cls.fitted_label or f"{fitted.get('statistic') or 'estimate'} ="
        ci = None if deterministic and fitted.get("exact") else fitted.get("ci")
        return f"{label} {fmt_ci(fitted['estimate'], ci)}"

    @classmethod
    def predicted_latex(cls, predicted: dict[str, Any]) -> str | None:
        """The prediction as a LaTeX formula where it is one (a bound), else None."""
        return None

    @classmethod
    def caption(cls, record: ClaimRecord) -> str:
        return cls._view().caption(record) if cls.view else ""

    @classmethod
    def draw(cls, fig: Figure, record: ClaimRecord) -> bool:
        """Draw the claim's figure on ``fig`` from its record alone (no rerun); return whether
        there was anything to draw."""
        return bool(cls.view) and cls._view().draw(fig, record)

    @classmethod
    def _view(cls) -> Any:
        """The figure module of :attr:`view` (imported on first use: kinds stay light)."""
        return importlib.import_module(f"{__package__.rsplit('.', 1)[0]}.figures.{cls.view}")


KINDS: dict[str, type[Kind]] = {}


def register(cls: type[Kind]) -> type[Kind]:
    """Register a kind under its ``name`` (a class decorator)."""
    if cls.name in KINDS and KINDS[cls.name] is not cls:
        raise ValueError(f"kind {cls.name!r} is registered twice")
    KINDS[cls.name] = cls
    return cls


def kind_class(name: str) -> type[Kind]:
    """The kind registered as ``name``; the base class (generic text, no figure) if unknown."""
    return KINDS.get(name, Kind)


def prediction_from_dict(spec: Mapping[str, Any], claim_id: str) -> Kind:
    """Build a prediction from ``{"kind": ..., **parameters}``; unknown kinds raise ClaimError."""
    spec = dict(spec)
    name = spec.pop("kind", None)
    if name not in KINDS:
        raise ClaimError(claim_id, "kind", f"unknown kind {name!r}; known: {sorted(KINDS)}")
    try:
        return KINDS[name](**spec)
    except TypeError as exc:
        raise ClaimError(claim_id, "predicted", str(exc)) from None


# --- validation shared by several kinds ---------------------------------------------------


def check_tolerance(claim_id: str, tol: Any, name: str = "tolerance") -> None:
    if not (
        isinstance(tol, int | float)
        and not isinstance(tol, bool)
        and math.isfinite(tol)
        and tol > 0
    ):
        raise ClaimError(claim_id, name, f"must be a positive finite number, got {tol!r}")


def check_finite(claim_id: str, value: Any, name: str) -> None:
    if not (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    ):
        raise ClaimError(claim_id, name, f"must be a finite number, got {value!r}")


def check_side(claim_id: str, side: str, allowed: tuple[str, ...] = SIDES) -> None:
    if side not in allowed:
        raise ClaimError(claim_id, "side", f"must be one of {allowed}, got {side!r}")


def check_window(claim_id: str, window: Any) -> None:
    if window is None:
        return
    try:
        lo, hi = window
    except (TypeError, ValueError):
        raise ClaimError(claim_id, "window", f"must be (lo, hi), got {window!r}") from None
    if lo is not None and hi is not None and not lo < hi:
        raise ClaimError(claim_id, "window", f"must be increasing, got {window!r}")
