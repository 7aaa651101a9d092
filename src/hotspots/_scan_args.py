"""The arguments of :func:`hotspots.find_hotspots`: checks, event selection and parameters.

Kept apart from :mod:`hotspots.cluster` (the search itself): every argument is checked and
every problem listed at once; the events are chosen by source and category; the radius and
the core size are chosen from the data when not given, each with the reason logged.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots import _columns as C
from hotspots._checks import SOURCES, as_tuple, check_sources, is_int, is_number, positive
from hotspots._errors import LayerError, raise_problems
from hotspots._events import select_events
from hotspots._stats import CORRECTIONS, poisson_upper_quantile
from hotspots.settings import Settings
from hotspots.study import Study, combine_events

log = logging.getLogger("hotspots.cluster")

SIGNIFICANCE: tuple[str, ...] = ("auto", "simulate", "approx")
"""How :func:`find_hotspots` tests places against chance (see :mod:`hotspots._significance`)."""

METHODS: tuple[str, ...] = ("dbscan", "hdbscan")
"""Clustering methods :func:`find_hotspots` accepts."""

DEFAULT_EPS_M = 50.0
"""Default neighbourhood radius: half a city block, the precision of block-level geocoding."""
# =========================================================================================
# checks
# =========================================================================================


def check_options(settings: Settings, **given: Any) -> dict[str, Any]:
    """Validate every argument, fill defaults from the settings, list all problems at once."""
    problems: list[str] = []
    opts = dict(given)
    if given["method"] not in METHODS:
        problems.append(f"`method` must be one of {', '.join(METHODS)}, got {given['method']!r}")
    if given["correction"] not in CORRECTIONS:
        problems.append(
            f"`correction` must be one of {', '.join(CORRECTIONS)}, got {given['correction']!r}"
        )
    for name in ("eps_m", "snap_m"):
        if given[name] is not None:
            positive(name, given[name], "metres", problems)
    for name, low in (("min_samples", 2), ("min_days", 1), ("span_days", 0)):
        value = given[name]
        if value is not None and (not is_int(value) or value < low):
            problems.append(f"`{name}` must be an integer >= {low}, got {value!r}")
    problems += check_sources(given["sources"])[0]
    if given["significance"] not in SIGNIFICANCE:
        problems.append(
            f"`significance` must be one of {', '.join(SIGNIFICANCE)}, "
            f"got {given['significance']!r}"
        )
    if given["max_width_m"] is not None:
        positive("max_width_m", given["max_width_m"], "metres", problems)
    for name in ("n_simulations", "seed"):
        if not is_int(given[name]) or given[name] < 0:
            problems.append(f"`{name}` must be an integer >= 0, got {given[name]!r}")
    if not is_number(given["near_repeat_days"]) or not given["near_repeat_days"] > 0:
        problems.append(
            f"`near_repeat_days` must be a number > 0, got {given['near_repeat_days']!r}"
        )
    cats = given["categories"]
    if cats is not None:
        cats = [cats] if isinstance(cats, str) else list(cats)
        if not cats or not all(isinstance(c, str) and c.strip() for c in cats):
            problems.append(f"`categories` must be a list of category names, got {cats!r}")
    opts["categories"] = tuple(cats) if cats else None
    w = given["weights"]
    if w is not None and (
        not isinstance(w, Mapping)
        or not all(
            isinstance(key, str) and is_number(v) and v >= 0 and math.isfinite(v)
            for key, v in w.items()
        )
    ):
        problems.append(
            f"`weights` must map category names to numbers >= 0 (others weigh 1), got {w!r}"
        )
    opts["weights"] = dict(w) if w else None
    eps, snap = given["eps_m"], given["snap_m"] if given["snap_m"] is not None else settings.snap_m
    if not problems and eps is not None and snap > eps / 2:
        problems.append(
            f"`snap_m` ({snap:g}) must be at most half of `eps_m` ({eps:g}); pass a smaller snap_m"
        )
    raise_problems(problems, "Invalid arguments to find_hotspots")
    opts["span_days_given"] = opts["span_days"] is not None
    for name in ("min_days", "span_days", "snap_m"):
        if opts[name] is None:
            opts[name] = getattr(settings, name)
    opts["snap_m"] = float(opts["snap_m"])
    opts["min_days"] = int(opts["min_days"])
    opts["span_days"] = int(opts["span_days"])
    opts["sources"] = tuple(s for s in SOURCES if s in as_tuple(given["sources"]))
    return opts


def select_scan_events(
    study: Study, sources: tuple[str, ...], categories: tuple[str, ...] | None = None
) -> gpd.GeoDataFrame:
    """Return the events of `sources` (and `categories`) that find_hotspots clusters."""
    # combine_events raises LayerError when there are no events at all
    events = select_events(combine_events(study), sources, why=": nothing to cluster")
    if categories:
        text = events[C.CATEGORY].astype("str").fillna("").str.strip().str.casefold()
        wanted = {c.strip().casefold() for c in categories}
        chosen = text.isin(wanted).to_numpy(bool)
        if not chosen.any():
            seen = text.value_counts().index[:10].tolist()
            raise LayerError(
                f"no events of the categories {sorted(wanted)}; the most frequent are {seen}"
            )
        log.info(
            "find_hotspots: %s of %s events in the categories %s",
            f"{int(chosen.sum()):,}",
            f"{len(events):,}",
            sorted(wanted),
        )
        events = events[chosen]
    geoms = events.geometry.to_numpy()
    bad = int((~(shapely.get_type_id(geoms) == 0) | shapely.is_empty(geoms)).sum())
    n_nat = int(events[C.TIME].isna().sum())
    if bad or n_nat:
        raise LayerError(
            f"events must be points with a time: {bad} rows without a point geometry, "
            f"{n_nat} without a time; load the layers with hotspots.build_study"
        )
    return events


def event_weights(events: gpd.GeoDataFrame, weights: Mapping[str, float]) -> np.ndarray:
    """Each event's severity weight from its category (case-insensitive; others weigh 1)."""
    table = {k.strip().casefold(): float(v) for k, v in weights.items()}
    text = events[C.CATEGORY].astype("str").fillna("").str.strip().str.casefold()
    return text.map(table).fillna(1.0).to_numpy(float)


