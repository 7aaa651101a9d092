"""Tiny hand-built scenes whose answer can be seen, for the diagnosis and fix rules.

Everything is in UTM 18N metres around a centre in Washington, DC. A scene is one hot spot
(a 40 m disc around the centre) with 20 events on 20 different days, after dark (23:00
local) or in daylight (12:00), plus whatever lights, stops, obstructions and concerns the
test adds.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots import Settings, build_study

CRS = 32618
TZ = "America/New_York"
X0, Y0 = 323_700.0, 4_308_700.0


def events(
    n: int = 20,
    *,
    hour: int = 23,
    radius_m: float = 8.0,
    dx: float = 0.0,
    seed: int = 0,
    offense: str = "ROBBERY",
):
    rng = np.random.default_rng(seed)
    angle = rng.random(n) * 2 * np.pi
    dist = rng.random(n) * radius_m
    days = pd.Timestamp("2025-01-06", tz=TZ) + pd.to_timedelta(np.arange(n) * 3, unit="D")
    times = days + pd.Timedelta(hours=hour)
    return gpd.GeoDataFrame(
        {
            "id": [f"E{i}" for i in range(n)],
            "date": times,
            "offense": offense,
        },
        geometry=shapely.points(X0 + dx + dist * np.cos(angle), Y0 + dist * np.sin(angle)),
        crs=CRS,
    )


def lights(*specs: tuple[str, float, float, str]) -> gpd.GeoDataFrame:
    """(id, dx, dy, status) relative to the centre."""
    return gpd.GeoDataFrame(
        {"light_id": [s[0] for s in specs], "status": [s[3] for s in specs]},
        geometry=[shapely.Point(X0 + s[1], Y0 + s[2]) for s in specs],
        crs=CRS,
    )


def stops(*specs: tuple[str, float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"stop_id": [s[0] for s in specs], "stop_name": [f"Stop {s[0]}" for s in specs]},
        geometry=[shapely.Point(X0 + s[1], Y0 + s[2]) for s in specs],
        crs=CRS,
    )


def obstruction(oid: str, kind: str, x0: float, y0: float, x1: float, y1: float):
    """A thin rectangle (dx/dy relative to the centre)."""
    return {
        "obstruction_id": oid,
        "kind": kind,
        "geometry": shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1),
    }


def obstructions(*rows: dict) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(list(rows), geometry="geometry", crs=CRS)


def concerns(texts: list[str], *, dx: float = 0.0, category: str = "Other") -> gpd.GeoDataFrame:
    n = len(texts)
    return gpd.GeoDataFrame(
        {
            "request_id": [f"C{i}" for i in range(n)],
            "created": pd.Timestamp("2025-01-10 20:00", tz=TZ) + pd.to_timedelta(np.arange(n), "D"),
            "type": category,
            "details": texts,
        },
        geometry=[shapely.Point(X0 + dx + i, Y0) for i in range(n)],
        crs=CRS,
    )


# working lights 60-70 m away on every side: lit enough for a street, not for the centre
FAR_LIGHTS = [("L-N", 0, 70, "working"), ("L-S", 0, -70, "working"),
              ("L-E", 70, 0, "working"), ("L-W", -70, 0, "working")]  # fmt: skip
# a working light 15 m from the centre: the centre is lit
NEAR_LIGHT = ("L-NEAR", 15, 0, "working")


def scene(
    *,
    incidents: gpd.GeoDataFrame | None = None,
    light_specs: list | tuple = (),
    stop_specs: list | tuple = (),
    obstruction_rows: list | tuple = (),
    concern_frame: gpd.GeoDataFrame | None = None,
    settings: Settings | None = None,
):
    """Return (study, clusters): one hot spot, a 40 m disc round the centre."""
    study = build_study(
        incidents=incidents if incidents is not None else events(),
        concerns=concern_frame,
        lights=lights(*light_specs) if light_specs else None,
        stops=stops(*stop_specs) if stop_specs else None,
        obstructions=obstructions(*obstruction_rows) if obstruction_rows else None,
        crs=CRS,
        tz=TZ,
        settings=settings,
    )
    clusters = gpd.GeoDataFrame(
        {"cluster_id": ["H001"], "n_events": [len(study.incidents) + len(study.concerns)],
         "p_adj": [1e-6], "trend": ["persistent"]},
        geometry=[shapely.Point(X0, Y0).buffer(40)],
        crs=CRS,
    )  # fmt: skip
    return study, clusters


def replace(study, **layers):
    """A copy of the study with some layers replaced (a Study is frozen)."""
    import dataclasses

    return dataclasses.replace(study, **layers)
