"""Shared pieces of the report pages: reliability from power.json, formulas rendered with
mathtext, fitted values and papers as text."""

from __future__ import annotations

import functools
import html
import io
import json
import re
import struct
from pathlib import Path
from typing import Any

from .figure_style import fmt, fmt_ci

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


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)
