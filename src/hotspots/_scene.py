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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.polygon import orient

from hotspots._scene_build import build_scene
from hotspots._scene_params import (
    CENTRE_LONLAT,
    CRS_M,
    DECOY_OUT_CLEAR_M,
    EVENT_RADIUS_M,
    FEATURE_CLEAR_M,
    KINDS,
    NOISE_CONCERN_CLEAR_M,
    NOISE_CONCERNS,
    NOISE_INCIDENT_CLEAR_M,
    NOISE_INCIDENTS,
    RING_M,
    SEED,
    TZ,
    Scene,
)

__all__ = [
    "CRS_M",
    "FILES",
    "KINDS",
    "RING_M",
    "SEED",
    "TZ",
    "Scene",
    "build_scene",
    "main",
    "write_scene",
]

log = logging.getLogger(__name__)


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


def _point_table(
    scene: Scene, frame: pd.DataFrame, columns: Sequence[str], lon: str, lat: str
) -> pd.DataFrame:
    """Return the text columns, then lon/lat (6 decimals) under the names the file uses."""
    lon_deg, lat_deg = _lonlat(scene, frame["x"].to_numpy(), frame["y"].to_numpy())
    out = pd.DataFrame({c: frame[c] for c in columns})
    out[lon], out[lat] = _fmt(lon_deg, 6), _fmt(lat_deg, 6)
    return out


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def _geojson(path: Path, features: list[dict[str, Any]]) -> None:
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8", newline="\n")


def _write_incidents(scene: Scene, path: Path) -> None:
    f = scene.incidents
    out = _point_table(scene, f, ("id", "category", "occurred", "occurred_to"), "lon", "lat")
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
    columns = ("id", "reported", "category", "details")
    out = _point_table(scene, f, columns, "longitude", "latitude")
    out.loc[(f["mess"] == "missing_coordinates").to_numpy(), ["longitude", "latitude"]] = ""
    _csv(out, path)


def _write_stops(scene: Scene, path: Path) -> None:
    _csv(_point_table(scene, scene.stops, ("stop_id", "stop_name"), "X", "Y"), path)


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
