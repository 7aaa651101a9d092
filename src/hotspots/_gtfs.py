"""GTFS ``stops.txt``: only the places where people board are bus stops.

A GTFS stops file lists stations (``location_type`` 1), entrances and exits (2), generic
nodes inside stations (3) and boarding areas (4) beside the stops and platforms where
people board (0 or empty). Feeds with the extended ``vehicle_type`` column (MBTA) also say
which mode stops there: subway, rail and ferry platforms are not bus stops.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["LOCATION_TYPES", "is_gtfs_stops", "not_bus_stops"]

LOCATION_TYPES = {
    "1": "station",
    "2": "entrance/exit",
    "3": "generic node",
    "4": "boarding area",
}
"""GTFS ``location_type`` values that are not boarding stops."""
_NOT_BUS_VEHICLES = {"1": "subway/metro", "2": "rail", "4": "ferry", "5": "cable tram",
                     "6": "aerial lift", "7": "funicular", "12": "monorail"}  # fmt: skip
_GTFS_COLUMNS = {"stop_id", "stop_lat", "stop_lon"}


def is_gtfs_stops(columns: pd.Index) -> bool:
    """Tell a GTFS ``stops.txt`` (``stop_id``, ``stop_lat``, ``stop_lon`` columns).

    Examples
    --------
    >>> is_gtfs_stops(pd.Index(["stop_id", "stop_name", "stop_lat", "stop_lon"]))
    True
    """
    return {str(c).strip().lower() for c in columns} >= _GTFS_COLUMNS


def not_bus_stops(raw: pd.DataFrame) -> list[tuple[np.ndarray, str, np.ndarray]]:
    """Rows of a GTFS stops file that are not bus stops: ``(mask, reason, detail)`` each.

    Examples
    --------
    >>> raw = pd.DataFrame({"stop_id": ["1", "p", "e"], "stop_lat": ["42"] * 3,
    ...                     "stop_lon": ["-71"] * 3, "location_type": ["0", "1", "2"]})
    >>> [(int(m.sum()), r) for m, r, _ in not_bus_stops(raw)]
    [(2, 'not_a_boarding_stop')]
    """
    cols = {str(c).strip().lower(): c for c in raw.columns}
    out = []
    if "location_type" in cols:
        lt = raw[cols["location_type"]].fillna("").astype(str).str.strip()
        lt = lt.str.replace(r"\.0$", "", regex=True)
        mask = (lt != "") & (lt != "0")
        if mask.any():
            names = lt.map(LOCATION_TYPES).fillna("unknown type")
            detail = ("location_type=" + lt + " (" + names + "), not a boarding stop").to_numpy(
                object
            )
            out.append((mask.to_numpy(bool), "not_a_boarding_stop", detail))
    if "vehicle_type" in cols:
        vt = raw[cols["vehicle_type"]].fillna("").astype(str).str.strip()
        vt = vt.str.replace(r"\.0$", "", regex=True)
        mask = vt.isin(list(_NOT_BUS_VEHICLES))
        if mask.any():
            names = vt.map(_NOT_BUS_VEHICLES).fillna("")
            detail = ("vehicle_type=" + vt + " (" + names + " platform)").to_numpy(object)
            out.append((mask.to_numpy(bool), "not_a_bus_stop", detail))
    return out
