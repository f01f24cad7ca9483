r"""The vectorised engine of :func:`simulators.dp_sgd.dp_sgd_sharp_sweep`.

All points of a sweep (a data set, a step and a noise multiplier each) advance together, step
by step. What makes a step cheap on the sharp instance: a record's gradient is
:math:`G\,\mathrm{sign}(\theta - z_i)/\sqrt d`, and when every coordinate of the data takes one
of a few values (levels: :math:`0, \pm 1/2` here) and no sampled record ties with the iterate,
every gradient has norm :math:`G` and the same clipping factor, so the batch's clipped sum in
coordinate :math:`j` is that factor times :math:`\sum_v c_{jv}\,\mathrm{sign}(\theta_j - v)`,
where :math:`c_{jv}` counts the batch's records at level :math:`v` in coordinate :math:`j`.
The counts do not depend on the iterate, so they are computed a block of steps at a time
(:class:`simulators.dp_sgd_batches.LevelCounter`), once for every point that shares the batches
(the same ``n``). A replicate whose iterate ties with a sampled record (the start on a level,
or a noise-free run on a dyadic grid) takes that step record by record, as the simulator always
did, so the law and the measured sensitivity are exactly those of per-record DP-SGD.
"""

from __future__ import annotations

import copy

import numpy as np

from .dp import AbsoluteLoss
from .dp_sgd_batches import (
    BLOCK,
    LevelCounter,
    PoissonBatches,
    level_codes,
    poisson_batches,
    segment_sums,
)

#: Data with at most this many distinct values take the level-count step.
MAX_LEVELS = 4


def record_step(
    theta: np.ndarray,
    data: np.ndarray,
    rows: np.ndarray,
    records: np.ndarray,
    bounds: np.ndarray,
    sizes: np.ndarray,
    scale: float,
    clip_norm: float,
    clip: str,
) -> tuple[np.ndarray, np.ndarray]:
    """One step's clipped batch sums ``(R, d)``, record by record, for the sampled ``records``
    of replicates ``rows`` (batch bounds ``bounds``; ``sizes`` the replicates' whole batch
    sizes), and the norm of each record's contribution."""
    d = data.shape[1]
    signs = np.sign(theta[rows] - data[records])
    # each gradient is scale * signs / sqrt(d): its norm needs no square root per entry
    norms = scale * np.sqrt(np.einsum("ij,ij->i", signs, signs) / d)
    weights = np.full(len(rows), scale / np.sqrt(d))
    if clip == "per_example":
        weights *= np.minimum(1.0, clip_norm / np.maximum(norms, 1e-300))
    summed = segment_sums(signs * weights[:, None], bounds)
    if clip == "after_averaging":
        # the mean of the batch clipped to C: each record's contribution is its own gradient
        # times the batch's common factor, not bounded by C
        mean_norm = np.linalg.norm(summed, axis=1) / np.maximum(sizes, 1)
        factor = np.minimum(1.0, clip_norm / np.maximum(mean_norm, 1e-300))
        summed *= factor[:, None]
        norms = norms * factor[rows]
    else:
        norms = np.minimum(norms, clip_norm)
    return summed, norms


