"""Response: explainable rules that turn each hot spot's evidence into fixes.

:func:`recommend` reads the evidence columns of :func:`hotspots.diagnose` and returns one row
per (hot spot, fix, target): which fix, exactly where (a light id, the point where a new light
would close the largest dark gap, an obstruction id, a stop id), an evidence sentence with the
numbers, the published effect size where one exists, a displacement caution, and a priority
whose make-up is written out in the row. A hot spot with no environmental cause gets an
explicit ``no_environmental_fix`` row saying why. Thresholds and switches live in
:class:`hotspots.Settings`, so a team can tune or switch off a rule without touching code.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots import environment as E
from hotspots._errors import ValidationError
from hotspots.settings import FIX_TYPES, Settings

__all__ = ["EFFECTS", "RECOMMENDATION_COLUMNS", "recommend"]

log = logging.getLogger(__name__)

CLUSTER_ID = "cluster_id"
FIX = "fix"
TARGET_ID = "target_id"
TARGET_KIND = "target_kind"
TARGET_X = "target_x"
TARGET_Y = "target_y"
EVIDENCE = "evidence"
TRIGGERED_BY = "triggered_by"
EFFECT = "effect"
CAUTION = "caution"
PRIORITY = "priority"
PRIORITY_EXPLAINED = "priority_explained"

RECOMMENDATION_COLUMNS: dict[str, str] = {
    CLUSTER_ID: "str: the hot spot",
    FIX: f"str: one of {', '.join(FIX_TYPES)}",
    TARGET_ID: "str: light, obstruction or stop id; empty for a point or the whole place",
    TARGET_KIND: "str: light, new_light_point, obstruction, stop or place",
    TARGET_X: "float m: where to act, in the study CRS",
    TARGET_Y: "float m: (y of the same point)",
    EVIDENCE: "str: one sentence with the numbers behind the fix",
    TRIGGERED_BY: "list of str: the evidence columns that triggered the rule",
    EFFECT: "str: published effect size with its source, empty where none exists",
    CAUTION: "str: displacement caution",
    PRIORITY: "float 0-100: higher first",
    PRIORITY_EXPLAINED: "str: the make-up of the priority",
    "geometry": "Point: the target (the hot spot's centre for place-wide fixes)",
}
"""Columns of :func:`recommend`'s result."""

_LIGHTING = (
    "Improved street lighting: about 21% fewer crimes than in control areas across 13 studies "
    "(Welsh & Farrington 2008, Campbell Collaboration review); a New York City randomised "
    "trial of added lighting: about 36% fewer outdoor night-time index crimes "
    "(Chalfin et al. 2022)."
)
_SIGHTLINE = (
    "No pooled effect size; natural surveillance is a core CPTED principle "
    "(Cozens, Saville & Hillier 2005 review)."
)
EFFECTS: dict[str, str] = {
    "repair_light": _LIGHTING,
    "add_lighting": _LIGHTING,
    "improve_bus_stop": (
        "No pooled effect size for bus-stop improvements; the lighting evidence (about 21% "
        "fewer crimes, Welsh & Farrington 2008) applies to lighting the stop."
    ),
    "trim_vegetation": _SIGHTLINE,
    "clear_sightline": _SIGHTLINE,
    "clean_up": (
        "Cleaning and greening vacant lots cut gun violence by about 29% in the poorest "
        "neighbourhoods of a Philadelphia randomised trial (Branas et al. 2018); evidence for "
        "litter clean-up alone is weaker."
    ),
    "no_environmental_fix": "",
}
"""Published effect size per fix, with its source (empty where none exists)."""

