"""The offline map: layers, popups, escaping proven in a real browser, public mode."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest
import scenes as sc
from browser import artifact, open_page, require_browser
from mapdata import layer, map_data, number_pairs

from hotspots import ValidationError, diagnose, make_map, recommend

PAYLOADS = [
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss = 2">',
    '"><svg onload="window.__xss = 3">',
    "javascript:window.__xss = 4",
]


def hostile_scene():
    """A hot spot round a light that is out, with an attack string in every text field.

    Each field also carries a marker word (EVID, OFFENSE, ...) so a test can tell which
    field leaked.
    """
    ev = sc.events()
    ev["id"] = [f"{PAYLOADS[i % 4]}EVID{i}" for i in range(len(ev))]
    ev["offense"] = [f"{PAYLOADS[i % 4]}OFFENSE" for i in range(len(ev))]
    lights = [(f"{PAYLOADS[1]}LIGHTID", 0, 0, "out"), *sc.FAR_LIGHTS]
    concerns = sc.concerns([f"street light out {p} CONCERNTEXT" for p in PAYLOADS], dx=3)
    hedge = sc.obstruction(f"{PAYLOADS[2]}OBSID", f"{PAYLOADS[0]}hedge", 8, -10, 10, 10)
    study, clusters = sc.scene(
        incidents=ev,
        light_specs=lights,
        stop_specs=[(f"{PAYLOADS[3]}STOPID", 20, 20)],
        obstruction_rows=[hedge],
        concern_frame=concerns,
    )
    stops = study.stops.copy()
    stops["name"] = f"{PAYLOADS[0]}STOPNAME"
    study = sc.replace(study, stops=stops)
    clusters["cluster_id"] = [f"{PAYLOADS[2]}CLUSTERID"]
    diagnosed = diagnose(study, clusters)
    return study, diagnosed, recommend(diagnosed)


@pytest.fixture(scope="module")
def hostile():
    return hostile_scene()


@pytest.fixture
def chromium() -> str:
    return require_browser()


def test_map_escapes_every_text_from_data(hostile, tmp_path):
    study, clusters, recs = hostile
    path = tmp_path / "map.html"
    make_map(study, clusters, recs).save(path)
    text = path.read_text(encoding="utf-8")
    for payload in PAYLOADS[:3]:
        assert payload not in text
        # nor in JSON-escaped form, which the browser would decode back
        assert payload.replace("/", "\\/") not in text
    assert "&lt;script&gt;" in text or "\\u0026lt;script" in text


def test_payloads_do_not_run_in_a_real_browser(hostile, chromium, tmp_path):
    study, clusters, recs = hostile
    path = tmp_path / "map.html"
    make_map(study, clusters, recs).save(path)
    with open_page(path, executable=chromium, wait_for="path.hotspot-area") as result:
        page = result.page
        page.locator("path.hotspot-area").first.dispatch_event("click")
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        # the attack strings are shown as text, and none ran
        assert "<script>" in popup.inner_text()
        page.mouse.move(10, 10)
        for selector in ("path.leaflet-interactive",):
            for el in page.locator(selector).all()[:40]:
                el.dispatch_event("mouseover")
        assert page.evaluate("() => window.__xss") is None
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("svg[onload]").count() == 0
        assert result.problems == []


def test_sample_map_in_browser_layers_popup_no_errors(chromium, tmp_path):
    study, clusters, recs = sc_study_with_fix()
    path = tmp_path / "map.html"
    make_map(study, clusters, recs).save(path)
    with open_page(path, executable=chromium, wait_for="path.hotspot-area") as result:
        page = result.page
        assert page.locator(".leaflet-container").count() == 1
        assert page.locator("path.hotspot-area").count() == len(clusters)
        assert page.locator("path.leaflet-interactive").count() > 20  # events, lights, targets
        layers = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        joined = " | ".join(layers)
        for name in ("Hot spots by recommended fix", "Incidents", "Street lights marked OUT",
                     "Dark gaps", "Fix targets"):  # fmt: skip
            assert name in joined
        assert page.locator("#hotspots-legend-body").inner_text().startswith("Hot spots by")
        page.locator("path.hotspot-area").first.dispatch_event("click")
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        assert "Repair a light that is out" in text
        assert "20 of 20 events after dark" in text
        assert page.locator(".leaflet-popup-content svg rect").count() >= 24
        result.screenshot(tmp_path / "map.png")
        assert result.problems == []


def sc_study_with_fix():
    study, clusters = sc.scene(light_specs=[("L-1182", 0, 0, "out"), *sc.FAR_LIGHTS])
    clusters["hour_profile"] = [[0] * 23 + [20]]
    clusters["period_counts"] = [[2, 3, 4, 3, 4, 4]]
    diagnosed = diagnose(study, clusters)
    return study, diagnosed, recommend(diagnosed)


def _coordinate_pairs(study, decimals):
    """Every event's (lon, lat) and (lat, lon), as the map would write them."""
    out = set()
    for frame in (study.incidents, study.concerns):
        if len(frame):
            wgs = frame.to_crs(4326)
            for x, y in zip(wgs.geometry.x, wgs.geometry.y, strict=True):
                out.add((f"{round(x, decimals)}", f"{round(y, decimals)}"))
                out.add((f"{round(y, decimals)}", f"{round(x, decimals)}"))
    return out


