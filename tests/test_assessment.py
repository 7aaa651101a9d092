"""Assessment: hand-computed statistics (with the published examples), planted scenes, errors.

Sources of the published numbers:

- Rate-ratio interval: Fisher's tea-tasting table in Agresti, *Categorical Data Analysis*
  (2nd ed., 2002): conditional ML odds ratio 6.41, exact conditional 95% interval
  (0.21, 626.17), two-sided Fisher p = 0.486.
- WDD: Wheeler & Ratcliffe (2018), *Crime Science* 7:11 — the simple example of the paper
  (treated 30 -> 20, treated-control 30 -> 25: local WDD -10 - (-5) = -5); the README of
  Wheeler's R package ``ptools`` (``wdd(c(20,20), c(20,10))``: WDD -10, SE 8.3666,
  Z -1.195229); Wheeler's "Some extensions to the WDD statistic" (crimede-coder.com, 2025:
  control 100 -> 90, treated 100 -> 80: reduction 10, SE about 19).
- WDQ: Bowers & Johnson (2003), *J. Quant. Criminol.* 19:275-301, formula and reading as
  tabulated by Guerette (2009), POP Tool Guide No. 10, Appendix C; values hand-computed.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from scipy import optimize, stats

from hotspots import CRSError, LayerError, Settings, Study, ValidationError, datasets
from hotspots.assessment import (
    Assessment,
    assess,
    rate_ratio_test,
    weighted_displacement_difference,
    weighted_displacement_quotient,
)
from hotspots.io import empty_layer

TZ = "America/New_York"
CRS = pyproj.CRS(32618)
X0, Y0 = 320_000.0, 4_300_000.0
START = pd.Timestamp("2025-01-01", tz=TZ)
FIX = pd.Timestamp("2025-04-01", tz=TZ)
END = pd.Timestamp("2025-06-30", tz=TZ)


# --- building studies ------------------------------------------------------------------------


def make_study(rows, *, boundary=None, concerns=()) -> Study:
    """rows: (x, y, time, category) with x, y in metres from (X0, Y0)."""

    def layer(kind, rows):
        if not len(rows):
            return empty_layer(kind, crs=CRS, tz=TZ)
        x, y, t, cat = zip(*rows, strict=True)
        tcol = "occurred_at" if kind == "incidents" else "reported_at"
        data = {
            "id": [f"{kind[0]}{i}" for i in range(len(rows))],
            "source_row": np.arange(1, len(rows) + 1),
            tcol: pd.DatetimeIndex(t),
            "category": list(cat),
            "description": "",
        }
        return gpd.GeoDataFrame(
            data, geometry=shapely.points(np.add(x, X0), np.add(y, Y0)), crs=CRS
        )

    empty = {k: empty_layer(k, crs=CRS, tz=TZ) for k in ("lights", "stops", "obstructions")}
    return Study(
        name="test",
        crs=CRS,
        tz=TZ,
        settings=Settings(),
        incidents=layer("incidents", list(rows)),
        concerns=layer("concerns", list(concerns)),
        boundary=boundary,
        rejected=pd.DataFrame(),
        **empty,
    )


def place(n, *, r_min=0.0, r_max=20.0, start=START, end=FIX, hour=23, seed=0, cat="theft"):
    """n events in the ring r_min..r_max m around the origin, one a day-ish, at `hour`."""
    rng = np.random.default_rng(seed)
    ang = rng.uniform(0, 2 * np.pi, n)
    rad = np.sqrt(rng.uniform(r_min**2, r_max**2, n))
    days = rng.uniform(0, (end - start).days - 1, n).astype(int)
    t = start + pd.to_timedelta(days, "D") + pd.Timedelta(hours=hour)
    return list(zip(rad * np.cos(ang), rad * np.sin(ang), t, [cat] * n, strict=True))


def background(n, *, side=3000.0, seed=1, cat="noise"):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(-side / 2, side / 2, (n, 2))
    t = START + pd.to_timedelta(rng.uniform(0, (END - START).days, n), "D")
    return [(a, b, tt, cat) for (a, b), tt in zip(xy, t, strict=True)]


TREATED = shapely.Point(X0, Y0).buffer(40)


@pytest.fixture(scope="module")
def planted() -> Study:
    """A lighting fix on 2025-04-01: night events at the place drop from 60 to 12, day events
    stay (20 -> 18), and 30 extra events appear 100-180 m away (in the buffer) at night."""
    rows = (
        place(60, seed=1)  # night, before
        + place(12, start=FIX, end=END, seed=2)  # night, after
        + place(20, hour=12, seed=3)  # day, before
        + place(18, hour=12, start=FIX, end=END, seed=4)  # day, after
        + place(20, r_min=100, r_max=180, seed=5)  # buffer, before
        + place(50, r_min=100, r_max=180, start=FIX, end=END, seed=6)  # buffer, after
        + background(1500)
    )
    return make_study(rows)


@pytest.fixture(scope="module")
def result(planted) -> Assessment:
    return assess(planted, TREATED, intervention_date="2025-04-01", before_days=90)


# --- rate ratio: exact conditional interval ----------------------------------------------------


def test_rate_ratio_tea_tasting_agresti():
    # Agresti (2002), tea tasting [[3, 1], [1, 3]]: exact conditional 95% CI (0.21, 626.17)
    r = rate_ratio_test(1, 3, 3, 1)  # table [[b, a], [d, c]] = [[3, 1], [1, 3]]
    assert r.rate_ratio == 9.0  # the sample cross-product ratio (3 x 3) / (1 x 1)
    assert r.ci_low == pytest.approx(0.21, abs=0.005)
    assert r.ci_high == pytest.approx(626.17, rel=1e-3)
    assert r.p_value == pytest.approx(0.486, abs=0.001)
    assert r.level == 0.95


def _hand_interval(a, b, c, d, level=0.95):
    """Invert the two one-sided tests of Fisher's noncentral hypergeometric by root finding."""
    tail = (1 - level) / 2
    dist = lambda theta: stats.nchypergeom_fisher(a + b + c + d, a + b, b + d, theta)  # noqa: E731
    low = optimize.brentq(lambda th: dist(th).sf(b - 1) - tail, 1e-6, 1e6, xtol=1e-12)
    high = optimize.brentq(lambda th: dist(th).cdf(b) - tail, 1e-6, 1e6, xtol=1e-12)
    return low, high