CAUTION_TEXT = (
    "Displacement is the exception: across 102 studies it was seen in about 26% of "
    "observations and a diffusion of benefits in about 27% (Guerette & Bowers 2009). "
    "Check the surrounding blocks after the fix (hotspots.assess)."
)

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
        ``stop_radius_m``) and ``disabled_rules``. Default ``Settings()``.

    Returns
    -------
    GeoDataFrame
        One row per (hot spot, fix, target), in the clusters' CRS, sorted by priority
        (highest first) then cluster id; columns :data:`RECOMMENDATION_COLUMNS`. Every hot
        spot has at least one row.

    Notes
    -----
    The rules, in words (each names the evidence columns it reads):

    - ``repair_light``: a light within reach is marked out or reported out by residents,
      and at least ``min_after_dark_share`` of the events happen after dark.
    - ``add_lighting``: with every light repaired, at least ``min_dark_event_share`` of the
      events are still farther than ``light_radius_m`` from a light, and enough happen after
      dark. Target: where one new light covers most of them. Not raised when the dark events
      are at a bus stop that ``improve_bus_stop`` covers.
    - ``improve_bus_stop``: at least ``min_stop_event_share`` of the events are in a stop's
      waiting area and at least ``min_after_dark_share`` of those are after dark (people
      wait there in the dark). A stop in a dark gap strengthens the evidence and the
      priority but does not fire the rule alone.
    - ``trim_vegetation``: a hedge or tree crosses the sightline from the centre to the
      nearest light, stop or street, or covers a light; or residents complain of overgrowth
      (``min_topic_concerns``) where no obstruction is mapped.
    - ``clear_sightline``: a wall, fence or building crosses such a sightline.
    - ``clean_up``: at least ``min_topic_concerns`` concerns about litter or dumping.
    - ``no_environmental_fix``: none of the above, with the reasons.

    Priority = 35 x volume (events / 50, capped at 1) + 15 x significance (-log10 of the
    corrected p-value / 10, capped) + 30 x strength of the rule's evidence + 10 x after-dark
    share + 10 x trend weight (intensifying 1 ... historical 0.1). Each row spells it out.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots, diagnose
    >>> study = datasets.load_study("scene")
    >>> recs = recommend(diagnose(study, find_hotspots(study)), settings=study.settings)
    >>> set(recs["fix"]) <= set(FIX_TYPES)
    True
    """
    s = settings if settings is not None else Settings()
    missing = [c for c in (*E.EVIDENCE_COLUMNS, CLUSTER_ID) if c not in clusters.columns]
    if missing:
        raise ValidationError(
            f"recommend: `clusters` lacks evidence columns {missing[:5]}"
            f"{' ...' if len(missing) > 5 else ''}; pass the result of hotspots.diagnose()"
        )
    rows: list[dict[str, Any]] = []
    centres = shapely.get_coordinates(shapely.centroid(clusters.geometry.to_numpy()))
    for i, c in enumerate(_records(clusters)):
        fired = []
        for fix, rule in _RULES:
            if fix in s.disabled_rules:
                continue
            for row in rule(c, s, fired):
                row[FIX] = fix
                fired.append(row)
        if not fired and "no_environmental_fix" not in s.disabled_rules:
            fired.append({**_no_fix(c, s), FIX: "no_environmental_fix"})
        for row in fired:
            row[CLUSTER_ID] = c[CLUSTER_ID]
            if not np.isfinite(row.get(TARGET_X, np.nan)):
                row[TARGET_X], row[TARGET_Y] = centres[i]
            row.setdefault(TARGET_KIND, "place")
            row.setdefault(TARGET_ID, "")
            row[EFFECT] = EFFECTS[row[FIX]]
            row[CAUTION] = CAUTION_TEXT if row[FIX] != "no_environmental_fix" else ""
            row[PRIORITY], row[PRIORITY_EXPLAINED] = _priority(c, row.pop("_strength", 0.0))
            rows.append(row)
    columns = [c for c in RECOMMENDATION_COLUMNS if c != "geometry"]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.sort_values(
        [PRIORITY, CLUSTER_ID, FIX, TARGET_ID], ascending=[False, True, True, True]
    )
    frame = frame.reset_index(drop=True)
    geometry = gpd.GeoSeries(
        shapely.points(frame[TARGET_X].to_numpy(float), frame[TARGET_Y].to_numpy(float)),
        crs=clusters.crs,
    )
    result = gpd.GeoDataFrame(frame, geometry=geometry, crs=clusters.crs)
    log.info(
        "recommend: %d rows for %d hot spots (%s)",
        len(result),
        len(clusters),
        ", ".join(f"{k} {v}" for k, v in result[FIX].value_counts().sort_index().items()),
    )
    return result


# =========================================================================================
# rules: each yields rows (dicts) for one hot spot
# =========================================================================================

Row = Mapping[str, Any]
"""One hot spot's evidence: column name -> value (plain Python values)."""
Rule = Callable[[Row, Settings, list[dict[str, Any]]], Iterator[dict[str, Any]]]


