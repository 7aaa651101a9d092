"""The Getis-Ord Gi* statistic on a grid: neighbourhood sums, z-scores, permutations.

The formula and its equality with esda are in :mod:`hotspots.grid`; here are the array
computations behind :func:`hotspots.grid.grid_gistar` and :func:`hotspots.grid.gistar_z`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

from hotspots._grid import SQRT3

DISTANCE_TOL = 1e-9  # relative tolerance for distance bands (a centre exactly at distance_m is in)
_PERM_CHUNK = 4_000_000  # elements (cells x permutations x neighbours) per permutation chunk

# 3 x 3 correlation kernels, rows dr = -1, 0, 1 (south to north), columns dc = -1, 0, 1
_QUEEN = np.ones((3, 3))
_ROOK = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])
# pointy-top hexagons, odd rows shifted half a cell east ("odd-r" offset layout)
_HEX_EVEN = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
_HEX_ODD = np.array([[0.0, 1.0, 1.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])


def neighbour_sums(
    x2d: np.ndarray, valid2d: np.ndarray, neighbours: str, shape: str, radius: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Sum of the counts over each cell's neighbourhood (itself included), and its size W.

    ``x2d`` must be 0 outside ``valid2d``; values outside ``valid2d`` are meaningless.
    """
    mask = valid2d.astype(float)
    band = float(radius) if radius is not None else 1.0
    if neighbours == "distance" and shape == "hex":
        return hex_distance_sums(x2d, valid2d, band)
    if shape == "hex":
        even = [ndimage.correlate(a, _HEX_EVEN, mode="constant") for a in (x2d, mask)]
        odd = [ndimage.correlate(a, _HEX_ODD, mode="constant") for a in (x2d, mask)]
        is_odd = (np.arange(x2d.shape[0]) % 2 == 1)[:, None]
        return np.where(is_odd, odd[0], even[0]), np.rint(np.where(is_odd, odd[1], even[1]))
    if neighbours == "distance":
        reach = math.floor(band * (1 + DISTANCE_TOL))
        d = np.arange(-reach, reach + 1)
        kernel = ((d[:, None] ** 2 + d[None, :] ** 2) <= band**2 * (1 + DISTANCE_TOL)).astype(float)
    else:
        kernel = _QUEEN if neighbours == "queen" else _ROOK
    sums = ndimage.correlate(x2d, kernel, mode="constant")
    w = ndimage.correlate(mask, kernel, mode="constant")
    return sums, np.rint(w)


def hex_distance_sums(
    x2d: np.ndarray, valid2d: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Neighbourhood sums and sizes on hexagons for a distance band (in cell units)."""
    row, col = np.nonzero(valid2d)
    cx = col + 0.5 * (row & 1)
    cy = row * SQRT3 / 2
    x = x2d[row, col]
    pairs = cKDTree(np.column_stack([cx, cy])).query_pairs(
        radius * (1 + DISTANCE_TOL), output_type="ndarray"
    )
    i, j = (pairs[:, 0], pairs[:, 1]) if len(pairs) else (np.empty(0, int), np.empty(0, int))
    n = len(x)
    sums = x + np.bincount(i, weights=x[j], minlength=n) + np.bincount(j, weights=x[i], minlength=n)
    w = 1 + np.bincount(i, minlength=n) + np.bincount(j, minlength=n)
    sums2d = np.zeros_like(x2d)
    w2d = np.zeros_like(x2d)
    sums2d[row, col], w2d[row, col] = sums, w
    return sums2d, w2d


def z_from_sums(x: np.ndarray, sums: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Textbook Gi* z from the values of the n cells, their neighbourhood sums and sizes."""
    n = len(x)
    mean = x.mean()
    spread = math.sqrt(max(float(np.mean((x - mean) ** 2)), 0.0))
    num = sums - mean * w
    den = spread * np.sqrt(np.maximum(n * w - w * w, 0.0) / (n - 1))
    z = np.zeros(n)
    ok = den > 0
    z[ok] = num[ok] / den[ok]
    return z


def permutation_p(
    x: np.ndarray, observed: np.ndarray, k: np.ndarray, permutations: int, seed: int
) -> np.ndarray:
    """Two-sided conditional-permutation p-values of the neighbour sums (self excluded).

    For cell i, ``k[i]`` neighbours are drawn without replacement from the other n - 1
    cells; one (permutations x max k) set of draws is shared by all cells (esda does the
    same), mapped to skip cell i itself. Vectorised in chunks of cells.
    """
    n = len(x)
    kmax = int(min(k.max(initial=0), n - 1))
    p = np.ones(n)
    if kmax == 0:
        return p
    rng = np.random.default_rng(seed)
    draws = np.empty((permutations, kmax), np.int64)
    for b in range(permutations):
        draws[b] = rng.choice(n - 1, size=kmax, replace=False)
    below = x[draws]  # draw index d < i: the d-th other cell is cell d
    above = x[draws + 1]  # d >= i: it is cell d + 1
    scale = max(1.0, float(np.abs(x).sum()))
    eps = 1e-12 * scale
    chunk = max(1, _PERM_CHUNK // (permutations * kmax))
    for start in range(0, n, chunk):
        cells = np.arange(start, min(start + chunk, n))
        kc = np.minimum(k[cells], kmax)
        vals = np.where(draws[None, :, :] >= cells[:, None, None], above[None], below[None])
        total = np.cumsum(vals, axis=2)
        pick = np.take_along_axis(total, np.maximum(kc - 1, 0)[:, None, None], axis=2)[:, :, 0]
        pick[kc == 0] = 0.0
        obs = observed[cells][:, None]
        n_ge = (pick >= obs - eps).sum(axis=1)
        n_le = (pick <= obs + eps).sum(axis=1)
        p[cells] = np.minimum(1.0, 2.0 * (np.minimum(n_ge, n_le) + 1) / (permutations + 1))
    return p
