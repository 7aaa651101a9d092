"""Grid counts and Getis-Ord Gi* hot spots on a square or hexagonal grid.

:func:`grid_counts` counts incidents and concerns in the cells of a regular grid over the
study; :func:`grid_gistar` adds the Getis-Ord Gi* z-score of every cell, its p-value
(adjusted for multiple testing) and a hot / cold / not significant class; :func:`gistar_z`
is the same statistic on a plain 2-D array of counts.

The statistic
-------------
Textbook Gi* (Getis & Ord 1992; Ord & Getis 1995) with binary weights that include the cell
itself. For cell *i* with neighbourhood weights ``w_ij`` (1 for the cell and its neighbours,
0 otherwise), ``W_i = sum_j w_ij``, *n* cells, mean ``xbar`` and
``S**2 = mean(x**2) - xbar**2``::

    z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n W_i - W_i**2) / (n - 1)))

It equals esda's ``G_Local(y, w, star=True, transform="B").Zs``. esda's *default*
``transform="R"`` (row-standardised weights) gives z-scores about three times smaller for
interior cells: it is not the textbook Gi*, and hotspots does not use it.

The boundary
------------
Cells outside the study boundary are not cells: they do not count in *n*, in the mean or in
the spread, and they are nobody's neighbours. Counting them as zeros (the result of a grid
over the bounding box, a known pitfall; sfhotspot's ``hotspot_gistar`` documentation warns
that its grid "may include ... values for cells that are outside the area for which data were
provided") lowers the mean and makes every populated cell look hotter.

Speed
-----
On a square grid the neighbour sums are one ``scipy.ndimage.correlate`` of the counts and one
of the valid-cell mask with a 3 x 3 (queen, rook) or disc (distance band) kernel; hexagons use
two 3 x 3 kernels, one for even and one for odd rows, or a k-d tree for a distance band. No
weights object is built: a 200 x 200 grid takes milliseconds
(``benchmarks/bench_gistar.py`` compares it with esda).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots import _columns as C
from hotspots._checks import check_sources, positive
from hotspots._checks import is_int as _is_int
from hotspots._checks import is_number as _is_number
from hotspots._checks import study_problems as _check_study
from hotspots._errors import LayerError, raise_problems
from hotspots._events import select_events
from hotspots._gistar import DISTANCE_TOL, neighbour_sums, permutation_p, z_from_sums
from hotspots._grid import MAX_CELLS, Grid, choose_cell
from hotspots._stats import adjust_p, two_sided_normal_p
from hotspots.settings import Settings
from hotspots.study import Study, combine_events

__all__ = [
    "CLASSES",
    "CORRECTIONS",
    "GISTAR_COLUMNS",
    "GRID_COLUMNS",
    "MAX_CELLS",
    "NEIGHBOURS",
    "SHAPES",
    "gistar_z",
    "grid_counts",
    "grid_gistar",
]

log = logging.getLogger(__name__)

# --- output columns ----------------------------------------------------------------------
CELL_ID = "cell_id"
ROW = "row"
COL = "col"
N_EVENTS = C.N_EVENTS
N_INCIDENTS = C.N_INCIDENTS
N_CONCERNS = C.N_CONCERNS
N_NEIGHBOURS = "n_neighbours"
GI_Z = "gi_z"
P_VALUE = C.P_VALUE
P_ADJ = C.P_ADJ
P_PERM = "p_perm"
GI_BIN = "gi_bin"
GI_CLASS = "gi_class"

CLASS_HOT = "hot"
CLASS_COLD = "cold"
CLASS_NOT_SIGNIFICANT = "not significant"
CLASSES: tuple[str, ...] = (CLASS_HOT, CLASS_COLD, CLASS_NOT_SIGNIFICANT)
"""Values of the ``gi_class`` column."""

GRID_COLUMNS: dict[str, str] = {
    CELL_ID: "str: 'R012C034', row then column, zero-padded to the same width (also the index)",
    ROW: "int: row of the cell, 0 = southernmost (smallest y)",
    COL: "int: column of the cell, 0 = westernmost (smallest x)",
    N_EVENTS: "int: events of the selected sources in the cell (n_incidents + n_concerns)",
    N_INCIDENTS: "int: of those, incidents",
    N_CONCERNS: "int: of those, concerns",
    C.GEOMETRY: "Polygon: the whole cell (square or hexagon) in the study CRS, not clipped",
}
"""The columns :func:`grid_counts` returns, dtype and meaning."""

GISTAR_COLUMNS: dict[str, str] = {
    **{k: v for k, v in GRID_COLUMNS.items() if k != C.GEOMETRY},
    N_NEIGHBOURS: "int: neighbouring cells inside the study (W_i - 1: the cell itself not counted)",
    GI_Z: "float: Getis-Ord Gi* z-score (binary weights, the cell included)",
    P_VALUE: "float: two-sided normal p-value of gi_z, 2 * P(Z > |gi_z|)",
    P_ADJ: "float: p_value adjusted across the cells (Benjamini-Hochberg, Holm, or none)",
    P_PERM: "float: two-sided conditional-permutation p-value (NaN when permutations=0)",
    GI_BIN: "int: -3..3, sign of gi_z x confidence of p_adj (99, 95, 90 %), as ArcGIS Gi_Bin",
    GI_CLASS: "str: 'hot' (p_adj < alpha, z > 0), 'cold' (p_adj < alpha, z < 0), 'not significant'",
    C.GEOMETRY: GRID_COLUMNS[C.GEOMETRY],
}
"""The columns :func:`grid_gistar` returns, dtype and meaning."""

SHAPES: tuple[str, ...] = ("square", "hex")
"""Cell shapes: squares of side ``cell_m``, or pointy-top hexagons ``cell_m`` apart."""
NEIGHBOURS: tuple[str, ...] = ("queen", "rook", "distance")
"""Neighbourhoods: 8 cells around (queen), 4 sharing an edge (rook), centres within a distance.

