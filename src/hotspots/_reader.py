"""The reader behind :func:`hotspots.read_layer`: one raw frame in, one Layer out.

Geometry steps are in :mod:`hotspots._coords`, time parsing in :mod:`hotspots._times`;
here are the fields of each layer kind (from the registry in :mod:`hotspots.layers`),
duplicates, the assembled output and the rejected-rows table.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from hotspots import _columns as C
from hotspots import _vocab as V
from hotspots._coords import FLOAT_RE, CoordinateReading
from hotspots._errors import LayerError
from hotspots._gtfs import is_gtfs_stops, not_bus_stops
from hotspots._loaded import Layer, LocationPrecision
from hotspots._sources import FILE_INFO, MALFORMED
from hotspots._timecols import TimeFields

__all__ = ["PARSE", "Reader", "exact_duplicates"]

log = logging.getLogger("hotspots.io")


class Reader(CoordinateReading, TimeFields):
    """Turns one raw frame into a Layer. One instance per call; not part of the API."""

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
        self._boundary = boundary
        self._file_rows()
        if self.spec.name == "stops":
            self._gtfs()
        layer_crs = self._source_crs = self._geometry()
        self.reading["crs"] = layer_crs.to_string()
        if self.geoms is not None:
            self._check_geometry_types(self.geoms)
            if self.spec.is_point:
                self._to_xy()
        self._fix_swapped_and_bounds(layer_crs, boundary)
        self._implausible(layer_crs)
        self._resolve_tz(layer_crs)
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
            reading=dict(self.reading),
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

    # --- rows the file itself marks ---------------------------------------------------------
    def _file_rows(self) -> None:
        """Malformed rows (ragged CSV lines) flagged by the file reader, and its record."""
        info = self.raw.attrs.get(FILE_INFO)
        if info:
            self.reading["file"] = dict(info)
        if MALFORMED not in self.raw.columns:
            return
        flag = self.raw[MALFORMED].fillna("").astype(str).to_numpy(object)
        self._reject(flag != "", "malformed_row", flag)
        self.raw = self.raw.drop(columns=[MALFORMED])
        self._empty_cache.clear()

    def _gtfs(self) -> None:
        """GTFS stops.txt: stations, entrances, nodes and rail platforms are not bus stops."""
        if not is_gtfs_stops(self.raw.columns):
            return
        self.notes.append("GTFS stops file: only boarding stops (location_type 0/empty) used")
        self.reading["gtfs"] = True
        for mask, reason, detail in not_bus_stops(self.raw):
            self._reject(mask, reason, detail)

    # --- attribute fields -------------------------------------------------------------
    def _fields(self, period: tuple[Any, Any] | None, as_of: Any) -> dict[str, pd.Series]:
        """Read the id and every field of the layer kind, in the kind's column order."""
        col = self._col("id", self.spec.id_names)
        if col is not None:
            self.used["id"] = col
        out: dict[str, pd.Series] = {C.ID: self._text(col)}
        for field in self.spec.fields:
            if field.parse == "time":
                out[field.column] = self._times(field, period, as_of)
                continue
            col = self._col(field.name, field.names)
            if col is not None:
                self.used[field.name] = col
            elif field.missing_note:
                self.notes.append(field.missing_note)
            if field.parse == "time_end":
                out[field.column] = self._time_end(col, out, self.spec.time_column or "")
            else:
                out[field.column] = PARSE[field.parse](self._text(col), V.norm(col or ""))
        return out

    def _duplicates(self, duplicates: str, out: dict[str, pd.Series]) -> None:
        frame = self.raw
        # exact duplicates share coordinates and time: a cheap numeric key narrows the search
        key = {}
        if self.x is not None:
            key = {"x": self.x, "y": self.y}
        col = self.spec.time_column
        if col is not None:
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
            found = exact_duplicates(frame)
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
        frame[C.ID] = unique_ids(frame[C.ID], frame[C.SOURCE_ROW])
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
            json.dumps({str(k): jsonable(v) for k, v in rec.items()}, ensure_ascii=False)
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
        address = V.find_column(list(self.raw.columns), V.ADDRESS_HINTS) or next(
            (c for c in self.raw.columns if any(h in V.norm(c) for h in ("block", "address"))),
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


def exact_duplicates(frame: pd.DataFrame) -> np.ndarray:
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


def normalise_status(text: pd.Series, column: str) -> pd.Series:
    """Map a source's light status vocabulary to working / out / unknown.

    Phrases that negate or close a fault ("No fault found", "Repair completed", "Not out")
    mean working, and negated working words ("Not in service", "Non-functional") mean out:
    both are read before the single words they contain.

    Examples
    --------
    >>> normalise_status(pd.Series(["Not in service", "No fault found", "On"]), "status").tolist()
    ['out', 'working', 'working']
    """
    inverted = column in {"is_out", "out", "outage", "lamp_out", "is_broken", "broken"}
    plain = column in {"working", "is_working", "operational", "is_operational", "lit"}
    mapping: dict[str, str] = {}
    for value in text.unique():
        v = str(value).strip().lower()
        if v in V.TRUE_WORDS and (inverted or plain):
            mapping[value] = C.STATUS_OUT if inverted else C.STATUS_WORKING
        elif v in V.FALSE_WORDS and (inverted or plain):
            mapping[value] = C.STATUS_WORKING if inverted else C.STATUS_OUT
        elif any(re.search(p, v) for p in V.STATUS_WORKING_PATTERNS):
            mapping[value] = C.STATUS_WORKING
        elif any(re.search(p, v) for p in V.STATUS_OUT_PATTERNS) or any(
            re.search(rf"\b{re.escape(w)}\b", v) for w in V.OUT_WORDS
        ):
            mapping[value] = C.STATUS_OUT
        elif any(re.search(rf"\b{re.escape(w)}\b", v) for w in V.WORKING_WORDS):
            mapping[value] = C.STATUS_WORKING
        else:
            mapping[value] = C.STATUS_UNKNOWN
    return text.map(mapping).astype(str)


def normalise_obstruction(text: pd.Series) -> pd.Series:
    mapping: dict[str, str] = {}
    for value in text.unique():
        v = str(value).strip().lower()
        mapping[value] = next(
            (kind for kind, words in V.OBSTRUCTION_WORDS if any(w in v for w in words)), "other"
        )
    return text.map(mapping).astype(str)


def number(text: pd.Series) -> pd.Series:
    """Numbers from text; a unit or label around the number ("150 W") is ignored."""
    value = pd.to_numeric(text, errors="coerce").astype(float)
    rest = value.isna() & text.notna() & (text.astype(str).str.strip() != "")
    if rest.any():  # only the text that is not a plain number pays for the regex
        found = text[rest].str.extract(rf"({FLOAT_RE})")[0]
        value[rest] = pd.to_numeric(found, errors="coerce").astype(float)
    return value


def height_m(text: pd.Series) -> pd.Series:
    """Pole heights in metres; values marked ft/feet/' are converted."""
    value = number(text)
    feet = text.str.contains(r"ft|feet|foot|'", case=False, regex=True).fillna(False)
    return value.where(~feet, value * 0.3048)


def _text_as_is(text: pd.Series, column: str) -> pd.Series:  # noqa: ARG001 - one signature
    return text


PARSE: dict[str, Callable[[pd.Series, str], pd.Series]] = {
    "text": _text_as_is,
    "number": lambda text, _column: number(text),
    "height_m": lambda text, _column: height_m(text),
    "light_status": normalise_status,
    "obstruction_kind": lambda text, _column: normalise_obstruction(text),
}
"""Field parsers by :data:`hotspots.layers.PARSERS` name (``time`` fields are read apart)."""


def unique_ids(ids: pd.Series, rows: pd.Series) -> pd.Series:
    dup = ids.duplicated(keep=False)
    if not dup.any():
        return ids
    log.warning("%d rows share an id with another row; made unique as '<id>~<row>'", int(dup.sum()))
    return ids.where(~dup, ids + "~" + rows.astype(str))


def jsonable(value: Any) -> Any:
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
