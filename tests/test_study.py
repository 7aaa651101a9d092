"""Study: one metric CRS, settings, rejected rows, summaries."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from hotspots import (
    CRSError,
    HotspotsWarning,
    LayerError,
    Settings,
    Study,
    ValidationError,
    build_study,
    combine_events,
    datasets,
    read_layer,
)

TZ = "America/New_York"


@pytest.fixture(scope="module")
def dc():
    return datasets.load_study("dc")


def test_dc_study_in_one_metric_crs(dc):
    assert dc.crs.to_epsg() == 32618  # UTM 18N, chosen from the data
    for kind in ("incidents", "concerns", "lights", "stops", "obstructions"):
        layer = dc.layer(kind)
        assert layer.crs == dc.crs, kind
    # every row is accounted for, per layer
    for kind, rec in dc.layers.items():
        assert rec.n_loaded + rec.n_rejected == rec.n_read, kind
    assert len(dc.rejected) == sum(r.n_rejected for r in dc.layers.values())
    assert dc.obstructions.empty  # not given: empty, with the contract's columns
    assert "kind" in dc.obstructions.columns


def test_dc_summary_and_reprs(dc):
    summary = dc.summary()
    assert summary.loc["incidents", "read"] == 702
    assert summary.loc["incidents", "location_precision"] == "snapped"
    by_reason = dc.rejections_by_reason()
    assert set(by_reason["reason"]) == {
        "outside_study_area",
        "missing_time",
        "outside_study_period",
    }
    html = dc._repr_html_()
    assert "EPSG:32618" in html and "outside_study_period" in html
    text = repr(dc)
    assert "incidents" in text and "rejected" in text


def test_period_rejects_late_reported_offences(dc):
    rej = dc.rejected[dc.rejected["reason"] == "outside_study_period"]
    assert len(rej) == 24
    assert dc.incidents["occurred_at"].min() >= pd.Timestamp("2025-01-01", tz=TZ)


def test_crs_override_and_errors(tmp_path):
    path = tmp_path / "i.csv"
    path.write_text("lon,lat,date\n-77.03,38.9,2025-01-01\n-77.02,38.91,2025-01-02\n")
    study = build_study(incidents=path, crs=26985, tz=TZ)
    assert study.crs.to_epsg() == 26985
    assert study.incidents.crs.to_epsg() == 26985
    with pytest.raises(CRSError, match="must be a projected CRS in metres"):
        build_study(incidents=path, crs=4326)
    with pytest.raises(CRSError, match="not metres"):
        build_study(incidents=path, crs=2248)  # Maryland State Plane, US feet


def test_layers_given_as_frames_and_layer_objects():
    frame = pd.DataFrame(
        {"lon": [-77.03, -77.02], "lat": [38.90, 38.91], "date": ["2025-01-01"] * 2}
    )
    layer = read_layer(frame, kind="incidents", tz=TZ)
    lights = gpd.GeoDataFrame({"status": ["out"]}, geometry=[shapely.Point(-77.03, 38.9)], crs=4326)
    study = build_study(incidents=layer, lights=lights, tz=TZ)
    assert study.lights["status"].tolist() == ["out"]
    assert study.crs.is_projected
    with pytest.raises(ValidationError, match="was given a Layer of kind 'incidents'"):
        build_study(concerns=layer)


def test_boundary_chooses_crs_and_rejects_outside(tmp_path):
    frame = pd.DataFrame({"lon": [-77.03, -70.0], "lat": [38.90, 40.0], "date": ["2025-01-01"] * 2})
    study = build_study(incidents=frame, boundary=shapely.box(-77.06, 38.88, -77.0, 38.92), tz=TZ)
    assert len(study.incidents) == 1
    assert study.rejected["reason"].tolist() == ["outside_study_area"]
    assert study.boundary.area > 1e6  # m², in the metric CRS


def test_read_options_and_bad_arguments(tmp_path):
    path = tmp_path / "i.csv"
    path.write_text("a,b,when\n-77.03,38.9,2025-01-01\n")
    opts = {"incidents": {"lon": "a", "lat": "b"}}
    study = build_study(incidents=path, tz=TZ, read_options=opts)
    assert len(study.incidents) == 1
    with pytest.raises(ValidationError, match="unknown layer kind"):
        build_study(incidents=path, read_options={"crimes": {}})
    with pytest.raises(ValidationError, match="starts after it ends"):
        build_study(incidents=path, read_options=opts, period=("2025-02-01", "2025-01-01"))
    with pytest.raises(ValidationError, match="must be a hotspots.Settings"):
        build_study(incidents=path, read_options=opts, settings={"min_days": 3})
    # every event rejected: a warning naming the layer, then an error (exit 2 on the CLI)
    with (
        pytest.warns(HotspotsWarning, match="every row of the incidents layer"),
        pytest.raises(LayerError, match="no incident or concern row could be used"),
    ):
        build_study(incidents=path, read_options=opts, period=("2030-01-01", None))


def test_combine_events_keeps_sources(dc):
    events = combine_events(dc)
    assert len(events) == len(dc.incidents) + len(dc.concerns)
    assert events["source"].value_counts().to_dict() == {
        "incident": len(dc.incidents),
        "concern": len(dc.concerns),
    }
    assert events["event_id"].is_unique
    assert str(events["time"].dt.tz) == TZ
    assert events.crs == dc.crs
    empty = Study(
        name="x", crs=dc.crs, tz=TZ, settings=Settings(),
        incidents=dc.incidents.iloc[:0], concerns=dc.concerns.iloc[:0], lights=dc.lights,
        stops=dc.stops, obstructions=dc.obstructions, boundary=None, rejected=dc.rejected,
    )  # fmt: skip
    with pytest.raises(LayerError, match="no incidents and no concerns"):
        combine_events(empty)
