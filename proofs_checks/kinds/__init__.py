"""The claim kinds, one module each, and their registry.

Importing this package registers the bundled kinds; a kind defined elsewhere registers itself
with :func:`register` (see :mod:`proofs_checks.kinds.base`).
"""

from .agreement import Agreement
from .base import KINDS, Judgement, Kind, kind_class, prediction_from_dict, register
from .bound import Bound
from .geometric import Geometric
from .implication import Implication
from .order import Order
from .power_law import PowerLaw
from .scaling import Scaling
from .symbolic import Symbolic
from .worst_case import WorstCase

#: The base class of every kind, under the name the engine's first versions used.
Prediction = Kind

__all__ = [
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
    "WorstCase",
    "kind_class",
    "prediction_from_dict",
    "register",
]
