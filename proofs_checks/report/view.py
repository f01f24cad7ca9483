"""The report's view model: every text the pages show, computed once from a :class:`RunRecord`.

Whatever depends on a claim's kind (its fitted value's wording, the prediction as a formula,
the method, the caption) is asked of the kind class, ``kind_class(record.kind)``; the view
never looks at a kind's name. The renderers (:mod:`.markdown`, :mod:`.html`) only lay out
what is here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..formatting import DASH, fmt
from ..kinds import kind_class
from ..records import VERDICTS, ClaimRecord, MutantRecord, RunInfo, RunRecord
from ..verdicts import AT_LEAST, AT_MOST
from .reliability import Reliability

#: The words before a prediction shown as a formula, by its ``side`` (None: a kind without sides).
RELATION_WORDS: dict[str | None, str] = {AT_MOST: "at most", AT_LEAST: "at least"}


@dataclass(frozen=True)
class Prediction:
    """A prediction as the pages show it: in words, and as a formula where it is one."""

    text: str
    latex: str | None = None
    #: The words before the formula (``"at most"``).
    relation: str = ""


@dataclass(frozen=True)
class Paper:
    short: str
    full: str
    #: "Authors (year). Title. arXiv:id.": the heading of the paper's group of claims.
    heading: str = ""


@dataclass
class PaperGroup:
    """The claims of one paper, so a reader finds "their" paper in one place."""

    paper: Paper
    anchor: str
    claims: list[ClaimView]


@dataclass
class MutantView:
    name: str
    description: str
    predicted: Prediction
    fitted: str
    verdict: str
    caught: bool
    reason: str
    reliability: str
    counterexample: Any = None


@dataclass
class ClaimView:
    """One claim's row in the summary and its section."""

    record: ClaimRecord
    anchor: str
    paper: Paper
    predicted: Prediction
    fitted: str
    verdict_text: str
    unexpected: str
    reliability: str
    numbers: list[tuple[str, str]]
    mutants: list[MutantView]
    caption: str
    #: The nearest wrong predictions the check refutes, in words ("refutes exponent outside ...").
    resolution: str = DASH
    #: How close the data come to the prediction (max y/B, or the exponent's distance).
    tightness: str = DASH
    #: (label, LaTeX, plain text) of each derivation step, when the check records one.
    derivation: list[tuple[str, str, str]] = field(default_factory=list)
    counterexample: Any = None
    figure_png: bytes | None = None
    figure_error: str | None = None

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def mutants_caught(self) -> tuple[int, int]:
        return self.record.mutants_caught


@dataclass
class ReportView:
    """The whole report: the run's header, banner and counts, and one view per claim."""

    meta: str
    banner: list[str]
    counts: dict[str, int]
    expected_counts: dict[str, int]
    mutants_caught: tuple[int, int]
    claims: list[ClaimView]
    reliability: Reliability
    #: The claims grouped by paper, in the order the pages show them (``claims`` follows it).
    papers: list[PaperGroup] = field(default_factory=list)

    @property
    def unexpected(self) -> list[ClaimView]:
        return [c for c in self.claims if c.unexpected]

    @property
    def errata(self) -> list[ClaimView]:
        """Claims the package shows false as stated (their expected verdict is refuted)."""
        return [c for c in self.claims if c.record.expected_verdict == "refuted"]


def anchor(claim_id: str) -> str:
    return "claim-" + re.sub(r"[^a-zA-Z0-9_.-]", "-", claim_id)


def seconds_text(s: float) -> str:
    return f"{s:.2f} s" if s < 100 else f"{s / 60:.1f} min"


def run_banner(run: RunInfo | None) -> list[str]:
    """What the reader must know first: a run cut short, or a partial selection of claims."""
    if run is None:
        return []
    lines = []
    if run.interrupted or run.ran < run.selected:
        lines.append(f"Interrupted after {run.ran} of {run.selected} selected claims")
    if run.selected < run.collected:
        how = run.selection or "Selection"
        lines.append(f"{how}: {run.selected} of {run.collected} claims")
    return lines


