"""Parameters of the generated scene: extent, period, planted places, vocabularies.

Used by :mod:`hotspots._scene_build` (which generates the scene) and :mod:`hotspots._scene`
(which writes it); see :mod:`hotspots._scene` for what the scene is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import shapely

__all__ = [
    "CATEGORIES",
    "CENTRE_LONLAT",
    "CONCERN_RADIUS_M",
    "CRS_M",
    "DECOY_OUT_CLEAR_M",
    "DISPLACED_SHARE",
    "END",
    "EVENT_RADIUS_M",
    "FEATURE_CLEAR_M",
    "FIRST_STREET_M",
    "INTERVENTION_DATE",
    "KINDS",
    "LIGHT_SPACING_M",
    "NIGHT_SHARE",
    "NOISE_CATEGORIES",
    "NOISE_CONCERNS",
    "NOISE_CONCERN_CLEAR_M",
    "NOISE_INCIDENTS",
    "NOISE_INCIDENT_CLEAR_M",
    "NOISE_TOPICS",
    "N_PERIOD_DAYS",
    "OBSTRUCTION_KINDS",
    "PLACE_CONCERNS",
    "PLAN",
    "Place",
    "RING_M",
    "SEED",
    "SETBACK_M",
    "SIDE_M",
    "START",
    "STREET_NAMES_EW",
    "STREET_NAMES_NS",
    "STREET_SPACING_M",
    "Scene",
    "TZ",
]

# --- constants of the scene ------------------------------------------------------------------
SEED = 20250101
"""Default seed; the committed sample is generated with it."""
TZ = "Europe/London"
CRS_M = 32630
"""The metric CRS the scene is built in (UTM 30N)."""
CENTRE_LONLAT = (-1.55, 53.80)
START = pd.Timestamp("2025-01-01")
END = pd.Timestamp("2025-06-30")
N_PERIOD_DAYS = int((END - START).days) + 1
SIDE_M = 2000.0
STREET_SPACING_M = 100.0
LIGHT_SPACING_M = 25.0
FIRST_STREET_M = 50.0
EVENT_RADIUS_M = 12.0
"""Planted events fall within this distance of their place centre."""
CONCERN_RADIUS_M = 8.0
INTERVENTION_DATE = pd.Timestamp("2025-04-01")
RING_M = (70.0, 200.0)
DISPLACED_SHARE = 0.6  # displaced events after the date, as a share of the before-rate
"""Displaced events after the intervention fall in this ring around the place."""
NOISE_INCIDENTS = 400
NOISE_CONCERNS = 60
NOISE_INCIDENT_CLEAR_M = 100.0
"""Background incidents keep this far from every planted centre (so planted counts are exact)."""
NOISE_CONCERN_CLEAR_M = 150.0
"""Background concerns keep this far (an outage report is matched to lights within 50 m, and
a place's lights are those within 30 m of its polygon)."""
FEATURE_CLEAR_M = 150.0
"""Decoy stops and obstructions keep this far from every planted centre."""
DECOY_OUT_CLEAR_M = 200.0
SETBACK_M = 22.0
"""Sightline places lie this far from the street, behind the hedge or wall."""

KINDS: dict[str, tuple[str, str]] = {
    "dark_gap": ("add_lighting", "new_light_point"),
    "light_out": ("repair_light", "light"),
    "bus_stop_dark": ("improve_bus_stop", "stop"),
    "hedge_sightline": ("trim_vegetation", "obstruction"),
    "wall_sightline": ("clear_sightline", "obstruction"),
    "dumping": ("clean_up", "place"),
    "busy_open": ("no_environmental_fix", "place"),
    "intervention": ("no_environmental_fix", "place"),
    "burst": ("", ""),
}
"""Planted kind -> (expected fix, target kind); the burst expects no fix."""

PLAN: tuple[str, ...] = (
    "dark_gap",
    "dark_gap",
    "light_out",
    "light_out",
    "bus_stop_dark",
    "bus_stop_dark",
    "hedge_sightline",
    "wall_sightline",
    "dumping",
    "busy_open",
    "busy_open",
    "intervention",
    "burst",
)
NIGHT_SHARE = {
    "dark_gap": 0.85,
    "light_out": 0.85,
    "bus_stop_dark": 0.85,
    "hedge_sightline": 0.4,
    "wall_sightline": 0.4,
    "dumping": 0.0,
    "busy_open": 0.1,
    "intervention": 0.05,
    "burst": 0.0,
}
CATEGORIES = {
    "dark_gap": ("ROBBERY", "ASSAULT", "THEFT"),
    "light_out": ("CRIMINAL DAMAGE", "THEFT", "ASSAULT"),
    "bus_stop_dark": ("ROBBERY", "ASSAULT", "ANTISOCIAL BEHAVIOUR"),
    "hedge_sightline": ("ROBBERY", "ASSAULT", "THEFT"),
    "wall_sightline": ("ROBBERY", "ASSAULT", "DRUGS"),
    "dumping": ("ANTISOCIAL BEHAVIOUR", "CRIMINAL DAMAGE"),
    "busy_open": ("THEFT", "ASSAULT", "ANTISOCIAL BEHAVIOUR"),
    "intervention": ("THEFT", "DRUGS", "ANTISOCIAL BEHAVIOUR"),
    "burst": ("ASSAULT", "ANTISOCIAL BEHAVIOUR", "CRIMINAL DAMAGE"),
}
NOISE_CATEGORIES = (
    ("THEFT", 0.32),
    ("ASSAULT", 0.18),
    ("ROBBERY", 0.08),
    ("CRIMINAL DAMAGE", 0.16),
    ("DRUGS", 0.08),
    ("ANTISOCIAL BEHAVIOUR", 0.18),
)
# resident concerns planted at places: (category, texts, "night"/"day", how many)
PLACE_CONCERNS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "dark_gap": (
        "Street lighting",
        (
            "No street lights along this stretch, pitch black walking home",
            "Very dark between the junctions, there are no lamps at all",
        ),
        "evening",
    ),
    "light_out": (
        "Street lighting",
        (
            "Street light out outside no. 12, been dark for weeks",
            "The lamp post by number 12 is still not working",
            "Street light outside no. 12 out again, whole path is dark",
        ),
        "evening",
    ),
    "hedge_sightline": (
        "Trees and hedges",
        (
            "Overgrown hedge, can't see who is on the path",
            "Hedge is so overgrown you can't see the path from the street",
            "Overgrown hedge blocks the view of the footpath, feels unsafe",
        ),
        "day",
    ),
    "dumping": (
        "Litter and fly-tipping",
        (
            "Fly-tipping again, dumped mattresses by the garages",
            "Rubbish and litter everywhere behind the shops",
            "Dumped mattress and bin bags left on the pavement",
            "More fly-tipping, old sofa and rubbish dumped",
            "Litter and broken glass all over the alley",
            "Someone has dumped a mattress and bags of rubbish again",
            "Fly-tipped waste piling up, rats now",
        ),
        "day",
    ),
    "busy_open": (
        "Highways and parking",
        (
            "Cars speeding along here, someone will get hurt",
            "Constant traffic noise and horns at the crossing",
        ),
        "day",
    ),
}
NOISE_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Street lighting",
        (
            "Street light flickering on and off",
            "Lamp post light out near the junction",
            "Street light stays on all day",
        ),
    ),
    (
        "Trees and hedges",
        (
            "Tree branches overhanging the pavement",
            "Hedge growing over the footpath",
            "Overgrown bushes on the corner",
        ),
    ),
    (
        "Anti-social behaviour",
        (
            "Group of youths gathering, smell of cannabis",
            "People loitering by the shop most evenings",
            "Drug dealing from a parked car",
        ),
    ),
    (
        "Litter and fly-tipping",
        (
            "Overflowing bins on the corner",
            "Litter dropped outside the takeaway",
            "Dumped bags of rubbish in the lane",
        ),
    ),
    (
        "Highways and parking",
        (
            "Cars parked on the pavement",
            "Speeding vehicles on this road",
            "Pothole in the road",
        ),
    ),
    (
        "Noise",
        (
            "Loud music late at night",
            "Noise from a house party",
            "Barking dog all day",
        ),
    ),
)
STREET_NAMES_NS = (
    "Aire St", "Bath Rd", "Cavendish St", "Dewsbury Rd", "Elmwood Ln", "Fenton St",
    "Grove Rd", "Hyde Park Rd", "Ingram St", "Jubilee Ter", "Kirkstall Rd", "Lovell Rd",
    "Marsh Ln", "Neville St", "Oxford Pl", "Portland Cres", "Quarry Hill", "Regent St",
    "Sovereign St", "Tong Rd",
)  # fmt: skip
STREET_NAMES_EW = (
    "Albion Pl", "Boar Ln", "Call Ln", "Duncan St", "Eastgate", "Fish St", "Great George St",
    "Headrow", "Infirmary St", "Kendal Ln", "Lands Ln", "Merrion St", "New Briggate",
    "Park Row", "Queen St", "Russell St", "Swinegate", "Templar St", "Vicar Ln", "Wade Ln",
)  # fmt: skip
OBSTRUCTION_KINDS = ("hedge", "tree", "wall", "fence")


