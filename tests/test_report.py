"""The report writer: the files, a self-contained page, a section and a figure per claim, and
the page as a real headless browser renders it.

The report is built from a real run: the Handbook claims plus small claims of every other kind
(scaling, a log factor with a rerun mutant, order in mpmath, agreement, implication confirmed
and refuted as stated, symbolic), a claim whose evaluation raised and one whose data diverged.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import strategies as st

import theorems.handbook as handbook
from proofs_checks import (
    AT_MOST,
    REFUTED,
    Agreement,
    Comparison,
    ErrorSequence,
    Identity,
    Implication,
    Mutant,
    Order,
    Paper,
    PowerLaw,
    Samples,
    Scaling,
    Search,
    Symbolic,
)
from proofs_checks.claims import Claim, claims_in
from proofs_checks.execution import error_entry
from proofs_checks.report import write_report
from proofs_checks.report_common import mathtext_variants, reliability, render_math
from proofs_checks.results import build, jsonable, read_results, write_results

PAPER = Paper("Worked examples for the report", "A. Author, B. Author", 2024, arxiv="2401.00001")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _spec(func, claim_id, predicted, mutants, **kw):
    kw.setdefault("statement", f"{claim_id} holds")
    return Claim(func, claim_id, paper=PAPER.theorem("Theorem 1"), predicted=predicted,
                 mutants=mutants, **kw)  # fmt: skip


def _scaling(ctx, exponent=1.0):
    kappa = np.geomspace(10, 1e4, 10)
    noise = np.exp(0.05 * ctx.rng.standard_normal((128, 10)))
    return Samples(kappa, 3 * kappa**exponent * noise, x_label="kappa", y_label="iterations")


def _log_factor(ctx, rate=-0.5):
    n = np.geomspace(10, 1e5, 12)
    noise = np.exp(0.1 * ctx.rng.standard_normal((256, 12)))
    return Samples(n, np.log(n) * n**rate * noise, x_label="steps n", y_label="E gap")


def _newton(ctx):
    with mpmath.workdps(80):
        x, errors = mpmath.mpf(1), []
        for _ in range(9):
            errors.append(abs(x - mpmath.sqrt(2)))
            x = (x + 2 / x) / 2
    return ErrorSequence(errors, floor=1e-70, label="|x_k - sqrt 2|")


def _geometric_sum(ctx, off_by_one=False):
    n = np.arange(1, 30)
    computed = np.array([sum(0.5**k for k in range(m + off_by_one)) for m in n])
    return Comparison(computed, 2 - 2.0 ** (1 - n), labels=[f"n={m}" for m in n])


def _even_square(ctx, modulus=2):
    return Search(
        st.integers(0, 10_000),
        premise=lambda k: k % 2 == 0,
        conclusion=lambda k: (k * k) % modulus == 0 if modulus == 2 else (k * k) % 4 == 2,
        describe=lambda k: {"k": k, "k^2": k * k},
    )


def _square_dominates(ctx, strict=False):
    return Search(
        st.floats(0, 10, allow_nan=False),
        premise=lambda x: x >= 0,
        conclusion=(lambda x: x * x > x) if strict else (lambda x: x * x >= x),
        describe=lambda x: {"x": x, "x^2": x * x},
    )


def _binomial(ctx, wrong=False):
    a, b = sympy.symbols("a b", real=True)
    rhs = a**2 + b**2 if wrong else a**2 + 2 * a * b + b**2
    return Identity(
        (a + b) ** 2,
        rhs,
        steps=[("expand", sympy.expand((a + b) ** 2)), ("regroup", a * (a + b) + b * (a + b))],
        test_points=[{a: 1, b: 2}],
    )


def _diverges(ctx):
    y = np.ones((4, 6))
    y[1, 3:] = np.inf
    return Samples(np.arange(1, 7) * 10.0, y)


def _extra_claims() -> list[Claim]:
    return [
        _spec(
            _scaling,
            "demo.scaling.kappa",
            Scaling(exponent=1.0, tolerance=0.1, parameter="kappa"),
            [Mutant("sqrt", "sqrt(kappa) claimed", predicted=Scaling(exponent=0.5, parameter="k"))],
        ),
        _spec(
            _log_factor,
            "demo.power.log_factor",
            PowerLaw(exponent=-0.5, log_power=1, tolerance=0.1, side=AT_MOST),
            [Mutant("no_decay", "the step does not decay", params={"rate": 0.0})],
            latex=r"\mathbb{E}\, f(x_n) - f^* \le C \frac{\log n}{\sqrt{n}}",
            assumptions=("f convex", "G-Lipschitz"),
            simplification="a synthetic rate with log-normal noise",
        ),
        _spec(
            _newton,
            "demo.order.newton",
            Order(order=2.0, tolerance=0.2),
            [Mutant("linear", "linear convergence claimed", predicted=Order(order=1.0))],
            latex=r"e_{k+1} \le C e_k^2",
        ),
        _spec(
            _geometric_sum,
            "demo.agreement.geometric_sum",
            Agreement(rtol=1e-12),
            [Mutant("off_by_one", "one term too many", params={"off_by_one": True})],
        ),
        _spec(
            _even_square,
            "demo.implication.even_square",
            Implication(max_examples=100),
            [Mutant("mod4", "k^2 = 2 mod 4 claimed", params={"modulus": 4})],
        ),
        _spec(
            _square_dominates,
            "demo.implication.square_dominates",
            Implication(max_examples=100),
            [Mutant("strict", "strict inequality", params={"strict": True})],
            # a statement false as stated: x^2 >= x fails on (0, 1)
            expect=REFUTED,
            latex=r"\forall x \ge 0:\; x^2 \ge x",
        ),
        _spec(
            _binomial,
            "demo.symbolic.binomial",
            Symbolic(),
            [Mutant("freshman", "the cross term dropped", params={"wrong": True})],
            latex=r"\begin{cases} (a+b)^2 \end{cases} \undefinedmacro{a}",
        ),
        _spec(
            _diverges,
            "demo.power.diverges",
            PowerLaw(exponent=0.0, tolerance=0.1),
            [Mutant("slope_one", "slope 1", predicted=PowerLaw(exponent=1.0))],
        ),
    ]


FIGURE_KINDS = {"power_law", "scaling", "geometric", "order", "bound", "agreement"}
BROKEN = "demo.broken.raises"
RATE_ID = "handbook.gd.smooth_convex.rate"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A report over every kind; returns (directory, doc)."""
    start = time.perf_counter()
    all_claims = claims_in(handbook) + _extra_claims()
    entries = [jsonable(c.evaluate(seed=3).to_dict()) for c in all_claims]
    entries.append(
        jsonable(error_entry(_extra_claims()[0], 3, "quick", RuntimeError("simulator blew up")))
    )
    entries[-1]["id"] = BROKEN
    doc = build(entries, seed=3, profile="quick", wall_seconds=time.perf_counter() - start)
    directory = tmp_path_factory.mktemp("report")
    write_results(directory, doc)
    power = {
        "schema": 1,
        "profile": "quick",
        "claims": {
            RATE_ID: {
                "seeds_run": 50,
                "expected": 49,
                "mutants": {"accelerated_exponent": {"refuted": 50, "inconclusive": 0}},
            }
        },
    }
    power_path = directory / "power.json"
    power_path.write_text(json.dumps(power))
    write_report(directory, doc, power=power_path)
    return directory, read_results(directory / "results.json")


