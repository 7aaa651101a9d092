"""Real cities as they publish: Boston's sample, Chicago-like files built from the public schema.

Each test names the failure it guards against (issue #12).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from hotspots import HotspotsWarning, LayerError, build_study, datasets, read_layer
from hotspots.cli import main

NY = "America/New_York"
CHI = "America/Chicago"
# Chicago rows whose State Plane x = y = 0 carry the lon/lat of that origin: Missouri
ORIGIN_LAT, ORIGIN_LON = 36.619446395, -91.686565684
FALSE_OFFSETS = "UTC offsets in 'OCCURRED_ON_DATE' are false"


# --- Boston --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def boston():
    with pytest.warns(HotspotsWarning, match=FALSE_OFFSETS):
        return datasets.load_study("boston")


def test_boston_times_are_local_wall_clock(boston):
    """`+00` on local times shifted every Boston crime by 4-5 hours."""
    inc = boston.incidents
    reading = boston.layers["incidents"].reading["time"]
    assert reading["local"] is True and reading["hour_column"] == "HOUR"
    at_22 = inc[inc["HOUR"] == "22"]
    assert len(at_22) > 100
    assert (at_22["occurred_at"].dt.hour == 22).all()
    assert str(inc["occurred_at"].dt.tz) == NY
    row = inc.loc[inc["OCCURRED_ON_DATE"] == "2023-05-18 22:04:00+00", "occurred_at"].iloc[0]
    assert str(row) == "2023-05-18 22:04:00-04:00"
    assert any("times read as local" in n for n in boston.layers["incidents"].notes)


def test_boston_rows_accounted_and_reasons(boston):
    by = boston.rejections_by_reason().set_index(["layer", "reason"])["rows"].to_dict()
    assert by[("incidents", "missing_coordinates")] == 915
    assert by[("concerns", "missing_coordinates")] == 2
    for kind, layer in boston.layers.items():
        assert layer.n_loaded + layer.n_rejected == layer.n_read, kind
    assert boston.layers["incidents"].n_read == 16_050


def test_boston_311_time_is_open_dt_not_on_time(boston):
    """`on_time` ("OVERDUE") was taken as the time column: a time column must mostly parse."""
    layer = boston.layers["concerns"]
    assert layer.columns["time"] == "open_dt"
    outages = (layer.data["category"] == "Street Light Outages").sum()
    lost = layer.rejected["original"].str.contains('"type": "Street Light Outages"').sum()
    assert outages + lost == 661


def test_boston_gtfs_stations_are_not_bus_stops(boston):
    """Every row of MBTA stops.txt was a bus stop, stations and entrances included."""
    stops = boston.layers["stops"]
    rej = stops.rejected
    reasons = rej["reason"].value_counts().to_dict()
    assert reasons["not_a_boarding_stop"] > 2000
    assert reasons["not_a_bus_stop"] > 100
    assert set(stops.data["location_type"]) <= {"0", ""}
    assert stops.data["vehicle_type"].isin(["3", "0", ""]).all()


def test_boston_time_overlap_recorded(boston):
    overlap = boston.time_overlap
    assert overlap["ok"] is True
    assert overlap["overlap"][0].startswith("2025-01-01")


def test_boston_tz_inferred_when_not_given():
    """With no tz everything was silently UTC although the coordinates say Boston."""
    paths = datasets.paths("boston")
    with pytest.warns(HotspotsWarning, match=FALSE_OFFSETS):
        study = build_study(incidents=paths["incidents"], concerns=paths["concerns"])
    assert study.tz == NY
    assert study.tz_source["inferred"] is True
    assert str(study.concerns["reported_at"].dt.tz) == NY


def test_boston_end_to_end_cli(tmp_path, capsys):
    """The whole Boston job through the command line: exit 0, in seconds.

    MBTA stops on both sides of a street share a name; the bus-stop evidence keeps each
    stop's id and name together (it used to de-duplicate them separately and crash).
    """
    out = tmp_path / "out"
    code = main(["demo", "--sample", "boston", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert FALSE_OFFSETS in err  # the warning reaches stderr
    run = json.loads((out / "run.json").read_text())
    assert run["timezone"] == NY
    assert run["loading"]["layers"]["incidents"]["time"]["local"] is True
    rejected = pd.read_csv(out / "rejected.csv")
    assert (rejected["reason"] == "not_a_boarding_stop").sum() > 2000
    places = pd.read_csv(out / "hotspots.csv")
    for ids, names in zip(places["stop_ids"], places["stop_names"], strict=True):
        assert len(json.loads(ids)) == len(json.loads(names))


# --- Chicago-like files, from the public schema -----------------------------------------------


def _chicago_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-87.80, -87.58, n), rng.uniform(41.70, 42.00, n)


def _chicago_crimes(lon: np.ndarray, lat: np.ndarray, n_origin: int) -> pd.DataFrame:
    """Rows in the City of Chicago "Crimes - 2001 to Present" schema."""
    to_sp = pyproj.Transformer.from_crs(4326, 3435, always_xy=True)
    x, y = to_sp.transform(lon, lat)
    n = len(lon)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n) % 150, unit="D")
    hours = pd.to_timedelta((np.arange(n) * 7) % 24, unit="h")
    frame = pd.DataFrame(
        {
            "ID": np.arange(10_000_000, 10_000_000 + n),
            "Case Number": [f"JH{i:06d}" for i in range(n)],
            "Date": (days + hours).strftime("%m/%d/%Y %I:%M:%S %p"),
            "Block": "0000X W MADISON ST",
            "IUCR": "0486",
            "Primary Type": "BATTERY",
            "Description": "DOMESTIC BATTERY SIMPLE",
            "Location Description": "STREET",
            "X Coordinate": np.round(x).astype(int).astype(str),
            "Y Coordinate": np.round(y).astype(int).astype(str),
            "Latitude": [f"{v:.9f}" for v in lat],
            "Longitude": [f"{v:.9f}" for v in lon],
        }
    )
    frame["Location"] = "(" + frame["Latitude"] + ", " + frame["Longitude"] + ")"
    origin = frame.iloc[:n_origin].copy()
    origin["ID"] = origin["ID"] + 5_000_000
    origin["X Coordinate"] = "0"
    origin["Y Coordinate"] = "0"
    origin["Latitude"] = f"{ORIGIN_LAT:.9f}"
    origin["Longitude"] = f"{ORIGIN_LON:.9f}"
    origin["Location"] = f"({ORIGIN_LAT:.9f}, {ORIGIN_LON:.9f})"
    return pd.concat([frame, origin], ignore_index=True)


def _hull_km2(lon: np.ndarray, lat: np.ndarray, crs: pyproj.CRS) -> float:
    x, y = pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)
    return shapely.convex_hull(shapely.multipoints(np.c_[x, y])).area / 1e6


def test_chicago_state_plane_origin_rows_are_implausible(tmp_path):
    """x = y = 0 rows (lat/lon 36.619, -91.687) became a hot spot in Missouri."""
    lon, lat = _chicago_points(400)
    path = tmp_path / "Crimes_-_2024.csv"
    _chicago_crimes(lon, lat, n_origin=60).to_csv(path, index=False)
    with pytest.warns(HotspotsWarning, match="the projected origin"):
        study = build_study(incidents=path, tz=CHI)
    rej = study.rejected
    assert (rej["reason"] == "implausible_location").sum() == 60
    assert rej["detail"].str.contains("projected origin").all()
    assert len(study.incidents) == 400
    assert study.crs.to_epsg() == 32616
    real = _hull_km2(lon, lat, study.crs)
    xy = shapely.get_coordinates(study.incidents.geometry.to_numpy())
    area = shapely.convex_hull(shapely.multipoints(xy)).area / 1e6
    assert abs(area / real - 1) < 0.2


def test_stray_geocodes_far_away_are_rejected_with_distance(tmp_path):
    """311 rows geocoded to other states stretched the study area 27 times."""
    lon, lat = _chicago_points(300, seed=1)
    lon = np.r_[lon, -97.5, -71.5]  # Oklahoma City, New Hampshire
    lat = np.r_[lat, 35.47, 43.2]
    frame = pd.DataFrame(
        {
            "SR_NUMBER": [f"SR{i}" for i in range(len(lon))],
            "CREATED_DATE": "03/01/2024 10:00:00 AM",
            "LATITUDE": lat.astype(str),
            "LONGITUDE": lon.astype(str),
        }
    )
    path = tmp_path / "311.csv"
    frame.to_csv(path, index=False)
    with pytest.warns(HotspotsWarning, match="implausibly far"):
        layer = read_layer(path, kind="concerns", tz=CHI)
    rej = layer.rejected.set_index("row")
    assert list(rej.index) == [301, 302]
    assert (rej["reason"] == "implausible_location").all()
    assert rej["detail"].str.contains(r"\d+ km from the centre", regex=True).all()


def test_three_points_in_sydney_do_not_move_the_study_crs(tmp_path):
    """Three Sydney rows switched the CRS to another UTM zone (12 hot spots became 49)."""
    lon, lat = _chicago_points(300, seed=2)
    lon = np.r_[lon, 151.2, 151.21, 151.22]
    lat = np.r_[lat, -33.86, -33.87, -33.88]
    frame = pd.DataFrame(
        {"lon": lon, "lat": lat, "date": "2024-03-01 10:00", "id": np.arange(len(lon))}
    )
    path = tmp_path / "i.csv"
    frame.to_csv(path, index=False)
    with pytest.warns(HotspotsWarning, match="implausibly far"):
        study = build_study(incidents=path, tz=CHI)
    assert study.crs.to_epsg() == 32616
    assert (study.rejected["reason"] == "implausible_location").sum() == 3


def test_whole_layer_swapped_columns_detected_against_other_layers(tmp_path):
    """A stops file with lat in the lon column lay 8,296 km from the lights, no warning."""
    lon, lat = _chicago_points(200, seed=3)
    inc = pd.DataFrame({"lon": lon, "lat": lat, "date": "2024-03-01 22:00"})
    slon, slat = _chicago_points(50, seed=4)
    stops = pd.DataFrame({"stop_code": np.arange(50), "lon": slat, "lat": slon})  # swapped
    (tmp_path / "i.csv").write_text(inc.to_csv(index=False))
    (tmp_path / "s.csv").write_text(stops.to_csv(index=False))
    with pytest.warns(HotspotsWarning, match="columns are swapped"):
        study = build_study(incidents=tmp_path / "i.csv", stops=tmp_path / "s.csv", tz=CHI)
    assert len(study.stops) == 50
    back = study.stops.to_crs(4326).geometry
    np.testing.assert_allclose(back.x.to_numpy(), slon, atol=1e-6)


def test_state_plane_311_without_crs_is_inferred_from_the_crime_layer(tmp_path):
    """Projected x/y with no CRS stopped the run, suggesting Maryland's State Plane."""
    lon, lat = _chicago_points(300, seed=5)
    when = pd.date_range("2024-03-01", "2024-05-31", periods=300).strftime("%Y-%m-%d %H:%M")
    crimes = pd.DataFrame({"Longitude": lon, "Latitude": lat, "Date": when})
    slon, slat = _chicago_points(120, seed=6)
    x, y = pyproj.Transformer.from_crs(4326, 3435, always_xy=True).transform(slon, slat)
    requests = pd.DataFrame(
        {"SR_NUMBER": np.arange(120), "CREATED_DATE": when[:120], "X": x, "Y": y}
    )
    crimes.to_csv(tmp_path / "crimes.csv", index=False)
    requests.to_csv(tmp_path / "sr.csv", index=False)
    # alone it is an error that names the fix
    with pytest.raises(LayerError, match="Pass crs=.*lon/lat layer of the same place"):
        read_layer(tmp_path / "sr.csv", kind="concerns", tz=CHI)
    with pytest.warns(HotspotsWarning, match="EPSG:3435"):
        study = build_study(concerns=tmp_path / "sr.csv", incidents=tmp_path / "crimes.csv")
    record = study.layers["concerns"].reading["crs_inferred"]
    assert record["crs"] == "EPSG:3435"
    assert record["share_in_place"] >= 0.99
    assert study.load_record()["layers"]["concerns"]["crs_inferred"]["crs"] == "EPSG:3435"
    assert study.tz == CHI
    got = study.concerns.to_crs(4326).geometry
    np.testing.assert_allclose(got.x.to_numpy(), slon, atol=1e-5)
    np.testing.assert_allclose(got.y.to_numpy(), slat, atol=1e-5)


