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
from hotspots import _map_html as H
from hotspots import fixes
from hotspots._errors import ValidationError, raise_problems
from hotspots._escape import csv_frame, markdown_text
from hotspots._where import LOCATION, place_locations, place_ranks
from hotspots.study import Study

if TYPE_CHECKING:  # only for type hints
    from hotspots.assessment import Assessment

__all__ = ["OUTPUT_FILES", "PUBLIC_FILES", "write_public_report", "write_report"]

log = logging.getLogger(__name__)

OUTPUT_FILES = (
    "hotspots.gpkg",
    "hotspots.csv",
    "bursts.csv",
    "recommendations.csv",
    "rejected.csv",
    "report.md",
    "run.json",
)
"""Files :func:`write_report` writes (``map.html`` is written by :func:`hotspots.make_map`)."""
PUBLIC_FILES = ("places.csv", "grid_counts.csv", "report.md", "run.json")
"""Files :func:`write_public_report` writes (with the public ``map.html``)."""
ASSESSMENT_FILE = "assessment.csv"
_OPTIONAL = ("harm_rank", "confidence")
"""Columns another stage may add; shown in the report when present."""
FORECAST_FILE = "forecast.csv"
_PLAIN_NAME = re.compile(r"[a-z][a-z0-9_]*")
"""A fix name of the catalogue, safe to show as a code span."""
TOP_FIX_COLUMNS = (C.FIX, C.TARGET_ID, C.PRIORITY, C.EVIDENCE)
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

    if LOCATION not in clusters:
        clusters = clusters.assign(**{LOCATION: place_locations(study, clusters)})
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

    # one-off bursts (find_hotspots: recurring only because of their busiest 24 hours):
    # listed apart, never as hot spots; the file is written even when empty, so a folder
    # never keeps an earlier run's bursts
    bursts = clusters.attrs.get("bursts")
    if not isinstance(bursts, gpd.GeoDataFrame):
        bursts = gpd.GeoDataFrame({C.CLUSTER_ID: []}, geometry=[], crs=study.crs)
    bursts = _jsonable_cells(bursts.reset_index(drop=True))
    if len(bursts):
        bursts.to_file(gpkg, layer="bursts", driver="GPKG")
    b_lon, b_lat = _lonlat(bursts) if len(bursts) else ([], [])
    _write_csv(
        pd.DataFrame(bursts.drop(columns=bursts.geometry.name)).assign(lon=b_lon, lat=b_lat),
        files["bursts.csv"],
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
    centre = dict(zip(clusters[C.CLUSTER_ID], zip(lon, lat, strict=True), strict=True))
    rec_csv["lon"] = [centre.get(c, (np.nan, np.nan))[0] for c in rec_csv.get(C.CLUSTER_ID, [])]
    rec_csv["lat"] = [centre.get(c, (np.nan, np.nan))[1] for c in rec_csv.get(C.CLUSTER_ID, [])]
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
    if not new or C.CLUSTER_ID not in clusters or not {C.CLUSTER_ID, *new} <= set(recs.columns):
        return clusters
    best = (
        pd.DataFrame(recs[[C.CLUSTER_ID, *new]])
        .sort_values([C.PRIORITY, C.FIX], ascending=[False, True], kind="stable")
        .drop_duplicates(C.CLUSTER_ID)
        .set_index(C.CLUSTER_ID)
    )
    out = clusters.copy()
    for col in new:
        out[col] = out[C.CLUSTER_ID].map(best[col])
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
        "loading": study.load_record(),
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


def readable(value: Any) -> str:
    """Return a number rounded to what it means (3 significant digits; whole above 1,000).

    Examples
    --------
    >>> readable(8041929.345794345), readable(0.0123456), readable(50.0), readable("dbscan")
    ('8,041,929', '0.0123', '50', 'dbscan')
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (float, int, np.number)):
        return str(value)
    v = float(value)
    if not np.isfinite(v):
        return ""
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def _fix_text(fix: str) -> str:
    md = markdown_text
    text = f"`{fix}`" if _PLAIN_NAME.fullmatch(str(fix)) else md(fix)
    if fix in fixes.catalogue():
        entry = fixes.get_fix(fix)
        text = f"{md(entry.label)} ({text}; {md(entry.agency)})"
    return text


def _place_lines(
    study: Study, clusters: gpd.GeoDataFrame, recs: gpd.GeoDataFrame, top_n: int, *, public: bool
) -> list[str]:
    """Return the top places as a numbered Markdown list, in the map's rank order.

    Each: where (block), how many events and when (dates, busiest hour and days, after
    dark), what (offence mix; team only), harm rank and confidence when the evidence has
    them, and the top fix with its agency (team: target, priority and evidence too).
    """
    md = markdown_text
    if not len(clusters):
        return ["No recurring places."]
    places = clusters.reset_index(drop=True)
    where = (places[LOCATION] if LOCATION in places else place_locations(study, places)).tolist()
    ranks = place_ranks(places, recs)
    by_place = H.recs_by_place(recs)
    rows = pd.DataFrame(places.drop(columns=places.geometry.name)).to_dict("records")
    lines: list[str] = []
    for i in np.argsort(ranks, kind="stable")[:top_n]:
        c = rows[i]
        head = f"1. **#{ranks[i]}**" if public else f"1. **#{ranks[i]} {md(c[C.CLUSTER_ID])}**"
        if where[i]:
            head += f", {md(where[i])}"
        n = int(c.get(C.N_EVENTS, 0) or 0)
        head += f": {n} events"
        first, last = c.get(C.FIRST_SEEN), c.get(C.LAST_SEEN)
        if first is not None and pd.notna(first):  # public: months, not event dates
            fmt = ("%b", "%b %Y") if public else ("%d %b", "%d %b %Y")
            head += f", {pd.Timestamp(first):{fmt[0]}} \u2013 {pd.Timestamp(last):{fmt[1]}}"
        lines.append(head)
        when = []
        hour = H.peak_hour(c.get(C.HOUR_PROFILE))
        if hour is not None:
            when.append(f"{hour:02d}:00\u2013{(hour + 1) % 24:02d}:00")
        when += [", ".join(H.peak_days(c.get(C.WEEKDAY_PROFILE)))]
        share = c.get(C.AFTER_DARK_SHARE)
        if share is not None and pd.notna(share):
            when.append(f"{float(share):.0%} after dark")
        when = [w for w in when if w]
        if when:
            lines.append("   - busiest: " + md("; ".join(when)))
        mix = [] if public else H.offence_mix(c.get(C.CATEGORIES), top=3)
        if mix:
            lines.append("   - what: " + "; ".join(f"{md(k)} {v}" for k, v in mix))
        fix_rows = by_place.get(c[C.CLUSTER_ID], [])
        extra = []
        for col in _OPTIONAL:
            value = c.get(col)
            if (value is None or value != value) and fix_rows and col in recs:
                value = recs.loc[recs[C.CLUSTER_ID] == c[C.CLUSTER_ID], col].iloc[0]
            if value is not None and value == value:
                extra.append(f"{col.replace('_', ' ')} {md(readable(value))}")
        if extra:
            lines.append("   - " + "; ".join(extra))
        if fix_rows:
            r = fix_rows[0]
            text = f"   - fix: {_fix_text(str(r[C.FIX]))}"
            if not public:
                target = r.get(C.TARGET_ID)
                if target is not None and target == target and str(target):
                    text += f" at {md(target)}"
                text += f", priority {float(r[C.PRIORITY]):.0f}: {md(r[C.EVIDENCE])}"
            lines.append(text)
    return lines


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
    overlap = dict(study.time_overlap or {})
    if overlap.get("layers") and len(overlap["layers"]) > 1:
        spans = "; ".join(
            f"{md(kind)} {str(span[0])[:10]} to {str(span[1])[:10]}"
            for kind, span in overlap["layers"].items()
        )
        days = float(overlap.get("overlap_days", 0) or 0)
        verdict = (
            f"they overlap for {days:,.0f} day{'' if round(days) == 1 else 's'}"
            if overlap.get("ok")
            else f"they do not overlap enough to be read together: {md(overlap.get('note', ''))}"
        )
        lines += ["", f"Time covered: {spans}; {verdict}."]
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
        lines.append(f"- clustering {md(key)}: {md(readable(value))}")
    lines += ["", f"## Top places and fixes ({min(top_n, len(clusters))} of {len(clusters)})", ""]
    lines += _place_lines(study, clusters, recs, top_n, public=False)
    bursts = clusters.attrs.get("bursts")
    if isinstance(bursts, pd.DataFrame) and len(bursts):
        lines += ["", f"{len(bursts)} one-off burst{'s' if len(bursts) != 1 else ''} set aside: "
                  "busy in one 24-hour window but not recurring without it (not hot spots; "
                  "listed in `bursts.csv`)."]  # fmt: skip
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


def write_public_report(
    study: Study,
    clusters: gpd.GeoDataFrame,
    recommendations: gpd.GeoDataFrame,
    out_dir: str | Path,
    *,
    parameters: dict[str, Any] | None = None,
    top_n: int = 10,
    min_count: int | None = None,
    cell_m: float = 100.0,
) -> dict[str, Path]:
    """Write the files of a report that is safe to publish (with the public map).

    Nothing here names a person, an address finer than the block, an id, a coordinate of
    an event or a resident's words:

    - ``places.csv``: one row per place with at least `min_count` events, in rank order:
      ``rank, location`` (block), ``n_events``, ``months``, ``busiest_hour``,
      ``busiest_days``, ``after_dark_share``, ``fix`` (label), ``agency``;
    - ``grid_counts.csv``: incidents and concerns per `cell_m` grid cell (the cell's centre
      to 4 decimals, about 10 m); a count under `min_count` is left blank, and a cell with
      both blank is left out;
    - ``report.md``: the study, its period and the places, without ids or evidence text;
    - ``run.json``: versions, settings and row counts (no file paths).

    Parameters
    ----------
    study, clusters, recommendations
        As for :func:`write_report`.
    out_dir : str or Path
        Created if missing.
    parameters : dict, optional
        Only ``public_min_count`` and ``stage_seconds`` of it are kept.
    top_n : int
        Places listed in ``report.md``.
    min_count : int, optional
        Smallest count published; default ``study.settings.public_min_count``.
    cell_m : float
        Grid cell size in metres.

    Returns
    -------
    dict of str to Path
        The files written, keyed by name (`PUBLIC_FILES`).

    Examples
    --------
    >>> import tempfile
    >>> from hotspots import datasets, find_hotspots, diagnose, recommend
    >>> study = datasets.load_study("scene")
    >>> places = diagnose(study, find_hotspots(study))
    >>> files = write_public_report(study, places, recommend(places), tempfile.mkdtemp())
    >>> sorted(files) == sorted(PUBLIC_FILES)
    True
    """
    if not isinstance(study, Study):
        raise ValidationError(f"`study` must be a hotspots.Study, got {type(study).__name__}")
    k = int(min_count if min_count is not None else study.settings.public_min_count)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {name: out / name for name in PUBLIC_FILES}
    if len(clusters) and C.N_EVENTS in clusters:
        clusters = clusters[clusters[C.N_EVENTS].fillna(0).to_numpy() >= k]
    recs = recommendations[recommendations[C.CLUSTER_ID].isin(set(clusters[C.CLUSTER_ID]))]
    _write_csv(_public_places(study, clusters, recs), files["places.csv"])
    _write_csv(_public_grid(study, k, cell_m), files["grid_counts.csv"])
    first, last = study.time_span()
    md = markdown_text
    lines = [
        f"# {md(study.name)} (public version)",
        "",
        f"Events from {first:%B %Y} to {last:%B %Y}." if first is not None else "No events.",
        "",
        f"Places with fewer than {k} events, and grid cells with fewer than {k} events of a "
        "kind, are not shown. Locations are given to the block; no event's position, "
        "date, identifier or description is published.",
        "",
        f"## Places ({min(top_n, len(clusters))} of {len(clusters)})",
        "",
        *_place_lines(study, clusters, recs, top_n, public=True),
        "",
        "## Files",
        "",
        "- `map.html`: the public map (opens in any browser)",
        "- `places.csv`: the places above, one row each",
        f"- `grid_counts.csv`: events per {cell_m:.0f} m grid cell",
        "",
        "## Caveats",
        "",
        "- Hot spots are where events were recorded, not every place with a problem.",
        "- Effect sizes are averages from published studies; local results vary.",
    ]
    files["report.md"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    params = _parameters(study, clusters, None)
    record = {
        "study": params["study"],
        "public": True,
        "public_map": True,
        "public_min_count": k,
        "period_months": [f"{first:%Y-%m}", f"{last:%Y-%m}"] if first is not None else None,
        "settings": params["settings"],
        "layers": {kind: {"loaded": v["loaded"], "rejected": v["rejected"]}
                   for kind, v in params["layers"].items()},
        "places_shown": len(clusters),
        "versions": params["versions"],
        "stage_seconds": (parameters or {}).get("stage_seconds", {}),
    }  # fmt: skip
    files["run.json"].write_text(
        json.dumps(record, indent=2, default=str, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    log.info("public report: %d places written to %s", len(clusters), out)
    return files


def _public_places(
    study: Study, clusters: gpd.GeoDataFrame, recs: gpd.GeoDataFrame
) -> pd.DataFrame:
    """One row per publishable place, in rank order, with no id or coordinate."""
    columns = ["rank", LOCATION, C.N_EVENTS, "months", "busiest_hour", "busiest_days",
               C.AFTER_DARK_SHARE, C.FIX, "agency"]  # fmt: skip
    if not len(clusters):
        return pd.DataFrame(columns=columns)
    places = clusters.reset_index(drop=True)
    where = (places[LOCATION] if LOCATION in places else place_locations(study, places)).tolist()
    ranks = place_ranks(places, recs)
    by_place = H.recs_by_place(recs)
    rows = []
    records = pd.DataFrame(places.drop(columns=places.geometry.name)).to_dict("records")
    for i, c in enumerate(records):
        hour = H.peak_hour(c.get(C.HOUR_PROFILE))
        top = by_place.get(c[C.CLUSTER_ID], [])
        fix = str(top[0][C.FIX]) if top else ""
        known = fix in fixes.catalogue()
        share = c.get(C.AFTER_DARK_SHARE)
        first, last = c.get(C.FIRST_SEEN), c.get(C.LAST_SEEN)
        rows.append({
            "rank": int(ranks[i]),
            LOCATION: where[i],
            C.N_EVENTS: int(c.get(C.N_EVENTS, 0) or 0),
            "months": f"{pd.Timestamp(first):%Y-%m} to {pd.Timestamp(last):%Y-%m}"
            if first is not None and pd.notna(first) else "",
            "busiest_hour": f"{hour:02d}:00" if hour is not None else "",
            "busiest_days": " ".join(H.peak_days(c.get(C.WEEKDAY_PROFILE))),
            C.AFTER_DARK_SHARE: round(float(share), 2) if share is not None and pd.notna(share)
            else None,
            C.FIX: H.fix_label(fix) if known or not fix else "",
            "agency": fixes.get_fix(fix).agency if known else "",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=columns).sort_values("rank", kind="stable")


def _public_grid(study: Study, k: int, cell_m: float) -> pd.DataFrame:
    """Events per grid cell, counts under `k` blank, cells with nothing to show left out."""
    parts = {}
    for label, frame in (("incidents", study.incidents), ("concerns", study.concerns)):
        if len(frame):
            xy = np.floor(_xy(frame) / cell_m).astype(np.int64)
            parts[label] = (
                pd.Series(1, index=pd.MultiIndex.from_arrays(xy.T)).groupby(level=[0, 1]).sum()
            )
    if not parts:
        return pd.DataFrame(columns=["lon", "lat", "cell_m", "incidents", "concerns"])
    table = pd.DataFrame(parts).fillna(0).astype(int)
    for col in ("incidents", "concerns"):
        if col not in table:
            table[col] = 0
    table = table[(table["incidents"] >= k) | (table["concerns"] >= k)]
    i = table.index.get_level_values(0).to_numpy()
    j = table.index.get_level_values(1).to_numpy()
    tr = pyproj.Transformer.from_crs(study.crs, 4326, always_xy=True)
    lon, lat = tr.transform((i + 0.5) * cell_m, (j + 0.5) * cell_m)
    out = pd.DataFrame({
        "lon": np.round(lon, 4), "lat": np.round(lat, 4), "cell_m": float(cell_m),
        "incidents": table["incidents"].where(table["incidents"] >= k).astype("Int64").to_numpy(),
        "concerns": table["concerns"].where(table["concerns"] >= k).astype("Int64").to_numpy(),
    })  # fmt: skip
    return out.sort_values(["lat", "lon"], kind="stable").reset_index(drop=True)


def _xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Return the x/y of a point layer as an (n, 2) array."""
    import shapely

    return shapely.get_coordinates(frame.geometry.to_numpy())
