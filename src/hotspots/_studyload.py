"""Assembling a study's layers: several files per layer, checks across layers.

Used by :func:`hotspots.build_study`: :func:`merge_files` joins the files of one layer
(each file's rows accounted for apart), :func:`check_places` rejects points implausibly far
from all the data and swaps a layer whose lon/lat columns are swapped as a whole, and
:func:`time_overlap` says whether the event layers cover the same period.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from hotspots import _columns as C
from hotspots._errors import HotspotsWarning
from hotspots._loaded import Layer
from hotspots._reader import jsonable, unique_ids
from hotspots._sanity import (
    far_from_centre,
    haversine_km,
    land_place,
    robust_centre,
)
from hotspots.layers import get_layer_kind

__all__ = [
    "SOURCE_FILE",
    "check_places",
    "layer_lonlat",
    "merge_files",
    "reject_rows",
    "time_overlap",
]

log = logging.getLogger("hotspots.study")

SOURCE_FILE = "source_file"
"""Column added to a layer read from several files: the file each row came from."""

_MIN_OVERLAP_SHARE = 0.5


def _std_columns(layer: Layer) -> list[str]:
    spec = get_layer_kind(layer.kind)
    return [C.ID, C.SOURCE_ROW, *[f.column for f in spec.fields], C.IS_DUPLICATE, SOURCE_FILE]


def layer_lonlat(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of each row of a layer (polygon and line layers: their centroids)."""
    data = layer.data
    if data.empty:
        return np.zeros(0), np.zeros(0)
    geoms = data.geometry.to_numpy()
    pts = geoms if (shapely.get_type_id(geoms) == 0).all() else shapely.centroid(geoms)
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    crs = pyproj.CRS.from_user_input(data.crs) if data.crs is not None else pyproj.CRS(4326)
    if crs != pyproj.CRS(4326):
        x, y = pyproj.Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
    return np.asarray(x, float), np.asarray(y, float)


def reject_rows(layer: Layer, mask: np.ndarray, reason: str, detail: Any) -> Layer:
    """Move the rows of `layer.data` in `mask` to its rejected table with `reason`."""
    if not mask.any():
        return layer
    data = layer.data
    gone = data.loc[mask]
    std = set(_std_columns(layer)) | {gone.geometry.name}
    src = pd.DataFrame(gone.drop(columns=[c for c in gone.columns if c in std]))
    src = src.rename(columns={c: c[4:] for c in src.columns if str(c).startswith("src_")})
    originals = [
        json.dumps({str(k): jsonable(v) for k, v in rec.items()}, ensure_ascii=False)
        for rec in src.to_dict("records")
    ]
    details = detail[mask] if isinstance(detail, np.ndarray) else detail
    sources = gone[SOURCE_FILE].to_numpy(object) if SOURCE_FILE in gone else layer.source
    rejected = pd.DataFrame(
        {
            C.REJ_LAYER: layer.kind,
            C.REJ_SOURCE: sources,
            C.REJ_ROW: gone[C.SOURCE_ROW].to_numpy(),
            C.REJ_REASON: reason,
            C.REJ_DETAIL: details,
            C.REJ_ORIGINAL: originals,
        }
    )
    parts = [p for p in (layer.rejected, rejected) if len(p)]
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else rejected
    kept = data.loc[~mask].reset_index(drop=True)
    return dataclasses.replace(layer, data=kept, rejected=table)