def test_projected_xy_with_nowhere_to_infer_lists_candidates(tmp_path):
    lon, lat = _chicago_points(50, seed=7)
    far_x = np.full(20, 5.0e7)  # nowhere on Earth in any system near Chicago
    frame = pd.DataFrame({"X": far_x, "Y": far_x, "date": "2024-03-01"})
    frame.to_csv(tmp_path / "p.csv", index=False)
    near = np.c_[lon, lat]
    with pytest.raises(LayerError, match=r"Best candidates: EPSG:\d+"):
        read_layer(tmp_path / "p.csv", kind="incidents", tz=CHI, near=near)


# --- one file per layer -----------------------------------------------------------------------


def test_several_files_per_layer_each_accounted(tmp_path):
    """Cities publish one file per request type or year; the layer took one file."""
    lon, lat = _chicago_points(60, seed=8)
    a = pd.DataFrame({"id": np.arange(30), "lon": lon[:30], "lat": lat[:30], "date": "2024-01-05"})
    b = pd.DataFrame({"id": np.arange(30), "lon": lon[30:], "lat": lat[30:], "date": "2025-01-05"})
    b["lon"] = b["lon"].astype(str)
    b.loc[3, "lon"] = ""  # one bad row in the second file
    a.to_csv(tmp_path / "2024.csv", index=False)
    b.to_csv(tmp_path / "2025.csv", index=False)
    study = build_study(incidents=[tmp_path / "2024.csv", tmp_path / "2025.csv"], tz=CHI)
    layer = study.layers["incidents"]
    assert layer.n_read == 60 and layer.n_loaded == 59
    files = layer.reading["files"]
    assert [(f["read"], f["loaded"], f["rejected"]) for f in files] == [(30, 30, 0), (30, 29, 1)]
    assert study.rejected["source"].str.endswith("2025.csv").all()
    assert study.incidents["id"].is_unique
    assert set(study.incidents["source_file"].str[-8:]) == {"2024.csv", "2025.csv"}


