"""Bus stops: waiting areas where the trouble happens, after dark, and stops in the dark.

Evidence: the stops whose waiting area (``stop_radius_m``) touches the place, the share of
events inside a waiting area and how many of those were after dark, and the stops in a dark
gap (no working light within ``light_radius_m``; none without a lights layer).

Fix: ``improve_bus_stop`` (light the waiting area, review shelter and sightlines, or move
the stop). Lighting the stop is part of it, so it supersedes ``add_lighting`` at the place.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from hotspots import _columns as C
from hotspots.factors.base import STRENGTH, Column, Factor, FixRule, NoFixReason, Row, n_events, pct
from hotspots.factors.context import (
    PlaceContext,
    group_lists,
    group_pairs,
    kd_tree,
    nearest_m,
    pairs_within,
    share,
)
from hotspots.factors.lighting import CHECK_LAYER_FIRST, inventory_check
from hotspots.settings import Settings

__all__ = ["FACTOR"]

log = logging.getLogger(__name__)

STOP_IDS = "stop_ids"
STOP_NAMES = "stop_names"
STOP_EVENT_SHARE = "stop_event_share"
STOP_EVENTS_AFTER_DARK = "stop_events_after_dark"
DARK_STOP_IDS = "dark_stop_ids"

COLUMNS: tuple[Column, ...] = (
    Column(STOP_IDS, "list of str", "", "bus stops whose waiting area touches the hot spot"),
    Column(STOP_NAMES, "list of str", "", "their names, in the order of stop_ids"),
    Column(STOP_EVENT_SHARE, "float", "", "share of events inside a stop's waiting area"),
    Column(STOP_EVENTS_AFTER_DARK, "int", "", "of those, how many after dark"),
    Column(DARK_STOP_IDS, "list of str", "", "of the stops, those in a dark gap"),
)


def stop_evidence(ctx: PlaceContext) -> pd.DataFrame:
    """Compute the bus-stop columns for every place.

    Parameters
    ----------
    ctx : PlaceContext
        The shared context (stops' KD-tree, working lights' KD-tree, events inside).

    Returns
    -------
    DataFrame
        One row per place, the columns of :data:`COLUMNS`.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> from hotspots.factors.context import build_context
    >>> study = datasets.load_study("scene")
    >>> ev = stop_evidence(build_context(study, find_hotspots(study)))
    >>> bool(ev["stop_event_share"].between(0, 1).all())
    True
    """
    s, k = ctx.settings, ctx.k
    stops = ctx.study.stops
    cl_s, si = pairs_within(ctx.polygons, stops.geometry.to_numpy(), s.stop_radius_m)
    # as for lights: a stop within stop_radius_m of an event inside a hot spot is in reach
    near = kd_tree(ctx.stop_xy[np.unique(si)])
    at_stop = nearest_m(near, ctx.inside_xy, upper_m=s.stop_radius_m) <= s.stop_radius_m
    # without any lights layer nothing can be called dark: lighting evidence is unknown
    r = s.light_radius_m
    stop_dark = (nearest_m(ctx.working_tree, ctx.stop_xy, upper_m=r) > r) & (
        len(ctx.study.lights) > 0
    )
    ids, names = group_pairs(cl_s, ctx.stop_ids[si], ctx.stop_names[si], k)
    out = pd.DataFrame(
        {
            STOP_IDS: ids,
            STOP_NAMES: names,
            STOP_EVENT_SHARE: share(ctx.per_place.count(at_stop), ctx.n_events),
            STOP_EVENTS_AFTER_DARK: ctx.per_place.count(at_stop & ctx.inside_dark),
            DARK_STOP_IDS: group_lists(cl_s[stop_dark[si]], ctx.stop_ids[si[stop_dark[si]]], k),
        },
        index=ctx.places.index,
    )
    log.info(
        "bus stops: %d hot spots with bus-stop activity", int((out[STOP_EVENT_SHARE] >= 0.5).sum())
    )
    return out


def _stop_night_share(c: Row) -> float:
    """Share of the events in a stop's waiting area that happened after dark (0 if none)."""
    at_stop = c[STOP_EVENT_SHARE] * n_events(c)
    return float(c[STOP_EVENTS_AFTER_DARK] / at_stop) if at_stop > 0 else 0.0


def _improve_bus_stop(c: Row, s: Settings) -> Iterator[dict[str, Any]]:
    """People wait at the stop after dark: enough events at the stop, enough of them at night.

    A stop in a dark gap strengthens the case but does not make it: a dark stop where
    nothing happens after dark is not a bus-stop-after-dark problem.
    """
    if not len(c[STOP_IDS]) or not (c[STOP_EVENT_SHARE] >= s.min_stop_event_share):
        return
    night = _stop_night_share(c)
    if not night >= s.min_after_dark_share:
        return
    dark = list(c[DARK_STOP_IDS])
    stop = dark[0] if dark else list(c[STOP_IDS])[0]
    names = dict(zip(c[STOP_IDS], c[STOP_NAMES], strict=True))
    at_stop = round(c[STOP_EVENT_SHARE] * n_events(c))
    evidence = (
        f"{at_stop} of {n_events(c)} events within {s.stop_radius_m:.0f} m of bus stop {stop}"
        + (f" ({names[stop]})" if names.get(stop) else "")
        + f", {int(c[STOP_EVENTS_AFTER_DARK])} of them after dark ({pct(night)})"
        + (
            f"; the stop is farther than {s.light_radius_m:.0f} m from any working light"
            if stop in dark
            else ""
        )
        + ": light the waiting area, review shelter and sightlines, or move the stop."
    )
    check = inventory_check(c, s)[0] if stop in dark else ""
    yield {
        C.TARGET_ID: stop,
        C.TARGET_KIND: "stop",
        C.EVIDENCE: (check.strip() + " " + evidence) if check else evidence,
        CHECK_LAYER_FIRST: bool(check),
        C.TRIGGERED_BY: [STOP_EVENT_SHARE, STOP_EVENTS_AFTER_DARK]
        + ([DARK_STOP_IDS] if stop in dark else []),
        STRENGTH: _stop_strength(float(c[STOP_EVENT_SHARE]), night, in_dark=stop in dark),
    }


def _stop_strength(stop_share: float, night_share: float, *, in_dark: bool) -> float:
    """Strength (0-1) of the bus-stop evidence.

    0.8 x the share of events at the stop, weighted by their after-dark share (half weight
    at none, full weight at all), plus 0.2 when the stop is in a dark gap.
    """
    return min(1.0, stop_share * (0.5 + 0.5 * min(1.0, night_share)) * 0.8 + 0.2 * in_dark)


def _no_fix_reasons(c: Row, _s: Settings) -> Iterator[NoFixReason]:
    """Say so when no stop's waiting area touches the place."""
    if not len(c[STOP_IDS]):
        yield NoFixReason("no bus stop waiting area")


FACTOR = Factor(
    name="bus_stops",
    columns=COLUMNS,
    evidence=stop_evidence,
    rules=(
        FixRule(
            "improve_bus_stop",
            _improve_bus_stop,
            supersedes=("add_lighting",),
            doc="at least `min_stop_event_share` of the events are in a stop's waiting area "
            "and at least `min_after_dark_share` of those are after dark; a stop in a dark "
            "gap strengthens the evidence but does not fire the rule alone",
        ),
    ),
    no_fix_reasons=_no_fix_reasons,
    doc="bus-stop waiting areas, after-dark use, stops in the dark",
)
"""The bus-stop factor."""
