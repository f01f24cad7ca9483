"""Parallelism inside a claim: RunContext.map gives the same result to the bit wherever its
pieces run, and a parallel claim under --jobs spreads its pieces over the workers."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from proofs_checks import Mutant, Paper, PowerLaw, RunContext, Samples, claim
from proofs_checks.context import stream
from proofs_checks.execution import run_claims
from proofs_checks.results import strip_timings

REF = Paper("A paper", "A. Author", 2024, arxiv="2401.00001").theorem("Theorem 1")
HORIZONS = np.geomspace(10, 1e4, 6)


def noisy_column(ctx: RunContext, n: float) -> np.ndarray:
    """One horizon's replicates: 1/n times a lognormal factor drawn from the piece's stream."""
    return np.exp(0.1 * ctx.rng.standard_normal(64) - 0.005) / n


def worker_pid(_ctx: RunContext, _item: int) -> int:
    return os.getpid()


def sweep(ctx: RunContext, scale: float = 1.0) -> Samples:
    columns = ctx.map(noisy_column, list(HORIZONS))
    return Samples(HORIZONS, scale * np.stack(columns, axis=1))


PARALLEL_CLAIM = claim(
    "test.parallel.sweep",
    paper=REF,
    statement="y decays as 1/n",
    predicted=PowerLaw(exponent=-1.0),
    mutants=[Mutant("wrong", "exponent -2", predicted=PowerLaw(exponent=-2.0))],
    parallel=True,
)(sweep)


def context(seed: int = 3, executor=None) -> RunContext:
    return RunContext("test.parallel.sweep", seed, "quick", stream(seed, "x", 0), executor)


def test_map_is_the_same_to_the_bit_serially_and_on_workers():
    serial = context().map(noisy_column, list(HORIZONS))
    with ProcessPoolExecutor(max_workers=2) as pool:
        ctx = context(executor=pool)
        spread = ctx.map(noisy_column, list(HORIZONS))
        pids = ctx.map(worker_pid, list(range(8)))
    assert all(np.array_equal(a, b) for a, b in zip(serial, spread, strict=True))
    assert os.getpid() not in pids  # the pieces really ran elsewhere
    assert len(ctx.task_cpu_seconds) == len(HORIZONS) + 8  # their CPU time is counted


def test_pieces_have_independent_streams_unless_common():
    independent = context().map(noisy_column, [1.0, 1.0])
    common = context().map(noisy_column, [1.0, 1.0], common=True)
    assert not np.array_equal(independent[0], independent[1])
    assert np.array_equal(common[0], common[1])
    # and a different seed gives different numbers
    assert not np.array_equal(context(4).map(noisy_column, [1.0])[0], independent[0])


def test_a_parallel_claim_under_jobs_equals_the_serial_run():
    serial = run_claims([PARALLEL_CLAIM], seed=5, profile="quick")
    spread = run_claims([PARALLEL_CLAIM], seed=5, profile="quick", jobs=2)
    assert serial[0]["verdict"] == "confirmed" and serial[0]["mutants"][0]["verdict"] == "refuted"
    assert strip_timings(serial) == strip_timings(spread)
    assert spread[0]["cpu_seconds"] > 0


def test_parallel_must_be_a_bool():
    with pytest.raises(Exception, match="parallel"):
        claim(
            "test.parallel.bad",
            paper=REF,
            statement="s",
            predicted=PowerLaw(exponent=-1.0),
            mutants=[Mutant("wrong", "exponent -2", predicted=PowerLaw(exponent=-2.0))],
            parallel="yes",
        )(sweep)
