"""Analysis: what about each hot spot lets the trouble happen.

:func:`diagnose` adds evidence columns to the clusters from :func:`hotspots.find_hotspots`:
lighting (dark gaps, lights out or reported out, spacing), bus stops (waiting areas, after-dark
use, stops in the dark), sightlines (obstructions between the place and the light, stop or
street frontage that should overlook it; tree canopy over lights), what residents say (concern
topics and their own words) and when (after-dark share against the study's usual).

Everything is computed with KD-trees and STRtrees over whole layers at once; nothing loops
over events. Distances are in metres in the study CRS.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from hotspots import _columns as C
from hotspots._errors import CRSError, ValidationError
from hotspots.study import Study, combine_events
from hotspots.temporal import AFTER_DARK_SHARE, N_AFTER_DARK  # the same columns as scanning

__all__ = ["EVIDENCE_COLUMNS", "diagnose", "event_cluster_index"]

log = logging.getLogger(__name__)

# --- evidence columns (all added by diagnose) ------------------------------------------------
WORKING_LIGHTS_IN_REACH = "working_lights_in_reach"
NEAREST_LIGHT_MEDIAN_M = "nearest_working_light_median_m"
NEAREST_LIGHT_MAX_M = "nearest_working_light_max_m"
DARK_EVENT_SHARE = "dark_event_share"
DARK_EVENTS_AFTER_DARK = "dark_events_after_dark"
DARK_EVENT_SHARE_IF_REPAIRED = "dark_event_share_if_repaired"
DARK_AREA_SHARE = "dark_area_share"
DARK_GAP_X = "dark_gap_x"
DARK_GAP_Y = "dark_gap_y"
DARK_GAP_EVENTS = "dark_gap_events"
LIGHTS_OUT_IDS = "lights_out_ids"
LIGHTS_REPORTED_OUT_IDS = "lights_reported_out_ids"
OUTAGE_REPORTS = "outage_reports"
OUTAGE_REPORT_DATES = "outage_report_dates"
LIGHT_SPACING_M = "light_spacing_m"
SPACING_LIMIT_M = "spacing_limit_m"
SPACING_EXCEEDED = "spacing_exceeded"
NEAREST_ANY_LIGHT_M = "nearest_any_light_m"
LIGHT_INVENTORY_GAP = "light_inventory_gap"
STOP_IDS = "stop_ids"
STOP_NAMES = "stop_names"
STOP_EVENT_SHARE = "stop_event_share"
STOP_EVENTS_AFTER_DARK = "stop_events_after_dark"
DARK_STOP_IDS = "dark_stop_ids"
SIGHTLINE_IDS = "sightline_obstruction_ids"
SIGHTLINE_KINDS = "sightline_obstruction_kinds"
SIGHTLINE_DETAIL = "sightline_detail"
CANOPY_OVER_LIGHT_IDS = "canopy_over_light_ids"
VEGETATION_CONCERNS = "vegetation_concerns"
LITTER_CONCERNS = "litter_concerns"
TOPIC_COUNTS = "topic_counts"
TOP_PHRASES = "top_phrases"
NIGHT_DAY_RATIO = "night_day_ratio"
STUDY_NIGHT_DAY_RATIO = "study_night_day_ratio"
NIGHT_RATIO_VS_STUDY = "night_ratio_vs_study"
LOCATION_PRECISION = "location_precision"

EVIDENCE_COLUMNS: dict[str, str] = {
    WORKING_LIGHTS_IN_REACH: "int: working (or unknown-status) lights within light_radius_m",
    NEAREST_LIGHT_MEDIAN_M: "float m: median distance from the events to the nearest working light",
    NEAREST_LIGHT_MAX_M: "float m: largest such distance",
    DARK_EVENT_SHARE: "float: share of events farther than light_radius_m from every working "
    "light (NaN without a lights layer)",
    DARK_EVENTS_AFTER_DARK: "int: of those, how many happened after dark",
    DARK_EVENT_SHARE_IF_REPAIRED: "float: the same share if every light marked out were working",
    DARK_AREA_SHARE: "float: share of the hot spot's area in a dark gap",
    DARK_GAP_X: "float m: where one new light would cover most dark events (NaN if none)",
    DARK_GAP_Y: "float m: (y of the same point)",
    DARK_GAP_EVENTS: "int: dark events within light_radius_m of that point",
    LIGHTS_OUT_IDS: "list of str: lights in reach marked out in the lights layer",
    LIGHTS_REPORTED_OUT_IDS: "list of str: lights in reach that residents reported out",
    OUTAGE_REPORTS: "int: outage reports matched to lights in reach",
    OUTAGE_REPORT_DATES: "list of str: dates of those reports (YYYY-MM-DD)",
    LIGHT_SPACING_M: "float m: median spacing of the lights serving the hot spot",
    SPACING_LIMIT_M: "float m: max_spacing_ratio x their pole height",
    SPACING_EXCEEDED: "bool: spacing above the limit",
    NEAREST_ANY_LIGHT_M: "float m: from the place's centre to the nearest light of any status",
    LIGHT_INVENTORY_GAP: "bool: nearest_any_light_m > inventory_gap_m (is the place mapped?)",
    STOP_IDS: "list of str: bus stops whose waiting area touches the hot spot",
    STOP_NAMES: "list of str: their names",
    STOP_EVENT_SHARE: "float: share of events inside a stop's waiting area",
    STOP_EVENTS_AFTER_DARK: "int: of those, how many after dark",
    DARK_STOP_IDS: "list of str: of the stops, those in a dark gap",
    SIGHTLINE_IDS: "list of str: obstructions across a sightline from the hot spot's centre",
    SIGHTLINE_KINDS: "list of str: their kinds (hedge, tree, wall, fence, building, other)",
    SIGHTLINE_DETAIL: "list of str: '<kind> <id> between centre and <target> (<d> m)'",
    CANOPY_OVER_LIGHT_IDS: "list of str: tree/hedge obstructions covering a light in reach",
    VEGETATION_CONCERNS: "int: concerns about overgrowth, hedges, blind corners",
    LITTER_CONCERNS: "int: concerns about litter and dumping",
    TOPIC_COUNTS: "dict: concerns per topic",
    TOP_PHRASES: "list of str: the residents' own words, most frequent first (unescaped)",
    N_AFTER_DARK: "int: events after dark (sun below civil twilight)",
    AFTER_DARK_SHARE: "float: share of events after dark",
    NIGHT_DAY_RATIO: "float: events after dark / events in daylight",
    STUDY_NIGHT_DAY_RATIO: "float: the same over the whole study",
    NIGHT_RATIO_VS_STUDY: "float: the hot spot's ratio over the study's (>1: more night-heavy)",
    LOCATION_PRECISION: "str: how precise event locations are, for the evidence text",
}
"""Every column :func:`diagnose` adds, with its dtype and meaning."""

_VEGETATION = ("hedge", "tree")
_CONCERN_TEXT = (C.DESCRIPTION, C.CATEGORY)  # classify_concerns' default text, in its order
_STRUCTURE = ("wall", "fence", "building", "other")


def event_cluster_index(events: gpd.GeoDataFrame, clusters: gpd.GeoDataFrame) -> np.ndarray:
    """Position (0..k-1) of the cluster each event falls in, or -1.

    An event inside two overlapping hot-spot polygons goes to the first (lowest position).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> ev = gpd.GeoDataFrame(geometry=[shapely.Point(1, 1), shapely.Point(9, 9)], crs=3857)
    >>> cl = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 2, 2)], crs=3857)
    >>> event_cluster_index(ev, cl).tolist()
    [0, -1]
    """
    geoms = events.geometry.to_numpy()
    polys = clusters.geometry.to_numpy()
    if len(events) == 0 or len(clusters) == 0:
        return np.full(len(events), -1, dtype=np.int64)
    if (shapely.get_type_id(geoms) == 0).all() and not shapely.is_empty(geoms).any():
        return _cluster_index(geoms, shapely.get_coordinates(geoms), polys)
    # missing, empty or non-point geometries: the general (slower) STRtree predicate query
    out = np.full(len(events), -1, dtype=np.int64)
    ev_idx, cl_idx = shapely.STRtree(polys).query(geoms, predicate="intersects")
    return _first_cluster(out, ev_idx, cl_idx)


def _cluster_index(points: np.ndarray, xy: np.ndarray, polys: np.ndarray) -> np.ndarray:
    """:func:`event_cluster_index` on points (no missing or empty ones) and their coordinates.

    The points' bounding boxes are matched to the polygons' in an STRtree, and the
    candidates tested with prepared ``intersects_xy``, polygon by polygon (the prepared
    polygon stays in cache: eight times faster than in point order). The points are
    queried in their own order: sorting them spatially first makes GEOS jump around memory
    and is three times slower.
    """
    out = np.full(len(xy), -1, dtype=np.int64)
    if len(xy) == 0 or len(polys) == 0:
        return out
    ev_idx, cl_idx = shapely.STRtree(polys).query(points)
    by_polygon = np.argsort(cl_idx, kind="stable")
    ev_idx, cl_idx = ev_idx[by_polygon], cl_idx[by_polygon]
    shapely.prepare(polys)
    hit = shapely.intersects_xy(polys[cl_idx], xy[ev_idx, 0], xy[ev_idx, 1])
    return _first_cluster(out, ev_idx[hit], cl_idx[hit])


def _first_cluster(out: np.ndarray, ev_idx: np.ndarray, cl_idx: np.ndarray) -> np.ndarray:
    """Fill `out` with the lowest cluster position of each matched event."""
    if len(ev_idx):
        order = np.lexsort((cl_idx, ev_idx))
        ev_idx, cl_idx = ev_idx[order], cl_idx[order]
        first = np.r_[True, ev_idx[1:] != ev_idx[:-1]]
        out[ev_idx[first]] = cl_idx[first]
    return out


def _spatial_order(xy: np.ndarray, cell_m: float = 250.0) -> np.ndarray:
    """Return a permutation that visits points cell by cell (rows of `cell_m` squares).

    Tree queries in this order touch the same tree nodes one after another; on a million
    points that is two to three times faster than random order, with identical answers.
    """
    if len(xy) == 0:
        return np.zeros(0, np.int64)
    cells = np.floor((xy - xy.min(axis=0)) / cell_m).astype(np.int64)
    return np.argsort(cells[:, 1] * (cells[:, 0].max() + 1) + cells[:, 0], kind="stable")


def diagnose(
    study: Study,
    clusters: gpd.GeoDataFrame,
    *,
    streets: gpd.GeoDataFrame | None = None,
    examples: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Add the evidence of what about each hot spot lets the trouble happen.

    Parameters
    ----------
    study : Study
        The layers and settings (``light_radius_m``, ``stop_radius_m``, ``outage_match_m``,
        ``sightline_search_m``, ``pole_height_m``, ``max_spacing_ratio``,
        ``twilight_depression_deg``).
    clusters : GeoDataFrame
        From :func:`hotspots.find_hotspots`: polygon geometry in the study CRS and a
        ``cluster_id`` column.
    streets : GeoDataFrame, optional
        Street centre lines or kerbs (lines) in the study CRS; when given, the sightline to
        the nearest street frontage is checked too.
    examples : DataFrame, optional
        Labelled concern texts (``text``, ``topic``) for the optional text classifier
        (:func:`hotspots.topics.classify_concerns`).

    Returns
    -------
    GeoDataFrame
        A copy of `clusters` (same index and order) with the columns of
        :data:`EVIDENCE_COLUMNS`. Lights of unknown status count as working (no evidence of
        an outage); lights reported out by residents stay working for the dark-gap
        measures and are named in ``lights_reported_out_ids``.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> study = datasets.load_study("scene")
    >>> diagnosed = diagnose(study, find_hotspots(study))
    >>> bool((diagnosed["dark_event_share"] >= 0).all())
    True
    """
    _check(study, clusters, streets)
    s = study.settings
    out = clusters.copy()
    k = len(out)
    events = combine_events(study)
    from hotspots.temporal import after_dark

    dark_flags = after_dark(events, settings=s).to_numpy(bool)
    polys = out.geometry.to_numpy()
    ev_geoms = events.geometry.to_numpy()
    ev_xy = shapely.get_coordinates(ev_geoms)
    pos = _cluster_index(ev_geoms, ev_xy, polys) if k else np.full(len(events), -1, np.int64)
    # every per-event measure below is only read for events inside a hot spot: compute them
    # for those alone, in spatial order (faster tree queries; the reductions do not depend
    # on the order, and ties are broken by the original event position)
    sel = np.flatnonzero(pos >= 0)
    sel = sel[_spatial_order(ev_xy[sel])]
    xy_in, night_in = ev_xy[sel], dark_flags[sel]
    per = _PerCluster(pos[sel], k)
    every = np.ones(len(sel), bool)

    # --- time ------------------------------------------------------------------------
    n_events = per.count(every)
    n_dark = per.count(night_in)
    out[N_AFTER_DARK] = n_dark
    out[AFTER_DARK_SHARE] = _share(n_dark, n_events)
    study_dark = int(dark_flags.sum())
    study_ratio = study_dark / max(len(events) - study_dark, 1)
    ratio = n_dark / np.maximum(n_events - n_dark, 1)
    out[NIGHT_DAY_RATIO] = ratio
    out[STUDY_NIGHT_DAY_RATIO] = study_ratio
    out[NIGHT_RATIO_VS_STUDY] = ratio / study_ratio if study_ratio > 0 else np.nan

    # --- lighting ----------------------------------------------------------------------
    lights = study.lights
    status = lights[C.STATUS].to_numpy(str) if len(lights) else np.array([], str)
    light_xy = shapely.get_coordinates(lights.geometry.to_numpy())
    working = status != C.STATUS_OUT
    work_xy = light_xy[working]
    r = s.light_radius_m
    work_tree, all_tree = _tree(work_xy), _tree(light_xy)
    cl_l, li = _within(polys, lights.geometry.to_numpy(), r)
    # a light within r of a point inside a hot spot is within r of the hot spot: where only
    # "within r or not" matters, the lights in reach of some hot spot (li) are enough
    reach_work = np.unique(li[working[li]])
    reach_out = np.unique(li[~working[li]])
    d_work = _nearest(work_tree, xy_in)
    # in a dark gap with every light repaired: no working light and no light marked out
    # within r
    d_all = np.minimum(d_work, _nearest(_tree(light_xy[reach_out]), xy_in, upper_m=r))
    ev_dark_gap = d_work > r
    out[NEAREST_LIGHT_MEDIAN_M], out[NEAREST_LIGHT_MAX_M] = per.median_max(d_work, every)
    n_gap = per.count(ev_dark_gap)
    out[DARK_EVENT_SHARE] = _share(n_gap, n_events)
    out[DARK_EVENTS_AFTER_DARK] = per.count(ev_dark_gap & night_in)
    out[DARK_EVENT_SHARE_IF_REPAIRED] = _share(per.count(d_all > r), n_events)
    out[DARK_AREA_SHARE] = _dark_area_share(polys, _tree(light_xy[reach_work]), r)
    gap_x, gap_y, gap_n = _best_new_light(xy_in, pos[sel], sel, ev_dark_gap, k, r)
    out[DARK_GAP_X], out[DARK_GAP_Y], out[DARK_GAP_EVENTS] = gap_x, gap_y, gap_n

    light_ids = lights[C.ID].astype(str).to_numpy() if len(lights) else np.array([], str)
    out[WORKING_LIGHTS_IN_REACH] = np.bincount(cl_l[working[li]], minlength=k)
    out[LIGHTS_OUT_IDS] = _lists(cl_l[~working[li]], light_ids[li[~working[li]]], k)

    concern_light = _concern_lights(study.concerns, all_tree, s.outage_match_m)
    flags = _classify_needed(study, events, pos, concern_light, li, examples)
    reported, report_light, report_date = _outage_reports(
        study, flags, concern_light, len(light_xy)
    )
    rep = reported[li] > 0
    out[LIGHTS_REPORTED_OUT_IDS] = _lists(cl_l[rep], light_ids[li[rep]], k)
    out[OUTAGE_REPORTS] = np.bincount(cl_l, weights=reported[li], minlength=k).astype(int)
    out[OUTAGE_REPORT_DATES] = _report_dates(cl_l, li, report_light, report_date, k)
    spacing, limit = _spacing(lights, all_tree, cl_l, li, k, s)
    out[LIGHT_SPACING_M] = spacing
    out[SPACING_LIMIT_M] = limit
    out[SPACING_EXCEEDED] = spacing > limit
    # a place far from every mapped light, working or not, is more often a place the lights
    # layer does not cover (another agency's or private lights) than a real dark block
    centre_xy = shapely.get_coordinates(shapely.centroid(polys))
    out[NEAREST_ANY_LIGHT_M] = _nearest(all_tree, centre_xy)
    out[LIGHT_INVENTORY_GAP] = out[NEAREST_ANY_LIGHT_M].to_numpy(float) > s.inventory_gap_m

    # --- bus stops ----------------------------------------------------------------------
    stops = study.stops
    stop_xy = shapely.get_coordinates(stops.geometry.to_numpy())
    stop_ids = stops[C.ID].astype(str).to_numpy() if len(stops) else np.array([], str)
    stop_names = stops[C.NAME].astype(str).to_numpy() if len(stops) else np.array([], str)
    cl_s, si = _within(polys, stops.geometry.to_numpy(), s.stop_radius_m)
    out[STOP_IDS] = _lists(cl_s, stop_ids[si], k)
    out[STOP_NAMES] = _lists(cl_s, stop_names[si], k)
    stop_tree = _tree(stop_xy)
    # as for lights: a stop within stop_radius_m of an event inside a hot spot is in reach
    at_stop = (
        _nearest(_tree(stop_xy[np.unique(si)]), xy_in, upper_m=s.stop_radius_m) <= s.stop_radius_m
    )
    out[STOP_EVENT_SHARE] = _share(per.count(at_stop), n_events)
    out[STOP_EVENTS_AFTER_DARK] = per.count(at_stop & night_in)
    # without any lights layer nothing can be called dark: lighting evidence is unknown
    stop_dark = (_nearest(work_tree, stop_xy, upper_m=r) > r) & (len(lights) > 0)
    out[DARK_STOP_IDS] = _lists(cl_s[stop_dark[si]], stop_ids[si[stop_dark[si]]], k)

    # --- sightlines ------------------------------------------------------------------------
    centre = shapely.get_coordinates(shapely.centroid(polys))
    ids, kinds, detail = _sightlines(
        centre, study, work_tree, light_ids[working], stop_tree, stop_ids, streets, s
    )
    out[SIGHTLINE_IDS], out[SIGHTLINE_KINDS], out[SIGHTLINE_DETAIL] = ids, kinds, detail
    out[CANOPY_OVER_LIGHT_IDS] = _canopy(study, lights, cl_l, li, k)

    if not len(lights):
        log.info("diagnose: no lights layer, so the dark-gap shares are unknown (NaN)")
        for col in (DARK_EVENT_SHARE, DARK_EVENT_SHARE_IF_REPAIRED, DARK_AREA_SHARE):
            out[col] = np.nan

    # --- what residents say ---------------------------------------------------------------------
    _concern_topics(out, study, flags, events, pos, k)

    rec = study.layers.get(C.INCIDENTS)
    out[LOCATION_PRECISION] = rec.precision.note if rec is not None else ""
    log.info(
        "diagnose: %d hot spots; %d with dark gaps, %d with lights out or reported out, "
        "%d with bus-stop activity, %d with blocked sightlines",
        k,
        int((out[DARK_EVENT_SHARE] >= 0.5).sum()),
        sum(
            bool(a) or bool(b)
            for a, b in zip(out[LIGHTS_OUT_IDS], out[LIGHTS_REPORTED_OUT_IDS], strict=True)
        ),
        int((out[STOP_EVENT_SHARE] >= 0.5).sum()),
        sum(bool(ids) for ids in out[SIGHTLINE_IDS]),
    )
    return out


