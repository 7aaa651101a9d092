"""Sightlines checked from each event, on hand-built scenes whose answer can be seen.

Coordinates are metres relative to the scene centre (``scenes.X0``, ``scenes.Y0``); every
scene has one working light and the events (20, after dark unless said otherwise) placed by
hand, so each event's line to the light can be drawn on paper.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scenes as sc
import shapely

from hotspots import datasets, diagnose, find_hotspots, recommend
from hotspots.factors.sightlines import MIN_BLOCKED_SHARE, _segment_meets_box

COLUMNS = [
    "sightline_obstruction_ids",
    "sightline_obstruction_kinds",
    "sightline_obstruction_events",
    "sightline_blocked_events",
    "sightline_blocked_share",
    "sightline_detail",
    "sightline_frontage_ids",
]


def events_at(dx: list[float], dy: list[float], *, hour: int = 23) -> gpd.GeoDataFrame:
    """Events at the given offsets, one every 3 days."""
    frame = sc.events(len(dx), hour=hour)
    frame.geometry = shapely.points(sc.X0 + np.asarray(dx), sc.Y0 + np.asarray(dy))
    return frame


def run(incidents, *, place=None, streets=None, **layers):
    """Diagnose and recommend one place (the 40 m disc, or `place` in scene offsets)."""
    study, clusters = sc.scene(incidents=incidents, **layers)
    if place is not None:
        clusters.geometry = [shapely.affinity.translate(place, sc.X0, sc.Y0)]
    diagnosed = diagnose(study, clusters, streets=streets)
    return diagnosed.iloc[0], recommend(diagnosed, settings=study.settings)


def sightline_fixes(recs):
    keep = recs["fix"].isin(["trim_vegetation", "clear_sightline"])
    return sorted(zip(recs.loc[keep, "fix"], recs.loc[keep, "target_id"], strict=True))


def crosses(obstruction: dict, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether the obstruction crosses the line a-b (scene offsets)."""
    line = shapely.LineString([(sc.X0 + a[0], sc.Y0 + a[1]), (sc.X0 + b[0], sc.Y0 + b[1])])
    return bool(obstruction["geometry"].intersects(line))


# =========================================================================================
# (a) an elongated place: the centre sees the light, the events behind the hedges do not
# =========================================================================================
#
# A place 100 m x 16 m along the x axis; 12 events at its west end (x -45..-35), 8 at its
# east end (x 35..45), none in the middle. The one working light L-1 stands at (0, 15).
# The centre's line to it runs straight up x = 0 and crosses nothing; the events' lines
# run diagonally and cross the hedge H-W (x -20..-18, y 0..12) or H-E (x 18..20).

WEST = list(np.linspace(-45, -35, 12))
EAST = list(np.linspace(35, 45, 8))
ELONGATED = shapely.box(-50, -8, 50, 8)
LIGHT_1 = ("L-1", 0, 15, "working")
HEDGE_W = sc.obstruction("H-W", "hedge", -20, 0, -18, 12)
HEDGE_E = sc.obstruction("H-E", "hedge", 18, 0, 20, 12)


@pytest.fixture(scope="module")
def elongated():
    dy = [(-1) ** i * 2.0 for i in range(20)]
    return run(
        events_at(WEST + EAST, dy),
        place=ELONGATED,
        light_specs=[LIGHT_1],
        obstruction_rows=[HEDGE_W, HEDGE_E],
    )


def test_elongated_place_centre_line_is_clear_but_event_lines_are_not():
    # the scene is what the comment says: the old check (from the centre) found nothing
    assert not crosses(HEDGE_W, (0, 0), (0, 15)) and not crosses(HEDGE_E, (0, 0), (0, 15))
    assert all(crosses(HEDGE_W, (x, 2), (0, 15)) for x in WEST)
    assert all(crosses(HEDGE_E, (x, 2), (0, 15)) for x in EAST)


