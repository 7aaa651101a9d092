"""Reading a layer's source: file type by suffix, CSV text as published, geo files."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Union

import geopandas as gpd
import pandas as pd
import pyogrio

from hotspots._errors import LayerError, ValidationError

__all__ = ["LayerSource", "read_source"]

log = logging.getLogger("hotspots.io")

LayerSource = Union[str, Path, pd.DataFrame, gpd.GeoDataFrame]  # noqa: UP007 (runtime alias)

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
