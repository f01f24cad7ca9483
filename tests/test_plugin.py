"""The pytest plugin: which files are theorem modules, verdicts as test outcomes, results.json
written atomically and merged from xdist workers, and good manners in other projects' runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from proofs_checks.results import strip_timings

MODULE = '''
"""A small theorem module outside the package."""
import numpy as np
from proofs_checks import Mutant, Paper, PowerLaw, Samples, claim

PAPER = Paper("Demo", "A. Author", 2024)


@claim("demo.inverse.rate", paper=PAPER.theorem("Theorem 1"), statement="y ~ 1/n",
       predicted=PowerLaw(exponent={exponent}, tolerance=0.05),
       mutants=[Mutant("squared", "1/n^2 claimed",
                       predicted=PowerLaw(exponent=-2.0, tolerance=0.05))])
def inverse(ctx):
    n = np.geomspace(10, 1e4, 10)
    noise = np.exp(0.1 * ctx.rng.standard_normal((64, 10)) - 0.005)
    return Samples(n, noise / n)


def test_ordinary_tests_in_a_theorem_module_run_too():
    assert PAPER.year == 2024
'''

# Claims made by one factory: "fails" predicts the wrong exponent, "interrupts" is Ctrl-C.
SEVERAL = """
import numpy as np
from proofs_checks import Mutant, Paper, PowerLaw, Samples, claim

PAPER = Paper("Demo", "A. Author", 2024)


def make(claim_id, behaviour="passes"):
    exponent = -0.5 if behaviour == "fails" else -1.0

    @claim(claim_id, paper=PAPER.theorem("Theorem 1"), statement="y ~ 1/n",
           predicted=PowerLaw(exponent=exponent, tolerance=0.05),
           mutants=[Mutant("squared", "1/n^2 claimed",
                           predicted=PowerLaw(exponent=-2.0, tolerance=0.05))])
    def inverse(ctx):
        if behaviour == "interrupts":
            raise KeyboardInterrupt
        n = np.geomspace(10, 1e4, 10)
        return Samples(n, np.exp(0.1 * ctx.rng.standard_normal((64, 10)) - 0.005) / n)

    return inverse


