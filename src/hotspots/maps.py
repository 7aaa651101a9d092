"""The map a problem-solving team reviews: one self-contained HTML file.

:func:`make_map` draws the hot spots coloured by their top recommended fix, the events
(points, or counts per grid cell when there are many), lights (working and out), bus stops,
obstructions, dark gaps and fix targets, each a layer that can be toggled, with a legend, a
title and a popup per hot spot holding its evidence in words and two small inline SVG charts
(hour of day, events per week). ``HotspotMap.save(path)`` writes one HTML file with every
script and style inlined: it opens offline, from an e-mail attachment, in any browser.

How data reaches the page: folium renders the page skeleton (Leaflet, the map, the title and
legend boxes) from templates that hold no data. Everything from data — coordinates, ids,
names, categories, residents' words, the study name — is written afterwards as one JSON
document in a ``<script type="application/json">`` element (escaped for that place by
:func:`hotspots._escape.script_json`), which the page's own script (``_map.js``) reads and
draws. Strings shown as HTML (popups, tooltips, title, legend) were escaped once with
:func:`hotspots._escape.html_text`. So no text from a file ever passes through Jinja2 (which
folium uses for its templates, and which would evaluate ``{{ ... }}`` in it), and the check
for outside resources never confuses a URL in a resident's text with something the page loads.

With ``public=True`` no point location, free text or id of a person or address is written:
events become counts per grid cell with small counts suppressed, hot spots with fewer than
`min_count` events are left out, and the others become circles round their (rounded) centres.
"""

from __future__ import annotations

import functools
import html
import logging
import math
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from branca.element import MacroElement
from jinja2 import Template

from hotspots import _columns as C
from hotspots import _map_html as H
from hotspots import _offline, fixes
from hotspots._errors import ValidationError
from hotspots._escape import html_text, script_json
from hotspots._tiles import OSM_ATTRIBUTION, tile_problems, tile_url
from hotspots._where import place_ranks
from hotspots.study import Study

if TYPE_CHECKING:
    # only for type hints: maps does not need the assessment stage to run
    from hotspots.assessment import Assessment

__all__ = ["HotspotMap", "make_map"]

log = logging.getLogger(__name__)

_MAX_POINTS = 3000
_MAX_CELLS = 6000
_SVG_MAX = 1500
"""Layers with more features are drawn on a canvas (SVG slows the first render)."""
_LIGHTS_ALL = 20_000
"""Up to this many lights (or stops, obstructions) are all drawn: they carry the street
pattern. Beyond it, those within `_CONTEXT_M` of a place."""
_CONTEXT_M = 150.0
"""Context drawn round each place in a city too large to draw whole: a few blocks."""
_CHECK_FIRST = ("check_layer_first", "light_inventory_gap")
"""Evidence columns (first present wins) that say a place's fix may rest on a gap in the
light inventory rather than a dark street: drawn with a dashed outline."""
_CHECK_DASH = "2 6"
_FULL_POPUPS = 300
"""Places (by rank) whose popups carry the hour and week charts; the rest carry words only
(a city of 2,000 places would otherwise write about 6 MB of charts)."""
_PUBLIC_GRID_SHIFT = 0.3719
"""Public grid origin offset (share of a cell), away from round-metre coordinates."""

_STREET_COLOUR = "#8C8C8C"
_STREET_NAMES = (
    "name",
    "street_name",
    "streetname",
    "full_name",
    "full_street_name",
    "st_name",
    "road_name",
    "fullname",
    "label",
)
_OBSTRUCTION_COLOURS = {"hedge": "#009E73", "tree": "#009E73"}
_OBSTRUCTION_OTHER = "#CC79A7"
_INCIDENT_COLOUR = "#762A83"  # purple and brown: no fix uses them (one meaning per colour)
_CONCERN_COLOUR = "#8C510A"
_COLLAPSE_BELOW_PX = 700
"""Screens narrower than this (phones) start with the layer list collapsed."""
_DATA_SLOT = "@@HOTSPOTS-DATA@@"
_PAGE_SLOT = "@@HOTSPOTS-PAGE@@"


