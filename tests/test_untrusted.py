"""Hostile text in the inputs stays text: in the map, report.md, the CSVs and run.json.

Payloads go into every text field of every layer (ids, categories, descriptions, residents'
words, stop names and ids, light ids, obstruction kinds and ids), into the input file name,
``--name`` and ``--tiles-attribution``. ``analyze`` must finish (exit 0, team and public),
create no file named PWNED, draw a map that runs none of it in Chromium with every hot spot,
marker and fix target clicked, write a report.md that a CommonMark renderer turns into HTML
that runs nothing in Chromium, and write CSVs in which no cell from the data begins a
formula. The same report checks run on the folder :func:`hotspots.write_report` writes.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from browser import open_page, require_browser
from mapdata import map_data

from hotspots import datasets

PAYLOADS = (
    "{{7*7}}",
    "{{lipsum.__globals__.os.makedirs('PWNED')}}",
    "stray {{ {% {# here",
    "</script><script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
    "[click](javascript:window.__pwned=1)",
    "![x](https://evil.example/x.png) <https://evil.example/x.png>",
    "=2+5",
    "+1",
    "-1+1",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "abc\u202etxt.exe",
    "nul\x00bell\x07esc\x1b[31mred",
    "# heading | cell | *em* _u_ `code`",
)
LONG = "A" * 20_000
NAME = "=2+5 {{7*7}} <img src=x onerror=window.__pwned=1> \u202e [x](javascript:alert(1))"
FILE_NAME = "=1+1 {{7*7}} <img src=x onerror=window.__pwned=1>.csv"
FORMULA = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _payload(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)]


def _texts(n: int, suffix: bool = True) -> list[str]:
    """A payload per row (unique when `suffix`), with the long string once."""
    values = [_payload(i) + (f" IDROW{i}" if suffix else "") for i in range(n)]
    if n > 3:
        values[3] = LONG
    return values


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scene with payloads in every text field; returns the folder (the run's cwd)."""
    folder = tmp_path_factory.mktemp("hostile")
    paths = datasets.paths("scene")
    inc = pd.read_csv(paths["incidents"], dtype=str, keep_default_na=False)
    inc["id"] = _texts(len(inc))
    inc["category"] = [_payload(i) for i in range(len(inc))]
    inc["description"] = _texts(len(inc), suffix=False)
    inc["BLOCK"] = [f"{_payload(i)} BLOCK OF MAIN ST" for i in range(len(inc))]  # addresses
    inc.to_csv(folder / FILE_NAME, index=False)
    con = pd.read_csv(paths["concerns"], dtype=str, keep_default_na=False)
    con["id"] = _texts(len(con))
    con["details"] = [f"{_payload(i)} {row}" for i, row in enumerate(con["details"])]
    con.to_csv(folder / "concerns.csv", index=False)
    stops = pd.read_csv(paths["stops"], dtype=str, keep_default_na=False)
    stops["stop_id"] = _texts(len(stops))
    stops["stop_name"] = [_payload(i + 5) for i in range(len(stops))]
    stops.to_csv(folder / "stops.csv", index=False)
    lights = gpd.read_file(paths["lights"])
    lights["id"] = _texts(len(lights))
    lights.to_file(folder / "lights.geojson", driver="GeoJSON")
    obstructions = gpd.read_file(paths["obstructions"])
    obstructions["id"] = _texts(len(obstructions))
    obstructions.loc[::2, "kind"] = [_payload(i) for i in range(len(obstructions[::2]))]
    obstructions.to_file(folder / "obstructions.geojson", driver="GeoJSON")
    return folder


def _analyze(folder: Path, out: str, *extra: str) -> subprocess.CompletedProcess[str]:
    boundary = datasets.paths("scene")["boundary"]
    args = [sys.executable, "-m", "hotspots", "analyze", "--tz", "Europe/London",
            "--incidents", FILE_NAME, "--concerns", "concerns.csv", "--stops", "stops.csv",
            "--lights", "lights.geojson", "--obstructions", "obstructions.geojson",
            "--boundary", str(boundary), "--name", NAME, "--out", out, *extra]  # fmt: skip
    return subprocess.run(args, cwd=folder, capture_output=True, text=True, timeout=300)


