"""The report writer: the files, a self-contained page under its size budget, a section and a
figure per claim, exact values shown as exact, the run banner, and a kind defined outside the
package getting a full section through its own hooks.

The report is built from a real run of small claims of every kind (:mod:`report_demo`).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from report_demo import BROKEN, RATE_ID, evaluate, parse, spec, write_demo_report

from proofs_checks import AT_LEAST, CONFIRMED, REFUTED, Judgement, Kind, Mutant, Samples
from proofs_checks.figures import figure
from proofs_checks.figures.style import STYLE
from proofs_checks.kinds import KINDS, kind_class, register
from proofs_checks.records import RunInfo
from proofs_checks.report import Reliability, write_report
from proofs_checks.report.math import mathtext_variants, render_math
from proofs_checks.results import read_results, read_run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PAGE_BUDGET = 3_000_000  # bytes of index.html for the whole theorem suite
ENGINE = Path(__file__).resolve().parents[1] / "proofs_checks"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A report over every kind, written from a results.json document; (directory, doc)."""
    directory = tmp_path_factory.mktemp("report")
    write_demo_report(directory)
    return directory, read_results(directory / "results.json")


def section_of(html_text: str, claim_id: str) -> str:
    return html_text.split(f'id="claim-{claim_id}"')[1].split("</section>")[0]


def png_width(png: bytes) -> int:
    return int.from_bytes(png[16:20], "big")


def expects_figure(entry) -> bool:
    return kind_class(entry["kind"]).has_figure and bool(entry["plot"]) and entry["id"] != BROKEN


def test_files_and_figure_fields(run):
    directory, doc = run
    assert (directory / "report.md").is_file() and (directory / "index.html").is_file()
    kinds = {c["kind"] for c in doc["claims"]}
    assert kinds >= {"power_law", "scaling", "geometric", "order", "bound", "agreement"}
    assert kinds >= {"implication", "symbolic"}
    for c in doc["claims"]:
        if expects_figure(c):
            assert c["figure"] == f"figures/{c['id']}.png", c["id"]
            png = (directory / c["figure"]).read_bytes()
            assert png.startswith(PNG_SIGNATURE)
            assert png_width(png) >= 1000, f"{c['id']}: {png_width(png)} px is not print resolution"
        else:
            assert c["figure"] is None, c["id"]
    on_disk = {p.name for p in (directory / "figures").iterdir()}
    assert on_disk == {f"{c['id']}.png" for c in doc["claims"] if c["figure"]}
    assert not [p for p in directory.iterdir() if p.name.startswith(".")]  # atomic writes


def test_page_is_self_contained(run):
    directory, doc = run
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
    # figures embedded at screen resolution, linked to the print-resolution files
    for img in page.find("img", **{"class": "figure"}):
        assert png_width(base64.b64decode(img["src"].split(",", 1)[1])) < 1000
    links = {a["href"] for a in page.find("a")}
    assert {c["figure"] for c in doc["claims"] if c["figure"]} <= links


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
    assert [a for a in page.find("div") if a.get("id") == "errata"]
    assert "Claims that fail as stated" in text and "Counterexample" in text
    assert "not as expected" in text  # the claim that raised and the diverged one
    assert "simulator blew up" in text
    assert "run-banner" not in page.ids  # a run without RunInfo: nothing to announce


def test_reliability_column_from_the_power_benchmark(run):
    directory, _ = run
    html_text = (directory / "index.html").read_text()
    row = html_text.split(f'data-claim="{RATE_ID}"')[1].split("</tr>")[0]
    assert "49/50 seeds" in row
    other = html_text.split('data-claim="demo.order.newton"')[1].split("</tr>")[0]
    assert "–" in other and "seeds" not in other
    assert "refuted 50/50 seeds" in section_of(html_text, RATE_ID)  # the mutant's reliability
    unmeasured = Reliability.load({"claims": {"a.b": {"seeds_run": 0, "expected": 0}}})
    assert unmeasured.claim_text("a.b") == "–" and Reliability.load(None).claim_text("a.b") == "–"


def test_formulas_render_or_fall_back_to_source(run):
    directory, _ = run
    page = parse((directory / "index.html").read_text())
    formulas = [a["alt"] for a in page.find("img") if "formula" in a.get("class", "")]
    assert r"e_{k+1} \le C e_k^2" in formulas  # \le is not mathtext: rewritten, rendered
    assert any(alt.startswith(r"\frac{2 D}") for alt in formulas)  # a bound, from sympy.latex
    assert r"\undefinedmacro{a}" in " ".join(page.text)  # unparseable: shown as its source
    assert render_math(r"\undefinedmacro{") is None
    assert render_math(r"\tfrac12 \le x") is not None
    assert mathtext_variants(r"a \le b")[-1] == r"a \leq b"


