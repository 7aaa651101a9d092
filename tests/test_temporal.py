"""After dark from the sun, aoristic profiles, period counts, Mann-Kendall and trend classes."""

from __future__ import annotations

import datetime as dt
import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from astral import Observer
from astral.sun import dawn, dusk, elevation
from scipy import stats

from hotspots import Settings
from hotspots._errors import ValidationError
from hotspots.temporal import (
    TRENDS,
    after_dark,
    aoristic_profile,
    cluster_time_summary,
    is_dark,
    mann_kendall,
    period_counts,
    sun_elevation,
    trend_class,
)

DC = (-77.0365, 38.8977)  # the sample's downtown (lon, lat)
TZ = "America/New_York"
DATES = [
    dt.date(2025, 1, 15),  # winter
    dt.date(2025, 3, 8),  # the day before the spring DST change
    dt.date(2025, 3, 9),  # spring forward
    dt.date(2025, 6, 21),  # summer solstice
    dt.date(2025, 11, 2),  # fall back
    dt.date(2025, 12, 21),
]


@pytest.mark.parametrize("day", DATES, ids=str)
def test_civil_dusk_and_dawn_match_astral_in_dc(day):
    obs = Observer(latitude=DC[1], longitude=DC[0])
    d_dawn = pd.Timestamp(dawn(obs, day, tzinfo=TZ, depression=6))
    d_dusk = pd.Timestamp(dusk(obs, day, tzinfo=TZ, depression=6))
    # one minute either side of astral's civil dawn and dusk
    minute = pd.Timedelta(minutes=1)
    times = [d_dawn - minute, d_dawn + minute, d_dusk - minute, d_dusk + minute]
    assert is_dark(times, *DC).tolist() == [True, False, False, True]


def test_known_dusk_times_in_local_clock():
    # US Naval Observatory tables for Washington DC: civil twilight ends about 17:38 EST on
    # 15 January and about 21:13 EDT on 21 June; DST shifts the clock, not the sun
    winter = pd.Timestamp("2025-01-15 17:25", tz=TZ), pd.Timestamp("2025-01-15 17:50", tz=TZ)
    summer = pd.Timestamp("2025-06-21 21:00", tz=TZ), pd.Timestamp("2025-06-21 21:25", tz=TZ)
    assert is_dark([*winter, *summer], *DC).tolist() == [False, True, False, True]


def test_elevation_agrees_with_astral_to_a_tenth_of_a_degree():
    rng = np.random.default_rng(1)
    times = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(
        rng.uniform(0, 365 * 86400, 200), unit="s"
    )
    obs = Observer(latitude=DC[1], longitude=DC[0])
    ours = sun_elevation(times, *DC)
    theirs = np.array(
        [elevation(obs, t.floor("s").to_pydatetime(), with_refraction=False) for t in times]
    )
    assert np.max(np.abs(ours - theirs)) < 0.1


def test_nat_is_not_dark_and_gives_nan():
    t = pd.DatetimeIndex([pd.NaT, "2025-01-01 03:00"]).tz_localize(TZ)
    assert np.isnan(sun_elevation(t, *DC)[0])
    assert is_dark(t, *DC).tolist() == [False, True]


def _events(times, time_to=None, *, crs=32618):
    point = gpd.GeoSeries([shapely.Point(DC)], crs=4326).to_crs(crs).iloc[0]
    data = {"time": pd.DatetimeIndex(times).tz_localize(TZ)}
    if time_to is not None:
        data["time_to"] = pd.DatetimeIndex(time_to).tz_localize(TZ)
    return gpd.GeoDataFrame(data, geometry=[point] * len(times), crs=crs)


def test_after_dark_in_projected_crs_keeps_index_and_uses_window_midpoint():
    ev = _events(
        ["2025-01-15 12:00", "2025-01-15 23:00", "2025-01-15 16:00", "2025-01-15 16:00"],
        [None, None, "2025-01-15 20:00", "2025-01-18 20:00"],
    ).set_axis([10, 11, 12, 13])
    flags = after_dark(ev)
    assert flags.index.tolist() == [10, 11, 12, 13]
    # 16:00-20:00 has its midpoint at 18:00 (dark); a three-day window uses its start
    assert flags.tolist() == [False, True, True, False]


def test_after_dark_follows_the_twilight_setting():
    ev = _events(["2025-01-15 17:45"])  # between civil (17:38) and nautical dusk (18:08)
    assert after_dark(ev).tolist() == [True]
    assert after_dark(ev, settings=Settings(twilight_depression_deg=12)).tolist() == [False]


