"""Does the ``hdbscan`` package earn its place beside scikit-learn's ``HDBSCAN``?

``find_hotspots(study, method="hdbscan")`` on the seeded synthetic city of
``benchmarks/bench_cluster.py`` (200 dense hot spots holding half the events, a uniform
background over 20 km x 20 km, a year), once with the ``hdbscan`` package and once with
``sklearn.cluster.HDBSCAN`` doing the leaf clustering (``hotspots._dbscan.hdbscan_labels``,
``backend=``); everything else in the stage is the same. Each run is a fresh Python process;
memory is its peak RSS. Up to 100k events the raw coordinates are clustered, above that
the snapped points with copies capped at ``min_samples`` (see ``find_hotspots``).

Reported: seconds, peak RSS, hot spots found, and the agreement of the two (adjusted Rand
index of the events' place ids, outside every place counting as one label). A size is
tried only while the previous size finished within ``--budget`` seconds for that backend.

Run: ``python benchmarks/bench_hdbscan.py`` (a few minutes; ``--sizes 100000`` for one).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from unittest import mock

import numpy as np

HERE = Path(__file__).resolve().parent
BACKENDS = ("hdbscan", "sklearn")


def _bench_cluster():
    spec = importlib.util.spec_from_file_location("bench_cluster", HERE / "bench_cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(backend: str, n: int) -> dict:
    """Run find_hotspots(method="hdbscan") with one backend (called in a child process)."""
    import hotspots.cluster
    from hotspots._dbscan import hdbscan_labels
    from hotspots.cluster import event_clusters, find_hotspots

    study = _bench_cluster().make_study(n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    labels = partial(hdbscan_labels, backend=backend)
    with mock.patch.object(hotspots.cluster, "hdbscan_labels", labels):
        t0 = time.perf_counter()
        hot = find_hotspots(study, method="hdbscan")
        seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    ids = event_clusters(study, hot).fillna("-").to_numpy(str)
    np.save(f"/tmp/bench_hdbscan_{backend}_{n}.npy", ids)
    return {
        "backend": backend,
        "n": n,
        "seconds": seconds,
        "rss_before_gb": before,
        "peak_gb": peak,
        "hot_spots": len(hot),
        "min_samples": hot.attrs["parameters"]["min_samples"],
    }


def run_child(backend: str, n: int, timeout: float) -> dict | None:
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", backend, str(n)],
            capture_output=True,
            text=True,
            check=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(sizes: list[int], budget: float) -> None:
    from sklearn.metrics import adjusted_rand_score

    print(__doc__.split("\n\n")[0])
    alive = dict.fromkeys(BACKENDS, True)
    for n in sizes:
        results = {}
        for backend in BACKENDS:
            if not alive[backend]:
                print(f"  {backend:<8} n={n:>9,}  skipped (a smaller size took > {budget:g} s)")
                continue
            r = run_child(backend, n, timeout=2 * budget)
            if r is None:
                print(f"  {backend:<8} n={n:>9,}  did not finish within {2 * budget:g} s")
                alive[backend] = False
                continue
            results[backend] = r
            alive[backend] = r["seconds"] <= budget
            print(
                f"  {backend:<8} n={n:>9,}  {r['seconds']:8.2f} s  peak RSS {r['peak_gb']:5.2f} GB"
                f"  (before the step {r['rss_before_gb']:.2f} GB)  hot_spots={r['hot_spots']}"
                f"  min_samples={r['min_samples']}",
                flush=True,
            )
        if len(results) == 2:
            a, b = (np.load(f"/tmp/bench_hdbscan_{k}_{n}.npy") for k in BACKENDS)
            ratio = results["sklearn"]["seconds"] / results["hdbscan"]["seconds"]
            print(
                f"  n={n:,}: sklearn takes {ratio:.1f}x the time of hdbscan; "
                f"agreement ARI {adjusted_rand_score(a, b):.4f}",
                flush=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per run")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
    else:
        main(args.sizes, args.budget)