def _records(clusters: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Return the clusters' rows as dicts of plain values (cheaper to read than Series rows)."""
    columns = [c for c in clusters.columns if c != clusters.geometry.name]
    values = [clusters[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _n(c: Row) -> int:
    return int(c.get("n_events", 0) or 0)


def _pct(x: float) -> str:
    return f"{x:.0%}" if np.isfinite(x) else "n/a"


def _night(c: Row) -> str:
    return f"{int(c[E.N_AFTER_DARK])} of {_n(c)} events after dark"


def _precision_note(c: Row) -> str:
    note = str(c.get(E.LOCATION_PRECISION, "") or "")
    return f" Locations: {note}." if "snapped" in note else ""


def _rule_repair_light(c: Row, s: Settings, _: list) -> Iterator[dict[str, Any]]:
    if not (c[E.AFTER_DARK_SHARE] >= s.min_after_dark_share):
        return
    marked = list(c[E.LIGHTS_OUT_IDS])
    reported = list(c[E.LIGHTS_REPORTED_OUT_IDS])
    for light in sorted(set(marked) | set(reported)):
        how = []
        if light in marked:
            how.append("marked out in the lights layer")
        if light in reported:
            dates = list(c[E.OUTAGE_REPORT_DATES])
            how.append(
                f"reported out by residents ({int(c[E.OUTAGE_REPORTS])} report(s)"
                + (f": {', '.join(dates[:5])}" if dates else "")
                + ")"
            )
        drop = c[E.DARK_EVENT_SHARE] - c[E.DARK_EVENT_SHARE_IF_REPAIRED]
        evidence = (
            f"{_night(c)}; light {light} within {s.light_radius_m:.0f} m is "
            + " and ".join(how)
            + f"; nearest working light {c[E.NEAREST_LIGHT_MEDIAN_M]:.0f} m (median)"
            + (
                f"; with it repaired, events in a dark gap fall from "
                f"{_pct(c[E.DARK_EVENT_SHARE])} to {_pct(c[E.DARK_EVENT_SHARE_IF_REPAIRED])}"
                if drop > 0
                else ""
            )
            + "."
            + _precision_note(c)
        )
        yield {
            TARGET_ID: light,
            TARGET_KIND: "light",
            EVIDENCE: evidence,
            TRIGGERED_BY: [E.LIGHTS_OUT_IDS if light in marked else E.LIGHTS_REPORTED_OUT_IDS,
                           E.AFTER_DARK_SHARE, E.DARK_EVENT_SHARE_IF_REPAIRED],
            "_strength": 1.0 if light in marked else min(1.0, 0.5 + 0.25 * c[E.OUTAGE_REPORTS]),
        }  # fmt: skip


def _stop_night_share(c: Row) -> float:
    """Share of the events in a stop's waiting area that happened after dark (0 if none)."""
    at_stop = c[E.STOP_EVENT_SHARE] * _n(c)
    return float(c[E.STOP_EVENTS_AFTER_DARK] / at_stop) if at_stop > 0 else 0.0


def _stop_rule_fires(c: Row, s: Settings) -> bool:
    """People wait at the stop after dark: enough events at the stop, enough of them at night.

    A stop in a dark gap strengthens the case (see :func:`_rule_bus_stop`) but does not make
    it: a dark stop where nothing happens after dark is not a bus-stop-after-dark problem.
    """
    if not len(c[E.STOP_IDS]) or not (c[E.STOP_EVENT_SHARE] >= s.min_stop_event_share):
        return False
    return bool(_stop_night_share(c) >= s.min_after_dark_share)


def _rule_add_lighting(c: Row, s: Settings, _: list) -> Iterator[dict[str, Any]]:
    if not (c[E.DARK_EVENT_SHARE_IF_REPAIRED] >= s.min_dark_event_share):
        return
    if not (c[E.AFTER_DARK_SHARE] >= s.min_after_dark_share):
        return
    if "improve_bus_stop" not in s.disabled_rules and _stop_rule_fires(c, s):
        return  # lighting the stop is part of improve_bus_stop
    n_dark = round(c[E.DARK_EVENT_SHARE] * _n(c))
    spacing = (
        f"; lights here are {c[E.LIGHT_SPACING_M]:.0f} m apart against a guide of "
        f"{c[E.SPACING_LIMIT_M]:.0f} m"
        if bool(c[E.SPACING_EXCEEDED])
        else ""
    )
    evidence = (
        f"{n_dark} of {_n(c)} events are farther than {s.light_radius_m:.0f} m from any working "
        f"light (median {c[E.NEAREST_LIGHT_MEDIAN_M]:.0f} m, up to "
        f"{c[E.NEAREST_LIGHT_MAX_M]:.0f} m), {int(c[E.DARK_EVENTS_AFTER_DARK])} of them after "
        f"dark; {_pct(c[E.DARK_AREA_SHARE])} of the area is in a dark gap{spacing}; a light at "
        f"the target point would cover {int(c[E.DARK_GAP_EVENTS])} of them." + _precision_note(c)
    )
    check, factor = _inventory_check(c, s)
    yield {
        TARGET_KIND: "new_light_point",
        TARGET_X: float(c[E.DARK_GAP_X]),
        TARGET_Y: float(c[E.DARK_GAP_Y]),
        EVIDENCE: evidence + check,
        TRIGGERED_BY: [E.DARK_EVENT_SHARE_IF_REPAIRED, E.AFTER_DARK_SHARE, E.DARK_GAP_X]
        + ([E.LIGHT_INVENTORY_GAP] if check else []),
        "_strength": factor * float(c[E.DARK_EVENT_SHARE_IF_REPAIRED]),
    }


def _inventory_check(c: Row, s: Settings) -> tuple[str, float]:
    """Return a note and a strength factor when no light at all is mapped near the place."""
    if not bool(c.get(E.LIGHT_INVENTORY_GAP, False)):
        return "", 1.0
    d = float(c[E.NEAREST_ANY_LIGHT_M])
    where = f"within {d:.0f} m" if np.isfinite(d) else "anywhere in the study"
    return (
        f" Check the lights layer first: no light of any status is mapped {where} of this "
        f"place (more than {s.inventory_gap_m:.0f} m is unusual in a built-up street), so the "
        "layer may not cover it (lights owned by another agency, or private ones).",
        0.5,
    )


def _rule_bus_stop(c: Row, s: Settings, _: list) -> Iterator[dict[str, Any]]:
    if not _stop_rule_fires(c, s):
        return
    dark = list(c[E.DARK_STOP_IDS])
    stop = dark[0] if dark else list(c[E.STOP_IDS])[0]
    names = dict(zip(c[E.STOP_IDS], c[E.STOP_NAMES], strict=True))
    at_stop = round(c[E.STOP_EVENT_SHARE] * _n(c))
    night = _stop_night_share(c)
    evidence = (
        f"{at_stop} of {_n(c)} events within {s.stop_radius_m:.0f} m of bus stop {stop}"
        + (f" ({names[stop]})" if names.get(stop) else "")
        + f", {int(c[E.STOP_EVENTS_AFTER_DARK])} of them after dark ({_pct(night)})"
        + (
            f"; the stop is farther than {s.light_radius_m:.0f} m from any working light"
            if stop in dark
            else ""
        )
        + ": light the waiting area, review shelter and sightlines, or move the stop."
    )
    check = _inventory_check(c, s)[0] if stop in dark else ""
    yield {
        TARGET_ID: stop,
        TARGET_KIND: "stop",
        EVIDENCE: evidence + check,
        TRIGGERED_BY: [E.STOP_EVENT_SHARE, E.STOP_EVENTS_AFTER_DARK]
        + ([E.DARK_STOP_IDS] if stop in dark else []),
        "_strength": _stop_strength(float(c[E.STOP_EVENT_SHARE]), night, in_dark=stop in dark),
    }


def _stop_strength(stop_share: float, night_share: float, *, in_dark: bool) -> float:
    """Strength (0-1) of the bus-stop evidence.

    0.8 x the share of events at the stop, weighted by their after-dark share (half weight
    at none, full weight at all), plus 0.2 when the stop is in a dark gap.
    """
    return min(1.0, stop_share * (0.5 + 0.5 * min(1.0, night_share)) * 0.8 + 0.2 * in_dark)


def _sightline_rows(c: Row, kinds: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    details = list(c[E.SIGHTLINE_DETAIL])
    for oid, kind in zip(c[E.SIGHTLINE_IDS], c[E.SIGHTLINE_KINDS], strict=True):
        if kind not in kinds:
            continue
        where = [d for d in details if f" {oid} between" in d]
        yield {
            TARGET_ID: oid,
            TARGET_KIND: "obstruction",
            EVIDENCE: (
                f"{kind.capitalize()} {oid} blocks the view: "
                + "; ".join(d.split(" between ", 1)[1] for d in where)
                + f". {_night(c)}."
            ),
            TRIGGERED_BY: [E.SIGHTLINE_IDS],
            "_strength": 0.8,
        }


def _rule_trim(c: Row, s: Settings, _: list) -> Iterator[dict[str, Any]]:
    rows = list(_sightline_rows(c, ("hedge", "tree")))
    seen = {r[TARGET_ID] for r in rows}
    for oid in c[E.CANOPY_OVER_LIGHT_IDS]:
        if oid not in seen:
            seen.add(oid)
            rows.append(
                {
                    TARGET_ID: oid,
                    TARGET_KIND: "obstruction",
                    EVIDENCE: f"Vegetation {oid} covers a street light that serves this place. "
                    f"{_night(c)}.",
                    TRIGGERED_BY: [E.CANOPY_OVER_LIGHT_IDS],
                    "_strength": 0.7,
                }
            )
    veg = int(c[E.VEGETATION_CONCERNS])
    if rows and veg:
        for r in rows:
            r[EVIDENCE] += f" {veg} resident concern(s) mention overgrowth or blind spots."
            r[TRIGGERED_BY].append(E.VEGETATION_CONCERNS)
    if not rows and veg >= s.min_topic_concerns:
        rows.append(
            {
                TARGET_KIND: "place",
                EVIDENCE: (
                    f"{veg} resident concerns mention overgrowth, hedges or blind corners here "
                    f"(no obstruction is mapped: survey the site). {_night(c)}."
                ),
                TRIGGERED_BY: [E.VEGETATION_CONCERNS],
                "_strength": min(1.0, veg / 5),
            }
        )
    yield from rows


def _rule_clear(c: Row, _s: Settings, _: list) -> Iterator[dict[str, Any]]:
    yield from _sightline_rows(c, ("wall", "fence", "building", "other"))


def _rule_clean_up(c: Row, s: Settings, _: list) -> Iterator[dict[str, Any]]:
    litter = int(c[E.LITTER_CONCERNS])
    if litter < s.min_topic_concerns:
        return
    phrases = [p for p in c[E.TOP_PHRASES] if p][:1]
    yield {
        TARGET_KIND: "place",
        EVIDENCE: (
            f"{litter} resident concerns about litter or dumping here"
            + (f", e.g. \u201c{phrases[0]}\u201d" if phrases else "")
            + "."
        ),
        TRIGGERED_BY: [E.LITTER_CONCERNS, E.TOP_PHRASES],
        "_strength": min(1.0, litter / 5),
    }


def _no_fix(c: Row, s: Settings) -> dict[str, Any]:
    nearest = float(c[E.NEAREST_LIGHT_MEDIAN_M])
    reasons = [
        f"{int(c[E.WORKING_LIGHTS_IN_REACH])} working lights within {s.light_radius_m:.0f} m "
        + (f"(nearest {nearest:.0f} m median)" if np.isfinite(nearest) else "(none mapped)")
        + ", none out"
        + (
            f" (no light of any status is mapped within {c[E.NEAREST_ANY_LIGHT_M]:.0f} m: check "
            "the lights layer covers this place)"
            if bool(c.get(E.LIGHT_INVENTORY_GAP, False)) and np.isfinite(nearest)
            else ""
        ),
        f"{_night(c)} ({_pct(c[E.AFTER_DARK_SHARE])}; the study's night/day ratio is "
        f"{c[E.STUDY_NIGHT_DAY_RATIO]:.2f}, here {c[E.NIGHT_DAY_RATIO]:.2f})",
    ]
    reasons.append(
        "no obstruction across its sightlines" if not len(c[E.SIGHTLINE_IDS]) else
        "obstructions present but rules for them are switched off"
    )  # fmt: skip
    if not len(c[E.STOP_IDS]):
        reasons.append("no bus stop waiting area")
    return {
        TARGET_KIND: "place",
        EVIDENCE: (
            f"No environmental fix indicated for {_n(c)} events: "
            + "; ".join(reasons)
            + ". Consider non-environmental responses (place managers, guardianship, "
            "targeted patrol)."
        ),
        TRIGGERED_BY: [E.WORKING_LIGHTS_IN_REACH, E.AFTER_DARK_SHARE, E.SIGHTLINE_IDS],
        "_strength": 0.0,
    }


_RULES: tuple[tuple[str, Rule], ...] = (
    ("repair_light", _rule_repair_light),
    ("add_lighting", _rule_add_lighting),
    ("improve_bus_stop", _rule_bus_stop),
    ("trim_vegetation", _rule_trim),
    ("clear_sightline", _rule_clear),
    ("clean_up", _rule_clean_up),
)


def _priority(c: Row, strength: float) -> tuple[float, str]:
    p_adj = float(c.get("p_adj", np.nan))
    significance = min(1.0, -np.log10(max(p_adj, 1e-300)) / 10) if np.isfinite(p_adj) else 0.0
    trend = str(c.get("trend", "") or "")
    after_dark = float(c[E.AFTER_DARK_SHARE])
    parts = {
        "volume": min(1.0, _n(c) / _FULL_VOLUME_EVENTS),
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