def test_symbolic_derivation_steps_are_rendered(run):
    directory, _ = run
    section = parse(section_of((directory / "index.html").read_text(), "demo.symbolic.binomial"))
    steps = [a["alt"] for a in section.find("img") if "formula" in a.get("class", "")]
    assert [s.split(":")[0] for s in steps] == ["expand", "regroup"]


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
    assert r"at most $\frac{2 D}{\sqrt{t}}$" in md  # a bound's formula as LaTeX


def test_exact_values_are_shown_without_intervals_or_bands(run):
    directory, _ = run
    html_text = (directory / "index.html").read_text()
    result = read_run(directory / "results.json")
    by_id = {c.id: c for c in result.claims}
    for claim_id in ("demo.bound.exact", "demo.agreement.geometric_sum"):
        record = by_id[claim_id]
        assert record.deterministic and record.fitted["exact"] is True
        section = " ".join(parse(section_of(html_text, claim_id)).text)
        assert "exact values" in section
        assert not re.search(r"95%|Monte Carlo|confidence|CI\b", section), claim_id
        assert "exact values" in figure_text(record)
        assert not re.search(r"95%|band|confidence|CI\b", figure_text(record)), claim_id
    sampled = figure_text(by_id["demo.bound.monte_carlo"])
    assert "Monte Carlo joint 0.95 band" in sampled and "mean of 400 replicates" in sampled


def figure_text(record) -> str:
    """Every text drawn on a claim's figure (title, labels, legend)."""
    from matplotlib import rc_context

    with rc_context(STYLE):
        fig = figure(record)
    return " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))


@pytest.mark.parametrize(
    ("info", "banner"),
    [
        (RunInfo(61, 61, 12, interrupted=True), "Interrupted after 12 of 61 selected claims"),
        (RunInfo(61, 5, 5, selection="-k handbook"), "-k handbook: 5 of 61 claims"),
        (RunInfo(61, 61, 61), None),
    ],
)
def test_run_banner_comes_first(run, tmp_path, info, banner):
    directory, _ = run
    result = read_run(directory / "results.json")
    result.claims = [c for c in result.claims if c.id == "demo.implication.even_square"]
    result.run = info
    write_report(tmp_path, result)
    md = (tmp_path / "report.md").read_text().splitlines()
    html_text = (tmp_path / "index.html").read_text()
    if banner is None:
        assert "run-banner" not in parse(html_text).ids and md[2].startswith("Seed")
        return
    assert md[2] == f"**{banner}.**"
    after_title = [t for t in parse(html_text.split("</h1>", 1)[1]).text if t.strip()]
    assert after_title[0] == f"{banner}."  # right under the title, before anything else


def test_rerun_removes_figures_of_claims_no_longer_run(run, tmp_path):
    directory, doc = run
    shutil.copytree(directory, tmp_path / "r", dirs_exist_ok=True)
    kept = {**doc, "claims": [c for c in doc["claims"] if c["id"] == RATE_ID]}
    write_report(tmp_path / "r", kept)
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
    path = pytester.makepyfile(mytheorems=PLUGIN_MODULE)
    result = pytester.runpytest_subprocess(path, "--rate-report", "out")
    result.assert_outcomes(passed=1)
    out = pytester.path / "out"
    entry = read_results(out / "results.json")["claims"][0]
    assert entry["figure"] == "figures/demo.inverse.rate.png"
    assert (out / entry["figure"]).is_file()
    assert 'id="claim-demo.inverse.rate"' in (out / "index.html").read_text()


def test_page_for_the_whole_suite_stays_under_budget(run):
    """index.html grows by its claims' sections: estimated with this run's heaviest section for
    every claim of the theorem suite (the demo's average section is about half a real one, so
    an average let a 3.8 MB page pass), the page must stay under 3 MB (it was 8 MB with figures
    embedded at print resolution)."""
    directory, doc = run
    page = (directory / "index.html").read_text()
    sections = re.findall(r'<section class="claim".*?</section>', page, re.S)
    assert len(sections) == len(doc["claims"])
    assert sum(bool(c["figure"]) for c in doc["claims"]) >= 8
    heaviest = max(len(s) for s in sections)
    rest_per_claim = (len(page) - sum(len(s) for s in sections)) / len(sections)
    root = ENGINE.parent
    decorated = sum(p.read_text().count("@claim(") for p in (root / "theorems").glob("*.py"))
    power = json.loads((root / "benchmarks" / "results" / "power.json").read_text())
    suite = max(decorated, len(power["claims"]))
    assert suite >= 40
    estimate = (heaviest + rest_per_claim) * suite
    assert estimate < PAGE_BUDGET, f"({heaviest} + {rest_per_claim:.0f}) bytes x {suite} claims"


