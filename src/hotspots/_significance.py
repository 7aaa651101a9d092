"""What chance would make: the study's background area and the Monte Carlo null of scanning.

A place found by a density search is dense *because the search chose it*: a Poisson test of
its count against its own area says little. Here each place is compared with the best places
the **same search** finds when the same events (with their times) are put down at random in
the study area (Kulldorff's scan-statistic idea; CrimeStat's nearest-neighbour hierarchical
clustering uses the same Monte Carlo comparison):

1. Each place gets a *score*, the Poisson upper tail of its events (without its busiest
   24 hours) given what the study's average rate puts into its polygon (``log`` scale, so
   1e-85 and 1e-90 stay apart).
2. Each simulation relocates every event uniformly at random within the background region
   (the study boundary, intersected with a land-use or street mask when given; else the
   occupied cells), keeps its time, runs the whole place search again (DBSCAN, splitting,
   polygons, recurrence, burst removal) and keeps the **best** (smallest) score of any
   place it finds (none found: no score).
3. A place's p-value is ``(1 + #simulations whose best score is at least as extreme) /
   (1 + simulations)``. It is compared with the best place of *each* random map, so it is
   already family-wise: under complete spatial randomness the chance that *any* place gets
   ``p <= alpha`` is at most ``alpha``.

At city scale (or with ``significance="approx"``) a bound replaces the simulation: a place
whose ``n`` events lie in a circle of radius ``R`` (the smallest around them, at least
``hull_buffer_m``, the location precision) has at least ``n - 1`` others within ``2R`` of
each of its events. Under the same null (``N`` events uniform over
area ``B``) the chance that **any** event has that many neighbours within ``2R`` is at most
``N x P(Poisson(N/B x pi (2R)^2) >= n - 1)`` (the union bound over events as centres, the
same argument that sets DBSCAN's ``min_samples``). This is the chance that a random map holds
some place of this size at least this busy, so it is conservative; it agrees with the
simulation where they overlap (``tests/test_significance.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from scipy import stats

BACKGROUND_CELL_EPS = 10
"""Occupied cells are ``BACKGROUND_CELL_EPS x eps_m`` wide (500 m by default): a few blocks,
so that one stray geocode adds a quarter of a km², not a hull across the country."""

SIMULATE_LIMIT = 200_000
"""``significance="auto"`` simulates up to this many events and uses the bound above it."""

_BATCH = 4.0  # oversampling of the rejection sampler (it loops until every point is placed)


class Region:
    """Where random events may fall: a polygon (boundary, mask) or a set of square cells."""

    def __init__(
        self,
        geometry: Any | None = None,
        cells: np.ndarray | None = None,
        cell_m: float = 0.0,
    ) -> None:
        self.geometry = geometry
        self.cells = cells
        self.cell_m = cell_m
        if geometry is not None:
            shapely.prepare(geometry)
            self.area = float(geometry.area)
        else:
            self.area = float(len(cells)) * cell_m**2 if cells is not None else 0.0

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points uniform in the region (seeded by `rng`)."""
        if self.geometry is None:
            pick = self.cells[rng.integers(0, len(self.cells), n)]
            return (pick + rng.random((n, 2))) * self.cell_m
        x0, y0, x1, y1 = self.geometry.bounds
        fill = max(self.area / max((x1 - x0) * (y1 - y0), 1e-12), 1e-3)
        out = np.empty((0, 2))
        while len(out) < n:  # a few rounds: each draws all that is still missing, oversampled
            want = int((n - len(out)) * _BATCH / fill) + 16
            cand = np.column_stack([rng.uniform(x0, x1, want), rng.uniform(y0, y1, want)])
            cand = cand[shapely.contains_xy(self.geometry, cand[:, 0], cand[:, 1])]
            out = np.vstack([out, cand[: n - len(out)]])
        return out


def background_region(
    xy: np.ndarray, boundary: Any | None, mask: Any | None, cell_m: float
) -> tuple[Region, str]:
    """Return the background region and how it was chosen.

    The boundary (intersected with `mask` when given); else the mask; else the cells of
    `cell_m` that hold at least one event (the area the data actually cover).
    """
    if boundary is not None and not boundary.is_empty:
        if mask is not None:
            return Region(shapely.intersection(boundary, mask)), "study boundary x mask"
        return Region(boundary), "study boundary"
    if mask is not None:
        return Region(mask), "mask"
    grid = np.floor(xy / cell_m).astype(np.int64)
    keys = np.unique((grid[:, 0] << 32) + (grid[:, 1] + (1 << 31)))
    cells = np.column_stack([keys >> 32, (keys - ((keys >> 32) << 32)) - (1 << 31)])
    return Region(cells=cells, cell_m=cell_m), f"occupied {cell_m:g} m cells"


def log_tail(n: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``log P(X >= n)`` for ``X ~ Poisson(expected)``: a place's score (smaller is rarer)."""
    n = np.asarray(n, float)
    return np.where(n > 0, stats.poisson.logsf(n - 1, expected), 0.0)


def simulate_best(
    search: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    region: Region,
    n: int,
    n_simulations: int,
    seed: int,
) -> np.ndarray:
    """Best scores of the places the search finds on random maps.

    `search` takes relocated coordinates and returns two score arrays, of the places that
    recur with all their events and of those that recur without their busiest 24 hours.

    Returns
    -------
    ndarray, shape (n_simulations, 2)
        Per simulation, the best (smallest) score of each kind; 0 (log 1) when none.
    """
    rng = np.random.default_rng(seed)
    best = np.zeros((n_simulations, 2))
    for s in range(n_simulations):  # one whole place search per simulation
        scores_all, scores_wo = search(region.sample(n, rng))
        if len(scores_all):
            best[s, 0] = scores_all.min()
        if len(scores_wo):
            best[s, 1] = scores_wo.min()
    return best


def monte_carlo_p(scores: np.ndarray, best: np.ndarray) -> np.ndarray:
    """``(1 + #(best <= score)) / (1 + simulations)`` for each observed score."""
    if len(best) == 0:
        return np.full(len(scores), np.nan)
    ranked = np.sort(best)
    # a small relative tolerance: the same place found twice scores the same up to rounding
    finite = np.isfinite(scores)
    tol = 1e-9 * np.maximum(np.abs(np.where(finite, scores, 0.0)), 1.0)
    count = np.searchsorted(ranked, np.where(finite, scores + tol, scores), side="right")
    return (1.0 + count) / (1.0 + len(best))


def bound_p(
    n_events: np.ndarray, reach_m: np.ndarray, n_total: int, area: float, share: float
) -> np.ndarray:
    """Bound the Monte Carlo p-value at city scale (conservative; see the module notes).

    ``min(1, N P(Poisson(share x N/B x pi (2R)^2) >= n - 1))``; `share` is the share of the
    study period the count covers (``1 - 1/days`` without the busiest 24 hours).
    """
    n_events = np.asarray(n_events, float)
    mu = share * n_total / area * math.pi * (2.0 * np.asarray(reach_m, float)) ** 2
    tail = stats.poisson.sf(n_events - 2, mu)
    return np.minimum(1.0, n_total * tail)
