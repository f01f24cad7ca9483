"""The typed entries of results.json (schema 1) and their one serialiser.

A run produces one :class:`ClaimRecord` per claim, each with one :class:`MutantRecord` per mutant,
and one :class:`RunRecord` for the whole document. The plugin and the command line both produce
records through :func:`proofs_checks.execution.evaluate_record`, write them with
:meth:`RunRecord.to_json`, and the report reads them back with :meth:`RunRecord.from_json`, which
validates a file against schema 1 and names the file and the field when it does not conform.

The kind-specific payloads (``predicted``, ``fitted``, ``plot``) stay plain JSON objects: their
fields belong to the kind (see :mod:`proofs_checks.kinds`), which also owns their text and figure.
"""

from __future__ import annotations

import math
import platform
from dataclasses import dataclass, field, fields
from typing import Any

SCHEMA = 1
VERDICTS = ("confirmed", "refuted", "inconclusive")


class ResultsError(ValueError):
    """A results document that does not conform to schema 1: names the source and the field."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source, self.where, self.problem = source, where, problem
        super().__init__(f"{source}: {where}: {problem}")


def jsonable(value: Any) -> Any:
    """Plain JSON values: numpy scalars and arrays unwrapped, NaN and inf as null."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    return _jsonable_scalar(value)


def _jsonable_scalar(value: Any) -> Any:
    """One JSON scalar: numpy scalars unwrapped, NaN and inf as null, anything else as text."""
    import numpy as np

    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is None or isinstance(value, str | int):
        return value
    return str(value)


class _Reader:
    """Typed access to one JSON object, raising :class:`ResultsError` with a field path."""

    def __init__(self, obj: Any, source: str, where: str) -> None:
        if not isinstance(obj, dict):
            raise ResultsError(source, where or "document", f"must be an object, got {obj!r:.60}")
        self.obj, self.source, self.where = obj, source, where

    def _path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str, types: type | tuple[type, ...], default: Any = ..., *, null=False):
        if key not in self.obj:
            if default is ...:
                raise ResultsError(self.source, self._path(key), "is missing")
            return default
        value = self.obj[key]
        if value is None and null:
            return None
        ok = isinstance(value, types) and not (
            isinstance(value, bool) and bool not in _tuple(types)
        )
        if not ok:
            names = "/".join(t.__name__ for t in _tuple(types))
            raise ResultsError(self.source, self._path(key), f"must be {names}, got {value!r:.60}")
        return value

    def verdict(self, key: str, default: Any = ...) -> str:
        value = self.get(key, str, default)
        if value not in VERDICTS:
            raise ResultsError(self.source, self._path(key), f"must be one of {VERDICTS}")
        return value

    def obj_(self, key: str) -> dict[str, Any]:
        return dict(self.get(key, dict, {}, null=True) or {})


def _tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


_NUMBER = (int, float)


@dataclass
class MutantRecord:
    """One mutant's outcome: the wrong prediction, its fit and its verdict."""

    name: str
    description: str
    kind: str
    verdict: str
    expected_verdict: str = "refuted"
    reason: str = ""
    predicted: dict[str, Any] = field(default_factory=dict)
    predicted_text: str = ""
    fitted: dict[str, Any] = field(default_factory=dict)
    plot: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def caught(self) -> bool:
        return self.verdict == self.expected_verdict

    def to_json(self) -> dict[str, Any]:
        return jsonable({f.name: getattr(self, f.name) for f in fields(self)})

    @classmethod
    def from_json(cls, obj: Any, source: str, where: str) -> MutantRecord:
        r = _Reader(obj, source, where)
        return cls(
            name=r.get("name", str),
            description=r.get("description", str, ""),
            kind=r.get("kind", str, ""),
            verdict=r.verdict("verdict"),
            expected_verdict=r.verdict("expected_verdict", "refuted"),
            reason=r.get("reason", str, ""),
            predicted=r.obj_("predicted"),
            predicted_text=r.get("predicted_text", str, ""),
            fitted=r.obj_("fitted"),
            plot=r.obj_("plot"),
            notes=r.obj_("notes"),
            seconds=float(r.get("seconds", _NUMBER, 0.0, null=True) or 0.0),
        )


