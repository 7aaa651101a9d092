"""Forecast scoring: hit rate, PAI and PEI by hand, every method on one split, errors.

The PAI is Chainey, Tompson & Uhlig (2008), the PEI Hunt (2016); the hand-built grid below
lets each be read off the cells.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
import shapely
from test_assessment import START, X0, Y0, make_study

from hotspots import Study, ValidationError, datasets
from hotspots.forecast import FORECAST_COLUMNS, compare_forecasts, evaluate_forecast


@pytest.fixture(scope="module")
def stable() -> Study:
    """A stable hot spot (500 events within ~10 m) and light background (60) over 2 x 2 km."""
    rng = np.random.default_rng(7)
    n_hot, n_bg = 500, 60
    x = np.r_[rng.normal(500, 8, n_hot), rng.uniform(-1000, 1000, n_bg)]
    y = np.r_[rng.normal(-300, 8, n_hot), rng.uniform(-1000, 1000, n_bg)]
    t = START + pd.to_timedelta(rng.uniform(0, 180, n_hot + n_bg), "D")
    rows = list(zip(x, y, t, ["theft"] * len(x), strict=True))
    return make_study(rows)


def test_forecast_grid_catches_a_stable_hot_spot(stable):
    table = evaluate_forecast(stable, "grid", train_until="2025-05-01", test_days=60)
    assert list(table.columns) == list(FORECAST_COLUMNS)
    assert list(table["coverage"]) == [0.01, 0.05]
    five = table.set_index("coverage").loc[0.05]
    assert five["hit_rate"] > 0.85
    assert five["pai"] > 10
    assert five["area_share"] == pytest.approx(0.05, abs=0.01)
    assert 0 <= five["pei"] <= 1
    assert five["n_train"] + five["n_test"] <= 560


def test_forecast_measures_by_hand():
    # 4 x 4 cells of 50 m; training: 5 events in cell A, 2 in cell B; test: 3 in A, 1 in C
    def at(cx, cy, n, day):
        return [(cx * 50 + 25, cy * 50 + 25, START + pd.Timedelta(days=day), "x")] * n

    rows = (
        at(0, 0, 5, 1)
        + at(3, 3, 2, 2)
        + at(0, 0, 3, 40)
        + at(2, 1, 1, 41)
        + at(3, 0, 1, 3)
        + at(0, 3, 1, 4)
        + at(1, 2, 1, 70)  # after the test window: only marks where the data end
    )
    study = make_study(rows)
    table = evaluate_forecast(
        study, "grid", train_until="2025-02-01", test_days=20, coverage=[1 / 16], cell_m=50
    )
    row = table.iloc[0]
    assert row["cells"] == 1 and row["area_share"] == pytest.approx(1 / 16)
    assert row["n_test"] == 4
    assert row["hit_rate"] == pytest.approx(3 / 4)  # cell A holds 3 of the 4 test events
    assert row["pai"] == pytest.approx((3 / 4) / (1 / 16))  # 12
    assert row["pei"] == pytest.approx(1.0)  # the best single cell holds 3 as well


def test_forecast_all_methods_same_split_and_deterministic(stable):
    kwargs = {"train_until": "2025-05-01", "test_days": 60, "coverage": (0.01, 0.05)}
    table = compare_forecasts(stable, **kwargs)
    assert list(table["method"].unique()) == ["clusters", "grid", "kde", "gistar"]
    assert len(table) == 8
    assert table["n_test"].nunique() == 1 and table["n_train"].nunique() == 1
    assert table["pei"].between(0, 1).all()
    assert (table["pai"] > 1).all()
    # same data in another row order: same table
    shuffled = dataclasses.replace(
        stable, incidents=stable.incidents.sample(frac=1, random_state=3)
    )
    again = compare_forecasts(shuffled, **kwargs)
    pd.testing.assert_frame_equal(table, again)
    assert table.attrs["parameters"]["kde_bandwidth_rule"] == "Silverman (1986)"


def test_forecast_clipped_to_the_boundary(stable):
    boundary = shapely.Point(X0, Y0).buffer(1500)  # holds the 2 x 2 km square
    study = dataclasses.replace(stable, boundary=boundary)
    table = evaluate_forecast(
        study, "kde", train_until="2025-05-01", test_days=60, coverage=[1.0], bandwidth_m=75
    )
    assert table["area_share"].iloc[0] == pytest.approx(1.0)
    assert table["hit_rate"].iloc[0] == pytest.approx(1.0)
    assert table.attrs["parameters"]["study_area_m2"] == pytest.approx(boundary.area, rel=1e-9)


def test_forecast_errors(stable):
    with pytest.raises(ValidationError, match=r"unknown method\(s\) \['magic'\]"):
        evaluate_forecast(stable, "magic", train_until="2025-05-01", test_days=30)
    with pytest.raises(ValidationError, match="`coverage` must be shares"):
        evaluate_forecast(stable, "grid", train_until="2025-05-01", test_days=30, coverage=[0])
    with pytest.raises(ValidationError, match="no events before `train_until`"):
        evaluate_forecast(stable, "grid", train_until="2025-01-01", test_days=30)
    with pytest.raises(ValidationError, match="but the data end"):
        evaluate_forecast(stable, "grid", train_until="2025-06-01", test_days=90)
    with pytest.raises(ValidationError, match="pass a larger `cell_m`"):
        evaluate_forecast(stable, "grid", train_until="2025-05-01", test_days=30, cell_m=0.5)


# --- the generated scene ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def scene() -> Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the scene's messy rows warn on purpose
        return datasets.load_study("scene")


def test_scene_forecast_table(scene):
    study = scene
    table = compare_forecasts(study, train_until="2025-05-01", test_days=60)
    assert len(table) == 8
    assert table["pei"].between(0, 1).all()
    best = table.loc[table["coverage"] == 0.05, "pai"].max()
    assert best > 3