ATTRIBUTION = '<svg onload="window.__pwned=1">Tiles {{7*7}}'
TILES = ("--tiles", "https://tiles.example.org/{z}/{x}/{y}.png", "--tiles-attribution", ATTRIBUTION)


def _write_report_directly(folder: Path) -> Path:
    """The report of the hostile scene written by write_report (no map), in `folder`/out-lib."""
    from hotspots import build_study, diagnose, find_hotspots, recommend, write_report

    boundary = datasets.paths("scene")["boundary"]
    cwd = Path.cwd()
    os.chdir(folder)  # the incidents are read by their relative, hostile file name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the scene's planted swapped row
            study = build_study(
                incidents=FILE_NAME, concerns="concerns.csv", stops="stops.csv",
                lights="lights.geojson", obstructions="obstructions.geojson",
                boundary=boundary, tz="Europe/London", name=NAME,
            )  # fmt: skip
        clusters = diagnose(study, find_hotspots(study))
        write_report(study, clusters, recommend(clusters), "out-lib")
    finally:
        os.chdir(cwd)
    return folder / "out-lib"


@pytest.fixture(scope="module", params=["write_report", "analyze", "analyze --public"])
def run(request: pytest.FixtureRequest, hostile: Path) -> Path:
    """An output folder written from the hostile inputs, by the library or the command."""
    if request.param == "write_report":
        return _write_report_directly(hostile)
    out = "out-public" if "public" in request.param else "out-team"
    extra = ["--public"] if "public" in request.param else [*TILES, "--briefs", "3"]
    proc = _analyze(hostile, out, *extra)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "\x1b[31m" not in proc.stdout and "\u202e" not in proc.stdout  # terminal-safe
    return hostile / out


def test_no_template_or_code_ran(hostile: Path, run: Path) -> None:
    assert not list(hostile.rglob("PWNED"))
    assert not Path("PWNED").exists()


