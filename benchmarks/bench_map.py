"""Map benchmark: file size, time to write and time to first render in headless Chromium.

Maps measured

- the real-city sample (``hotspots.datasets.load_study("dc")``), normal and public;
- a seeded synthetic city of 1,000,000 events (900k incidents, 100k concerns; the
  generator of ``benchmarks/bench_cluster.py``: 200 dense hot spots holding half the events
  over 20 km x 20 km, a year) with 300,000 street lights (3% out), 10,000 bus stops and
  50,000 obstructions, built in memory.

Each map goes through ``find_hotspots -> diagnose -> recommend -> make_map -> save``; the
pipeline before ``make_map`` is timed but not part of the map's figures. "Write" is
``make_map`` plus ``HotspotMap.save`` (folium render, offline inlining, file write). "Render"
is the time from navigation start in a fresh headless Chromium (``file://`` URL, every other
request aborted) until the hot-spot polygons are in the page (``path.hotspot-area``; in
public mode, where hot spots are circles, until the first vector path), median of 3 fresh
browsers. The page must load with no outside request, console error or page error.

Targets (1M events): file <= 10 MB, render <= 3 s.

Run: ``python benchmarks/bench_map.py [--events 1000000] [--out DIR]`` (about 2 minutes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

SEED = 0
N_LIGHTS = 300_000
N_STOPS = 10_000
N_OBSTRUCTIONS = 50_000
SHARE_OUT = 0.03
ORIGIN = (310_000.0, 4_290_000.0)  # UTM 18N, near Washington, DC (as bench_cluster)
TARGET_MB = 10.0
TARGET_RENDER_S = 3.0


def make_context(
    n_lights: int = N_LIGHTS,
    n_stops: int = N_STOPS,
    n_obstructions: int = N_OBSTRUCTIONS,
    seed: int = SEED,
) -> dict[str, Any]:
    """Coordinates (UTM 18N metres) and attributes of lights, stops and obstructions.

    Uniform over the benchmark's 20 km x 20 km; obstructions are 2 m x 10 m hedges and walls
    at random angles.
    """
    from bench_cluster import SIDE_M

    rng = np.random.default_rng(seed + 7)
    ox, oy = ORIGIN
    lights = rng.uniform(0, SIDE_M, size=(n_lights, 2)) + ORIGIN
    status = np.where(rng.random(n_lights) < SHARE_OUT, "out", "working")
    stops = rng.uniform(0, SIDE_M, size=(n_stops, 2)) + ORIGIN
    centre = rng.uniform(0, SIDE_M, size=(n_obstructions, 2)) + (ox, oy)
    angle = rng.uniform(0, np.pi, n_obstructions)
    kind = np.array(["hedge", "wall", "fence", "tree"])[rng.integers(0, 4, n_obstructions)]
    return {
        "lights": lights,
        "status": status,
        "stops": stops,
        "obstruction_centre": centre,
        "obstruction_angle": angle,
        "obstruction_kind": kind,
    }


def obstruction_polygons(centre: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """2 m x 10 m rectangles round `centre`, rotated by `angle` (radians)."""
    import shapely

    half = np.array([[-5, -1], [5, -1], [5, 1], [-5, 1], [-5, -1]], float)
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    x = centre[:, :1] + half[:, 0] * c - half[:, 1] * s
    y = centre[:, 1:] + half[:, 0] * s + half[:, 1] * c
    return shapely.polygons(np.stack([x, y], axis=2))


def make_city(n_events: int = 1_000_000, seed: int = SEED):
    """The 1M-event Study of bench_cluster with lights, stops and obstructions added."""
    import geopandas as gpd
    import shapely
    from bench_cluster import make_study

    from hotspots.study import Study

    study = make_study(n_events)
    ctx = make_context(seed=seed)
    crs = study.crs
    lights = gpd.GeoDataFrame(
        {
            "id": [f"L{i}" for i in range(len(ctx["lights"]))],
            "source_row": np.arange(1, len(ctx["lights"]) + 1),
            "status": ctx["status"],
        },
        geometry=shapely.points(ctx["lights"]),
        crs=crs,
    )
    stops = gpd.GeoDataFrame(
        {
            "id": [f"S{i}" for i in range(len(ctx["stops"]))],
            "source_row": np.arange(1, len(ctx["stops"]) + 1),
            "name": [f"Stop {i}" for i in range(len(ctx["stops"]))],
        },
        geometry=shapely.points(ctx["stops"]),
        crs=crs,
    )
    obstructions = gpd.GeoDataFrame(
        {
            "id": [f"O{i}" for i in range(len(ctx["obstruction_kind"]))],
            "source_row": np.arange(1, len(ctx["obstruction_kind"]) + 1),
            "kind": ctx["obstruction_kind"],
        },
        geometry=obstruction_polygons(ctx["obstruction_centre"], ctx["obstruction_angle"]),
        crs=crs,
    )
    fields = {
        name: getattr(study, name)
        for name in ("name", "crs", "tz", "settings", "incidents", "concerns", "boundary")
    }
    return Study(
        **fields,
        rejected=study.rejected,
        lights=_like(lights, study.lights),
        stops=_like(stops, study.stops),
        obstructions=_like(obstructions, study.obstructions),
    )


def _like(frame, empty):
    """`frame` with every column of the (empty) layer `empty`, in its order and dtypes."""
    import pandas as pd

    out = frame.copy()
    for col in empty.columns:
        if col not in out:
            out[col] = pd.Series([None] * len(out), dtype=empty[col].dtype, index=out.index)
    cols = [c for c in empty.columns if c in out] + [c for c in out if c not in empty.columns]
    return out[cols]


def render_seconds(path: Path, *, selector: str, repeat: int = 3) -> tuple[float, list[str]]:
    """Median seconds from navigation until `selector` is in the page, and any problems."""
    from browser import open_page

    times, problems = [], []
    for _ in range(repeat):
        with open_page(path, executable="/usr/bin/chromium", wait_for=selector,
                       timeout_s=60) as result:  # fmt: skip
            times.append(result.load_seconds)
            problems += result.problems
    return statistics.median(times), sorted(set(problems))


def measure_map(
    label: str, study, clusters, recs, out: Path, *, public: bool = False
) -> dict[str, Any]:
    """Make, save and open one map; return its figures."""
    from hotspots import make_map

    t0 = time.perf_counter()
    m = make_map(study, clusters, recs, public=public)
    t1 = time.perf_counter()
    m.save(out)
    t2 = time.perf_counter()
    selector = "path.leaflet-interactive" if public else "path.hotspot-area"
    render, problems = render_seconds(out, selector=selector)
    row = {
        "map": label,
        "hot_spots": len(clusters),
        "make_map_s": t1 - t0,
        "save_s": t2 - t1,
        "write_s": t2 - t0,
        "size_mb": out.stat().st_size / 1e6,
        "render_s": render,
        "problems": problems,
    }
    print(
        f"  {label:<28} {row['hot_spots']:>4} hot spots  make_map {row['make_map_s']:5.2f} s"
        f"  save {row['save_s']:5.2f} s  write {row['write_s']:5.2f} s"
        f"  {row['size_mb']:6.2f} MB  render {row['render_s']:5.2f} s"
        + (f"  PROBLEMS: {problems[:3]}" if problems else ""),
        flush=True,
    )
    return row


def pipeline(study) -> tuple[Any, Any, dict[str, float]]:
    """find_hotspots -> diagnose -> recommend, with each stage's seconds."""
    from hotspots import diagnose, find_hotspots, recommend

    times = {}
    t = time.perf_counter()
    hot = find_hotspots(study)
    times["find_hotspots"] = time.perf_counter() - t
    t = time.perf_counter()
    diagnosed = diagnose(study, hot)
    times["diagnose"] = time.perf_counter() - t
    t = time.perf_counter()
    recs = recommend(diagnosed)
    times["recommend"] = time.perf_counter() - t
    return diagnosed, recs, times