def merge_files(kind: str, parts: list[Layer]) -> Layer:
    """One layer from several files of the same kind, each file's rows accounted for."""
    if len(parts) == 1:
        return parts[0]
    crs = next((p.data.crs for p in parts if p.data.crs is not None), 4326)
    frames = []
    for part in parts:
        data = part.data
        if data.crs is not None and pyproj.CRS(data.crs) != pyproj.CRS(crs):
            data = data.to_crs(crs)
        frames.append(data.assign(**{SOURCE_FILE: part.source}))
    data = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=crs)
    ids = data[C.ID].astype(str)
    dup = ids.duplicated(keep=False)
    if dup.any():  # the same id in two files: make it unique with the file's number
        number = np.repeat(np.arange(1, len(parts) + 1), [len(f) for f in frames])
        ids = ids.where(~dup, ids + "~f" + pd.Series(number).astype(str))
        data[C.ID] = unique_ids(ids, data[C.SOURCE_ROW])
    rejected = [p.rejected for p in parts if len(p.rejected)]
    notes = [f"{p.source}: {n}" for p in parts for n in p.notes]
    files = [
        {
            "source": p.source,
            "read": p.n_read,
            "loaded": p.n_loaded,
            "rejected": p.n_rejected,
            "columns": dict(p.columns),
            "reading": dict(p.reading),
        }
        for p in parts
    ]
    main = max(parts, key=lambda p: p.n_loaded)
    reading = {**dict(main.reading), "files": files}
    log.info("%s: %d files merged, %d rows loaded", kind, len(parts), len(data))
    return Layer(
        kind=kind,
        source="; ".join(p.source for p in parts),
        data=data,
        rejected=pd.concat(rejected, ignore_index=True) if rejected else parts[0].rejected,
        n_read=sum(p.n_read for p in parts),
        columns=dict(main.columns),
        precision=main.precision,
        notes=tuple(notes),
        reading=reading,
    )


def _swap_layer(layer: Layer, lon: np.ndarray, lat: np.ndarray) -> Layer:
    """Return the layer with each point's lon/lat exchanged, back in the layer's CRS."""
    data = layer.data
    crs = pyproj.CRS.from_user_input(data.crs) if data.crs is not None else pyproj.CRS(4326)
    x, y = lat, lon
    if crs != pyproj.CRS(4326):
        x, y = pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(lat, lon)
    points = gpd.GeoSeries(shapely.points(x, y), index=data.index, crs=crs)
    return dataclasses.replace(layer, data=data.set_geometry(points))