def test_elongated_place_names_the_hedges_most_blocking_first(elongated):
    row, _ = elongated
    assert row["sightline_obstruction_ids"] == ["H-W", "H-E"]
    assert row["sightline_obstruction_kinds"] == ["hedge", "hedge"]
    assert row["sightline_obstruction_events"] == [12, 8]
    assert row["sightline_blocked_events"] == 20
    assert row["sightline_blocked_share"] == 1.0
    assert row["sightline_detail"] == [
        "hedge H-W blocks the view from 12 of 20 events to light L-1",
        "hedge H-E blocks the view from 8 of 20 events to light L-1",
    ]


def test_elongated_place_trims_the_hedge_blocking_most_events(elongated):
    _, recs = elongated
    assert sightline_fixes(recs) == [("trim_vegetation", "H-W")]
    text = recs.loc[recs["fix"] == "trim_vegetation", "evidence"].iloc[0]
    assert text.startswith("Hedge H-W blocks the view from 12 of 20 events to light L-1 (60%")
    assert "in all, 100% cannot be seen" in text


# =========================================================================================
# (b) a hedge beside the events: the centre's line crosses it, no event's line does
# =========================================================================================
#
# The events sit in the north of the 40 m disc (x -8..8, y 20..30); the light L-2 is at
# (30, 0). The hedge H-S (x 14..16, y -3..3) crosses the line from the centre (0, 0) to
# L-2 but no line from an event, which passes x = 15 at y 10 or more.

NORTH_DX = list(np.linspace(-8, 8, 20))
NORTH_DY = [20.0 + 10.0 * (i % 2) for i in range(20)]
HEDGE_S = sc.obstruction("H-S", "hedge", 14, -3, 16, 3)


def test_hedge_beside_the_events_is_not_named():
    assert crosses(HEDGE_S, (0, 0), (30, 0))  # the old check would have named it
    assert not any(crosses(HEDGE_S, p, (30, 0)) for p in zip(NORTH_DX, NORTH_DY, strict=True))
    row, recs = run(
        events_at(NORTH_DX, NORTH_DY),
        light_specs=[("L-2", 30, 0, "working")],
        obstruction_rows=[HEDGE_S],
    )
    assert row["sightline_obstruction_ids"] == [] and row["sightline_detail"] == []
    assert row["sightline_blocked_events"] == 0 and row["sightline_blocked_share"] == 0.0
    assert sightline_fixes(recs) == []


# =========================================================================================
# (c) a wall behind a few events: listed, but below the threshold no fix
# =========================================================================================
#
# 20 events on the x axis at x = -19, -17, ..., 19; the light L-3 at (0, 30). A wall in the
# band y 10..11 from x = -13 to `right` crosses the lines of the westmost events: with
# right = -9.8 those from x = -19, -17, -15 (3 of 20, 15%), with right = -7 also -13 and
# -11 (5 of 20, exactly 25%).

ROW_DX = [float(x) for x in range(-19, 20, 2)]


@pytest.mark.parametrize(("right", "blocked", "fires"), [(-9.8, 3, False), (-7.0, 5, True)])
def test_wall_blocking_few_events_is_listed_but_needs_the_threshold(right, blocked, fires):
    wall = sc.obstruction("W-3", "wall", -13, 10, right, 11)
    hidden = [x for x in ROW_DX if crosses(wall, (x, 0), (0, 30))]
    assert hidden == ROW_DX[:blocked]
    # daylight events: no lighting rule fires, so the place's no-fix reasons show
    row, recs = run(
        events_at(ROW_DX, [0.0] * 20, hour=12),
        light_specs=[("L-3", 0, 30, "working")],
        obstruction_rows=[wall],
    )
    assert row["sightline_obstruction_ids"] == ["W-3"]
    assert row["sightline_obstruction_events"] == [blocked]
    assert row["sightline_blocked_share"] == pytest.approx(blocked / 20)
    assert row["sightline_detail"] == [
        f"wall W-3 blocks the view from {blocked} of 20 events to light L-3"
    ]
    if fires:
        assert blocked / 20 == MIN_BLOCKED_SHARE
        assert sightline_fixes(recs) == [("clear_sightline", "W-3")]
        assert "(25% of the events here)" in recs["evidence"].iloc[0]
    else:
        assert sightline_fixes(recs) == []
        assert recs["fix"].tolist() == ["no_environmental_fix"]
        assert "obstructions block the view of only 3 event(s) (15%" in recs["evidence"].iloc[0]


