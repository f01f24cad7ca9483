"""The pytest plugin: collection of theorem modules anywhere, verdicts as test outcomes,
results.json written atomically and merged from xdist workers."""

from __future__ import annotations

import json

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


def write(pytester, exponent="-1.0"):
    pytester.makepyfile(mytheorems=MODULE.replace("{exponent}", exponent))


def test_collects_theorem_modules_whatever_their_name(pytester):
    write(pytester)
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*demo.inverse.rate PASSED*"])


def test_wrong_prediction_fails_with_claim_prediction_and_fit(pytester):
    write(pytester, exponent="-0.5")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*demo.inverse.rate: expected confirmed, got refuted*n^-0.5*fitted exponent -0.99*"]
    )


def test_rate_report_is_deterministic_and_xdist_merges(pytester):
    write(pytester)
    out = pytester.path
    for name, extra in (("a", []), ("b", []), ("c", ["-n", "2"])):
        pytester.runpytest_subprocess("--rate-report", str(out / name), "--seed", "11", *extra)
    docs = [json.loads((out / n / "results.json").read_text()) for n in "abc"]
    assert docs[0]["schema"] == 1 and docs[0]["seed"] == 11
    (entry,) = docs[0]["claims"]
    assert entry["id"] == "demo.inverse.rate" and entry["verdict"] == "confirmed"
    assert entry["mutants"][0]["verdict"] == "refuted"
    assert strip_timings(docs[0]) == strip_timings(docs[1]) == strip_timings(docs[2])
    leftovers = [p.name for p in (out / "a").iterdir() if p.name.startswith(".results.json")]
    assert leftovers == []


def test_seed_option_changes_the_numbers(pytester):
    write(pytester)
    pytester.runpytest_subprocess("--rate-report", "s1", "--seed", "1")
    pytester.runpytest_subprocess("--rate-report", "s2", "--seed", "2")
    fits = [
        json.loads((pytester.path / d / "results.json").read_text())["claims"][0]["fitted"]
        for d in ("s1", "s2")
    ]
    assert fits[0]["estimate"] != fits[1]["estimate"]