def paper(fields: dict[str, Any]) -> Paper:
    authors, year = str(fields.get("authors") or ""), fields.get("year") or ""
    theorem, title = fields.get("theorem") or "", fields.get("title") or ""
    names = [a.strip().split(" ")[-1] for a in authors.split(",") if a.strip()]
    who = " & ".join(names) if len(names) <= 2 else f"{names[0]} et al."
    short = f"{who} {year}, {theorem}".strip(", ")
    full = [f"{authors} ({year}). {title}."]
    full += [f"{fields['venue']}."] if fields.get("venue") else []
    full += [f"arXiv:{fields['arxiv']}."] if fields.get("arxiv") else []
    full += [f"{theorem}."] if theorem else []
    heading = f"{authors} ({year}). {title}." + (
        f" arXiv:{fields['arxiv']}." if fields.get("arxiv") else ""
    )
    return Paper(short, " ".join(full), heading)


def group_by_paper(claims: list[ClaimView]) -> list[PaperGroup]:
    """Claims grouped by paper, papers by first author and year, claims by id within."""
    groups: dict[str, list[ClaimView]] = {}
    for c in claims:
        groups.setdefault(c.paper.heading, []).append(c)
    # papers by first author's surname and year ("Taylor et al. 2018"), as a bibliography
    ordered = sorted(groups.items(), key=lambda kv: (kv[1][0].paper.short.split(",")[0], kv[0]))
    return [
        PaperGroup(members[0].paper, paper_anchor(heading), sorted(members, key=lambda c: c.id))
        for heading, members in ordered
    ]


def paper_anchor(heading: str) -> str:
    return "paper-" + re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")[:60]


def prediction(kind_name: str, predicted: dict[str, Any], text: str) -> Prediction:
    latex = kind_class(kind_name).predicted_latex(predicted)
    relation = RELATION_WORDS.get(predicted.get("side"), "") if latex else ""
    return Prediction(text or DASH, latex or None, relation)


def unexpected_why(record: ClaimRecord) -> str:
    """Why the claim's test fails, in a few words ("" when it passes)."""
    if record.passed:
        return ""
    why = []
    if record.verdict != record.expected_verdict:
        why.append(f"{record.verdict}, expected {record.expected_verdict}")
    survivors = [m.name for m in record.mutants if not m.caught]
    if survivors:
        why.append("mutants not refuted: " + ", ".join(survivors))
    if why:
        return "; ".join(why)
    # another criterion of the claim's test: its own message says which
    first = record.failure_message().split("\n", 1)[0].removeprefix(f"{record.id}: ")
    return first.split(". ", 1)[0][:200] or "failed"


def mutant_view(record: ClaimRecord, m: MutantRecord, reliability: Reliability) -> MutantView:
    # a mutant recorded before mutants carried their kind has the claim's kind
    kind_name = m.kind or record.kind
    return MutantView(
        name=m.name,
        description=m.description,
        predicted=prediction(kind_name, m.predicted, m.predicted_text),
        fitted=kind_class(kind_name).fitted_text(m.fitted, record.deterministic),
        verdict=m.verdict,
        caught=m.caught,
        reason=m.reason,
        reliability=reliability.mutant_text(record.id, m.name),
        counterexample=m.fitted.get("counterexample"),
    )


def numbers(record: ClaimRecord, fitted: str, reliability: str) -> list[tuple[str, str]]:
    """The section's table of numbers (the prediction row is rendered apart, as a formula)."""
    kind = kind_class(record.kind)
    f = record.fitted
    rows = [("Fitted", fitted)]
    if f.get("r2") is not None:
        rows.append(("R²", fmt(f["r2"], 4)))
    if f.get("window"):
        rows.append(("Fit window", f"{fmt(f['window'][0])} to {fmt(f['window'][1])}"))
    rows.append(("Verdict", f"{verdict_text(record)} (expected {record.expected_verdict})"))
    if record.loose:
        rows.append(("Loose", f"confirmed on data that cannot reach the target: {record.loose}"))
    rows.append(("Resolution", resolution_text(record)))
    if record.tightness is not None:
        rows.append(("Tightness", tightness_text(record)))
    if record.worst_case:
        worst = record.worst_case
        rows.append(
            (
                "Hardest instance",
                ", ".join(
                    f"{k} = {fmt(v) if isinstance(v, int | float) else v}"
                    for k, v in worst.items()
                    if not isinstance(v, dict | list)
                ),
            )
        )
    rows.append(("Reason", record.reason))
    if kind.method:
        rows.append(("Method", kind.method))
    replicates = str(record.replicates)
    if record.deterministic:
        replicates += " (one deterministic run: exact values)"
    rows.append(("Replicates", replicates))
    rows.append(("Seed", DASH if record.seed is None else str(record.seed)))
    rows.append(("Profile", record.profile or DASH))
    rows.append(("Run time", seconds_text(record.seconds)))
    rows.append(("Reliability", reliability))
    return rows


