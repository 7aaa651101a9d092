"""Response: explainable rules that turn each hot spot's evidence into fixes.

:func:`recommend` runs the fix rules of every registered factor
(:func:`hotspots.factors.registered_factors`) on the evidence columns of
:func:`hotspots.diagnose` and returns one row per (hot spot, fix, target): which fix, exactly
where (a light id, the point where a new light would close the largest dark gap, an
obstruction id, a stop id), an evidence sentence with the numbers, the published effect size
and displacement caution from the fix catalogue (:mod:`hotspots.fixes`), and a priority
whose make-up is written out in the row. A hot spot with no environmental cause gets an
explicit ``no_environmental_fix`` row saying why, in the words of each factor. Thresholds
and switches live in :class:`hotspots.Settings`, so a team can tune or switch off a rule
without touching code.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots import _columns as C
from hotspots._errors import ValidationError, raise_problems
from hotspots.factors import registered_factors
from hotspots.factors.base import STRENGTH, Factor, FixRule, NoFixReason, Row, n_events
from hotspots.fixes import catalogue
from hotspots.settings import FIX_TYPES, Settings

__all__ = ["RECOMMENDATION_COLUMNS", "recommend"]

log = logging.getLogger(__name__)

RECOMMENDATION_COLUMNS: dict[str, str] = {
    C.CLUSTER_ID: "str: the hot spot",
    C.FIX: f"str: one of {', '.join(FIX_TYPES)} (or a fix registered in hotspots.fixes)",
    C.TARGET_ID: "str: light, obstruction or stop id; empty for a point or the whole place",
    C.TARGET_KIND: "str: light, new_light_point, obstruction, stop or place",
    C.TARGET_X: "float m: where to act, in the study CRS",
    C.TARGET_Y: "float m: (y of the same point)",
    C.EVIDENCE: "str: one sentence with the numbers behind the fix",
    C.TRIGGERED_BY: "list of str: the evidence columns that triggered the rule",
    C.EFFECT: "str: published effect size with its source, empty where none exists",
    C.CAUTION: "str: displacement caution",
    C.PRIORITY: "float 0-100: higher first",
    C.PRIORITY_EXPLAINED: "str: the make-up of the priority",
    C.GEOMETRY: "Point: the target (the hot spot's centre for place-wide fixes)",
}
"""Columns of :func:`recommend`'s result."""

_TREND_WEIGHT = {
    "intensifying": 1.0,
    "new": 0.8,
    "consecutive": 0.8,
    "persistent": 0.6,
    "sporadic": 0.4,
    "oscillating": 0.4,
    "diminishing": 0.2,
    "historical": 0.1,
}
_WEIGHTS = {
    "volume": 35.0,
    "significance": 15.0,
    "evidence": 30.0,
    "after dark": 10.0,
    "trend": 10.0,
}
_FULL_VOLUME_EVENTS = 50


