"""Speed and memory of hotspots' recurring-location clustering against the plain approach.

Seeded synthetic city: 200 dense hot spots (Gaussian, sigma 15 m) holding half the events and
a uniform background over 20 km x 20 km, times uniform over a year. Each measurement runs in
its own Python process; memory is that process's peak resident set size (RSS) from
``resource.getrusage(RUSAGE_SELF).ru_maxrss``, reported with the RSS just before the measured
step (data and imports) so the step's own share is visible. tracemalloc is not used: it misses
memory that numpy/scikit-learn/GEOS allocate outside Python's allocator.

Measurements

- ``find_hotspots``, 1M events: the whole stage on a Study (900k incidents, 100k concerns),
  including ``combine_events``, splitting, polygons, membership, bursts, tests (the size
  bound, no Monte Carlo) and time profiles;
- ``find_hotspots_mc``, 100k events: the same with 99 Monte Carlo simulations (random maps,
  each searched the same way);
- ``combine_events``, 1M: the part of that spent assembling the event layer;
- core, 1M and 300k: snapping + weighted, pruned DBSCAN on the coordinate arrays;
- plain, 300k: scikit-learn DBSCAN on the raw points (the plain approach; 1M takes about a
  minute and 10 GB, see NOTES.md), with the same eps and min_samples, and the agreement (ARI)
  of the two labelings;
- Gi* on a grid: ``benchmarks/bench_gistar.py``'s ``run()``, when that file exists.

Run: ``python benchmarks/bench_cluster.py`` (about a minute).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SIDE_M = 20_000.0
N_SPOTS = 200
HOT_SHARE = 0.5
EPS_M = 50.0
SNAP_M = 10.0
SEED = 0


def make_points(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (m) and times (s since 2024-01-01 UTC) of n events, rows in random order."""
    rng = np.random.default_rng(seed)
    n_hot = int(n * HOT_SHARE)
    centres = rng.uniform(500, SIDE_M - 500, size=(N_SPOTS, 2))
    hot = centres[rng.integers(0, N_SPOTS, n_hot)] + rng.normal(0, 15, size=(n_hot, 2))
    background = rng.uniform(0, SIDE_M, size=(n - n_hot, 2))
    xy = np.vstack([hot, background])[rng.permutation(n)]
    seconds = rng.integers(0, 365 * 86_400, n)
    return xy, seconds


def min_samples_for(n: int) -> int:
    """The min_samples find_hotspots chooses for n events over the benchmark's area."""
    from hotspots._stats import poisson_upper_quantile
    from hotspots.cluster import BACKGROUND_CORE_POINTS, MAX_BACKGROUND_TAIL

    mu = n * math.pi * EPS_M**2 / SIDE_M**2
    tail = min(MAX_BACKGROUND_TAIL, BACKGROUND_CORE_POINTS / n)
    # find_hotspots' default rule, with min_days = 3
    return max(poisson_upper_quantile(tail, mu) + 2, 3)


def make_study(n: int):
    """A Study of n events (90% incidents, 10% concerns) in UTM 18N around Washington, DC."""
    import geopandas as gpd
    import pandas as pd
    import pyproj
    import shapely

    from hotspots import Settings, Study
    from hotspots.io import empty_layer

    tz, crs = "America/New_York", pyproj.CRS(32618)
    xy, seconds = make_points(n)
    xy = xy + [310_000.0, 4_290_000.0]
    times = pd.to_datetime(
        pd.Timestamp("2024-01-01", tz="UTC").value + seconds * 10**9, utc=True
    ).tz_convert(tz)
    n_inc = int(n * 0.9)
    rng = np.random.default_rng(SEED + 1)
    categories = np.array(["theft", "robbery", "assault", "vandalism"])[rng.integers(0, 4, n)]

    def layer(sl: slice, time_col: str) -> gpd.GeoDataFrame:
        m = len(range(*sl.indices(n)))
        data = {
            "id": np.arange(m).astype(str),
            "source_row": np.arange(1, m + 1),
            time_col: times[sl],
        }
        if time_col == "occurred_at":
            data["occurred_to"] = pd.Series(pd.NaT, index=range(m), dtype=times.dtype)
        data["category"] = categories[sl]
        data["description"] = ""
        return gpd.GeoDataFrame(data, geometry=shapely.points(xy[sl]), crs=crs)

    empty = {k: empty_layer(k, crs=crs, tz=tz) for k in ("lights", "stops", "obstructions")}
    return Study(
        name="bench",
        crs=crs,
        tz=tz,
        settings=Settings(),
        incidents=layer(slice(0, n_inc), "occurred_at"),
        concerns=layer(slice(n_inc, n), "reported_at"),
        boundary=None,
        rejected=pd.DataFrame(),
        **empty,
    )


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # kB on Linux


