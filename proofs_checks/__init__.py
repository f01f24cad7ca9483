"""ratecheck's verification machinery: claims, rate fits, verdicts, the pytest plugin.

A theorem module declares claims with :func:`claim`; each claim's function runs a simulator and
returns data (:class:`Samples`, :class:`ErrorSequence`, ...); the claim's prediction (a kind:
:class:`PowerLaw`, :class:`Geometric`, :class:`Bound`, ...) fits it and gives a verdict,
``confirmed``, ``refuted`` or ``inconclusive``. Every claim carries mutants that must be refuted.

The public names below are imported on first use (PEP 562): ``from proofs_checks import claim``
works as usual, while importing a submodule alone (the pytest plugin, loaded by every pytest run
wherever ratecheck is installed) does not load numpy, scipy, sympy or mpmath.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Each public name and the submodule that defines it.
_SOURCES = {
    "claims": ("Claim", "Mutant", "Paper", "Reference", "claim", "claims_in"),
    "context": ("DEFAULT_SEED", "JudgeContext", "RunContext"),
    "data": ("Comparison", "ErrorSequence", "Identity", "Samples", "Search"),
    "errors": ("ClaimError",),
    "kinds": (
        "KINDS",
        "Agreement",
        "Bound",
        "Geometric",
        "Implication",
        "Judgement",
        "Kind",
        "Order",
        "PowerLaw",
        "Prediction",
        "Scaling",
        "Symbolic",
        "register",
    ),
    "records": ("ClaimRecord", "MutantRecord", "RunRecord"),
    "verdicts": ("AT_LEAST", "AT_MOST", "CONFIRMED", "INCONCLUSIVE", "REFUTED", "TIGHT"),
}
_SOURCE_OF = {name: module for module, names in _SOURCES.items() for name in names}

__all__ = [
    "AT_LEAST",
    "AT_MOST",
    "CONFIRMED",
    "DEFAULT_SEED",
    "INCONCLUSIVE",
    "KINDS",
    "REFUTED",
    "TIGHT",
    "Agreement",
    "Bound",
    "Claim",
    "ClaimError",
    "ClaimRecord",
    "Comparison",
    "ErrorSequence",
    "Geometric",
    "Identity",
    "Implication",
    "JudgeContext",
    "Judgement",
    "Kind",
    "Mutant",
    "MutantRecord",
    "Order",
    "Paper",
    "PowerLaw",
    "Prediction",
    "Reference",
    "RunContext",
    "RunRecord",
    "Samples",
    "Scaling",
    "Search",
    "Symbolic",
    "claim",
    "claims_in",
    "register",
]


def __getattr__(name: str) -> Any:
    module = _SOURCE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
