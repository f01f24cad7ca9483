"""What a claim function and a kind receive.

A claim function gets a :class:`RunContext` (its random numbers and the profile); a kind's
``judge(data, ctx)`` gets a :class:`JudgeContext` (the judging stream, the profile and who is
being judged, for error messages). Both are derived from the run's seed and the claim id alone,
so a claim's result does not depend on which other claims ran, or in which process.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

PROFILES = ("quick", "full")
DEFAULT_SEED = 20231211


def stream(seed: int, claim_id: str, purpose: int) -> np.random.Generator:
    """The random stream number ``purpose`` of a claim (0: simulation, 1: judging the claim,
    2 + i: judging mutant i)."""
    key = zlib.crc32(claim_id.encode())
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key, purpose)))


@dataclass
class RunContext:
    """What a claim function receives: the profile and its random numbers.

    The generator is derived from the run's seed and the claim id only, so a claim's mutants
    see the same random numbers as the claim (differences are not noise).
    """

    claim_id: str
    seed: int
    profile: str
    rng: np.random.Generator

    def pick(self, quick: Any, full: Any) -> Any:
        """The quick or the full value of a setting (horizon, replicates...)."""
        return full if self.profile == "full" else quick


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
