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
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots import _columns as C
from hotspots._errors import ValidationError, raise_problems
from hotspots.factors import registered_factors
from hotspots.factors.base import STRENGTH, Factor, FixRule, NoFixReason, Row, n_events, pct
from hotspots.factors.lighting import CHECK_LAYER_FIRST
from hotspots.fixes import Fix, catalogue
from hotspots.offences import UNKNOWN
from hotspots.settings import FIX_TYPES, Settings

__all__ = [
    "CHECK_LAYER_FIRST",
    "CONFIDENCE",
    "HARM",
    "HARM_RANK",
    "RECOMMENDATION_COLUMNS",
    "recommend",
]

HARM = "harm"
HARM_RANK = C.HARM_RANK
CONFIDENCE = "confidence"

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
    C.PRIORITY: "float 0-100: 100 x the place's harm / the most harmful place's (the rank "
    "order: higher first)",
    C.PRIORITY_EXPLAINED: "str: the make-up of the harm and the confidence, in words",
    "harm": "float days: the place's harm (incidents x harm weight x recency)",
    "harm_rank": "int: 1 = the most harmful place (rows of one place share it)",
    "confidence": "float 0-1: strength of the rule's evidence x data quality (location "
    "precision, layer coverage); shown beside the rank, not part of it",
    "check_layer_first": "bool: the fix rests on a likely gap in a layer (no light mapped "
    "near): check the layer before acting",
    C.GEOMETRY: "Point: the target (the hot spot's centre for place-wide fixes)",
}
"""Columns of :func:`recommend`'s result."""

_SNAPPED_FACTOR = 0.8  # evidence distances are good to half a block only
_LAYER_GAP_FACTOR = 0.5  # the fix may rest on a gap in the layer, not a real dark block


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

    Rules of the resident-requests factor: ``repair_light`` also at a light residents
    reported out that no mapped pole accounts for (target: the reported location; the
    evidence gives the outage-window rate ratio); ``trim_vegetation``, ``remove_graffiti``
    and ``secure_vacant_building`` from at least ``min_topic_concerns`` requests of that
    kind within ``outage_match_m`` (vegetation only without an obstruction layer).

    Offence gate: a fix that declares the offence groups it can affect
    (:attr:`hotspots.fixes.Fix.offence_groups`) is withheld where fewer than
    ``min_fix_offence_share`` of the place's incidents of known group are in them (outdoors
    only, for outdoor fixes, when a location description is given); the no-fix row then
    says why ("lighting can affect 10% of the incidents here: 90% are theft_other").

    Rank: harm first. ``harm`` is the place's incidents weighted by ``harm_weights`` and
    recency (``harm_half_life_days``); ``harm_rank`` 1 is the most harmful place;
    ``priority`` = 100 x harm / the most harmful place's harm. ``confidence`` (0-1) = the
    rule's strength x 0.8 for snapped locations x 0.5 when the fix rests on a likely layer
    gap (``check_layer_first``, whose evidence starts "Check the layer first"); it is shown
    beside the rank and orders the rows of one place, never mixing into the rank. When
    ``clusters.attrs["risk_factors"]`` holds :func:`hotspots.risk_factors`' table, a fix's
    evidence quotes its feature's city-wide relative risk.

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
    records = _records(clusters)
    harm = np.array([float(c.get(HARM, 0.0) or 0.0) for c in records])
    n_ev = np.array([n_events(c) for c in records])
    ids = [str(c[C.CLUSTER_ID]) for c in records]
    if records and all(c.get(HARM_RANK) is not None for c in records):
        rank = np.array([int(c[HARM_RANK]) for c in records])  # diagnose's rank
    else:
        order = sorted(range(len(records)), key=lambda i: (-harm[i], -n_ev[i], ids[i]))
        rank = np.empty(len(records), int)
        rank[order] = np.arange(1, len(records) + 1)
    top = float(harm.max()) if len(harm) and harm.max() > 0 else 0.0
    risk = clusters.attrs.get("risk_factors")
    risk_notes = {name: _risk_note(risk, fix) for name, fix in fixes.items()}
    for i, c in enumerate(records):
        fired = _fired(rules, supersedes, c, s)
        fired, withheld = _offence_gate(fired, c, s, fixes)
        if not fired and C.NO_FIX not in s.disabled_rules:
            fired.append({**_no_fix(c, s, factors, withheld), C.FIX: C.NO_FIX})
        for row in fired:
            row[C.CLUSTER_ID] = c[C.CLUSTER_ID]
            if not np.isfinite(row.get(C.TARGET_X, np.nan)):
                row[C.TARGET_X], row[C.TARGET_Y] = centres[i]
            row.setdefault(C.TARGET_KIND, "place")
            row.setdefault(C.TARGET_ID, "")
            fix = fixes[row[C.FIX]]
            row[C.EFFECT] = fix.effect
            row[C.CAUTION] = fix.caution
            check = bool(row.pop(CHECK_LAYER_FIRST, False))
            row[CHECK_LAYER_FIRST] = check
            row[C.EVIDENCE] += risk_notes[row[C.FIX]]
            row[HARM] = round(float(harm[i]), 2)
            row[HARM_RANK] = int(rank[i])
            row[C.PRIORITY] = round(100.0 * harm[i] / top, 1) if top > 0 else 0.0
            row[CONFIDENCE], conf_text = _confidence(c, row.pop(STRENGTH, 0.0), check)
            row[C.PRIORITY_EXPLAINED] = (
                f"harm {harm[i]:.1f} days ({c.get('harm_explained', '')}): rank "
                f"{rank[i]} of {len(records)}, priority 100 \u00d7 {harm[i]:.1f} / "
                f"{top:.1f} = {row[C.PRIORITY]:.1f}; confidence {conf_text} (not in the rank)"
            )
            rows.append(row)
    columns = [c for c in RECOMMENDATION_COLUMNS if c != C.GEOMETRY]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.sort_values(
        [HARM_RANK, CONFIDENCE, C.FIX, C.TARGET_ID], ascending=[True, False, True, True]
    )
    frame = frame.reset_index(drop=True)
    geometry = gpd.GeoSeries(
        shapely.points(frame[C.TARGET_X].to_numpy(float), frame[C.TARGET_Y].to_numpy(float)),
        crs=clusters.crs,
    )
    result = gpd.GeoDataFrame(frame, geometry=geometry, crs=clusters.crs)
    result.attrs["settings"] = s
    for key in ("unmapped_request_types", "unmapped_offence_types", "risk_factors"):
        if key in clusters.attrs:
            result.attrs[key] = clusters.attrs[key]
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