{claims}
"""


def write(pytester, exponent="-1.0", name="mytheorems"):
    pytester.makepyfile(**{name: MODULE.replace("{exponent}", exponent)})
    return f"{name}.py"


def write_several(pytester, name, **behaviours):
    lines = "\n".join(f'{var} = make("demo.{var}.rate", "{b}")' for var, b in behaviours.items())
    pytester.makepyfile(**{name: SEVERAL.replace("{claims}", lines)})
    return f"{name}.py"


def results(pytester, directory="out"):
    return json.loads((pytester.path / directory / "results.json").read_text())


def test_a_theorem_module_named_on_the_command_line_is_collected(pytester):
    path = write(pytester)
    result = pytester.runpytest_subprocess("-v", path)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*demo.inverse.rate PASSED*"])


def test_other_files_are_neither_collected_nor_imported(pytester):
    # Not test_*.py, not named, not registered: a plain `pytest` leaves it alone.
    pytester.makepyfile(helper="open('imported.flag', 'w').close()\nraise SystemExit(3)\n")
    write(pytester)
    result = pytester.runpytest_subprocess()
    assert result.ret == 5  # nothing collected
    assert not (pytester.path / "imported.flag").exists()


def test_test_files_get_their_claims_collected(pytester):
    write(pytester, name="test_theorems")
    pytester.runpytest_subprocess().assert_outcomes(passed=2)


def test_ratecheck_paths_ini_registers_a_directory(pytester):
    pytester.mkpydir("mytheorems_dir")
    (pytester.path / "mytheorems_dir" / "paper.py").write_text(MODULE.replace("{exponent}", "-1"))
    (pytester.path / "mytheorems_dir" / "_private.py").write_text("raise SystemExit(3)\n")
    pytester.makeini("[pytest]\nratecheck_paths = mytheorems_dir\n")
    pytester.runpytest_subprocess().assert_outcomes(passed=2)


def test_a_package_registered_under_the_entry_point_is_collected(pytester, monkeypatch):
    # A minimal installed distribution: a package of theorem modules plus dist-info naming it.
    package = pytester.mkpydir("ext_pkg")
    (package / "paper_a.py").write_text(MODULE.replace("{exponent}", "-1"))
    info = pytester.mkdir("ext_pkg-0.1.dist-info")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ext-pkg\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ratecheck.theorems]\next = ext_pkg\n")
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    result = pytester.runpytest_subprocess("-v", "ext_pkg")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*paper_a.py::demo.inverse.rate PASSED*"])


def test_two_modules_defining_one_claim_id_is_an_error_naming_both(pytester):
    first, second = write(pytester, name="paper_one"), write(pytester, name="paper_two")
    result = pytester.runpytest_subprocess(first, second)
    assert result.ret == 2  # collection error: nothing runs
    result.stdout.fnmatch_lines(
        ["*claim id 'demo.inverse.rate' is defined twice: in paper_one*and in paper_two*"]
    )


def test_wrong_prediction_fails_with_claim_prediction_and_fit(pytester):
    path = write(pytester, exponent="-0.5")
    result = pytester.runpytest_subprocess(path)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*demo.inverse.rate: expected confirmed, got refuted*n^-0.5*fitted exponent -0.99*"]
    )


def test_rate_report_is_deterministic_and_xdist_merges(pytester):
    path = write(pytester)
    out = pytester.path
    for name, extra in (("a", []), ("b", []), ("c", ["-n", "2"])):
        pytester.runpytest_subprocess(
            path, "--rate-report", str(out / name), "--ratecheck-seed", "11", *extra
        )
    docs = [json.loads((out / n / "results.json").read_text()) for n in "abc"]
    assert docs[0]["schema"] == 1 and docs[0]["seed"] == 11
    (entry,) = docs[0]["claims"]
    assert entry["id"] == "demo.inverse.rate" and entry["verdict"] == "confirmed"
    assert entry["mutants"][0]["verdict"] == "refuted"
    assert docs[0]["run"] == {
        "collected": 1,
        "selected": 1,
        "ran": 1,
        "interrupted": False,
        "selection": None,
    }
    assert strip_timings(docs[0]) == strip_timings(docs[1]) == strip_timings(docs[2])
    leftovers = [p.name for p in (out / "a").iterdir() if p.name.startswith(".results.json")]
    assert leftovers == []


def test_seed_option_changes_the_numbers(pytester):
    path = write(pytester)
    pytester.runpytest_subprocess(path, "--rate-report", "s1", "--ratecheck-seed", "1")
    pytester.runpytest_subprocess(path, "--rate-report", "s2", "--ratecheck-seed", "2")
    fits = [results(pytester, d)["claims"][0]["fitted"] for d in ("s1", "s2")]
    assert fits[0]["estimate"] != fits[1]["estimate"]


def test_bad_option_values_are_usage_errors(pytester):
    path = write(pytester)
    for args in (
        ["--ratecheck-seed", "-1"],
        ["--ratecheck-profile", "slow"],
        ["--rate-report", "out", "--rate-reliability", "no/such/power.json"],
    ):
        result = pytester.runpytest_subprocess(path, *args)
        assert result.ret == 4, args  # pytest's usage error
        assert not (pytester.path / "out").exists()


# --- a guest in other projects' runs -------------------------------------------------------


def test_other_plugins_may_own_seed_and_profile(pytester):
    pytester.makeconftest(
        """
        def pytest_addoption(parser):
            parser.addoption("--seed", default="0")
            parser.addoption("--profile", action="store_true")
        """
    )
    path = write(pytester)
    result = pytester.runpytest_subprocess(path, "--seed", "3", "--profile")
    result.assert_outcomes(passed=2)


def test_help_has_only_namespaced_options(pytester):
    result = pytester.runpytest_subprocess("--help")
    text = result.stdout.str()
    assert "--ratecheck-seed" in text and "--ratecheck-profile" in text
    assert "--rate-report" in text and "--rate-reliability" in text
    assert not re.search(r"^\s+--(seed|profile)\b", text, re.MULTILINE)


def test_importing_the_plugin_loads_no_engine():
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import proofs_checks.plugin"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "proofs_checks.plugin" in imported
    heavy = {m for m in imported if m.split(".")[0] in ("sympy", "scipy", "mpmath", "matplotlib")}
    assert heavy == set()
    # the plugin and its standard-library option parsers, nothing of the engine
    light = {"proofs_checks.plugin", "proofs_checks.options"}
    engine = {m for m in imported if m.startswith("proofs_checks.")} - light
    assert engine == set()


def test_lazy_package_exports_every_public_name():
    import proofs_checks

    assert set(proofs_checks.__all__) == set(proofs_checks._SOURCE_OF)
    for name in proofs_checks.__all__:
        assert getattr(proofs_checks, name) is not None


# --- partial and interrupted runs ----------------------------------------------------------


def test_ctrl_c_after_the_first_claim_is_recorded_as_interrupted(pytester):
    path = write_several(pytester, "several", first="passes", second="interrupts", third="passes")
    result = pytester.runpytest_subprocess(path, "--rate-report", "out")
    assert result.ret == 2  # pytest's "interrupted"
    doc = results(pytester)
    assert [c["id"] for c in doc["claims"]] == ["demo.first.rate"]
    assert doc["run"] == {
        "collected": 3,
        "selected": 3,
        "ran": 1,
        "interrupted": True,
        "selection": None,
    }
    assert doc["passed"] is False
    result.stdout.fnmatch_lines(["*interrupted after 1 of 3 selected claims*"])


def test_stop_after_a_failing_claim_is_recorded_as_interrupted(pytester):
    path = write_several(pytester, "several", first="fails", second="passes")
    result = pytester.runpytest_subprocess(path, "-x", "--rate-report", "out")
    assert result.ret == 1
    doc = results(pytester)
    assert doc["run"]["ran"] == 1 and doc["run"]["selected"] == 2
    assert doc["run"]["interrupted"] is True and doc["passed"] is False


def test_keyword_selection_is_recorded(pytester):
    path = write_several(pytester, "several", first="passes", second="fails")
    result = pytester.runpytest_subprocess(path, "-k", "first", "--rate-report", "out")
    result.assert_outcomes(passed=1, deselected=1)
    doc = results(pytester)
    assert doc["run"] == {
        "collected": 2,
        "selected": 1,
        "ran": 1,
        "interrupted": False,
        "selection": "-k first",
    }
    assert doc["passed"] is True


def test_xdist_workers_report_what_they_collected(pytester):
    path = write_several(pytester, "several", first="passes", second="passes", third="passes")
    pytester.runpytest_subprocess(path, "-n", "2", "-k", "not third", "--rate-report", "out")
    doc = results(pytester)
    assert doc["run"]["collected"] == 3 and doc["run"]["selected"] == 2
    assert doc["run"]["ran"] == 2 and doc["passed"] is True


def test_xdist_workers_draw_the_figures_the_report_would_draw(pytester):
    """On xdist workers each claim's figure is drawn as the claim finishes: the same bytes as a
    one-process run's report, and none of it in a junit file."""
    path = write(pytester)
    pytester.runpytest_subprocess(path, "--rate-report", "one", "--ratecheck-seed", "3")
    pytester.runpytest_subprocess(
        path, "-n", "2", "--rate-report", "two", "--ratecheck-seed", "3", "--junitxml", "j.xml"
    )
    one, two = (pytester.path / d / "figures" / "demo.inverse.rate.png" for d in ("one", "two"))
    assert one.read_bytes() == two.read_bytes()
    pages = [(pytester.path / d / "index.html").read_text() for d in ("one", "two")]
    embedded = [re.findall(r"data:image/png;base64,[A-Za-z0-9+/=]+", page) for page in pages]
    assert embedded[0] and embedded[0] == embedded[1]
    junit = (pytester.path / "j.xml").read_text()
    assert "ratecheck_entry" in junit and "ratecheck_figure" not in junit


