"""The map a problem-solving team reviews: one self-contained HTML file.

:func:`make_map` draws the hot spots coloured by their top recommended fix, the events
(points, or counts per grid cell when there are many), lights (working and out), bus stops,
obstructions, dark gaps and fix targets, each a layer that can be toggled, with a legend, a
title and a popup per hot spot holding its evidence in words and two small inline SVG charts
(hour of day, events per week). ``Map.save(path)`` writes one HTML file with every script and
style inlined: it opens offline, from an e-mail attachment, in any browser.

Every text that came from data (ids, categories, residents' words) is HTML-escaped. With
``public=True`` no point location, free text or id of a person or address is written: events
become counts per grid cell with small counts suppressed, and hot spots become circles round
their (rounded) centres.
"""

from __future__ import annotations

import html
import json
import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from folium.utilities import JsCode

from hotspots import _columns as C
from hotspots import _offline
from hotspots._errors import ValidationError
from hotspots.study import Study

if TYPE_CHECKING:
    # only for type hints: maps does not need the assessment stage to run
    from hotspots.assessment import Assessment

__all__ = ["FIX_COLOURS", "HotspotMap", "make_map"]

log = logging.getLogger(__name__)

FIX_COLOURS: dict[str, str] = {
    "repair_light": "#E69F00",
    "add_lighting": "#D55E00",
    "improve_bus_stop": "#0072B2",
    "trim_vegetation": "#009E73",
    "clear_sightline": "#CC79A7",
    "clean_up": "#56B4E9",
    "no_environmental_fix": "#7F7F7F",
}
"""Okabe-Ito colour-blind-safe palette, one colour per fix (grey: none indicated)."""

FIX_LABELS: dict[str, str] = {
    "repair_light": "Repair a light that is out",
    "add_lighting": "Add lighting in a dark gap",
    "improve_bus_stop": "Improve the bus stop",
    "trim_vegetation": "Trim vegetation",
    "clear_sightline": "Clear a blocked sightline",
    "clean_up": "Clean up",
    "no_environmental_fix": "No environmental fix indicated",
}
_OBSTRUCTION_COLOURS = {"hedge": "#009E73", "tree": "#009E73"}
_MAX_POINTS = 3000
_MAX_CELLS = 6000
_NEAR_M = 100.0  # stops and obstructions this near a hot spot (sightline_search_m)
_SVG_MAX = 1500
"""Layers with more features are drawn on a canvas (SVG slows the first render)."""
# one canvas for every such layer (a renderer per feature would be one canvas per light)
_CANVAS = JsCode("(window.hotspotsCanvas = window.hotspotsCanvas || L.canvas())")
_LIGHTS_NEAR_M = 50.0  # lights this near: those in reach (30 m) and their neighbours
"""Lights drawn round the hot spots when there are many: reach (30 m) plus a pool's width."""


class HotspotMap(folium.Map):
    """A folium map whose :meth:`save` writes one self-contained, offline HTML file."""

    allowed_urls: tuple[str, ...] = ()
    """URL prefixes the page may load (only a base-map tile template the caller asked for)."""

    def save(self, outfile: str | Path, close_file: bool = True, **kwargs: Any) -> None:  # noqa: ARG002
        """Write the map as one HTML file with every asset inlined (no network needed)."""
        _offline.save_offline(self, outfile, allow=self.allowed_urls)


