"""Where the data are: implausible points, whole-layer swaps, the timezone of the place.

A point is *implausible* when it lies much farther from the robust centre of its data than
the data spread: farther than ``max(FLOOR_KM, SPREAD_FACTOR x median distance)`` from the
median point. The median and the median distance ignore a minority of stray points, so a
60-row cluster 400 km away (Chicago's State-Plane-origin rows in Missouri) or three points
in Sydney do not move the centre; a city-wide layer (median distance 5-15 km) keeps every
point within 50-120 km, commuter-rail stops included.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import numpy as np
import pyproj

__all__ = [
    "FLOOR_KM",
    "SPREAD_FACTOR",
    "far_from_centre",
    "haversine_km",
    "infer_tz",
    "land_place",
    "robust_centre",
    "to_lonlat",
]

log = logging.getLogger("hotspots.io")

FLOOR_KM = 50.0
"""Points nearer than this to the centre of the data are never implausible."""
SPREAD_FACTOR = 8.0
"""Points farther than this many median distances (and the floor) are implausible."""
_SAMPLE = 20_000


def to_lonlat(x: np.ndarray, y: np.ndarray, crs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in `crs` as longitude/latitude (EPSG:4326) arrays.

    Examples
    --------
    >>> lon, lat = to_lonlat(np.array([-71.06]), np.array([42.36]), 4326)
    >>> float(lon[0]), float(lat[0])
    (-71.06, 42.36)
    """
    crs = pyproj.CRS.from_user_input(crs)
    if crs.is_geographic and crs.ellipsoid and crs == pyproj.CRS(4326):
        return np.asarray(x, float), np.asarray(y, float)
    tr = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    lon, lat = tr.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, float), np.asarray(lat, float)


def haversine_km(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Great-circle distances in km from (lon0, lat0).

    Examples
    --------
    >>> round(float(haversine_km(np.array([-87.63]), np.array([41.88]), -91.687, 36.619)[0]))
    681
    """
    p1, p2 = np.radians(lat), np.radians(lat0)
    dphi = p2 - p1
    dl = np.radians(lon0) - np.radians(lon)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def robust_centre(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float]:
    """Median longitude and latitude (a minority of stray points does not move it)."""
    return float(np.median(lon)), float(np.median(lat))


def far_from_centre(
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    centre: tuple[float, float] | None = None,
    spread_km: float | None = None,
) -> tuple[np.ndarray, np.ndarray, float, tuple[float, float]]:
    """Points implausibly far from the bulk of the data.

    Parameters
    ----------
    lon, lat : arrays
        The points, in degrees.
    centre : (lon, lat), optional
        The centre of the data; default: the median of these points.
    spread_km : float, optional
        Typical distance from the centre; default: the median distance of these points.

    Returns
    -------
    far : bool array
    distance_km : float array
        Great-circle distance of the points that may be far; 0 for points plainly near.
    threshold_km : float
    centre : (lon, lat)

    Examples
    --------
    >>> lon = np.r_[np.linspace(-87.8, -87.55, 50), -91.687]
    >>> lat = np.r_[np.linspace(41.7, 42.0, 50), 36.619]
    >>> far, dist, limit, _ = far_from_centre(lon, lat)
    >>> int(far.sum()), bool(dist[-1] > limit)
    (1, True)
    """
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    step = max(1, len(lon) // _SAMPLE)  # centre and spread from a spread-out sample
    if centre is None:
        centre = robust_centre(lon[::step], lat[::step])
    if spread_km is None:
        near = haversine_km(lon[::step], lat[::step], *centre)
        spread_km = float(np.median(near)) if len(near) else 0.0
    threshold = max(FLOOR_KM, SPREAD_FACTOR * spread_km)
    # a box that holds the threshold circle: only points outside it need a great circle
    dlat = threshold / 110.57
    dlon = threshold / (111.32 * max(np.cos(np.radians(min(abs(centre[1]) + dlat, 89.9))), 1e-6))
    outside = (np.abs(lat - centre[1]) > dlat) | (np.abs(lon - centre[0]) > dlon)
    dist = np.zeros(len(lon))
    dist[outside] = haversine_km(lon[outside], lat[outside], *centre)
    return dist > threshold, dist, threshold, centre


@functools.lru_cache(maxsize=1)
def _finder() -> Any:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=True)


def infer_tz(lon: float, lat: float) -> str | None:
    """Return the IANA timezone at a place (offline, ``timezonefinder``); None at sea or unknown.

    Examples
    --------
    >>> infer_tz(-71.06, 42.36)
    'America/New_York'
    """
    try:
        name = _finder().timezone_at(lng=float(lon), lat=float(lat))
    except (ValueError, ImportError) as exc:  # outside the valid range, or not installed
        log.warning("cannot look up the timezone at (%s, %s): %s", lon, lat, exc)
        return None
    if not name or name.startswith("Etc/"):
        return None
    return str(name)


def land_place(lon: float, lat: float) -> bool:
    """Tell whether (lon, lat) is a place people live: on land in a timezone, |lat| <= 66.

    Examples
    --------
    >>> land_place(-77.03, 38.9), land_place(38.9, -77.03)
    (True, False)
    """
    if not (-180 <= lon <= 180 and -66 <= lat <= 66):
        return False
    return infer_tz(lon, lat) is not None
