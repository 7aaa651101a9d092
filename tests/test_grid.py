"""Tests for hotspots.grid: grid counts and Gi* against esda."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from scipy.spatial import cKDTree

from hotspots import LayerError, Settings, Study, ValidationError
from hotspots.grid import (
    CLASSES,
    GISTAR_COLUMNS,
    GRID_COLUMNS,
    gistar_z,
    grid_counts,
    grid_gistar,
)
from hotspots.io import empty_layer

TZ = "America/New_York"
CRS = pyproj.CRS(32618)
X0, Y0 = 320_000.0, 4_300_000.0  # somewhere in UTM 18N, metres
DAY0 = pd.Timestamp("2024-01-01 20:00", tz=TZ)


# --- building tiny studies -------------------------------------------------------------------


def _layer(kind: str, xy: np.ndarray) -> gpd.GeoDataFrame:
    if len(xy) == 0:
        return empty_layer(kind, crs=CRS, tz=TZ)
    n = len(xy)
    prefix = "i" if kind == "incidents" else "c"
    times = pd.DatetimeIndex([DAY0 + pd.Timedelta(days=int(d)) for d in np.arange(n) % 60])
    data = {
        "id": [f"{prefix}{i}" for i in range(n)],
        "source_row": np.arange(1, n + 1),
        ("occurred_at" if kind == "incidents" else "reported_at"): times,
    }
    if kind == "incidents":
        data["occurred_to"] = pd.Series(pd.NaT, index=range(n), dtype=f"datetime64[us, {TZ}]")
    data["category"] = "theft"
    data["description"] = ""
    geometry = shapely.points(xy[:, 0] + X0, xy[:, 1] + Y0)
    return gpd.GeoDataFrame(data, geometry=geometry, crs=CRS)


def make_study(incidents=(), concerns=(), *, boundary=None, settings=None) -> Study:
    """A Study from arrays of (x, y) in metres from (X0, Y0); boundary in the same frame."""
    empty = {k: empty_layer(k, crs=CRS, tz=TZ) for k in ("lights", "stops", "obstructions")}
    if boundary is not None:
        boundary = shapely.transform(boundary, lambda c: c + [X0, Y0])
    return Study(
        name="test",
        crs=CRS,
        tz=TZ,
        settings=settings or Settings(),
        incidents=_layer("incidents", np.asarray(incidents, float).reshape(-1, 2)),
        concerns=_layer("concerns", np.asarray(concerns, float).reshape(-1, 2)),
        boundary=boundary,
        rejected=pd.DataFrame(),
        **empty,
    )


# an L-shaped study area, 1000 m x 1000 m with the north-east 500 m x 500 m missing
L_SHAPE = shapely.Polygon([(0, 0), (1000, 0), (1000, 500), (500, 500), (500, 1000), (0, 1000)])
HOT = (265.0, 235.0)


def _inside(xy: np.ndarray, area) -> np.ndarray:
    return xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]


@pytest.fixture(scope="module")
def l_study() -> Study:
    """Background in the L, a planted hot spot at HOT; incidents and concerns both."""
    rng = np.random.default_rng(7)
    background = _inside(rng.uniform(0, 1000, size=(3000, 2)), L_SHAPE)
    hot = rng.normal(HOT, 20, size=(300, 2))
    xy = np.vstack([background, hot])
    is_concern = rng.random(len(xy)) < 0.3
    return make_study(xy[~is_concern], xy[is_concern], boundary=L_SHAPE)


# --- esda reference --------------------------------------------------------------------------


def _libpysal_w(counts: gpd.GeoDataFrame, kind: str, radius_cells: float = 1.0) -> Any:
    """A libpysal W over the kept cells, built independently of hotspots.grid."""
    rows = counts["row"].to_numpy()
    cols = counts["col"].to_numpy()
    if counts.attrs["grid"]["shape"] == "hex":
        centres = np.column_stack([cols + 0.5 * (rows % 2), rows * np.sqrt(3) / 2])
    else:
        centres = np.column_stack([cols, rows]).astype(float)
    tree = cKDTree(centres)
    if kind == "queen":
        pairs = tree.query_pairs(1.0 + 1e-9, p=np.inf)
    elif kind == "rook":
        pairs = tree.query_pairs(1.0 + 1e-9, p=1)
    else:
        pairs = tree.query_pairs(radius_cells * (1 + 1e-9))
    neighbors: dict[int, list[int]] = {i: [] for i in range(len(counts))}
    for i, j in pairs:
        neighbors[i].append(j)
        neighbors[j].append(i)
    return libpysal.weights.W(neighbors, silence_warnings=True)


def _esda_z(counts: gpd.GeoDataFrame, kind: str, radius_cells: float = 1.0) -> np.ndarray:
    """esda G_Local(star=True, transform="B") z on a libpysal W built independently."""
    w = _libpysal_w(counts, kind, radius_cells)
    y = counts["n_events"].to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(y, w, star=True, transform="B", permutations=0)
    return np.asarray(g.Zs)


@pytest.mark.parametrize(
    ("shape", "neighbours", "distance_m"),
    [
        ("square", "queen", None),
        ("square", "rook", None),
        ("square", "distance", 125.0),
        ("hex", "queen", None),
        ("hex", "distance", 110.0),
    ],
)
def test_z_equals_esda_star_binary(l_study, shape, neighbours, distance_m):
    cell = 50.0
    counts = grid_counts(l_study, cell_m=cell, shape=shape)
    out = grid_gistar(counts, neighbours=neighbours, distance_m=distance_m)
    kind = "distance" if neighbours == "distance" else neighbours
    expected = _esda_z(counts, kind, (distance_m or cell) / cell)
    np.testing.assert_allclose(out["gi_z"].to_numpy(), expected, rtol=0, atol=1e-9)
    # the neighbour counts are those of the independently built weights
    if shape == "square" and neighbours == "queen":
        assert out["n_neighbours"].max() == 8
    if shape == "hex" and neighbours == "queen":
        assert out["n_neighbours"].max() == 6


def test_esda_row_standardised_default_is_not_gistar(l_study):
    counts = grid_counts(l_study, cell_m=50.0)
    ours = grid_gistar(counts)["gi_z"].to_numpy()
    w = _libpysal_w(counts, "queen")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = esda.G_Local(counts["n_events"].to_numpy(float), w, star=True, permutations=0)
    assert np.max(np.abs(np.asarray(default.Zs) - ours)) > 1.0


def test_gistar_z_on_arrays_matches_grid_gistar(l_study):
    counts = grid_counts(l_study, cell_m=50.0)
    info = counts.attrs["grid"]
    arr = np.zeros((info["n_rows"], info["n_cols"]))
    valid = np.zeros_like(arr, bool)
    arr[counts["row"], counts["col"]] = counts["n_events"]
    valid[counts["row"], counts["col"]] = True
    for neighbours, dist in (("queen", None), ("rook", None), ("distance", 2.5)):
        z = gistar_z(arr, valid, neighbours=neighbours, distance_cells=dist)
        assert np.isnan(z[~valid]).all()
        out = grid_gistar(counts, neighbours=neighbours, distance_m=dist * 50.0 if dist else None)
        np.testing.assert_allclose(z[counts["row"], counts["col"]], out["gi_z"], atol=1e-12)
    # default valid: the finite cells
    arr_nan = np.where(valid, arr, np.nan)
    np.testing.assert_allclose(gistar_z(arr_nan), gistar_z(arr, valid), equal_nan=True)


def test_gistar_z_hand_computed():
    counts = np.ones((5, 5))
    counts[2, 2] = 10
    z = gistar_z(counts)
    x = counts.ravel()
    n, mean = x.size, x.mean()
    s = np.sqrt(np.mean(x**2) - mean**2)
    # centre: W = 9, sum = 18; corner: W = 4 (itself and 3), sum = 4
    for (r, c), wi, total in (((2, 2), 9, 18.0), ((0, 0), 4, 4.0), ((0, 2), 6, 6.0)):
        expected = (total - mean * wi) / (s * np.sqrt((n * wi - wi**2) / (n - 1)))
        assert z[r, c] == pytest.approx(expected, abs=1e-12)
    assert np.all(gistar_z(np.full((4, 4), 3.0)) == 0.0)  # no variation: nothing stands out


# --- counts ----------------------------------------------------------------------------------


def test_counts_conserve_events_and_follow_sources(l_study):
    cells = grid_counts(l_study, cell_m=40.0)
    assert list(cells.columns) == list(GRID_COLUMNS)
    n = len(l_study.incidents) + len(l_study.concerns)
    assert int(cells["n_events"].sum()) == n  # every event is inside the boundary
    assert int(cells["n_incidents"].sum()) == len(l_study.incidents)
    assert int(cells["n_concerns"].sum()) == len(l_study.concerns)
    assert (cells["n_events"] == cells["n_incidents"] + cells["n_concerns"]).all()
    assert cells.index.equals(pd.Index(cells["cell_id"]))
    assert cells.index.is_unique
    only = grid_counts(l_study, cell_m=40.0, sources=("incident",))
    assert int(only["n_events"].sum()) == len(l_study.incidents)
    assert int(only["n_concerns"].sum()) == 0


@pytest.mark.parametrize("shape", ["square", "hex"])
def test_every_event_is_counted_in_the_cell_that_contains_it(shape):
    rng = np.random.default_rng(3)
    inside = _inside(rng.uniform(0, 1000, size=(2000, 2)), L_SHAPE)
    outside = rng.uniform(600, 1000, size=(200, 2))  # the missing north-east square
    study = make_study(np.vstack([inside, outside]), boundary=L_SHAPE)
    cells = grid_counts(study, cell_m=37.0, shape=shape)
    events = shapely.points(np.vstack([inside, outside]) + [X0, Y0])
    tree = shapely.STRtree(cells.geometry.to_numpy())
    ev, cell = tree.query(events, predicate="within")
    assert len(np.unique(ev)) == len(ev)  # no point on an edge: each in at most one cell
    expected = np.bincount(cell, minlength=len(cells))
    np.testing.assert_array_equal(cells["n_events"].to_numpy(), expected)
    # events in dropped cells (outside the boundary) are not counted, and said so
    assert cells.attrs["grid"]["n_events_counted"] == len(ev) == int(expected.sum())
    assert cells.attrs["grid"]["n_events_outside"] == len(events) - len(ev)
    assert len(ev) < len(events)


def test_hex_cells_are_hexagons_with_six_neighbours():
    rng = np.random.default_rng(5)
    study = make_study(rng.uniform(0, 800, size=(3000, 2)))
    cells = grid_counts(study, cell_m=40.0, shape="hex")
    areas = cells.geometry.area.to_numpy()
    np.testing.assert_allclose(areas, np.sqrt(3) / 2 * 40.0**2, rtol=1e-9)
    assert int(cells["n_events"].sum()) == 3000
    out = grid_gistar(cells)
    assert out["n_neighbours"].max() == 6
    # hexagons tile: the cells' union has (almost) no gaps inside the events' hull
    hull = shapely.convex_hull(shapely.multipoints(rng.uniform(100, 700, size=(50, 2)) + [X0, Y0]))
    assert shapely.difference(hull, shapely.union_all(cells.geometry.to_numpy())).area < 1e-3


def test_counts_are_deterministic_and_ignore_row_order(l_study):
    a = grid_counts(l_study, cell_m=50.0)
    b = grid_counts(l_study, cell_m=50.0)
    pd.testing.assert_frame_equal(a, b)
    shuffled = make_study(
        shapely.get_coordinates(l_study.incidents.geometry)[::-1] - [X0, Y0],
        shapely.get_coordinates(l_study.concerns.geometry)[::-1] - [X0, Y0],
        boundary=L_SHAPE,
    )
    pd.testing.assert_frame_equal(a, grid_counts(shuffled, cell_m=50.0))
    g1 = grid_gistar(l_study, cell_m=50.0, permutations=99, seed=3)
    g2 = grid_gistar(l_study, cell_m=50.0, permutations=99, seed=3)
    pd.testing.assert_frame_equal(g1, g2)


def test_boundary_clipping_drops_outside_cells_and_changes_n(l_study):
    clipped = grid_counts(l_study, cell_m=50.0)
    full = grid_counts(l_study, cell_m=50.0, clip=False)
    assert len(full) == 20 * 20
    assert len(clipped) == 400 - 100  # the missing 500 m x 500 m quarter is 10 x 10 cells
    boundary = l_study.boundary
    assert shapely.intersects(boundary, clipped.geometry.to_numpy()).all()
    assert not shapely.touches(boundary, clipped.geometry.to_numpy()).any()
    dropped = full.loc[~full.index.isin(clipped.index)]
    assert not (
        shapely.intersects(boundary, dropped.geometry.to_numpy())
        & ~shapely.touches(boundary, dropped.geometry.to_numpy())
    ).any()
    assert clipped.attrs["grid"]["clipped"] and not full.attrs["grid"]["clipped"]
    # the empty quarter counted as zeros lowers the mean: every z changes
    z_clip = grid_gistar(clipped).set_index("cell_id")["gi_z"]
    z_full = grid_gistar(full).set_index("cell_id")["gi_z"].loc[z_clip.index]
    assert (z_full - z_clip).abs().min() > 0
    assert (z_full > z_clip).mean() > 0.9


def test_a_cell_crossing_the_boundary_is_kept_whole():
    circle = shapely.Point(500, 500).buffer(400)
    rng = np.random.default_rng(2)
    study = make_study(_inside(rng.uniform(0, 1000, size=(1000, 2)), circle), boundary=circle)
    cells = grid_counts(study, cell_m=100.0)
    assert np.allclose(cells.geometry.area, 100.0**2)
    assert (~shapely.within(cells.geometry.to_numpy(), study.boundary)).any()


def test_filtered_counts_treat_missing_cells_as_outside(l_study):
    counts = grid_counts(l_study, cell_m=50.0)
    kept = counts.loc[counts["col"] < 15]
    out = grid_gistar(kept)
    assert out.index.equals(kept.index)  # the caller's index is kept
    z = gistar_z(
        *_arrays(counts, counts["col"] < 15),
    )
    np.testing.assert_allclose(out["gi_z"], z[kept["row"], kept["col"]], atol=1e-12)


def _arrays(counts, keep):
    info = counts.attrs["grid"]
    arr = np.zeros((info["n_rows"], info["n_cols"]))
    valid = np.zeros_like(arr, bool)
    sub = counts.loc[keep]
    arr[sub["row"], sub["col"]] = sub["n_events"]
    valid[sub["row"], sub["col"]] = True
    return arr, valid


def test_default_cell_size_follows_the_documented_rule(l_study, caplog):
    with caplog.at_level(logging.INFO, logger="hotspots.grid"):
        cells = grid_counts(l_study)
    # extent 1000 m: 1000 / 50 = 20 m
    assert cells.attrs["grid"]["cell_m"] == 20.0
    assert "1,000 m / 50" in cells.attrs["grid"]["cell_m_reason"]
    assert "sfhotspot" in caplog.text
    rng = np.random.default_rng(1)
    wide = make_study(rng.uniform(0, 1, size=(500, 2)) * [20_000, 2_340])
    assert grid_counts(wide).attrs["grid"]["cell_m"] == 40.0  # 2,340 / 50 = 46.8 -> 40
    small = make_study(rng.uniform(0, 100, size=(50, 2)))
    assert grid_counts(small).attrs["grid"]["cell_m"] == 10.0  # never below 10 m


# --- p-values, corrections, classes ----------------------------------------------------------


def _bh(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adj = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        adj[i] = min(1.0, running)
    return np.array(adj)


def _holm(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adj = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return np.array(adj)


def test_p_values_and_bh_holm_corrections(l_study):
    from scipy import stats

    bh = grid_gistar(l_study, cell_m=50.0)
    holm = grid_gistar(l_study, cell_m=50.0, correction="holm")
    none = grid_gistar(l_study, cell_m=50.0, correction="none")
    assert list(bh.columns) == list(GISTAR_COLUMNS)
    p = bh["p_value"].to_numpy()
    np.testing.assert_allclose(p, 2 * stats.norm.sf(np.abs(bh["gi_z"])), rtol=1e-12)
    np.testing.assert_allclose(bh["p_adj"], _bh(list(p)), rtol=1e-12)
    np.testing.assert_allclose(holm["p_adj"], _holm(list(p)), rtol=1e-12)
    np.testing.assert_array_equal(none["p_adj"], p)
    assert (holm["p_adj"] >= bh["p_adj"] - 1e-15).all()
    assert bh["p_perm"].isna().all()
    assert bh.attrs["parameters"]["correction"] == "bh"


def test_planted_hot_spot_is_hot_and_classes_follow_p_adj(l_study):
    out = grid_gistar(l_study, cell_m=50.0)
    hot_cell = out.loc[out.geometry.contains(shapely.Point(HOT[0] + X0, HOT[1] + Y0))]
    assert hot_cell["gi_class"].item() == "hot"
    assert hot_cell["gi_bin"].item() == 3
    assert set(out["gi_class"]) <= set(CLASSES)
    sig = out["p_adj"] < l_study.settings.alpha
    assert (out.loc[sig & (out["gi_z"] > 0), "gi_class"] == "hot").all()
    assert (out.loc[sig & (out["gi_z"] < 0), "gi_class"] == "cold").all()
    assert (out.loc[~sig, "gi_class"] == "not significant").all()
    # hot cells sit around the planted spot, nowhere else
    hot = out.loc[out["gi_class"] == "hot"].geometry.centroid
    d = np.hypot(hot.x - X0 - HOT[0], hot.y - Y0 - HOT[1])
    assert d.max() < 150
    # alpha given overrides the settings
    strict = grid_gistar(l_study, cell_m=50.0, alpha=1e-12)
    assert (strict["gi_class"] == "hot").sum() < (out["gi_class"] == "hot").sum()
    level = np.select([out["p_adj"] < 0.01, out["p_adj"] < 0.05, out["p_adj"] < 0.1], [3, 2, 1], 0)
    np.testing.assert_array_equal(out["gi_bin"], np.sign(out["gi_z"]) * level)


def test_permutation_p_values_are_seeded_and_agree_with_the_normal_ones(l_study):
    from scipy import stats

    a = grid_gistar(l_study, cell_m=50.0, permutations=999, seed=1)
    b = grid_gistar(l_study, cell_m=50.0, permutations=999, seed=1)
    c = grid_gistar(l_study, cell_m=50.0, permutations=999, seed=2)
    np.testing.assert_array_equal(a["p_perm"], b["p_perm"])
    assert not np.array_equal(a["p_perm"], c["p_perm"])
    p_perm, p_norm = a["p_perm"].to_numpy(), a["p_value"].to_numpy()
    assert ((p_perm > 0) & (p_perm <= 1)).all()
    # the planted spot: nothing as extreme in 999 permutations, and tiny normal p-values
    hot_cell = a.geometry.contains(shapely.Point(HOT[0] + X0, HOT[1] + Y0)).to_numpy()
    assert p_perm[hot_cell].item() == pytest.approx(2 / 1000)
    hot = (a["gi_class"] == "hot").to_numpy()
    assert (p_perm[hot] < 0.05).all() and (p_norm[hot] < 1e-3).all()
    # without the planted spot the counts are less skewed and the two agree roughly
    rng = np.random.default_rng(11)
    background = make_study(
        _inside(rng.uniform(0, 1000, size=(3000, 2)), L_SHAPE), boundary=L_SHAPE
    )
    bg = grid_gistar(background, cell_m=50.0, permutations=999, seed=1)
    assert stats.spearmanr(bg["p_perm"], bg["p_value"]).statistic > 0.7
    assert np.median(np.abs(bg["p_perm"] - bg["p_value"])) < 0.15


def test_permutation_p_values_match_esda_conditional_randomisation(l_study):
    from scipy import stats

    counts = grid_counts(l_study, cell_m=50.0)
    ours = grid_gistar(counts, permutations=999, seed=1)["p_perm"].to_numpy()
    w = _libpysal_w(counts, "queen")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(
            counts["n_events"].to_numpy(float),
            w,
            star=True,
            transform="B",
            permutations=999,
            seed=5,
        )
    theirs = np.minimum(1.0, 2 * np.asarray(g.p_sim))  # esda's p_sim is one-sided (folded)
    assert stats.spearmanr(ours, theirs).statistic > 0.95
    assert np.median(np.abs(ours - theirs)) < 0.06


# --- errors ----------------------------------------------------------------------------------


def test_bad_arguments_are_listed_together(l_study):
    with pytest.raises(ValidationError, match="neighbours") as info:
        grid_gistar(l_study, neighbours="bishop", correction="bonferroni", shape="triangle")
    assert "correction" in str(info.value)
    assert "shape" in str(info.value)
    with pytest.raises(ValidationError, match=r"`cell_m` must be a number of metres > 0"):
        grid_counts(l_study, cell_m=0)
    with pytest.raises(ValidationError, match=r"`cell_m` must be"):
        grid_gistar(l_study, cell_m=-5.0)
    with pytest.raises(ValidationError, match=r"`distance_m` is required"):
        grid_gistar(l_study, neighbours="distance")
    with pytest.raises(ValidationError, match=r"less than the cell size"):
        grid_gistar(l_study, cell_m=50.0, neighbours="distance", distance_m=20.0)
    with pytest.raises(ValidationError, match=r"`permutations` must be an integer"):
        grid_gistar(l_study, permutations=-1)
    with pytest.raises(ValidationError, match=r"`alpha` must be in"):
        grid_gistar(l_study, alpha=1.5)
    with pytest.raises(ValidationError, match=r"`sources` has unknown"):
        grid_counts(l_study, sources=("crime",))
    with pytest.raises(ValidationError, match=r"`shape` must be one of square, hex"):
        grid_counts(l_study, shape="triangle")
    with pytest.raises(ValidationError, match=r"more than 4,000,000"):
        grid_counts(l_study, cell_m=0.1)


def test_counts_input_errors(l_study):
    counts = grid_counts(l_study, cell_m=50.0)
    plain = gpd.GeoDataFrame(counts.drop(columns=[]), crs=counts.crs)
    plain.attrs = {}
    with pytest.raises(ValidationError, match=r"without attrs\['grid'\]"):
        grid_gistar(plain)
    with pytest.raises(ValidationError, match=r"`cell_m` applies to a Study only"):
        grid_gistar(counts, cell_m=20.0)
    with pytest.raises(ValidationError, match=r"differs from the counts' shape"):
        grid_gistar(counts, shape="hex")
    with pytest.raises(ValidationError, match=r"must be a Study or the GeoDataFrame"):
        grid_gistar([1, 2, 3])


def test_too_few_cells():
    study = make_study([(5.0, 5.0), (15.0, 5.0)])
    with pytest.raises(ValidationError, match=r"too few cells: 2"):
        grid_gistar(study, cell_m=10.0)
    with pytest.raises(ValidationError, match=r"too few cells"):
        gistar_z(np.ones((1, 2)))


def test_gistar_z_errors():
    with pytest.raises(ValidationError, match=r"2-D numeric array"):
        gistar_z(np.ones(5))
    with pytest.raises(ValidationError, match=r"`neighbours` must be one of"):
        gistar_z(np.ones((4, 4)), neighbours="king")
    with pytest.raises(ValidationError, match=r"`distance_cells` is required"):
        gistar_z(np.ones((4, 4)), neighbours="distance")
    with pytest.raises(ValidationError, match=r"`valid` must be a bool array"):
        gistar_z(np.ones((4, 4)), np.ones((3, 3), bool))


def test_no_events_of_the_sources_is_a_layer_error():
    study = make_study([(1.0, 1.0), (50.0, 50.0)])
    with pytest.raises(LayerError, match="no events of source"):
        grid_counts(study, sources=("concern",))


def test_inputs_are_not_mutated(l_study):
    counts = grid_counts(l_study, cell_m=50.0)
    before = counts.copy()
    grid_gistar(counts, permutations=9)
    pd.testing.assert_frame_equal(counts, before)
