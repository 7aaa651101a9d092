"""Self-contained HTML for folium maps: no network needed to open them.

A hot-spot map is sent to a problem-solving team as an email attachment and opened
in whatever browser they have, often with no internet. folium links Leaflet, jQuery,
Bootstrap and plugin code from CDNs, so such a page is blank offline. This module:

* builds a :class:`folium.Map` whose instance-level ``default_js`` / ``default_css``
  list only what hotspots needs (Leaflet, jQuery), with no base tiles by default;
* rewrites rendered HTML so every known ``<script src>`` and stylesheet ``<link>``
  becomes an inline ``<script>`` / ``<style>`` with the vendored file from
  ``hotspots/_assets`` (CSS images as ``data:`` URIs), and raises
  :class:`OfflineError` naming every URL the page would still fetch;
* renames folium's random element ids in order of appearance, so the same map
  always gives byte-identical HTML.

The vendored files and their licences are in ``hotspots/_assets`` (see its
``README.md``); ``tools/vendor_assets.sh`` refreshes them from the npm registry.
"""

from __future__ import annotations

import base64
import copy
import functools
import logging
import mimetypes
import posixpath
import re
import time
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import folium
from branca.element import Element

from hotspots._errors import HotspotsError

logger = logging.getLogger(__name__)

__all__ = [
    "ASSETS",
    "CIRCLE_MARKER_CALLBACK",
    "OfflineError",
    "inline_html",
    "offline_map",
    "render_offline",
    "save_offline",
]


class OfflineError(HotspotsError, ValueError):
    """A map would need the network (or a missing local file) to display.

    The message lists every offending URL and how to fix it.
    """


# URL that folium 0.20 (or this module) links to -> vendored file under hotspots/_assets.
# A URL that is not here is never fetched: `inline_html` raises instead.
_LEAFLET_CDN = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/"
_CLUSTER_CDN = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"

ASSETS: dict[str, str] = {
    # folium.folium._default_js / _default_css (the Map itself)
    _LEAFLET_CDN + "leaflet.js": "leaflet/leaflet.js",
    _LEAFLET_CDN + "leaflet.css": "leaflet/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    # folium.plugins.MarkerCluster.default_js / default_css (FastMarkerCluster inherits them)
    _CLUSTER_CDN + "leaflet.markercluster.js": "leaflet.markercluster/leaflet.markercluster.js",
    _CLUSTER_CDN + "MarkerCluster.css": "leaflet.markercluster/MarkerCluster.css",
    _CLUSTER_CDN + "MarkerCluster.Default.css": "leaflet.markercluster/MarkerCluster.Default.css",
}

_LEAFLET_JS = _LEAFLET_CDN + "leaflet.js"
_LEAFLET_CSS = _LEAFLET_CDN + "leaflet.css"
_JQUERY_JS = "https://code.jquery.com/jquery-3.7.1.min.js"

# What an offline map links (the names are folium's, so plugins that add the same
# name replace rather than duplicate). No Bootstrap, Font Awesome or awesome-markers.
_MAP_JS: tuple[tuple[str, str], ...] = (("leaflet", _LEAFLET_JS), ("jquery", _JQUERY_JS))
_MAP_CSS: tuple[tuple[str, str], ...] = (("leaflet_css", _LEAFLET_CSS),)

#: JavaScript ``callback`` for :class:`folium.plugins.FastMarkerCluster`: its default
#: draws awesome-markers pins, which an offline map does not load. Each data row is
#: ``[lat, lon]`` or ``[lat, lon, popup_text]``.
CIRCLE_MARKER_CALLBACK = """function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 5, weight: 1, color: "#b2182b", fillOpacity: 0.7});
    if (row.length > 2) { marker.bindPopup(String(row[2])); }
    return marker;
}"""

_DEFAULT_MAX_ZOOM = 19

# folium/branca element ids: 32 hex digits after the element's name, e.g. map_659b...30fc.
_ELEMENT_ID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-zA-Z])")

