"""Resident requests as evidence on their own: lights reported out, overgrowth, graffiti ...

What cities publish is rarely an inventory of poles with a status; it is 311 requests. This
factor stands on them:

- **Reported lights.** Light-out requests (by type, or by text where the type does not say)
  are grouped into one point per light: requests within ``request_group_m`` of each other,
  chained. Each reported light carries the address text its requests give, how many
  reports and on which dates, and, when a lights layer is given, the mapped pole the
  requests are matched to (``outage_match_m``; those are repaired by the lighting factor).
- **Outage windows.** A light counts as out from each request's opening to its closing
  date (read from a ``closed_dt`` / ``closed_date`` / ``completed`` / ``resolved`` ...
  source column), or to the end of the incident data when it has none (said so). The
  after-dark incident rate within ``outage_window_m`` of the light while it was reported
  out is compared with the rate while it was not: an exact conditional Poisson rate ratio
  (binomial split of the events given the nights at risk; Clopper-Pearson interval).
- **Other requests as targets.** Vegetation (trimming, a tree blocking a light or a sign),
  graffiti and vacant-building requests, grouped the same way, give their fix at the
  reported location.

Fixes: ``repair_light`` at a reported light no mapped pole accounts for,
``trim_vegetation`` (when no obstruction layer is given), ``remove_graffiti``,
``secure_vacant_building``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import shapely
from scipy import sparse, stats
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from hotspots import _columns as C
from hotspots._requests import LIGHT_OUT, address_text, closed_times
from hotspots.factors.base import (
    STRENGTH,
    Column,
    Factor,
    FixRule,
    NoFixReason,
    Row,
    night_text,
    precision_note,
)
from hotspots.factors.context import PlaceContext, pairs_within, split_sorted
from hotspots.settings import Settings
from hotspots.topics import OUTAGE_REPORT, TOPIC_PREFIX

__all__ = ["FACTOR", "REPORTED_OUTAGES", "REQUEST_TARGETS", "outage_rate_ratio"]

log = logging.getLogger(__name__)

REPORTED_OUTAGES = "reported_outages"
REQUEST_TARGETS = "request_targets"
REQUEST_KIND_COUNTS = "request_kind_counts"
OUTAGE_WINDOW = "outage_window"

COLUMNS: tuple[Column, ...] = (
    Column(REQUEST_KIND_COUNTS, "dict", "",
           "requests within outage_match_m of the place, by request kind"),
    Column(REPORTED_OUTAGES, "list of dict", "",
           "lights reported out within outage_match_m: id, x, y, address, reports, dates, "
           "light_id (matched pole or ''), n_out, n_not_out, nights_out, nights_not_out, "
           "rate_ratio, ci_low, ci_high, p_value, window (sentence)"),
    Column(OUTAGE_WINDOW, "str", "",
           "the outage-window comparison of the most reported light near the place"),
    Column(REQUEST_TARGETS, "list of dict", "",
           "vegetation, graffiti and vacant-building requests grouped by location: kind, id, "
           "x, y, address, reports, dates"),
)  # fmt: skip

_TARGET_KINDS = ("vegetation", "graffiti", "vacant_building")
_NO_OBSTRUCTIONS = "no_obstruction_layer"
_MAX_LIGHTS = 8  # reported lights an incident can count for
_CHAIN_M = 100.0  # requests farther than this beyond outage_match_m are not grouped
_NIGHT_DAYS = 1.0


def request_evidence(ctx: PlaceContext) -> pd.DataFrame:
    """Compute the request columns for every place.

    Parameters
    ----------
    ctx : PlaceContext
        The shared context (request kinds, outage flags, the concerns and incidents).

    Returns
    -------
    DataFrame
        One row per place, the columns of :data:`COLUMNS`.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> from hotspots.factors.context import build_context
    >>> study = datasets.load_study("scene")
    >>> ev = request_evidence(build_context(study, find_hotspots(study)))
    >>> sorted(ev.columns)
    ['outage_window', 'reported_outages', 'request_kind_counts', 'request_targets']
    """
    s, k = ctx.settings, ctx.k
    concerns = ctx.study.concerns
    kinds = _concern_kinds(ctx)
    counts: list[dict[str, int]] = [{} for _ in range(k)]
    outages: list[list[dict[str, Any]]] = [[] for _ in range(k)]
    targets: list[list[dict[str, Any]]] = [[] for _ in range(k)]
    windows = [""] * k
    if k == 0 or len(concerns) == 0:
        return _frame(ctx, counts, outages, windows, targets)
    xy = shapely.get_coordinates(concerns.geometry.to_numpy())
    cl, ci = pairs_within(ctx.polygons, concerns.geometry.to_numpy(), s.outage_match_m)
    typed = kinds[ci] != ""
    if typed.any():
        frame = pd.DataFrame({"p": cl[typed], "kind": kinds[ci[typed]]})
        for (p, kind), n in frame.value_counts().sort_index().items():
            counts[int(p)][str(kind)] = int(n)
    groups = _group_requests(ctx, kinds, xy)
    if groups.empty:
        return _frame(ctx, counts, outages, windows, targets)
    gxy = groups[["x", "y"]].to_numpy(float)
    gl, gi = pairs_within(ctx.polygons, shapely.points(gxy), s.outage_match_m)
    light = groups["kind"].to_numpy(object) == LIGHT_OUT
    near = np.zeros(len(groups), bool)
    near[gi] = True
    _outage_windows(ctx, groups, light, near)
    at = np.flatnonzero(near)
    records: dict[int, dict[str, Any]] = dict(zip(at.tolist(), _rows(groups, at), strict=True))
    no_obstructions = len(ctx.study.obstructions) == 0
    for rec in records.values():
        rec[_NO_OBSTRUCTIONS] = no_obstructions
    for p, g in zip(gl.tolist(), gi.tolist(), strict=True):
        rec = records[g]
        (outages if light[g] else targets)[p].append(rec)
    for p in range(k):
        outages[p].sort(key=lambda r: (-r["reports"], r["id"]))
        targets[p].sort(key=lambda r: (r["kind"], -r["reports"], r["id"]))
        if outages[p]:
            windows[p] = outages[p][0]["window"]
    log.info(
        "requests: %d reported lights (%d near a hot spot), %d other request locations",
        int(light.sum()),
        len({g for g in gi.tolist() if light[g]}),
        int((~light).sum()),
    )
    return _frame(ctx, counts, outages, windows, targets)


def _frame(ctx, counts, outages, windows, targets) -> pd.DataFrame:  # noqa: ANN001
    return pd.DataFrame(
        {
            REQUEST_KIND_COUNTS: counts,
            REPORTED_OUTAGES: outages,
            OUTAGE_WINDOW: windows,
            REQUEST_TARGETS: targets,
        },
        index=ctx.places.index,
    )


def _concern_kinds(ctx: PlaceContext) -> np.ndarray:
    """Kind of every concern: its type's, else light_out / vegetation from its text."""
    kinds = np.asarray(ctx.concern_kind, dtype=object).copy()
    kinds[ctx.concern_outage] = LIGHT_OUT
    flags = ctx.concern_flags
    if flags is not None:
        untyped = kinds == ""
        veg = flags.get(TOPIC_PREFIX + "vegetation_sightline")
        if veg is not None:
            kinds[untyped & veg.to_numpy(bool) & ~flags[OUTAGE_REPORT].to_numpy(bool)] = (
                "vegetation"
            )
    return kinds


