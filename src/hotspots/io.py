"""Read real, messy layers: detect columns, parse times, validate, reject with reasons.

:func:`read_layer` takes a file (CSV, GeoJSON, GeoPackage, Shapefile, GeoParquet) or a
(Geo)DataFrame and returns a :class:`Layer`: the usable rows as a GeoDataFrame with the
columns of the layer contract (DESIGN.md) plus every source column, and a table of the rows
that could not be used, each with its reason. Loaded + rejected = rows read, always.

A problem with the whole file (unreadable, empty, no coordinate columns, wrong geometry type)
raises :class:`hotspots.LayerError` naming the file, what was found and how to fix it.
"""

from __future__ import annotations

import html
import json
import logging
import re
import warnings
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyproj
import shapely

from hotspots import _columns as C
from hotspots import _vocab as V
from hotspots._errors import HotspotsWarning, LayerError, ValidationError
from hotspots.settings import Settings

__all__ = ["Layer", "LayerSource", "LocationPrecision", "REJECTION_REASONS", "read_layer"]

log = logging.getLogger(__name__)

LayerSource = Union[str, Path, pd.DataFrame, gpd.GeoDataFrame]  # noqa: UP007 (runtime alias)

# --- rejection reasons ---------------------------------------------------------------
REJECTION_REASONS: dict[str, str] = {
    "missing_coordinates": "no coordinates in the row",
    "non_numeric_coordinates": "coordinates are not numbers",
    "zero_coordinates": "coordinates are 0/0 (a geocoding failure, 'null island')",
    "out_of_range": "longitude outside -180..180 or latitude outside -90..90",
    "missing_geometry": "the feature has no geometry",
    "invalid_geometry": "the geometry text could not be read",
    "wrong_geometry_type": "the geometry type does not fit the layer kind",
    "outside_study_area": "the location is outside the study boundary",
    "missing_time": "no date/time in the row",
    "unparseable_time": "the date/time could not be read in any known format",
    "future_time": "the date/time is in the future",
    "outside_study_period": "the date/time is outside the study period",
    "duplicate": "the row repeats an earlier row exactly",
}
"""Every reason a row can be rejected for, with its meaning."""

_OFFSET_RE = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_FLOAT_RE = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_PAIR_RE = re.compile(rf"^\s*[\(\[]?\s*({_FLOAT_RE})\s*[,;\s]\s*({_FLOAT_RE})\s*[\)\]]?\s*$")


@dataclass(frozen=True)
class LocationPrecision:
    """How precisely a layer places its points.

    Attributes
    ----------
    level : {"point", "snapped", "rounded", "unknown"}
        ``snapped``: many events share a coordinate (block midpoints, intersections);
        ``rounded``: coordinates carry 3 or fewer decimals of a degree (about 100 m);
        ``point``: neither; ``unknown``: too few points to tell.
    repeated_share : float
        Share of points that share their exact coordinate with another point.
    decimals : int or None
        Typical number of decimals of the longitude text, when read from text.
    address_column : str or None
        A block/address column found in the source, if any.
    note : str
        One sentence for evidence text.

    Examples
    --------
    >>> from hotspots import datasets
    >>> datasets.load_study("dc").layers["incidents"].precision.level
    'snapped'
    """

    level: str
    repeated_share: float
    decimals: int | None
    address_column: str | None
    note: str


