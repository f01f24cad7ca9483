"""What a claim function and a kind receive.

A claim function gets a :class:`RunContext` (its random numbers and the profile); a kind's
``judge(data, ctx)`` gets a :class:`JudgeContext` (the judging stream, the profile and who is
being judged, for error messages). Both are derived from the run's seed and the claim id alone,
so a claim's result does not depend on which other claims ran, or in which process.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")

PROFILES = ("quick", "full")
DEFAULT_SEED = 20231211


def stream(seed: int, claim_id: str, purpose: int) -> np.random.Generator:
    """The random stream number ``purpose`` of a claim (0: simulation, 1: judging the claim,
    2 + i: judging mutant i)."""
    key = zlib.crc32(claim_id.encode())
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key, purpose)))


def task_stream(seed: int, claim_id: str, index: int) -> np.random.Generator:
    """The simulation stream of task ``index`` of a claim split with :meth:`RunContext.map`:
    independent of the claim's own streams and of every other task's, and of where it runs."""
    key = zlib.crc32(claim_id.encode())
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key, 0, index)))


def _timed(fn: Callable[[RunContext, T], R], ctx: RunContext, item: T) -> tuple[R, float]:
    """``fn(ctx, item)`` and the CPU seconds it took in the process that ran it."""
    start = time.process_time()
    return fn(ctx, item), time.process_time() - start


@dataclass
class RunContext:
    """What a claim function receives: the profile and its random numbers.

    The generator is derived from the run's seed and the claim id only, so a claim's mutants
    see the same random numbers as the claim (differences are not noise).

    ``executor`` is set when the run has workers to spare (``ratecheck run --jobs N`` for a
    claim declared ``parallel=True``): :meth:`map` then spreads a claim's points over them.
    """

    claim_id: str
    seed: int
    profile: str
    rng: np.random.Generator
    executor: Executor | None = field(default=None, repr=False, compare=False)
    #: CPU seconds spent by :meth:`map`'s tasks in other processes (the claim's cost counts them).
    task_cpu_seconds: list[float] = field(default_factory=list, repr=False, compare=False)

    def pick(self, quick: Any, full: Any) -> Any:
        """The quick or the full value of a setting (horizon, replicates...)."""
        return full if self.profile == "full" else quick

    def task(self, index: int) -> RunContext:
        """The context of task ``index``: its own stream (:func:`task_stream`), no executor."""
        return replace(
            self,
            rng=task_stream(self.seed, self.claim_id, index),
            executor=None,
            task_cpu_seconds=[],
        )

    def map(
        self, fn: Callable[[RunContext, T], R], items: Sequence[T], *, common: bool = False
    ) -> list[R]:
        """``[fn(ctx_i, item_i)]``: independent pieces of a claim (its horizons, its sweep
        points, blocks of replicates), each on its own stream ``ctx_i = self.task(i)``.

        ``common=True`` gives every piece the same stream (``self.task(0)``, a fresh generator
        each): common random numbers across a sweep, so replicate ``r`` of every point sees
        the same draws and the fit (which resamples whole replicates) sees the points' errors
        move together; the slope is then far more precise than with independent points.

        The result is the same bit for bit whether the pieces run here one after the other or
        on the run's workers (``executor``), in any order: a piece's random numbers depend on
        the seed, the claim id and its index only. ``fn`` must be a module-level function of an
        importable module for the workers to find it; otherwise the pieces run here.
        """
        contexts = [self.task(0 if common else i) for i in range(len(items))]
        importable = not getattr(fn, "__module__", "").startswith(("ratecheck_ext_", "__main__"))
        if self.executor is None or len(items) < 2 or not importable:
            return [fn(c, item) for c, item in zip(contexts, items, strict=True)]
        futures = [
            self.executor.submit(_timed, fn, c, item)
            for c, item in zip(contexts, items, strict=True)
        ]
        results = []
        for future in futures:
            value, cpu = future.result()
            self.task_cpu_seconds.append(cpu)
            results.append(value)
        return results


@dataclass
class JudgeContext:
    """What every kind's ``judge(data, ctx)`` receives.

    Parameters
    ----------
    claim_id
        Who is judged, for messages: the claim id, or ``"<id> (mutant <name>)"``.
    rng
        The judging stream (bootstrap resamples, search draws).
    profile
        ``"quick"`` or ``"full"``: a kind may spend more effort in the full profile.
    """

    claim_id: str
    rng: np.random.Generator
    profile: str = "quick"

    def pick(self, quick: Any, full: Any) -> Any:
        return full if self.profile == "full" else quick
