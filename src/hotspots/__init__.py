"""hotspots: place-based problem solving for community policing.

Find the places where trouble keeps coming back, say what about the place lets it
happen, and recommend what to fix, with the evidence behind each fix.
"""

from __future__ import annotations

from hotspots import _columns as columns
from hotspots import datasets
from hotspots._errors import CRSError, HotspotsError, HotspotsWarning, LayerError, ValidationError
from hotspots.io import REJECTION_REASONS, Layer, LocationPrecision, read_boundary, read_layer
from hotspots.settings import Settings, load_settings
from hotspots.study import Study, build_study, combine_events

__version__ = "0.1.0"

__all__ = [
    "REJECTION_REASONS",
    "CRSError",
    "HotspotsError",
    "HotspotsWarning",
    "Layer",
    "LayerError",
    "LocationPrecision",
    "Settings",
    "Study",
    "ValidationError",
    "__version__",
    "build_study",
    "columns",
    "combine_events",
    "datasets",
    "load_settings",
    "read_boundary",
    "read_layer",
]