def test_a_drawn_figure_travels_whole_and_the_report_uses_it(tmp_path):
    from report_demo import claims, evaluate

    from proofs_checks.plugin import _draw, _undraw
    from proofs_checks.report import write_report

    run = evaluate(claims()[1:2])
    entry = run.claims[0].to_json()
    claim_id, drawn = _undraw(_draw(entry))
    assert claim_id == entry["id"] and isinstance(drawn, tuple)
    assert drawn[0].startswith(b"\x89PNG") and len(drawn[1]) < len(drawn[0])
    # the screen copy given as the print one: the report writes what it is given
    written = write_report(tmp_path, run, drawn={claim_id: (drawn[1], drawn[1])})
    assert (tmp_path / "figures" / f"{claim_id}.png").read_bytes() == drawn[1]
    assert next(c for c in written.claims if c.id == claim_id).figure is not None


def test_a_section_laid_out_ahead_leaves_no_formula_to_render(tmp_path):
    from report_demo import claims, evaluate

    from proofs_checks.report import prepare_section, write_report
    from proofs_checks.report.math import _render

    run = evaluate(claims()[:1])
    _render.cache_clear()
    prepare_section(run.claims[0].to_json())
    rendered = _render.cache_info().misses
    assert rendered > 0  # the claim has formulas (its statement, its prediction)
    write_report(tmp_path, run)
    assert _render.cache_info().misses == rendered


