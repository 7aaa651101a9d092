"""The shared per-place context every factor reads, built once per :func:`hotspots.diagnose`.

:func:`build_context` does the expensive, shared work once: which place each event falls in,
the after-dark flag of every event, KD-trees of the lights and bus stops, the lights in reach
of each place, the concerns matched to a light and the topic flags of the concerns the
evidence reads. A factor's ``evidence`` function reads a :class:`PlaceContext` and returns
its columns; the vectorised helpers below (group counts, medians, lists per place, nearest
distances) are the ones the built-in factors use, and a new factor may use them too.

Everything is computed with KD-trees and STRtrees over whole layers at once; nothing loops
over events. Distances are in metres in the study CRS.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from hotspots import _columns as C
from hotspots._requests import LIGHT_OUT, request_kinds
from hotspots.offences import INDOOR, location_column, location_kind, offence_groups
from hotspots.settings import Settings
from hotspots.study import Study, combine_events
from hotspots.temporal import after_dark
from hotspots.topics import OUTAGE_REPORT, SIGHTLINE_MENTION, TOPIC_PREFIX, classify_concerns

__all__ = [
    "PerPlace",
    "PlaceContext",
    "build_context",
    "event_cluster_index",
    "group_lists",
    "kd_tree",
    "nearest_m",
    "pairs_within",
    "share",
    "split_sorted",
]

log = logging.getLogger(__name__)

_CONCERN_TEXT = (C.DESCRIPTION, C.CATEGORY)  # classify_concerns' default text, in its order


@dataclass(frozen=True)
class PlaceContext:
    """What every factor may read about the places, computed once.

    "Place" is a row of the clusters, by position ``0..k-1``; arrays "per event inside" are
    over the events that fall in some place, in a spatial order (reductions per place do not
    depend on it).

    Attributes
    ----------
    study : Study
        The layers (``study.lights``, ``study.stops``, ``study.obstructions``,
        ``study.concerns`` ...), in one metric CRS.
    settings : Settings
        The settings used (``study.settings``).
    places : GeoDataFrame
        The clusters being diagnosed (read only).
    streets : GeoDataFrame or None
        Street lines, when given to :func:`hotspots.diagnose`.
    k : int
        Number of places.
    polygons : numpy.ndarray
        The places' polygons (shapely), length k.
    centre_xy : numpy.ndarray
        Centroid of each place, shape (k, 2), metres.
    events : GeoDataFrame
        Every event of the study (:func:`hotspots.combine_events`).
    event_dark : numpy.ndarray of bool
        After dark, per event of `events`.
    event_place : numpy.ndarray of int
        Place position of each event of `events`, -1 for none.
    inside : numpy.ndarray of int
        Positions in `events` of the events inside a place (spatial order).
    inside_xy, inside_dark, inside_place : numpy.ndarray
        Their coordinates, after-dark flags and place positions.
    per_place : PerPlace
        Counts, medians and maxima per place over the events inside.
    n_events : numpy.ndarray of int
        Events per place.
    light_ids, light_xy, light_working : numpy.ndarray
        Every light's id (str), coordinates and whether it counts as working (not ``out``).
    light_tree, working_tree : cKDTree or None
        KD-trees of every light and of the working ones (None when there are none).
    light_place, light_index : numpy.ndarray of int
        Pairs (place position, light position) within ``light_radius_m``, sorted.
    stop_ids, stop_names, stop_xy : numpy.ndarray
        Every bus stop's id, name and coordinates.
    stop_tree : cKDTree or None
        KD-tree of the stops.
    concern_place : numpy.ndarray of int
        Place position of each row of ``study.concerns``, -1 for none.
    concern_light : numpy.ndarray of int
        Per concern, its nearest light within ``outage_match_m``, else -1.
    concern_flags : DataFrame or None
        :func:`hotspots.classify_concerns` flags (bool columns only) aligned to
        ``study.concerns``, for the concerns inside a place, near one (``outage_match_m``)
        or matched to a light serving one; False elsewhere. Where a concern's request type
        is mapped (:func:`hotspots._requests.request_kinds`), the type decides its topic
        and outage flag; where it is generic or unknown, the text does. None when no
        concern is read.
    concern_kind : numpy.ndarray of str
        Request kind of every concern from its type (``light_out``, ``vegetation``,
        ``dumping``, ``graffiti``, ``vacant_building`` ...; ``""`` when the text decides).
    concern_outage : numpy.ndarray of bool
        Per concern: a light reported out (by type, or by text where the type does not say).
    unmapped_request_types : dict
        Request types nothing recognised → how many concerns carry them.
    event_group : numpy.ndarray of str
        Offence group of every event of `events` (:func:`hotspots.offences.offence_groups`);
        ``"resident_request"`` for concerns.
    event_indoor : numpy.ndarray of bool
        Per event: its location description says indoors (False when unknown).
    has_location : bool
        Whether the incidents carry a location-description column.
    unmapped_offence_types : dict
        Offence wordings nothing recognised → how many incidents carry them.
    """

    study: Study
    settings: Settings
    places: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame | None
    k: int
    polygons: np.ndarray
    centre_xy: np.ndarray
    events: gpd.GeoDataFrame
    event_dark: np.ndarray
    event_place: np.ndarray
    inside: np.ndarray
    inside_xy: np.ndarray
    inside_dark: np.ndarray
    inside_place: np.ndarray
    per_place: PerPlace
    n_events: np.ndarray
    light_ids: np.ndarray
    light_xy: np.ndarray
    light_working: np.ndarray
    light_tree: cKDTree | None
    working_tree: cKDTree | None
    light_place: np.ndarray
    light_index: np.ndarray
    stop_ids: np.ndarray
    stop_names: np.ndarray
    stop_xy: np.ndarray
    stop_tree: cKDTree | None
    concern_place: np.ndarray
    concern_light: np.ndarray
    concern_flags: pd.DataFrame | None
    concern_kind: np.ndarray
    concern_outage: np.ndarray
    unmapped_request_types: dict[str, int]
    event_group: np.ndarray
    event_indoor: np.ndarray
    has_location: bool
    unmapped_offence_types: dict[str, int]


def build_context(
    study: Study,
    places: gpd.GeoDataFrame,
    *,
    streets: gpd.GeoDataFrame | None = None,
    examples: pd.DataFrame | None = None,
) -> PlaceContext:
    """Compute the shared per-place context once (arguments already checked by diagnose).

    Parameters
    ----------
    study : Study
        The layers and settings.
    places : GeoDataFrame
        The clusters, polygons in the study CRS.
    streets : GeoDataFrame, optional
        Street lines in the study CRS.
    examples : DataFrame, optional
        Labelled concern texts for :func:`hotspots.classify_concerns`.

    Returns
    -------
    PlaceContext

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> study = datasets.load_study("scene")
    >>> ctx = build_context(study, find_hotspots(study))
    >>> int(ctx.n_events.sum()) == int((ctx.event_place >= 0).sum())
    True
    """
    s = study.settings
    k = len(places)
    events = combine_events(study)
    dark_flags = after_dark(events, settings=s).to_numpy(bool)
    polys = places.geometry.to_numpy()
    ev_geoms = events.geometry.to_numpy()
    ev_xy = shapely.get_coordinates(ev_geoms)
    pos = _cluster_index(ev_geoms, ev_xy, polys) if k else np.full(len(events), -1, np.int64)
    # every per-event measure is only read for events inside a hot spot: compute them for
    # those alone, in spatial order (faster tree queries; the reductions do not depend on
    # the order, and ties are broken by the original event position)
    sel = np.flatnonzero(pos >= 0)
    sel = sel[_spatial_order(ev_xy[sel])]
    per = PerPlace(pos[sel], k)

    lights = study.lights
    status = lights[C.STATUS].to_numpy(str) if len(lights) else np.array([], str)
    light_xy = shapely.get_coordinates(lights.geometry.to_numpy())
    working = status != C.STATUS_OUT
    all_tree = kd_tree(light_xy)
    cl_l, li = pairs_within(polys, lights.geometry.to_numpy(), s.light_radius_m)
    stops = study.stops
    stop_xy = shapely.get_coordinates(stops.geometry.to_numpy())
    concern_light = _concern_lights(study.concerns, all_tree, s.outage_match_m)
    is_concern = (events[C.SOURCE] == C.SOURCE_CONCERN).to_numpy()
    concerns = study.concerns
    if C.CATEGORY in concerns.columns and len(concerns):
        kinds_s, unmapped_types = request_kinds(concerns[C.CATEGORY], overrides=s.request_types)
        kinds = kinds_s.to_numpy(str).astype(object)
    else:
        kinds, unmapped_types = np.full(len(concerns), "", dtype=object), {}
    near = np.zeros(len(concerns), bool)
    if k and len(concerns):
        near[pairs_within(polys, concerns.geometry.to_numpy(), s.outage_match_m)[1]] = True
    flags = _classify_needed(
        study, pos[is_concern], concern_light, li, examples, near=near, kinds=kinds
    )
    outage = (
        flags[OUTAGE_REPORT].to_numpy(bool) if flags is not None else np.zeros(len(concerns), bool)
    ) | (kinds == LIGHT_OUT)
    group, indoor, has_location, unmapped_offences = _event_offences(study, events, s)
    return PlaceContext(
        study=study,
        settings=s,
        places=places,
        streets=streets,
        k=k,
        polygons=polys,
        # the place's centre at its density peak (find_hotspots), else the polygon's centroid
        centre_xy=(
            places[[C.CENTROID_X, C.CENTROID_Y]].to_numpy(float)
            if {C.CENTROID_X, C.CENTROID_Y} <= set(places.columns)
            and places[[C.CENTROID_X, C.CENTROID_Y]].notna().all(axis=None)
            else shapely.get_coordinates(shapely.centroid(polys))
        ),
        events=events,
        event_dark=dark_flags,
        event_place=pos,
        inside=sel,
        inside_xy=ev_xy[sel],
        inside_dark=dark_flags[sel],
        inside_place=pos[sel],
        per_place=per,
        n_events=per.count(np.ones(len(sel), bool)),
        light_ids=lights[C.ID].astype(str).to_numpy() if len(lights) else np.array([], str),
        light_xy=light_xy,
        light_working=working,
        light_tree=all_tree,
        working_tree=kd_tree(light_xy[working]),
        light_place=cl_l,
        light_index=li,
        stop_ids=stops[C.ID].astype(str).to_numpy() if len(stops) else np.array([], str),
        stop_names=stops[C.NAME].astype(str).to_numpy() if len(stops) else np.array([], str),
        stop_xy=stop_xy,
        stop_tree=kd_tree(stop_xy),
        concern_place=pos[is_concern],
        concern_light=concern_light,
        concern_flags=flags,
        concern_kind=kinds,
        concern_outage=outage,
        unmapped_request_types=unmapped_types,
        event_group=group,
        event_indoor=indoor,
        has_location=has_location,
        unmapped_offence_types=unmapped_offences,
    )


def _event_offences(
    study: Study, events: gpd.GeoDataFrame, s: Settings
) -> tuple[np.ndarray, np.ndarray, bool, dict[str, int]]:
    """Offence group and indoor flag of every event; whether locations are described."""
    n = len(events)
    group = np.full(n, "resident_request", dtype=object)
    indoor = np.zeros(n, bool)
    is_incident = (events[C.SOURCE] == C.SOURCE_INCIDENT).to_numpy()
    incidents = study.incidents
    if not is_incident.any() or len(incidents) != int(is_incident.sum()):
        return group, indoor, False, {}
    groups, unmapped = offence_groups(events[C.CATEGORY][is_incident], overrides=s.offence_groups)
    group[is_incident] = groups.to_numpy(object)
    col = location_column(incidents)
    if col is not None:
        indoor[is_incident] = location_kind(incidents[col]).to_numpy(object) == INDOOR
    return group, indoor, col is not None, unmapped


_KIND_TOPIC = {
    "light_out": "lighting",
    "lighting": "lighting",
    "vegetation": "vegetation_sightline",
    "dumping": "litter_dumping",
    "graffiti": "litter_dumping",
    "loitering_drugs": "loitering_drugs",
    "traffic": "traffic",
    "noise": "noise",
}


def _type_decides(flags: pd.DataFrame, kinds: np.ndarray) -> None:
    """Where a request type is mapped, it decides the topic (in place).

    A specific type (light out, vegetation, dumping, graffiti, vacant building, other)
    replaces what the text said; a broad one (``lighting``: about lighting but not
    necessarily an outage) sets the topic and leaves the outage flag to the text.
    """
    typed = kinds != ""
    if not typed.any():
        return
    topics = [c for c in flags.columns if c.startswith(TOPIC_PREFIX)]
    broad = kinds == "lighting"
    specific = typed & ~broad
    for c in topics:
        flags.loc[specific, c] = False
    for kind, topic in _KIND_TOPIC.items():
        if TOPIC_PREFIX + topic in flags.columns:
            flags.loc[kinds == kind, TOPIC_PREFIX + topic] = True
    flags.loc[specific, OUTAGE_REPORT] = kinds[specific] == LIGHT_OUT
    flags.loc[specific, SIGHTLINE_MENTION] = kinds[specific] == "vegetation"
    if TOPIC_PREFIX + "other" in flags.columns:
        others = [c for c in topics if c != TOPIC_PREFIX + "other"]
        flags[TOPIC_PREFIX + "other"] = ~flags[others].any(axis=1)


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


class PerPlace:
    """Group reductions over per-event values by place position (np.bincount / sorting).

    Examples
    --------
    >>> per = PerPlace(np.array([0, 0, 1]), 3)
    >>> per.count(np.array([True, True, False])).tolist()
    [2, 0, 0]
    >>> per.median(np.array([1.0, 3.0, 5.0]), np.ones(3, bool)).tolist()
    [2.0, 5.0, nan]
    """

    def __init__(self, pos: np.ndarray, k: int) -> None:
        self.pos = pos
        self.k = k

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Count the masked events per place (int array of length k)."""
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
        """Largest masked value per place (NaN where none)."""
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
        """Median of the masked values per place (NaN where none)."""
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