class _Frame(MacroElement):
    """The place of our page parts in folium's page; its template holds no data and no CSS.

    The slot is filled after rendering with `_page_parts` (see `HotspotMap.to_html`).
    """

    _template = Template(
        "{% macro html(this, kwargs) %}" + _PAGE_SLOT + "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "window.hotspotsDraw({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


_CSS = (
    ".hotspots-box{position:fixed;z-index:650;background:rgba(255,255,255,0.92);"
    "padding:6px 10px;border:1px solid #999}"
    "#hotspots-title{top:10px;left:60px;max-width:calc(100% - 130px);font:14px sans-serif}"
    "#hotspots-legend{bottom:50px;left:10px;font:12px sans-serif;max-height:45vh;"
    "overflow-y:auto;max-width:calc(100% - 40px)}"
    "#hotspots-legend-toggle{font:bold 12px sans-serif;border:1px solid #999;background:#fff;"
    "border-radius:3px;padding:2px 6px;margin:0 0 4px 0;cursor:pointer}"
    "#hotspots-legend.collapsed #hotspots-legend-body{display:none}"
    "#hotspots-legend.collapsed #hotspots-legend-toggle{margin:0}"
    ".leaflet-tooltip.hotspot-rank{background:transparent;border:0;box-shadow:none;"
    "color:#fff;font:bold 10px sans-serif;padding:0;text-shadow:0 0 2px #000}"
    ".leaflet-tooltip.hotspot-rank:before{display:none}"
    "@media (max-width:600px){#hotspots-title{font-size:11px;left:50px;"
    "max-width:calc(100% - 110px)}#hotspots-legend{font-size:11px;max-height:35vh;bottom:40px}}"
)


@functools.cache
def _page_parts() -> str:
    """Return our static page parts: style, title and legend boxes, data element, script."""
    code = resources.files("hotspots").joinpath("_map.js").read_text(encoding="utf-8")
    if "</script" in code.lower():
        raise ValidationError("_map.js must not contain `</script`")
    return (
        f"<style>{_CSS}</style>"
        '<div id="hotspots-title" class="hotspots-box"></div>'
        '<div id="hotspots-legend" class="hotspots-box"><button type="button" '
        'id="hotspots-legend-toggle" aria-expanded="true">Legend</button>'
        '<div id="hotspots-legend-body"></div></div>'
        f'<script type="application/json" id="hotspots-data">{_DATA_SLOT}</script>'
        f"<script>{code}</script>"
    )


class HotspotMap(folium.Map):
    """A folium map whose :meth:`save` writes one self-contained, offline HTML file.

    The layers, title and legend are in :attr:`data` (drawn by the page's own script), not
    in folium elements.
    """

    allowed_urls: tuple[str, ...] = ()
    """URL prefixes the page may load (only a base-map tile template the caller asked for)."""
    data: dict[str, Any] | None = None
    """What the page draws: ``{"title", "legend", "tiles", "layers": [...]}`` (JSON-able)."""

    def to_html(self) -> str:
        """Return the whole page: assets inlined, data in its JSON element."""
        return _offline.render_offline(
            self,
            allow=self.allowed_urls,
            code={_PAGE_SLOT: _page_parts()},
            data={_DATA_SLOT: script_json(self.data or {"layers": []})},
        )

    def save(self, outfile: str | Path, close_file: bool = True, **kwargs: Any) -> None:  # noqa: ARG002
        """Write the map as one HTML file with every asset inlined (no network needed)."""
        out = Path(outfile)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(self.to_html().encode("utf-8"))

    def _repr_html_(self, **kwargs: Any) -> str:  # noqa: ARG002
        """Show the offline page in Jupyter, in an iframe."""
        return (
            f'<iframe srcdoc="{html.escape(self.to_html())}" style="width:100%;height:600px;'
            'border:none"></iframe>'
        )


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
    tiles: str | None = "OpenStreetMap",
    tiles_attribution: str | None = None,
    streets: gpd.GeoDataFrame | str | Path | None = None,
    locations: pd.Series | None = None,
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
        than `min_count` suppressed), no free text, no event or hot-spot ids, and hot spots
        with fewer than `min_count` events left out. Lights, stops and obstructions are
        not drawn (an event at a light would be placed by it); the base map shows streets.
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
    tiles : str or None, default "OpenStreetMap"
        The base map: ``"OpenStreetMap"`` or an https XYZ tile URL template
        (``"https://tiles.example.org/{z}/{x}/{y}.png"``). Tiles are fetched when the map
        is viewed; offline the base map stays blank and every data layer still draws.
        ``None``: no base map (nothing is fetched; the command line's ``--offline``).
    tiles_attribution : str, optional
        Attribution shown for a tile URL (required by most tile providers' terms); shown
        as text, never as HTML.
    streets : GeoDataFrame or path, optional
        Street centre lines (any CRS; a file path is read with :func:`geopandas.read_file`),
        drawn as thin grey lines under the data, with the street name as a tooltip when a
        column such as ``name`` or ``street_name`` holds one.
    locations : Series, optional
        Each place's location text, indexed like `clusters` (default: a ``location``
        column of `clusters`, else :func:`hotspots._where.place_locations`). Shown in the
        popup's heading.

    Returns
    -------
    HotspotMap
        A folium map (shows inline in Jupyter); ``.save(path)`` writes the offline HTML.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> study = datasets.load_study("scene")
    >>> m = make_map(study, find_hotspots(study))
    >>> type(m).__name__, [layer["name"] for layer in m.data["layers"]][:2]
    ('HotspotMap', ['Incidents (828)', 'Resident concerns (77)'])
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
    m.fit_bounds([[sw[1], sw[0]], [ne[1], ne[0]]])
    _Frame().add_to(m)
    tile_layer = _tiles(m, tiles, tiles_attribution) if tiles is not None else None
    if locations is None:
        from hotspots._where import LOCATION, place_locations

        locations = (clusters[LOCATION] if LOCATION in clusters
                     else place_locations(study, clusters))  # fmt: skip

    hidden = 0
    if public and len(clusters) and C.N_EVENTS in clusters:
        small = clusters[C.N_EVENTS].fillna(0).to_numpy() < k_min
        hidden = int(small.sum())
        clusters = clusters[~small]
        locations = locations[~small]
        recs = recs[recs[C.CLUSTER_ID].isin(set(clusters[C.CLUSTER_ID]))]
    unknown = sorted(set(recs[C.FIX]) - set(fixes.fix_names())) if len(recs) else []
    if unknown:
        raise ValidationError(
            f"recommendations name fixes that are not in the catalogue: {unknown}; "
            "register them with hotspots.register_fix"
        )
    top_fix = _top_fix(clusters, recs)
    first, last = study.time_span()
    layers = _street_layers(study, streets) if streets is not None else []
    layers += _event_layers(study, public=public, k_min=k_min, cell_m=cell_m)
    if not public:  # exact positions of lights and stops would place the events at them
        near = _context_area(clusters)
        layers += _light_layers(study, near)
        layers += _stop_layers(study, near, public)
        layers += _obstruction_layers(study, near, public)
    areas, *markers = _hotspot_layers(
        study, clusters, recs, top_fix, public, first, list(locations.astype(str))
    ) or [None]
    # dark gaps above the places' fill, markers and targets above both
    layers += [areas] if areas else []
    layers += [] if public else _dark_gap_layers(study, clusters)
    layers += markers
    if not public and len(recs):
        layers += _target_layers(recs)
    if assessment is not None:
        layers += _assessment_layers(study, assessment, public)
    span = f"{first:%d %b %Y} \u2013 {last:%d %b %Y}" if first is not None else ""
    drawn = sorted(set(top_fix.values())) or [C.NO_FIX]
    keys = [tuple(key) for spec in layers for key in spec.pop("legend", [])]
    m.data = {
        "title": H.title_html(title if title is not None else study.name, span,
                              len(clusters), public, hidden),
        "legend": H.legend_html(drawn, keys, public, assessment=assessment is not None,
                                k_min=k_min),
        "tiles": tile_layer,
        "collapse_below_px": _COLLAPSE_BELOW_PX,
        "layers": layers,
    }  # fmt: skip
    log.info(
        "map: %d hot spots (%d hidden as too small to publish), %d fix rows, public=%s",
        len(clusters), hidden, len(recs), public,
    )  # fmt: skip
    return m


# =========================================================================================
# helpers: layer specs (what _map.js draws), coordinates, grids
# =========================================================================================


def _tiles(m: HotspotMap, tiles: str, attribution: str | None) -> dict[str, str]:
    """Return the base-map spec (tiles load from the network at view time)."""
    problems = tile_problems(tiles, attribution)
    if problems:
        raise ValidationError(problems[0])
    url = tile_url(tiles)
    m.allowed_urls = (url.split("{", 1)[0],)
    return {
        "url": url,
        "attribution": html_text(attribution or OSM_ATTRIBUTION),
        "name": "Base map (needs internet)",
    }


def _layer(name: str, **spec: Any) -> dict[str, Any]:
    """Return a layer spec for _map.js (see its header), dropping options left as None."""
    return {"name": html_text(name), **{k: v for k, v in spec.items() if v is not None}}


def _props(frame: pd.DataFrame, columns: list[str]) -> dict[str, list[Any]]:
    """Return `columns` of `frame` as JSON-able lists; text escaped for HTML."""
    out: dict[str, list[Any]] = {}
    for col in columns:
        series = frame[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = [html_text(v) if v is not None and v == v else "" for v in series.tolist()]
        else:
            out[col] = series.tolist()
    return out


def _latlon(geoms: np.ndarray, crs: Any, decimals: int) -> list[list[float]]:
    """Return `[lat, lon]` of point geometries in `crs`, rounded to `decimals`."""
    xy = shapely.get_coordinates(geoms)
    if not len(xy):
        return []
    lon, lat = pyproj.Transformer.from_crs(crs, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    return np.round(np.c_[lat, lon], decimals).tolist()


def _shapes(frame: gpd.GeoDataFrame, decimals: int = 6) -> list[Any]:
    """Return the geometries of `frame` as GeoJSON objects in lon/lat."""
    wgs = frame.geometry.to_crs(4326).to_numpy()
    wgs = shapely.set_precision(wgs, 10.0**-decimals)
    return [shapely.geometry.mapping(g) for g in wgs]


def _decimals(n: int) -> int:
    """Coordinate precision of a context layer: ~1 m when it is large, else ~0.1 m."""
    return 5 if n > _SVG_MAX else 6


def _empty_recs(study: Study) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {C.CLUSTER_ID: [], C.FIX: [], C.TARGET_ID: [], C.EVIDENCE: [], C.PRIORITY: []},
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
    best = recs.sort_values([C.PRIORITY, C.FIX], ascending=[False, True]).drop_duplicates(
        C.CLUSTER_ID
    )
    known = set(clusters[C.CLUSTER_ID]) if C.CLUSTER_ID in clusters else set()
    return {c: f for c, f in zip(best[C.CLUSTER_ID], best[C.FIX], strict=True) if c in known}


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


def _cell_polygons(origin: np.ndarray, size: float, crs: Any) -> list[Any]:
    """Return grid squares as ``[[lat, lon] x 4]`` rings (6 decimals), built from arrays."""
    x0, y0 = origin[:, 0], origin[:, 1]
    xs = np.stack([x0, x0 + size, x0 + size, x0], axis=1)
    ys = np.stack([y0, y0, y0 + size, y0 + size], axis=1)
    lon, lat = pyproj.Transformer.from_crs(crs, 4326, always_xy=True).transform(xs, ys)
    return np.round(np.stack([lat, lon], axis=2), 6).tolist()


def _context_area(clusters: gpd.GeoDataFrame) -> tuple[np.ndarray, Any]:
    """Return centres and reach (m) of the areas round the places whose context is drawn."""
    if not len(clusters):
        return np.zeros((0, 2)), np.zeros(0)
    geoms = clusters.geometry.to_numpy()
    xy = shapely.get_coordinates(shapely.centroid(geoms))
    reach = np.sqrt(shapely.area(geoms) / np.pi) + _CONTEXT_M
    return xy, reach


def _near(
    frame: gpd.GeoDataFrame, near: tuple[np.ndarray, Any], keep: np.ndarray | None = None
) -> gpd.GeoDataFrame:
    """Keep the rows near the places (all rows while there are at most `_LIGHTS_ALL`).

    Rows flagged in `keep` (lights marked out) stay wherever they are while there are at
    most ``_MAX_POINTS`` of them.
    """
    centres, reach = near
    if len(frame) <= _LIGHTS_ALL or not len(centres):
        return frame
    from scipy.spatial import cKDTree

    xy = shapely.get_coordinates(shapely.centroid(frame.geometry.to_numpy()))
    mask = np.zeros(len(frame), bool)
    tree = cKDTree(xy)
    radii = np.ceil(reach / 25.0) * 25.0
    for r in np.unique(radii):  # a few radii, one query each
        for hits in tree.query_ball_point(centres[radii == r], r=float(r), workers=-1):
            mask[hits] = True
    if keep is not None and int(keep.sum()) <= _MAX_POINTS:
        mask |= keep
    return frame[mask]


# =========================================================================================
# layers
# =========================================================================================


def _event_layers(
    study: Study, *, public: bool, k_min: int, cell_m: float | None
) -> list[dict[str, Any]]:
    layers = []
    for frame, label, colour in (
        (study.incidents, "Incidents", _INCIDENT_COLOUR),
        (study.concerns, "Resident concerns", _CONCERN_COLOUR),
    ):
        if not len(frame):
            continue
        xy = shapely.get_coordinates(frame.geometry.to_numpy())
        if public or len(frame) > _MAX_POINTS:
            size = _cell_size(xy, cell_m, 100.0 if public else 25.0)
            # public: the grid is offset from round metres, where snapped points and
            # street grids sit, so no cell corner falls on an event by construction
            shift = _PUBLIC_GRID_SHIFT * size if public else 0.0
            origin, counts = _grid(xy - shift, size)
            origin = origin + shift
            shown = counts >= k_min if public else np.ones(len(counts), bool)
            if not shown.any():  # every cell below the public threshold: nothing to draw
                layers.append(_layer(f"{label}: none shown", points=[]))
                continue
            layers.append(_layer(
                f"{label} per {size:.0f} m cell",  # public: the legend says what is hidden
                polygons=_cell_polygons(origin[shown], size, study.crs),
                props={"count": counts[shown].tolist()},
                style={"color": colour, "weight": 0.5, "fillColor": colour},
                opacity_by={"column": "count", "max": max(int(counts[shown].max()), 1)},
                tooltip=[["count", label]], canvas=True,
                legend=[[H.square(colour, 0.5), f"{label} per cell (darker: more)"]],
            ))  # fmt: skip
            continue
        layers.append(_layer(
            f"{label} ({len(frame):,})",
            points=_latlon(frame.geometry.to_numpy(), study.crs, 6),
            props=_props(frame, [C.CATEGORY]),
            style={"radius": 3, "weight": 1, "color": colour, "fillColor": colour,
                   "fillOpacity": 0.6},
            tooltip=[[C.CATEGORY, "Category"]], canvas=len(frame) > _SVG_MAX,
            legend=[[H.dot(colour, colour, 6), label]],
        ))  # fmt: skip
    return layers


def _street_layers(study: Study, streets: gpd.GeoDataFrame | str | Path) -> list[dict[str, Any]]:
    """Street centre lines under the data (the caller's own layer: the Study has none)."""
    frame = gpd.read_file(streets) if isinstance(streets, (str, Path)) else streets
    if not isinstance(frame, gpd.GeoDataFrame):
        raise ValidationError(
            f"`streets` must be a GeoDataFrame or a file path, got {type(streets).__name__}"
        )
    if frame.crs is None:
        raise ValidationError("`streets` has no CRS; set one (e.g. frame.set_crs(4326))")
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    frame = frame[frame.geom_type.isin(["LineString", "MultiLineString"])].to_crs(study.crs)
    if not len(frame):
        return []
    frame = frame.set_geometry(shapely.simplify(frame.geometry.to_numpy(), 2.0), crs=study.crs)
    from hotspots._vocab import find_column

    name = find_column([str(c) for c in frame.columns if c != frame.geometry.name], _STREET_NAMES)
    props = _props(frame.rename(columns={name: "street"}), ["street"]) if name else None
    return [_layer(
        f"Streets ({len(frame):,})", shapes=_shapes(frame, 5), props=props,
        style={"color": _STREET_COLOUR, "weight": 2, "opacity": 0.8},
        tooltip=[["street", ""]] if name else None, canvas=len(frame) > _SVG_MAX,
        legend=[["width:14px;height:0;border-top:2px solid " + _STREET_COLOUR, "Street"]],
    )]  # fmt: skip


def _light_layers(study: Study, near: tuple[np.ndarray, Any]) -> list[dict[str, Any]]:
    lights = study.lights
    if not len(lights):
        return []
    out = (lights[C.STATUS] == C.STATUS_OUT).to_numpy()
    lights = _near(lights, near, keep=out)
    layers = []
    for mask, name, style, key in (
        (lights[C.STATUS] != C.STATUS_OUT, "Street lights (working or unknown)",
         {"radius": 2, "color": "#8A7A00", "fillColor": "#F0E442", "weight": 1},
         [H.dot("#F0E442", "#8A7A00"), "Street light"]),
        (lights[C.STATUS] == C.STATUS_OUT, "Street lights marked OUT",
         {"radius": 6, "color": "#D55E00", "fillColor": "#000000", "weight": 3},
         [H.dot("#000000", "#D55E00", 10, 2), "Light marked out"]),
    ):  # fmt: skip
        part = lights[mask.to_numpy()]
        if not len(part):
            continue
        layers.append(_layer(
            f"{name} ({len(part):,})",
            points=_latlon(part.geometry.to_numpy(), study.crs, _decimals(len(part))),
            # the layer says the status; ids of thousands of lights are left to the data
            props=_props(part, [C.ID] if len(part) <= _SVG_MAX or "OUT" in name else []),
            style={**style, "fillOpacity": 0.9},
            tooltip=[[C.ID, "Light"]], canvas=len(part) > _SVG_MAX,
            legend=[key],
        ))  # fmt: skip
    return layers


def _stop_layers(study: Study, near: tuple[np.ndarray, Any], public: bool) -> list[dict[str, Any]]:
    stops = _near(study.stops, near)
    if not len(stops):
        return []
    cols = [C.NAME] if public else [C.ID, C.NAME]
    return [_layer(
        f"Bus stops ({len(stops):,})",
        points=_latlon(stops.geometry.to_numpy(), study.crs, _decimals(len(stops))),
        props=_props(stops, cols),
        style={"radius": 3, "color": "#222222", "weight": 1.5, "fillColor": "#FFFFFF",
               "fillOpacity": 1.0},
        tooltip=[list(p) for p in zip(cols, ["Stop", "Name"][-len(cols):], strict=True)],
        canvas=len(stops) > _SVG_MAX, legend=[[H.dot("#FFFFFF", "#222222", 7, 1.5), "Bus stop"]],
    )]  # fmt: skip


def _obstruction_layers(
    study: Study, near: tuple[np.ndarray, Any], public: bool
) -> list[dict[str, Any]]:
    obs = _near(study.obstructions, near)
    if not len(obs):
        return []
    cols = [C.KIND] if public else [C.ID, C.KIND]
    props = _props(obs, cols)
    kinds = obs[C.KIND].tolist()
    props["colour"] = [_OBSTRUCTION_COLOURS.get(k, _OBSTRUCTION_OTHER) for k in kinds]
    return [_layer(
        f"Obstructions ({len(obs):,})",
        shapes=_shapes(obs, _decimals(len(obs))), props=props,
        style={"weight": 3, "fillOpacity": 0.5}, stroke_by="colour", fill_by="colour",
        tooltip=[list(p) for p in zip(cols, ["Obstruction", "Kind"][-len(cols):], strict=True)],
        canvas=len(obs) > _SVG_MAX,
        legend=[[H.square(c, 0.5), "Hedge or tree" if c != _OBSTRUCTION_OTHER else
                 "Wall, fence or other obstruction"] for c in dict.fromkeys(props["colour"])],
    )]  # fmt: skip


def _dark_gap_layers(study: Study, clusters: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Draw the parts of each hot spot farther than the light reach from working lights."""
    if "dark_area_share" not in clusters or not len(clusters):
        return []
    dark = clusters[clusters["dark_area_share"].fillna(0) > 0]
    if not len(dark):
        return []
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
    frame = gpd.GeoDataFrame(geometry=gaps, crs=study.crs)
    frame = frame[~frame.geometry.is_empty]
    return [_layer(
        f"Dark gaps (> {reach:.0f} m from a working light)",
        shapes=_shapes(frame),
        style={"color": "#000000", "weight": 0, "fillColor": "#000000", "fillOpacity": 0.35,
               "interactive": False},
        legend=[[H.square("#000000", 0.35), f"Dark gap (> {reach:.0f} m from a working light)"]],
    )]  # fmt: skip


def _hotspot_layers(
    study: Study,
    clusters: gpd.GeoDataFrame,
    recs: gpd.GeoDataFrame,
    top_fix: dict[str, str],
    public: bool,
    weeks_from: pd.Timestamp | None,
    locations: list[str],
) -> list[dict[str, Any]]:
    """Return the places' areas and their markers (one layer in the control; rank on each)."""
    if not len(clusters):
        return []
    ids = clusters[C.CLUSTER_ID].tolist()
    colours = [H.fix_colour(top_fix.get(c, "")) for c in ids]
    ranks = place_ranks(clusters, recs)
    by_place = H.recs_by_place(recs)
    rows = pd.DataFrame(clusters.drop(columns=clusters.geometry.name)).to_dict("records")
    check = check_first(clusters, recs)
    popups = [
        H.popup_html(row, by_place.get(row[C.CLUSTER_ID], []), public, int(rank), weeks_from,
                     location=where, check_first=bool(flag), charts=rank <= _FULL_POPUPS)
        for row, rank, where, flag in zip(rows, ranks, locations, check, strict=True)
    ]  # fmt: skip
    outline = [{"dashArray": _CHECK_DASH} if flag else {} for flag in check]
    area_legend = (
        [[f"width:12px;height:8px;border:2px dashed {H.NOT_RECOMMENDED}",
          "Check the layer first (lights may be missing from the inventory)"]]
        if check.any() else []
    )  # fmt: skip
    geoms = clusters.geometry.to_numpy()
    centres = shapely.centroid(geoms)
    name = f"Hot spots by recommended fix ({len(ids)})"
    marker = {"radius": 8, "color": "#FFFFFF", "weight": 2, "fillOpacity": 0.95}
    legend = [[H.dot("#7F7F7F", "#FFFFFF", 14, 2), "Hot spot (number: rank; click for evidence)"]]
    if public:
        # circles round centres rounded to ~100 m: no vertex of an event hull is written
        keys = [f"P{r}" for r in ranks]
        radius = np.maximum(np.sqrt(shapely.area(geoms) / np.pi), 50.0)
        at = _latlon(centres, study.crs, 3)
        props = {
            "key": keys,
            "colour": colours,
            "popup": popups,
            "radius": radius.tolist(),
            "rank": ranks.tolist(),
            "outline": outline,
        }
        return [
            _layer(name, points=at, props=props, radius_by="radius",
                   style={"weight": 3, "fillOpacity": 0.35}, stroke_by="colour",
                   fill_by="colour", popup="popup", popup_key="key", style_by="outline",
                   class_name="hotspot-area", legend=area_legend),
            _layer(name, points=at, props=props, style=marker, fill_by="colour",
                   popup_from="key", label_by="rank", class_name="hotspot-marker",
                   legend=legend),
        ]  # fmt: skip
    keys = [html_text(c) for c in ids]
    return [
        _layer(name, shapes=_shapes(clusters, _decimals(len(clusters))),
               props={"cluster_id": keys, "colour": colours, "popup": popups,
                      "outline": outline, "where": [html_text(w) for w in locations]},
               style={"weight": 3, "fillOpacity": 0.35}, stroke_by="colour", style_by="outline",
               fill_by="colour", popup="popup", popup_key="cluster_id", registers_areas=True,
               tooltip=[["cluster_id", ""], ["where", ""]], class_name="hotspot-area",
               legend=area_legend),
        # a marker at each centre, so that a place of a few metres is seen at city zoom
        _layer(name, points=_latlon(centres, study.crs, 5),
               props={"cluster_id": keys, "colour": colours, "rank": ranks.tolist()},
               style=marker, fill_by="colour", popup_from="cluster_id", label_by="rank",
               class_name="hotspot-marker", legend=legend),
    ]  # fmt: skip


def check_first(clusters: pd.DataFrame, recs: pd.DataFrame | None = None) -> np.ndarray:
    """Return which places' fixes rest on a likely gap in a layer ("check the layer first").

    From the recommendations' ``check_layer_first`` when they carry it (a place is flagged
    when any of its fixes is), else the places' ``check_layer_first`` or
    ``light_inventory_gap``; all False when none is there.

    Examples
    --------
    >>> check_first(pd.DataFrame({"light_inventory_gap": [True, None, False]})).tolist()
    [True, False, False]
    """
    if recs is not None and len(recs) and "check_layer_first" in recs:
        flagged = recs.loc[recs["check_layer_first"].fillna(False).astype(bool), C.CLUSTER_ID]
        return clusters[C.CLUSTER_ID].isin(set(flagged)).to_numpy(bool)
    for col in _CHECK_FIRST:
        if col in clusters:
            values = clusters[col].astype(object).where(clusters[col].notna(), False)
            return np.array([bool(v) for v in values], dtype=bool)
    return np.zeros(len(clusters), dtype=bool)


def _target_layers(recs: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    targets = recs[(recs[C.FIX] != C.NO_FIX) & ~recs.geometry.is_empty & recs.geometry.notna()]
    if not len(targets):
        return []
    labels = [
        f"{H.fix_label(f)}: {t}" if t is not None and t == t and str(t) else H.fix_label(f)
        for f, t in zip(targets[C.FIX], targets[C.TARGET_ID], strict=True)
    ]
    return [_layer(
        f"Fix targets ({len(targets)})",
        points=_latlon(targets.geometry.to_numpy(), targets.crs, 6),
        props={"cluster_id": [html_text(c) for c in targets[C.CLUSTER_ID]],
               "label": [html_text(x) for x in labels],
               "colour": [H.fix_colour(f) for f in targets[C.FIX]]},
        style={"radius": 7, "weight": 3, "color": "#000000", "fillOpacity": 1.0},
        fill_by="colour", tooltip=[["label", "Fix"]], popup_from="cluster_id",
        class_name="fix-target",
        legend=[[H.dot("#FFFFFF", "#000000", 12, 3), "Fix target (click: its place)"]],
    )]  # fmt: skip


def _assessment_layers(study: Study, assessment: Assessment, public: bool) -> list[dict[str, Any]]:
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
    name = "Assessment: treated area, buffer, control"
    popups = {a: H.assessment_popup(assessment, a) for a in H.AREAS}
    if not public:
        frame = gpd.GeoDataFrame(geometry=[geoms[a] for a in H.AREAS], crs=study.crs)
        return [_area_layer(name, _shapes(frame), list(H.AREAS), popups)]
    # no vertex of a hot spot's hull: circles round the rounded centre, a coarse control
    centre = _latlon(np.array([shapely.centroid(geoms["treated"])]), study.crs, 3)
    r_treated = max(math.sqrt(shapely.area(geoms["treated"]) / math.pi), 50.0)
    r_buffer = r_treated + float(assessment.parameters.get("buffer_m", 200.0))
    control = gpd.GeoDataFrame(
        geometry=[shapely.set_precision(geoms["control"], 25.0)], crs=study.crs
    )
    circles = _layer(
        name, points=centre * 2, radius_by="radius", popup="popup", style_by="style",
        props={"radius": [r_buffer, r_treated], "popup": [popups["buffer"], popups["treated"]],
               "style": [H.AREA_STYLE["buffer"], H.AREA_STYLE["treated"]]},
        class_name="assessment-area",
    )  # fmt: skip
    return [_area_layer(name, _shapes(control), ["control"], popups), circles]


def _area_layer(
    name: str, shapes: list[Any], areas: list[str], popups: dict[str, str]
) -> dict[str, Any]:
    return _layer(
        name, shapes=shapes, style_by="style", popup="popup", tooltip=[["label", ""]],
        props={"label": [H.AREA_LABELS[a] for a in areas], "popup": [popups[a] for a in areas],
               "style": [H.AREA_STYLE[a] for a in areas]},
        class_name="assessment-area",
    )  # fmt: skip
