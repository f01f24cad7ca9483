"""The report of a run: report.md, a self-contained index.html and figures/<claim id>.png.

``write_report(directory, doc)`` takes a results.json document (schema 1), draws each claim's
figure (:mod:`proofs_checks.figures`), fills the entries' ``figure`` fields and rewrites
results.json atomically, then writes the two pages. index.html embeds everything it shows
(figures and rendered formulas as base64 PNG, CSS inline): it opens from disk, offline, and
fetches nothing. Formulas are rendered with matplotlib's mathtext (no MathJax offline); a
formula mathtext cannot parse is shown as its LaTeX source.

The summary comes first: counts of verdicts, the claims shown false as stated (expected
``refuted``) listed apart, claims whose outcome is not the expected one, and a table with one
row per claim linking to its section. The "reliability" column comes from
``benchmarks/results/power.json`` (how often the claim got its expected verdict over many
seeds) when that file exists.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import json
import re
import struct
from pathlib import Path
from typing import Any

from . import figures
from .figure_style import fmt, fmt_ci, prediction_kind
from .results import write_atomic, write_results

DASH = "–"
VERDICT_ORDER = ("confirmed", "refuted", "inconclusive")
MATH_DPI = 200
MATH_SIZE = 12  # points


# --- reliability (benchmarks/results/power.json) -------------------------------------------


def default_power_path() -> Path | None:
    """benchmarks/results/power.json of the working directory or of the source checkout."""
    here = Path(__file__).resolve().parents[1]
    for root in (Path.cwd(), here):
        path = root / "benchmarks" / "results" / "power.json"
        if path.is_file():
            return path
    return None


def load_power(power: Path | dict | None) -> dict[str, Any]:
    """The power benchmark document, or an empty dict when there is none (or it is unreadable)."""
    if isinstance(power, dict):
        return power
    path = Path(power) if power is not None else default_power_path()
    if path is None or not path.is_file():
        return {}
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc.get("claims"), dict) else {}


def reliability(power: dict[str, Any], claim_id: str) -> str:
    """``"49/50 seeds"``: how often the claim got its expected verdict; ``–`` if unmeasured."""
    s = (power.get("claims") or {}).get(claim_id)
    if not s or not s.get("seeds_run"):
        return DASH
    return f"{s.get('expected', 0)}/{s['seeds_run']} seeds"


def mutant_reliability(power: dict[str, Any], claim_id: str, name: str) -> str:
    s = (power.get("claims") or {}).get(claim_id) or {}
    m = (s.get("mutants") or {}).get(name)
    if not m or not s.get("seeds_run"):
        return DASH
    return f"refuted {m.get('refuted', 0)}/{s['seeds_run']} seeds"


# --- formulas ------------------------------------------------------------------------------

_REPLACEMENTS = [
    (r"\\(?:begin|end)\{[a-zA-Z*]+\}", ""),
    (r"\\(?:displaystyle|textstyle|nonumber|notag)(?![a-zA-Z])", ""),
    (r"\\(?:label|tag)\{[^{}]*\}", ""),
    (r"\\[bB]igg?[lrm]?(?![a-zA-Z])", ""),
    (r"\\(?:l|r)vert(?![a-zA-Z])", "|"),
    (r"\\(?:l|r)Vert(?![a-zA-Z])", r"\\Vert "),
    (r"\\[td]frac(?![a-zA-Z])", r"\\frac"),
    (r"\\frac(\d)(\d)", r"\\frac{\1}{\2}"),
    (r"\\sqrt\s*([A-Za-z0-9])", r"\\sqrt{\1}"),
    (r"\\le(?![a-zA-Z])", r"\\leq"),
    (r"\\ge(?![a-zA-Z])", r"\\geq"),
    (r"\\(?:textbf|bm)\{", r"\\mathbf{"),
    (r"\\(?:textrm|textup)\{", r"\\mathrm{"),
    (r"\\(?:textit|emph)\{", r"\\mathit{"),
    (r"\\operatorname\*", r"\\operatorname"),
    (r"\\mathop\{([^{}]*)\}", r"\1"),
    (r"\\coloneqq(?![a-zA-Z])", ":="),
    (r"\\eqqcolon(?![a-zA-Z])", "=:"),
    (r"\\implies(?![a-zA-Z])", r"\\Rightarrow"),
    (r"\\iff(?![a-zA-Z])", r"\\Leftrightarrow"),
    (r"\\gets(?![a-zA-Z])", r"\\leftarrow"),
    (r"\\land(?![a-zA-Z])", r"\\wedge"),
    (r"\\lor(?![a-zA-Z])", r"\\vee"),
    (r"\\xrightarrow\{[^{}]*\}", r"\\rightarrow"),
    (r"\\stackrel\{([^{}]*)\}", r"\\overset{\1}"),
    (r"&", ""),
]


def mathtext_variants(latex: str) -> list[str]:
    """The formula as written, then rewritten into the subset of LaTeX mathtext parses."""
    text = latex.strip().strip("$").strip()
    simpler = text
    for pattern, repl in _REPLACEMENTS:
        simpler = re.sub(pattern, repl, simpler)
    return [text] if simpler == text else [text, simpler]


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def render_math(latex: str) -> list[bytes] | None:
    """PNG images of a formula (one per line of a multi-line one), or None if mathtext fails."""
    images = _render_math(latex)
    return None if images is None else list(images)


@functools.lru_cache(maxsize=512)
def _render_math(latex: str) -> tuple[bytes, ...] | None:
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    if not latex or not latex.strip():
        return None
    prop = FontProperties(family="DejaVu Sans", size=MATH_SIZE)
    for variant in mathtext_variants(latex):
        lines = [ln.strip() for ln in re.split(r"\\\\", variant) if ln.strip()]
        if not lines:
            continue
        images = []
        try:
            for line in lines:
                buf = io.BytesIO()
                mathtext.math_to_image(f"${line}$", buf, prop=prop, dpi=MATH_DPI, format="png")
                images.append(buf.getvalue())
        except Exception:  # mathtext raises ValueError, sometimes others, on what it cannot parse
            continue
        return tuple(images)
    return None


# --- numbers shown for each kind -----------------------------------------------------------


def fitted_text(fitted: dict[str, Any] | None, kind: str, verdict: str = "") -> str:
    """The fitted value with its interval, worded for the kind."""
    f = fitted or {}
    if kind in ("power_law", "scaling") and f.get("estimate") is not None:
        return f"slope {fmt_ci(f['estimate'], f.get('ci'))}"
    if kind == "geometric" and f.get("estimate") is not None:
        return f"ρ̂ = {fmt_ci(f['estimate'], f.get('ci'))}"
    if kind == "order" and f.get("estimate") is not None:
        return f"order {fmt_ci(f['estimate'], f.get('ci'))}"
    if kind == "agreement" and f.get("estimate") is not None:
        # The engine's "ci" here holds how far each end of the Monte Carlo band lies from the
        # reference (the largest over comparisons), not an interval around the estimate.
        text = f"max relative error {fmt(f['estimate'])}"
        ci = f.get("ci")
        if ci and None not in ci and fmt(max(ci)) != fmt(f["estimate"]):
            text += f" (band reaches {fmt(max(ci))})"
        return text
    if kind == "implication" and "instances" in f:
        if "counterexample" in f:
            return f"counterexample after {f['instances']} instances"
        held = f.get("premise_held")
        extra = f" ({held} met the premise)" if held is not None else ""
        return f"no counterexample in {f['instances']} instances{extra}"
    if kind == "symbolic" and "residual" in f:
        return f"residual {f['residual']}"
    if f.get("estimate") is not None:
        label = f.get("statistic") or "estimate"
        return f"{label} = {fmt_ci(f['estimate'], f.get('ci'))}"
    return DASH


def mutants_caught(entry: dict[str, Any]) -> tuple[int, int]:
    mutants = entry.get("mutants") or []
    caught = sum(m.get("verdict") == m.get("expected_verdict", "refuted") for m in mutants)
    return caught, len(mutants)


def paper_short(paper: dict[str, Any]) -> str:
    names = [a.strip().split(" ")[-1] for a in (paper.get("authors") or "").split(",") if a]
    who = " & ".join(names) if len(names) <= 2 else f"{names[0]} et al."
    return f"{who} {paper.get('year', '')}, {paper.get('theorem', '')}".strip(", ")


def paper_full(paper: dict[str, Any]) -> str:
    parts = [f"{paper.get('authors', '')} ({paper.get('year', '')}). {paper.get('title', '')}."]
    if paper.get("venue"):
        parts.append(f"{paper['venue']}.")
    if paper.get("arxiv"):
        parts.append(f"arXiv:{paper['arxiv']}.")
    if paper.get("theorem"):
        parts.append(f"{paper['theorem']}.")
    return " ".join(parts)


def counterexample(entry: dict[str, Any]) -> Any:
    if entry.get("counterexample") is not None:
        return entry["counterexample"]
    return (entry.get("fitted") or {}).get("counterexample")


def anchor(claim_id: str) -> str:
    return "claim-" + re.sub(r"[^a-zA-Z0-9_.-]", "-", claim_id)


def _seconds(s: Any) -> str:
    if not isinstance(s, int | float):
        return DASH
    return f"{s:.2f} s" if s < 100 else f"{s / 60:.1f} min"


def _counts(doc: dict[str, Any]) -> dict[str, int]:
    claims = doc.get("claims") or []
    return {v: sum(c.get("verdict") == v for c in claims) for v in VERDICT_ORDER}


def _errata(doc):
    return [c for c in doc.get("claims") or [] if c.get("expected_verdict") == "refuted"]


def _unexpected(doc):
    return [c for c in doc.get("claims") or [] if not c.get("passed", True)]


def _unexpected_why(c: dict[str, Any]) -> str:
    why = []
    if c.get("verdict") != c.get("expected_verdict"):
        why.append(f"{c.get('verdict')}, expected {c.get('expected_verdict')}")
    survivors = [
        m["name"]
        for m in c.get("mutants") or []
        if m.get("verdict") != m.get("expected_verdict", "refuted")
    ]
    if survivors:
        why.append("mutants not refuted: " + ", ".join(survivors))
    return "; ".join(why) or "failed"


# --- markdown ------------------------------------------------------------------------------


def _predicted_md(item: dict[str, Any], kind: str) -> str:
    """The prediction in words; a bound's formula as inline LaTeX."""
    pred = item.get("predicted") or {}
    if kind == "bound" and pred.get("bound"):
        word = {"at_least": "at least"}.get(pred.get("side"), "at most")
        return f"{word} ${pred['bound']}$"
    return item.get("predicted_text", DASH)


