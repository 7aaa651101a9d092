"""Reading a layer's source: file type by suffix, CSV text as published, geo files."""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import Union

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from hotspots._errors import LayerError, ValidationError

__all__ = ["FILE_INFO", "MALFORMED", "LayerSource", "read_source"]

log = logging.getLogger("hotspots.io")

LayerSource = Union[str, Path, pd.DataFrame, gpd.GeoDataFrame]  # noqa: UP007 (runtime alias)

MALFORMED = "__hotspots_malformed__"
"""Column flagging ragged CSV lines (removed by the reader, which rejects those rows)."""
FILE_INFO = "hotspots_file"
"""``DataFrame.attrs`` key of how a CSV was read (encoding, delimiter)."""

_CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
_GEO_SUFFIXES = frozenset({".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".gml", ".kml"})
_PARQUET_SUFFIXES = frozenset({".parquet", ".geoparquet", ".pq"})


def read_source(source: LayerSource, *, layer: str | None) -> tuple[str, pd.DataFrame]:
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
        if suffix == ".shp":
            _check_shapefile(path)
        if suffix in (".gpkg", ".gdb") and layer is None:
            _check_layers(path)
        try:
            frame = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
        except Exception as exc:  # noqa: BLE001 - pyogrio raises many types
            raise LayerError(
                f"cannot read {name} as a spatial file: {exc}. Check that it is a valid "
                "GeoJSON/GeoPackage/Shapefile (with its .shx/.dbf/.prj beside it)"
            ) from exc
        return name, frame
    raise LayerError(
        f"{name}: unknown file type {path.suffix!r}; use CSV, GeoJSON, GeoPackage, "
        "Shapefile or GeoParquet, or pass a DataFrame"
    )


def _check_layers(path: Path) -> None:
    """Refuse a GeoPackage (or other multi-layer file) with several layers without `layer=`."""
    try:
        layers = pyogrio.list_layers(path)
    except Exception:  # noqa: BLE001 - listing is only for a helpful message
        return
    if len(layers) > 1:
        listed = ", ".join(f"{name!r} ({gtype or 'no geometry'})" for name, gtype in layers)
        raise LayerError(
            f"{path} holds {len(layers)} layers: {listed}. Say which one with layer= "
            "(on the command line --<layer>-layer NAME)"
        )


def _check_shapefile(path: Path) -> None:
    """Check a shapefile's .shx and .dbf are beside it; a missing .prj is only noted."""
    siblings = {p.suffix.lower(): p for p in path.parent.glob(path.stem + ".*")}
    missing = [ext for ext in (".shx", ".dbf") if ext not in siblings]
    if missing:
        raise LayerError(
            f"{path}: the shapefile's {' and '.join(missing)} part(s) are missing; a shapefile "
            f"is several files ({path.stem}.shp, .shx, .dbf, usually .prj): copy them all "
            "into the same folder, or export the layer as GeoPackage or GeoJSON"
        )
    if ".prj" not in siblings:
        log.warning("%s has no .prj: its CRS is unknown (pass crs= if it is not lon/lat)", path)


_DELIMITERS = (",", ";", "\t", "|")


def _encoding(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if len(head) >= 4 and head[1:200:2].count(0) > 0.4 * len(head[1:200:2]):
        return "utf-16-le"
    if len(head) >= 4 and head[0:200:2].count(0) > 0.4 * len(head[0:200:2]):
        return "utf-16-be"
    return "utf-8-sig"


def _sniff_delimiter(text: str, default: str) -> str:
    """Return the delimiter that splits the header into the most fields, consistently."""
    lines = text.splitlines()[:30]
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]  # the last line of the sample may be cut
    best, best_n = default, 1
    for d in _DELIMITERS:
        rows = list(csv.reader(lines, delimiter=d))
        if not rows:
            continue
        n = len(rows[0])
        same = sum(len(r) == n for r in rows[1:]) / max(1, len(rows) - 1)
        if n > best_n and same >= 0.8:
            best, best_n = d, n
    return best


def _read_csv(path: Path) -> pd.DataFrame:
    with path.open("rb") as fh:
        head = fh.read(65536)
    encoding = _encoding(head)
    default = "\t" if path.suffix.lower() == ".tsv" else ","
    for enc in (encoding, "cp1252") if encoding == "utf-8-sig" else (encoding,):
        try:
            sample = head.decode(enc, errors="strict" if enc != encoding else "ignore")
        except UnicodeDecodeError:
            continue
        sep = _sniff_delimiter(sample.lstrip("\ufeff"), default)
        options = {
            "dtype": str,
            "keep_default_na": False,
            "na_values": [],
            "encoding": enc,
            "sep": sep,
            "skipinitialspace": False,
        }
        try:
            frame = pd.read_csv(path, **options)
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError as exc:
            raise LayerError(f"{path} has no header and no rows; export the data again") from exc
        except pd.errors.ParserError:
            frame = _read_ragged(path, enc, sep)
        except ValueError as exc:
            raise LayerError(
                f"cannot read {path} as CSV: {exc}. Check the delimiter and quoting"
            ) from exc
        if enc == "cp1252":
            log.warning("%s is not UTF-8; read it as Windows-1252", path)
        elif enc.startswith("utf-16"):
            log.info("%s is UTF-16 text (as Excel writes 'Unicode text')", path)
        if sep != default:
            log.info("%s: fields separated by %r", path, sep)
        frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
        frame.attrs[FILE_INFO] = {"encoding": enc, "delimiter": sep}
        return frame
    raise LayerError(
        f"cannot decode {path} as UTF-8, UTF-16 or Windows-1252 text; is it a CSV file?"
    )


def _read_ragged(path: Path, encoding: str, sep: str) -> pd.DataFrame:
    """Read a CSV with lines of the wrong length: every line kept, the wrong ones flagged."""
    with path.open(encoding=encoding, newline="") as fh:
        rows = [r for r in csv.reader(fh, delimiter=sep) if r]
    if not rows:
        raise LayerError(f"{path} has no header and no rows; export the data again")
    header, data = rows[0], rows[1:]
    ncol = len(header)
    lengths = np.fromiter((len(r) for r in data), dtype=np.int64, count=len(data))
    bad = lengths != ncol
    fixed = [r if ok else (r + [""] * ncol)[:ncol] for r, ok in zip(data, ~bad, strict=True)]
    frame = pd.DataFrame(fixed, columns=header, dtype=str)
    detail = np.full(len(data), "", dtype=object)
    idx = np.flatnonzero(bad)
    detail[idx] = [f"{lengths[i]} fields, the header has {ncol}" for i in idx]
    frame[MALFORMED] = detail
    log.warning("%s: %d line(s) with the wrong number of fields", path, int(bad.sum()))
    return frame
