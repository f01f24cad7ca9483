"""The report tests' run: small claims of every bundled kind (Monte Carlo and deterministic
power laws, one with a log factor and a mutant that reruns the simulation; a scaling; a
geometric rate; an order in mpmath; Monte Carlo and exact bounds as sympy expressions; an
agreement; implications confirmed and refuted as stated; a symbolic identity; a diverged run;
a claim whose evaluation raised), the report written from them, and an HTML parser."""

from __future__ import annotations

import json
import time
from html.parser import HTMLParser
from pathlib import Path

import mpmath
import numpy as np
import sympy
from hypothesis import strategies as st

from proofs_checks import (
    AT_MOST,
    REFUTED,
    Agreement,
    Bound,
    Comparison,
    ErrorSequence,
    Geometric,
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
from proofs_checks.claims import Claim
from proofs_checks.execution import evaluate_record
from proofs_checks.records import RunRecord
from proofs_checks.report import write_report

PAPER = Paper("Worked examples for the report", "A. Author, B. Author", 2024, arxiv="2401.00001")
T, D = sympy.symbols("t D", positive=True)


def spec(func, claim_id, predicted, mutants, **kw) -> Claim:
    kw.setdefault("statement", f"{claim_id} holds")
    kw.setdefault("paper", PAPER.theorem("Theorem 1"))
    return Claim(func, claim_id, predicted=predicted, mutants=mutants, **kw)


def log_factor(ctx, rate=-0.5):
    n = np.geomspace(10, 1e5, 12)
    noise = np.exp(0.1 * ctx.rng.standard_normal((256, 12)))
    return Samples(n, np.log(n) * n**rate * noise, x_label="steps n", y_label="E gap")


def exact_inverse(ctx):
    n = np.geomspace(10, 1e4, 10)
    return Samples(n, 3.0 / n, x_label="iterations n", y_label="gap")


def scaling(ctx, exponent=1.0):
    kappa = np.geomspace(10, 1e4, 10)
    noise = np.exp(0.05 * ctx.rng.standard_normal((128, 10)))
    return Samples(kappa, 3 * kappa**exponent * noise, x_label="kappa", y_label="iterations")


def contraction(ctx):
    k = np.arange(0, 40, 2.0)
    noise = np.exp(0.05 * ctx.rng.standard_normal((64, len(k))))
    return Samples(k, 0.5**k * noise, x_label="iteration k", y_label="error")


def newton(ctx):
    with mpmath.workdps(80):
        x, errors = mpmath.mpf(1), []
        for _ in range(9):
            errors.append(abs(x - mpmath.sqrt(2)))
            x = (x + 2 / x) / 2
    return ErrorSequence(errors, floor=1e-70, label="|x_k - sqrt 2|")


def noisy_decay(ctx):
    t = np.geomspace(1, 1e3, 10)
    y = 1.0 / np.sqrt(t) * (1 + 0.2 * ctx.rng.standard_normal((400, 10)))
    return Samples(t, y, constants={"D": 1.0}, x_label="t", y_label="E error")


def exact_decay(ctx):
    t = np.arange(1.0, 200.0, 13.0)
    return Samples(t, 1.0 / t, constants={"D": 1.0}, x_label="t", y_label="error")


def geometric_sum(ctx, off_by_one=False):
    n = np.arange(1, 30)
    computed = np.array([sum(0.5**k for k in range(m + off_by_one)) for m in n])
    return Comparison(computed, 2 - 2.0 ** (1 - n), labels=[f"n={m}" for m in n])


def even_square(ctx, modulus=2):
    return Search(
        st.integers(0, 10_000),
        premise=lambda k: k % 2 == 0,
        conclusion=lambda k: (k * k) % modulus == 0 if modulus == 2 else (k * k) % 4 == 2,
        describe=lambda k: {"k": k, "k^2": k * k},
    )


def square_dominates(ctx, strict=False):
    return Search(
        st.floats(0, 10, allow_nan=False),
        premise=lambda x: x >= 0,
        conclusion=(lambda x: x * x > x) if strict else (lambda x: x * x >= x),
        describe=lambda x: {"x": x, "x^2": x * x},
    )


def binomial(ctx, wrong=False):
    a, b = sympy.symbols("a b", real=True)
    rhs = a**2 + b**2 if wrong else a**2 + 2 * a * b + b**2
    return Identity(
        (a + b) ** 2,
        rhs,
        steps=[("expand", sympy.expand((a + b) ** 2)), ("regroup", a * (a + b) + b * (a + b))],
        test_points=[{a: 1, b: 2}],
    )


def diverges(ctx):
    y = np.ones((4, 6))
    y[1, 3:] = np.inf
    return Samples(np.arange(1, 7) * 10.0, y)


MONTE_CARLO_BOUND = Bound(expression=2 * D / sympy.sqrt(T), x=T, symbols={"D": "the scale"})
EXACT_BOUND = Bound(expression=2 * D / T, x=T)
RATE_ID = "demo.power.log_factor"
BROKEN = "demo.broken.raises"


def claims() -> list[Claim]:
    return [
        spec(log_factor, RATE_ID,
             PowerLaw(exponent=-0.5, log_power=1, tolerance=0.1, side=AT_MOST),
             [Mutant("no_decay", "the step does not decay", params={"rate": 0.0}),
              Mutant("fast", "log(n)/n claimed",
                     predicted=PowerLaw(exponent=-1.0, log_power=1, tolerance=0.1, side=AT_MOST))],
             latex=r"\mathbb{E}\, f(x_n) - f^* \le C \frac{\log n}{\sqrt{n}}",
             assumptions=("f convex", "G-Lipschitz"),
             simplification="a synthetic rate with log-normal noise"),
        spec(exact_inverse, "demo.power.exact", PowerLaw(exponent=-1.0, tolerance=0.05),
             [Mutant("squared", "1/n^2", predicted=PowerLaw(exponent=-2.0, tolerance=0.05))]),
        spec(scaling, "demo.scaling.kappa",
             Scaling(exponent=1.0, tolerance=0.1, parameter="kappa"),
             [Mutant("sqrt", "sqrt(kappa) claimed",
                     predicted=Scaling(exponent=0.5, parameter="kappa"))]),
        spec(contraction, "demo.geometric.halving", Geometric(rho=0.5, tolerance=0.05),
             [Mutant("slower", "rho = 0.7 claimed", predicted=Geometric(rho=0.7))]),
        spec(newton, "demo.order.newton", Order(order=2.0, tolerance=0.2),
             [Mutant("linear", "linear convergence claimed", predicted=Order(order=1.0))],
             latex=r"e_{k+1} \le C e_k^2"),
        spec(noisy_decay, "demo.bound.monte_carlo", MONTE_CARLO_BOUND,
             [Mutant("understated", "the constant 4 times too small",
                     predicted=MONTE_CARLO_BOUND.scaled(sympy.Rational(1, 4)))]),
        spec(exact_decay, "demo.bound.exact", EXACT_BOUND,
             [Mutant("understated", "the constant 4 times too small",
                     predicted=EXACT_BOUND.scaled(sympy.Rational(1, 4)))]),
        spec(geometric_sum, "demo.agreement.geometric_sum", Agreement(rtol=1e-12),
             [Mutant("off_by_one", "one term too many", params={"off_by_one": True})]),
        spec(even_square, "demo.implication.even_square", Implication(max_examples=100),
             [Mutant("mod4", "k^2 = 2 mod 4 claimed", params={"modulus": 4})]),
        # a statement false as stated: x^2 >= x fails on (0, 1)
        spec(square_dominates, "demo.implication.square_dominates", Implication(max_examples=100),
             [Mutant("strict", "strict inequality", params={"strict": True})],
             expect=REFUTED, latex=r"\forall x \ge 0:\; x^2 \ge x"),
        spec(binomial, "demo.symbolic.binomial", Symbolic(),
             [Mutant("freshman", "the cross term dropped", params={"wrong": True})],
             latex=r"\begin{cases} (a+b)^2 \end{cases} \undefinedmacro{a}"),
        spec(diverges, "demo.power.diverges", PowerLaw(exponent=0.0, tolerance=0.1),
             [Mutant("slope_one", "slope 1", predicted=PowerLaw(exponent=1.0))]),
    ]  # fmt: skip


def broken_record(seed: int):
    """The record of a claim whose simulator raised."""
    record = claims()[0].error_record(seed, "quick", RuntimeError("simulator blew up"))
    record.id = BROKEN
    return record


def evaluate(claim_list, seed: int = 3, extra=()) -> RunRecord:
    """The run of ``claim_list`` (plus ready ``extra`` records) in the quick profile."""
    start = time.perf_counter()
    records = [evaluate_record(c, seed, "quick") for c in claim_list] + list(extra)
    return RunRecord(seed, "quick", records, wall_seconds=time.perf_counter() - start)


def write_demo_report(directory: Path) -> None:
    """Evaluate the demo claims (and the broken one) and write their report into
    ``directory`` from a results.json document, with a power benchmark for one claim."""
    record = evaluate(claims(), extra=[broken_record(3)])
    power = {
        "schema": 1,
        "profile": "quick",
        "claims": {
            RATE_ID: {"seeds_run": 50, "expected": 49,
                      "mutants": {"no_decay": {"refuted": 50, "inconclusive": 0}}},
        },
    }  # fmt: skip
    power_path = directory / "power.json"
    power_path.write_text(json.dumps(power))
    write_report(directory, record.to_json(), reliability=power_path)


class Page(HTMLParser):
    """Tags with their attributes, the text, and element ids."""

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
