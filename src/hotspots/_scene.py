"""Generate the synthetic sample "scene": a Leeds-like street grid with known truth.

The scene is a 2 km x 2 km grid of streets every 100 m around (-1.55, 53.80), with street
lights every 25 m, about 30 bus stops, hedges, trees, walls and fences, six months of
incidents and resident concerns (2025-01-01 to 2025-06-30, Europe/London), and planted
places whose cause and expected fix are known: dark gaps between lights, lights that are
out, bus stops in the dark, a hedge and a wall across a sightline, a dumping spot, busy but
open places, a place where an intervention worked (with displacement around it) and a
one-day burst that is not recurring. Background noise and a few messy rows (missing
coordinates, 0/0, swapped lat/lon, an unreadable time, a duplicate) complete it.

Everything is built in EPSG:32630 metres and written as lon/lat (WGS84). The generator is
deterministic: the same seed gives byte-identical files (fixed rounding and formats, no
generation timestamps). Regenerate with::

    python -m hotspots._scene [--out DIR] [--seed N]

``build_scene`` returns the frames in memory; ``write_scene`` writes the files and
``PROVENANCE.md``.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.polygon import orient

__all__ = [
    "CRS_M",
    "KINDS",
    "SEED",
    "Scene",
    "build_scene",
    "main",
    "write_scene",
]

log = logging.getLogger(__name__)

# --- constants of the scene ------------------------------------------------------------------
SEED = 20250101
"""Default seed; the committed sample is generated with it."""
TZ = "Europe/London"
CRS_M = 32630
"""The metric CRS the scene is built in (UTM 30N)."""
CENTRE_LONLAT = (-1.55, 53.80)
START = pd.Timestamp("2025-01-01")
END = pd.Timestamp("2025-06-30")
N_PERIOD_DAYS = int((END - START).days) + 1
SIDE_M = 2000.0
STREET_SPACING_M = 100.0
LIGHT_SPACING_M = 25.0
FIRST_STREET_M = 50.0
EVENT_RADIUS_M = 12.0
"""Planted events fall within this distance of their place centre."""
CONCERN_RADIUS_M = 8.0
INTERVENTION_DATE = pd.Timestamp("2025-04-01")
RING_M = (70.0, 200.0)
DISPLACED_SHARE = 0.6  # displaced events after the date, as a share of the before-rate
"""Displaced events after the intervention fall in this ring around the place."""
NOISE_INCIDENTS = 400
NOISE_CONCERNS = 60
NOISE_INCIDENT_CLEAR_M = 100.0
"""Background incidents keep this far from every planted centre (so planted counts are exact)."""
NOISE_CONCERN_CLEAR_M = 150.0
"""Background concerns keep this far (an outage report is matched to lights within 50 m, and
a place's lights are those within 30 m of its polygon)."""
FEATURE_CLEAR_M = 150.0
"""Decoy stops and obstructions keep this far from every planted centre."""
DECOY_OUT_CLEAR_M = 200.0
SETBACK_M = 22.0
"""Sightline places lie this far from the street, behind the hedge or wall."""

KINDS: dict[str, tuple[str, str]] = {
    "dark_gap": ("add_lighting", "new_light_point"),
    "light_out": ("repair_light", "light"),
    "bus_stop_dark": ("improve_bus_stop", "stop"),
    "hedge_sightline": ("trim_vegetation", "obstruction"),
    "wall_sightline": ("clear_sightline", "obstruction"),
    "dumping": ("clean_up", "place"),
    "busy_open": ("no_environmental_fix", "place"),
    "intervention": ("no_environmental_fix", "place"),
    "burst": ("", ""),
}
"""Planted kind -> (expected fix, target kind); the burst expects no fix."""

_PLAN: tuple[str, ...] = (
    "dark_gap",
    "dark_gap",
    "light_out",
    "light_out",
    "bus_stop_dark",
    "bus_stop_dark",
    "hedge_sightline",
    "wall_sightline",
    "dumping",
    "busy_open",
    "busy_open",
    "intervention",
    "burst",
)
_NIGHT_SHARE = {
    "dark_gap": 0.85,
    "light_out": 0.85,
    "bus_stop_dark": 0.85,
    "hedge_sightline": 0.4,
    "wall_sightline": 0.4,
    "dumping": 0.0,
    "busy_open": 0.1,
    "intervention": 0.05,
    "burst": 0.0,
}
_CATEGORIES = {
    "dark_gap": ("ROBBERY", "ASSAULT", "THEFT"),
    "light_out": ("CRIMINAL DAMAGE", "THEFT", "ASSAULT"),
    "bus_stop_dark": ("ROBBERY", "ASSAULT", "ANTISOCIAL BEHAVIOUR"),
    "hedge_sightline": ("ROBBERY", "ASSAULT", "THEFT"),
    "wall_sightline": ("ROBBERY", "ASSAULT", "DRUGS"),
    "dumping": ("ANTISOCIAL BEHAVIOUR", "CRIMINAL DAMAGE"),
    "busy_open": ("THEFT", "ASSAULT", "ANTISOCIAL BEHAVIOUR"),
    "intervention": ("THEFT", "DRUGS", "ANTISOCIAL BEHAVIOUR"),
    "burst": ("ASSAULT", "ANTISOCIAL BEHAVIOUR", "CRIMINAL DAMAGE"),
}
_NOISE_CATEGORIES = (
    ("THEFT", 0.32),
    ("ASSAULT", 0.18),
    ("ROBBERY", 0.08),
    ("CRIMINAL DAMAGE", 0.16),
    ("DRUGS", 0.08),
    ("ANTISOCIAL BEHAVIOUR", 0.18),
)
# resident concerns planted at places: (category, texts, "night"/"day", how many)
_PLACE_CONCERNS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "dark_gap": (
        "Street lighting",
        (
            "No street lights along this stretch, pitch black walking home",
            "Very dark between the junctions, there are no lamps at all",
        ),
        "evening",
    ),
    "light_out": (
        "Street lighting",
        (
            "Street light out outside no. 12, been dark for weeks",
            "The lamp post by number 12 is still not working",
            "Street light outside no. 12 out again, whole path is dark",
        ),
        "evening",
    ),
    "hedge_sightline": (
        "Trees and hedges",
        (
            "Overgrown hedge, can't see who is on the path",
            "Hedge is so overgrown you can't see the path from the street",
            "Overgrown hedge blocks the view of the footpath, feels unsafe",
        ),
        "day",
    ),
    "dumping": (
        "Litter and fly-tipping",
        (
            "Fly-tipping again, dumped mattresses by the garages",
            "Rubbish and litter everywhere behind the shops",
            "Dumped mattress and bin bags left on the pavement",
            "More fly-tipping, old sofa and rubbish dumped",
            "Litter and broken glass all over the alley",
            "Someone has dumped a mattress and bags of rubbish again",
            "Fly-tipped waste piling up, rats now",
        ),
        "day",
    ),
    "busy_open": (
        "Highways and parking",
        (
            "Cars speeding along here, someone will get hurt",
            "Constant traffic noise and horns at the crossing",
        ),
        "day",
    ),
}
_NOISE_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Street lighting",
        (
            "Street light flickering on and off",
            "Lamp post light out near the junction",
            "Street light stays on all day",
        ),
    ),
    (
        "Trees and hedges",
        (
            "Tree branches overhanging the pavement",
            "Hedge growing over the footpath",
            "Overgrown bushes on the corner",
        ),
    ),
    (
        "Anti-social behaviour",
        (
            "Group of youths gathering, smell of cannabis",
            "People loitering by the shop most evenings",
            "Drug dealing from a parked car",
        ),
    ),
    (
        "Litter and fly-tipping",
        (
            "Overflowing bins on the corner",
            "Litter dropped outside the takeaway",
            "Dumped bags of rubbish in the lane",
        ),
    ),
    (
        "Highways and parking",
        (
            "Cars parked on the pavement",
            "Speeding vehicles on this road",
            "Pothole in the road",
        ),
    ),
    (
        "Noise",
        (
            "Loud music late at night",
            "Noise from a house party",
            "Barking dog all day",
        ),
    ),
)
_STREET_NAMES_NS = (
    "Aire St", "Bath Rd", "Cavendish St", "Dewsbury Rd", "Elmwood Ln", "Fenton St",
    "Grove Rd", "Hyde Park Rd", "Ingram St", "Jubilee Ter", "Kirkstall Rd", "Lovell Rd",
    "Marsh Ln", "Neville St", "Oxford Pl", "Portland Cres", "Quarry Hill", "Regent St",
    "Sovereign St", "Tong Rd",
)  # fmt: skip
_STREET_NAMES_EW = (
    "Albion Pl", "Boar Ln", "Call Ln", "Duncan St", "Eastgate", "Fish St", "Great George St",
    "Headrow", "Infirmary St", "Kendal Ln", "Lands Ln", "Merrion St", "New Briggate",
    "Park Row", "Queen St", "Russell St", "Swinegate", "Templar St", "Vicar Ln", "Wade Ln",
)  # fmt: skip
_OBSTRUCTION_KINDS = ("hedge", "tree", "wall", "fence")