@pytest.mark.parametrize(
    ("a", "b", "c", "d"), [(40, 12, 200, 200), (25, 30, 80, 60), (8, 3, 50, 45)]
)
def test_rate_ratio_interval_matches_hand_inversion(a, b, c, d):
    r = rate_ratio_test(a, b, c, d)
    assert r.rate_ratio == pytest.approx((b / a) / (d / c))
    low, high = _hand_interval(a, b, c, d)
    assert r.ci_low == pytest.approx(low, rel=1e-4)
    assert r.ci_high == pytest.approx(high, rel=1e-4)


def test_rate_ratio_large_control_is_conditional_binomial():
    # with a huge, flat control the interval is the treated area's conditional binomial one:
    # b | a + b ~ Bin(a + b, pi), Clopper-Pearson for pi, then theta = pi / (1 - pi)
    a, b = 20, 10
    r = rate_ratio_test(a, b, 1_000_000, 1_000_000)
    p_lo = stats.beta.ppf(0.025, b, a + 1)
    p_hi = stats.beta.ppf(0.975, b + 1, a)
    assert r.ci_low == pytest.approx(p_lo / (1 - p_lo), rel=2e-3)
    assert r.ci_high == pytest.approx(p_hi / (1 - p_hi), rel=2e-3)
    # hand values: pi in (0.1729, 0.5280) -> theta in (0.209, 1.119)
    assert r.ci_low == pytest.approx(0.209, abs=0.002)
    assert r.ci_high == pytest.approx(1.119, abs=0.003)


def test_rate_ratio_zero_counts_still_give_an_interval():
    r = rate_ratio_test(0, 5, 10, 10)  # 0 -> 5: infinite ratio, but 5 events prove little
    assert r.rate_ratio == math.inf
    assert 0 < r.ci_low < 1 and r.ci_high == math.inf
    assert r.p_value > 0.05
    assert math.isnan(rate_ratio_test(0, 0, 10, 10).rate_ratio)


# --- WDQ ------------------------------------------------------------------------------------


def test_wdq_hand_computed():
    # R 50 -> 25, B 40 -> 50, C 200 -> 200
    # SM = 25/200 - 50/200 = -0.125; DM = 50/200 - 40/200 = 0.05; WDQ = 0.05 / -0.125 = -0.4
    # TNE = (50 x 1 - 25) + (40 x 1 - 50) = 15
    w = weighted_displacement_quotient(50, 25, 40, 50, 200, 200)
    assert w.success_measure == -0.125
    assert w.displacement_measure == 0.05
    assert w.wdq == pytest.approx(-0.4)
    assert w.total_net_effect == 15.0
    assert w.reading.startswith("displacement smaller than the direct effect")