def test_a_hedge_and_a_wall_each_fire_for_their_own_share():
    # the hedge hides the 5 westmost events, the wall the 5 eastmost: both rules fire
    hedge = sc.obstruction("H-5", "hedge", -13, 10, -7, 11)
    wall = sc.obstruction("W-5", "wall", 7, 10, 13, 11)
    row, recs = run(
        events_at(ROW_DX, [0.0] * 20),
        light_specs=[("L-3", 0, 30, "working")],
        obstruction_rows=[hedge, wall],
    )
    assert row["sightline_obstruction_ids"] == ["H-5", "W-5"]  # ties by id
    assert row["sightline_blocked_events"] == 10
    assert sightline_fixes(recs) == [("clear_sightline", "W-5"), ("trim_vegetation", "H-5")]


# =========================================================================================
# (d) nothing to be seen from, or nothing mapped in the way
# =========================================================================================


def test_no_lights_and_no_stops_leave_the_columns_empty():
    hedge = sc.obstruction("O-12", "hedge", 8, -10, 10, 10)
    row, recs = run(sc.events(), obstruction_rows=[hedge])
    assert row["sightline_obstruction_ids"] == [] and row["sightline_obstruction_kinds"] == []
    assert row["sightline_obstruction_events"] == [] and row["sightline_detail"] == []
    assert row["sightline_blocked_events"] == 0
    assert np.isnan(row["sightline_blocked_share"])
    assert sightline_fixes(recs) == []
    assert "no obstruction across its sightlines" in recs["evidence"].iloc[0]


def test_no_obstructions_layer_is_unknown_not_clear():
    row, _ = run(sc.events(), light_specs=[sc.NEAR_LIGHT])
    assert row["sightline_obstruction_ids"] == [] and row["sightline_blocked_events"] == 0
    assert np.isnan(row["sightline_blocked_share"])


def test_a_light_beyond_sightline_search_m_is_not_looked_for():
    hedge = sc.obstruction("O-12", "hedge", 50, -10, 52, 10)
    row, recs = run(
        sc.events(), light_specs=[("L-FAR", 120, 0, "working")], obstruction_rows=[hedge]
    )
    assert row["sightline_obstruction_ids"] == [] and np.isnan(row["sightline_blocked_share"])
    assert sightline_fixes(recs) == []


# =========================================================================================
# the frontage check stays on the centre
# =========================================================================================


def test_wall_between_centre_and_street_frontage_is_cleared():
    street = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(sc.X0 - 100, sc.Y0 - 30), (sc.X0 + 100, sc.Y0 - 30)])],
        crs=sc.CRS,
    )
    wall = sc.obstruction("W-F", "wall", -20, -21, 20, -20)
    row, recs = run(
        sc.events(), light_specs=[sc.NEAR_LIGHT], obstruction_rows=[wall], streets=street
    )
    assert row["sightline_frontage_ids"] == ["W-F"]
    assert row["sightline_obstruction_ids"] == ["W-F"]
    assert row["sightline_obstruction_events"] == [0]  # no event's light is behind it
    assert row["sightline_detail"] == ["wall W-F between centre and street frontage (30 m)"]
    assert sightline_fixes(recs) == [("clear_sightline", "W-F")]


# =========================================================================================
# (e) the generated scene keeps its planted sightline fixes
# =========================================================================================


@pytest.fixture(scope="module")
def scene():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = datasets.load_study("scene")
    truth = datasets.load_truth()
    hot = diagnose(study, find_hotspots(study))
    return truth, hot, recommend(hot, settings=study.settings)


