"""Where :func:`hotspots.diagnose` used to live; kept so existing imports keep working.

The evidence now comes from one module per factor (:mod:`hotspots.factors`) and
:func:`diagnose` from :mod:`hotspots.diagnose`. ``from hotspots.environment import
EVIDENCE_COLUMNS`` (the built-in factors' columns), ``diagnose`` and
``event_cluster_index`` still work.
"""

from __future__ import annotations

from hotspots.diagnose import EVIDENCE_COLUMNS, diagnose, event_cluster_index

__all__ = ["EVIDENCE_COLUMNS", "diagnose", "event_cluster_index"]
