"""The command line: listing, running, comparing, scaffolding, external theorem modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from proofs_checks.cli import main
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
    assert main(["new", "Bad-Name"]) == 2


def test_run_writes_results_and_jobs_match_serial(tmp_path, capsys):
    assert main(["run", "handbook.gd", "--out", str(tmp_path / "serial")]) == 0
    table = capsys.readouterr().out
    assert "confirmed" in table and "all as expected" in table
    assert main(["run", "handbook.gd", "--jobs", "2", "--out", str(tmp_path / "par")]) == 0
    a = read_results(tmp_path / "serial" / "results.json")
    b = read_results(tmp_path / "par" / "results.json")
    assert [c["id"] for c in a["claims"]] == [
        "handbook.gd.smooth_convex.bound",
        "handbook.gd.smooth_convex.rate",
        "handbook.gd.strongly_convex.linear_rate",
    ]
    assert strip_timings(a) == strip_timings(b)


def test_compare_reports_a_changed_verdict_and_exits_1(tmp_path, capsys):
    assert main(["run", "handbook.gd.smooth", "--out", str(tmp_path / "old")]) == 0
    doc = json.loads((tmp_path / "old" / "results.json").read_text())
    assert (
        main(
            ["compare", str(tmp_path / "old" / "results.json")] * 1
            + [str(tmp_path / "old" / "results.json")]
        )
        == 0
    )
    doc["claims"][0]["verdict"] = "refuted"
    doc["claims"][1]["fitted"]["estimate"] += 0.5
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "results.json").write_text(json.dumps(doc))
    capsys.readouterr()
    code = main(["compare", str(tmp_path / "old/results.json"), str(tmp_path / "new/results.json")])
    out = capsys.readouterr().out
    assert code == 1
    assert "handbook.gd.smooth_convex.bound: verdict confirmed -> refuted" in out
    assert "handbook.gd.smooth_convex.rate: fitted moved" in out


def test_new_module_passes_as_written(tmp_path):
    assert main(["new", "demo", "--dir", str(tmp_path / "theorems")]) == 0
    assert main(["new", "demo", "--dir", str(tmp_path / "theorems")]) == 2  # no overwrite
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "theorems", "-k", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_theorem_directory_anywhere_via_path_option(tmp_path, capsys):
    (tmp_path / "ext_theorems.py").write_text(textwrap.dedent(EXTERNAL))
    assert main(["run", "external", "--path", str(tmp_path)]) == 0
    assert "external.inverse.rate" in capsys.readouterr().out


def test_entry_point_group_registers_external_modules(tmp_path):
    # A minimal installed distribution: a module plus dist-info with the entry point.
    (tmp_path / "ext_pkg_theorems.py").write_text(textwrap.dedent(EXTERNAL))
    info = tmp_path / "ext_pkg-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ext-pkg\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ratecheck.theorems]\next = ext_pkg_theorems\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "proofs_checks", "list"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert "external.inverse.rate" in proc.stdout


@pytest.mark.parametrize("argv", [["run", "handbook", "--jobs", "0"]])
def test_bad_jobs(argv, capsys):
    assert main(argv) == 2
    assert "--jobs" in capsys.readouterr().err


def test_python_dash_m_entry(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "proofs_checks", "list", "--kind", "geometric"],
        capture_output=True,
        text=True,
        cwd=Path(tmp_path),
    )
    assert proc.returncode == 0
    assert "handbook.gd.strongly_convex.linear_rate" in proc.stdout
