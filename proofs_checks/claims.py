"""Claims as data: the paper, the statement, the prediction, the mutants; and running them."""

from __future__ import annotations

import inspect
import math
import re
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import ClaimError
from .kinds import Judgement, Prediction
from .kinds_exact import Implication
from .registry import prediction_from_dict
from .verdicts import CONFIRMED, REFUTED, VERDICTS

ID_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
PROFILES = ("quick", "full")
DEFAULT_SEED = 20231211


@dataclass(frozen=True)
class Paper:
    """A paper a theorem module encodes."""

    title: str
    authors: str
    year: int
    arxiv: str | None = None
    venue: str | None = None

    def theorem(self, number: str) -> Reference:
        """A reference to one numbered result of this paper (``"Theorem 3.4"``)."""
        return Reference(self, number)


@dataclass(frozen=True)
class Reference:
    paper: Paper
    theorem: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.paper.title,
            "authors": self.paper.authors,
            "year": self.paper.year,
            "arxiv": self.paper.arxiv,
            "venue": self.paper.venue,
            "theorem": self.theorem,
        }

    def short(self) -> str:
        names = [a.strip().split(" ")[-1] for a in self.paper.authors.split(",") if a.strip()]
        who = " & ".join(names) if len(names) <= 2 else f"{names[0]} et al."
        return f"{who} {self.paper.year}, {self.theorem}"


@dataclass
class Mutant:
    """A deliberately wrong variant of a claim, which the check must refute.

    Parameters
    ----------
    name
        Short identifier (``"constant_step"``).
    description
        What is wrong with it, in words.
    predicted
        A wrong prediction (a wrong exponent, a constant halved), judged on the claim's data.
    params
        Keyword arguments that change the simulation (a step schedule the theorem does not
        cover, momentum off); the claim function is rerun with them, with the same random
        numbers as the claim (common random numbers).
    """

    name: str
    description: str
    predicted: Prediction | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class RunContext:
    """What a claim function receives: the profile and its random numbers.

    The generator is derived from the run's seed and the claim id only, so a claim's mutants
    see the same random numbers as the claim (differences are not noise) and a claim's result
    does not depend on which other claims ran, or in which process.
    """

    claim_id: str
    seed: int
    profile: str
    rng: np.random.Generator

    def pick(self, quick: Any, full: Any) -> Any:
        """The quick or the full value of a setting (horizon, replicates...)."""
        return full if self.profile == "full" else quick


def _record(data: Any) -> dict[str, Any]:
    """The constants and notes a claim function attached to its data (JSON-safe copies)."""
    from .results import jsonable

    return {
        "constants": jsonable(dict(getattr(data, "constants", {}) or {})),
        "notes": jsonable(dict(getattr(data, "notes", {}) or {})),
    }


def _stream(seed: int, claim_id: str, purpose: int) -> np.random.Generator:
    key = zlib.crc32(claim_id.encode())
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key, purpose)))


@dataclass
class Outcome:
    """A judged data set: the claim itself or one mutant."""

    name: str
    description: str
    expected: str
    judgement: Judgement
    predicted: Prediction
    seconds: float = 0.0
    #: The instance's constants and the run's notes, as the claim function recorded them.
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return self.judgement.verdict


