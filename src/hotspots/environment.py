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
N_AFTER_DARK = "n_after_dark"
AFTER_DARK_SHARE = "after_dark_share"
NIGHT_DAY_RATIO = "night_day_ratio"
STUDY_NIGHT_DAY_RATIO = "study_night_day_ratio"
NIGHT_RATIO_VS_STUDY = "night_ratio_vs_study"
LOCATION_PRECISION = "location_precision"

EVIDENCE_COLUMNS: dict[str, str] = {
    WORKING_LIGHTS_IN_REACH: "int: working (or unknown-status) lights within light_radius_m",
    NEAREST_LIGHT_MEDIAN_M: "float m: median distance from the events to the nearest working light",
    NEAREST_LIGHT_MAX_M: "float m: largest such distance",
    DARK_EVENT_SHARE: "float: share of events farther than light_radius_m from every working light",
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
    out = np.full(len(events), -1, dtype=np.int64)
    if len(events) == 0 or len(clusters) == 0:
        return out
    tree = shapely.STRtree(clusters.geometry.to_numpy())
    ev_idx, cl_idx = tree.query(events.geometry.to_numpy(), predicate="intersects")
    if len(ev_idx):
        order = np.lexsort((cl_idx, ev_idx))
        ev_idx, cl_idx = ev_idx[order], cl_idx[order]
        first = np.r_[True, ev_idx[1:] != ev_idx[:-1]]
        out[ev_idx[first]] = cl_idx[first]
    return out


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
    pos = event_cluster_index(events, out)
    inside = pos >= 0
    ev_xy = shapely.get_coordinates(events.geometry.to_numpy())
    per = _PerCluster(pos, k)

    # --- time ------------------------------------------------------------------------
    n_events = per.count(inside)
    n_dark = per.count(inside & dark_flags)
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
    r = s.light_radius_m
    d_work = _nearest(light_xy[working], ev_xy)
    d_all = _nearest(light_xy, ev_xy)
    ev_dark_gap = d_work > r
    out[NEAREST_LIGHT_MEDIAN_M] = per.median(d_work, inside)
    out[NEAREST_LIGHT_MAX_M] = per.max(d_work, inside)
    n_gap = per.count(inside & ev_dark_gap)
    out[DARK_EVENT_SHARE] = _share(n_gap, n_events)
    out[DARK_EVENTS_AFTER_DARK] = per.count(inside & ev_dark_gap & dark_flags)
    out[DARK_EVENT_SHARE_IF_REPAIRED] = _share(per.count(inside & (d_all > r)), n_events)
    out[DARK_AREA_SHARE] = _dark_area_share(out.geometry.to_numpy(), light_xy[working], r)
    gap_x, gap_y, gap_n = _best_new_light(ev_xy, pos, inside & ev_dark_gap, k, r)
    out[DARK_GAP_X], out[DARK_GAP_Y], out[DARK_GAP_EVENTS] = gap_x, gap_y, gap_n

    polys = out.geometry.to_numpy()
    light_ids = lights[C.ID].astype(str).to_numpy() if len(lights) else np.array([], str)
    cl_l, li = _within(polys, lights.geometry.to_numpy(), r)
    out[WORKING_LIGHTS_IN_REACH] = np.bincount(cl_l[working[li]], minlength=k)
    out[LIGHTS_OUT_IDS] = _lists(cl_l[~working[li]], light_ids[li[~working[li]]], k)

    reported, report_dates = _outage_reports(study, light_xy, s.outage_match_m)
    rep = reported[li] > 0
    out[LIGHTS_REPORTED_OUT_IDS] = _lists(cl_l[rep], light_ids[li[rep]], k)
    out[OUTAGE_REPORTS] = np.bincount(cl_l, weights=reported[li], minlength=k).astype(int)
    out[OUTAGE_REPORT_DATES] = [
        sorted({d for lid in ids for d in report_dates.get(lid, [])})
        for ids in _lists(cl_l, light_ids[li], k)
    ]
    spacing, limit = _spacing(lights, light_xy, cl_l, li, k, s)
    out[LIGHT_SPACING_M] = spacing
    out[SPACING_LIMIT_M] = limit
    out[SPACING_EXCEEDED] = spacing > limit

    # --- bus stops ----------------------------------------------------------------------
    stops = study.stops
    stop_xy = shapely.get_coordinates(stops.geometry.to_numpy())
    stop_ids = stops[C.ID].astype(str).to_numpy() if len(stops) else np.array([], str)
    stop_names = stops[C.NAME].astype(str).to_numpy() if len(stops) else np.array([], str)
    cl_s, si = _within(polys, stops.geometry.to_numpy(), s.stop_radius_m)
    out[STOP_IDS] = _lists(cl_s, stop_ids[si], k)
    out[STOP_NAMES] = _lists(cl_s, stop_names[si], k)
    at_stop = _nearest(stop_xy, ev_xy) <= s.stop_radius_m
    out[STOP_EVENT_SHARE] = _share(per.count(inside & at_stop), n_events)
    out[STOP_EVENTS_AFTER_DARK] = per.count(inside & at_stop & dark_flags)
    stop_dark = _nearest(light_xy[working], stop_xy) > r
    out[DARK_STOP_IDS] = _lists(cl_s[stop_dark[si]], stop_ids[si[stop_dark[si]]], k)

    # --- sightlines ------------------------------------------------------------------------
    centre = shapely.get_coordinates(shapely.centroid(polys))
    ids, kinds, detail = _sightlines(
        centre, study, light_xy[working], light_ids[working], stop_xy, stop_ids, streets, s
    )
    out[SIGHTLINE_IDS], out[SIGHTLINE_KINDS], out[SIGHTLINE_DETAIL] = ids, kinds, detail
    out[CANOPY_OVER_LIGHT_IDS] = _canopy(study, lights, cl_l, li, k)

    # --- what residents say ---------------------------------------------------------------------
    _concern_topics(out, study, events, pos, k, examples)

    rec = study.layers.get(C.INCIDENTS)
    out[LOCATION_PRECISION] = rec.precision.note if rec is not None else ""
    log.info(
        "diagnose: %d hot spots; %d with dark gaps, %d with lights out or reported out, "
        "%d with bus-stop activity, %d with blocked sightlines",
        k,
        int((out[DARK_EVENT_SHARE] >= 0.5).sum()),
        int(
            (
                (out[LIGHTS_OUT_IDS].str.len() > 0) | (out[LIGHTS_REPORTED_OUT_IDS].str.len() > 0)
            ).sum()
        ),
        int((out[STOP_EVENT_SHARE] >= 0.5).sum()),
        int((out[SIGHTLINE_IDS].str.len() > 0).sum()),
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

    def max(self, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out = np.full(self.k, np.nan)
        p, v = self._sorted(values, mask)
        if len(p):
            last = np.r_[p[1:] != p[:-1], True]
            out[p[last]] = v[last]
        return out

    def median(self, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out = np.full(self.k, np.nan)
        p, v = self._sorted(values, mask)
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


def _nearest(tree_xy: np.ndarray, query_xy: np.ndarray) -> np.ndarray:
    """Distance (m) from each query point to the nearest tree point; inf when none."""
    if len(query_xy) == 0:
        return np.zeros(0)
    if len(tree_xy) == 0:
        return np.full(len(query_xy), np.inf)
    d, _ = cKDTree(tree_xy).query(query_xy, k=1, workers=-1)
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
    out: list[list[str]] = [[] for _ in range(k)]
    if len(groups) == 0:
        return out
    frame = pd.DataFrame({"g": groups, "v": values.astype(str)}).drop_duplicates()
    for g, vals in frame.groupby("g", sort=True)["v"]:
        out[int(g)] = sorted(vals.tolist())
    return out


def _dark_area_share(polys: np.ndarray, light_xy: np.ndarray, reach_m: float) -> np.ndarray:
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
    for p in polys:
        shapely.prepare(p)
    inside = shapely.contains_xy(polys[owner], x, y)
    owner, x, y = owner[inside], x[inside], y[inside]
    dark = _nearest(light_xy, np.c_[x, y]) > reach_m
    total = np.bincount(owner, minlength=k)
    has = total > 0
    out[has] = np.bincount(owner[dark], minlength=k)[has] / total[has]
    return out


def _best_new_light(
    xy: np.ndarray, pos: np.ndarray, mask: np.ndarray, k: int, reach_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cluster, the dark event whose `reach_m` disc holds most of the cluster's dark events.

    One KD-tree serves every cluster: each cluster's points are shifted far apart along x, so
    a neighbour is always in the same cluster.
    """
    gx, gy, gn = np.full(k, np.nan), np.full(k, np.nan), np.zeros(k, int)
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return gx, gy, gn
    p = pos[idx]
    span = (np.ptp(xy[idx, 0]) + np.ptp(xy[idx, 1]) + 10 * reach_m) * 10
    shifted = np.c_[xy[idx, 0] + p * span, xy[idx, 1]]
    cover = cKDTree(shifted).query_ball_point(shifted, r=reach_m, return_length=True, workers=-1)
    # best per cluster: most covered, ties to the lowest event position (deterministic)
    order = np.lexsort((idx, -cover, p))
    first = np.r_[True, p[order][1:] != p[order][:-1]]
    best = order[first]
    gx[p[best]], gy[p[best]], gn[p[best]] = xy[idx[best], 0], xy[idx[best], 1], cover[best]
    return gx, gy, gn


def _outage_reports(
    study: Study, light_xy: np.ndarray, match_m: float
) -> tuple[np.ndarray, dict[str, list[str]]]:
    """Outage reports per light (matched to the nearest light within match_m) and their dates."""
    counts = np.zeros(len(light_xy))
    dates: dict[str, list[str]] = {}
    concerns = study.concerns
    if len(concerns) == 0 or len(light_xy) == 0:
        return counts, dates
    from hotspots.topics import classify_concerns

    flags = classify_concerns(concerns)
    outage = flags["outage_report"].to_numpy(bool)
    if not outage.any():
        return counts, dates
    cxy = shapely.get_coordinates(concerns.geometry.to_numpy()[outage])
    d, li = cKDTree(light_xy).query(cxy, k=1)
    ok = d <= match_m
    np.add.at(counts, li[ok], 1)
    ids = study.lights[C.ID].astype(str).to_numpy()[li[ok]]
    when = concerns[C.REPORTED_AT].to_numpy()[outage][ok]
    frame = pd.DataFrame({"id": ids, "date": pd.to_datetime(when).strftime("%Y-%m-%d")})
    dates = frame.groupby("id")["date"].apply(lambda v: sorted(set(v))).to_dict()
    return counts, dates


def _spacing(
    lights: gpd.GeoDataFrame,
    light_xy: np.ndarray,
    cl: np.ndarray,
    li: np.ndarray,
    k: int,
    s: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Median spacing of the lights serving each cluster, and the spacing rule's limit."""
    spacing, limit = np.full(k, np.nan), np.full(k, np.nan)
    if len(light_xy) < 2 or len(cl) == 0:
        return spacing, limit
    d, _ = cKDTree(light_xy).query(light_xy, k=2, workers=-1)
    nn = d[:, 1]
    height = lights["pole_height_m"].to_numpy(float) if "pole_height_m" in lights else None
    height = (
        np.where(np.isfinite(height), height, s.pole_height_m)
        if height is not None
        else (np.full(len(light_xy), s.pole_height_m))
    )
    per = _PerCluster(cl, k)
    mask = np.ones(len(cl), bool)
    enough = np.bincount(cl, minlength=k) >= 2
    spacing = np.where(enough, per.median(nn[li], mask), np.nan)
    limit = np.where(enough, per.median(height[li], mask) * s.max_spacing_ratio, np.nan)
    return spacing, limit


def _sightlines(
    centre: np.ndarray,
    study: Study,
    work_xy: np.ndarray,
    work_ids: np.ndarray,
    stop_xy: np.ndarray,
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
    for label, txy, tids in (("light", work_xy, work_ids), ("bus stop", stop_xy, stop_ids)):
        if len(txy):
            d, j = cKDTree(txy).query(centre, k=1)
            ok = d <= s.sightline_search_m
            targets.append((label, np.flatnonzero(ok), txy[j[ok]], tids[j[ok]]))
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
    frame = pd.concat(rows, ignore_index=True).sort_values(["cluster", "id", "text"])
    for c, grp in frame.groupby("cluster", sort=True):
        ids[int(c)] = sorted(set(grp["id"]))
        kinds[int(c)] = [
            grp.drop_duplicates("id").set_index("id").loc[i, "kind"] for i in ids[int(c)]
        ]
        detail[int(c)] = list(dict.fromkeys(grp["text"]))
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
    events: gpd.GeoDataFrame,
    pos: np.ndarray,
    k: int,
    examples: pd.DataFrame | None,
) -> None:
    from hotspots.topics import TOPICS, classify_concerns, top_phrases

    is_concern = (events[C.SOURCE] == C.SOURCE_CONCERN).to_numpy()
    concern_pos = pos[is_concern]
    empty_counts = [dict.fromkeys(TOPICS, 0) for _ in range(k)]
    if not is_concern.any():
        out[TOPIC_COUNTS] = empty_counts
        out[TOP_PHRASES] = [[] for _ in range(k)]
        out[VEGETATION_CONCERNS] = 0
        out[LITTER_CONCERNS] = 0
        return
    flags = classify_concerns(study.concerns, examples=examples).reset_index(drop=True)
    inside = concern_pos >= 0
    counts = []
    for topic in TOPICS:
        col = flags[f"topic_{topic}"].to_numpy(bool)
        counts.append(np.bincount(concern_pos[inside & col], minlength=k))
    out[TOPIC_COUNTS] = [{t: int(counts[j][c]) for j, t in enumerate(TOPICS)} for c in range(k)]
    by_topic = dict(zip(TOPICS, counts, strict=True))
    out[VEGETATION_CONCERNS] = by_topic["vegetation_sightline"].astype(int)
    out[LITTER_CONCERNS] = by_topic["litter_dumping"].astype(int)
    texts = study.concerns[C.DESCRIPTION].astype(str).reset_index(drop=True)
    phrases = top_phrases(texts[inside], pd.Series(concern_pos[inside], index=texts.index[inside]))
    out[TOP_PHRASES] = [list(phrases.get(c, [])) for c in range(k)]


def _as_json(value: Any) -> str:
    """JSON text of a list/dict cell, for CSV and GeoPackage export."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