def _md_cell(text: Any) -> str:
    return str(text).replace("|", r"\|").replace("\n", " ")


def markdown(doc: dict[str, Any], power: dict[str, Any]) -> str:
    """report.md: the same content as index.html, figures linked, formulas as LaTeX."""
    claims = doc.get("claims") or []
    counts = _counts(doc)
    out = ["# ratecheck report", ""]
    out.append(
        f"Seed {doc.get('seed')}, profile {doc.get('profile')}, ratecheck "
        f"{doc.get('package_version')}, Python {doc.get('python', '?')}, numpy "
        f"{doc.get('numpy', '?')}; {len(claims)} claims in {_seconds(doc.get('wall_seconds'))}."
    )
    out += ["", '<a id="summary"></a>', "## Summary", ""]
    out.append(", ".join(f"**{counts[v]} {v}**" for v in VERDICT_ORDER) + ".")
    unexpected = _unexpected(doc)
    out.append(
        ""
        if not unexpected
        else f"\n**{len(unexpected)} not as expected:** "
        + "; ".join(f"[{c['id']}](#{anchor(c['id'])}) ({_unexpected_why(c)})" for c in unexpected)
    )
    errata = _errata(doc)
    if errata:
        out += ["", "### Claims that fail as stated", ""]
        for c in errata:
            out.append(
                f"- [{c['id']}](#{anchor(c['id'])}), {paper_short(c.get('paper') or {})}: "
                f"{c.get('verdict')}. {c.get('reason', '')}"
            )
    out += [
        "",
        "| claim | paper | predicted | fitted (95% CI) | verdict | mutants caught | reliability |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in claims:
        k, n = mutants_caught(c)
        verdict = c.get("verdict", "")
        if c.get("expected_verdict") and c.get("expected_verdict") != "confirmed":
            verdict += f" (expected {c['expected_verdict']})"
        cells = [
            f"[{c['id']}](#{anchor(c['id'])})",
            paper_short(c.get("paper") or {}),
            _predicted_md(c, c.get("kind", "")),
            fitted_text(c.get("fitted"), c.get("kind", "")),
            verdict,
            f"{k}/{n}",
            reliability(power, c["id"]),
        ]
        out.append("| " + " | ".join(_md_cell(x) for x in cells) + " |")
    for c in claims:
        out += ["", f'<a id="{anchor(c["id"])}"></a>', f"## {c['id']}", ""]
        out.append(f"*{paper_full(c.get('paper') or {})}* Module `{c.get('module', '')}`.")
        out += ["", c.get("statement", "")]
        if c.get("latex"):
            out += ["", "$$", c["latex"], "$$"]
        if c.get("assumptions"):
            out += ["", "**Assumptions.**", ""] + [f"- {a}" for a in c["assumptions"]]
        if c.get("simplification"):
            out += ["", f"**Simplification.** {c['simplification']}"]
        if c.get("figure"):
            out += ["", f"![{c['id']}]({c['figure']})", "", f"*{figures.caption(c['kind'])}*"]
        out += ["", "| | |", "| --- | --- |"]
        for key, value in _numbers(c, power):
            shown = _predicted_md(c, c.get("kind", "")) if key == "Predicted" else value
            out.append(f"| {key} | {_md_cell(shown)} |")
        cx = counterexample(c)
        if cx is not None:
            out += ["", "**Counterexample.**", "", "```json", json.dumps(cx, indent=1), "```"]
        steps = (c.get("plot") or {}).get("steps")
        if c.get("kind") == "symbolic" and steps:
            out += ["", "**Derivation.**", ""]
            for i, (label, tex, *_rest) in enumerate(steps, 1):
                out.append(f"{i}. {label}: ${tex}$")
        mutants = c.get("mutants") or []
        if mutants:
            k, n = mutants_caught(c)
            out += [
                "",
                f"**Mutants ({k}/{n} refuted).**",
                "",
                "| mutant | what is wrong | predicted | fitted | verdict | reason |",
                "| --- | --- | --- | --- | --- | --- |",
            ]
            for m in mutants:
                kind = prediction_kind(m.get("predicted") or {}, c.get("kind", ""))
                cells = [
                    m.get("name"),
                    m.get("description", ""),
                    _predicted_md(m, kind),
                    fitted_text(m.get("fitted"), kind),
                    m.get("verdict"),
                    m.get("reason", ""),
                ]
                out.append("| " + " | ".join(_md_cell(x) for x in cells) + " |")
        out += ["", "[back to the summary](#summary)"]
    return "\n".join(out) + "\n"


METHODS = {
    "implication": (
        "property-based search (hypothesis) for an instance where the premise holds and the "
        "conclusion fails, shrunk to a minimal one; a confirmation is a search, not a proof"
    ),
    "symbolic": "sympy simplification of the residual; refuted by a test point in 50 digits",
}


def _mutant_counterexample(m: dict[str, Any]) -> str:
    cx = (m.get("fitted") or {}).get("counterexample")
    if cx is None:
        return ""
    return (
        f"<details><summary>counterexample</summary><pre>{_e(json.dumps(cx, indent=1))}</pre>"
        "</details>"
    )


def _numbers(c: dict[str, Any], power: dict[str, Any]) -> list[tuple[str, str]]:
    f = c.get("fitted") or {}
    rows = [
        ("Predicted", c.get("predicted_text", DASH)),
        ("Fitted", fitted_text(f, c.get("kind", ""))),
    ]
    if f.get("r2") is not None:
        rows.append(("R²", fmt(f["r2"], 4)))
    if f.get("window"):
        rows.append(("Fit window", f"{fmt(f['window'][0])} to {fmt(f['window'][1])}"))
    verdict = c.get("verdict", "")
    exp = c.get("expected_verdict")
    rows.append(("Verdict", f"{verdict} (expected {exp})" if exp else verdict))
    rows.append(("Reason", c.get("reason", "")))
    if c.get("kind") in METHODS:
        rows.append(("Method", METHODS[c["kind"]]))
    rows.append(("Replicates", str(c.get("replicates", DASH))))
    rows.append(("Seed", str(c.get("seed", DASH))))
    rows.append(("Profile", str(c.get("profile", DASH))))
    rows.append(("Run time", _seconds(c.get("seconds"))))
    rows.append(("Reliability", reliability(power, c["id"])))
    return rows


# --- html ----------------------------------------------------------------------------------

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


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


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


def write_report(directory: Path, doc: dict, power: Path | dict | None = None) -> None:
    """Write figures/, report.md and index.html for ``doc`` into ``directory``.

    Each claim's ``figure`` field is set to ``figures/<id>.png`` (or left None when its kind has
    no figure) in ``doc`` itself, and results.json is rewritten atomically with it. A figure
    that cannot be drawn does not stop the report: the claim's section says why.
    ``power`` is the power benchmark (a path or its document); by default
    ``benchmarks/results/power.json`` when it exists.
    """
    directory = Path(directory)
    fig_dir = directory / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    power_doc = load_power(power)
    pngs: dict[str, bytes] = {}
    for c in doc.get("claims") or []:
        c["figure"] = None
        c.pop("figure_error", None)
        try:
            png = figures.render_png(c)
        except Exception as exc:  # shown in the claim's section, never silently dropped
            c["figure_error"] = f"{type(exc).__name__}: {exc}"
            continue
        if png is not None:
            name = f"{c['id']}.png"
            write_atomic(fig_dir / name, png)
            c["figure"] = f"figures/{name}"
            pngs[c["id"]] = png
    keep = {f"{cid}.png" for cid in pngs}
    for stale in fig_dir.glob("*.png"):  # figures of claims no longer in this run
        if stale.name not in keep:
            stale.unlink(missing_ok=True)
    write_results(directory, doc)
    write_atomic(directory / "report.md", markdown(doc, power_doc))
    write_atomic(directory / "index.html", html_page(doc, pngs, power_doc))
