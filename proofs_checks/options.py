"""Command-line value parsers shared by the pytest plugin and the ``ratecheck`` command.

Standard library only: the plugin imports this module in every pytest run.
"""

from __future__ import annotations

import argparse


def nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {value}")
    return value
