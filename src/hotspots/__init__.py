"""hotspots: place-based problem solving for community policing.

Find the places where trouble keeps coming back, say what about the place lets it
happen, and recommend what to fix, with the evidence behind each fix.
"""

from __future__ import annotations

from hotspots.settings import Settings, load_settings

__version__ = "0.1.0"

__all__ = [
    "Settings",
    "__version__",
    "load_settings",
]