@dataclass
class ClaimResult:
    """Everything one evaluation produced; serialises to the results.json entry."""

    claim: Claim
    seed: int
    profile: str
    main: Outcome
    mutants: list[Outcome]
    seconds: float

    @property
    def passed(self) -> bool:
        return self.main.verdict == self.claim.expect and all(
            m.verdict == m.expected for m in self.mutants
        )

    def failure_message(self) -> str:
        lines = []
        c, j = self.claim, self.main.judgement
        if self.main.verdict != c.expect:
            lines.append(
                f"{c.id}: expected {c.expect}, got {self.main.verdict}. "
                f"Predicted {c.predicted.describe()}; {j.reason}"
            )
        for m in self.mutants:
            if m.verdict != m.expected:
                lines.append(
                    f"{c.id}: mutant {m.name!r} ({m.description}) survived: {m.verdict}, not "
                    f"{m.expected}. Predicted {m.predicted.describe()}; {m.judgement.reason}"
                )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        c, j = self.claim, self.main.judgement
        entry: dict[str, Any] = {
            "id": c.id,
            "module": c.module_path,
            "paper": c.reference.to_dict(),
            "kind": c.predicted.kind,
            "statement": c.statement,
            "latex": c.latex,
            "assumptions": list(c.assumptions),
            "simplification": c.simplification,
            "predicted": c.predicted.to_dict(),
            "predicted_text": c.predicted.describe(),
            "fitted": j.fitted,
            "verdict": j.verdict,
            "expected_verdict": c.expect,
            "passed": self.passed,
            "reason": j.reason,
            "replicates": j.replicates,
            "constants": self.main.record.get("constants", {}),
            "notes": self.main.record.get("notes", {}),
            "seconds": round(self.seconds, 4),
            "seed": self.seed,
            "profile": self.profile,
            "mutants": [
                {
                    "name": m.name,
                    "description": m.description,
                    "verdict": m.verdict,
                    "expected_verdict": m.expected,
                    "reason": m.judgement.reason,
                    "predicted": m.predicted.to_dict(),
                    "predicted_text": m.predicted.describe(),
                    "fitted": m.judgement.fitted,
                    "plot": m.judgement.plot,
                    "notes": m.record.get("notes", {}),
                    "seconds": round(m.seconds, 4),
                }
                for m in self.mutants
            ],
            "plot": j.plot,
            "figure": None,
        }
        if "counterexample" in j.fitted:
            entry["counterexample"] = j.fitted["counterexample"]
        return entry


