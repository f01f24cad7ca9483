"""ratecheck's verification machinery: claims, rate fits, verdicts, the pytest plugin.

A theorem module declares claims with :func:`claim`; each claim's function runs a simulator and
returns data (:class:`Samples`, :class:`ErrorSequence`, ...); the claim's prediction (a kind:
:class:`PowerLaw`, :class:`Geometric`, :class:`Bound`, ...) fits it and gives a verdict,
``confirmed``, ``refuted`` or ``inconclusive``. Every claim carries mutants that must be refuted.
"""

from .claims import Claim, Mutant, Paper, Reference, claim, claims_in
from .context import DEFAULT_SEED, JudgeContext, RunContext
from .data import Comparison, ErrorSequence, Identity, Samples, Search
from .errors import ClaimError
from .kinds import (
    KINDS,
    Agreement,
    Bound,
    Geometric,
    Implication,
    Judgement,
    Kind,
    Order,
    PowerLaw,
    Prediction,
    Scaling,
    Symbolic,
    register,
)
from .records import ClaimRecord, MutantRecord, RunRecord
from .verdicts import AT_LEAST, AT_MOST, CONFIRMED, INCONCLUSIVE, REFUTED, TIGHT

__version__ = "0.1.0"

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
