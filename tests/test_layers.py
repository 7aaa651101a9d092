"""The layer-kind registry: a new kind is one registration, then every reader takes it."""

from __future__ import annotations

import dataclasses
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from hotspots import (
    LayerField,
    Settings,
    Study,
    ValidationError,
    build_study,
    cli,
    combine_events,
    datasets,
    read_layer,
    register_layer_kind,
)
from hotspots.io import empty_layer
from hotspots.layers import get_layer_kind, layer_kinds, registered_layer_kind

TZ = "America/New_York"
BUILT_IN = ("incidents", "concerns", "lights", "stops", "obstructions")
# three vacant buildings in downtown DC, a 0/0 row and one without coordinates
VACANT_CSV = """parcel,lon,lat,condition
V1,-77.0300,38.9000,boarded
V2,-77.0310,38.9010,open to trespass
V3,-77.0320,38.9020,boarded
V4,0,0,boarded
V5,,,unknown
"""


@pytest.fixture
def vacant():
    """A point kind `vacant` (vacant buildings with a status), registered for one test."""
    before = layer_kinds()
    with registered_layer_kind(
        "vacant",
        geometry="point",
        help_text="vacant buildings (points; a status column says how open they are)",
        fields=[LayerField("status", ("status", "condition", "vacancy_status"))],
        id_names=("id", "parcel", "ssl"),
    ) as kind:
        yield kind
    assert layer_kinds() == before  # the registry is left as it was


@pytest.fixture
def vacant_csv(tmp_path):
    path = tmp_path / "vacant.csv"
    path.write_text(VACANT_CSV, encoding="utf-8")
    return path


def test_built_in_kinds_are_registry_entries():
    assert layer_kinds()[:5] == BUILT_IN
    assert [get_layer_kind(k).is_event for k in BUILT_IN] == [True, True, False, False, False]
    assert get_layer_kind("bus stops").name == "stops"
    assert get_layer_kind("obstructions").geometry == "polygon_or_line"
    for kind in BUILT_IN:  # the empty frame of a kind has the columns its fields give
        spec = get_layer_kind(kind)
        assert list(empty_layer(kind).columns) == [
            "id",
            "source_row",
            *(f.column for f in spec.fields),
            "geometry",
        ]


def test_read_layer_takes_a_registered_kind(vacant, vacant_csv):
    layer = read_layer(vacant_csv, kind="vacant")
    assert layer.kind == "vacant"
    assert list(layer.data["id"]) == ["V1", "V2", "V3"]
    assert list(layer.data["status"]) == ["boarded", "open to trespass", "boarded"]
    assert layer.columns == {"lon": "lon", "lat": "lat", "id": "parcel", "status": "condition"}
    assert set(layer.rejected["reason"]) == {"zero_coordinates", "missing_coordinates"}
    assert set(layer.rejected["layer"]) == {"vacant"}
    assert list(empty_layer("vacant").columns) == ["id", "source_row", "status", "geometry"]


def test_build_study_holds_a_registered_kind(vacant, vacant_csv):
    paths = datasets.paths("dc")
    study = build_study(incidents=paths["incidents"], vacant=vacant_csv, tz=TZ)
    assert set(study.layers) == {"incidents", "vacant"}
    frame = study.layer("vacant")
    assert frame is study.layers["vacant"].data
    assert len(frame) == 3 and frame.crs == study.crs  # projected with the rest
    summary = study.summary()
    assert summary.loc["vacant", "loaded"] == 3 and summary.loc["vacant", "rejected"] == 2
    assert "vacant" in repr(study)
    assert set(study.rejected.loc[study.rejected["layer"] == "vacant", "reason"]) == {
        "zero_coordinates",
        "missing_coordinates",
    }
    # read options by kind, as for the built-in kinds
    study = build_study(
        incidents=paths["incidents"],
        vacant=vacant_csv,
        tz=TZ,
        read_options={"vacant": {"columns": {"status": "parcel"}}},
    )
    assert list(study.layer("vacant")["status"]) == ["V1", "V2", "V3"]


def test_absent_kind_is_an_empty_frame_of_the_right_shape(vacant):
    study = datasets.load_study("dc")
    frame = study.layer("vacant")
    assert frame.empty and frame.crs == study.crs
    assert list(frame.columns) == ["id", "source_row", "status", "geometry"]
    assert "vacant" not in study.layers
    assert study.summary().loc["vacant", "loaded"] == 0