@dataclass
class ClaimRecord:
    """One claim's entry in results.json: what was claimed, what was fitted, the verdict."""

    id: str
    module: str
    paper: dict[str, Any]
    kind: str
    statement: str
    verdict: str
    expected_verdict: str = "confirmed"
    passed: bool = False
    reason: str = ""
    latex: str = ""
    assumptions: list[str] = field(default_factory=list)
    simplification: str | None = None
    predicted: dict[str, Any] = field(default_factory=dict)
    predicted_text: str = ""
    fitted: dict[str, Any] = field(default_factory=dict)
    replicates: int = 0
    constants: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    #: CPU seconds of the claim and its mutants, counting pieces run on other workers.
    cpu_seconds: float = 0.0
    seed: int | None = None
    profile: str | None = None
    mutants: list[MutantRecord] = field(default_factory=list)
    plot: dict[str, Any] = field(default_factory=dict)
    figure: str | None = None
    counterexample: Any = None
    #: Set when the evaluation raised (the claim is then inconclusive, never confirmed).
    traceback: str | None = None
    #: The nearest predictions the check refutes (proofs_checks.resolution), or None.
    resolution: dict[str, Any] | None = None
    #: How close the data come to the prediction (bounds, one-sided claims), or None.
    tightness: float | None = None
    #: What ``tightness`` measures (``"max y/B"``).
    tightness_statistic: str | None = None
    #: Why the claim is checked on data that cannot reach its resolution target, if it is.
    loose: str | None = None
    #: The hardest instance a worst-case search found, when the claim gave a family.
    worst_case: dict[str, Any] | None = None

    @property
    def mutants_caught(self) -> tuple[int, int]:
        return sum(m.caught for m in self.mutants), len(self.mutants)

    @property
    def meets_target(self) -> bool | None:
        """Whether the resolution meets its target (None: no resolution measured)."""
        if not self.resolution:
            return None
        return self.resolution.get("meets_target")

    @property
    def confirmed_loose(self) -> bool:
        """A confirmation of a claim declared loose: shown and counted apart."""
        return self.verdict == "confirmed" and self.loose is not None

    @property
    def deterministic(self) -> bool:
        """One replicate: an exact computation, with no Monte Carlo band to show."""
        return self.replicates <= 1

    def failure_message(self) -> str:
        """Why this claim's test fails (empty when it passes)."""
        lines = []
        if self.verdict != self.expected_verdict:
            lines.append(
                f"{self.id}: expected {self.expected_verdict}, got {self.verdict}. "
                f"Predicted {self.predicted_text}; {self.reason}"
            )
        for m in self.mutants:
            if not m.caught:
                lines.append(
                    f"{self.id}: mutant {m.name!r} ({m.description}) survived: {m.verdict}, not "
                    f"{m.expected_verdict}. Predicted {m.predicted_text}; {m.reason}"
                )
        if (
            self.resolution is not None
            and self.meets_target is False
            and self.loose is None
            and self.expected_verdict == ("confirmed")
        ):
            lines.append(
                f"{self.id}: resolution misses its target: "
                f"{self.resolution.get('shortfall', '')}. Judge the claim on an instance that "
                "attains it, give an instance family for the worst-case search, or declare "
                'loose="why no harder instance is known".'
            )
        if self.traceback:
            lines.append(self.traceback)
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "mutants":
                value = [m.to_json() for m in value]
            elif f.name in ("counterexample", "traceback", "worst_case") and value is None:
                continue
            out[f.name] = value
        return jsonable(out)

    @classmethod
    def from_json(cls, obj: Any, source: str, where: str) -> ClaimRecord:
        r = _Reader(obj, source, where)
        mutants = r.get("mutants", list, [], null=True) or []
        assumptions = r.get("assumptions", list, [], null=True) or []
        for i, a in enumerate(assumptions):
            if not isinstance(a, str):
                raise ResultsError(source, f"{where}.assumptions[{i}]", "must be a string")
        return cls(
            id=r.get("id", str),
            module=r.get("module", str, ""),
            paper=r.obj_("paper"),
            kind=r.get("kind", str),
            statement=r.get("statement", str, ""),
            verdict=r.verdict("verdict"),
            expected_verdict=r.verdict("expected_verdict", "confirmed"),
            passed=r.get("passed", bool, False),
            reason=r.get("reason", str, ""),
            latex=r.get("latex", str, "", null=True) or "",
            assumptions=list(assumptions),
            simplification=r.get("simplification", str, None, null=True),
            predicted=r.obj_("predicted"),
            predicted_text=r.get("predicted_text", str, ""),
            fitted=r.obj_("fitted"),
            replicates=int(r.get("replicates", int, 0, null=True) or 0),
            constants=r.obj_("constants"),
            notes=r.obj_("notes"),
            seconds=float(r.get("seconds", _NUMBER, 0.0, null=True) or 0.0),
            cpu_seconds=float(r.get("cpu_seconds", _NUMBER, 0.0, null=True) or 0.0),
            seed=r.get("seed", int, None, null=True),
            profile=r.get("profile", str, None, null=True),
            mutants=[
                MutantRecord.from_json(m, source, f"{where}.mutants[{i}]")
                for i, m in enumerate(mutants)
            ],
            plot=r.obj_("plot"),
            figure=r.get("figure", str, None, null=True),
            counterexample=obj.get("counterexample"),
            traceback=r.get("traceback", str, None, null=True),
            resolution=r.get("resolution", dict, None, null=True),
            tightness=r.get("tightness", _NUMBER, None, null=True),
            tightness_statistic=r.get("tightness_statistic", str, None, null=True),
            loose=r.get("loose", str, None, null=True),
            worst_case=r.get("worst_case", dict, None, null=True),
        )


