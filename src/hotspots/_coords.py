"""Coordinates of a layer: which columns, which CRS, swapped lat/lon, geometry types.

:class:`CoordinateReading` holds the geometry steps of the reader in
:mod:`hotspots._reader` (it shares the reader's row state: ``raw``, ``reason``,
``_reject``, ``used``, ``notes``); :func:`to_float` parses coordinate text.
"""

from __future__ import annotations

import logging
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
from hotspots._crs_infer import infer_projected_crs, reference_lonlat
from hotspots._errors import HotspotsWarning, LayerError
from hotspots._sanity import far_from_centre, infer_tz, robust_centre, to_lonlat
from hotspots._times import arrow_strings
from hotspots.layers import LayerKind
from hotspots.settings import Settings

__all__ = ["FLOAT_RE", "PAIR_RE", "CRSUnknownError", "CoordinateReading", "to_float"]

log = logging.getLogger("hotspots.io")

FLOAT_RE = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
"""A decimal number, optionally signed, with an exponent."""
PAIR_RE = re.compile(rf"^\s*[\(\[]?\s*({FLOAT_RE})\s*[,;\s]\s*({FLOAT_RE})\s*[\)\]]?\s*$")
"""A coordinate pair such as ``(38.9, -77.0)``."""


class CRSUnknownError(LayerError):
    """Projected coordinates without a CRS and nothing to infer it from (yet)."""


