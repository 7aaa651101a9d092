"""The study: every layer in one metric CRS, with the settings and the rejected rows.

:func:`build_study` reads (or takes) the five layers, chooses one projected CRS in metres
for all of them (UTM from the data, logged; overridable), and keeps every rejected row with
its reason. :class:`Study` only holds data; the stages are plain functions that take it.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import warnings
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj
import shapely

from hotspots import _columns as C
from hotspots._coords import CRSUnknownError
from hotspots._errors import (
    CRSError,
    HotspotsWarning,
    LayerError,
    ValidationError,
    raise_problems,
)
from hotspots._sanity import infer_tz
from hotspots._studyload import check_places, merge_files, time_overlap
from hotspots._times import as_ts
from hotspots.io import Layer, LayerSource, empty_layer, read_boundary, read_layer
from hotspots.layers import get_layer_kind, layer_kinds, resolve_kind
from hotspots.settings import Settings

__all__ = ["Study", "build_study", "combine_events"]

log = logging.getLogger(__name__)


LayerInput = (
    LayerSource | Layer | list[LayerSource | Layer] | tuple[LayerSource | Layer, ...] | None
)
"""What build_study takes for a layer: a file, a frame, a Layer, or a list of them."""


def _no_rejections() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in C.REJECTED_COLUMNS})


@dataclass(frozen=True, eq=False)
class Study:
    """Every layer of one study area in one metric CRS, with settings and rejections.

    Build it with :func:`build_study`. Each layer is a GeoDataFrame in :attr:`crs`
    (metres); a layer that was not given is an empty GeoDataFrame with the layer's
    columns, so stages never need to test for ``None``.

    Attributes
    ----------
    name : str
        Shown in titles and reports.
    crs : pyproj.CRS
        The projected CRS (metres) of every layer.
    tz : str
        IANA timezone of the study; event times are in this zone.
    settings : Settings
        Domain thresholds used by every stage.
    layers : dict of str to Layer
        The layers given, by kind (see :mod:`hotspots.layers`): each
        :class:`hotspots.Layer` holds its rows (``.data``, in :attr:`crs`) and its load
        record (rows read, loaded, rejected, location precision).
        :meth:`layer` returns a kind's rows, or an empty frame for a kind not given.
    incidents, concerns, lights, stops, obstructions : GeoDataFrame
        ``study.layer("incidents")`` and so on, columns as documented in
        :func:`hotspots.read_layer`. They may also be given to the constructor as frames.
    boundary : shapely geometry or None
        The study area polygon in :attr:`crs`, when one was given.
    rejected : DataFrame
        Every row that could not be used, with columns ``layer, source, row, reason,
        detail, original``.
    period : tuple of Timestamp or (None, None)
        Start and end of the study period when one was given.
    tz_source : dict
        How :attr:`tz` was chosen: ``{"tz", "inferred"}``, and when inferred where from
        (``from``: the layer or the boundary, ``at``: lon/lat of the data's centre).
    time_overlap : dict
        When each event layer starts and ends and how much they overlap:
        ``layers`` (``{kind: [first, last]}``), ``overlap``, ``overlap_days``,
        ``share_of_shortest``, ``ok`` (False when the event layers overlap less than half of
        the shortest one's span; a :class:`HotspotsWarning` was given) and ``note`` (one
        sentence for evidence that combines layers; empty when ok).

    Examples
    --------
    >>> from hotspots import datasets
    >>> study = datasets.load_study("dc")
    >>> study.crs.to_epsg(), study.tz, len(study.incidents) > 0
    (32618, 'America/New_York', True)
    >>> sorted(study.layers), len(study.layer("obstructions"))
    (['concerns', 'incidents', 'lights', 'stops'], 0)
    """

    name: str
    crs: pyproj.CRS
    tz: str
    settings: Settings
    # frames of the built-in kinds, accepted by the constructor (and dataclasses.replace);
    # read back through the properties of the same names, set after the class
    incidents: InitVar[gpd.GeoDataFrame | None] = None
    concerns: InitVar[gpd.GeoDataFrame | None] = None
    lights: InitVar[gpd.GeoDataFrame | None] = None
    stops: InitVar[gpd.GeoDataFrame | None] = None
    obstructions: InitVar[gpd.GeoDataFrame | None] = None
    boundary: shapely.Geometry | None = None
    rejected: pd.DataFrame = field(default_factory=_no_rejections)
    layers: Mapping[str, Layer] = field(default_factory=dict)
    period: tuple[pd.Timestamp | None, pd.Timestamp | None] = (None, None)
    tz_source: Mapping[str, Any] = field(default_factory=dict)
    time_overlap: Mapping[str, Any] = field(default_factory=dict)
    _empty: dict[str, gpd.GeoDataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(
        self,
        incidents: gpd.GeoDataFrame | None,
        concerns: gpd.GeoDataFrame | None,
        lights: gpd.GeoDataFrame | None,
        stops: gpd.GeoDataFrame | None,
        obstructions: gpd.GeoDataFrame | None,
    ) -> None:
        layers = dict(self.layers)
        given = (incidents, concerns, lights, stops, obstructions)
        for kind, frame in zip(C.KINDS, given, strict=True):
            if frame is None:
                continue
            rec = layers.get(kind)
            if rec is not None:
                if rec.data is not frame:
                    n_read = len(frame) + rec.n_rejected
                    layers[kind] = dataclasses.replace(rec, data=frame, n_read=n_read)
            elif len(frame):
                layers[kind] = Layer(kind, "<GeoDataFrame>", frame, _no_rejections(), len(frame))
            else:  # a kind not given, as an empty frame: no load record
                self._empty[kind] = frame
        object.__setattr__(self, "layers", layers)

    def kinds(self) -> tuple[str, ...]:
        """Return the registered layer kinds and any other kind the study holds.

        Examples
        --------
        >>> from hotspots import datasets
        >>> datasets.load_study("scene").kinds()[:3]
        ('incidents', 'concerns', 'lights')
        """
        return tuple(dict.fromkeys([*layer_kinds(), *self.layers]))

    def layer(self, kind: str) -> gpd.GeoDataFrame:
        """Return the layer of one kind (``"incidents"``, ``"lights"``, ...).

        Parameters
        ----------
        kind : str
            A registered layer kind (see :func:`hotspots.register_layer_kind`).

        Returns
        -------
        GeoDataFrame
            In :attr:`crs`; a kind that was not given is empty, with the kind's columns.

        Examples
        --------
        >>> from hotspots import datasets
        >>> list(datasets.load_study("dc").layer("obstructions").columns)
        ['id', 'source_row', 'kind', 'geometry']
        """
        if kind in self.layers:
            return self.layers[kind].data
        kind = resolve_kind(kind)
        if kind in self.layers:
            return self.layers[kind].data
        if kind not in self._empty:
            self._empty[kind] = empty_layer(kind, crs=self.crs, tz=self.tz)
        return self._empty[kind]

    def time_columns(self) -> dict[str, str]:
        """Return the event time column of each event layer kind, e.g. ``occurred_at``.

        Examples
        --------
        >>> from hotspots import datasets
        >>> datasets.load_study("scene").time_columns()
        {'incidents': 'occurred_at', 'concerns': 'reported_at'}
        """
        known = set(layer_kinds())
        specs = (get_layer_kind(kind) for kind in self.kinds() if kind in known)
        return {spec.name: spec.time_column for spec in specs if spec.time_column}

    def time_span(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """First and last event time over the event layers (or the given period)."""
        times = pd.concat(
            [self.layer(kind)[col] for kind, col in self.time_columns().items()],
            ignore_index=True,
        ).dropna()
        first = self.period[0] if self.period[0] is not None else None
        last = self.period[1] if self.period[1] is not None else None
        if times.empty:
            return first, last
        return (first or times.min(), last or times.max())

    def summary(self) -> pd.DataFrame:
        """One row per layer: rows read, loaded, rejected, time span and precision.

        Examples
        --------
        >>> from hotspots import datasets
        >>> study = datasets.load_study("scene")
        >>> bool(study.summary().loc["incidents", "loaded"] > 0)
        True
        """
        rows = []
        time_columns = self.time_columns()
        for kind in self.kinds():
            frame = self.layer(kind)
            rec = self.layers.get(kind)
            time_col = time_columns.get(kind)
            first = last = None
            if time_col and len(frame):
                first, last = frame[time_col].min(), frame[time_col].max()
            rows.append(
                {
                    "layer": kind,
                    "source": rec.source if rec else "",
                    "read": rec.n_read if rec else 0,
                    "loaded": len(frame),
                    "rejected": rec.n_rejected if rec else 0,
                    "first": first,
                    "last": last,
                    "location_precision": rec.precision.level if rec else "",
                }
            )
        return pd.DataFrame(rows).set_index("layer")

    def load_record(self) -> dict[str, Any]:
        """How the study was loaded, JSON-ready (``run.json`` carries it as ``loading``).

        Returns
        -------
        dict
            ``timezone`` (:attr:`tz_source`), ``crs``, ``time_overlap``
            (:attr:`time_overlap`) and ``layers``: per kind its source(s), rows read /
            loaded / rejected, rejections by reason, notes and
            :attr:`hotspots.Layer.reading` (time column and formats, offsets read as local
            and why, day-first, CRS and whether it was inferred, files of a layer read from
            several).

        Examples
        --------
        >>> from hotspots import datasets
        >>> rec = datasets.load_study("dc").load_record()
        >>> rec["timezone"]["tz"], rec["layers"]["incidents"]["time"]["column"]
        ('America/New_York', 'START_DATE')
        """
        layers = {}
        for kind, rec in self.layers.items():
            reasons = rec.rejected[C.REJ_REASON].value_counts().to_dict() if rec.n_rejected else {}
            layers[kind] = {
                "source": rec.source,
                "read": rec.n_read,
                "loaded": rec.n_loaded,
                "rejected": rec.n_rejected,
                "rejected_by_reason": {str(k): int(v) for k, v in reasons.items()},
                "notes": list(rec.notes),
                **dict(rec.reading),
            }
        record = {
            "timezone": dict(self.tz_source) or {"tz": self.tz},
            "crs": self.crs.to_string(),
            "time_overlap": dict(self.time_overlap),
            "layers": layers,
        }
        return json.loads(json.dumps(record, default=str))

    def rejections_by_reason(self) -> pd.DataFrame:
        """Count rejected rows by layer and reason."""
        if self.rejected.empty:
            return pd.DataFrame(columns=[C.REJ_LAYER, C.REJ_REASON, "rows"])
        return (
            self.rejected.groupby([C.REJ_LAYER, C.REJ_REASON], sort=True)
            .size()
            .rename("rows")
            .reset_index()
        )

    def __repr__(self) -> str:
        s = self.summary()
        first, last = self.time_span()
        parts = [f"Study({self.name!r}, crs={self.crs.to_string()}, tz={self.tz!r})"]
        if first is not None:
            parts.append(f"  events {first:%Y-%m-%d} to {last:%Y-%m-%d}")
        for kind, row in s.iterrows():
            if row["read"] or row["loaded"]:
                parts.append(
                    f"  {kind:<13} {row['loaded']:>9,} loaded {row['rejected']:>7,} rejected"
                    + (f"  ({row['location_precision']})" if row["location_precision"] else "")
                )
        for _, row in self.rejections_by_reason().iterrows():
            parts.append(f"    rejected {row[C.REJ_LAYER]}: {row['rows']:,} {row[C.REJ_REASON]}")
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        s = self.summary().reset_index()
        first, last = self.time_span()
        span = f"{first:%Y-%m-%d} to {last:%Y-%m-%d}" if first is not None else "no events"
        esc = html.escape
        head = (
            f"<h4>Study: {esc(self.name)}</h4>"
            f"<p>CRS <code>{esc(self.crs.to_string())}</code> ({esc(self.crs.name)}), "
            f"timezone <code>{esc(self.tz)}</code>, events {esc(span)}</p>"
        )
        table = s.to_html(index=False, na_rep="", escape=True)
        rej = self.rejections_by_reason()
        rej_html = (
            "<p>No rows rejected.</p>"
            if rej.empty
            else "<p>Rejected rows by reason:</p>" + rej.to_html(index=False, escape=True)
        )
        return f"<div>{head}{table}{rej_html}</div>"


def _project(frame: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    """Reproject; point layers through raw coordinate arrays (several times faster)."""
    if frame.crs is not None and pyproj.CRS(frame.crs) == crs:
        return frame
    geoms = frame.geometry.to_numpy()
    if len(frame) and (shapely.get_type_id(geoms) == 0).all():
        xy = shapely.get_coordinates(geoms)
        tr = pyproj.Transformer.from_crs(frame.crs, crs, always_xy=True)
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return frame.set_geometry(gpd.GeoSeries(shapely.points(x, y), index=frame.index, crs=crs))
    return frame.to_crs(crs)


def _is_metric(crs: Any) -> bool:
    crs = pyproj.CRS.from_user_input(crs)
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    return crs.is_projected and unit in ("metre", "meter")


def _check_metric(crs: Any) -> pyproj.CRS:
    crs = pyproj.CRS.from_user_input(crs)
    if not crs.is_projected:
        raise CRSError(
            f"`crs` must be a projected CRS in metres, got {crs.to_string()} ({crs.name}); "
            "pass e.g. crs=32618 (UTM 18N) or leave it out to choose UTM from the data"
        )
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if unit not in ("metre", "meter"):
        raise CRSError(
            f"`crs` {crs.to_string()} has units of {unit!r}, not metres; "
            "hotspots measures every distance in metres"
        )
    return crs


def build_study(
    incidents: LayerInput = None,
    concerns: LayerInput = None,
    lights: LayerInput = None,
    stops: LayerInput = None,
    obstructions: LayerInput = None,
    *,
    boundary: str | Path | gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
    tz: str | None = None,
    crs: Any = None,
    settings: Settings | None = None,
    name: str = "hotspots study",
    period: tuple[Any, Any] | None = None,
    duplicates: str = "drop",
    read_options: Mapping[str, Mapping[str, Any]] | None = None,
    **more_layers: LayerSource | Layer | list[LayerSource | Layer] | None,
) -> Study:
    """Read the layers of one area and put them in one metric CRS.

    Parameters
    ----------
    incidents, concerns, lights, stops, obstructions : path, DataFrame, GeoDataFrame, Layer
        or a list of them
        Each layer as a file (CSV, GeoJSON, GeoPackage, Shapefile, GeoParquet, GTFS
        ``stops.txt``), a frame, or the result of :func:`hotspots.read_layer`; a list for
        a layer published as several files (one per year or request type): each file is
        read and accounted for on its own (the rejected rows' ``source``, the layer's
        ``reading["files"]``) and the rows get a ``source_file`` column. Any may be left
        out. A file of projected x/y without a CRS is read after the others, and its CRS
        inferred from where they are (see :func:`hotspots.read_layer`, ``near``).
    boundary : path, GeoDataFrame, GeoSeries or shapely geometry, optional
        The study area. Rows outside it are rejected with reason ``outside_study_area``.
        A bare shapely geometry is taken to be lon/lat (EPSG:4326).
    tz : str, optional
        IANA timezone of the study (e.g. ``"America/New_York"``). Times without an offset
        are taken as local times in this zone; all times are returned in it. By default
        the zone where the data are (the boundary, else the first layer read), found
        offline with ``timezonefinder``, logged and recorded in :attr:`Study.tz_source`.
    crs : anything pyproj accepts, optional
        Projected CRS in metres for every layer. By default the UTM zone of the data
        (``estimate_utm_crs``), logged.
    settings : Settings, optional
        Domain thresholds; ``Settings()`` by default.
    name : str
        Name shown in titles and reports.
    period : (start, end), optional
        Study period; events outside it are rejected (``outside_study_period``). Strings or
        Timestamps; naive values are local to `tz`; either end may be None.
    duplicates : {"drop", "flag", "keep"}
        What to do with rows that repeat an earlier row exactly (see :func:`read_layer`).
    read_options : dict, optional
        Extra keyword arguments for :func:`read_layer` per layer kind, e.g.
        ``{"incidents": {"lon": "LONGITUDE", "lat": "LATITUDE"}}``.
    **more_layers : path, DataFrame, GeoDataFrame or Layer
        Layers of kinds added with :func:`hotspots.register_layer_kind`, by kind, e.g.
        ``vacant="vacant.csv"``.

    Returns
    -------
    Study

    Examples
    --------
    >>> from hotspots import build_study, datasets
    >>> paths = datasets.paths("dc")
    >>> study = build_study(incidents=paths["incidents"], lights=paths["lights"],
    ...                     boundary=paths["boundary"], tz="America/New_York")
    >>> study.crs.to_string()
    'EPSG:32618'
    """
    settings = settings if settings is not None else Settings()
    if not isinstance(settings, Settings):
        raise ValidationError(f"`settings` must be a hotspots.Settings, got {type(settings)}")
    read_options = dict(read_options or {})
    problems = []
    unknown = sorted(set(read_options) - set(layer_kinds()))
    if unknown:
        problems.append(
            f"`read_options` has unknown layer kind(s) {unknown}; use {', '.join(layer_kinds())}"
        )
    given: dict[str, LayerInput] = {
        C.INCIDENTS: incidents,
        C.CONCERNS: concerns,
        C.LIGHTS: lights,
        C.STOPS: stops,
        C.OBSTRUCTIONS: obstructions,
    }
    for key, src in more_layers.items():
        if key not in layer_kinds() or key in given:
            problems.append(
                f"`{key}` is not an option of build_study nor a layer kind; layer kinds are "
                f"{', '.join(layer_kinds())} (add one with hotspots.register_layer_kind)"
            )
        given[key] = src
    raise_problems(problems, "build_study: invalid arguments")
    boundary_wgs = read_boundary(boundary) if boundary is not None else None
    if tz is None and boundary_wgs is not None:
        c = boundary_wgs.iloc[0].representative_point()
        tz = infer_tz(c.x, c.y)
        if tz is not None:
            tz_record = {"tz": tz, "inferred": True, "from": "the boundary", "at": [c.x, c.y]}
            log.info("study timezone %s inferred from the boundary", tz)
    else:
        tz_record = {"tz": tz, "inferred": False} if tz is not None else {}
    period_ts = _parse_period(period, tz or "UTC")

    # One metric CRS for all: the one given, else the UTM zone of the boundary, else of the
    # plausible rows of the first layer read (incidents, normally). Each layer is projected
    # as it is read, so points are built once.
    if crs is not None:
        metric: Any = _check_metric(crs)
    elif boundary_wgs is not None:
        metric = pyproj.CRS.from_user_input(boundary_wgs.estimate_utm_crs())
        log.info("study CRS: %s (%s), from the boundary", metric.to_string(), metric.name)
    else:
        metric = "utm"
    metric_from = ""
    deferred: list[tuple[str, int, LayerSource]] = []
    parts: dict[str, list[Layer | None]] = {}

    def read(kind: str, one: LayerSource, near: Any) -> Layer:
        nonlocal metric, metric_from, tz, tz_record, period_ts
        # before the timezone is known, naive period ends are read in the layer's own zone
        when = period_ts if tz is not None or period is None else tuple(period)
        layer = _read(one, kind, tz, boundary_wgs, when, duplicates, settings,
                      read_options, near=near, to_crs=metric)  # fmt: skip
        if tz is None:  # the first layer read fixes the study's timezone
            tz = layer.reading.get("tz", {}).get("tz", "UTC")
            tz_record = {**dict(layer.reading.get("tz", {})), "from": layer.source}
            period_ts = _parse_period(period, tz)
        if metric == "utm" and layer.n_loaded:
            metric, metric_from = _utm_of(layer.data), kind
            log.info("study CRS: %s (%s), from the %s", metric.to_string(), metric.name, kind)
        return layer

    for kind, src in given.items():
        if src is None:
            continue
        sources = list(src) if isinstance(src, (list, tuple)) else [src]
        parts[kind] = [None] * len(sources)
        for i, one in enumerate(sources):
            if isinstance(one, Layer):
                if one.kind != kind:
                    raise ValidationError(f"`{kind}` was given a Layer of kind {one.kind!r}")
                parts[kind][i] = one
                continue
            try:
                parts[kind][i] = read(kind, one, None)
            except CRSUnknownError:
                deferred.append((kind, i, one))
    if deferred:  # projected x/y without a CRS: infer it from the layers read so far
        near = _near(parts, boundary_wgs)
        for kind, i, one in deferred:
            parts[kind][i] = read(kind, one, near)  # with nothing near: the reader's error
    loaded = {
        kind: merge_files(kind, [p for p in ps if p is not None]) for kind, ps in parts.items()
    }
    tz = tz or "UTC"
    loaded, swapped = check_places(loaded, boundary_given=boundary_wgs is not None)
    _warn_empty(loaded)
    if metric == "utm":
        raise ValidationError("cannot choose a CRS: no layer has any loaded rows; pass `crs=`")
    if metric_from in swapped:  # the CRS came from a layer read the wrong way round
        metric = _utm_of(loaded[metric_from].data)
        log.info("study CRS: %s, from the %s read swapped", metric.to_string(), metric_from)

    records: dict[str, Layer] = {}
    for kind, rec in loaded.items():
        data = _project(rec.data, metric)
        records[kind] = rec if data is rec.data else dataclasses.replace(rec, data=data)
    rejected_parts = [layer.rejected for layer in records.values() if len(layer.rejected)]
    rejected = pd.concat(rejected_parts, ignore_index=True) if rejected_parts else _no_rejections()
    boundary_metric = boundary_wgs.to_crs(metric).iloc[0] if boundary_wgs is not None else None
    overlap = time_overlap(records)

    study = Study(
        name=name,
        crs=metric,
        tz=tz,
        settings=settings,
        boundary=boundary_metric,
        rejected=rejected,
        layers=records,
        period=period_ts if period_ts is not None else (None, None),
        tz_source=tz_record,
        time_overlap=overlap,
    )
    log.info(
        "study %r: %s; %d rows rejected",
        name,
        ", ".join(f"{k} {r.n_loaded:,}" for k, r in records.items()),
        len(rejected),
    )
    return study


def _read(
    source: LayerSource,
    kind: str,
    tz: str | None,
    boundary: gpd.GeoSeries | None,
    period: tuple[Any, Any] | None,
    duplicates: str,
    settings: Settings,
    read_options: Mapping[str, Mapping[str, Any]],
    *,
    near: Any,
    to_crs: Any,
) -> Layer:
    options = dict(read_options.get(kind, {}))
    if near is not None and "near" not in options:
        options["near"] = near
    return read_layer(
        source,
        kind=kind,
        tz=options.pop("tz", tz),
        boundary=boundary,
        period=period,
        duplicates=duplicates,
        settings=settings,
        to_crs=to_crs,
        **options,
    )


def _utm_of(data: gpd.GeoDataFrame) -> pyproj.CRS:
    return pyproj.CRS.from_user_input(data.crs if _is_metric(data.crs) else data.estimate_utm_crs())


def _near(
    parts: Mapping[str, list[Layer | None]], boundary: gpd.GeoSeries | None
) -> gpd.GeoSeries | None:
    """Where the data already read are (their points), or the boundary."""
    series = []
    for layer_parts in parts.values():
        for layer in layer_parts:
            if layer is not None and layer.n_loaded and get_layer_kind(layer.kind).is_point:
                series.append(layer.data.geometry.to_crs(4326))
    if series:
        return gpd.GeoSeries(pd.concat(series, ignore_index=True), crs=4326)
    return boundary


def _warn_empty(layers: Mapping[str, Layer]) -> None:
    """Every layer whose rows were all rejected is a warning; no events at all an error."""
    for kind, layer in layers.items():
        if layer.n_read and not layer.n_loaded:
            reasons = layer.rejected[C.REJ_REASON].value_counts()
            listed = ", ".join(f"{k} {v:,}" for k, v in reasons.items())
            warnings.warn(
                f"every row of the {kind} layer ({layer.source}) was rejected: {listed}",
                HotspotsWarning,
                stacklevel=3,
            )
    events = [k for k in layers if get_layer_kind(k).is_event]
    if events and not any(layers[k].n_loaded for k in events):
        raise LayerError(
            "no incident or concern row could be used: every row was rejected ("
            + "; ".join(
                f"{k}: "
                + ", ".join(
                    f"{r} {n:,}" for r, n in layers[k].rejected[C.REJ_REASON].value_counts().items()
                )
                for k in events
            )
            + "). See each reason in the rejected rows and fix the file or the read options"
        )


def _parse_period(
    period: tuple[Any, Any] | None, tz: str
) -> tuple[pd.Timestamp | None, pd.Timestamp | None] | None:
    if period is None:
        return None
    try:
        start, end = period
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"`period` must be a (start, end) pair, got {period!r}") from exc
    out: list[pd.Timestamp | None] = []
    for value in (start, end):
        if value is None:
            out.append(None)
            continue
        try:
            ts = pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"`period` value {value!r} is not a date") from exc
        out.append(as_ts(ts, tz))
    if out[0] is not None and out[1] is not None and out[0] > out[1]:
        raise ValidationError(f"`period` starts after it ends: {out[0]} > {out[1]}")
    return out[0], out[1]


def _as_tz(times: pd.Series, tz: str) -> pd.Series:
    """Return tz-aware times in `tz` at nanosecond resolution (so layers concatenate)."""
    if not isinstance(times.dtype, pd.DatetimeTZDtype):
        times = pd.to_datetime(times, utc=True)
    return times.dt.tz_convert(tz).dt.as_unit("ns")


def _text_or_empty(frame: pd.DataFrame, column: str) -> Any:
    """Return a text column as an array, "" for missing values and for a missing column."""
    if column not in frame:
        return ""
    return frame[column].fillna("").astype(str).to_numpy()


def combine_events(study: Study) -> gpd.GeoDataFrame:
    """Incidents and concerns (and any registered event layer) as one event layer.

    Each event keeps its source.

    Parameters
    ----------
    study : Study

    Returns
    -------
    GeoDataFrame
        In the study CRS, a fresh RangeIndex, incidents first then concerns, each in
        source-row order. Columns:

        - ``event_id`` (str): ``"incident:<id>"`` or ``"concern:<id>"``
        - ``source`` (str): ``"incident"`` or ``"concern"`` (a registered event layer's
          ``event_source``)
        - ``time`` (datetime64, tz-aware): occurred_at or reported_at
        - ``time_to`` (datetime64, tz-aware): end of the occurrence window, or NaT
        - ``category`` (str), ``description`` (str): empty string when absent
        - ``geometry`` (Point)

    Examples
    --------
    >>> from hotspots import datasets
    >>> events = combine_events(datasets.load_study("scene"))
    >>> sorted(events["source"].unique())
    ['concern', 'incident']
    """
    if not isinstance(study, Study):
        raise ValidationError(f"`study` must be a hotspots.Study, got {type(study).__name__}")
    parts = []
    for kind, tcol in study.time_columns().items():
        frame = study.layer(kind)
        if frame.empty:
            continue
        source = get_layer_kind(kind).event_source
        start = _as_tz(frame[tcol], study.tz)
        to = (
            _as_tz(frame[C.OCCURRED_TO], study.tz)
            if C.OCCURRED_TO in frame
            else pd.Series(pd.NaT, index=frame.index, dtype=start.dtype)
        )
        parts.append(
            pd.DataFrame(
                {
                    C.EVENT_ID: (source + ":" + frame[C.ID].astype(str)).to_numpy(),
                    C.SOURCE: source,
                    # Series, not .to_numpy(): tz-aware arrays would become slow objects
                    C.TIME: start.reset_index(drop=True),
                    C.TIME_TO: to.reset_index(drop=True),
                    C.CATEGORY: _text_or_empty(frame, C.CATEGORY),
                    C.DESCRIPTION: _text_or_empty(frame, C.DESCRIPTION),
                    C.GEOMETRY: frame.geometry.to_numpy(),
                }
            )
        )
    if not parts:
        raise LayerError("the study has no incidents and no concerns: nothing to cluster")
    events = pd.concat(parts, ignore_index=True)
    for col in (C.TIME, C.TIME_TO):
        if not isinstance(events[col].dtype, pd.DatetimeTZDtype):  # mixed units or empty
            events[col] = pd.to_datetime(events[col], utc=True).dt.tz_convert(study.tz)
    return gpd.GeoDataFrame(events, geometry=C.GEOMETRY, crs=study.crs)


def _layer_property(kind: str) -> property:
    def frame(self: Study) -> gpd.GeoDataFrame:
        return self.layer(kind)

    frame.__doc__ = f"The {kind} layer: ``study.layer({kind!r})``."
    return property(frame)


for _kind in C.KINDS:  # after the dataclass has taken the constructor arguments of these names
    setattr(Study, _kind, _layer_property(_kind))
