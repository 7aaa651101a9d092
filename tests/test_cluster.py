"""Recurring-location clustering: tiny scenes whose answer you can see, and the scene's truth."""

from __future__ import annotations

import dataclasses
import logging
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from scipy import stats
from sklearn.cluster import DBSCAN

from hotspots import LayerError, Settings, Study, ValidationError, combine_events
from hotspots._dbscan import dbscan_snapped, snap_points
from hotspots.cluster import (
    CLUSTER_COLUMNS,
    crime_concentration,
    event_clusters,
    find_hotspots,
)
from hotspots.io import empty_layer

TZ = "America/New_York"
CRS = pyproj.CRS(32618)
X0, Y0 = 320_000.0, 4_300_000.0  # somewhere in UTM 18N, metres
DAY0 = pd.Timestamp("2024-01-01 20:00", tz=TZ)


# --- building tiny studies -------------------------------------------------------------------


def _layer(kind: str, rows: list[tuple[float, float, pd.Timestamp, str]]) -> gpd.GeoDataFrame:
    if not rows:
        return empty_layer(kind, crs=CRS, tz=TZ)
    x, y, t, cat = zip(*rows, strict=True)
    prefix = "i" if kind == "incidents" else "c"
    data = {
        "id": [f"{prefix}{i}" for i in range(len(rows))],
        "source_row": np.arange(1, len(rows) + 1),
        ("occurred_at" if kind == "incidents" else "reported_at"): pd.DatetimeIndex(t),
    }
    if kind == "incidents":
        data["occurred_to"] = pd.Series(
            pd.NaT, index=range(len(rows)), dtype=f"datetime64[us, {TZ}]"
        )
    data["category"] = list(cat)
    data["description"] = ""
    geometry = shapely.points(np.asarray(x) + X0, np.asarray(y) + Y0)
    return gpd.GeoDataFrame(data, geometry=geometry, crs=CRS)


def make_study(incidents=(), concerns=(), *, boundary=None, settings=None) -> Study:
    """A Study from lists of (x, y, time, category), x/y in metres from (X0, Y0)."""
    empty = {k: empty_layer(k, crs=CRS, tz=TZ) for k in ("lights", "stops", "obstructions")}
    return Study(
        name="test",
        crs=CRS,
        tz=TZ,
        settings=settings or Settings(),
        incidents=_layer("incidents", list(incidents)),
        concerns=_layer("concerns", list(concerns)),
        boundary=boundary,
        rejected=pd.DataFrame(),
        **empty,
    )


