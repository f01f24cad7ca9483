"""The command line: listing, running, comparing, scaffolding, external theorem modules, bad
input, interrupted runs and closed pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from proofs_checks.cli import ID_RULE, main
from proofs_checks.results import read_results, strip_timings

EXTERNAL = """
import numpy as np
from proofs_checks import Mutant, Paper, PowerLaw, Samples, claim

@claim("external.inverse.rate", paper=Paper("Ext", "A. Author", 2024).theorem("Lemma 2"),
       statement="y ~ 1/n", predicted=PowerLaw(exponent=-1.0, tolerance=0.05),
       mutants=[Mutant("sq", "1/n^2", predicted=PowerLaw(exponent=-2.0, tolerance=0.05))])
def inverse(ctx):
    n = np.geomspace(10, 1e4, 10)
    return Samples(n, 1 / n)
"""

# Three claims from one factory; the one with interrupt=True stands for Ctrl-C during its run.
INTERRUPTED = """
import numpy as np
from proofs_checks import Mutant, Paper, PowerLaw, Samples, claim

def make(claim_id, interrupt=False):
    @claim(claim_id, paper=Paper("Ext", "A. Author", 2024).theorem("Lemma 2"),
           statement="y ~ 1/n", predicted=PowerLaw(exponent=-1.0, tolerance=0.05),
           mutants=[Mutant("sq", "1/n^2", predicted=PowerLaw(exponent=-2.0, tolerance=0.05))])
    def inverse(ctx):
        if interrupt:
            raise KeyboardInterrupt
        n = np.geomspace(10, 1e4, 10)
        return Samples(n, 1 / n)
    return inverse

first = make("stopped.a.rate")
second = make("stopped.b.rate", interrupt=True)
third = make("stopped.c.rate")
"""

# Enough claims that `ratecheck list` writes more than a pipe holds (64 KiB).
MANY = """
from proofs_checks import Mutant, Paper, PowerLaw, Samples, claim

def make(i):
    @claim(f"many.claim_{i:04d}.rate", paper=Paper("Many", "A. Author", 2024).theorem("1"),
           statement="y ~ 1/n", predicted=PowerLaw(exponent=-1.0, tolerance=0.05),
           mutants=[Mutant("sq", "1/n^2", predicted=PowerLaw(exponent=-2.0, tolerance=0.05))])
    def rate(ctx):
        return Samples([10, 100, 1000], [0.1, 0.01, 0.001])
    return rate

for i in range(1500):
    globals()[f"claim_{i}"] = make(i)
