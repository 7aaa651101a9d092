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
from scipy import ndimage, stats
from scipy.spatial import ConvexHull, QhullError, cKDTree
from sklearn.cluster import DBSCAN

from hotspots import _columns as C
from hotspots._checks import SOURCES as _SOURCES
from hotspots._checks import as_tuple as _as_tuple
from hotspots._checks import check_sources
from hotspots._checks import check_study as _check_study
from hotspots._checks import is_int as _is_int
from hotspots._checks import is_number as _is_number
from hotspots._errors import LayerError, ValidationError
from hotspots.settings import Settings
from hotspots.study import Study, combine_events

__all__ = [
    "CLUSTER_COLUMNS",
    "CORRECTIONS",
    "METHODS",
    "crime_concentration",
    "event_clusters",
    "find_hotspots",
]

log = logging.getLogger(__name__)

# --- output columns ----------------------------------------------------------------------
CLUSTER_ID = "cluster_id"
CENTROID_X = "centroid_x"
CENTROID_Y = "centroid_y"
N_EVENTS = "n_events"
N_INCIDENTS = "n_incidents"
N_CONCERNS = "n_concerns"
SOURCE_MIX = "source_mix"
CATEGORIES = "categories"
FIRST_SEEN = "first_seen"
LAST_SEEN = "last_seen"
N_DAYS = "n_days"
SPAN_DAYS = "span_days"
EVENTS_PER_WEEK = "events_per_week"
AREA_M2 = "area_m2"
EXPECTED = "expected"
P_VALUE = "p_value"
P_ADJ = "p_adj"
SIGNIFICANT = "significant"

MIX_BOTH = "both"
MIX_INCIDENT_ONLY = "incident_only"
MIX_CONCERN_ONLY = "concern_only"
NO_CATEGORY = "(none)"

CLUSTER_COLUMNS: dict[str, str] = {
    CLUSTER_ID: "str: stable id 'H001', 'H002'... by n_events (most first), then centroid x, y",
    C.GEOMETRY: "Polygon: convex hull of the place's events buffered by hull_buffer_m",
    CENTROID_X: "float m: mean x of the place's events (study CRS)",
    CENTROID_Y: "float m: mean y of the place's events (study CRS)",
    N_EVENTS: "int: events inside the polygon (of the sources clustered)",
    N_INCIDENTS: "int: of those, incidents",
    N_CONCERNS: "int: of those, concerns",
    SOURCE_MIX: "str: 'both', 'incident_only' or 'concern_only'",
    CATEGORIES: "dict: events per category, most frequent first ('(none)' when blank)",
    FIRST_SEEN: "datetime64 tz-aware: first event (study timezone)",
    LAST_SEEN: "datetime64 tz-aware: last event (study timezone)",
    N_DAYS: "int: distinct local days with an event",
    SPAN_DAYS: "int: days from the first to the last local day with an event",
    EVENTS_PER_WEEK: "float: n_events per week from the first to the last day (inclusive)",
    AREA_M2: "float m2: polygon area",
    EXPECTED: "float: events expected in that area over the study period at the study's rate",
    P_VALUE: "float: Poisson upper tail P(X >= n_events | expected)",
    P_ADJ: "float: p_value adjusted across the places (Benjamini-Hochberg or Holm)",
    SIGNIFICANT: "bool: p_adj < settings.alpha",
}
"""The columns :func:`find_hotspots` returns (before the temporal columns), dtype and meaning.

The columns of :func:`hotspots.temporal.cluster_time_summary` follow them.
"""

METHODS: tuple[str, ...] = ("dbscan", "hdbscan")
"""Clustering methods :func:`find_hotspots` accepts."""
CORRECTIONS: tuple[str, ...] = ("bh", "holm")
"""Multiple-testing corrections: Benjamini-Hochberg (false discovery rate) or Holm (FWER)."""

