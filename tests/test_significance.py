"""Honest significance: random maps searched the same way, and the best place of its size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree
from test_cluster import DAY0, X0, Y0, group, make_study

from hotspots._significance import Region, background_region, bound_p
from hotspots.cluster import find_hotspots

SIDE = 2000.0
BOX = shapely.box(X0, Y0, X0 + SIDE, Y0 + SIDE)


def uniform(seed: int, n: int = 600, days: int = 120) -> list:
    """Complete spatial randomness: n events uniform over the box and over the days."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, SIDE, (n, 2))
    day = rng.integers(0, days, n)
    minute = rng.integers(0, 1440, n)
    return [
        (float(x), float(y), DAY0 + pd.Timedelta(days=int(d), minutes=int(m)), "x")
        for (x, y), d, m in zip(xy, day, minute, strict=True)
    ]


def test_under_spatial_randomness_almost_no_run_reports_a_significant_place():
    # min_samples 4 makes DBSCAN find clusters in every random scene: the old Poisson test
    # on the area the search chose called them significant; against random maps they are not
    runs, with_places, with_significant, circular = 24, 0, 0, 0
    for seed in range(runs):
        study = make_study(incidents=uniform(seed), boundary=BOX)
        hot = find_hotspots(study, min_samples=4, significance="approx", seed=seed)
        with_places += len(hot) > 0
        with_significant += bool(hot["significant"].any())
        circular += bool((hot["p_local"] < 0.05).any())
    assert with_places == runs  # the search always finds something...
    assert circular >= runs // 2  # ...that the area it chose would call significant
    assert with_significant <= 0.05 * runs  # family-wise: at most 5 % of runs


def test_simulated_null_under_spatial_randomness():
    # the full Monte Carlo (99 random maps searched the same way), fewer seeds: slower
    runs, with_significant = 6, 0
    for seed in range(runs):
        study = make_study(incidents=uniform(100 + seed), boundary=BOX)
        hot = find_hotspots(study, min_samples=4, significance="simulate", seed=seed)
        assert hot.attrs["parameters"]["n_simulations"] == 99
        with_significant += bool(hot["significant"].any())
    assert with_significant == 0
    # with the default min_samples, random scenes rarely give a place at all
    found = [
        len(find_hotspots(make_study(incidents=uniform(200 + s), boundary=BOX), seed=s))
        for s in range(20)
    ]
    assert sum(f > 0 for f in found) <= 1


@pytest.mark.parametrize("how", ["approx", "simulate"])
def test_one_planted_place_is_found_with_p_below_001(how):
    planted = group(700, 1300, range(0, 100, 5), spread=6, seed=3)  # 20 events, 20 days
    study = make_study(incidents=uniform(7) + planted, boundary=BOX)
    hot = find_hotspots(study, significance=how, n_simulations=199, seed=1)
    d = np.hypot(hot["centroid_x"] - (X0 + 700), hot["centroid_y"] - (Y0 + 1300))
    assert d.min() < 10
    row = hot.loc[d.idxmin()]
    assert row["p_value"] < 0.01 and row["significant"]
    assert hot.attrs["parameters"]["significance"] == how


def test_the_bound_agrees_with_the_simulated_best_place_of_its_size():
    # the city-scale bound against a simulation of what it bounds: on random maps, the
    # most events within 2R of any one event (R = 20 m, 600 events in 4 km2)
    rng = np.random.default_rng(0)
    n_events, r, sims = 600, 20.0, 300
    best = np.empty(sims)
    for s in range(sims):
        xy = rng.uniform(0, SIDE, (n_events, 2))
        best[s] = cKDTree(xy).query_ball_point(xy, 2 * r, return_length=True).max()
    for n in (6, 7, 8):
        simulated = (best >= n).mean()
        bound = bound_p(np.array([n]), np.array([r]), n_events, SIDE**2, 1.0)[0]
        se = np.sqrt(max(simulated, 1 / sims) * (1 - simulated) / sims)
        assert bound >= simulated - 2 * se  # conservative
        assert bound <= 2.5 * simulated + 3 * se  # and close where it matters (the tail)


def test_simulate_and_approx_agree_on_the_decisions():
    planted = group(1500, 500, range(0, 90, 6), spread=5, seed=4)  # 15 events
    study = make_study(incidents=uniform(11) + planted, boundary=BOX)
    sim = find_hotspots(study, significance="simulate", seed=3)
    approx = find_hotspots(study, significance="approx")
    assert sim.index.tolist() == approx.index.tolist()
    assert sim["significant"].tolist() == approx["significant"].tolist()
    assert (sim["p_value"] >= approx["p_value"]).all()  # the simulation can only add


def test_seeded_and_recorded():
    study = make_study(incidents=uniform(5) + group(900, 900, range(0, 60, 4)), boundary=BOX)
    a = find_hotspots(study, significance="simulate", seed=7, n_simulations=19)
    b = find_hotspots(study, significance="simulate", seed=7, n_simulations=19)
    np.testing.assert_array_equal(a["p_value"], b["p_value"])
    params = a.attrs["parameters"]
    assert params["seed"] == 7 and params["n_simulations"] == 19
    assert params["background_area_source"] == "study boundary"
    assert params["background_area_m2"] == pytest.approx(SIDE**2)


def test_one_stray_point_does_not_stretch_the_background():
    rows = uniform(3) + group(900, 900, range(0, 60, 4))
    plain = find_hotspots(make_study(incidents=rows), significance="approx")
    stray = rows + [(400_000.0, 0.0, DAY0, "x")]  # a geocoding failure 400 km away
    with_stray = find_hotspots(make_study(incidents=stray), significance="approx")
    assert with_stray["significant"].tolist() == plain["significant"].tolist()
    plain, with_stray = plain.attrs["parameters"], with_stray.attrs["parameters"]
    assert plain["background_area_source"].startswith("occupied")
    # one more 500 m cell, not a hull across 400 km
    assert with_stray["background_area_m2"] - plain["background_area_m2"] == pytest.approx(500.0**2)
    assert with_stray["expected_per_disc"] == pytest.approx(plain["expected_per_disc"], rel=0.1)


def test_random_events_respect_the_boundary_and_the_mask():
    mask = shapely.box(X0, Y0, X0 + 200, Y0 + SIDE)  # a strip: e.g. a street buffer
    region, source = background_region(np.zeros((1, 2)), BOX, mask, 500.0)
    assert source == "study boundary x mask"
    assert region.area == pytest.approx(200 * SIDE)
    pts = region.sample(5000, np.random.default_rng(0))
    assert len(pts) == 5000
    assert shapely.contains_xy(mask, pts[:, 0], pts[:, 1]).all()
    cells = Region(cells=np.array([[0, 0], [3, 1]]), cell_m=10.0)
    pts = cells.sample(1000, np.random.default_rng(1))
    inside = ((pts // 10).astype(int)[:, None, :] == cells.cells[None]).all(axis=2).any(axis=1)
    assert inside.all() and cells.area == 200.0
    hot = find_hotspots(
        make_study(incidents=uniform(2) + group(100, 900, range(0, 60, 4)), boundary=BOX),
        mask=mask,
    )
    assert hot.attrs["parameters"]["background_area_m2"] == pytest.approx(200 * SIDE)
    assert hot.attrs["parameters"]["mask"] is True
