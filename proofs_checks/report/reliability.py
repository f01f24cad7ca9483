"""Reliability over seeds: the power benchmark's per-claim counts, read once into records.

The benchmark (``benchmarks/power.py``) runs every claim over many seeds and writes how often
each claim got its expected verdict and each mutant was refuted. The report shows those counts
when it is given the benchmark's document (or its path); the engine never looks for the file
on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..formatting import DASH


@dataclass(frozen=True)
class ClaimReliability:
    """One claim over ``seeds_run`` seeds: how often it got its expected verdict, and how often
    each mutant (by name) was refuted."""

    seeds_run: int
    expected: int
    mutants_refuted: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Reliability:
    """The power benchmark's counts by claim id (empty when there is no benchmark)."""

    claims: dict[str, ClaimReliability] = field(default_factory=dict)
    profile: str = ""
    source: str = ""

    def __bool__(self) -> bool:
        return bool(self.claims)

    def claim_text(self, claim_id: str) -> str:
        """``"49/50 seeds"``; ``–`` if the claim was not measured."""
        c = self.claims.get(claim_id)
        return f"{c.expected}/{c.seeds_run} seeds" if c else DASH

    def mutant_text(self, claim_id: str, mutant: str) -> str:
        """``"refuted 50/50 seeds"``; ``–`` if the mutant was not measured."""
        c = self.claims.get(claim_id)
        if c is None or mutant not in c.mutants_refuted:
            return DASH
        return f"refuted {c.mutants_refuted[mutant]}/{c.seeds_run} seeds"

    @classmethod
    def load(cls, source: Reliability | dict[str, Any] | str | Path | None) -> Reliability:
        """From the benchmark's document or its path; empty for None.

        A path that cannot be read or parsed raises (a reliability the caller asked for is not
        silently dropped); claims with no seeds run, or malformed counts, are left out.
        """
        if source is None:
            return cls()
        if isinstance(source, Reliability):
            return source
        name = "power benchmark"
        if not isinstance(source, dict):
            name = str(source)
            source = json.loads(Path(source).read_text())
        if not isinstance(source, dict):
            raise ValueError(f"{name}: expected a JSON object")
        claims = source.get("claims")
        parsed = {}
        for claim_id, counts in (claims if isinstance(claims, dict) else {}).items():
            entry = _claim(counts)
            if entry is not None:
                parsed[str(claim_id)] = entry
        profile = source.get("profile")
        return cls(parsed, profile if isinstance(profile, str) else "", name)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _claim(counts: Any) -> ClaimReliability | None:
    if not isinstance(counts, dict):
        return None
    seeds, expected = _count(counts.get("seeds_run")), _count(counts.get("expected"))
    if not seeds or expected is None:
        return None
    mutants = counts.get("mutants")
    refuted = {}
    for name, m in (mutants if isinstance(mutants, dict) else {}).items():
        n = _count(m.get("refuted")) if isinstance(m, dict) else None
        if n is not None:
            refuted[str(name)] = n
    return ClaimReliability(seeds, expected, refuted)
