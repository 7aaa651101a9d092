"""Loading benchmark: 1,000,000 incident rows in CSV -> projected layer in a Study.

Compares hotspots' full path (detection, validation, rejection table, Study in UTM) with
the floor on the same machine in the same run: pandas read_csv + vectorised datetime parse
+ pyproj transform of raw arrays + building the GeoDataFrame. Each measurement runs in its
own subprocess so that peak memory (ru_maxrss) belongs to it alone.

Run:  python benchmarks/bench_load.py [--rows 1000000] [--repeat 3]
Target: hotspots <= 2x the floor's time, peak memory < 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_csv(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    lon = -77.05 + rng.random(rows) * 0.1
    lat = 38.85 + rng.random(rows) * 0.1
    start = pd.Timestamp("2025-01-01").value // 10**9
    secs = start + rng.integers(0, 365 * 86400, rows)
    dates = pd.to_datetime(secs, unit="s").strftime("%m/%d/%Y %I:%M:%S %p")
    cats = rng.choice(["THEFT", "ROBBERY", "BURGLARY", "ASSAULT", "VANDALISM"], rows)
    pd.DataFrame(
        {"lon": np.round(lon, 6), "lat": np.round(lat, 6), "date": dates, "category": cats}
    ).to_csv(path, index=False)


FLOOR = """
import sys, time, resource
import geopandas as gpd, pandas as pd, pyproj
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
when = pd.to_datetime(df["date"], format="%m/%d/%Y %I:%M:%S %p").dt.tz_localize(
    "America/New_York", ambiguous="NaT", nonexistent="shift_forward")
tr = pyproj.Transformer.from_crs(4326, 32618, always_xy=True)
x, y = tr.transform(df["lon"].to_numpy(), df["lat"].to_numpy())
gdf = gpd.GeoDataFrame({"occurred_at": when, "category": df["category"]},
                       geometry=gpd.points_from_xy(x, y), crs=32618)
elapsed = time.perf_counter() - t
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, len(gdf))
"""

HOTSPOTS = """
import sys, time, resource
from hotspots import build_study
t = time.perf_counter()
study = build_study(incidents=sys.argv[1], tz="America/New_York")
elapsed = time.perf_counter() - t
assert study.crs.to_epsg() == 32618, study.crs
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, len(study.incidents))
"""


def measure(code: str, path: Path) -> tuple[float, int, int]:
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        t = time.perf_counter()
        make_csv(path, args.rows)
        print(f"wrote {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t:.1f} s")  # fmt: skip
        results: dict[str, list[tuple[float, int, int]]] = {"floor": [], "hotspots": []}
        for _ in range(args.repeat):
            results["floor"].append(measure(FLOOR, path))
            results["hotspots"].append(measure(HOTSPOTS, path))
    summary = {}
    for name, runs in results.items():
        summary[name] = {
            "seconds_median": statistics.median(r[0] for r in runs),
            "peak_rss_gb": max(r[1] for r in runs) / 1e9,
            "rows": runs[0][2],
        }
        print(f"{name:>9}: {summary[name]['seconds_median']:.2f} s (median of {args.repeat}), "
              f"peak RSS {summary[name]['peak_rss_gb']:.2f} GB, {runs[0][2]:,} rows")  # fmt: skip
    ratio = summary["hotspots"]["seconds_median"] / summary["floor"]["seconds_median"]
    peak = summary["hotspots"]["peak_rss_gb"]
    print(f"    ratio: {ratio:.2f}x the floor (target <= 2x); peak {peak:.2f} GB (target < 1.5 GB)")
    print(json.dumps({"ratio": ratio, **summary}))


if __name__ == "__main__":
    main()
