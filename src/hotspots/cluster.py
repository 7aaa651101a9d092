"""Scanning: the places where trouble keeps coming back.

:func:`find_hotspots` clusters incidents and concerns together, in metres, and keeps the
clusters that *recur*: events on at least ``min_days`` distinct local days spread over at
least ``span_days`` days. Each recurring place becomes one row with a polygon, counts, its
time span, a Poisson test against the study's background rate and the time profiles of
:func:`hotspots.temporal.cluster_time_summary`.

How the places are found
------------------------
Density clustering (DBSCAN) on the events' coordinates, made to scale the way NOTES.md
measured: events are snapped to a ``snap_m`` grid, duplicates collapse into one point whose
weight is its count (``sample_weight``), and cells that cannot be within ``eps_m`` of a core
point are pruned before DBSCAN runs. The pruning uses an upper bound of each point's weighted
neighbourhood (the weight of the grid block that contains its ``eps_m`` disc), so the labels
are exactly those of DBSCAN on all snapped points, only faster: 1M events over a city take
well under a second. ``method="hdbscan"`` uses the ``hdbscan`` package instead.

How a place is defined
----------------------
DBSCAN finds the places; the polygon defines them. A place's polygon is the convex hull of its
events buffered by ``hull_buffer_m``, and **its events are the events inside the polygon**
(:func:`event_clusters`): every count in the output can be reproduced from the polygon and the
event layer alone, and later stages (:func:`hotspots.diagnose`) see the same events.
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
from hotspots._checks import SOURCES as _SOURCES
from hotspots._checks import as_tuple as _as_tuple
from hotspots._checks import check_sources, positive
from hotspots._checks import check_study as _check_study
from hotspots._checks import is_int as _is_int
from hotspots._checks import is_number as _is_number
from hotspots._dbscan import HDBSCAN_RAW_LIMIT, dbscan_snapped, hdbscan_labels, pack
from hotspots._errors import LayerError, raise_problems
from hotspots._events import select_events
from hotspots._places import (
    NS_PER_DAY,
    assign,
    centroids,
    describe,
    hull_size,
    hulls,
    recurring,
    time_arrays,
)
from hotspots._stats import CORRECTIONS, adjust_p, poisson_upper_quantile, poisson_upper_tail
from hotspots.settings import Settings
from hotspots.study import Study, combine_events
from hotspots.temporal import cluster_time_summary

__all__ = [
    "CLUSTER_COLUMNS",
    "CORRECTIONS",
    "HDBSCAN_RAW_LIMIT",
    "METHODS",
    "crime_concentration",
    "event_clusters",
    "find_hotspots",
]

log = logging.getLogger(__name__)

CLUSTER_COLUMNS: dict[str, str] = {
    C.CLUSTER_ID: "str: stable id 'H001', 'H002'... by n_events (most first), then centroid x, y",
    C.GEOMETRY: "Polygon: convex hull of the place's events buffered by hull_buffer_m",
    C.CENTROID_X: "float m: mean x of the place's events (study CRS)",
    C.CENTROID_Y: "float m: mean y of the place's events (study CRS)",
    C.N_EVENTS: "int: events inside the polygon (of the sources clustered)",
    C.N_INCIDENTS: "int: of those, incidents",
    C.N_CONCERNS: "int: of those, concerns",
    C.SOURCE_MIX: "str: 'both', 'incident_only' or 'concern_only'",
    C.CATEGORIES: "dict: events per category, most frequent first ('(none)' when blank)",
    C.FIRST_SEEN: "datetime64 tz-aware: first event (study timezone)",
    C.LAST_SEEN: "datetime64 tz-aware: last event (study timezone)",
    C.N_DAYS: "int: distinct local days with an event",
    C.SPAN_DAYS: "int: days from the first to the last local day with an event",
    C.EVENTS_PER_WEEK: "float: n_events per week from the first to the last day (inclusive)",
    C.AREA_M2: "float m2: polygon area",
    C.EXPECTED: "float: events expected in that area over the study period at the study's rate",
    C.P_VALUE: "float: Poisson upper tail P(X >= n_events | expected)",
    C.P_ADJ: "float: p_value adjusted across the places (Benjamini-Hochberg or Holm)",
    C.SIGNIFICANT: "bool: p_adj < settings.alpha",
}
"""The columns :func:`find_hotspots` returns (before the temporal columns), dtype and meaning.