def make_map(
    study: Study,
    clusters: gpd.GeoDataFrame,
    recommendations: gpd.GeoDataFrame | None = None,
    *,
    public: bool = False,
    min_count: int | None = None,
    cell_m: float | None = None,
    title: str | None = None,
    assessment: Assessment | None = None,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
) -> HotspotMap:
    """Draw the hot spots, their evidence and fixes on one offline map.

    Parameters
    ----------
    study : Study
    clusters : GeoDataFrame
        Hot spots, diagnosed (:func:`hotspots.diagnose`) or not.
    recommendations : GeoDataFrame, optional
        From :func:`hotspots.recommend`; hot spots are coloured by their top fix.
    public : bool
        Public mode: no point locations (events as counts per grid cell, cells with fewer
        than `min_count` suppressed), no free text, no event or hot-spot ids.
    min_count : int, optional
        Smallest count shown in public mode; default ``settings.public_min_count`` (5).
    cell_m : float, optional
        Grid cell size for aggregated events; default chosen so there are at most a few
        thousand cells (public mode: at least 100 m).
    title : str, optional
        Default: the study's name and date range.
    assessment : Assessment, optional
        From :func:`hotspots.assess`: its treated area, displacement buffer and control
        area are drawn as one layer (solid, dashed and dotted outlines) with a legend entry
        and a popup holding the counts before and after and the plain-language summary.
        In public mode the treated area and buffer are circles round the treated area's
        centre rounded to about 100 m, and the control area is snapped to a 25 m grid.
    tiles : str, optional
        A base map: an XYZ tile URL template (``"https://tile.openstreetmap.org/{z}/{x}/{y}.png"``)
        or ``"OpenStreetMap"``. Off by default: tiles are fetched at view time, so a map
        with tiles needs internet to show them (everything else still works offline).
    tiles_attribution : str, optional
        Attribution shown for a tile URL (required by most tile providers' terms).

    Returns
    -------
    HotspotMap
        A folium map (shows inline in Jupyter); ``.save(path)`` writes the offline HTML.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> study = datasets.load_study("scene")
    >>> m = make_map(study, find_hotspots(study))
    >>> type(m).__name__
    'HotspotMap'
    """
    if not isinstance(study, Study):
        raise ValidationError(f"`study` must be a hotspots.Study, got {type(study).__name__}")
    k_min = int(min_count if min_count is not None else study.settings.public_min_count)
    recs = recommendations if recommendations is not None else _empty_recs(study)
    to_wgs = pyproj.Transformer.from_crs(study.crs, 4326, always_xy=True)
    bounds = _bounds(study, clusters)
    lon0, lat0 = to_wgs.transform((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    sw = to_wgs.transform(bounds[0], bounds[1])
    ne = to_wgs.transform(bounds[2], bounds[3])
    if public:  # the view must not reveal an event's position: ~100 m steps, outwards
        lon0, lat0 = round(lon0, 3), round(lat0, 3)
        sw = (math.floor(sw[0] * 1000) / 1000, math.floor(sw[1] * 1000) / 1000)
        ne = (math.ceil(ne[0] * 1000) / 1000, math.ceil(ne[1] * 1000) / 1000)
    m = _offline.offline_map(
        map_class=HotspotMap, location=[lat0, lon0], zoom_start=15, control_scale=True
    )
    m.get_root().header.add_child(folium.Element(f"<script>{_POPUP_JS}</script>"))
    if tiles is not None:
        _add_tiles(m, tiles, tiles_attribution)
    m.fit_bounds([[sw[1], sw[0]], [ne[1], ne[0]]])

    top_fix = _top_fix(clusters, recs)
    _add_events(m, study, public=public, k_min=k_min, cell_m=cell_m)
    if not public:
        _add_dark_gaps(m, study, clusters)
    near = _near_area(clusters, _NEAR_M)
    _add_lights(m, study, _near_area(clusters, _LIGHTS_NEAR_M))
    _add_stops(m, study, near, public)
    _add_obstructions(m, study, near, public)
    _add_hotspots(m, study, clusters, recs, top_fix, public)
    if not public and len(recs):
        _add_targets(m, study, recs)
    if assessment is not None:
        _add_assessment(m, study, assessment, public)
    folium.LayerControl(collapsed=False).add_to(m)
    first, last = study.time_span()
    span = f"{first:%d %b %Y} \u2013 {last:%d %b %Y}" if first is not None else ""
    heading = title if title is not None else f"{study.name}"
    _add_title(m, heading, span, len(clusters), public)
    _add_legend(m, sorted(set(top_fix.values())) or ["no_environmental_fix"], public,
                assessment=assessment is not None, k_min=k_min)  # fmt: skip
    log.info("map: %d hot spots, %d fix rows, public=%s", len(clusters), len(recs), public)
    return m


# =========================================================================================
# layers
# =========================================================================================


_OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"


def _add_tiles(m: HotspotMap, tiles: str, attribution: str | None) -> None:
    """Add a base map whose tiles load from the network at view time."""
    url = _OSM if tiles.lower() == "openstreetmap" else tiles
    if not url.startswith("https://") or "{z}" not in url:
        raise ValidationError(
            f"tiles must be 'OpenStreetMap' or an https XYZ template with {{z}}/{{x}}/{{y}}, "
            f"got {tiles!r}"
        )
    if url != _OSM and not attribution:
        raise ValidationError("tiles_attribution is required for a tile URL (the provider's)")
    folium.TileLayer(
        url, attr=attribution or _OSM_ATTRIBUTION, name="Base map (needs internet)", max_zoom=19
    ).add_to(m)
    m.allowed_urls = (url.split("{", 1)[0],)


def _empty_recs(study: Study) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"cluster_id": [], "fix": [], "target_id": [], "evidence": [], "priority": []},
        geometry=gpd.GeoSeries([], crs=study.crs),
        crs=study.crs,
    )


def _bounds(study: Study, clusters: gpd.GeoDataFrame) -> np.ndarray:
    if study.boundary is not None:
        return np.array(study.boundary.bounds)
    for frame in (clusters, study.incidents, study.concerns, study.lights):
        if len(frame):
            return frame.total_bounds
    raise ValidationError("nothing to map: no hot spots and no layers")


def _top_fix(clusters: gpd.GeoDataFrame, recs: gpd.GeoDataFrame) -> dict[str, str]:
    if not len(recs):
        return {}
    best = recs.sort_values(["priority", "fix"], ascending=[False, True]).drop_duplicates(
        "cluster_id"
    )
    known = set(clusters["cluster_id"]) if "cluster_id" in clusters else set()
    return {c: f for c, f in zip(best["cluster_id"], best["fix"], strict=True) if c in known}


