"""Resolution: the nearest wrong predictions a check refutes, measured on the claim's own data.

A mutant shows power against one imagined mistake; the resolution shows it against every near
one. Each kind defines a one-parameter family of predictions around the claim's own
(``Kind.nearby(d)``: exponent ``a + d``, rate ``rho^(1+d)``, order ``p + d``, bound
``(1 + d) B``, reference ``(1 + d) ref``, a search's statement made stronger by ``d``). After the
claim is judged, :func:`resolve` finds by bisection, on each side that matters, the smallest
offset whose prediction the check refutes, re-judging the same data (no new simulation; the
line kinds reuse their window fit, so a bisection step costs microseconds).

The side that matters: both for a two-sided claim; for a one-sided claim only the strict one
("at most a" must refute "at most a - target"; its lenient side is implied by the claim). A
claim meets its target when the near prediction at the target is refuted on every side that
matters. The record (results.json ``resolution``)::

    {"parameter": "exponent", "value": -0.5, "refutes_below": -0.58, "refutes_above": -0.42,
     "target": 0.1, "meets_target": true, "sides": ["below", "above"], ...}

``refutes_below`` and ``refutes_above`` are values of the parameter (None: that side does not
matter, or nothing was refuted within the span searched); ``target`` is in the kind's steps (an
exponent difference, a relative change of log rho, a factor on a bound). ``edge_over_target``
gives, per side, how far from the claim the nearest refuted prediction is, as a fraction of the
target's distance (``{"below": 0.6, "above": 0.7}``; at most 1 on every side: the target is
met): the resolution as one number per side, which the speed benchmark sets against the CPU
time it cost.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .verdicts import AT_LEAST, AT_MOST, REFUTED

if TYPE_CHECKING:
    from .context import JudgeContext
    from .kinds.base import Judgement, Kind

#: The smallest step, relative to the target, told apart from 0 when halving toward the claim.
_FLOOR = 1e-9


def edge_step(
    refuted: Callable[[float], bool], target: float, span: float, precision: float
) -> float | None:
    """The smallest step ``t`` in ``[0, span]`` with ``refuted(t)``, to ``precision`` (relative).

    Bracketed from the target: refuted there, halve toward 0 until a step is not refuted;
    not refuted there, double toward ``span``. Then bisect. 0 if the claim itself is refuted;
    None if nothing up to ``span`` is. Assumes the refuted steps form an interval reaching to
    ``span`` (a near prediction farther out is refuted if a nearer one is), which holds for
    every kind's verdict rule.
    """
    if refuted(0.0):
        return 0.0
    first = min(target, span)
    if refuted(first):
        hi, lo = first, first / 2
        while refuted(lo):
            hi, lo = lo, lo / 2
            if lo < first * _FLOOR:
                return hi
    else:
        lo, hi = first, min(2 * first, span)
        while not refuted(hi):
            if hi >= span:
                return None
            lo, hi = hi, min(2 * hi, span)
    while hi - lo > precision * hi:
        mid = (lo + hi) / 2
        if refuted(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _side_name(kind: Kind, direction: int) -> str:
    """``"below"`` or ``"above"``: where ``direction`` moves the parameter's value."""
    probe = kind.parameter_value(kind.near_offset(direction, 1e-3))
    return "above" if probe > kind.parameter_value(0.0) else "below"