def run(n_events: int = 1_000_000, out_dir: str | Path | None = None) -> dict[str, Any]:
    """Measure the DC sample maps (normal, public) and the synthetic city map."""
    from hotspots import datasets

    tmp = None
    if out_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench_map_")
        out_dir = tmp.name
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        print("DC sample (Open Data DC, 2025 Q1 downtown)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dc = datasets.load_study("dc")
        clusters, recs, times = pipeline(dc)
        print("  pipeline before the map: " + ", ".join(f"{k} {v:.2f} s" for k, v in
                                                       times.items()))  # fmt: skip
        rows.append(measure_map("dc", dc, clusters, recs, out / "dc.html"))
        rows.append(measure_map("dc public", dc, clusters, recs, out / "dc_public.html",
                                public=True))  # fmt: skip

        print(f"\nsynthetic city: {n_events:,} events, {N_LIGHTS:,} lights ({SHARE_OUT:.0%} out), "
              f"{N_STOPS:,} stops, {N_OBSTRUCTIONS:,} obstructions (seed {SEED})")  # fmt: skip
        t = time.perf_counter()
        city = make_city(n_events)
        print(f"  built in memory in {time.perf_counter() - t:.1f} s")
        clusters, recs, times = pipeline(city)
        print("  pipeline before the map: " + ", ".join(f"{k} {v:.2f} s" for k, v in
                                                       times.items()))  # fmt: skip
        big = measure_map(f"{n_events:,} events", city, clusters, recs, out / "city.html")
        rows.append(big)
        rows.append(measure_map(f"{n_events:,} events public", city, clusters, recs,
                                out / "city_public.html", public=True))  # fmt: skip
    finally:
        if tmp is not None:
            tmp.cleanup()
    ok = big["size_mb"] <= TARGET_MB and big["render_s"] <= TARGET_RENDER_S
    print(
        f"\n{n_events:,}-event map: {big['size_mb']:.2f} MB (target <= {TARGET_MB:g} MB), "
        f"render {big['render_s']:.2f} s (target <= {TARGET_RENDER_S:g} s), write "
        f"{big['write_s']:.2f} s: {'targets met' if ok else 'TARGET MISSED'}"
    )
    return {"maps": rows, "targets_met": ok}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--out", help="keep the HTML files in this folder")
    args = parser.parse_args()
    run(args.events, args.out)