@dataclass
class Place:
    """One planted place (coordinates in local metres from the scene's south-west corner)."""

    place_id: str
    kind: str
    x: float
    y: float
    target_kind: str = ""
    target_id: str = ""
    target_x: float = float("nan")
    target_y: float = float("nan")
    n_events: int = 0
    n_displaced: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scene:
    """The generated scene in memory.

    Attributes
    ----------
    origin : tuple of float
        EPSG:32630 coordinates (m) of the local (0, 0) corner.
    places : list of Place
    incidents, concerns, lights, stops, obstructions, truth : DataFrame
        The rows as written (text columns), plus local ``x``/``y`` for point layers;
        events also carry ``origin`` (``planted``, ``displaced`` or ``noise``),
        ``place_id`` (blank for noise) and ``mess`` (the planted defect, if any).
    boundary : shapely Polygon
        The study square (local metres).

    All coordinates (``x``/``y``, geometries) are local metres from :attr:`origin`; add
    the origin for EPSG:32630.
    """

    origin: tuple[float, float]
    places: list[Place]
    incidents: pd.DataFrame
    concerns: pd.DataFrame
    lights: pd.DataFrame
    stops: pd.DataFrame
    obstructions: pd.DataFrame
    truth: pd.DataFrame
    boundary: shapely.Polygon
