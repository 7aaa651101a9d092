"""Readers: detection, parsing, every rejection reason, every whole-file error."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots import LayerError, ValidationError, read_layer
from hotspots._errors import HotspotsWarning
from hotspots.io import REJECTION_REASONS, empty_layer, read_boundary

TZ = "America/New_York"
AS_OF = "2025-06-01"
BOX = shapely.box(-77.06, 38.88, -77.00, 38.92)  # downtown DC, lon/lat


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reasons(layer):
    return dict(zip(layer.rejected["row"], layer.rejected["reason"], strict=True))


def assert_accounted(layer):
    assert layer.n_loaded + layer.n_rejected == layer.n_read
    rows = sorted([*layer.data["source_row"], *layer.rejected["row"]])
    assert rows == list(range(1, layer.n_read + 1))


# --- detection --------------------------------------------------------------------------


def test_csv_detects_lon_lat_time_category_id(tmp_path):
    path = write(
        tmp_path,
        "inc.csv",
        "Case Number,Offense,Date,Longitude,Latitude\n"
        "A1,THEFT,2025-01-02 10:00:00,-77.03,38.90\n"
        "A2,ROBBERY,2025-01-03 22:30:00,-77.02,38.91\n",
    )
    layer = read_layer(path, kind="incidents", tz=TZ, as_of=AS_OF)
    assert layer.columns["lon"] == "Longitude"
    assert layer.columns["time"] == "Date"
    assert layer.columns["category"] == "Offense"
    assert list(layer.data["id"]) == ["A1", "A2"]
    assert list(layer.data["category"]) == ["THEFT", "ROBBERY"]
    # naive local times are localized, not shifted
    assert layer.data["occurred_at"].iloc[1] == pd.Timestamp("2025-01-03 22:30", tz=TZ)
    assert layer.data.crs.to_epsg() == 4326
    # the source's columns are kept
    assert "Offense" in layer.data.columns
    assert_accounted(layer)


def test_projected_xy_beside_latlon_prefers_latlon(tmp_path):
    path = write(
        tmp_path,
        "dc.csv",
        "\ufeffX,Y,REPORT_DAT,LATITUDE,LONGITUDE\n"
        "397115.78,137977.23,2025/03/02 12:00:32+00,38.9096515756,-77.0332543444\n",
    )
    layer = read_layer(path, kind="incidents", tz=TZ, as_of=AS_OF)
    assert (layer.columns["lon"], layer.columns["lat"]) == ("LONGITUDE", "LATITUDE")
    assert layer.data["occurred_at"].iloc[0] == pd.Timestamp("2025-03-02 07:00:32", tz=TZ)


def test_projected_xy_with_crs(tmp_path):
    path = write(tmp_path, "xy.csv", "X,Y,date\n397115.78,137977.23,2025-01-01\n")
    layer = read_layer(path, kind="incidents", crs=26985, tz=TZ, as_of=AS_OF)
    assert layer.data.crs.to_epsg() == 26985
    lonlat = layer.data.to_crs(4326).geometry.iloc[0]
    assert lonlat.x == pytest.approx(-77.03325, abs=1e-4)


def test_xy_named_columns_holding_degrees_are_lon_lat(tmp_path):
    # DDOT street lights: XCOORD = longitude, YCOORD = latitude
    path = write(tmp_path, "l.csv", "XCOORD,YCOORD,STATUS\n-77.01,38.89,Active\n")
    layer = read_layer(path, kind="lights")
    assert layer.data.crs.to_epsg() == 4326
    assert layer.data.geometry.iloc[0].x == pytest.approx(-77.01)


def test_location_column_lat_lon_pairs_and_wkt(tmp_path):
    path = write(
        tmp_path,
        "loc.csv",
        'id,created,location\n1,2025-01-01,"(38.90, -77.03)"\n2,2025-01-02,POINT (-77.02 38.91)\n'
        "3,2025-01-03,nonsense\n4,2025-01-04,POINT (-77.0\n",
    )
    layer = read_layer(path, kind="concerns", tz=TZ, as_of=AS_OF)
    assert layer.columns["location"] == "location"
    xs = sorted(round(g.x, 2) for g in layer.data.geometry)
    assert xs == [-77.03, -77.02]
    assert reasons(layer) == {3: "non_numeric_coordinates", 4: "invalid_geometry"}


def test_overrides_name_columns(tmp_path):
    path = write(tmp_path, "o.csv", "a,b,when,what\n-77.03,38.9,01/02/2025 10:00:00 PM,x\n")
    layer = read_layer(
        path,
        kind="incidents",
        lon="a",
        lat="b",
        columns={"time": "when", "category": "what"},
        tz=TZ,
        as_of=AS_OF,
    )
    assert layer.data["occurred_at"].iloc[0] == pd.Timestamp("2025-01-02 22:00", tz=TZ)
    assert layer.data["category"].iloc[0] == "x"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-02T12:00:32+00:00", "2025-03-02 07:00:32"),
        ("2025/03/02 12:00:32+00", "2025-03-02 07:00:32"),
        ("03/02/2025 07:00:32 AM", "2025-03-02 07:00:32"),
        ("03/02/2025 19:00", "2025-03-02 19:00:00"),
        ("1740916832000", "2025-03-02 07:00:32"),  # epoch ms
        ("1740916832", "2025-03-02 07:00:32"),  # epoch s
        ("2025-03-02", "2025-03-02 00:00:00"),
    ],
)
def test_time_formats(tmp_path, text, expected):
    path = write(tmp_path, "t.csv", f"lon,lat,date\n-77.03,38.9,{text}\n")
    layer = read_layer(path, kind="incidents", tz=TZ, as_of=AS_OF)
    assert layer.n_loaded == 1, layer.rejected
    assert layer.data["occurred_at"].iloc[0] == pd.Timestamp(expected, tz=TZ)


def test_day_first_dates_detected_when_unambiguous(tmp_path):
    path = write(
        tmp_path, "d.csv", "lon,lat,date\n-77.03,38.9,25/01/2025\n-77.03,38.9,13/02/2025\n"
    )
    layer = read_layer(path, kind="incidents", tz=TZ, as_of=AS_OF)
    assert list(layer.data["occurred_at"].dt.month) == [1, 2]


def test_dst_gap_and_overlap_local_times_are_kept(tmp_path):
    # 02:30 does not exist on 2025-03-09 in New York; 01:30 happens twice on 2025-11-02
    path = write(
        tmp_path,
        "dst.csv",
        "lon,lat,date\n-77.03,38.9,2025-03-09 02:30:00\n-77.03,38.9,2025-11-02 01:30:00\n",
    )
    layer = read_layer(path, kind="incidents", tz=TZ, as_of="2026-01-01")
    assert layer.n_loaded == 2
    assert layer.data["occurred_at"].iloc[1].utcoffset() == pd.Timedelta(hours=-4)


def test_time_window_end_read_as_occurred_to(tmp_path):
    path = write(
        tmp_path,
        "w.csv",
        "lon,lat,start_date,end_date\n-77.03,38.9,2025-01-01 22:00,2025-01-02 01:00\n"
        "-77.03,38.9,2025-01-01 22:00,\n",
    )
    layer = read_layer(path, kind="incidents", tz=TZ, as_of=AS_OF)
    assert layer.data["occurred_to"].iloc[0] == pd.Timestamp("2025-01-02 01:00", tz=TZ)
    assert pd.isna(layer.data["occurred_to"].iloc[1])


@pytest.mark.parametrize(
    ("column", "values", "expected"),
    [
        ("status", ["OK", "OUT", "Reported out", "not working", "", "Active", "Inactive"],
         ["working", "out", "out", "out", "unknown", "working", "out"]),
        ("is_out", ["true", "false", "Y", "N", "?"],
         ["out", "working", "out", "working", "unknown"]),
        ("working", ["yes", "no"], ["working", "out"]),
    ],
)  # fmt: skip
def test_light_status_normalised(column, values, expected):
    frame = pd.DataFrame({"lon": -77.03, "lat": np.linspace(38.90, 38.91, len(values)),
                          column: values})  # fmt: skip
    layer = read_layer(frame, kind="lights")
    assert list(layer.data["status"]) == expected


def test_light_pole_height_in_feet_is_converted():
    frame = pd.DataFrame({"lon": [-77.03], "lat": [38.9], "POLEHEIGHT_DESC": ["30 ft"]})
    assert read_layer(frame, kind="lights").data["pole_height_m"].iloc[0] == pytest.approx(9.144)


def test_stops_name_routes_and_obstruction_kinds():
    stops = pd.DataFrame(
        {"stop_id": ["S1"], "stop_name": ["Main St"], "routes": ["42"], "X": [-1.5], "Y": [53.8]}
    )
    layer = read_layer(stops, kind="bus_stops")
    assert (layer.kind, layer.data["name"].iloc[0], layer.data["routes"].iloc[0]) == (
        "stops",
        "Main St",
        "42",
    )
    obs = gpd.GeoDataFrame(
        {"type": ["Privet hedge", "brick wall", "Oak tree", "railings", "bin store"]},
        geometry=[shapely.box(i, 0, i + 0.5, 1).buffer(0) for i in range(5)],
        crs=27700,
    )
    kinds = read_layer(obs, kind="obstructions").data["kind"].tolist()
    assert kinds == ["hedge", "wall", "tree", "fence", "other"]


# --- every rejection reason ----------------------------------------------------------------

MESSY = (
    "id,date,lon,lat\n"
    "r1,2025-01-02 10:00,-77.03,38.90\n"  # 1 ok
    "r2,2025-01-02 10:00,,38.90\n"  # 2 missing_coordinates
    "r3,2025-01-02 10:00,abc,38.90\n"  # 3 non_numeric_coordinates
    "r4,2025-01-02 10:00,0,0\n"  # 4 zero_coordinates
    "r5,2025-01-02 10:00,-77.03,95.0\n"  # 5 out_of_range
    "r6,2025-01-02 10:00,-70.00,40.00\n"  # 6 outside_study_area
    "r7,,-77.03,38.90\n"  # 7 missing_time
    "r8,not a date,-77.03,38.90\n"  # 8 unparseable_time
    "r9,2099-01-01 10:00,-77.03,38.90\n"  # 9 future_time
    "r10,2024-06-01 10:00,-77.03,38.90\n"  # 10 outside_study_period
    "r1,2025-01-02 10:00,-77.03,38.90\n"  # 11 duplicate of row 1
    "r12,2025-01-05 10:00,-77.02,38.91\n"  # 12 ok
    "r13,2025-01-05 10:00,inf,38.91\n"  # 13 non-finite -> non_numeric
)


def test_every_rejection_reason_is_recorded(tmp_path):
    path = write(tmp_path, "messy.csv", MESSY)
    layer = read_layer(
        path,
        kind="incidents",
        tz=TZ,
        boundary=BOX,
        period=("2025-01-01", "2025-12-31"),
        as_of=AS_OF,
    )
    assert reasons(layer) == {
        2: "missing_coordinates",
        3: "non_numeric_coordinates",
        4: "zero_coordinates",
        5: "out_of_range",
        6: "outside_study_area",
        7: "missing_time",
        8: "unparseable_time",
        9: "future_time",
        10: "outside_study_period",
        11: "duplicate",
        13: "non_numeric_coordinates",
    }
    assert list(layer.data["id"]) == ["r1", "r12"]
    assert set(layer.rejected["reason"]) <= set(REJECTION_REASONS)
    # the original row is kept, as published
    original = json.loads(layer.rejected.set_index("row").loc[3, "original"])
    assert original == {"id": "r3", "date": "2025-01-02 10:00", "lon": "abc", "lat": "38.90"}
    assert layer.rejected["source"].iloc[0] == str(path)
    assert_accounted(layer)


def test_duplicates_flag_and_keep(tmp_path):
    path = write(
        tmp_path, "d.csv", "date,lon,lat\n2025-01-01,-77.03,38.9\n2025-01-01,-77.03,38.9\n"
    )
    flagged = read_layer(path, kind="incidents", duplicates="flag", as_of=AS_OF)
    assert flagged.data["is_duplicate"].tolist() == [False, True]
    kept = read_layer(path, kind="incidents", duplicates="keep", as_of=AS_OF)
    assert kept.n_loaded == 2 and "is_duplicate" not in kept.data
    # duplicate ids are made unique so every event can be referred to
    assert kept.data["id"].is_unique


def test_swapped_rows_fixed_with_warning(tmp_path):
    rows = "".join(f"-77.0{i},38.90{i},2025-01-0{i + 1}\n" for i in range(6))
    path = write(tmp_path, "s.csv", "lon,lat,date\n" + rows + "38.905,-77.035,2025-01-09\n")
    with pytest.warns(HotspotsWarning, match="swapped"):
        layer = read_layer(path, kind="incidents", as_of=AS_OF)
    assert layer.n_loaded == 7
    fixed = layer.data.set_index("source_row").geometry.loc[7]
    assert (fixed.x, fixed.y) == (-77.035, 38.905)
    assert any("swapped" in n for n in layer.notes)


def test_whole_column_swap_fixed_against_boundary(tmp_path):
    path = write(
        tmp_path, "s.csv", "lon,lat,date\n38.90,-77.03,2025-01-01\n38.91,-77.02,2025-01-02\n"
    )
    with pytest.warns(HotspotsWarning, match="2 row"):
        layer = read_layer(path, kind="incidents", boundary=BOX, as_of=AS_OF)
    assert layer.n_loaded == 2


def test_ambiguous_swap_is_not_guessed(tmp_path):
    # a lone far point whose swap is not near the data either: left alone (then rejected)
    rows = "".join(f"-77.0{i},38.90{i},2025-01-0{i + 1}\n" for i in range(6))
    path = write(tmp_path, "s.csv", "lon,lat,date\n" + rows + "151.2,-33.9,2025-01-09\n")
    layer = read_layer(path, kind="incidents", boundary=BOX, as_of=AS_OF)
    assert reasons(layer) == {7: "outside_study_area"}


def test_geo_rows_missing_and_wrong_geometry(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"date": ["2025-01-01"] * 4},
        geometry=[shapely.Point(-77.03, 38.9), None, shapely.box(0, 0, 1, 1), shapely.Point()],
        crs=4326,
    )
    layer = read_layer(gdf, kind="incidents", as_of=AS_OF)
    assert reasons(layer) == {
        2: "missing_geometry",
        3: "wrong_geometry_type",
        4: "missing_geometry",
    }
    assert_accounted(layer)


# --- every reader: loaded + rejected = read ---------------------------------------------------


@pytest.fixture
def messy_gdf(tmp_path):
    frame = pd.read_csv(write(tmp_path, "m.csv", MESSY), dtype=str, keep_default_na=False)
    x = pd.to_numeric(frame["lon"], errors="coerce")
    y = pd.to_numeric(frame["lat"], errors="coerce")
    geom = [
        shapely.Point(a, b) if np.isfinite(a) and np.isfinite(b) else None
        for a, b in zip(x, y, strict=True)
    ]
    return gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]), geometry=geom, crs=4326)


@pytest.mark.parametrize("ext", ["geojson", "gpkg", "shp", "parquet"])
def test_every_geo_reader_accounts_for_every_row(tmp_path, messy_gdf, ext):
    path = tmp_path / f"layer.{ext}"
    if ext == "parquet":
        messy_gdf.to_parquet(path)
    else:
        messy_gdf.to_file(path)
    layer = read_layer(path, kind="incidents", tz=TZ, boundary=BOX, as_of=AS_OF)
    assert layer.n_read == 13
    assert_accounted(layer)
    assert layer.n_loaded == 3  # rows 1, 10 (no period given) and 12
    assert {"missing_geometry", "outside_study_area", "duplicate"} <= set(layer.rejected["reason"])


@pytest.mark.parametrize("as_frame", ["DataFrame", "GeoDataFrame"])
def test_frames_account_for_every_row(tmp_path, messy_gdf, as_frame):
    if as_frame == "DataFrame":
        frame = pd.read_csv(write(tmp_path, "m.csv", MESSY), dtype=str, keep_default_na=False)
    else:
        frame = messy_gdf
    layer = read_layer(frame, kind="incidents", tz=TZ, boundary=BOX, as_of=AS_OF)
    assert layer.n_read == 13
    assert_accounted(layer)


def test_csv_reader_accounts_for_every_row(tmp_path):
    # without a boundary, row 6 (616 km from the rest) is an implausible location
    with pytest.warns(HotspotsWarning, match="implausibly far"):
        layer = read_layer(write(tmp_path, "m.csv", MESSY), kind="incidents", as_of=AS_OF)
    assert_accounted(layer)
    assert layer.rejected.set_index("row").loc[6, "reason"] == "implausible_location"


def test_input_frame_is_not_mutated():
    frame = pd.DataFrame({"lon": [-77.03], "lat": [38.9], "date": ["2025-01-01"]})
    before = frame.copy()
    read_layer(frame, kind="incidents", as_of=AS_OF)
    pd.testing.assert_frame_equal(frame, before)


# --- whole-file errors -------------------------------------------------------------------------


def test_empty_file(tmp_path):
    with pytest.raises(LayerError, match=r"empty\.csv is empty \(0 bytes\)"):
        read_layer(write(tmp_path, "empty.csv", ""), kind="incidents")


def test_header_only(tmp_path):
    with pytest.raises(LayerError, match="has a header but no rows"):
        read_layer(write(tmp_path, "h.csv", "lon,lat,date\n"), kind="incidents")


def test_no_coordinate_columns_names_the_fix(tmp_path):
    path = write(tmp_path, "nc.csv", "Easting_ft,Northing_ft,date\n1,2,2025-01-01\n")
    with pytest.raises(LayerError, match=r"nc\.csv: no coordinate columns.*lon=/lat="):
        read_layer(path, kind="incidents")


def test_projected_xy_without_crs_names_the_fix(tmp_path):
    path = write(tmp_path, "p.csv", "X,Y,date\n397115.78,137977.23,2025-01-01\n")
    with pytest.raises(LayerError, match=r"projected coordinates.*Pass crs="):
        read_layer(path, kind="incidents")


def test_wrong_geometry_type_for_kind(tmp_path):
    gdf = gpd.GeoDataFrame({"date": ["2025-01-01"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    path = tmp_path / "polys.geojson"
    gdf.to_file(path)
    with pytest.raises(LayerError, match=r"polys\.geojson: incidents need Point.*Polygon"):
        read_layer(path, kind="incidents")
    points = gpd.GeoDataFrame({"kind": ["wall"]}, geometry=[shapely.Point(0, 0)], crs=4326)
    with pytest.raises(LayerError, match="obstructions need Polygon or LineString"):
        read_layer(points, kind="obstructions")


def test_unreadable_file(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_bytes(b"\x00\x01 not json at all")
    with pytest.raises(LayerError, match=r"cannot read .*broken\.geojson as a spatial file"):
        read_layer(path, kind="lights")


def test_missing_file_and_unknown_type(tmp_path):
    with pytest.raises(LayerError, match="does not exist"):
        read_layer(tmp_path / "nope.csv", kind="lights")
    with pytest.raises(LayerError, match="unknown file type '.xlsx'"):
        read_layer(write(tmp_path, "a.xlsx", "x"), kind="lights")


def test_no_time_column_for_events(tmp_path):
    with pytest.raises(LayerError, match=r"no date/time column.*columns=\{'time'"):
        read_layer(write(tmp_path, "n.csv", "lon,lat,what\n-77,38.9,x\n"), kind="incidents")


def test_time_column_with_nothing_readable(tmp_path):
    path = write(tmp_path, "n.csv", "lon,lat,date\n-77,38.9,soon\n-77,38.9,later\n")
    with pytest.raises(LayerError, match="holds no date/time this reader understands"):
        read_layer(path, kind="incidents")


def test_override_naming_a_missing_column(tmp_path):
    path = write(tmp_path, "o.csv", "a,b,date\n-77,38.9,2025-01-01\n")
    with pytest.raises(LayerError, match=r"column 'LON' given as `lon=` not found; columns are"):
        read_layer(path, kind="incidents", lon="LON", lat="b")


def test_bad_arguments_listed_together():
    frame = pd.DataFrame({"lon": [1], "lat": [2]})
    with pytest.raises(ValidationError, match=r"(?s)duplicates.*unknown field.*`tz`"):
        read_layer(
            frame, kind="lights", duplicates="maybe", columns={"colour": "c"}, tz="Mars/Base"
        )
    with pytest.raises(ValidationError, match="unknown layer kind 'crimes!'"):
        read_layer(frame, kind="crimes!")


def test_geo_file_without_crs_is_assumed_lonlat_with_warning(tmp_path):
    frame = gpd.GeoDataFrame({"status": ["ok"]}, geometry=[shapely.Point(-77, 38.9)])
    with pytest.warns(HotspotsWarning, match="assumed EPSG:4326"):
        layer = read_layer(frame, kind="lights")
    assert layer.data.crs.to_epsg() == 4326


def test_boundary_errors(tmp_path):
    with pytest.raises(LayerError, match="has no polygon"):
        read_boundary(gpd.GeoSeries([shapely.Point(0, 0)], crs=4326))
    with pytest.raises(LayerError, match="has no CRS"):
        read_boundary(gpd.GeoSeries([shapely.box(0, 0, 1, 1)]))


def test_empty_layer_has_contract_columns():
    assert list(empty_layer("incidents").columns) == [
        "id",
        "source_row",
        "occurred_at",
        "occurred_to",
        "category",
        "description",
        "geometry",
    ]


# --- the real DC files, as published --------------------------------------------------------


def test_real_dc_layers_load_as_published():
    from hotspots import datasets

    paths = datasets.paths("dc")
    inc = read_layer(paths["incidents"], kind="incidents", tz=TZ, boundary=paths["boundary"])
    assert inc.n_read == 702
    assert_accounted(inc)
    assert inc.precision.level == "snapped"
    assert inc.precision.address_column == "BLOCK"
    req = read_layer(paths["concerns"], kind="concerns", tz=TZ, boundary=paths["boundary"])
    assert req.columns["time"] == "ADDDATE"  # epoch milliseconds
    assert req.data["reported_at"].min() >= pd.Timestamp("2025-01-01", tz=TZ)
    lights = read_layer(paths["lights"], kind="lights")
    assert lights.n_loaded == 3963
    assert (lights.columns["lon"], lights.columns["id"]) == ("XCOORD", "STREETLIGHTID")
    stops = read_layer(paths["stops"], kind="stops")
    assert (stops.columns["lon"], stops.columns["lat"]) == ("BSTP_LON", "BSTP_LAT")
    assert stops.n_loaded == 358


# --- files as cities publish them (issue #12) --------------------------------------------------


def _csv_rows(sep: str, decimal: str = ".", minus: str = "-") -> str:
    def num(v: float) -> str:
        return f"{v:.4f}".replace(".", decimal).replace("-", minus)

    lines = [sep.join(["id", "date", "lon", "lat"])]
    for i in range(6):
        lon, lat = -77.03 + i * 1e-3, 38.9 + i * 1e-3
        cells = [f"r{i}", "2025-01-02 10:00", num(lon), num(lat)]
        if decimal == "," and sep == ",":
            cells = [f'"{c}"' if "," in c else c for c in cells]
        lines.append(sep.join(cells))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("semicolon_decimal_comma.csv", _csv_rows(";", ",")),
        ("tabs.txt", _csv_rows("\t")),
        ("pipes.csv", _csv_rows("|")),
        ("quoted_decimal_comma.csv", _csv_rows(",", ",")),
        ("unicode_minus.csv", _csv_rows(",", ".", "\u2212")),
    ],
)
def test_delimiters_decimal_commas_and_minus_signs(tmp_path, name, text):
    """These failed with a hint to name lon/lat, or rejected the whole layer at exit 0."""
    layer = read_layer(write(tmp_path, name, text), kind="incidents", tz=TZ, as_of=AS_OF)
    assert layer.n_loaded == 6, layer.rejected
    assert layer.data.geometry.x.iloc[0] == pytest.approx(-77.03)


def test_nbsp_inside_numbers(tmp_path):
    text = "id,date,lon,lat\nr1,2025-01-02 10:00,\u221277.03\u00a0,38.90\n"
    layer = read_layer(write(tmp_path, "n.csv", text), kind="incidents", tz=TZ, as_of=AS_OF)
    assert layer.n_loaded == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig", "cp1252"])
def test_encodings_detected(tmp_path, encoding):
    """UTF-16 from Excel showed garbled headers."""
    text = _csv_rows("\t" if encoding.startswith("utf-16") else ",").replace("r0", "Café")
    path = tmp_path / "e.csv"
    path.write_bytes(text.encode(encoding))
    layer = read_layer(path, kind="incidents", tz=TZ, as_of=AS_OF)
    assert layer.columns["lon"] == "lon" and layer.n_loaded == 6
    assert layer.data["id"].iloc[0] == "Café"


def test_ragged_rows_rejected_one_by_one(tmp_path):
    """One ragged row rejected the whole CSV."""
    text = (
        "id,date,lon,lat\n"
        "r1,2025-01-02 10:00,-77.03,38.90\n"
        "r2,2025-01-02 10:00,-77.03,38.90,extra,cells\n"
        "r3,2025-01-03 10:00,-77.02,38.91\n"
    )
    layer = read_layer(write(tmp_path, "r.csv", text), kind="incidents", tz=TZ, as_of=AS_OF)
    assert layer.n_read == 3 and layer.n_loaded == 2
    rej = layer.rejected.iloc[0]
    assert (rej["row"], rej["reason"]) == (2, "malformed_row")
    assert "6 fields, the header has 4" in rej["detail"]
    assert "__hotspots_malformed__" not in layer.data.columns


def test_geojson_in_projected_units_without_crs(tmp_path):
    """Rejected row by row at exit 0 although the README promises an error."""
    path = tmp_path / "p.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"date": "2025-01-02"}, "geometry": {"type": "Point", "coordinates": '
        "[397115.8, 137977.2]}}]}"
    )
    with pytest.raises(LayerError, match="projected coordinates.*Pass crs="):
        read_layer(path, kind="incidents", tz=TZ, as_of=AS_OF)
    layer = read_layer(path, kind="incidents", tz=TZ, as_of=AS_OF, crs=26985)
    assert layer.n_loaded == 1


def test_single_part_multipoints_accepted(tmp_path):
    """Single-part MultiPoints were refused."""
    gdf = gpd.GeoDataFrame(
        {"date": ["2025-01-02", "2025-01-03"]},
        geometry=[
            shapely.MultiPoint([(-77.03, 38.9)]),
            shapely.MultiPoint([(-77.03, 38.9), (-77.02, 38.91)]),
        ],
        crs=4326,
    )
    layer = read_layer(gdf, kind="incidents", tz=TZ, as_of=AS_OF)
    assert layer.n_loaded == 1
    assert layer.data.geometry.iloc[0].geom_type == "Point"
    assert layer.rejected["reason"].tolist() == ["wrong_geometry_type"]


def test_geopackage_with_several_layers_needs_layer(tmp_path):
    """A GeoPackage with two point layers silently read the first."""
    path = tmp_path / "two.gpkg"
    pts = gpd.GeoDataFrame({"date": ["2025-01-02"]}, geometry=[shapely.Point(-77, 38.9)], crs=4326)
    pts.to_file(path, layer="crimes")
    pts.to_file(path, layer="arrests")
    with pytest.raises(LayerError, match=r"holds 2 layers: 'crimes'.*'arrests'.*layer="):
        read_layer(path, kind="incidents", tz=TZ, as_of=AS_OF)
    assert read_layer(path, kind="incidents", tz=TZ, as_of=AS_OF, layer="arrests").n_loaded == 1


def test_shapefile_missing_parts_named(tmp_path):
    """A shapefile without .dbf got a misleading message."""
    pts = gpd.GeoDataFrame({"date": ["2025-01-02"]}, geometry=[shapely.Point(-77, 38.9)], crs=4326)
    pts.to_file(tmp_path / "s.shp")
    (tmp_path / "s.dbf").unlink()
    with pytest.raises(LayerError, match=r"s\.shp: the shapefile's \.dbf part\(s\) are missing"):
        read_layer(tmp_path / "s.shp", kind="incidents", tz=TZ, as_of=AS_OF)


def test_gtfs_stops_only_boarding_stops(tmp_path):
    """GTFS stops.txt was read as if every row were a bus stop."""
    text = (
        "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station,vehicle_type\n"
        "1,Centre St @ Grove St,42.30,-71.10,0,,3\n"
        "2,Centre St @ Grove St,42.3001,-71.1001,,,3\n"
        "place-x,Some Station,42.31,-71.11,1,,\n"
        "door-1,Some Station - Entrance,42.311,-71.111,2,place-x,\n"
        "node-1,Some Station - Node,,,3,place-x,\n"
        "70001,Some Station - Platform,42.31,-71.11,0,place-x,1\n"
    )
    layer = read_layer(write(tmp_path, "stops.txt", text), kind="stops")
    assert layer.data["id"].tolist() == ["1", "2"]
    assert layer.rejected["reason"].tolist() == [
        "not_a_boarding_stop",
        "not_a_boarding_stop",
        "not_a_boarding_stop",
        "not_a_bus_stop",
    ]
    assert "location_type=3 (generic node)" in layer.rejected["detail"].iloc[2]


# 66 status words and phrases as published by street-light and 311 systems
STATUS_WORDS = {
    "out": [
        "Not in service", "Not functioning", "Non-functional", "Not operating", "Out",
        "Lamp out", "Light out", "Outage", "Off", "Dark", "Broken", "Damaged", "Knocked down",
        "Pole down", "Needs repair", "Repair required", "Pending repair", "Awaiting repair",
        "Under repair", "Out of service", "Out of order", "Non-operational", "Not operational",
        "Inoperable", "Inactive", "De-energized", "Removed", "Burnt out", "Burned out",
        "Not OK", "Faulty", "Unlit", "Not lit", "Cycling", "Flickering", "Not working",
        "FAILED", "Lamp failure",
    ],
    "working": [
        "No fault found", "No outage", "Repair completed", "Fault cleared", "Not out",
        "Working", "On", "In service", "Operational", "Active", "Energized", "Functional",
        "Good", "OK", "Fixed", "Restored", "Resolved", "Lamp replaced", "No issues", "Lit",
        "Functioning", "In operation", "Repaired", "Back in service",
    ],
    "unknown": ["Unknown", "Planned", "Proposed", "", "Fair"],
}  # fmt: skip


def test_light_status_words_with_negations():
    """'Not in service' read as working and 'No fault found' as out."""
    from hotspots._reader import normalise_status

    words = [w for ws in STATUS_WORDS.values() for w in ws]
    assert len(words) >= 50
    got = dict(zip(words, normalise_status(pd.Series(words), "status"), strict=True))
    wrong = {w: got[w] for want, ws in STATUS_WORDS.items() for w in ws if got[w] != want}
    assert wrong == {}
