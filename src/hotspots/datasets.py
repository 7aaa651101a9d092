"""The bundled samples: a real downtown (Washington, DC) and a generated scene with truth.

``"dc"``
    Real open data from Open Data DC, as published: 2025 Q1 crime incidents downtown
    (MPD), DDOT street lights and bus stops, a few 311 service requests, and the study
    area polygon. See ``data/samples/dc/PROVENANCE.md``.
``"boston"``
    Real open data from Boston as the city publishes it (Analyze Boston, byte-for-byte
    copies): crime incident reports 2023 to mid-May 2025 (local times written with a false
    ``+00``, 915 rows without coordinates), the open 311 street-light and sidewalk cases of
    2025 (661 "Street Light Outages"), and the MBTA GTFS ``stops.txt`` (stations, entrances
    and rail platforms beside the bus stops). The Vision Zero crash file rides along for
    later (``paths("boston")["crashes"]``). See ``data/samples/boston/PROVENANCE.md``.
``"scene"``
    A seeded synthetic scene (Leeds-like street grid, Europe/London) with planted recurring
    hot spots in dark gaps, around lights that are out, at bus stops after dark, behind
    hedges and walls, plus busy-but-open places and background noise. Its ground truth
    (which place, which fix) is in ``truth.csv``; see ``data/samples/scene/PROVENANCE.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from hotspots._errors import ValidationError

__all__ = ["available", "load_study", "load_truth", "paths", "sample_dir"]

_FILES: dict[str, dict[str, str]] = {
    "dc": {
        "incidents": "incidents_dc_crime_2025q1_downtown.csv",
        "concerns": "service_requests_dc311_downtown.csv",
        "lights": "streetlights_ddot_downtown.csv",
        "stops": "bus_stops_ddot_downtown.csv",
        "boundary": "study_area.geojson",
    },
    "boston": {
        "incidents": "boston_crime_incident_reports_2023_2025.csv",
        "concerns": "boston_311_streetlight_sidewalk_open_2025.csv",
        "stops": "mbta_gtfs_stops.txt",
        "crashes": "boston_vision_zero_crash_records.csv",
    },
    "scene": {
        "incidents": "incidents.csv",
        "concerns": "concerns.csv",
        "lights": "lights.geojson",
        "stops": "stops.csv",
        "obstructions": "obstructions.geojson",
        "boundary": "boundary.geojson",
        "truth": "truth.csv",
    },
}
_OPTIONS: dict[str, dict[str, Any]] = {
    "dc": {
        "tz": "America/New_York",
        "name": "Downtown Washington, DC — 2025 Q1",
        # late-reported offences start years before the data window: keep the quarter
        "period": ("2025-01-01", "2025-03-31 23:59:59"),
    },
    "boston": {
        "tz": "America/New_York",
        "name": "Boston, MA — crimes 2023–2025, open street-light and sidewalk requests 2025",
    },
    "scene": {"tz": "Europe/London", "name": "Generated scene (known truth)"},
}


def available() -> list[str]:
    """Names of the bundled samples.

    Examples
    --------
    >>> available()
    ['boston', 'dc', 'scene']
    """
    return sorted(_FILES)


def sample_dir(name: str) -> Path:
    """Folder holding the sample's files (inside the installed package or the repository).

    Examples
    --------
    >>> sample_dir("dc").name
    'dc'
    """
    _check(name)
    here = Path(__file__).resolve().parent
    for base in (here / "_samples", here.parents[1] / "data" / "samples"):
        if (base / name).is_dir():
            return base / name
    raise FileNotFoundError(
        f"sample {name!r} not found under {here / '_samples'} or the repository's "
        "data/samples; reinstall hotspots"
    )


def paths(name: str) -> dict[str, Path]:
    """Paths of the sample's layer files, keyed by layer kind (and ``boundary``, ``truth``).

    Examples
    --------
    >>> sorted(paths("dc"))
    ['boundary', 'concerns', 'incidents', 'lights', 'stops']
    """
    folder = sample_dir(name)
    return {kind: folder / fname for kind, fname in _FILES[name].items()}


def load_study(name: str, **kwargs: Any) -> Any:
    """Build the :class:`hotspots.Study` of a bundled sample.

    Parameters
    ----------
    name : {"boston", "dc", "scene"}
    **kwargs
        Passed to :func:`hotspots.build_study` (e.g. ``settings=``), overriding the
        sample's defaults (timezone, name, period).

    Returns
    -------
    Study

    Examples
    --------
    >>> study = load_study("dc")
    >>> study.tz
    'America/New_York'
    """
    from hotspots.layers import layer_kinds
    from hotspots.study import build_study  # geopandas: paths() and available() stay light

    kinds = {*layer_kinds(), "boundary"}
    files = {k: v for k, v in paths(name).items() if k in kinds}
    options = {**_OPTIONS[name], **kwargs}
    return build_study(**files, **options)


def load_truth(name: str = "scene") -> pd.DataFrame:
    """Ground truth of the generated scene: one row per (place, expected fix).

    Examples
    --------
    >>> truth = load_truth()
    >>> {"place_id", "expected_fix", "recurring"} <= set(truth.columns)
    True
    """
    files = paths(name)
    if "truth" not in files:
        raise ValidationError(f"sample {name!r} has no ground truth; only 'scene' has")
    return pd.read_csv(files["truth"], keep_default_na=False)


def _check(name: str) -> None:
    if name not in _FILES:
        raise ValidationError(f"unknown sample {name!r}; available: {', '.join(available())}")
