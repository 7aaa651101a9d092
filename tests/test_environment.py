"""Diagnosis evidence checked by hand, and the fixes scored against the generated scene's truth."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scenes as sc
import shapely

from hotspots import datasets, diagnose, find_hotspots, recommend
from hotspots.environment import EVIDENCE_COLUMNS

# =========================================================================================
# a scene whose every number can be worked out on paper
# =========================================================================================
#
# One hot spot, the 40 m disc round the centre. Five incidents on the x axis at
# dx = -18, -10, 0, 10, 24 m; the first three at 23:00 (after dark), the last two at noon.
#
#   lights   L-W (-45, 0) out, L-E (60, 0) working           (both within 30 m of the disc)
#   stops    S-1 (35, 0), lit by L-E 25 m away; S-2 (0, -60), 84.9 m from L-E: in the dark
#   hedge    H-1, x 20..22, y -5..5: across the lines from the centre to S-1 and to L-E
#   wall     W-1, x 45..47, y -5..5: across the line to L-E only
#   tree     T-1, a 3 m canopy over L-W
#   concerns two "light out" reports at (-45, 0) and (-44, 0), outside the disc
#
# Nearest working light (L-E) from the events: 78, 70, 60, 50, 36 m -> median 60, max 78,
# all five beyond 30 m. With L-W repaired: min(60 - dx, 45 + dx) = 27, 35, 45, 50, 36 ->
# only dx = -18 is lit, so 4 of 5 stay dark. Within 50 m of S-1: 53, 45, 35, 25, 11 ->
# 4 of 5 at the stop, two of them (dx -10, 0) after dark. Within 30 m of the event at
# dx = 0 (and of dx = 10) are all five events; ties go to the first, so the new light's
# point is the centre. Only L-W and L-E serve the
# place; each one's nearest other light is the other, 105 m away, against a guide of
# 3 x 9 m = 27 m.

DX = [-18.0, -10.0, 0.0, 10.0, 24.0]
HOURS = [23, 23, 23, 12, 12]


def hand_events() -> gpd.GeoDataFrame:
    days = pd.Timestamp("2025-01-06", tz=sc.TZ) + pd.to_timedelta(np.arange(len(DX)) * 3, "D")
    return gpd.GeoDataFrame(
        {
            "id": [f"E{i}" for i in range(len(DX))],
            "date": days + pd.to_timedelta(HOURS, unit="h"),
            "offense": "THEFT",
        },
        geometry=shapely.points(sc.X0 + np.array(DX), np.full(len(DX), sc.Y0)),
        crs=sc.CRS,
    )


@pytest.fixture(scope="module")
def hand():
    tree = {
        **sc.obstruction("T-1", "tree", 0, 0, 0, 0),
        "geometry": shapely.Point(sc.X0 - 45, sc.Y0).buffer(3),
    }
    study, clusters = sc.scene(
        incidents=hand_events(),
        light_specs=[("L-W", -45, 0, "out"), ("L-E", 60, 0, "working")],
        stop_specs=[("S-1", 35, 0), ("S-2", 0, -60)],
        obstruction_rows=[
            sc.obstruction("H-1", "hedge", 20, -5, 22, 5),
            sc.obstruction("W-1", "wall", 45, -5, 47, 5),
            tree,
        ],
        concern_frame=sc.concerns(
            ["Street light out again, pitch black", "the lamp is not working"], dx=-45
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = diagnose(study, clusters)
    return study, clusters, out


def test_diagnose_adds_every_evidence_column_and_keeps_the_index(hand):
    _, clusters, out = hand
    assert set(EVIDENCE_COLUMNS) <= set(out.columns)
    assert out.index.equals(clusters.index)
    assert "dark_event_share" not in clusters.columns  # the caller's frame is not touched


def test_time_evidence(hand):
    row = hand[2].iloc[0]
    assert row["n_after_dark"] == 3
    assert row["after_dark_share"] == pytest.approx(0.6)
    assert row["night_day_ratio"] == pytest.approx(1.5)


def test_nearest_working_light_median_and_max(hand):
    row = hand[2].iloc[0]
    assert row["nearest_working_light_median_m"] == pytest.approx(60.0)
    assert row["nearest_working_light_max_m"] == pytest.approx(78.0)


def test_dark_event_shares_with_and_without_the_repair(hand):
    row = hand[2].iloc[0]
    assert row["dark_event_share"] == 1.0
    assert row["dark_events_after_dark"] == 3
    assert row["dark_event_share_if_repaired"] == pytest.approx(0.8)


def test_dark_gap_point_covers_most_dark_events(hand):
    row = hand[2].iloc[0]
    assert (row["dark_gap_x"], row["dark_gap_y"]) == (sc.X0, sc.Y0)
    assert row["dark_gap_events"] == 5


def test_dark_area_share_matches_the_geometry(hand):
    _, clusters, out = hand
    disc = clusters.geometry.iloc[0]
    lit = disc.intersection(shapely.Point(sc.X0 + 60, sc.Y0).buffer(30, quad_segs=64)).area
    assert out["dark_area_share"].iloc[0] == pytest.approx(1 - lit / disc.area, abs=0.02)


def test_lights_in_reach_out_and_reported_out(hand):
    row = hand[2].iloc[0]
    assert row["working_lights_in_reach"] == 1
    assert row["lights_out_ids"] == ["L-W"]
    assert row["lights_reported_out_ids"] == ["L-W"]
    assert row["outage_reports"] == 2
    assert row["outage_report_dates"] == ["2025-01-10", "2025-01-11"]


def test_light_spacing_against_the_pole_height_guide(hand):
    row = hand[2].iloc[0]
    assert row["light_spacing_m"] == pytest.approx(105.0)
    assert row["spacing_limit_m"] == pytest.approx(27.0)
    assert bool(row["spacing_exceeded"])


def test_bus_stop_share_after_dark_and_dark_stops(hand):
    row = hand[2].iloc[0]
    assert row["stop_ids"] == ["S-1", "S-2"]
    assert row["stop_names"] == ["Stop S-1", "Stop S-2"]
    assert row["stop_event_share"] == pytest.approx(0.8)
    assert row["stop_events_after_dark"] == 2
    assert row["dark_stop_ids"] == ["S-2"]


def test_sightline_ids_kinds_and_detail(hand):
    # checked from each event: every event's line to L-E crosses W-1 (x 45..47); H-1
    # (x 20..22) hides L-E and S-1 from the four events west of it, not from dx = 24
    row = hand[2].iloc[0]
    assert row["sightline_obstruction_ids"] == ["W-1", "H-1"]  # most-blocking first
    assert row["sightline_obstruction_kinds"] == ["wall", "hedge"]
    assert row["sightline_obstruction_events"] == [5, 4]
    assert row["sightline_blocked_events"] == 5 and row["sightline_blocked_share"] == 1.0
    assert row["sightline_detail"] == [
        "wall W-1 blocks the view from 5 of 5 events to light L-E",
        "hedge H-1 blocks the view from 4 of 5 events to light L-E (4) and bus stop S-1 (4)",
    ]


def test_canopy_over_a_light_in_reach(hand):
    assert hand[2]["canopy_over_light_ids"].iloc[0] == ["T-1"]


def test_no_lights_no_stops_no_obstructions():
    study, clusters = sc.scene(incidents=hand_events())
    row = diagnose(study, clusters).iloc[0]
    assert row["working_lights_in_reach"] == 0
    # no lights layer: darkness is unknown, not certain
    assert np.isnan(row["dark_event_share"]) and np.isnan(row["dark_area_share"])
    assert np.isinf(row["nearest_working_light_median_m"])
    assert np.isnan(row["light_spacing_m"]) and not bool(row["spacing_exceeded"])
    assert row["stop_ids"] == [] and row["stop_event_share"] == 0.0
    assert row["sightline_obstruction_ids"] == [] and row["canopy_over_light_ids"] == []


def test_two_hot_spots_keep_their_own_evidence():
    study, one = sc.scene(
        incidents=hand_events(), light_specs=[("L-W", -45, 0, "out"), ("L-E", 60, 0, "working")]
    )
    far = one.copy()
    far["cluster_id"] = ["H002"]
    far.geometry = far.geometry.translate(1_000, 0)  # no events, no lights
    both = pd.concat([one, far]).set_axis([10, 20])
    out = diagnose(study, gpd.GeoDataFrame(both, crs=one.crs))
    assert out.index.tolist() == [10, 20]
    assert out.loc[10, "lights_out_ids"] == ["L-W"] and out.loc[20, "lights_out_ids"] == []
    assert out.loc[10, "n_after_dark"] == 3 and out.loc[20, "n_after_dark"] == 0
    assert np.isnan(out.loc[20, "dark_event_share"])
    assert np.isnan(out.loc[20, "dark_gap_x"]) and out.loc[20, "dark_gap_events"] == 0


# =========================================================================================
# the generated scene: does the pipeline recommend the planted fix at the planted target?
# =========================================================================================

TARGET_TOLERANCE_M = 30.0


@pytest.fixture(scope="module")
def scored():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = datasets.load_study("scene")
    truth = datasets.load_truth()
    truth = truth[truth["recurring"].astype(str) == "True"].reset_index(drop=True)
    for col in ("target_x_m", "target_y_m"):
        truth[col] = pd.to_numeric(truth[col], errors="coerce")
    truth["target_id"] = truth["target_id"].fillna("").astype(str)
    assert study.crs.to_epsg() == 32630  # the CRS of truth's x_m / y_m / target_*_m
    hot = diagnose(study, find_hotspots(study))
    recs = recommend(hot, settings=study.settings)
    return study, truth, hot, recs


def _place_of_cluster(hot: gpd.GeoDataFrame, truth: pd.DataFrame) -> dict[str, str]:
    """Cluster id -> the truth place whose centre lies in it (or within 50 m)."""
    pts = shapely.points(truth["x_m"].to_numpy(float), truth["y_m"].to_numpy(float))
    out = {}
    for cid, poly in zip(hot["cluster_id"], hot.geometry, strict=True):
        d = shapely.distance(poly, pts)
        if d.min() <= 50.0:
            out[cid] = truth["place_id"].iloc[int(np.argmin(d))]
    return out


def _target_ok(rec: pd.Series, want: pd.Series) -> bool:
    if rec["fix"] == "add_lighting":
        # where to put the new light, in metres
        return bool(
            np.hypot(rec["target_x"] - want["target_x_m"], rec["target_y"] - want["target_y_m"])
            <= TARGET_TOLERANCE_M
            and rec.geometry.distance(shapely.Point(want["target_x_m"], want["target_y_m"]))
            <= TARGET_TOLERANCE_M
        )
    return str(rec["target_id"]) == want["target_id"]


def test_scene_fixes_and_targets_recall_and_precision(scored):
    _, truth, hot, recs = scored
    place = _place_of_cluster(hot, truth)
    want = truth.set_index(["place_id", "expected_fix"])
    hits = set()
    right = 0
    for _, rec in recs.iterrows():
        key = (place.get(rec["cluster_id"]), rec["fix"])
        if key in want.index and _target_ok(rec, want.loc[key]):
            right += 1
            hits.add(key)
    recall = len(hits) / len(truth)
    precision = right / len(recs)
    assert recall >= 0.9, f"recall {recall:.2f}"
    assert precision >= 0.9, f"precision {precision:.2f}"


def test_scene_add_lighting_targets_within_30_m(scored):
    _, truth, hot, recs = scored
    place = _place_of_cluster(hot, truth)
    gaps = truth[truth["expected_fix"] == "add_lighting"]
    assert len(gaps) >= 2
    for row in gaps.itertuples():
        cids = [c for c, p in place.items() if p == row.place_id]
        got = recs[recs["cluster_id"].isin(cids) & (recs["fix"] == "add_lighting")]
        assert len(got) == 1, row.place_id
        d = np.hypot(
            got["target_x"].iloc[0] - row.target_x_m, got["target_y"].iloc[0] - row.target_y_m
        )
        assert d <= TARGET_TOLERANCE_M, (row.place_id, d)


def test_scene_open_and_intervention_places_get_no_environmental_fix(scored):
    _, truth, hot, recs = scored
    place = _place_of_cluster(hot, truth)
    quiet = truth[truth["kind"].isin(["busy_open", "intervention"])]
    assert len(quiet) >= 3
    for row in quiet.itertuples():
        cids = [c for c, p in place.items() if p == row.place_id]
        assert cids, row.place_id
        assert set(recs.loc[recs["cluster_id"].isin(cids), "fix"]) == {"no_environmental_fix"}


def test_no_hot_spots_diagnose_and_recommend_return_empty_tables():
    study, clusters = sc.scene(incidents=hand_events(), light_specs=sc.FAR_LIGHTS)
    none = clusters.iloc[:0]
    out = diagnose(study, none)
    assert len(out) == 0 and set(EVIDENCE_COLUMNS) <= set(out.columns)
    assert len(recommend(out, settings=study.settings)) == 0
