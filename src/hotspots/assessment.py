"""Assessment: did the fix work, or did the trouble just move next door.

:func:`assess` compares a treated place with the displacement buffer around it and a control
area, before and after an intervention, and reports

- the **rate ratio** of the treated area (after / before, relative to the control) with an
  exact conditional confidence interval and p-value (:func:`rate_ratio_test`),
- the **Weighted Displacement Quotient** of Bowers & Johnson (2003) with its reading
  (displacement or diffusion of benefits; :func:`weighted_displacement_quotient`),
- the **Weighted Displacement Difference** test of Wheeler & Ratcliffe (2018) with its
  standard error, z and p (:func:`weighted_displacement_difference`),

for all events and separately for events after dark and in daylight (a lighting fix should
change the night more than the day).

How good a hot spot map was at catching the next events is scored in
:mod:`hotspots.forecast`.

References
----------
- Bowers, K. J. & Johnson, S. D. (2003). Measuring the geographical displacement and
  diffusion of benefit effects of crime prevention activity. *Journal of Quantitative
  Criminology* 19(3), 275-301.
- Guerette, R. T. (2009). *Analyzing Crime Displacement and Diffusion*. Problem-Oriented
  Guides for Police, Tool Guide No. 10, Appendix C (interpretation of the WDQ and the total
  net effect).
- Wheeler, A. P. & Ratcliffe, J. H. (2018). A simple weighted displacement difference test
  to evaluate place based crime interventions. *Crime Science* 7, 11.
- Breslow, N. E. & Day, N. E. (1980). *Statistical Methods in Cancer Research*, vol. 1,
  §4.2 (exact conditional inference on the odds ratio of a 2 x 2 table); Cornfield, J.
  (1956) for the interval.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots import _columns as C
from hotspots._checks import SOURCES as _SOURCES
from hotspots._checks import check_sources as _check_sources
from hotspots._checks import check_study as _check_study
from hotspots._checks import positive as _positive
from hotspots._displacement import (
    WDD,
    WDQ,
    RateRatio,
    rate_ratio_test,
    wdd_result,
    weighted_displacement_difference,
    weighted_displacement_quotient,
)
from hotspots._errors import CRSError, ValidationError, raise_problems
from hotspots._events import add_days, check_coverage, select_events, timestamp
from hotspots.study import Study, combine_events
from hotspots.temporal import after_dark

__all__ = [
    "AREAS",
    "SLICES",
    "WDQ",
    "WDD",
    "Assessment",
    "Effect",
    "RateRatio",
    "assess",
    "rate_ratio_test",
    "weighted_displacement_difference",
    "weighted_displacement_quotient",
]

log = logging.getLogger(__name__)

# --- names ---------------------------------------------------------------------------------
TREATED = "treated"
BUFFER = "buffer"
CONTROL = "control"
AREAS: tuple[str, ...] = (TREATED, BUFFER, CONTROL)
"""The three areas of an assessment, in the order of :attr:`Assessment.areas`."""
BEFORE = "before"
AFTER = "after"
PERIODS: tuple[str, ...] = (BEFORE, AFTER)
ALL = "all"
NIGHT = "night"
DAY = "day"
SLICES: tuple[str, ...] = (ALL, NIGHT, DAY)
"""All events, events after dark (:func:`hotspots.temporal.after_dark`), events in daylight."""

DEFAULT_BUFFER_M = 200.0
"""Displacement buffer width: about two short blocks, where displaced offenders go first."""
DEFAULT_MIN_EVENTS = 10
"""Fewest treated-area events (before + after) for an assessment to mean anything."""


# =========================================================================================
# assess
# =========================================================================================


@dataclass(frozen=True)
class Effect:
    """Every statistic of one slice of events (all, after dark or daylight).

    Attributes
    ----------
    slice : {"all", "night", "day"}
    counts : dict
        ``{(area, period): count}`` for the three areas and two periods.
    rate_ratio, ci_low, ci_high, p_value : float
        Treated area after / before relative to the control (:func:`rate_ratio_test`).
    buffer_rate_ratio, buffer_ci_low, buffer_ci_high, buffer_p_value : float
        The same for the buffer: above 1 the buffer rose relative to the control.
    wdq, success_measure, displacement_measure, total_net_effect : float
        :func:`weighted_displacement_quotient`.
    wdq_reading : str
        Its interpretation in words.
    wdd, wdd_se, wdd_z, wdd_p : float
        :func:`weighted_displacement_difference`, the one control standing in for both the
        treated area and the buffer, scaled to each one's before count.
    wdd_local, wdd_displacement : float
        The treated-area and buffer parts of the WDD.
    note : str
        Why the statistics are NaN (too few events), else empty.
    """

    slice: str
    counts: Mapping[tuple[str, str], int]
    rate_ratio: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    p_value: float = math.nan
    buffer_rate_ratio: float = math.nan
    buffer_ci_low: float = math.nan
    buffer_ci_high: float = math.nan
    buffer_p_value: float = math.nan
    wdq: float = math.nan
    success_measure: float = math.nan
    displacement_measure: float = math.nan
    total_net_effect: float = math.nan
    wdq_reading: str = ""
    wdd: float = math.nan
    wdd_se: float = math.nan
    wdd_z: float = math.nan
    wdd_p: float = math.nan
    wdd_local: float = math.nan
    wdd_displacement: float = math.nan
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return counts and statistics as one flat dict (a row of :meth:`Assessment.to_frame`)."""
        row: dict[str, Any] = {"slice": self.slice}
        for (area, period), n in self.counts.items():
            row[f"{area}_{period}"] = n
        for f in dataclasses.fields(self):
            if f.name not in ("slice", "counts"):
                row[f.name] = getattr(self, f.name)
        return row


