"""index.html: one self-contained page (inline CSS, figures and formulas as base64 PNG)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from . import figures
from .figure_style import prediction_kind
from .report_common import (
    DASH,
    MATH_DPI,
    VERDICT_ORDER,
    _counts,
    _e,
    _errata,
    _mutant_counterexample,
    _numbers,
    _png_size,
    _seconds,
    _unexpected,
    _unexpected_why,
    anchor,
    counterexample,
    fitted_text,
    mutant_reliability,
    mutants_caught,
    paper_full,
    paper_short,
    reliability,
    render_math,
)

CSS = """
:root { --ok: #1b7f3b; --bad: #b3261e; --unsure: #9a6700; --erratum: #6f42c1;
        --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1240px; padding: 24px 28px 64px;
       line-height: 1.45; font-size: 15px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 6px; word-break: break-word; }
h3 { font-size: 15px; margin: 18px 0 6px; }
a { color: #0757b0; text-decoration: none; }
a:hover { text-decoration: underline; }
.meta, .paper, .caption { color: var(--muted); font-size: 13.5px; }
.counts { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0 16px; }
.count { border: 1px solid var(--line); border-radius: 8px; padding: 8px 16px; min-width: 130px;
         background: var(--soft); }
.count b { display: block; font-size: 26px; }
.count.confirmed b { color: var(--ok); } .count.refuted b { color: var(--bad); }
.count.inconclusive b { color: var(--unsure); }
.notice { border-left: 4px solid var(--bad); background: #fff5f5; padding: 8px 14px;
          margin: 12px 0; }
.errata { border-left: 4px solid var(--erratum); background: #f8f5ff; padding: 8px 14px;
          margin: 12px 0; }
.notice ul, .errata ul { margin: 4px 0; padding-left: 20px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left;
         vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
table.summary td:first-child { font-family: ui-monospace, "DejaVu Sans Mono", monospace;
                               font-size: 12.5px; min-width: 190px; }
td.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.fit { font-variant-numeric: tabular-nums; min-width: 150px; overflow-wrap: anywhere; }
td { overflow-wrap: break-word; }
table.summary td:nth-child(2) { min-width: 150px; }
table.summary td { padding: 4px 8px; font-size: 13px; }
.scroll { overflow-x: auto; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 12.5px;
         font-weight: 600; color: #fff; white-space: nowrap; }
.badge.confirmed { background: var(--ok); } .badge.refuted { background: var(--bad); }
.badge.inconclusive { background: var(--unsure); }
.badge.erratum { background: var(--erratum); }
.pass { color: var(--ok); font-weight: 700; } .fail { color: var(--bad); font-weight: 700; }
section.claim { border-top: 2px solid var(--line); margin-top: 36px; padding-top: 18px; }
.statement { font-size: 15.5px; }
.math { margin: 10px 0; overflow-x: auto; } .math img { display: block; margin: 4px 0; }
img.inline { vertical-align: middle; }
figure { margin: 14px 0; } figure img { max-width: 100%; height: auto;
         border: 1px solid var(--line); }
table.kv th { width: 150px; background: none; color: var(--muted); font-weight: 500; }
pre, code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
pre { background: var(--soft); padding: 10px; overflow-x: auto; white-space: pre-wrap; }
details { margin: 8px 0; } summary { cursor: pointer; color: var(--muted); }
ol.steps li { margin: 6px 0; } ol.steps img { vertical-align: middle; }
.back { font-size: 13px; margin-top: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  section.claim { break-before: page; }
  figure, table, .math { break-inside: avoid; }
  .back, details { display: none; }
  a { color: inherit; }
}
"""


def _short_cell(text: str, limit: int = 60) -> str:
    """A table cell's text cut at ``limit`` characters, in full in its tooltip."""
    if len(text) <= limit:
        return _e(text)
    return f'<span title="{_e(text)}">{_e(text[: limit - 1].rstrip())}…</span>'


def _breakable(claim_id: str) -> str:
    """A dotted id that may wrap after its dots, never inside a word."""
    return ".<wbr>".join(_e(part) for part in claim_id.split("."))


def _img(png: bytes, alt: str, css_class: str, dpi: float, scale: float = 1.0) -> str:
    """An <img> with the PNG inline, sized in CSS pixels from its print resolution."""
    width, height = _png_size(png)
    w, h = round(width * 96 / dpi * scale), round(height * 96 / dpi * scale)
    data = base64.b64encode(png).decode("ascii")
    cls = f' class="{css_class}"' if css_class else ""
    return f'<img{cls} src="data:image/png;base64,{data}" alt="{_e(alt)}" width="{w}" height="{h}">'


def _math_html(latex: str, scale: float = 1.4) -> str:
    images = render_math(latex)
    if images is None:
        return f'<div class="math"><code>{_e(latex)}</code></div>'
    imgs = "".join(_img(png, latex, "formula", MATH_DPI, scale) for png in images)
    return f'<div class="math">{imgs}</div>'


def _predicted_html(item: dict[str, Any], kind: str) -> str:
    """The prediction in words; a bound's formula rendered with mathtext."""
    pred = item.get("predicted") or {}
    expression = pred.get("bound") if kind == "bound" else None
    # only formulas go through mathtext: plain words ("1 (inside both sandwiches)") stay text
    formula = expression and re.search(r"[\\^_{]", expression)
    images = render_math(expression) if formula else None
    if not images:
        return _e(item.get("predicted_text", DASH))
    word = {"at_least": "at least"}.get(pred.get("side"), "at most")
    shown = "".join(_img(png, expression, "formula inline", MATH_DPI, 1.0) for png in images)
    return f"{word} {shown}"


def _badge(verdict: str, expected: str | None) -> str:
    cls = verdict
    label = verdict
    if expected == "refuted" and verdict == "refuted":
        cls, label = "erratum", "refuted (as expected)"
    return f'<span class="badge {_e(cls)}">{_e(label)}</span>'


def _passed_mark(c: dict[str, Any]) -> str:
    if c.get("passed", True):
        return '<span class="pass" title="as expected">✓</span>'
    return f'<span class="fail" title="{_e(_unexpected_why(c))}">✗</span>'


def _kv_table(rows: list[tuple[str, str]], escaped: bool = False) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{v if escaped else _e(v)}</td></tr>" for k, v in rows)
    return f'<table class="kv">{body}</table>'


def _summary_html(doc: dict[str, Any], power: dict[str, Any]) -> str:
    claims = doc.get("claims") or []
    counts = _counts(doc)
    parts = ['<h2 id="summary">Summary</h2>', '<div class="counts">']
    for v in VERDICT_ORDER:
        expected = sum(c.get("verdict") == v == c.get("expected_verdict") for c in claims)
        note = f" <small>({expected} as expected)</small>" if v != "confirmed" and expected else ""
        parts.append(f'<div class="count {v}"><b>{counts[v]}</b>{v}{note}</div>')
    k_all = sum(mutants_caught(c)[0] for c in claims)
    n_all = sum(mutants_caught(c)[1] for c in claims)
    parts.append(f'<div class="count"><b>{k_all}/{n_all}</b>mutants refuted</div></div>')
    unexpected = _unexpected(doc)
    if unexpected:
        items = "".join(
            f'<li><a href="#{anchor(c["id"])}">{_e(c["id"])}</a>: {_e(_unexpected_why(c))}</li>'
            for c in unexpected
        )
        parts.append(
            f'<div class="notice"><b>{len(unexpected)} claim(s) not as expected</b>'
            f"<ul>{items}</ul></div>"
        )
    else:
        parts.append("<p>Every claim got its expected verdict and every mutant was refuted.</p>")
    errata = _errata(doc)
    if errata:
        items = "".join(
            f'<li><a href="#{anchor(c["id"])}">{_e(c["id"])}</a> '
            f"({_e(paper_short(c.get('paper') or {}))}): {_badge(c.get('verdict', ''), 'refuted')}"
            f" {_e(c.get('reason', ''))}</li>"
            for c in errata
        )
        parts.append(
            '<div class="errata" id="errata"><b>Claims that fail as stated</b> (the check is '
            f"expected to refute them)<ul>{items}</ul></div>"
        )
    rel_note = ""
    if power:
        rel_note = (
            f' title="expected verdict over seeds, {_e(power.get("profile", ""))} profile '
            '(benchmarks/results/power.json)"'
        )
    parts.append(
        '<div class="scroll"><table class="summary" id="summary-table"><thead><tr>'
        "<th>claim</th><th>paper</th>"
        "<th>predicted</th><th>fitted (95% CI)</th><th>verdict</th><th>mutants caught</th>"
        f"<th{rel_note}>reliability</th><th>time</th><th></th></tr></thead><tbody>"
    )
    for c in claims:
        k, n = mutants_caught(c)
        parts.append(
            f'<tr data-claim="{_e(c["id"])}"><td><a href="#{anchor(c["id"])}">'
            f"{_breakable(c['id'])}</a>"
            f"</td><td>{_short_cell(paper_short(c.get('paper') or {}), 44)}</td>"
            f"<td>{_predicted_html(c, c.get('kind', ''))}</td>"
            f'<td class="fit">{_short_cell(fitted_text(c.get("fitted"), c.get("kind", "")), 90)}'
            "</td>"
            f"<td>{_badge(c.get('verdict', ''), c.get('expected_verdict'))}</td>"
            f'<td class="num">{k}/{n}</td><td class="num">{_e(reliability(power, c["id"]))}</td>'
            f'<td class="num">{_e(_seconds(c.get("seconds")))}</td><td>{_passed_mark(c)}</td>'
            "</tr>"
        )
    parts.append("</tbody></table></div>")
    return "\n".join(parts)


def _section_html(c: dict[str, Any], figure_png: bytes | None, power: dict[str, Any]) -> str:
    cid, kind = c["id"], c.get("kind", "")
    p = [f'<section class="claim" id="{anchor(cid)}" data-kind="{_e(kind)}">']
    p.append(
        f'<h2><a href="#{anchor(cid)}">{_e(cid)}</a> '
        f"{_badge(c.get('verdict', ''), c.get('expected_verdict'))} {_passed_mark(c)}</h2>"
    )
    p.append(
        f'<p class="paper">{_e(paper_full(c.get("paper") or {}))} Kind: {_e(kind)}. '
        f"Module <code>{_e(c.get('module', ''))}</code>.</p>"
    )
    p.append(f'<p class="statement">{_e(c.get("statement", ""))}</p>')
    if c.get("latex"):
        p.append(_math_html(c["latex"]))
    if c.get("assumptions"):
        items = "".join(f"<li>{_e(a)}</li>" for a in c["assumptions"])
        p.append(f"<h3>Assumptions</h3><ul>{items}</ul>")
    if c.get("simplification"):
        p.append(f"<p><b>Simplification.</b> {_e(c['simplification'])}</p>")
    if figure_png is not None:
        p.append(
            f"<figure>{_img(figure_png, f'Figure: {cid}', 'figure', figures.DPI, 1.3)}"
            f'<figcaption class="caption">{_e(figures.caption(kind))}</figcaption></figure>'
        )
    elif c.get("figure_error"):
        p.append(f'<p class="caption">No figure: {_e(c["figure_error"])}</p>')
    p.append("<h3>Numbers</h3>")
    rows = [
        (k, _predicted_html(c, kind) if k == "Predicted" else _e(v)) for k, v in _numbers(c, power)
    ]
    p.append(_kv_table(rows, escaped=True))
    if c.get("fitted"):
        p.append(
            "<details><summary>All fitted values</summary><pre>"
            f"{_e(json.dumps(c['fitted'], indent=1))}</pre></details>"
        )
    cx = counterexample(c)
    if cx is not None:
        p.append('<h3 class="counterexample">Counterexample</h3>')
        if isinstance(cx, dict) and all(not isinstance(v, dict | list) for v in cx.values()):
            p.append(_kv_table([(str(k), str(v)) for k, v in cx.items()]))
        else:
            p.append(f"<pre>{_e(json.dumps(cx, indent=1))}</pre>")
    steps = (c.get("plot") or {}).get("steps")
    if kind == "symbolic" and steps:
        p.append('<h3>Derivation</h3><ol class="steps">')
        for label, tex, *rest in steps:
            images = render_math(tex)
            if images is None:
                shown = f"<code>{_e(rest[0] if rest else tex)}</code>"
            else:
                shown = "".join(
                    _img(png, f"{label}: {tex}", "formula inline", MATH_DPI, 1.2) for png in images
                )
            p.append(f"<li>{_e(label)}: {shown}</li>")
        p.append("</ol>")
    mutants = c.get("mutants") or []
    if mutants:
        k, n = mutants_caught(c)
        p.append(f"<h3>Mutants ({k}/{n} refuted)</h3>")
        p.append(
            "<table><thead><tr><th>mutant</th><th>what is wrong</th><th>predicted</th>"
            "<th>fitted</th><th>verdict</th><th>reason</th></tr></thead><tbody>"
        )
        for m in mutants:
            mkind = prediction_kind(m.get("predicted") or {}, kind)
            rel = mutant_reliability(power, cid, m.get("name", ""))
            rel = f"<br><small>{_e(rel)}</small>" if rel != DASH else ""
            ok = m.get("verdict") == m.get("expected_verdict", "refuted")
            p.append(
                f"<tr><td><code>{_e(m.get('name'))}</code></td><td>{_e(m.get('description'))}"
                f"</td><td>{_predicted_html(m, mkind)}</td>"
                f'<td class="fit">{_short_cell(fitted_text(m.get("fitted"), mkind), 90)}</td>'
                f'<td><span class="badge {"confirmed" if ok else "inconclusive"}">'
                f"{_e(m.get('verdict'))}</span>{rel}</td><td>{_e(m.get('reason'))}"
                f"{_mutant_counterexample(m)}</td></tr>"
            )
        p.append("</tbody></table>")
    if c.get("traceback"):
        p.append(f"<details><summary>Traceback</summary><pre>{_e(c['traceback'])}</pre></details>")
    p.append('<p class="back"><a href="#summary">back to the summary</a></p></section>')
    return "\n".join(p)


def html_page(doc: dict[str, Any], pngs: dict[str, bytes], power: dict[str, Any]) -> str:
    """index.html: one self-contained page, figures and formulas inline."""
    claims = doc.get("claims") or []
    meta = (
        f"Seed {_e(doc.get('seed'))} · profile {_e(doc.get('profile'))} · ratecheck "
        f"{_e(doc.get('package_version'))} · Python {_e(doc.get('python', '?'))} · numpy "
        f"{_e(doc.get('numpy', '?'))} · {len(claims)} claims in "
        f"{_e(_seconds(doc.get('wall_seconds')))}"
    )
    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>ratecheck report</title>",
        f"<style>{CSS}</style></head><body>",
        "<header><h1>ratecheck report</h1>",
        f'<p class="meta">{meta}</p></header>',
        "<main>",
        _summary_html(doc, power),
    ]
    for c in claims:
        body.append(_section_html(c, pngs.get(c["id"]), power))
    body += ["</main>", "</body></html>"]
    return "\n".join(body) + "\n"


# --- entry point ---------------------------------------------------------------------------
