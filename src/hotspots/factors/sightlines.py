"""Sightlines: obstructions that hide a place's events from the light or stop that should see them.

Evidence, per place: the straight line from EACH EVENT of the place to its nearest working
light and to its nearest bus stop (each within ``sightline_search_m``) is checked against the
obstructions. The place gets the number and share of its events whose line to either crosses
an obstruction, and the obstructions that do, the one blocking most events first, with a
sentence each ("hedge OBS-009 blocks the view from 14 of 20 events to light L-0042"). Checking
every event rather than the place's centre finds the hedge between an elongated place's
events and their light, and leaves alone the hedge beside the events that the centre's line
happens to cross.

Two checks stay on the place as a whole: with ``streets=``, the line from the place's centre
to the nearest street frontage (a street runs along the place, so the one line from its
centre says whether the place is screened from the street); and the trees or hedges covering
a light that serves the place.

Fixes: ``trim_vegetation`` (a hedge or tree blocking the view of enough events, across the
frontage line or over a light, or residents' overgrowth complaints where no obstruction is
mapped) and ``clear_sightline`` (a wall, fence, building or other structure blocking the view
of enough events, or across the frontage line). "Enough" is :data:`MIN_BLOCKED_SHARE`.
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
    night_text,
    pct,
)
from hotspots.factors.concerns import VEGETATION_CONCERNS
from hotspots.factors.context import PlaceContext, group_lists, split_sorted
from hotspots.settings import Settings
from hotspots.study import Study

__all__ = ["FACTOR", "MIN_BLOCKED_SHARE", "sightline_evidence"]

log = logging.getLogger(__name__)

SIGHTLINE_IDS = "sightline_obstruction_ids"
SIGHTLINE_KINDS = "sightline_obstruction_kinds"
SIGHTLINE_EVENTS = "sightline_obstruction_events"
SIGHTLINE_BLOCKED_EVENTS = "sightline_blocked_events"
SIGHTLINE_BLOCKED_SHARE = "sightline_blocked_share"
SIGHTLINE_DETAIL = "sightline_detail"
FRONTAGE_IDS = "sightline_frontage_ids"
CANOPY_OVER_LIGHT_IDS = "canopy_over_light_ids"

COLUMNS: tuple[Column, ...] = (
    Column(SIGHTLINE_IDS, "list of str", "",
           "obstructions across an event's line to its nearest working light or bus stop, "
           "most-blocking first; then those across the centre's line to the street frontage"),
    Column(SIGHTLINE_KINDS, "list of str", "",
           "their kinds (hedge, tree, wall, fence, building, other)"),
    Column(SIGHTLINE_EVENTS, "list of int", "",
           "per obstruction, the events whose line it crosses (0: frontage line only)"),
    Column(SIGHTLINE_BLOCKED_EVENTS, "int", "",
           "events whose line to their nearest working light or stop crosses an obstruction"),
    Column(SIGHTLINE_BLOCKED_SHARE, "float", "",
           "sightline_blocked_events over the place's events; NaN when no obstruction is "
           "mapped or no event has a working light or stop within sightline_search_m"),
    Column(SIGHTLINE_DETAIL, "list of str", "",
           "'<kind> <id> blocks the view from <n> of <N> events to <target>', then "
           "'<kind> <id> between centre and street frontage (<d> m)'"),
    Column(FRONTAGE_IDS, "list of str", "",
           "obstructions across the line from the centre to the nearest street frontage "
           "(only with streets=)"),
    Column(CANOPY_OVER_LIGHT_IDS, "list of str", "",
           "tree/hedge obstructions covering a light in reach"),
)  # fmt: skip

MIN_BLOCKED_SHARE = 0.25
"""Share of a place's events whose view one obstruction must block for a fix to name it.

