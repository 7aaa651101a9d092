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
