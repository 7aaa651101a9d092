"""Evidence from what cities publish: request types, reported lights, outage windows, offences."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scenes as sc
import shapely

from hotspots import Settings, build_study, diagnose, recommend
from hotspots._errors import HotspotsWarning
from hotspots._requests import closed_times, request_kinds
from hotspots.factors.requests import outage_rate_ratio

TZ = sc.TZ


def requests(rows: list[tuple], *, closed: list | None = None) -> gpd.GeoDataFrame:
    """(type, details, dx, dy, opened 'YYYY-MM-DD', address) relative to the centre."""
    frame = gpd.GeoDataFrame(
        {
            "request_id": [f"R{i}" for i in range(len(rows))],
            "created": [pd.Timestamp(r[4] + " 19:00", tz=TZ) for r in rows],
            "type": [r[0] for r in rows],
            "details": [r[1] for r in rows],
            "address": [r[5] for r in rows],
        },
        geometry=[shapely.Point(sc.X0 + r[2], sc.Y0 + r[3]) for r in rows],
        crs=sc.CRS,
    )
    if closed is not None:
        frame["closed_dt"] = closed
    return frame


def two_places(incidents, concerns=None, lights=None, obstructions=None, settings=None):
    """Places H001 (the centre) and H002 (600 m east), 40 m discs."""
    study = build_study(
        incidents=incidents,
        concerns=concerns,
        lights=lights,
        obstructions=obstructions,
        crs=sc.CRS,
        tz=TZ,
        settings=settings,
    )
    clusters = gpd.GeoDataFrame(
        {"cluster_id": ["H001", "H002"], "n_events": [20, 20], "p_adj": [1e-6, 1e-6],
         "trend": ["persistent", "persistent"]},
        geometry=[shapely.Point(sc.X0, sc.Y0).buffer(40),
                  shapely.Point(sc.X0 + 600, sc.Y0).buffer(40)],
        crs=sc.CRS,
    )  # fmt: skip
    hot = diagnose(study, clusters)
    return hot, recommend(hot, settings=study.settings)


def night_robberies_and_day_shop_thefts():
    """20 robberies after dark at H001; 20 shop thefts in daylight at H002."""
    night = sc.events(20, hour=23, offense="ROBBERY")
    day = sc.events(20, hour=12, dx=600.0, seed=1, offense="LARCENY SHOPLIFTING")
    day["id"] = [f"D{i}" for i in range(20)]
    return pd.concat([night, day], ignore_index=True)


# --- the must-show: no lights layer, residents' light-out requests ----------------------------


def test_light_out_requests_without_a_lights_layer_give_repair_light_at_the_reports():
    concerns = requests(
        [
            ("Street Light Outages", "", 12, 3, "2025-01-08", "12 Elm St"),
            ("Street Light Outages", "still out", 13, 4, "2025-01-20", "12 Elm St"),
            ("Other", "lamp post dark since Tuesday", 11, 2, "2025-02-02", "12 Elm St"),
            # the control place: a light-out request too, but its trouble is daytime shop theft
            ("Street Light Outages", "", 600, 5, "2025-01-10", "1 Market Sq"),
        ]
    )
    hot, recs = two_places(night_robberies_and_day_shop_thefts(), concerns)
    a = recs[recs["cluster_id"] == "H001"]
    assert list(a["fix"]) == ["repair_light"]
    row = a.iloc[0]
    assert row["target_kind"] == "reported_light" and row["target_id"] == "R-R0"
    assert np.hypot(row["target_x"] - (sc.X0 + 12), row["target_y"] - (sc.Y0 + 3)) < 2
    assert "12 Elm St" in row["evidence"] and "3 time(s)" in row["evidence"]
    assert "2025-01-08, 2025-01-20, 2025-02-02" in row["evidence"]
    assert not bool(row["check_layer_first"])  # no lights layer at all: nothing to check
    # the well-lit control place with daytime shop thefts gets no fix
    b = recs[recs["cluster_id"] == "H002"]
    assert list(b["fix"]) == ["no_environmental_fix"]
    assert "after dark" in b["evidence"].iloc[0]
    assert hot.attrs["unmapped_request_types"] == {}


def test_a_reported_light_with_a_pole_mapped_elsewhere_says_check_the_layer_first():
    concerns = requests([("Street Light Outages", "", 5, 0, "2025-01-08", "")] * 2)
    far = [("L-FAR", 2000, 0, "working")]
    _, recs = two_places(
        sc.events(20, hour=23), concerns, lights=sc.lights(*far)
    )  # the only pole is 2 km away
    row = recs[recs["fix"] == "repair_light"].iloc[0]
    assert bool(row["check_layer_first"])
    assert row["evidence"].startswith("Check the layer first")


def test_requests_matched_to_a_mapped_pole_repair_that_pole():
    concerns = requests([("Streetlight Repair Investigation", "", 5, 0, "2025-01-08", "")])
    lights = sc.lights(("L-7", 5, 0, "working"), *sc.FAR_LIGHTS)
    hot, recs = two_places(sc.events(20, hour=23), concerns, lights=lights)
    assert hot["lights_reported_out_ids"].iloc[0] == ["L-7"]
    assert list(zip(recs["fix"], recs["target_id"], strict=True))[:1] == [("repair_light", "L-7")]


# --- outage windows --------------------------------------------------------------------------


def test_outage_window_rate_ratio_with_a_closing_date():
    # events every 3 days from 2025-01-06 to 2025-03-05 at 23:00; the light is out from
    # 2025-01-05 to 2025-01-25 (closed): 7 events while out, 13 while not
    concerns = requests(
        [
            ("Street Light Outages", "", 5, 0, "2025-01-05", ""),
            ("Graffiti", "", 300, 300, "2025-02-01", ""),  # the requests go on after
        ],
        closed=["2025-01-25 08:00", ""],
    )
    hot, recs = two_places(sc.events(20, hour=23), concerns)
    g = hot["reported_outages"].iloc[0][0]
    assert (g["n_out"], g["n_not_out"]) == (7, 13)
    # compared from the first event (2025-01-06 23:00) to the closing (2025-01-25 08:00)
    assert g["nights_out"] == pytest.approx(18.375)
    expected = outage_rate_ratio(
        np.array([7]), np.array([13]), np.array([g["nights_out"]]), np.array([g["nights_not_out"]])
    )
    assert g["rate_ratio"] == pytest.approx(float(expected[0][0]))
    assert "while the light was reported out (95% CI" in g["window"]
    assert "7 vs 13 events" in g["window"] and "no closing date" not in g["window"]
    assert "95% CI" in recs["evidence"].iloc[0]


def test_an_open_request_counts_until_the_end_of_the_data_and_says_so():
    # the requests cover the study from 2025-01-02 (an unrelated request elsewhere)
    concerns = requests(
        [
            ("Street Light Outages", "", 5, 0, "2025-02-01", ""),
            ("Graffiti", "", 300, 300, "2025-01-02", ""),
        ]
    )
    hot, _ = two_places(sc.events(20, hour=23), concerns)
    window = hot["outage_window"].iloc[0]
    assert "counted as out until the end of the data" in window


def test_layers_that_do_not_overlap_in_time_say_so_instead_of_a_number():
    concerns = requests([("Street Light Outages", "", 5, 0, "2026-06-01", "")] * 2)
    with pytest.warns(HotspotsWarning, match="do not overlap in time"):
        hot, _ = two_places(sc.events(20, hour=23), concerns)
    assert "do not overlap in time" in hot["outage_window"].iloc[0]


def test_rate_ratio_interval_covers_the_ratio_and_is_exact_at_the_null():
    rr, lo, hi, p = outage_rate_ratio(
        np.array([11, 10]), np.array([9, 30]), np.array([40.0, 50.0]), np.array([140.0, 150.0])
    )
    assert np.all(lo <= rr) and np.all(rr <= hi)
    assert rr[1] == pytest.approx(1.0) and p[1] == pytest.approx(1.0, abs=0.05)
    assert p[0] < 0.01


def test_closed_dates_from_epoch_milliseconds_and_text():
    ms = pd.DataFrame({"RESOLUTIONDATE": [1737810944000.0, np.nan]})
    t, col = closed_times(ms, "America/New_York")
    assert col == "RESOLUTIONDATE" and t.iloc[0].year == 2025 and pd.isna(t.iloc[1])


# --- request types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wording", "kind"),
    [
        ("Streetlight Repair Investigation", "light_out"),  # DC
        ("Street Light Outages", "light_out"),  # Boston
        ("Street Light Condition", "light_out"),  # New York
        ("Alley Light Outage", "light_out"),  # Philadelphia
        ("Streetlights", "light_out"),  # San Francisco
        ("Single Streetlight Issue", "light_out"),  # Los Angeles
        ("Streetlight Out", "light_out"),  # Open311
        ("Lamp not working", "light_out"),  # fallback
        ("Forestry Blocked Traffic Sign / Light", "vegetation"),
        ("Overgrown vegetation", "vegetation"),
        ("Tree blocking light", "vegetation"),
        ("Illegal dumping", "dumping"),
        ("Graffiti", "graffiti"),
        ("Vacant building", "vacant_building"),
        ("General Request", ""),
        ("Zoning Board", ""),
    ],
)
def test_request_type_kinds(wording, kind):
    kinds, _ = request_kinds(pd.Series([wording]))
    assert kinds.iloc[0] == kind


def test_unmapped_request_types_are_listed_and_can_be_mapped_in_settings():
    concerns = requests([("Lantern Festival", "", 5, 0, "2025-01-08", "")] * 3)
    hot, _ = two_places(sc.events(20, hour=23), concerns)
    assert hot.attrs["unmapped_request_types"] == {"Lantern Festival": 3}
    mapped = Settings(request_types={"Lantern Festival": "light_out"})
    hot, recs = two_places(sc.events(20, hour=23), concerns, settings=mapped)
    assert hot.attrs["unmapped_request_types"] == {}
    assert "repair_light" in set(recs["fix"])


def test_the_type_decides_where_it_is_specific_and_the_text_where_it_is_generic():
    concerns = requests(
        [
            ("Street Light Outages", "no problem with the light now", 5, 0, "2025-01-08", ""),
            ("General Request", "street light out", 6, 0, "2025-01-09", ""),
            ("Graffiti", "street light out", 7, 0, "2025-01-10", ""),
        ]
    )
    hot, _ = two_places(sc.events(20, hour=23), concerns)
    outs = hot["reported_outages"].iloc[0]
    assert sum(g["reports"] for g in outs) == 2  # the graffiti request is graffiti


# --- other requests as targets -------------------------------------------------------------------


def test_vegetation_graffiti_and_vacant_requests_give_their_fixes_at_the_reports():
    concerns = requests(
        [
            ("Tree blocking light", "", 20, 0, "2025-01-08", "3 Oak St"),
            ("Tree blocking light", "", 21, 0, "2025-01-18", "3 Oak St"),
            ("Graffiti", "", -20, 0, "2025-01-08", "9 Elm St"),
            ("Graffiti", "", -20, 1, "2025-01-09", "9 Elm St"),
            ("Vacant building", "", 0, 25, "2025-01-08", "4 Ash St"),
            ("Vacant building", "", 0, 25, "2025-02-08", "4 Ash St"),
        ]
    )
    _, recs = two_places(sc.events(20, hour=23), concerns)
    got = {(f, t) for f, t in zip(recs["fix"], recs["target_kind"], strict=True)}
    assert {
        ("trim_vegetation", "request_location"),
        ("remove_graffiti", "request_location"),
        ("secure_vacant_building", "request_location"),
    } <= got
    trim = recs[recs["fix"] == "trim_vegetation"].iloc[0]
    assert "3 Oak St" in trim["evidence"] and abs(trim["target_x"] - (sc.X0 + 20.5)) < 1


# --- offences: the fix must fit the offence ----------------------------------------------------


def test_lighting_is_withheld_where_the_events_are_shop_thefts_and_says_why():
    lights = sc.lights(("L-1", 0, 0, "out"), *sc.FAR_LIGHTS)
    shop = sc.events(20, hour=23, offense="LARCENY SHOPLIFTING")
    _, recs = two_places(shop, lights=lights)
    a = recs[recs["cluster_id"] == "H001"]
    assert list(a["fix"]) == ["no_environmental_fix"]
    assert "withheld" in a["evidence"].iloc[0] and "theft other" in a["evidence"].iloc[0]


def test_indoor_locations_do_not_count_for_an_outdoor_fix():
    ev = sc.events(20, hour=23, offense="ASSAULT - SIMPLE")
    ev["location_description"] = ["RESIDENCE"] * 15 + ["STREET"] * 5
    lights = sc.lights(("L-1", 0, 0, "out"), *sc.FAR_LIGHTS)
    _, recs = two_places(ev, lights=lights)
    text = recs[recs["cluster_id"] == "H001"]["evidence"].iloc[0]
    assert "withheld" in text and "75% are indoors" in text


def test_harm_ranks_the_places_and_confidence_stays_beside_it():
    robberies = sc.events(9, hour=23, offense="ROBBERY")
    thefts = sc.events(36, hour=23, dx=600.0, seed=2, offense="THEFT/OTHER")
    thefts["id"] = [f"T{i}" for i in range(36)]
    hot, recs = two_places(pd.concat([robberies, thefts], ignore_index=True))
    by_place = recs.drop_duplicates("cluster_id").set_index("cluster_id")
    # nine robberies do more harm than 36 shop thefts: harm first, not counts
    assert by_place.loc["H001", "harm_rank"] == 1 and by_place.loc["H002", "harm_rank"] == 2
    assert by_place.loc["H001", "priority"] == 100.0
    assert list(recs["cluster_id"].drop_duplicates()) == ["H001", "H002"]
    assert hot["offence_group_counts"].iloc[1] == {"theft_other": 36}
