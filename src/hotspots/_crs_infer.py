"""The CRS of projected x/y published without one, from where other data put the place.

When another layer (or the boundary) fixes the place, the projected systems whose area of
use contains it (State Plane zones in feet and metres, UTM, national grids: pyproj's EPSG
database) are tried in turn; a system *fits* when it puts nearly every point within a few
km of the reference data. Systems that differ only by datum realisation (NAD83, HARN,
NSRS2007, 2011: about a metre apart) count as one answer, named by its plainest member.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pyproj.aoi import AreaOfInterest
from pyproj.enums import PJType
from scipy.spatial import cKDTree

from hotspots._sanity import robust_centre

__all__ = ["CRSGuess", "infer_projected_crs", "reference_lonlat"]

log = logging.getLogger("hotspots.io")

FIT_KM = 5.0
"""A point is in place when a reference point (or the reference area) is this close."""
FIT_SHARE = 0.8
"""A system fits when it puts at least this share of the points in place."""
SAME_M = 25.0
"""Fitting systems whose results differ by less than this are one answer."""
_SAMPLE = 400


@dataclass(frozen=True)
class CRSGuess:
    """The outcome of :func:`infer_projected_crs`.

    Attributes
    ----------
    crs : pyproj.CRS or None
        The one system that fits, or None.
    share : float
        Share of the sampled points it puts in place.
    candidates : list of (str, str, float)
        ``(EPSG code, name, share in place)`` of the best systems tried, best first.
    equivalent : list of str
        Other EPSG codes that put the points in the same place (datum realisations).
    """

    crs: pyproj.CRS | None
    share: float
    candidates: list[tuple[str, str, float]]
    equivalent: list[str]


def reference_lonlat(near: Any) -> tuple[np.ndarray | None, shapely.Geometry | None]:
    """Return reference points (N x 2 lon/lat) and/or a reference area (lon/lat) from `near`."""
    if near is None:
        return None, None
    if isinstance(near, (gpd.GeoDataFrame, gpd.GeoSeries)):
        gs = near.geometry if isinstance(near, gpd.GeoDataFrame) else near
        gs = gs[~(gs.isna() | gs.is_empty)]
        if gs.crs is not None:
            gs = gs.to_crs(4326)
        geoms = gs.to_numpy()
        if len(geoms) and (shapely.get_type_id(geoms) == 0).all():
            return shapely.get_coordinates(geoms), None
        return None, shapely.union_all(geoms)
    if isinstance(near, shapely.Geometry):
        if shapely.get_type_id(near) in (0, 4):
            return shapely.get_coordinates(near), None
        return None, near
    arr = np.asarray(near, dtype=float)
    if arr.ndim == 2 and arr.shape[1] == 2:
        return arr, None
    raise ValueError("`near` must be a GeoDataFrame, GeoSeries, shapely geometry or N x 2 array")


def _plane(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Local equirectangular km: good to a few % over a city, enough to judge a fit."""
    kx = 111.32 * np.cos(np.radians(lat0))
    return np.c_[(lon - lon0) * kx, (lat - lat0) * 110.57]


def infer_projected_crs(
    x: np.ndarray, y: np.ndarray, points: np.ndarray | None, area: shapely.Geometry | None
) -> CRSGuess:
    """Try the projected systems covering the reference place; return what fits.

    Parameters
    ----------
    x, y : arrays
        Projected coordinates of unknown CRS (finite values only).
    points : (N, 2) array or None
        Reference lon/lat points (another layer of the same area).
    area : shapely geometry or None
        Reference lon/lat area (the study boundary), when there are no points.

    Returns
    -------
    CRSGuess
    """
    step = max(1, len(x) // _SAMPLE)
    sx, sy = np.asarray(x, float)[::step], np.asarray(y, float)[::step]
    if points is not None and len(points):
        lon0, lat0 = robust_centre(points[:, 0], points[:, 1])
        ref = _plane(points[:, 0], points[:, 1], lon0, lat0)
        tree = cKDTree(ref)
        box = (points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max())
    else:
        assert area is not None  # noqa: S101 - the caller checks
        c = area.centroid
        lon0, lat0 = c.x, c.y
        tree = None
        box = area.bounds
        ring = shapely.transform(area, lambda xy: _plane(xy[:, 0], xy[:, 1], lon0, lat0))
        zone = ring.buffer(FIT_KM)
        shapely.prepare(zone)
    aoi = AreaOfInterest(
        max(-180.0, box[0]), max(-90.0, box[1]), min(180.0, box[2]), min(90.0, box[3])
    )
    infos = pyproj.database.query_crs_info(
        auth_name="EPSG", pj_types=PJType.PROJECTED_CRS, area_of_interest=aoi, contains=False
    )
    infos = [i for i in infos if not i.deprecated]
    tried: list[tuple[float, str, str, np.ndarray]] = []
    for info in infos:
        try:
            tr = pyproj.Transformer.from_crs(f"EPSG:{info.code}", 4326, always_xy=True)
            lon, lat = tr.transform(sx, sy, errcheck=False)
        except pyproj.exceptions.ProjError:
            continue
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90)
        if not ok.any():
            continue
        xy = _plane(lon[ok], lat[ok], lon0, lat0)
        if tree is not None:
            d, _ = tree.query(xy, k=1)
            inside = d <= FIT_KM
        else:
            inside = shapely.contains_xy(zone, xy[:, 0], xy[:, 1])
        share = float(inside.sum() / len(sx))
        full = np.full((len(sx), 2), np.nan)
        full[ok] = np.c_[lon[ok], lat[ok]]
        tried.append((share, info.code, info.name, full))
    tried.sort(key=lambda t: (-t[0], int(t[1]) if t[1].isdigit() else 10**9))
    candidates = [(f"EPSG:{code}", name, round(share, 3)) for share, code, name, _ in tried[:8]]
    fits = [t for t in tried if t[0] >= FIT_SHARE]
    if not fits:
        return CRSGuess(None, tried[0][0] if tried else 0.0, candidates, [])
    best = fits[0][3]
    groups_apart = []
    for t in fits[1:]:
        diff = _plane(t[3][:, 0], t[3][:, 1], lon0, lat0) - _plane(
            best[:, 0], best[:, 1], lon0, lat0
        )
        gap_km = float(np.nanmax(np.abs(diff), initial=0.0))
        groups_apart.append(abs(gap_km) * 1000 > SAME_M)
    same = [fits[0]] + [t for t, apart in zip(fits[1:], groups_apart, strict=True) if not apart]
    if any(groups_apart):
        return CRSGuess(None, fits[0][0], candidates, [])
    # the plainest name of the group: "NAD83 / ..." before realisations, then the lowest code
    same.sort(key=lambda t: (not t[2].startswith(("NAD83 /", "WGS 84 /")), int(t[1])))
    chosen = same[0]
    return CRSGuess(
        pyproj.CRS.from_epsg(int(chosen[1])),
        chosen[0],
        candidates,
        [f"EPSG:{t[1]}" for t in same[1:]],
    )
