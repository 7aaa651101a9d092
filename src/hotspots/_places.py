"""Place summaries for scanning: polygons, membership, recurrence, counts and times.

A place is the convex hull of a cluster's events buffered by ``hull_buffer_m``; its events
are the events inside that polygon (:func:`assign`), so every count :func:`describe` gives
can be reproduced from the polygon and the event layer alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import ConvexHull, QhullError, cKDTree

from hotspots import _columns as C

MIX_BOTH = "both"
MIX_INCIDENT_ONLY = "incident_only"
MIX_CONCERN_ONLY = "concern_only"
NO_CATEGORY = "(none)"

NS_PER_DAY = 86_400 * 10**9
_DENSE_DAY_CELLS = 50_000_000  # (cluster x day) booleans before counting days by sorting


def hull_size(xy: np.ndarray) -> tuple[float, float]:
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


def time_arrays(times: pd.Series, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """UTC nanoseconds and local day numbers (days since 1970-01-01, local calendar)."""
    t = times.dt.tz_convert(tz).dt.as_unit("ns")
    utc_ns = t.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]").view(np.int64)
    wall = t.dt.tz_localize(None).to_numpy("datetime64[ns]").view(np.int64)
    return utc_ns, np.floor_divide(wall, NS_PER_DAY)


def hulls(xy: np.ndarray, labels: np.ndarray, k: int, buffer_m: float) -> np.ndarray:
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


def assign(xy: np.ndarray, polys: np.ndarray) -> np.ndarray:
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


def recurring(
    pos: np.ndarray, day: np.ndarray, k: int, min_days: int, span_days: int
) -> np.ndarray:
    """Mask of the clusters with >= min_days distinct days spread over >= span_days."""
    if k == 0:
        return np.zeros(0, bool)
    n_days, first_day, last_day = day_stats(pos, day, k)
    return (n_days >= min_days) & (last_day - first_day >= span_days)


def day_stats(pos: np.ndarray, day: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
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


def centroids(xy: np.ndarray, pos: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
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


def describe(
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
    n_days, first_day, last_day = day_stats(pos, day, k)
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
            C.CLUSTER_ID: pd.array(ids, dtype="str"),
            C.GEOMETRY: polys,
            C.CENTROID_X: cx,
            C.CENTROID_Y: cy,
            C.N_EVENTS: n_events.astype(np.int64),
            C.N_INCIDENTS: n_inc.astype(np.int64),
            C.N_CONCERNS: n_con.astype(np.int64),
            C.SOURCE_MIX: pd.array(mix.tolist(), dtype="str"),
            C.CATEGORIES: category_counts(p, category[inside], k),
            C.FIRST_SEEN: pd.to_datetime(first_t, utc=True).tz_convert(tz),
            C.LAST_SEEN: pd.to_datetime(last_t, utc=True).tz_convert(tz),
            C.N_DAYS: n_days.astype(np.int64),
            C.SPAN_DAYS: span.astype(np.int64),
            C.EVENTS_PER_WEEK: n_events * 7.0 / (span + 1),
            C.AREA_M2: shapely.area(polys) if k else np.zeros(0),
        }
    )


def category_counts(p: np.ndarray, category: pd.Series, k: int) -> list[dict[str, int]]:
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


def busiest_window(
    pos: np.ndarray, utc_ns: np.ndarray, k: int, window_ns: int = NS_PER_DAY
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each place's busiest sliding window of `window_ns` (24 hours by default).

    A sliding window, not a calendar day: 20 events from 22:00 to 04:00 are one burst.
    For every event, the events of the same place in ``[t, t + window)`` are counted (one
    ``searchsorted`` on keys sorted by place, then time); the window that holds the most,
    earliest first on ties, is the place's busiest.

    Returns
    -------
    count : ndarray of int, shape (k,)
        Events in the busiest window (0 for a place with no events).
    start_ns : ndarray of int, shape (k,)
        Its start (UTC ns), the time of its first event.
    in_window : ndarray of bool, shape (n,)
        Whether each event is in its place's busiest window.
    """
    count = np.zeros(k, np.int64)
    start = np.zeros(k, np.int64)
    in_window = np.zeros(len(pos), bool)
    inside = np.flatnonzero(pos >= 0)
    if k == 0 or len(inside) == 0:
        return count, start, in_window
    p, t = pos[inside], utc_ns[inside]
    order = np.lexsort((t, p))
    p, t, idx = p[order], t[order], inside[order]
    t0 = int(t.min())
    span = int(t.max()) - t0 + window_ns + 1
    key = p.astype(np.int64) * span + (t - t0)  # sorted: place-major, then time
    ahead = np.searchsorted(key, key + window_ns, side="left") - np.arange(len(key))
    group_start = np.r_[0, np.flatnonzero(p[1:] != p[:-1]) + 1]
    best = np.maximum.reduceat(ahead, group_start)
    places = p[group_start]
    count[places] = best
    # the first event (earliest) whose window holds the most
    is_best = ahead == np.repeat(best, np.diff(np.r_[group_start, len(p)]))
    first_best = np.flatnonzero(is_best)
    first_best = first_best[np.r_[True, p[first_best][1:] != p[first_best][:-1]]]
    start[p[first_best]] = t[first_best]
    lo = start[p]
    in_window[idx] = (t >= lo) & (t < lo + window_ns)
    return count, start, in_window