def measure(what: str, n: int) -> dict:
    """Run one measurement in this process (called in a child process)."""
    extra: dict = {}
    if what in ("find_hotspots", "find_hotspots_mc", "combine_events"):
        from hotspots import combine_events
        from hotspots.cluster import find_hotspots

        study = make_study(n)
        if what == "find_hotspots":  # no Monte Carlo: the size bound only
            step = lambda: find_hotspots(study, significance="approx")  # noqa: E731
        elif what == "find_hotspots_mc":  # 99 random maps, each searched the same way
            step = lambda: find_hotspots(  # noqa: E731
                study, significance="simulate", n_simulations=99, seed=0
            )
        else:
            step = lambda: combine_events(study)  # noqa: E731
    else:
        from sklearn.cluster import DBSCAN

        from hotspots._dbscan import dbscan_snapped

        xy, _ = make_points(n)
        m = min_samples_for(n)
        extra["min_samples"] = m
        if what == "core":
            step = lambda: dbscan_snapped(xy, EPS_M, m, SNAP_M)[0]  # noqa: E731
        else:
            step = lambda: DBSCAN(eps=EPS_M, min_samples=m).fit(xy).labels_  # noqa: E731
    before = _rss_gb()
    t0 = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - t0
    peak = _rss_gb()
    if what.startswith("find_hotspots"):
        extra["hot_spots"] = len(result)
        extra["significant"] = int(result["significant"].sum())
        extra["bursts"] = len(result.attrs["bursts"])
        extra["split"] = result.attrs["parameters"]["n_clusters_split"]
    elif what in ("core", "plain"):
        extra["clusters"] = int(result.max()) + 1
        np.save(f"/tmp/bench_cluster_{what}_{n}.npy", result)
    return {
        "what": what,
        "n": n,
        "seconds": seconds,
        "rss_before_gb": before,
        "peak_gb": peak,
        **extra,
    }


def run_child(what: str, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", what, str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def gistar_figures() -> dict | None:
    path = HERE / "bench_gistar.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("bench_gistar", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run()


def _line(r: dict) -> str:
    return (
        f"  {r['what']:<14} n={r['n']:>9,}  {r['seconds']:7.2f} s   peak RSS {r['peak_gb']:5.2f} GB"
        f"  (RSS before the step {r['rss_before_gb']:.2f} GB)"
        + "".join(
            f"  {k}={v}"
            for k, v in r.items()
            if k in ("hot_spots", "significant", "bursts", "split", "clusters", "min_samples")
        )
    )


def main() -> None:
    from sklearn.metrics import adjusted_rand_score

    print(__doc__.split("\n\n")[0])
    print(
        f"area {SIDE_M / 1000:.0f} x {SIDE_M / 1000:.0f} km, {N_SPOTS} hot spots holding "
        f"{HOT_SHARE:.0%} of events, eps {EPS_M:g} m, snap {SNAP_M:g} m, seed {SEED}"
    )
    print("memory: peak RSS of a fresh process per measurement (resource.getrusage)\n")
    results = {}
    for what, n in (
        ("find_hotspots", 1_000_000),
        ("find_hotspots_mc", 100_000),
        ("combine_events", 1_000_000),
        ("core", 1_000_000),
        ("core", 300_000),
        ("plain", 300_000),
    ):
        r = run_child(what, n)
        results[(what, n)] = r
        print(_line(r), flush=True)

    full, ce = results[("find_hotspots", 1_000_000)], results[("combine_events", 1_000_000)]
    core, plain = results[("core", 300_000)], results[("plain", 300_000)]
    ari = adjusted_rand_score(
        np.load("/tmp/bench_cluster_plain_300000.npy"),
        np.load("/tmp/bench_cluster_core_300000.npy"),
    )
    print("\nsummary")
    print(
        f"  find_hotspots at 1M: {full['seconds']:.2f} s, of which combine_events "
        f"{ce['seconds']:.2f} s -> the stage's own work {full['seconds'] - ce['seconds']:.2f} s;"
        f" peak RSS {full['peak_gb']:.2f} GB (targets: <= 5 s, <= 1 GB)"
    )
    mc = results[("find_hotspots_mc", 100_000)]
    print(
        f"  find_hotspots at 100k with 99 Monte Carlo simulations: {mc['seconds']:.2f} s, "
        f"peak RSS {mc['peak_gb']:.2f} GB (target: <= 60 s)"
    )
    print(
        f"  core clustering at 1M: {results[('core', 1_000_000)]['seconds']:.2f} s, "
        f"peak RSS {results[('core', 1_000_000)]['peak_gb']:.2f} GB"
    )
    step_mem = lambda r: r["peak_gb"] - r["rss_before_gb"]  # noqa: E731
    print(
        f"  at 300k, plain sklearn DBSCAN vs snapped+weighted+pruned: "
        f"{plain['seconds'] / core['seconds']:.0f}x the time, "
        f"{step_mem(plain) / max(step_mem(core), 1e-3):.0f}x the memory of the step "
        f"({step_mem(plain):.2f} GB vs {step_mem(core):.3f} GB); agreement ARI {ari:.3f}"
    )

    gi = gistar_figures()
    print("\nGi* on a grid (benchmarks/bench_gistar.py run())")
    if gi is None:
        print("  bench_gistar.py not found")
    else:
        for key, value in gi.items():
            print(f"  {key}: {value}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
    else:
        main()