def _group_requests(ctx: PlaceContext, kinds: np.ndarray, xy: np.ndarray) -> pd.DataFrame:
    """One row per reported location: requests of one kind within request_group_m, chained."""
    s = ctx.settings
    concerns = ctx.study.concerns
    # only requests that can reach a place matter (a chain of repeat reports included)
    reach = np.zeros(len(kinds), bool)
    reach[
        pairs_within(ctx.polygons, concerns.geometry.to_numpy(), _CHAIN_M + s.outage_match_m)[1]
    ] = True
    use = np.flatnonzero(np.isin(kinds, (LIGHT_OUT, *_TARGET_KINDS)) & reach)
    if len(use) == 0:
        return pd.DataFrame()
    kind = kinds[use]
    codes, names = pd.factorize(pd.Series(kind))
    pts = xy[use].copy()
    # each kind far apart along x: one KD-tree, no pair across kinds
    pts[:, 0] += codes * (np.ptp(xy[:, 0]) + 100 * s.request_group_m + 1.0)
    pairs = cKDTree(pts).query_pairs(s.request_group_m, output_type="ndarray")
    graph = sparse.coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(use), len(use))
    )
    _, comp = connected_components(graph, directed=False)
    opened = concerns[C.REPORTED_AT].iloc[use]
    closed, _ = closed_times(concerns.iloc[use], ctx.study.tz)
    frame = pd.DataFrame(
        {
            "comp": comp,
            "kind": kind,
            "row": use,
            "request_id": concerns[C.ID].astype(str).to_numpy()[use],
            "x": xy[use, 0],
            "y": xy[use, 1],
            "opened": opened.reset_index(drop=True),
            "closed": closed.reset_index(drop=True),
            "address": address_text(concerns.iloc[use]).to_numpy(object),
            "pole": ctx.concern_light[use],
            "day": opened.dt.strftime("%Y-%m-%d").to_numpy(object),
        }
    ).sort_values(["comp", "opened", "request_id"], kind="stable")
    by = frame.groupby("comp", sort=True)
    first = by.first()
    comps = first.index.to_numpy()
    out = pd.DataFrame(
        {
            "kind": first["kind"].to_numpy(object),
            "id": ("R-" + first["request_id"].astype(str)).to_numpy(object),
            "x": by["x"].mean().to_numpy(float),
            "y": by["y"].mean().to_numpy(float),
            "address": _most_common(frame, "address", frame["address"] != "", comps, ""),
            "reports": by.size().to_numpy(int),
            "dates": _distinct_sorted(frame, "day", comps),
            "light_id": _most_common(frame, "pole", frame["pole"] >= 0, comps, -1),
        }
    )
    ids = ctx.light_ids
    out["light_id"] = [str(ids[int(i)]) if i >= 0 else "" for i in out["light_id"].tolist()]
    out.attrs["requests"] = frame
    return out


