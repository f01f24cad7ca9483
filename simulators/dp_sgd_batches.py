r"""Poisson-sampled batches for DP-SGD, drawn a block of steps at a time, and what a batch holds.

:func:`poisson_batches` draws the batches of ``steps`` steps for ``replicates`` runs at once
(every record joins each batch independently with probability ``q``, exactly).
:class:`LevelCounter` reduces the batches of a block to the only thing a step on the sharp
instance needs from them when every coordinate of the data takes one of a few values (levels):
how many sampled records sit at each level, coordinate by coordinate. Those counts do not depend
on the iterate, so they are computed for the whole block at once (:class:`LevelCounter`)
instead of by a gather and a segment sum per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Steps whose Poisson batches and noise are drawn at once: the per-step work is then a few
#: array operations, with no per-step random-number call.
BLOCK = 256


@dataclass
class PoissonBatches:
    """Poisson-sampled batches of ``steps`` steps for ``replicates`` runs, drawn at once.

    ``records`` lists the sampled records step by step, replicate by replicate (replicates in
    order within a step); ``offsets[k * R + r]`` is where replicate ``r``'s batch at step ``k``
    starts in it.
    """

    records: np.ndarray
    rows: np.ndarray
    offsets: np.ndarray
    replicates: int

    def step(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Step ``k``'s replicate of each sampled record, the records, and the batch bounds
        (``replicates + 1`` offsets into them)."""
        bounds = self.offsets[k * self.replicates : (k + 1) * self.replicates + 1]
        lo, hi = bounds[0], bounds[-1]
        return self.rows[lo:hi], self.records[lo:hi], bounds - lo

    def sizes(self) -> np.ndarray:
        """``(steps, replicates)``: the realised batch sizes."""
        return np.diff(self.offsets).reshape(-1, self.replicates)


#: The smallest double above INT64_MAX: numpy's geometric variates saturate there.
_GEOMETRIC_CAP = 9.223372036854776e18


