"""hotspots: place-based problem solving for community policing.

Find the places where trouble keeps coming back, say what about the place lets it
happen, and recommend what to fix, with the evidence behind each fix.
"""

from __future__ import annotations

from hotspots import _columns as columns
from hotspots import datasets
from hotspots._errors import CRSError, HotspotsError, HotspotsWarning, LayerError, ValidationError
from hotspots.assess import Assessment, assess, compare_forecasts, evaluate_forecast
from hotspots.cluster import crime_concentration, event_clusters, find_hotspots
from hotspots.environment import diagnose
from hotspots.grid import grid_counts, grid_gistar
from hotspots.io import REJECTION_REASONS, Layer, LocationPrecision, read_boundary, read_layer
from hotspots.maps import HotspotMap, make_map
from hotspots.recommend import recommend
from hotspots.report import write_report
from hotspots.settings import Settings, load_settings
from hotspots.study import Study, build_study, combine_events
from hotspots.temporal import after_dark, cluster_time_summary
from hotspots.topics import classify_concerns, top_phrases

__version__ = "0.1.0"

__all__ = [
    "REJECTION_REASONS",
    "Assessment",
    "CRSError",
    "HotspotMap",
    "HotspotsError",
    "HotspotsWarning",
    "Layer",
    "LayerError",
    "LocationPrecision",
    "Settings",
    "Study",
    "ValidationError",
    "__version__",
    "after_dark",
    "assess",
    "build_study",
    "classify_concerns",
    "cluster_time_summary",
    "columns",
    "combine_events",
    "compare_forecasts",
    "crime_concentration",
    "datasets",
    "diagnose",
    "evaluate_forecast",
    "event_clusters",
    "find_hotspots",
    "grid_counts",
    "grid_gistar",
    "load_settings",
    "make_map",
    "read_boundary",
    "read_layer",
    "recommend",
    "top_phrases",
    "write_report",
]