def peak_centres(
    xy: np.ndarray, pos: np.ndarray, k: int, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Centre of each place at its density peak, not the mean of its events.

    The events are binned in cells of ``radius / 3`` (weighted by their counts, so a place
    of thousands of events is a few hundred cells); the peak is the cell with the most of
    the place's events in the cells within `radius` (ties: smallest x, then y, so the row
    order does not matter); the centre is the mean of the place's events within `radius`
    of that cell's centre (one mean-shift step: it undoes the binning and the snapping of
    block-level geocodes without letting a tail of events pull the centre away).
    """
    cx, cy = np.full(k, np.nan), np.full(k, np.nan)
    inside = np.flatnonzero(pos >= 0)
    if k == 0 or len(inside) == 0:
        return cx, cy
    size = radius / 3.0
    cell = np.floor(xy[inside] / size).astype(np.int64)
    # distinct (place, cell) pairs by one lexsort (np.unique(axis=0) is slow)
    p_in = pos[inside]
    order = np.lexsort((cell[:, 1], cell[:, 0], p_in))
    ps, cs = p_in[order], cell[order]
    new = np.r_[True, (ps[1:] != ps[:-1]) | (cs[1:] != cs[:-1]).any(axis=1)]
    starts = np.flatnonzero(new)
    w = np.diff(np.r_[starts, len(ps)])
    place, pts = ps[starts], (cs[starts] + 0.5) * size
    pairs = cKDTree(pts).query_pairs(radius, output_type="ndarray")
    pairs = pairs[place[pairs[:, 0]] == place[pairs[:, 1]]]
    n_cells = len(w)
    density = (
        w
        + np.bincount(pairs[:, 0], weights=w[pairs[:, 1]], minlength=n_cells)
        + np.bincount(pairs[:, 1], weights=w[pairs[:, 0]], minlength=n_cells)
    ).astype(np.int64)
    order = np.lexsort((pts[:, 1], pts[:, 0], -density, place))
    first = order[np.r_[True, place[order][1:] != place[order][:-1]]]
    peak = np.full((k, 2), np.nan)
    peak[place[first]] = pts[first]
    # mean of the events within radius of the peak, in whole millimetres from an origin
    # (exact sums: the row order cannot change a centre's last bit, nor the ids)
    p = pos[inside]
    ev = xy[inside]
    near = np.hypot(*(ev - peak[p]).T) <= radius
    wsum = np.bincount(p[near], minlength=k)
    has = wsum > 0
    mm = np.rint(ev[near] * 1000.0).astype(np.int64)
    origin = mm.min(axis=0) if len(mm) else np.zeros(2, np.int64)
    for axis, out in ((0, cx), (1, cy)):
        # whole numbers below 2**53: float sums are exact, in any order
        total = np.bincount(p[near], weights=mm[:, axis] - origin[axis], minlength=k)
        out[has] = (total[has] / wsum[has] + origin[axis]) / 1000.0
    return cx, cy


def reach(polys: np.ndarray, buffer_m: float) -> np.ndarray:
    """Radius of the smallest circle around each place's events, at least `buffer_m`.

    The polygon is the events' hull buffered by `buffer_m`, so its smallest enclosing
    circle is the events' one grown by `buffer_m`; the floor keeps one coordinate (a block
    midpoint) from having no size at all: it is a place of about the location precision.
    """
    if len(polys) == 0:
        return np.zeros(0)
    return np.maximum(shapely.minimum_bounding_radius(polys) - buffer_m, buffer_m)
