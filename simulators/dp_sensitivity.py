r"""What a private release's accounting assumed about one record, next to what the run measured.

The accountant is told a noise multiplier, the noise's standard deviation divided by the L2
sensitivity of the released quantity. That sensitivity is an assumption (a Lipschitz constant, a
clip norm, one count per record). A DP simulator here does not trust it: it measures, over the
whole run, the largest norm of one record's contribution to each noised release and reports it
next to the sensitivity its accounting used, as one :class:`Sensitivity` per mechanism and
configuration. A clipping mistake, a wrong Lipschitz constant or a mean over more records than
the data set holds then shows as ``measured > assumed``.

The neighbouring relation is the accountant's (:data:`ADJACENCY`): one record added or removed.
A released mean divides by the *nominal* n, treated as public (as TensorFlow Privacy and Opacus
do), so one record's contribution to it is its own term divided by n; under replace-one
adjacency the same release would have twice the sensitivity (a record's term replaced by
another's), and the measurement would have to be of differences of two records' terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: The neighbouring relation every DP simulator's accounting uses (dp_accounting's default).
ADJACENCY = "add/remove one record; a mean divides by the nominal n, treated as public"


@dataclass(frozen=True)
class Sensitivity:
    """One release's L2 sensitivity in one configuration.

    Parameters
    ----------
    mechanism
        Which noised release (``"gradient mean"``, ``"histogram"``, ...).
    assumed
        The sensitivity the accounting used: the noise's standard deviation divided by the
        noise multiplier given to the accountant.
    measured
        The largest norm of one record's contribution to that release seen over the run (every
        step, replicate and record), in the release's units.
    """

    mechanism: str
    assumed: float
    measured: float

    @property
    def exceeded(self) -> bool:
        """Whether some record contributed more than the accounting assumed."""
        return self.measured > self.assumed * (1 + 1e-9)


def worst_ratio(mechanism: str, measured: np.ndarray, assumed: np.ndarray) -> Sensitivity:
    """The :class:`Sensitivity` of the replicate whose measured/assumed ratio is largest, for a
    release whose assumed sensitivity varies by replicate (a privately chosen clip radius)."""
    measured, assumed = np.broadcast_arrays(np.asarray(measured, float), np.asarray(assumed, float))
    worst = np.unravel_index(np.argmax(measured / assumed), measured.shape)
    return Sensitivity(mechanism, float(assumed[worst]), float(measured[worst]))


def sensitivity_notes(entries: Iterable[Sensitivity]) -> dict[str, object]:
    """The notes a claim records: per release, the mechanism, the sensitivity assumed and the
    contribution measured, and the neighbouring relation they refer to."""
    entries = list(entries)
    return {
        "adjacency": ADJACENCY,
        "mechanism": [e.mechanism for e in entries],
        "assumed": [e.assumed for e in entries],
        "measured": [e.measured for e in entries],
    }