def resolve(
    kind: Kind,
    data: Any,
    judgement: Judgement,
    make_ctx: Callable[[], JudgeContext],
    *,
    target: float | None = None,
    target_reason: str | None = None,
) -> dict[str, Any]:
    """The resolution of ``judgement`` (``kind`` judged on ``data``): see the module doc.

    ``make_ctx`` gives a fresh judging context on the claim's judging stream (kinds that
    re-judge from scratch see the same resamples as the claim). ``target`` overrides the
    kind's default, for the reason ``target_reason``.
    """
    start = time.perf_counter()
    parameter = kind.family_name(data)
    target = kind.resolution_target if target is None else target
    out: dict[str, Any] = {"parameter": parameter, "target": target}
    if target_reason:
        out["target_reason"] = target_reason
    if parameter is None:
        # a claim the check refutes is told apart from the truth: its resolution is 0
        refuted = judgement.verdict == REFUTED
        out.update(applicable=False, meets_target=refuted or not kind.needs_resolution)
        out["note"] = "the claim itself is refuted" if refuted else kind.resolution_note
        if not out["meets_target"]:
            out["shortfall"] = f"no resolution measured: {kind.resolution_note}"
        return out
    side = getattr(kind, "side", None)
    if side in (AT_MOST, AT_LEAST) and hasattr(kind, "margin"):
        out["margin"] = kind.margin
    out["value"] = kind.parameter_value(0.0)
    out["refutes_below"] = out["refutes_above"] = None
    try:
        verdict_of = kind.resolver(data, judgement, make_ctx)
        target_step = kind.target_step(target)
        sides, missed = [], []
        edge_over_target: dict[str, float | None] = {}
        for direction in kind.strict_directions():
            name = _side_name(kind, direction)
            sides.append(name)

            def refuted_at(t: float, direction: int = direction) -> bool:
                if t == 0.0:
                    return judgement.verdict == REFUTED
                return verdict_of(kind.near_offset(direction, t)) == REFUTED

            limit = kind.step_limit(direction)
            step = edge_step(refuted_at, target_step, limit, kind.resolution_precision)
            at_target = kind.near_offset(direction, min(target_step, limit))
            edge_over_target[name] = None if step is None else step / target_step
            if step is not None:
                out[f"refutes_{name}"] = kind.parameter_value(kind.near_offset(direction, step))
            if step is None or step > target_step:
                missed.append((name, step, at_target))
        out["sides"] = sides
        out["edge_over_target"] = edge_over_target
        out["meets_target"] = not missed
        out["searched_to"] = {
            s: kind.parameter_value(kind.near_offset(d, kind.step_limit(d)))
            for s, d in zip(sides, kind.strict_directions(), strict=True)
        }
        out["summary"] = _summary(kind, parameter, out)
        if missed:
            out["shortfall"] = _shortfall(kind, parameter, target, out, missed)
    except Exception as exc:  # a near family that raises is reported, never a silent pass
        out["meets_target"] = False
        out["error"] = f"{type(exc).__name__}: {exc}"
        out["shortfall"] = f"the resolution could not be measured: {out['error']}"
    out["seconds"] = time.perf_counter() - start
    return out


def _summary(kind: Kind, parameter: str, res: dict[str, Any]) -> str:
    """``"refutes exponent outside [-0.58, -0.42]"``: the resolution in words, for tables."""
    lo, hi = res["refutes_below"], res["refutes_above"]
    sides = res["sides"]
    if set(sides) == {"below", "above"} and lo is not None and hi is not None:
        return f"refutes {parameter} outside [{kind.format_value(lo)}, {kind.format_value(hi)}]"
    parts = []
    for name, value in (("below", lo), ("above", hi)):
        if name not in sides:
            continue
        if value is None:
            reach = kind.format_value(res["searched_to"][name])
            parts.append(f"refutes no {parameter} {name} the claim's, out to {reach}")
        else:
            parts.append(f"refutes {parameter} {kind.format_value(value)} and {name}")
    return "; ".join(parts)


def _shortfall(
    kind: Kind,
    parameter: str,
    target: float,
    res: dict[str, Any],
    missed: list[tuple[str, float | None, float]],
) -> str:
    """``"the check cannot tell exponent -0.5 from -0.6 (...)"``: why a target is missed."""
    own = kind.near_text(parameter, 0.0)
    texts = []
    for name, step, at_target in missed:
        near = kind.format_value(kind.parameter_value(at_target))
        if step is None:
            reach = kind.format_value(res["searched_to"][name])
            how = f"it refutes nothing {name} it, out to {reach}"
        else:
            how = f"it refutes only from {kind.format_value(res[f'refutes_{name}'])}"
        texts.append(f"the check cannot tell {own} from {near} ({how})")
    return "; ".join(texts) + f"; resolution target {target:g}"


def tightness(kind: Kind, judgement: Judgement) -> tuple[float | None, str | None]:
    """How close the data come to the prediction, and what the number measures."""
    value = kind.tightness(judgement)
    if value is None or not math.isfinite(value):
        return None, None
    return float(value), kind.tightness_statistic
