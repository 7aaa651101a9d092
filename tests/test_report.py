"""The report on the generated scene: files, layers, CSV columns, run record, Markdown."""

from __future__ import annotations

import json
import re
import warnings

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from hotspots import datasets, diagnose, find_hotspots, recommend, write_report
from hotspots._escape import markdown_text
from hotspots.assessment import assess
from hotspots.forecast import compare_forecasts
from hotspots.report import OUTPUT_FILES

REC_COLUMNS = ["cluster_id", "fix", "target_id", "priority", "evidence", "lon", "lat"]
TEXT_FILES = ("hotspots.csv", "recommendations.csv", "rejected.csv", "report.md", "run.json")


@pytest.fixture(scope="module")
def scene():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the scene's messy rows warn on purpose
        study = datasets.load_study("scene")
    clusters = diagnose(study, find_hotspots(study))
    return study, clusters, recommend(clusters)


@pytest.fixture(scope="module")
def report(scene, tmp_path_factory):
    study, clusters, recs = scene
    out = tmp_path_factory.mktemp("report")
    files = write_report(study, clusters, recs, out)
    return out, files


@pytest.fixture(scope="module")
def extras(scene):
    study, _, _ = scene
    truth = datasets.load_truth()
    row = truth.loc[truth["kind"] == "intervention"].iloc[0]
    centre = gpd.GeoSeries([shapely.Point(row["x_m"], row["y_m"])], crs=32630).to_crs(study.crs)
    assessment = assess(
        study, centre.iloc[0].buffer(30), intervention_date=row["intervention_date"],
        before_days=90,
    )  # fmt: skip
    forecast = compare_forecasts(study, ("grid", "kde"), train_until="2025-05-01", test_days=60)
    return assessment, forecast


def _wgs_bounds(study):
    return gpd.GeoSeries([study.boundary], crs=study.crs).to_crs(4326).total_bounds


def test_every_output_file_exists(report):
    out, files = report
    assert sorted(files) == sorted(OUTPUT_FILES)
    for name in OUTPUT_FILES:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name


def test_gpkg_layers_open_with_crs_and_row_counts(scene, report):
    study, clusters, recs = scene
    out, _ = report
    names = [name for name, _ in pyogrio.list_layers(out / "hotspots.gpkg")]
    assert names == ["hotspots", "recommendations", "bursts"]  # the scene plants one burst
    bursts = pd.read_csv(out / "bursts.csv")
    assert len(bursts) == len(clusters.attrs["bursts"]) == 1
    assert bursts["cluster_id"].iloc[0].startswith("B") and bursts["lon"].notna().all()
    assert "one-off burst set aside" in (out / "report.md").read_text(encoding="utf-8")
    hot = gpd.read_file(out / "hotspots.gpkg", layer="hotspots")
    rec = gpd.read_file(out / "hotspots.gpkg", layer="recommendations")
    assert hot.crs == study.crs and rec.crs == study.crs
    assert len(hot) == len(clusters) and len(rec) == len(recs)
    assert set(hot["cluster_id"]) == set(clusters["cluster_id"])


def test_csvs_have_wgs84_lon_lat_in_the_scene_and_the_columns(scene, report):
    study, clusters, recs = scene
    out, _ = report
    west, south, east, north = _wgs_bounds(study)
    for name, n in (("hotspots.csv", len(clusters)), ("recommendations.csv", len(recs))):
        table = pd.read_csv(out / name, keep_default_na=False)
        assert len(table) == n
        assert set(REC_COLUMNS) <= set(table.columns), name
        assert table["lon"].between(west, east).all(), name
        assert table["lat"].between(south, north).all(), name
    rec = pd.read_csv(out / "recommendations.csv", keep_default_na=False)
    assert list(rec[REC_COLUMNS].columns) == REC_COLUMNS
    # each hot spot's row names its top fix, as the recommendations rank it
    hot = pd.read_csv(out / "hotspots.csv", keep_default_na=False).set_index("cluster_id")
    best = recs.sort_values("priority", ascending=False).drop_duplicates("cluster_id")
    for row in best.itertuples():
        assert hot.loc[row.cluster_id, "fix"] == row.fix


def test_list_and_dict_columns_are_json_text(scene, report):
    _, clusters, _ = scene
    out, _ = report
    hot = pd.read_csv(out / "hotspots.csv", keep_default_na=False)
    hours = [json.loads(v) for v in hot["hour_profile"]]
    assert all(isinstance(h, list) and len(h) == 24 for h in hours)
    assert hours[0] == [float(x) for x in clusters["hour_profile"].iloc[0]]
    assert all(isinstance(json.loads(v), dict) for v in hot["categories"])
    rec = pd.read_csv(out / "recommendations.csv", keep_default_na=False)
    assert all(isinstance(json.loads(v), list) for v in rec["triggered_by"])