def test_public_mode_writes_no_event_location_text_or_id(hostile, tmp_path):
    study, clusters, recs = hostile
    path = tmp_path / "public.html"
    make_map(study, clusters, recs, public=True).save(path)
    text = path.read_text(encoding="utf-8")
    numbers = re.findall(r"-?\d+\.\d+", text)
    pairs = set(zip(numbers, numbers[1:], strict=False))  # a point is two numbers in a row
    for decimals in (5, 6):
        leaked = _coordinate_pairs(study, decimals) & pairs
        assert not leaked, f"event coordinates in the public map: {sorted(leaked)[:5]}"
    # no free text, no event, concern or hot-spot ids, no categories
    for marker in ("CONCERNTEXT", "EVID", "OFFENSE", "CLUSTERID"):
        assert marker not in text, marker
    assert "public version" in text


def test_public_mode_suppresses_small_counts(tmp_path):
    study, clusters = sc.scene(light_specs=sc.FAR_LIGHTS)
    m = make_map(study, clusters, None, public=True, min_count=25)
    path = tmp_path / "p.html"
    m.save(path)
    assert "fewer than 25 events are hidden" in map_data(path)["legend"]
    # 20 events in all: no 100 m cell reaches 25, so none is shown
    assert layer(map_data(path), "Incidents").get("props") is None
    m = make_map(study, clusters, None, public=True, min_count=1)
    m.save(path)
    assert sum(layer(map_data(path), "Incidents per")["props"]["count"]) == 20


def test_many_events_are_aggregated_not_one_marker_each(tmp_path):
    big = sc.events(n=5000, radius_m=400)
    big["date"] = big["date"].iloc[0]
    study, clusters = sc.scene(incidents=big, light_specs=sc.FAR_LIGHTS)
    path = tmp_path / "big.html"
    make_map(study, clusters).save(path)
    text = path.read_text(encoding="utf-8")
    assert re.search(r"Incidents per \d+ m cell", text)
    assert path.stat().st_size < 2_000_000


def test_map_is_deterministic(tmp_path):
    study, clusters, recs = sc_study_with_fix()
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    make_map(study, clusters, recs).save(a)
    make_map(study, clusters, recs).save(b)
    assert a.read_bytes() == b.read_bytes()


def test_empty_recommendations_and_no_hotspots_still_draw(tmp_path):
    study, clusters = sc.scene(light_specs=sc.FAR_LIGHTS)
    none = gpd.GeoDataFrame(clusters.iloc[:0], geometry="geometry", crs=clusters.crs)
    make_map(study, none).save(tmp_path / "none.html")
    assert (tmp_path / "none.html").stat().st_size > 100_000
    assert np.isfinite(study.incidents.total_bounds).all()