def to_float(text: pd.Series) -> np.ndarray:
    """Text to float; NaN for empty or non-numeric. Tries pyarrow's fast cast first.

    Numbers as spreadsheets write them are read too: a Unicode minus (U+2212), spaces and
    no-break spaces inside, and a decimal comma (``-71,0589``).

    Examples
    --------
    >>> to_float(pd.Series(["-71.05", "\u221271,05", "", "x"])).tolist()
    [-71.05, -71.05, nan, nan]
    """
    try:
        arr = arrow_strings(text)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
        return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), float)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        value = np.array(pd.to_numeric(text.where(text != "", None), errors="coerce"), dtype=float)
    rest = np.isnan(value) & (text != "").to_numpy(bool)
    if rest.any():  # only the values that are not plain numbers pay for the cleaning
        fixed = (
            text[rest]
            .str.replace("\u2212", "-", regex=False)
            .str.replace(r"[\s\u00a0\u202f\u2009]", "", regex=True)
            .str.replace(r"^([-+]?\d+),(\d+)$", r"\1.\2", regex=True)
        )
        value[rest] = pd.to_numeric(fixed, errors="coerce").to_numpy(float)
    return value


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
        times: str = "auto",
        dayfirst: bool | None = None,
        near: Any = None,
    ) -> None:
        self.spec = kind
        self.kind = kind.name
        self.name = name
        self.raw = raw
        self.tz = tz
        self.crs = crs
        self.overrides = overrides
        self.settings = settings
        self.times_mode = times
        self.dayfirst = dayfirst
        self.near = near
        self.reading: dict[str, Any] = {}
        self._boundary: gpd.GeoSeries | None = None
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
            if crs is not None and pyproj.CRS.from_user_input(crs).is_geographic:
                xy = shapely.get_coordinates(geoms[pd.notna(geoms)])
                if len(xy) and (np.abs(xy) > 180).any(axis=1).mean() > 0.5:
                    # GeoJSON without a `crs` member is read as lon/lat (RFC 7946)
                    self.notes.append(
                        f"{self.name} says lon/lat but holds projected coordinates "
                        f"(e.g. {xy[0, 0]:.1f}, {xy[0, 1]:.1f}): its CRS is unknown"
                    )
                    crs = None
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
        return self._infer_crs(x[ok], y[ok], f"columns {lon_col}/{lat_col}")

    def _infer_crs(self, x: np.ndarray, y: np.ndarray, what: str) -> pyproj.CRS:
        """Projected coordinates without a CRS: infer it from `near`/the boundary, or raise."""
        example = f"e.g. {x[0]:.1f}, {y[0]:.1f}"
        near = self.near
        if near is None and self._boundary is not None:
            near = self._boundary
        points, area = reference_lonlat(near)
        if points is None and area is None:
            raise CRSUnknownError(
                f"{self.name}: {what} hold projected coordinates ({example}), not "
                "longitude/latitude, and the file names no CRS. Pass crs= with the "
                "publisher's system (a State Plane zone or national grid, e.g. crs=3435 for "
                "Illinois East ftUS), or give a lon/lat layer of the same place (or a "
                "boundary) with it so the CRS can be inferred, or name longitude/latitude "
                "columns with lon=/lat= if the file has them"
            )
        guess = infer_projected_crs(x, y, points, area)
        listed = "; ".join(f"{code} {name}: {share:.0%} in place" for code, name, share in
                           guess.candidates[:5])  # fmt: skip
        if guess.crs is None:
            raise LayerError(
                f"{self.name}: {what} hold projected coordinates ({example}) without a CRS, "
                "and no single projected system covering the place puts them over the other "
                f"data. Best candidates: {listed}. Pass crs= with the publisher's system"
            )
        code = guess.crs.to_string()
        msg = (
            f"{self.name}: {what} have no CRS; {code} ({guess.crs.name}) puts "
            f"{guess.share:.0%} of them over the other data and was used"
            + (f" (same place: {', '.join(guess.equivalent)})" if guess.equivalent else "")
        )
        log.info(msg)
        warnings.warn(msg, HotspotsWarning, stacklevel=6)
        self.notes.append(msg)
        self.reading["crs_inferred"] = {
            "crs": code,
            "name": guess.crs.name,
            "share_in_place": round(guess.share, 3),
            "equivalent": list(guess.equivalent),
            "candidates": [list(c) for c in guess.candidates],
        }
        return guess.crs

    def _guess_geographic(self, coords: np.ndarray) -> pyproj.CRS:
        if len(coords) and (np.abs(coords) > 180).mean() > 0.5:
            return self._infer_crs(coords[:, 0], coords[:, 1], "its coordinates")
        if len(coords) and (np.abs(coords) <= 180).all():
            msg = f"{self.name} has no CRS; its coordinates look like lon/lat: assumed EPSG:4326"
            warnings.warn(msg, HotspotsWarning, stacklevel=5)
            self.notes.append(msg)
            return pyproj.CRS.from_epsg(4326)
        raise LayerError(
            f"{self.name} has no CRS and its coordinates are not all lon/lat; pass crs= with "
            "the file's system (e.g. crs=3435), or set it in the file and export it again"
        )

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
            # a MultiPoint of one point (as some exports write every point) is that point
            multi = present & (types == 4)
            if multi.any():
                single = np.zeros(self.n, bool)
                single[multi] = shapely.get_num_geometries(geoms[multi]) == 1
                if single.any():
                    geoms[single] = shapely.get_geometry(geoms[single], 0)
                    types[single] = 0
                    self.notes.append(
                        f"{int(single.sum())} single-part MultiPoint(s) read as points"
                    )
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

    # --- where the data are -----------------------------------------------------------------
    def _lonlat(self, crs: pyproj.CRS, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lon/lat of the points (or of polygon/line centres) of the rows in `mask`."""
        if self.x is not None:
            x, y = self.x[mask], self.y[mask]
        else:
            c = shapely.centroid(self.geoms[mask])
            x, y = shapely.get_x(c), shapely.get_y(c)
        return to_lonlat(x, y, crs)

    def _implausible(self, crs: pyproj.CRS) -> None:
        """Reject points far from the bulk of the layer, and projected-origin artefacts."""
        if self.x is None:
            return
        self._projected_origin()
        ok = (self.reason == "") & np.isfinite(self.x) & np.isfinite(self.y)
        if ok.sum() < 5:
            return
        lon, lat = self._lonlat(crs, ok)
        far, dist, limit, centre = far_from_centre(lon, lat)
        if not far.any():
            return
        mask = np.zeros(self.n, bool)
        mask[np.flatnonzero(ok)[far]] = True
        detail = np.full(self.n, "", dtype=object)
        detail[mask] = [
            f"{d:,.0f} km from the centre of the layer ({centre[1]:.4f}, {centre[0]:.4f}); "
            f"points farther than {limit:,.0f} km are implausible"
            for d in dist[far]
        ]
        self._reject(mask, "implausible_location", detail)
        msg = (
            f"{self.name}: {int(mask.sum())} point(s) implausibly far from the rest of the "
            f"layer (more than {limit:,.0f} km; farthest {dist[far].max():,.0f} km) rejected"
        )
        warnings.warn(msg, HotspotsWarning, stacklevel=5)
        self.notes.append(msg)

    def _projected_origin(self) -> None:
        """Rows whose projected x/y columns are 0/0 while lon/lat are given (Chicago)."""
        if not self.is_text or self.used.get("lon") is None:
            return
        cols = [c for c in self.raw.columns if c not in (self.used["lon"], self.used["lat"])]
        xc, yc = V.find_column(cols, V.X_NAMES), V.find_column(cols, V.Y_NAMES)
        if xc is None or yc is None:
            return
        zero = (to_float(self._text(xc)) == 0) & (to_float(self._text(yc)) == 0)
        zero &= self.reason == ""
        if not zero.any():
            return
        msg = (
            f"{self.name}: {int(zero.sum())} row(s) with {xc}=0 and {yc}=0 (the projected "
            f"origin: a geocoding failure) rejected as implausible locations, although "
            f"{self.used['lon']}/{self.used['lat']} hold a point"
        )
        warnings.warn(msg, HotspotsWarning, stacklevel=5)
        self.notes.append(msg)
        self._reject(
            zero,
            "implausible_location",
            f"{xc}=0 and {yc}=0: the projected origin, a geocoding failure; the row's "
            f"{self.used['lon']}/{self.used['lat']} are that origin's lon/lat, not a place",
        )

    def _resolve_tz(self, crs: pyproj.CRS) -> None:
        """tz=None: the timezone of the place the loaded rows are in (logged, recorded)."""
        if self.tz is not None:
            self.reading["tz"] = {"tz": self.tz, "inferred": False}
            return
        ok = self.reason == ""
        if self.x is None:
            ok &= pd.notna(self.geoms)
        tz = None
        if ok.any():
            lon, lat = self._lonlat(crs, ok)
            lon0, lat0 = robust_centre(lon, lat)
            tz = infer_tz(lon0, lat0)
        if tz is None:
            self.tz = "UTC"
            msg = f"{self.name}: no timezone given and none found from the data; read as UTC"
            warnings.warn(msg + "; pass tz=", HotspotsWarning, stacklevel=5)
            self.reading["tz"] = {"tz": "UTC", "inferred": False, "note": msg}
            self.notes.append(msg)
            return
        self.tz = tz
        msg = (
            f"{self.name}: timezone {tz} inferred from where the data are ({lat0:.3f}, {lon0:.3f})"
        )
        log.info(msg)
        self.notes.append(msg)
        self.reading["tz"] = {"tz": tz, "inferred": True, "at": [round(lon0, 4), round(lat0, 4)]}