def derivation(record: ClaimRecord) -> list[tuple[str, str, str]]:
    """Derivation steps a check recorded in its plot (``steps``: [label, LaTeX, text])."""
    steps = record.plot.get("steps")
    if not isinstance(steps, list):
        return []
    out = []
    for step in steps:
        if isinstance(step, list | tuple) and len(step) >= 2:
            label, tex = str(step[0]), str(step[1])
            out.append((label, tex, str(step[2]) if len(step) > 2 else tex))
    return out


def verdict_text(record: ClaimRecord) -> str:
    """The verdict; a confirmation of a loose claim says so, never mixed with earned ones."""
    return "confirmed (loose)" if record.confirmed_loose else record.verdict


def resolution_text(record: ClaimRecord) -> str:
    res = record.resolution
    if not res:
        return DASH
    text = res.get("summary") or res.get("note") or DASH
    if res.get("meets_target") is False:
        text += " (misses its target)"
    return str(text)


def tightness_text(record: ClaimRecord) -> str:
    if record.tightness is None:
        return DASH
    what = f" ({record.tightness_statistic})" if record.tightness_statistic else ""
    return f"{fmt(record.tightness)}{what}"


def claim_view(record: ClaimRecord, reliability: Reliability) -> ClaimView:
    kind = kind_class(record.kind)
    fitted = kind.fitted_text(record.fitted, record.deterministic)
    rel = reliability.claim_text(record.id)
    verdict = verdict_text(record)
    if record.expected_verdict != "confirmed":
        verdict += f" (expected {record.expected_verdict})"
    return ClaimView(
        record=record,
        anchor=anchor(record.id),
        paper=paper(record.paper),
        predicted=prediction(record.kind, record.predicted, record.predicted_text),
        fitted=fitted,
        verdict_text=verdict,
        unexpected=unexpected_why(record),
        reliability=rel,
        numbers=numbers(record, fitted, rel),
        mutants=[mutant_view(record, m, reliability) for m in record.mutants],
        caption=kind.caption(record),
        resolution=resolution_text(record),
        tightness=tightness_text(record),
        derivation=derivation(record),
        counterexample=record.counterexample,
    )


def build_view(
    run: RunRecord,
    reliability: Reliability,
    figures: Mapping[str, bytes] = MappingProxyType({}),
    figure_errors: Mapping[str, str] = MappingProxyType({}),
) -> ReportView:
    """The report's view of ``run``; ``figures`` maps claim ids to the PNG shown in the page,
    ``figure_errors`` to why a figure could not be drawn."""
    claims = []
    for record in run.claims:
        view = claim_view(record, reliability)
        view.figure_png = figures.get(record.id)
        view.figure_error = figure_errors.get(record.id)
        claims.append(view)
    meta = (
        f"Seed {run.seed}, profile {run.profile}, ratecheck {run.package_version}, Python "
        f"{run.python or '?'}, numpy {run.numpy or '?'}; {len(run.claims)} claims in "
        f"{seconds_text(run.wall_seconds)}"
    )
    caught = [c.mutants_caught for c in run.claims]
    papers = group_by_paper(claims)
    claims = [c for g in papers for c in g.claims]
    return ReportView(
        meta=meta,
        banner=run_banner(run.run),
        counts=run.counts,
        expected_counts={
            v: sum(c.verdict == v == c.expected_verdict for c in run.claims) for v in VERDICTS
        },
        mutants_caught=(sum(k for k, _ in caught), sum(n for _, n in caught)),
        claims=claims,
        reliability=reliability,
        papers=papers,
    )