def test_after_dark_errors():
    ev = _events(["2025-01-15 17:45"])
    with pytest.raises(ValidationError, match="no time column"):
        after_dark(ev.rename(columns={"time": "when"}))
    with pytest.raises(ValidationError, match="no CRS"):
        after_dark(ev.set_crs(None, allow_override=True))


def test_aoristic_hour_profile_spreads_windows_and_wraps_midnight():
    start = pd.Series(
        pd.DatetimeIndex(["2025-03-03 22:30", "2025-03-03 10:00", "2025-03-03 01:00"])
    )
    end = pd.Series(pd.DatetimeIndex(["2025-03-04 00:30", pd.NaT, "2025-03-05 01:00"]))
    w = aoristic_profile(start.dt.tz_localize(TZ), end.dt.tz_localize(TZ), tz=TZ)
    assert w.shape == (3, 24)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    np.testing.assert_allclose(w[0, [22, 23]], [0.25, 0.5])
    assert w[0, 0] == pytest.approx(0.25)
    assert w[1, 10] == 1.0
    np.testing.assert_allclose(w[2], 1 / 24)  # a two-day window says nothing about the hour


def test_aoristic_weekday_profile():
    start = pd.Series(pd.DatetimeIndex(["2025-03-09 12:00"]).tz_localize(TZ))  # Sunday
    w = aoristic_profile(start, start + pd.Timedelta(days=1), tz=TZ, unit="weekday")
    np.testing.assert_allclose(w[0], [0.5, 0, 0, 0, 0, 0, 0.5])
    with pytest.raises(ValidationError, match="unit"):
        aoristic_profile(start, tz=TZ, unit="month")


def test_profile_follows_local_clock_across_dst():
    utc = pd.DatetimeIndex(["2025-01-10 04:00", "2025-07-10 03:00"]).tz_localize("UTC")
    w = aoristic_profile(pd.Series(utc), tz=TZ)
    assert w[:, 23].tolist() == [1.0, 1.0]  # 23:00 local both times


def test_period_counts_weeks_and_months():
    start = pd.Timestamp("2025-01-01", tz=TZ)
    end = pd.Timestamp("2025-03-31 23:59", tz=TZ)
    t = pd.Series(
        pd.DatetimeIndex(
            [
                "2025-01-01 00:00",
                "2025-01-07 23:59",
                "2025-01-08",
                "2025-03-31 23:00",
                "2024-12-31 23:00",
            ]
        ).tz_localize(TZ)
    )
    labels = np.array([0, 0, 1, 1, 0])
    weeks, starts = period_counts(t, labels, 2, start=start, end=end)
    assert len(starts) == 13 and weeks.shape == (2, 13)
    assert weeks[0].tolist()[:2] == [2, 0] and weeks[1].tolist()[1] == 1
    assert weeks[1, -1] == 1 and weeks.sum() == 4  # the event before the start is not counted
    months, mstarts = period_counts(t, labels, 2, start=start, end=end, period="M")
    assert months.tolist() == [[2, 0, 0], [1, 0, 1]]
    with pytest.raises(ValidationError, match="period"):
        period_counts(t, labels, 2, start=start, end=end, period="Y")


@pytest.mark.parametrize("seed", range(5))
def test_mann_kendall_equals_scipy_kendalltau(seed):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rng.uniform(0.3, 4, (20, 1)) * np.linspace(0.5, 1.5, 13), (20, 13))
    tau, p = mann_kendall(counts)
    for row, t_, p_ in zip(counts, tau, p, strict=True):
        ref = stats.kendalltau(np.arange(13), row)
        if np.isnan(ref.statistic):
            assert np.isnan(t_)
        else:
            assert t_ == pytest.approx(ref.statistic, abs=1e-12)
            assert p_ == pytest.approx(ref.pvalue, rel=1e-9)


def test_mann_kendall_edge_cases():
    tau, p = mann_kendall(np.array([[3, 3, 3, 3], [1, 2, 0, 0]]))
    assert np.isnan(tau[0]) and np.isnan(p[0])
    assert np.isfinite(tau[1])
    tau, p = mann_kendall(np.array([[1, 2]]))
    assert np.isnan(tau[0])
    with pytest.raises(ValidationError, match="2-D"):
        mann_kendall(np.array([1, 2, 3]))