@dataclass(frozen=True)
class Assessment:
    """The result of :func:`assess`: areas, counts and every statistic, all / night / day.

    Attributes
    ----------
    areas : GeoDataFrame
        Index ``treated``, ``buffer``, ``control``; columns ``area`` (str), ``area_m2``
        (float) and ``geometry`` (Polygon / MultiPolygon), in the study CRS, for the map.
    counts : DataFrame
        Index (``area``, ``period``) with areas ``treated / buffer / control`` and periods
        ``before / after``; columns ``all``, ``night``, ``day`` (int event counts).
    overall, night, day : Effect
        The statistics for all events, for events after dark and for events in daylight.
    parameters : dict
        The design: periods (tz-aware Timestamps), buffer and control distances, sources,
        categories, level, and how each area was made.

    The statistics of all events are also attributes of the assessment itself:
    ``rate_ratio``, ``ci_low``, ``ci_high``, ``p_value``, ``wdq``, ``wdq_reading``,
    ``wdd``, ``wdd_se``, ``wdd_z``, ``wdd_p`` (and the other fields of :class:`Effect`).
    """

    areas: gpd.GeoDataFrame
    counts: pd.DataFrame
    overall: Effect
    night: Effect
    day: Effect
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # rate_ratio, ci_low, ..., wdd_p: the statistics of all events
        if name in _EFFECT_STATS:
            return getattr(self.overall, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(_EFFECT_STATS))

    def to_frame(self) -> pd.DataFrame:
        """One row per slice (``all``, ``night``, ``day``): counts and every statistic."""
        rows = [e.to_dict() for e in (self.overall, self.night, self.day)]
        return pd.DataFrame(rows).set_index("slice")

    def summary(self) -> str:
        """Describe the result in a plain-language paragraph for a problem-solving team."""
        p = self.parameters
        e = self.overall
        alpha = 1 - p["level"]
        n = e.counts
        days = p["before_days"]
        what = " and ".join(f"{s}s" for s in p["sources"])
        if p["categories"]:
            what += " (" + ", ".join(p["categories"]) + ")"
        start = p["intervention_start"]
        parts = [
            f"Intervention on {start:%Y-%m-%d}: {what} in the {days:g} days before and "
            f"{p['after_days']:g} days after."
        ]
        parts.append(
            f"In the treated area they went from {n[TREATED, BEFORE]} to "
            f"{n[TREATED, AFTER]}; in the control area from {n[CONTROL, BEFORE]} to "
            f"{n[CONTROL, AFTER]}."
        )
        parts.append(_sentence_change(e, alpha, p["level"]))
        parts.append(
            f"In the {p['buffer_m']:g} m buffer around it they went from {n[BUFFER, BEFORE]} "
            f"to {n[BUFFER, AFTER]} ({_times(e.buffer_rate_ratio)} relative to the control, "
            f"{_pct(p['level'])} CI {_num(e.buffer_ci_low)}-{_num(e.buffer_ci_high)}, "
            f"{_p(e.buffer_p_value)})"
            + (
                ", a rise beyond chance: watch for displacement."
                if e.buffer_p_value < alpha and e.buffer_rate_ratio > 1
                else (
                    ", a fall beyond chance: benefits may have spread."
                    if e.buffer_p_value < alpha and e.buffer_rate_ratio < 1
                    else ", within what chance produces."
                )
            )
        )
        parts.append(f"Weighted displacement quotient {_num(e.wdq)}: {e.wdq_reading}.")
        if math.isfinite(e.wdd):
            verdict = "beyond chance" if e.wdd_p < alpha else "not distinguishable from chance"
            parts.append(
                f"Weighted displacement difference: {_signed(e.wdd)} events in the treated "
                f"area and buffer together relative to the control's trend (SE "
                f"{e.wdd_se:.1f}, z = {e.wdd_z:.2f}, {_p(e.wdd_p)}), {verdict}."
            )
        for eff, label in ((self.night, "After dark"), (self.day, "In daylight")):
            if eff.note:
                parts.append(f"{label}: {eff.note}.")
            else:
                parts.append(
                    f"{label}: {eff.counts[TREATED, BEFORE]} to {eff.counts[TREATED, AFTER]} "
                    f"in the treated area, rate ratio {_num(eff.rate_ratio)} "
                    f"({_pct(p['level'])} CI {_num(eff.ci_low)}-{_num(eff.ci_high)}, "
                    f"{_p(eff.p_value)})."
                )
        if not self.night.note and not self.day.note:
            if self.night.p_value < alpha and not self.day.p_value < alpha:
                parts.append(
                    "The change is at night rather than by day, as a lighting fix would give."
                )
            elif self.day.p_value < alpha and not self.night.p_value < alpha:
                parts.append("The change is by day rather than at night.")
        return " ".join(parts)