# =========================================================================================
# helpers
# =========================================================================================


class _PerCluster:
    """Group reductions over events by cluster position, with np.bincount / sorting."""

    def __init__(self, pos: np.ndarray, k: int) -> None:
        self.pos = pos
        self.k = k

    def count(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.pos[mask], minlength=self.k).astype(int)

    def _sorted(self, values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p, v = self.pos[mask], values[mask]
        order = np.lexsort((v, p))
        return p[order], v[order]

    def max(
        self,
        values: np.ndarray,
        mask: np.ndarray,
        presorted: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        out = np.full(self.k, np.nan)
        p, v = presorted if presorted is not None else self._sorted(values, mask)
        if len(p):
            last = np.r_[p[1:] != p[:-1], True]
            out[p[last]] = v[last]
        return out

    def median_max(self, values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Median and max per cluster, from one sort."""
        presorted = self._sorted(values, mask)
        return (
            self.median(values, mask, presorted=presorted),
            self.max(values, mask, presorted=presorted),
        )

    def median(
        self,
        values: np.ndarray,
        mask: np.ndarray,
        presorted: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        out = np.full(self.k, np.nan)
        p, v = presorted if presorted is not None else self._sorted(values, mask)
        if len(p):
            counts = np.bincount(p, minlength=self.k)
            starts = np.r_[0, np.cumsum(counts)[:-1]]
            has = counts > 0
            lo = starts + (counts - 1) // 2
            hi = starts + counts // 2
            out[has] = (v[lo[has]] + v[hi[has]]) / 2
        return out


def _check(study: Study, clusters: gpd.GeoDataFrame, streets: gpd.GeoDataFrame | None) -> None:
    problems = []
    if not isinstance(study, Study):
        problems.append(f"`study` must be a hotspots.Study, got {type(study).__name__}")
    if not isinstance(clusters, gpd.GeoDataFrame):
        problems.append(f"`clusters` must be a GeoDataFrame, got {type(clusters).__name__}")
    elif "cluster_id" not in clusters.columns:
        problems.append("`clusters` has no `cluster_id` column: pass find_hotspots' result")
    if problems:
        raise ValidationError("diagnose: invalid arguments:\n  - " + "\n  - ".join(problems))
    for name, frame in (("clusters", clusters), ("streets", streets)):
        if frame is None:
            continue
        if frame.crs is None or not frame.crs.equals(study.crs):
            raise CRSError(
                f"`{name}` is in {frame.crs}, not the study CRS {study.crs.to_string()}; "
                f"use {name}.to_crs(study.crs)"
            )


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.where(whole > 0, part / np.maximum(whole, 1), np.nan)


def _tree(xy: np.ndarray) -> cKDTree | None:
    """Return a KD-tree of the points, or None when there are none."""
    return cKDTree(xy) if len(xy) else None


def _nearest(
    tree: cKDTree | None, query_xy: np.ndarray, *, upper_m: float | None = None
) -> np.ndarray:
    """Distance (m) from each query point to the nearest tree point; inf when none.

    With `upper_m`, only distances up to `upper_m` are exact and farther ones are inf (the
    tree search stops early): use it when the caller only compares with `upper_m`.
    """
    if len(query_xy) == 0:
        return np.zeros(0)
    if tree is None:
        return np.full(len(query_xy), np.inf)
    # a hair above the bound, so a point at exactly `upper_m` is still found
    bound = np.inf if upper_m is None else upper_m * (1 + 1e-9) + 1e-9
    d, _ = tree.query(query_xy, k=1, workers=-1, distance_upper_bound=bound)
    return d


def _within(polys: np.ndarray, geoms: np.ndarray, distance: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (cluster position, geometry position) within `distance` m, sorted."""
    if len(polys) == 0 or len(geoms) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    tree = shapely.STRtree(geoms)
    cl, gi = tree.query(polys, predicate="dwithin", distance=distance)
    order = np.lexsort((gi, cl))
    return cl[order], gi[order]


def _lists(groups: np.ndarray, values: np.ndarray, k: int) -> list[list[str]]:
    """Group values into k lists (sorted, unique) by group position."""
    if len(groups) == 0:
        return [[] for _ in range(k)]
    v = np.asarray(values).astype(str)
    order = np.lexsort((v, groups))
    g, v = np.asarray(groups)[order], v[order]
    keep = np.r_[True, (g[1:] != g[:-1]) | (v[1:] != v[:-1])]
    return _split(g[keep], v[keep].tolist(), k)


def _split(groups: np.ndarray, values: list[Any], k: int) -> list[list[Any]]:
    """Split values already sorted by group position into k lists (some may be empty)."""
    out: list[list[Any]] = [[] for _ in range(k)]
    if len(groups) == 0:
        return out
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    for g, a, b in zip(groups[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
        out[g] = values[a:b]
    return out


def _dark_area_share(polys: np.ndarray, lights: cKDTree | None, reach_m: float) -> np.ndarray:
    """Share of each polygon's area farther than `reach_m` from every working light.

    Sampled on a regular grid of about 400 points per polygon (vectorised over all
    polygons at once), then one KD-tree query.
    """
    k = len(polys)
    out = np.full(k, np.nan)
    if k == 0:
        return out
    bounds = shapely.bounds(polys)
    area = shapely.area(polys)
    step = np.maximum(np.sqrt(np.maximum(area, 1.0) / 400.0), 1.0)
    nx = np.ceil((bounds[:, 2] - bounds[:, 0]) / step).astype(int) + 1
    ny = np.ceil((bounds[:, 3] - bounds[:, 1]) / step).astype(int) + 1
    n = nx * ny
    owner = np.repeat(np.arange(k), n)
    local = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    ix, iy = local % np.repeat(nx, n), local // np.repeat(nx, n)
    x = np.repeat(bounds[:, 0], n) + (ix + 0.5) * np.repeat(step, n)
    y = np.repeat(bounds[:, 1], n) + (iy + 0.5) * np.repeat(step, n)
    shapely.prepare(polys)
    inside = shapely.contains_xy(polys[owner], x, y)
    owner, x, y = owner[inside], x[inside], y[inside]
    dark = _nearest(lights, np.c_[x, y], upper_m=reach_m) > reach_m
    total = np.bincount(owner, minlength=k)
    has = total > 0
    out[has] = np.bincount(owner[dark], minlength=k)[has] / total[has]
    return out


def _best_new_light(
    xy: np.ndarray,
    pos: np.ndarray,
    event: np.ndarray,
    mask: np.ndarray,
    k: int,
    reach_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cluster, the dark event whose `reach_m` disc holds most of the cluster's dark events.

    `xy`, `pos` (cluster position) and `event` (position in the event layer, for ties) are
    per event; `mask` picks the dark ones. One KD-tree serves every cluster: each cluster's
    points are shifted far apart along x, so a neighbour is always in the same cluster.
    """
    gx, gy, gn = np.full(k, np.nan), np.full(k, np.nan), np.zeros(k, int)
    sub = np.flatnonzero(mask)
    if len(sub) == 0:
        return gx, gy, gn
    p, idx, pts = pos[sub], event[sub], xy[sub]
    span = (np.ptp(pts[:, 0]) + np.ptp(pts[:, 1]) + 10 * reach_m) * 10
    shifted = np.c_[pts[:, 0] + p * span, pts[:, 1]]
    cover = cKDTree(shifted).query_ball_point(shifted, r=reach_m, return_length=True, workers=-1)
    # best per cluster: most covered, ties to the lowest event position (deterministic)
    order = np.lexsort((idx, -cover, p))
    first = np.r_[True, p[order][1:] != p[order][:-1]]
    best = order[first]
    gx[p[best]], gy[p[best]], gn[p[best]] = pts[best, 0], pts[best, 1], cover[best]
    return gx, gy, gn


def _concern_lights(
    concerns: gpd.GeoDataFrame, lights: cKDTree | None, match_m: float
) -> np.ndarray:
    """Per concern, the position of its nearest light if within `match_m`, else -1."""
    out = np.full(len(concerns), -1, np.int64)
    if len(concerns) == 0 or lights is None:
        return out
    cxy = shapely.get_coordinates(concerns.geometry.to_numpy())
    d, nearest = lights.query(cxy, k=1)
    ok = d <= match_m
    out[ok] = nearest[ok]
    return out


def _classify_needed(
    study: Study,
    events: gpd.GeoDataFrame,
    pos: np.ndarray,
    concern_light: np.ndarray,
    li: np.ndarray,
    examples: pd.DataFrame | None,
) -> pd.DataFrame | None:
    """Topic and outage flags of the concerns the evidence reads, aligned to study.concerns.

    Only two kinds of concern are read: those inside a hot spot (topics, phrases) and those
    matched to a light that serves one (outage reports). Those are classified, each
    distinct text once (classification is row by row, so the answer is the same as
    classifying every row); the other rows' flags are all False. None when no concern is
    read.
    """
    from hotspots.topics import classify_concerns

    concerns = study.concerns
    if len(concerns) == 0:
        return None
    is_concern = (events[C.SOURCE] == C.SOURCE_CONCERN).to_numpy()
    needed = pos[is_concern] >= 0
    if len(li):
        serves = np.zeros(int(li.max()) + 1, bool)
        serves[li] = True
        matched = (concern_light >= 0) & (concern_light <= li.max())
        needed[matched] |= serves[concern_light[matched]]
    rows = np.flatnonzero(needed)
    if len(rows) == 0:
        return None
    columns = tuple(c for c in _CONCERN_TEXT if c in concerns.columns)
    key = pd.Series("", index=range(len(rows)), dtype=object)
    for c in columns:
        text = concerns[c].iloc[rows].astype("string").fillna("").to_numpy(object)
        key = key + "\x1f" + text
    codes, uniques = pd.factorize(key)
    first = np.unique(codes, return_index=True)[1]
    flags = classify_concerns(concerns.iloc[rows[first]], text_columns=columns, examples=examples)
    full = pd.DataFrame(index=concerns.index)
    for c in flags.columns:
        if flags[c].dtype == bool:
            col = np.zeros(len(concerns), bool)
            col[rows] = flags[c].to_numpy(bool)[codes]
            full[c] = col
    log.debug("classified %d distinct texts of the %d concerns read", len(uniques), len(rows))
    return full


def _outage_reports(
    study: Study, flags: pd.DataFrame | None, concern_light: np.ndarray, n_lights: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outage reports per light, and the distinct (light position, report date) pairs.

    A report counts for the nearest light within ``outage_match_m`` (`concern_light`).
    Dates are local ``YYYY-MM-DD``; the pairs are sorted by light then date.
    """
    counts = np.zeros(n_lights)
    none = np.zeros(0, np.int64), np.zeros(0, object)
    if flags is None or n_lights == 0:
        return counts, *none
    hit = flags["outage_report"].to_numpy(bool) & (concern_light >= 0)
    if not hit.any():
        return counts, *none
    light = concern_light[hit]
    counts = np.bincount(light, minlength=n_lights).astype(float)
    when = study.concerns[C.REPORTED_AT].iloc[np.flatnonzero(hit)]
    if isinstance(when.dtype, pd.DatetimeTZDtype):
        # local calendar day without strftime (which formats one timestamp at a time)
        date = when.dt.tz_localize(None).to_numpy().astype("datetime64[D]").astype(str)
    else:
        date = np.asarray(pd.to_datetime(when.to_numpy()).strftime("%Y-%m-%d"), dtype=str)
    order = np.lexsort((date, light))
    light, date = light[order], date[order]
    keep = np.r_[True, (light[1:] != light[:-1]) | (date[1:] != date[:-1])]
    return counts, light[keep], date[keep].astype(object)


def _report_dates(
    cl: np.ndarray, li: np.ndarray, report_light: np.ndarray, report_date: np.ndarray, k: int
) -> list[list[str]]:
    """Per cluster, the sorted distinct dates of the outage reports of its lights."""
    if len(report_light) == 0 or len(cl) == 0:
        return [[] for _ in range(k)]
    lo = np.searchsorted(report_light, li, side="left")
    hi = np.searchsorted(report_light, li, side="right")
    n = hi - lo
    groups = np.repeat(cl, n)
    at = np.repeat(lo - np.r_[0, np.cumsum(n)[:-1]], n) + np.arange(n.sum())
    return _lists(groups, report_date[at], k)


def _spacing(
    lights: gpd.GeoDataFrame,
    tree: cKDTree | None,
    cl: np.ndarray,
    li: np.ndarray,
    k: int,
    s: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Median spacing of the lights serving each cluster, and the spacing rule's limit.

    `tree` holds every light (in layer order); `cl`, `li` are the (cluster, light) pairs
    in reach.
    """
    spacing, limit = np.full(k, np.nan), np.full(k, np.nan)
    if tree is None or tree.n < 2 or len(cl) == 0:
        return spacing, limit
    # distance to the nearest other light, for the lights in reach only
    used, at = np.unique(li, return_inverse=True)
    d, _ = tree.query(tree.data[used], k=2, workers=-1)
    nn = d[:, 1][at]
    height = lights["pole_height_m"].to_numpy(float)[li] if "pole_height_m" in lights else None
    height = (
        np.where(np.isfinite(height), height, s.pole_height_m)
        if height is not None
        else (np.full(len(li), s.pole_height_m))
    )
    per = _PerCluster(cl, k)
    mask = np.ones(len(cl), bool)
    enough = np.bincount(cl, minlength=k) >= 2
    spacing = np.where(enough, per.median(nn, mask), np.nan)
    limit = np.where(enough, per.median(height, mask) * s.max_spacing_ratio, np.nan)
    return spacing, limit


def _sightlines(
    centre: np.ndarray,
    study: Study,
    work_tree: cKDTree | None,
    work_ids: np.ndarray,
    stop_tree: cKDTree | None,
    stop_ids: np.ndarray,
    streets: gpd.GeoDataFrame | None,
    s: Any,
) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """Obstructions crossing the line from each centre to its nearest light, stop, street."""
    k = len(centre)
    ids: list[list[str]] = [[] for _ in range(k)]
    kinds: list[list[str]] = [[] for _ in range(k)]
    detail: list[list[str]] = [[] for _ in range(k)]
    obs = study.obstructions
    if k == 0 or len(obs) == 0:
        return ids, kinds, detail
    targets: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
    for label, tree, tids in (("light", work_tree, work_ids), ("bus stop", stop_tree, stop_ids)):
        if tree is not None:
            d, j = tree.query(centre, k=1)
            ok = d <= s.sightline_search_m
            targets.append((label, np.flatnonzero(ok), tree.data[j[ok]], tids[j[ok]]))
    if streets is not None and len(streets):
        pts = shapely.points(centre)
        tree = shapely.STRtree(streets.geometry.to_numpy())
        ci, sj = tree.query_nearest(pts, max_distance=s.sightline_search_m, all_matches=False)
        near = shapely.get_coordinates(
            shapely.shortest_line(pts[ci], streets.geometry.to_numpy()[sj])
        ).reshape(-1, 2, 2)[:, 1, :]
        targets.append(("street frontage", ci, near, np.array(["street"] * len(ci))))

    obs_geoms = obs.geometry.to_numpy()
    obs_ids = obs[C.ID].astype(str).to_numpy()
    obs_kind = obs[C.KIND].astype(str).to_numpy()
    tree = shapely.STRtree(obs_geoms)
    rows = []
    for label, which, txy, tids in targets:
        if len(which) == 0:
            continue
        lines = shapely.linestrings(
            np.stack([centre[which], txy], axis=1).reshape(-1, 2),
            indices=np.repeat(np.arange(len(which)), 2),
        )
        li, oi = tree.query(lines, predicate="intersects")
        dist = np.hypot(*(txy - centre[which]).T)
        rows.append(
            pd.DataFrame(
                {
                    "cluster": which[li],
                    "id": obs_ids[oi],
                    "kind": obs_kind[oi],
                    "text": [
                        f"{obs_kind[o]} {obs_ids[o]} between centre and {label} {tids[i]}"
                        f" ({dist[i]:.0f} m)"
                        for i, o in zip(li, oi, strict=True)
                    ],
                }
            )
        )
    if not rows:
        return ids, kinds, detail
    frame = pd.concat(rows, ignore_index=True)
    if frame.empty:
        return ids, kinds, detail
    cl = frame["cluster"].to_numpy(np.int64)
    oid = frame["id"].to_numpy(str)
    text = frame["text"].to_numpy(str)
    kind = frame["kind"].to_numpy(object)
    # ids (and their kinds) sorted per cluster; texts in (id, text) order, each once
    order = np.lexsort((text, oid, cl))
    cl, oid, text, kind = cl[order], oid[order], text[order], kind[order]
    new_cl = np.r_[True, cl[1:] != cl[:-1]]
    first_id = new_cl | np.r_[True, oid[1:] != oid[:-1]]
    first_text = first_id | np.r_[True, text[1:] != text[:-1]]
    ids = _split(cl[first_id], oid[first_id].tolist(), k)
    kinds = _split(cl[first_id], kind[first_id].tolist(), k)
    detail = _split(cl[first_text], text[first_text].tolist(), k)
    return ids, kinds, detail


def _canopy(
    study: Study, lights: gpd.GeoDataFrame, cl: np.ndarray, li: np.ndarray, k: int
) -> list[list[str]]:
    """Tree/hedge obstructions covering (within 1 m of) a light in reach of each cluster."""
    obs = study.obstructions
    out: list[list[str]] = [[] for _ in range(k)]
    if len(obs) == 0 or len(cl) == 0:
        return out
    veg = obs[obs[C.KIND].isin(_VEGETATION)]
    if veg.empty:
        return out
    tree = shapely.STRtree(veg.geometry.to_numpy())
    lj, vj = tree.query(lights.geometry.to_numpy()[li], predicate="dwithin", distance=1.0)
    return _lists(cl[lj], veg[C.ID].astype(str).to_numpy()[vj], k)


def _concern_topics(
    out: gpd.GeoDataFrame,
    study: Study,
    flags: pd.DataFrame | None,
    events: gpd.GeoDataFrame,
    pos: np.ndarray,
    k: int,
) -> None:
    from hotspots.topics import TOPICS, top_phrases

    is_concern = (events[C.SOURCE] == C.SOURCE_CONCERN).to_numpy()
    concern_pos = pos[is_concern]
    if flags is None or not (concern_pos >= 0).any():
        out[TOPIC_COUNTS] = [dict.fromkeys(TOPICS, 0) for _ in range(k)]
        out[TOP_PHRASES] = [[] for _ in range(k)]
        out[VEGETATION_CONCERNS] = 0
        out[LITTER_CONCERNS] = 0
        return
    inside = concern_pos >= 0
    counts = np.stack(
        [
            np.bincount(concern_pos[inside & flags[f"topic_{t}"].to_numpy(bool)], minlength=k)
            for t in TOPICS
        ],
        axis=1,
    )
    out[TOPIC_COUNTS] = [dict(zip(TOPICS, row, strict=True)) for row in counts.tolist()]
    by_topic = dict(zip(TOPICS, counts.T, strict=True))
    out[VEGETATION_CONCERNS] = by_topic["vegetation_sightline"].astype(int)
    out[LITTER_CONCERNS] = by_topic["litter_dumping"].astype(int)
    texts = study.concerns[C.DESCRIPTION].astype(str).reset_index(drop=True)
    phrases = top_phrases(texts[inside], pd.Series(concern_pos[inside], index=texts.index[inside]))
    out[TOP_PHRASES] = [list(phrases.get(c, [])) for c in range(k)]


def _as_json(value: Any) -> str:
    """JSON text of a list/dict cell, for CSV and GeoPackage export."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
