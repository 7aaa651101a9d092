"""Lighting: dark gaps, lights out or reported out, spacing, and gaps in the lights layer.

Evidence: how far the events are from a working light (lights of unknown status count as
working; lights reported out by residents stay working for the dark-gap measures and are
named in ``lights_reported_out_ids``), the share of events and of the area in a dark gap,
with every light marked out repaired too, where one new light would cover most dark events,
lights marked or reported out (with report dates), the spacing of the lights against a
guide, and whether any light at all is mapped near the place. Without a lights layer the
dark-gap shares are unknown (NaN).

Fixes: ``repair_light`` and ``add_lighting``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from hotspots import _columns as C
from hotspots.factors.base import (
    STRENGTH,
    Column,
    Factor,
    FixRule,
    NoFixReason,
    Row,
    n_events,
    night_text,
    pct,
    precision_note,
)
from hotspots.factors.context import (
    PerPlace,
    PlaceContext,
    group_lists,
    kd_tree,
    nearest_m,
    share,
)
from hotspots.factors.timing import NIGHT_DAY_RATIO, STUDY_NIGHT_DAY_RATIO
from hotspots.settings import Settings

__all__ = ["FACTOR", "inventory_check"]

log = logging.getLogger(__name__)

NEAREST_LIGHT_MEDIAN_M = "nearest_working_light_median_m"
NEAREST_LIGHT_MAX_M = "nearest_working_light_max_m"
DARK_EVENT_SHARE = "dark_event_share"
DARK_EVENTS_AFTER_DARK = "dark_events_after_dark"
DARK_EVENT_SHARE_IF_REPAIRED = "dark_event_share_if_repaired"
DARK_AREA_SHARE = "dark_area_share"
DARK_GAP_X = "dark_gap_x"
DARK_GAP_Y = "dark_gap_y"
DARK_GAP_EVENTS = "dark_gap_events"
WORKING_LIGHTS_IN_REACH = "working_lights_in_reach"
LIGHTS_OUT_IDS = "lights_out_ids"
LIGHTS_REPORTED_OUT_IDS = "lights_reported_out_ids"
OUTAGE_REPORTS = "outage_reports"
OUTAGE_REPORT_DATES = "outage_report_dates"
LIGHT_SPACING_M = "light_spacing_m"
SPACING_LIMIT_M = "spacing_limit_m"
SPACING_EXCEEDED = "spacing_exceeded"
NEAREST_ANY_LIGHT_M = "nearest_any_light_m"
LIGHT_INVENTORY_GAP = "light_inventory_gap"

COLUMNS: tuple[Column, ...] = (
    Column(NEAREST_LIGHT_MEDIAN_M, "float", "m",
           "median distance from the events to the nearest working light"),
    Column(NEAREST_LIGHT_MAX_M, "float", "m", "largest such distance"),
    Column(DARK_EVENT_SHARE, "float", "", "share of events farther than light_radius_m from "
           "every working light (NaN without a lights layer)"),
    Column(DARK_EVENTS_AFTER_DARK, "int", "", "of those, how many happened after dark"),
    Column(DARK_EVENT_SHARE_IF_REPAIRED, "float", "",
           "the same share if every light marked out were working"),
    Column(DARK_AREA_SHARE, "float", "", "share of the hot spot's area in a dark gap"),
    Column(DARK_GAP_X, "float", "m",
           "where one new light would cover most dark events (NaN if none)"),
    Column(DARK_GAP_Y, "float", "m", "(y of the same point)"),
    Column(DARK_GAP_EVENTS, "int", "", "dark events within light_radius_m of that point"),
    Column(WORKING_LIGHTS_IN_REACH, "int", "",
           "working (or unknown-status) lights within light_radius_m"),
    Column(LIGHTS_OUT_IDS, "list of str", "", "lights in reach marked out in the lights layer"),
    Column(LIGHTS_REPORTED_OUT_IDS, "list of str", "",
           "lights in reach that residents reported out"),
    Column(OUTAGE_REPORTS, "int", "", "outage reports matched to lights in reach"),
    Column(OUTAGE_REPORT_DATES, "list of str", "", "dates of those reports (YYYY-MM-DD)"),
    Column(LIGHT_SPACING_M, "float", "m", "median spacing of the lights serving the hot spot"),
    Column(SPACING_LIMIT_M, "float", "m", "max_spacing_ratio x their pole height"),
    Column(SPACING_EXCEEDED, "bool", "", "spacing above the limit"),
    Column(NEAREST_ANY_LIGHT_M, "float", "m",
           "from the place's centre to the nearest light of any status"),
    Column(LIGHT_INVENTORY_GAP, "bool", "",
           "nearest_any_light_m > inventory_gap_m (is the place mapped?)"),
)  # fmt: skip


def lighting_evidence(ctx: PlaceContext) -> pd.DataFrame:
    """Compute the lighting columns for every place.

    Parameters
    ----------
    ctx : PlaceContext
        The shared context (lights' KD-trees, lights in reach, events inside, concerns).

    Returns
    -------
    DataFrame
        One row per place, the columns of :data:`COLUMNS`.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> from hotspots.factors.context import build_context
    >>> study = datasets.load_study("scene")
    >>> ev = lighting_evidence(build_context(study, find_hotspots(study)))
    >>> bool((ev["dark_event_share"] >= 0).all())
    True
    """
    s, k, r = ctx.settings, ctx.k, ctx.settings.light_radius_m
    lights = ctx.study.lights
    working, cl_l, li, light_xy = ctx.light_working, ctx.light_place, ctx.light_index, ctx.light_xy
    per, n_all, night_in = ctx.per_place, ctx.n_events, ctx.inside_dark
    every = np.ones(len(ctx.inside), bool)
    # a light within r of a point inside a hot spot is within r of the hot spot: where only
    # "within r or not" matters, the lights in reach of some hot spot (li) are enough
    reach_work = np.unique(li[working[li]])
    reach_out = np.unique(li[~working[li]])
    d_work = nearest_m(ctx.working_tree, ctx.inside_xy)
    # in a dark gap with every light repaired: no working light and no light marked out
    # within r
    d_all = np.minimum(d_work, nearest_m(kd_tree(light_xy[reach_out]), ctx.inside_xy, upper_m=r))
    ev_dark_gap = d_work > r
    out: dict[str, Any] = {}
    out[NEAREST_LIGHT_MEDIAN_M], out[NEAREST_LIGHT_MAX_M] = per.median_max(d_work, every)
    out[DARK_EVENT_SHARE] = share(per.count(ev_dark_gap), n_all)
    out[DARK_EVENTS_AFTER_DARK] = per.count(ev_dark_gap & night_in)
    out[DARK_EVENT_SHARE_IF_REPAIRED] = share(per.count(d_all > r), n_all)
    out[DARK_AREA_SHARE] = _dark_area_share(ctx.polygons, kd_tree(light_xy[reach_work]), r)
    gap_x, gap_y, gap_n = _best_new_light(
        ctx.inside_xy, ctx.inside_place, ctx.inside, ev_dark_gap, k, r
    )
    out[DARK_GAP_X], out[DARK_GAP_Y], out[DARK_GAP_EVENTS] = gap_x, gap_y, gap_n

    ids = ctx.light_ids
    out[WORKING_LIGHTS_IN_REACH] = np.bincount(cl_l[working[li]], minlength=k)
    out[LIGHTS_OUT_IDS] = group_lists(cl_l[~working[li]], ids[li[~working[li]]], k)
    reported, report_light, report_date = _outage_reports(
        ctx.study.concerns, ctx.concern_flags, ctx.concern_light, len(light_xy)
    )
    rep = reported[li] > 0
    out[LIGHTS_REPORTED_OUT_IDS] = group_lists(cl_l[rep], ids[li[rep]], k)
    out[OUTAGE_REPORTS] = np.bincount(cl_l, weights=reported[li], minlength=k).astype(int)
    out[OUTAGE_REPORT_DATES] = _report_dates(cl_l, li, report_light, report_date, k)
    spacing, limit = _spacing(lights, ctx.light_tree, cl_l, li, k, s)
    out[LIGHT_SPACING_M] = spacing
    out[SPACING_LIMIT_M] = limit
    out[SPACING_EXCEEDED] = spacing > limit
    # a place far from every mapped light, working or not, is more often a place the lights
    # layer does not cover (another agency's or private lights) than a real dark block
    out[NEAREST_ANY_LIGHT_M] = nearest_m(ctx.light_tree, ctx.centre_xy)
    out[LIGHT_INVENTORY_GAP] = out[NEAREST_ANY_LIGHT_M] > s.inventory_gap_m
    if not len(lights):
        log.info("diagnose: no lights layer, so the dark-gap shares are unknown (NaN)")
        for col in (DARK_EVENT_SHARE, DARK_EVENT_SHARE_IF_REPAIRED, DARK_AREA_SHARE):
            out[col] = np.full(k, np.nan)
    log.info(
        "lighting: %d hot spots with dark gaps, %d with lights out or reported out",
        int((out[DARK_EVENT_SHARE] >= 0.5).sum()),
        sum(
            bool(a) or bool(b)
            for a, b in zip(out[LIGHTS_OUT_IDS], out[LIGHTS_REPORTED_OUT_IDS], strict=True)
        ),
    )
    return pd.DataFrame(out, index=ctx.places.index)


# =========================================================================================
# rules
# =========================================================================================


def _repair_light(c: Row, s: Settings) -> Iterator[dict[str, Any]]:
    """Repair a light in reach marked or reported out, when enough events are after dark."""
    if not (c[C.AFTER_DARK_SHARE] >= s.min_after_dark_share):
        return
    marked = list(c[LIGHTS_OUT_IDS])
    reported = list(c[LIGHTS_REPORTED_OUT_IDS])
    for light in sorted(set(marked) | set(reported)):
        how = []
        if light in marked:
            how.append("marked out in the lights layer")
        if light in reported:
            dates = list(c[OUTAGE_REPORT_DATES])
            how.append(
                f"reported out by residents ({int(c[OUTAGE_REPORTS])} report(s)"
                + (f": {', '.join(dates[:5])}" if dates else "")
                + ")"
            )
        drop = c[DARK_EVENT_SHARE] - c[DARK_EVENT_SHARE_IF_REPAIRED]
        evidence = (
            f"{night_text(c)}; light {light} within {s.light_radius_m:.0f} m is "
            + " and ".join(how)
            + f"; nearest working light {c[NEAREST_LIGHT_MEDIAN_M]:.0f} m (median)"
            + (
                f"; with it repaired, events in a dark gap fall from "
                f"{pct(c[DARK_EVENT_SHARE])} to {pct(c[DARK_EVENT_SHARE_IF_REPAIRED])}"
                if drop > 0
                else ""
            )
            + "."
            + precision_note(c)
        )
        yield {
            C.TARGET_ID: light,
            C.TARGET_KIND: "light",
            C.EVIDENCE: evidence,
            C.TRIGGERED_BY: [LIGHTS_OUT_IDS if light in marked else LIGHTS_REPORTED_OUT_IDS,
                             C.AFTER_DARK_SHARE, DARK_EVENT_SHARE_IF_REPAIRED],
            STRENGTH: 1.0 if light in marked else min(1.0, 0.5 + 0.25 * c[OUTAGE_REPORTS]),
        }  # fmt: skip


def _add_lighting(c: Row, s: Settings) -> Iterator[dict[str, Any]]:
    """Events stay in a dark gap with every light repaired, and enough are after dark."""
    if not (c[DARK_EVENT_SHARE_IF_REPAIRED] >= s.min_dark_event_share):
        return
    if not (c[C.AFTER_DARK_SHARE] >= s.min_after_dark_share):
        return
    n_dark = round(c[DARK_EVENT_SHARE] * n_events(c))
    spacing = (
        f"; lights here are {c[LIGHT_SPACING_M]:.0f} m apart against a guide of "
        f"{c[SPACING_LIMIT_M]:.0f} m"
        if bool(c[SPACING_EXCEEDED])
        else ""
    )
    evidence = (
        f"{n_dark} of {n_events(c)} events are farther than {s.light_radius_m:.0f} m from any "
        f"working light (median {c[NEAREST_LIGHT_MEDIAN_M]:.0f} m, up to "
        f"{c[NEAREST_LIGHT_MAX_M]:.0f} m), {int(c[DARK_EVENTS_AFTER_DARK])} of them after "
        f"dark; {pct(c[DARK_AREA_SHARE])} of the area is in a dark gap{spacing}; a light at "
        f"the target point would cover {int(c[DARK_GAP_EVENTS])} of them." + precision_note(c)
    )
    check, factor = inventory_check(c, s)
    yield {
        C.TARGET_KIND: "new_light_point",
        C.TARGET_X: float(c[DARK_GAP_X]),
        C.TARGET_Y: float(c[DARK_GAP_Y]),
        C.EVIDENCE: evidence + check,
        C.TRIGGERED_BY: [DARK_EVENT_SHARE_IF_REPAIRED, C.AFTER_DARK_SHARE, DARK_GAP_X]
        + ([LIGHT_INVENTORY_GAP] if check else []),
        STRENGTH: factor * float(c[DARK_EVENT_SHARE_IF_REPAIRED]),
    }


def inventory_check(c: Row, s: Settings) -> tuple[str, float]:
    """Return a note and a strength factor when no light at all is mapped near the place.

    Parameters
    ----------
    c : Mapping
        One place's evidence (needs ``light_inventory_gap`` and ``nearest_any_light_m``).
    s : Settings
        For ``inventory_gap_m``.

    Returns
    -------
    tuple of (str, float)
        The note (empty when the lights layer covers the place) and 0.5 or 1.0.

    Examples
    --------
    >>> from hotspots import Settings
    >>> inventory_check({"light_inventory_gap": False}, Settings())
    ('', 1.0)
    """
    if not bool(c.get(LIGHT_INVENTORY_GAP, False)):
        return "", 1.0
    d = float(c[NEAREST_ANY_LIGHT_M])
    where = f"within {d:.0f} m" if np.isfinite(d) else "anywhere in the study"
    return (
        f" Check the lights layer first: no light of any status is mapped {where} of this "
        f"place (more than {s.inventory_gap_m:.0f} m is unusual in a built-up street), so the "
        "layer may not cover it (lights owned by another agency, or private ones).",
        0.5,
    )


def _no_fix_reasons(c: Row, s: Settings) -> Iterator[NoFixReason]:
    """Name the lights in reach, none out, and how much happens after dark."""
    nearest = float(c[NEAREST_LIGHT_MEDIAN_M])
    yield NoFixReason(
        f"{int(c[WORKING_LIGHTS_IN_REACH])} working lights within {s.light_radius_m:.0f} m "
        + (f"(nearest {nearest:.0f} m median)" if np.isfinite(nearest) else "(none mapped)")
        + ", none out"
        + (
            f" (no light of any status is mapped within {c[NEAREST_ANY_LIGHT_M]:.0f} m: check "
            "the lights layer covers this place)"
            if bool(c.get(LIGHT_INVENTORY_GAP, False)) and np.isfinite(nearest)
            else ""
        ),
        (WORKING_LIGHTS_IN_REACH,),
    )
    yield NoFixReason(
        f"{night_text(c)} ({pct(c[C.AFTER_DARK_SHARE])}; the study's night/day ratio is "
        f"{c[STUDY_NIGHT_DAY_RATIO]:.2f}, here {c[NIGHT_DAY_RATIO]:.2f})",
        (C.AFTER_DARK_SHARE,),
    )


FACTOR = Factor(
    name="lighting",
    columns=COLUMNS,
    evidence=lighting_evidence,
    rules=(
        FixRule(
            "repair_light",
            _repair_light,
            doc="a light within reach is marked out or reported out by residents, and at "
            "least `min_after_dark_share` of the events happen after dark",
        ),
        FixRule(
            "add_lighting",
            _add_lighting,
            doc="with every light repaired, at least `min_dark_event_share` of the events are "
            "still farther than `light_radius_m` from a light, and enough happen after dark; "
            "target: where one new light covers most of them",
        ),
    ),
    no_fix_reasons=_no_fix_reasons,
    doc="dark gaps, lights out or reported out, spacing, gaps in the lights layer",
)
"""The lighting factor."""


# =========================================================================================
# helpers
# =========================================================================================


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
    dark = nearest_m(lights, np.c_[x, y], upper_m=reach_m) > reach_m
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


def _outage_reports(
    concerns: gpd.GeoDataFrame, flags: pd.DataFrame | None, concern_light: np.ndarray, n_lights: int
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
    when = concerns[C.REPORTED_AT].iloc[np.flatnonzero(hit)]
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
    return group_lists(groups, report_date[at], k)


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
    per = PerPlace(cl, k)
    mask = np.ones(len(cl), bool)
    enough = np.bincount(cl, minlength=k) >= 2
    spacing = np.where(enough, per.median(nn, mask), np.nan)
    limit = np.where(enough, per.median(height, mask) * s.max_spacing_ratio, np.nan)
    return spacing, limit