class Claim:
    """A claim from a paper, made executable. Create it with :func:`claim`."""

    def __init__(
        self,
        func: Callable[..., Any],
        id: str,
        *,
        paper: Reference,
        statement: str,
        predicted: Prediction | Mapping[str, Any],
        mutants: Sequence[Mutant],
        latex: str = "",
        assumptions: Iterable[str] = (),
        expect: str = CONFIRMED,
        simplification: str | None = None,
    ) -> None:
        self.func = func
        self.id = id
        self.reference = paper
        self.statement = statement
        self.latex = latex
        self.assumptions = tuple(assumptions)
        self.simplification = simplification
        self.expect = expect
        self.predicted = (
            prediction_from_dict(predicted, id) if isinstance(predicted, Mapping) else predicted
        )
        self.mutants = list(mutants)
        self.module = func.__module__
        self.__doc__ = func.__doc__
        self.__name__ = func.__name__
        self._validate()

    @property
    def module_path(self) -> str:
        try:
            path = inspect.getsourcefile(self.func) or self.module
        except TypeError:
            return self.module
        parts = path.replace("\\", "/").split("/")
        return "/".join(parts[-2:]) if len(parts) >= 2 else path

    @property
    def kind(self) -> str:
        return self.predicted.kind

    def _validate(self) -> None:
        cid = self.id if isinstance(self.id, str) else repr(self.id)
        if not isinstance(self.id, str) or not ID_PATTERN.match(self.id):
            raise ClaimError(
                cid, "id", "must be dotted lower-case words, e.g. 'sgd.last_iterate.x'"
            )
        if not isinstance(self.reference, Reference):
            raise ClaimError(cid, "paper", "must be Paper(...).theorem('Theorem N')")
        if not self.statement or not self.statement.strip():
            raise ClaimError(cid, "statement", "must state the claim in words")
        if not isinstance(self.predicted, Prediction):
            raise ClaimError(cid, "predicted", f"unknown kind of prediction {self.predicted!r}")
        self.predicted.validate(cid)
        if self.expect not in VERDICTS:
            raise ClaimError(cid, "expect", f"must be one of {VERDICTS}, got {self.expect!r}")
        if not self.mutants:
            raise ClaimError(cid, "mutants", "every claim needs at least one mutant to refute")
        names = set()
        sig = inspect.signature(self.func)
        accepts_any = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
        for m in self.mutants:
            if not isinstance(m, Mutant):
                raise ClaimError(cid, "mutants", f"{m!r} is not a Mutant")
            if m.name in names:
                raise ClaimError(cid, "mutants", f"duplicate mutant name {m.name!r}")
            names.add(m.name)
            if m.predicted is None and not m.params:
                raise ClaimError(
                    cid, f"mutants.{m.name}", "changes nothing: give a wrong prediction or params"
                )
            if m.predicted is not None:
                if not isinstance(m.predicted, Prediction):
                    raise ClaimError(cid, f"mutants.{m.name}.predicted", "unknown kind")
                m.predicted.validate(f"{cid} (mutant {m.name})")
            for p in m.params:
                if p not in sig.parameters and not accepts_any:
                    raise ClaimError(
                        cid, f"mutants.{m.name}.params", f"{self.__name__}() takes no {p!r}"
                    )

    def __call__(self, ctx: RunContext, **params: Any) -> Any:
        return self.func(ctx, **params)

    def __repr__(self) -> str:
        return f"<Claim {self.id} ({self.kind})>"

    def _judge(self, prediction: Prediction, data: Any, rng, profile: str, who: str) -> Judgement:
        if isinstance(prediction, Implication):
            return prediction.judge(data, rng, who, profile=profile)
        return prediction.judge(data, rng, who)

    def evaluate(self, seed: int = DEFAULT_SEED, profile: str = "quick") -> ClaimResult:
        """Run the claim and its mutants and judge them."""
        if profile not in PROFILES:
            raise ClaimError(self.id, "profile", f"must be one of {PROFILES}, got {profile!r}")
        start = time.perf_counter()

        def run(params: Mapping[str, Any]) -> Any:
            ctx = RunContext(self.id, seed, profile, _stream(seed, self.id, 0))
            return self.func(ctx, **params)

        data = run({})
        main = Outcome(
            "claim",
            self.statement,
            self.expect,
            self._judge(self.predicted, data, _stream(seed, self.id, 1), profile, self.id),
            self.predicted,
            time.perf_counter() - start,
            _record(data),
        )
        outcomes = []
        for i, m in enumerate(self.mutants):
            t0 = time.perf_counter()
            mdata = run(m.params) if m.params else data
            prediction = m.predicted or self.predicted
            who = f"{self.id} (mutant {m.name})"
            j = self._judge(prediction, mdata, _stream(seed, self.id, 2 + i), profile, who)
            outcomes.append(
                Outcome(
                    m.name,
                    m.description,
                    REFUTED,
                    j,
                    prediction,
                    time.perf_counter() - t0,
                    _record(mdata) if m.params else {},
                )
            )
        return ClaimResult(self, seed, profile, main, outcomes, time.perf_counter() - start)


def claim(
    id: str,
    *,
    paper: Reference,
    statement: str,
    predicted: Prediction | Mapping[str, Any],
    mutants: Sequence[Mutant],
    latex: str = "",
    assumptions: Iterable[str] = (),
    expect: str = CONFIRMED,
    simplification: str | None = None,
) -> Callable[[Callable[..., Any]], Claim]:
    """Declare a claim. Decorates the function that runs the simulator and returns its data.

    The function takes a :class:`RunContext` and keyword parameters (which mutants override)
    and returns the data its kind needs (:mod:`proofs_checks.data`). The spec is validated
    here, when the module is imported: a malformed claim raises :class:`ClaimError` naming the
    claim and the field.
    """

    def wrap(func: Callable[..., Any]) -> Claim:
        return Claim(
            func,
            id,
            paper=paper,
            statement=statement,
            predicted=predicted,
            mutants=mutants,
            latex=latex,
            assumptions=assumptions,
            expect=expect,
            simplification=simplification,
        )

    return wrap


def claims_in(namespace: Mapping[str, Any] | Any) -> list[Claim]:
    """The claims defined in a module (or a namespace dict), in definition order."""
    items = namespace if isinstance(namespace, Mapping) else vars(namespace)
    modname = items.get("__name__")
    return [
        v
        for v in items.values()
        if isinstance(v, Claim) and (modname is None or v.module == modname)
    ]


def finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)
