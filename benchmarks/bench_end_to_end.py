"""End to end: 1,000,000 incidents + 100,000 concerns + 300,000 lights + 10,000 stops +
50,000 obstructions, from files, to the map and the report.

The files are written first (untimed, seeded): incidents and concerns as CSV with lon/lat and
local time strings, lights as GeoParquet, stops as GeoJSON, obstructions as GeoPackage, all
in lon/lat. Then, in one fresh Python process, each stage is timed: ``build_study`` from the
files, ``find_hotspots``, ``diagnose``, ``recommend``, ``make_map`` + save, ``write_report``.
For each stage: seconds, resident memory after it (RSS, /proc/self/statm) and the process's
peak RSS so far (``ru_maxrss``). Events follow ``benchmarks/bench_cluster.py`` (200 dense hot
spots holding half of them over 20 km x 20 km, a year); context layers ``bench_map.py``.

Targets: <= 30 s in all and <= 3 GB peak on a 2-core machine.

Run: ``python benchmarks/bench_end_to_end.py [--keep DIR]`` (about 2 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

N_INCIDENTS = 1_000_000
N_CONCERNS = 100_000
TZ = "America/New_York"
FILES = {"incidents": "incidents.csv", "concerns": "concerns.csv",
         "lights": "lights.parquet", "stops": "stops.geojson",
         "obstructions": "obstructions.gpkg"}  # fmt: skip
TARGET_S = 30.0
TARGET_GB = 3.0


def write_inputs(folder: Path, seed: int = 0) -> dict[str, Path]:
    """Write the five layer files into `folder`; return their paths by layer kind."""
    import geopandas as gpd
    import pandas as pd
    import pyproj
    import shapely
    from bench_cluster import make_points
    from bench_map import ORIGIN, make_context, obstruction_polygons

    to_wgs = pyproj.Transformer.from_crs(32618, 4326, always_xy=True)
    xy, seconds = make_points(N_INCIDENTS + N_CONCERNS, seed)
    xy = xy + ORIGIN
    lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1])
    local = (
        pd.to_datetime(pd.Timestamp("2024-01-01", tz="UTC").value + seconds * 10**9, utc=True)
        .tz_convert(TZ)
        .tz_localize(None)
    )
    rng = np.random.default_rng(seed + 1)
    paths = {k: folder / f for k, f in FILES.items()}
    inc = slice(0, N_INCIDENTS)
    pd.DataFrame({
        "id": np.arange(N_INCIDENTS),
        "offense": np.array(["THEFT", "ROBBERY", "ASSAULT", "VANDALISM"])[
            rng.integers(0, 4, N_INCIDENTS)],
        "report_dat": local[inc].strftime("%Y/%m/%d %H:%M:%S"),
        "longitude": np.round(lon[inc], 6),
        "latitude": np.round(lat[inc], 6),
    }).to_csv(paths["incidents"], index=False)  # fmt: skip
    con = slice(N_INCIDENTS, None)
    pd.DataFrame({
        "request_id": [f"SR-{i}" for i in range(N_CONCERNS)],
        "requested": local[con].strftime("%m/%d/%Y %I:%M %p"),
        "category": np.array(["Street light out", "Overgrown hedge", "Litter", "Noise"])[
            rng.integers(0, 4, N_CONCERNS)],
        "details": np.array(["light out on the corner", "hedge blocks the view",
                             "rubbish dumped again", "people hanging around late"])[
            rng.integers(0, 4, N_CONCERNS)],
        "lon": np.round(lon[con], 6),
        "lat": np.round(lat[con], 6),
    }).to_csv(paths["concerns"], index=False)  # fmt: skip
    ctx = make_context(seed=seed)
    crs = 32618
    gpd.GeoDataFrame(
        {"id": [f"L{i}" for i in range(len(ctx["lights"]))], "status": ctx["status"]},
        geometry=shapely.points(ctx["lights"]), crs=crs,
    ).to_crs(4326).to_parquet(paths["lights"])  # fmt: skip
    gpd.GeoDataFrame(
        {"stop_id": [f"S{i}" for i in range(len(ctx["stops"]))],
         "stop_name": [f"Stop {i}" for i in range(len(ctx["stops"]))]},
        geometry=shapely.points(ctx["stops"]), crs=crs,
    ).to_crs(4326).to_file(paths["stops"], driver="GeoJSON")  # fmt: skip
    gpd.GeoDataFrame(
        {"id": [f"O{i}" for i in range(len(ctx["obstruction_kind"]))],
         "kind": ctx["obstruction_kind"]},
        geometry=obstruction_polygons(ctx["obstruction_centre"], ctx["obstruction_angle"]),
        crs=crs,
    ).to_crs(4326).to_file(paths["obstructions"], driver="GPKG")  # fmt: skip
    return paths


def _rss_gb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e9


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def measure(folder: Path) -> list[dict[str, Any]]:
    """Run every stage on the files in `folder` (called in a fresh process)."""
    import warnings

    from hotspots import build_study, diagnose, find_hotspots, make_map, recommend, write_report

    paths = {k: folder / f for k, f in FILES.items()}
    rows: list[dict[str, Any]] = [
        {"stage": "imports", "seconds": 0.0, "rss_gb": _rss_gb(), "peak_gb": _peak_gb()}
    ]
    state: dict[str, Any] = {}
    out = folder / "out"

    def stage(name: str, fn: Any) -> None:
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            state[name] = fn()
        row = {"stage": name, "seconds": time.perf_counter() - t, "rss_gb": _rss_gb(),
               "peak_gb": _peak_gb()}  # fmt: skip
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)

    stage("build_study", lambda: build_study(
        incidents=paths["incidents"], concerns=paths["concerns"], lights=paths["lights"],
        stops=paths["stops"], obstructions=paths["obstructions"], tz=TZ, name="end to end",
        read_options={"incidents": {"lon": "longitude", "lat": "latitude"},
                      "concerns": {"columns": {"time": "requested"}}},
    ))  # fmt: skip
    study = state["build_study"]
    stage("find_hotspots", lambda: find_hotspots(study))
    stage("diagnose", lambda: diagnose(study, state["find_hotspots"]))
    stage("recommend", lambda: recommend(state["diagnose"]))
    stage("make_map+save", lambda: make_map(study, state["diagnose"], state["recommend"]).save(
        out / "map.html"))  # fmt: skip
    stage("write_report", lambda: write_report(study, state["diagnose"], state["recommend"], out))
    rows[-1]["sizes_mb"] = {p.name: round(p.stat().st_size / 1e6, 2) for p in out.iterdir()}
    rows[-1]["layers"] = {k: (r.n_read, r.n_loaded) for k, r in study.layers.items()}
    rows[-1]["hot_spots"] = len(state["diagnose"])
    return rows


def run(keep: str | Path | None = None) -> dict[str, Any]:
    """Write the files, measure every stage in a fresh process, print and return the figures."""
    tmp = None
    if keep is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench_e2e_")
        keep = tmp.name
    folder = Path(keep)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        paths = write_inputs(folder)
        print(f"inputs written in {time.perf_counter() - t:.1f} s (untimed): " + ", ".join(
            f"{p.name} {p.stat().st_size / 1e6:.0f} MB" for p in paths.values()))  # fmt: skip
        proc = subprocess.run([sys.executable, __file__, "--child", str(folder)],
                              capture_output=True, text=True)  # fmt: skip
        if proc.returncode:
            print(proc.stderr[-4000:])
            raise SystemExit(proc.returncode)
        rows = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if tmp is not None:
            tmp.cleanup()
    print(f"\n{'stage':<15}{'seconds':>9}{'RSS after':>12}{'peak so far':>13}")
    for r in rows:
        print(f"{r['stage']:<15}{r['seconds']:>9.2f}{r['rss_gb']:>10.2f} GB"
              f"{r['peak_gb']:>10.2f} GB")  # fmt: skip
    total = sum(r["seconds"] for r in rows)
    peak = max(r["peak_gb"] for r in rows)
    last = rows[-1]
    print(f"{'total':<15}{total:>9.2f}{'':>12}{peak:>10.2f} GB")
    print(f"\nlayers (read, loaded): {last['layers']}; {last['hot_spots']} hot spots")
    print(f"outputs (MB): {last['sizes_mb']}")
    ok = total <= TARGET_S and peak <= TARGET_GB
    print(f"targets <= {TARGET_S:g} s and <= {TARGET_GB:g} GB peak: "
          f"{'met' if ok else 'MISSED'} ({total:.1f} s, {peak:.2f} GB)")  # fmt: skip
    return {"stages": rows, "total_s": total, "peak_gb": peak, "targets_met": ok}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="write the inputs and outputs here and keep them")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child))))
    else:
        run(args.keep)
