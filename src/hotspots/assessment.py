"""Assessment: did the fix work or just move next door, and how good was the hot spot map.

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

:func:`evaluate_forecast` and :func:`compare_forecasts` score hot spot maps made from past
events by how many of the next events they catch: hit rate, the Predictive Accuracy Index
(Chainey, Tompson & Uhlig 2008) and the Predictive Efficiency Index (Hunt 2016), for the
recurring places of :func:`hotspots.cluster.find_hotspots`, grid counts, kernel density and
Getis-Ord Gi*, all on the same grid and the same train / test split.

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
- Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for
  predicting spatial patterns of crime. *Security Journal* 21, 4-28.
- Hunt, J. M. (2016). *Do crime hot spots move? Exploring the effects of the modifiable
  areal unit problem and modifiable temporal unit problem on crime hot spot stability*.
  PhD thesis, American University (the Predictive Efficiency Index).
- Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*, eq. 3.31
  and 4.14 (the bandwidth rule of thumb).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage, stats
from scipy.stats.contingency import odds_ratio

from hotspots import _columns as C
from hotspots._checks import SOURCES as _SOURCES
from hotspots._checks import check_sources as _check_sources
from hotspots._checks import check_study as _check_study
from hotspots._checks import is_number as _is_number
from hotspots._errors import CRSError, LayerError, ValidationError
from hotspots.study import Study, combine_events

__all__ = [
    "AREAS",
    "FORECAST_COLUMNS",
    "FORECAST_METHODS",
    "SLICES",
    "WDQ",
    "WDD",
    "Assessment",
    "Effect",
    "RateRatio",
    "assess",
    "compare_forecasts",
    "evaluate_forecast",
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

FORECAST_METHODS: tuple[str, ...] = ("clusters", "grid", "kde", "gistar")
"""Methods :func:`evaluate_forecast` can score."""
DEFAULT_CELL_M = 50.0
"""Forecast grid cell side: half a block, as in :func:`hotspots.cluster.crime_concentration`."""
MAX_CELLS = 4_000_000
FORECAST_COLUMNS: tuple[str, ...] = (
    "method",
    "coverage",
    "cells",
    "area_share",
    "hit_rate",
    "pai",
    "pei",
    "n_train",
    "n_test",
)
"""Columns of :func:`evaluate_forecast` and :func:`compare_forecasts`."""


# =========================================================================================
# the three statistics, on counts
# =========================================================================================


@dataclass(frozen=True)
class RateRatio:
    """Rate ratio of a 2 x 2 table of counts with its exact conditional interval.

    Attributes
    ----------
    rate_ratio : float
        ``(treated_after / treated_before) / (control_after / control_before)``; below 1
        the treated area fell relative to the control. Infinite when a count in the
        denominator is zero (NaN when one in the numerator is zero too).
    ci_low, ci_high : float
        Exact conditional confidence interval at ``level``.
    p_value : float
        Two-sided exact conditional test of ``rate_ratio == 1`` (Fisher's exact test).
    level : float
        Confidence level of the interval.
    """

    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    level: float


def rate_ratio_test(
    treated_before: int,
    treated_after: int,
    control_before: int,
    control_after: int,
    *,
    level: float = 0.95,
) -> RateRatio:
    """Treated area's change relative to the control's, with an exact conditional interval.

    Parameters
    ----------
    treated_before, treated_after, control_before, control_after : int
        Event counts (``a``, ``b``, ``c``, ``d`` below) in periods of the same length (or,
        more generally, with the same before / after lengths in both areas: period
        lengths cancel from the ratio).
    level : float
        Confidence level, in (0, 1).

    Returns
    -------
    RateRatio

    Notes
    -----
    With Poisson counts ``a ~ Po(λa)``, ``b ~ Po(λb)`` (treated before, after) and ``c``,
    ``d`` (control), the quantity of interest is ``θ = (λb / λa) / (λd / λc)``, estimated by
    ``(b / a) / (d / c) = b c / (a d)``.

    Conditional on each area's total, its after count is binomial:
    ``b | a + b ~ Bin(a + b, πT)`` with ``πT / (1 - πT) = λb / λa``, and likewise ``d`` with
    ``πC``. The ratio of the two binomial odds is exactly ``θ``, so ``θ`` is the odds ratio of
    the table ``[[b, a], [d, c]]``. Conditioning also on the after total ``b + d`` removes
    the nuisance parameters and leaves ``b`` with Fisher's noncentral hypergeometric
    distribution, ``P(b = x) ∝ C(a+b, x) C(c+d, b+d-x) θ^x``. The interval is the set of
    ``θ`` not rejected by either one-sided exact test at ``(1 - level) / 2`` (Cornfield
    1956; Breslow & Day 1980, §4.2), computed by
    ``scipy.stats.contingency.odds_ratio(kind="conditional")``; the p-value is Fisher's
    two-sided exact test. It is exact (conservative) for any counts, and when the control
    is very large it tends to the conditional-binomial (Clopper-Pearson) interval for the
    treated area alone, ``θ = π / (1 - π) x c / d``.

    Examples
    --------
    Fisher's tea-tasting table as a check (Agresti, *Categorical Data Analysis*, 2nd ed.,
    2002: exact conditional 95% interval 0.21 to 626.17):

    >>> r = rate_ratio_test(1, 3, 3, 1)
    >>> round(r.ci_low, 2), round(r.ci_high, 1)
    (0.21, 626.2)

    A treated place going from 40 to 12 events while the control stays flat:

    >>> r = rate_ratio_test(40, 12, 200, 200)
    >>> round(r.rate_ratio, 2), r.ci_high < 1
    (0.3, True)
    """
    counts = _check_counts(
        treated_before=treated_before,
        treated_after=treated_after,
        control_before=control_before,
        control_after=control_after,
    )
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise ValidationError(f"`level` must be a probability in (0, 1), got {level!r}")
    a, b, c, d = counts
    table = [[b, a], [d, c]]
    rr = (b * c) / (a * d) if a * d > 0 else (math.inf if b * c > 0 else math.nan)
    if (a + b == 0) or (c + d == 0) or (b + d == 0) or (a + c == 0):
        return RateRatio(rr, 0.0, math.inf, 1.0, float(level))
    ci = odds_ratio(table, kind="conditional").confidence_interval(confidence_level=level)
    p = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
    return RateRatio(float(rr), float(ci.low), float(ci.high), min(p, 1.0), float(level))


@dataclass(frozen=True)
class WDQ:
    """Weighted Displacement Quotient with its parts and reading (Bowers & Johnson 2003).

    Attributes
    ----------
    wdq : float
        ``displacement_measure / success_measure``; NaN when the success measure is not
        negative (no success to weigh displacement against) or the control has a zero count.
    success_measure : float
        ``R1/C1 - R0/C0``: negative when the treated (response) area fell relative to the
        control.
    displacement_measure : float
        ``B1/C1 - B0/C0``: positive when the buffer rose relative to the control (possible
        displacement), negative when it fell (possible diffusion of benefits).
    total_net_effect : float
        ``[R0 (C1/C0) - R1] + [B0 (C1/C0) - B1]`` (Guerette 2009): events prevented in the
        treated area and buffer together, net of the control's trend; positive is good.
    reading : str
        The interpretation of Bowers & Johnson (2003), as tabulated by Guerette (2009,
        Appendix C).
    """

    wdq: float
    success_measure: float
    displacement_measure: float
    total_net_effect: float
    reading: str


def weighted_displacement_quotient(
    treated_before: int,
    treated_after: int,
    buffer_before: int,
    buffer_after: int,
    control_before: int,
    control_after: int,
) -> WDQ:
    """Compute the Weighted Displacement Quotient of Bowers & Johnson (2003), with its reading.

    Parameters
    ----------
    treated_before, treated_after : int
        Counts in the response (treated) area ``R0``, ``R1``.
    buffer_before, buffer_after : int
        Counts in the displacement buffer ``B0``, ``B1``.
    control_before, control_after : int
        Counts in the control area ``C0``, ``C1``.

    Returns
    -------
    WDQ

    Notes
    -----
    ``WDQ = (B1/C1 - B0/C0) / (R1/C1 - R0/C0)``: the displacement measure over the success
    measure (Bowers & Johnson 2003). It is read only when the success measure is negative
    (the treated area fell relative to the control). Then (Guerette 2009, Appendix C):

    - ``WDQ > 1``: diffusion of benefits greater than the direct effect;
    - ``0 < WDQ <= 1``: diffusion of benefits (the buffer improved too);
    - ``WDQ = 0``: neither displacement nor diffusion;
    - ``-1 <= WDQ < 0``: displacement, smaller than the direct effect (a net benefit);
    - ``WDQ < -1``: displacement greater than the direct effect (counterproductive).

    The WDQ has no standard error: read it with the significance of the treated and buffer
    changes (:func:`rate_ratio_test`) or with :func:`weighted_displacement_difference`.

    Examples
    --------
    The treated area halves (50 to 25), the buffer rises from 40 to 50, the control is
    flat at 200: success -0.125, displacement +0.05, so WDQ = -0.4 (some displacement,
    smaller than the direct benefit); net effect 25 - 10 = 15 events prevented.

    >>> w = weighted_displacement_quotient(50, 25, 40, 50, 200, 200)
    >>> w.success_measure, w.displacement_measure, round(w.wdq, 3), w.total_net_effect
    (-0.125, 0.05, -0.4, 15.0)
    >>> w.reading.split(":")[0]
    'displacement smaller than the direct effect'
    """
    r0, r1, b0, b1, c0, c1 = _check_counts(
        treated_before=treated_before,
        treated_after=treated_after,
        buffer_before=buffer_before,
        buffer_after=buffer_after,
        control_before=control_before,
        control_after=control_after,
    )
    if c0 == 0 or c1 == 0:
        return WDQ(
            math.nan,
            math.nan,
            math.nan,
            math.nan,
            "not computed: the control area has no events "
            + ("before" if c0 == 0 else "after")
            + ", so it cannot show the background trend",
        )
    # exact rational arithmetic: "no change" is exactly zero and hand values match
    sm_q = Fraction(r1, c1) - Fraction(r0, c0)
    dm_q = Fraction(b1, c1) - Fraction(b0, c0)
    sm, dm = float(sm_q), float(dm_q)
    tne = float((Fraction(r0 * c1, c0) - r1) + (Fraction(b0 * c1, c0) - b1))
    if not sm < 0:
        return WDQ(
            math.nan,
            sm,
            dm,
            tne,
            "not interpretable: the treated area did not fall relative to the control "
            "(success measure >= 0), so there is no effect for displacement to offset",
        )
    q = float(dm_q / sm_q)
    if dm_q == 0:
        q, reading = 0.0, ("no displacement or diffusion: the buffer changed as the control did")
    elif q > 1:
        reading = (
            "diffusion of benefits greater than the direct effect: the buffer improved "
            "even more than the treated area, relative to the control"
        )
    elif q > 0:
        reading = "diffusion of benefits: the buffer improved too, relative to the control"
    elif q >= -1:
        reading = (
            "displacement smaller than the direct effect: some events moved into the "
            "buffer, but fewer than the treated area lost (a net benefit)"
        )
    else:
        reading = (
            "displacement greater than the direct effect: the buffer gained more events "
            "than the treated area lost (counterproductive overall)"
        )
    return WDQ(float(q), float(sm), float(dm), float(tne), reading)


@dataclass(frozen=True)
class WDD:
    """Weighted Displacement Difference test (Wheeler & Ratcliffe 2018).

    Attributes
    ----------
    wdd : float
        Estimated change in events due to the intervention, treated area plus displacement
        area (negative: events prevented).
    se : float
        Its standard error (Poisson counts, normal approximation).
    z : float
        ``wdd / se``.
    p_value : float
        Two-sided p-value of ``z`` under the standard normal.
    local, local_se : float
        The treated-area part, ``ΔT - ΔCt``, and its standard error.
    displacement, displacement_se : float
        The displacement part, ``ΔD - ΔCd`` (positive: displacement), and its standard error.
    """

    wdd: float
    se: float
    z: float
    p_value: float
    local: float
    local_se: float
    displacement: float
    displacement_se: float


def weighted_displacement_difference(
    treated: tuple[int, int],
    control: tuple[int, int],
    *,
    displacement: tuple[int, int] = (0, 0),
    displacement_control: tuple[int, int] = (0, 0),
    control_weight: float = 1.0,
    displacement_control_weight: float = 1.0,
    period_ratio: float = 1.0,
) -> WDD:
    """Compute the Weighted Displacement Difference test of Wheeler & Ratcliffe (2018).

    Parameters
    ----------
    treated, control : (int, int)
        ``(before, after)`` counts in the treated area (``T0, T1``) and its control
        (``Ct0, Ct1``).
    displacement, displacement_control : (int, int)
        ``(before, after)`` counts in the displacement area (``D0, D1``) and its control
        (``Cd0, Cd1``); ``(0, 0)`` to leave displacement out.
    control_weight, displacement_control_weight : float
        Multiply the control counts by this before differencing (1 in the paper). A control
        with ``k`` times the treated area's events is put on the treated area's scale with
        ``1 / k``; the variance takes the weight squared (as ``area_weights`` in Wheeler's
        R package ``ptools``).
    period_ratio : float
        ``after length / before length``; before counts are multiplied by it so that the
        WDD is in events per after period (``time_weights`` in ``ptools``). 1 for periods
        of equal length.

    Returns
    -------
    WDD

    Notes
    -----
    With ``ΔT = T1 - T0`` and likewise for the other areas,
    ``WDD = ΔT - w ΔCt + ΔD - wd ΔCd`` and, the counts being independent Poisson,
    ``Var = T0 + T1 + w²(Ct0 + Ct1) + D0 + D1 + wd²(Cd0 + Cd1)`` (before counts scaled by
    ``period_ratio`` and their variance by its square). ``z = WDD / sqrt(Var)``; the paper
    reads ``z < -1.65`` (one-sided 5%) or ``|z| > 1.96`` as evidence of an effect. The
    normal approximation needs counts that are not tiny.

    Examples
    --------
    The example of the ``ptools`` README (Wheeler): control 20 to 20, treated 20 to 10:
    WDD -10, SE 8.3666, z -1.195229.

    >>> r = weighted_displacement_difference((20, 10), (20, 20))
    >>> r.wdd, round(r.se, 4), round(r.z, 6)
    (-10.0, 8.3666, -1.195229)
    """
    pairs = {
        "treated": treated,
        "control": control,
        "displacement": displacement,
        "displacement_control": displacement_control,
    }
    problems = []
    for name, pair in pairs.items():
        try:
            before, after = pair
        except (TypeError, ValueError):
            problems.append(f"`{name}` must be a (before, after) pair of counts, got {pair!r}")
            continue
        for v in (before, after):
            if not _is_count(v):
                problems.append(f"`{name}` counts must be integers >= 0, got {pair!r}")
                break
    for name, value in (
        ("control_weight", control_weight),
        ("displacement_control_weight", displacement_control_weight),
        ("period_ratio", period_ratio),
    ):
        if not (_is_number(value) and math.isfinite(value) and value > 0):
            problems.append(f"`{name}` must be a number > 0, got {value!r}")
    _raise(problems, "weighted_displacement_difference")
    r = float(period_ratio)

    def part(pair: tuple[int, int], weight: float) -> tuple[float, float]:
        before, after = float(pair[0]), float(pair[1])
        return weight * (after - r * before), weight**2 * (after + r**2 * before)

    t, vt = part(treated, 1.0)
    ct, vct = part(control, float(control_weight))
    d, vd = part(displacement, 1.0)
    cd, vcd = part(displacement_control, float(displacement_control_weight))
    local, local_var = t - ct, vt + vct
    disp, disp_var = d - cd, vd + vcd
    return _wdd_result(local, local_var, disp, disp_var, local + disp, local_var + disp_var)


def _wdd_result(
    local: float, local_var: float, disp: float, disp_var: float, total: float, var: float
) -> WDD:
    se = math.sqrt(var)
    z = total / se if se > 0 else math.nan
    p = float(2 * stats.norm.sf(abs(z))) if se > 0 else math.nan
    return WDD(
        float(total),
        se,
        float(z),
        p,
        float(local),
        math.sqrt(local_var),
        float(disp),
        math.sqrt(disp_var),
    )


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
    b0 = _add_days(start, -before_days)
    a1 = _add_days(end, after_days)

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
        _raise(problems, "assess")
    polys = {TREATED: treated, BUFFER: buffer, CONTROL: control}

    # --- events -------------------------------------------------------------------------
    all_events = combine_events(study)
    _check_coverage(study, all_events, b0, a1)
    events = _filter_events(all_events, opts["sources"], categories)
    t = events[C.TIME]
    in_before = ((t >= b0) & (t < start)).to_numpy(bool)
    in_after = ((t >= end) & (t < a1)).to_numpy(bool)
    events = events.loc[in_before | in_after]
    period = np.where(in_after[in_before | in_after], 1, 0)
    xy = shapely.get_coordinates(events.geometry.to_numpy())
    area = np.full(len(events), -1, np.int64)
    for code, name in reversed(list(enumerate(AREAS))):  # treated wins any shared edge
        area[shapely.contains_xy(polys[name], xy[:, 0], xy[:, 1])] = code
    from hotspots.temporal import after_dark

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
    if problems:
        raise ValidationError("Too few events to assess:\n  - " + "\n  - ".join(problems))

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
    d = _wdd_result(
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


def _is_count(value: Any) -> bool:
    if isinstance(value, bool) or not _is_number(value):
        return False
    return math.isfinite(value) and value >= 0 and float(value).is_integer()


def _raise(problems: list[str], where: str) -> None:
    if problems:
        raise ValidationError(f"Invalid arguments to {where}:\n  - " + "\n  - ".join(problems))


def _check_counts(**counts: Any) -> tuple[int, ...]:
    bad = [f"`{k}` must be a count (integer >= 0), got {v!r}" for k, v in counts.items()]
    bad = [b for b, v in zip(bad, counts.values(), strict=True) if not _is_count(v)]
    _raise(bad, "the test")
    return tuple(int(v) for v in counts.values())


def _positive(name: str, value: Any, unit: str, problems: list[str]) -> float:
    if not (_is_number(value) and math.isfinite(value) and value > 0):
        problems.append(f"`{name}` must be a number of {unit} > 0, got {value!r}")
        return math.nan
    return float(value)


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
    _raise(problems, "assess")
    return opts


def _timestamp(value: Any, tz: str, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"`{name}` value {value!r} is not a date") from exc
    if ts is pd.NaT:
        raise ValidationError(f"`{name}` is missing (NaT)")
    return ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz)


def _add_days(ts: pd.Timestamp, days: float) -> pd.Timestamp:
    """Calendar days on the local clock (a day across a DST change is 23 or 25 hours)."""
    whole = int(days)
    return ts + pd.DateOffset(days=whole) + pd.Timedelta(days=days - whole)


def _intervention_period(value: Any, tz: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValidationError(
                f"`intervention_date` must be a date or a (start, end) pair, got {value!r}"
            )
        start = _timestamp(value[0], tz, "intervention_date")
        end = _timestamp(value[1], tz, "intervention_date")
        if end < start:
            raise ValidationError(
                f"`intervention_date` ends ({end}) before it starts ({start}): the before and "
                "after periods would overlap the intervention; pass (start, end) in order"
            )
        return start, end
    ts = _timestamp(value, tz, "intervention_date")
    return ts, ts


def _data_span(study: Study, events: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    times = events[C.TIME].dropna()
    first = study.period[0] if study.period[0] is not None else times.min()
    last = study.period[1] if study.period[1] is not None else times.max()
    return first, last


def _check_coverage(
    study: Study, events: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> None:
    """Check the data cover [start, end): a period past the data would read as a fall."""
    first, last = _data_span(study, events)
    # events are sparse: the first and last event fall a little inside the true span
    slack = max(pd.Timedelta(days=1), (end - start) * 0.05)
    problems = []
    if start < first - slack:
        problems.append(
            f"the before period starts {start:%Y-%m-%d} but the data start {first:%Y-%m-%d}; "
            "counts there would be missing, not low: pass a smaller `before_days`"
        )
    if end > last + slack:
        problems.append(
            f"the after period ends {end:%Y-%m-%d} but the data end {last:%Y-%m-%d}; "
            "counts there would be missing, not low: pass a smaller `after_days` or an "
            "earlier `intervention_date`"
        )
    if problems:
        raise ValidationError("The periods run beyond the data:\n  - " + "\n  - ".join(problems))


def _filter_events(
    events: gpd.GeoDataFrame, sources: tuple[str, ...], categories: Iterable[str] | None
) -> gpd.GeoDataFrame:
    if len(sources) < len(_SOURCES):
        events = events.loc[events[C.SOURCE].isin(sources).to_numpy(bool)]
    if categories is not None:
        chosen = [categories] if isinstance(categories, str) else list(categories)
        present = set(events[C.CATEGORY].unique())
        unknown = sorted(set(chosen) - present)
        if not chosen or unknown:
            avail = sorted(present)
            shown = ", ".join(repr(c) for c in avail[:20]) + (" ..." if len(avail) > 20 else "")
            raise ValidationError(
                f"`categories` {unknown or chosen!r} not among the events' categories; "
                f"available: {shown}"
            )
        events = events.loc[events[C.CATEGORY].isin(chosen).to_numpy(bool)]
    if events.empty:
        raise LayerError(f"the study has no events of source(s) {', '.join(sources)}")
    return events


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


# =========================================================================================
# forecast accuracy
# =========================================================================================


@dataclass(frozen=True)
class _Grid:
    """Square cells over the study area, row-major from the south-west."""

    x0: float
    y0: float
    cell_m: float
    nx: int
    ny: int
    area: np.ndarray  # (ny, nx) area of each cell inside the study area, m²

    @property
    def valid(self) -> np.ndarray:
        return self.area > 0

    def counts(self, xy: np.ndarray) -> np.ndarray:
        col = np.floor((xy[:, 0] - self.x0) / self.cell_m).astype(np.int64)
        row = np.floor((xy[:, 1] - self.y0) / self.cell_m).astype(np.int64)
        inside = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        flat = row[inside] * self.nx + col[inside]
        return np.bincount(flat, minlength=self.nx * self.ny).reshape(self.ny, self.nx)

    def boxes(self) -> np.ndarray:
        ix, iy = np.meshgrid(np.arange(self.nx), np.arange(self.ny))
        x = self.x0 + ix.ravel() * self.cell_m
        y = self.y0 + iy.ravel() * self.cell_m
        return shapely.box(x, y, x + self.cell_m, y + self.cell_m)


def evaluate_forecast(
    study: Study,
    method: str,
    *,
    train_until: Any,
    test_days: float,
    coverage: Sequence[float] = (0.01, 0.05),
    cell_m: float | None = None,
    bandwidth_m: float | None = None,
    sources: Sequence[str] = _SOURCES,
) -> pd.DataFrame:
    """Score a hot spot map made from past events by how many of the next events it catches.

    Every method gives each cell of one square grid a score from the training events only
    (those before `train_until`); the cells are ranked by score and the top cells covering
    each `coverage` share of the study area are the forecast; the test events (the
    `test_days` days from `train_until`) are then counted in them.

    Parameters
    ----------
    study : Study
        Incidents and concerns; the grid covers ``study.boundary`` when it has one, else the
        bounding box of all selected events.
    method : {"clusters", "grid", "kde", "gistar"}
        How cells are scored:

        - ``"clusters"``: the recurring places of :func:`hotspots.cluster.find_hotspots` run
          on a study holding only the training events; a cell scores the density
          (``n_events / area_m2``) of the densest place whose polygon it intersects, 0
          elsewhere;
        - ``"grid"``: the count of training events in the cell;
        - ``"kde"``: a Gaussian kernel density of the training events at the cell centres
          (binned to the grid and smoothed with ``scipy.ndimage.gaussian_filter``);
        - ``"gistar"``: the Getis-Ord Gi* z-score of the training counts
          (:func:`hotspots.grid.gistar_z`, queen neighbours).
    train_until : date string or Timestamp
        End of training / start of the test window; naive values are local to the study.
    test_days : float
        Length of the test window in days.
    coverage : sequence of float
        Shares of the study area to flag, each in (0, 1]; default 1% and 5%.
    cell_m : float, optional
        Grid cell side in metres; default 50 m (half a block).
    bandwidth_m : float, optional
        KDE bandwidth (standard deviation of the Gaussian kernel) in metres. Default:
        Silverman's rule of thumb on the training events, ``h = A n^(-1/6)`` with ``A`` the
        mean over x and y of ``min(sd, IQR / 1.349)`` (Silverman 1986, eq. 4.14 for two
        dimensions with the robust spread of eq. 3.31), and at least one cell. It is
        reproducible and data-driven, and known to oversmooth clustered points; pass a
        fixed bandwidth to compare (Chainey 2013 found smaller ones predict better).
    sources : sequence of {"incident", "concern"}
        Which events to train and test on.

    Returns
    -------
    DataFrame
        One row per coverage, columns (:data:`FORECAST_COLUMNS`):

        - ``method`` (str), ``coverage`` (float): as given
        - ``cells`` (int): cells flagged, the fewest whose area reaches the coverage
        - ``area_share`` (float): their share of the study area
        - ``hit_rate`` (float): share of test events in them, ``n / N``
        - ``pai`` (float): Predictive Accuracy Index, ``(n / N) / (a / A)`` (Chainey et al.
          2008)
        - ``pei`` (float): Predictive Efficiency Index, ``n / n*`` with ``n*`` the most test
          events any set of that many cells holds (Hunt 2016); in [0, 1]
        - ``n_train``, ``n_test`` (int): events used to score and to test

    Raises
    ------
    ValidationError
        Unknown method, bad coverage or cell size, no training or test events, a test window
        beyond the data, or too many cells.

    Notes
    -----
    Cells are clipped to the study boundary: a cell is in the study area when it overlaps
    the boundary, with its clipped area. Ties in score are broken by cell order (row-major
    from the south-west), so results are deterministic; cells no method scores (e.g. outside
    every cluster) therefore fill the coverage in that order. Test events outside every cell
    still count in ``N``.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, pandas as pd, pyproj, shapely
    >>> from hotspots import build_study
    >>> crs, tz = pyproj.CRS(32618), "America/New_York"
    >>> rng = np.random.default_rng(1)
    >>> n_hot, n_bg = 300, 300
    >>> x = np.r_[rng.normal(500, 10, n_hot), rng.uniform(0, 2000, n_bg)] + 320_000
    >>> y = np.r_[rng.normal(500, 10, n_hot), rng.uniform(0, 2000, n_bg)] + 4_300_000
    >>> t = pd.Timestamp("2025-01-01", tz=tz) + pd.to_timedelta(
    ...     rng.uniform(0, 120, n_hot + n_bg), "D")
    >>> inc = gpd.GeoDataFrame({"id": [str(i) for i in range(len(x))], "occurred_at": t,
    ...     "category": "", "description": ""}, geometry=shapely.points(x, y), crs=crs)
    >>> study = build_study(incidents=inc, crs=crs, tz=tz)
    >>> table = evaluate_forecast(study, "grid", train_until="2025-03-15", test_days=30)
    >>> list(table["coverage"])
    [0.01, 0.05]
    >>> bool(table["pai"].iloc[1] > 5)
    True
    """
    return compare_forecasts(
        study,
        methods=(method,),
        train_until=train_until,
        test_days=test_days,
        coverage=coverage,
        cell_m=cell_m,
        bandwidth_m=bandwidth_m,
        sources=sources,
    )


def compare_forecasts(
    study: Study,
    methods: Sequence[str] = FORECAST_METHODS,
    *,
    train_until: Any,
    test_days: float,
    coverage: Sequence[float] = (0.01, 0.05),
    cell_m: float | None = None,
    bandwidth_m: float | None = None,
    sources: Sequence[str] = _SOURCES,
) -> pd.DataFrame:
    """Score several hot spot methods on the same grid, events and train / test split.

    Parameters
    ----------
    study : Study
    methods : sequence of {"clusters", "grid", "kde", "gistar"}
        Default: all four.
    train_until, test_days, coverage, cell_m, bandwidth_m, sources
        As in :func:`evaluate_forecast`.

    Returns
    -------
    DataFrame
        One row per method x coverage (methods in the order given), columns
        :data:`FORECAST_COLUMNS`, with a fresh RangeIndex. ``attrs["parameters"]`` holds the
        grid, the windows and the KDE bandwidth used.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, pandas as pd, pyproj, shapely
    >>> from hotspots import build_study
    >>> crs, tz = pyproj.CRS(32618), "America/New_York"
    >>> rng = np.random.default_rng(2)
    >>> x = np.r_[rng.normal(700, 8, 200), rng.uniform(0, 1500, 200)] + 320_000
    >>> y = np.r_[rng.normal(300, 8, 200), rng.uniform(0, 1500, 200)] + 4_300_000
    >>> t = pd.Timestamp("2025-01-01", tz=tz) + pd.to_timedelta(rng.uniform(0, 90, 400), "D")
    >>> inc = gpd.GeoDataFrame({"id": [str(i) for i in range(400)], "occurred_at": t,
    ...     "category": "", "description": ""}, geometry=shapely.points(x, y), crs=crs)
    >>> study = build_study(incidents=inc, crs=crs, tz=tz)
    >>> table = compare_forecasts(study, ("grid", "kde"), train_until="2025-03-01",
    ...                           test_days=30, coverage=[0.05])
    >>> table[["method", "coverage"]].values.tolist()
    [['grid', 0.05], ['kde', 0.05]]
    """
    settings = _check_study(study)
    problems: list[str] = []
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    if not methods:
        problems.append(f"`methods` is empty; use some of {', '.join(FORECAST_METHODS)}")
    unknown = [m for m in methods if m not in FORECAST_METHODS]
    if unknown:
        problems.append(f"unknown method(s) {unknown}; use one of {', '.join(FORECAST_METHODS)}")
    try:
        cov = [float(c) for c in ([coverage] if _is_number(coverage) else coverage)]
    except (TypeError, ValueError):
        cov = []
    if not cov or not all(0 < c <= 1 for c in cov):
        problems.append(f"`coverage` must be shares of the area in (0, 1], got {coverage!r}")
    test_days = _positive("test_days", test_days, "days", problems)
    cell = DEFAULT_CELL_M if cell_m is None else _positive("cell_m", cell_m, "metres", problems)
    if bandwidth_m is not None:
        _positive("bandwidth_m", bandwidth_m, "metres", problems)
    src_problems, chosen_sources = _check_sources(sources)
    problems += src_problems
    _raise(problems, "evaluate_forecast")

    split = _timestamp(train_until, study.tz, "train_until")
    test_end = _add_days(split, test_days)
    events = combine_events(study)
    _check_coverage(study, events, split, test_end)
    events = _filter_events(events, chosen_sources, None)
    t = events[C.TIME]
    is_train = (t < split).to_numpy(bool)
    is_test = ((t >= split) & (t < test_end)).to_numpy(bool)
    n_train, n_test = int(is_train.sum()), int(is_test.sum())
    problems = []
    if n_train == 0:
        problems.append(f"no events before `train_until` ({split:%Y-%m-%d}): nothing to learn")
    if n_test == 0:
        problems.append(
            f"no events in the test window {split:%Y-%m-%d} + {test_days:g} days: nothing to "
            "score; move `train_until` earlier or lengthen `test_days`"
        )
    if problems:
        raise ValidationError("Cannot score forecasts:\n  - " + "\n  - ".join(problems))

    xy = shapely.get_coordinates(events.geometry.to_numpy())
    grid = _make_grid(study.boundary, xy, cell)
    train_xy, test_xy = xy[is_train], xy[is_test]
    train_counts = grid.counts(train_xy)
    test_counts = grid.counts(test_xy).ravel()
    valid = grid.valid.ravel()
    area = grid.area.ravel()
    total_area = float(area.sum())
    # the best any k cells can do: test counts in descending order (valid cells only)
    best = np.cumsum(np.sort(np.where(valid, test_counts, 0))[::-1])
    bw = bandwidth_m if bandwidth_m is not None else _silverman(train_xy, cell)

    rows = []
    for method in methods:
        score = _score(method, study, grid, train_counts, split, chosen_sources, bw).ravel()
        score = np.where(valid & np.isfinite(score), score, -np.inf)
        order = np.lexsort((np.arange(score.size), -score))  # score desc, then cell order
        order = order[valid[order]]
        cum_area = np.cumsum(area[order])
        cum_hits = np.cumsum(test_counts[order])
        for c in cov:
            k = int(np.searchsorted(cum_area, c * total_area * (1 - 1e-12)) + 1)
            k = min(k, len(order))
            hits = int(cum_hits[k - 1])
            share = float(cum_area[k - 1] / total_area)
            hit_rate = hits / n_test
            rows.append(
                {
                    "method": method,
                    "coverage": c,
                    "cells": k,
                    "area_share": share,
                    "hit_rate": hit_rate,
                    "pai": hit_rate / share,
                    "pei": hits / best[k - 1] if best[k - 1] > 0 else math.nan,
                    "n_train": n_train,
                    "n_test": n_test,
                }
            )
    table = pd.DataFrame(rows, columns=list(FORECAST_COLUMNS))
    table.attrs["parameters"] = {
        "train_until": split,
        "test_end": test_end,
        "cell_m": cell,
        "grid_shape": (grid.ny, grid.nx),
        "cells_in_study_area": int(valid.sum()),
        "study_area_m2": total_area,
        "kde_bandwidth_m": bw,
        "kde_bandwidth_rule": "given" if bandwidth_m is not None else "Silverman (1986)",
        "sources": list(chosen_sources),
        "alpha": settings.alpha,
    }
    log.info(
        "compare_forecasts: %s train / %s test events, %d cells of %g m, methods %s",
        f"{n_train:,}",
        f"{n_test:,}",
        int(valid.sum()),
        cell,
        ", ".join(methods),
    )
    return table


def _make_grid(boundary: shapely.Geometry | None, xy: np.ndarray, cell: float) -> _Grid:
    if boundary is not None and not boundary.is_empty:
        minx, miny, maxx, maxy = boundary.bounds
    else:
        minx, miny = xy.min(axis=0)
        maxx, maxy = xy.max(axis=0)
    nx = max(1, math.ceil((maxx - minx) / cell + 1e-9))
    ny = max(1, math.ceil((maxy - miny) / cell + 1e-9))
    # a point on the upper edge belongs to the last cell, not past it
    if minx + nx * cell <= maxx:
        nx += 1
    if miny + ny * cell <= maxy:
        ny += 1
    if nx * ny > MAX_CELLS:
        raise ValidationError(
            f"a {cell:g} m grid over this study has {nx * ny:,} cells (more than "
            f"{MAX_CELLS:,}); pass a larger `cell_m`"
        )
    grid = _Grid(float(minx), float(miny), float(cell), nx, ny, np.full((ny, nx), cell * cell))
    if boundary is not None and not boundary.is_empty:
        boxes = grid.boxes()
        shapely.prepare(boundary)
        area = np.zeros(boxes.size)
        hit = shapely.intersects(boundary, boxes)
        area[hit] = shapely.area(shapely.intersection(boxes[hit], boundary))
        grid = dataclasses.replace(grid, area=area.reshape(ny, nx))
    return grid


def _silverman(xy: np.ndarray, cell: float) -> float:
    n = len(xy)
    if n < 2:
        return cell
    sd = xy.std(axis=0, ddof=1)
    iqr = np.subtract(*np.percentile(xy, [75, 25], axis=0)) / 1.349
    spread = np.where(iqr > 0, np.minimum(sd, iqr), sd)
    h = float(spread.mean()) * n ** (-1 / 6)
    return max(h, cell)


def _score(
    method: str,
    study: Study,
    grid: _Grid,
    train_counts: np.ndarray,
    split: pd.Timestamp,
    sources: tuple[str, ...],
    bandwidth_m: float,
) -> np.ndarray:
    if method == "grid":
        return train_counts.astype(float)
    if method == "kde":
        sigma = bandwidth_m / grid.cell_m
        return ndimage.gaussian_filter(
            train_counts.astype(float), sigma=sigma, mode="constant", truncate=4.0
        )
    if method == "gistar":
        from hotspots.grid import gistar_z

        return np.asarray(gistar_z(train_counts.astype(float), grid.valid), dtype=float)
    # clusters: recurring places found from the training events only
    train = dataclasses.replace(
        study,
        incidents=study.incidents.loc[(study.incidents[C.OCCURRED_AT] < split).to_numpy(bool)],
        concerns=study.concerns.loc[(study.concerns[C.REPORTED_AT] < split).to_numpy(bool)],
        period=(study.period[0], split),
    )
    from hotspots.cluster import find_hotspots

    places = find_hotspots(train, sources=sources)
    score = np.zeros(grid.ny * grid.nx)
    if len(places):
        density = (places["n_events"] / places["area_m2"]).to_numpy(float)
        tree = shapely.STRtree(places.geometry.to_numpy())
        cell_idx, place_idx = tree.query(grid.boxes(), predicate="intersects")
        np.maximum.at(score, cell_idx, density[place_idx])
    return score.reshape(grid.ny, grid.nx)