def group(x, y, days, *, spread=4.0, category="theft", seed=0, per_day=1):
    """Events around (x, y) (within `spread` m), `per_day` on each of the given day offsets."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in days:
        for j in range(per_day):
            dx, dy = rng.uniform(-spread, spread, 2)
            t = DAY0 + pd.Timedelta(days=int(d), minutes=int(rng.integers(0, 180)) + j)
            rows.append((x + dx, y + dy, t, category))
    return rows


def background(n, *, side=4000.0, days=120, seed=1, category="noise"):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, side, (n, 2))
    day = rng.integers(0, days, n)
    return [
        (float(a), float(b), DAY0 + pd.Timedelta(days=int(d)), category)
        for (a, b), d in zip(xy, day, strict=True)
    ]


@pytest.fixture(scope="module")
def two_groups():
    a = group(1000, 1000, range(0, 60, 5), seed=1)  # 12 events on 12 days over 55 days
    b = group(3000, 2500, range(0, 80, 10), seed=2)  # 8 events on 8 days over 70 days
    return make_study(incidents=a + b + background(40))


# --- the tiny scenes ---------------------------------------------------------------------------


def test_two_groups_found_with_their_counts(two_groups, caplog):
    with caplog.at_level(logging.INFO, logger="hotspots.cluster"):
        hot = find_hotspots(two_groups)
    assert list(hot.index) == ["H001", "H002"]
    assert list(hot["cluster_id"]) == ["H001", "H002"]
    assert hot["n_events"].tolist() == [12, 8]
    assert hot["n_days"].tolist() == [12, 8]
    assert hot["span_days"].tolist() == [55, 70]
    assert hot.crs == two_groups.crs
    assert hot.geometry.geom_type.eq("Polygon").all()
    # centroid where the group is; the polygon holds it with the hull buffer around it
    assert hot["centroid_x"].iloc[0] == pytest.approx(X0 + 1000, abs=4)
    assert hot["centroid_y"].iloc[1] == pytest.approx(Y0 + 2500, abs=4)
    assert (hot["area_m2"] > math.pi * 15**2 * 0.9).all()
    assert hot["first_seen"].dt.tz is not None and str(hot["first_seen"].dt.tz) == TZ
    assert hot["categories"].iloc[0] == {"theft": 12}
    assert hot["significant"].all()
    assert set(CLUSTER_COLUMNS) <= set(hot.columns)
    # one INFO line per call, saying what was chosen and why
    lines = [r.getMessage() for r in caplog.records if r.name == "hotspots.cluster"]
    assert len(lines) == 1
    assert "min_samples=" in lines[0] and "Poisson" in lines[0] and "2 hot spots" in lines[0]
    params = hot.attrs["parameters"]
    assert params["eps_m"] == 50 and params["min_samples"] >= 3
    assert params["background_area_source"] == "occupied 500 m cells"
    assert params["n_hotspots"] == 2


def test_settings_travel_with_the_places(two_groups):
    settings = Settings(hull_buffer_m=20.0, alpha=0.01)
    study = dataclasses.replace(two_groups, settings=settings)
    hot = find_hotspots(study)
    assert hot.attrs["settings"] is settings
    assert hot.attrs["parameters"]["hull_buffer_m"] == 20.0
    assert find_hotspots(two_groups).attrs["settings"] == Settings()


def test_event_clusters_reproduce_the_counts(two_groups):
    hot = find_hotspots(two_groups)
    per_event = event_clusters(two_groups, hot)
    events = combine_events(two_groups)
    assert per_event.index.equals(events.index)
    assert per_event.name == "cluster_id"
    assert per_event.value_counts().reindex(hot.index).tolist() == hot["n_events"].tolist()
    assert per_event.isna().sum() == len(events) - hot["n_events"].sum()
    # only the chosen sources get a hot spot
    assert event_clusters(two_groups, hot, sources=("concern",)).isna().all()


def test_one_day_burst_is_never_reported(caplog):
    burst = group(500, 500, [3], per_day=15)
    study = make_study(incidents=burst + background(30))
    with caplog.at_level(logging.INFO, logger="hotspots.cluster"):
        hot = find_hotspots(study)
    assert hot.empty
    assert "1 dropped as not recurring" in caplog.text
    assert hot.attrs["parameters"]["n_not_recurring"] == 1
    # still the documented columns, the study CRS, tz-aware times
    assert set(CLUSTER_COLUMNS) <= set(hot.columns)
    assert hot.crs == study.crs
    assert str(hot["first_seen"].dtype).startswith("datetime64")


def test_three_days_within_five_days_is_not_recurring():
    short = group(500, 500, [0, 2, 5], per_day=4)
    study = make_study(incidents=short + background(30))
    assert find_hotspots(study).empty
    # the same place on four days over 14 days recurs: three days are left without its
    # busiest 24 hours (on three days only, those would leave two: a burst, not a place)
    # (all four days are equally busy: the earliest goes, leaving days 2-16)
    longer = group(500, 500, [0, 2, 7, 16], per_day=4)
    hot = find_hotspots(make_study(incidents=longer + background(30)))
    assert len(hot) == 1 and hot["span_days"].iloc[0] == 16 and hot["n_days"].iloc[0] == 4
    three = find_hotspots(make_study(incidents=group(500, 500, [0, 2, 14], per_day=4)))
    assert three.empty and len(three.attrs["bursts"]) == 1
    # and min_days / span_days can be tightened per call
    assert find_hotspots(make_study(incidents=longer), span_days=15).empty  # 2..16 is 14
    assert find_hotspots(make_study(incidents=longer), min_days=4).empty


def test_days_are_local_days():
    # 23:30 and 00:30 New York time are two days, though the same UTC day
    t = pd.Timestamp("2024-03-01 23:30", tz=TZ)
    rows = [(0.0, 0.0, t + pd.Timedelta(hours=h), "x") for h in (0, 1)]
    rows += [(1.0, 1.0, t + pd.Timedelta(days=20), "x")] * 2
    hot = find_hotspots(make_study(incidents=rows), min_samples=2)
    # three local days, but the two events 23:30-00:30 are one 24-hour burst: without it
    # one day is left, so the place is a burst, not a hot spot
    assert hot.empty
    bursts = hot.attrs["bursts"]
    assert bursts["n_days"].tolist() == [3]
    assert bursts["first_seen"].iloc[0] == t
    assert bursts["burst_events"].tolist() == [2] and bursts["burst_start"].iloc[0] == t


def test_shuffled_input_gives_the_same_ids_and_polygons(two_groups):
    a = group(1000, 1000, range(0, 60, 5), seed=1)
    b = group(3000, 2500, range(0, 80, 10), seed=2)
    c = group(2000, 200, range(0, 90, 9), seed=3, category="noise complaint")
    inc, con = a + b + background(60), c + background(15, seed=9)
    first = find_hotspots(make_study(incidents=inc, concerns=con))
    rng = np.random.default_rng(42)
    shuffled = make_study(
        incidents=[inc[i] for i in rng.permutation(len(inc))],
        concerns=[con[i] for i in rng.permutation(len(con))],
    )
    second = find_hotspots(shuffled)
    assert len(first) == 3
    assert_geodataframe_equal(first, second, check_less_precise=False)
    assert shapely.equals_exact(first.geometry.values, second.geometry.values, 0).all()
    for method in ("hdbscan",):
        assert_geodataframe_equal(
            find_hotspots(make_study(incidents=inc, concerns=con), method=method),
            find_hotspots(shuffled, method=method),
        )


def test_source_mix_labels():
    inc_only = group(0, 0, range(0, 40, 4), seed=1)
    both_inc = group(2000, 0, range(0, 40, 8), seed=2)
    both_con = group(2000, 0, range(1, 40, 8), seed=3, category="dark street")
    con_only = group(0, 2000, range(0, 40, 5), seed=4, category="drug dealing")
    study = make_study(incidents=inc_only + both_inc, concerns=both_con + con_only)
    by_place = find_hotspots(study)
    assert len(by_place) == 3
    at = {
        (round(r.centroid_x - X0, -2), round(r.centroid_y - Y0, -2)): r
        for r in by_place.itertuples()
    }
    assert at[(0, 0)].source_mix == "incident_only" and at[(0, 0)].n_concerns == 0
    assert at[(2000, 0)].source_mix == "both"
    assert (at[(2000, 0)].n_incidents, at[(2000, 0)].n_concerns) == (5, 5)
    assert at[(0, 2000)].source_mix == "concern_only"
    assert at[(2000, 0)].categories == {"dark street": 5, "theft": 5}
    # clustering one source only
    only_inc = find_hotspots(study, sources=("incident",))
    assert set(only_inc["source_mix"]) == {"incident_only"}
    assert only_inc["n_events"].tolist() == [10, 5]


def test_poisson_p_value_and_corrections(two_groups):
    hot = find_hotspots(two_groups)
    params = hot.attrs["parameters"]
    n_total = params["n_events"]
    mu = n_total * hot["area_m2"] / params["background_area_m2"]
    np.testing.assert_allclose(hot["expected"], mu)
    # the score: the Poisson tail of the events without the busiest 24 hours
    share = 1 - 1 / params["study_days"]
    n_wo = hot["n_events"] - hot["burst_events"]
    np.testing.assert_allclose(hot["p_local"], stats.poisson.sf(n_wo - 1, mu * share))
    # the p-value: against the best place of 99 random maps (none found: 1 / 100)
    assert params["significance"] == "simulate" and params["n_simulations"] == 99
    np.testing.assert_allclose(hot["p_value"], 0.01)
    # Benjamini-Hochberg by default, Holm on request
    p = hot["p_value"].to_numpy()
    np.testing.assert_allclose(hot["p_adj"], stats.false_discovery_control(p, method="bh"))
    holm = find_hotspots(two_groups, correction="holm")
    order = np.argsort(p)
    k = len(p)
    manual = np.maximum.accumulate(np.minimum(1, (k - np.arange(k)) * p[order]))
    np.testing.assert_allclose(holm["p_adj"].to_numpy()[order], manual)
    assert (holm["significant"] == (holm["p_adj"] < 0.05)).all()


def test_boundary_sets_the_background_area(two_groups):
    box = shapely.box(X0 - 1000, Y0 - 1000, X0 + 9000, Y0 + 9000)  # 100 km2
    study = make_study(incidents=list(combine_events(two_groups).pipe(_rows)), boundary=box)
    hot = find_hotspots(study)
    assert hot.attrs["parameters"]["background_area_m2"] == pytest.approx(1e8)
    assert hot.attrs["parameters"]["background_area_source"] == "study boundary"
    np.testing.assert_allclose(hot["expected"], 60 * hot["area_m2"] / 1e8)


def _rows(events):
    xy = shapely.get_coordinates(events.geometry.values)
    return [
        (x - X0, y - Y0, t, c)
        for (x, y), t, c in zip(xy, events["time"], events["category"], strict=True)
    ]


def test_defaults_follow_density():
    sparse = make_study(incidents=group(0, 0, range(0, 60, 5)) + background(50))
    dense = make_study(incidents=group(0, 0, range(0, 60, 5)) + background(5000, side=2000))
    p_sparse = find_hotspots(sparse).attrs["parameters"]
    p_dense = find_hotspots(dense).attrs["parameters"]
    assert p_sparse["min_samples"] == 3  # never below min_days
    assert p_dense["min_samples"] > p_sparse["min_samples"]
    assert p_dense["expected_per_disc"] > 5
    # a tiny study area gets a smaller eps, never below twice the snapping grid
    tiny = make_study(incidents=group(0, 0, range(0, 60, 5), spread=40))
    assert find_hotspots(tiny).attrs["parameters"]["eps_m"] == 20.0


def test_uniform_background_forms_no_hot_spots():
    study = make_study(incidents=background(20_000, side=3000, days=365))
    hot = find_hotspots(study)
    assert len(hot) == 0, hot[["n_events", "n_days"]]


def test_block_midpoints_give_discs():
    # snapped data: every event on the same coordinate (a block midpoint)
    rows = [(100.0, 100.0, DAY0 + pd.Timedelta(days=d), "theft") for d in range(0, 50, 5)]
    rows += [(600.0, 100.0, DAY0 + pd.Timedelta(days=d), "theft") for d in range(0, 50, 5)]
    rows += [(610.0, 100.0, DAY0 + pd.Timedelta(days=d), "theft") for d in range(1, 50, 5)]
    hot = find_hotspots(make_study(incidents=rows))
    assert hot["n_events"].tolist() == [20, 10]
    disc = hot.geometry.iloc[1]
    assert disc.area == pytest.approx(math.pi * 15**2, rel=0.02)  # one point: a 15 m disc
    capsule = hot.geometry.iloc[0]
    assert capsule.area == pytest.approx(math.pi * 15**2 + 10 * 30, rel=0.02)


def test_hdbscan_option_finds_the_two_groups(two_groups):
    hot = find_hotspots(two_groups, method="hdbscan")
    assert hot.attrs["parameters"]["method"] == "hdbscan"
    big = hot[hot["significant"]]
    assert big["n_events"].tolist() == [12, 8]


def test_snapped_pruned_dbscan_equals_plain_dbscan_on_snapped_points():
    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 3000, (30, 2))
    xy = np.vstack(
        [
            centres[rng.integers(0, 30, 4000)] + rng.normal(0, 20, (4000, 2)),
            rng.uniform(0, 3000, (6000, 2)),
        ]
    )
    for m in (5, 15, 40):
        labels, _ = dbscan_snapped(xy, 50.0, m, 10.0)
        points, counts, inverse = snap_points(xy, 10.0)
        plain = DBSCAN(eps=50.0, min_samples=m).fit(points, sample_weight=counts).labels_
        np.testing.assert_array_equal(labels, plain[inverse])


def test_bad_arguments_are_listed_together(two_groups):
    with pytest.raises(ValidationError) as err:
        find_hotspots(
            two_groups,
            method="kmeans",
            eps_m=-5,
            min_samples=1,
            min_days=0,
            sources=("incident", "tweet"),
            correction="bonferroni",
        )
    text = str(err.value)
    for needle in ("`method`", "`eps_m`", "`min_samples`", "`min_days`", "tweet", "`correction`"):
        assert needle in text
    with pytest.raises(ValidationError, match="`snap_m`.*half of `eps_m`"):
        find_hotspots(two_groups, eps_m=15)
    with pytest.raises(ValidationError, match="`sources` is empty"):
        find_hotspots(two_groups, sources=())
    with pytest.raises(ValidationError, match="must be a hotspots.Study"):
        find_hotspots(combine_events(two_groups))


def test_no_events_is_a_layer_error(two_groups):
    with pytest.raises(LayerError, match="no incidents and no concerns"):
        find_hotspots(make_study())
    with pytest.raises(LayerError, match="no events of source"):
        find_hotspots(two_groups, sources="concern")


def test_inputs_are_not_mutated(two_groups):
    before = two_groups.incidents.copy()
    find_hotspots(two_groups)
    assert_geodataframe_equal(two_groups.incidents, before)


def test_crime_concentration():
    # 100 cells of 50 m (a 500 m square), 5 of them hold 60 of the 100 events
    rows = [(25.0 + 50 * (i % 5), 25.0, DAY0, "x") for i in range(60)]
    rng = np.random.default_rng(0)
    cells = rng.choice(np.arange(5, 100), 40, replace=False)
    rows += [(25.0 + 50 * (c % 10), 25.0 + 50 * (c // 10) + 50, DAY0, "x") for c in cells]
    box = shapely.box(X0, Y0, X0 + 500, Y0 + 500)
    study = make_study(incidents=rows, boundary=box)
    assert crime_concentration(study) == pytest.approx(0.60)
    assert crime_concentration(study, top_share=0.10) == pytest.approx(0.65)
    events = combine_events(study)
    assert 0 < crime_concentration(events, cell_m=100) <= 1
    with pytest.raises(ValidationError, match="`top_share`.*\n.*`cell_m`"):
        crime_concentration(study, top_share=0, cell_m=-1)
    with pytest.raises(ValidationError, match="projected CRS"):
        crime_concentration(events.to_crs(4326))


# --- the generated scene with known truth ------------------------------------------------------


def test_scene_recall_precision_and_no_burst():
    from hotspots import datasets

    study = datasets.load_study("scene")
    truth = datasets.load_truth("scene").drop_duplicates("place_id")
    hot = find_hotspots(study)
    transformer = pyproj.Transformer.from_crs(4326, study.crs, always_xy=True)
    px, py = transformer.transform(truth["lon"].to_numpy(float), truth["lat"].to_numpy(float))
    centres = shapely.points(px, py)
    polys = hot.geometry.to_numpy()
    # distance from every truth place centre to every reported polygon
    dist = shapely.distance(centres[:, None], polys[None, :])
    recurring = truth["recurring"].astype(str).str.lower().isin(["true", "1"]).to_numpy()
    matched = (dist <= 30).any(axis=1)
    missed = truth.loc[recurring & ~matched, "place_id"].tolist()
    assert not missed, f"recurring places not found: {missed}"
    near_planted = (dist[recurring] <= 30).any(axis=0)
    false_share = 1 - near_planted.mean()
    assert false_share <= 0.1, hot.loc[~near_planted, ["n_events", "n_days", "span_days"]]
    burst = ~recurring
    assert not (dist[burst] <= 30).any(), truth.loc[burst, "place_id"].tolist()


def test_span_days_adapts_to_a_short_study_unless_given(caplog):
    # ten days of data: a 14-day span rule could never be met
    study = make_study(group(0, 0, [0, 2, 4, 6, 9]) + group(500, 500, [1, 3, 5, 7, 9], seed=1))
    with caplog.at_level(logging.WARNING, logger="hotspots.cluster"):
        hot = find_hotspots(study, min_samples=3)
    assert len(hot) == 2
    assert hot.attrs["parameters"]["span_days"] == 4
    assert "half the" in hot.attrs["parameters"]["span_days_reason"]
    assert "span_days relaxed to 4" in caplog.text
    assert len(find_hotspots(study, min_samples=3, span_days=14)) == 0


# --- issue #13: bursts, chains, categories, trend -----------------------------------------------


def test_a_burst_across_midnight_with_three_background_events_is_a_burst_not_a_place():
    # 25 events in 24 hours from 12:00 to 11:00 the next day, and three background events
    # on other days 30-40 m away: >= 3 days over >= 14 days, but only thanks to the burst
    rng = np.random.default_rng(5)
    t0 = pd.Timestamp("2024-02-10 12:00", tz=TZ)
    burst = [
        (500 + rng.uniform(-5, 5), 500 + rng.uniform(-5, 5), t0 + pd.Timedelta(minutes=55 * i), "x")
        for i in range(25)
    ]
    others = [
        (500 + 35 * np.cos(a), 500 + 35 * np.sin(a), DAY0 + pd.Timedelta(days=d), "x")
        for a, d in ((0.0, 3), (2.1, 30), (4.2, 70))
    ]
    # and a real place nearby, so that a candidate is dropped and the rest kept
    study = make_study(
        incidents=burst + others + group(900, 500, range(0, 80, 4)) + background(120, seed=3)
    )
    for m in (None, 3):
        hot = find_hotspots(study, min_samples=m)
        assert len(hot) == 1 and hot["centroid_x"].iloc[0] == pytest.approx(X0 + 900, abs=5)
        per_event = event_clusters(study, hot)
        assert (per_event.value_counts().reindex(hot.index) == hot["n_events"]).all()
        bursts = hot.attrs["bursts"]
        assert len(bursts) == 1
        row = bursts.iloc[0]
        assert row["burst_events"] == 25 and row["burst_start"] == t0  # one window, not two days
        assert row["burst_share"] == pytest.approx(25 / row["n_events"])
        assert row["p_with_burst"] < 0.05 <= row["p_value"]
        assert bursts.index[0] == "B001" and bursts.crs == study.crs
        assert hot.attrs["parameters"]["n_bursts"] == 1


def test_a_compact_place_next_to_a_street_does_not_chain_along_it():
    # 25 events within 6 m on 25 days, a street of 120 background events 22 m away
    place = group(1000, 1000, range(0, 100, 4), spread=6, seed=4)
    rng = np.random.default_rng(7)
    street = [
        (float(x), 1022 + rng.normal(0, 2), DAY0 + pd.Timedelta(days=int(d)), "noise")
        for x, d in zip(rng.uniform(800, 1200, 120), rng.integers(0, 110, 120), strict=True)
    ]
    study = make_study(incidents=place + street + background(60, seed=2))
    for m in (None, 4, 3):  # a low min_samples chains the place along the street in DBSCAN
        hot = find_hotspots(study, min_samples=m)
        d = np.hypot(hot["centroid_x"] - (X0 + 1000), hot["centroid_y"] - (Y0 + 1000))
        row = hot.loc[d.idxmin()]
        assert d.min() < 10, m
        x0, y0, x1, y1 = row.geometry.bounds
        assert max(x1 - x0, y1 - y0) < 60, (m, row.geometry.bounds)
        assert hot.attrs["parameters"]["n_clusters_split"] >= 1
        # the counts still follow from the polygons alone
        per_event = event_clusters(study, hot)
        assert (per_event.value_counts().reindex(hot.index) == hot["n_events"]).all()
    # plain DBSCAN at eps 50 would have made one cluster over 300 m long
    ev = combine_events(study)
    xy = shapely.get_coordinates(ev.geometry.to_numpy())
    lab = dbscan_snapped(xy, 50.0, 4, 10.0)[0]
    near = lab[np.argmin(np.hypot(xy[:, 0] - X0 - 1000, xy[:, 1] - Y0 - 1000))]
    assert np.ptp(xy[lab == near, 0]) > 300


def test_categories_filter_and_severity_weights_are_recorded():
    a = group(1000, 1000, range(0, 60, 5), seed=1, category="Robbery")
    b = group(3000, 2500, range(0, 80, 10), seed=2, category="THEFT")
    study = make_study(incidents=a + b + background(40))
    hot = find_hotspots(study, categories=["robbery"], weights={"ROBBERY": 3.0})
    assert len(hot) == 1 and hot["categories"].iloc[0] == {"Robbery": 12}
    assert hot["severity"].iloc[0] == pytest.approx(36.0)
    params = hot.attrs["parameters"]
    assert params["categories"] == ["robbery"] and params["weights"] == {"ROBBERY": 3.0}
    assert params["n_events"] == 12
    with pytest.raises(LayerError, match="no events of the categories"):
        find_hotspots(study, categories=["arson"])
    with pytest.raises(ValidationError, match="weights"):
        find_hotspots(study, weights={"robbery": -1})


def test_dc_with_the_period_to_31_march_has_no_one_class_artefact():
    from hotspots import datasets

    study = datasets.load_study("dc")
    assert str(study.period[1].date()) == "2025-03-31"  # the data end on 24 March
    hot = find_hotspots(study)
    assert {len(c) for c in hot["period_counts"]} == {12}  # the partial last week dropped
    assert "intermittent" not in set(hot["trend"])
    assert hot["trend"].value_counts().iloc[0] < len(hot)  # not one class for all
    assert hot["trend_note"].str.contains("little power").any()