class Page(HTMLParser):
    """Tags with their attributes, the text of each table cell, and element ids."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.add(attrs["id"])

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag, **match):
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in match.items())
        ]


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def expects_figure(entry) -> bool:
    return entry["kind"] in FIGURE_KINDS and bool(entry["plot"]) and entry["id"] != BROKEN


def test_files_and_figure_fields(run):
    directory, doc = run
    assert (directory / "report.md").is_file() and (directory / "index.html").is_file()
    assert {c["kind"] for c in doc["claims"]} >= FIGURE_KINDS | {"implication", "symbolic"}
    for c in doc["claims"]:
        if expects_figure(c):
            assert c["figure"] == f"figures/{c['id']}.png", c["id"]
            png = (directory / c["figure"]).read_bytes()
            assert png.startswith(PNG_SIGNATURE)
            width = int.from_bytes(png[16:20], "big")
            assert width >= 1000, f"{c['id']}: {width} px is not print resolution"
        else:
            assert c["figure"] is None, c["id"]
    on_disk = {p.name for p in (directory / "figures").iterdir()}
    assert on_disk == {f"{c['id']}.png" for c in doc["claims"] if c["figure"]}
    assert not [p for p in directory.iterdir() if p.name.startswith(".")]  # atomic writes


def test_page_is_self_contained(run):
    directory, _ = run
    text = (directory / "index.html").read_text()
    page = parse(text)
    refs = [a.get(k) for _, a in page.tags for k in ("src", "href") if a.get(k)]
    external = [r for r in refs if r.split(":")[0].lower() in ("http", "https") or r[:2] == "//"]
    assert external == []
    assert not page.find("script") and not page.find("link") and not page.find("iframe")
    assert "@import" not in text and "url(" not in text
    images = page.find("img")
    assert images
    for img in images:
        kind, data = img["src"].split(",", 1)
        assert kind == "data:image/png;base64"
        assert base64.b64decode(data).startswith(PNG_SIGNATURE)
        assert img.get("alt")


def test_summary_table_and_a_section_per_claim(run):
    directory, doc = run
    page = parse((directory / "index.html").read_text())
    rows = [a["data-claim"] for a in page.find("tr") if "data-claim" in a]
    assert rows == [c["id"] for c in doc["claims"]]
    links = {a["href"] for a in page.find("a") if a.get("href", "").startswith("#")}
    for c in doc["claims"]:
        sections = page.find("section", id=f"claim-{c['id']}")
        assert len(sections) == 1 and f"#claim-{c['id']}" in links
    figure_alts = {a["alt"] for a in page.find("img", **{"class": "figure"})}
    assert figure_alts == {f"Figure: {c['id']}" for c in doc["claims"] if c["figure"]}
    text = " ".join(page.text)
    counts = doc["counts"]
    assert counts["refuted"] >= 1 and counts["inconclusive"] >= 2  # the erratum, two broken
    # the erratum listed apart, with its counterexample in its section
    errata = [a for a in page.find("div") if a.get("id") == "errata"]
    assert errata and "Claims that fail as stated" in text
    assert "Counterexample" in text
    assert "not as expected" in text  # the claim that raised and the diverged one
    assert "simulator blew up" in text


def test_reliability_column_from_the_power_benchmark(run):
    directory, _ = run
    html_text = (directory / "index.html").read_text()
    row = html_text.split(f'data-claim="{RATE_ID}"')[1].split("</tr>")[0]
    assert "49/50 seeds" in row
    other = html_text.split('data-claim="demo.order.newton"')[1].split("</tr>")[0]
    assert "–" in other and "seeds" not in other
    assert "refuted 50/50 seeds" in html_text  # the mutant's reliability in its section
    power = {"claims": {"a.b": {"seeds_run": 0, "expected": 0}}}
    assert reliability(power, "a.b") == "–" and reliability({}, "a.b") == "–"


def test_formulas_render_or_fall_back_to_source(run):
    directory, _ = run
    page = parse((directory / "index.html").read_text())
    formulas = [a["alt"] for a in page.find("img") if "formula" in a.get("class", "")]
    assert r"e_{k+1} \le C e_k^2" in formulas  # \le is not mathtext: rewritten, rendered
    assert any(alt.startswith("expand:") for alt in formulas)  # a symbolic derivation step
    text = " ".join(page.text)
    assert r"\undefinedmacro{a}" in text  # unparseable: shown as its source
    assert render_math(r"\undefinedmacro{") is None
    assert render_math(r"\tfrac12 \le x") is not None
    assert mathtext_variants(r"a \le b")[-1] == r"a \leq b"


def test_markdown_report(run):
    directory, doc = run
    md = (directory / "report.md").read_text()
    assert md.startswith("# ratecheck report")
    assert md.index("## Summary") < md.index("| claim |") < md.index(f"## {doc['claims'][0]['id']}")
    for c in doc["claims"]:
        assert f"## {c['id']}" in md and f"[{c['id']}](#claim-{c['id']})" in md
        if c["figure"]:
            assert f"]({c['figure']})" in md
    assert "### Claims that fail as stated" in md and "49/50 seeds" in md


def test_rerun_removes_figures_of_claims_no_longer_run(run, tmp_path):
    directory, doc = run
    shutil.copytree(directory, tmp_path / "r", dirs_exist_ok=True)
    kept = {**doc, "claims": [c for c in doc["claims"] if c["id"] == RATE_ID]}
    write_report(tmp_path / "r", kept, power={})
    assert sorted(p.name for p in (tmp_path / "r" / "figures").iterdir()) == [f"{RATE_ID}.png"]
    assert read_results(tmp_path / "r" / "results.json")["claims"][0]["figure"]


PLUGIN_MODULE = """
import numpy as np
from proofs_checks import Mutant, Paper, PowerLaw, Samples, claim

