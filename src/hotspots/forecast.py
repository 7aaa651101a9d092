"""Forecast scoring: how good was the hot spot map at catching the next events.

:func:`evaluate_forecast` and :func:`compare_forecasts` score hot spot maps made from past
events by how many of the next events they catch: hit rate, the Predictive Accuracy Index
(Chainey, Tompson & Uhlig 2008) and the Predictive Efficiency Index (Hunt 2016), for the
recurring places of :func:`hotspots.cluster.find_hotspots`, grid counts, kernel density and
Getis-Ord Gi*, all on the same grid and the same train / test split.

References
----------
- Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for
  predicting spatial patterns of crime. *Security Journal* 21, 4-28.
- Hunt, J. M. (2016). *Do crime hot spots move? Exploring the effects of the modifiable
  areal unit problem and modifiable temporal unit problem on crime hot spot stability*.
  PhD thesis, American University (the Predictive Efficiency Index).
- Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*, eq. 3.31
  and 4.14 (the bandwidth rule of thumb).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from hotspots import _columns as C
from hotspots._checks import SOURCES, check_sources, check_study, is_number, positive
from hotspots._errors import ValidationError, raise_problems
from hotspots._events import add_days, check_coverage, select_events, timestamp
from hotspots._grid import MAX_CELLS, Grid
from hotspots.cluster import find_hotspots
from hotspots.grid import gistar_z
from hotspots.study import Study, combine_events

__all__ = [
    "FORECAST_COLUMNS",
    "FORECAST_METHODS",
    "compare_forecasts",
    "evaluate_forecast",
]

log = logging.getLogger(__name__)

FORECAST_METHODS: tuple[str, ...] = ("clusters", "grid", "kde", "gistar")
"""Methods :func:`evaluate_forecast` can score."""
DEFAULT_CELL_M = 50.0
"""Forecast grid cell side: half a block, as in :func:`hotspots.cluster.crime_concentration`."""
FORECAST_COLUMNS: tuple[str, ...] = (
    "method",
    "coverage",
    "cells",
    "area_share",
    "hit_rate",
    "pai",
    "pei",
    "n_train",
    "n_test",
)
"""Columns of :func:`evaluate_forecast` and :func:`compare_forecasts`."""


def evaluate_forecast(
    study: Study,
    method: str,
    *,
    train_until: Any,
    test_days: float,
    coverage: Sequence[float] = (0.01, 0.05),
    cell_m: float | None = None,
    bandwidth_m: float | None = None,
    sources: Sequence[str] = SOURCES,
) -> pd.DataFrame:
    """Score a hot spot map made from past events by how many of the next events it catches.

    Every method gives each cell of one square grid a score from the training events only
    (those before `train_until`); the cells are ranked by score and the top cells covering
    each `coverage` share of the study area are the forecast; the test events (the
    `test_days` days from `train_until`) are then counted in them.

    Parameters
    ----------
    study : Study
        Incidents and concerns; the grid covers ``study.boundary`` when it has one, else the
        bounding box of all selected events.
    method : {"clusters", "grid", "kde", "gistar"}
        How cells are scored:

        - ``"clusters"``: the recurring places of :func:`hotspots.cluster.find_hotspots` run
          on a study holding only the training events; a cell scores the density
          (``n_events / area_m2``) of the densest place whose polygon it intersects, 0
          elsewhere;
        - ``"grid"``: the count of training events in the cell;
        - ``"kde"``: a Gaussian kernel density of the training events at the cell centres
          (binned to the grid and smoothed with ``scipy.ndimage.gaussian_filter``);
        - ``"gistar"``: the Getis-Ord Gi* z-score of the training counts
          (:func:`hotspots.grid.gistar_z`, queen neighbours).
    train_until : date string or Timestamp
        End of training / start of the test window; naive values are local to the study.
    test_days : float
        Length of the test window in days.
    coverage : sequence of float
        Shares of the study area to flag, each in (0, 1]; default 1% and 5%.
    cell_m : float, optional
        Grid cell side in metres; default 50 m (half a block).
    bandwidth_m : float, optional
        KDE bandwidth (standard deviation of the Gaussian kernel) in metres. Default:
        Silverman's rule of thumb on the training events, ``h = A n^(-1/6)`` with ``A`` the
        mean over x and y of ``min(sd, IQR / 1.349)`` (Silverman 1986, eq. 4.14 for two
        dimensions with the robust spread of eq. 3.31), and at least one cell. It is
        reproducible and data-driven, and known to oversmooth clustered points; pass a
        fixed bandwidth to compare (Chainey 2013 found smaller ones predict better).
    sources : sequence of {"incident", "concern"}
        Which events to train and test on.

    Returns
    -------
    DataFrame
        One row per coverage, columns (:data:`FORECAST_COLUMNS`):

        - ``method`` (str), ``coverage`` (float): as given
        - ``cells`` (int): cells flagged, the fewest whose area reaches the coverage
        - ``area_share`` (float): their share of the study area
        - ``hit_rate`` (float): share of test events in them, ``n / N``
        - ``pai`` (float): Predictive Accuracy Index, ``(n / N) / (a / A)`` (Chainey et al.
          2008)
        - ``pei`` (float): Predictive Efficiency Index, ``n / n*`` with ``n*`` the most test
          events any set of that many cells holds (Hunt 2016); in [0, 1]
        - ``n_train``, ``n_test`` (int): events used to score and to test

    Raises
    ------
    ValidationError
        Unknown method, bad coverage or cell size, no training or test events, a test window
        beyond the data, or too many cells.

    Notes
    -----
    Cells are clipped to the study boundary: a cell is in the study area when it overlaps
    the boundary, with its clipped area. Ties in score are broken by cell order (row-major
    from the south-west), so results are deterministic; cells no method scores (e.g. outside
    every cluster) therefore fill the coverage in that order. Test events outside every cell
    still count in ``N``.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, pandas as pd, pyproj, shapely
    >>> from hotspots import build_study
    >>> crs, tz = pyproj.CRS(32618), "America/New_York"
    >>> rng = np.random.default_rng(1)
    >>> n_hot, n_bg = 300, 300
    >>> x = np.r_[rng.normal(500, 10, n_hot), rng.uniform(0, 2000, n_bg)] + 320_000
    >>> y = np.r_[rng.normal(500, 10, n_hot), rng.uniform(0, 2000, n_bg)] + 4_300_000
    >>> t = pd.Timestamp("2025-01-01", tz=tz) + pd.to_timedelta(
    ...     rng.uniform(0, 120, n_hot + n_bg), "D")
    >>> inc = gpd.GeoDataFrame({"id": [str(i) for i in range(len(x))], "occurred_at": t,
    ...     "category": "", "description": ""}, geometry=shapely.points(x, y), crs=crs)
    >>> study = build_study(incidents=inc, crs=crs, tz=tz)
    >>> table = evaluate_forecast(study, "grid", train_until="2025-03-15", test_days=30)
    >>> list(table["coverage"])
    [0.01, 0.05]
    >>> bool(table["pai"].iloc[1] > 5)
    True
    """
    return compare_forecasts(
        study,
        methods=(method,),
        train_until=train_until,
        test_days=test_days,
        coverage=coverage,
        cell_m=cell_m,
        bandwidth_m=bandwidth_m,
        sources=sources,
    )


def compare_forecasts(
    study: Study,
    methods: Sequence[str] = FORECAST_METHODS,
    *,
    train_until: Any,
    test_days: float,
    coverage: Sequence[float] = (0.01, 0.05),
    cell_m: float | None = None,
    bandwidth_m: float | None = None,
    sources: Sequence[str] = SOURCES,
) -> pd.DataFrame:
    """Score several hot spot methods on the same grid, events and train / test split.

    Parameters
    ----------
    study : Study
    methods : sequence of {"clusters", "grid", "kde", "gistar"}
        Default: all four.
    train_until, test_days, coverage, cell_m, bandwidth_m, sources
        As in :func:`evaluate_forecast`.

    Returns
    -------
    DataFrame
        One row per method x coverage (methods in the order given), columns
        :data:`FORECAST_COLUMNS`, with a fresh RangeIndex. ``attrs["parameters"]`` holds the
        grid, the windows and the KDE bandwidth used.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, pandas as pd, pyproj, shapely
    >>> from hotspots import build_study
    >>> crs, tz = pyproj.CRS(32618), "America/New_York"
    >>> rng = np.random.default_rng(2)
    >>> x = np.r_[rng.normal(700, 8, 200), rng.uniform(0, 1500, 200)] + 320_000
    >>> y = np.r_[rng.normal(300, 8, 200), rng.uniform(0, 1500, 200)] + 4_300_000
    >>> t = pd.Timestamp("2025-01-01", tz=tz) + pd.to_timedelta(rng.uniform(0, 90, 400), "D")
    >>> inc = gpd.GeoDataFrame({"id": [str(i) for i in range(400)], "occurred_at": t,
    ...     "category": "", "description": ""}, geometry=shapely.points(x, y), crs=crs)
    >>> study = build_study(incidents=inc, crs=crs, tz=tz)
    >>> table = compare_forecasts(study, ("grid", "kde"), train_until="2025-03-01",
    ...                           test_days=30, coverage=[0.05])
    >>> table[["method", "coverage"]].values.tolist()
    [['grid', 0.05], ['kde', 0.05]]
    """
    settings = check_study(study)
    problems: list[str] = []
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    if not methods:
        problems.append(f"`methods` is empty; use some of {', '.join(FORECAST_METHODS)}")
    unknown = [m for m in methods if m not in FORECAST_METHODS]
    if unknown:
        problems.append(f"unknown method(s) {unknown}; use one of {', '.join(FORECAST_METHODS)}")
    try:
        cov = [float(c) for c in ([coverage] if is_number(coverage) else coverage)]
    except (TypeError, ValueError):
        cov = []
    if not cov or not all(0 < c <= 1 for c in cov):
        problems.append(f"`coverage` must be shares of the area in (0, 1], got {coverage!r}")
    test_days = positive("test_days", test_days, "days", problems)
    cell = DEFAULT_CELL_M if cell_m is None else positive("cell_m", cell_m, "metres", problems)
    if bandwidth_m is not None:
        positive("bandwidth_m", bandwidth_m, "metres", problems)
    src_problems, chosen_sources = check_sources(sources)
    problems += src_problems
    raise_problems(problems, "Invalid arguments to evaluate_forecast")

    split = timestamp(train_until, study.tz, "train_until")
    test_end = add_days(split, test_days)
    events = combine_events(study)
    check_coverage(study, events, split, test_end)
    events = select_events(events, chosen_sources)
    t = events[C.TIME]
    is_train = (t < split).to_numpy(bool)
    is_test = ((t >= split) & (t < test_end)).to_numpy(bool)
    n_train, n_test = int(is_train.sum()), int(is_test.sum())
    problems = []
    if n_train == 0:
        problems.append(f"no events before `train_until` ({split:%Y-%m-%d}): nothing to learn")
    if n_test == 0:
        problems.append(
            f"no events in the test window {split:%Y-%m-%d} + {test_days:g} days: nothing to "
            "score; move `train_until` earlier or lengthen `test_days`"
        )
    raise_problems(problems, "Cannot score forecasts")

    xy = shapely.get_coordinates(events.geometry.to_numpy())
    grid, area2d = _make_grid(study.boundary, xy, cell)
    train_xy, test_xy = xy[is_train], xy[is_test]
    train_counts = grid.counts(train_xy)
    test_counts = grid.counts(test_xy).ravel()
    valid = area2d.ravel() > 0
    area = area2d.ravel()
    total_area = float(area.sum())
    # the best any k cells can do: test counts in descending order (valid cells only)
    best = np.cumsum(np.sort(np.where(valid, test_counts, 0))[::-1])
    bw = bandwidth_m if bandwidth_m is not None else _silverman(train_xy, cell)

    rows = []
    for method in methods:
        score = _score(method, study, grid, area2d > 0, train_counts, split, chosen_sources, bw)
        score = score.ravel()
        score = np.where(valid & np.isfinite(score), score, -np.inf)
        order = np.lexsort((np.arange(score.size), -score))  # score desc, then cell order
        order = order[valid[order]]
        cum_area = np.cumsum(area[order])
        cum_hits = np.cumsum(test_counts[order])
        for c in cov:
            k = int(np.searchsorted(cum_area, c * total_area * (1 - 1e-12)) + 1)
            k = min(k, len(order))
            hits = int(cum_hits[k - 1])
            share = float(cum_area[k - 1] / total_area)
            hit_rate = hits / n_test
            rows.append(
                {
                    "method": method,
                    "coverage": c,
                    "cells": k,
                    "area_share": share,
                    "hit_rate": hit_rate,
                    "pai": hit_rate / share,
                    "pei": hits / best[k - 1] if best[k - 1] > 0 else math.nan,
                    "n_train": n_train,
                    "n_test": n_test,
                }
            )
    table = pd.DataFrame(rows, columns=list(FORECAST_COLUMNS))
    table.attrs["parameters"] = {
        "train_until": split,
        "test_end": test_end,
        "cell_m": cell,
        "grid_shape": (grid.n_rows, grid.n_cols),
        "cells_in_study_area": int(valid.sum()),
        "study_area_m2": total_area,
        "kde_bandwidth_m": bw,
        "kde_bandwidth_rule": "given" if bandwidth_m is not None else "Silverman (1986)",
        "sources": list(chosen_sources),
        "alpha": settings.alpha,
    }
    log.info(
        "compare_forecasts: %s train / %s test events, %d cells of %g m, methods %s",
        f"{n_train:,}",
        f"{n_test:,}",
        int(valid.sum()),
        cell,
        ", ".join(methods),
    )
    return table


def _make_grid(
    boundary: shapely.Geometry | None, xy: np.ndarray, cell: float
) -> tuple[Grid, np.ndarray]:
    """Square cells over the boundary (else the events) and each cell's area inside it, m²."""
    has_boundary = boundary is not None and not boundary.is_empty
    if has_boundary:
        extent = boundary.bounds
    else:
        (minx, miny), (maxx, maxy) = xy.min(axis=0), xy.max(axis=0)
        extent = (minx, miny, maxx, maxy)
    grid = Grid.from_corner(extent, cell)
    if grid.size > MAX_CELLS:
        raise ValidationError(
            f"a {cell:g} m grid over this study has {grid.size:,} cells (more than "
            f"{MAX_CELLS:,}); pass a larger `cell_m`"
        )
    if not has_boundary:
        return grid, np.full((grid.n_rows, grid.n_cols), cell * cell)
    boxes = grid.polygons()
    shapely.prepare(boundary)
    area = np.zeros(boxes.size)
    hit = shapely.intersects(boundary, boxes)
    area[hit] = shapely.area(shapely.intersection(boxes[hit], boundary))
    return grid, area.reshape(grid.n_rows, grid.n_cols)


