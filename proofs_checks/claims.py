"""Claims as data: the paper, the statement, the prediction, the mutants; and running them."""

from __future__ import annotations

import inspect
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .context import DEFAULT_SEED, PROFILES, JudgeContext, RunContext, stream
from .errors import ClaimError
from .kinds.base import Judgement, Kind, prediction_from_dict
from .records import ClaimRecord, MutantRecord, jsonable
from .resolution import resolve, tightness
from .search import hardest
from .verdicts import CONFIRMED, REFUTED, VERDICTS

if TYPE_CHECKING:
    from concurrent.futures import Executor

#: Judging-stream numbers of the worst-case searches (the claim's, then mutant i's at + 1 + i),
#: far from the claim's (1) and the mutants' (2 + i).
SEARCH_STREAM = 1_000_000

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
        resolution_target: float | None = None,
        resolution_reason: str | None = None,
        loose: str | None = None,
        parallel: bool = False,
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
        self.resolution_target = resolution_target
        self.resolution_reason = resolution_reason
        self.loose = loose
        self.parallel = parallel
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
        self._validate_resolution(cid)
        self._validate_mutants(cid)
        if not isinstance(self.parallel, bool):
            raise ClaimError(cid, "parallel", f"must be True or False, got {self.parallel!r}")

    def _validate_mutants(self, cid: str) -> None:
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

    def _validate_resolution(self, cid: str) -> None:
        target = self.resolution_target
        if target is not None:
            if not finite(target) or isinstance(target, bool) or target <= 0:
                raise ClaimError(cid, "resolution_target", f"must be positive, got {target!r}")
            if not (isinstance(self.resolution_reason, str) and self.resolution_reason.strip()):
                raise ClaimError(
                    cid,
                    "resolution_reason",
                    "a claim that sets its own resolution target says why (resolution_reason=)",
                )
        elif self.resolution_reason is not None:
            raise ClaimError(cid, "resolution_reason", "given without a resolution_target")
        if self.loose is not None and not (isinstance(self.loose, str) and self.loose.strip()):
            raise ClaimError(cid, "loose", "must say why no instance reaching the target is known")

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
            "loose": self.loose,
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

    def evaluate(
        self, seed: int = DEFAULT_SEED, profile: str = "quick", executor: Executor | None = None
    ) -> ClaimRecord:
        """Run the claim and its mutants, judge them, and return the claim's record.

        ``executor``: workers a ``parallel`` claim spreads its pieces over
        (:meth:`RunContext.map`); the record is the same without it, apart from timings.
        A malformed spec or data raises :class:`ClaimError`; use
        :func:`proofs_checks.execution.evaluate_record` for a record in every case.
        """
        if profile not in PROFILES:
            raise ClaimError(self.id, "profile", f"must be one of {PROFILES}, got {profile!r}")
        start, cpu_start = time.perf_counter(), time.process_time()
        contexts: list[RunContext] = []

        def run_ctx() -> RunContext:
            ctx = RunContext(
                self.id,
                seed,
                profile,
                stream(seed, self.id, 0),
                executor=executor if self.parallel else None,
            )
            contexts.append(ctx)
            return ctx

        def run(params: Mapping[str, Any]) -> Any:
            return self.func(run_ctx(), **params)

        def judge_ctx(purpose: int, who: str = self.id) -> JudgeContext:
            return JudgeContext(who, stream(seed, self.id, purpose), profile)

        data, worst = hardest(run({}), self.predicted, self.id, run_ctx, judge_ctx(SEARCH_STREAM))
        judged = self.predicted.judge(data, judge_ctx(1))
        resolution = resolve(
            self.predicted,
            data,
            judged,
            lambda: judge_ctx(1),
            target=self.resolution_target,
            target_reason=self.resolution_reason,
        )
        tight, statistic = tightness(self.predicted, judged)
        mutants = [
            self._mutant_record(m, i, data, run, run_ctx, judge_ctx)
            for i, m in enumerate(self.mutants)
        ]
        record = _record(data)
        # the resolution target binds a claim the check confirms, unless it is declared loose
        target_ok = (
            resolution.get("meets_target") is not False
            or self.loose is not None
            or self.expect != CONFIRMED
        )
        passed = judged.verdict == self.expect and all(m.caught for m in mutants) and target_ok
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
            cpu_seconds=time.process_time()
            - cpu_start
            + sum(sum(c.task_cpu_seconds) for c in contexts),
            mutants=mutants,
            plot=judged.plot,
            counterexample=judged.fitted.get("counterexample"),
            resolution=jsonable(resolution),
            tightness=tight,
            tightness_statistic=statistic,
            worst_case=worst,
        )

    def _mutant_record(
        self,
        m: Mutant,
        index: int,
        data: Any,
        run: Callable[[Mapping[str, Any]], Any],
        run_ctx: Callable[[], RunContext],
        judge_ctx: Callable[..., JudgeContext],
    ) -> MutantRecord:
        t0 = time.perf_counter()
        prediction = m.predicted or self.predicted
        who = f"{self.id} (mutant {m.name})"
        notes: dict[str, Any] = {}
        mdata = data
        if m.params:
            # a changed simulation that gives a family is searched for its own hardest instance
            mdata, worst = hardest(
                run(m.params), prediction, who, run_ctx, judge_ctx(SEARCH_STREAM + 1 + index, who)
            )
            notes = _record(mdata)["notes"]
            if worst is not None:
                notes["worst_case"] = worst
        j: Judgement = prediction.judge(mdata, judge_ctx(2 + index, who))
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
            notes=notes,
            seconds=time.perf_counter() - t0,
        )


def claim(id: str, **spec: Any) -> Callable[[Callable[..., Any]], Claim]:
    """Declare a claim. Decorates the function that runs the simulator and returns its data.

    ``spec`` holds the keyword arguments of :class:`Claim`: ``paper``, ``statement``,
    ``predicted``, ``mutants`` (required), and ``latex``, ``assumptions``, ``expect``,
    ``simplification``, ``resolution_target``, ``resolution_reason``, ``loose``.

    The function takes a :class:`RunContext` and keyword parameters (which mutants override)
    and returns the data its kind needs (:mod:`proofs_checks.data`), or a
    :class:`~proofs_checks.search.Family` of instances, judged on its hardest member. The spec
    is validated here, when the module is imported: a malformed claim raises
    :class:`ClaimError` naming the claim and the field.

    ``resolution_target`` overrides the kind's default target (in the kind's steps: an
    exponent difference, a relative change of log rho, a factor on a bound), with the reason
    ``resolution_reason``. ``loose`` declares, with the reason, that no instance reaching the
    target is known: the target is then reported, not enforced, and a confirmation is
    counted as "confirmed (loose)".

    ``parallel=True`` says the function splits its work with :meth:`RunContext.map` (its
    sweep points or blocks of replicates): ``ratecheck run --jobs N`` then spreads the pieces
    over the N workers, with the same result bit for bit as a serial run.
    """
    fields = inspect.signature(Claim.__init__).parameters
    unknown = sorted(set(spec) - set(fields))
    missing = [
        n
        for n, p in fields.items()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty and n not in spec
    ]
    if unknown or missing:
        cid = id if isinstance(id, str) else repr(id)
        what = unknown[0] if unknown else missing[0]
        problem = "is not a claim field" if unknown else "is required"
        names = ", ".join(n for n in fields if n not in ("self", "func", "id"))
        raise ClaimError(cid, what, f"{problem} (fields: {names})")

    def wrap(func: Callable[..., Any]) -> Claim:
        return Claim(func, id, **spec)

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