"""


def test_list_and_filters(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "handbook.gd.smooth_convex.rate" in out and "power_law" in out
    assert main(["list", "--kind", "bound"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines and all(" bound " in line for line in lines)
    assert main(["list", "--paper", "no such paper"]) == 0
    assert capsys.readouterr().out == ""


def test_show(capsys):
    assert main(["show", "handbook.gd.smooth_convex.bound"]) == 0
    out = capsys.readouterr().out
    assert "Theorem 3.4" in out and "understated_2.5x" in out


def test_usage_errors_exit_2_with_one_line(capsys):
    assert main(["show", "no.such.claim"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no claim" in err
    assert main(["run", "no.such.prefix"]) == 2
    assert main(["frobnicate"]) == 2
    assert capsys.readouterr().err.count("\n") == 2
    assert main(["new", "Bad-Name"]) == 2


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["run", "handbook", "--seed", "-5"], "--seed"),
        (["run", "handbook", "--seed", "five"], "--seed"),
        (["report", "handbook", "--jobs", "0"], "--jobs"),
        (["run", "handbook", "--profile", "slow"], "--profile"),
    ],
)
def test_bad_options_are_one_line_usage_errors_before_any_claim_runs(argv, option, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no claim ran, no table
    assert err.count("\n") == 1 and option in err and "error" in err


def test_reliability_must_exist_and_needs_an_output(tmp_path, capsys):
    assert main(["run", "handbook", "--reliability", str(tmp_path / "none.json")]) == 2
    assert "no such file" in capsys.readouterr().err
    power = tmp_path / "power.json"
    power.write_text("{}")
    assert main(["run", "handbook", "--reliability", str(power)]) == 2
    assert "--out" in capsys.readouterr().err


def test_run_out_writes_the_report_and_jobs_match_serial(tmp_path, capsys):
    assert main(["run", "handbook.gd", "--out", str(tmp_path / "serial")]) == 0
    table = capsys.readouterr().out
    assert "confirmed" in table and "all as expected" in table
    assert (tmp_path / "serial" / "index.html").is_file()
    assert (tmp_path / "serial" / "report.md").is_file()
    assert main(["run", "handbook.gd", "--jobs", "2", "--out", str(tmp_path / "par")]) == 0
    a = read_results(tmp_path / "serial" / "results.json")
    b = read_results(tmp_path / "par" / "results.json")
    assert [c["id"] for c in a["claims"]] == [
        "handbook.gd.smooth_convex.bound",
        "handbook.gd.smooth_convex.rate",
        "handbook.gd.strongly_convex.linear_rate",
    ]
    assert a["run"]["selected"] == a["run"]["ran"] == 3
    assert a["run"]["collected"] > 3 and a["run"]["selection"] == "prefixes: handbook.gd"
    assert strip_timings(a) == strip_timings(b)


def test_compare_reports_a_changed_verdict_and_exits_1(tmp_path, capsys):
    old = tmp_path / "old" / "results.json"
    assert main(["run", "handbook.gd.smooth", "--out", str(old.parent)]) == 0
    assert main(["compare", str(old), str(old)]) == 0
    doc = json.loads(old.read_text())
    doc["claims"][0]["verdict"] = "refuted"
    doc["claims"][1]["fitted"]["estimate"] += 0.5
    new = tmp_path / "new.json"
    new.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["compare", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "handbook.gd.smooth_convex.bound: verdict confirmed -> refuted" in out
    assert "handbook.gd.smooth_convex.rate: fitted moved" in out


def test_compare_names_the_file_and_field_of_a_bad_results_file(tmp_path, capsys):
    good = tmp_path / "good.json"
    assert main(["run", "handbook.gd.smooth_convex.rate", "--out", str(tmp_path)]) == 0
    (tmp_path / "results.json").rename(good)
    doc = json.loads(good.read_text())
    doc["claims"][0]["id"] = 7
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    (tmp_path / "half.json").write_text('{"schema": 1, "claims": [')
    capsys.readouterr()
    assert main(["compare", str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.json" in err and "claims[0].id" in err
    assert main(["compare", str(tmp_path / "half.json"), str(good)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "half.json" in err and "JSON" in err


def test_new_module_passes_as_written(tmp_path):
    assert main(["new", "demo", "--dir", str(tmp_path / "theorems")]) == 0
    assert main(["new", "demo", "--dir", str(tmp_path / "theorems")]) == 2  # no overwrite
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "theorems/demo.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_new_help_states_the_claim_id_rule(capsys):
    assert main(["new", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "^[a-z0-9_]+(\\.[a-z0-9_]+)+$" in out and "sgd.last_iterate.convex_lipschitz" in out
    assert "stable once published" in ID_RULE


def test_theorem_directory_anywhere_via_path_option(tmp_path, capsys):
    (tmp_path / "ext_theorems.py").write_text(textwrap.dedent(EXTERNAL))
    assert main(["run", "external", "--path", str(tmp_path)]) == 0
    assert "external.inverse.rate" in capsys.readouterr().out


def test_broken_or_clashing_theorem_modules_are_one_line_errors(tmp_path, capsys):
    broken = tmp_path / "broken" / "broken_paper.py"
    broken.parent.mkdir()
    broken.write_text("import numpy as np\n\nnp.frobnicate()\n")
    assert main(["list", "--path", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "broken_paper.py" in err and "line 3" in err
    for name in ("one.py", "two.py"):
        (tmp_path / name).write_text(textwrap.dedent(EXTERNAL))
    assert main(["list", "--path", str(tmp_path / "one.py"), "--path", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'external.inverse.rate' is defined twice" in err
    assert "one.py" in err and "two.py" in err


def test_ctrl_c_writes_what_ran_marked_interrupted(tmp_path, capsys):
    (tmp_path / "stopped.py").write_text(textwrap.dedent(INTERRUPTED))
    out = tmp_path / "out"
    argv = ["run", "stopped", "--path", str(tmp_path / "stopped.py"), "--out", str(out)]
    assert main(argv) == 130
    doc = read_results(out / "results.json")
    assert [c["id"] for c in doc["claims"]] == ["stopped.a.rate"]
    assert doc["run"]["interrupted"] is True and doc["passed"] is False
    assert (doc["run"]["selected"], doc["run"]["ran"]) == (3, 1)
    captured = capsys.readouterr()
    assert "interrupted after 1 of 3 selected claims" in captured.err
    assert "INCOMPLETE" in captured.out


def _install_fake_distribution(tmp_path: Path, entry: str) -> dict[str, str]:
    """A minimal installed distribution: dist-info whose entry point names ``entry``."""
    info = tmp_path / "ext_pkg-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ext-pkg\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[ratecheck.theorems]\next = {entry}\n")
    return {**os.environ, "PYTHONPATH": str(tmp_path)}


def test_entry_point_may_name_a_module(tmp_path):
    (tmp_path / "ext_pkg_theorems.py").write_text(textwrap.dedent(EXTERNAL))
    env = _install_fake_distribution(tmp_path, "ext_pkg_theorems")
    proc = subprocess.run(
        [sys.executable, "-m", "proofs_checks", "list"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert "external.inverse.rate" in proc.stdout


def test_entry_point_may_name_a_package(tmp_path):
    package = tmp_path / "ext_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "paper.py").write_text(textwrap.dedent(EXTERNAL))
    (package / "_helpers.py").write_text("raise SystemExit('private modules are not imported')\n")
    env = _install_fake_distribution(tmp_path, "ext_pkg")
    proc = subprocess.run(
        [sys.executable, "-m", "proofs_checks", "list", "--paper", "Ext"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "external.inverse.rate" in proc.stdout


def test_list_into_a_reader_that_stops_is_quiet(tmp_path):
    (tmp_path / "many.py").write_text(textwrap.dedent(MANY))
    proc = subprocess.Popen(
        [sys.executable, "-m", "proofs_checks", "list", "--path", str(tmp_path / "many.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read()
    assert proc.wait(timeout=120) in (0, -13, 141)  # 0, or killed by SIGPIPE as `yes` would be
    assert first.strip()
    assert err == b""


def test_python_dash_m_entry(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "proofs_checks", "list", "--kind", "geometric"],
        capture_output=True,
        text=True,
        cwd=Path(tmp_path),
    )
    assert proc.returncode == 0
    assert "handbook.gd.strongly_convex.linear_rate" in proc.stdout