def _silverman(xy: np.ndarray, cell: float) -> float:
    """Silverman's rule-of-thumb bandwidth in metres, at least one cell."""
    n = len(xy)
    if n < 2:
        return cell
    sd = xy.std(axis=0, ddof=1)
    iqr = np.subtract(*np.percentile(xy, [75, 25], axis=0)) / 1.349
    spread = np.where(iqr > 0, np.minimum(sd, iqr), sd)
    h = float(spread.mean()) * n ** (-1 / 6)
    return max(h, cell)


def _score(
    method: str,
    study: Study,
    grid: Grid,
    valid: np.ndarray,
    train_counts: np.ndarray,
    split: pd.Timestamp,
    sources: tuple[str, ...],
    bandwidth_m: float,
) -> np.ndarray:
    """Score of each cell, shape (n_rows, n_cols), from the training events only."""
    if method == "grid":
        return train_counts.astype(float)
    if method == "kde":
        sigma = bandwidth_m / grid.cell
        return ndimage.gaussian_filter(
            train_counts.astype(float), sigma=sigma, mode="constant", truncate=4.0
        )
    if method == "gistar":
        return np.asarray(gistar_z(train_counts.astype(float), valid), dtype=float)
    # clusters: recurring places found from the training events only
    train = dataclasses.replace(
        study,
        incidents=study.incidents.loc[(study.incidents[C.OCCURRED_AT] < split).to_numpy(bool)],
        concerns=study.concerns.loc[(study.concerns[C.REPORTED_AT] < split).to_numpy(bool)],
        period=(study.period[0], split),
    )
    places = find_hotspots(train, sources=sources)
    score = np.zeros(grid.size)
    if len(places):
        density = (places[C.N_EVENTS] / places[C.AREA_M2]).to_numpy(float)
        tree = shapely.STRtree(places.geometry.to_numpy())
        cell_idx, place_idx = tree.query(grid.polygons(), predicate="intersects")
        np.maximum.at(score, cell_idx, density[place_idx])
    return score.reshape(grid.n_rows, grid.n_cols)