def share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """Return part / whole, NaN where whole is 0."""
    return np.where(whole > 0, part / np.maximum(whole, 1), np.nan)


def kd_tree(xy: np.ndarray) -> cKDTree | None:
    """Return a KD-tree of the points, or None when there are none."""
    return cKDTree(xy) if len(xy) else None


def nearest_m(
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


def pairs_within(
    polys: np.ndarray, geoms: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (place position, geometry position) within `distance` m, sorted."""
    if len(polys) == 0 or len(geoms) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    tree = shapely.STRtree(geoms)
    cl, gi = tree.query(polys, predicate="dwithin", distance=distance)
    order = np.lexsort((gi, cl))
    return cl[order], gi[order]


def group_lists(groups: np.ndarray, values: np.ndarray, k: int) -> list[list[str]]:
    """Group values into k lists (sorted, unique) by group (place) position."""
    if len(groups) == 0:
        return [[] for _ in range(k)]
    v = np.asarray(values).astype(str)
    order = np.lexsort((v, groups))
    g, v = np.asarray(groups)[order], v[order]
    keep = np.r_[True, (g[1:] != g[:-1]) | (v[1:] != v[:-1])]
    return split_sorted(g[keep], v[keep].tolist(), k)


def group_pairs(
    groups: np.ndarray, keys: np.ndarray, values: np.ndarray, k: int
) -> tuple[list[list[str]], list[list[str]]]:
    """Group (key, value) pairs into k lists by group, unique by key and sorted by key.

    The two returned lists of lists line up: ``values[g][i]`` belongs to ``keys[g][i]``,
    also when several keys share a value (two bus stops with one name).
    """
    if len(groups) == 0:
        return [[] for _ in range(k)], [[] for _ in range(k)]
    kk = np.asarray(keys).astype(str)
    vv = np.asarray(values).astype(str)
    order = np.lexsort((kk, groups))
    g, kk, vv = np.asarray(groups)[order], kk[order], vv[order]
    keep = np.r_[True, (g[1:] != g[:-1]) | (kk[1:] != kk[:-1])]
    return split_sorted(g[keep], kk[keep].tolist(), k), split_sorted(g[keep], vv[keep].tolist(), k)


def split_sorted(groups: np.ndarray, values: list[Any], k: int) -> list[list[Any]]:
    """Split values already sorted by group position into k lists (some may be empty)."""
    out: list[list[Any]] = [[] for _ in range(k)]
    if len(groups) == 0:
        return out
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    for g, a, b in zip(groups[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
        out[g] = values[a:b]
    return out


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
    concern_pos: np.ndarray,
    concern_light: np.ndarray,
    li: np.ndarray,
    examples: pd.DataFrame | None,
    *,
    near: np.ndarray,
    kinds: np.ndarray,
) -> pd.DataFrame | None:
    """Topic and outage flags of the concerns the evidence reads, aligned to study.concerns.

    Only two kinds of concern are read: those inside a hot spot (topics, phrases) and those
    matched to a light that serves one (outage reports). Those are classified, each
    distinct text once (classification is row by row, so the answer is the same as
    classifying every row); the other rows' flags are all False. None when no concern is
    read.
    """
    concerns = study.concerns
    if len(concerns) == 0:
        return None
    needed = (concern_pos >= 0) | near
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
    _type_decides(full, kinds)
    log.debug("classified %d distinct texts of the %d concerns read", len(uniques), len(rows))
    return full
