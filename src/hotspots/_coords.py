"""Coordinates of a layer: which columns, which CRS, swapped lat/lon, geometry types.

:class:`CoordinateReading` holds the geometry steps of the reader in
:mod:`hotspots._reader` (it shares the reader's row state: ``raw``, ``reason``,
``_reject``, ``used``, ``notes``); :func:`to_float` parses coordinate text.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyproj
import shapely

from hotspots import _vocab as V
from hotspots._errors import HotspotsWarning, LayerError
from hotspots._times import arrow_strings
from hotspots.layers import LayerKind
from hotspots.settings import Settings

__all__ = ["FLOAT_RE", "PAIR_RE", "CoordinateReading", "to_float"]

FLOAT_RE = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
"""A decimal number, optionally signed, with an exponent."""
PAIR_RE = re.compile(rf"^\s*[\(\[]?\s*({FLOAT_RE})\s*[,;\s]\s*({FLOAT_RE})\s*[\)\]]?\s*$")
"""A coordinate pair such as ``(38.9, -77.0)``."""


def to_float(text: pd.Series) -> np.ndarray:
    """Text to float; NaN for empty or non-numeric. Tries pyarrow's fast cast first."""
    try:
        arr = arrow_strings(text)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
        return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), float)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(float)


class CoordinateReading:
    """The reader's row state and helpers, and its geometry steps.

    :class:`hotspots._reader.Reader` adds the fields and the output. Every step records a
    rejected row with :meth:`_reject` (first reason wins) instead of dropping it.
    """

    def __init__(
        self,
        *,
        kind: LayerKind,
        name: str,
        raw: pd.DataFrame,
        tz: str,
        crs: Any,
        overrides: dict[str, str],
        settings: Settings,
    ) -> None:
        self.spec = kind
        self.kind = kind.name
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
        return V.find_column([c for c in cols if not self._all_empty(c)], names)

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
        x = to_float(xs_text)
        y = to_float(ys_text)
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
        lon = V.find_column(cols, V.LON_EXACT)
        lat = V.find_column(cols, V.LAT_EXACT)
        if lon is None or lat is None:
            tokens = {c: set(V.norm(c).split("_")) for c in cols}
            # a name with a lon token and no lat token (BSTP_LAT_LON_TCD is neither)
            lon = lon or next(
                (c for c in cols if tokens[c] & V.LON_TOKENS and not tokens[c] & V.LAT_TOKENS), None
            )
            lat = lat or next(
                (c for c in cols if tokens[c] & V.LAT_TOKENS and not tokens[c] & V.LON_TOKENS), None
            )
        if lon is None or lat is None:
            lon, lat = V.find_column(cols, V.X_NAMES), V.find_column(cols, V.Y_NAMES)
        if lon is not None and lat is not None:
            return lon, lat, None
        loc = V.find_column(cols, V.LOCATION_NAMES)
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
            m = text[pairs].str.extract(PAIR_RE)
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
        if self.spec.is_point:
            ok_types = {0}  # Point
            wanted = "Point"
            hint = (
                "point layers need one point per row; take centroids first "
                "(gdf.geometry.centroid) or load it as kind='obstructions'"
            )
        else:
            ok_types = {1, 2, 3, 5, 6}  # LineString, LinearRing, Polygon, MultiLine, MultiPoly
            wanted = "Polygon or LineString"
            hint = f"{self.kind} are areas or lines; buffer points first (gdf.buffer(2))"
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