def recommend(clusters: gpd.GeoDataFrame, *, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """Recommend environmental fixes for each diagnosed hot spot.

    Parameters
    ----------
    clusters : GeoDataFrame
        The result of :func:`hotspots.diagnose`.
    settings : Settings, optional
        Rule thresholds (``min_after_dark_share``, ``min_dark_event_share``,
        ``min_stop_event_share``, ``min_topic_concerns``, ``light_radius_m``,
        ``stop_radius_m``) and ``disabled_rules``. Default: the settings the clusters carry
        (``clusters.attrs["settings"]``, set by :func:`hotspots.diagnose` from
        ``study.settings``); ``Settings()`` with a logged warning when they carry none.

    Returns
    -------
    GeoDataFrame
        One row per (hot spot, fix, target), in the clusters' CRS, sorted by priority
        (highest first) then cluster id; columns :data:`RECOMMENDATION_COLUMNS`. Every hot
        spot has at least one row. ``attrs["settings"]`` holds the settings used and
        ``attrs["parameters"]`` is kept from `clusters`.

    Notes
    -----
    The rules belong to the factors (:mod:`hotspots.factors`); the built-in ones, in words
    (each names the evidence columns it reads):

    - ``repair_light``: a light within reach is marked out or reported out by residents,
      and at least ``min_after_dark_share`` of the events happen after dark.
    - ``add_lighting``: with every light repaired, at least ``min_dark_event_share`` of the
      events are still farther than ``light_radius_m`` from a light, and enough happen after
      dark. Target: where one new light covers most of them. Superseded by
      ``improve_bus_stop`` at the same place (lighting the stop is part of it).
    - ``improve_bus_stop``: at least ``min_stop_event_share`` of the events are in a stop's
      waiting area and at least ``min_after_dark_share`` of those are after dark (people
      wait there in the dark). A stop in a dark gap strengthens the evidence and the
      priority but does not fire the rule alone.
    - ``trim_vegetation``: a hedge or tree crosses the lines from at least a quarter of the
      place's events to their nearest working light or stop (or the line from the centre to
      the nearest street), or covers a light; or residents complain of overgrowth
      (``min_topic_concerns``) where no obstruction is mapped.
    - ``clear_sightline``: a wall, fence or building blocks sightlines that way.
    - ``clean_up``: at least ``min_topic_concerns`` concerns about litter or dumping.
    - ``no_environmental_fix``: none of the above, with each factor's reasons (what was
      checked first, then what the place lacks).

    Priority = 35 x volume (events / 50, capped at 1) + 15 x significance (-log10 of the
    corrected p-value / 10, capped) + 30 x strength of the rule's evidence + 10 x after-dark
    share + 10 x trend weight (intensifying 1 ... historical 0.1). Each row spells it out.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots, diagnose
    >>> study = datasets.load_study("scene")
    >>> recs = recommend(diagnose(study, find_hotspots(study)))
    >>> set(recs["fix"]) <= set(FIX_TYPES)
    True
    >>> recs.attrs["settings"] == study.settings
    True
    """
    s = _settings_for(clusters, settings)
    factors = registered_factors()
    required = [C.CLUSTER_ID, *(c for f in factors for c in f.column_names)]
    missing = [c for c in required if c not in clusters.columns]
    if missing:
        raise ValidationError(
            f"recommend: `clusters` lacks evidence columns {missing[:5]}"
            f"{' ...' if len(missing) > 5 else ''}; pass the result of hotspots.diagnose()"
        )
    rules = [r for f in factors for r in f.rules if r.fix not in s.disabled_rules]
    supersedes = {r.fix: set(r.supersedes) for r in rules if r.supersedes}
    fixes = catalogue()
    rows: list[dict[str, Any]] = []
    centres = shapely.get_coordinates(shapely.centroid(clusters.geometry.to_numpy()))
    for i, c in enumerate(_records(clusters)):
        fired = _fired(rules, supersedes, c, s)
        if not fired and C.NO_FIX not in s.disabled_rules:
            fired.append({**_no_fix(c, s, factors), C.FIX: C.NO_FIX})
        for row in fired:
            row[C.CLUSTER_ID] = c[C.CLUSTER_ID]
            if not np.isfinite(row.get(C.TARGET_X, np.nan)):
                row[C.TARGET_X], row[C.TARGET_Y] = centres[i]
            row.setdefault(C.TARGET_KIND, "place")
            row.setdefault(C.TARGET_ID, "")
            fix = fixes[row[C.FIX]]
            row[C.EFFECT] = fix.effect
            row[C.CAUTION] = fix.caution
            row[C.PRIORITY], row[C.PRIORITY_EXPLAINED] = _priority(c, row.pop(STRENGTH, 0.0))
            rows.append(row)
    columns = [c for c in RECOMMENDATION_COLUMNS if c != C.GEOMETRY]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.sort_values(
        [C.PRIORITY, C.CLUSTER_ID, C.FIX, C.TARGET_ID], ascending=[False, True, True, True]
    )
    frame = frame.reset_index(drop=True)
    geometry = gpd.GeoSeries(
        shapely.points(frame[C.TARGET_X].to_numpy(float), frame[C.TARGET_Y].to_numpy(float)),
        crs=clusters.crs,
    )
    result = gpd.GeoDataFrame(frame, geometry=geometry, crs=clusters.crs)
    result.attrs["settings"] = s
    if "parameters" in clusters.attrs:
        result.attrs["parameters"] = clusters.attrs["parameters"]
    log.info(
        "recommend: %d rows for %d hot spots (%s)",
        len(result),
        len(clusters),
        ", ".join(f"{k} {v}" for k, v in result[C.FIX].value_counts().sort_index().items()),
    )
    return result


def _settings_for(clusters: gpd.GeoDataFrame, settings: Settings | None) -> Settings:
    """Return the settings to use: given ones, else those the clusters carry, else defaults."""
    if settings is not None:
        if not isinstance(settings, Settings):
            raise_problems(
                [f"`settings` must be a hotspots.Settings, got {type(settings).__name__}"],
                "recommend: invalid arguments",
            )
        carried = getattr(clusters, "attrs", {}).get("settings")
        if isinstance(carried, Settings) and carried != settings:
            log.info("recommend: using the settings passed, not those the clusters carry")
        return settings
    carried = getattr(clusters, "attrs", {}).get("settings")
    if isinstance(carried, Settings):
        return carried
    log.warning(
        "recommend: `clusters` carry no settings (attrs['settings'], set by hotspots.diagnose) "
        "and none were passed: using the defaults; pass settings=study.settings"
    )
    return Settings()


def _records(clusters: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Return the clusters' rows as dicts of plain values (cheaper to read than Series rows)."""
    columns = [c for c in clusters.columns if c != clusters.geometry.name]
    values = [clusters[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _fired(
    rules: list[FixRule], supersedes: dict[str, set[str]], c: Row, s: Settings
) -> list[dict[str, Any]]:
    """Rows of every rule at one place, without those of fixes superseded there."""
    fired = []
    for rule in rules:
        for row in rule.check(c, s):
            row[C.FIX] = rule.fix
            fired.append(row)
    if supersedes and fired:
        dropped = set().union(*(supersedes.get(row[C.FIX], ()) for row in fired))
        if dropped:
            fired = [row for row in fired if row[C.FIX] not in dropped]
    return fired


def _no_fix(c: Row, s: Settings, factors: tuple[Factor, ...]) -> dict[str, Any]:
    """Build the no-fix row: what each factor checked (first), then what the place lacks."""
    reasons: list[NoFixReason] = [
        reason for f in factors if f.no_fix_reasons is not None for reason in f.no_fix_reasons(c, s)
    ]
    ordered = [r for r in reasons if r.columns] + [r for r in reasons if not r.columns]
    return {
        C.TARGET_KIND: "place",
        C.EVIDENCE: (
            f"No environmental fix indicated for {n_events(c)} events: "
            + "; ".join(r.text for r in ordered)
            + ". Consider non-environmental responses (place managers, guardianship, "
            "targeted patrol)."
        ),
        C.TRIGGERED_BY: [col for r in ordered for col in r.columns],
        STRENGTH: 0.0,
    }


def _priority(c: Row, strength: float) -> tuple[float, str]:
    """Return the priority (0-100) of a row and its make-up in words."""
    p_adj = float(c.get(C.P_ADJ, np.nan))
    significance = min(1.0, -np.log10(max(p_adj, 1e-300)) / 10) if np.isfinite(p_adj) else 0.0
    trend = str(c.get(C.TREND, "") or "")
    after_dark = float(c[C.AFTER_DARK_SHARE])
    parts = {
        "volume": min(1.0, n_events(c) / _FULL_VOLUME_EVENTS),
        "significance": significance,
        "evidence": float(strength),
        "after dark": 0.0 if math.isnan(after_dark) else after_dark,
        "trend": _TREND_WEIGHT.get(trend, 0.3),
    }
    score = sum(_WEIGHTS[k] * v for k, v in parts.items())
    text = " + ".join(
        f"{_WEIGHTS[k]:.0f}\u00d7{k}{f' ({trend})' if k == 'trend' and trend else ''} {v:.2f}"
        for k, v in parts.items()
    )
    return round(score, 1), f"{text} = {score:.1f}"
