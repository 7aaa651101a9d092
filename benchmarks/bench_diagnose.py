"""Speed and memory of diagnose + recommend at city scale.

Target (issue): 5,000 hot spots, 1,000,000 events, 300,000 lights, 10,000 bus stops and
50,000 obstructions: ``diagnose`` + ``recommend`` in at most 10 s, with spatial indexes
(KD-tree / STRtree) and vectorised geometry only.

Seeded synthetic city in UTM 18N (EPSG:32618) around Washington, DC, 20 km x 20 km:

- 5,000 hot spots: discs of 30-70 m radius round centres at least 150 m apart, holding 60%
  of the events (Gaussian round each centre, sigma 20 m); the rest uniform. Times uniform
  over 2024. 900,000 incidents and 100,000 concerns; the concerns carry short free text
  (light out, dumping, overgrown hedge, noise, or nothing in particular).
- 300,000 lights, uniform (about one per 36 m x 36 m), 3% marked out, 2% unknown;
  10,000 bus stops; 50,000 obstructions (boxes of 1-12 m, kinds hedge / tree / wall / fence
  / building / other).
- Cluster columns as :func:`hotspots.find_hotspots` gives them and the stages read:
  ``cluster_id``, ``n_events``, ``p_adj``, ``trend``, polygon geometry.

Timings are wall-clock seconds of one run of each stage after the data are built and the
modules imported (neither is timed; both are printed); memory is the process's peak resident
set size (RSS) from ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, shown with the RSS before
the stages. The machine's load average is printed too: on a shared 2-core machine other
processes slow the stages down.

Run: ``python benchmarks/bench_diagnose.py`` (about half a minute; ``--profile`` adds a
cProfile listing of the slowest calls).
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import resource
import time
import warnings

import numpy as np

SIDE_M = 20_000.0
ORIGIN = (310_000.0, 4_290_000.0)
N_CLUSTERS = 5_000
N_EVENTS = 1_000_000
CONCERN_SHARE = 0.1
HOT_SHARE = 0.6
N_LIGHTS = 300_000
N_STOPS = 10_000
N_OBSTRUCTIONS = 50_000
TARGET_S = 10.0
SEED = 0

CONCERN_TEXTS = (
    "Street light out again, pitch black at night",
    "the lamp post outside is not working",
    "Rubbish dumped behind the shops",
    "fly-tipping, mattresses and bags",
    "Hedge overgrown, can't see the corner",
    "loud music every night",
    "people hanging around",
    "",
)
KINDS = ("hedge", "tree", "wall", "fence", "building", "other")
TRENDS = ("intensifying", "new", "persistent", "sporadic", "diminishing", "historical")


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # kB on Linux


def _spread_centres(rng: np.random.Generator, n: int, min_gap_m: float) -> np.ndarray:
    """n points in the area, at least min_gap_m apart (dart throwing with a KD-tree)."""
    from scipy.spatial import cKDTree

    cand = rng.uniform(500, SIDE_M - 500, size=(n * 3, 2))
    pairs = cKDTree(cand).query_pairs(min_gap_m, output_type="ndarray")
    drop = np.zeros(len(cand), bool)
    for i, j in pairs[np.argsort(pairs[:, 0], kind="stable")]:
        if not drop[i]:
            drop[j] = True
    keep = cand[~drop]
    if len(keep) < n:
        raise RuntimeError(f"only {len(keep)} centres {min_gap_m} m apart; lower the gap")
    return keep[:n]


def make_inputs(seed: int = SEED):
    """Return (study, clusters) for the benchmark, all in EPSG:32618."""
    import geopandas as gpd
    import pandas as pd
    import pyproj
    import shapely

    from hotspots import Settings, Study

    rng = np.random.default_rng(seed)
    tz, crs = "America/New_York", pyproj.CRS(32618)
    ox, oy = ORIGIN

    # --- hot spots and events -------------------------------------------------------
    centres = _spread_centres(rng, N_CLUSTERS, 150.0)
    radius = rng.uniform(30, 70, N_CLUSTERS)
    n_hot = int(N_EVENTS * HOT_SHARE)
    owner = rng.integers(0, N_CLUSTERS, n_hot)
    hot = centres[owner] + rng.normal(0, 20, size=(n_hot, 2))
    background = rng.uniform(0, SIDE_M, size=(N_EVENTS - n_hot, 2))
    xy = np.vstack([hot, background])[rng.permutation(N_EVENTS)] + [ox, oy]
    seconds = rng.integers(0, 366 * 86_400, N_EVENTS)
    times = pd.to_datetime(
        pd.Timestamp("2024-01-01", tz="UTC").value + seconds * 10**9, utc=True
    ).tz_convert(tz)
    n_inc = int(N_EVENTS * (1 - CONCERN_SHARE))
    categories = np.array(["theft", "robbery", "assault", "vandalism"])[
        rng.integers(0, 4, N_EVENTS)
    ]
    texts = np.array(CONCERN_TEXTS, dtype=object)[
        rng.integers(0, len(CONCERN_TEXTS), N_EVENTS - n_inc)
    ]

    def events(sl: slice, time_col: str, description) -> gpd.GeoDataFrame:
        m = len(range(*sl.indices(N_EVENTS)))
        data = {"id": np.arange(m).astype(str), "source_row": np.arange(1, m + 1)}
        data[time_col] = times[sl]
        if time_col == "occurred_at":
            data["occurred_to"] = pd.Series(pd.NaT, index=range(m), dtype=times.dtype)
        data["category"] = categories[sl]
        data["description"] = description
        return gpd.GeoDataFrame(data, geometry=shapely.points(xy[sl]), crs=crs)

    # --- lights, stops, obstructions -----------------------------------------------------
    light_xy = rng.uniform(0, SIDE_M, size=(N_LIGHTS, 2)) + [ox, oy]
    status = np.array(["working", "out", "unknown"])[rng.choice(3, N_LIGHTS, p=[0.95, 0.03, 0.02])]
    height = np.where(rng.random(N_LIGHTS) < 0.5, rng.uniform(6, 12, N_LIGHTS), np.nan)
    lights = gpd.GeoDataFrame(
        {
            "id": [f"L-{i}" for i in range(N_LIGHTS)],
            "source_row": np.arange(1, N_LIGHTS + 1),
            "status": status,
            "wattage": np.nan,
            "pole_height_m": height,
        },
        geometry=shapely.points(light_xy),
        crs=crs,
    )
    stop_xy = rng.uniform(0, SIDE_M, size=(N_STOPS, 2)) + [ox, oy]
    stops = gpd.GeoDataFrame(
        {
            "id": [f"S{i:05d}" for i in range(N_STOPS)],
            "source_row": np.arange(1, N_STOPS + 1),
            "name": [f"Stop {i}" for i in range(N_STOPS)],
            "routes": "",
        },
        geometry=shapely.points(stop_xy),
        crs=crs,
    )
    obs_xy = rng.uniform(0, SIDE_M, size=(N_OBSTRUCTIONS, 2)) + [ox, oy]
    size = rng.uniform(1, 12, size=(N_OBSTRUCTIONS, 2))
    obstructions = gpd.GeoDataFrame(
        {
            "id": [f"OBS-{i}" for i in range(N_OBSTRUCTIONS)],
            "source_row": np.arange(1, N_OBSTRUCTIONS + 1),
            "kind": np.array(KINDS)[rng.integers(0, len(KINDS), N_OBSTRUCTIONS)],
        },
        geometry=shapely.box(obs_xy[:, 0], obs_xy[:, 1], *(obs_xy + size).T),
        crs=crs,
    )

    study = Study(
        name="bench_diagnose",
        crs=crs,
        tz=tz,
        settings=Settings(),
        incidents=events(slice(0, n_inc), "occurred_at", ""),
        concerns=events(slice(n_inc, N_EVENTS), "reported_at", texts),
        lights=lights,
        stops=stops,
        obstructions=obstructions,
        boundary=None,
        rejected=pd.DataFrame(),
    )

    # --- clusters as find_hotspots gives them ------------------------------------------------
    polys = shapely.buffer(shapely.points(centres + [ox, oy]), radius, quad_segs=8)
    counts = np.bincount(owner, minlength=N_CLUSTERS)
    clusters = gpd.GeoDataFrame(
        {
            "cluster_id": [f"H{i:05d}" for i in range(N_CLUSTERS)],
            "n_events": counts,
            "p_adj": 10.0 ** -rng.uniform(1, 30, N_CLUSTERS),
            "trend": np.array(TRENDS)[rng.integers(0, len(TRENDS), N_CLUSTERS)],
        },
        geometry=polys,
        crs=crs,
    )
    return study, clusters


def run(*, profile: bool = False, seed: int = SEED) -> dict:
    """Build the inputs, time diagnose and recommend, and return the figures.

    Parameters
    ----------
    profile : bool
        Also run both stages under cProfile (after the timed run) and print the 25 calls
        with the most cumulative time.
    seed : int
        Seed of the synthetic city.

    Returns
    -------
    dict
        Seconds per stage and in total, peak RSS (GB), row counts and the target.
    """
    import importlib

    t0 = time.perf_counter()
    from hotspots import diagnose, recommend

    # the stages import these lazily (scipy.stats alone takes about a second): a one-off
    # cost per process, measured here and kept out of the stages' figures
    for module in ("hotspots.temporal", "hotspots.topics"):
        importlib.import_module(module)
    imports_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    study, clusters = make_inputs(seed)
    build_s = time.perf_counter() - t0
    rss_before = _rss_gb()

    t0 = time.perf_counter()
    diagnosed = diagnose(study, clusters)
    diagnose_s = time.perf_counter() - t0
    rss_diagnose = _rss_gb()

    t0 = time.perf_counter()
    recs = recommend(diagnosed, settings=study.settings)
    recommend_s = time.perf_counter() - t0
    rss_recommend = _rss_gb()

    if profile:
        prof = cProfile.Profile()
        prof.enable()
        recommend(diagnose(study, clusters), settings=study.settings)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)

    return {
        "clusters": len(clusters),
        "events": len(study.incidents) + len(study.concerns),
        "lights": len(study.lights),
        "stops": len(study.stops),
        "obstructions": len(study.obstructions),
        "imports_s": round(imports_s, 2),
        "build_s": round(build_s, 2),
        "diagnose_s": round(diagnose_s, 2),
        "recommend_s": round(recommend_s, 2),
        "total_s": round(diagnose_s + recommend_s, 2),
        "target_s": TARGET_S,
        "rss_before_gb": round(rss_before, 2),
        "peak_rss_diagnose_gb": round(rss_diagnose, 2),
        "peak_rss_gb": round(rss_recommend, 2),
        "recommendations": len(recs),
        "fixes": recs["fix"].value_counts().sort_index().to_dict(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true", help="print a cProfile listing")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--verbose", action="store_true", help="show the stages' log lines")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    warnings.simplefilter("ignore")

    print(__doc__.split("\n\n")[0])
    r = run(profile=args.profile, seed=args.seed)
    print(
        f"{r['clusters']:,} hot spots, {r['events']:,} events, {r['lights']:,} lights, "
        f"{r['stops']:,} stops, {r['obstructions']:,} obstructions (seed {args.seed}; "
        f"built in {r['build_s']:.1f} s and imports {r['imports_s']:.1f} s, not timed; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(f"  diagnose   {r['diagnose_s']:6.2f} s   peak RSS {r['peak_rss_diagnose_gb']:.2f} GB")
    print(f"  recommend  {r['recommend_s']:6.2f} s   peak RSS {r['peak_rss_gb']:.2f} GB")
    verdict = "meets" if r["total_s"] <= r["target_s"] else "MISSES"
    print(
        f"  total      {r['total_s']:6.2f} s   {verdict} the target of {r['target_s']:.0f} s "
        f"(RSS before the stages {r['rss_before_gb']:.2f} GB)"
    )
    print(f"  {r['recommendations']:,} recommendations: {r['fixes']}")


if __name__ == "__main__":
    main()