def test_sparse_and_unknown_entries_still_give_a_page(tmp_path):
    doc = {
        "schema": 1, "seed": 0, "profile": "quick",
        "claims": [
            {"id": "x.bare", "kind": "power_law", "verdict": "inconclusive"},
            {"id": "x.new_kind", "kind": "new_kind", "verdict": "confirmed", "replicates": 64,
             "fitted": {"estimate": 0.5, "ci": [0.4, 0.6]},
             "plot": {"x": [1, 2, 4], "y": [1.0, 0.5, 0.25]}},
            {"id": "x.corrupt", "kind": "bound", "verdict": "confirmed",
             "plot": {"x": [1, 2, 3], "y": [1, 2], "bound": [3, 3, 3]}},
        ],
    }  # fmt: skip
    write_report(tmp_path, doc)
    figures = {c["id"]: c["figure"] for c in read_results(tmp_path / "results.json")["claims"]}
    assert figures == {"x.bare": None, "x.new_kind": None, "x.corrupt": None}
    page = (tmp_path / "index.html").read_text()
    assert 'id="claim-x.bare"' in page and "No figure: ValueError" in page
    assert "estimate = 0.5 [0.4, 0.6]" in section_of(page, "x.new_kind")  # the generic text


# --- a kind defined outside the package ----------------------------------------------------


@dataclass
class Peak(Kind):
    """A toy kind: the largest value stays under ``level``."""

    level: float = 1.0

    name: ClassVar[str] = "toy_peak"
    data_type: ClassVar[type] = Samples
    summary: ClassVar[str] = "the largest value stays under a level"
    method: ClassVar[str] = "the largest value against the level, no interval: values are exact"
    has_figure: ClassVar[bool] = True

    def describe(self) -> str:
        return f"peak below {self.level:g}"

    def judge(self, data, ctx) -> Judgement:
        y = np.asarray(data.y, dtype=float)
        peak = float(y.max())
        verdict = CONFIRMED if peak <= self.level else REFUTED
        plot = {"x": list(map(float, data.x)), "y": y.tolist()}
        return Judgement(verdict, f"peak {peak:.3g}, level {self.level:g}", {"peak": peak}, plot)

    @classmethod
    def fitted_text(cls, fitted, deterministic=False) -> str:
        return f"highest value {fitted['peak']:.3g}"

    @classmethod
    def caption(cls, record) -> str:
        return f"Toy figure: the values against the level {record.predicted['level']:g}."

    @classmethod
    def draw(cls, fig, record) -> bool:
        ax = fig.add_subplot()
        ax.plot(record.plot["x"], record.plot["y"], "o", label="values")
        ax.axhline(record.predicted["level"], color="k", label="level")
        return True


@pytest.fixture
def toy_kind():
    register(Peak)
    yield Peak
    del KINDS[Peak.name]


def test_a_new_kind_gets_a_full_section_from_its_own_module(toy_kind, tmp_path):
    def values(ctx):
        return Samples([1.0, 2.0, 3.0], [0.5, 1.5, 1.0])

    toy = spec(values, "toy.peak.claim", toy_kind(level=2.0),
               [Mutant("too_low", "level 1 claimed", predicted=toy_kind(level=1.0))])  # fmt: skip
    result = write_report(tmp_path, evaluate([toy]))
    (record,) = result.claims
    assert record.verdict == CONFIRMED and record.mutants[0].verdict == REFUTED
    assert record.mutants[0].kind == "toy_peak"
    assert record.figure == "figures/toy.peak.claim.png"
    assert (tmp_path / record.figure).read_bytes().startswith(PNG_SIGNATURE)
    page = (tmp_path / "index.html").read_text()
    section = section_of(page, "toy.peak.claim")
    assert 'alt="Figure: toy.peak.claim"' in section
    assert "Toy figure: the values against the level 2." in section
    assert section.count("highest value 1.5") == 2  # the claim's fit and its mutant's
    assert "the largest value against the level" in section  # the kind's method
    md = (tmp_path / "report.md").read_text()
    assert "highest value 1.5" in md and "*Toy figure: the values against the level 2.*" in md