DEFAULT_EPS_M = 50.0
"""Default neighbourhood radius: half a city block, the precision of block-level geocoding."""
MAX_BACKGROUND_TAIL = 0.01
"""Largest tail probability used to choose ``min_samples``."""
BACKGROUND_CORE_POINTS = 0.1
"""Background events expected to become DBSCAN core points, study-wide, at the default
``min_samples`` (tail probability ``min(MAX_BACKGROUND_TAIL, BACKGROUND_CORE_POINTS / n)``)."""
HDBSCAN_RAW_LIMIT = 100_000
"""Up to this many events, ``method="hdbscan"`` clusters the raw coordinates."""

_DENSE_PRUNE_CELLS = 16_000_000  # cells of eps/2 (128 MB of float64) before going sparse
_NS_PER_DAY = 86_400 * 10**9
_DENSE_DAY_CELLS = 50_000_000  # (cluster x day) booleans before counting days by sorting


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

        ``attrs["parameters"]`` holds every parameter chosen (and why) and the counts.

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
    utc_ns, day = _time_arrays(events[C.TIME], study.tz)
    is_incident = (events[C.SOURCE] == C.SOURCE_INCIDENT).to_numpy(bool)
    n = len(events)

    # --- background: area, period, rate --------------------------------------------------
    has_boundary = study.boundary is not None and not study.boundary.is_empty
    first_t, last_t = _study_period(study, utc_ns)
    study_days = max((last_t - first_t) / _NS_PER_DAY, 1.0)
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
        hull_area, hull_perimeter = _hull_size(xy)
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
        labels, n_points = _dbscan_snapped(xy, eps, m, snap)
        input_note = f"{n_points:,} snapped points"
    else:
        labels, n_points, raw = _hdbscan(xy, eps, m, snap)
        input_note = f"{n_points:,} {'raw' if raw else 'snapped (copies capped)'} points"
    n_found = int(labels.max()) + 1 if len(labels) else 0

    # --- places: polygons, membership, recurrence -------------------------------------------
    polys = _hulls(xy, labels, n_found, settings.hull_buffer_m)
    pos = _assign(xy, polys)
    keep = _recurring(pos, day, n_found, opts["min_days"], opts["span_days"])
    n_dropped = int((~keep).sum())
    polys = polys[keep]
    pos = _assign(xy, polys) if n_dropped else pos
    k = len(polys)

    # --- order and ids ----------------------------------------------------------------------
    counts = np.bincount(pos[pos >= 0], minlength=k)
    cx, cy = _centroids(xy, pos, k)
    order = np.lexsort((cy, cx, -counts))
    rank = np.empty(k, np.int64)
    rank[order] = np.arange(k)
    pos = np.append(rank, -1)[pos]  # -1 stays -1
    polys, cx, cy = polys[order], cx[order], cy[order]
    width = max(3, len(str(k)))
    ids = [f"H{i + 1:0{width}d}" for i in range(k)]

    table = _describe(
        ids, polys, cx, cy, pos, is_incident, events[C.CATEGORY], utc_ns, day, study.tz
    )
    table[EXPECTED] = n * table[AREA_M2].to_numpy(float) / bg_area
    table[P_VALUE] = stats.poisson.sf(table[N_EVENTS].to_numpy() - 1, table[EXPECTED].to_numpy())
    table[P_ADJ] = _adjust(table[P_VALUE].to_numpy(float), opts["correction"])
    table[SIGNIFICANT] = table[P_ADJ].to_numpy(float) < settings.alpha
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
        "n_significant": int(out[SIGNIFICANT].sum()),
    }
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
        int(out[SIGNIFICANT].sum()),
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
    elif CLUSTER_ID not in clusters.columns:
        problems.append("`clusters` has no `cluster_id` column: pass find_hotspots' result")
    elif clusters.crs is not None and not study.crs.equals(clusters.crs):
        problems.append(
            f"`clusters` CRS {clusters.crs.to_string()} is not the study CRS "
            f"{study.crs.to_string()}; use clusters.to_crs(study.crs)"
        )
    if problems:
        raise ValidationError(
            "Invalid arguments to event_clusters:\n  - " + "\n  - ".join(problems)
        )
    events = combine_events(study)
    chosen = events[C.SOURCE].isin(_as_tuple(sources)).to_numpy(bool)
    xy = shapely.get_coordinates(events.geometry.to_numpy())
    pos = np.full(len(events), -1, np.int64)
    pos[chosen] = _assign(xy[chosen], clusters.geometry.to_numpy())
    ids = clusters[CLUSTER_ID].astype(str).to_numpy(object)
    values = np.where(pos >= 0, ids[np.maximum(pos, 0)] if len(ids) else None, None)
    return pd.Series(values, index=events.index, name=CLUSTER_ID, dtype="str")


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
    if problems:
        raise ValidationError(
            "Invalid arguments to crime_concentration:\n  - " + "\n  - ".join(problems)
        )
    xy = shapely.get_coordinates(events.geometry.to_numpy())
    if len(xy) == 0:
        raise LayerError("crime_concentration: no events")
    cells = np.floor(xy / cell_m).astype(np.int64)
    _, counts = np.unique(_pack(cells[:, 0], cells[:, 1]), return_counts=True)
    area = float(boundary.area) if boundary is not None else _hull_size(xy)[0]
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
        value = given[name]
        if value is not None and (
            not _is_number(value) or not math.isfinite(value) or not value > 0
        ):
            problems.append(f"`{name}` must be a number of metres > 0, got {value!r}")
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
    if problems:
        raise ValidationError("Invalid arguments to find_hotspots:\n  - " + "\n  - ".join(problems))
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
    events = combine_events(study)  # raises LayerError when there are none at all
    if len(sources) < len(_SOURCES):
        events = events.loc[events[C.SOURCE].isin(sources).to_numpy(bool)]
    if events.empty:
        raise LayerError(
            f"the study has no events of source(s) {', '.join(sources)}: nothing to cluster"
        )
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
    quantile = int(stats.poisson.isf(tail, mu)) + 2
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
# geometry and arrays
# =========================================================================================


