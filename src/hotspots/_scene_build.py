"""Building the generated scene in memory: streets, lights, stops, planted places, events.

:func:`build_scene` is re-exported by :mod:`hotspots._scene`, which also writes the files.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.polygon import orient

from hotspots._scene_params import (
    CATEGORIES,
    CENTRE_LONLAT,
    CONCERN_RADIUS_M,
    CRS_M,
    DECOY_OUT_CLEAR_M,
    DISPLACED_SHARE,
    EVENT_RADIUS_M,
    FEATURE_CLEAR_M,
    FIRST_STREET_M,
    INTERVENTION_DATE,
    KINDS,
    LIGHT_SPACING_M,
    N_PERIOD_DAYS,
    NIGHT_SHARE,
    NOISE_CATEGORIES,
    NOISE_CONCERN_CLEAR_M,
    NOISE_CONCERNS,
    NOISE_INCIDENT_CLEAR_M,
    NOISE_INCIDENTS,
    NOISE_TOPICS,
    OBSTRUCTION_KINDS,
    PLACE_CONCERNS,
    PLAN,
    RING_M,
    SEED,
    SETBACK_M,
    SIDE_M,
    START,
    STREET_NAMES_EW,
    STREET_NAMES_NS,
    STREET_SPACING_M,
    TZ,
    Place,
    Scene,
)

__all__ = ["build_scene"]

log = logging.getLogger("hotspots._scene")


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
    return [intervention if kind == "intervention" else rest.pop(0) for kind in PLAN]


def _layout(
    rng: np.random.Generator,
) -> tuple[list[Place], np.ndarray, np.ndarray, list[tuple[float, float, str]]]:
    """Places, light positions (after removals), the planted OUT light positions, planted stops."""
    lights = _street_lights()
    keep = np.ones(len(lights), bool)
    out_positions: list[tuple[float, float]] = []
    planted_stops: list[tuple[float, float, str]] = []
    places: list[Place] = []
    for i, (kind, (sx, sy)) in enumerate(zip(PLAN, _slots(rng), strict=True)):
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
        texts = PLACE_CONCERNS.get(kind)
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
            night[rng.permutation(n_inc)[: round(NIGHT_SHARE[kind] * n_inc)]] = True
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
                        "category": str(rng.choice(CATEGORIES[kind])),
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
            night[rng.permutation(n_inc)[: round(NIGHT_SHARE[kind] * n_inc)]] = True
            times = _local_times(rng, days, night)
        xy = _disc(rng, n_inc, place.x, place.y, EVENT_RADIUS_M)
        cats = rng.choice(CATEGORIES[kind], size=n_inc)
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

    cats = [c for c, _ in NOISE_CATEGORIES]
    probs = np.array([p for _, p in NOISE_CATEGORIES])
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
    topic = rng.integers(0, len(NOISE_TOPICS), NOISE_CONCERNS)
    pick = rng.integers(0, 3, NOISE_CONCERNS)
    concerns = [
        {
            "x": p[0],
            "y": p[1],
            "time": ti,
            "category": NOISE_TOPICS[k][0],
            "details": NOISE_TOPICS[k][1][j],
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
        names.append(f"{STREET_NAMES_EW[ew]} / {STREET_NAMES_NS[ns]}")
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
        kind = OBSTRUCTION_KINDS[len(rows) % len(OBSTRUCTION_KINDS)]
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