_EFFECT_STATS = tuple(f.name for f in dataclasses.fields(Effect) if f.name not in ("slice",))


def assess(
    study: Study,
    treated_area: Any,
    *,
    intervention_date: Any,
    before_days: float,
    after_days: float | None = None,
    buffer_m: float = DEFAULT_BUFFER_M,
    control_area: Any = None,
    control_m: tuple[float, float] | None = None,
    sources: Sequence[str] = _SOURCES,
    categories: Iterable[str] | None = None,
    min_events: int = DEFAULT_MIN_EVENTS,
) -> Assessment:
    """Assess whether the fix worked at the treated place and whether trouble moved next door.

    Parameters
    ----------
    study : Study
        Incidents and concerns (times, points) and settings (``alpha`` sets the confidence
        level ``1 - alpha``; ``twilight_depression_deg`` sets what "after dark" means).
    treated_area : shapely geometry, GeoDataFrame, GeoSeries or a row of find_hotspots
        Where the fix was made. A shapely (Multi)Polygon is taken to be in the study CRS
        (metres); a GeoDataFrame or GeoSeries is reprojected and its shapes united; a row
        of :func:`hotspots.cluster.find_hotspots` (``hot.loc["H001"]``) gives its polygon.
    intervention_date : date string, Timestamp, or (start, end)
        When the fix was made; naive values are local to the study's timezone. A
        ``(start, end)`` pair is an implementation period that belongs to neither period.
    before_days : float
        Length of the before period, in days, ending at the intervention (start).
    after_days : float, optional
        Length of the after period, in days, starting at the intervention (end). Default:
        ``before_days`` (periods of equal length, the standard design). Unequal lengths are
        allowed: the rate ratio and WDQ are unaffected and the WDD scales the before
        counts by ``after_days / before_days``.
    buffer_m : float
        Width of the displacement buffer around the treated area, in metres. Default 200 m:
        about two short blocks, the catchment where displaced offending is most likely
        (displacement decays with distance; Bowers & Johnson 2003 and Guerette 2009 use
        adjacent areas of similar size). The buffer excludes the treated area.
    control_area : same types as `treated_area`, optional
        The control area. It must not overlap the treated area or the buffer. By default a
        ring around the treated area from ``control_m[0]`` to ``control_m[1]`` metres,
        clipped to the study boundary.
    control_m : (inner, outer), optional
        Distances in metres from the treated area of the automatic control ring. Default
        ``(2 * buffer_m, 4 * buffer_m)``: a gap of one buffer width keeps events displaced a
        little beyond the buffer out of the control, and the ring is wide enough to show the
        area's background trend.
    sources : sequence of {"incident", "concern"}
        Which events to count (both by default).
    categories : iterable of str, optional
        Count only events of these categories (as in the layers' ``category`` column).
    min_events : int
        Fewest events in the treated area, before and after together, to assess at all;
        default 10. Night and day slices with fewer get NaN statistics and a note.

    Returns
    -------
    Assessment
        Areas, counts and the statistics for all events, after dark and in daylight; see
        :class:`Assessment`, :meth:`Assessment.summary`, :meth:`Assessment.to_frame`.

    Raises
    ------
    ValidationError
        An impossible design, with what is wrong and how to fix it: bad arguments, an
        implementation period that ends before it starts, periods the data do not cover, a
        control overlapping the treated area or buffer, an empty buffer or control, or too
        few events to say anything.
    CRSError
        An area without a CRS or in lon/lat where metres are expected.

    Notes
    -----
    Counting: an event belongs to an area when its point is inside the polygon
    (``shapely.contains_xy``), and to a period by its start time: before is
    ``[start - before_days, start)``, after ``[end, end + after_days)``, in calendar days
    on the local clock.

    The statistics: :func:`rate_ratio_test` (treated area and buffer, each against the
    control), :func:`weighted_displacement_quotient` and
    :func:`weighted_displacement_difference`. For the WDD the single control stands in for
    both the treated area's and the buffer's control: Wheeler & Ratcliffe's difference
    assumes parallel trends in *counts*, so the control is scaled to each area's before
    count (weights ``T0 / C0`` and ``B0 / C0``, as a weighted control in ``ptools``); the
    WDD is then the number of events fewer (negative) or more than the control's trend
    predicts, and a large control adds little variance.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, pandas as pd, pyproj, shapely
    >>> from hotspots import build_study
    >>> crs, tz = pyproj.CRS(32618), "America/New_York"
    >>> rng = np.random.default_rng(0)
    >>> def events(n, radius, start, days):
    ...     a, r = rng.uniform(0, 2 * np.pi, n), radius * np.sqrt(rng.uniform(0, 1, n))
    ...     t = pd.Timestamp(start, tz=tz) + pd.to_timedelta(rng.uniform(0, days, n), "D")
    ...     return 320_000 + r * np.cos(a), 4_300_000 + r * np.sin(a), t
    >>> parts = [events(60, 30, "2025-01-01", 90), events(15, 30, "2025-04-01", 90),
    ...          events(400, 900, "2025-01-01", 180)]
    >>> x, y, t = (np.concatenate(v) for v in zip(*parts))
    >>> inc = gpd.GeoDataFrame({"id": [str(i) for i in range(len(x))],
    ...     "occurred_at": t, "category": "theft", "description": ""},
    ...     geometry=shapely.points(x, y), crs=crs)
    >>> study = build_study(incidents=inc, crs=crs, tz=tz)
    >>> result = assess(study, shapely.Point(320_000, 4_300_000).buffer(40),
    ...                 intervention_date="2025-04-01", before_days=90)
    >>> int(result.counts.loc[("treated", "before"), "all"]) >= 60
    True
    >>> bool(result.rate_ratio < 1 and result.ci_high < 1)
    True
    """
    settings = _check_study(study)
    level = 1 - settings.alpha
    opts = _check_assess_options(
        before_days=before_days,
        after_days=after_days,
        buffer_m=buffer_m,
        control_m=control_m,
        sources=sources,
        min_events=min_events,
    )
    before_days = opts["before_days"]
    after_days = opts["after_days"]
    start, end = _intervention_period(intervention_date, study.tz)
    b0 = add_days(start, -before_days)
    a1 = add_days(end, after_days)

    # --- areas --------------------------------------------------------------------------
    treated = _as_polygon(treated_area, study, "treated_area")
    boundary = study.boundary if study.boundary is not None else None
    buffer = shapely.difference(shapely.buffer(treated, opts["buffer_m"]), treated)
    if boundary is not None:
        buffer = shapely.intersection(buffer, boundary)
    if buffer.is_empty or buffer.area <= 0:
        raise ValidationError(
            "the displacement buffer is empty (the treated area fills the study boundary "
            "around it); pass a smaller treated area or a study with a larger boundary"
        )
    if control_area is None:
        inner, outer = opts["control_m"]
        control = shapely.difference(shapely.buffer(treated, outer), shapely.buffer(treated, inner))
        if boundary is not None:
            control = shapely.intersection(control, boundary)
        control_how = f"ring {inner:g}-{outer:g} m from the treated area"
        if control.is_empty or control.area <= 0:
            raise ValidationError(
                f"the automatic control ring ({inner:g}-{outer:g} m from the treated area) "
                "lies outside the study boundary; pass `control_area=` or a smaller `control_m`"
            )
    else:
        control = _as_polygon(control_area, study, "control_area")
        control_how = "given"
        problems = []
        for name, other in ((TREATED, treated), (BUFFER, buffer)):
            overlap = shapely.intersection(control, other).area
            if overlap > 1e-6 * min(control.area, other.area):
                problems.append(
                    f"`control_area` overlaps the {name} area by {overlap:,.0f} m²"
                    + (
                        f"; move the control away or pass a smaller `buffer_m` (now {buffer_m:g})"
                        if name == BUFFER
                        else "; a control must be somewhere the fix did not reach"
                    )
                )
        raise_problems(problems, "Invalid arguments to assess")
    polys = {TREATED: treated, BUFFER: buffer, CONTROL: control}

    # --- events -------------------------------------------------------------------------
    all_events = combine_events(study)
    check_coverage(study, all_events, b0, a1)
    events = select_events(all_events, opts["sources"], categories)
    t = events[C.TIME]
    in_before = ((t >= b0) & (t < start)).to_numpy(bool)
    in_after = ((t >= end) & (t < a1)).to_numpy(bool)
    events = events.loc[in_before | in_after]
    period = np.where(in_after[in_before | in_after], 1, 0)
    xy = shapely.get_coordinates(events.geometry.to_numpy())
    area = np.full(len(events), -1, np.int64)
    for code, name in reversed(list(enumerate(AREAS))):  # treated wins any shared edge
        area[shapely.contains_xy(polys[name], xy[:, 0], xy[:, 1])] = code
    dark = (
        after_dark(events, settings=settings).to_numpy(bool) if len(events) else np.zeros(0, bool)
    )

    # --- counts (area x period x night) -------------------------------------------------
    keep = area >= 0
    key = (area[keep] * 2 + period[keep]) * 2 + dark[keep]
    cube = np.bincount(key, minlength=12).reshape(3, 2, 2)  # area, period, night
    index = pd.MultiIndex.from_product([AREAS, PERIODS], names=["area", "period"])
    counts = pd.DataFrame(
        {
            ALL: cube.sum(axis=2).ravel(),
            NIGHT: cube[:, :, 1].ravel(),
            DAY: cube[:, :, 0].ravel(),
        },
        index=index,
    )

    # --- too few to say anything? ---------------------------------------------------------
    n = counts[ALL]
    problems = []
    n_treated = int(n[TREATED, BEFORE] + n[TREATED, AFTER])
    if n_treated < opts["min_events"]:
        problems.append(
            f"only {n_treated} events in the treated area over both periods (before "
            f"{n[TREATED, BEFORE]}, after {n[TREATED, AFTER]}); at least {opts['min_events']} "
            "are needed to say anything: lengthen `before_days`/`after_days`, count more "
            "`sources` or `categories`, or assess a larger area"
        )
    for per in PERIODS:
        if n[CONTROL, per] == 0:
            problems.append(
                f"the control area has no events in the {per} period, so it cannot show the "
                "background trend; pass a larger `control_area` (or `control_m`)"
            )
    raise_problems(problems, "Too few events to assess")

    ratio = after_days / before_days
    effects = {
        s: _effect(s, counts[s], level=level, period_ratio=ratio, min_events=opts["min_events"])
        for s in SLICES
    }
    areas = gpd.GeoDataFrame(
        {"area": list(AREAS), "area_m2": [polys[a].area for a in AREAS]},
        geometry=[polys[a] for a in AREAS],
        crs=study.crs,
        index=pd.Index(list(AREAS)),
    )
    parameters = {
        "intervention_start": start,
        "intervention_end": end,
        "before": (b0, start),
        "after": (end, a1),
        "before_days": before_days,
        "after_days": after_days,
        "buffer_m": opts["buffer_m"],
        "control": control_how,
        "control_m": opts["control_m"] if control_area is None else None,
        "sources": list(opts["sources"]),
        "categories": sorted(set(categories)) if categories is not None else [],
        "level": level,
        "min_events": opts["min_events"],
    }
    e = effects[ALL]
    log.info(
        "assess: treated %d -> %d, buffer %d -> %d, control %d -> %d (%s); rate ratio %.3g "
        "[%.3g, %.3g], WDQ %.3g, WDD %.3g (z %.2f)",
        n[TREATED, BEFORE],
        n[TREATED, AFTER],
        n[BUFFER, BEFORE],
        n[BUFFER, AFTER],
        n[CONTROL, BEFORE],
        n[CONTROL, AFTER],
        control_how,
        e.rate_ratio,
        e.ci_low,
        e.ci_high,
        e.wdq,
        e.wdd,
        e.wdd_z,
    )
    return Assessment(
        areas=areas,
        counts=counts,
        overall=effects[ALL],
        night=effects[NIGHT],
        day=effects[DAY],
        parameters=parameters,
    )