def test_layers_that_do_not_overlap_in_time_are_flagged(tmp_path):
    """Crimes Jan-Feb 2012 and requests Apr 2012-Jul 2013 were fused without a word."""
    lon, lat = _chicago_points(40, seed=9)
    days = pd.date_range("2012-01-01", "2012-02-28", periods=20).strftime("%Y-%m-%d %H:%M")
    later = pd.date_range("2012-04-01", "2013-07-31", periods=20).strftime("%Y-%m-%d %H:%M")
    pd.DataFrame({"lon": lon[:20], "lat": lat[:20], "date": days}).to_csv(
        tmp_path / "c.csv", index=False
    )
    pd.DataFrame({"lon": lon[20:], "lat": lat[20:], "date": later}).to_csv(
        tmp_path / "r.csv", index=False
    )
    with pytest.warns(HotspotsWarning, match="do not overlap in time"):
        study = build_study(incidents=tmp_path / "c.csv", concerns=tmp_path / "r.csv", tz=CHI)
    assert study.time_overlap["ok"] is False
    assert study.time_overlap["overlap"] is None
    assert "different periods" in study.time_overlap["note"]


# --- the command line ---------------------------------------------------------------------------


def _events_csv(path, n, seed, *, start="2024-03-01", offset=""):
    lon, lat = _chicago_points(n, seed=seed)
    when = pd.date_range(start, periods=n, freq="7h").strftime("%Y-%m-%d %H:%M:%S") + offset
    pd.DataFrame({"id": np.arange(n), "lon": lon, "lat": lat, "date": when}).to_csv(
        path, index=False
    )
    return path