def test_wdq_with_a_changing_control():
    # R 100 -> 60, B 80 -> 70, C 400 -> 300 (control fell by a quarter)
    # SM = 60/300 - 100/400 = 0.2 - 0.25 = -0.05; DM = 70/300 - 80/400 = 0.2333 - 0.2 = 0.0333
    # WDQ = -0.6667; TNE = (100 x 0.75 - 60) + (80 x 0.75 - 70) = 15 - 10 = 5
    w = weighted_displacement_quotient(100, 60, 80, 70, 400, 300)
    assert w.success_measure == pytest.approx(-0.05)
    assert w.displacement_measure == pytest.approx(1 / 30)
    assert w.wdq == pytest.approx(-2 / 3)
    assert w.total_net_effect == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("counts", "wdq", "reading"),
    [
        ((50, 25, 40, 10, 100, 100), 1.2, "diffusion of benefits greater than the direct effect"),
        ((50, 25, 40, 30, 100, 100), 0.4, "diffusion of benefits:"),
        ((50, 25, 40, 40, 100, 100), 0.0, "no displacement or diffusion"),
        ((50, 25, 40, 50, 100, 100), -0.4, "displacement smaller than the direct effect"),
        ((50, 25, 40, 80, 100, 100), -1.6, "displacement greater than the direct effect"),
    ],
)
def test_wdq_reading_follows_bowers_johnson(counts, wdq, reading):
    w = weighted_displacement_quotient(*counts)
    assert w.wdq == pytest.approx(wdq)
    assert w.reading.startswith(reading)


def test_wdq_not_read_without_success_or_control():
    w = weighted_displacement_quotient(25, 50, 40, 60, 100, 100)  # treated rose
    assert math.isnan(w.wdq) and w.success_measure > 0
    assert w.reading.startswith("not interpretable")
    w = weighted_displacement_quotient(25, 10, 40, 60, 0, 100)
    assert math.isnan(w.wdq) and "control area has no events before" in w.reading


# --- WDD ------------------------------------------------------------------------------------


def test_wdd_ptools_readme_example():
    # ptools README (Wheeler): wdd(control = c(20, 20), treated = c(20, 10)):
    # local WDD -10 (SE 8.3666), Z -1.195229, 90% CI -23.76 to 3.76
    r = weighted_displacement_difference((20, 10), (20, 20))
    assert r.wdd == -10.0
    assert r.se == pytest.approx(8.366600, abs=1e-6)
    assert r.z == pytest.approx(-1.195229, abs=1e-6)
    assert r.wdd - stats.norm.ppf(0.95) * r.se == pytest.approx(-23.761833, abs=1e-5)
    assert r.p_value == pytest.approx(2 * stats.norm.cdf(-1.195229), abs=1e-6)  # 0.2320
    assert r.p_value == pytest.approx(0.2320, abs=1e-4)
    assert r.displacement == 0.0 and r.displacement_se == 0.0


def test_wdd_paper_simple_example_local_part():
    # Wheeler & Ratcliffe (2018): treated 30 -> 20 (-10), treated-control 30 -> 25 (-5)
    # local WDD = -10 - (-5) = -5; Var = 30 + 20 + 30 + 25 = 105
    r = weighted_displacement_difference((30, 20), (30, 25))
    assert r.local == -5.0
    assert r.local_se == pytest.approx(math.sqrt(105))
    assert r.z == pytest.approx(-5 / math.sqrt(105))


def test_wdd_blog_example():
    # Wheeler (2025), "Some extensions to the WDD statistic": control 100 -> 90,
    # treated 100 -> 80: 10 fewer crimes, standard error about 19 (sqrt(370) = 19.24)
    r = weighted_displacement_difference((100, 80), (100, 90))
    assert r.wdd == -10.0
    assert r.se == pytest.approx(math.sqrt(370))
    assert round(r.se) == 19


