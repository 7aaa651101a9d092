"""Speed of ``risk_factors`` at city scale.

Target (issue 14): 1,000,000 incidents and 10 feature layers, three distance bands each, in at
most 10 s.

Seeded synthetic city in UTM 18N (EPSG:32618), 20 km x 20 km with a square boundary: 60% of
the incidents round 5,000 hot-spot centres (Gaussian, sigma 25 m), the rest uniform; ten point
layers of 1,000 to 300,000 features (bars, stops, lights ...), uniform. The study is built
before timing (not timed); the timing is wall-clock seconds of one ``risk_factors`` call, and
the peak RSS of the process is printed with the machine's load average.

Run: ``python benchmarks/bench_risk.py``
"""

from __future__ import annotations

import logging
import os
import resource
import time
import warnings

import numpy as np

SIDE_M = 20_000.0
ORIGIN = (310_000.0, 4_290_000.0)
N_EVENTS = 1_000_000
FEATURE_SIZES = (1_000, 2_000, 5_000, 5_000, 10_000, 10_000, 20_000, 50_000, 100_000, 300_000)
TARGET_S = 10.0
SEED = 0


def make_study(seed: int = SEED):
    """Return (study, features) for the benchmark."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from hotspots import build_study

    rng = np.random.default_rng(seed)
    hot = int(N_EVENTS * 0.6)
    centres = rng.uniform(0, SIDE_M, (5_000, 2))
    pick = rng.integers(0, len(centres), hot)
    xy = np.r_[
        centres[pick] + rng.normal(0, 25, (hot, 2)),
        rng.uniform(0, SIDE_M, (N_EVENTS - hot, 2)),
    ]
    xy = np.clip(xy, 1, SIDE_M - 1) + ORIGIN
    when = pd.Timestamp("2024-01-01", tz="America/New_York") + pd.to_timedelta(
        rng.integers(0, 365 * 24 * 60, N_EVENTS), unit="min"
    )
    incidents = gpd.GeoDataFrame(
        {"id": np.arange(N_EVENTS).astype(str), "date": when, "offense": "ROBBERY"},
        geometry=shapely.points(xy),
        crs=32618,
    )
    box = shapely.box(ORIGIN[0], ORIGIN[1], ORIGIN[0] + SIDE_M, ORIGIN[1] + SIDE_M)
    study = build_study(
        incidents=incidents,
        boundary=gpd.GeoDataFrame(geometry=[box], crs=32618),
        crs=32618,
        tz="America/New_York",
        duplicates="keep",
    )
    features = {
        f"layer_{i}_{n}": gpd.GeoDataFrame(
            geometry=shapely.points(rng.uniform(0, SIDE_M, (n, 2)) + ORIGIN), crs=32618
        )
        for i, n in enumerate(FEATURE_SIZES)
    }
    return study, features


def main() -> None:
    """Build the city, time risk_factors, print the result."""
    from hotspots import risk_factors

    warnings.simplefilter("ignore")
    logging.basicConfig(level=logging.WARNING)
    t0 = time.perf_counter()
    study, features = make_study()
    print(f"built {len(study.incidents):,} incidents in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    table = risk_factors(study, features=features)
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(
        f"risk_factors: {len(features)} layers x 3 bands on {table.attrs['area_km2']:.0f} km2 "
        f"({table.attrs['cell_m']:.1f} m cells): {elapsed:.2f} s (target <= {TARGET_S:.0f} s), "
        f"peak RSS {peak:.2f} GB, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"significant rows: {int(table['significant'].sum())} of {len(table)} (uniform layers)")


if __name__ == "__main__":
    main()
