"""hotspots: place-based problem solving for community policing.

Find the places where trouble keeps coming back, say what about the place lets it
happen, and recommend what to fix, with the evidence behind each fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the real imports, for type checkers and IDEs
    from hotspots import _columns as columns
    from hotspots import datasets
    from hotspots._errors import (
        CRSError,
        HotspotsError,
        HotspotsWarning,
        LayerError,
        ValidationError,
    )
    from hotspots.assessment import Assessment, assess
    from hotspots.briefs import write_briefs
    from hotspots.cluster import crime_concentration, event_clusters, find_hotspots
    from hotspots.environment import diagnose
    from hotspots.factors import register_factor
    from hotspots.fixes import register_fix
    from hotspots.forecast import compare_forecasts, evaluate_forecast
    from hotspots.grid import grid_counts, grid_gistar
    from hotspots.io import REJECTION_REASONS, Layer, LocationPrecision, read_boundary, read_layer
    from hotspots.layers import LayerField, LayerKind, register_layer_kind
    from hotspots.maps import HotspotMap, make_map
    from hotspots.nearrepeat import knox
    from hotspots.recommendations import recommend
    from hotspots.report import write_report
    from hotspots.settings import Settings, load_settings
    from hotspots.study import Study, build_study, combine_events
    from hotspots.temporal import after_dark, cluster_time_summary
    from hotspots.topics import classify_concerns, top_phrases

# Names load on first use (PEP 562), so `hotspots --help` and the error exit codes do not
# pay for importing geopandas, scikit-learn and folium.
_LAZY: dict[str, tuple[str, str]] = {
    "Assessment": ("hotspots.assessment", "Assessment"),
    "CRSError": ("hotspots._errors", "CRSError"),
    "HotspotMap": ("hotspots.maps", "HotspotMap"),
    "HotspotsError": ("hotspots._errors", "HotspotsError"),
    "HotspotsWarning": ("hotspots._errors", "HotspotsWarning"),
    "Layer": ("hotspots.io", "Layer"),
    "LayerError": ("hotspots._errors", "LayerError"),
    "LayerField": ("hotspots.layers", "LayerField"),
    "LayerKind": ("hotspots.layers", "LayerKind"),
    "LocationPrecision": ("hotspots.io", "LocationPrecision"),
    "REJECTION_REASONS": ("hotspots.io", "REJECTION_REASONS"),
    "Settings": ("hotspots.settings", "Settings"),
    "Study": ("hotspots.study", "Study"),
    "ValidationError": ("hotspots._errors", "ValidationError"),
    "after_dark": ("hotspots.temporal", "after_dark"),
    "assess": ("hotspots.assessment", "assess"),
    "build_study": ("hotspots.study", "build_study"),
    "classify_concerns": ("hotspots.topics", "classify_concerns"),
    "cluster_time_summary": ("hotspots.temporal", "cluster_time_summary"),
    "columns": ("hotspots._columns", ""),
    "combine_events": ("hotspots.study", "combine_events"),
    "compare_forecasts": ("hotspots.forecast", "compare_forecasts"),
    "crime_concentration": ("hotspots.cluster", "crime_concentration"),
    "datasets": ("hotspots.datasets", ""),
    "diagnose": ("hotspots.environment", "diagnose"),
    "evaluate_forecast": ("hotspots.forecast", "evaluate_forecast"),
    "event_clusters": ("hotspots.cluster", "event_clusters"),
    "find_hotspots": ("hotspots.cluster", "find_hotspots"),
    "grid_counts": ("hotspots.grid", "grid_counts"),
    "grid_gistar": ("hotspots.grid", "grid_gistar"),
    "knox": ("hotspots.nearrepeat", "knox"),
    "load_settings": ("hotspots.settings", "load_settings"),
    "make_map": ("hotspots.maps", "make_map"),
    "read_boundary": ("hotspots.io", "read_boundary"),
    "read_layer": ("hotspots.io", "read_layer"),
    "recommend": ("hotspots.recommendations", "recommend"),
    "register_layer_kind": ("hotspots.layers", "register_layer_kind"),
    "register_factor": ("hotspots.factors", "register_factor"),
    "register_fix": ("hotspots.fixes", "register_fix"),
    "risk_factors": ("hotspots.risk", "risk_factors"),
    "top_phrases": ("hotspots.topics", "top_phrases"),
    "write_briefs": ("hotspots.briefs", "write_briefs"),
    "write_report": ("hotspots.report", "write_report"),
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'hotspots' has no attribute {name!r}")
    import importlib

    module, attribute = _LAZY[name]
    value = importlib.import_module(module)
    if attribute:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the module's names, loaded or not."""
    return sorted(set(globals()) | set(_LAZY))


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
    "LayerField",
    "LayerKind",
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
    "knox",
    "load_settings",
    "make_map",
    "read_boundary",
    "read_layer",
    "recommend",
    "register_layer_kind",
    "register_factor",
    "register_fix",
    "risk_factors",
    "top_phrases",
    "write_briefs",
    "write_report",
]
