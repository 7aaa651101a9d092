"""The report a problem-solving team and other tools read: GeoPackage, CSV, Markdown, JSON.

:func:`write_report` writes, into one folder:

- ``hotspots.gpkg`` with layers ``hotspots`` (one polygon per recurring place) and
  ``recommendations`` (one point per fix target), in the study CRS, opening in QGIS/ArcGIS;
- ``hotspots.csv`` and ``recommendations.csv`` in WGS84 with ``lon``/``lat`` of each hot spot's
  centre (``recommendations.csv`` has at least ``cluster_id, fix, target_id, priority,
  evidence, lon, lat``);
- ``rejected.csv``: every row the readers could not use (source file, row, reason, detail,
  original row);
- ``report.md``: a short summary (study, parameters, top places and fixes with evidence,
  caveats);
- ``run.json``: parameters, versions and row counts, so a run can be repeated.

With an assessment (:func:`hotspots.assess`) also ``assessment.csv`` (one row per slice:
all, night, day) and the layer ``assessment_areas`` in ``hotspots.gpkg``; with a forecast
comparison (:func:`hotspots.compare_forecasts`) ``forecast.csv``. Both get a section in
``report.md`` and an entry in ``run.json``.

List and dict cells are written as JSON text. Nothing written depends on the clock: the same
inputs give the same CSV, Markdown and JSON bytes (the GeoPackage records its write time).

Text from the data or the arguments (ids, names, categories, evidence quoting them, the
study name, file names) is escaped for each format by :mod:`hotspots._escape`: every
``report.md`` line built from it goes through ``markdown_text`` (no raw HTML, link or
heading from data renders), every CSV through ``csv_frame`` (a cell such as ``=2+5``
is written ``'=2+5``; numbers stay numbers), and ``run.json`` is built as a dict and
serialised by ``json.dumps`` only. The files are written straight into `out_dir`; the
command line writes them into a staging folder and moves them in together (see
:mod:`hotspots._output`).
"""

from __future__ import annotations

import json
import logging
import platform
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from hotspots import _columns as C
from hotspots import fixes
from hotspots._errors import ValidationError, raise_problems
from hotspots._escape import csv_frame, markdown_text
from hotspots.study import Study

if TYPE_CHECKING:  # only for type hints
    from hotspots.assessment import Assessment

__all__ = ["OUTPUT_FILES", "write_report"]

log = logging.getLogger(__name__)

OUTPUT_FILES = (
    "hotspots.gpkg",
    "hotspots.csv",
    "recommendations.csv",
    "rejected.csv",
    "report.md",
    "run.json",
)
"""Files :func:`write_report` writes (``map.html`` is written by :func:`hotspots.make_map`)."""
ASSESSMENT_FILE = "assessment.csv"
FORECAST_FILE = "forecast.csv"
_PLAIN_NAME = re.compile(r"[a-z][a-z0-9_]*")
"""A fix name of the catalogue, safe to show as a code span."""
TOP_FIX_COLUMNS = ("fix", "target_id", "priority", "evidence")
"""Columns of each hot spot's top recommendation added to ``hotspots.csv`` / the GPKG."""


