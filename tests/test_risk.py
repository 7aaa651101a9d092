"""City-wide risk factors on a generated scene with one planted factor and one decoy."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree

from hotspots import ValidationError, build_study, datasets, risk_factors
from hotspots.risk import RISK_COLUMNS, risk_svg

CRS = 32618
X0, Y0, W = 323_000.0, 4_306_000.0, 2_000.0


@pytest.fixture(scope="module")
def planted():
    """Uniform incidents, three times as likely within 50 m of 25 planted points."""
    rng = np.random.default_rng(1)
    planted = np.c_[rng.uniform(100, W - 100, 25), rng.uniform(100, W - 100, 25)]
    decoy = np.c_[rng.uniform(100, W - 100, 25), rng.uniform(100, W - 100, 25)]
    xy = np.c_[rng.uniform(0, W, 30_000), rng.uniform(0, W, 30_000)]
    d, _ = cKDTree(planted).query(xy)
    xy = xy[(d <= 50) | (rng.random(len(xy)) < 1 / 3)]  # thinning: 3x inside 50 m
    when = pd.Timestamp("2025-01-01", tz="America/New_York") + pd.to_timedelta(
        rng.integers(0, 300 * 24, len(xy)), unit="h"
    )
    incidents = gpd.GeoDataFrame(
        {"id": np.arange(len(xy)).astype(str), "date": when, "offense": "ROBBERY"},
        geometry=shapely.points(xy + [X0, Y0]),
        crs=CRS,
    )
    boundary = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + W, Y0 + W)], crs=CRS)
    study = build_study(incidents=incidents, crs=CRS, tz="America/New_York", boundary=boundary)

    def points(p):
        return gpd.GeoDataFrame(geometry=shapely.points(p + [X0, Y0]), crs=CRS)

    return study, {"planted": points(planted), "decoy": points(decoy)}


def test_the_planted_risk_factor_is_found_and_the_decoy_is_not(planted):
    study, features = planted
    table = risk_factors(study, features=features)
    assert list(table.columns) == list(RISK_COLUMNS)
    near = table[(table["feature"] == "planted") & (table["band_to_m"] == 50)].iloc[0]
    assert near["ci_low"] <= 3.0 <= near["ci_high"]
    assert bool(near["significant"])
    assert not table[table["feature"] == "decoy"]["significant"].any()
    assert not table[(table["feature"] == "planted") & (table["band_from_m"] >= 50)][
        "significant"
    ].any()


def test_dispersion_widens_the_interval_where_incidents_cluster():
    study = datasets.load_study("dc")
    table = risk_factors(study, features=["stops"], bands_m=(50,))
    assert table["dispersion"].iloc[0] > 2  # DC's snapped incidents cluster on blocks


def test_request_kinds_are_features():
    study = datasets.load_study("scene")
    table = risk_factors(study, bands_m=(50, 100))
    assert {"stops", "lights"} <= set(table["feature"])
    assert np.isfinite(table["p_adj"]).all()


def test_bad_arguments_are_listed_at_once(planted):
    study, _ = planted
    with pytest.raises(ValidationError, match="bands_m") as err:
        risk_factors(study, features=["nonsense"], bands_m=(100, 50), correction="x")
    assert "correction" in str(err.value)


def test_svg_chart():
    table = pd.DataFrame(
        {"feature": ["<b>stops</b>"], "band_from_m": [0.0], "band_to_m": [50.0], "rr": [1.8],
         "ci_low": [1.2], "ci_high": [2.6], "significant": [True]}
    )  # fmt: skip
    svg = risk_svg(table)
    assert svg.startswith("<svg") and "&lt;b&gt;stops" in svg and "<b>" not in svg
