"""What every claim kind is: the base class, the judgement, the registry.

A kind is one module that owns its whole life: the prediction's parameters and their
validation, ``judge(data, ctx)`` (the same signature for every kind), the one-line text of a
prediction and of a fitted value, the method shown in the report, and its figure. The report
and the figure code only ever ask the kind (looked up by name in :data:`KINDS`), so adding a
kind means writing its module and registering it with :func:`register`, nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
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
        """The fitted value with its interval (none for an exact computation)."""
        from ..formatting import DASH, fmt, fmt_ci

        if fitted.get("estimate") is None:
            return DASH
        label = fitted.get("statistic") or "estimate"
        if deterministic:
            return f"{label} = {fmt(fitted['estimate'])}"
        return f"{label} = {fmt_ci(fitted['estimate'], fitted.get('ci'))}"

    @classmethod
    def predicted_latex(cls, predicted: dict[str, Any]) -> str | None:
        """The prediction as a LaTeX formula where it is one (a bound), else None."""
        return None

    @classmethod
    def caption(cls, record: ClaimRecord) -> str:
        return ""

    @classmethod
    def draw(cls, fig: Figure, record: ClaimRecord) -> bool:
        """Draw the claim's figure on ``fig`` from its record alone (no rerun); return whether
        there was anything to draw."""
        return False


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
    if not (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)):
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
