"""The scalable DBSCAN core of scanning: snapping, exact pruning and (H)DBSCAN labels.

Events are snapped to a ``snap_m`` grid and duplicates collapse into one point weighted by
its count (``sample_weight``); cells that cannot be within ``eps`` of a core point are pruned
before DBSCAN runs, so the labels are exactly those of DBSCAN on all snapped points, only
faster (see :mod:`hotspots.cluster` and ``benchmarks/bench_cluster.py``).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree
from sklearn.cluster import DBSCAN, HDBSCAN

HDBSCAN_RAW_LIMIT = 100_000
"""Up to this many events, ``method="hdbscan"`` clusters the raw coordinates."""

_DENSE_PRUNE_CELLS = 16_000_000  # cells of eps/2 (128 MB of float64) before going sparse


def pack(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two int64 grid indices (|v| < 2**31) as one sortable int64 key."""
    return (a.astype(np.int64) << 32) + (b.astype(np.int64) + (1 << 31))


def unpack(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = key >> 32
    b = (key - (a << 32)) - (1 << 31)
    return a, b


def snap_points(xy: np.ndarray, snap: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Snap to the grid: unique cell centres (sorted), their counts, each event's cell."""
    cells = np.floor(xy / snap).astype(np.int64)
    keys, inverse, counts = np.unique(
        pack(cells[:, 0], cells[:, 1]), return_inverse=True, return_counts=True
    )
    gx, gy = unpack(keys)
    centres = np.column_stack([(gx + 0.5) * snap, (gy + 0.5) * snap])
    return centres, counts, inverse.ravel()


def prune(points: np.ndarray, weights: np.ndarray, eps: float, m: int) -> np.ndarray:
    """Mask of the points that can matter to DBSCAN(eps, m) with these weights.

    Cells of size eps/2: a point's eps disc lies inside the 5 x 5 block of cells around its
    cell, so the block's weight bounds the point's neighbourhood weight. Points whose bound
    is below ``m`` cannot be core; points with no possible core point in their block cannot
    be in any cluster. Everything else is kept, with all its neighbours, so DBSCAN on the
    kept points gives exactly the labels of DBSCAN on all of them.
    """
    size = eps / 2
    cells = np.floor(points / size).astype(np.int64)
    lo = cells.min(axis=0) - 2
    shape = cells.max(axis=0) - lo + 3
    # a dense grid when it is small, and not mostly empty (the split levels prune a few
    # dense spots spread over a whole city)
    if shape[0] * shape[1] <= min(_DENSE_PRUNE_CELLS, 64 * len(points)):
        # dense grid: two 5 x 5 box filters
        flat = (cells[:, 0] - lo[0]) * shape[1] + (cells[:, 1] - lo[1])
        grid = np.bincount(flat, weights=weights, minlength=int(shape[0] * shape[1]))
        box = np.ones((5, 5), np.int64)
        grid = grid.astype(np.int64).reshape(shape)
        block = ndimage.correlate(grid, box, mode="constant")
        maybe_core = (block >= m) & (grid > 0)
        near = ndimage.maximum_filter(maybe_core, size=5, mode="constant")
        return near.ravel()[flat]
    # sparse: look the 25 neighbouring cells up in the sorted cell keys
    keys, inverse = np.unique(pack(cells[:, 0], cells[:, 1]), return_inverse=True)
    inverse = inverse.ravel()
    cell_w = np.bincount(inverse, weights=weights)
    cx, cy = unpack(keys)
    offsets = [(i, j) for i in range(-2, 3) for j in range(-2, 3)]

    def lookup(table: np.ndarray, dx: int, dy: int) -> tuple[np.ndarray, np.ndarray]:
        probe = pack(cx + dx, cy + dy)
        j = np.minimum(np.searchsorted(table, probe), len(table) - 1)
        return j, table[j] == probe

    block = np.zeros(len(keys))
    for dx, dy in offsets:
        j, hit = lookup(keys, dx, dy)
        block[hit] += cell_w[j[hit]]
    maybe_core = keys[block >= m]
    near = np.zeros(len(keys), bool)
    if len(maybe_core):
        for dx, dy in offsets:
            near |= lookup(maybe_core, dx, dy)[1]
    return near[inverse]


def dbscan_snapped(xy: np.ndarray, eps: float, m: int, snap: float) -> tuple[np.ndarray, int]:
    """DBSCAN labels per event (-1 noise) via snapped, weighted, pruned points."""
    centres, counts, inverse = snap_points(xy, snap)
    point_labels = np.full(len(centres), -1, np.int64)
    keep = prune(centres, counts.astype(float), eps, m)
    if keep.any():
        model = DBSCAN(eps=eps, min_samples=m)
        point_labels[keep] = model.fit(centres[keep], sample_weight=counts[keep]).labels_
    return point_labels[inverse], len(centres)


def hdbscan_labels(
    xy: np.ndarray, eps: float, m: int, snap: float, *, backend: str = "hdbscan"
) -> tuple[np.ndarray, int, bool]:
    """HDBSCAN labels per event: raw coordinates when few, else capped snapped copies.

    HDBSCAN's leaf clusters decide which dense points belong together; only points with
    ``m`` points within ``eps`` (core distance <= eps, DBSCAN's core points) stay members,
    so that a cluster no denser than the background does not become a place. `backend`
    is ``"hdbscan"`` (the ``hdbscan`` package) or ``"sklearn"`` (``sklearn.cluster.HDBSCAN``,
    compared in ``benchmarks/bench_hdbscan.py``).
    """
    if len(xy) <= HDBSCAN_RAW_LIMIT:
        # sorted, so that the result does not depend on the row order
        order = np.lexsort((xy[:, 1], xy[:, 0]))
        data, raw = xy[order], True
    else:
        centres, counts, inverse = snap_points(xy, snap)
        copies = np.minimum(counts, m)
        data, raw = np.repeat(centres, copies, axis=0), False
    labels = np.full(len(data), -1, np.int64)
    if len(data) > m:
        labels = _hdbscan_fit(data, m, backend)
        core = cKDTree(data).query(data, k=m)[0][:, -1]
        labels[core > eps] = -1
        kept = labels >= 0
        labels[kept] = np.unique(labels[kept], return_inverse=True)[1].ravel()
    if raw:
        out = np.empty(len(xy), np.int64)
        out[order] = labels
        return out, len(data), True
    first_copy = np.cumsum(copies) - copies
    return labels[first_copy][inverse], len(data), False


def _hdbscan_fit(data: np.ndarray, m: int, backend: str) -> np.ndarray:
    """Leaf-cluster labels of HDBSCAN(min_cluster_size=m, min_samples=m) on the points."""
    if backend == "sklearn":
        model = HDBSCAN(min_cluster_size=m, min_samples=m, cluster_selection_method="leaf")
        return model.fit(data).labels_.astype(np.int64)
    import hdbscan  # heavy import, only when asked for

    model = hdbscan.HDBSCAN(min_cluster_size=m, min_samples=m, cluster_selection_method="leaf")
    return model.fit(data).labels_.astype(np.int64)


def widths(xy: np.ndarray, labels: np.ndarray, k: int, share: float = 0.9) -> np.ndarray:
    """Robust width of each label's events (0 for a label with no points).

    Twice the `share` quantile of their distances from the label's median point. A round
    place of Gaussian spread sigma is about 4.3 sigma wide, whatever its tail; a place with
    a street of events attached is as wide as the street.
    """
    out = np.zeros(k)
    inside = np.flatnonzero(labels >= 0)
    if k == 0 or len(inside) == 0:
        return out
    lab = labels[inside]
    counts = np.bincount(lab, minlength=k)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    has = counts > 0
    median = np.zeros((k, 2))
    big = float(np.ptp(xy[inside]) + 1.0)

    def by_label(v: np.ndarray) -> np.ndarray:
        # one float sort on label x big + value (exact enough: labels < 2**20, metres)
        return np.argsort(lab * big + (v - v.min()), kind="stable")

    for axis in (0, 1):  # per-label median by one sort per axis
        v = xy[inside, axis]
        median[has, axis] = v[by_label(v)][starts[has] + (counts[has] - 1) // 2]
    d = np.hypot(*(xy[inside] - median[lab]).T)
    order = by_label(d)
    q = starts[has] + np.floor(share * (counts[has] - 1)).astype(np.int64)
    out[has] = 2.0 * d[order][q]
    return out


def split_wide(
    xy: np.ndarray,
    labels: np.ndarray,
    eps: float,
    m: int,
    snap: float,
    max_width: float,
    *,
    levels: int = 3,
) -> tuple[np.ndarray, int]:
    """Split clusters wider than `max_width` by DBSCAN at halved radii: no chains.

    DBSCAN links dense spots through any run of core points, so a tight place next to a
    street of events becomes one long cluster. Each cluster whose width (:func:`widths`)
    exceeds `max_width` is clustered again with ``eps / 2`` (same ``m``: four times the
    density), its events snapped to ``min(snap, eps / 4)`` (half the level's radius); the
    pieces replace it, and the events of the cluster in no piece become noise. Pieces still
    too wide go down another level (at most `levels`: ``eps / 2``, ``eps / 4``, ``eps / 8``). A wide
    cluster with no piece dense enough at the next level is kept whole: it is uniformly
    dense (a plaza, a busy street segment), not a chain. This is a few steps down the DBSCAN
    density tree, as HDBSCAN's leaf selection does in full.

    Returns the new labels (0..k-1, -1 noise) and the number of clusters split.
    """
    labels = labels.copy()
    n_split = 0
    level_eps = eps
    check = labels >= 0  # the events of the clusters to check (later: the new pieces)
    for _ in range(levels):
        k = int(labels.max()) + 1 if len(labels) else 0
        if not check.any():
            break
        sub_labels = np.where(check, labels, -1)
        wide = np.flatnonzero(widths(xy, sub_labels, k) > max_width)
        if len(wide) == 0:
            break
        level_eps /= 2
        is_wide = np.zeros(k, bool)
        is_wide[wide] = True
        sel = np.flatnonzero((labels >= 0) & is_wide[np.maximum(labels, 0)])
        sub, _ = dbscan_snapped(xy[sel], level_eps, m, min(snap, level_eps / 2))
        # a piece never spans two clusters (DBSCAN at a smaller eps only splits), but
        # keep the parent's number in the key to be safe
        parent = labels[sel]
        has_piece = np.zeros(k, bool)
        has_piece[parent[sub >= 0]] = True
        replace = sel[has_piece[parent]]
        sub_of = sub[has_piece[parent]]
        n_split += int(has_piece.sum())
        next_id = k
        new = np.where(sub_of >= 0, sub_of + next_id, -1)
        labels[replace] = new
        check = labels >= next_id  # only the new pieces can still be too wide
        # renumber 0..k'-1 in order of first appearance of each label (deterministic)
        inside = labels >= 0
        if inside.any():
            _, labels[inside] = np.unique(labels[inside], return_inverse=True)
        if not has_piece.any():
            break
    return labels, n_split