def scene_assessment():
    """The generated scene's planted intervention, assessed, with its diagnosed hot spots."""
    import warnings

    import shapely

    from hotspots import datasets, find_hotspots
    from hotspots.assessment import assess

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the scene's messy rows warn on purpose
        study = datasets.load_study("scene")
    truth = datasets.load_truth()
    row = truth.loc[truth["kind"] == "intervention"].iloc[0]
    centre = gpd.GeoSeries([shapely.Point(row["x_m"], row["y_m"])], crs=32630).to_crs(study.crs)
    assessment = assess(study, centre.iloc[0].buffer(30),
                        intervention_date=row["intervention_date"], before_days=90)  # fmt: skip
    clusters = diagnose(study, find_hotspots(study))
    return study, clusters, recommend(clusters), assessment


def test_assessment_layer_legend_and_popup_in_browser(chromium, tmp_path):
    study, clusters, recs, assessment = scene_assessment()
    path = tmp_path / "assessed.html"
    make_map(study, clusters, recs, assessment=assessment).save(path)
    text = path.read_text(encoding="utf-8")
    assert "Assessment: treated area, buffer, control" in text
    with open_page(path, executable=chromium, wait_for="path.assessment-area") as result:
        page = result.page
        assert page.locator("path.assessment-area").count() == 3
        layers = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        assert any("Assessment" in name for name in layers)
        legend = page.locator("#hotspots-legend-body").inner_text()
        for label in ("Treated area", "Displacement buffer", "Control area"):
            assert label in legend
        page.locator("path.assessment-area").first.dispatch_event("click")
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        shown = popup.inner_text()
        assert "Assessment:" in shown and "before" in shown
        assert "rate ratio" in shown.lower() and "Weighted displacement quotient" in shown
        # toggling the layer off removes the three areas
        page.locator(".leaflet-control-layers-overlays label", has_text="Assessment").locator(
            "input"
        ).uncheck()
        assert page.locator("path.assessment-area").count() == 0
        assert result.problems == []


def test_assessment_public_mode_and_escaping(hostile, tmp_path):
    study, clusters, recs, assessment = scene_assessment()
    # the summary is text: anything HTML in it is escaped (a category from the data)
    params = dict(assessment.parameters, categories=[PAYLOADS[0]])
    hostile_assessment = type(assessment)(
        areas=assessment.areas, counts=assessment.counts, overall=assessment.overall,
        night=assessment.night, day=assessment.day, parameters=params,
    )  # fmt: skip
    assert PAYLOADS[0] in hostile_assessment.summary()
    path = tmp_path / "a.html"
    make_map(study, clusters, recs, assessment=hostile_assessment).save(path)
    text = path.read_text(encoding="utf-8")
    assert PAYLOADS[0] not in text and PAYLOADS[0].replace("/", "\\/") not in text
    public = tmp_path / "p.html"
    make_map(study, clusters, recs, assessment=assessment, public=True).save(public)
    page = public.read_text(encoding="utf-8")
    assert "Assessment: treated area, buffer, control" in page
    # treated area as a circle round a centre rounded to 3 decimals: no hull vertex written
    treated = assessment.areas.to_crs(4326).geometry.iloc[0]
    pairs = number_pairs(page)
    for x, y in list(treated.exterior.coords)[:10]:
        assert (f"{round(y, 6)}", f"{round(x, 6)}") not in pairs


