"""Near repeats: the Knox table against planted pairs, and against pointpats."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots import datasets
from hotspots.cluster import find_hotspots
from hotspots.nearrepeat import KNOX_COLUMNS, knox, repeat_share

CRS = 32618
TZ = "America/New_York"
DAY0 = pd.Timestamp("2024-01-01", tz=TZ)


def events(n=300, *, pairs=0, seed=0, side=3000.0):
    """n events uniform over a square and a year; `pairs` of them followed by a near repeat
    (within 100 m and 7 days).
    """
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, side, (n, 2))
    hours = rng.uniform(0, 365 * 24, n)
    if pairs:
        first = rng.choice(n, pairs, replace=False)
        angle = rng.uniform(0, 2 * np.pi, pairs)
        dist = rng.uniform(5, 95, pairs)
        near = xy[first] + np.column_stack([dist * np.cos(angle), dist * np.sin(angle)])
        xy = np.vstack([xy, near])
        hours = np.r_[hours, hours[first] + rng.uniform(1, 6 * 24, pairs)]
    time = DAY0 + pd.to_timedelta(hours, unit="h")
    return gpd.GeoDataFrame({"time": time}, geometry=shapely.points(xy), crs=CRS)


def cell(table, distance, time):
    return table[(table["distance"] == distance) & (table["time"] == time)].iloc[0]


def test_planted_near_repeats_are_found():
    table = knox(events(pairs=60), n_permutations=199, seed=1)
    assert list(table.columns) == list(KNOX_COLUMNS)
    first = cell(table, "1-100 m", "0-7 days")
    assert first["observed"] >= 60 and first["ratio"] > 3 and first["p_value"] < 0.01
    # far apart in space or time: no excess
    assert cell(table, "401-500 m", "22-28 days")["p_value"] > 0.01
    # every pair once
    n = table.attrs["parameters"]["n_events"]
    assert table["observed"].sum() == n * (n - 1) // 2


def test_no_near_repeats_in_a_random_scene():
    table = knox(events(), n_permutations=199, seed=1)
    close = table[table["distance"].isin(["0 m", "1-100 m", "101-200 m"])]
    close = close[close["time"] == "0-7 days"]
    assert (close["p_value"] > 0.01).all()


def test_same_seed_same_table_and_bands():
    ev = events(pairs=10, seed=3)
    a = knox(ev, distance_m=50, n_distance=3, days=14, n_time=2, n_permutations=19, seed=4)
    b = knox(ev, distance_m=50, n_distance=3, days=14, n_time=2, n_permutations=19, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert a["distance"].unique().tolist() == ["0 m", "1-50 m", "51-100 m", "101-150 m", "> 150 m"]
    assert a["time"].unique().tolist() == ["0-14 days", "15-28 days", "> 28 days"]


def test_equal_to_pointpats_where_they_overlap():
    spacetime = pytest.importorskip("pointpats.spacetime")
    ev = events(pairs=40, seed=2)
    table = knox(ev, distance_m=100, n_distance=2, days=7, n_time=2, n_permutations=0)
    xy = shapely.get_coordinates(ev.geometry.to_numpy())
    t = ((ev["time"] - DAY0) / pd.Timedelta(days=1)).to_numpy()[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = spacetime.Knox(xy, t, delta=100, tau=7, permutations=0)
    close_space = table["distance"].isin(["0 m", "1-100 m"])
    close_time = table["time"] == "0-7 days"
    obs = table["observed"]
    assert obs[close_space & close_time].sum() == ref.observed[0, 0]  # NST
    assert obs[close_space & ~close_time].sum() == ref.observed[0, 1]
    assert obs[~close_space & close_time].sum() == ref.observed[1, 0]
    assert obs[~close_space & ~close_time].sum() == ref.observed[1, 1]


def test_repeat_share_per_place():
    day = 86_400 * 10**9
    pos = np.array([0, 0, 0, 0, 1, 1, -1])
    t = np.array([0, 3, 20, 22, 0, 50, 1]) * day
    np.testing.assert_allclose(repeat_share(pos, t, 2, 7.0), [0.5, 0.0])
    hot = find_hotspots(datasets.load_study("dc"), significance="approx")
    share = hot["near_repeat_share"]
    assert share.between(0, 1).all() and share.gt(0).any()


def test_knox_on_a_study():
    table = knox(datasets.load_study("dc"), n_permutations=9)
    assert table.attrs["parameters"]["n_events"] == 714
    assert table["ratio"].notna().all()