def test_report_and_figure_code_never_switch_on_kind_names():
    sources = [*(ENGINE / "report").glob("*.py"), *(ENGINE / "figures").glob("*.py")]
    assert len(sources) >= 10
    for path in sources:
        text = path.read_text()
        assert not re.search(r"kind\w*\s*(==|!=|\bin\b)\s*[\"'(\[{]", text), path.name
        assert "or {}" not in text, path.name  # records are typed: no guards on their fields


def test_loose_confirmation_resolution_and_tightness_are_shown_apart(tmp_path):
    def faster(ctx):
        n = np.geomspace(10, 1e4, 10)
        return Samples(n, n**-1.0 * np.exp(0.05 * ctx.rng.standard_normal((64, 10))))

    from proofs_checks import AT_MOST, PowerLaw

    loose = spec(
        faster,
        "demo.faster.loose",
        PowerLaw(exponent=-0.5, side=AT_MOST),
        [Mutant("slow", "decays as n^-0.2", predicted=PowerLaw(exponent=-0.2, side=AT_LEAST))],
        loose="the instance decays as 1/n, faster than the claimed n^-1/2",
    )
    result = write_report(tmp_path, evaluate([loose]))
    (record,) = result.claims
    assert record.verdict == CONFIRMED and record.loose
    assert record.resolution and record.resolution["meets_target"] is False
    page = (tmp_path / "index.html").read_text()
    assert "confirmed (loose)" in page and 'class="badge loose"' in page
    assert "of them loose" in page
    section = section_of(page, "demo.faster.loose")
    assert "faster than the claimed" in section and "Tightness" in section
    md = (tmp_path / "report.md").read_text()
    assert "| resolution | tightness |" in md and "confirmed (loose)" in md


def test_claims_are_grouped_by_paper_in_both_pages(tmp_path):
    """A reader finds "their" paper: one heading per paper, its claims right after it."""
    from proofs_checks import Mutant, Paper, PowerLaw

    other = Paper("Another paper", "C. Writer", 2025, arxiv="2501.00002").theorem("Theorem 2")

    def decay(ctx):
        n = np.geomspace(10, 1e4, 10)
        return Samples(n, n**-1.0 * np.exp(0.05 * ctx.rng.standard_normal((64, 10))))

    wrong = Mutant("squared", "1/n^2", predicted=PowerLaw(exponent=-2.0))
    claims = [
        spec(decay, "zeta.first.claim", PowerLaw(exponent=-1.0, tolerance=0.05), [wrong]),
        spec(decay, "alpha.other.claim", PowerLaw(exponent=-1.0, tolerance=0.05), [wrong],
             paper=other),
        spec(decay, "beta.first.claim", PowerLaw(exponent=-1.0, tolerance=0.05), [wrong]),
    ]  # fmt: skip
    write_report(tmp_path, evaluate(claims))
    page = (tmp_path / "index.html").read_text()
    headings = re.findall(r'<h2 class="paper-group" id="([^"]+)">', page)
    assert len(headings) == 2
    # each paper's claims follow its heading, whatever their ids' order
    order = [page.index(f'class="paper-group" id="{h}"') for h in headings]
    first = page.index('id="claim-beta.first.claim"'), page.index('id="claim-zeta.first.claim"')
    lone = page.index('id="claim-alpha.other.claim"')
    papers = sorted(zip(order, headings, strict=True))
    spans = {h: (start, papers[i + 1][0] if i + 1 < len(papers) else len(page))
             for i, (start, h) in enumerate(papers)}  # fmt: skip
    (home,) = [h for h, (a, b) in spans.items() if a < lone < b]
    assert not any(spans[home][0] < f < spans[home][1] for f in first)
    assert page.count('class="paper-row"') == 2
    md = (tmp_path / "report.md").read_text()
    assert md.count("\n# ") == 2 and "Papers: " in md


def test_figures_drawn_on_workers_are_the_same_bytes(tmp_path, monkeypatch):
    """Large runs draw on spawned workers (the package's kinds) and here (kinds registered
    elsewhere, like this file's): the same figures as drawn in one process."""
    import proofs_checks.report as report

    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    serial.mkdir()
    parallel.mkdir()
    write_demo_report(serial)
    monkeypatch.setattr(report, "PARALLEL_FIGURES_FROM", 1)
    write_demo_report(parallel)
    pngs = sorted(p.name for p in (serial / "figures").glob("*.png"))
    assert pngs and pngs == sorted(p.name for p in (parallel / "figures").glob("*.png"))
    for name in pngs:
        drawn_here = (serial / "figures" / name).read_bytes()
        assert drawn_here == (parallel / "figures" / name).read_bytes()
