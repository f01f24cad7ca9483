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

import json
from pathlib import Path
from typing import Any

from . import figures
from .figure_style import prediction_kind
from .report_common import (
    VERDICT_ORDER,
    _counts,
    _errata,
    _md_cell,
    _numbers,
    _predicted_md,
    _seconds,
    _unexpected,
    _unexpected_why,
    anchor,
    counterexample,
    fitted_text,
    load_power,
    mutants_caught,
    paper_full,
    paper_short,
    reliability,
)
from .report_html import (
    html_page,
)
from .results import write_atomic, write_results


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
