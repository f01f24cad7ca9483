"""ratecheck's verification machinery: claims, rate fits, verdicts, the pytest plugin.

A theorem module declares claims with :func:`claim`; each claim's function runs a simulator and
returns data (:class:`Samples`, :class:`ErrorSequence`, ...); the claim's prediction (a kind:
:class:`PowerLaw`, :class:`Geometric`, :class:`Bound`, ...) fits it and gives a verdict,
``confirmed``, ``refuted`` or ``inconclusive``. Every claim carries mutants that must be refuted.
"""

from .claims import (
    DEFAULT_SEED,
    Claim,
    ClaimResult,
    Mutant,
    Paper,
    Reference,
    RunContext,
    claim,
    claims_in,
)
from .data import Comparison, ErrorSequence, Identity, Samples, Search
from .errors import ClaimError
from .kinds import Geometric, Judgement, PowerLaw, Prediction, Scaling
from .kinds_exact import Agreement, Bound, Implication, Symbolic
from .kinds_order import Order
from .registry import KINDS
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
    "ClaimResult",
    "Comparison",
    "ErrorSequence",
    "Geometric",
    "Identity",
    "Implication",
    "Judgement",
    "Mutant",
    "Order",
    "Paper",
    "PowerLaw",
    "Prediction",
    "Reference",
    "RunContext",
    "Samples",
    "Scaling",
    "Search",
    "Symbolic",
    "claim",
    "claims_in",
]
