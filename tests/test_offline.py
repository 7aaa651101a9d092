"""Offline HTML: vendored assets inlined, nothing fetched, deterministic, works in Chromium."""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import browser
import folium
import pytest
from browser import is_ci, missing_browser_action, open_page, require_browser
from folium.plugins import FastMarkerCluster, MarkerCluster

from hotspots._offline import (
    ASSETS,
    CIRCLE_MARKER_CALLBACK,
    OfflineError,
    inline_html,
    offline_map,
    save_offline,
)

# URLs written inside the vendored libraries (a namespace, comments, the attribution
# link): present in the page as text, never requested.
VENDORED_TEXT_URLS = {
    "http://www.w3.org/2000/svg",
    "https://leafletjs.com",
    "https://bugzilla.mozilla.org/show_bug.cgi?id=888319",
    "https://github.com/Leaflet/Leaflet.markercluster",
}
ANY_URL = re.compile(r"\b(?:https?|wss?|ftp):(?://)?[^\s\"'<>()\\`]+", re.IGNORECASE)
AREA = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Corner of 5th and Main"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[-77.03, 38.895], [-77.02, 38.895], [-77.02, 38.902], [-77.03, 38.902]]
                    + [[-77.03, 38.895]]
                ],
            },
        }
    ],
}


def tiny_map() -> folium.Map:
    """Three circle markers, a polygon with a popup, 50 + 20 clustered points, a pin."""
    m = offline_map(location=[38.9, -77.03], zoom_start=14)
    for i in range(3):
        folium.CircleMarker(
            [38.905 + 0.002 * i, -77.04], radius=6, popup=f"light {i}", tooltip=f"light {i}"
        ).add_to(m)
    folium.GeoJson(
        AREA,
        name="areas",
        style_function=lambda _: {"color": "#2166ac", "className": "test-area"},
        popup=folium.GeoJsonPopup(fields=["name"], labels=False),
    ).add_to(m)
    cluster = MarkerCluster(name="incidents").add_to(m)
    for i in range(50):
        folium.CircleMarker([38.89 + 0.00002 * i, -77.04 + 0.00002 * (i % 7)], radius=3).add_to(
            cluster
        )
    rows = [[38.91 + 0.00002 * i, -77.02, f"stop {i}"] for i in range(20)]
    FastMarkerCluster(rows, name="stops", callback=CIRCLE_MARKER_CALLBACK).add_to(m)
    folium.Marker([38.9, -77.035], popup="default pin").add_to(m)
    folium.LayerControl().add_to(m)
    return m


@pytest.fixture
def chromium() -> str:
    return require_browser()


# --- vendored files -----------------------------------------------------------------