def test_hot_spots_are_one_layer_and_every_marker_and_target_opens_its_place(chromium, tmp_path):
    study, clusters, recs = sc_study_with_fix()
    path = tmp_path / "map.html"
    make_map(study, clusters, recs).save(path)
    with open_page(path, executable=chromium, wait_for="path.hotspot-marker") as result:
        page = result.page
        layers = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        assert sum("Hot spot" in name for name in layers) == 1, layers
        assert page.locator("path.hotspot-marker").count() == len(clusters)
        assert page.locator(".hotspot-rank").first.inner_text() == "1"
        for selector in ("path.hotspot-marker", "path.fix-target"):
            page.locator(selector).first.dispatch_event("click")
            popup = page.locator(".leaflet-popup-content").last
            popup.wait_for()
            assert "Repair a light that is out" in popup.inner_text()
            assert "Effect:" in popup.inner_text()
        # switching the layer off hides areas and markers together
        page.get_by_label(re.compile("Hot spots by recommended fix")).uncheck()
        assert page.locator("path.hotspot-area").count() == 0
        assert page.locator("path.hotspot-marker").count() == 0
        assert result.problems == []


def test_legend_lists_every_symbol_drawn(tmp_path):
    study, clusters, recs = sc_study_with_fix()
    path = tmp_path / "map.html"
    make_map(study, clusters, recs).save(path)
    legend = map_data(path)["legend"]
    for label in ("Incidents", "Light marked out", "Street light", "Fix target", "Hot spot",
                  "Repair a light that is out"):  # fmt: skip
        assert label in legend, label


def test_base_map_on_by_default_and_off_with_none(tmp_path):
    study, clusters, recs = sc_study_with_fix()
    plain = tmp_path / "plain.html"
    make_map(study, clusters, recs, tiles=None).save(plain)
    assert "tile.openstreetmap.org" not in plain.read_text(encoding="utf-8")
    assert map_data(plain)["tiles"] is None
    tiled = tmp_path / "tiles.html"
    make_map(study, clusters, recs).save(tiled)  # the base map is on by default
    text = tiled.read_text(encoding="utf-8")
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in text
    assert "OpenStreetMap contributors" in text and "Base map (needs internet)" in text
    with pytest.raises(ValidationError, match="https XYZ template"):
        make_map(study, clusters, recs, tiles="http://insecure/{z}/{x}/{y}.png")
    with pytest.raises(ValidationError, match="tiles_attribution is required"):
        make_map(study, clusters, recs, tiles="https://tiles.example.org/{z}/{x}/{y}.png")


# --- text from data is never code: template syntax, URLs, attribution (issue 10) ---------

TEMPLATES = [
    "Stop {{7*7}}",
    "{{lipsum.__globals__.os.makedirs(range.__name__)}}",  # makes a folder `range` if run
    "Light out again {{ since monday",
    "{% every week",
    "{# lamp",
    "Main St {{ (stand B)",
    "photo https://evil.example/x.png and //evil.example/y.js",
]


def template_scene():
    """One hot spot whose every text field holds template syntax or a URL."""
    ev = sc.events()
    ev["id"] = [f"{TEMPLATES[i % len(TEMPLATES)]} E{i}" for i in range(len(ev))]
    ev["offense"] = [TEMPLATES[i % len(TEMPLATES)] for i in range(len(ev))]
    lights = [(TEMPLATES[1], 0, 0, "out"), *sc.FAR_LIGHTS]
    concerns = sc.concerns([f"street light out {t}" for t in TEMPLATES], dx=3)
    hedge = sc.obstruction(TEMPLATES[5], TEMPLATES[2], 8, -10, 10, 10)
    study, clusters = sc.scene(
        incidents=ev,
        light_specs=lights,
        stop_specs=[(TEMPLATES[3], 20, 20)],
        obstruction_rows=[hedge],
        concern_frame=concerns,
    )
    stops = study.stops.copy()
    stops["name"] = TEMPLATES[0]
    study = sc.replace(study, stops=stops)
    clusters["cluster_id"] = [TEMPLATES[0]]
    diagnosed = diagnose(study, clusters)
    return study, diagnosed, recommend(diagnosed)


