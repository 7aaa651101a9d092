"""Read real, messy layers: detect columns, parse times, validate, reject with reasons.

:func:`read_layer` takes a file (CSV, GeoJSON, GeoPackage, Shapefile, GeoParquet) or a
(Geo)DataFrame and returns a :class:`Layer`: the usable rows as a GeoDataFrame with the
columns of the layer contract (DESIGN.md) plus every source column, and a table of the rows
that could not be used, each with its reason. Loaded + rejected = rows read, always.

A problem with the whole file (unreadable, empty, no coordinate columns, wrong geometry type)
raises :class:`hotspots.LayerError` naming the file, what was found and how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from hotspots import _columns as C
from hotspots._errors import LayerError, ValidationError, raise_problems
from hotspots._loaded import REJECTION_REASONS, Layer, LocationPrecision
from hotspots._reader import Reader
from hotspots._sources import LayerSource, read_source
from hotspots._timecols import TIME_MODES
from hotspots._times import known_tz
from hotspots.layers import get_layer_kind, overridable_fields, resolve_kind
from hotspots.settings import Settings

__all__ = [
    "REJECTION_REASONS",
    "Layer",
    "LayerSource",
    "LocationPrecision",
    "empty_layer",
    "read_boundary",
    "read_layer",
]

# =========================================================================================
# public entry points
# =========================================================================================


def read_layer(
    source: LayerSource,
    kind: str,
    *,
    tz: str | None = "UTC",
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
    times: str = "auto",
    dayfirst: bool | None = None,
    near: Any = None,
) -> Layer:
    """Read one layer from a file or frame, keeping every unusable row with its reason.

    Parameters
    ----------
    source : str, Path, DataFrame or GeoDataFrame
        CSV (``.csv``, ``.txt``), GeoJSON, GeoPackage, Shapefile, GeoParquet, or a frame.
    kind : {"incidents", "concerns", "lights", "stops", "obstructions"} or a registered kind
        The layer kind (``"bus_stops"`` and a few other aliases are accepted); kinds added
        with :func:`hotspots.register_layer_kind` too.
    tz : str or None
        IANA timezone. Times without an offset are local times in this zone (localized, not
        shifted); all times are returned in it. None: the zone where the data are
        (``timezonefinder``, offline), logged and recorded in ``Layer.reading["tz"]``.
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
    times : {"auto", "offsets", "local"}
        How UTC offsets in the time column are read. ``"offsets"`` trusts them;
        ``"local"`` drops them and reads the wall-clock time as local to `tz` (Boston's
        crime file writes local times with ``+00``); ``"auto"`` (default) trusts them
        unless an hour-of-day column (``HOUR``) agrees with the wall clock and not with the
        offsets: then the times are read as local, with a :class:`HotspotsWarning` and a
        note. Without such a column, a daily rhythm that only makes sense on the wall
        clock gives a warning.
    dayfirst : bool, optional
        For dates that read both day-first and month-first (every day <= 12). By default
        the whole column decides (the order that reads more values), else month-first,
        with a warning.
    near : GeoDataFrame, GeoSeries, shapely geometry or (N, 2) lon/lat array, optional
        Where the data are, e.g. another layer of the same area. Used to infer the CRS of
        projected x/y given without `crs` (the projected systems whose area of use covers
        the place are tried; the one that puts the points over `near` is used, logged and
        recorded in ``Layer.reading["crs_inferred"]``), and to infer `tz` when it is None.

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
        - a registered kind: its fields' columns (see :class:`hotspots.layers.LayerKind`)
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
    kind = resolve_kind(kind)
    settings = settings if settings is not None else Settings()
    problems: list[str] = []
    if duplicates not in ("drop", "flag", "keep"):
        problems.append(f'`duplicates` must be "drop", "flag" or "keep", got {duplicates!r}')
    overrides = dict(columns or {})
    allowed = overridable_fields()
    bad = sorted(set(overrides) - allowed)
    if bad:
        problems.append(
            f"`columns` has unknown field(s) {bad}; allowed: {', '.join(sorted(allowed))}"
        )
    if lon is not None:
        overrides["lon"] = lon
    if lat is not None:
        overrides["lat"] = lat
    if ("lon" in overrides) != ("lat" in overrides):
        problems.append("pass both `lon` and `lat` (or neither)")
    if times not in TIME_MODES:
        problems.append(f"`times` must be one of {', '.join(TIME_MODES)}, got {times!r}")
    if tz is not None and not known_tz(tz):
        problems.append(f"`tz` {tz!r} is not a known IANA timezone (e.g. 'America/New_York')")
    raise_problems(problems, "read_layer: invalid arguments")

    name, raw = read_source(source, layer=layer)
    reader = Reader(
        kind=get_layer_kind(kind),
        name=name,
        raw=raw,
        tz=tz,
        crs=crs,
        overrides=overrides,
        settings=settings,
        times=times,
        dayfirst=dayfirst,
        near=near,
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

    Parameters
    ----------
    kind : str
        A registered layer kind.
    crs : anything pyproj accepts
    tz : str
        Timezone of the time columns of event layers.

    Returns
    -------
    GeoDataFrame
        No rows; ``id``, ``source_row``, the kind's field columns, ``geometry``.

    Examples
    --------
    >>> list(empty_layer("lights").columns)
    ['id', 'source_row', 'status', 'wattage', 'pole_height_m', 'geometry']
    """
    spec = get_layer_kind(kind)
    time_dtype = pd.DatetimeTZDtype("us", tz)
    dtypes = {"time": time_dtype, "time_end": time_dtype, "number": float, "height_m": float}
    cols: dict[str, pd.Series] = {
        C.ID: pd.Series(dtype=str),
        C.SOURCE_ROW: pd.Series(dtype="int64"),
    }
    for f in spec.fields:
        cols[f.column] = pd.Series(dtype=dtypes.get(f.parse, str))
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