def check_places(
    layers: dict[str, Layer], *, boundary_given: bool
) -> tuple[dict[str, Layer], set[str]]:
    """Swap a layer whose lon/lat columns are swapped as a whole; reject stray points.

    Each layer's centre is compared with the centre of the other layers: a layer far from
    them whose swapped centre lies among them (and whose own centre is at sea or near a
    pole) is swapped back, with a warning. Then every point farther from the centre of all
    the data than the plausibility threshold (see :mod:`hotspots._sanity`) is rejected as
    ``implausible_location``. Returns the layers and the kinds that were swapped.
    """
    swapped: set[str] = set()
    if boundary_given or len(layers) < 2:  # one layer: read_layer has checked it already
        return layers, swapped
    out = dict(layers)
    where = {k: layer_lonlat(v) for k, v in out.items() if v.n_loaded}
    if len(where) >= 2:
        for kind, (lon, lat) in list(where.items()):
            layer = out[kind]
            if not get_layer_kind(kind).is_point or "lon" not in layer.columns:
                continue  # only coordinate columns can be swapped as a whole
            others = [v for k, v in where.items() if k != kind]
            olon = np.concatenate([o[0] for o in others])
            olat = np.concatenate([o[1] for o in others])
            far, _, limit, centre = far_from_centre(olon, olat)
            c = robust_centre(lon, lat)
            d_here = float(haversine_km(np.array([c[0]]), np.array([c[1]]), *centre)[0])
            d_swap = float(haversine_km(np.array([c[1]]), np.array([c[0]]), *centre)[0])
            if d_here > limit and d_swap <= limit and not land_place(*c):
                msg = (
                    f"{layer.source}: the whole {kind} layer lies {d_here:,.0f} km from the "
                    f"other layers and its lat/lon read the other way round lie among them: "
                    f"its longitude and latitude columns are swapped; read swapped"
                )
                warnings.warn(msg, HotspotsWarning, stacklevel=4)
                out[kind] = dataclasses.replace(
                    _swap_layer(layer, lon, lat), notes=(*layer.notes, msg)
                )
                where[kind] = (lat, lon)
                swapped.add(kind)
    if len(where) < 2:
        return out, swapped
    all_lon = np.concatenate([v[0] for v in where.values()])
    all_lat = np.concatenate([v[1] for v in where.values()])
    step = max(1, len(all_lon) // 20_000)
    centre = robust_centre(all_lon[::step], all_lat[::step])
    pooled_spread = float(np.median(haversine_km(all_lon[::step], all_lat[::step], *centre)))
    for kind, (lon, lat) in where.items():
        # a layer that covers more ground (commuter-rail stops) keeps its own spread
        k = max(1, len(lon) // 20_000)
        own = haversine_km(lon[::k], lat[::k], *robust_centre(lon[::k], lat[::k]))
        spread = max(pooled_spread, float(np.median(own)))
        far, dist, limit, _ = far_from_centre(lon, lat, centre=centre, spread_km=spread)
        if not far.any():
            continue
        detail = np.full(len(dist), "", dtype=object)
        detail[far] = [
            f"{d:,.0f} km from the centre of all layers ({centre[1]:.4f}, "
            f"{centre[0]:.4f}); points farther than {limit:,.0f} km are implausible"
            for d in dist[far]
        ]
        layer = out[kind]
        msg = (
            f"{layer.source}: {int(far.sum())} {kind} point(s) implausibly far from the other "
            f"layers (more than {limit:,.0f} km; farthest {dist[far].max():,.0f} km) rejected"
        )
        warnings.warn(msg, HotspotsWarning, stacklevel=4)
        out[kind] = dataclasses.replace(
            reject_rows(layer, far, "implausible_location", detail), notes=(*layer.notes, msg)
        )
    return out, swapped


def time_overlap(layers: dict[str, Layer]) -> dict[str, Any]:
    """When the event layers start and end, and how much they overlap.

    Returns
    -------
    dict
        ``layers``: ``{kind: [first, last]}`` (ISO text); with two or more event layers
        also ``overlap`` (``[start, end]`` or None), ``overlap_days``, ``share_of_shortest``
        (overlap / shortest layer span) and ``ok`` (False when they overlap less than half
        the shortest span), and ``note`` (one sentence, empty when ok).
    """
    spans: dict[str, tuple[pd.Timestamp, pd.Timestamp]] = {}
    for kind, layer in layers.items():
        col = get_layer_kind(kind).time_column
        if col is None or not layer.n_loaded:
            continue
        times = layer.data[col].dropna()
        if len(times):
            spans[kind] = (times.min(), times.max())
    record: dict[str, Any] = {
        "layers": {k: [str(a), str(b)] for k, (a, b) in spans.items()},
    }
    if len(spans) < 2:
        return record
    start = max(a for a, _ in spans.values())
    end = min(b for _, b in spans.values())
    shortest = min((b - a).total_seconds() for a, b in spans.values()) / 86400
    days = max(0.0, (end - start).total_seconds() / 86400)
    share = days / shortest if shortest > 0 else (1.0 if days >= 0 and start <= end else 0.0)
    ok = start <= end and share >= _MIN_OVERLAP_SHARE
    listing = ", ".join(f"{k} {a:%Y-%m-%d} to {b:%Y-%m-%d}" for k, (a, b) in spans.items())
    if start > end:
        note = f"the event layers do not overlap in time ({listing}): evidence that "
        note += "combines them compares different periods"
    elif not ok:
        note = (
            f"the event layers overlap only {days:.0f} days ({share:.0%} of the shortest): "
            f"{listing}; evidence that combines them mostly compares different periods"
        )
    else:
        note = ""
    record.update(
        overlap=[str(start), str(end)] if start <= end else None,
        overlap_days=round(days, 1),
        share_of_shortest=round(min(share, 1.0), 3),
        ok=bool(ok),
        note=note,
    )
    if note:
        warnings.warn(note[0].upper() + note[1:], HotspotsWarning, stacklevel=4)
    return record