def _jsonable_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn lists, dicts, tuples and arrays into JSON text and timestamps into ISO text."""
    out = frame.copy()
    geometry = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    for col in out.columns:
        if col == geometry:
            continue
        series = out[col]
        if series.dtype == object:
            sample = series.dropna()
            if len(sample) and isinstance(sample.iloc[0], (list, dict, tuple, np.ndarray)):
                out[col] = [
                    json.dumps(v.tolist() if isinstance(v, np.ndarray) else v, default=str,
                               ensure_ascii=False)
                    for v in series
                ]  # fmt: skip
        elif isinstance(series.dtype, pd.DatetimeTZDtype):
            out[col] = series.map(lambda t: t.isoformat() if pd.notna(t) else "")
    return out


def _lonlat(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    centres = frame.geometry.representative_point() if len(frame) else frame.geometry
    tr = pyproj.Transformer.from_crs(frame.crs, 4326, always_xy=True)
    xy = np.c_[centres.x.to_numpy(), centres.y.to_numpy()] if len(frame) else np.zeros((0, 2))
    lon, lat = tr.transform(xy[:, 0], xy[:, 1])
    return np.round(lon, 6), np.round(lat, 6)


def write_report(
    study: Study,
    clusters: gpd.GeoDataFrame,
    recommendations: gpd.GeoDataFrame,
    out_dir: str | Path,
    *,
    parameters: dict[str, Any] | None = None,
    top_n: int = 10,
    assessment: Assessment | None = None,
    forecast: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Write the report files for a team and for other tools.

    Parameters
    ----------
    study : Study
    clusters : GeoDataFrame
        Diagnosed hot spots (:func:`hotspots.diagnose`), or plain ones from
        :func:`hotspots.find_hotspots`.
    recommendations : GeoDataFrame
        From :func:`hotspots.recommend` (may be empty).
    out_dir : str or Path
        Created if missing; existing report files are replaced.
    parameters : dict, optional
        Extra parameters to record (e.g. the clustering parameters and the command line).
    top_n : int
        Places listed in ``report.md``.
    assessment : Assessment, optional
        From :func:`hotspots.assess`: an "Assessment" section in ``report.md`` (the
        summary and the table of :meth:`Assessment.to_frame`), ``assessment.csv`` and the
        treated / buffer / control polygons as GPKG layer ``assessment_areas``.
    forecast : DataFrame, optional
        From :func:`hotspots.compare_forecasts` (or :func:`hotspots.evaluate_forecast`): a
        "Forecast accuracy" table in ``report.md`` and ``forecast.csv``.

    Returns
    -------
    dict of str to Path
        The files written, keyed by file name: `OUTPUT_FILES`, plus ``assessment.csv``
        and ``forecast.csv`` when given.

    Examples
    --------
    >>> import tempfile
    >>> from hotspots import datasets, find_hotspots, diagnose, recommend
    >>> study = datasets.load_study("scene")
    >>> clusters = diagnose(study, find_hotspots(study))
    >>> files = write_report(study, clusters, recommend(clusters), tempfile.mkdtemp())
    >>> sorted(files) == sorted(OUTPUT_FILES)
    True
    """
    if not isinstance(study, Study):
        raise ValidationError(f"`study` must be a hotspots.Study, got {type(study).__name__}")
    _check_extras(assessment, forecast)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {name: out / name for name in OUTPUT_FILES}
    if assessment is not None:
        files[ASSESSMENT_FILE] = out / ASSESSMENT_FILE
    if forecast is not None:
        files[FORECAST_FILE] = out / FORECAST_FILE
    params = _parameters(study, clusters, parameters)
    if assessment is not None:
        params["assessment"] = _assessment_record(assessment)
    if forecast is not None:
        params["forecast"] = {
            "rows": len(forecast),
            "parameters": json.loads(json.dumps(forecast.attrs.get("parameters", {}), default=str)),
        }

    hot = _jsonable_cells(_with_top_fix(clusters, recommendations).reset_index(drop=True))
    recs = _jsonable_cells(recommendations.reset_index(drop=True))
    gpkg = files["hotspots.gpkg"]
    if gpkg.exists():
        gpkg.unlink()
    hot.to_file(gpkg, layer="hotspots", driver="GPKG")
    if len(recs):
        recs.to_file(gpkg, layer="recommendations", driver="GPKG")
    else:
        gpd.GeoDataFrame(recs, geometry=recs.geometry, crs=study.crs).to_file(
            gpkg, layer="recommendations", driver="GPKG"
        )

    if assessment is not None:
        areas = assessment.areas.to_crs(study.crs).reset_index(drop=True)
        areas.to_file(gpkg, layer="assessment_areas", driver="GPKG")
        _write_csv(assessment.to_frame().reset_index(), files[ASSESSMENT_FILE])
    if forecast is not None:
        _write_csv(pd.DataFrame(forecast), files[FORECAST_FILE])

    lon, lat = _lonlat(clusters)
    hot_csv = pd.DataFrame(hot.drop(columns=hot.geometry.name)).assign(lon=lon, lat=lat)
    _write_csv(hot_csv, files["hotspots.csv"])
    rec_csv = pd.DataFrame(recs.drop(columns=recs.geometry.name))
    centre = dict(zip(clusters["cluster_id"], zip(lon, lat, strict=True), strict=True))
    rec_csv["lon"] = [centre.get(c, (np.nan, np.nan))[0] for c in rec_csv.get("cluster_id", [])]
    rec_csv["lat"] = [centre.get(c, (np.nan, np.nan))[1] for c in rec_csv.get("cluster_id", [])]
    if len(recommendations):
        tlon, tlat = _lonlat(recommendations)
        rec_csv["target_lon"], rec_csv["target_lat"] = tlon, tlat
    _write_csv(rec_csv, files["recommendations.csv"])
    _write_csv(study.rejected, files["rejected.csv"])
    files["report.md"].write_text(
        _markdown(study, clusters, recommendations, params, top_n, assessment, forecast),
        encoding="utf-8",
    )
    files["run.json"].write_text(
        json.dumps(params, indent=2, default=str, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    log.info("report: %d hot spots, %d recommendations written to %s", len(clusters),
             len(recommendations), out)  # fmt: skip
    return files


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` as CSV with every text cell neutralised for spreadsheets."""
    csv_frame(pd.DataFrame(frame)).to_csv(path, index=False)


def _check_extras(assessment: Any, forecast: Any) -> None:
    problems = []
    if assessment is not None and not all(
        hasattr(assessment, a) for a in ("areas", "to_frame", "summary", "parameters")
    ):
        problems.append(
            f"`assessment` must be a hotspots.Assessment (from hotspots.assess), got "
            f"{type(assessment).__name__}"
        )
    if forecast is not None and not (
        isinstance(forecast, pd.DataFrame) and {"method", "hit_rate"} <= set(forecast.columns)
    ):
        problems.append(
            "`forecast` must be the DataFrame of hotspots.compare_forecasts (columns method, "
            f"coverage, hit_rate, pai, ...), got {type(forecast).__name__}"
        )
    raise_problems(problems, "Invalid arguments to write_report")


def _with_top_fix(clusters: gpd.GeoDataFrame, recs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`clusters` with the fix, target, priority and evidence of each one's top fix."""
    new = [c for c in TOP_FIX_COLUMNS if c not in clusters.columns]
    if not new or "cluster_id" not in clusters or not {"cluster_id", *new} <= set(recs.columns):
        return clusters
    best = (
        pd.DataFrame(recs[["cluster_id", *new]])
        .sort_values(["priority", "fix"], ascending=[False, True], kind="stable")
        .drop_duplicates("cluster_id")
        .set_index("cluster_id")
    )
    out = clusters.copy()
    for col in new:
        out[col] = out["cluster_id"].map(best[col])
    return out


def _assessment_record(assessment: Assessment) -> dict[str, Any]:
    """Return the design and headline statistics of an assessment as JSON-ready values."""
    e = assessment.overall
    stats = {
        k: (None if isinstance(v, float) and not np.isfinite(v) else v)
        for k, v in e.to_dict().items()
        if k in ("rate_ratio", "ci_low", "ci_high", "p_value", "wdq", "wdq_reading", "wdd",
                 "wdd_se", "wdd_z", "wdd_p")
    }  # fmt: skip
    return {
        "parameters": json.loads(json.dumps(dict(assessment.parameters), default=str)),
        "overall": json.loads(json.dumps(stats, default=float)),
        "areas_m2": {
            str(a): round(float(v), 1)
            for a, v in zip(assessment.areas["area"], assessment.areas["area_m2"], strict=True)
        },
    }


def _md_table(frame: pd.DataFrame) -> list[str]:
    """Format `frame` as a Markdown table (3 significant digits, text through markdown_text)."""

    def cell(v: Any) -> str:
        if isinstance(v, (bool, np.bool_)):
            return str(bool(v))
        if isinstance(v, (int, np.integer)):
            return f"{int(v):,}"
        if isinstance(v, (float, np.floating)):
            return "" if not np.isfinite(v) else f"{float(v):.3g}"
        return markdown_text(v)

    cols = [markdown_text(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return lines


def _parameters(
    study: Study, clusters: gpd.GeoDataFrame, extra: dict[str, Any] | None
) -> dict[str, Any]:
    import geopandas
    import shapely
    import sklearn

    import hotspots

    first, last = study.time_span()
    return {
        "study": study.name,
        "crs": study.crs.to_string(),
        "timezone": study.tz,
        "period": [str(first) if first is not None else None, str(last) if last else None],
        "settings": study.settings.as_dict(),
        "clustering": dict(clusters.attrs.get("parameters", {})),
        "layers": {
            kind: {
                "source": rec.source,
                "read": rec.n_read,
                "loaded": rec.n_loaded,
                "rejected": rec.n_rejected,
                "columns": dict(rec.columns),
                "location_precision": rec.precision.level,
            }
            for kind, rec in study.layers.items()
        },
        "versions": {
            "hotspots": hotspots.__version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "geopandas": geopandas.__version__,
            "shapely": shapely.__version__,
            "pyproj": pyproj.__version__,
            "scikit-learn": sklearn.__version__,
        },
        **(extra or {}),
    }


def _markdown(
    study: Study,
    clusters: gpd.GeoDataFrame,
    recs: gpd.GeoDataFrame,
    params: dict[str, Any],
    top_n: int,
    assessment: Assessment | None = None,
    forecast: pd.DataFrame | None = None,
) -> str:
    """Return report.md; every string from data or arguments goes through `markdown_text`."""
    md = markdown_text
    first, last = study.time_span()
    lines = [
        f"# {md(study.name)}",
        "",
        f"Events from {first:%Y-%m-%d} to {last:%Y-%m-%d} ({md(study.tz)}); CRS "
        f"{md(study.crs.to_string())}."
        if first is not None
        else "No events.",
        "",
        "## Data",
        "",
        "| layer | read | loaded | rejected | location precision |",
        "|---|---:|---:|---:|---|",
    ]
    for kind, rec in study.layers.items():
        lines.append(
            f"| {md(kind)} | {rec.n_read:,} | {rec.n_loaded:,} | {rec.n_rejected:,} | "
            f"{md(rec.precision.level)} |"
        )
    by_reason = study.rejections_by_reason()
    if len(by_reason):
        lines += ["", "Rejected rows (all listed in `rejected.csv`): " + "; ".join(
            f"{md(r.layer)} {md(r.reason)} {r.rows:,}" for r in by_reason.itertuples()
        ) + "."]  # fmt: skip
    s = study.settings
    lines += [
        "",
        "## Parameters",
        "",
        f"- recurring: events on at least {s.min_days} distinct days over at least "
        f"{s.span_days} days",
        f"- a light lights {s.light_radius_m:.0f} m around it; a bus stop's waiting area is "
        f"{s.stop_radius_m:.0f} m; after dark = sun {s.twilight_depression_deg:g}\u00b0 below "
        "the horizon",
    ]
    for key, value in params.get("clustering", {}).items():
        lines.append(f"- clustering {md(key)}: {md(value)}")
    lines += ["", f"## Top places and fixes ({min(top_n, len(clusters))} of {len(clusters)})", ""]
    if len(recs):
        best = recs.sort_values("priority", ascending=False).drop_duplicates("cluster_id")
        for row in best.head(top_n).itertuples():
            n = clusters.loc[clusters["cluster_id"] == row.cluster_id, "n_events"]
            fix = f"`{row.fix}`" if _PLAIN_NAME.fullmatch(str(row.fix)) else md(row.fix)
            if row.fix in fixes.catalogue():
                entry = fixes.get_fix(row.fix)
                fix = f"{md(entry.label)} ({fix}; {md(entry.agency)})"
            lines.append(
                f"1. **{md(row.cluster_id)}** ({int(n.iloc[0]) if len(n) else '?'} events) - "
                f"{fix}"
                + (f" at {md(row.target_id)}" if row.target_id else "")
                + f", priority {row.priority:.0f}: {md(row.evidence)}"
            )
    else:
        lines.append("No recommendations.")
    if assessment is not None:
        table = assessment.to_frame().reset_index()
        lines += ["", "## Assessment", "", md(assessment.summary()), "", *_md_table(table), "",
                  f"Counts and statistics per slice also in `{ASSESSMENT_FILE}`; the "
                  "treated, buffer and control areas are the GeoPackage layer "
                  "`assessment_areas`."]  # fmt: skip
    if forecast is not None:
        lines += ["", "## Forecast accuracy", "",
                  "How many of the next events each method's hot spots caught (hit rate), "
                  "relative to the share of the area they cover (PAI) and to the best "
                  "possible (PEI).", "", *_md_table(pd.DataFrame(forecast)), "",
                  f"Also in `{FORECAST_FILE}`."]  # fmt: skip
    lines += [
        "",
        "## Caveats",
        "",
        "- Hot spots are where events were recorded, not every place with a problem: "
        "under-reporting differs between places and offence types.",
        "- Effect sizes are averages from published studies; local results vary. "
        "Assess each fix after it is made (before/after, with the surrounding blocks).",
    ]
    rec = study.layers.get(C.INCIDENTS)
    if rec is not None and rec.precision.level != "point":
        lines.append(f"- Incident locations: {md(rec.precision.note)}.")
    return "\n".join(lines) + "\n"