def _effect(
    name: str, n: pd.Series, *, level: float, period_ratio: float, min_events: int
) -> Effect:
    counts = {(a, p): int(n[a, p]) for a in AREAS for p in PERIODS}
    t0, t1 = counts[TREATED, BEFORE], counts[TREATED, AFTER]
    b0, b1 = counts[BUFFER, BEFORE], counts[BUFFER, AFTER]
    c0, c1 = counts[CONTROL, BEFORE], counts[CONTROL, AFTER]
    label = {ALL: "", NIGHT: "after-dark ", DAY: "daylight "}[name]
    if t0 + t1 < min_events:
        return Effect(
            name,
            counts,
            note=f"too few {label}events in the treated area ({t0 + t1}, fewer than "
            f"{min_events}) to say anything",
        )
    if c0 == 0 or c1 == 0:
        return Effect(
            name,
            counts,
            note=f"no {label}events in the control area "
            + ("before" if c0 == 0 else "after")
            + ", so there is no background trend to compare with",
        )
    rr = rate_ratio_test(t0, t1, c0, c1, level=level)
    brr = rate_ratio_test(b0, b1, c0, c1, level=level)
    w = weighted_displacement_quotient(t0, t1, b0, b1, c0, c1)
    # the one control stands in for both: scaled to each area's before count
    wt, wb = t0 / c0, b0 / c0
    local = (t1 - period_ratio * t0) - wt * (c1 - period_ratio * c0)
    disp = (b1 - period_ratio * b0) - wb * (c1 - period_ratio * c0)
    cvar = c1 + period_ratio**2 * c0
    tvar = t1 + period_ratio**2 * t0
    bvar = b1 + period_ratio**2 * b0
    d = wdd_result(
        local,
        tvar + wt**2 * cvar,
        disp,
        bvar + wb**2 * cvar,
        local + disp,
        tvar + bvar + (wt + wb) ** 2 * cvar,
    )
    return Effect(
        name,
        counts,
        rate_ratio=rr.rate_ratio,
        ci_low=rr.ci_low,
        ci_high=rr.ci_high,
        p_value=rr.p_value,
        buffer_rate_ratio=brr.rate_ratio,
        buffer_ci_low=brr.ci_low,
        buffer_ci_high=brr.ci_high,
        buffer_p_value=brr.p_value,
        wdq=w.wdq,
        success_measure=w.success_measure,
        displacement_measure=w.displacement_measure,
        total_net_effect=w.total_net_effect,
        wdq_reading=w.reading,
        wdd=d.wdd,
        wdd_se=d.se,
        wdd_z=d.z,
        wdd_p=d.p_value,
        wdd_local=d.local,
        wdd_displacement=d.displacement,
    )


