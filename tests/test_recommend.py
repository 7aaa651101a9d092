"""Diagnosis and fix rules on hand-built scenes: one where each rule fires, one where not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scenes as sc
import shapely

from hotspots import Settings, ValidationError, diagnose, recommend
from hotspots.settings import FIX_TYPES


def run(**kwargs):
    study, clusters = sc.scene(**kwargs)
    diagnosed = diagnose(study, clusters)
    return diagnosed.iloc[0], recommend(diagnosed, settings=study.settings)


def fixes(recs):
    return sorted(zip(recs["fix"], recs["target_id"], strict=True))


# --- repair_light -------------------------------------------------------------------------


def test_light_marked_out_at_the_place_is_repaired():
    row, recs = run(light_specs=[("L-1182", 0, 0, "out"), *sc.FAR_LIGHTS])
    assert row["lights_out_ids"] == ["L-1182"]
    assert row["dark_event_share"] == 1.0
    assert row["dark_event_share_if_repaired"] == 0.0
    assert fixes(recs) == [("repair_light", "L-1182")]
    text = recs["evidence"].iloc[0]
    assert "20 of 20 events after dark" in text and "L-1182" in text
    assert "Welsh & Farrington" in recs["effect"].iloc[0]
    assert "Guerette & Bowers" in recs["caution"].iloc[0]


def test_light_out_but_events_in_daylight_is_not_a_lighting_problem():
    _, recs = run(
        incidents=sc.events(hour=12), light_specs=[("L-1182", 0, 0, "out"), *sc.FAR_LIGHTS]
    )
    assert "repair_light" not in set(recs["fix"])


def test_light_reported_out_by_residents_is_repaired():
    row, recs = run(
        light_specs=[("L-7", 5, 0, "working"), *sc.FAR_LIGHTS],
        concern_frame=sc.concerns(
            ["Street light out again, pitch black", "the lamp is not working"], dx=5
        ),
    )
    assert row["lights_reported_out_ids"] == ["L-7"]
    assert row["outage_reports"] == 2
    assert ("repair_light", "L-7") in fixes(recs)


# --- add_lighting ---------------------------------------------------------------------------


def test_dark_gap_gets_a_new_light_at_the_gap():
    row, recs = run(light_specs=sc.FAR_LIGHTS)
    assert row["dark_event_share"] == 1.0
    assert row["nearest_working_light_median_m"] > 55
    assert row["dark_area_share"] > 0.5
    assert fixes(recs) == [("add_lighting", "")]
    rec = recs.iloc[0]
    assert np.hypot(rec["target_x"] - sc.X0, rec["target_y"] - sc.Y0) < 10
    assert rec["geometry"].distance(row["geometry"].centroid) < 10


def test_no_light_mapped_anywhere_near_asks_to_check_the_lights_layer():
    near_row, near = run(light_specs=sc.FAR_LIGHTS)  # lights 70 m away: a real dark gap
    far = [(f"{name}-FAR", 4 * dx, 4 * dy, status) for name, dx, dy, status in sc.FAR_LIGHTS]
    far_row, remote = run(light_specs=far)  # nearest mapped light 280 m away
    assert not near_row["light_inventory_gap"] and far_row["light_inventory_gap"]
    assert far_row["nearest_any_light_m"] == pytest.approx(280, abs=1)
    assert fixes(remote) == [("add_lighting", "")]
    assert remote.iloc[0]["evidence"].startswith("Check the layer first")
    assert bool(remote.iloc[0]["check_layer_first"])
    assert "Check the lights layer" not in near.iloc[0]["evidence"]
    assert "light_inventory_gap" in remote.iloc[0]["triggered_by"]
    assert remote.iloc[0]["confidence"] < near.iloc[0]["confidence"]


def test_no_lights_layer_says_none_mapped_not_inf():
    row, recs = run(incidents=sc.events(hour=12))
    assert fixes(recs) == [("no_environmental_fix", "")]
    # at night too: without a lights layer no lighting fix can be argued
    night_row, night = run(incidents=sc.events(hour=23), stop_specs=[("S1", 5, 5)])
    assert night_row["after_dark_share"] == 1.0 and night_row["dark_stop_ids"] == []
    assert "add_lighting" not in set(night["fix"])
    assert "none mapped" in recs.iloc[0]["evidence"] and "inf" not in recs.iloc[0]["evidence"]


def test_lit_place_gets_no_new_light():
    _, recs = run(light_specs=[sc.NEAR_LIGHT, *sc.FAR_LIGHTS])
    assert "add_lighting" not in set(recs["fix"])


# --- improve_bus_stop -------------------------------------------------------------------------


def test_bus_stop_in_the_dark_with_night_waiting():
    row, recs = run(light_specs=[("L-A", 40, 0, "working")], stop_specs=[("S-3", 0, 0)])
    assert row["stop_ids"] == ["S-3"]
    assert row["stop_event_share"] == 1.0
    assert row["dark_stop_ids"] == ["S-3"]
    # the stop fix covers lighting at the stop: no separate add_lighting
    assert fixes(recs) == [("improve_bus_stop", "S-3")]
    assert "Stop S-3" in recs["evidence"].iloc[0]


def test_lit_bus_stop_with_daytime_events_needs_nothing():
    _, recs = run(
        incidents=sc.events(hour=12), light_specs=[sc.NEAR_LIGHT], stop_specs=[("S-3", 0, 0)]
    )
    assert "improve_bus_stop" not in set(recs["fix"])


def night_and_day(n_night: int, n_day: int) -> pd.DataFrame:
    """n_night events at 23:00 and n_day at 12:00, all at the centre, distinct ids."""
    both = pd.concat(
        [sc.events(n_night, hour=23), sc.events(n_day, hour=12, seed=1)], ignore_index=True
    )
    both["id"] = [f"E{i}" for i in range(len(both))]
    return both


def test_bus_stop_in_the_dark_with_daytime_events_is_not_a_bus_stop_fix():
    # the stop is in a dark gap, but nobody waits there after dark (the DC case: after-dark
    # share 0.0 got improve_bus_stop): darkness alone does not fire the rule
    row, recs = run(
        incidents=sc.events(hour=12),
        light_specs=[("L-A", 40, 0, "working")],
        stop_specs=[("S-3", 0, 0)],
    )
    assert row["dark_stop_ids"] == ["S-3"]
    assert row["stop_event_share"] == 1.0
    assert row["after_dark_share"] == 0.0
    assert fixes(recs) == [("no_environmental_fix", "")]


def test_bus_stop_in_the_dark_needs_enough_events_after_dark():
    stop = {"light_specs": [("L-A", 40, 0, "working")], "stop_specs": [("S-3", 0, 0)]}
    # 8 of 20 after dark: 40% < min_after_dark_share 50%
    row, recs = run(incidents=night_and_day(8, 12), **stop)
    assert row["stop_events_after_dark"] == 8
    assert "improve_bus_stop" not in set(recs["fix"])
    # 12 of 20 after dark: 60%
    _, recs = run(incidents=night_and_day(12, 8), **stop)
    assert fixes(recs) == [("improve_bus_stop", "S-3")]
    assert "12 of them after dark (60%)" in recs["evidence"].iloc[0]


def test_lit_bus_stop_with_night_waiting_fires_and_a_dark_stop_ranks_higher():
    _, lit = run(light_specs=[sc.NEAR_LIGHT], stop_specs=[("S-3", 0, 0)])
    assert fixes(lit) == [("improve_bus_stop", "S-3")]
    assert "dark_stop_ids" not in lit["triggered_by"].iloc[0]
    assert "farther than 30 m from any working light" not in lit["evidence"].iloc[0]
    _, dark = run(light_specs=[("L-A", 40, 0, "working")], stop_specs=[("S-3", 0, 0)])
    assert "dark_stop_ids" in dark["triggered_by"].iloc[0]
    assert "farther than 30 m from any working light" in dark["evidence"].iloc[0]
    # same events, same stop: the same harm and rank; the dark gap adds 0.2 to the confidence
    assert dark["harm"].iloc[0] == pytest.approx(lit["harm"].iloc[0])
    assert dark["confidence"].iloc[0] == pytest.approx(lit["confidence"].iloc[0] + 0.2, abs=0.011)


# --- sightlines -------------------------------------------------------------------------------


def test_hedge_between_place_and_light_is_trimmed():
    hedge = sc.obstruction("O-12", "hedge", 8, -10, 10, 10)  # across the line to L-NEAR
    row, recs = run(light_specs=[sc.NEAR_LIGHT], obstruction_rows=[hedge])
    assert row["sightline_obstruction_ids"] == ["O-12"]
    assert fixes(recs) == [("trim_vegetation", "O-12")]
    assert "Hedge O-12 blocks the view" in recs["evidence"].iloc[0]


def test_hedge_beside_the_line_is_left_alone():
    hedge = sc.obstruction("O-12", "hedge", -30, 20, -28, 30)
    _, recs = run(light_specs=[sc.NEAR_LIGHT], obstruction_rows=[hedge])
    assert "trim_vegetation" not in set(recs["fix"])


def test_tree_canopy_over_a_light_is_trimmed():
    canopy = shapely.Point(sc.X0 + 15, sc.Y0).buffer(4)
    tree = {**sc.obstruction("T-4", "tree", 0, 0, 0, 0), "geometry": canopy}
    row, recs = run(light_specs=[sc.NEAR_LIGHT], obstruction_rows=[tree])
    assert row["canopy_over_light_ids"] == ["T-4"]
    assert ("trim_vegetation", "T-4") in fixes(recs)


def test_wall_between_place_and_light_is_cleared():
    wall = sc.obstruction("W-2", "wall", 8, -10, 9, 10)
    _, recs = run(light_specs=[sc.NEAR_LIGHT], obstruction_rows=[wall])
    assert fixes(recs) == [("clear_sightline", "W-2")]


def test_wall_elsewhere_is_left_alone():
    wall = sc.obstruction("W-2", "wall", -60, -10, -59, 10)
    _, recs = run(light_specs=[sc.NEAR_LIGHT], obstruction_rows=[wall])
    assert "clear_sightline" not in set(recs["fix"])


# --- clean_up ------------------------------------------------------------------------------------


def test_repeated_dumping_concerns_get_a_clean_up():
    texts = [
        "Rubbish dumped behind the shops again",
        "fly-tipping, mattresses",
        "litter everywhere",
    ]
    row, recs = run(light_specs=[sc.NEAR_LIGHT], concern_frame=sc.concerns(texts))
    assert row["litter_concerns"] == 3
    assert "clean_up" in set(recs["fix"])
    assert "3 resident concerns about litter" in recs.set_index("fix").loc["clean_up", "evidence"]


def test_one_dumping_concern_is_not_enough():
    _, recs = run(light_specs=[sc.NEAR_LIGHT], concern_frame=sc.concerns(["rubbish dumped"]))
    assert "clean_up" not in set(recs["fix"])


# --- no environmental fix ------------------------------------------------------------------------


def test_busy_lit_open_place_says_no_environmental_fix_and_why():
    _, recs = run(incidents=sc.events(hour=12), light_specs=[sc.NEAR_LIGHT, *sc.FAR_LIGHTS])
    assert fixes(recs) == [("no_environmental_fix", "")]
    text = recs["evidence"].iloc[0]
    assert "No environmental fix indicated" in text and "working lights within 30 m" in text


# --- settings: thresholds and switches -----------------------------------------------------------


def test_rule_switched_off_in_settings():
    settings = Settings(disabled_rules=["repair_light"])
    _, recs = run(light_specs=[("L-1", 0, 0, "out"), *sc.FAR_LIGHTS], settings=settings)
    assert "repair_light" not in set(recs["fix"])
    # the darkness is still there with the light out: the gap rule does not fire because
    # the place is lit once the light is repaired, so the hot spot says no fix, with why
    assert set(recs["fix"]) == {"no_environmental_fix"}


def test_threshold_changed_in_settings():
    # 20 events after dark + 20 in daylight: after-dark share 0.5
    both = pd.concat([sc.events(hour=23), sc.events(hour=12, seed=1)], ignore_index=True)
    both["id"] = [f"E{i}" for i in range(len(both))]
    _, recs = run(incidents=both, light_specs=sc.FAR_LIGHTS)
    assert "add_lighting" in set(recs["fix"])
    strict = Settings(min_after_dark_share=0.8)
    _, recs = run(incidents=both, light_specs=sc.FAR_LIGHTS, settings=strict)
    assert "add_lighting" not in set(recs["fix"])


def test_every_row_is_traceable_and_priority_explained():
    _, recs = run(light_specs=[("L-1", 0, 0, "out"), *sc.FAR_LIGHTS])
    assert set(recs["fix"]) <= set(FIX_TYPES)
    for row in recs.itertuples():
        assert row.triggered_by and all(isinstance(t, str) for t in row.triggered_by)
        assert f"= {row.priority:.1f}; confidence {row.confidence:.2f}" in row.priority_explained
        assert row.harm_rank == 1 and 0 <= row.confidence <= 1


def test_recommend_refuses_undiagnosed_clusters():
    _, clusters = sc.scene(light_specs=sc.FAR_LIGHTS)
    with pytest.raises(ValidationError, match="pass the result of hotspots.diagnose"):
        recommend(clusters)