Why a quarter: an obstruction that hides one event in four from its light or stop shapes
how the place is used, and trimming or clearing is a cheap, reversible fix, so the bar sits
below the half that lighting and bus-stop fixes need (``min_dark_event_share``,
``min_stop_event_share``); below it, the obstruction hides a few stray events at the edge of
the place. It is not a setting yet (a candidate for ``Settings``)."""

_VEGETATION = ("hedge", "tree")
_STRUCTURE = ("wall", "fence", "building", "other")
_TARGET_LABELS = ("light", "bus stop")  # what an event's line runs to, by code 0, 1
_MAX_TARGETS_NAMED = 3  # targets named per obstruction in a sentence; the rest are counted
_FRONTAGE_STRENGTH = 0.8  # the frontage check has no event count: as strong as before


def sightline_evidence(ctx: PlaceContext) -> pd.DataFrame:
    """Compute the sightline columns for every place.

    Each event inside a place is joined by a straight line to its nearest working light and
    to its nearest bus stop, each within ``sightline_search_m`` (KD-tree queries over all
    events at once); the lines are checked against the obstructions with an STRtree,
    numpy and :func:`shapely.intersects` (:func:`_event_crossings`). An event is blocked
    when either of its lines crosses an obstruction.

    Parameters
    ----------
    ctx : PlaceContext
        The shared context (events inside places, working lights' and stops' KD-trees,
        place centres, lights in reach, streets).

    Returns
    -------
    DataFrame
        One row per place, the columns of :data:`COLUMNS`:

        - ``sightline_obstruction_ids`` (list of str): the obstructions blocking at least
          one event's line, most events first (ties by id), then those only across the
          centre's line to the street frontage, by id;
        - ``sightline_obstruction_kinds`` (list of str): their kinds;
        - ``sightline_obstruction_events`` (list of int): per obstruction, the events whose
          line to their nearest light or stop it crosses (0 for frontage-only ones);
        - ``sightline_blocked_events`` (int): events with at least one blocked line;
        - ``sightline_blocked_share`` (float, 0-1): that over the place's events; NaN when
          no obstruction is mapped or no event has a working light or stop in reach;
        - ``sightline_detail`` (list of str): one sentence per blocking obstruction, in
          the order of the ids, then one per frontage crossing;
        - ``sightline_frontage_ids`` (list of str): obstructions across the frontage line;
        - ``canopy_over_light_ids`` (list of str): trees/hedges covering a light in reach.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> from hotspots.factors.context import build_context
    >>> study = datasets.load_study("scene")
    >>> ev = sightline_evidence(build_context(study, find_hotspots(study)))
    >>> hedge = ev[ev["sightline_obstruction_ids"].map(lambda ids: "OBS-009" in ids)]
    >>> print(hedge["sightline_detail"].iloc[0][0])  # doctest: +ELLIPSIS
    hedge OBS-009 blocks the view from ... events to light ...
    >>> bool((ev["sightline_blocked_share"].dropna().between(0, 1)).all())
    True
    """
    k = ctx.k
    obs = ctx.study.obstructions
    obs_ids = obs[C.ID].astype(str).to_numpy() if len(obs) else np.array([], str)
    obs_kind = obs[C.KIND].astype(str).to_numpy() if len(obs) else np.array([], str)
    obs_tree = shapely.STRtree(obs.geometry.to_numpy()) if len(obs) else None

    targets = (
        (ctx.working_tree, ctx.light_ids[ctx.light_working]),
        (ctx.stop_tree, ctx.stop_ids),
    )
    crossings, in_reach = _event_crossings(
        ctx.inside_xy, ctx.inside_place, targets, obs_tree, ctx.settings.sightline_search_m
    )
    ev = crossings[0]
    place = ctx.inside_place
    blocked = np.zeros(len(place), bool)
    blocked[ev] = True
    n_blocked = np.bincount(place[blocked], minlength=k)
    checked = np.bincount(place[in_reach], minlength=k) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(
            checked & (obs_tree is not None), n_blocked / np.maximum(ctx.n_events, 1), np.nan
        )

    ids, kinds, counts, detail = _per_obstruction(
        crossings, place, (obs_ids, obs_kind), [t[1] for t in targets], ctx.n_events
    )
    front_place, front_obs, front_text = _frontage(
        ctx.centre_xy, ctx.streets, obs_tree, (obs_ids, obs_kind), ctx.settings
    )
    frontage = split_sorted(front_place, obs_ids[front_obs].tolist(), k)
    front_kinds = split_sorted(front_place, obs_kind[front_obs].tolist(), k)
    front_detail = split_sorted(front_place, front_text, k)
    for p in np.unique(front_place).tolist():  # the few places with a frontage crossing
        new = [
            (o, kd) for o, kd in zip(frontage[p], front_kinds[p], strict=True) if o not in ids[p]
        ]
        ids[p] = [*ids[p], *(o for o, _ in new)]
        kinds[p] = [*kinds[p], *(kd for _, kd in new)]
        counts[p] = [*counts[p], *[0] * len(new)]
        detail[p] = [*detail[p], *front_detail[p]]

    canopy = _canopy(ctx.study, ctx.study.lights, ctx.light_place, ctx.light_index, k)
    log.info(
        "sightlines: %d of %d events blocked from their nearest light or stop, at %d hot "
        "spots; %d hot spots with an obstruction across the frontage line",
        int(n_blocked.sum()),
        len(place),
        int((n_blocked > 0).sum()),
        len(np.unique(front_place)),
    )
    return pd.DataFrame(
        {
            SIGHTLINE_IDS: ids,
            SIGHTLINE_KINDS: kinds,
            SIGHTLINE_EVENTS: counts,
            SIGHTLINE_BLOCKED_EVENTS: n_blocked.astype(np.int64),
            SIGHTLINE_BLOCKED_SHARE: share,
            SIGHTLINE_DETAIL: detail,
            FRONTAGE_IDS: frontage,
            CANOPY_OVER_LIGHT_IDS: canopy,
        },
        index=ctx.places.index,
    )


# --- the rules ---------------------------------------------------------------------------


def _most_blocking(c: Row, kinds: tuple[str, ...]) -> tuple[int, float] | None:
    """Position (in the place's ids) and event share of the top obstruction of `kinds`.

    The ids are most-blocking first, so the first one of `kinds` blocking any event is it.
    Its share of the place's events is its part of the blocked events times the blocked
    share. None when it blocks fewer than :data:`MIN_BLOCKED_SHARE` of the events.
    """
    n_blocked = int(c[SIGHTLINE_BLOCKED_EVENTS])
    share = float(c[SIGHTLINE_BLOCKED_SHARE])
    if n_blocked == 0 or not np.isfinite(share):
        return None
    for i, (kind, n) in enumerate(zip(c[SIGHTLINE_KINDS], c[SIGHTLINE_EVENTS], strict=True)):
        if kind in kinds and n > 0:
            own = share * int(n) / n_blocked
            return (i, own) if own >= MIN_BLOCKED_SHARE - 1e-12 else None
    return None


def _sightline_rows(c: Row, kinds: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """Yield the row for the obstruction of `kinds` blocking most events, then frontage ones."""
    ids, kind_of = list(c[SIGHTLINE_IDS]), list(c[SIGHTLINE_KINDS])
    details = list(c[SIGHTLINE_DETAIL])
    top = _most_blocking(c, kinds)
    named = set()
    if top is not None:
        i, own = top
        sentence = details[i]  # event sentences come first, in the order of the ids
        named.add(ids[i])
        yield {
            C.TARGET_ID: ids[i],
            C.TARGET_KIND: "obstruction",
            C.EVIDENCE: (
                f"{sentence[0].upper()}{sentence[1:]} ({pct(own)} of the events here); in "
                f"all, {pct(float(c[SIGHTLINE_BLOCKED_SHARE]))} cannot be seen from their "
                f"nearest light or bus stop. {night_text(c)}."
            ),
            C.TRIGGERED_BY: [SIGHTLINE_BLOCKED_SHARE, SIGHTLINE_IDS],
            STRENGTH: min(1.0, own),
        }
    for oid in c[FRONTAGE_IDS]:
        kind = kind_of[ids.index(oid)]
        if kind not in kinds or oid in named:
            continue
        named.add(oid)
        where = [
            d.split(" between ", 1)[1] for d in details if d.startswith(f"{kind} {oid} between")
        ]
        yield {
            C.TARGET_ID: oid,
            C.TARGET_KIND: "obstruction",
            C.EVIDENCE: (
                f"{kind.capitalize()} {oid} blocks the view: between "
                + "; ".join(where)
                + f". {night_text(c)}."
            ),
            C.TRIGGERED_BY: [FRONTAGE_IDS],
            STRENGTH: _FRONTAGE_STRENGTH,
        }


def _trim_vegetation(c: Row, s: Settings) -> Iterator[dict[str, Any]]:
    """Trim hedges and trees blocking events' views or over a light, or where residents complain."""
    rows = list(_sightline_rows(c, _VEGETATION))
    seen = {r[C.TARGET_ID] for r in rows}
    for oid in c[CANOPY_OVER_LIGHT_IDS]:
        if oid not in seen:
            seen.add(oid)
            rows.append(
                {
                    C.TARGET_ID: oid,
                    C.TARGET_KIND: "obstruction",
                    C.EVIDENCE: f"Vegetation {oid} covers a street light that serves this "
                    f"place. {night_text(c)}.",
                    C.TRIGGERED_BY: [CANOPY_OVER_LIGHT_IDS],
                    STRENGTH: 0.7,
                }
            )
    veg = int(c[VEGETATION_CONCERNS])
    if rows and veg:
        for r in rows:
            r[C.EVIDENCE] += f" {veg} resident concern(s) mention overgrowth or blind spots."
            r[C.TRIGGERED_BY].append(VEGETATION_CONCERNS)
    if not rows and veg >= s.min_topic_concerns:
        rows.append(
            {
                C.TARGET_KIND: "place",
                C.EVIDENCE: (
                    f"{veg} resident concerns mention overgrowth, hedges or blind corners here "
                    f"(no obstruction is mapped: survey the site). {night_text(c)}."
                ),
                C.TRIGGERED_BY: [VEGETATION_CONCERNS],
                STRENGTH: min(1.0, veg / 5),
            }
        )
    yield from rows


def _clear_sightline(c: Row, _s: Settings) -> Iterator[dict[str, Any]]:
    """Clear the wall, fence, building or other structure blocking most events' views."""
    yield from _sightline_rows(c, _STRUCTURE)


def _no_fix_reasons(c: Row, _s: Settings) -> Iterator[NoFixReason]:
    """Say whether obstructions cross the place's sightlines, and if so that too few events."""
    if not len(c[SIGHTLINE_IDS]):
        # also when nothing was checked (no obstruction mapped, or nothing in reach to be
        # seen from: sightline_blocked_share is NaN), as before
        yield NoFixReason("no obstruction across its sightlines", (SIGHTLINE_IDS,))
    elif _most_blocking(c, _VEGETATION + _STRUCTURE) is None and not len(c[FRONTAGE_IDS]):
        yield NoFixReason(
            f"obstructions block the view of only {int(c[SIGHTLINE_BLOCKED_EVENTS])} event(s) "
            f"({pct(float(c[SIGHTLINE_BLOCKED_SHARE]))}; a fix needs one obstruction "
            f"blocking {pct(MIN_BLOCKED_SHARE)})",
            (SIGHTLINE_BLOCKED_SHARE, SIGHTLINE_IDS),
        )
    else:
        yield NoFixReason(
            "obstructions present but rules for them are switched off", (SIGHTLINE_IDS,)
        )


FACTOR = Factor(
    name="sightlines",
    columns=COLUMNS,
    evidence=sightline_evidence,
    rules=(
        FixRule(
            "trim_vegetation",
            _trim_vegetation,
            doc="a hedge or tree blocks the line from at least 25% of the events "
            "(`MIN_BLOCKED_SHARE`) to their nearest working light or stop (target: the one "
            "blocking most), crosses the line from the centre to the nearest street, or "
            "covers a light; or residents complain of overgrowth (`min_topic_concerns`) "
            "where no obstruction is mapped",
        ),
        FixRule(
            "clear_sightline",
            _clear_sightline,
            doc="a wall, fence, building or other structure blocks such lines from at least "
            "25% of the events (target: the one blocking most), or crosses the frontage line",
        ),
    ),
    no_fix_reasons=_no_fix_reasons,
    doc="obstructions between events and their light or stop, canopy over lights",
)
"""The sightline factor."""


# =========================================================================================
# helpers
# =========================================================================================


def _event_crossings(
    xy: np.ndarray,
    place: np.ndarray,
    targets: tuple[tuple[cKDTree | None, np.ndarray], ...],
    obs_tree: shapely.STRtree | None,
    reach_m: float,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Obstructions crossing the line from each event to its nearest target of each kind.

    No geometry is built per event: the events of a place that share a nearest target are
    boxed together (their lines all lie in that box) and the boxes are looked up in the
    obstructions' STRtree; each line is then tested against the bounding boxes of its
    box's obstructions in numpy (:func:`_segment_meets_box`), and only the lines that pass
    are built and tested exactly with :func:`shapely.intersects`.

    Parameters
    ----------
    xy : numpy.ndarray
        Event coordinates, shape (n, 2), metres.
    place : numpy.ndarray of int
        Each event's place position.
    targets : tuple of (cKDTree or None, ids)
        Per target kind (code = position: light, bus stop), its KD-tree and ids.
    obs_tree : shapely.STRtree or None
        The obstructions.
    reach_m : float
        Targets farther than this from an event are not looked for.

    Returns
    -------
    (event, code, target, obstruction), in_reach
        One entry per crossing: the event's position in `xy`, the target kind's code, the
        target's position in its tree and the obstruction's position; and per event whether
        any target is within reach.

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [0.0, 50.0]])
    >>> light = cKDTree(np.array([[20.0, 0.0]]))
    >>> hedge = shapely.STRtree([shapely.box(9, -1, 11, 1)])
    >>> (ev, code, tj, oi), reach = _event_crossings(
    ...     xy, np.array([0, 0]), ((light, ["L"]),), hedge, 100.0
    ... )
    >>> ev.tolist(), oi.tolist(), reach.tolist()
    ([0], [0], [True, True])
    """
    n = len(xy)
    in_reach = np.zeros(n, bool)
    parts: list[tuple[np.ndarray, ...]] = []
    bound = reach_m * (1 + 1e-9) + 1e-9  # a hair above, so a target at exactly reach_m counts
    for code, (tree, _ids) in enumerate(targets):
        if tree is None or n == 0 or obs_tree is None:  # no obstruction: nothing to check
            continue
        _, j = tree.query(xy, k=1, workers=-1, distance_upper_bound=bound)
        ev = np.flatnonzero(j < tree.n)
        in_reach[ev] = True
        if len(ev) == 0:
            continue
        row, oi = _candidates(xy[ev], place[ev], j[ev], tree.data, obs_tree)
        lines = shapely.linestrings(np.stack([xy[ev[row]], tree.data[j[ev[row]]]], axis=1))
        hit = shapely.intersects(lines, obs_tree.geometries[oi])
        e = ev[row[hit]]
        parts.append((e, np.full(len(e), code, np.int64), j[e], oi[hit]))
    if not parts:
        empty = np.zeros(0, np.int64)
        return (empty, empty, empty, empty), in_reach
    ev_all, code_all, tj_all, oi_all = (np.concatenate(a) for a in zip(*parts, strict=True))
    return (ev_all, code_all, tj_all, oi_all), in_reach


def _candidates(
    start: np.ndarray,
    place: np.ndarray,
    target: np.ndarray,
    target_xy: np.ndarray,
    obs_tree: shapely.STRtree,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (line, obstruction) whose line passes through the obstruction's bounding box.

    Line i runs from ``start[i]`` to ``target_xy[target[i]]``.
    """
    order = np.argsort(place.astype(np.int64) * len(target_xy) + target, kind="stable")
    starts, sizes = _runs(place[order], target[order])
    ordered = start[order]
    aim = target_xy[target[order][starts]]  # a box's lines all end at its target
    box_lo = np.minimum(np.minimum.reduceat(ordered, starts, axis=0), aim)
    box_hi = np.maximum(np.maximum.reduceat(ordered, starts, axis=0), aim)
    gi, oi = obs_tree.query(shapely.box(box_lo[:, 0], box_lo[:, 1], box_hi[:, 0], box_hi[:, 1]))
    # every line of a box against each obstruction the box meets
    per = sizes[gi]
    pair = np.repeat(np.arange(len(gi)), per)
    offset = np.arange(len(pair)) - np.repeat(np.cumsum(per) - per, per)
    row, oi = order[starts[gi][pair] + offset], oi[pair]
    bounds = shapely.bounds(obs_tree.geometries[oi])
    keep = _segment_meets_box(start[row], target_xy[target[row]], bounds)
    return row[keep], oi[keep]