_SCRIPT_SRC = re.compile(
    r"<script\b[^>]*?\bsrc\s*=\s*([\"'])(?P<url>[^\"']*)\1[^>]*>\s*</script\s*>", re.IGNORECASE
)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"\b(?P<name>rel|href)\s*=\s*([\"'])(?P<value>[^\"']*)\2", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*([\"']?)(?P<url>[^\"')]*?)\1\s*\)", re.IGNORECASE)
_SOURCE_MAP = re.compile(r"^\s*(//|/\*)# sourceMappingURL=.*$", re.MULTILINE)

# Checks on everything that is not vendored.
_ABSOLUTE_URL = re.compile(r"\b(?:https?|wss?|ftp)://[^\s\"'<>()\\`]+", re.IGNORECASE)
_PROTOCOL_RELATIVE = re.compile(
    r"(?:\b(?:src|href|srcset|poster|data)\s*=\s*\\?[\"']?|url\(\s*\\?[\"']?|@import\s+\\?[\"'])"
    r"\s*(?P<url>//[^\s\"'<>()\\]+)",
    re.IGNORECASE,
)
_TAG_OPEN = r"(?:<|\\u003c|\\x3c)"
_RESOURCE_SRC = re.compile(
    _TAG_OPEN + r"(?P<tag>img|script|iframe|source|embed|video|audio|input|track)\b"
    r"[^<>]{0,500}?\bsrc\s*=\s*\\?[\"']?(?P<url>[^\s\"'<>\\]*)",
    re.IGNORECASE,
)
_LEFTOVER_LINK = re.compile(
    _TAG_OPEN + r"link\b[^<>]{0,500}?\bhref\s*=\s*\\?[\"']?(?P<url>[^\s\"'<>\\]*)", re.IGNORECASE
)
_ANCHOR_HREF = re.compile(
    r"(?:<|\\u003c|&lt;)a\s(?:[^<>]{0,500}?\s)?href\s*=\s*(?:\\?[\"'])?\s*$", re.IGNORECASE
)
# XML namespace names look like URLs but are never fetched.
_NAMESPACES = ("http://www.w3.org/",)
_LOCAL_SCHEMES = ("data:", "#", "about:blank", "javascript:")
_PLACEHOLDER = "\x00hotspots-asset-{}\x00"
_MAX_LISTED = 20


def offline_map(*, map_class: type[folium.Map] = folium.Map, **folium_kwargs: Any) -> folium.Map:
    """Make a :class:`folium.Map` that needs no network once saved with `save_offline`.

    The map links only Leaflet (JS, CSS) and jQuery, which `inline_html` inlines;
    folium's Bootstrap, Font Awesome and awesome-markers links are dropped, on this
    instance only (``folium.Map.default_js`` is left alone). Plugins such as
    :class:`folium.plugins.MarkerCluster` add their own links when rendered; those in
    `ASSETS` are inlined too.

    Parameters
    ----------
    map_class : type, default folium.Map
        The class to build (a subclass of :class:`folium.Map`, e.g. one whose ``save``
        writes offline HTML).
    **folium_kwargs
        Passed to :class:`folium.Map`. Defaults that differ from folium's:
        ``tiles=None`` (no base map: tiles come from the network; if you add them,
        pass their URL template as ``allow`` to `save_offline`) and ``max_zoom=19``,
        set on the map itself as well as on any tile layer (Leaflet.markercluster
        fails on a map without a maximum zoom).

    Returns
    -------
    folium.Map
        A new map with instance-level ``default_js`` / ``default_css``.

    Notes
    -----
    Don't use ``folium.Icon`` (awesome-markers) or Bootstrap-styled elements on this
    map: their code is not loaded. Default Leaflet pins (``folium.Marker`` without an
    icon), vector layers and marker clusters work. Give
    :class:`folium.plugins.FastMarkerCluster` ``callback=CIRCLE_MARKER_CALLBACK``.

    Examples
    --------
    >>> m = offline_map(location=[38.9, -77.03], zoom_start=12)
    >>> [name for name, _ in m.default_js]
    ['leaflet', 'jquery']
    >>> [name for name, _ in folium.Map.default_js][:4]
    ['leaflet', 'jquery', 'bootstrap', 'awesome_markers']
    """
    kwargs = dict(folium_kwargs)
    kwargs.setdefault("tiles", None)
    kwargs.setdefault("max_zoom", _DEFAULT_MAX_ZOOM)
    m = map_class(**kwargs)
    # folium hands min/max zoom to its tile layer only; Leaflet.markercluster reads the map's.
    for name in ("min_zoom", "max_zoom"):
        if kwargs.get(name) is not None:
            m.options[name] = kwargs[name]
    m.default_js = list(_MAP_JS)
    m.default_css = list(_MAP_CSS)
    return m


def inline_html(html: str, *, allow: Iterable[str] = ()) -> str:
    """Inline the vendored assets into rendered HTML and refuse any other URL.

    Each ``<script src=URL></script>`` and ``<link rel="stylesheet" href=URL>`` whose
    URL is in `ASSETS` becomes an inline ``<script>`` / ``<style>`` holding the
    vendored file (a file linked twice is inlined once); ``url(...)`` references in
    that CSS become ``data:`` URIs. Then the rest of the page is checked for anything
    a browser would fetch from the network or from disk.

    Parameters
    ----------
    html : str
        A page as folium renders it, e.g. ``m.get_root().render()`` (not a page
        that was already inlined: the vendored code would be checked too).
    allow : iterable of str, default ()
        URL prefixes that may stay, e.g. a tile URL template
        ``"https://tile.openstreetmap.org/{z}/{x}/{y}.png"`` for a caller who added a
        tile layer on purpose. Scripts and stylesheets are never allowed this way: they
        must be vendored. Links (``<a href>``) and XML namespaces are always allowed:
        they are not fetched.

    Returns
    -------
    str
        The page with assets inlined.

    Raises
    ------
    OfflineError
        Listing every URL the page would still load: a ``<script src>`` or stylesheet
        not in `ASSETS`, any other ``http(s)://``, ``ws(s)://`` or ``ftp://`` URL, a
        protocol-relative ``//host`` reference, or a relative file (``<img src>``,
        ``<link href>``...), which would not travel with an email attachment.

    Examples
    --------
    >>> page = '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
    >>> html = inline_html(page)
    >>> html.startswith("<script>"), "jQuery v3.7.1" in html, "src=" in html
    (True, True, False)
    >>> inline_html('<script src="https://example.org/x.js"></script>')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hotspots._offline.OfflineError: the map would load 1 resource from outside the file: ...
    """
    allowed = tuple(allow)
    inlined: list[str] = []
    seen: set[str] = set()
    problems: list[str] = []
    reported: set[str] = set()

    def _embed(url: str, tag: str) -> str:
        if url in seen:
            return ""
        seen.add(url)
        inlined.append(f"<{tag}>\n{_asset_text(ASSETS[url])}\n</{tag}>")
        return _PLACEHOLDER.format(len(inlined) - 1)

    def _script(match: re.Match[str]) -> str:
        url = match.group("url")
        if url in ASSETS:
            return _embed(url, "script")
        problems.append(f"<script src> `{url}` has no vendored copy")
        reported.add(url)
        return match.group(0)

    def _link(match: re.Match[str]) -> str:
        attrs = {m.group("name").lower(): m.group("value") for m in _ATTR.finditer(match.group(0))}
        url = attrs.get("href")
        if url is None or "stylesheet" not in attrs.get("rel", "").lower().split():
            return match.group(0)  # checked below with everything else
        if url in ASSETS:
            return _embed(url, "style")
        problems.append(f"<link rel=stylesheet> `{url}` has no vendored copy")
        reported.add(url)
        return match.group(0)

    skeleton = _LINK_TAG.sub(_link, _SCRIPT_SRC.sub(_script, html))
    problems.extend(_outside_references(skeleton, allowed, reported))
    if problems:
        shown = problems[:_MAX_LISTED] + (
            [f"and {len(problems) - _MAX_LISTED} more"] if len(problems) > _MAX_LISTED else []
        )
        raise OfflineError(
            f"the map would load {len(problems)} resource"
            f"{'' if len(problems) == 1 else 's'} from outside the file: "
            + "; ".join(shown)
            + ". Remove the element that needs it, vendor the file (tools/vendor_assets.sh "
            "and `ASSETS` in hotspots/_offline.py), or, for tile layers added on purpose, "
            "pass its URL template in `allow`."
        )
    parts = re.split("\x00hotspots-asset-(\\d+)\x00", skeleton)
    for i in range(1, len(parts), 2):
        parts[i] = inlined[int(parts[i])]
    return "".join(parts)


def render_offline(
    m: folium.Map | Element,
    *,
    allow: Iterable[str] = (),
    code: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
) -> str:
    """Render a map to one self-contained, deterministic HTML page (a string).

    Parameters
    ----------
    m : folium.Map or branca.element.Element
        The map, best made with `offline_map`; any element of a folium figure works
        (its root figure is rendered).
    allow : iterable of str, default ()
        URL prefixes that may stay in the page; see `inline_html`.
    code : mapping of str to str, optional
        Slot text in the rendered page -> script code of our own to put there before the
        page is checked (so it is checked too).
    data : mapping of str to str, optional
        Slot text -> data to put there after the check: JSON already escaped for a
        ``<script type="application/json">`` element (see
        :func:`hotspots._escape.script_json`). Data is never rendered by a template and
        never checked for URLs: it is not something the page loads.

    Returns
    -------
    str
        The page.

    Raises
    ------
    OfflineError
        If the page would load anything from outside the file.

    Notes
    -----
    folium gives each element a random 32-hex-digit id (``map_659b…``). They are
    renamed in order of first appearance (``map_0001``, ``circle_marker_0002``…), so
    the same map, built again or saved again, gives byte-identical HTML. A copy of the
    map is rendered (about a fifth of the render time), because folium's rendering
    changes the elements it renders; `m` is not modified. In the page's JavaScript
    the map object is therefore the global ``map_0001`` (for a figure holding one map).
    """
    start = time.perf_counter()
    # folium's render adds children to the elements it renders (a second render of the
    # same map differs): render a copy, so the caller's map is left as it was.
    root = copy.deepcopy(m.get_root())
    page = _stable_ids(root.render(), _element_ids(root))
    page = _fill(page, code or {})
    page = _fill(inline_html(page, allow=allow), data or {})
    logger.info("rendered offline page: %d characters in %.2f s", len(page),
                time.perf_counter() - start)  # fmt: skip
    return page


def _fill(page: str, slots: Mapping[str, str]) -> str:
    """Put each slot's text in its place (each slot must be there exactly once)."""
    for slot, text in slots.items():
        if page.count(slot) != 1:
            raise OfflineError(f"the page has {page.count(slot)} `{slot}` slots, expected 1")
        before, after = page.split(slot)
        page = before + text + after
    return page


def save_offline(m: folium.Map | Element, path: str | Path, *, allow: Iterable[str] = ()) -> Path:
    """Render a map to one self-contained, deterministic HTML file.

    Parameters
    ----------
    m : folium.Map or branca.element.Element
        The map, best made with `offline_map`; see `render_offline`.
    path : str or pathlib.Path
        Where to write the HTML; parent folders are created.
    allow : iterable of str, default ()
        URL prefixes that may stay in the page; see `inline_html`.

    Returns
    -------
    pathlib.Path
        `path`, written as UTF-8.

    Raises
    ------
    OfflineError
        If the page would load anything from outside the file; nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> m = offline_map(location=[38.9, -77.03], zoom_start=12)
    >>> _ = folium.CircleMarker([38.9, -77.03], radius=6).add_to(m)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = save_offline(m, Path(folder) / "map.html")
    ...     page = out.read_text(encoding="utf-8")
    >>> "<script src=" in page, "var map_0001 = L.map(" in page
    (False, True)
    """
    data = render_offline(m, allow=allow).encode("utf-8")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    logger.info("saved offline map %s: %d bytes", out, len(data))
    return out


class _Loads(HTMLParser):
    """Collect what a page would load: resource attributes, stylesheets and script code.

    Text between tags and data elements (``<script type="application/json">``) are not
    collected: a URL there is text, not a resource.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []  # (what, url) from attributes and CSS
        self.scripts: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag in _SRC_TAGS:
            for name in ("src", "poster", "data", "background"):
                if values.get(name):
                    self.urls.append((f"<{tag} {name}>", values[name]))
            for candidate in values.get("srcset", "").split(","):
                if candidate.strip():
                    self.urls.append((f"<{tag} srcset>", candidate.split()[0]))
        rel = set(values.get("rel", "").lower().split())
        if tag == "link" and values.get("href") and not rel & _LINKS_NOT_LOADED:
            self.urls.append(("<link href>", values["href"]))
        if values.get("style"):
            self._css(values["style"])
        if tag == "script":
            kind = values.get("type", "").lower()
            self._inside = "script" if kind in _SCRIPT_TYPES else "data"
        elif tag == "style":
            self._inside = "style"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "script":
            self.scripts.append(data)
        elif self._inside == "style":
            self._css(data)

    def _css(self, text: str) -> None:
        for match in _CSS_URL.finditer(text):
            self.urls.append(("CSS url()", match.group("url").strip()))
        for match in _CSS_IMPORT.finditer(text):
            self.urls.append(("CSS @import", match.group("url").strip()))


_SRC_TAGS = frozenset(
    {"img", "script", "iframe", "frame", "source", "embed", "video", "audio", "input", "track",
     "object", "body", "image", "use"}
)  # fmt: skip
_LINKS_NOT_LOADED = frozenset({"canonical", "alternate", "author", "license", "help", "search"})
_SCRIPT_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
_CSS_IMPORT = re.compile(r"@import\s+([\"'])(?P<url>[^\"']*)\1", re.IGNORECASE)


def _outside_references(text: str, allowed: tuple[str, ...], reported: set[str]) -> list[str]:
    """List what `text` (a page without its vendored assets) would fetch.

    Only what a browser loads is looked at: resource attributes (``src``, ``srcset``,
    ``<link href>``...), CSS ``url()`` and ``@import``, and URLs in script code. URLs in
    `reported` were already listed, by the ``<script>`` / ``<link>`` pass.
    """
    parser = _Loads()
    parser.feed(text)
    parser.close()
    problems: list[str] = []
    for what, url in parser.urls:
        if not url or url in reported or url.lower().startswith(_LOCAL_SCHEMES):
            continue
        absolute = re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE)
        if absolute:
            if not url.startswith(allowed) and not ("https:" + url).startswith(allowed):
                problems.append(f"{what} `{url}`")
        else:
            problems.append(f"{what} `{url}` is a file next to the page, not in it")
    for code in parser.scripts:
        problems.extend(_script_references(code, allowed, reported))
    return problems


def _script_references(code: str, allowed: tuple[str, ...], reported: set[str]) -> list[str]:
    """List the URLs script `code` would load (absolute URLs, HTML it writes with sources)."""
    problems: list[str] = []
    for match in _ABSOLUTE_URL.finditer(code):
        url = match.group(0)
        if url in reported or url.startswith(allowed + _NAMESPACES):
            continue
        if _ANCHOR_HREF.search(code, max(0, match.start() - 600), match.start()):
            continue  # a link the reader may click, not something the page loads
        problems.append(f"`{url}`")
    for match in _PROTOCOL_RELATIVE.finditer(code):
        url = match.group("url")
        if not ("https:" + url).startswith(allowed) and not _ANCHOR_HREF.search(
            code, max(0, match.start("url") - 600), match.start("url")
        ):
            problems.append(f"protocol-relative `{url}`")
    for pattern, what in ((_RESOURCE_SRC, "src"), (_LEFTOVER_LINK, "<link href>")):
        for match in pattern.finditer(code):
            url = match.group("url")
            if not url or url.lower().startswith(_LOCAL_SCHEMES) or "//" in url:
                continue  # empty, inline, or an absolute URL reported above
            label = f"<{match.group('tag').lower()} src>" if what == "src" else what
            problems.append(f"{label} `{url}` is a file next to the page, not in it")
    return problems


def _element_ids(root: Element) -> set[str]:
    """Ids of every branca element reachable from `root` (children and attributes)."""
    ids: set[str] = set()
    stack: list[Element] = [root]
    visited: set[int] = set()
    while stack:
        element = stack.pop()
        if id(element) in visited:
            continue
        visited.add(id(element))
        ids.add(element._id)
        stack.extend(element._children.values())
        stack.extend(v for v in vars(element).values() if isinstance(v, Element))
    return ids


def _stable_ids(html: str, ids: set[str]) -> str:
    """Replace element ids in `html` by counters in order of first appearance."""
    found: dict[str, str] = {}
    for match in _ELEMENT_ID.finditer(html):
        if match.group(0) in ids and match.group(0) not in found:
            found[match.group(0)] = ""
    width = max(4, len(str(len(found))))
    for number, hex_id in enumerate(found, start=1):
        found[hex_id] = f"{number:0{width}d}"
    renamed = _ELEMENT_ID.sub(lambda match: found.get(match.group(0), match.group(0)), html)
    left = {match.group(0) for match in _ELEMENT_ID.finditer(renamed)}
    if left:
        logger.warning(
            "%d id-like token(s) were not renamed (not ids of the map's elements): %s; "
            "if they are element ids, the saved HTML will differ between runs",
            len(left),
            ", ".join(sorted(left)[:5]),
        )
    return renamed


@functools.cache
def _asset_text(name: str) -> str:
    """Vendored file `name`, ready to sit inside an inline ``<script>`` or ``<style>``."""
    text = _asset_bytes(name).decode("utf-8")
    text = _SOURCE_MAP.sub("", text).rstrip()
    if name.endswith(".css"):
        if re.search(r"</style", text, re.IGNORECASE):
            raise OfflineError(f"vendored stylesheet `{name}` contains `</style`")
        text = _CSS_URL.sub(lambda match: _css_url(name, match), text)
    else:
        text = re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)
    if name == "leaflet/leaflet.js":
        text += "\n" + _default_icon_patch()
    return text


def _css_url(css_name: str, match: re.Match[str]) -> str:
    """Turn ``url(relative/file)`` inside vendored CSS `css_name` into a data URI."""
    url = match.group("url").strip()
    if not url or url.lower().startswith(_LOCAL_SCHEMES):
        return match.group(0)
    if "//" in url:
        raise OfflineError(f"vendored stylesheet `{css_name}` refers to `{url}`")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(css_name), url))
    return f'url("{_data_uri(target)}")'


def _data_uri(name: str) -> str:
    """Encode a vendored file as a base64 ``data:`` URI."""
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    data = base64.b64encode(_asset_bytes(name)).decode("ascii")
    return f"data:{kind};base64,{data}"


def _default_icon_patch() -> str:
    """JavaScript that points Leaflet's default marker icon at inline images.

    Leaflet finds its pin images through the stylesheet's URL, which an inline
    stylesheet does not have.
    """
    return (
        'L.Icon.Default.imagePath = "";\n'
        "L.Icon.Default.mergeOptions({"
        f'iconUrl: "{_data_uri("leaflet/images/marker-icon.png")}", '
        f'iconRetinaUrl: "{_data_uri("leaflet/images/marker-icon-2x.png")}", '
        f'shadowUrl: "{_data_uri("leaflet/images/marker-shadow.png")}"'
        "});"
    )


def _asset_bytes(name: str) -> bytes:
    """Content of the vendored file `name` (a path under ``hotspots/_assets``)."""
    item = resources.files("hotspots").joinpath("_assets")
    for part in name.split("/"):
        item = item.joinpath(part)
    if not item.is_file():
        raise OfflineError(
            f"vendored file `_assets/{name}` is missing from the installed package; "
            "reinstall hotspots or run tools/vendor_assets.sh"
        )
    return item.read_bytes()