@dataclass
class RunInfo:
    """What a run set out to do and how far it got (claims only, not other tests)."""

    collected: int
    selected: int
    ran: int
    interrupted: bool = False
    #: How the selection was made (``"-k handbook"``, ``"prefixes: sgd"``), or None for all.
    selection: str | None = None

    @property
    def complete(self) -> bool:
        return not self.interrupted and self.ran >= self.selected

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, obj: Any, source: str) -> RunInfo:
        r = _Reader(obj, source, "run")
        return cls(
            collected=r.get("collected", int),
            selected=r.get("selected", int),
            ran=r.get("ran", int),
            interrupted=r.get("interrupted", bool, False),
            selection=r.get("selection", str, None, null=True),
        )


@dataclass
class RunRecord:
    """The whole results.json document."""

    seed: int
    profile: str
    claims: list[ClaimRecord]
    wall_seconds: float = 0.0
    run: RunInfo | None = None
    package_version: str = ""
    python: str = field(default_factory=platform.python_version)
    numpy: str = ""
    schema: int = SCHEMA

    def __post_init__(self) -> None:
        self.claims = sorted(self.claims, key=lambda c: c.id)
        if not self.package_version:
            from . import __version__

            self.package_version = __version__
        if not self.numpy:
            import numpy as np

            self.numpy = np.__version__

    @property
    def counts(self) -> dict[str, int]:
        """Claims per verdict; ``confirmed_loose`` counts the confirmations of loose claims
        (included in ``confirmed``) and ``target_missed`` the claims whose resolution misses
        its target (loose or not)."""
        counts = {v: sum(c.verdict == v for c in self.claims) for v in VERDICTS}
        counts["confirmed_loose"] = sum(c.confirmed_loose for c in self.claims)
        counts["target_missed"] = sum(c.meets_target is False for c in self.claims)
        return counts

    @property
    def passed(self) -> bool:
        complete = self.run is None or self.run.complete
        return complete and all(c.passed for c in self.claims)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "schema": self.schema,
            "package_version": self.package_version,
            "seed": self.seed,
            "profile": self.profile,
            "python": self.python,
            "numpy": self.numpy,
            "wall_seconds": round(self.wall_seconds, 3),
            "counts": self.counts,
            "passed": self.passed,
        }
        if self.run is not None:
            doc["run"] = self.run.to_json()
        doc["claims"] = [c.to_json() for c in self.claims]
        return jsonable(doc)

    @classmethod
    def from_json(cls, doc: Any, source: str = "results.json") -> RunRecord:
        r = _Reader(doc, source, "")
        schema = doc.get("schema") if isinstance(doc, dict) else None
        if schema != SCHEMA:
            raise ResultsError(source, "schema", f"is {schema!r}; this reader knows {SCHEMA}")
        claims = r.get("claims", list)
        return cls(
            seed=r.get("seed", int),
            profile=r.get("profile", str),
            claims=[ClaimRecord.from_json(c, source, f"claims[{i}]") for i, c in enumerate(claims)],
            wall_seconds=float(r.get("wall_seconds", _NUMBER, 0.0, null=True) or 0.0),
            run=RunInfo.from_json(doc["run"], source) if doc.get("run") is not None else None,
            package_version=r.get("package_version", str, ""),
            python=r.get("python", str, ""),
            numpy=r.get("numpy", str, ""),
        )