def test_cli_global_flags_after_the_command(tmp_path, capsys):
    """`hotspots analyze ... -v` was refused: global flags worked only before the command."""
    assert main(["settings", "-q"]) == 0
    inc = _events_csv(tmp_path / "i.csv", 60, 10)
    code = main(["analyze", "--incidents", str(inc), "--out", str(tmp_path / "o"), "-v"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "timezone America/Chicago inferred" in err  # -v: INFO lines shown


def test_cli_several_files_per_layer_and_times_local(tmp_path, capsys):
    """The CLI took one file per layer; `--<layer>-times-local` reads offsets as wall clock."""
    a = _events_csv(tmp_path / "sr_2024.csv", 40, 11, offset="+00")
    b = _events_csv(tmp_path / "sr_2025.csv", 40, 12, start="2024-03-05", offset="+00")
    c = _events_csv(tmp_path / "sr_more.csv", 10, 13, start="2024-03-07", offset="+00")
    out = tmp_path / "o"
    argv = ["analyze", "--concerns", str(a), str(b), "--concerns", str(c),
            "--concerns-times-local", "--tz", CHI, "--out", str(out), "-q"]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    run = json.loads((out / "run.json").read_text())
    assert run["inputs"]["concerns"] == [str(a), str(b), str(c)]
    files = run["loading"]["layers"]["concerns"]["files"]
    assert [(f["read"], f["loaded"]) for f in files] == [(40, 40), (40, 40), (10, 10)]
    assert run["loading"]["layers"]["concerns"]["time"]["local"] is True
    assert run["loading"]["time_overlap"]["layers"]["concerns"][0] == "2024-03-01 00:00:00-06:00"


def test_cli_whole_layer_rejected_warns_and_no_events_exit_2(tmp_path, capsys):
    """A layer with every row rejected passed at exit 0 with nothing said."""
    inc = _events_csv(tmp_path / "i.csv", 30, 14)
    stops = tmp_path / "stops.csv"
    stops.write_text("stop_id,stop_lat,stop_lon\n1,n/a,n/a\n2,0,0\n")
    out = tmp_path / "o"
    code = main(["analyze", "--incidents", str(inc), "--stops", str(stops), "--tz", CHI,
                 "--out", str(out), "-q"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0
    # -q shows errors only: run again without it to see the warning
    code = main(["analyze", "--incidents", str(inc), "--stops", str(stops), "--tz", CHI,
                 "--out", str(tmp_path / "o2")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0 and "every row of the stops layer" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lon,lat,date\n1,0,0,2024-03-01\n2,,38.9,2024-03-02\n")
    code = main(["analyze", "--incidents", str(bad), "--tz", CHI, "--out", str(tmp_path / "o3")])
    err = capsys.readouterr().err
    assert code == 2
    assert "every row of the incidents layer" in err
    assert "no incident or concern row could be used" in err