class SharpSweep:
    """The distinct points of a sweep, grouped by what they share.

    ``unique_of[p]``: the distinct point that input point ``p`` is; ``batch_group[u]``: the
    group of distinct points with the same ``n`` (the same batches); layers: distinct points
    with the same ``d`` and levels, whose iterates are stacked ``(points, R, d)``.
    """

    def __init__(self, datasets, steps, sigmas, scale, distance, clip_norm, rate) -> None:
        self.scale, self.distance, self.clip_norm, self.rate = scale, distance, clip_norm, rate
        index: dict[tuple, int] = {}
        self.points: list[tuple[np.ndarray, float, float]] = []
        self.unique_of: list[int] = []
        for data, step, sigma in zip(datasets, steps, sigmas, strict=True):
            key = (data.shape, data.tobytes(), step, sigma)
            if key not in index:
                index[key] = len(self.points)
                self.points.append((data, step, sigma))
            self.unique_of.append(index[key])
        sizes = sorted({data.shape[0] for data, _, _ in self.points})
        self.batch_group = [sizes.index(data.shape[0]) for data, _, _ in self.points]
        self.group_n = sizes
        self._group_levels()
        self._layers()

    def _group_levels(self) -> None:
        """Per batch group: its levels (``None`` if too many for the level-count step), and the
        distinct columns of its points' data as level codes; per point, its columns there."""
        self.levels: list[np.ndarray | None] = []
        self.counters: list[LevelCounter | None] = []
        self.columns: list[np.ndarray] = [np.arange(data.shape[1]) for data, _, _ in self.points]
        for g in range(len(self.group_n)):
            members = [u for u, group in enumerate(self.batch_group) if group == g]
            levels = np.unique(np.concatenate([self.points[u][0].ravel() for u in members]))
            if not 2 <= len(levels) <= MAX_LEVELS:
                self.levels.append(None)
                self.counters.append(None)
                continue
            codes = np.hstack([level_codes(self.points[u][0], levels) for u in members])
            # points that share columns (a sweep over d draws the larger data set's first
            # columns as the smaller one's) count them once
            distinct, inverse = np.unique(codes, axis=1, return_inverse=True)
            start = 0
            for u in members:
                d = self.points[u][0].shape[1]
                self.columns[u] = inverse.ravel()[start : start + d]
                start += d
            self.levels.append(levels)
            self.counters.append(LevelCounter(distinct, len(levels)))

    def _layers(self) -> None:
        """Distinct points grouped by ``d`` and levels: one stacked iterate per group."""
        keys: dict[tuple, list[int]] = {}
        for u, (data, _, _) in enumerate(self.points):
            levels = self.levels[self.batch_group[u]]
            key = (data.shape[1], None if levels is None else levels.tobytes())
            keys.setdefault(key, []).append(u)
        self.layers = list(keys.values())

    def run(self, steps, replicates, batch_rng, noise_rng, clip, every):
        """Every distinct point's mean excess over the evaluated steps ``(U, R)``, its largest
        one-record contribution ``(U,)``, and each batch group's batch sizes ``(R, T)``."""
        U, R = len(self.points), replicates
        batch_rngs = [copy.deepcopy(batch_rng) for _ in self.group_n]
        dims = sorted({data.shape[1] for data, _, _ in self.points})
        noise_rngs = {d: copy.deepcopy(noise_rng) for d in dims}
        layers = [_Layer(self, members, R, clip) for members in self.layers]
        sizes = [np.zeros((R, steps), int) for _ in self.group_n]
        for first in range(0, steps, BLOCK):
            block = min(BLOCK, steps - first)
            batches = [
                poisson_batches(n, self.rate, R, block, rng)
                for n, rng in zip(self.group_n, batch_rngs, strict=True)
            ]
            counts = [
                None if counter is None else counter.signed_sums(b)
                for b, counter in zip(batches, self.counters, strict=True)
            ]
            for g, b in enumerate(batches):
                sizes[g][:, first : first + block] = b.sizes().T
            normals = {d: noise_rngs[d].standard_normal((block, R, d)) for d in dims}
            for layer in layers:
                layer.block(first, block, batches, counts, normals, every)
        values, largest = np.zeros((U, R)), np.zeros(U)
        evaluated = (steps + every - 1) // every
        for layer in layers:
            values[layer.members] = layer.total / evaluated
            largest[layer.members] = layer.largest_contribution()
        return values, largest, sizes