@pytest.mark.parametrize("public", [False, True])
def test_template_syntax_in_data_is_text_and_never_runs(public, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    study, clusters, recs = template_scene()
    path = tmp_path / "map.html"
    make_map(study, clusters, recs, public=public, min_count=1, title=TEMPLATES[2]).save(path)
    text = path.read_text(encoding="utf-8")
    assert not (tmp_path / "range").exists(), "a template expression from data was run"
    assert "Stop 49" not in text
    data = map_data(path)
    if public:  # no stop drawn; its name locates the place, as text
        assert "near Stop {{7*7}}" in layer(data, "Hot spots by")["props"]["popup"][0]
    else:
        assert "Stop {{7*7}}" in layer(data, "Bus stops")["props"]["name"]
    assert "Light out again {{ since monday" in data["title"]
    if not public:
        assert TEMPLATES[1] in layer(data, "Street lights marked OUT")["props"]["id"]
        assert "{{7*7}}" in layer(data, "Hot spots by")["props"]["popup"][0]


def test_url_in_data_text_is_not_a_resource(tmp_path):
    study, clusters, recs = template_scene()
    path = tmp_path / "map.html"
    make_map(study, clusters, recs).save(path)  # no OfflineError: data text is not loaded
    assert TEMPLATES[6] in layer(map_data(path), "Incidents")["props"]["category"]


def test_template_scene_in_browser_every_popup_and_tooltip(chromium, tmp_path):
    study, clusters, recs = template_scene()
    path = tmp_path / "map.html"
    make_map(study, clusters, recs).save(path)
    with open_page(path, executable=chromium, wait_for="path.hotspot-area") as result:
        page = result.page
        for selector in ("path.hotspot-area", "path.hotspot-marker", "path.fix-target"):
            for el in page.locator(selector).all():
                el.dispatch_event("click")
                popup = page.locator(".leaflet-popup-content").last  # the last one opened
                popup.wait_for()
                assert "Hot spot Stop {{7*7}}" in popup.inner_text()
        for el in page.locator("path.leaflet-interactive").all()[:60]:
            el.dispatch_event("mouseover")
        assert "Light out again {{ since monday" not in page.locator("#hotspots-title").inner_text()
        assert page.locator("#hotspots-legend-body").inner_text().startswith("Hot spots by")
        assert result.problems == []


def test_tile_attribution_is_text(chromium, tmp_path):
    study, clusters, recs = sc_study_with_fix()
    path = tmp_path / "tiles.html"
    attribution = '<svg onload="window.__pwned=1">Tiles &copy; Example'
    make_map(
        study, clusters, recs, tiles="https://tiles.example.org/{z}/{x}/{y}.png",
        tiles_attribution=attribution,
    ).save(path)  # fmt: skip
    with open_page(path, executable=chromium, wait_for="path.hotspot-area") as result:
        page = result.page
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("svg[onload]").count() == 0
        assert attribution in page.locator(".leaflet-control-attribution").inner_text()
        # tiles were asked for (and blocked by the test); nothing else went wrong
        assert all("tiles.example.org" in r for r in result.outside_requests)
        assert result.page_errors == []
        assert all("Failed to load resource" in c for c in result.console_errors)


def test_public_mode_leaves_out_places_under_the_minimum(tmp_path):
    study, clusters, recs = sc_study_with_fix()
    path = tmp_path / "public.html"
    too_many = int(clusters["n_events"].max()) + 1
    make_map(study, clusters, recs, public=True, min_count=too_many).save(path)
    data = map_data(path)
    assert not [s for s in data["layers"] if s["name"].startswith("Hot spot")]
    assert "not shown" in data["title"] and "0 recurring hot spots" in data["title"]
    make_map(study, clusters, recs, public=True, min_count=1).save(path)
    assert len(layer(map_data(path), "Hot spots")["points"]) == len(clusters)


@pytest.mark.parametrize("public", [False, True])
def test_code_in_a_stop_name_or_light_id_does_not_run(public, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    study, clusters = sc.scene(
        light_specs=[(TEMPLATES[1], 0, 0, "out"), *sc.FAR_LIGHTS], stop_specs=[("S1", 20, 20)]
    )
    stops = study.stops.copy()
    stops["name"] = TEMPLATES[1]
    study = sc.replace(study, stops=stops)
    make_map(study, clusters, public=public, min_count=1).save(tmp_path / "map.html")
    assert not (tmp_path / "range").exists(), "a template expression from data was run"


# --- the DC map a team opens (issue 15) ----------------------------------------------------


@pytest.fixture(scope="module")
def dc_map(tmp_path_factory):
    import warnings

    from hotspots import datasets, find_hotspots

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = datasets.load_study("dc")
        clusters = diagnose(study, find_hotspots(study))
    recs = recommend(clusters)
    path = tmp_path_factory.mktemp("dc") / "map.html"
    make_map(study, clusters, recs).save(path)  # base map on (the default)
    return path, clusters, recs


def test_dc_every_top_20_place_opens_by_marker_and_by_fix_target(dc_map, chromium):
    path, clusters, recs = dc_map
    data = map_data(path)
    markers = next(s for s in data["layers"] if s.get("label_by") == "rank")
    targets = layer(data, "Fix targets")
    with open_page(path, executable=chromium, wait_for="path.hotspot-marker") as result:
        page = result.page
        ranks = page.locator(".hotspot-rank").all_inner_texts()
        assert sorted(int(r) for r in ranks) == list(range(1, len(clusters) + 1))
        for i, key in enumerate(markers["props"]["cluster_id"][:20]):
            page.locator("path.hotspot-marker").nth(i).dispatch_event("click")
            popup = page.locator(".leaflet-popup-content").last
            popup.wait_for()
            rank = markers["props"]["rank"][i]
            assert popup.inner_text().startswith(f"#{rank} Hot spot {key} \u2014 "), key
            assert " block of " in popup.inner_text() or "near " in popup.inner_text()
        for i, key in enumerate(targets["props"]["cluster_id"]):
            page.locator("path.fix-target").nth(i).dispatch_event("click")
            popup = page.locator(".leaflet-popup-content").last
            popup.wait_for()
            assert f"Hot spot {key} " in popup.inner_text()
        legend = page.locator("#hotspots-legend-body").inner_text()
        for spec in data["layers"]:  # each layer drawn has its symbol in the legend
            word = re.sub(r" \(.*", "", spec["name"]).split(" by ")[0].rstrip("s")
            word = {"Street lights": "Street light", "Dark gap": "Dark gap"}.get(word, word)
            assert word.split()[0] in legend, (spec["name"], legend)
        assert "Check the layer first" in legend
        assert result.problems == []


def _boxes(page):
    selectors = {"title": "#hotspots-title", "legend": "#hotspots-legend",
                 "zoom": ".leaflet-control-zoom", "layers": ".leaflet-control-layers"}  # fmt: skip
    return {name: page.locator(css).bounding_box() for name, css in selectors.items()}


def _overlap(a, b) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])  # fmt: skip


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)], ids=["desktop", "phone"])
def test_title_legend_and_zoom_are_visible_and_apart(dc_map, chromium, size):
    path, _, _ = dc_map
    with open_page(path, executable=chromium, viewport=size, wait_for="path.hotspot-marker") as r:
        page = r.page
        boxes = _boxes(page)
        r.screenshot(artifact(f"dc-map-{size[0]}x{size[1]}.png"))
        for name, box in boxes.items():
            assert box is not None and box["width"] > 0, name
            assert box["x"] >= 0 and box["y"] >= 0, name
            assert box["x"] + box["width"] <= size[0] and box["y"] + box["height"] <= size[1], name
        names = list(boxes)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                assert not _overlap(boxes[a], boxes[b]), (a, b, boxes[a], boxes[b])
        toggle = page.locator("#hotspots-legend-toggle")
        body = page.locator("#hotspots-legend-body")
        assert body.is_visible() == (size[0] >= 700)  # phones start with the legend folded
        toggle.click()
        assert body.is_visible() == (size[0] < 700)
        r.screenshot(artifact(f"dc-map-{size[0]}x{size[1]}-legend-toggled.png"))
        assert r.problems == []


