"""Read what a saved hotspots map draws: the JSON data element of the page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

_DATA = re.compile(
    r'<script type="application/json" id="hotspots-data">(?P<json>.*?)</script>', re.DOTALL
)


def map_data(path: str | Path) -> dict[str, Any]:
    """Return the data the page's script draws (title, legend, layers)."""
    text = Path(path).read_text(encoding="utf-8")
    found = _DATA.findall(text)
    assert len(found) == 1, "the page must hold exactly one hotspots data element"
    return json.loads(found[0])


def layer(data: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Return the first layer whose name starts with `prefix`."""
    for spec in data["layers"]:
        if spec["name"].startswith(prefix):
            return spec
    raise AssertionError(f"no layer {prefix!r} in {[s['name'] for s in data['layers']]}")


def number_pairs(text: str) -> set[tuple[str, str]]:
    """Every two decimal numbers written next to each other (how a point is written)."""
    numbers = re.findall(r"-?\d+\.\d+", text)
    return set(zip(numbers, numbers[1:], strict=False))


def numbers_near(text: str, lonlat: Any, metres: float) -> list[tuple[float, float]]:
    """Number pairs in `text` (either order) within `metres` of a (lon, lat) point.

    Every two decimal numbers written next to each other are read as a point, as
    ``[lat, lon]`` and as ``[lon, lat]``; those closer than `metres` to any of `lonlat`
    (an ``(n, 2)`` array) are returned.
    """
    import numpy as np
    from scipy.spatial import cKDTree

    numbers = [float(x) for x in re.findall(r"-?\d+\.\d+", text)]
    if len(numbers) < 2 or not len(lonlat):
        return []
    pts = np.asarray(lonlat, float)
    lat0 = float(np.nanmean(pts[:, 1]))
    scale = np.array([111_320.0 * np.cos(np.radians(lat0)), 110_540.0])
    tree = cKDTree(pts * scale)
    pairs = np.array(list(zip(numbers, numbers[1:], strict=False)))
    both = np.r_[pairs, pairs[:, ::-1]]
    dist, _ = tree.query(both * scale, distance_upper_bound=metres)
    return [tuple(p) for p in both[np.isfinite(dist)]]