def _pack(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two int64 grid indices (|v| < 2**31) as one sortable int64 key."""
    return (a.astype(np.int64) << 32) + (b.astype(np.int64) + (1 << 31))


def _unpack(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = key >> 32
    b = (key - (a << 32)) - (1 << 31)
    return a, b


def _hull_size(xy: np.ndarray) -> tuple[float, float]:
    """Area and perimeter of the convex hull of the points (a segment counts twice)."""
    if len(xy) >= 3:
        try:
            hull = ConvexHull(xy)
        except QhullError:  # all on one line or one point: shapely handles it below
            pass
        else:
            return float(hull.volume), float(hull.area)  # qhull in 2-D: volume=area, area=length
    hull = shapely.convex_hull(shapely.multipoints(xy))
    if shapely.get_type_id(hull) == 1:  # LineString
        return 0.0, 2 * float(hull.length)
    return float(hull.area), float(hull.length)


def _time_arrays(times: pd.Series, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """UTC nanoseconds and local day numbers (days since 1970-01-01, local calendar)."""
    t = times.dt.tz_convert(tz).dt.as_unit("ns")
    utc_ns = t.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]").view(np.int64)
    wall = t.dt.tz_localize(None).to_numpy("datetime64[ns]").view(np.int64)
    return utc_ns, np.floor_divide(wall, _NS_PER_DAY)


def _snap(xy: np.ndarray, snap: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Snap to the grid: unique cell centres (sorted), their counts, each event's cell."""
    cells = np.floor(xy / snap).astype(np.int64)
    keys, inverse, counts = np.unique(
        _pack(cells[:, 0], cells[:, 1]), return_inverse=True, return_counts=True
    )
    gx, gy = _unpack(keys)
    centres = np.column_stack([(gx + 0.5) * snap, (gy + 0.5) * snap])
    return centres, counts, inverse.ravel()


def _prune(points: np.ndarray, weights: np.ndarray, eps: float, m: int) -> np.ndarray:
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
    if shape[0] * shape[1] <= _DENSE_PRUNE_CELLS:
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
    keys, inverse = np.unique(_pack(cells[:, 0], cells[:, 1]), return_inverse=True)
    inverse = inverse.ravel()
    cell_w = np.bincount(inverse, weights=weights)
    cx, cy = _unpack(keys)
    offsets = [(i, j) for i in range(-2, 3) for j in range(-2, 3)]

    def lookup(table: np.ndarray, dx: int, dy: int) -> tuple[np.ndarray, np.ndarray]:
        probe = _pack(cx + dx, cy + dy)
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


def _dbscan_snapped(xy: np.ndarray, eps: float, m: int, snap: float) -> tuple[np.ndarray, int]:
    """DBSCAN labels per event (-1 noise) via snapped, weighted, pruned points."""
    centres, counts, inverse = _snap(xy, snap)
    point_labels = np.full(len(centres), -1, np.int64)
    keep = _prune(centres, counts.astype(float), eps, m)
    if keep.any():
        model = DBSCAN(eps=eps, min_samples=m)
        point_labels[keep] = model.fit(centres[keep], sample_weight=counts[keep]).labels_
    return point_labels[inverse], len(centres)


def _hdbscan(xy: np.ndarray, eps: float, m: int, snap: float) -> tuple[np.ndarray, int, bool]:
    """HDBSCAN labels per event: raw coordinates when few, else capped snapped copies.

    HDBSCAN's leaf clusters decide which dense points belong together; only points with
    ``m`` points within ``eps`` (core distance <= eps, DBSCAN's core points) stay members,
    so that a cluster no denser than the background does not become a place.
    """
    import hdbscan  # heavy import, only when asked for

    if len(xy) <= HDBSCAN_RAW_LIMIT:
        # sorted, so that the result does not depend on the row order
        order = np.lexsort((xy[:, 1], xy[:, 0]))
        data, raw = xy[order], True
    else:
        centres, counts, inverse = _snap(xy, snap)
        copies = np.minimum(counts, m)
        data, raw = np.repeat(centres, copies, axis=0), False
    labels = np.full(len(data), -1, np.int64)
    if len(data) > m:
        model = hdbscan.HDBSCAN(min_cluster_size=m, min_samples=m, cluster_selection_method="leaf")
        labels = model.fit(data).labels_.astype(np.int64)
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


def _hulls(xy: np.ndarray, labels: np.ndarray, k: int, buffer_m: float) -> np.ndarray:
    """Convex hull of each label's events, buffered (vectorised over clusters).

    Only the lowest and highest event of each 1 m column of a cluster can be a hull vertex
    to within 1 m, so the hull is taken of those: at city scale that is a tenth of the
    points, and the hull moves by less than a metre before the ``buffer_m`` margin.
    """
    if k == 0:
        return np.empty(0, dtype=object)
    inside = labels >= 0
    lab, pts = labels[inside], xy[inside]
    column = np.floor(pts[:, 0]).astype(np.int64)
    order = np.lexsort((pts[:, 0], pts[:, 1], column, lab))
    lab, column, pts = lab[order], column[order], pts[order]
    new = np.r_[True, (lab[1:] != lab[:-1]) | (column[1:] != column[:-1])]
    last = np.r_[new[1:], True]
    keep = new | last  # lowest and highest y of each (cluster, column)
    multi = shapely.multipoints(pts[keep], indices=lab[keep])
    hulls = shapely.convex_hull(multi)
    is_polygon = shapely.get_type_id(hulls) == 3
    # one or two distinct points (or a straight line) still get an area
    dist = np.where(is_polygon, buffer_m, max(buffer_m, 1.0))
    return shapely.normalize(shapely.buffer(hulls, dist))


def _assign(xy: np.ndarray, polys: np.ndarray) -> np.ndarray:
    """Position of the polygon each point is in (nearest centroid when several), or -1."""
    out = np.full(len(xy), -1, np.int64)
    k = len(polys)
    if k == 0 or len(xy) == 0:
        return out
    order = np.argsort(xy[:, 0], kind="stable")
    xs = xy[order, 0]
    bounds = shapely.bounds(polys)
    lo = np.searchsorted(xs, bounds[:, 0], side="left")
    hi = np.searchsorted(xs, bounds[:, 2], side="right")
    ev_parts, pol_parts = [], []
    for i in range(k):  # one vectorised point-in-polygon test per hot spot
        cand = order[lo[i] : hi[i]]
        y = xy[cand, 1]
        cand = cand[(y >= bounds[i, 1]) & (y <= bounds[i, 3])]
        hit = cand[shapely.intersects_xy(polys[i], xy[cand, 0], xy[cand, 1])]
        ev_parts.append(hit)
        pol_parts.append(np.full(len(hit), i, np.int64))
    ev = np.concatenate(ev_parts)
    pol = np.concatenate(pol_parts)
    if len(ev) == 0:
        return out
    centre = shapely.get_coordinates(shapely.centroid(polys))
    d2 = (xy[ev, 0] - centre[pol, 0]) ** 2 + (xy[ev, 1] - centre[pol, 1]) ** 2
    best = np.lexsort((centre[pol, 1], centre[pol, 0], d2, ev))
    ev, pol = ev[best], pol[best]
    first = np.r_[True, ev[1:] != ev[:-1]]
    out[ev[first]] = pol[first]
    return out


def _recurring(
    pos: np.ndarray, day: np.ndarray, k: int, min_days: int, span_days: int
) -> np.ndarray:
    """Mask of the clusters with >= min_days distinct days spread over >= span_days."""
    if k == 0:
        return np.zeros(0, bool)
    n_days, first_day, last_day = _day_stats(pos, day, k)
    return (n_days >= min_days) & (last_day - first_day >= span_days)


def _day_stats(pos: np.ndarray, day: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """Distinct days, first day and last day of each cluster's events."""
    inside = pos >= 0
    first_day = np.zeros(k, np.int64)
    last_day = np.zeros(k, np.int64)
    if not inside.any():
        return np.zeros(k, np.int64), first_day, last_day
    p, d = pos[inside], day[inside]
    d0 = d.min()
    width = int(d.max() - d0) + 1
    if k * width <= _DENSE_DAY_CELLS:  # a (cluster x day) table: no sorting at all
        seen = np.zeros((k, width), bool)
        seen[p, d - d0] = True
        n_days = seen.sum(axis=1)
        has = n_days > 0
        first_day[has] = seen[has].argmax(axis=1) + d0
        last_day[has] = width - 1 - seen[has, ::-1].argmax(axis=1) + d0
        return n_days, first_day, last_day
    pairs = np.unique(p * width + (d - d0))  # sorted by cluster, then day
    pc, pd_ = pairs // width, pairs % width + d0
    n_days = np.bincount(pc, minlength=k)
    starts = np.r_[True, pc[1:] != pc[:-1]]
    ends = np.r_[pc[1:] != pc[:-1], True]
    first_day[pc[starts]] = pd_[starts]
    last_day[pc[ends]] = pd_[ends]
    return n_days, first_day, last_day


def _centroids(xy: np.ndarray, pos: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean x, y of each cluster's events, the same in any row order.

    Sums are taken in whole millimetres (int64, exact), so the order of the events cannot
    change the last bit of a centroid, and with it the ids.
    """
    inside = pos >= 0
    p = pos[inside]
    counts = np.bincount(p, minlength=k)
    cx, cy = np.full(k, np.nan), np.full(k, np.nan)
    has = counts > 0
    if has.any():
        mm = np.rint(xy[inside] * 1000.0).astype(np.int64)
        origin = mm.min(axis=0)
        for axis, out in ((0, cx), (1, cy)):
            total = np.zeros(k, np.int64)
            np.add.at(total, p, mm[:, axis] - origin[axis])
            out[has] = (total[has] / counts[has] + origin[axis]) / 1000.0
    return cx, cy


def _describe(
    ids: list[str],
    polys: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    pos: np.ndarray,
    is_incident: np.ndarray,
    category: pd.Series,
    utc_ns: np.ndarray,
    day: np.ndarray,
    tz: str,
) -> pd.DataFrame:
    """Count and time each place (everything but the test and the time profiles)."""
    k = len(ids)
    inside = pos >= 0
    p = pos[inside]
    n_events = np.bincount(p, minlength=k)
    n_inc = np.bincount(p[is_incident[inside]], minlength=k)
    n_con = n_events - n_inc
    mix = np.where(
        (n_inc > 0) & (n_con > 0),
        MIX_BOTH,
        np.where(n_inc > 0, MIX_INCIDENT_ONLY, MIX_CONCERN_ONLY),
    )
    n_days, first_day, last_day = _day_stats(pos, day, k)
    span = last_day - first_day

    t = utc_ns[inside]
    first_t = np.full(k, np.iinfo(np.int64).max)
    last_t = np.full(k, np.iinfo(np.int64).min)
    np.minimum.at(first_t, p, t)
    np.maximum.at(last_t, p, t)
    empty = n_events == 0
    first_t[empty] = 0
    last_t[empty] = 0

    return pd.DataFrame(
        {
            CLUSTER_ID: pd.array(ids, dtype="str"),
            C.GEOMETRY: polys,
            CENTROID_X: cx,
            CENTROID_Y: cy,
            N_EVENTS: n_events.astype(np.int64),
            N_INCIDENTS: n_inc.astype(np.int64),
            N_CONCERNS: n_con.astype(np.int64),
            SOURCE_MIX: pd.array(mix.tolist(), dtype="str"),
            CATEGORIES: _category_counts(p, category[inside], k),
            FIRST_SEEN: pd.to_datetime(first_t, utc=True).tz_convert(tz),
            LAST_SEEN: pd.to_datetime(last_t, utc=True).tz_convert(tz),
            N_DAYS: n_days.astype(np.int64),
            SPAN_DAYS: span.astype(np.int64),
            EVENTS_PER_WEEK: n_events * 7.0 / (span + 1),
            AREA_M2: shapely.area(polys) if k else np.zeros(0),
        }
    )


def _category_counts(p: np.ndarray, category: pd.Series, k: int) -> list[dict[str, int]]:
    out: list[dict[str, int]] = [{} for _ in range(k)]
    if len(p) == 0:
        return out
    text = pd.Series(category.to_numpy(), dtype="str").fillna("")
    code, names = pd.factorize(text)  # hashing, not sorting a million strings
    names = np.where(names.to_numpy(str) == "", NO_CATEGORY, names.to_numpy(str))
    rank_by_name = np.argsort(np.argsort(names, kind="stable"), kind="stable")
    counts = np.bincount(p * len(names) + code, minlength=k * len(names))
    counts = counts.reshape(k, len(names))
    for i in range(k):  # one small dict per hot spot
        nz = np.flatnonzero(counts[i])
        nz = nz[np.lexsort((rank_by_name[nz], -counts[i, nz]))]
        out[i] = {str(names[j]): int(counts[i, j]) for j in nz}
    return out


def _adjust(p: np.ndarray, correction: str) -> np.ndarray:
    """Adjust p-values for multiple testing: Benjamini-Hochberg or Holm."""
    if len(p) == 0:
        return p.copy()
    if correction == "bh":
        return stats.false_discovery_control(p, method="bh")
    order = np.argsort(p, kind="stable")
    k = len(p)
    stepped = np.minimum(1.0, (k - np.arange(k)) * p[order])
    adjusted = np.empty(k)
    adjusted[order] = np.maximum.accumulate(stepped)
    return adjusted


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
    from hotspots.temporal import cluster_time_summary

    start = pd.Timestamp(first_t, unit="ns", tz="UTC").tz_convert(tz)
    end = pd.Timestamp(last_t, unit="ns", tz="UTC").tz_convert(tz)
    summary = cluster_time_summary(
        events.reset_index(drop=True),
        pos,
        settings=settings,
        start=start,
        end=end,
        expected=table[EXPECTED].to_numpy(float),
        k=len(table),
    )
    summary = summary.reindex(range(len(table)))
    return pd.concat([table, summary.set_axis(table.index)], axis=1)
