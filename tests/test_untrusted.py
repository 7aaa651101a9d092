"""Untrusted text through the whole `hotspots analyze` run: it stays text in the map.

Every text field of every layer, the input file's name and every text argument carry
template syntax, code-execution payloads, HTML, URLs, formula prefixes, bidirectional
controls, control characters and a very long string. Each run (team and public) exits 0,
nothing is evaluated (no folder made, no 49), and the map opened in Chromium, with every
hot spot, marker and fix target clicked, runs none of it. The report and CSV side of the same
rule is in test_report_safety.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from browser import open_page, require_browser
from mapdata import map_data

SCENE = Path(__file__).resolve().parents[1] / "data" / "samples" / "scene"

PAYLOADS = [
    "{{7*7}}",
    "{{lipsum.__globals__.os.makedirs(range.__name__)}}",  # makes a folder `range` if run
    "stray {{ {% {# braces",
    "</script><script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2">',
    "javascript:window.__pwned=3",
    "https://evil.example/x.png",
    "=2+5",
    "+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1",
    "\r=1",
    "\u202eright-to-left override",
    "nul\x00and\x01control\x1fcharacters",
    "x" * 20_000,
]
NAME = "{{lipsum.__globals__.os.makedirs(range.__name__)}} <script>window.__pwned=5</script>"
ATTRIBUTION = '<svg onload="window.__pwned=6">Tiles {{7*7}}'
FILE_NAME = "=1+1 {{7*7}} <img src=x onerror=window.__pwned=4>.csv"


def _cycle(n: int, tag: str) -> list[str]:
    return [f"{PAYLOADS[i % len(PAYLOADS)]} {tag}{i}" for i in range(n)]


def hostile_inputs(folder: Path) -> dict[str, Path]:
    """The scene's files with a payload in every text field; the incidents file badly named."""
    folder.mkdir(parents=True, exist_ok=True)
    incidents = pd.read_csv(SCENE / "incidents.csv")
    incidents["id"] = _cycle(len(incidents), "E")
    incidents["category"] = [PAYLOADS[i % len(PAYLOADS)] for i in range(len(incidents))]
    concerns = pd.read_csv(SCENE / "concerns.csv")
    concerns["id"] = _cycle(len(concerns), "C")
    concerns["details"] = [f"street light out {p}" for p in _cycle(len(concerns), "T")]
    stops = pd.read_csv(SCENE / "stops.csv")
    stops["stop_id"] = _cycle(len(stops), "S")
    stops["stop_name"] = _cycle(len(stops), "N")
    lights = gpd.read_file(SCENE / "lights.geojson")
    lights["id"] = _cycle(len(lights), "L")
    obstructions = gpd.read_file(SCENE / "obstructions.geojson")
    obstructions["id"] = _cycle(len(obstructions), "O")
    obstructions["kind"] = [
        f"{kind} {PAYLOADS[i % len(PAYLOADS)]}" for i, kind in enumerate(obstructions["kind"])
    ]
    paths = {
        "incidents": folder / FILE_NAME,
        "concerns": folder / "concerns.csv",
        "stops": folder / "stops.csv",
        "lights": folder / "lights.geojson",
        "obstructions": folder / "obstructions.geojson",
        "boundary": SCENE / "boundary.geojson",
    }
    incidents.to_csv(paths["incidents"], index=False)
    concerns.to_csv(paths["concerns"], index=False)
    stops.to_csv(paths["stops"], index=False)
    lights.to_file(paths["lights"], driver="GeoJSON")
    obstructions.to_file(paths["obstructions"], driver="GeoJSON")
    return paths


def analyze(
    paths: dict[str, Path], out: Path, cwd: Path, *extra: str
) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "hotspots", "analyze", "--tz", "Europe/London", "--name", NAME]
    for kind, path in paths.items():
        args += [f"--{kind}", str(path)]
    return subprocess.run(
        [*args, "--out", str(out), *extra], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One team run (with a base map whose attribution is hostile) and one public run."""
    root = tmp_path_factory.mktemp("untrusted")
    paths = hostile_inputs(root / "in")
    team = analyze(paths, root / "team", root, "--tiles", "https://tiles.example.org/{z}/{x}/{y}.png",
                   "--tiles-attribution", ATTRIBUTION)  # fmt: skip
    public = analyze(paths, root / "public", root, "--public")
    return root, {"team": team, "public": public}


@pytest.mark.parametrize("mode", ["team", "public"])
def test_analyze_exits_0_and_evaluates_nothing(runs, mode):
    root, done = runs
    result = done[mode]
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (root / "range").exists(), "a template expression from data was run"
    data = map_data(root / mode / "map.html")
    text = json.dumps(data)
    assert "{{lipsum" in data["title"]
    assert "49" not in data["title"]
    if mode == "team":
        assert "{{7*7}}" in text and "stray {{ {% {# braces" in text


@pytest.mark.parametrize("mode", ["team", "public"])
def test_map_runs_no_payload_in_chromium(runs, mode):
    chromium = require_browser()
    root, done = runs
    assert done[mode].returncode == 0, done[mode].stderr[-3000:]
    path = root / mode / "map.html"
    with open_page(path, executable=chromium, wait_for="path.hotspot-marker") as result:
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
        assert page.locator("#hotspots-title").inner_text().startswith("{{lipsum")
        if mode == "team":
            attribution = page.locator(".leaflet-control-attribution").inner_text()
            assert ATTRIBUTION in attribution
        assert result.page_errors == []
        assert all("tiles.example.org" in r for r in result.outside_requests)