def test_offline_every_data_layer_draws_and_no_data_request_fails(dc_map, chromium):
    path, _, _ = dc_map
    data = map_data(path)
    assert data["tiles"]["url"].startswith("https://tile.openstreetmap.org/")
    with open_page(path, executable=chromium, wait_for="path.hotspot-marker") as result:
        page = result.page
        assert result.tile_requests, "the base map asked for no tiles"
        drawn = page.evaluate(
            "() => { const out = {}; map_0001.eachLayer(l => { if (l.getLayers) {"
            " out[l._leaflet_id] = l.getLayers().length; } }); return Object.values(out); }"
        )
        assert sum(drawn) > 0
        labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        names = {re.sub("&gt;", ">", s["name"]) for s in data["layers"]}
        for name in names:
            assert any(name in label for label in labels), name
        # each data layer is on the map: every checkbox but none missing
        boxes = page.locator(".leaflet-control-layers-overlays input").all()
        assert all(b.is_checked() for b in boxes)
        n_places = len(layer(data, "Hot spots by")["props"]["cluster_id"])
        assert page.locator("path.hotspot-area").count() == n_places > 0
        assert page.locator("canvas, path.leaflet-interactive").count() > n_places
        assert result.outside_requests == [] and result.page_errors == []
        assert result.console_errors == []