class _Layer:
    """The stacked iterates ``(P, R, d)`` of the distinct points with one ``d`` and levels."""

    def __init__(self, sweep: SharpSweep, members: list[int], replicates: int, clip: str):
        self.sweep, self.members, self.clip = sweep, members, clip
        data = [sweep.points[u][0] for u in members]
        # the points' data stacked, for the record-by-record step of tied replicates
        self.data = np.concatenate(data) if len(data) > 1 else data[0]
        self.data_offset = np.cumsum([0] + [len(x) for x in data[:-1]])
        self.d = d = data[0].shape[1]
        self.groups = [sweep.batch_group[u] for u in members]
        self.levels = sweep.levels[self.groups[0]]
        if self.levels is not None:
            # the level above the last is none: an iterate there sits on no level
            self.padded_levels = np.append(self.levels, np.nan)
        scale, clip_norm = sweep.scale, sweep.clip_norm
        self.theta = np.full((len(members), replicates, d), sweep.distance / np.sqrt(d))
        self.total = np.zeros((len(members), replicates))
        self.largest = np.zeros(len(members))
        # whether some replicate took a step on the level counts with a nonempty batch
        self.untied_nonempty = np.zeros(len(members), bool)
        sorted_first = [np.sort(x[:, 0]) for x in data]
        same_loss = all(np.array_equal(s, sorted_first[0]) for s in sorted_first)
        # the loss is evaluated on the first column's values (every column holds the same)
        self.losses = [AbsoluteLoss(s) for s in (sorted_first[:1] if same_loss else sorted_first)]
        if self.levels is not None:
            self._level_losses()
        # the per-record step's weight and norm when no coordinate ties (every sign is +-1):
        # the same expressions as record_step, so the same floating-point numbers
        norm = scale * np.sqrt(float(d) / d)
        self.weight = scale / np.sqrt(d)
        if clip == "per_example":
            self.weight *= min(1.0, clip_norm / max(norm, 1e-300))
        self.norm = min(norm, clip_norm) if clip == "per_example" else norm
        n = np.array([sweep.points[u][0].shape[0] for u in members], float)
        steps = np.array([sweep.points[u][1] for u in members])
        self.coef = (steps / (sweep.rate * n))[:, None, None]
        self.noise_scale = np.array([sweep.points[u][2] * clip_norm for u in members])
        # where each replicate and coordinate of a point sits in its batch group's per-step
        # tables (R, columns, ...): one index per point, or one for all when they share it
        entries = []
        for u, g in zip(members, self.groups, strict=True):
            counter = sweep.counters[g]
            width = 0 if counter is None else counter.d
            entries.append(np.arange(replicates)[:, None] * width + sweep.columns[u])
        shared = len(set(self.groups)) == 1 and all(np.array_equal(e, entries[0]) for e in entries)
        self.entry = np.array(entries[:1] if shared else entries)

    def _tables(self, counts: list, k: int) -> list[np.ndarray]:
        """Step ``k``'s signed sums of each point's group (one for all when the points share
        their entries)."""
        groups = self.groups[:1] if len(self.entry) == 1 else self.groups
        return [counts[g][k] for g in groups]

    def block(self, first, block, batches, counts, normals, every) -> None:
        """Advance every point of the layer by ``block`` steps from step ``first``."""
        d, theta = self.d, self.theta
        sizes = np.stack([batches[g].sizes() for g in self.groups], axis=1)  # (block, P, R)
        noise = self.noise_scale[None, :, None, None] * normals[d][:, None]
        untied_nonempty = sizes > 0
        root_d = np.sqrt(d)
        for k in range(block):
            tied = None
            if self.levels is None:
                if (first + k) % every == 0:
                    self._evaluate(root_d)
                summed = np.zeros_like(theta)
                tied = np.ones(theta.shape[:2], bool)
            else:
                # flat indices into the step's (R, columns, levels [+ 1]) tables: a replicate
                # and coordinate's entry, then the level
                tables = self._tables(counts, k)
                below = np.searchsorted(self.padded_levels[:-1], theta)
                if (first + k) % every == 0:
                    self._evaluate_on_levels(root_d, below)
                levels = len(self.padded_levels) - 1
                at = self.entry * (levels + 1) + below
                signed = self._take(tables, at)
                summed = signed * self.weight
                on_level = theta == self.padded_levels[below]
                if on_level.any():
                    # the sampled records on the iterate's level, where it sits on one: half
                    # the step between the signed sums on either side of it
                    at = self.entry * (levels + 1) + np.minimum(below, levels - 1)
                    here = self._take(tables, at + 1) - self._take(tables, at)
                    tied = (on_level & (here > 0)).any(-1)
                    tied = tied if tied.any() else None
                if self.clip == "after_averaging":
                    self._clip_mean(summed, sizes[k], tied)
            if tied is not None:
                untied_nonempty[k] &= ~tied
                self._record_steps(k, tied, batches, sizes[k], summed)
            summed += noise[k]
            theta -= self.coef * summed
        self.untied_nonempty |= untied_nonempty.any(axis=(0, 2))

    def _take(self, tables: list[np.ndarray], at: np.ndarray) -> np.ndarray:
        """The entries ``at`` ``(P, R, d)`` of the step's tables (one for all, or per point)."""
        if len(tables) == 1:
            return np.take(tables[0], at)
        taken = np.empty(at.shape, np.int32)
        for p, table in enumerate(tables):
            np.take(table, at[p], out=taken[p])
        return taken

    def _level_losses(self) -> None:
        """What :meth:`AbsoluteLoss.coordinate_excess` needs, indexed by level: the number of
        values below an iterate with ``i`` levels below it (numpy's searchsorted over all n
        values, replaced by the step's search over the levels), the prefix sums, n and the
        minimum, per loss ``(losses, 1, 1)``."""
        levels, losses = self.padded_levels[:-1], self.losses
        width = max(loss.n for loss in losses) + 1
        self.values_below = np.array(
            [[*np.searchsorted(loss.sorted_values, levels), loss.n] for loss in losses]
        )
        self.prefix = np.zeros((len(losses), width))
        for i, loss in enumerate(losses):
            self.prefix[i, : loss.n + 1] = loss.prefix
        self.loss_index = np.arange(len(losses))[:, None, None]
        self.loss_n = np.array([loss.n for loss in losses])[:, None, None]
        median = np.array([loss.sorted_values[(loss.n - 1) // 2] for loss in losses])
        at_median = np.searchsorted(levels, median)[:, None, None]
        self.loss_min = self._f(median[:, None, None], at_median)

    def _f(self, t: np.ndarray, below: np.ndarray) -> np.ndarray:
        """``AbsoluteLoss._f`` (the mean absolute deviation) with its count of values below
        ``t`` read off the levels: the same expression, so the same floating-point numbers."""
        k = self.values_below[self.loss_index, below]
        s, n = self.prefix, self.loss_n
        sk, sn = s[self.loss_index, k], s[self.loss_index, n]
        return (t * k - sk + (sn - sk) - t * (n - k)) / n

    def _evaluate_on_levels(self, root_d: float, below: np.ndarray) -> None:
        excess = self._f(self.theta, below) - self.loss_min  # the loss's own scale is 1
        self.total += self.sweep.scale * excess.sum(axis=-1) / root_d

    def _evaluate(self, root_d: float) -> None:
        scale = self.sweep.scale
        if len(self.losses) == 1:
            self.total += scale * self.losses[0].coordinate_excess(self.theta).sum(axis=-1) / root_d
            return
        for p, loss in enumerate(self.losses):
            self.total[p] += scale * loss.coordinate_excess(self.theta[p]).sum(axis=1) / root_d

    def _clip_mean(self, summed: np.ndarray, sizes: np.ndarray, tied) -> None:
        """Clipping after averaging on the level-count sums: the batch mean clipped to C, each
        record's contribution its gradient (norm ``self.norm``) times the batch's factor."""
        mean_norm = np.linalg.norm(summed, axis=-1) / np.maximum(sizes, 1)
        factor = np.minimum(1.0, self.sweep.clip_norm / np.maximum(mean_norm, 1e-300))
        summed *= factor[..., None]
        counted = sizes > 0 if tied is None else (sizes > 0) & ~tied
        norms = np.where(counted, self.norm * factor, 0.0)
        self.largest = np.maximum(self.largest, norms.max(axis=-1))

    def _record_steps(self, k, tied, batches: list[PoissonBatches], sizes, summed) -> None:
        """The tied replicates' step, record by record (:func:`record_step`), for every point
        of the layer in one call: the points' data stacked, replicate ``r`` of point ``p`` as
        row ``p R + r``."""
        R = tied.shape[1]
        rows, records = [], []
        for p in np.flatnonzero(tied.any(axis=-1)):
            step_rows, step_records, _ = batches[self.groups[p]].step(k)
            chosen = tied[p][step_rows]
            rows.append(step_rows[chosen] + p * R)
            records.append(step_records[chosen] + self.data_offset[p])
        flat_tied, flat_sizes = tied.ravel(), sizes.ravel()
        sums, norms = record_step(
            self.theta.reshape(-1, self.d),
            self.data,
            np.concatenate(rows),
            np.concatenate(records),
            np.concatenate([[0], np.cumsum(np.where(flat_tied, flat_sizes, 0))]),
            flat_sizes,
            self.sweep.scale,
            self.sweep.clip_norm,
            self.clip,
        )
        summed.reshape(-1, self.d)[flat_tied] = sums[flat_tied]
        np.maximum.at(self.largest, np.concatenate(rows) // R, norms)

    def largest_contribution(self) -> np.ndarray:
        """Per point, the largest norm of one record's contribution over the run."""
        if self.clip == "after_averaging":
            return self.largest
        return np.maximum(self.largest, np.where(self.untied_nonempty, self.norm, 0.0))