# =========================================================================================
# parameters
# =========================================================================================


def choose_eps(eps_m: float | None, bg_area: float, snap: float) -> tuple[float, str]:
    """Return the neighbourhood radius and why it was chosen."""
    if eps_m is not None:
        return float(eps_m), "given"
    side = math.sqrt(bg_area) if bg_area > 0 else 0.0
    eps = min(DEFAULT_EPS_M, side / 10)
    eps = max(eps, 2 * snap)
    if eps == DEFAULT_EPS_M:
        why = "default: half a block, the precision of block-level geocoding"
    elif eps == 2 * snap:
        why = f"twice snap_m ({snap:g} m)"
    else:
        why = f"a tenth of the background area's side ({side:.0f} m)"
    return eps, why


def choose_min_samples(given: int | None, mu: float, tail: float, min_days: int) -> tuple[int, str]:
    """Return the core size and why it was chosen."""
    if given is not None:
        return int(given), "given"
    # smallest m with P(X >= m - 1) <= tail for X ~ Poisson(mu): the other events around a
    # background point rarely reach m - 1.
    quantile = poisson_upper_quantile(tail, mu) + 2
    m = max(quantile, min_days, 2)
    why = f"Poisson upper quantile (tail {tail:.2g}) of {mu:.2f} background events per disc" + (
        f"; raised to min_days={min_days}" if m > quantile else ""
    )
    return m, why


def study_period(study: Study, utc_ns: np.ndarray) -> tuple[int, int]:
    """Return the first and last instant (ns, UTC) of the study period or of the events."""
    first = int(utc_ns.min())
    last = int(utc_ns.max())
    start, end = study.period
    if start is not None:
        first = int(pd.Timestamp(start).as_unit("ns").value)
    if end is not None:
        last = int(pd.Timestamp(end).as_unit("ns").value)
    return first, last