@dataclass(frozen=True, eq=False)
class Layer:
    """One loaded layer: usable rows, rejected rows and how they were read.

    Attributes
    ----------
    kind : str
        One of ``incidents, concerns, lights, stops, obstructions``.
    source : str
        File path or ``"<DataFrame>"``.
    data : GeoDataFrame
        The usable rows (columns: see :func:`read_layer`).
    rejected : DataFrame
        ``layer, source, row, reason, detail, original`` for every unusable row.
    n_read : int
        Data rows read from the source.
    columns : dict
        Which source column was used for each field (``lon``, ``lat``, ``time``, ...).
    precision : LocationPrecision
    notes : tuple of str
        What was fixed or assumed (swapped coordinates, timezone, duplicates...).

    Examples
    --------
    >>> from hotspots import datasets
    >>> layer = read_layer(datasets.paths("dc")["stops"], kind="stops")
    >>> layer.n_read == len(layer.data) + len(layer.rejected)
    True
    """

    kind: str
    source: str
    data: gpd.GeoDataFrame
    rejected: pd.DataFrame
    n_read: int
    columns: Mapping[str, str] = field(default_factory=dict)
    precision: LocationPrecision = LocationPrecision("unknown", 0.0, None, None, "")
    notes: tuple[str, ...] = ()

    @property
    def n_loaded(self) -> int:
        """Rows loaded."""
        return len(self.data)

    @property
    def n_rejected(self) -> int:
        """Rows rejected."""
        return len(self.rejected)

    def __repr__(self) -> str:
        return (
            f"Layer({self.kind!r}, source={self.source!r}, read={self.n_read:,}, "
            f"loaded={self.n_loaded:,}, rejected={self.n_rejected:,}, "
            f"precision={self.precision.level!r})"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        reasons = (
            self.rejected[C.REJ_REASON].value_counts().sort_index().to_frame("rows")
            if self.n_rejected
            else None
        )
        cols = "".join(
            f"<li>{esc(k)}: <code>{esc(str(v))}</code></li>" for k, v in self.columns.items()
        )
        notes = "".join(f"<li>{esc(n)}</li>" for n in self.notes)
        return (
            f"<div><h4>{esc(self.kind)} from {esc(self.source)}</h4>"
            f"<p>{self.n_read:,} read, {self.n_loaded:,} loaded, {self.n_rejected:,} rejected;"
            f" location precision: {esc(self.precision.level)}</p>"
            f"<p>Columns used:</p><ul>{cols}</ul>"
            + (f"<p>Notes:</p><ul>{notes}</ul>" if notes else "")
            + (reasons.to_html(escape=True) if reasons is not None else "")
            + "</div>"
        )


# =========================================================================================
# public entry points
# =========================================================================================


def read_layer(
    source: LayerSource,
    kind: str,
    *,
    tz: str = "UTC",
    lon: str | None = None,
    lat: str | None = None,
    crs: Any = None,
    columns: Mapping[str, str] | None = None,
    boundary: Any = None,
    period: tuple[Any, Any] | None = None,
    duplicates: str = "drop",
    as_of: Any = None,
    layer: str | None = None,
    to_crs: Any = None,
    settings: Settings | None = None,
) -> Layer:
    """Read one layer from a file or frame, keeping every unusable row with its reason.

    Parameters
    ----------
    source : str, Path, DataFrame or GeoDataFrame
        CSV (``.csv``, ``.txt``), GeoJSON, GeoPackage, Shapefile, GeoParquet, or a frame.
    kind : {"incidents", "concerns", "lights", "stops", "obstructions"}
        The layer kind (``"bus_stops"`` and a few other aliases are accepted).
    tz : str
        IANA timezone. Times without an offset are local times in this zone (localized, not
        shifted); all times are returned in it.
    lon, lat : str, optional
        Column names of the coordinates, when detection picks the wrong ones.
    crs : anything pyproj accepts, optional
        CRS of CSV coordinates that are not lon/lat (e.g. state-plane ``X``/``Y``), or of a
        geo file that has none. Default: lon/lat (EPSG:4326).
    columns : dict, optional
        Source column for any other field: ``time``, ``time_to``, ``id``, ``category``,
        ``description``, ``status``, ``wattage``, ``pole_height``, ``name``, ``routes``,
        ``kind``, ``location`` (a single "(lat, lon)" or WKT column), ``lon``, ``lat``.
    boundary : path, GeoDataFrame, GeoSeries or shapely geometry, optional
        Study area; rows outside it are rejected (``outside_study_area``). A bare shapely
        geometry is taken to be lon/lat.
    period : (start, end), optional
        Events outside it are rejected (``outside_study_period``).
    duplicates : {"drop", "flag", "keep"}
        Rows repeating an earlier row exactly: ``drop`` rejects them (reason
        ``duplicate``), ``flag`` keeps them with ``is_duplicate`` True, ``keep`` keeps them.
    as_of : datetime-like, optional
        Times after this are rejected as ``future_time``. Default: now.
    layer : str, optional
        Layer name inside a GeoPackage holding several.
    to_crs : anything pyproj accepts, or "utm", optional
        Return the layer in this CRS (points are projected as raw coordinate arrays, several
        times faster than ``GeoDataFrame.to_crs``); ``"utm"``: the UTM zone of the loaded
        rows' extent. Default: the source's CRS.
    settings : Settings, optional
        Used for the location-precision threshold.

    Returns
    -------
    Layer
        ``Layer.data`` is a GeoDataFrame (lon/lat EPSG:4326 for CSV, the file's CRS for geo
        files) with every source column kept, plus:

        - ``id`` (str): source id, or the source row number when there is none
        - ``source_row`` (int): 1-based data row in the source (header not counted)
        - incidents: ``occurred_at`` (datetime, tz-aware), ``occurred_to`` (or NaT),
          ``category`` (str), ``description`` (str)
        - concerns: ``reported_at`` (datetime, tz-aware), ``category``, ``description``
        - lights: ``status`` (``working`` / ``out`` / ``unknown``), ``wattage`` (float
          W, NaN), ``pole_height_m`` (float m, NaN)
        - stops: ``name`` (str), ``routes`` (str)
        - obstructions: ``kind`` (hedge, tree, wall, fence, building, other)
        - ``is_duplicate`` (bool) with ``duplicates="flag"``

        A source column whose name clashes with one of these is renamed ``src_<name>``.

    Raises
    ------
    LayerError
        The whole source cannot be used: unreadable, empty, no coordinate columns,
        projected coordinates without ``crs``, or no geometry of the right type.

    Examples
    --------
    >>> from hotspots import read_layer, datasets
    >>> layer = read_layer(datasets.paths("dc")["incidents"], kind="incidents",
    ...                    tz="America/New_York")
    >>> layer.columns["lon"], layer.columns["time"]
    ('LONGITUDE', 'START_DATE')
    >>> layer.n_loaded + layer.n_rejected == layer.n_read
    True
    """
    kind = _check_kind(kind)
    settings = settings if settings is not None else Settings()
    problems: list[str] = []
    if duplicates not in ("drop", "flag", "keep"):
        problems.append(f'`duplicates` must be "drop", "flag" or "keep", got {duplicates!r}')
    overrides = dict(columns or {})
    bad = sorted(set(overrides) - V.OVERRIDABLE)
    if bad:
        problems.append(
            f"`columns` has unknown field(s) {bad}; allowed: {', '.join(sorted(V.OVERRIDABLE))}"
        )
    if lon is not None:
        overrides["lon"] = lon
    if lat is not None:
        overrides["lat"] = lat
    if ("lon" in overrides) != ("lat" in overrides):
        problems.append("pass both `lon` and `lat` (or neither)")
    if not _known_tz(tz):
        problems.append(f"`tz` {tz!r} is not a known IANA timezone (e.g. 'America/New_York')")
    if problems:
        raise ValidationError("read_layer: invalid arguments:\n  - " + "\n  - ".join(problems))

    name, raw = _read_source(source, layer=layer)
    reader = _Reader(
        kind=kind,
        name=name,
        raw=raw,
        tz=tz,
        crs=crs,
        overrides=overrides,
        settings=settings,
    )
    return reader.run(
        boundary=read_boundary(boundary) if boundary is not None else None,
        period=period,
        duplicates=duplicates,
        as_of=as_of,
        to_crs=to_crs,
    )


def read_boundary(source: Any) -> gpd.GeoSeries:
    """Read a study boundary as one (Multi)Polygon in lon/lat (EPSG:4326).

    Parameters
    ----------
    source : path, GeoDataFrame, GeoSeries or shapely geometry
        Polygons are unioned. A bare shapely geometry is taken to be lon/lat.

    Returns
    -------
    GeoSeries
        One polygon, EPSG:4326.

    Examples
    --------
    >>> from hotspots import datasets
    >>> read_boundary(datasets.paths("dc")["boundary"]).crs.to_epsg()
    4326
    """
    if isinstance(source, gpd.GeoSeries):
        gs = source
    elif isinstance(source, gpd.GeoDataFrame):
        gs = source.geometry
    elif isinstance(source, shapely.Geometry):
        gs = gpd.GeoSeries([source], crs=4326)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise LayerError(f"boundary file {path} does not exist")
        try:
            gs = gpd.read_file(path).geometry
        except Exception as exc:  # noqa: BLE001 - pyogrio raises many error types
            raise LayerError(f"cannot read boundary file {path}: {exc}") from exc
    else:
        raise ValidationError(
            f"`boundary` must be a path, GeoDataFrame, GeoSeries or shapely geometry, "
            f"got {type(source).__name__}"
        )
    where = str(source) if isinstance(source, (str, Path)) else "the boundary"
    if gs.crs is None:
        raise LayerError(f"{where} has no CRS; set one (e.g. gdf.set_crs(4326)) and retry")
    gs = gs[~(gs.isna() | gs.is_empty)]
    polys = gs[gs.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polys.empty:
        raise LayerError(
            f"{where} has no polygon (found {sorted(set(gs.geom_type))}); "
            "a boundary must be a Polygon or MultiPolygon"
        )
    merged = shapely.make_valid(shapely.union_all(polys.to_crs(4326).to_numpy()))
    return gpd.GeoSeries([merged], crs=4326)


def empty_layer(kind: str, *, crs: Any = 4326, tz: str = "UTC") -> gpd.GeoDataFrame:
    """Return an empty layer with the contract's columns, for a layer not given.

    Examples
    --------
    >>> list(empty_layer("lights").columns)
    ['id', 'source_row', 'status', 'wattage', 'pole_height_m', 'geometry']
    """
    kind = _check_kind(kind)
    time_dtype = pd.DatetimeTZDtype("us", tz)
    cols: dict[str, pd.Series] = {
        C.ID: pd.Series(dtype=str),
        C.SOURCE_ROW: pd.Series(dtype="int64"),
    }
    if kind == C.INCIDENTS:
        cols[C.OCCURRED_AT] = pd.Series(dtype=time_dtype)
        cols[C.OCCURRED_TO] = pd.Series(dtype=time_dtype)
    if kind == C.CONCERNS:
        cols[C.REPORTED_AT] = pd.Series(dtype=time_dtype)
    if kind in C.EVENT_KINDS:
        cols[C.CATEGORY] = pd.Series(dtype=str)
        cols[C.DESCRIPTION] = pd.Series(dtype=str)
    if kind == C.LIGHTS:
        cols[C.STATUS] = pd.Series(dtype=str)
        cols[C.WATTAGE] = pd.Series(dtype=float)
        cols["pole_height_m"] = pd.Series(dtype=float)
    if kind == C.STOPS:
        cols[C.NAME] = pd.Series(dtype=str)
        cols[C.ROUTES] = pd.Series(dtype=str)
    if kind == C.OBSTRUCTIONS:
        cols[C.KIND] = pd.Series(dtype=str)
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


# =========================================================================================
# reading sources
# =========================================================================================

_CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
_GEO_SUFFIXES = frozenset({".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".gml", ".kml"})
_PARQUET_SUFFIXES = frozenset({".parquet", ".geoparquet", ".pq"})


def _known_tz(tz: str) -> bool:
    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_kind(kind: str) -> str:
    key = str(kind).strip().lower().replace(" ", "_").replace("-", "_")
    if key not in V.KIND_ALIASES:
        raise ValidationError(f"unknown layer kind {kind!r}; use one of {', '.join(C.KINDS)}")
    return V.KIND_ALIASES[key]


def _read_source(source: LayerSource, *, layer: str | None) -> tuple[str, pd.DataFrame]:
    """Return (display name, frame). CSV columns are strings exactly as published."""
    if isinstance(source, pd.DataFrame):
        name = "<GeoDataFrame>" if isinstance(source, gpd.GeoDataFrame) else "<DataFrame>"
        if len(source.columns) == 0:
            raise LayerError(f"{name} has no columns")
        return name, source.reset_index(drop=True)
    if not isinstance(source, (str, Path)):
        raise ValidationError(
            f"`source` must be a path or a (Geo)DataFrame, got {type(source).__name__}"
        )
    path = Path(source)
    name = str(path)
    if not path.exists():
        raise LayerError(f"{name} does not exist; check the path")
    if path.is_dir() and path.suffix.lower() != ".gdb":
        raise LayerError(f"{name} is a folder; pass the file inside it")
    if path.is_file() and path.stat().st_size == 0:
        raise LayerError(f"{name} is empty (0 bytes); export the data again")
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        return name, _read_csv(path)
    if suffix in _PARQUET_SUFFIXES:
        try:
            return name, gpd.read_parquet(path)
        except ValueError:
            try:
                return name, pd.read_parquet(path)
            except Exception as exc:  # noqa: BLE001 - pyarrow raises many types
                raise LayerError(f"cannot read {name} as (Geo)Parquet: {exc}") from exc
        except Exception as exc:  # noqa: BLE001
            raise LayerError(f"cannot read {name} as (Geo)Parquet: {exc}") from exc
    if suffix in _GEO_SUFFIXES or path.suffix.lower() == ".gdb":
        try:
            frame = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
        except Exception as exc:  # noqa: BLE001 - pyogrio raises many types
            raise LayerError(
                f"cannot read {name} as a spatial file: {exc}. Check that it is a valid "
                "GeoJSON/GeoPackage/Shapefile (with its .shx/.dbf/.prj beside it)"
            ) from exc
        if suffix == ".gpkg" and layer is None:
            _warn_multi_layer(path)
        return name, frame
    raise LayerError(
        f"{name}: unknown file type {path.suffix!r}; use CSV, GeoJSON, GeoPackage, "
        "Shapefile or GeoParquet, or pass a DataFrame"
    )


def _warn_multi_layer(path: Path) -> None:
    try:
        import pyogrio

        names = [row[0] for row in pyogrio.list_layers(path)]
    except Exception:  # noqa: BLE001 - listing is only for a helpful log line
        return
    if len(names) > 1:
        log.warning("%s holds %d layers %s; read the first (%s); pass layer=",
                    path, len(names), names, names[0])  # fmt: skip


def _read_csv(path: Path) -> pd.DataFrame:
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                na_values=[],
                encoding=encoding,
                sep=sep,
                skipinitialspace=False,
            )
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError as exc:
            raise LayerError(f"{path} has no header and no rows; export the data again") from exc
        except (pd.errors.ParserError, ValueError) as exc:
            raise LayerError(
                f"cannot read {path} as CSV: {exc}. Check the delimiter and quoting"
            ) from exc
        if encoding != "utf-8-sig":
            log.warning("%s is not UTF-8; read it as Windows-1252", path)
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame
    raise LayerError(f"cannot decode {path} as UTF-8 or Windows-1252 text; is it a CSV file?")


# =========================================================================================
# the reader
# =========================================================================================


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    """First column (by priority of `names`) whose normalised name matches."""
    lookup: dict[str, str] = {}
    for col in columns:
        lookup.setdefault(_norm(col), col)
    for candidate in names:
        if candidate in lookup:
            return lookup[candidate]
    return None


class _Reader:
    """Turns one raw frame into a Layer. One instance per call; not part of the API."""

    def __init__(
        self,
        *,
        kind: str,
        name: str,
        raw: pd.DataFrame,
        tz: str,
        crs: Any,
        overrides: dict[str, str],
        settings: Settings,
    ) -> None:
        self.kind = kind
        self.name = name
        self.raw = raw
        self.tz = tz
        self.crs = crs
        self.overrides = overrides
        self.settings = settings
        self.n = len(raw)
        self.reason = np.full(self.n, "", dtype=object)
        self.detail = np.full(self.n, "", dtype=object)
        self.used: dict[str, str] = {}
        self.notes: list[str] = []
        self.is_text = not isinstance(raw, gpd.GeoDataFrame)
        self.x: np.ndarray | None = None
        self.y: np.ndarray | None = None
        self.geoms: np.ndarray | None = None
        self._source_crs = pyproj.CRS(4326)
        self._empty_cache: dict[str, bool] = {}
        self._x_text: pd.Series | None = None

    # --- small helpers ----------------------------------------------------------------
    def _reject(self, mask: np.ndarray, reason: str, detail: Any) -> None:
        """Record `reason` for rows in `mask` that have no reason yet (first reason wins)."""
        new = mask & (self.reason == "")
        if not new.any():
            return
        self.reason[new] = reason
        if isinstance(detail, np.ndarray):
            self.detail[new] = detail[new]
        else:
            self.detail[new] = detail

    def _col(self, field_name: str, names: Sequence[str]) -> str | None:
        cols = list(self.raw.columns)
        if field_name in self.overrides:
            wanted = self.overrides[field_name]
            if wanted not in cols:
                raise LayerError(
                    f"{self.name}: column {wanted!r} (given for {field_name}) not found; "
                    f"columns are: {', '.join(map(str, cols))}"
                )
            return wanted
        # an all-empty column is no better than none: skip it and try the next candidate
        return _find([c for c in cols if not self._all_empty(c)], names)

    def _all_empty(self, col: str) -> bool:
        if col not in self._empty_cache:
            values = self.raw[col]
            if values.dtype == object or pd.api.types.is_string_dtype(values):
                empty = bool((values.fillna("").astype(str).str.strip() == "").all())
            else:
                empty = bool(values.isna().all())
            self._empty_cache[col] = empty
        return self._empty_cache[col]

    def _text(self, col: str | None) -> pd.Series:
        if col is None:
            return pd.Series("", index=self.raw.index, dtype=str)
        return self.raw[col].astype(str).where(self.raw[col].notna(), "").str.strip()

    # --- main -----------------------------------------------------------------------
    def run(
        self,
        *,
        boundary: gpd.GeoSeries | None,
        period: tuple[Any, Any] | None,
        duplicates: str,
        as_of: Any,
        to_crs: Any = None,
    ) -> Layer:
        if self.n == 0:
            raise LayerError(
                f"{self.name} has a header but no rows (columns: "
                f"{', '.join(map(str, self.raw.columns))}); nothing to load"
            )
        layer_crs = self._source_crs = self._geometry()
        if self.geoms is not None:
            self._check_geometry_types(self.geoms)
            if self.kind in V.POINT_KINDS:
                self._to_xy()
        self._fix_swapped_and_bounds(layer_crs, boundary)
        out = self._fields(period, as_of)
        self._duplicates(duplicates, out)

        keep = self.reason == ""
        rows = np.arange(1, self.n + 1)
        data = self._assemble(out, layer_crs, keep, rows, duplicates, to_crs)
        rejected = self._rejected_table(~keep, rows)
        precision = self._precision(data)
        layer = Layer(
            kind=self.kind,
            source=self.name,
            data=data,
            rejected=rejected,
            n_read=self.n,
            columns=dict(self.used),
            precision=precision,
            notes=tuple(self.notes),
        )
        assert layer.n_loaded + layer.n_rejected == layer.n_read  # noqa: S101 - invariant
        log.info(
            "%s: read %d %s rows, loaded %d, rejected %d%s",
            self.name,
            self.n,
            self.kind,
            layer.n_loaded,
            layer.n_rejected,
            ""
            if not layer.n_rejected
            else " ("
            + ", ".join(f"{k} {v}" for k, v in rejected[C.REJ_REASON].value_counts().items())
            + ")",
        )
        return layer

    # --- geometry ---------------------------------------------------------------------
    def _geometry(self) -> pyproj.CRS:
        """Set ``self.x``/``self.y`` (points from columns) or ``self.geoms``; return the CRS."""
        raw = self.raw
        has_geo = isinstance(raw, gpd.GeoDataFrame) and raw.geometry.name in raw.columns
        if has_geo and not ({"lon", "lat", "location"} & set(self.overrides)):
            geoms = np.asarray(raw.geometry.to_numpy(), dtype=object)
            crs = raw.crs
            if crs is None:
                if self.crs is not None:
                    crs = pyproj.CRS.from_user_input(self.crs)
                else:
                    crs = self._guess_geographic(shapely.get_coordinates(geoms[pd.notna(geoms)]))
            missing = pd.isna(geoms) | shapely.is_empty(geoms)
            self._reject(missing, "missing_geometry", "the feature has no geometry")
            self.geoms = np.where(missing, None, geoms)
            self.used["geometry"] = str(raw.geometry.name)
            return pyproj.CRS.from_user_input(crs)

        lon_col, lat_col, loc_col = self._coordinate_columns()
        if loc_col is not None:
            return self._geometry_from_location(loc_col)
        assert lon_col is not None and lat_col is not None  # noqa: S101
        xs_text = self._text(lon_col)
        ys_text = self._text(lat_col)
        x = _to_float(xs_text)
        y = _to_float(ys_text)
        empty = (xs_text == "").to_numpy() | (ys_text == "").to_numpy()
        self._reject(empty, "missing_coordinates", f"{lon_col}/{lat_col} empty")
        nonnum = ~np.isfinite(x) | ~np.isfinite(y)
        self._reject(
            nonnum,
            "non_numeric_coordinates",
            np.array(
                [
                    f"{lon_col}={a!r}, {lat_col}={b!r}"
                    for a, b in zip(xs_text, ys_text, strict=True)
                ],
                dtype=object,
            )
            if nonnum.any()
            else "",
        )
        zero = (x == 0) & (y == 0)
        self._reject(zero, "zero_coordinates", f"{lon_col}=0 and {lat_col}=0")
        self._x_text = xs_text
        crs = self._coordinate_crs(x, y, lon_col, lat_col)
        self.used["lon"], self.used["lat"] = lon_col, lat_col
        ok = self.reason == ""
        self.x, self.y = np.where(ok, x, np.nan), np.where(ok, y, np.nan)
        return crs

    def _coordinate_columns(self) -> tuple[str | None, str | None, str | None]:
        cols = list(self.raw.columns)
        if "lon" in self.overrides:
            for key in ("lon", "lat"):
                if self.overrides[key] not in cols:
                    raise LayerError(
                        f"{self.name}: column {self.overrides[key]!r} given as `{key}=` not "
                        f"found; columns are: {', '.join(map(str, cols))}"
                    )
            return self.overrides["lon"], self.overrides["lat"], None
        if "location" in self.overrides:
            return None, None, self._col("location", ())
        # 1. exact lon/lat names, 2. names with a lon/lat token, 3. x/y names
        cols = [c for c in cols if not self._all_empty(c)]
        lon = _find(cols, V.LON_EXACT)
        lat = _find(cols, V.LAT_EXACT)
        if lon is None or lat is None:
            tokens = {c: set(_norm(c).split("_")) for c in cols}
            # a name with a lon token and no lat token (BSTP_LAT_LON_TCD is neither)
            lon = lon or next(
                (c for c in cols if tokens[c] & V.LON_TOKENS and not tokens[c] & V.LAT_TOKENS), None
            )
            lat = lat or next(
                (c for c in cols if tokens[c] & V.LAT_TOKENS and not tokens[c] & V.LON_TOKENS), None
            )
        if lon is None or lat is None:
            lon, lat = _find(cols, V.X_NAMES), _find(cols, V.Y_NAMES)
        if lon is not None and lat is not None:
            return lon, lat, None
        loc = _find(cols, V.LOCATION_NAMES)
        if loc is not None:
            return None, None, loc
        raise LayerError(
            f"{self.name}: no coordinate columns found among: {', '.join(map(str, cols))}. "
            "Name the columns with lon=/lat= (e.g. read_layer(path, kind=..., "
            "lon='Longitude', lat='Latitude')), or columns={'location': ...} for a single "
            "'(lat, lon)' or WKT column; for projected x/y also pass crs="
        )

    def _coordinate_crs(
        self, x: np.ndarray, y: np.ndarray, lon_col: str, lat_col: str
    ) -> pyproj.CRS:
        if self.crs is not None:
            crs = pyproj.CRS.from_user_input(self.crs)
            self.notes.append(f"coordinates {lon_col}/{lat_col} read in {crs.to_string()}")
            return crs
        ok = (self.reason == "") & np.isfinite(x) & np.isfinite(y)
        if not ok.any():
            return pyproj.CRS.from_epsg(4326)
        in_deg = (np.abs(x[ok]) <= 180) & (np.abs(y[ok]) <= 180)
        if in_deg.mean() >= 0.9:
            return pyproj.CRS.from_epsg(4326)
        raise LayerError(
            f"{self.name}: columns {lon_col}/{lat_col} hold projected coordinates "
            f"(e.g. {x[ok][0]:.1f}, {y[ok][0]:.1f}), not longitude/latitude. Pass crs= "
            "(e.g. crs=26985 for Maryland/DC State Plane metres), or lon=/lat= naming "
            "longitude/latitude columns if the file has them"
        )

    def _guess_geographic(self, coords: np.ndarray) -> pyproj.CRS:
        if len(coords) and (np.abs(coords) <= 180).all():
            msg = f"{self.name} has no CRS; its coordinates look like lon/lat: assumed EPSG:4326"
            warnings.warn(msg, HotspotsWarning, stacklevel=5)
            self.notes.append(msg)
            return pyproj.CRS.from_epsg(4326)
        raise LayerError(f"{self.name} has no CRS and is not lon/lat; pass crs=")

    def _geometry_from_location(self, col: str) -> tuple[np.ndarray, pyproj.CRS]:
        text = self._text(col)
        self.used["location"] = col
        empty = (text == "").to_numpy()
        self._reject(empty, "missing_coordinates", f"{col} empty")
        is_wkt = text.str.match(
            r"^\s*(?:SRID=\d+;)?\s*(?:MULTI)?(?:POINT|LINESTRING|POLYGON)", case=False
        )
        is_wkt = is_wkt.fillna(False).to_numpy(bool)
        geoms = np.full(self.n, None, dtype=object)
        if is_wkt.any():
            wkt = text[is_wkt].str.replace(r"^\s*SRID=\d+;", "", regex=True)
            parsed = shapely.from_wkt(wkt.to_numpy(), on_invalid="ignore")
            geoms[is_wkt] = parsed
            bad = np.zeros(self.n, bool)
            bad[is_wkt] = pd.isna(parsed)
            self._reject(bad, "invalid_geometry", f"{col} is not valid WKT")
        pairs = ~is_wkt & ~empty
        if pairs.any():
            m = text[pairs].str.extract(_PAIR_RE)
            a = pd.to_numeric(m[0], errors="coerce").to_numpy(float)
            b = pd.to_numeric(m[1], errors="coerce").to_numpy(float)
            good = np.isfinite(a) & np.isfinite(b)
            idx = np.flatnonzero(pairs)
            bad = np.zeros(self.n, bool)
            bad[idx[~good]] = True
            self._reject(bad, "non_numeric_coordinates", f"{col} is not '(lat, lon)' or WKT")
            zero = np.zeros(self.n, bool)
            zero[idx[good & (a == 0) & (b == 0)]] = True
            self._reject(zero, "zero_coordinates", f"{col} is (0, 0)")
            # "(lat, lon)" as Socrata and most portals publish; swaps are caught later
            geoms[idx[good]] = shapely.points(b[good], a[good])
            self.notes.append(f"{col} read as '(latitude, longitude)' pairs")
        self.geoms = np.where(self.reason == "", geoms, None)
        return pyproj.CRS.from_user_input(self.crs) if self.crs is not None else pyproj.CRS(4326)

    def _check_geometry_types(self, geoms: np.ndarray) -> None:
        present = pd.notna(geoms)
        if not present.any():
            return  # every row already rejected: the table says why
        types = np.full(self.n, "", dtype=object)
        types[present] = shapely.get_type_id(geoms[present])
        if self.kind in V.POINT_KINDS:
            ok_types = {0}  # Point
            wanted = "Point"
            hint = (
                "point layers need one point per row; take centroids first "
                "(gdf.geometry.centroid) or load it as kind='obstructions'"
            )
        else:
            ok_types = {1, 2, 3, 5, 6}  # LineString, LinearRing, Polygon, MultiLine, MultiPoly
            wanted = "Polygon or LineString"
            hint = "obstructions are areas or lines; buffer points first (gdf.buffer(2))"
        good = np.isin(types, list(ok_types)) & present
        wrong = present & ~good
        if wrong.any() and not good.any():
            found = sorted(set(shapely.get_type_id(geoms[wrong]).tolist()))
            found = [V.GEOM_TYPES.get(t, str(t)) for t in found]
            raise LayerError(
                f"{self.name}: {self.kind} need {wanted} geometries, found {found}; {hint}"
            )
        if wrong.any():
            names = np.array([V.GEOM_TYPES.get(t, "") for t in types], dtype=object)
            self._reject(wrong, "wrong_geometry_type", names + f", expected {wanted}")

    def _to_xy(self) -> None:
        """Turn usable point geometries into coordinate arrays (geometries are rebuilt once)."""
        ok = (self.reason == "") & pd.notna(self.geoms)
        self.x = np.full(self.n, np.nan)
        self.y = np.full(self.n, np.nan)
        self.x[ok] = shapely.get_x(self.geoms[ok])
        self.y[ok] = shapely.get_y(self.geoms[ok])
        self.geoms = None

    def _fix_swapped_and_bounds(self, crs: pyproj.CRS, boundary: gpd.GeoSeries | None) -> None:
        area = boundary.to_crs(crs).iloc[0] if boundary is not None else None
        if area is not None:
            shapely.prepare(area)
        if self.x is None:  # lines and polygons: only the boundary applies
            if area is not None:
                ok = (self.reason == "") & pd.notna(self.geoms)
                inside = np.zeros(self.n, bool)
                inside[ok] = shapely.intersects(area, self.geoms[ok])
                self._reject(ok & ~inside, "outside_study_area", "outside the study boundary")
            return
        ok = self.reason == ""
        x, y = self.x[ok], self.y[ok]
        swap = self._swapped(x, y, crs, area)
        if swap.any():
            rows = np.flatnonzero(ok)[swap] + 1
            msg = (
                f"{self.name}: {int(swap.sum())} row(s) had {self.used.get('lat', 'lat')}/"
                f"{self.used.get('lon', 'lon')} swapped and were fixed (rows "
                f"{', '.join(map(str, rows[:10]))}{', ...' if len(rows) > 10 else ''})"
            )
            warnings.warn(msg, HotspotsWarning, stacklevel=4)
            self.notes.append(msg)
            x[swap], y[swap] = y[swap], x[swap].copy()
            self.x[ok], self.y[ok] = x, y
        if crs.is_geographic:
            oor = ok & ((np.abs(self.x) > 180) | (np.abs(self.y) > 90))
            detail = np.array(
                [f"lon={a}, lat={b}" for a, b in zip(self.x, self.y, strict=True)], dtype=object
            ) if oor.any() else ""  # fmt: skip
            self._reject(oor, "out_of_range", detail)
        if area is not None:
            ok = self.reason == ""
            inside = shapely.intersects_xy(area, np.nan_to_num(self.x), np.nan_to_num(self.y))
            self._reject(ok & ~inside, "outside_study_area", "outside the study boundary")

    def _swapped(self, x: np.ndarray, y: np.ndarray, crs: pyproj.CRS, area: Any) -> np.ndarray:
        """Rows whose (y, x) lies where the data (or the boundary) is and (x, y) does not."""
        n = len(x)
        if n == 0:
            return np.zeros(0, bool)
        if area is not None:
            minx, miny, maxx, maxy = area.bounds
            pad_x, pad_y = (maxx - minx) * 0.1, (maxy - miny) * 0.1
        else:
            if n < 5:
                if crs.is_geographic:
                    return (np.abs(y) > 90) & (np.abs(x) <= 90)
                return np.zeros(n, bool)
            # the bulk of the data: interquartile box, padded; robust to a few bad rows
            qx = np.quantile(x, [0.25, 0.75])
            qy = np.quantile(y, [0.25, 0.75])
            minx, maxx, miny, maxy = qx[0], qx[1], qy[0], qy[1]
            floor = 0.05 if crs.is_geographic else 5000.0
            pad_x = max(3 * (maxx - minx), floor)
            pad_y = max(3 * (maxy - miny), floor)

        def inside(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return (
                (a >= minx - pad_x)
                & (a <= maxx + pad_x)
                & (b >= miny - pad_y)
                & (b <= maxy + pad_y)
            )

        here = inside(x, y)
        there = inside(y, x)
        return ~here & there

    # --- attribute fields -------------------------------------------------------------
    def _fields(self, period: tuple[Any, Any] | None, as_of: Any) -> dict[str, pd.Series]:
        out: dict[str, pd.Series] = {}
        wanted = V.FIELDS[self.kind]
        if "id" in wanted:
            col = self._col("id", V.ID_NAMES[self.kind])
            ids = self._text(col)
            if col is not None:
                self.used["id"] = col
            out[C.ID] = ids
        if "time" in wanted:
            tcol = C.OCCURRED_AT if self.kind == C.INCIDENTS else C.REPORTED_AT
            out[tcol] = self._times(period, as_of)
        if "time_to" in wanted:
            col = self._col("time_to", V.TIME_TO_NAMES)
            if col is not None:
                self.used["time_to"] = col
                to, bad = _parse_times(self._text(col), self.tz)
                start = out[C.OCCURRED_AT]
                to = to.where(~bad & (to >= start), pd.NaT)
                out[C.OCCURRED_TO] = to
            else:
                out[C.OCCURRED_TO] = pd.Series(
                    pd.NaT, index=self.raw.index, dtype=pd.DatetimeTZDtype("us", self.tz)
                )
        if "category" in wanted:
            col = self._col("category", V.CATEGORY_NAMES[self.kind])
            if col is not None:
                self.used["category"] = col
            out[C.CATEGORY] = self._text(col)
        if "description" in wanted:
            col = self._col("description", V.DESCRIPTION_NAMES)
            if col is not None:
                self.used["description"] = col
            out[C.DESCRIPTION] = self._text(col)
        if "status" in wanted:
            col = self._col("status", V.STATUS_NAMES)
            if col is not None:
                self.used["status"] = col
                out[C.STATUS] = _normalise_status(self._text(col), _norm(col))
            else:
                out[C.STATUS] = pd.Series(C.STATUS_UNKNOWN, index=self.raw.index, dtype=str)
                self.notes.append("no light status column: every light's status is 'unknown'")
        if "wattage" in wanted:
            col = self._col("wattage", V.WATTAGE_NAMES)
            if col is not None:
                self.used["wattage"] = col
            out[C.WATTAGE] = _number(self._text(col))
        if "pole_height" in wanted:
            col = self._col("pole_height", V.POLE_HEIGHT_NAMES)
            if col is not None:
                self.used["pole_height"] = col
            out["pole_height_m"] = _height_m(self._text(col))
        if "name" in wanted:
            col = self._col("name", V.NAME_NAMES)
            if col is not None:
                self.used["name"] = col
            out[C.NAME] = self._text(col)
        if "routes" in wanted:
            col = self._col("routes", V.ROUTES_NAMES)
            if col is not None:
                self.used["routes"] = col
            out[C.ROUTES] = self._text(col)
        if "kind" in wanted:
            col = self._col("kind", V.KIND_NAMES)
            if col is not None:
                self.used["kind"] = col
            out[C.KIND] = _normalise_obstruction(self._text(col))
        return out

    def _times(self, period: tuple[Any, Any] | None, as_of: Any) -> pd.Series:
        names = V.TIME_NAMES[self.kind]
        col = self._col("time", names)
        if col is None:
            # any column whose name says date/time and whose values parse
            for c in self.raw.columns:
                if re.search(r"date|time|when|_dat$|^dat", _norm(c)):
                    col = c
                    break
        if col is None:
            raise LayerError(
                f"{self.name}: no date/time column found among: "
                f"{', '.join(map(str, self.raw.columns))}. {self.kind} need one; name it with "
                "columns={'time': '<column>'}"
            )
        self.used["time"] = str(col)
        raw = self.raw[col]
        if pd.api.types.is_datetime64_any_dtype(raw):
            times = raw.dt.tz_localize(self.tz) if raw.dt.tz is None else raw.dt.tz_convert(self.tz)
            bad = pd.Series(False, index=raw.index)
            missing = raw.isna().to_numpy()
        else:
            text = self._text(col)
            missing = (text == "").to_numpy()
            times, bad = _parse_times(text, self.tz)
            if times.notna().sum() == 0 and (~missing).any():
                raise LayerError(
                    f"{self.name}: column {col!r} holds no date/time this reader understands "
                    f"(e.g. {text[~missing].iloc[0]!r}); name another with "
                    "columns={'time': ...}, or convert it to ISO 8601 (2025-03-02 12:00:32)"
                )
        self._reject(missing, "missing_time", f"{col} empty")
        values = (
            self._text(col) if not pd.api.types.is_datetime64_any_dtype(raw) else raw.astype(str)
        )
        self._reject(
            bad.to_numpy() & ~missing,
            "unparseable_time",
            np.array([f"{col}={v!r}" for v in values], dtype=object) if bad.any() else "",
        )
        now = pd.Timestamp.now(tz="UTC") if as_of is None else _as_ts(as_of, self.tz)
        future = (times > now).fillna(False).to_numpy(bool)
        self._reject(future, "future_time", f"{col} after {now:%Y-%m-%d %H:%M %Z}")
        if period is not None:
            start, end = (_as_ts(v, self.tz) if v is not None else None for v in period)
            outside = np.zeros(self.n, bool)
            if start is not None:
                outside |= (times < start).fillna(False).to_numpy(bool)
            if end is not None:
                outside |= (times > end).fillna(False).to_numpy(bool)
            self._reject(outside, "outside_study_period", f"{col} outside {start} .. {end}")
        return times

    def _duplicates(self, duplicates: str, out: dict[str, pd.Series]) -> None:
        frame = self.raw
        # exact duplicates share coordinates and time: a cheap numeric key narrows the search
        key = {}
        if self.x is not None:
            key = {"x": self.x, "y": self.y}
        for col in (C.OCCURRED_AT, C.REPORTED_AT):
            if col in out:
                key[col] = out[col].dt.tz_convert(None).to_numpy()
        narrowed = pd.DataFrame(key).duplicated(keep=False).to_numpy(bool) if key else None
        if narrowed is not None:
            frame = frame.loc[narrowed]
        if isinstance(frame, gpd.GeoDataFrame):
            frame = pd.DataFrame(frame.drop(columns=frame.geometry.name)).assign(
                _wkb=frame.geometry.to_wkb()
            )
        dup = np.zeros(self.n, dtype=bool)
        if len(frame):
            found = _exact_duplicates(frame)
            if narrowed is None:
                dup = found
            else:
                dup[narrowed] = found
        self._dup = dup
        if not dup.any():
            return
        if duplicates == "drop":
            self._reject(dup, "duplicate", "repeats an earlier row exactly")
        else:
            self.notes.append(f"{int(dup.sum())} exact duplicate row(s) kept ({duplicates})")

    # --- output -----------------------------------------------------------------------
    def _assemble(
        self,
        out: dict[str, pd.Series],
        crs: pyproj.CRS,
        keep: np.ndarray,
        rows: np.ndarray,
        duplicates: str,
        to_crs: Any,
    ) -> gpd.GeoDataFrame:
        src = self.raw
        if isinstance(src, gpd.GeoDataFrame):
            src = pd.DataFrame(src.drop(columns=src.geometry.name))
        std = [C.ID, C.SOURCE_ROW, *[k for k in out if k != C.ID]]
        if duplicates == "flag":
            std.append(C.IS_DUPLICATE)
        rename = {c: f"src_{c}" for c in src.columns if c in std or c == C.GEOMETRY}
        src = src.rename(columns=rename)
        data: dict[str, Any] = {}
        ids = out[C.ID]
        ids = ids.where(ids != "", pd.Series(rows, index=ids.index).astype(str))
        data[C.ID] = ids
        data[C.SOURCE_ROW] = pd.Series(rows, index=ids.index, dtype="int64")
        for k, v in out.items():
            if k != C.ID:
                data[k] = v
        if duplicates == "flag":
            data[C.IS_DUPLICATE] = pd.Series(self._dup, index=ids.index)
        frame = pd.concat([pd.DataFrame(data), src], axis=1).loc[keep].reset_index(drop=True)
        frame[C.ID] = _unique_ids(frame[C.ID], frame[C.SOURCE_ROW])
        target = self._target_crs(to_crs, crs, keep)
        if self.x is not None:
            x, y = self.x[keep], self.y[keep]
            if target != crs:
                x, y = pyproj.Transformer.from_crs(crs, target, always_xy=True).transform(x, y)
            geometry = gpd.GeoSeries(shapely.points(x, y), crs=target)
        else:
            geometry = gpd.GeoSeries(self.geoms[keep], crs=crs).to_crs(target)
        return gpd.GeoDataFrame(frame, geometry=geometry.reset_index(drop=True), crs=target)

    def _target_crs(self, to_crs: Any, crs: pyproj.CRS, keep: np.ndarray) -> pyproj.CRS:
        if to_crs is None:
            return crs
        if isinstance(to_crs, str) and to_crs.lower() == "utm":
            if self.x is not None:
                x, y = self.x[keep], self.y[keep]
                box = shapely.box(x.min(), y.min(), x.max(), y.max()) if len(x) else None
            else:
                box = shapely.box(*shapely.total_bounds(self.geoms[keep]))
            if box is None or not keep.any():
                log.warning("%s: no rows loaded, so no UTM zone; left in %s", self.name, crs)
                return crs
            utm = gpd.GeoSeries([box], crs=crs).estimate_utm_crs()
            log.info("%s: UTM CRS %s chosen from the layer's extent", self.name, utm.to_string())
            return pyproj.CRS.from_user_input(utm)
        return pyproj.CRS.from_user_input(to_crs)

    def _rejected_table(self, mask: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
        if not mask.any():
            return pd.DataFrame({c: pd.Series(dtype=object) for c in C.REJECTED_COLUMNS})
        src = self.raw.loc[mask]
        if isinstance(src, gpd.GeoDataFrame):
            src = pd.DataFrame(src).assign(**{src.geometry.name: src.geometry.to_wkt()})
        originals = [
            json.dumps({str(k): _jsonable(v) for k, v in rec.items()}, ensure_ascii=False)
            for rec in src.to_dict("records")
        ]
        return pd.DataFrame(
            {
                C.REJ_LAYER: self.kind,
                C.REJ_SOURCE: self.name,
                C.REJ_ROW: rows[mask],
                C.REJ_REASON: self.reason[mask],
                C.REJ_DETAIL: self.detail[mask],
                C.REJ_ORIGINAL: originals,
            }
        )

    def _precision(self, data: gpd.GeoDataFrame) -> LocationPrecision:
        address = _find(list(self.raw.columns), V.ADDRESS_HINTS) or next(
            (c for c in self.raw.columns if any(h in _norm(c) for h in ("block", "address"))),
            None,
        )
        if len(data) < 10 or self.x is None:
            return LocationPrecision("unknown", 0.0, None, address, "too few points to judge")
        keep = self.reason == ""
        xy = np.c_[self.x[keep], self.y[keep]]
        scale = 1e6 if self._source_crs.is_geographic else 10.0
        keys = pd.DataFrame(np.round(xy * scale).astype(np.int64))
        repeated = float(keys.duplicated(keep=False).mean())
        decimals = None
        if self._x_text is not None:
            text = self._x_text[keep]
            sample = text.iloc[: min(len(text), 2000)]
            dec = sample.str.split(".").str[1].str.len().fillna(0)
            decimals = int(dec.median()) if len(dec) else None
        threshold = self.settings.repeated_share_snapped
        if repeated >= threshold:
            level = "snapped"
            note = (
                f"{repeated:.0%} of points share a coordinate with another"
                + (f" (source column {address!r} gives blocks/addresses)" if address else "")
                + ": locations are snapped to blocks or intersections, so distances are "
                "good to about half a block"
            )
        elif decimals is not None and decimals <= 3 and self._source_crs.is_geographic:
            level = "rounded"
            note = f"coordinates carry {decimals} decimals (about 100 m): distances are coarse"
        else:
            level = "point"
            note = f"{repeated:.0%} of points share a coordinate: point locations"
        return LocationPrecision(level, repeated, decimals, address, note)


# =========================================================================================
# value parsers (module-level so they can be tested and reused)
# =========================================================================================


def _to_float(text: pd.Series) -> np.ndarray:
    """Text to float; NaN for empty or non-numeric. Tries pyarrow's fast cast first."""
    try:
        arr = _arrow_strings(text)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
        return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), float)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(float)


def _exact_duplicates(frame: pd.DataFrame) -> np.ndarray:
    """Rows that repeat an earlier row exactly: hash first, then confirm candidates exactly."""
    try:
        hashes = pd.util.hash_pandas_object(frame, index=False)
    except TypeError:  # unhashable cells (lists, dicts) from some geo files
        frame = frame.astype(str)
        hashes = pd.util.hash_pandas_object(frame, index=False)
    candidates = hashes.duplicated(keep=False).to_numpy(bool)
    dup = np.zeros(len(frame), dtype=bool)
    if candidates.any():
        sub = frame.loc[candidates]
        try:
            dup[candidates] = sub.duplicated(keep="first").to_numpy(bool)
        except TypeError:
            dup[candidates] = sub.astype(str).duplicated(keep="first").to_numpy(bool)
    return dup


def _full(x: np.ndarray, y: np.ndarray, mask: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    fx = np.full(n, np.nan)
    fy = np.full(n, np.nan)
    fx[mask], fy[mask] = x, y
    return fx, fy


def _as_ts(value: Any, tz: str) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz)


def _localize(naive: pd.Series, tz: str) -> pd.Series:
    """Localize naive local times; DST-ambiguous ones take the first (summer) reading."""
    return naive.dt.tz_localize(
        tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    )


def _parse_times(text: pd.Series, tz: str) -> tuple[pd.Series, pd.Series]:
    """Parse date/time text in whichever known format fits; return (times, unparseable).

    The format is chosen on a sample of values (the one that reads most of them), then the
    whole column is parsed with it; only rows it cannot read get the other formats. Epoch
    seconds and milliseconds are recognised by their size. Values with a UTC offset are
    converted to `tz`; values without are localized to `tz`.
    """
    n = len(text)
    utc = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    present = (text != "").to_numpy(bool)
    pos = np.flatnonzero(present)
    values = text[present]
    sample = values.iloc[:: max(1, len(values) // 500)].iloc[:500]
    if len(sample) and sample.str.fullmatch(r"\d{9,14}(?:\.0+)?").mean() > 0.9:
        numeric = pd.to_numeric(values, errors="coerce")
        unit = "ms" if numeric.abs().median() > 1e11 else "s"
        parsed = pd.to_datetime(numeric, unit=unit, errors="coerce")  # naive UTC
        utc[pos] = parsed.to_numpy("datetime64[us]")
    elif len(sample):
        scores = np.array([_try_format(sample, fmt, tz).notna().sum() for fmt in V.TIME_FORMATS])
        order = [i for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
        remaining = values
        for i in [*order, None]:
            if remaining.empty:
                break
            if i is None:  # last resort for stragglers: pandas' own inference
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    parsed = pd.to_datetime(remaining, errors="coerce", format="mixed", utc=True)
            else:
                parsed = _try_format(remaining, V.TIME_FORMATS[i], tz)
            got = parsed.notna().to_numpy(bool)
            utc[pos[got]] = parsed[got].dt.tz_convert(None).to_numpy("datetime64[us]")
            pos, remaining = pos[~got], remaining[~got]
    times = pd.Series(utc, index=text.index).dt.tz_localize("UTC").dt.tz_convert(tz)
    return times, pd.Series(present, index=text.index) & times.isna()


def _try_format(values: pd.Series, fmt: str, tz: str) -> pd.Series:
    dtype = pd.DatetimeTZDtype("us", tz)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt == "ISO8601":
            has_offset = values.str.contains(_OFFSET_RE, regex=True)
            if values.str.contains(r"^\d{4}-\d{2}-\d{2}", regex=True).mean() == 0:
                return pd.Series(pd.NaT, index=values.index, dtype=dtype)
            out = pd.Series(pd.NaT, index=values.index, dtype=dtype)
            if has_offset.any():
                aware = pd.to_datetime(
                    values[has_offset], format="ISO8601", errors="coerce", utc=True
                )
                out.loc[has_offset] = aware.dt.tz_convert(tz).astype(dtype)
            if (~has_offset).any():
                naive = pd.to_datetime(values[~has_offset], format="ISO8601", errors="coerce")
                if getattr(naive.dt, "tz", None) is None:
                    out.loc[~has_offset] = _localize(naive, tz).astype(dtype)
            return out
    # explicit formats: pyarrow's strptime (C++, ~30x faster than pandas' here)
    parsed = pc.strptime(_arrow_strings(values), format=fmt, unit="us", error_is_null=True)
    naive = pd.Series(parsed.to_numpy(zero_copy_only=False), index=values.index)
    naive = naive.astype("datetime64[us]") if naive.dtype == object else naive
    if "%z" in fmt:  # pyarrow returns UTC instants
        return naive.dt.tz_localize("UTC").dt.tz_convert(tz).astype(dtype)
    return _localize(naive, tz).astype(dtype)


def _arrow_strings(text: pd.Series) -> pa.ChunkedArray | pa.Array:
    try:
        arr = pa.array(text.array)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        arr = pa.array(text.astype(str).to_numpy(dtype=object), type=pa.string())
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return arr


def _normalise_status(text: pd.Series, column: str) -> pd.Series:
    """Map a source's light status vocabulary to working / out / unknown."""
    inverted = column in {"is_out", "out", "outage", "lamp_out", "is_broken", "broken"}
    plain = column in {"working", "is_working", "operational", "is_operational", "lit"}
    mapping: dict[str, str] = {}
    for value in text.unique():
        v = str(value).strip().lower()
        if v in V.TRUE_WORDS and (inverted or plain):
            mapping[value] = C.STATUS_OUT if inverted else C.STATUS_WORKING
        elif v in V.FALSE_WORDS and (inverted or plain):
            mapping[value] = C.STATUS_WORKING if inverted else C.STATUS_OUT
        elif any(re.search(rf"\b{re.escape(w)}\b", v) for w in V.OUT_WORDS):
            mapping[value] = C.STATUS_OUT
        elif any(re.search(rf"\b{re.escape(w)}\b", v) for w in V.WORKING_WORDS):
            mapping[value] = C.STATUS_WORKING
        else:
            mapping[value] = C.STATUS_UNKNOWN
    return text.map(mapping).astype(str)


def _normalise_obstruction(text: pd.Series) -> pd.Series:
    mapping: dict[str, str] = {}
    for value in text.unique():
        v = str(value).strip().lower()
        mapping[value] = next(
            (kind for kind, words in V.OBSTRUCTION_WORDS if any(w in v for w in words)), "other"
        )
    return text.map(mapping).astype(str)


def _number(text: pd.Series) -> pd.Series:
    """Numbers from text; a unit or label around the number ("150 W") is ignored."""
    value = pd.to_numeric(text, errors="coerce").astype(float)
    rest = value.isna() & text.notna() & (text.astype(str).str.strip() != "")
    if rest.any():  # only the text that is not a plain number pays for the regex
        found = text[rest].str.extract(rf"({_FLOAT_RE})")[0]
        value[rest] = pd.to_numeric(found, errors="coerce").astype(float)
    return value


def _height_m(text: pd.Series) -> pd.Series:
    """Pole heights in metres; values marked ft/feet/' are converted."""
    value = _number(text)
    feet = text.str.contains(r"ft|feet|foot|'", case=False, regex=True).fillna(False)
    return value.where(~feet, value * 0.3048)


def _unique_ids(ids: pd.Series, rows: pd.Series) -> pd.Series:
    dup = ids.duplicated(keep=False)
    if not dup.any():
        return ids
    log.warning("%d rows share an id with another row; made unique as '<id>~<row>'", int(dup.sum()))
    return ids.where(~dup, ids + "~" + rows.astype(str))


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if np.isnan(value) else value
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)
