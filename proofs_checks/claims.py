"""Claims as data: the paper, the statement, the prediction, the mutants; and running them."""

from __future__ import annotations

import inspect
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .context import DEFAULT_SEED, PROFILES, JudgeContext, RunContext, stream
from .errors import ClaimError
from .kinds.base import Judgement, Kind, prediction_from_dict
from .records import ClaimRecord, MutantRecord, jsonable
from .verdicts import CONFIRMED, REFUTED, VERDICTS

#: The claim id rule: dotted lower-case words (family.subject.case), at least two of them.
ID_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
Prediction = Kind

__all__ = ["DEFAULT_SEED", "PROFILES", "Claim", "Mutant", "Paper", "Reference", "RunContext"]


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
    predicted: Kind | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


def _record(data: Any) -> dict[str, Any]:
    """The constants and notes a claim function attached to its data (JSON-safe copies)."""
    return {
        "constants": jsonable(dict(getattr(data, "constants", {}) or {})),
        "notes": jsonable(dict(getattr(data, "notes", {}) or {})),
    }


class Claim:
    """A claim from a paper, made executable. Create it with :func:`claim`."""

    def __init__(
        self,
        func: Callable[..., Any],
        id: str,
        *,
        paper: Reference,
        statement: str,
        predicted: Kind | Mapping[str, Any],
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
        return self.predicted.name

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
        if not isinstance(self.predicted, Kind):
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
                if not isinstance(m.predicted, Kind):
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

    def _entry(self, seed: int, profile: str) -> dict[str, Any]:
        """The fields of this claim's record that do not depend on the outcome."""
        return {
            "id": self.id,
            "module": self.module_path,
            "paper": self.reference.to_dict(),
            "kind": self.kind,
            "statement": self.statement,
            "latex": self.latex,
            "assumptions": list(self.assumptions),
            "simplification": self.simplification,
            "predicted": self.predicted.to_dict(),
            "predicted_text": self.predicted.describe(),
            "expected_verdict": self.expect,
            "seed": seed,
            "profile": profile,
        }

    def error_record(self, seed: int, profile: str, exc: BaseException) -> ClaimRecord:
        """The record of an evaluation that raised: inconclusive with the error, never passed."""
        import traceback

        return ClaimRecord(
            **self._entry(seed, profile),
            verdict="inconclusive",
            passed=False,
            reason=f"error: {type(exc).__name__}: {exc}",
            traceback="".join(traceback.format_exception(exc))[-4000:],
        )

    def evaluate(self, seed: int = DEFAULT_SEED, profile: str = "quick") -> ClaimRecord:
        """Run the claim and its mutants, judge them, and return the claim's record.

        A malformed spec or data raises :class:`ClaimError`; use
        :func:`proofs_checks.execution.evaluate_record` for a record in every case.
        """
        if profile not in PROFILES:
            raise ClaimError(self.id, "profile", f"must be one of {PROFILES}, got {profile!r}")
        start = time.perf_counter()

        def run(params: Mapping[str, Any]) -> Any:
            ctx = RunContext(self.id, seed, profile, stream(seed, self.id, 0))
            return self.func(ctx, **params)

        data = run({})
        judged = self.predicted.judge(
            data, JudgeContext(self.id, stream(seed, self.id, 1), profile)
        )
        mutants = [self._mutant_record(m, i, data, run, seed, profile) for i, m in enumerate(self.mutants)]
        record = _record(data)
        passed = judged.verdict == self.expect and all(m.caught for m in mutants)
        return ClaimRecord(
            **self._entry(seed, profile),
            verdict=judged.verdict,
            passed=passed,
            reason=judged.reason,
            fitted=judged.fitted,
            replicates=judged.replicates,
            constants=record["constants"],
            notes=record["notes"],
            seconds=time.perf_counter() - start,
            mutants=mutants,
            plot=judged.plot,
            counterexample=judged.fitted.get("counterexample"),
        )

    def _mutant_record(
        self,
        m: Mutant,
        index: int,
        data: Any,
        run: Callable[[Mapping[str, Any]], Any],
        seed: int,
        profile: str,
    ) -> MutantRecord:
        t0 = time.perf_counter()
        mdata = run(m.params) if m.params else data
        prediction = m.predicted or self.predicted
        ctx = JudgeContext(f"{self.id} (mutant {m.name})", stream(seed, self.id, 2 + index), profile)
        j: Judgement = prediction.judge(mdata, ctx)
        return MutantRecord(
            name=m.name,
            description=m.description,
            kind=prediction.name,
            verdict=j.verdict,
            expected_verdict=REFUTED,
            reason=j.reason,
            predicted=prediction.to_dict(),
            predicted_text=prediction.describe(),
            fitted=j.fitted,
            plot=j.plot,
            notes=_record(mdata)["notes"] if m.params else {},
            seconds=time.perf_counter() - t0,
        )


def claim(
    id: str,
    *,
    paper: Reference,
    statement: str,
    predicted: Kind | Mapping[str, Any],
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