@pytest.mark.parametrize(
    ("kind", "fix", "target"),
    [
        ("hedge_sightline", "trim_vegetation", "OBS-009"),
        ("wall_sightline", "clear_sightline", "OBS-002"),
    ],
)
def test_scene_planted_sightline_fix_at_the_planted_place(scene, kind, fix, target):
    truth, hot, recs = scene
    planted = truth[truth["kind"] == kind].iloc[0]
    assert planted["target_id"] == target
    where = shapely.Point(float(planted["x_m"]), float(planted["y_m"]))
    at = hot[hot.geometry.distance(where) <= 0]
    assert len(at) == 1
    row = at.iloc[0]
    assert row["sightline_obstruction_ids"][0] == target
    assert row["sightline_blocked_share"] >= MIN_BLOCKED_SHARE
    got = recs[(recs["cluster_id"] == row["cluster_id"]) & (recs["fix"] == fix)]
    assert got["target_id"].tolist() == [target]
    assert target in got["evidence"].iloc[0] and "% of the events here" in got["evidence"].iloc[0]
    # and nowhere else
    assert set(recs.loc[recs["fix"] == fix, "target_id"]) == {target}


def test_scene_columns_are_well_formed(scene):
    _, hot, _ = scene
    assert set(COLUMNS) <= set(hot.columns)
    share = hot["sightline_blocked_share"]
    assert share.between(0, 1).all()
    assert ((share == 0) == (hot["sightline_blocked_events"] == 0)).all()
    for ids, kinds, counts in zip(
        hot["sightline_obstruction_ids"],
        hot["sightline_obstruction_kinds"],
        hot["sightline_obstruction_events"],
        strict=True,
    ):
        assert len(ids) == len(kinds) == len(counts)
        assert counts == sorted(counts, reverse=True)


# =========================================================================================
# the numpy segment / box test agrees with shapely
# =========================================================================================


def test_segment_meets_box_agrees_with_shapely():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0, 20, (2000, 2)), rng.uniform(0, 20, (2000, 2))
    lo = rng.uniform(0, 18, (2000, 2))
    bounds = np.column_stack([lo, lo + rng.uniform(0, 4, (2000, 2))])
    want = shapely.intersects(shapely.linestrings(np.stack([a, b], axis=1)), shapely.box(*bounds.T))
    assert (_segment_meets_box(a, b, bounds) == want).all()
    # touching an edge or a corner counts; a point-like segment inside counts
    box = np.array([[0.0, 0, 1, 1]])
    assert _segment_meets_box(np.array([[1.0, -1]]), np.array([[1.0, 2]]), box).all()
    assert _segment_meets_box(np.array([[2.0, 0]]), np.array([[0.0, 2]]), box).all()
    assert _segment_meets_box(np.array([[0.5, 0.5]]), np.array([[0.5, 0.5]]), box).all()
    assert not _segment_meets_box(np.array([[2.0, 0]]), np.array([[0.0, 2.1]]) + 0.5, box).any()


def test_sightline_evidence_is_one_row_per_place_in_order():
    study, one = sc.scene(
        incidents=events_at(WEST + EAST, [0.0] * 20),
        light_specs=[LIGHT_1],
        obstruction_rows=[HEDGE_W, HEDGE_E],
    )
    one.geometry = [shapely.affinity.translate(ELONGATED, sc.X0, sc.Y0)]
    far = one.copy()
    far["cluster_id"] = ["H002"]
    far.geometry = far.geometry.translate(1_000, 0)
    both = gpd.GeoDataFrame(pd.concat([far, one]).set_axis([7, 3]), crs=one.crs)
    out = diagnose(study, both)
    assert out.loc[3, "sightline_obstruction_ids"] == ["H-W", "H-E"]
    assert out.loc[7, "sightline_obstruction_ids"] == []
    assert np.isnan(out.loc[7, "sightline_blocked_share"])  # no events, nothing seen from