def _wgs(frame: gpd.GeoDataFrame, grid: float = 1e-6) -> gpd.GeoDataFrame:
    """`frame` in lon/lat, snapped to `grid` degrees (1e-6 ~ 0.1 m; 1e-5 ~ 1 m for markers)."""
    out = frame.to_crs(4326)
    return out.set_geometry(shapely.set_precision(out.geometry.to_numpy(), grid))


def _geojson(frame: gpd.GeoDataFrame, columns: list[str]) -> dict[str, Any]:
    """GeoJSON with only the listed (escaped, JSON-safe) properties.

    Built from arrays (``shapely.to_geojson``), about ten times faster than
    ``GeoDataFrame.to_json`` for tens of thousands of features.
    """
    values = []
    for col in columns:
        series = frame[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            values.append([html.escape(str(v)) for v in series.tolist()])
        else:
            values.append(
                [None if isinstance(v, float) and not math.isfinite(v) else v
                 for v in series.tolist()]
            )  # fmt: skip
    geoms = shapely.to_geojson(frame.geometry.to_numpy())
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": dict(zip(columns, row, strict=True)),
                "geometry": json.loads(g) if g is not None else None,
            }
            for g, *row in zip(geoms.tolist(), *values, strict=True)
        ],
    }


def _grid(xy: np.ndarray, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Cell origins and counts of points on a grid of `cell_m` metres, cells in (i, j) order.

    One integer key per point (``np.unique`` on rows sorts structured records, about 20x
    slower at a million points).
    """
    if not len(xy):
        return np.zeros((0, 2)), np.zeros(0, np.int64)
    ij = np.floor(xy / cell_m).astype(np.int64)
    lo = ij.min(axis=0)
    ij -= lo
    ny = int(ij[:, 1].max()) + 1
    keys, counts = np.unique(ij[:, 0] * ny + ij[:, 1], return_counts=True)
    cells = np.c_[keys // ny + lo[0], keys % ny + lo[1]]
    return cells * cell_m, counts


def _cell_size(xy: np.ndarray, wanted: float | None, floor_m: float) -> float:
    if wanted is not None:
        return float(wanted)
    size = max(floor_m, 25.0)
    # the centres of the occupied base cells fall in the same coarser cells as their points
    # (coarse edges are multiples of the base size): one pass over the points, not one per size
    origin, _ = _grid(xy, size)
    centres = origin + size / 2
    while len(_grid(centres, size)[1]) > _MAX_CELLS:
        size *= 2
    return size


def _add_events(
    m: folium.Map, study: Study, *, public: bool, k_min: int, cell_m: float | None
) -> None:
    to_wgs = pyproj.Transformer.from_crs(study.crs, 4326, always_xy=True)
    for frame, label, colour in (
        (study.incidents, "Incidents", "#333333"),
        (study.concerns, "Resident concerns", "#0072B2"),
    ):
        if not len(frame):
            continue
        xy = shapely.get_coordinates(frame.geometry.to_numpy())
        if public or len(frame) > _MAX_POINTS:
            size = _cell_size(xy, cell_m, 100.0 if public else 25.0)
            origin, counts = _grid(xy, size)
            shown = counts >= k_min if public else np.ones(len(counts), bool)
            name = f"{label} per {size:.0f} m cell"  # public: the legend says what is hidden
            if not shown.any():  # every cell below the public threshold: nothing to draw
                folium.FeatureGroup(name=f"{label}: none shown").add_to(m)
                continue
            top = max(int(counts[shown].max()), 1)
            folium.GeoJson(
                _cell_features(origin[shown], counts[shown], size, to_wgs),
                name=name,
                # styled in the browser from the count, drawn on a canvas: thousands of
                # cells as SVG paths (and folium's per-feature style table) are slow
                style=JsCode(
                    f"function (f) {{ return {{color: {json.dumps(colour)}, weight: 0.5, "
                    f"fillColor: {json.dumps(colour)}, "
                    f"fillOpacity: 0.15 + 0.6 * f.properties.count / {top}}}; }}"
                ),
                renderer=JsCode("L.canvas()"),
                tooltip=folium.GeoJsonTooltip(["count"], aliases=[label]),
            ).add_to(m)
            continue
        points = frame[[C.CATEGORY, frame.geometry.name]].copy()
        folium.GeoJson(
            _geojson(_wgs(points), [C.CATEGORY]),
            name=f"{label} ({len(frame):,})",
            marker=folium.CircleMarker(radius=3, weight=1, color=colour, fill=True,
                                       fill_color=colour, fill_opacity=0.6),
            tooltip=folium.GeoJsonTooltip([C.CATEGORY], aliases=["Category"]),
        ).add_to(m)  # fmt: skip


def _cell_features(
    origin: np.ndarray, counts: np.ndarray, size: float, to_wgs: pyproj.Transformer
) -> dict[str, Any]:
    """GeoJSON squares (in lon/lat, 6 decimals) with their counts, built from arrays."""
    x0, y0 = origin[:, 0], origin[:, 1]
    xs = np.stack([x0, x0 + size, x0 + size, x0, x0], axis=1)
    ys = np.stack([y0, y0, y0 + size, y0 + size, y0], axis=1)
    lon, lat = to_wgs.transform(xs, ys)
    rings = np.round(np.stack([lon, lat], axis=2), 6).tolist()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"count": int(n)},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
            for ring, n in zip(rings, counts.tolist(), strict=True)
        ],
    }


def _near_area(clusters: gpd.GeoDataFrame, distance_m: float) -> Any:
    """Return the hot spots grown by `distance_m` as one geometry (None without hot spots)."""
    if not len(clusters):
        return None
    return shapely.union_all(shapely.buffer(clusters.geometry.to_numpy(), distance_m, quad_segs=4))


def _near(frame: gpd.GeoDataFrame, near: Any, keep: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """Keep the rows near the hot spots (all rows when there are few).

    Rows flagged in `keep` (lights marked out) stay wherever they are while there are at
    most ``_MAX_POINTS`` of them; beyond that only those near the hot spots are drawn too.
    """
    if len(frame) <= _MAX_POINTS or near is None:
        return frame
    shapely.prepare(near)
    mask = shapely.intersects(near, frame.geometry.to_numpy())
    if keep is not None and int(keep.sum()) <= _MAX_POINTS:
        mask |= keep
    return frame[mask]


def _grid_deg(n: int) -> float:
    """Coordinate precision of a context layer: ~1 m when it is large, else ~0.1 m."""
    return 1e-5 if n > _SVG_MAX else 1e-6


def _canvas(layer: folium.GeoJson, n: int) -> folium.GeoJson:
    """Draw a layer of more than ``_SVG_MAX`` features on a canvas, not as SVG elements."""
    if n > _SVG_MAX:
        if layer.marker is not None:
            layer.marker.options["renderer"] = _CANVAS
        else:
            layer.options["renderer"] = _CANVAS
    return layer


def _add_lights(m: folium.Map, study: Study, near: Any) -> None:
    lights = study.lights
    if not len(lights):
        return
    out = (lights[C.STATUS] == C.STATUS_OUT).to_numpy()
    lights = _near(lights, near, keep=out)
    for mask, name, style in (
        (lights[C.STATUS] != C.STATUS_OUT, "Street lights (working or unknown)",
         {"radius": 2, "color": "#8A7A00", "fill_color": "#F0E442", "weight": 1}),
        (lights[C.STATUS] == C.STATUS_OUT, "Street lights marked OUT",
         {"radius": 6, "color": "#D55E00", "fill_color": "#000000", "weight": 3}),
    ):  # fmt: skip
        part = lights[mask.to_numpy()]
        if not len(part):
            continue
        _canvas(
            folium.GeoJson(
                _geojson(
                    _wgs(part[[C.ID, C.STATUS, part.geometry.name]], _grid_deg(len(part))),
                    [C.ID, C.STATUS],
                ),
                name=f"{name} ({len(part):,})",
                marker=folium.CircleMarker(fill=True, fill_opacity=0.9, **style),
                tooltip=folium.GeoJsonTooltip([C.ID, C.STATUS], aliases=["Light", "Status"]),
            ),
            len(part),
        ).add_to(m)


def _add_stops(m: folium.Map, study: Study, near: Any, public: bool) -> None:
    stops = _near(study.stops, near)
    if not len(stops):
        return
    cols = [C.NAME] if public else [C.ID, C.NAME]
    _canvas(folium.GeoJson(
        _geojson(_wgs(stops[[*cols, stops.geometry.name]], _grid_deg(len(stops))), cols),
        name=f"Bus stops ({len(stops):,})",
        marker=folium.CircleMarker(radius=3, color="#222222", weight=1.5, fill=True,
                                   fill_color="#FFFFFF", fill_opacity=1.0),
        tooltip=folium.GeoJsonTooltip(cols, aliases=["Stop", "Name"][-len(cols):]),
    ), len(stops)).add_to(m)  # fmt: skip


def _add_obstructions(m: folium.Map, study: Study, near: Any, public: bool) -> None:
    obs = _near(study.obstructions, near)
    if not len(obs):
        return
    cols = [C.KIND] if public else [C.ID, C.KIND]
    _canvas(folium.GeoJson(
        _geojson(_wgs(obs[[*cols, obs.geometry.name]], _grid_deg(len(obs))), cols),
        name=f"Obstructions ({len(obs):,})",
        # styled in the browser: folium's style table lists every feature id per style
        style=JsCode(
            f"function (f) {{ var c = {json.dumps(_OBSTRUCTION_COLOURS)}[f.properties.kind];"
            ' return {color: c || "#CC79A7", weight: 3, fillOpacity: 0.5}; }'
        ),
        tooltip=folium.GeoJsonTooltip(cols, aliases=["Obstruction", "Kind"][-len(cols) :]),
    ), len(obs)).add_to(m)  # fmt: skip


def _add_dark_gaps(m: folium.Map, study: Study, clusters: gpd.GeoDataFrame) -> None:
    """Draw the parts of each hot spot farther than the light reach from working lights."""
    if "dark_area_share" not in clusters or not len(clusters):
        return
    dark = clusters[clusters["dark_area_share"].fillna(0) > 0]
    if not len(dark):
        return
    lights = study.lights[study.lights[C.STATUS] != C.STATUS_OUT]
    reach = study.settings.light_radius_m
    points = lights.geometry.to_numpy()
    tree = shapely.STRtree(points)
    gaps = []
    for poly in dark.geometry.to_numpy():
        # pools of only the lights within reach (not of every light in the city)
        near = points[tree.query(poly, predicate="dwithin", distance=reach)]
        lit = shapely.buffer(near, reach, quad_segs=8)
        gap = shapely.difference(poly, shapely.union_all(lit)) if len(lit) else poly
        gaps.append(shapely.simplify(gap, 1.0))  # 1 m: the arcs of the pools, fewer vertices
    frame = gpd.GeoDataFrame({"what": ["dark gap"] * len(gaps)}, geometry=gaps, crs=study.crs)
    frame = frame[~frame.geometry.is_empty]
    folium.GeoJson(
        _geojson(_wgs(frame), ["what"]),
        name=f"Dark gaps (> {reach:.0f} m from a working light)",
        style_function=lambda _f: {
            "color": "#000000",
            "weight": 0,
            "fillColor": "#000000",
            "fillOpacity": 0.35,
        },  # fmt: skip
    ).add_to(m)


def _add_hotspots(
    m: folium.Map,
    study: Study,
    clusters: gpd.GeoDataFrame,
    recs: gpd.GeoDataFrame,
    top_fix: dict[str, str],
    public: bool,
) -> None:
    if not len(clusters):
        return
    frame = clusters[["cluster_id", clusters.geometry.name]].copy()
    frame["fix"] = [top_fix.get(c, "") for c in clusters["cluster_id"]]
    frame["colour"] = [FIX_COLOURS.get(f, "#444444") for f in frame["fix"]]
    by_cluster = _recs_by_cluster(recs)
    rows = pd.DataFrame(clusters.drop(columns=clusters.geometry.name)).to_dict("records")
    frame["popup"] = [
        _popup_html(row, by_cluster.get(row["cluster_id"], []), public, i + 1)
        for i, row in enumerate(rows)
    ]
    if public:
        # circles round centres rounded to ~100 m: no vertex of an event hull is written
        centre = shapely.centroid(frame.geometry.to_numpy())
        radius = np.sqrt(shapely.area(frame.geometry.to_numpy()) / np.pi)
        c_wgs = gpd.GeoSeries(centre, crs=study.crs).to_crs(4326)
        lat = np.round(c_wgs.y.to_numpy(), 3)
        lon = np.round(c_wgs.x.to_numpy(), 3)
        group = folium.FeatureGroup(name=f"Hot spots ({len(frame)})")
        for la, lo, r, colour, popup in zip(lat, lon, radius, frame["colour"], frame["popup"],
                                            strict=True):  # fmt: skip
            folium.Circle(
                location=[float(la), float(lo)], radius=float(max(r, 50.0)), color=colour,
                weight=3, fill=True, fill_color=colour, fill_opacity=0.35,
                popup=folium.Popup(popup, max_width=360),
            ).add_to(group)  # fmt: skip
            folium.CircleMarker(  # seen at city zoom, like the team map's markers
                location=[float(la), float(lo)], radius=8, color="#FFFFFF", weight=2,
                fill=True, fill_color=colour, fill_opacity=0.95,
                popup=folium.Popup(popup, max_width=360),
            ).add_to(group)  # fmt: skip
        group.add_to(m)
        return
    data = _wgs(frame)
    features = json.loads(
        data[["cluster_id", "fix", "colour", data.geometry.name]].to_json(drop_id=True)
    )
    for feature, popup in zip(features["features"], frame["popup"], strict=True):
        feature["properties"]["popup"] = popup  # already escaped HTML; JSON-encoded below
        feature["properties"]["cluster_id"] = html.escape(str(feature["properties"]["cluster_id"]))
    folium.GeoJson(
        features,
        name=f"Hot spots by recommended fix ({len(frame)})",
        style_function=lambda f: {"color": f["properties"]["colour"], "weight": 3,
                                  "fillColor": f["properties"]["colour"], "fillOpacity": 0.35},
        highlight_function=lambda _f: {"weight": 5, "fillOpacity": 0.55},
        on_each_feature=JsCode(
            "function(feature, layer) {"
            " layer.bindPopup(feature.properties.popup, _POPUP_OPTIONS);"
            " layer.bindTooltip(feature.properties.cluster_id);"
            " window._HOTSPOT_AREAS[feature.properties.cluster_id] = layer;"
            " layer.on('add', function () {"
            " if (layer._path) { L.DomUtil.addClass(layer._path, 'hotspot-area'); } }); }"
        ),
    ).add_to(m)  # fmt: skip
    # a marker at each centre, so that a place of a few metres is seen at city zoom
    centres = shapely.centroid(data.geometry.to_numpy())
    markers = {  # the popup stays with the polygon: a marker opens its polygon's popup
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {k: f["properties"][k] for k in ("cluster_id", "colour")},
                "geometry": shapely.geometry.mapping(c),
            }
            for f, c in zip(features["features"], centres, strict=True)
        ],
    }
    folium.GeoJson(
        markers,
        name=f"Hot spot markers ({len(frame)})",
        marker=folium.CircleMarker(radius=8, weight=2, fill=True, fill_opacity=0.95),
        style_function=lambda f: {"color": "#FFFFFF", "fillColor": f["properties"]["colour"]},
        on_each_feature=JsCode(
            "function(feature, layer) {"
            " layer.bindPopup(function () {"
            " var area = window._HOTSPOT_AREAS[feature.properties.cluster_id];"
            " return area ? area.getPopup().getContent() : ''; }, _POPUP_OPTIONS);"
            " layer.bindTooltip(feature.properties.cluster_id);"
            " layer.on('add', function () {"
            " if (layer._path) { L.DomUtil.addClass(layer._path, 'hotspot-marker'); } }); }"
        ),
    ).add_to(m)  # fmt: skip


def _add_targets(m: folium.Map, study: Study, recs: gpd.GeoDataFrame) -> None:
    targets = recs[recs["fix"] != "no_environmental_fix"]
    if not len(targets):
        return
    frame = targets[["cluster_id", "fix", "target_id", targets.geometry.name]].copy()
    frame["label"] = [
        f"{FIX_LABELS.get(f, f)}: {t}" if t else FIX_LABELS.get(f, f)
        for f, t in zip(frame["fix"], frame["target_id"], strict=True)
    ]
    frame["colour"] = [FIX_COLOURS.get(f, "#444444") for f in frame["fix"]]
    data = _geojson(_wgs(frame), ["cluster_id", "label", "colour"])
    folium.GeoJson(
        data,
        name=f"Fix targets ({len(frame)})",
        marker=folium.CircleMarker(radius=7, weight=3, fill=True, fill_opacity=1.0),
        style_function=lambda f: {"color": "#000000", "fillColor": f["properties"]["colour"]},
        tooltip=folium.GeoJsonTooltip(["label"], aliases=["Fix"]),
    ).add_to(m)
    del study


_POPUP_JS = (
    "var _POPUP_OPTIONS = {maxWidth: 380, autoPanPaddingTopLeft: [20, 90]};"
    " window._HOTSPOT_AREAS = {};"
)
"""Popup options shared by the layers: pan clear of the title box."""

_AREA_LABELS = {"treated": "Treated area", "buffer": "Displacement buffer",
                "control": "Control area"}  # fmt: skip
_AREA_STYLE: dict[str, dict[str, Any]] = {
    "treated": {"color": "#000000", "weight": 3, "fillColor": "#000000", "fillOpacity": 0.08},
    "buffer": {"color": "#444444", "weight": 2, "dashArray": "8 5", "fillOpacity": 0.0},
    "control": {"color": "#666666", "weight": 2, "dashArray": "2 5", "fillOpacity": 0.0},
}
_AREA_LINE = {"treated": "solid", "buffer": "dashed", "control": "dotted"}
_AREAS = ("treated", "buffer", "control")  # hotspots.assessment.AREAS


def _assessment_popup(assessment: Assessment, area: str) -> str:
    """Build the popup: counts of each area before / after and the summary, escaped."""
    esc = html.escape
    counts = assessment.counts
    rows = "".join(
        f"<tr><td>{esc(_AREA_LABELS[a])}</td>"
        + "".join(f'<td style="text-align:right">{int(counts.loc[(a, p), "all"]):,}</td>'
                  for p in ("before", "after"))
        + "</tr>"
        for a in _AREAS
    )  # fmt: skip
    e = assessment.overall
    stats = (
        f"Rate ratio {e.rate_ratio:.2f} ({e.ci_low:.2f}\u2013{e.ci_high:.2f}), "
        f"p = {e.p_value:.3g}; WDQ {e.wdq:.2f}"
        if math.isfinite(e.rate_ratio)
        else ""
    )
    return (
        '<div class="assessment-popup" style="font:12px sans-serif;max-width:360px">'
        f"<b>Assessment: {esc(_AREA_LABELS[area])}</b>"
        f'<table style="margin:4px 0"><tr><th></th><th>before</th><th>after</th></tr>{rows}'
        f'</table>{esc(stats)}<p style="margin:4px 0">{esc(assessment.summary())}</p></div>'
    )


def _add_assessment(m: folium.Map, study: Study, assessment: Assessment, public: bool) -> None:
    """Treated area, buffer and control of an assessment: one toggleable layer."""
    if not all(hasattr(assessment, a) for a in ("areas", "counts", "overall", "summary")):
        raise ValidationError(
            "`assessment` must be a hotspots.Assessment (from hotspots.assess), got "
            f"{type(assessment).__name__}"
        )
    areas = assessment.areas
    if areas.crs is None:
        raise ValidationError("`assessment.areas` has no CRS; make it with hotspots.assess")
    areas = areas.to_crs(study.crs)
    geoms = dict(zip(areas["area"], areas.geometry.to_numpy(), strict=True))
    group = folium.FeatureGroup(name="Assessment: treated area, buffer, control")
    if public:
        # no vertex of a hot spot's hull: circles round the rounded centre, a coarse control
        centre = gpd.GeoSeries([shapely.centroid(geoms["treated"])], crs=study.crs).to_crs(4326)
        lat, lon = round(float(centre.y.iloc[0]), 3), round(float(centre.x.iloc[0]), 3)
        r_treated = max(math.sqrt(shapely.area(geoms["treated"]) / math.pi), 50.0)
        r_buffer = r_treated + float(assessment.parameters.get("buffer_m", 200.0))
        control = gpd.GeoDataFrame(
            {"area": ["control"]},
            geometry=[shapely.set_precision(geoms["control"], 25.0)],
            crs=study.crs,
        )
        _area_geojson(_wgs(control), assessment).add_to(group)
        for area, radius in (("buffer", r_buffer), ("treated", r_treated)):
            style = _AREA_STYLE[area]
            folium.Circle(
                location=[lat, lon], radius=radius, color=style["color"], weight=style["weight"],
                dash_array=style.get("dashArray"), fill=style["fillOpacity"] > 0,
                fill_opacity=style["fillOpacity"],
                popup=folium.Popup(_assessment_popup(assessment, area), max_width=380),
            ).add_to(group)  # fmt: skip
    else:
        frame = gpd.GeoDataFrame(
            {"area": list(_AREAS)}, geometry=[geoms[a] for a in _AREAS], crs=study.crs
        )
        _area_geojson(_wgs(frame), assessment).add_to(group)
    group.add_to(m)


def _area_geojson(frame: gpd.GeoDataFrame, assessment: Assessment) -> folium.GeoJson:
    data = _geojson(frame, ["area"])
    for feature in data["features"]:
        area = feature["properties"]["area"]
        feature["properties"]["label"] = _AREA_LABELS[area]
        feature["properties"]["popup"] = _assessment_popup(assessment, area)
    return folium.GeoJson(
        data,
        style_function=lambda f: _AREA_STYLE[f["properties"]["area"]],
        on_each_feature=JsCode(
            "function(feature, layer) {"
            " layer.bindPopup(feature.properties.popup, _POPUP_OPTIONS);"
            " layer.bindTooltip(feature.properties.label);"
            " layer.on('add', function () {"
            " if (layer._path) { L.DomUtil.addClass(layer._path, 'assessment-area'); } }); }"
        ),
    )


# =========================================================================================
# popup, charts, legend, title
# =========================================================================================


def _svg_bars(values: list[float], *, width: int = 240, height: int = 48, label: str) -> str:
    vals = np.asarray(values, float)
    if not len(vals) or not np.isfinite(vals).any() or vals.max() <= 0:
        return ""
    bar = width / len(vals)
    top = vals.max()
    w = f"{max(bar - 1, 1):.1f}".removesuffix(".0")
    rects = "".join(  # fill set once on the <svg>: about a third fewer bytes per popup
        f'<rect x="{i * bar:.1f}" y="{height - 12 - h:.1f}" width="{w}" height="{h:.1f}"/>'
        for i, h in enumerate(vals / top * (height - 14))
    )
    ticks = ""
    if len(vals) == 24:
        ticks = "".join(
            f'<text x="{i * bar:.1f}" y="{height - 1}" font-size="8">{i}</text>'
            for i in (0, 6, 12, 18)
        )
    return (
        f'<div style="font-size:11px;margin-top:4px">{html.escape(label)}</div>'
        f'<svg width="{width}" height="{height}" fill="#555" role="img" '
        f'aria-label="{html.escape(label)}">'
        f"{rects}{ticks}</svg>"
    )


def _fmt_time(value: Any) -> str:
    try:
        return f"{pd.Timestamp(value):%d %b %Y}"
    except (TypeError, ValueError):
        return ""


def _recs_by_cluster(recs: gpd.GeoDataFrame) -> dict[Any, list[dict[str, Any]]]:
    """Fix rows per hot spot, highest priority first (one pass, not one filter per spot)."""
    out: dict[Any, list[dict[str, Any]]] = {}
    if not len(recs):
        return out
    cols = ["cluster_id", "fix", "target_id", "evidence", "priority"]
    ordered = pd.DataFrame(recs[cols]).sort_values("priority", ascending=False, kind="stable")
    for row in ordered.to_dict("records"):
        out.setdefault(row["cluster_id"], []).append(row)
    return out


def _popup_html(c: dict[str, Any], recs: list[dict[str, Any]], public: bool, rank: int) -> str:
    esc = html.escape
    name = f"Hot spot {rank}" if public else f"Hot spot {esc(str(c['cluster_id']))}"
    parts = [f'<div class="hotspot-popup" style="font:12px sans-serif;max-width:360px">'
             f"<b>{name}</b><br>"]  # fmt: skip
    n = int(c.get("n_events", 0) or 0)
    counts = f"{n} events"
    if "n_incidents" in c and "n_concerns" in c:
        counts += f" ({int(c['n_incidents'])} incidents, {int(c['n_concerns'])} concerns)"
    parts.append(counts + "<br>")
    if "first_seen" in c:
        parts.append(f"{_fmt_time(c['first_seen'])} \u2013 {_fmt_time(c['last_seen'])}")
        if "n_days" in c:
            parts.append(f" on {int(c['n_days'])} days")
        parts.append("<br>")
    if "trend" in c and c["trend"]:
        parts.append(f"Trend: {esc(str(c['trend']))}<br>")
    if "after_dark_share" in c and pd.notna(c["after_dark_share"]):
        parts.append(f"After dark: {c['after_dark_share']:.0%}<br>")
    if recs:
        parts.append('<ul style="padding-left:16px;margin:4px 0">')
        for r in recs:
            fix = str(r["fix"])
            label = FIX_LABELS.get(fix, fix)
            target_id = r["target_id"]
            has_target = target_id is not None and pd.notna(target_id) and str(target_id) != ""
            target = f" ({esc(str(target_id))})" if has_target and not public else ""
            evidence = "" if public else f"<br>{esc(str(r['evidence']))}"
            parts.append(
                f'<li><b class="fix" data-fix="{esc(fix)}">{esc(label)}</b>{target}{evidence}</li>'
            )
        parts.append("</ul>")
    if "hour_profile" in c and isinstance(c["hour_profile"], (list, np.ndarray)):
        parts.append(_svg_bars(list(c["hour_profile"]), label="Events by hour of day"))
    if "period_counts" in c and isinstance(c["period_counts"], (list, np.ndarray)):
        parts.append(_svg_bars(list(c["period_counts"]), label="Events per week"))
    phrases = c.get("top_phrases")
    if not public and isinstance(phrases, (list, np.ndarray)) and len(phrases):
        quoted = "".join(f"<li>\u201c{esc(str(p))}\u201d</li>" for p in list(phrases)[:3])
        parts.append(f'<div style="margin-top:4px">Residents say:<ul>{quoted}</ul></div>')
    parts.append("</div>")
    return "".join(parts)


def _add_title(m: folium.Map, heading: str, span: str, n: int, public: bool) -> None:
    mode = " \u00b7 public version" if public else ""
    box = (
        '<div id="hotspots-title" style="position:fixed;top:10px;left:60px;z-index:650;'
        "background:rgba(255,255,255,0.92);padding:6px 10px;border:1px solid #999;"
        'font:14px sans-serif">'
        f"<b>{html.escape(heading)}</b><br><span>{html.escape(span)} \u00b7 {n} recurring "
        f"hot spots{mode}</span></div>"
    )
    m.get_root().html.add_child(folium.Element(box))


def _add_legend(
    m: folium.Map, fixes: list[str], public: bool, *, assessment: bool, k_min: int = 0
) -> None:
    rows = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;background:'
        f'{FIX_COLOURS[f]};margin-right:6px"></span>{html.escape(FIX_LABELS[f])}</div>'
        for f in fixes
        if f in FIX_COLOURS
    )
    extra = (
        '<div><span style="display:inline-block;width:10px;height:10px;border-radius:5px;'
        'background:#F0E442;border:1px solid #8A7A00;margin-right:6px"></span>Street light</div>'
        '<div><span style="display:inline-block;width:10px;height:10px;border-radius:5px;'
        'background:#000;border:2px solid #D55E00;margin-right:6px"></span>Light marked out</div>'
        '<div><span style="display:inline-block;width:7px;height:7px;border-radius:5px;'
        'background:#FFF;border:1.5px solid #222;margin-right:6px"></span>Bus stop</div>'
    )
    if not public:
        extra += (
            '<div><span style="display:inline-block;width:12px;height:12px;background:#000;'
            'opacity:0.35;margin-right:6px"></span>Dark gap</div>'
        )
    else:
        extra += (
            '<div style="margin-top:4px">Events: counts per grid cell;<br>cells with fewer '
            f"than {int(k_min)} events are hidden</div>"
        )
    if assessment:
        extra += '<div style="margin-top:4px"><b>Assessment</b></div>' + "".join(
            f'<div class="assessment-key"><span style="display:inline-block;width:14px;'
            f"height:8px;border:2px {_AREA_LINE[a]} {_AREA_STYLE[a]['color']};"
            f'margin-right:6px"></span>{html.escape(_AREA_LABELS[a])}</div>'
            for a in _AREAS
        )
    box = (
        '<div id="hotspots-legend" style="position:fixed;bottom:50px;left:10px;z-index:650;'
        "background:rgba(255,255,255,0.92);padding:6px 10px;border:1px solid #999;"
        f'font:12px sans-serif"><b>Hot spots by recommended fix</b>{rows}'
        f'<div style="margin-top:4px"></div>{extra}</div>'
    )
    m.get_root().html.add_child(folium.Element(box))