@dataclass
class Place:
    """One planted place (coordinates in local metres from the scene's south-west corner)."""

    place_id: str
    kind: str
    x: float
    y: float
    target_kind: str = ""
    target_id: str = ""
    target_x: float = float("nan")
    target_y: float = float("nan")
    n_events: int = 0
    n_displaced: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scene:
    """The generated scene in memory.

    Attributes
    ----------
    origin : tuple of float
        EPSG:32630 coordinates (m) of the local (0, 0) corner.
    places : list of Place
    incidents, concerns, lights, stops, obstructions, truth : DataFrame
        The rows as written (text columns), plus local ``x``/``y`` for point layers;
        events also carry ``origin`` (``planted``, ``displaced`` or ``noise``),
        ``place_id`` (blank for noise) and ``mess`` (the planted defect, if any).
    boundary : shapely Polygon
        The study square (local metres).

    All coordinates (``x``/``y``, geometries) are local metres from :attr:`origin`; add
    the origin for EPSG:32630.
    """

    origin: tuple[float, float]
    places: list[Place]
    incidents: pd.DataFrame
    concerns: pd.DataFrame
    lights: pd.DataFrame
    stops: pd.DataFrame
    obstructions: pd.DataFrame
    truth: pd.DataFrame
    boundary: shapely.Polygon


# =========================================================================================
# building the scene
# =========================================================================================


def _origin() -> tuple[float, float]:
    """South-west corner (EPSG:32630 m) of a square centred on CENTRE_LONLAT, on a 100 m grid."""
    tr = pyproj.Transformer.from_crs(4326, CRS_M, always_xy=True)
    cx, cy = tr.transform(*CENTRE_LONLAT)
    return (round(cx / 100.0) * 100.0 - SIDE_M / 2, round(cy / 100.0) * 100.0 - SIDE_M / 2)


def _street_lights() -> np.ndarray:
    """Every light position of the full grid (local m): along all streets every 25 m."""
    streets = np.arange(FIRST_STREET_M, SIDE_M, STREET_SPACING_M)
    along = np.arange(FIRST_STREET_M, streets[-1] + 1, LIGHT_SPACING_M)
    ew = np.array([(a, s) for s in streets for a in along])
    ns = np.array([(s, a) for s in streets for a in along])
    xy = np.unique(np.round(np.vstack([ew, ns]), 3), axis=0)
    return xy


def _dist(xy: np.ndarray, x: float, y: float) -> np.ndarray:
    return np.hypot(xy[:, 0] - x, xy[:, 1] - y)


def _slots(rng: np.random.Generator) -> list[tuple[float, float]]:
    """Place slots: mid-block points on east-west streets, a checkerboard of a 400 m grid.

    Diagonal neighbours are 566 m apart, so the small offsets of some kinds (a stop on the
    kerb, a footpath behind a hedge) keep every place at least 400 m from every other. The
    intervention takes an inner slot, so that its displacement ring fits in the area.
    """
    xs = (200.0, 600.0, 1000.0, 1400.0, 1800.0)
    ys = (250.0, 650.0, 1050.0, 1450.0, 1850.0)
    cells = [(a, b) for a in range(5) for b in range(5) if (a + b) % 2 == 0]
    inner = [(xs[a], ys[b]) for a, b in cells if 0 < a < 4 and 0 < b < 4]
    outer = [(xs[a], ys[b]) for a, b in cells if (xs[a], ys[b]) not in inner]
    inner_order = [inner[i] for i in rng.permutation(len(inner))]
    intervention = inner_order[0]
    rest = inner_order[1:] + outer
    rest = [rest[i] for i in rng.permutation(len(rest))]
    return [intervention if kind == "intervention" else rest.pop(0) for kind in _PLAN]


