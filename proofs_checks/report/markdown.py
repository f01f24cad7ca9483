"""report.md: the same content as index.html, figures linked, formulas as LaTeX source."""

from __future__ import annotations

import json
from typing import Any

from ..records import VERDICTS
from .view import ClaimView, Prediction, ReportView

SUMMARY_HEADER = (
    "| claim | paper | predicted | fitted [95% CI] | verdict | resolution | tightness "
    "| mutants caught | reliability |"
)


def cell(text: Any) -> str:
    """Text safe inside a table cell."""
    return str(text).replace("|", r"\|").replace("\n", " ")


def predicted(p: Prediction) -> str:
    """The prediction in words; a formula as inline LaTeX."""
    if p.latex:
        return f"{p.relation} ${p.latex}$".strip()
    return p.text


def link(c: ClaimView) -> str:
    return f"[{c.id}](#{c.anchor})"


def summary(view: ReportView) -> list[str]:
    out = ['<a id="summary"></a>', "## Summary", ""]
    line = ", ".join(f"**{view.counts[v]} {v}**" for v in VERDICTS)
    loose = view.counts.get("confirmed_loose", 0)
    if loose:
        line += f" ({loose} of the confirmations loose: data that cannot reach the target)"
    out.append(line + ".")
    if view.unexpected:
        out += [
            "",
            f"**{len(view.unexpected)} not as expected:** "
            + "; ".join(f"{link(c)} ({c.unexpected})" for c in view.unexpected),
        ]
    if view.errata:
        out += ["", "### Claims that fail as stated", ""]
        out += [
            f"- {link(c)}, {c.paper.short}: {c.record.verdict}. {c.record.reason}"
            for c in view.errata
        ]
    out += [
        "",
        "Papers: "
        + "; ".join(
            f"[{g.paper.short.split(',')[0]}](#{g.anchor}) ({len(g.claims)})" for g in view.papers
        )
        + ".",
    ]
    out += ["", SUMMARY_HEADER, "|" + " --- |" * 9]
    for c in view.claims:
        k, n = c.mutants_caught
        cells = [
            link(c),
            c.paper.short,
            predicted(c.predicted),
            c.fitted,
            c.verdict_text,
            c.resolution,
            c.tightness,
            f"{k}/{n}",
            c.reliability,
        ]
        out.append("| " + " | ".join(cell(x) for x in cells) + " |")
    return out


def section(c: ClaimView) -> list[str]:
    r = c.record
    out = ["", f'<a id="{c.anchor}"></a>', f"## {c.id}", ""]
    out.append(f"*{c.paper.full}* Kind `{r.kind}`, module `{r.module}`.")
    out += ["", r.statement]
    if r.latex:
        out += ["", "$$", r.latex, "$$"]
    if r.assumptions:
        out += ["", "**Assumptions.**", ""] + [f"- {a}" for a in r.assumptions]
    if r.simplification:
        out += ["", f"**Simplification.** {r.simplification}"]
    if r.figure:
        out += ["", f"![{c.id}]({r.figure})"]
        if c.caption:
            out += ["", f"*{c.caption}*"]
    elif c.figure_error:
        out += ["", f"*No figure: {c.figure_error}*"]
    out += ["", "| | |", "| --- | --- |", f"| Predicted | {cell(predicted(c.predicted))} |"]
    out += [f"| {key} | {cell(value)} |" for key, value in c.numbers]
    if c.counterexample is not None:
        out += ["", "**Counterexample.**", "", "```json"]
        out += [json.dumps(c.counterexample, indent=1), "```"]
    if c.derivation:
        out += ["", "**Derivation.**", ""]
        out += [f"{i}. {label}: ${tex}$" for i, (label, tex, _) in enumerate(c.derivation, 1)]
    if c.mutants:
        k, n = c.mutants_caught
        out += [
            "",
            f"**Mutants ({k}/{n} refuted).**",
            "",
            "| mutant | what is wrong | predicted | fitted | verdict | reason |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for m in c.mutants:
            cells = [m.name, m.description, predicted(m.predicted), m.fitted, m.verdict, m.reason]
            out.append("| " + " | ".join(cell(x) for x in cells) + " |")
    if r.traceback:
        out += ["", "**Traceback.**", "", "```", r.traceback.rstrip(), "```"]
    out += ["", "[back to the summary](#summary)"]
    return out


def markdown(view: ReportView) -> str:
    """report.md: the run banner first, the summary, then one section per claim."""
    out = ["# ratecheck report", ""]
    if view.banner:
        out += [f"**{line}.**" for line in view.banner] + [""]
    out += [f"{view.meta}.", ""]
    out += summary(view)
    for group in view.papers:
        out += ["", f'<a id="{group.anchor}"></a>', "", f"# {group.paper.heading}"]
        for c in group.claims:
            out += section(c)
    return "\n".join(out) + "\n"