def test_unknown_layer_keyword_is_named_with_the_kinds():
    with pytest.raises(ValidationError, match=r"`vacant` is not an option.*register_layer_kind"):
        build_study(incidents=datasets.paths("dc")["incidents"], vacant="x.csv", tz=TZ)
    with pytest.raises(ValidationError, match="unknown layer kind 'vacant'"):
        read_layer(datasets.paths("dc")["stops"], kind="vacant")


def test_cli_option_comes_from_the_registry(vacant, vacant_csv, tmp_path, capsys):
    assert cli.main(["analyze", "--help"]) == 0
    help_text = capsys.readouterr().out
    for option in ("--vacant FILE", "--vacant-lon", "--vacant-lat", "--vacant-column"):
        assert option in help_text, option
    assert "--vacant-time" not in help_text  # not an event layer
    assert "vacant buildings" in help_text

    paths = datasets.paths("dc")
    out = tmp_path / "out"
    code = cli.main(
        ["-q", "analyze", "--incidents", str(paths["incidents"]), "--tz", TZ,
         "--boundary", str(paths["boundary"]), "--vacant", str(vacant_csv),
         "--vacant-column", "status=condition", "--out", str(out)]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["layers"]["vacant"]["loaded"] == 3
    assert run["layers"]["vacant"]["columns"]["status"] == "condition"
    rejected = pd.read_csv(out / "rejected.csv")
    assert (rejected["layer"] == "vacant").sum() == 2


def test_cli_forgets_an_unregistered_kind(vacant_csv, capsys):
    with registered_layer_kind("vacant", geometry="point", help_text="vacant buildings"):
        pass
    assert cli.main(["analyze", "--help"]) == 0
    assert "--vacant" not in capsys.readouterr().out


def test_polygon_kind_and_event_kind(tmp_path):
    lots = gpd.GeoDataFrame(
        {"use": ["vacant lot", "parking"]},
        geometry=[shapely.box(-77.031, 38.90, -77.030, 38.901), shapely.Point(-77.03, 38.9)],
        crs=4326,
    )
    noise_csv = tmp_path / "noise.csv"
    noise_csv.write_text(
        "lon,lat,heard\n-77.03,38.90,2025-01-05 23:10\n-77.03,38.90,2025-01-06 23:40\n",
        encoding="utf-8",
    )
    with (
        registered_layer_kind(
            "lots",
            geometry="polygon_or_line",
            help_text="vacant lots (polygons)",
            fields=[LayerField("use", ("use", "land_use"))],
        ),
        registered_layer_kind(
            "noise",
            geometry="point",
            help_text="noise complaints (points with a date/time)",
            fields=[LayerField("time", ("heard",), column="heard_at", parse="time")],
            event_source="noise",
        ),
    ):
        layer = read_layer(lots, kind="lots")
        assert list(layer.data["use"]) == ["vacant lot"]
        assert list(layer.rejected["reason"]) == ["wrong_geometry_type"]
        study = build_study(lots=lots, noise=noise_csv, tz=TZ)
        assert study.time_columns()["noise"] == "heard_at"
        assert str(study.time_span()[0]) == "2025-01-05 23:10:00-05:00"
        events = combine_events(study)
        assert list(events["source"]) == ["noise", "noise"]
        assert str(events["time"].dt.tz) == TZ


def test_register_lists_every_problem_at_once():
    with pytest.raises(ValidationError) as info:
        register_layer_kind(
            "lights",
            geometry="area",
            help_text=" ",
            fields=[LayerField("lon"), LayerField("x", parse="date")],
        )
    text = str(info.value)
    for fragment in ("already a registered", "`geometry`", "`help_text`", "'lon'", "`parse`"):
        assert fragment in text, fragment
    assert layer_kinds()[:5] == BUILT_IN and len(layer_kinds()) == 5


def test_study_built_from_frames_and_replaced_keeps_one_mapping():
    dc = datasets.load_study("dc")
    direct = Study(
        name="x", crs=dc.crs, tz=TZ, settings=Settings(), incidents=dc.incidents,
        lights=dc.lights, stops=dc.stops.iloc[:0], boundary=None, rejected=dc.rejected,
    )  # fmt: skip
    assert direct.incidents is dc.incidents
    assert set(direct.layers) == {"incidents", "lights"}  # empty frames make no record
    assert direct.stops.empty and direct.obstructions.empty
    fewer = dataclasses.replace(dc, lights=dc.lights.iloc[:10])
    assert len(fewer.lights) == 10 and fewer.layers["lights"].n_loaded == 10
    assert fewer.incidents is dc.incidents and fewer.layers["incidents"] is dc.layers["incidents"]
    assert fewer.obstructions is dc.obstructions and "obstructions" not in fewer.layers