def _layout(
    rng: np.random.Generator,
) -> tuple[list[Place], np.ndarray, np.ndarray, list[tuple[float, float, str]]]:
    """Places, light positions (after removals), the planted OUT light positions, planted stops."""
    lights = _street_lights()
    keep = np.ones(len(lights), bool)
    out_positions: list[tuple[float, float]] = []
    planted_stops: list[tuple[float, float, str]] = []
    places: list[Place] = []
    for i, (kind, (sx, sy)) in enumerate(zip(_PLAN, _slots(rng), strict=True)):
        place = Place(f"P{i + 1:02d}", kind, sx, sy, target_kind=KINDS[kind][1])
        if kind == "dark_gap":
            # the junction lights at both ends and the mid-block lights are missing
            keep &= _dist(lights, sx, sy) > 65.0
            place.target_x, place.target_y = sx, sy
        elif kind == "light_out":
            # one light serves the block: its neighbours at +-25 m are gone, it is out
            keep &= ~((np.abs(lights[:, 1] - sy) < 0.1) & (np.abs(lights[:, 0] - sx) == 25.0))
            out_positions.append((sx, sy))
            place.target_x, place.target_y = sx, sy
        elif kind == "bus_stop_dark":
            # the stop stands 40 m from the junction light, the block's lights are gone
            stop_x, stop_y = sx - 10.0, sy + 5.0
            on_block = (np.abs(lights[:, 1] - sy) < 0.1) & (np.abs(lights[:, 0] - sx) <= 25.0)
            keep &= ~on_block
            place.x, place.y = stop_x, stop_y
            place.target_x, place.target_y = stop_x, stop_y
            planted_stops.append((stop_x, stop_y, place.place_id))
        elif kind in ("hedge_sightline", "wall_sightline"):
            # a footpath set back from the street; the light at the street is 22 m away
            place.y = sy - SETBACK_M
            obstruction_kind = "hedge" if kind == "hedge_sightline" else "wall"
            thick = 2.0 if obstruction_kind == "hedge" else 0.5
            poly = shapely.box(sx - 20.0, sy - 9.0 - thick / 2, sx + 20.0, sy - 9.0 + thick / 2)
            place.extra["obstruction"] = (obstruction_kind, poly)
            c = poly.centroid
            place.target_x, place.target_y = c.x, c.y
        elif kind == "dumping":
            place.x, place.y = sx + 3.0, sy + 4.0
        elif kind == "busy_open":
            place.x, place.y = sx + 5.0, sy
        elif kind == "intervention":
            place.x, place.y = sx - 4.0, sy + 3.0
        if place.target_kind == "place":
            place.target_x, place.target_y = place.x, place.y
        places.append(place)
    return places, lights[keep], np.array(out_positions), planted_stops


def _spread_days(rng: np.random.Generator, n_days: int, first: int, last: int) -> np.ndarray:
    """`n_days` distinct day offsets in [first, last], one in each of n_days equal bins."""
    edges = np.linspace(first, last + 1, n_days + 1)
    lo = np.ceil(edges[:-1]).astype(int)
    hi = np.maximum(np.ceil(edges[1:]).astype(int) - 1, lo)
    return lo + (rng.random(n_days) * (hi - lo + 1)).astype(int)


def _event_days(rng: np.random.Generator, n: int, n_days: int, first: int, last: int) -> np.ndarray:
    days = _spread_days(rng, n_days, first, last)
    extra = rng.choice(days, size=n - n_days, replace=True)
    return np.sort(np.concatenate([days, extra]))


def _local_times(
    rng: np.random.Generator, day_offsets: np.ndarray, night: np.ndarray, window: str = "event"
) -> pd.Series:
    """Local, tz-aware times: night 23:15-03:15, day 10:00-15:00 (evening: 19:00-21:30)."""
    n = len(day_offsets)
    minutes = rng.integers(0, 241, n).astype(float)
    if window == "evening":
        start_night = 19 * 60.0
        minutes = rng.integers(0, 151, n).astype(float)
    else:
        start_night = 23 * 60 + 15.0
    day_minutes = 10 * 60 + rng.integers(0, 301, n).astype(float)
    total = np.where(night, start_night + minutes, day_minutes)
    naive = (
        START
        + pd.to_timedelta(day_offsets, unit="D")
        + pd.to_timedelta(np.round(total), unit="min")
    )
    return pd.Series(naive).dt.tz_localize(TZ, nonexistent="shift_forward", ambiguous=True)


def _disc(rng: np.random.Generator, n: int, x: float, y: float, r: float) -> np.ndarray:
    rad = r * np.sqrt(rng.random(n))
    ang = rng.random(n) * 2 * np.pi
    return np.c_[x + rad * np.cos(ang), y + rad * np.sin(ang)]


def _far_from(xy: np.ndarray, centres: np.ndarray, clear_m: float) -> np.ndarray:
    if len(centres) == 0:
        return np.ones(len(xy), bool)
    d = np.hypot(xy[:, None, 0] - centres[None, :, 0], xy[:, None, 1] - centres[None, :, 1])
    return d.min(axis=1) > clear_m


def _uniform_outside(
    rng: np.random.Generator, n: int, centres: np.ndarray, clear_m: float, margin: float = 5.0
) -> np.ndarray:
    """`n` points uniform over the study square, farther than `clear_m` from every centre."""
    out = np.zeros((0, 2))
    while len(out) < n:
        cand = margin + rng.random((4 * n, 2)) * (SIDE_M - 2 * margin)
        out = np.vstack([out, cand[_far_from(cand, centres, clear_m)]])
    return out[:n]