The columns of :func:`hotspots.temporal.cluster_time_summary` follow them.
"""

METHODS: tuple[str, ...] = ("dbscan", "hdbscan")
"""Clustering methods :func:`find_hotspots` accepts."""

DEFAULT_EPS_M = 50.0
"""Default neighbourhood radius: half a city block, the precision of block-level geocoding."""
MAX_BACKGROUND_TAIL = 0.01
"""Largest tail probability used to choose ``min_samples``."""
BACKGROUND_CORE_POINTS = 0.1
"""Background events expected to become DBSCAN core points, study-wide, at the default
``min_samples`` (tail probability ``min(MAX_BACKGROUND_TAIL, BACKGROUND_CORE_POINTS / n)``)."""


# =========================================================================================
# public functions
# =========================================================================================


def find_hotspots(
    study: Study,
    *,
    method: str = "dbscan",
    eps_m: float | None = None,
    min_samples: int | None = None,
    min_days: int | None = None,
    span_days: int | None = None,
    snap_m: float | None = None,
    sources: Sequence[str] = (C.SOURCE_INCIDENT, C.SOURCE_CONCERN),
    correction: str = "bh",
) -> gpd.GeoDataFrame:
    """Find the places where incidents and concerns keep coming back.

    Parameters
    ----------
    study : Study
        The layers (incidents and concerns are used) and settings (``min_days``,
        ``span_days``, ``snap_m``, ``hull_buffer_m``, ``alpha``).
    method : {"dbscan", "hdbscan"}
        ``"dbscan"`` (default): scikit-learn DBSCAN on the events snapped to a ``snap_m``
        grid, each snapped point weighted by its count, with exact pruning of cells far
        from any dense spot. ``"hdbscan"``: the ``hdbscan`` package (leaf clusters,
        ``min_cluster_size = min_samples``), keeping as members only its points with
        ``min_samples`` events within ``eps_m`` (DBSCAN's core points), so that places are
        at least as dense as DBSCAN's. It takes no weights: up to
        :data:`HDBSCAN_RAW_LIMIT` events it clusters the raw coordinates; above that, the
        snapped points with each repeated at most ``min_samples`` times, which keeps every
        core distance (and so the density tree) of the snapped data exactly and only shrinks
        the cluster sizes the selection compares.
    eps_m : float, optional
        Neighbourhood radius in metres (DBSCAN ``eps``; for HDBSCAN the radius of the
        core-point test). Default 50 m (half a block), at most a tenth of the side of the
        background area and at least ``2 * snap_m``.
    min_samples : int, optional
        Events needed within ``eps_m`` of a point to make it a core point (>= 2). By
        default the Poisson upper quantile of the background count in an ``eps_m`` disc
        (study-wide events per m² x disc area), at tail probability ``min(0.01, 0.1/n)``
        for ``n`` events, so that a uniform background is expected to make fewer than 0.1
        core points (and so, almost never, a cluster); never below ``min_days``.
    min_days : int, optional
        A place recurs when its events fall on at least this many distinct local days.
        Default ``study.settings.min_days`` (3).
    span_days : int, optional
        ... spread over at least this many days from the first to the last. Default
        ``study.settings.span_days`` (14), or half the study period when the study is
        shorter than twice that (logged, and in ``attrs["parameters"]["span_days_reason"]``).
    snap_m : float, optional
        Grid size in metres for snapping before DBSCAN (at most ``eps_m / 2``). Default
        ``study.settings.snap_m`` (10 m).
    sources : sequence of {"incident", "concern"}
        Which events to cluster (both by default).
    correction : {"bh", "holm"}
        Multiple-testing correction of the p-values across the places.

    Returns
    -------
    GeoDataFrame
        One row per recurring place, in the study CRS, indexed by ``cluster_id`` (the index
        has no name, so ``reset_index()`` works), sorted by id. Columns
        (:data:`CLUSTER_COLUMNS`):

        - ``cluster_id`` (str): ``"H001"``, ``"H002"``, ... numbered by ``n_events`` (most
          first), then centroid x, then y; the same events in any row order give the same
          ids and polygons
        - ``geometry`` (Polygon): convex hull of the place's events buffered by
          ``hull_buffer_m`` (one or two distinct points give a disc or a capsule)
        - ``centroid_x``, ``centroid_y`` (float, m): mean position of its events
        - ``n_events``, ``n_incidents``, ``n_concerns`` (int): events inside the polygon
        - ``source_mix`` (str): ``"both"``, ``"incident_only"`` or ``"concern_only"``
        - ``categories`` (dict): events per category, most frequent first
        - ``first_seen``, ``last_seen`` (datetime64, tz-aware): first and last event
        - ``n_days`` (int): distinct local days; ``span_days`` (int): days from first to
          last local day
        - ``events_per_week`` (float): ``n_events`` per week from first to last day
          (inclusive)
        - ``area_m2`` (float): polygon area
        - ``expected`` (float): events expected in a polygon that size over the study
          period at the study's rate: ``n / (background area x study days)`` x ``area_m2``
          x study days. The background area is the study boundary's area when the study has
          one, else the convex hull of the clustered events buffered by ``eps_m`` (so that
          few or collinear events still span an area); the study period is the study's
          ``period`` when given, else first to last event
        - ``p_value`` (float): Poisson upper tail ``P(X >= n_events | expected)``; places
          are chosen *because* they are dense, so read it as a screening score (how far
          above the background), not as a confirmatory test
        - ``p_adj`` (float): adjusted across the places (``correction``)
        - ``significant`` (bool): ``p_adj < settings.alpha``
        - then the columns of :func:`hotspots.temporal.cluster_time_summary`
          (``n_after_dark``, ``after_dark_share``, ``hour_profile``, ``weekday_profile``,
          ``period_counts``, ``active_periods``, ``trend``, ``trend_tau``, ``trend_p``)

        ``attrs["parameters"]`` holds every parameter chosen (and why) and the counts;
        ``attrs["settings"]`` the study's :class:`~hotspots.Settings`, so that later stages
        (:func:`hotspots.diagnose`, :func:`hotspots.recommend`) use the same settings.

    Raises
    ------
    LayerError
        The study has no events of the selected sources.
    ValidationError
        Invalid arguments; the message lists every problem.

    Notes
    -----
    A cluster whose events fall on fewer than ``min_days`` days, or span fewer than
    ``span_days`` days, is dropped (and counted in the log): a one-day burst is never a
    hot spot. Event times are the start times (``occurred_at`` / ``reported_at``); days are
    local to the study's timezone.

    Examples
    --------
    >>> from hotspots import datasets
    >>> from hotspots.cluster import find_hotspots
    >>> study = datasets.load_study("scene")
    >>> hot = find_hotspots(study)
    >>> hot.index[0]
    'H001'
    >>> bool((hot["n_days"] >= study.settings.min_days).all())
    True
    """
    settings = _check_study(study)
    opts = _check_options(
        settings,
        method=method,
        eps_m=eps_m,
        min_samples=min_samples,
        min_days=min_days,
        span_days=span_days,
        snap_m=snap_m,
        sources=sources,
        correction=correction,
    )
    events = _select_events(study, opts["sources"])
    xy = shapely.get_coordinates(events.geometry.to_numpy())
    utc_ns, day = time_arrays(events[C.TIME], study.tz)
    is_incident = (events[C.SOURCE] == C.SOURCE_INCIDENT).to_numpy(bool)
    n = len(events)

    # --- background: area, period, rate --------------------------------------------------
    has_boundary = study.boundary is not None and not study.boundary.is_empty
    first_t, last_t = _study_period(study, utc_ns)
    study_days = max((last_t - first_t) / NS_PER_DAY, 1.0)
    span_why = "given" if opts["span_days_given"] else "settings.span_days"
    if not opts["span_days_given"] and opts["span_days"] > study_days / 2:
        # a two-week rule cannot be met by a ten-day study: ask for half the period instead
        opts["span_days"] = max(1, int(study_days // 2))
        span_why = f"half the {study_days:.0f}-day study period (settings.span_days is longer)"
        log.warning("find_hotspots: span_days relaxed to %d: %s", opts["span_days"], span_why)

    # --- parameters ---------------------------------------------------------------------
    snap = opts["snap_m"]
    if has_boundary:
        bg_area, bg_source = float(study.boundary.area), "study boundary"
        eps, eps_why = _choose_eps(opts["eps_m"], bg_area, snap)
    else:
        hull_area, hull_perimeter = hull_size(xy)
        eps, eps_why = _choose_eps(opts["eps_m"], hull_area, snap)
        # the hull buffered by eps (Steiner: area + perimeter x eps + pi eps2), so that a
        # few or collinear events still have a background area
        bg_area = hull_area + hull_perimeter * eps + math.pi * eps**2
        bg_source = "convex hull of the events + eps_m"
    mu = n * math.pi * eps**2 / bg_area
    tail = min(MAX_BACKGROUND_TAIL, BACKGROUND_CORE_POINTS / n)
    m, m_why = _choose_min_samples(opts["min_samples"], mu, tail, opts["min_days"])

    # --- cluster --------------------------------------------------------------------------
    if opts["method"] == "dbscan":
        labels, n_points = dbscan_snapped(xy, eps, m, snap)
        input_note = f"{n_points:,} snapped points"
    else:
        labels, n_points, raw = hdbscan_labels(xy, eps, m, snap)
        input_note = f"{n_points:,} {'raw' if raw else 'snapped (copies capped)'} points"
    n_found = int(labels.max()) + 1 if len(labels) else 0

    # --- places: polygons, membership, recurrence -------------------------------------------
    polys = hulls(xy, labels, n_found, settings.hull_buffer_m)
    pos = assign(xy, polys)
    keep = recurring(pos, day, n_found, opts["min_days"], opts["span_days"])
    n_dropped = int((~keep).sum())
    polys = polys[keep]
    pos = assign(xy, polys) if n_dropped else pos
    k = len(polys)

    # --- order and ids ----------------------------------------------------------------------
    counts = np.bincount(pos[pos >= 0], minlength=k)
    cx, cy = centroids(xy, pos, k)
    order = np.lexsort((cy, cx, -counts))
    rank = np.empty(k, np.int64)
    rank[order] = np.arange(k)
    pos = np.append(rank, -1)[pos]  # -1 stays -1
    polys, cx, cy = polys[order], cx[order], cy[order]
    width = max(3, len(str(k)))
    ids = [f"H{i + 1:0{width}d}" for i in range(k)]

    table = describe(
        ids, polys, cx, cy, pos, is_incident, events[C.CATEGORY], utc_ns, day, study.tz
    )
    table[C.EXPECTED] = n * table[C.AREA_M2].to_numpy(float) / bg_area
    table[C.P_VALUE] = poisson_upper_tail(
        table[C.N_EVENTS].to_numpy(), table[C.EXPECTED].to_numpy()
    )
    table[C.P_ADJ] = adjust_p(table[C.P_VALUE].to_numpy(float), opts["correction"])
    table[C.SIGNIFICANT] = table[C.P_ADJ].to_numpy(float) < settings.alpha
    table = _with_time_summary(table, events, pos, settings, first_t, last_t, study.tz)

    out = gpd.GeoDataFrame(table, geometry=C.GEOMETRY, crs=study.crs)
    out.index = pd.Index(ids, dtype="str")
    out.attrs["parameters"] = {
        "method": opts["method"],
        "eps_m": eps,
        "eps_m_reason": eps_why,
        "min_samples": m,
        "min_samples_reason": m_why,
        "min_days": opts["min_days"],
        "span_days": opts["span_days"],
        "span_days_reason": span_why,
        "snap_m": snap,
        "hull_buffer_m": settings.hull_buffer_m,
        "sources": list(opts["sources"]),
        "correction": opts["correction"],
        "alpha": settings.alpha,
        "n_events": n,
        "n_points_clustered": n_points,
        "background_area_m2": bg_area,
        "background_area_source": bg_source,
        "study_days": study_days,
        "expected_per_disc": mu,
        "tail_probability": tail,
        "n_clusters_found": n_found,
        "n_not_recurring": n_dropped,
        "n_hotspots": k,
        "n_significant": int(out[C.SIGNIFICANT].sum()),
    }
    out.attrs["settings"] = settings
    log.info(
        "find_hotspots: %s events (%s incidents, %s concerns) over %.2f km2 (%s) and %.0f days; "
        "%s on %s; eps_m=%g (%s); min_samples=%d (%s); %d clusters, %d dropped as not "
        "recurring (< %d days or span < %d days); %d hot spots, %d significant (%s, alpha %g)",
        f"{n:,}",
        f"{int(is_incident.sum()):,}",
        f"{int((~is_incident).sum()):,}",
        bg_area / 1e6,
        bg_source,
        study_days,
        opts["method"],
        input_note,
        eps,
        eps_why,
        m,
        m_why,
        n_found,
        n_dropped,
        opts["min_days"],
        opts["span_days"],
        k,
        int(out[C.SIGNIFICANT].sum()),
        opts["correction"].upper() if opts["correction"] == "bh" else "Holm",
        settings.alpha,
    )
    return out


def event_clusters(
    study: Study,
    clusters: gpd.GeoDataFrame,
    *,
    sources: Sequence[str] = (C.SOURCE_INCIDENT, C.SOURCE_CONCERN),
) -> pd.Series:
    """Find the hot spot each event falls in, by point in polygon.

    An event inside two overlapping polygons goes to the one whose centroid is nearest
    (ties: smaller centroid x, then y), the rule :func:`find_hotspots` counts with, so
    ``event_clusters(study, hot).value_counts()`` equals ``hot["n_events"]`` when the same
    `sources` are given.

    Parameters
    ----------
    study : Study
    clusters : GeoDataFrame
        From :func:`find_hotspots` (a ``cluster_id`` column and polygons in the study CRS).
    sources : sequence of {"incident", "concern"}
        Events of other sources get no cluster.

    Returns
    -------
    Series
        Aligned with :func:`hotspots.combine_events` ``(study)`` (same RangeIndex), named
        ``cluster_id``: the hot spot's id (str), or NaN for events outside every hot spot.

    Examples
    --------
    >>> from hotspots import datasets
    >>> study = datasets.load_study("scene")
    >>> hot = find_hotspots(study)
    >>> per_event = event_clusters(study, hot)
    >>> bool((per_event.value_counts().reindex(hot.index) == hot["n_events"]).all())
    True
    """
    _check_study(study)
    problems = check_sources(sources)[0]
    if not isinstance(clusters, gpd.GeoDataFrame):
        problems.append(f"`clusters` must be a GeoDataFrame, got {type(clusters).__name__}")
    elif C.CLUSTER_ID not in clusters.columns:
        problems.append("`clusters` has no `cluster_id` column: pass find_hotspots' result")
    elif clusters.crs is not None and not study.crs.equals(clusters.crs):
        problems.append(
            f"`clusters` CRS {clusters.crs.to_string()} is not the study CRS "
            f"{study.crs.to_string()}; use clusters.to_crs(study.crs)"
        )
    raise_problems(problems, "Invalid arguments to event_clusters")
    events = combine_events(study)
    chosen = events[C.SOURCE].isin(_as_tuple(sources)).to_numpy(bool)
    xy = shapely.get_coordinates(events.geometry.to_numpy())
    pos = np.full(len(events), -1, np.int64)
    pos[chosen] = assign(xy[chosen], clusters.geometry.to_numpy())
    ids = clusters[C.CLUSTER_ID].astype(str).to_numpy(object)
    values = np.where(pos >= 0, ids[np.maximum(pos, 0)] if len(ids) else None, None)
    return pd.Series(values, index=events.index, name=C.CLUSTER_ID, dtype="str")


def crime_concentration(
    study_or_events: Study | gpd.GeoDataFrame,
    *,
    top_share: float = 0.05,
    cell_m: float = 50.0,
) -> float:
    """Share of events in the busiest ``top_share`` of grid cells (law of crime concentration).

    Weisburd's law of crime concentration: a small share of places holds a large share of
    crime (typically about half of it in 4-5% of street segments). Here the places are square
    cells of ``cell_m`` over the study area, **empty cells included**: the number of cells is
    the study area / ``cell_m``² (the study boundary, else the convex hull of the events;
    never fewer than the cells with events). The top cells are the ``ceil(top_share x cells)``
    with most events.

    Parameters
    ----------
    study_or_events : Study or GeoDataFrame
        A study (its incidents and concerns together) or a GeoDataFrame of points in a
        projected CRS in metres.
    top_share : float
        Share of cells counted as the top, in (0, 1].
    cell_m : float
        Cell size in metres (> 0).

    Returns
    -------
    float
        Share of events (0-1) in the top cells.

    Examples
    --------
    >>> from hotspots import datasets
    >>> share = crime_concentration(datasets.load_study("dc"))
    >>> 0.5 < share <= 1.0
    True
    """
    problems = []
    if not _is_number(top_share) or not 0 < top_share <= 1:
        problems.append(f"`top_share` must be in (0, 1], got {top_share!r}")
    if not _is_number(cell_m) or not cell_m > 0 or not math.isfinite(cell_m):
        problems.append(f"`cell_m` must be a number > 0, got {cell_m!r}")
    if isinstance(study_or_events, Study):
        events = combine_events(study_or_events)
        boundary = study_or_events.boundary
    elif isinstance(study_or_events, gpd.GeoDataFrame):
        events, boundary = study_or_events, None
        crs = events.crs
        if crs is None or not crs.is_projected:
            problems.append(
                "`study_or_events` must be in a projected CRS in metres, got "
                f"{crs.to_string() if crs is not None else 'no CRS'}; use .to_crs(...)"
            )
    else:
        problems.append(
            "`study_or_events` must be a Study or a GeoDataFrame, got "
            f"{type(study_or_events).__name__}"
        )
    raise_problems(problems, "Invalid arguments to crime_concentration")
    xy = shapely.get_coordinates(events.geometry.to_numpy())
    if len(xy) == 0:
        raise LayerError("crime_concentration: no events")
    cells = np.floor(xy / cell_m).astype(np.int64)
    _, counts = np.unique(pack(cells[:, 0], cells[:, 1]), return_counts=True)
    area = float(boundary.area) if boundary is not None else hull_size(xy)[0]
    n_cells = max(round(area / cell_m**2), len(counts))
    n_top = math.ceil(top_share * n_cells)
    top = np.sort(counts)[::-1][:n_top]
    share = float(top.sum() / len(xy))
    log.info(
        "crime_concentration: %.1f%% of %s events in the top %.1f%% of %s cells of %g m "
        "(%s cells with events)",
        100 * share,
        f"{len(xy):,}",
        100 * top_share,
        f"{n_cells:,}",
        cell_m,
        f"{len(counts):,}",
    )
    return share


# =========================================================================================
# checks
# =========================================================================================


def _check_options(settings: Settings, **given: Any) -> dict[str, Any]:
    """Validate every argument, fill defaults from the settings, list all problems at once."""
    problems: list[str] = []
    opts = dict(given)
    if given["method"] not in METHODS:
        problems.append(f"`method` must be one of {', '.join(METHODS)}, got {given['method']!r}")
    if given["correction"] not in CORRECTIONS:
        problems.append(
            f"`correction` must be one of {', '.join(CORRECTIONS)}, got {given['correction']!r}"
        )
    for name in ("eps_m", "snap_m"):
        if given[name] is not None:
            positive(name, given[name], "metres", problems)
    for name, low in (("min_samples", 2), ("min_days", 1), ("span_days", 0)):
        value = given[name]
        if value is not None and (not _is_int(value) or value < low):
            problems.append(f"`{name}` must be an integer >= {low}, got {value!r}")
    problems += check_sources(given["sources"])[0]
    eps, snap = given["eps_m"], given["snap_m"] if given["snap_m"] is not None else settings.snap_m
    if not problems and eps is not None and snap > eps / 2:
        problems.append(
            f"`snap_m` ({snap:g}) must be at most half of `eps_m` ({eps:g}); pass a smaller snap_m"
        )
    raise_problems(problems, "Invalid arguments to find_hotspots")
    opts["span_days_given"] = opts["span_days"] is not None
    for name in ("min_days", "span_days", "snap_m"):
        if opts[name] is None:
            opts[name] = getattr(settings, name)
    opts["snap_m"] = float(opts["snap_m"])
    opts["min_days"] = int(opts["min_days"])
    opts["span_days"] = int(opts["span_days"])
    opts["sources"] = tuple(s for s in _SOURCES if s in _as_tuple(given["sources"]))
    return opts


def _select_events(study: Study, sources: tuple[str, ...]) -> gpd.GeoDataFrame:
    # combine_events raises LayerError when there are no events at all
    events = select_events(combine_events(study), sources, why=": nothing to cluster")
    geoms = events.geometry.to_numpy()
    bad = int((~(shapely.get_type_id(geoms) == 0) | shapely.is_empty(geoms)).sum())
    n_nat = int(events[C.TIME].isna().sum())
    if bad or n_nat:
        raise LayerError(
            f"events must be points with a time: {bad} rows without a point geometry, "
            f"{n_nat} without a time; load the layers with hotspots.build_study"
        )
    return events


# =========================================================================================
# parameters
# =========================================================================================


def _choose_eps(eps_m: float | None, bg_area: float, snap: float) -> tuple[float, str]:
    if eps_m is not None:
        return float(eps_m), "given"
    side = math.sqrt(bg_area) if bg_area > 0 else 0.0
    eps = min(DEFAULT_EPS_M, side / 10)
    eps = max(eps, 2 * snap)
    if eps == DEFAULT_EPS_M:
        why = "default: half a block, the precision of block-level geocoding"
    elif eps == 2 * snap:
        why = f"twice snap_m ({snap:g} m)"
    else:
        why = f"a tenth of the background area's side ({side:.0f} m)"
    return eps, why


def _choose_min_samples(
    given: int | None, mu: float, tail: float, min_days: int
) -> tuple[int, str]:
    if given is not None:
        return int(given), "given"
    # smallest m with P(X >= m - 1) <= tail for X ~ Poisson(mu): the other events around a
    # background point rarely reach m - 1.
    quantile = poisson_upper_quantile(tail, mu) + 2
    m = max(quantile, min_days, 2)
    why = f"Poisson upper quantile (tail {tail:.2g}) of {mu:.2f} background events per disc" + (
        f"; raised to min_days={min_days}" if m > quantile else ""
    )
    return m, why


def _study_period(study: Study, utc_ns: np.ndarray) -> tuple[int, int]:
    first = int(utc_ns.min())
    last = int(utc_ns.max())
    start, end = study.period
    if start is not None:
        first = int(pd.Timestamp(start).as_unit("ns").value)
    if end is not None:
        last = int(pd.Timestamp(end).as_unit("ns").value)
    return first, last


# =========================================================================================
# time profiles
# =========================================================================================


def _with_time_summary(
    table: pd.DataFrame,
    events: gpd.GeoDataFrame,
    pos: np.ndarray,
    settings: Settings,
    first_t: int,
    last_t: int,
    tz: str,
) -> pd.DataFrame:
    """Join the time profiles of :func:`hotspots.temporal.cluster_time_summary` by label."""
    start = pd.Timestamp(first_t, unit="ns", tz="UTC").tz_convert(tz)
    end = pd.Timestamp(last_t, unit="ns", tz="UTC").tz_convert(tz)
    summary = cluster_time_summary(
        events.reset_index(drop=True),
        pos,
        settings=settings,
        start=start,
        end=end,
        expected=table[C.EXPECTED].to_numpy(float),
        k=len(table),
    )
    summary = summary.reindex(range(len(table)))
    return pd.concat([table, summary.set_axis(table.index)], axis=1)