def test_report_md_carries_no_markup_from_data(run: Path) -> None:
    from markdown_it import MarkdownIt

    text = (run / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "<img" not in text and "<script" not in text and "\u202e" not in text
    assert "\x00" not in text and "\x1b" not in text
    html = MarkdownIt("commonmark").render(text)
    assert not re.search(r"<(img|script|iframe|a|svg|object|embed)\b", html), html[:2000]
    assert "javascript:" not in re.sub(r">[^<]*<", "><", html)  # in no tag or attribute
    assert html.startswith("<h1>=2+5 {{7*7}} &lt;img src=x onerror=window.__pwned=1&gt;")
    assert html.count("<h1>") == 1  # no heading from data


def test_report_md_runs_nothing_in_chromium(run: Path, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    chromium = require_browser()
    body = MarkdownIt("commonmark").render((run / "report.md").read_text(encoding="utf-8"))
    page = tmp_path / "report.html"
    page.write_text(f"<!doctype html><meta charset=utf-8><body>{body}</body>", encoding="utf-8")
    with open_page(page, executable=chromium) as result:
        assert result.page.evaluate("() => window.__pwned === undefined")
        counts = result.page.evaluate(
            "() => ['img', 'script', 'iframe', 'a', 'svg'].map(t => "
            "document.getElementsByTagName(t).length)"
        )
        assert counts == [0, 0, 0, 0, 0]
        assert result.outside_requests == []
        assert "{{7*7}}" in result.page.inner_text("h1")


def _cells(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as f:
        return [cell for row in csv.reader(f) for cell in row]


def test_no_csv_cell_starts_a_formula(run: Path) -> None:
    csvs = sorted(run.glob("*.csv"))
    if run.name == "out-public":  # only what is safe to publish
        assert {p.name for p in csvs} == {"places.csv", "grid_counts.csv"}
    else:
        assert {p.name for p in csvs} >= {"hotspots.csv", "recommendations.csv", "rejected.csv"}
    for path in csvs:
        for cell in _cells(path):
            assert not cell.startswith(FORMULA) or NUMBER.fullmatch(cell), (path.name, cell)
            assert "\x00" not in cell and "\u202e" not in cell, (path.name, cell[:80])


def test_payloads_reach_the_csvs_neutralised(run: Path) -> None:
    if run.name == "out-public":  # the block texts are the only data text published
        places = pd.read_csv(run / "places.csv", dtype=str, keep_default_na=False)
        assert places["location"].str.contains("main st", case=False).all()
        assert any(c.startswith("'") and c[1:2] in FORMULA for c in places["location"])
        return
    hot = pd.read_csv(run / "hotspots.csv", dtype=str, keep_default_na=False)
    assert hot["location"].str.contains("main st", case=False).all()
    rejected = pd.read_csv(run / "rejected.csv", dtype=str, keep_default_na=False)
    assert len(rejected) and set(rejected["source"]) >= {"'" + FILE_NAME}
    cells = set(_cells(run / "recommendations.csv")) | set(_cells(run / "hotspots.csv"))
    neutralised = [c for c in cells if c.startswith("'") and c[1:2] in FORMULA]
    assert neutralised, "no light or stop id with a formula prefix reached a CSV"
    assert pd.to_numeric(pd.read_csv(run / "hotspots.csv")["lon"]).notna().all()  # numbers


def test_run_json_keeps_the_text_as_data(run: Path) -> None:
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert record["study"] == NAME
    if run.name == "out-public":  # no file names or paths in the public record
        assert record["public"] is True and "inputs" not in record
        return
    assert record["layers"]["incidents"]["source"] == FILE_NAME


def test_map_runs_no_payload_in_chromium(run: Path) -> None:
    if run.name == "out-lib":  # write_report draws no map
        assert not (run / "map.html").exists()
        return
    data = map_data(run / "map.html")
    assert data["title"].startswith("<b>=2+5 {{7*7}} &lt;img")  # escaped once, never evaluated
    with open_page(run / "map.html", executable=require_browser(),
                   wait_for="path.hotspot-marker") as result:  # fmt: skip
        page = result.page
        clicked = 0
        for selector in ("path.hotspot-area", "path.hotspot-marker", "path.fix-target"):
            for element in page.locator(selector).all():
                element.dispatch_event("click")
                page.locator(".leaflet-popup-content").last.wait_for()
                clicked += 1
        for element in page.locator("path.leaflet-interactive").all()[:200]:
            element.dispatch_event("mouseover")
        assert clicked >= 2
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("svg[onload]").count() == 0
        assert page.locator("#hotspots-title").inner_text().startswith("=2+5 {{7*7}} <img")
        if run.name == "out-team":
            attribution = page.locator(".leaflet-control-attribution").inner_text()
            assert ATTRIBUTION in attribution
        assert result.page_errors == []
        assert all("tiles.example.org" in r for r in result.outside_requests)


def test_briefs_run_nothing_in_chromium(run: Path) -> None:
    if run.name != "out-team":  # briefs are written for the team only
        assert not (run / "briefs.html").exists()
        return
    text = (run / "briefs.html").read_text(encoding="utf-8")
    assert "<script" not in text.lower() and "<img" not in text
    with open_page(run / "briefs.html", executable=require_browser()) as result:
        page = result.page
        assert page.locator("section.brief").count() == 3
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("svg[onload]").count() == 0
        assert "MAIN ST" in page.locator("section.brief h1").first.inner_text().upper()
        assert result.problems == []


def test_public_folder_has_no_id_text_or_event_coordinate(run: Path) -> None:
    if run.name != "out-public":
        return
    import numpy as np
    from mapdata import numbers_near

    paths = datasets.paths("scene")
    inc = pd.read_csv(paths["incidents"])
    con = pd.read_csv(paths["concerns"], dtype=str, keep_default_na=False)
    lon = pd.concat([inc["lon"], pd.to_numeric(con["longitude"], errors="coerce")])
    lat = pd.concat([inc["lat"], pd.to_numeric(con["latitude"], errors="coerce")])
    events = np.c_[lon, lat]
    events = events[np.isfinite(events).all(axis=1) & (np.abs(events).min(axis=1) > 0.01)]  # 0/0
    words = [d for d in con["details"] if len(d) > 12]
    assert words
    names = sorted(p.name for p in run.iterdir())
    assert names == ["grid_counts.csv", "map.html", "places.csv", "report.md", "run.json"], names
    for path in run.iterdir():
        text = path.read_text(encoding="utf-8")
        assert numbers_near(text, events, 1.0) == [], path.name
        assert "IDROW" not in text, path.name  # every id ends in " IDROW<row>"
        assert "A" * 200 not in text, path.name  # the long description
        assert not [w for w in words if w in text], path.name