def _planted_events(
    rng: np.random.Generator, places: list[Place]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Incidents and concerns of the planted places (and the displaced ones)."""
    incidents: list[dict[str, Any]] = []
    concerns: list[dict[str, Any]] = []
    last = N_PERIOD_DAYS - 1
    for place in places:
        kind = place.kind
        texts = _PLACE_CONCERNS.get(kind)
        n_concerns = 0
        if texts is not None and not (kind == "light_out" and place.place_id != _second(places)):
            n_concerns = len(texts[1])
        if kind == "busy_open" and place.place_id != _first(places, "busy_open"):
            n_concerns = 0
        if kind == "burst":
            n_inc = 30
            days = np.full(n_inc, int(rng.integers(40, 140)))
            night = np.zeros(n_inc, bool)
            times = _local_times(rng, days, night)
        elif kind == "intervention":
            cut = int((INTERVENTION_DATE - START).days)
            n_before = 30
            n_after = round(n_before * 0.3 * (N_PERIOD_DAYS - cut) / cut)
            days = np.concatenate(
                [
                    _event_days(rng, n_before, 14, 0, cut - 1),
                    _event_days(rng, n_after, 6, cut, last),
                ]
            )
            n_inc = len(days)
            night = np.zeros(n_inc, bool)
            night[rng.permutation(n_inc)[: round(_NIGHT_SHARE[kind] * n_inc)]] = True
            times = _local_times(rng, days, night)
            # displacement: about 60% of the before-rate, after the date, spread over a ring
            n_disp = round(DISPLACED_SHARE * n_before / cut * (N_PERIOD_DAYS - cut))
            rad = np.sqrt(RING_M[0] ** 2 + rng.random(n_disp) * (RING_M[1] ** 2 - RING_M[0] ** 2))
            ang = rng.random(n_disp) * 2 * np.pi
            dxy = np.c_[place.x + rad * np.cos(ang), place.y + rad * np.sin(ang)]
            ddays = np.sort(cut + rng.integers(0, N_PERIOD_DAYS - cut, n_disp))
            dtimes = _local_times(rng, ddays, np.zeros(n_disp, bool))
            for (x, y), t in zip(dxy, dtimes, strict=True):
                incidents.append(
                    {
                        "x": x,
                        "y": y,
                        "time": t,
                        "category": str(rng.choice(_CATEGORIES[kind])),
                        "origin": "displaced",
                        "place_id": place.place_id,
                    }
                )
            place.n_displaced = n_disp
        else:
            total = int(rng.integers(25, 41))
            n_inc = total - n_concerns
            days = _event_days(rng, n_inc, int(rng.integers(12, 19)), 0, last)
            night = np.zeros(n_inc, bool)
            night[rng.permutation(n_inc)[: round(_NIGHT_SHARE[kind] * n_inc)]] = True
            times = _local_times(rng, days, night)
        xy = _disc(rng, n_inc, place.x, place.y, EVENT_RADIUS_M)
        cats = rng.choice(_CATEGORIES[kind], size=n_inc)
        for (x, y), t, cat in zip(xy, times, cats, strict=True):
            incidents.append(
                {
                    "x": x,
                    "y": y,
                    "time": t,
                    "category": str(cat),
                    "origin": "planted",
                    "place_id": place.place_id,
                }
            )
        if n_concerns and texts is not None:
            category, lines, window = texts
            if window == "evening":  # January-February evenings: dark by 18:30
                cdays = np.sort(rng.choice(np.arange(5, 58), n_concerns, replace=False))
                ctimes = _local_times(rng, cdays, np.ones(n_concerns, bool), "evening")
            else:
                cdays = np.sort(rng.choice(np.arange(0, last + 1), n_concerns, replace=False))
                ctimes = _local_times(rng, cdays, np.zeros(n_concerns, bool))
            cxy = _disc(rng, n_concerns, place.x, place.y, CONCERN_RADIUS_M)
            for (x, y), t, text in zip(cxy, ctimes, lines, strict=True):
                concerns.append(
                    {
                        "x": x,
                        "y": y,
                        "time": t,
                        "category": category,
                        "details": text,
                        "origin": "planted",
                        "place_id": place.place_id,
                    }
                )
        place.n_events = n_inc + n_concerns
    return incidents, concerns


def _first(places: list[Place], kind: str) -> str:
    return next(p.place_id for p in places if p.kind == kind)


def _second(places: list[Place]) -> str:
    """Return the light_out place whose light residents also report."""
    return [p.place_id for p in places if p.kind == "light_out"][1]


def _noise(
    rng: np.random.Generator, centres: np.ndarray
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Background incidents and concerns, uniform in space and time."""
    start_utc = START.tz_localize(TZ).tz_convert("UTC")
    seconds = N_PERIOD_DAYS * 86400

    def times(n: int) -> pd.Series:
        offs = np.sort(rng.integers(0, seconds // 60, n)) * 60
        return pd.Series(start_utc + pd.to_timedelta(offs, unit="s")).dt.tz_convert(TZ)

    cats = [c for c, _ in _NOISE_CATEGORIES]
    probs = np.array([p for _, p in _NOISE_CATEGORIES])
    xy = _uniform_outside(rng, NOISE_INCIDENTS, centres, NOISE_INCIDENT_CLEAR_M)
    t = times(NOISE_INCIDENTS)
    cat = rng.choice(cats, size=NOISE_INCIDENTS, p=probs / probs.sum())
    span = rng.integers(1, 7, NOISE_INCIDENTS)
    has_to = rng.random(NOISE_INCIDENTS) < 0.15
    incidents = [
        {
            "x": p[0],
            "y": p[1],
            "time": ti,
            "category": str(c),
            "time_to": ti + pd.Timedelta(hours=int(h)) if w else None,
            "origin": "noise",
            "place_id": "",
        }
        for p, ti, c, h, w in zip(xy, t, cat, span, has_to, strict=True)
    ]
    cxy = _uniform_outside(rng, NOISE_CONCERNS, centres, NOISE_CONCERN_CLEAR_M)
    ct = times(NOISE_CONCERNS)
    topic = rng.integers(0, len(_NOISE_TOPICS), NOISE_CONCERNS)
    pick = rng.integers(0, 3, NOISE_CONCERNS)
    concerns = [
        {
            "x": p[0],
            "y": p[1],
            "time": ti,
            "category": _NOISE_TOPICS[k][0],
            "details": _NOISE_TOPICS[k][1][j],
            "origin": "noise",
            "place_id": "",
        }
        for p, ti, k, j in zip(cxy, ct, topic, pick, strict=True)
    ]
    return incidents, concerns


def _stops(
    rng: np.random.Generator,
    lights_xy: np.ndarray,
    working: np.ndarray,
    centres: np.ndarray,
    planted: list[tuple[float, float, str]],
) -> tuple[pd.DataFrame, dict[str, str]]:
    """About 30 stops on streets; all but the planted ones next to a working light."""
    chosen: list[tuple[float, float]] = [(x, y) for x, y, _ in planted]
    candidates = lights_xy[working & _far_from(lights_xy, centres, FEATURE_CLEAR_M)]
    order = rng.permutation(len(candidates))
    n_far = 0
    for idx in order:
        if len(chosen) >= 30:
            break
        lx, ly = candidates[idx]
        if chosen and _dist(np.array(chosen), lx, ly).min() < 150.0:
            continue
        on_ew = abs((ly - FIRST_STREET_M) % STREET_SPACING_M) < 0.01
        on_ns = abs((lx - FIRST_STREET_M) % STREET_SPACING_M) < 0.01
        along = float(rng.uniform(-8.0, 8.0))
        if n_far < 3:  # a few stops a little farther along from their light
            along = float(np.sign(along) or 1.0) * float(rng.uniform(15.0, 18.0))
            n_far += 1
        side = float(rng.choice([-5.0, 5.0]))
        if on_ew and not on_ns:
            x, y = lx + along, ly + side
        elif on_ns and not on_ew:
            x, y = lx + side, ly + along
        else:  # a junction: stand back along the east-west street
            x, y = lx + 10.0, ly + side
        chosen.append((x, y))
    xy = np.array(chosen)
    # ids: ATCO-like codes (Leeds area codes start with 450), numbered west to east
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    ids = np.empty(len(xy), dtype=object)
    ids[order] = [f"450S{i + 1:04d}" for i in range(len(xy))]
    names = []
    for x, y in xy:
        ns = int(np.clip(round((x - FIRST_STREET_M) / STREET_SPACING_M), 0, 19))
        ew = int(np.clip(round((y - FIRST_STREET_M) / STREET_SPACING_M), 0, 19))
        names.append(f"{_STREET_NAMES_EW[ew]} / {_STREET_NAMES_NS[ns]}")
    frame = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "stop_id": ids, "stop_name": names})
    planted_ids = {pid: str(ids[i]) for i, (_, _, pid) in enumerate(planted)}
    return frame.iloc[np.argsort(ids.astype(str))].reset_index(drop=True), planted_ids


def _obstructions(
    rng: np.random.Generator, places: list[Place], centres: np.ndarray
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Build the planted hedge and wall, plus decoys far from every planted place."""
    rows: list[tuple[str, shapely.Geometry, str]] = []
    for p in places:
        if "obstruction" in p.extra:
            kind, poly = p.extra["obstruction"]
            rows.append((kind, poly, p.place_id))
    streets = np.arange(FIRST_STREET_M, SIDE_M, STREET_SPACING_M)
    n_decoys = 16
    tries = 0
    while len(rows) < n_decoys + 2 and tries < 10_000:
        tries += 1
        kind = _OBSTRUCTION_KINDS[len(rows) % len(_OBSTRUCTION_KINDS)]
        street = float(rng.choice(streets[1:-1]))
        along = float(rng.uniform(150.0, SIDE_M - 150.0))
        offset = float(rng.choice([-1.0, 1.0])) * float(rng.uniform(8.0, 14.0))
        length = float(rng.uniform(15.0, 40.0))
        ew = bool(rng.random() < 0.5)
        cx, cy = (along, street + offset) if ew else (street + offset, along)
        if kind == "tree":
            geom = shapely.Point(cx, cy).buffer(float(rng.uniform(3.0, 5.0)), quad_segs=4)
        else:
            half_w = {"hedge": 1.0, "wall": 0.25, "fence": 0.1}[kind]
            dx, dy = (length / 2, half_w) if ew else (half_w, length / 2)
            geom = shapely.box(cx - dx, cy - dy, cx + dx, cy + dy)
        corners = shapely.get_coordinates(geom)
        if not _far_from(corners, centres, FEATURE_CLEAR_M).all():
            continue
        if any(geom.distance(g) < 30.0 for _, g, _ in rows):
            continue
        rows.append((kind, geom, ""))
    cent = np.array([[g.centroid.x, g.centroid.y] for _, g, _ in rows])
    order = np.lexsort((cent[:, 1], cent[:, 0]))
    ids = [""] * len(rows)
    for rank, i in enumerate(order):
        ids[i] = f"OBS-{rank + 1:03d}"
    frame = pd.DataFrame(
        {
            "id": ids,
            "kind": [k for k, _, _ in rows],
            "geometry": [orient(g, 1.0) for _, g, _ in rows],
        }
    )
    planted = {pid: ids[i] for i, (_, _, pid) in enumerate(rows) if pid}
    return frame.sort_values("id").reset_index(drop=True), planted


def build_scene(seed: int = SEED) -> Scene:
    """Build the scene in memory.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the committed sample uses :data:`SEED`.

    Returns
    -------
    Scene
        Frames with the columns written to the files (text), plus local metre
        coordinates ``x``/``y`` (point layers) and the planted places.
    """
    rng = np.random.default_rng(seed)
    origin = _origin()
    places, lights_xy, out_xy, planted_stop_xy = _layout(rng)
    centres = np.array([[p.x, p.y] for p in places])

    # --- lights: statuses, ids ------------------------------------------------------------
    status = np.full(len(lights_xy), "OK", dtype=object)
    planted_out = np.zeros(len(lights_xy), bool)
    for x, y in out_xy:
        planted_out |= _dist(lights_xy, x, y) < 0.01
    status[planted_out] = "OUT"
    decoy_pool = np.flatnonzero(_far_from(lights_xy, centres, DECOY_OUT_CLEAR_M))
    decoys = rng.choice(decoy_pool, size=8, replace=False)
    status[decoys] = "OUT"
    order = np.lexsort((lights_xy[:, 0], -lights_xy[:, 1]))  # north to south, west to east
    lights_xy, status = lights_xy[order], status[order]
    light_ids = np.array([f"L-{i + 1:04d}" for i in range(len(lights_xy))], dtype=object)
    lights = pd.DataFrame(
        {"x": lights_xy[:, 0], "y": lights_xy[:, 1], "id": light_ids, "status": status}
    )
    working = status == "OK"

    # --- stops: the planted ones first, decoys away from every place ------------------------
    stops, planted_stop_ids = _stops(rng, lights_xy, working, centres, planted_stop_xy)
    obstructions, planted_obs_ids = _obstructions(rng, places, centres)
    for p in places:
        if p.kind == "light_out":
            p.target_id = str(light_ids[np.argmin(_dist(lights_xy, p.x, p.y))])
        elif p.kind == "bus_stop_dark":
            p.target_id = planted_stop_ids[p.place_id]
        elif p.kind in ("hedge_sightline", "wall_sightline"):
            p.target_id = planted_obs_ids[p.place_id]

    # --- events ---------------------------------------------------------------------------
    inc_planted, con_planted = _planted_events(rng, places)
    inc_noise, con_noise = _noise(rng, centres)
    incidents = _incident_table(rng, inc_planted + inc_noise)
    concerns = _concern_table(rng, con_planted + con_noise)

    boundary = shapely.box(0.0, 0.0, SIDE_M, SIDE_M)
    scene = Scene(
        origin=origin,
        places=places,
        incidents=incidents,
        concerns=concerns,
        lights=lights,
        stops=stops,
        obstructions=obstructions,
        truth=pd.DataFrame(),
        boundary=boundary,
    )
    scene.truth = _truth(scene)
    log.info(
        "scene: %d places, %d incidents, %d concerns, %d lights (%d out), %d stops, "
        "%d obstructions",
        len(places),
        len(incidents),
        len(concerns),
        len(lights),
        int((~working).sum()),
        len(stops),
        len(obstructions),
    )
    return scene


def _event_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["utc"] = pd.to_datetime(frame["time"].map(lambda t: t.tz_convert("UTC")))
    return frame.sort_values(["utc", "x", "y"], kind="stable").reset_index(drop=True)


def _incident_table(rng: np.random.Generator, rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = _event_frame(rows)
    if "time_to" not in frame:
        frame["time_to"] = None
    frame["id"] = [f"13{i + 1:06d}" for i in range(len(frame))]
    fmt = "%m/%d/%Y %I:%M:%S %p"
    frame["occurred"] = [t.strftime(fmt) for t in frame["time"]]
    frame["occurred_to"] = [
        t.strftime(fmt) if isinstance(t, pd.Timestamp) else "" for t in frame["time_to"]
    ]
    frame["mess"] = ""
    noise = np.flatnonzero((frame["origin"] == "noise").to_numpy())
    picks = rng.choice(noise, size=7, replace=False)
    for i in picks[:3]:
        frame.loc[i, "mess"] = "missing_coordinates"
    frame.loc[picks[3], "mess"] = "zero_coordinates"
    frame.loc[picks[4], "mess"] = "swapped"
    frame.loc[picks[5], "mess"] = "unparseable_time"
    frame.loc[picks[6], "mess"] = "duplicate"
    return frame


def _concern_table(rng: np.random.Generator, rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = _event_frame(rows)
    frame["id"] = [f"SR-{i + 1:05d}" for i in range(len(frame))]
    frame["reported"] = [t.isoformat(timespec="seconds") for t in frame["time"]]
    frame["mess"] = ""
    noise = np.flatnonzero((frame["origin"] == "noise").to_numpy())
    for i in rng.choice(noise, size=2, replace=False):
        frame.loc[i, "mess"] = "missing_coordinates"
    return frame


def _truth(scene: Scene) -> pd.DataFrame:
    ox, oy = scene.origin
    rows = []
    to_ll = pyproj.Transformer.from_crs(CRS_M, 4326, always_xy=True)
    for p in scene.places:
        lon, lat = to_ll.transform(p.x + ox, p.y + oy)
        fix, _ = KINDS[p.kind]
        rows.append(
            {
                "place_id": p.place_id,
                "kind": p.kind,
                "expected_fix": fix,
                "target_kind": p.target_kind,
                "target_id": p.target_id,
                "lon": f"{lon:.6f}",
                "lat": f"{lat:.6f}",
                "x_m": f"{p.x + ox:.2f}",
                "y_m": f"{p.y + oy:.2f}",
                "target_x_m": f"{p.target_x + ox:.2f}" if np.isfinite(p.target_x) else "",
                "target_y_m": f"{p.target_y + oy:.2f}" if np.isfinite(p.target_y) else "",
                "radius_m": f"{EVENT_RADIUS_M:.0f}",
                "recurring": "False" if p.kind == "burst" else "True",
                "n_events": str(p.n_events),
                "intervention_date": (
                    INTERVENTION_DATE.strftime("%Y-%m-%d") if p.kind == "intervention" else ""
                ),
            }
        )
    return pd.DataFrame(rows)


# =========================================================================================
# writing
# =========================================================================================


def _lonlat(scene: Scene, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tr = pyproj.Transformer.from_crs(CRS_M, 4326, always_xy=True)
    lon, lat = tr.transform(
        np.asarray(x, float) + scene.origin[0], np.asarray(y, float) + scene.origin[1]
    )
    return np.asarray(lon), np.asarray(lat)


def _fmt(values: np.ndarray, decimals: int) -> list[str]:
    return [f"{v:.{decimals}f}" for v in values]


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def _geojson(path: Path, features: list[dict[str, Any]]) -> None:
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8", newline="\n")


def _write_incidents(scene: Scene, path: Path) -> None:
    f = scene.incidents
    lon, lat = _lonlat(scene, f["x"].to_numpy(), f["y"].to_numpy())
    out = pd.DataFrame(
        {
            "id": f["id"],
            "category": f["category"],
            "occurred": f["occurred"],
            "occurred_to": f["occurred_to"],
            "lon": _fmt(lon, 6),
            "lat": _fmt(lat, 6),
        }
    )
    rows = []
    for i, mess in enumerate(f["mess"]):
        if mess == "missing_coordinates":
            out.loc[i, ["lon", "lat"]] = ""
        elif mess == "zero_coordinates":
            out.loc[i, ["lon", "lat"]] = "0"
        elif mess == "swapped":
            out.loc[i, ["lon", "lat"]] = [out.loc[i, "lat"], out.loc[i, "lon"]]
        elif mess == "unparseable_time":
            out.loc[i, "occurred"] = "31/31/2025 25:61:00"
            out.loc[i, "occurred_to"] = ""
        rows.append(i)
        if mess == "duplicate":
            rows.append(i)
    _csv(out.iloc[rows].reset_index(drop=True), path)


def _write_concerns(scene: Scene, path: Path) -> None:
    f = scene.concerns
    lon, lat = _lonlat(scene, f["x"].to_numpy(), f["y"].to_numpy())
    out = pd.DataFrame(
        {
            "id": f["id"],
            "reported": f["reported"],
            "category": f["category"],
            "details": f["details"],
            "longitude": _fmt(lon, 6),
            "latitude": _fmt(lat, 6),
        }
    )
    out.loc[(f["mess"] == "missing_coordinates").to_numpy(), ["longitude", "latitude"]] = ""
    _csv(out, path)


def _write_stops(scene: Scene, path: Path) -> None:
    f = scene.stops
    lon, lat = _lonlat(scene, f["x"].to_numpy(), f["y"].to_numpy())
    out = pd.DataFrame(
        {"stop_id": f["stop_id"], "stop_name": f["stop_name"], "X": _fmt(lon, 6), "Y": _fmt(lat, 6)}
    )
    _csv(out, path)


def _write_lights(scene: Scene, path: Path) -> None:
    f = scene.lights
    lon, lat = _lonlat(scene, f["x"].to_numpy(), f["y"].to_numpy())
    features = [
        {
            "type": "Feature",
            "properties": {"id": lid, "status": st},
            "geometry": {"type": "Point", "coordinates": [round(float(a), 7), round(float(b), 7)]},
        }
        for lid, st, a, b in zip(f["id"], f["status"], lon, lat, strict=True)
    ]
    _geojson(path, features)


def _polygon_lonlat(scene: Scene, geom: shapely.Polygon) -> list[list[list[float]]]:
    xy = shapely.get_coordinates(orient(geom, 1.0).exterior)
    lon, lat = _lonlat(scene, xy[:, 0], xy[:, 1])
    return [[[round(float(a), 7), round(float(b), 7)] for a, b in zip(lon, lat, strict=True)]]


def _write_obstructions(scene: Scene, path: Path) -> None:
    f = scene.obstructions
    features = [
        {
            "type": "Feature",
            "properties": {"id": oid, "kind": kind},
            "geometry": {"type": "Polygon", "coordinates": _polygon_lonlat(scene, geom)},
        }
        for oid, kind, geom in zip(f["id"], f["kind"], f["geometry"], strict=True)
    ]
    _geojson(path, features)


def _write_boundary(scene: Scene, path: Path) -> None:
    dense = shapely.segmentize(scene.boundary, 100.0)
    feature = {
        "type": "Feature",
        "properties": {"name": "Generated scene study area (2 km x 2 km)"},
        "geometry": {"type": "Polygon", "coordinates": _polygon_lonlat(scene, dense)},
    }
    _geojson(path, [feature])


def _write_truth(scene: Scene, path: Path) -> None:
    _csv(scene.truth, path)


_WRITERS = (
    ("incidents.csv", _write_incidents),
    ("concerns.csv", _write_concerns),
    ("lights.geojson", _write_lights),
    ("stops.csv", _write_stops),
    ("obstructions.geojson", _write_obstructions),
    ("boundary.geojson", _write_boundary),
    ("truth.csv", _write_truth),
)
FILES: tuple[str, ...] = (*(name for name, _ in _WRITERS), "PROVENANCE.md")
"""The files :func:`write_scene` writes."""


def write_scene(out: str | Path, *, seed: int = SEED) -> list[Path]:
    """Generate the scene and write its files (and ``PROVENANCE.md``) into `out`.

    Parameters
    ----------
    out : str or Path
        Folder to write into (created if needed; files of the same names are replaced).
    seed : int
        Seed of the random generator; the committed sample uses :data:`SEED`.

    Returns
    -------
    list of Path
        The files written, in the order of :data:`FILES`.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_scene(tempfile.mkdtemp())
    >>> [p.name for p in paths][:2]
    ['incidents.csv', 'concerns.csv']
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    scene = build_scene(seed)
    written = []
    for name, writer in _WRITERS:
        writer(scene, folder / name)
        written.append(folder / name)
    prov = folder / "PROVENANCE.md"
    prov.write_text(_provenance(scene, seed), encoding="utf-8", newline="\n")
    written.append(prov)
    log.info("scene written to %s (%d files, seed %d)", folder, len(written), seed)
    return written


_PROVENANCE = """\
# Generated scene — provenance

**Synthetic data.** Nothing here describes real people, places or events. The scene is
generated by `hotspots._scene` (seeded, deterministic) to test and demonstrate `hotspots`
against a known truth: which places are hot spots and which fix each needs.

Regenerate (byte-identical for the same seed):

```
python -m hotspots._scene --out data/samples/scene --seed {seed}
```

## What it is

- A Leeds-like 2 km × 2 km study area centred on lon {lon0}, lat {lat0}, built in
  EPSG:{crs} (UTM 30N) metres and written as lon/lat (WGS84). Timezone Europe/London;
  events from 2025-01-01 to 2025-06-30.
- Streets every 100 m (east–west and north–south); street lights every 25 m along them,
  except where planted gaps remove some: {n_lights} lights, {n_out} with status `OUT`
  ({n_planted_out} planted, the rest decoys at least {decoy_m} m from every planted place),
  the others `OK` (the council's words; the readers map them to `out` / `working`).
- {n_stops} bus stops on the kerb (ATCO-like ids `450S…`); all but the planted dark stops
  stand next to a working light (most within 15 m).
- {n_obs} obstructions (hedge, tree, wall, fence): the planted hedge and wall, and decoys
  at least {feature_m} m from every planted place (so they cross no planted sightline).
- Background noise: {n_noise_inc} incidents (THEFT, ASSAULT, ROBBERY, CRIMINAL DAMAGE,
  DRUGS, ANTISOCIAL BEHAVIOUR; about 15% with an `occurred_to` 1–6 h later) and
  {n_noise_con} concerns (lighting, vegetation, loitering/drugs, litter, traffic, noise),
  uniform in time and over the area outside {inc_clear_m} m (incidents) / {con_clear_m} m
  (concerns) of every planted centre, so the planted counts are exact and no stray outage
  report reaches a planted light.
- Messy rows, all in noise rows (never planted): in `incidents.csv` three rows without
  coordinates, one at 0/0, one with lat/lon swapped (the reader fixes it, with a
  warning), one unreadable time (`31/31/2025 25:61:00`) and one exact duplicate; in
  `concerns.csv` two rows without coordinates.

## Files

| file | content |
|---|---|
| `incidents.csv` | `id, category, occurred, occurred_to, lon, lat`; `MM/DD/YYYY hh:mm:ss AM` |
| `concerns.csv` | `id, reported, category, details, longitude, latitude`; ISO 8601 + offset |
| `lights.geojson` | points: `id` (`L-0001`…), `status` (`OK` / `OUT`) |
| `stops.csv` | `stop_id, stop_name, X, Y` (X/Y hold lon/lat) |
| `obstructions.geojson` | polygons: `id` (`OBS-001`…), `kind` |
| `boundary.geojson` | the study square |
| `truth.csv` | the planted places and their expected fixes (below) |

## What is planted

Planted places are at least 400 m apart and 140 m from the boundary; their events fall
within {radius_m} m of the centre, 25–40 per place on 12 or more days spread over the six
months. Night events are at 23:15–03:15 local (always after civil dusk in Leeds,
January–June), day events at 10:00–15:00; residents' evening reports at 19:00–21:30 in
January–February.

- `dark_gap`: lights missing along a block and at its junctions; the centre is at least
  70 m from every light; about 85% of events at night → `add_lighting` at the gap centre.
- `light_out`: the only light of a block (its neighbours 50 m away) has status `OUT`;
  mostly night. With it repaired the events are lit, so only `repair_light` fires. The
  second one is also reported out by residents (3 concerns).
- `bus_stop_dark`: a stop 40 m from the nearest working light, events around it mostly at
  night → `improve_bus_stop`.
- `hedge_sightline` / `wall_sightline`: a footpath 22 m behind a hedge / wall that crosses
  the line to the street light serving it (the events are lit); day and night →
  `trim_vegetation` / `clear_sightline` (the hedge also draws 3 concerns).
- `dumping`: well lit, daytime, 7 concerns about fly-tipping and litter → `clean_up`.
- `busy_open`: well lit (a working light within 10 m), open, mostly daytime; concerns only
  about traffic → `no_environmental_fix`.
- `intervention`: like `busy_open`, but events drop by about 70% from 2025-04-01 and
  displaced events appear spread thinly over a 70–200 m ring around it (no cluster).
- `burst`: 30 events on a single day: not recurring, no hot spot, no fix.

{table}

## truth.csv

One row per (place, expected fix):

- `place_id`, `kind`: the planted place and what was planted there.
- `expected_fix`: the fix `hotspots.recommend` should return (blank for the burst).
- `target_kind`, `target_id`: what the fix acts on: `light` (light id), `stop` (stop id),
  `obstruction` (obstruction id), `new_light_point` (no id: the point is `target_x_m`,
  `target_y_m`), `place` (the whole place); blank for the burst.
- `lon`, `lat`: the place centre (WGS84); `x_m`, `y_m`: the same in EPSG:32630 metres.
- `target_x_m`, `target_y_m`: where the fix acts (EPSG:32630): the gap centre for
  `add_lighting`, the light, the stop, the obstruction's centroid, the place centre.
- `radius_m`: the planted events lie within this distance of the centre.
- `recurring`: `True` if the place should be found as a recurring hot spot.
- `n_events`: planted incidents + concerns at the place (displaced events not counted).
- `intervention_date`: for the intervention place, the date the response began.
"""


def _provenance(scene: Scene, seed: int) -> str:
    t = scene.truth
    table = [
        "| place | kind | expected fix | target | events | notes |",
        "|---|---|---|---|---|---|",
    ]
    for p, row in zip(scene.places, t.itertuples(), strict=True):
        target = row.target_id or row.target_kind or "—"
        note = ""
        if p.kind == "intervention":
            note = (
                f"drops ~70% from {row.intervention_date}; "
                f"{p.n_displaced} displaced events in a 70–200 m ring"
            )
        elif p.kind == "burst":
            note = "all on one day: not recurring"
        table.append(
            f"| {row.place_id} | {row.kind} | {row.expected_fix or '—'} | {target} | "
            f"{row.n_events} | {note} |"
        )
    return _PROVENANCE.format(
        seed=seed,
        lon0=CENTRE_LONLAT[0],
        lat0=CENTRE_LONLAT[1],
        crs=CRS_M,
        n_lights=len(scene.lights),
        n_out=int((scene.lights["status"] == "OUT").sum()),
        n_planted_out=int((t["kind"] == "light_out").sum()),
        decoy_m=f"{DECOY_OUT_CLEAR_M:.0f}",
        n_stops=len(scene.stops),
        n_obs=len(scene.obstructions),
        feature_m=f"{FEATURE_CLEAR_M:.0f}",
        n_noise_inc=NOISE_INCIDENTS,
        n_noise_con=NOISE_CONCERNS,
        inc_clear_m=f"{NOISE_INCIDENT_CLEAR_M:.0f}",
        con_clear_m=f"{NOISE_CONCERN_CLEAR_M:.0f}",
        radius_m=f"{EVENT_RADIUS_M:.0f}",
        table="\n".join(table),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m hotspots._scene [--out DIR] [--seed N]``."""
    default = Path(__file__).resolve().parents[2] / "data" / "samples" / "scene"
    parser = argparse.ArgumentParser(prog="python -m hotspots._scene", description=__doc__)
    parser.add_argument("--out", type=Path, default=default, help=f"folder (default {default})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    write_scene(args.out, seed=args.seed)
    print(args.out)  # noqa: T201 - the command's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