def _segment_meets_box(a: np.ndarray, b: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Whether each segment a-b meets its box (xmin, ymin, xmax, ymax), edges included.

    A segment misses an axis-aligned box exactly when their bounding boxes do not overlap
    or all four corners of the box lie strictly on one side of the segment's line.

    Examples
    --------
    >>> a, b = np.array([[0.0, 0.0], [0.0, 5.0]]), np.array([[10.0, 0.0], [10.0, 5.0]])
    >>> _segment_meets_box(a, b, np.array([[4.0, -1, 6, 1], [4.0, -1, 6, 1]])).tolist()
    [True, False]
    """
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    overlap = (
        (lo[:, 0] <= bounds[:, 2])
        & (hi[:, 0] >= bounds[:, 0])
        & (lo[:, 1] <= bounds[:, 3])
        & (hi[:, 1] >= bounds[:, 1])
    )
    d = b - a
    side = [
        d[:, 0] * (bounds[:, yi] - a[:, 1]) - d[:, 1] * (bounds[:, xi] - a[:, 0])
        for xi, yi in ((0, 1), (0, 3), (2, 1), (2, 3))
    ]
    above = (side[0] > 0) & (side[1] > 0) & (side[2] > 0) & (side[3] > 0)
    below = (side[0] < 0) & (side[1] < 0) & (side[2] < 0) & (side[3] < 0)
    return overlap & ~above & ~below


def _runs(*cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the starts and lengths of the runs of equal rows in columns sorted together."""
    change = np.zeros(max(len(cols[0]) - 1, 0), bool)
    for col in cols:
        change |= col[1:] != col[:-1]
    starts = np.flatnonzero(np.r_[True, change]) if len(cols[0]) else np.zeros(0, np.int64)
    return starts, np.diff(np.r_[starts, len(cols[0])])


def _per_obstruction(
    crossings: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    place: np.ndarray,
    obs_info: tuple[np.ndarray, np.ndarray],
    target_ids: list[np.ndarray],
    n_events: np.ndarray,
) -> tuple[list[list[str]], list[list[str]], list[list[int]], list[list[str]]]:
    """Per place: blocking obstructions (most events first), kinds, event counts, sentences.

    `crossings` are :func:`_event_crossings`' (event, target kind, target, obstruction);
    `place` is the place of every event. An event whose lines to a light and to a stop both
    cross one obstruction counts once for it.
    """
    k = len(n_events)
    ev, code, target, obs = crossings
    obs_ids, obs_kind = obs_info
    if len(ev) == 0:
        return (
            [[] for _ in range(k)],
            [[] for _ in range(k)],
            [[] for _ in range(k)],
            [[] for _ in range(k)],
        )
    # distinct (event, obstruction), then events per (place, obstruction)
    o1 = np.lexsort((obs, ev))
    st, _ = _runs(ev[o1], obs[o1])
    e_u, o_u = ev[o1][st], obs[o1][st]
    p_u = place[e_u]
    o2 = np.lexsort((o_u, p_u))
    st, po_n = _runs(p_u[o2], o_u[o2])
    po_p, po_o = p_u[o2][st], o_u[o2][st]
    # events per (place, obstruction, target), most first within each (place, obstruction)
    ep = place[ev]
    o3 = np.lexsort((target, code, obs, ep))
    st, t_n = _runs(ep[o3], obs[o3], code[o3], target[o3])
    tp, to, tc, tt = ep[o3][st], obs[o3][st], code[o3][st], target[o3][st]
    o4 = np.lexsort((tt, tc, -t_n, to, tp))
    tp, to, tc, tt, t_n = tp[o4], to[o4], tc[o4], tt[o4], t_n[o4]
    g_start, g_size = _runs(tp, to)  # the same (place, obstruction) groups, in the same order
    labels = [
        f"{_TARGET_LABELS[c]} {target_ids[c][t]}"
        for c, t in zip(tc.tolist(), tt.tolist(), strict=True)
    ]
    t_counts = t_n.tolist()
    text = [
        _sentence(
            f"{obs_kind[o]} {obs_ids[o]}",
            n,
            int(n_events[p]),
            labels[a : a + m],
            t_counts[a : a + m],
        )
        for p, o, n, a, m in zip(
            po_p.tolist(),
            po_o.tolist(),
            po_n.tolist(),
            g_start.tolist(),
            g_size.tolist(),
            strict=True,
        )
    ]
    # per place: most events first, ties by id
    fin = np.lexsort((obs_ids[po_o], -po_n, po_p))
    p_f, o_f = po_p[fin], po_o[fin]
    return (
        split_sorted(p_f, obs_ids[o_f].tolist(), k),
        split_sorted(p_f, obs_kind[o_f].tolist(), k),
        split_sorted(p_f, po_n[fin].tolist(), k),
        split_sorted(p_f, [text[i] for i in fin.tolist()], k),
    )


def _sentence(what: str, n: int, of: int, targets: list[str], counts: list[int]) -> str:
    """Say how many events an obstruction hides from which lights and stops.

    Examples
    --------
    >>> _sentence("hedge OBS-009", 14, 20, ["light L-0042"], [14])
    'hedge OBS-009 blocks the view from 14 of 20 events to light L-0042'
    >>> to = ["light A", "stop S", "light B", "light C"]
    >>> print(_sentence("wall W-1", 5, 6, to, [4, 3, 1, 1]))
    wall W-1 blocks the view from 5 of 6 events to light A (4), stop S (3), light B (1) and 1 more
    """
    if len(targets) == 1:
        to = targets[0]
    else:
        named = [f"{t} ({c})" for t, c in zip(targets, counts, strict=True)]
        more = len(named) - _MAX_TARGETS_NAMED
        if more > 0:
            to = ", ".join(named[:_MAX_TARGETS_NAMED]) + f" and {more} more"
        else:
            to = ", ".join(named[:-1]) + " and " + named[-1]
    return f"{what} blocks the view from {n} of {of} events to {to}"


def _frontage(
    centre: np.ndarray,
    streets: gpd.GeoDataFrame | None,
    obs_tree: shapely.STRtree | None,
    obs_info: tuple[np.ndarray, np.ndarray],
    s: Settings,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Obstructions across the line from each place's centre to its nearest street frontage.

    Returns (place, obstruction, sentence) per crossing, sorted by place, obstruction id.
    """
    empty = np.zeros(0, np.int64)
    if obs_tree is None or streets is None or len(streets) == 0 or len(centre) == 0:
        return empty, empty, []
    obs_ids, obs_kind = obs_info
    pts = shapely.points(centre)
    street_geoms = streets.geometry.to_numpy()
    ci, sj = shapely.STRtree(street_geoms).query_nearest(
        pts, max_distance=s.sightline_search_m, all_matches=False
    )
    if len(ci) == 0:
        return empty, empty, []
    lines = shapely.shortest_line(pts[ci], street_geoms[sj])
    li, oi = obs_tree.query(lines, predicate="intersects")
    dist = shapely.length(lines)[li]
    place = ci[li]
    order = np.lexsort((obs_ids[oi], place))
    place, oi, dist = place[order], oi[order], dist[order]
    text = [
        f"{obs_kind[o]} {obs_ids[o]} between centre and street frontage ({d:.0f} m)"
        for o, d in zip(oi.tolist(), dist.tolist(), strict=True)
    ]
    return place, oi, text


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
    return group_lists(cl[lj], veg[C.ID].astype(str).to_numpy()[vj], k)