def geometric(rate: float, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """``rng.geometric(rate, shape)``, the same numbers from the same stream, faster.

    For ``rate < 1/3`` numpy draws each variate by inversion, ``ceil(-E / log1p(-rate))``
    with ``E`` its standard exponential; doing that on a whole array of exponentials skips
    a per-variate function call and logarithm. Other rates go to ``rng.geometric``.
    """
    if rate >= 1 / 3:
        return rng.geometric(rate, shape)
    values = rng.standard_exponential(shape)
    np.negative(values, out=values)
    values /= np.log1p(-rate)
    np.ceil(values, out=values)
    saturated = values >= _GEOMETRIC_CAP
    if saturated.any():
        values[saturated] = 0.0
        out = values.astype(np.int64)
        out[saturated] = np.iinfo(np.int64).max
        return out
    return values.astype(np.int64)


def poisson_batches(
    n: int, rate: float, replicates: int, steps: int, rng: np.random.Generator
) -> PoissonBatches:
    """Every record joins each batch independently with probability ``rate``, exactly.

    The gaps between successive sampled records are independent Geometric(rate) variables, so
    a batch is drawn from about ``rate n`` geometric numbers instead of ``n`` uniforms; rows
    whose gaps do not yet pass the last record are extended by further independent gaps (no
    rejection, so the law is exact).
    """
    mean = rate * n
    width = int(np.ceil(mean + 8 * np.sqrt(mean) + 8))
    positions = np.cumsum(geometric(rate, (steps, replicates, width), rng), axis=-1) - 1
    while np.any(positions[..., -1] < n):
        more = np.cumsum(geometric(rate, (steps, replicates, width), rng), axis=-1)
        positions = np.concatenate([positions, positions[..., -1:] + more], axis=-1)
    inside = positions < n
    counts = inside.sum(axis=-1).ravel()
    offsets = np.concatenate([[0], np.cumsum(counts)])
    rows = np.repeat(np.tile(np.arange(replicates), steps), counts)
    return PoissonBatches(positions[inside], rows, offsets, replicates)


def segment_sums(values: np.ndarray, bounds: np.ndarray, dtype: type | None = None) -> np.ndarray:
    """Sums of the row blocks ``values[bounds[i]:bounds[i + 1]]`` (empty blocks sum to 0),
    accumulated in ``dtype`` (``values``' own by default)."""
    # reduceat returns the start row for an empty block, and needs a row at every start:
    # pad one zero row and zero the empty blocks
    padded = np.concatenate([values, np.zeros((1, values.shape[1]), values.dtype)])
    sums = np.add.reduceat(padded, bounds[:-1], axis=0, dtype=dtype)
    sums[bounds[1:] == bounds[:-1]] = 0
    return sums


def integer_segment_sums(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """:func:`segment_sums` of integers, without the padded copy: the nonempty blocks are
    summed (each then runs to the next one's start) and the empty ones set to 0. Integer
    sums are exact in any order."""
    sums = np.zeros((len(bounds) - 1, values.shape[1]), values.dtype)
    nonempty = bounds[1:] > bounds[:-1]
    if nonempty.any():
        sums[nonempty] = np.add.reduceat(values, bounds[:-1][nonempty], axis=0)
    return sums


def level_codes(data: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """``(n, d)`` small integers: the index in ``levels`` of every entry of ``data``."""
    codes = np.searchsorted(levels, data)
    if not np.array_equal(levels[np.minimum(codes, len(levels) - 1)], data):
        raise ValueError("data holds values outside the levels")
    return codes.astype(np.uint8)


class LevelCounter:
    """How many records of each batch hold each level in each coordinate.

    ``codes``: ``(n, d)`` level indices (:func:`level_codes`) of ``levels`` levels. One
    indicator per (coordinate, level) but the last level (whose count is the batch size minus
    the others'); the indicators of a record are packed as bit fields into a few 64-bit words,
    so one segment sum over the sampled records adds eight (or four, or two) counters per
    machine addition: a batch's count fits its field as long as the batch holds fewer than
    ``2**bits`` records, and the field width is chosen per block so that it does.
    """

    def __init__(self, codes: np.ndarray, levels: int) -> None:
        self.n, self.d = codes.shape
        self.levels = levels
        self.indicators = (codes[:, :, None] == np.arange(levels - 1)).reshape(self.n, -1)
        self._packed: dict[int, np.ndarray] = {}

    def packed(self, bits: int) -> np.ndarray:
        """``(n, words)`` uint64: the indicators as ``bits``-bit fields, ``64 // bits`` a word."""
        if bits not in self._packed:
            per_word = 64 // bits
            columns = self.indicators.shape[1]
            words = np.zeros((self.n, -(-columns // per_word)), np.uint64)
            for c in range(columns):
                shift = np.uint64(bits * (c % per_word))
                words[:, c // per_word] |= self.indicators[:, c].astype(np.uint64) << shift
            self._packed[bits] = words
        return self._packed[bits]

    def signed_sums(self, batches: PoissonBatches) -> np.ndarray:
        """``(steps, replicates, d, levels + 1)`` int32: entry ``i`` is the records below minus
        the records above a point with the ``i`` lowest levels below it and none on it (twice
        their count, minus the batch size), for every batch and coordinate. Half the difference
        of entries ``i + 1`` and ``i`` is the count at level ``i``."""
        sizes = np.diff(batches.offsets)
        largest = int(sizes.max()) if len(sizes) else 0
        bits = next(b for b in (8, 16, 32) if largest < 2**b)
        per_word = 64 // bits
        sums = integer_segment_sums(self.packed(bits)[batches.records], batches.offsets)
        shifts = (bits * np.arange(per_word)).astype(np.uint64)
        fields = (sums[:, :, None] >> shifts) & np.uint64(2**bits - 1)
        steps, columns, levels = len(sizes), self.d * (self.levels - 1), self.levels
        counts = fields.reshape(steps, -1)[:, :columns].astype(np.int32)
        counts = counts.reshape(steps, self.d, levels - 1)
        signed = np.empty((steps, self.d, levels + 1), np.int32)
        # a level at a time: far faster than a cumulative sum over the short last axis
        signed[:, :, 0] = -sizes[:, None]
        for v in range(levels - 1):
            signed[:, :, v + 1] = signed[:, :, v] + 2 * counts[:, :, v]
        signed[:, :, -1] = sizes[:, None]
        return signed.reshape(-1, batches.replicates, self.d, levels + 1)