def _most_common(
    frame: pd.DataFrame, col: str, ok: pd.Series, comps: np.ndarray, missing: Any
) -> np.ndarray:
    """Per group (in `comps` order), its most common value of `col` among `ok` rows."""
    counts = frame[ok.to_numpy(bool)].groupby(["comp", col]).size().reset_index(name="n")
    counts = counts.sort_values(["comp", "n", col], ascending=[True, False, True])
    best = counts.drop_duplicates("comp").set_index("comp")[col]
    return best.reindex(comps).where(lambda v: v.notna(), missing).to_numpy(object)


def _distinct_sorted(frame: pd.DataFrame, col: str, comps: np.ndarray) -> list[list[str]]:
    """Per group (in `comps` order), its distinct values of `col`, sorted."""
    pairs = frame[["comp", col]].drop_duplicates().sort_values(["comp", col])
    at = np.searchsorted(comps, pairs["comp"].to_numpy())
    return split_sorted(at, pairs[col].astype(str).tolist(), len(comps))


def _outage_windows(
    ctx: PlaceContext, groups: pd.DataFrame, light: np.ndarray, near_place: np.ndarray
) -> None:
    """Add the outage-window comparison of every reported light to `groups` (in place).

    The sentence is written for the lights near a place (`near_place`) only.
    """
    s = ctx.settings
    n = len(groups)
    for col in ("n_out", "n_not_out"):
        groups[col] = np.zeros(n, int)
    for col in ("nights_out", "nights_not_out", "rate_ratio", "ci_low", "ci_high", "p_value"):
        groups[col] = np.full(n, np.nan)
    groups["window"] = [""] * n
    is_inc = (ctx.events[C.SOURCE] == C.SOURCE_INCIDENT).to_numpy()
    if not light.any() or not is_inc.any():
        return
    times = ctx.events[C.TIME]
    t_inc = times[is_inc]
    # compare only over the time both layers cover: before the first request the requests
    # say nothing about whether a light was out
    reported = ctx.study.concerns[C.REPORTED_AT]
    start, end = max(t_inc.min(), reported.min()), t_inc.max()
    if not start < end:
        groups.loc[light, "window"] = (
            f"the requests (from {reported.min():%Y-%m-%d}) and the incidents (to "
            f"{t_inc.max():%Y-%m-%d}) do not overlap in time, so the after-dark rate while the "
            "light was out cannot be compared"
        )
        return
    req = groups.attrs["requests"]
    req = req[req["kind"] == LIGHT_OUT]
    comp_to_group = {c: g for g, c in enumerate(sorted(groups.attrs["requests"]["comp"].unique()))}
    g_of = req["comp"].map(comp_to_group).to_numpy(int)
    opened = req["opened"].dt.tz_convert(ctx.study.tz)
    closed = req["closed"].dt.tz_convert(ctx.study.tz)
    still_open = closed.isna().to_numpy()
    t0 = opened.clip(lower=start, upper=end)
    t1 = closed.fillna(end).clip(lower=start, upper=end)
    a = (t0 - start).dt.total_seconds().to_numpy() / 86400.0
    b = np.maximum((t1 - start).dt.total_seconds().to_numpy() / 86400.0, a)
    total = (end - start).total_seconds() / 86400.0
    nights_out = _union_length(g_of, a, b, n)
    # after-dark incidents near each reported light, and whether it was out at the time
    in_period = ((times >= start) & (times <= end)).to_numpy()
    dark_inc = np.flatnonzero(is_inc & ctx.event_dark & in_period)
    ev_xy = shapely.get_coordinates(ctx.events.geometry.to_numpy()[dark_inc])
    ev_t = (times.iloc[dark_inc] - start).dt.total_seconds().to_numpy() / 86400.0
    lights = np.flatnonzero(light & near_place)
    n_out = np.zeros(n, int)
    n_all = np.zeros(n, int)
    if len(dark_inc) and len(lights):
        # each incident counts for every reported light (up to the nearest _MAX_LIGHTS)
        # within outage_window_m: one query of a small tree
        d, j = cKDTree(groups[["x", "y"]].to_numpy(float)[lights]).query(
            ev_xy,
            k=min(_MAX_LIGHTS, len(lights)),
            distance_upper_bound=s.outage_window_m * (1 + 1e-9),
            workers=-1,
        )
        d, j = d.reshape(len(ev_xy), -1), j.reshape(len(ev_xy), -1)
        pe, col = np.nonzero(np.isfinite(d))
        pg = lights[j[pe, col]]
        n_all = np.bincount(pg, minlength=n)
        # expand each (light, event) pair over the light's requests: out if any window holds it
        order = np.argsort(g_of, kind="stable")
        gs, ga, gb = g_of[order], a[order], b[order]
        lo = np.searchsorted(gs, pg, side="left")
        hi = np.searchsorted(gs, pg, side="right")
        reps = hi - lo
        pair = np.repeat(np.arange(len(pg)), reps)
        at = np.repeat(lo - np.r_[0, np.cumsum(reps)[:-1]], reps) + np.arange(reps.sum())
        inside = (ga[at] <= ev_t[pe][pair]) & (ev_t[pe][pair] <= gb[at])
        out_pair = np.bincount(pair[inside], minlength=len(pg)) > 0
        n_out = np.bincount(pg[out_pair], minlength=n)
    open_any = np.bincount(g_of[still_open], minlength=n) > 0
    groups["n_out"] = n_out
    groups["n_not_out"] = n_all - n_out
    groups["nights_out"] = nights_out
    groups["nights_not_out"] = np.maximum(total - nights_out, 0.0)
    rr, lo_, hi_, p = outage_rate_ratio(
        n_out, n_all - n_out, nights_out, np.maximum(total - nights_out, 0.0)
    )
    groups["rate_ratio"], groups["ci_low"], groups["ci_high"], groups["p_value"] = rr, lo_, hi_, p
    end_day = end.strftime("%Y-%m-%d")
    period = f"{start:%Y-%m-%d} to {end_day}"
    first_req = (
        opened.reset_index(drop=True).groupby(g_of).min().dt.strftime("%Y-%m-%d").reindex(range(n))
    ).to_numpy(object)
    said = np.flatnonzero(light & near_place)
    text = np.full(n, "", dtype=object)
    text[said] = [
        _window_text(row, s, (period, end_day), bool(open_any[i]), first_req[i])
        for i, row in zip(said.tolist(), _rows(groups, said), strict=True)
    ]
    groups["window"] = text


