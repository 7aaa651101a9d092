"""The displacement statistics on counts: rate ratio, WDQ and WDD.

:func:`rate_ratio_test`, :func:`weighted_displacement_quotient` and
:func:`weighted_displacement_difference` work on plain counts; :func:`hotspots.assess`
counts the events of a treated area, its buffer and a control and applies all three. They
are public as ``hotspots.assessment.rate_ratio_test`` etc.; references are in
:mod:`hotspots.assessment`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from hotspots._checks import is_count, is_number
from hotspots._errors import ValidationError, raise_problems
from hotspots._stats import rate_ratio_interval, two_sided_normal_p


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
    return RateRatio(*rate_ratio_interval(*counts, level), float(level))


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
            if not is_count(v):
                problems.append(f"`{name}` counts must be integers >= 0, got {pair!r}")
                break
    for name, value in (
        ("control_weight", control_weight),
        ("displacement_control_weight", displacement_control_weight),
        ("period_ratio", period_ratio),
    ):
        if not (is_number(value) and math.isfinite(value) and value > 0):
            problems.append(f"`{name}` must be a number > 0, got {value!r}")
    raise_problems(problems, "Invalid arguments to weighted_displacement_difference")
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
    return wdd_result(local, local_var, disp, disp_var, local + disp, local_var + disp_var)


def wdd_result(
    local: float, local_var: float, disp: float, disp_var: float, total: float, var: float
) -> WDD:
    """Return the WDD of a treated part and a displacement part with their variances."""
    se = math.sqrt(var)
    z = total / se if se > 0 else math.nan
    p = float(two_sided_normal_p(z)) if se > 0 else math.nan
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


def _check_counts(**counts: Any) -> tuple[int, ...]:
    bad = [f"`{k}` must be a count (integer >= 0), got {v!r}" for k, v in counts.items()]
    bad = [b for b, v in zip(bad, counts.values(), strict=True) if not is_count(v)]
    raise_problems(bad, "Invalid arguments to the test")
    return tuple(int(v) for v in counts.values())
