"""index.html: one self-contained page (inline CSS; figures and formulas as base64 PNG; no
script, no external reference), laid out from the :class:`~.view.ReportView`."""

from __future__ import annotations

import base64
import html
import json
from typing import Any

from ..formatting import DASH
from ..records import VERDICTS
from .css import CSS
from .math import MATH_DPI, looks_like_formula, png_size, render_math
from .view import ClaimView, MutantView, Prediction, ReportView, seconds_text


def e(text: Any) -> str:
    """HTML-escaped text."""
    return html.escape("" if text is None else str(text), quote=True)


def short_cell(text: str, limit: int = 60) -> str:
    """A table cell's text cut at ``limit`` characters, in full in its tooltip."""
    if len(text) <= limit:
        return e(text)
    return f'<span title="{e(text)}">{e(text[: limit - 1].rstrip())}…</span>'


def breakable(claim_id: str) -> str:
    """A dotted id that may wrap after its dots, never inside a word."""
    return ".<wbr>".join(e(part) for part in claim_id.split("."))


def img(png: bytes, alt: str, css_class: str, scale: float = 1.0) -> str:
    """An <img> with the PNG inline, ``scale`` times its pixel size in CSS pixels."""
    width, height = png_size(png)
    data = base64.b64encode(png).decode("ascii")
    cls = f' class="{css_class}"' if css_class else ""
    return (
        f'<img{cls} src="data:image/png;base64,{data}" alt="{e(alt)}" '
        f'width="{round(width * scale)}" height="{round(height * scale)}">'
    )


#: Formula images are rendered at MATH_DPI and shown at this many CSS pixels per point.
_MATH_SCALE = 96 / MATH_DPI


def formula(latex: str, css_class: str, scale: float, alt: str | None = None) -> str | None:
    """A formula as inline images (``alt``: its source), or None if mathtext cannot render it."""
    images = render_math(latex)
    if images is None:
        return None
    return "".join(img(png, alt or latex, css_class, _MATH_SCALE * scale) for png in images)


def display_math(latex: str) -> str:
    shown = formula(latex, "formula", 1.4)
    return f'<div class="math">{shown or f"<code>{e(latex)}</code>"}</div>'


def predicted(p: Prediction) -> str:
    """The prediction in words; a formula rendered with mathtext (its source if it fails)."""
    shown = (
        formula(p.latex, "formula inline", 1.0) if p.latex and looks_like_formula(p.latex) else None
    )
    if shown is None:
        return e(p.text)
    return f"{e(p.relation)} {shown}".strip()


def badge(verdict: str, expected: str, loose: bool = False) -> str:
    cls = label = verdict
    if expected == "refuted" and verdict == "refuted":
        cls, label = "erratum", "refuted (as expected)"
    elif loose and verdict == "confirmed":
        cls, label = "loose", "confirmed (loose)"
    return f'<span class="badge {e(cls)}">{e(label)}</span>'


def passed_mark(c: ClaimView) -> str:
    if not c.unexpected:
        return '<span class="pass" title="as expected">✓</span>'
    return f'<span class="fail" title="{e(c.unexpected)}">✗</span>'


