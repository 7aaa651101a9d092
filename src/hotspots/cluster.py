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

Places without chains
---------------------
DBSCAN links dense spots through any run of core points, so a tight place beside a street of
events becomes one long cluster whose mean lies where no event is. A cluster whose events'
are spread wider than ``max_width_m`` (default ``2 x eps_m``; the width is twice the 90th
percentile of the events' distances from their median point, so a tail of a few events does
not count) is clustered again
at ``eps_m / 2`` with the same ``min_samples`` (four times the density); its pieces replace it
and its events in no piece become noise; pieces still too wide go down again (to
``eps_m / 8`` at most). A wide cluster with no piece at the next level is uniformly dense
(a plaza, a busy block face) and stays whole. These are the first steps down DBSCAN's
density tree, as
HDBSCAN's leaf selection takes them all, but with weights and at the speed of the snapped
DBSCAN. Each place's centre is at its **density peak**: the event with the most of the
place's events within ``hull_buffer_m``, moved to the mean of those events (one mean-shift
step). ``centroid_x`` / ``centroid_y`` hold that centre: sightlines and the diagnosis use it.

How a place is defined
----------------------
DBSCAN finds the places; the polygon defines them. A place's polygon is the convex hull of its
events buffered by ``hull_buffer_m``, and **its events are the events inside the polygon**
(:func:`event_clusters`): every count in the output can be reproduced from the polygon and the
event layer alone, and later stages (:func:`hotspots.diagnose`) see the same events.

Recurring, not a burst
----------------------
A place recurs when its events fall on at least ``min_days`` local days spread over at least
``span_days`` days **and** it still does, and still beats chance, after removing its busiest
24 hours: the sliding 24-hour window with the most of its events (so a burst across midnight
counts once). A place that passes only with those 24 hours is a *burst*, listed in
``attrs["bursts"]`` (with clusters that do not recur but hold at least half their events in
one 24-hour window and beat chance with them), never as a hot spot.