On a hexagonal grid "queen" and "rook" are the same: the 6 cells sharing an edge."""
CORRECTIONS: tuple[str, ...] = ("bh", "holm", "none")
"""Multiple-testing corrections: Benjamini-Hochberg (false discovery rate, the default),
Holm (family-wise error rate) or none."""

MIN_CELLS = 3
"""Fewest cells inside the study for which Gi* is computed (it needs a mean, a spread and a
neighbourhood smaller than the grid)."""
RELIABLE_CELLS = 30
"""Below this many cells a warning is logged: ArcGIS's Hot Spot Analysis documentation
advises at least 30 features for reliable Gi* results."""

# =========================================================================================
# public functions
# =========================================================================================


def grid_counts(
    study: Study,
    *,
    cell_m: float | None = None,
    shape: str = "square",
    sources: Sequence[str] = (C.SOURCE_INCIDENT, C.SOURCE_CONCERN),
    clip: bool = True,
) -> gpd.GeoDataFrame:
    """Count incidents and concerns in the cells of a regular grid over the study.

    Parameters
    ----------
    study : Study
        Its incidents and concerns are counted; its boundary, when it has one, limits the
        grid.
    cell_m : float, optional
        Cell size in metres (> 0): the side of a square, or the distance between the
        centres of neighbouring hexagons (the width across flats). By default the shorter
        side of the extent (events and boundary) / 50, sfhotspot's rule (its
        ``set_cell_size``), rounded down to a multiple of 10 m and at least 10 m; enlarged
        when the grid would exceed :data:`MAX_CELLS` cells. The choice and why is logged
        and kept in ``attrs["grid"]``.
    shape : {"square", "hex"}
        Square cells, or pointy-top hexagons in rows (odd rows shifted half a cell east).
    sources : sequence of {"incident", "concern"}
        Which events to count (both by default).
    clip : bool
        With a study boundary, keep only the cells whose interior meets the boundary (cells
        that cross it are kept whole). Events in dropped cells (outside the boundary) are
        not counted; their number is logged. Without a boundary, or with ``clip=False``,
        every cell of the grid over the extent is kept.

    Returns
    -------
    GeoDataFrame
        One row per cell, in the study CRS, indexed by ``cell_id`` (the index has no name),
        in row-major order (south to north, west to east). Columns (:data:`GRID_COLUMNS`):

        - ``cell_id`` (str): ``"R012C034"``, row then column
        - ``row``, ``col`` (int): position in the grid, row 0 southernmost, column 0
          westernmost; the cell's counts are ``array[row, col]``
        - ``n_events``, ``n_incidents``, ``n_concerns`` (int): events of the selected
          sources in the cell
        - ``geometry`` (Polygon): the whole cell, **not clipped** to the boundary, so every
          cell has the same area; use ``.clip(study.boundary)`` to draw it clipped

        ``attrs["grid"]`` holds the grid (``shape``, ``cell_m``, its reason, ``origin_x``,
        ``origin_y`` (centre of hexagon (0, 0), lower-left corner of square (0, 0)),
        ``n_rows``, ``n_cols``) and the counts; :func:`grid_gistar` reads it.

    Raises
    ------
    LayerError
        The study has no events of the selected sources.
    ValidationError
        Invalid arguments; the message lists every problem.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from hotspots import build_study
    >>> from hotspots.grid import grid_counts
    >>> points = gpd.GeoDataFrame(
    ...     {"occurred_at": ["2024-01-02 21:00"] * 4},
    ...     geometry=shapely.points([5, 15, 16, 95], [5, 5, 6, 45]), crs=32618)
    >>> cells = grid_counts(build_study(incidents=points, crs=32618), cell_m=10)
    >>> int(cells.loc["R000C001", "n_events"]), int(cells["n_events"].sum()), len(cells)
    (2, 4, 50)
    """
    problems = _check_study(study)
    problems += _check_grid_options(cell_m=cell_m, shape=shape)
    source_problems, chosen = check_sources(sources)
    problems += source_problems
    if not isinstance(clip, (bool, np.bool_)):
        problems.append(f"`clip` must be True or False, got {clip!r}")
    raise_problems(problems, "Invalid arguments to grid_counts")
    # combine_events raises LayerError without any event
    events = select_events(combine_events(study), chosen, why=": no counts")
    geoms = events.geometry.to_numpy()
    if not bool(((shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)).all()):
        raise LayerError("events must be points; load the layers with hotspots.build_study")
    xy = shapely.get_coordinates(geoms)
    is_incident = (events[C.SOURCE] == C.SOURCE_INCIDENT).to_numpy(bool)

    boundary = study.boundary if study.boundary is not None else None
    if boundary is not None and boundary.is_empty:
        boundary = None
    xmin, ymin = xy.min(axis=0)
    xmax, ymax = xy.max(axis=0)
    if boundary is not None:
        bx0, by0, bx1, by1 = boundary.bounds
        xmin, ymin, xmax, ymax = min(xmin, bx0), min(ymin, by0), max(xmax, bx1), max(ymax, by1)
    extent = (float(xmin), float(ymin), float(xmax), float(ymax))
    cell, why = choose_cell(cell_m, extent, shape)

    grid = Grid.over(extent, cell, shape)
    rows, cols = grid.locate(xy)
    flat = rows * grid.n_cols + cols
    size = grid.n_rows * grid.n_cols
    n_inc = np.bincount(flat[is_incident], minlength=size)
    n_con = np.bincount(flat[~is_incident], minlength=size)

    polys = grid.polygons(np.arange(size))
    if shape == "square":
        valid = np.ones(size, bool)
    else:
        valid = shapely.intersects(polys, shapely.box(*extent))
    clipped = bool(clip) and boundary is not None
    if clipped:
        shapely.prepare(boundary)
        valid = shapely.intersects(boundary, polys)
        meets = np.flatnonzero(valid)
        valid[meets] = ~shapely.touches(boundary, polys[meets])  # interiors must meet
    else:
        valid |= (n_inc + n_con) > 0
    keep = np.flatnonzero(valid)
    n_outside = int((n_inc + n_con).sum() - (n_inc[keep] + n_con[keep]).sum())

    out = _cells_frame(grid, keep, polys[keep], study.crs)
    out.insert(3, N_EVENTS, (n_inc[keep] + n_con[keep]).astype(np.int64))
    out.insert(4, N_INCIDENTS, n_inc[keep].astype(np.int64))
    out.insert(5, N_CONCERNS, n_con[keep].astype(np.int64))
    out.attrs["grid"] = {
        "shape": shape,
        "cell_m": cell,
        "cell_m_reason": why,
        "origin_x": grid.x0,
        "origin_y": grid.y0,
        "n_rows": grid.n_rows,
        "n_cols": grid.n_cols,
        "n_cells": len(keep),
        "n_cells_dropped": size - len(keep),
        "clipped": clipped,
        "sources": list(chosen),
        "n_events": len(xy),
        "n_events_counted": len(xy) - n_outside,
        "n_events_outside": n_outside,
        "alpha": study.settings.alpha,
    }
    log.info(
        "grid_counts: %s cells of %g m (%s; %s) in %d rows x %d columns; %s kept%s; "
        "%s events counted%s",
        shape,
        cell,
        why,
        "clipped to the study boundary" if clipped else "no boundary clipping",
        grid.n_rows,
        grid.n_cols,
        f"{len(keep):,}",
        f", {size - len(keep):,} outside the boundary dropped" if clipped else "",
        f"{len(xy) - n_outside:,}",
        f" ({n_outside:,} outside the boundary not counted)" if n_outside else "",
    )
    return out


def grid_gistar(
    study_or_counts: Study | gpd.GeoDataFrame,
    *,
    cell_m: float | None = None,
    shape: str | None = None,
    neighbours: str = "queen",
    distance_m: float | None = None,
    correction: str = "bh",
    permutations: int = 0,
    seed: int = 0,
    alpha: float | None = None,
) -> gpd.GeoDataFrame:
    """Getis-Ord Gi* hot and cold spots on a grid of event counts.

    Parameters
    ----------
    study_or_counts : Study or GeoDataFrame
        A study (its events are counted with :func:`grid_counts`, clipped to its boundary)
        or the result of :func:`grid_counts` (``n_events`` is used; cells missing from the
        frame, e.g. filtered out, are treated as outside the study).
    cell_m : float, optional
        Cell size in metres, for a study (see :func:`grid_counts`); not with counts.
    shape : {"square", "hex"}, optional
        Cell shape for a study (default ``"square"``); counts keep their own shape.
    neighbours : {"queen", "rook", "distance"}
        The cells around each cell that enter its Gi*: the 8 around it (queen, the
        default), the 4 sharing an edge (rook), or every cell whose centre is within
        ``distance_m`` of its centre. On hexagons queen and rook are the 6 sharing an edge.
        The cell itself is always included (Gi*, not Gi).
    distance_m : float, optional
        Distance band in metres (>= ``cell_m``), required with ``neighbours="distance"``.
    correction : {"bh", "holm", "none"}
        Multiple-testing correction of ``p_value`` across the cells: Benjamini-Hochberg
        (false discovery rate, the default, as ArcGIS's Optimized Hot Spot Analysis
        applies an FDR correction), Holm (family-wise error rate, sfhotspot's default since
        1.1.0), or none.
    permutations : int
        Number of conditional permutations for ``p_perm`` (0, the default: none). Each
        cell keeps its own count and its neighbours are drawn at random, without
        replacement, from the other cells; one set of draws is shared by all cells, as in
        esda's conditional randomisation.
    seed : int
        Seed of the permutations (the same seed gives the same ``p_perm``).
    alpha : float, optional
        Significance level for ``gi_class``, in (0, 1); default ``study.settings.alpha``
        (for counts, the alpha of the study they were counted from).

    Returns
    -------
    GeoDataFrame
        The counts (:data:`GRID_COLUMNS`, the input's index kept when counts are given)
        with the columns (:data:`GISTAR_COLUMNS`):

        - ``n_neighbours`` (int): neighbouring cells inside the study (not the cell itself)
        - ``gi_z`` (float): Gi* z-score; > 0 more events around the cell than expected
        - ``p_value`` (float): two-sided normal p-value ``2 P(Z > |gi_z|)`` (esda's
          ``p_norm`` is one-sided: half of this)
        - ``p_adj`` (float): ``p_value`` adjusted across the cells (``correction``)
        - ``p_perm`` (float): two-sided permutation p-value,
          ``min(1, 2 (min(#perm >= obs, #perm <= obs) + 1) / (permutations + 1))``; NaN
          when ``permutations=0``. Not adjusted and not used by ``gi_class``
        - ``gi_bin`` (int): -3 to 3, the sign of ``gi_z`` times 3, 2 or 1 when ``p_adj`` <
          0.01, 0.05 or 0.10 (ArcGIS Hot Spot Analysis' ``Gi_Bin`` confidence bins), else 0
        - ``gi_class`` (str): ``"hot"`` or ``"cold"`` when ``p_adj < alpha``, by the sign of
          ``gi_z``; else ``"not significant"``

        ``attrs["parameters"]`` holds the parameters and counts of hot and cold cells;
        ``attrs["grid"]`` the grid.

    Raises
    ------
    LayerError
        The study has no events.
    ValidationError
        Invalid arguments (unknown neighbours, correction or shape, ``cell_m`` <= 0, no
        ``distance_m`` for a distance band, too few cells...); the message lists every
        problem.

    Notes
    -----
    The z-score is the textbook Gi* (module docstring); it equals esda's
    ``G_Local(y, w, star=True, transform="B").Zs`` for the same neighbours (tested to
    1e-9). A cell whose neighbourhood is the whole study, or a grid where every cell has
    the same count, has ``gi_z = 0``: nothing can stand out.

    ``p_value`` rests on the normal approximation, which is rough for skewed counts (a few
    very busy cells among many near-empty ones): there ``p_perm`` can differ markedly for
    ordinary cells, while both are tiny for a real hot spot. ``p_perm`` agrees with
    ``2 x`` esda's ``p_sim`` (tested).

    References
    ----------
    Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. *Geographical Analysis* 24(3), 189-206.

    Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional
    issues and an application. *Geographical Analysis* 27(4), 286-306.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, shapely
    >>> from hotspots import build_study
    >>> from hotspots.grid import grid_gistar
    >>> rng = np.random.default_rng(0)
    >>> xy = np.vstack([rng.uniform(0, 200, (300, 2)), rng.normal(100, 8, (150, 2))])
    >>> points = gpd.GeoDataFrame({"occurred_at": ["2024-01-02 21:00"] * len(xy)},
    ...                           geometry=shapely.points(xy), crs=32618)
    >>> hot = grid_gistar(build_study(incidents=points, crs=32618), cell_m=20)
    >>> hot.loc["R005C005", "gi_class"], int((hot["gi_class"] == "hot").sum()) < 20
    ('hot', True)
    """
    problems: list[str] = []
    is_study = isinstance(study_or_counts, Study)
    if not is_study and not isinstance(study_or_counts, gpd.GeoDataFrame):
        problems.append(
            "`study_or_counts` must be a Study or the GeoDataFrame of grid_counts, got "
            f"{type(study_or_counts).__name__}"
        )
    if is_study:
        problems += _check_study(study_or_counts)
        problems += _check_grid_options(cell_m=cell_m, shape=shape or "square")
    elif isinstance(study_or_counts, gpd.GeoDataFrame):
        problems += _check_counts(study_or_counts)
        if cell_m is not None:
            problems.append("`cell_m` applies to a Study only; counts keep their cell size")
        if not problems and shape is not None and shape != study_or_counts.attrs["grid"]["shape"]:
            problems.append(
                f"`shape` {shape!r} differs from the counts' shape "
                f"{study_or_counts.attrs['grid']['shape']!r}; leave it out"
            )
    problems += _check_gistar_options(
        neighbours=neighbours,
        distance_m=distance_m,
        correction=correction,
        permutations=permutations,
        seed=seed,
        alpha=alpha,
    )
    if not problems and neighbours == "distance":
        size = (
            float(cell_m)
            if is_study and cell_m is not None
            else (None if is_study else float(study_or_counts.attrs["grid"]["cell_m"]))
        )
        if size is not None and distance_m < size * (1 - DISTANCE_TOL):
            problems.append(
                f"`distance_m` ({distance_m:g}) is less than the cell size ({size:g}): no cell "
                "would have a neighbour; pass distance_m >= cell_m"
            )
    raise_problems(problems, "Invalid arguments to grid_gistar")

    if is_study:
        counts = grid_counts(study_or_counts, cell_m=cell_m, shape=shape or "square")
        default_alpha = study_or_counts.settings.alpha
        cell = float(counts.attrs["grid"]["cell_m"])
        if neighbours == "distance" and distance_m < cell * (1 - DISTANCE_TOL):
            raise_problems(
                [
                    f"`distance_m` ({distance_m:g}) is less than the chosen cell size "
                    f"({cell:g}): no cell would have a neighbour; pass a larger distance_m or "
                    "a smaller cell_m"
                ],
                "Invalid arguments to grid_gistar",
            )
    else:
        counts = study_or_counts
        default_alpha = counts.attrs["grid"].get("alpha", Settings().alpha)
    info = dict(counts.attrs["grid"])
    level = float(alpha) if alpha is not None else float(default_alpha)
    cell = float(info["cell_m"])
    n_rows, n_cols, cell_shape = int(info["n_rows"]), int(info["n_cols"]), info["shape"]

    rows = counts[ROW].to_numpy(np.int64)
    cols = counts[COL].to_numpy(np.int64)
    x2d = np.zeros((n_rows, n_cols))
    x2d[rows, cols] = counts[N_EVENTS].to_numpy(float)
    valid2d = np.zeros((n_rows, n_cols), bool)
    valid2d[rows, cols] = True
    n = len(counts)
    if n < MIN_CELLS:
        raise_problems(
            [
                f"too few cells: {n} inside the study, Gi* needs at least {MIN_CELLS}; pass a "
                "smaller cell_m"
            ],
            "Invalid arguments to grid_gistar",
        )
    if n < RELIABLE_CELLS:
        log.warning(
            "grid_gistar: only %d cells; Gi* is unreliable with fewer than %d (ArcGIS guidance)",
            n,
            RELIABLE_CELLS,
        )

    radius = distance_m / cell if neighbours == "distance" else None
    sums2d, w2d = neighbour_sums(x2d, valid2d, neighbours, cell_shape, radius)
    x = x2d[rows, cols]
    sums, w = sums2d[rows, cols], w2d[rows, cols]
    z = z_from_sums(x, sums, w)
    p = two_sided_normal_p(z)
    p_adj = p.copy() if correction == "none" else adjust_p(p, correction)
    p_perm = (
        permutation_p(x, sums - x, w.astype(np.int64) - 1, permutations, seed)
        if permutations
        else np.full(n, np.nan)
    )
    confidence = np.select([p_adj < 0.01, p_adj < 0.05, p_adj < 0.10], [3, 2, 1], 0)
    significant = p_adj < level
    klass = np.where(
        significant & (z > 0),
        CLASS_HOT,
        np.where(significant & (z < 0), CLASS_COLD, CLASS_NOT_SIGNIFICANT),
    )

    out = counts.copy()
    out[N_NEIGHBOURS] = w.astype(np.int64) - 1
    out[GI_Z] = z
    out[P_VALUE] = p
    out[P_ADJ] = p_adj
    out[P_PERM] = p_perm
    out[GI_BIN] = (np.sign(z) * confidence).astype(np.int64)
    out[GI_CLASS] = pd.array(klass, dtype="str")
    geometry_last = [c for c in out.columns if c != C.GEOMETRY] + [C.GEOMETRY]
    out = out[geometry_last]
    n_hot, n_cold = int((klass == CLASS_HOT).sum()), int((klass == CLASS_COLD).sum())
    out.attrs["grid"] = info
    out.attrs["parameters"] = {
        "neighbours": neighbours,
        "distance_m": float(distance_m) if distance_m is not None else None,
        "correction": correction,
        "permutations": int(permutations),
        "seed": int(seed),
        "alpha": level,
        "n_cells": n,
        "mean_events": float(x.mean()),
        "n_hot": n_hot,
        "n_cold": n_cold,
    }
    log.info(
        "grid_gistar: Gi* on %s %s cells of %g m, %s neighbours%s; %d hot, %d cold "
        "(%s, alpha %g)%s",
        f"{n:,}",
        cell_shape,
        cell,
        neighbours,
        f" within {distance_m:g} m" if neighbours == "distance" else "",
        n_hot,
        n_cold,
        {"bh": "Benjamini-Hochberg", "holm": "Holm", "none": "no correction"}[correction],
        level,
        f"; {permutations} permutations, seed {seed}" if permutations else "",
    )
    return out


def gistar_z(
    counts: np.ndarray,
    valid: np.ndarray | None = None,
    *,
    neighbours: str = "queen",
    distance_cells: float | None = None,
    shape: str = "square",
) -> np.ndarray:
    """Gi* z-scores of a 2-D array of counts on a regular grid.

    Parameters
    ----------
    counts : ndarray, shape (rows, cols)
        Counts (or any values) per cell; ``counts[row, col]``.
    valid : ndarray of bool, same shape, optional
        The cells inside the study. Cells outside are not cells: they do not count in the
        mean, the spread or *n* and are nobody's neighbours. Default: the finite cells.
    neighbours : {"queen", "rook", "distance"}
        8 cells around (queen), 4 sharing an edge (rook), or centres within
        ``distance_cells`` cell sizes. The cell itself is always included.
    distance_cells : float, optional
        Distance band in cell sizes (>= 1), required with ``neighbours="distance"``.
    shape : {"square", "hex"}
        Square cells, or pointy-top hexagons in rows with odd rows shifted half a cell
        east (the layout of :func:`grid_counts`); there queen and rook are the 6 cells
        sharing an edge.

    Returns
    -------
    ndarray of float, same shape
        The textbook Gi* z-score (binary weights, the cell included), equal to esda's
        ``G_Local(y, w, star=True, transform="B").Zs``; NaN outside `valid`.

    Examples
    --------
    >>> import numpy as np
    >>> from hotspots.grid import gistar_z
    >>> counts = np.ones((5, 5))
    >>> counts[2, 2] = 10
    >>> z = gistar_z(counts)
    >>> round(float(z[2, 2]), 3), round(float(z[0, 0]), 3)
    (1.333, -0.436)
    >>> valid = np.ones((5, 5), bool)
    >>> valid[0] = False  # the bottom row is outside the study
    >>> bool(np.isnan(gistar_z(counts, valid)[0, 0]))
    True
    """
    problems: list[str] = []
    arr = np.asarray(counts)
    if arr.ndim != 2 or not np.issubdtype(arr.dtype, np.number):
        problems.append(f"`counts` must be a 2-D numeric array, got shape {arr.shape} {arr.dtype}")
    if shape not in SHAPES:
        problems.append(f"`shape` must be one of {', '.join(SHAPES)}, got {shape!r}")
    if neighbours not in NEIGHBOURS:
        problems.append(f"`neighbours` must be one of {', '.join(NEIGHBOURS)}, got {neighbours!r}")
    elif neighbours == "distance":
        if distance_cells is None:
            problems.append('`distance_cells` is required with neighbours="distance"')
        elif not _is_number(distance_cells) or not math.isfinite(distance_cells):
            problems.append(f"`distance_cells` must be a number >= 1, got {distance_cells!r}")
        elif distance_cells < 1 - DISTANCE_TOL:
            problems.append(
                f"`distance_cells` must be >= 1 (else no cell has a neighbour), "
                f"got {distance_cells!r}"
            )
    if valid is not None and not problems:
        mask = np.asarray(valid)
        if mask.shape != arr.shape or mask.dtype != bool:
            problems.append(
                f"`valid` must be a bool array of the shape of `counts` {arr.shape}, "
                f"got {mask.dtype} {mask.shape}"
            )
    raise_problems(problems, "Invalid arguments to gistar_z")
    x2d = arr.astype(float)
    mask = np.isfinite(x2d) if valid is None else np.asarray(valid, bool) & np.isfinite(x2d)
    if valid is not None and not np.isfinite(x2d[np.asarray(valid, bool)]).all():
        raise_problems(["`counts` is not finite in `valid`"], "Invalid arguments to gistar_z")
    n = int(mask.sum())
    if n < MIN_CELLS:
        raise_problems(
            [f"too few cells: {n} valid, Gi* needs at least {MIN_CELLS}"],
            "Invalid arguments to gistar_z",
        )
    x2d = np.where(mask, x2d, 0.0)
    radius = float(distance_cells) if neighbours == "distance" else None
    sums, w = neighbour_sums(x2d, mask, neighbours, shape, radius)
    z = np.full(arr.shape, np.nan)
    z[mask] = z_from_sums(x2d[mask], sums[mask], w[mask])
    return z


# =========================================================================================
# checks
# =========================================================================================


def _check_grid_options(*, cell_m: Any, shape: Any) -> list[str]:
    problems = []
    if cell_m is not None:
        positive("cell_m", cell_m, "metres", problems)
    if shape not in SHAPES:
        problems.append(f"`shape` must be one of {', '.join(SHAPES)}, got {shape!r}")
    return problems


def _check_counts(counts: gpd.GeoDataFrame) -> list[str]:
    info = counts.attrs.get("grid")
    if not isinstance(info, dict) or not {"shape", "cell_m", "n_rows", "n_cols"} <= set(info):
        return [
            "`study_or_counts` is a GeoDataFrame without attrs['grid']; pass the result of "
            "hotspots.grid.grid_counts (or the Study itself)"
        ]
    missing = [c for c in (ROW, COL, N_EVENTS) if c not in counts.columns]
    if missing:
        return [f"the counts lack column(s) {missing}; pass the result of grid_counts"]
    crs = counts.crs
    if crs is None or not crs.is_projected:
        return [
            "the counts must be in a projected CRS in metres, got "
            f"{crs.to_string() if crs is not None else 'no CRS'}"
        ]
    rows, cols = counts[ROW].to_numpy(), counts[COL].to_numpy()
    if len(counts) and (
        rows.min() < 0
        or cols.min() < 0
        or rows.max() >= info["n_rows"]
        or cols.max() >= info["n_cols"]
    ):
        return ["the counts' row/col are outside the grid in attrs['grid']"]
    if pd.MultiIndex.from_arrays([rows, cols]).has_duplicates:
        return ["the counts have the same (row, col) more than once"]
    x = counts[N_EVENTS].to_numpy(float)
    if not np.isfinite(x).all():
        return ["the counts' n_events has missing or infinite values"]
    return []


def _check_gistar_options(
    *,
    neighbours: Any,
    distance_m: Any,
    correction: Any,
    permutations: Any,
    seed: Any,
    alpha: Any,
) -> list[str]:
    problems = []
    if neighbours not in NEIGHBOURS:
        problems.append(f"`neighbours` must be one of {', '.join(NEIGHBOURS)}, got {neighbours!r}")
    if neighbours == "distance" and distance_m is None:
        problems.append('`distance_m` is required with neighbours="distance" (metres, >= cell_m)')
    if distance_m is not None and (
        not _is_number(distance_m) or not math.isfinite(distance_m) or distance_m <= 0
    ):
        problems.append(f"`distance_m` must be a number of metres > 0, got {distance_m!r}")
    elif distance_m is not None and neighbours != "distance":
        problems.append('`distance_m` applies only with neighbours="distance"')
    if correction not in CORRECTIONS:
        problems.append(f"`correction` must be one of {', '.join(CORRECTIONS)}, got {correction!r}")
    if not _is_int(permutations) or permutations < 0:
        problems.append(f"`permutations` must be an integer >= 0, got {permutations!r}")
    if not _is_int(seed) or seed < 0:
        problems.append(f"`seed` must be an integer >= 0, got {seed!r}")
    if alpha is not None and (not _is_number(alpha) or not 0 < alpha < 1):
        problems.append(f"`alpha` must be in (0, 1), got {alpha!r}")
    return problems


def _cells_frame(grid: Grid, keep: np.ndarray, polys: np.ndarray, crs: Any) -> gpd.GeoDataFrame:
    """Return the cells at flat indices `keep` as a frame: cell_id (the index too), row, col."""
    row, col = np.divmod(keep, grid.n_cols)
    width = max(3, len(str(max(grid.n_rows, grid.n_cols) - 1)))
    ids = (
        "R"
        + pd.Series(row).astype(str).str.zfill(width)
        + "C"
        + pd.Series(col).astype(str).str.zfill(width)
    ).to_numpy(object)
    frame = gpd.GeoDataFrame(
        {
            CELL_ID: pd.array(ids, dtype="str"),
            ROW: row.astype(np.int64),
            COL: col.astype(np.int64),
            C.GEOMETRY: polys,
        },
        geometry=C.GEOMETRY,
        crs=crs,
    )
    frame.index = pd.Index(ids, dtype="str")
    return frame