def kv_table(rows: list[tuple[str, str]]) -> str:
    """A two-column table; the values are HTML already."""
    body = "".join(f"<tr><th>{e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="kv">{body}</table>'


def summary(view: ReportView) -> str:
    parts = ['<h2 id="summary">Summary</h2>', '<div class="counts">']
    for v in VERDICTS:
        expected = view.expected_counts[v]
        note = f" <small>({expected} as expected)</small>" if v != "confirmed" and expected else ""
        parts.append(f'<div class="count {v}"><b>{view.counts[v]}</b>{v}{note}</div>')
    loose = view.counts.get("confirmed_loose", 0)
    if loose:
        parts.append(
            f'<div class="count loose"><b>{loose}</b>of them loose<small> (data that cannot '
            "reach the resolution target)</small></div>"
        )
    k_all, n_all = view.mutants_caught
    parts.append(f'<div class="count"><b>{k_all}/{n_all}</b>mutants refuted</div></div>')
    if view.unexpected:
        items = "".join(
            f'<li><a href="#{c.anchor}">{e(c.id)}</a>: {e(c.unexpected)}</li>'
            for c in view.unexpected
        )
        parts.append(
            f'<div class="notice"><b>{len(view.unexpected)} claim(s) not as expected</b>'
            f"<ul>{items}</ul></div>"
        )
    else:
        parts.append("<p>Every claim got its expected verdict and every mutant was refuted.</p>")
    if view.errata:
        items = "".join(
            f'<li><a href="#{c.anchor}">{e(c.id)}</a> ({e(c.paper.short)}): '
            f"{badge(c.record.verdict, 'refuted')} {e(c.record.reason)}</li>"
            for c in view.errata
        )
        parts.append(
            '<div class="errata" id="errata"><b>Claims that fail as stated</b> (the check is '
            f"expected to refute them)<ul>{items}</ul></div>"
        )
    rel = view.reliability
    rel_note = (
        f' title="expected verdict over seeds, {e(rel.profile)} profile ({e(rel.source)})"'
        if rel
        else ""
    )
    parts.append(
        '<div class="scroll"><table class="summary" id="summary-table"><thead><tr>'
        "<th>claim</th><th>paper</th><th>predicted</th><th>fitted [95% CI]</th><th>verdict</th>"
        "<th>resolution</th><th>tightness</th>"
        f"<th>mutants caught</th><th{rel_note}>reliability</th><th>time</th><th></th></tr>"
        "</thead><tbody>"
    )
    first_of = {g.claims[0].id: g.claims[0] for g in view.papers}
    for c in view.claims:
        if c is first_of.get(c.id):
            parts.append(paper_row(first_of[c.id], view))
        k, n = c.mutants_caught
        r = c.record
        parts.append(
            f'<tr data-claim="{e(c.id)}"><td><a href="#{c.anchor}">{breakable(c.id)}</a></td>'
            f"<td>{short_cell(c.paper.short, 44)}</td><td>{predicted(c.predicted)}</td>"
            f'<td class="fit">{short_cell(c.fitted, 90)}</td>'
            f"<td>{badge(r.verdict, r.expected_verdict, r.loose is not None)}</td>"
            f'<td>{short_cell(c.resolution, 90)}</td><td class="num">{e(c.tightness)}</td>'
            f'<td class="num">{k}/{n}</td><td class="num">{e(c.reliability)}</td>'
            f'<td class="num">{e(seconds_text(r.seconds))}</td><td>{passed_mark(c)}</td>'
            "</tr>"
        )
    parts.append("</tbody></table></div>")
    return "\n".join(parts)


def counterexample(cx: Any) -> str:
    if isinstance(cx, dict) and all(not isinstance(v, dict | list) for v in cx.values()):
        return kv_table([(str(k), e(v)) for k, v in cx.items()])
    return f"<pre>{e(json.dumps(cx, indent=1))}</pre>"


def mutant_row(m: MutantView) -> str:
    rel = f"<br><small>{e(m.reliability)}</small>" if m.reliability != DASH else ""
    cx = ""
    if m.counterexample is not None:
        cx = (
            "<details><summary>counterexample</summary>"
            f"<pre>{e(json.dumps(m.counterexample, indent=1))}</pre></details>"
        )
    return (
        f"<tr><td><code>{e(m.name)}</code></td><td>{e(m.description)}</td>"
        f"<td>{predicted(m.predicted)}</td>"
        f'<td class="fit">{short_cell(m.fitted, 90)}</td>'
        f'<td><span class="badge {"confirmed" if m.caught else "inconclusive"}">'
        f"{e(m.verdict)}</span>{rel}</td><td>{e(m.reason)}{cx}</td></tr>"
    )


def section_intro(c: ClaimView) -> list[str]:
    """The heading, the paper, the statement and what the claim assumes."""
    r = c.record
    p = [
        f'<h2><a href="#{c.anchor}">{e(c.id)}</a> {badge(r.verdict, r.expected_verdict)} '
        f"{passed_mark(c)}</h2>",
        f'<p class="paper">{e(c.paper.full)} Kind: {e(r.kind)}. Module <code>{e(r.module)}</code>.'
        "</p>",
        f'<p class="statement">{e(r.statement)}</p>',
    ]
    if r.latex:
        p.append(display_math(r.latex))
    if r.assumptions:
        items = "".join(f"<li>{e(a)}</li>" for a in r.assumptions)
        p.append(f"<h3>Assumptions</h3><ul>{items}</ul>")
    if r.simplification:
        p.append(f"<p><b>Simplification.</b> {e(r.simplification)}</p>")
    return p


def section_figure(c: ClaimView) -> list[str]:
    """The claim's figure with its caption, or why there is none."""
    if c.figure_png is not None:
        shown = img(c.figure_png, f"Figure: {c.id}", "figure")
        if c.record.figure:  # the print-resolution file next to the page
            shown = f'<a href="{e(c.record.figure)}">{shown}</a>'
        return [f'<figure>{shown}<figcaption class="caption">{e(c.caption)}</figcaption></figure>']
    if c.figure_error:
        return [f'<p class="caption">No figure: {e(c.figure_error)}</p>']
    return []


def section_numbers(c: ClaimView) -> list[str]:
    """The predicted and fitted numbers, then the counterexample when there is one."""
    rows = [("Predicted", predicted(c.predicted))] + [(k, e(v)) for k, v in c.numbers]
    p = ["<h3>Numbers</h3>", kv_table(rows)]
    if c.record.fitted:
        p.append(
            "<details><summary>All fitted values</summary><pre>"
            f"{e(json.dumps(c.record.fitted, indent=1))}</pre></details>"
        )
    if c.counterexample is not None:
        p.append('<h3 class="counterexample">Counterexample</h3>')
        p.append(counterexample(c.counterexample))
    return p


def section_derivation(c: ClaimView) -> list[str]:
    """The steps from the paper's statement to the predicted value, when the claim gives them."""
    if not c.derivation:
        return []
    p = ['<h3>Derivation</h3><ol class="steps">']
    for label, tex, text in c.derivation:
        shown = formula(tex, "formula inline", 1.2, f"{label}: {tex}") or f"<code>{e(text)}</code>"
        p.append(f"<li>{e(label)}: {shown}</li>")
    p.append("</ol>")
    return p


def section_mutants(c: ClaimView) -> list[str]:
    """The table of mutants and their verdicts, when the claim has any."""
    if not c.mutants:
        return []
    k, n = c.mutants_caught
    p = [
        f"<h3>Mutants ({k}/{n} refuted)</h3>",
        "<table><thead><tr><th>mutant</th><th>what is wrong</th><th>predicted</th>"
        "<th>fitted</th><th>verdict</th><th>reason</th></tr></thead><tbody>",
    ]
    p += [mutant_row(m) for m in c.mutants]
    p.append("</tbody></table>")
    return p


def section(c: ClaimView) -> str:
    r = c.record
    p = [f'<section class="claim" id="{c.anchor}" data-kind="{e(r.kind)}">']
    p += section_intro(c)
    p += section_figure(c)
    p += section_numbers(c)
    p += section_derivation(c)
    p += section_mutants(c)
    if r.traceback:
        p.append(f"<details><summary>Traceback</summary><pre>{e(r.traceback)}</pre></details>")
    p.append('<p class="back"><a href="#summary">back to the summary</a></p></section>')
    return "\n".join(p)


def paper_row(first: ClaimView, view: ReportView) -> str:
    """The summary table's row that opens a paper's claims."""
    group = next(g for g in view.papers if g.claims[0] is first)
    return (
        f'<tr class="paper-row"><th colspan="11"><a href="#{group.anchor}">'
        f"{e(group.paper.heading)}</a></th></tr>"
    )


def page(view: ReportView) -> str:
    """index.html: the run banner first, the summary, then one section per claim."""
    banner = ""
    if view.banner:
        lines = "".join(f"<p>{e(line)}.</p>" for line in view.banner)
        banner = f'<div class="banner" id="run-banner">{lines}</div>'
    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>ratecheck report</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>ratecheck report</h1>{banner}",
        f'<p class="meta">{e(view.meta)}</p></header>',
        "<main>",
        summary(view),
    ]
    for group in view.papers:
        count = f"{len(group.claims)} claim" + ("s" if len(group.claims) != 1 else "")
        body.append(
            f'<h2 class="paper-group" id="{group.anchor}">{e(group.paper.heading)} '
            f"<small>({count})</small></h2>"
        )
        body += [section(c) for c in group.claims]
    body += ["</main>", "</body></html>"]
    return "\n".join(body) + "\n"
