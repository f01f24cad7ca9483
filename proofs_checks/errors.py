"""Errors raised by the verification machinery."""

from __future__ import annotations


class ClaimError(ValueError):
    """A claim spec or the data a claim produced is malformed.

    The message always names the claim and the offending field, so that a broken
    theorem module points at itself rather than at the engine.

    Parameters
    ----------
    claim_id
        The dotted id of the claim (``"<unnamed>"`` if it has none yet).
    field
        The field of the spec or of the data that is wrong (``"tolerance"``,
        ``"data.x"``, ``"mutants"``, ...).
    message
        What is wrong with it.
    """

    def __init__(self, claim_id: str, field: str, message: str) -> None:
        self.claim_id = claim_id
        self.field = field
        self.message = message
        super().__init__(f"claim {claim_id!r}, field {field!r}: {message}")