# --- words ----------------------------------------------------------------------------------


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "n/a" if math.isnan(x) else "∞"
    return f"{x:.2f}"


def _pct(level: float) -> str:
    return f"{100 * level:g}%"


def _p(p: float) -> str:
    if math.isnan(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _times(rr: float) -> str:
    return "n/a" if not math.isfinite(rr) else f"x{rr:.2f}"


def _signed(x: float) -> str:
    return f"{x:+.1f}"


def _sentence_change(e: Effect, alpha: float, level: float) -> str:
    ci = f"{_pct(level)} CI {_num(e.ci_low)}-{_num(e.ci_high)}, {_p(e.p_value)}"
    if not math.isfinite(e.rate_ratio):
        return f"The rate ratio cannot be computed ({ci})."
    change = (1 - e.rate_ratio) * 100
    if e.p_value < alpha and e.rate_ratio < 1:
        return (
            f"Relative to the control, the treated area fell by {change:.0f}% "
            f"(rate ratio {e.rate_ratio:.2f}, {ci}): a reduction chance alone is unlikely "
            "to explain."
        )
    if e.p_value < alpha and e.rate_ratio > 1:
        return (
            f"Relative to the control, the treated area rose by {-change:.0f}% "
            f"(rate ratio {e.rate_ratio:.2f}, {ci}): it got worse beyond chance."
        )
    return (
        f"Relative to the control, the treated area changed by a rate ratio of "
        f"{e.rate_ratio:.2f} ({ci}): within what chance alone produces, so do not claim an "
        "effect from these counts."
    )


# --- checks ---------------------------------------------------------------------------------


def _check_assess_options(**given: Any) -> dict[str, Any]:
    problems: list[str] = []
    opts: dict[str, Any] = {}
    opts["before_days"] = _positive("before_days", given["before_days"], "days", problems)
    after = given["after_days"] if given["after_days"] is not None else given["before_days"]
    opts["after_days"] = _positive("after_days", after, "days", problems)
    opts["buffer_m"] = _positive("buffer_m", given["buffer_m"], "metres", problems)
    cm = given["control_m"]
    if cm is None:
        b = opts["buffer_m"]
        opts["control_m"] = (2 * b, 4 * b)
    else:
        try:
            inner, outer = (float(v) for v in cm)
        except (TypeError, ValueError):
            problems.append(f"`control_m` must be (inner, outer) metres, got {cm!r}")
        else:
            if not (0 <= inner < outer and math.isfinite(outer)):
                problems.append(f"`control_m` must have 0 <= inner < outer, got {cm!r}")
            elif math.isfinite(opts["buffer_m"]) and inner <= opts["buffer_m"]:
                problems.append(
                    f"`control_m` starts at {inner:g} m, inside the {opts['buffer_m']:g} m "
                    "buffer; a control must not touch the buffer: start it beyond `buffer_m`"
                )
            opts["control_m"] = (inner, outer)
    src_problems, opts["sources"] = _check_sources(given["sources"])
    problems += src_problems
    m = given["min_events"]
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        problems.append(f"`min_events` must be an integer >= 1, got {m!r}")
    opts["min_events"] = m
    raise_problems(problems, "Invalid arguments to assess")
    return opts


def _intervention_period(value: Any, tz: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValidationError(
                f"`intervention_date` must be a date or a (start, end) pair, got {value!r}"
            )
        start = timestamp(value[0], tz, "intervention_date")
        end = timestamp(value[1], tz, "intervention_date")
        if end < start:
            raise ValidationError(
                f"`intervention_date` ends ({end}) before it starts ({start}): the before and "
                "after periods would overlap the intervention; pass (start, end) in order"
            )
        return start, end
    ts = timestamp(value, tz, "intervention_date")
    return ts, ts


def _as_polygon(value: Any, study: Study, name: str) -> shapely.Geometry:
    """Return a (Multi)Polygon in the study CRS from a geometry, frame or find_hotspots row."""
    if isinstance(value, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if len(value) == 0:
            raise ValidationError(f"`{name}` is empty")
        if value.crs is None:
            raise CRSError(
                f"`{name}` has no CRS; set it (e.g. `.set_crs({study.crs.to_epsg()})`) so "
                "it can be put in the study CRS"
            )
        geoms = value.to_crs(study.crs).geometry
        geom = geoms.union_all() if hasattr(geoms, "union_all") else geoms.unary_union
    elif isinstance(value, pd.Series) and C.GEOMETRY in value.index:
        geom = value[C.GEOMETRY]  # a row of find_hotspots: in the study CRS
    elif isinstance(value, shapely.Geometry):
        geom = value
        minx, miny, maxx, maxy = geom.bounds
        if (
            not geom.is_empty
            and -180 <= minx <= maxx <= 180
            and -90 <= miny <= maxy <= 90
            and geom.area < 1.0
        ):
            raise CRSError(
                f"`{name}` looks like lon/lat degrees (bounds {geom.bounds}); a bare geometry "
                "must be in the study CRS (metres): pass a GeoSeries with crs=4326 instead"
            )
    else:
        raise ValidationError(
            f"`{name}` must be a shapely polygon, a GeoDataFrame/GeoSeries or a row of "
            f"find_hotspots, got {type(value).__name__}"
        )
    if not isinstance(geom, shapely.Geometry) or geom.is_empty:
        raise ValidationError(f"`{name}` is empty")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    geom = _polygonal(geom)
    if geom is None or geom.area <= 0:
        raise ValidationError(
            f"`{name}` has no area ({type(value).__name__}); buffer points or lines first, "
            "e.g. `point.buffer(30)` for a 30 m disc"
        )
    return geom


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    if isinstance(geom, (shapely.Polygon, shapely.MultiPolygon)):
        return geom
    if isinstance(geom, shapely.GeometryCollection):
        parts = [g for g in geom.geoms if isinstance(g, (shapely.Polygon, shapely.MultiPolygon))]
        return shapely.union_all(parts) if parts else None
    return None
