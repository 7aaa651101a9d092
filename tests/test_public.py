"""--public writes only what is safe to publish: every file of the folder is scanned."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mapdata import layer, map_data, numbers_near

from hotspots import datasets

PUBLIC_FILES = ["grid_counts.csv", "map.html", "places.csv", "report.md", "run.json"]


def _demo(sample: str, out: Path, *extra: str) -> Path:
    proc = subprocess.run(
        [sys.executable, "-m", "hotspots", "-q", "demo", "--sample", sample, "--out", str(out),
         *extra], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out


def _events(sample: str) -> tuple[np.ndarray, list[str], list[str]]:
    """Event lon/lat, ids and free texts of a sample, as its files hold them."""
    paths = datasets.paths(sample)
    inc = pd.read_csv(paths["incidents"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    con = pd.read_csv(paths["concerns"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    lon_i, lat_i = ("LONGITUDE", "LATITUDE") if sample == "dc" else ("lon", "lat")
    lon_c, lat_c = ("LONGITUDE", "LATITUDE") if sample == "dc" else ("longitude", "latitude")
    lon = pd.to_numeric(pd.concat([inc[lon_i], con[lon_c]]), errors="coerce").to_numpy()
    lat = pd.to_numeric(pd.concat([inc[lat_i], con[lat_c]]), errors="coerce").to_numpy()
    xy = np.c_[lon, lat]
    xy = xy[np.isfinite(xy).all(axis=1) & (np.abs(xy).min(axis=1) > 0.01)]
    id_cols = ["CCN", "OCTO_RECORD_ID"] if sample == "dc" else ["id"]
    ids = [v for col in id_cols for v in inc[col] if len(v) >= 6]
    ids += [v for v in con.get("SERVICEREQUESTID", con.get("id", pd.Series(dtype=str)))
            if len(v) >= 6]  # fmt: skip
    texts = [v for v in con.get("DETAILS", con.get("details", pd.Series(dtype=str))) if len(v) > 12]
    return xy, ids, texts


@pytest.fixture(scope="module", params=["scene", "dc"])
def public(request, tmp_path_factory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp(f"public-{request.param}") / "out"
    return request.param, _demo(request.param, out, "--public")


def test_public_folder_holds_only_the_public_files(public):
    _, out = public
    assert sorted(p.name for p in out.iterdir()) == PUBLIC_FILES


def test_no_event_coordinate_id_or_request_text_in_any_file(public):
    sample, out = public
    xy, ids, texts = _events(sample)
    assert len(xy) > 100 and len(ids) > 100
    for path in sorted(out.iterdir()):
        text = path.read_text(encoding="utf-8")
        near = numbers_near(text, xy, 1.0)
        assert near == [], f"{path.name}: {len(near)} event coordinates, e.g. {near[:3]}"
        leaked = [i for i in ids if i in text]
        assert leaked == [], f"{path.name}: ids {leaked[:5]}"
        said = [t for t in texts if t in text]
        assert said == [], f"{path.name}: request texts {said[:2]}"


def test_every_place_at_or_above_the_minimum_is_shown(public, tmp_path):
    sample, out = public
    team = _demo(sample, tmp_path / "team", "--offline")
    hot = pd.read_csv(team / "hotspots.csv")
    k = 5  # settings.public_min_count
    big = hot[hot["n_events"] >= k]
    places = pd.read_csv(out / "places.csv", keep_default_na=False)
    assert len(places) == len(big) and sorted(places["n_events"]) == sorted(big["n_events"])
    assert set(places["location"]) == set(big["location"].fillna(""))
    drawn = layer(map_data(out / "map.html"), "Hot spots by")
    assert len(drawn["points"]) == len(big)
    grid = pd.read_csv(out / "grid_counts.csv")
    shown = grid[["incidents", "concerns"]].stack().dropna()
    assert len(shown) and (shown >= k).all()
