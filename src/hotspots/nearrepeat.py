"""Near repeats: whether one event raises the risk of another nearby, soon after.

The Knox test (Knox 1964; as tabulated by Ratcliffe's Near Repeat Calculator) counts the
pairs of events by how far apart they are in space and in time, in bands (0 m, 1-100 m,
101-200 m, ... and beyond; 0-7 days, 8-14 days, ... and beyond), and compares each count
with what the same events give when their times are shuffled among their places (which
keeps where events happen and when they happen, and breaks only the link between the two).
A ratio above 1 with a small p-value in the first bands is a *near-repeat pattern*.

What it means for the response: the risk after an event is raised **near it and for a
short time** (the first significant distance and time bands), so the response is short-term
and goes to the surroundings of the last event - tell the neighbours, look at the block for
the next week - rather than to a fixed place for months. A recurring hot spot without a
near-repeat pattern is a place problem (the place's environment); a near-repeat pattern
without hot spots is a problem of offenders returning to what worked.

:func:`knox` gives the table; :func:`repeat_share` gives each place's share of events that
follow its previous event within a few days (a column of :func:`hotspots.find_hotspots`).
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from hotspots import _columns as C
from hotspots._errors import raise_problems
from hotspots.study import Study, combine_events

__all__ = ["KNOX_COLUMNS", "knox", "repeat_share"]

log = logging.getLogger(__name__)

KNOX_COLUMNS: dict[str, str] = {
    "distance": "str: space band, e.g. '0 m' (same place), '1-100 m', '> 500 m'",
    "time": "str: time band, e.g. '0-7 days', '> 28 days'",
    "observed": "int: pairs of events in that space and time band",
    "expected": "float: mean of the same count over the permutations of the times",
    "ratio": "float: observed / expected (Knox ratio)",
    "p_value": "float: (1 + permutations with a count >= observed) / (1 + permutations)",
}
"""The columns of :func:`knox`, one row per (space band, time band)."""

NS_PER_DAY = 86_400 * 10**9
MAX_PAIRS = 50_000_000
"""Largest number of pairs within the space bands :func:`knox` will hold in memory."""


def knox(
    events: Study | Any,
    *,
    distance_m: float = 100.0,
    n_distance: int = 5,
    days: float = 7.0,
    n_time: int = 4,
    n_permutations: int = 99,
    seed: int = 0,
) -> pd.DataFrame:
    """Knox table of near repeats: pairs by space band x time band, against shuffled times.

    Parameters
    ----------
    events : Study or GeoDataFrame
        A study (its incidents and concerns, :func:`hotspots.combine_events`) or events with
        a tz-aware ``time`` column and points in a metric CRS.
    distance_m : float
        Width of a space band in metres (Near Repeat Calculator: the "spatial bandwidth").
    n_distance : int
        Space bands after the "same place" band (0 m); pairs farther than
        ``n_distance x distance_m`` fall in the last, "beyond", band.
    days : float
        Width of a time band in days.
    n_time : int
        Time bands before the "beyond" band.
    n_permutations : int
        Shuffles of the times (Monte Carlo); 99 gives p-values down to 0.01.
    seed : int
        Seed of the shuffles.

    Returns
    -------
    DataFrame
        One row per (space band, time band), columns :data:`KNOX_COLUMNS`; ``attrs`` holds
        the parameters and the number of events and pairs. Bands include their upper edge
        (``1-100 m`` is ``0 < d <= 100``; ``0-7 days`` is ``dt <= 7 days``).

    Notes
    -----
    Only the pairs within ``n_distance x distance_m`` are listed (a KD-tree); the counts of
    the beyond band are the counts of all pairs by time band minus those, and the counts of
    all pairs by time band do not change when the times are shuffled. Each permutation
    re-bands the close pairs only. Up to :data:`MAX_PAIRS` close pairs.

    Examples
    --------
    >>> from hotspots import datasets
    >>> table = knox(datasets.load_study("scene"), n_permutations=19)
    >>> table.iloc[0][["distance", "time"]].tolist()
    ['0 m', '0-7 days']
    """
    problems = []
    for name, value in (("distance_m", distance_m), ("days", days)):
        if not isinstance(value, int | float) or not value > 0 or not math.isfinite(value):
            problems.append(f"`{name}` must be a number > 0, got {value!r}")
    for name, value, low in (
        ("n_distance", n_distance, 1),
        ("n_time", n_time, 1),
        ("n_permutations", n_permutations, 0),
        ("seed", seed, 0),
    ):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
            problems.append(f"`{name}` must be an integer >= {low}, got {value!r}")
    frame = combine_events(events) if isinstance(events, Study) else events
    if C.TIME not in getattr(frame, "columns", ()):
        problems.append("`events` must be a Study or a GeoDataFrame with a `time` column")
    raise_problems(problems, "Invalid arguments to knox")

    xy = shapely.get_coordinates(frame.geometry.to_numpy())
    t = frame[C.TIME].dt.tz_convert("UTC").dt.as_unit("ns")
    t_days = t.dt.tz_localize(None).to_numpy("datetime64[ns]").view(np.int64) / NS_PER_DAY
    ok = np.isfinite(xy).all(axis=1) & frame[C.TIME].notna().to_numpy()
    xy, t_days = xy[ok], t_days[ok]
    n = len(xy)

    reach = n_distance * distance_m
    pairs = cKDTree(xy).query_pairs(reach, output_type="ndarray") if n > 1 else np.zeros((0, 2))
    pairs = pairs.astype(np.int64)
    if len(pairs) > MAX_PAIRS:
        raise_problems(
            [
                f"{len(pairs):,} pairs of events within {reach:g} m (more than {MAX_PAIRS:,}): "
                "pass fewer events (one category, a shorter period) or smaller bands"
            ],
            "knox",
        )
    d = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    space = np.where(d == 0, 0, np.ceil(d / distance_m)).astype(np.int64)
    space = np.minimum(space, n_distance)  # floating edge: reach itself is the last band
    n_s, n_t = n_distance + 2, n_time + 1  # rows: 0 m, bands, beyond; columns: bands, beyond

    def time_band(dt: np.ndarray) -> np.ndarray:
        band = np.maximum(np.ceil(np.abs(dt) / days) - 1, 0).astype(np.int64)
        return np.minimum(band, n_time)

    def table(times: np.ndarray) -> np.ndarray:
        tb = time_band(times[pairs[:, 0]] - times[pairs[:, 1]])
        close = np.bincount(space * n_t + tb, minlength=(n_s - 1) * n_t)
        return close.reshape(n_s - 1, n_t)

    # all pairs by time band: invariant under shuffling the times
    sorted_t = np.sort(t_days)
    edges = np.arange(1, n_time + 1) * days
    within = [
        int((np.searchsorted(sorted_t, sorted_t + e, side="right") - np.arange(1, n + 1)).sum())
        for e in edges
    ]
    total_pairs = n * (n - 1) // 2
    all_by_time = np.diff(np.r_[0, within, total_pairs])

    observed_close = table(t_days)
    observed = np.vstack([observed_close, all_by_time - observed_close.sum(axis=0)])
    rng = np.random.default_rng(seed)
    sims = np.zeros((n_permutations, n_s, n_t))
    for s in range(n_permutations):  # one permutation of the times per round
        close = table(t_days[rng.permutation(n)])
        sims[s] = np.vstack([close, all_by_time - close.sum(axis=0)])
    if n_permutations:
        expected = sims.mean(axis=0)
        p = (1.0 + (sims >= observed[None]).sum(axis=0)) / (1.0 + n_permutations)
    else:
        expected = np.full((n_s, n_t), np.nan)
        p = np.full((n_s, n_t), np.nan)

    def dist_label(i: int) -> str:
        if i == 0:
            return "0 m"
        if i == n_s - 1:
            return f"> {reach:g} m"
        lo = (i - 1) * distance_m
        return f"{lo + 1:g}-{i * distance_m:g} m"

    def time_label(j: int) -> str:
        if j == n_t - 1:
            return f"> {n_time * days:g} days"
        return f"{j * days + (1 if j else 0):g}-{(j + 1) * days:g} days"

    rows = [(dist_label(i), time_label(j)) for i in range(n_s) for j in range(n_t)]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = observed / expected
    out = pd.DataFrame(
        {
            "distance": [r[0] for r in rows],
            "time": [r[1] for r in rows],
            "observed": observed.ravel().astype(np.int64),
            "expected": expected.ravel(),
            "ratio": ratio.ravel(),
            "p_value": p.ravel(),
        }
    )
    out.attrs["parameters"] = {
        "distance_m": distance_m,
        "n_distance": n_distance,
        "days": days,
        "n_time": n_time,
        "n_permutations": n_permutations,
        "seed": seed,
        "n_events": n,
        "n_pairs": total_pairs,
        "n_close_pairs": len(pairs),
    }
    first = out.iloc[: 2 * n_t]
    log.info(
        "knox: %s events, %s pairs within %g m; same place or first band, first %g days: "
        "ratio %.2f (p %.3f)",
        f"{n:,}",
        f"{len(pairs):,}",
        reach,
        days,
        float(first["ratio"].iloc[n_t]) if len(first) > n_t else math.nan,
        float(first["p_value"].iloc[n_t]) if len(first) > n_t else math.nan,
    )
    return out


def repeat_share(pos: np.ndarray, utc_ns: np.ndarray, k: int, days: float) -> np.ndarray:
    """Share of each place's events that come within `days` after its previous event.

    A place's events are all within its polygon (tens of metres), so this is the share of
    near repeats *at the place*; NaN for a place with no events. Sorting by place and time
    gives each event its predecessor (no pairs are listed).

    Examples
    --------
    >>> day = 86_400 * 10**9
    >>> repeat_share(np.array([0, 0, 0, 1]), np.array([0, 2, 30, 0]) * day, 2, 7.0).tolist()
    [0.3333333333333333, 0.0]
    """
    out = np.full(k, np.nan)
    inside = np.flatnonzero(pos >= 0)
    if k == 0 or len(inside) == 0:
        return out
    p, t = pos[inside], utc_ns[inside]
    order = np.lexsort((t, p))
    p, t = p[order], t[order]
    follows = np.r_[False, (p[1:] == p[:-1]) & (t[1:] - t[:-1] <= days * NS_PER_DAY)]
    n = np.bincount(p, minlength=k)
    hits = np.bincount(p, weights=follows, minlength=k)
    has = n > 0
    out[has] = hits[has] / n[has]
    return out