def test_vendored_files_match_their_checksums_and_carry_licences():
    assets = resources.files("hotspots").joinpath("_assets")
    sums = assets.joinpath("SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in sums:
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
        data = assets.joinpath(*name.split("/")).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
    assert set(ASSETS.values()) <= set(listed)
    for licence in (
        "leaflet/LICENSE",
        "jquery/LICENSE.txt",
        "leaflet.markercluster/MIT-LICENCE.txt",
    ):
        assert licence in listed


def test_asset_table_covers_what_folium_links():
    links = set(dict(folium.Map.default_js[:2]).values()) | {folium.Map.default_css[0][1]}
    links |= {url for _, url in MarkerCluster.default_js + MarkerCluster.default_css}
    assert links <= set(ASSETS)


# --- offline_map ---------------------------------------------------------------------


def test_offline_map_links_only_leaflet_and_jquery_and_does_not_leak():
    bootstrap_before = dict(folium.Map.default_js)["bootstrap"]
    m = offline_map(location=[38.9, -77.03])
    assert [name for name, _ in m.default_js] == ["leaflet", "jquery"]
    assert [name for name, _ in m.default_css] == ["leaflet_css"]
    assert dict(folium.Map.default_js)["bootstrap"] == bootstrap_before
    assert "bootstrap" in dict(folium.Map().default_js)


def test_offline_map_has_no_tiles_and_a_max_zoom():
    html = offline_map(location=[38.9, -77.03]).get_root().render()
    assert "L.tileLayer" not in html
    assert '"maxZoom": 19' in html


# --- save_offline / inline_html ------------------------------------------------------


def test_saved_page_loads_nothing_from_outside(tmp_path):
    page = save_offline(tiny_map(), tmp_path / "map.html").read_text(encoding="utf-8")
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\s[^>]*\bhref\s*=", page, re.IGNORECASE)
    assert not re.search(r"url\(\s*[\"']?\s*(?:[a-z]+:)?//", page, re.IGNORECASE)
    assert set(ANY_URL.findall(page)) <= VENDORED_TEXT_URLS
    assert page.count("/*! jQuery v3.7.1") == 1
    assert "Leaflet 1.9.3" in page
    assert page.count("L.MarkerClusterGroup=") == 1


def test_save_is_byte_identical_and_ids_are_counters(tmp_path):
    first = save_offline(tiny_map(), tmp_path / "a.html").read_bytes()
    second = save_offline(tiny_map(), tmp_path / "b.html").read_bytes()
    m = tiny_map()
    again = [save_offline(m, tmp_path / f"c{i}.html").read_bytes() for i in range(2)]
    assert first == second == again[0] == again[1]
    text = first.decode("utf-8")
    assert not re.search(r"_[0-9a-f]{32}\b", text)
    assert "var map_0001 = L.map(" in text


def test_hex_looking_user_text_is_not_renamed(tmp_path):
    case_id = "case_" + "ab" * 16
    m = offline_map(location=[38.9, -77.03])
    folium.CircleMarker([38.9, -77.03], popup=case_id).add_to(m)
    assert case_id in save_offline(m, tmp_path / "map.html").read_text(encoding="utf-8")


def test_inline_html_raises_on_an_unknown_script():
    page = '<head><script src="https://cdn.example.org/lib/v2/lib.min.js"></script></head>'
    with pytest.raises(OfflineError, match=r"`https://cdn\.example\.org/lib/v2/lib\.min\.js`"):
        inline_html(page)


def test_inline_html_lists_every_outside_reference_at_once():
    page = "\n".join(
        [
            '<link rel="stylesheet" href="https://cdn.example.org/a.css"/>',
            '<style>.x { background: url("//img.example.org/b.png"); }</style>',
            '<img src="photos/c.jpg">',
            '<script>var p = $(`<div><img src="https://img.example.org/d.png"></div>`);</script>',
            '<script>L.tileLayer("https://tiles.example.org/{z}/{x}/{y}.png").addTo(m);</script>',
        ]
    )
    with pytest.raises(OfflineError, match="5 resources") as caught:
        inline_html(page)
    message = str(caught.value)
    for part in ("a.css", "//img.example.org/b.png", "photos/c.jpg", "d.png", "tiles.example.org"):
        assert part in message


def test_links_and_namespaces_are_allowed():
    page = (
        '<script>var h = `<a href="https://example.org/report?id=7">report</a>`;'
        'var s = `<svg xmlns="http://www.w3.org/2000/svg"></svg>`;</script>'
    )
    assert inline_html(page) == page


def test_tiles_need_an_explicit_allow(tmp_path):
    m = offline_map(location=[38.9, -77.03], tiles="OpenStreetMap")
    with pytest.raises(OfflineError, match="tile.openstreetmap.org"):
        save_offline(m, tmp_path / "tiles.html")
    assert not (tmp_path / "tiles.html").exists()
    out = save_offline(m, tmp_path / "tiles.html", allow=["https://tile.openstreetmap.org/"])
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in out.read_text(encoding="utf-8")


def test_plain_folium_map_is_refused_naming_its_cdn_links(tmp_path):
    m = folium.Map(location=[38.9, -77.03], tiles=None)  # folium's own defaults: CDN links
    with pytest.raises(OfflineError, match="bootstrap"):
        save_offline(m, tmp_path / "plain.html")


# --- a real browser ------------------------------------------------------------------


def test_page_works_offline_in_chromium(chromium, tmp_path, record_property):
    path = save_offline(tiny_map(), tmp_path / "map.html")
    with open_page(path, executable=chromium, wait_for="path.leaflet-interactive") as result:
        page = result.page
        assert result.problems == []
        assert page.locator(".leaflet-container").count() == 1
        # 3 circle markers + 1 polygon; the 50 + 20 clustered points are two cluster icons
        assert page.locator("path.leaflet-interactive").count() == 4
        clusters = sorted(page.locator(".marker-cluster").all_inner_texts())
        assert [c.strip() for c in clusters] == ["20", "50"]
        pin_width = page.locator("img.leaflet-marker-icon").evaluate("img => img.naturalWidth")
        assert pin_width == 25

        page.locator("path.test-area").click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert popup.inner_text().strip() == "Corner of 5th and Main"
        page.wait_for_function(
            "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
        )
        shot = result.screenshot(tmp_path / "map.png")
        assert shot.stat().st_size > 10_000
        assert result.problems == []
        record_property("load_seconds", round(result.load_seconds, 3))
        record_property("html_bytes", path.stat().st_size)


# --- when the browser is missing -----------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "ci", "expected"),
    [
        (None, False, "run"),
        (None, True, "run"),
        ("no chromium", False, "skip"),
        ("no chromium", True, "fail"),
    ],
)
def test_missing_browser_action(reason, ci, expected):
    assert missing_browser_action(reason, ci=ci) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("yes", True), ("", False), ("0", False), ("false", False)],
)
def test_is_ci(value, expected):
    assert is_ci({"CI": value}) is expected
    assert is_ci({}) is False


def test_require_browser_fails_under_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_browser({"CI": "true"})
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require_browser({})


def test_open_page_records_and_blocks_outside_requests(chromium, tmp_path):
    page = tmp_path / "leaky.html"
    page.write_text(
        '<html><body><img src="https://blocked.example.invalid/x.png">'
        "<script>console.error('boom'); undefinedFunction();</script></body></html>",
        encoding="utf-8",
    )
    with open_page(page, executable=chromium) as result:
        assert result.outside_requests == ["GET https://blocked.example.invalid/x.png"]
        assert "boom" in result.console_errors
        assert any("undefinedFunction" in e for e in result.page_errors)