def test_no_tiles_requested_with_tiles_none(tmp_path, chromium):
    study, clusters, recs = sc_study_with_fix()
    path = tmp_path / "offline.html"
    make_map(study, clusters, recs, tiles=None).save(path)
    with open_page(path, executable=chromium, wait_for="path.hotspot-marker") as result:
        assert result.tile_requests == [] and result.problems == []


def test_check_layer_first_places_are_dashed_and_labelled(tmp_path):
    study, clusters, recs = sc_study_with_fix()
    path = tmp_path / "check.html"
    # the recommendations' flag decides (a fix resting on a likely layer gap)
    make_map(study, clusters, recs.assign(check_layer_first=True)).save(path)
    areas = layer(map_data(path), "Hot spots by")
    assert areas["props"]["outline"] == [{"dashArray": "2 6"}] * len(clusters)
    assert "Check the layer first" in areas["props"]["popup"][0]
    assert "Check the layer first" in map_data(path)["legend"]
    make_map(study, clusters, recs.assign(check_layer_first=False)).save(path)
    assert "Check the layer first" not in map_data(path)["legend"]
    # without the recommendations' column, the places' own flag
    plain = recs.drop(columns=["check_layer_first"], errors="ignore")
    make_map(study, clusters.assign(check_layer_first=True), plain).save(path)
    assert "Check the layer first" in map_data(path)["legend"]


def test_streets_layer_is_drawn_with_names(tmp_path):
    import shapely

    study, clusters, recs = sc_study_with_fix()
    x, y = clusters.geometry.iloc[0].centroid.coords[0]
    streets = gpd.GeoDataFrame(
        {"street_name": ["Main St <b>", "High St"]},
        geometry=[shapely.LineString([(x - 200, y), (x + 200, y)]),
                  shapely.LineString([(x, y - 200), (x, y + 200)])], crs=study.crs,
    )  # fmt: skip
    path = tmp_path / "streets.html"
    make_map(study, clusters, recs, streets=streets).save(path)
    spec = layer(map_data(path), "Streets (2)")
    assert spec["props"]["street"] == ["Main St &lt;b&gt;", "High St"]
    assert "Street" in map_data(path)["legend"]
    file = tmp_path / "streets.geojson"
    streets.to_crs(4326).to_file(file, driver="GeoJSON")
    make_map(study, clusters, recs, streets=file).save(path)
    assert layer(map_data(path), "Streets (2)")
    with pytest.raises(ValidationError, match="no CRS"):
        make_map(study, clusters, recs, streets=streets.set_crs(None, allow_override=True))