def test_rejected_rows_are_listed_with_source_row_reason_original(scene, report):
    study, _, _ = scene
    out, _ = report
    rejected = pd.read_csv(out / "rejected.csv", keep_default_na=False)
    assert {"source", "row", "reason", "original"} <= set(rejected.columns)
    assert len(rejected) == len(study.rejected) > 0
    # the scene's planted bad rows: empty coordinates, 0/0, an impossible date, a duplicate
    assert {"missing_coordinates", "zero_coordinates", "unparseable_time", "duplicate"} <= set(
        rejected["reason"]
    )
    bad_date = rejected.loc[rejected["reason"] == "unparseable_time"].iloc[0]
    assert json.loads(bad_date["original"])["occurred"] == "31/31/2025 25:61:00"
    assert bad_date["source"].endswith("incidents.csv") and int(bad_date["row"]) > 0


def test_run_json_records_parameters_versions_and_counts(scene, report):
    study, _, _ = scene
    out, _ = report
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["study"] == study.name
    assert run["settings"]["light_radius_m"] == study.settings.light_radius_m
    assert run["clustering"]["eps_m"] > 0
    assert {"hotspots", "python", "pandas", "geopandas", "shapely"} <= set(run["versions"])
    for kind, rec in study.layers.items():
        entry = run["layers"][kind]
        assert (entry["read"], entry["loaded"], entry["rejected"]) == (
            rec.n_read, rec.n_loaded, rec.n_rejected,
        )  # fmt: skip
    assert run["layers"]["incidents"]["rejected"] > 0
    assert "assessment" not in run and "forecast" not in run


def test_report_md_names_study_period_parameters_places_fixes_caveats(scene, report):
    study, clusters, recs = scene
    out, _ = report
    text = (out / "report.md").read_text(encoding="utf-8")
    first, last = study.time_span()
    assert text.startswith(f"# {markdown_text(study.name)}\n")  # data text is escaped
    assert f"{first:%Y-%m-%d}" in text and f"{last:%Y-%m-%d}" in text
    assert "## Parameters" in text and f"{study.settings.light_radius_m:.0f} m" in text
    top = recs.sort_values("priority", ascending=False).iloc[0]
    assert f"**#1 {markdown_text(top['cluster_id'])}**" in text and f"`{top['fix']}`" in text
    # each place: where, when, what; numbers rounded to what they mean
    assert "   - busiest: " in text and "   - what: " in text
    assert not re.search(r"\d\.\d{6,}", text), "a raw float in report.md"
    assert markdown_text(top["evidence"]) in text
    assert "## Caveats" in text
    assert "## Assessment" not in text and "## Forecast accuracy" not in text


def test_report_is_deterministic(scene, report, tmp_path):
    study, clusters, recs = scene
    out, _ = report
    write_report(study, clusters, recs, tmp_path)
    for name in TEXT_FILES:  # no timestamps anywhere: byte-identical
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
    for layer in ("hotspots", "recommendations"):  # the GPKG records its write time
        a = gpd.read_file(out / "hotspots.gpkg", layer=layer)
        b = gpd.read_file(tmp_path / "hotspots.gpkg", layer=layer)
        pd.testing.assert_frame_equal(a, b)


def test_assessment_and_forecast_sections(scene, extras, tmp_path):
    study, clusters, recs = scene
    assessment, forecast = extras
    files = write_report(study, clusters, recs, tmp_path, assessment=assessment,
                         forecast=forecast)  # fmt: skip
    assert sorted(files) == sorted([*OUTPUT_FILES, "assessment.csv", "forecast.csv"])
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Assessment" in text and markdown_text(assessment.summary()) in text
    assert "| slice | treated\\_before |" in text and "| night |" in text
    assert "## Forecast accuracy" in text and "| kde | 0.05 |" in text
    table = pd.read_csv(tmp_path / "assessment.csv", keep_default_na=False)
    assert list(table["slice"]) == ["all", "night", "day"]
    assert table.loc[0, "treated_before"] == assessment.counts.loc[("treated", "before"), "all"]
    assert len(pd.read_csv(tmp_path / "forecast.csv")) == len(forecast)
    areas = gpd.read_file(tmp_path / "hotspots.gpkg", layer="assessment_areas")
    assert list(areas["area"]) == ["treated", "buffer", "control"] and areas.crs == study.crs
    run = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert run["assessment"]["parameters"]["buffer_m"] == 200.0
    assert run["assessment"]["overall"]["rate_ratio"] == pytest.approx(assessment.rate_ratio)
    assert run["forecast"]["rows"] == len(forecast)
    assert run["forecast"]["parameters"]["cell_m"] == 50.0


def test_bad_assessment_or_forecast_is_refused(scene, tmp_path):
    study, clusters, recs = scene
    from hotspots import ValidationError

    with pytest.raises(ValidationError, match="`assessment` must be"):
        write_report(study, clusters, recs, tmp_path, assessment="not one")
    with pytest.raises(ValidationError, match="`forecast` must be"):
        write_report(study, clusters, recs, tmp_path, forecast=pd.DataFrame({"x": [1]}))