@claim("demo.inverse.rate", paper=Paper("Demo", "A. Author", 2024).theorem("Theorem 1"),
       statement="y ~ 1/n", predicted=PowerLaw(exponent=-1.0, tolerance=0.05),
       mutants=[Mutant("squared", "1/n^2", predicted=PowerLaw(exponent=-2.0, tolerance=0.05))])
def inverse(ctx):
    n = np.geomspace(10, 1e4, 10)
    return Samples(n, np.exp(0.1 * ctx.rng.standard_normal((64, 10))) / n)
"""


def test_rate_report_option_writes_the_pages(pytester):
    pytester.makepyfile(mytheorems=PLUGIN_MODULE)
    result = pytester.runpytest_subprocess("mytheorems.py", "--rate-report", "out")
    result.assert_outcomes(passed=1)
    out = pytester.path / "out"
    entry = read_results(out / "results.json")["claims"][0]
    assert entry["figure"] == "figures/demo.inverse.rate.png"
    assert (out / entry["figure"]).is_file()
    assert 'id="claim-demo.inverse.rate"' in (out / "index.html").read_text()


# --- a real browser ------------------------------------------------------------------------

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Injected into a copy of the page only (the report itself runs no script): after load, record
# how many images the browser actually decoded.
PROBE = (
    "<script>window.addEventListener('load', () => document.body.setAttribute("
    "'data-decoded', [...document.images].filter(i => i.complete && i.naturalWidth > 0)"
    ".length));</script>"
)


def browser() -> str | None:
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


def headless(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [exe, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(profile)},
    )


@pytest.mark.skipif(
    browser() is None,
    reason="no headless Chromium on PATH (apt-get install chromium); the rendered-page check "
    "was skipped",
)
def test_page_renders_in_headless_chromium(run, tmp_path):
    directory, doc = run
    exe = browser()
    probe = directory / "probe.html"
    probe.write_text((directory / "index.html").read_text().replace("</body>", PROBE + "</body>"))
    try:
        done = headless(
            exe, tmp_path / "profile", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()
        )
    finally:
        probe.unlink()
    assert done.returncode == 0, done.stderr[-2000:]
    dom = parse(done.stdout)
    rows = [a["data-claim"] for a in dom.find("tr") if "data-claim" in a]
    assert rows == [c["id"] for c in doc["claims"]]
    assert dom.find("table", id="summary-table", **{"class": "summary"})
    figures_shown = {a["alt"] for a in dom.find("img", **{"class": "figure"})}
    assert figures_shown == {f"Figure: {c['id']}" for c in doc["claims"] if c["figure"]}
    (body,) = dom.find("body")
    assert int(body["data-decoded"]) == len(dom.find("img")) > len(figures_shown)

    shot = tmp_path / "page.png"
    done = headless(
        exe,
        tmp_path / "profile",
        "--window-size=1280,2000",
        f"--screenshot={shot}",
        (directory / "index.html").as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    png = shot.read_bytes()
    assert png.startswith(PNG_SIGNATURE) and int.from_bytes(png[16:20], "big") == 1280


def test_sparse_and_unknown_entries_still_give_a_page(tmp_path):
    doc = {
        "schema": 1,
        "claims": [
            {"id": "x.bare"},
            {"id": "x.new_kind", "kind": "new_kind", "verdict": "confirmed",
             "plot": {"x": [1, 2, 4], "y": [1.0, 0.5, 0.25]}},
            {"id": "x.corrupt", "kind": "bound", "verdict": "confirmed",
             "plot": {"x": [1, 2, 3], "y": [1, 2], "bound": [3, 3, 3]}},
        ],
    }  # fmt: skip
    write_report(tmp_path, doc, power={})
    figures = {c["id"]: c["figure"] for c in read_results(tmp_path / "results.json")["claims"]}
    assert figures == {"x.bare": None, "x.new_kind": "figures/x.new_kind.png", "x.corrupt": None}
    page = (tmp_path / "index.html").read_text()
    assert 'id="claim-x.bare"' in page and "No figure: ValueError" in page