def test_wdd_with_displacement_hand_computed():
    # T 30 -> 20, Ct 30 -> 25, D 20 -> 22, Cd 20 -> 20
    # WDD = -10 + 5 + 2 - 0 = -3; Var = 50 + 55 + 42 + 40 = 187; z = -3 / 13.675 = -0.2194
    r = weighted_displacement_difference(
        (30, 20), (30, 25), displacement=(20, 22), displacement_control=(20, 20)
    )
    assert r.wdd == -3.0
    assert r.se == pytest.approx(math.sqrt(187))
    assert r.z == pytest.approx(-0.219382, abs=1e-6)
    assert r.p_value == pytest.approx(0.826353, abs=1e-5)
    assert (r.local, r.displacement) == (-5.0, 2.0)


def test_wdd_weights_hand_computed():
    # control with 4x the events, weighted 1/4; before period twice as long (ratio 0.5):
    # treated 40 -> 10: 10 - 0.5 x 40 = -10, var 10 + 0.25 x 40 = 20
    # control 160 -> 80: 0.25 x (80 - 0.5 x 160) = 0, var 0.0625 x (80 + 0.25 x 160) = 7.5
    r = weighted_displacement_difference((40, 10), (160, 80), control_weight=0.25, period_ratio=0.5)
    assert r.wdd == pytest.approx(-10.0)
    assert r.se == pytest.approx(math.sqrt(27.5))


# --- the planted intervention -------------------------------------------------------------


def test_planted_reduction_and_displacement_found(result):
    c = result.counts
    assert list(c.columns) == ["all", "night", "day"]
    assert c.index.names == ["area", "period"]
    assert (c["all"] == c["night"] + c["day"]).all()
    assert c.loc[("treated", "before"), "all"] >= 80
    assert c.loc[("treated", "after"), "all"] < 40
    # a reduction beyond chance
    assert result.rate_ratio < 0.6
    assert result.ci_high < 1
    assert result.p_value < 0.01
    # the buffer rose relative to the control, and the WDQ reads displacement
    assert result.overall.buffer_rate_ratio > 1
    assert result.overall.buffer_ci_low > 1
    assert result.wdq < 0
    assert result.wdq_reading.startswith("displacement")
    assert result.overall.wdd_displacement > 0 > result.overall.wdd_local
    # the areas for the map: treated inside, buffer around it, control beyond a gap
    areas = result.areas
    assert list(areas.index) == ["treated", "buffer", "control"]
    assert areas.crs == CRS
    assert not areas.geometry["control"].intersects(areas.geometry["buffer"])
    assert areas.geometry["buffer"].intersection(TREATED).area == pytest.approx(0, abs=1e-6)
    assert areas.loc["treated", "area_m2"] == pytest.approx(TREATED.area)


def test_assessment_wdd_follows_the_documented_formula(result):
    n = result.counts["all"]
    t0, t1 = n["treated", "before"], n["treated", "after"]
    b0, b1 = n["buffer", "before"], n["buffer", "after"]
    c0, c1 = n["control", "before"], n["control", "after"]
    wt, wb = t0 / c0, b0 / c0
    wdd = (t1 - t0) - wt * (c1 - c0) + (b1 - b0) - wb * (c1 - c0)
    var = t0 + t1 + b0 + b1 + (wt + wb) ** 2 * (c0 + c1)
    assert result.wdd == pytest.approx(wdd)
    assert result.wdd_se == pytest.approx(math.sqrt(var))
    assert result.wdd_z == pytest.approx(wdd / math.sqrt(var))
    assert result.wdd_p == pytest.approx(2 * stats.norm.sf(abs(wdd) / math.sqrt(var)))
    # and the rate ratio / WDQ are those of the counts
    rr = rate_ratio_test(t0, t1, c0, c1)
    assert (result.rate_ratio, result.ci_low, result.ci_high) == (
        rr.rate_ratio,
        rr.ci_low,
        rr.ci_high,
    )
    assert result.wdq == weighted_displacement_quotient(t0, t1, b0, b1, c0, c1).wdq


def test_night_changes_and_day_does_not(result):
    night, day = result.night, result.day
    assert night.counts["treated", "before"] >= 60
    assert night.rate_ratio < 0.4 and night.ci_high < 1
    assert day.ci_low < 1 < day.ci_high
    assert "at night rather than by day" in result.summary()


def test_placebo_date_shows_no_effect(planted):
    placebo = assess(planted, TREATED, intervention_date="2025-02-15", before_days=45)
    assert placebo.parameters["after"][1] <= FIX  # entirely before the real fix
    assert placebo.ci_low < 1 < placebo.ci_high
    assert placebo.p_value > 0.05
    assert placebo.overall.buffer_ci_low < 1 < placebo.overall.buffer_ci_high