def _no_fix(
    c: Row, s: Settings, factors: tuple[Factor, ...], withheld: list[NoFixReason] | None = None
) -> dict[str, Any]:
    """Build the no-fix row: withheld fixes, what each factor checked, what the place lacks."""
    reasons: list[NoFixReason] = list(withheld or []) + [
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


def _offence_gate(
    fired: list[dict[str, Any]], c: Row, s: Settings, fixes: Any
) -> tuple[list[dict[str, Any]], list[NoFixReason]]:
    """Withhold fixes whose offence groups hold too few of the place's incidents."""
    counts: dict[str, int] = dict(c.get("offence_group_counts") or {})
    known = sum(v for g, v in counts.items() if g != UNKNOWN)
    if not fired or known == 0:
        return fired, []
    outdoor: dict[str, int] = dict(c.get("outdoor_group_counts") or {})
    located = bool(c.get("location_known", False))
    kept, withheld, said = [], [], set()
    for row in fired:
        fix: Fix = fixes[row[C.FIX]]
        if not fix.offence_groups:
            kept.append(row)
            continue
        use = outdoor if (fix.outdoor and located) else counts
        share = sum(use.get(g, 0) for g in fix.offence_groups) / known
        if share >= s.min_fix_offence_share:
            kept.append(row)
            continue
        if fix.name in said:
            continue
        said.add(fix.name)
        main, n_main = max(
            ((g, v) for g, v in counts.items() if g != UNKNOWN), key=lambda t: (t[1], t[0])
        )
        indoor = int(c.get("indoor_incidents", 0) or 0)
        text = (
            f"{fix.label.lower()} withheld: it can affect {pct(share)} of the {known} incidents "
            f"of known type here (needs {pct(s.min_fix_offence_share)}); {pct(n_main / known)} "
            f"are {main.replace('_', ' ')}"
            + (
                f", and {pct(indoor / known)} are indoors by their location description"
                if located and fix.outdoor and indoor
                else ""
            )
        )
        withheld.append(NoFixReason(text, ("offence_group_counts",)))
    return kept, withheld


def _confidence(c: Row, strength: float, check: bool) -> tuple[float, str]:
    """Return the confidence (0-1) of a row and its make-up in words."""
    parts = [f"evidence {float(strength):.2f}"]
    value = float(strength)
    if "snapped" in str(c.get(C.LOCATION_PRECISION, "") or ""):
        value *= _SNAPPED_FACTOR
        parts.append(f"snapped locations \u00d7{_SNAPPED_FACTOR}")
    if check:
        value *= _LAYER_GAP_FACTOR
        parts.append(f"check the layer first \u00d7{_LAYER_GAP_FACTOR}")
    value = round(min(1.0, max(0.0, value)), 2)
    return value, f"{value:.2f} = " + " \u00d7 ".join(parts)


def _risk_note(risk: Any, fix: Fix) -> str:
    """Return the fix's feature's city-wide relative risk from risk_factors' table, or ''."""
    if risk is None or not fix.risk_feature or not len(risk):
        return ""
    rows = risk[risk["feature"] == fix.risk_feature]
    if rows.empty:
        return ""
    r = rows.sort_values("band_to_m").iloc[0]
    verdict = "a risk factor" if bool(r["significant"]) else "not a significant risk factor"
    return (
        f" City-wide, {fix.risk_feature}: RR {r['rr']:.1f} within {r['band_to_m']:.0f} m "
        f"(95% CI {r['ci_low']:.1f}\u2013{r['ci_high']:.1f}), {verdict} after correction."
    )