THREADS = """
import os

import numpy as np
from threadpoolctl import threadpool_info

from proofs_checks import Mutant, Paper, PowerLaw, Samples, claim

PAPER = Paper("Demo", "A. Author", 2024)


@claim("demo.threads.rate", paper=PAPER.theorem("Theorem 1"), statement="y ~ 1/n",
       predicted=PowerLaw(exponent=-1.0, tolerance=0.05),
       mutants=[Mutant("squared", "1/n^2 claimed",
                       predicted=PowerLaw(exponent=-2.0, tolerance=0.05))])
def inverse(ctx):
    n = np.geomspace(10, 1e4, 10)
    pools = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    return Samples(n, np.exp(0.1 * ctx.rng.standard_normal((64, 10)) - 0.005) / n,
                   notes={"blas_threads": pools, "cores": os.cpu_count()})
"""


def test_a_claim_on_an_xdist_worker_gets_its_share_of_the_blas_threads(pytester):
    """N workers on C cores: each claim's BLAS pools hold C // N threads (at least one), so the
    workers' threads do not contend for the same cores."""
    path = pytester.makepyfile(threads_theorems=THREADS)
    pytester.runpytest_subprocess(path, "-n", "2", "--rate-report", "out")
    (entry,) = results(pytester)["claims"]
    share = max(1, entry["notes"]["cores"] // 2)
    assert entry["notes"]["blas_threads"] and set(entry["notes"]["blas_threads"]) == {share}


def test_a_claim_in_a_jobs_process_gets_its_share_of_the_blas_threads(tmp_path):
    """``ratecheck run --jobs 2``: the same share as an xdist worker's."""
    module = tmp_path / "threads_theorems.py"
    module.write_text(THREADS)
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "proofs_checks", "run", "demo.threads", "--path", str(module),
         "--jobs", "2", "--out", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    (entry,) = json.loads((out / "results.json").read_text())["claims"]
    share = max(1, entry["notes"]["cores"] // 2)
    assert entry["notes"]["blas_threads"] and set(entry["notes"]["blas_threads"]) == {share}