def test_summary_and_frame(result):
    text = result.summary()
    assert "fell by" in text and "chance alone is unlikely" in text
    assert "2025-04-01" in text and "200 m buffer" in text
    frame = result.to_frame()
    assert list(frame.index) == ["all", "night", "day"]
    assert frame.loc["all", "rate_ratio"] == result.rate_ratio
    assert frame.loc["night", "treated_before"] == result.night.counts["treated", "before"]
    assert {"wdq", "wdq_reading", "wdd", "wdd_se", "wdd_z", "wdd_p", "ci_low", "ci_high"} <= set(
        frame.columns
    )


def test_treated_area_as_frame_or_cluster_row(planted, result):
    gdf = gpd.GeoDataFrame(geometry=[TREATED], crs=CRS).to_crs(4326)
    by_frame = assess(planted, gdf, intervention_date="2025-04-01", before_days=90)
    pd.testing.assert_frame_equal(by_frame.counts, result.counts)
    row = gpd.GeoDataFrame({"n_events": [1]}, geometry=[TREATED], crs=CRS, index=["H001"]).loc[
        "H001"
    ]
    by_row = assess(planted, row, intervention_date="2025-04-01", before_days=90)
    pd.testing.assert_frame_equal(by_row.counts, result.counts)


def test_sources_and_categories_filter(planted, result):
    both = assess(
        planted,
        TREATED,
        intervention_date="2025-04-01",
        before_days=90,
        categories=["theft", "noise"],
    )
    assert both.parameters["categories"] == ["noise", "theft"]
    pd.testing.assert_frame_equal(both.counts, result.counts)
    # without the background ("noise") the control ring is empty: the filter reached it
    with pytest.raises(ValidationError, match="control area has no events"):
        assess(planted, TREATED, intervention_date="2025-04-01", before_days=90, categories="theft")
    # there are no concerns in this study
    with pytest.raises(LayerError, match="no events of source"):
        assess(planted, TREATED, intervention_date="2025-04-01", before_days=90, sources="concern")


def test_given_control_area_and_unequal_periods(planted):
    control = shapely.box(X0 + 600, Y0 - 700, X0 + 1400, Y0 + 700)
    r = assess(
        planted,
        TREATED,
        intervention_date="2025-04-01",
        before_days=90,
        after_days=60,
        control_area=control,
    )
    assert r.parameters["control"] == "given"
    assert r.areas.geometry["control"].equals(control)
    n = r.counts["all"]
    t0, t1 = n["treated", "before"], n["treated", "after"]
    b0, b1 = n["buffer", "before"], n["buffer", "after"]
    c0, c1 = n["control", "before"], n["control", "after"]
    k = 60 / 90
    wdd = (t1 - k * t0) - t0 / c0 * (c1 - k * c0) + (b1 - k * b0) - b0 / c0 * (c1 - k * c0)
    assert r.wdd == pytest.approx(wdd)


def test_implementation_period_is_in_neither(planted):
    r = assess(planted, TREATED, intervention_date=("2025-03-25", "2025-04-01"), before_days=60)
    before, after = r.parameters["before"], r.parameters["after"]
    assert before[1] == pd.Timestamp("2025-03-25", tz=TZ)
    assert after[0] == pd.Timestamp("2025-04-01", tz=TZ)


# --- errors ---------------------------------------------------------------------------------


def test_error_implementation_period_reversed(planted):
    with pytest.raises(ValidationError, match="ends .* before it starts"):
        assess(planted, TREATED, intervention_date=("2025-04-01", "2025-03-01"), before_days=30)


def test_error_control_overlaps_buffer(planted):
    with pytest.raises(ValidationError, match="overlaps the buffer area"):
        assess(
            planted,
            TREATED,
            intervention_date="2025-04-01",
            before_days=90,
            control_area=shapely.Point(X0 + 150, Y0).buffer(100),
        )
    with pytest.raises(ValidationError, match="overlaps the treated area"):
        assess(
            planted,
            TREATED,
            intervention_date="2025-04-01",
            before_days=90,
            control_area=shapely.Point(X0, Y0).buffer(1000),
        )


def test_error_control_ring_touching_buffer(planted):
    with pytest.raises(ValidationError, match="must not touch the buffer"):
        assess(
            planted, TREATED, intervention_date="2025-04-01", before_days=90, control_m=(100, 500)
        )