def _rows(frame: pd.DataFrame, at: np.ndarray) -> list[dict[str, Any]]:
    """Return the rows at positions `at` as dicts of plain Python values.

    Faster than ``DataFrame.to_dict`` on Arrow-backed text.
    """
    names = list(frame.columns)
    values = [frame[c].to_numpy()[at].tolist() for c in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def _union_length(g: np.ndarray, a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Length of the union of intervals [a, b] per group g (vectorised sweep)."""
    if len(g) == 0:
        return np.zeros(n)
    order = np.lexsort((a, g))
    g, a, b = g[order], a[order], b[order]
    frame = pd.DataFrame({"g": g, "b": b})
    prev_end = frame.groupby("g")["b"].cummax().groupby(frame["g"]).shift(1).to_numpy()
    start = np.where(np.isnan(prev_end), a, np.maximum(a, prev_end))
    return np.bincount(g, weights=np.maximum(b - start, 0.0), minlength=n)


def outage_rate_ratio(
    n_out: np.ndarray,
    n_not: np.ndarray,
    t_out: np.ndarray,
    t_not: np.ndarray,
    *,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Exact conditional Poisson rate ratio ``(n_out / t_out) / (n_not / t_not)``.

    Given the total ``n = n_out + n_not``, ``n_out`` is binomial with probability
    ``t_out RR / (t_out RR + t_not)``; the Clopper-Pearson interval of that probability
    gives the interval of RR, and the two-sided binomial test against ``t_out / (t_out +
    t_not)`` the p-value (RR = 1). NaN where either exposure is 0.

    Parameters
    ----------
    n_out, n_not : array of int
        Events while exposed (the light out) and not.
    t_out, t_not : array of float
        Exposure (nights) of each.
    level : float
        Confidence level.

    Returns
    -------
    tuple of arrays
        ``(rate_ratio, ci_low, ci_high, p_value)``.

    Examples
    --------
    >>> import numpy as np
    >>> rr, lo, hi, p = outage_rate_ratio(np.array([11]), np.array([9]),
    ...                                   np.array([40.0]), np.array([140.0]))
    >>> round(float(rr[0]), 1), round(float(lo[0]), 1), round(float(hi[0]), 1)
    (4.3, 1.6, 11.7)
    """
    n_out, n_not = np.asarray(n_out, float), np.asarray(n_not, float)
    t_out, t_not = np.asarray(t_out, float), np.asarray(t_not, float)
    n = n_out + n_not
    ok = (t_out > 0) & (t_not > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = np.where(ok, (n_out / t_out) / (n_not / t_not), np.nan)
        alpha = 1 - level
        p_lo = np.where(n_out > 0, stats.beta.ppf(alpha / 2, n_out, n - n_out + 1), 0.0)
        p_hi = np.where(n_not > 0, stats.beta.ppf(1 - alpha / 2, n_out + 1, n - n_out), 1.0)
        scale = t_not / t_out
        lo = np.where(ok, p_lo / (1 - p_lo) * scale, np.nan)
        hi = np.where(ok & (p_hi < 1), p_hi / (1 - p_hi) * scale, np.where(ok, np.inf, np.nan))
        p0 = np.where(ok, t_out / (t_out + t_not), 0.5)
        below = stats.binom.cdf(n_out, n, p0)
        above = stats.binom.sf(n_out - 1, n, p0)
        p = np.where(ok & (n > 0), np.minimum(1.0, 2 * np.minimum(below, above)), np.nan)
    rr = np.where(ok & (n == 0), np.nan, rr)
    return rr, lo, hi, p


def _window_text(
    g: dict[str, Any], s: Settings, days: tuple[str, str], still_open: bool, first: Any
) -> str:
    """Return the outage-window sentence of one reported light."""
    r = int(s.outage_window_m)
    period, end_day = days
    if not g["nights_out"] > 0:
        when = first if isinstance(first, str) else "?"
        return (
            f"the outage reports (from {when}) do not overlap the incident data in time, so "
            "the after-dark rate while the light was out cannot be compared"
        )
    if not g["nights_not_out"] > 0:
        return "the light was reported out for the whole incident period: nothing to compare with"
    n_out, n_not = int(g["n_out"]), int(g["n_not_out"])
    counts = (
        f"{n_out} vs {n_not} events over {g['nights_out']:.0f} vs "
        f"{g['nights_not_out']:.0f} nights, {period}"
    )
    tail = (
        f"; counted as out until the end of the data, {end_day}, no closing date"
        if still_open
        else ""
    )
    if n_out + n_not == 0:
        return f"no after-dark incidents within {r} m of the reported light ({counts}{tail})"
    rr, lo, hi = g["rate_ratio"], g["ci_low"], g["ci_high"]
    hi_text = f"{hi:.1f}" if np.isfinite(hi) else "\u221e"
    if not np.isfinite(rr):
        head = f"after-dark incidents within {r} m happened only while the light was reported out"
    elif rr == 0:
        head = f"no after-dark incidents within {r} m while the light was reported out"
    else:
        word = "higher" if rr >= 1 else "lower"
        factor = rr if rr >= 1 else 1 / rr
        head = (
            f"after-dark incidents within {r} m ran {factor:.1f}\u00d7 {word} while the light "
            "was reported out"
        )
    return f"{head} (95% CI {lo:.1f}\u2013{hi_text}; {counts}{tail})"


# =========================================================================================
# rules
# =========================================================================================


def _repair_reported_light(c: Row, s: Settings) -> Iterator[dict[str, Any]]:
    """Repair a light residents reported out that no mapped pole accounts for."""
    if not (c[C.AFTER_DARK_SHARE] >= s.min_after_dark_share):
        return
    lights_mapped = np.isfinite(float(c.get("nearest_any_light_m", np.inf)))
    for g in c[REPORTED_OUTAGES]:
        if g["light_id"]:
            continue  # matched to a mapped pole: the lighting factor repairs it
        dates = list(g["dates"])
        where = f" at {g['address']}" if g["address"] else ""
        evidence = (
            f"{night_text(c)}; a light{where} was reported out by residents "
            f"{int(g['reports'])} time(s) ({', '.join(dates[:5])}"
            f"{' ...' if len(dates) > 5 else ''})"
            + (f"; {g['window']}" if g["window"] else "")
            + "."
            + precision_note(c)
        )
        check = lights_mapped  # a lights layer is given, yet no pole is mapped at the report
        if check:
            evidence = (
                "Check the layer first: the lights layer maps no pole within "
                f"{s.outage_match_m:.0f} m of these reports. " + evidence
            )
        significant = np.isfinite(g["p_value"]) and g["p_value"] < 0.05 and g["rate_ratio"] > 1
        yield {
            C.TARGET_ID: g["id"],
            C.TARGET_KIND: "reported_light",
            C.TARGET_X: float(g["x"]),
            C.TARGET_Y: float(g["y"]),
            C.EVIDENCE: evidence,
            C.TRIGGERED_BY: [REPORTED_OUTAGES, C.AFTER_DARK_SHARE, OUTAGE_WINDOW],
            STRENGTH: min(1.0, 0.4 + 0.15 * int(g["reports"]) + 0.3 * significant),
            "check_layer_first": bool(check),
        }


def _target_rows(c: Row, s: Settings, kind: str, what: str, action: str) -> Iterator[dict]:
    groups = [g for g in c[REQUEST_TARGETS] if g["kind"] == kind]
    total = sum(int(g["reports"]) for g in groups)
    if total < s.min_topic_concerns:
        return
    for g in groups:
        where = f" at {g['address']}" if g["address"] else ""
        dates = list(g["dates"])
        yield {
            C.TARGET_ID: g["id"],
            C.TARGET_KIND: "request_location",
            C.TARGET_X: float(g["x"]),
            C.TARGET_Y: float(g["y"]),
            C.EVIDENCE: (
                f"{int(g['reports'])} resident request(s) about {what}{where} "
                f"({', '.join(dates[:5])}{' ...' if len(dates) > 5 else ''}); {total} such "
                f"request(s) within {s.outage_match_m:.0f} m of this place: {action}."
            ),
            C.TRIGGERED_BY: [REQUEST_TARGETS, REQUEST_KIND_COUNTS],
            STRENGTH: min(1.0, total / 5),
        }


def _remove_graffiti(c: Row, s: Settings) -> Iterator[dict[str, Any]]:
    yield from _target_rows(c, s, "graffiti", "graffiti", "remove it and keep it removed")


def _secure_vacant(c: Row, s: Settings) -> Iterator[dict[str, Any]]:
    yield from _target_rows(
        c, s, "vacant_building", "a vacant or open building or lot",
        "inspect, secure and board up or remediate",
    )  # fmt: skip


def _no_fix_reasons(c: Row, _s: Settings) -> Iterator[NoFixReason]:
    outs = [g for g in c[REPORTED_OUTAGES] if not g["light_id"]]
    if outs:
        n = sum(int(g["reports"]) for g in outs)
        yield NoFixReason(
            f"{n} light-out request(s) nearby, but too few events after dark ({night_text(c)})",
            (REPORTED_OUTAGES,),
        )


def _trim_rule(c: Row, s: Settings) -> Iterator[dict[str, Any]]:
    targets = list(c[REQUEST_TARGETS])
    if targets and not all(g.get(_NO_OBSTRUCTIONS, True) for g in targets):
        return
    yield from _target_rows(
        c, s, "vegetation", "overgrowth or a tree blocking a light or sign",
        "survey and trim at the reported location",
    )  # fmt: skip


FACTOR = Factor(
    name="requests",
    columns=COLUMNS,
    evidence=request_evidence,
    rules=(
        FixRule(
            "repair_light",
            _repair_reported_light,
            doc="a light reported out by residents (grouped requests) within `outage_match_m` "
            "that no mapped pole accounts for, and at least `min_after_dark_share` of the "
            "events after dark; target: the reported location; the evidence gives the "
            "outage-window rate ratio",
        ),
        FixRule(
            "trim_vegetation",
            _trim_rule,
            doc="at least `min_topic_concerns` vegetation requests (trimming, a tree blocking "
            "a light or sign) within `outage_match_m`, and no obstruction layer; target: the "
            "reported location",
        ),
        FixRule(
            "remove_graffiti",
            _remove_graffiti,
            doc="at least `min_topic_concerns` graffiti requests within `outage_match_m`",
        ),
        FixRule(
            "secure_vacant_building",
            _secure_vacant,
            doc="at least `min_topic_concerns` vacant-building requests within `outage_match_m`",
        ),
    ),
    no_fix_reasons=_no_fix_reasons,
    doc="resident requests on their own: lights reported out (with outage windows), "
    "vegetation, graffiti and vacant buildings at the reported location",
)
"""The resident-requests factor."""
