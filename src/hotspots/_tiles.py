"""Base-map tiles: which URLs a map may load tiles from (checked before any analysis).

Kept apart from :mod:`hotspots.maps` so the command line can check ``--tiles`` in its
first second, without importing folium.
"""

from __future__ import annotations

OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "\u00a9 OpenStreetMap contributors"


def tile_url(tiles: str) -> str:
    """Return the XYZ template for `tiles` (``"OpenStreetMap"`` or a template itself).

    Examples
    --------
    >>> tile_url("OpenStreetMap")
    'https://tile.openstreetmap.org/{z}/{x}/{y}.png'
    """
    return OSM if tiles.lower() == "openstreetmap" else tiles


def tile_problems(tiles: str, attribution: str | None) -> list[str]:
    """Return what is wrong with a base-map request (empty when it can be used).

    Examples
    --------
    >>> tile_problems("OpenStreetMap", None)
    []
    >>> tile_problems("http://tiles.example.org/{z}/{x}/{y}.png", "Example")[0][:30]
    "tiles must be 'OpenStreetMap' "
    """
    url = tile_url(tiles)
    if not url.startswith("https://") or "{z}" not in url or any(c in url for c in "\"'<> "):
        return [
            f"tiles must be 'OpenStreetMap' or an https XYZ template with {{z}}/{{x}}/{{y}}, "
            f"got {tiles!r}"
        ]
    if url != OSM and not attribution:
        return ["tiles_attribution is required for a tile URL (the provider's)"]
    return []