Against chance
--------------
The background area is the study boundary (intersected with ``mask``, e.g. a street or
land-use mask, when given), else the area the data cover: the ``10 x eps_m`` cells holding at
least one event (one stray geocode adds one cell, not a hull across the country). Each place
is tested against random maps (:mod:`hotspots._significance`): its p-value is the larger of
(a) the Monte Carlo p-value against the best place the **same search** finds when every event
is put down at random in the background region (``n_simulations``, seeded), and (b) the
chance that a random map holds a place of its size (its events in a circle of radius ``R``)
at least as busy, bounded by ``N x P(Poisson(N/B x pi (2R)^2) >= n - 1)``. Both use
the events without the busiest 24 hours. Above ``SIMULATE_LIMIT`` events (or with
``significance="approx"``) only (b) is used; it agrees with a simulation of what it bounds
(``tests/test_significance.py``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots import _columns as C
from hotspots._checks import as_tuple as _as_tuple
from hotspots._checks import check_sources
from hotspots._checks import check_study as _check_study
from hotspots._checks import is_number as _is_number
from hotspots._dbscan import (
    HDBSCAN_RAW_LIMIT,
    dbscan_snapped,
    hdbscan_labels,
    pack,
    split_wide,
)
from hotspots._errors import LayerError, raise_problems
from hotspots._places import (
    NS_PER_DAY,
    assign,
    busiest_window,
    describe,
    hull_size,
    hulls,
    peak_centres,
    reach,
    recurring,
    time_arrays,
)
from hotspots._scan_args import (
    METHODS,
    check_options,
    choose_eps,
    choose_min_samples,
    event_weights,
    select_scan_events,
    study_period,
)
from hotspots._significance import (
    BACKGROUND_CELL_EPS,
    SIMULATE_LIMIT,
    background_region,
    bound_p,
    log_tail,
    monte_carlo_p,
    simulate_best,
)
from hotspots._stats import CORRECTIONS, adjust_p
from hotspots.nearrepeat import repeat_share
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

BURST_EVENTS = "burst_events"
BURST_SHARE = "burst_share"
BURST_START = "burst_start"
P_LOCAL = "p_local"
P_WITH_BURST = "p_with_burst"
NEAR_REPEAT_SHARE = "near_repeat_share"
SEVERITY = "severity"

CLUSTER_COLUMNS: dict[str, str] = {
    C.CLUSTER_ID: "str: stable id 'H001', 'H002'... by n_events (most first), then centroid x, y",
    C.GEOMETRY: "Polygon: convex hull of the place's events buffered by hull_buffer_m",
    C.CENTROID_X: "float m: centre x at the density peak (study CRS): use it for sightlines",
    C.CENTROID_Y: "float m: centre y at the density peak (study CRS)",
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
    BURST_EVENTS: "int: events in the place's busiest sliding 24 hours",
    BURST_SHARE: "float: burst_events / n_events",
    BURST_START: "datetime64 tz-aware: start of the busiest 24 hours",
    C.EXPECTED: "float: events chance puts in the polygon over the study period "
    "(study events x area / background area)",
    P_LOCAL: "float: Poisson tail of the events without the burst given expected (the score)",
    C.P_VALUE: "float: p-value against random maps searched the same way, without the burst "
    "(1 when the search finds no recurring place there without it)",
    C.P_ADJ: "float: p_value adjusted across the places (Benjamini-Hochberg or Holm)",
    C.SIGNIFICANT: "bool: p_adj < settings.alpha",
    P_WITH_BURST: "float: the same p-value with all events (a burst is significant only so)",
    NEAR_REPEAT_SHARE: "float: share of events within near_repeat_days after the place's "
    "previous event",
}
"""The columns :func:`find_hotspots` returns (before the temporal columns), dtype and meaning.

The columns of :func:`hotspots.temporal.cluster_time_summary` follow them.
"""

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
    categories: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    max_width_m: float | None = None,
    significance: str = "auto",
    n_simulations: int = 99,
    seed: int = 0,
    mask: Any | None = None,
    near_repeat_days: float = 7.0,
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
    categories : sequence of str, optional
        Cluster only the events of these categories (case-insensitive, e.g.
        ``["robbery"]`` for street robbery only). Recorded in ``attrs["parameters"]``.
    weights : mapping of str to float, optional
        Severity weight per category (case-insensitive; other categories weigh 1): adds a
        ``severity`` column (sum of its events' weights). Counts, clustering and tests stay
        on events. Recorded in ``attrs["parameters"]``.
    max_width_m : float, optional
        Clusters whose events are spread wider than this (twice the 90th percentile of
        their distances from their median point, metres) are split down the density tree
        (module notes). Default ``2 * eps_m``.
    significance : {"auto", "simulate", "approx"}
        ``"simulate"``: Monte Carlo null of the same search plus the size bound;
        ``"approx"``: the size bound alone (fast); ``"auto"`` (default): simulate up to
        :data:`hotspots._significance.SIMULATE_LIMIT` events.
    n_simulations : int
        Random maps for ``"simulate"`` (default 99: p-values down to 0.01).
    seed : int
        Seed of the random maps.
    mask : shapely geometry, optional
        Where events can happen (street buffers, land use), in the study CRS: the random
        maps and the background area keep to it (and to the boundary).
    near_repeat_days : float
        Window of the ``near_repeat_share`` column (default 7 days).

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
        - ``centroid_x``, ``centroid_y`` (float, m): its centre, at the density peak (use
          it for sightlines and distances)
        - ``n_events``, ``n_incidents``, ``n_concerns`` (int): events inside the polygon
        - ``source_mix`` (str): ``"both"``, ``"incident_only"`` or ``"concern_only"``
        - ``categories`` (dict): events per category, most frequent first
        - ``first_seen``, ``last_seen`` (datetime64, tz-aware): first and last event
        - ``n_days`` (int): distinct local days; ``span_days`` (int): days from first to
          last local day
        - ``events_per_week`` (float): ``n_events`` per week from first to last day
          (inclusive)
        - ``area_m2`` (float): polygon area
        - ``burst_events`` (int), ``burst_share`` (float), ``burst_start`` (datetime):
          its busiest sliding 24 hours
        - ``expected`` (float): events chance puts in the polygon over the study period:
          study events x ``area_m2`` / background area (``attrs["parameters"]``)
        - ``p_local`` (float): Poisson tail of its events without the burst given
          ``expected`` (the score; the area was chosen for being dense, so not a test)
        - ``p_value`` (float): against random maps (module notes), without the burst
        - ``p_adj`` (float): adjusted across the places (``correction``)
        - ``significant`` (bool): ``p_adj < settings.alpha``
        - ``p_with_burst`` (float): the same p-value with all its events
        - ``near_repeat_share`` (float): share of its events within ``near_repeat_days``
          after its previous event (see :func:`hotspots.knox` for the study-wide test)
        - ``severity`` (float): with ``weights`` only
        - then the columns of :func:`hotspots.temporal.cluster_time_summary`
          (``n_after_dark``, ``after_dark_share``, ``hour_profile``, ``weekday_profile``,
          ``period_counts``, ``active_periods``, ``trend``, ``trend_tau``, ``trend_p``,
          ``trend_note``)

        ``attrs["parameters"]`` holds every parameter chosen (and why) and the counts;
        ``attrs["bursts"]`` the bursts, a GeoDataFrame with the same columns up to
        ``p_with_burst`` (ids ``"B001"``...);
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
    ``span_days`` days, with or without its busiest 24 hours, is not a hot spot (counted in
    the log): a burst is never a hot spot. Event times are the start times
    (``occurred_at`` / ``reported_at``); days are local to the study's timezone.

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
    opts = check_options(
        settings,
        method=method,
        eps_m=eps_m,
        min_samples=min_samples,
        min_days=min_days,
        span_days=span_days,
        snap_m=snap_m,
        sources=sources,
        correction=correction,
        max_width_m=max_width_m,
        significance=significance,
        n_simulations=n_simulations,
        seed=seed,
        categories=categories,
        weights=weights,
        near_repeat_days=near_repeat_days,
    )
    events = select_scan_events(study, opts["sources"], opts["categories"])
    xy = shapely.get_coordinates(events.geometry.to_numpy())
    utc_ns, day = time_arrays(events[C.TIME], study.tz)
    is_incident = (events[C.SOURCE] == C.SOURCE_INCIDENT).to_numpy(bool)
    n = len(events)

    # --- background: area, period, rate --------------------------------------------------
    first_t, last_t = study_period(study, utc_ns)
    study_days = max((last_t - first_t) / NS_PER_DAY, 1.0)
    span_why = "given" if opts["span_days_given"] else "settings.span_days"
    if not opts["span_days_given"] and opts["span_days"] > study_days / 2:
        # a two-week rule cannot be met by a ten-day study: ask for half the period instead
        opts["span_days"] = max(1, int(study_days // 2))
        span_why = f"half the {study_days:.0f}-day study period (settings.span_days is longer)"
        log.warning("find_hotspots: span_days relaxed to %d: %s", opts["span_days"], span_why)

    # --- parameters ---------------------------------------------------------------------
    snap = opts["snap_m"]
    boundary = study.boundary if study.boundary is not None else None
    eps_area = float(boundary.area) if boundary is not None and not boundary.is_empty else None
    if eps_area is None:
        # the hull only scales eps down for a tiny study; a stray point that stretches it
        # leaves eps at its default and never reaches the background area below
        eps_area = hull_size(xy)[0]
    eps, eps_why = choose_eps(opts["eps_m"], eps_area, snap)
    cell_m = BACKGROUND_CELL_EPS * eps
    region, bg_source = background_region(xy, boundary, mask, cell_m)
    bg_area = max(region.area, math.pi * eps**2)
    mu = n * math.pi * eps**2 / bg_area
    tail = min(MAX_BACKGROUND_TAIL, BACKGROUND_CORE_POINTS / n)
    m, m_why = choose_min_samples(opts["min_samples"], mu, tail, opts["min_days"])
    max_width = opts["max_width_m"] if opts["max_width_m"] is not None else 2 * eps
    search = _Search(
        method=opts["method"],
        eps=eps,
        m=m,
        snap=snap,
        max_width=max_width,
        buffer=settings.hull_buffer_m,
        min_days=opts["min_days"],
        span_days=opts["span_days"],
        rate=n / bg_area,
        share_wo=max(0.0, 1.0 - 1.0 / study_days),
        utc_ns=utc_ns,
        day=day,
    )

    # --- places: clusters, splits, polygons, recurrence, bursts -----------------------------
    polys, pos, found = search.candidates(xy, keep_all=True)
    got = search.measure(polys, pos)

    # --- significance against random maps ------------------------------------------------------
    how = opts["significance"]
    if how == "auto":
        how = "simulate" if n <= SIMULATE_LIMIT and opts["n_simulations"] > 0 else "approx"
    best = np.zeros((0, 2))
    if how == "simulate" and len(polys):
        best = simulate_best(search.null_scores, region, n, opts["n_simulations"], opts["seed"])

    def p_values(g: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        # the best place of its size on a random map (the bound), and, when simulating,
        # the best place the same search finds on random maps: a place must beat both
        r = reach(g["polys"], settings.hull_buffer_m)
        p_all = bound_p(g["n_all"], r, n, bg_area, 1.0)
        p_wo = bound_p(g["n_wo"], r, n, bg_area, search.share_wo)
        if how == "simulate":
            p_all = np.maximum(p_all, monte_carlo_p(g["score_all"], best[:, 0]))
            p_wo = np.maximum(p_wo, monte_carlo_p(g["score_wo"], best[:, 1]))
        return p_all, p_wo

    centres = peak_centres(xy, pos, len(polys), settings.hull_buffer_m)
    p_all, p_wo = p_values(got)
    sig_all = adjust_p(p_all, opts["correction"]) < settings.alpha
    sig_wo = adjust_p(p_wo, opts["correction"]) < settings.alpha
    # a hot spot recurs, and stays significant, without its busiest 24 hours; a place that
    # passed only thanks to them is a burst
    is_hot = got["rec_all"] & got["rec_wo"] & ~(sig_all & ~sig_wo)
    # a burst: beyond chance with all its events, and either recurring with them or with
    # at least half of them in its busiest 24 hours
    burst_heavy = 2 * got["burst"] >= got["n_all"]
    is_burst = ~is_hot & sig_all & (got["rec_all"] | burst_heavy)

    # all candidates are hot spots (the usual case): no need to assign the events again;
    # else only the events of the places dropped look for another polygon (an event in a
    # kept place already chose the nearest of all the polygons that hold it)
    if is_hot.all():
        same = (pos, got, centres)
    else:
        renumber = np.full(len(polys), -1, np.int64)
        renumber[is_hot] = np.arange(int(is_hot.sum()))
        pos_hot = np.where(pos >= 0, renumber[np.maximum(pos, 0)], -1)
        moved = (pos >= 0) & (pos_hot < 0)
        if moved.any():
            pos_hot[moved] = assign(xy[moved], polys[is_hot])
        same = (pos_hot, None, None)
    hot = _table(
        "H", polys[is_hot], xy, events, is_incident, utc_ns, day, study, settings, search,
        p_values, opts, first_t, last_t, same=same,
    )  # fmt: skip
    bursts = _table(
        "B", polys[is_burst], xy, events, is_incident, utc_ns, day, study, settings, search,
        p_values, opts, first_t, last_t, time_summary=False,
    )  # fmt: skip
    k = len(hot)
    n_sig = int(hot[C.SIGNIFICANT].sum()) if k else 0
    hot.attrs["parameters"] = {
        "method": opts["method"],
        "eps_m": eps,
        "eps_m_reason": eps_why,
        "min_samples": m,
        "min_samples_reason": m_why,
        "min_days": opts["min_days"],
        "span_days": opts["span_days"],
        "span_days_reason": span_why,
        "snap_m": snap,
        "max_width_m": max_width,
        "hull_buffer_m": settings.hull_buffer_m,
        "sources": list(opts["sources"]),
        "categories": list(opts["categories"]) if opts["categories"] else None,
        "weights": dict(opts["weights"]) if opts["weights"] else None,
        "correction": opts["correction"],
        "alpha": settings.alpha,
        "significance": how,
        "n_simulations": len(best),
        "seed": opts["seed"],
        "near_repeat_days": opts["near_repeat_days"],
        "n_events": n,
        "n_points_clustered": found["n_points"],
        "background_area_m2": bg_area,
        "background_area_source": bg_source,
        "mask": mask is not None,
        "study_days": study_days,
        "expected_per_disc": mu,
        "tail_probability": tail,
        "n_clusters_found": found["n_found"],
        "n_clusters_split": found["n_split"],
        "n_not_recurring": found["n_not_recurring"],
        "n_bursts": len(bursts),
        "n_hotspots": k,
        "n_significant": n_sig,
    }
    hot.attrs["settings"] = settings
    hot.attrs["bursts"] = bursts
    log.info(
        "find_hotspots: %s events (%s incidents, %s concerns) over %.2f km2 (%s) and %.0f days; "
        "%s on %s points; eps_m=%g (%s); min_samples=%d (%s); %d clusters (%d split as "
        "wider than %g m), %d dropped as not recurring (< %d days or span < %d days), "
        "%d bursts; %d hot spots, %d significant (%s, %s, alpha %g)",
        f"{n:,}",
        f"{int(is_incident.sum()):,}",
        f"{int((~is_incident).sum()):,}",
        bg_area / 1e6,
        bg_source,
        study_days,
        opts["method"],
        f"{found['n_points']:,}",
        eps,
        eps_why,
        m,
        m_why,
        found["n_found"],
        found["n_split"],
        max_width,
        found["n_not_recurring"],
        opts["min_days"],
        opts["span_days"],
        len(bursts),
        k,
        n_sig,
        f"{len(best)} simulations" if how == "simulate" else "bound",
        opts["correction"].upper() if opts["correction"] == "bh" else "Holm",
        settings.alpha,
    )
    return hot


class _Search:
    """The place search, as one object, so that the null re-runs exactly the same steps."""

    def __init__(self, *, utc_ns: np.ndarray, day: np.ndarray, **params: Any) -> None:
        self.utc_ns, self.day = utc_ns, day
        self.__dict__.update(params)

    def candidates(
        self, xy: np.ndarray, *, keep_all: bool = False
    ) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
        """Polygons of the clusters that recur with all their events, and event membership.

        With `keep_all`, the clusters that do not recur stay too (a one-day burst is one),
        and ``n_not_recurring`` still counts them.
        """
        if self.method == "dbscan":
            labels, n_points = dbscan_snapped(xy, self.eps, self.m, self.snap)
        else:
            labels, n_points, _ = hdbscan_labels(xy, self.eps, self.m, self.snap)
        n_found = int(labels.max()) + 1 if len(labels) else 0
        labels, n_split = split_wide(xy, labels, self.eps, self.m, self.snap, self.max_width)
        k = int(labels.max()) + 1 if len(labels) else 0
        polys = hulls(xy, labels, k, self.buffer)
        pos = assign(xy, polys)
        keep = recurring(pos, self.day, k, self.min_days, self.span_days)
        if not keep.all() and not keep_all:
            polys = polys[keep]
            pos = assign(xy, polys)
        found = {
            "n_points": n_points,
            "n_found": n_found,
            "n_split": n_split,
            "n_not_recurring": int((~keep).sum()),
        }
        return polys, pos, found

    def measure(self, polys: np.ndarray, pos: np.ndarray) -> dict[str, Any]:
        """Count with and without the busiest 24 hours; recurrence of both; the scores."""
        k = len(polys)
        n_all = np.bincount(pos[pos >= 0], minlength=k)
        burst, burst_start, in_burst = busiest_window(pos, self.utc_ns, k)
        pos_wo = np.where(in_burst, -1, pos)
        rec_all = recurring(pos, self.day, k, self.min_days, self.span_days)
        rec_wo = recurring(pos_wo, self.day, k, self.min_days, self.span_days)
        expected = self.rate * (shapely.area(polys) if k else np.zeros(0))
        return {
            "polys": polys,
            "pos": pos,
            "n_all": n_all,
            "n_wo": n_all - burst,
            "burst": burst,
            "burst_start": burst_start,
            "in_burst": in_burst,
            "rec_all": rec_all,
            "rec_wo": rec_wo,
            "expected": expected,
            "score_all": log_tail(n_all, expected),
            "score_wo": log_tail(n_all - burst, expected * self.share_wo),
        }

    def null_scores(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores of the places found on a random map (recurring with all / without burst)."""
        polys, pos, _ = self.candidates(xy)
        got = self.measure(polys, pos)
        return got["score_all"][got["rec_all"]], got["score_wo"][got["rec_wo"]]


def _table(
    prefix: str,
    polys: np.ndarray,
    xy: np.ndarray,
    events: gpd.GeoDataFrame,
    is_incident: np.ndarray,
    utc_ns: np.ndarray,
    day: np.ndarray,
    study: Study,
    settings: Settings,
    search: _Search,
    p_values: Any,
    opts: dict[str, Any],
    first_t: int,
    last_t: int,
    *,
    time_summary: bool = True,
    same: tuple[np.ndarray, Any, Any] | None = None,
) -> gpd.GeoDataFrame:
    """One row per place: membership by polygon, centre at the peak, ids, tests, times.

    `same`: the membership of the events in exactly these polygons, and their measures and
    centres (or None for each), when known.
    """
    k = len(polys)
    pos, got, centres = same if same is not None else (None, None, None)
    if pos is None:
        pos = assign(xy, polys)
    if got is None:
        got = search.measure(polys, pos)
    cx, cy = centres if centres is not None else peak_centres(xy, pos, k, settings.hull_buffer_m)
    counts = np.bincount(pos[pos >= 0], minlength=k)
    order = np.lexsort((cy, cx, -counts))
    rank = np.empty(k, np.int64)
    rank[order] = np.arange(k)
    pos = np.append(rank, -1)[pos]  # -1 stays -1
    polys, cx, cy = polys[order], cx[order], cy[order]
    width = max(3, len(str(k)))
    ids = [f"{prefix}{i + 1:0{width}d}" for i in range(k)]

    table = describe(
        ids, polys, cx, cy, pos, is_incident, events[C.CATEGORY], utc_ns, day, study.tz
    )
    got = {key: (v[order] if isinstance(v, np.ndarray) and len(v) == k else v)
           for key, v in got.items() if key not in ("pos", "in_burst")}  # fmt: skip
    got["polys"] = polys
    p_all, p_wo = p_values(got)
    table[BURST_EVENTS] = got["burst"].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = got["burst"] / np.maximum(got["n_all"], 1)
        table[BURST_SHARE] = np.where(got["n_all"] > 0, share, np.nan)
    table[BURST_START] = pd.to_datetime(got["burst_start"], utc=True).tz_convert(study.tz)
    table[C.EXPECTED] = got["expected"]
    table[P_LOCAL] = np.exp(got["score_wo"])
    table[C.P_VALUE] = p_wo
    table[C.P_ADJ] = adjust_p(np.asarray(p_wo, float), opts["correction"])
    table[C.SIGNIFICANT] = table[C.P_ADJ].to_numpy(float) < settings.alpha
    table[P_WITH_BURST] = p_all
    table[NEAR_REPEAT_SHARE] = repeat_share(pos, utc_ns, k, opts["near_repeat_days"])
    if opts["weights"]:
        w = event_weights(events, opts["weights"])
        inside = pos >= 0
        table[SEVERITY] = np.bincount(pos[inside], weights=w[inside], minlength=k)
    if time_summary:
        table = _with_time_summary(table, events, pos, settings, first_t, last_t, study.tz)
    out = gpd.GeoDataFrame(table, geometry=C.GEOMETRY, crs=study.crs)
    out.index = pd.Index(ids, dtype="str")
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