def test_error_too_few_events(planted):
    quiet = shapely.Point(X0 + 1200, Y0 + 1200).buffer(20)
    with pytest.raises(ValidationError, match=r"(?s)Too few events.*at least 10 are needed"):
        assess(planted, quiet, intervention_date="2025-04-01", before_days=90)


def test_error_control_without_events(planted):
    empty_corner = shapely.box(X0 + 5000, Y0 + 5000, X0 + 5100, Y0 + 5100)
    with pytest.raises(ValidationError, match="control area has no events in the before"):
        assess(
            planted,
            TREATED,
            intervention_date="2025-04-01",
            before_days=90,
            control_area=empty_corner,
        )


def test_error_periods_beyond_the_data(planted):
    with pytest.raises(ValidationError, match="after period ends .* but the data end"):
        assess(planted, TREATED, intervention_date="2025-06-01", before_days=90)
    with pytest.raises(ValidationError, match="before period starts .* but the data start"):
        assess(planted, TREATED, intervention_date="2025-02-01", before_days=60)


def test_error_bad_arguments_listed_together(planted):
    with pytest.raises(ValidationError) as err:
        assess(
            planted,
            TREATED,
            intervention_date="2025-04-01",
            before_days=-5,
            buffer_m="wide",
            sources=["police"],
            min_events=0,
        )
    msg = str(err.value)
    for part in ("`before_days`", "`buffer_m`", "`sources`", "`min_events`"):
        assert part in msg


def test_error_bad_dates_and_categories(planted):
    with pytest.raises(ValidationError, match="is not a date"):
        assess(planted, TREATED, intervention_date="soon", before_days=30)
    with pytest.raises(ValidationError, match="not among the events' categories.*'noise'"):
        assess(planted, TREATED, intervention_date="2025-04-01", before_days=90, categories=["x"])


def test_error_bad_areas(planted):
    with pytest.raises(CRSError, match="looks like lon/lat"):
        assess(
            planted, shapely.Point(-77.0, 38.9).buffer(0.001), intervention_date=FIX, before_days=30
        )
    with pytest.raises(CRSError, match="has no CRS"):
        assess(planted, gpd.GeoSeries([TREATED]), intervention_date=FIX, before_days=30)
    with pytest.raises(ValidationError, match="has no area"):
        assess(
            planted,
            shapely.LineString([(X0, Y0), (X0 + 50, Y0)]),
            intervention_date=FIX,
            before_days=30,
        )
    with pytest.raises(ValidationError, match="must be a shapely polygon"):
        assess(planted, "H001", intervention_date=FIX, before_days=30)


def test_error_bad_counts():
    with pytest.raises(ValidationError, match="must be a count"):
        rate_ratio_test(-1, 2, 3, 4)
    with pytest.raises(ValidationError, match="must be a count"):
        weighted_displacement_quotient(1.5, 2, 3, 4, 5, 6)
    with pytest.raises(ValidationError, match=r"`treated` must be a \(before, after\) pair"):
        weighted_displacement_difference(5, (1, 2))
    with pytest.raises(ValidationError, match="`control_weight` must be a number > 0"):
        weighted_displacement_difference((1, 2), (1, 2), control_weight=0)


# --- the generated scene ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def scene_setup():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the scene's messy rows warn on purpose
        study = datasets.load_study("scene")
    truth = datasets.load_truth()
    row = truth.loc[truth["kind"] == "intervention"].iloc[0]
    centre = gpd.GeoSeries([shapely.Point(row["x_m"], row["y_m"])], crs=32630).to_crs(study.crs)
    return study, centre.iloc[0], row


def test_scene_planted_intervention_found(scene_setup):
    study, centre, row = scene_setup
    treated = centre.buffer(30)  # the planted events lie within radius_m (12 m) of the centre
    assert float(row["radius_m"]) < 30
    r = assess(study, treated, intervention_date=row["intervention_date"], before_days=90)
    # a reduction beyond chance ...
    assert r.rate_ratio < 0.6 and r.ci_high < 1
    # ... with displacement: the buffer (covering the 60-200 m ring) rose relative to the control
    assert r.overall.buffer_rate_ratio > 1
    assert r.wdq < 0 and r.wdq_reading.startswith("displacement")
    assert r.overall.wdd_local < 0 < r.overall.wdd_displacement


def test_scene_placebo_date(scene_setup):
    study, centre, row = scene_setup
    r = assess(study, centre.buffer(30), intervention_date="2025-02-15", before_days=45)
    assert r.ci_low < 1 < r.ci_high