def test_trend_classes_follow_emerging_hot_spot_definitions():
    rows = {
        "new": [0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        "consecutive": [0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
        "intensifying": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        "persistent": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        "diminishing": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        "historical": [1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
        "sporadic": [1, 0, 1, 0, 0, 1, 0, 0, 1, 1],
        "oscillating": [1, 0, 0, 0, 0, 1, 0, 0, 1, 1],
        "no pattern": [1, 0, 1, 0, 0, 1, 0, 1, 0, 0],
    }
    active = np.array(list(rows.values()), bool)
    cold = np.zeros_like(active)
    cold[7, 2] = True  # the oscillating place was significantly quiet once
    tau = np.array([0.5, 0.5, 0.8, 0.1, -0.8, 0.0, 0.0, 0.0, 0.0])
    p = np.array([0.5, 0.5, 0.001, 0.7, 0.001, 1.0, 1.0, 1.0, 1.0])
    assert trend_class(active, tau, p, cold=cold).tolist() == list(rows)
    assert set(rows) == set(TRENDS)
    assert trend_class(np.zeros((1, 5), bool), np.zeros(1), np.ones(1)).tolist() == [""]


def test_cluster_time_summary_on_two_places():
    day0 = pd.Timestamp("2025-01-06")  # local wall clock, localised by _events
    # place 0: every week at 23:30 with a rising count; place 1: noon, only in the last weeks
    t0 = [
        day0 + pd.Timedelta(days=7 * w, hours=23, minutes=30 + i)
        for w in range(12)
        for i in range(1 + w // 3)
    ]
    t1 = [day0 + pd.Timedelta(days=7 * w + 2, hours=12) for w in (10, 11)]
    ev = _events(pd.DatetimeIndex(t0 + t1))
    labels = np.array([0] * len(t0) + [1] * len(t1) + [])
    start = day0.tz_localize(TZ)
    end = (day0 + pd.Timedelta(days=84, seconds=-1)).tz_localize(TZ)  # 12 full weeks
    out = cluster_time_summary(ev, labels, start=start, end=end)
    assert out.loc[0, "after_dark_share"] == 1.0 and out.loc[1, "after_dark_share"] == 0.0
    assert out.loc[0, "hour_profile"][23] == len(t0)
    assert out.loc[1, "weekday_profile"][2] == 2.0  # Wednesdays
    assert sum(out.loc[0, "period_counts"]) == len(t0)
    assert out.loc[0, "trend"] == "intensifying" and out.loc[0, "trend_tau"] > 0
    assert out.loc[1, "trend"] == "consecutive"
    with pytest.raises(ValidationError, match="labels"):
        cluster_time_summary(ev, labels[:-1])


def test_expected_counts_make_busy_weeks_the_active_ones():
    day0 = pd.Timestamp("2025-01-06", tz=TZ)
    counts = [1, 1, 1, 1, 1, 1, 1, 1, 8, 9]
    times = [
        day0 + pd.Timedelta(days=7 * w, hours=12, minutes=i)
        for w, c in enumerate(counts)
        for i in range(c)
    ]
    ev = _events(pd.DatetimeIndex(times).tz_localize(None))
    labels = np.zeros(len(times), int)
    end = day0 + pd.Timedelta(days=70, seconds=-1)  # 10 full weeks
    plain = cluster_time_summary(ev, labels, start=day0, end=end)
    tested = cluster_time_summary(ev, labels, start=day0, end=end, expected=np.array([10.0]))
    assert plain.loc[0, "trend"] == "intensifying" and plain.loc[0, "active_periods"] == 10
    assert tested.loc[0, "active_periods"] == 2 and tested.loc[0, "trend"] == "consecutive"


def test_a_partial_last_week_is_dropped_not_read_as_a_quiet_week(caplog):
    # events every week until 24 March, the study to 31 March (as DC): the half week
    # after the last full week must not end every series with a zero
    day0 = pd.Timestamp("2025-01-01", tz=TZ)
    times = [day0 + pd.Timedelta(days=7 * w + 1, hours=12) for w in range(12)]
    ev = _events(pd.DatetimeIndex(times).tz_localize(None))
    end = pd.Timestamp("2025-03-31 23:59:59", tz=TZ)
    with caplog.at_level(logging.INFO, logger="hotspots.temporal"):
        out = cluster_time_summary(ev, np.zeros(len(times), int), start=day0, end=end)
    assert len(out.loc[0, "period_counts"]) == 12  # 13th (26-31 March) dropped
    assert out.loc[0, "trend"] == "persistent"
    assert "partial" in caplog.text
    assert "little power" in out.loc[0, "trend_note"] or out.loc[0, "trend_note"] == ""


def test_few_periods_with_events_get_a_small_sample_note():
    day0 = pd.Timestamp("2025-01-06", tz=TZ)
    times = [day0 + pd.Timedelta(days=7 * w, hours=12) for w in (0, 5, 11)]
    ev = _events(pd.DatetimeIndex(times).tz_localize(None))
    out = cluster_time_summary(ev, np.zeros(3, int), start=day0, end=day0 + pd.Timedelta(days=84))
    assert out.loc[0, "trend_note"].startswith("events in only 3 of 12 periods")
