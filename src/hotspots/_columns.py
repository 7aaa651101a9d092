"""Column names used across hotspots, in one place.

Every stage documents the columns it adds by referring to these constants, so a
notebook can rely on ``hotspots.columns.OCCURRED_AT`` rather than a string literal.
"""

from __future__ import annotations

# --- layer kinds -------------------------------------------------------------
INCIDENTS = "incidents"
CONCERNS = "concerns"
LIGHTS = "lights"
STOPS = "stops"
OBSTRUCTIONS = "obstructions"
KINDS: tuple[str, ...] = (INCIDENTS, CONCERNS, LIGHTS, STOPS, OBSTRUCTIONS)
EVENT_KINDS: tuple[str, ...] = (INCIDENTS, CONCERNS)

# --- columns every loaded layer has ------------------------------------------
GEOMETRY = "geometry"
ID = "id"
"""Identifier from the source (string); the 1-based source row number when absent."""
SOURCE_ROW = "source_row"
"""1-based data row in the source file or frame (header not counted)."""

# --- event layers (incidents, concerns) ----------------------------------------
OCCURRED_AT = "occurred_at"
"""Incidents: when it happened (tz-aware, study timezone)."""
OCCURRED_TO = "occurred_to"
"""Incidents: end of the time window when the source gives one (aoristic), else NaT."""
REPORTED_AT = "reported_at"
"""Concerns: when the resident reported it (tz-aware, study timezone)."""
CATEGORY = "category"
DESCRIPTION = "description"
IS_DUPLICATE = "is_duplicate"
"""True for a row that repeats an earlier row exactly (with ``duplicates="flag"``)."""

# --- lights, stops, obstructions ------------------------------------------------
STATUS = "status"
"""Lights: one of ``working``, ``out``, ``unknown``."""
STATUS_WORKING = "working"
STATUS_OUT = "out"
STATUS_UNKNOWN = "unknown"
LIGHT_STATUSES: tuple[str, ...] = (STATUS_WORKING, STATUS_OUT, STATUS_UNKNOWN)
WATTAGE = "wattage"
NAME = "name"
ROUTES = "routes"
KIND = "kind"
"""Obstructions: hedge, tree, wall, fence, building or other."""
OBSTRUCTION_KINDS: tuple[str, ...] = ("hedge", "tree", "wall", "fence", "building", "other")

# --- combined events (see hotspots.study.combine_events) ------------------------
EVENT_ID = "event_id"
SOURCE = "source"
"""Combined events: ``incident`` or ``concern``."""
SOURCE_INCIDENT = "incident"
SOURCE_CONCERN = "concern"
TIME = "time"
"""Combined events: occurred_at for incidents, reported_at for concerns."""
TIME_TO = "time_to"

# --- rejected-rows table ----------------------------------------------------------
REJ_LAYER = "layer"
REJ_SOURCE = "source"
REJ_ROW = "row"
REJ_REASON = "reason"
REJ_DETAIL = "detail"
REJ_ORIGINAL = "original"
REJECTED_COLUMNS: tuple[str, ...] = (
    REJ_LAYER,
    REJ_SOURCE,
    REJ_ROW,
    REJ_REASON,
    REJ_DETAIL,
    REJ_ORIGINAL,
)

# --- places (hotspots.find_hotspots) ----------------------------------------------
CLUSTER_ID = "cluster_id"
"""Stable place id (``H001``...), by size then centroid."""
CENTROID_X = "centroid_x"
CENTROID_Y = "centroid_y"
N_EVENTS = "n_events"
N_INCIDENTS = "n_incidents"
N_CONCERNS = "n_concerns"
SOURCE_MIX = "source_mix"
CATEGORIES = "categories"
FIRST_SEEN = "first_seen"
LAST_SEEN = "last_seen"
N_DAYS = "n_days"
SPAN_DAYS = "span_days"
EVENTS_PER_WEEK = "events_per_week"
AREA_M2 = "area_m2"
EXPECTED = "expected"
P_VALUE = "p_value"
P_ADJ = "p_adj"
SIGNIFICANT = "significant"
N_AFTER_DARK = "n_after_dark"
AFTER_DARK_SHARE = "after_dark_share"
HOUR_PROFILE = "hour_profile"
WEEKDAY_PROFILE = "weekday_profile"
PERIOD_COUNTS = "period_counts"
ACTIVE_PERIODS = "active_periods"
TREND = "trend"
TREND_TAU = "trend_tau"
TREND_P = "trend_p"
TREND_NOTE = "trend_note"
"""A small-sample note when a place has events in fewer than ~10 periods."""
LOCATION_PRECISION = "location_precision"
HARM_RANK = "harm_rank"
"""1 = the place whose events do the most harm (hotspots.diagnose; harm first, then confidence)."""

# --- recommendations (hotspots.recommend) ------------------------------------------
FIX = "fix"
TARGET_ID = "target_id"
TARGET_KIND = "target_kind"
TARGET_X = "target_x"
TARGET_Y = "target_y"
EVIDENCE = "evidence"
TRIGGERED_BY = "triggered_by"
EFFECT = "effect"
CAUTION = "caution"
PRIORITY = "priority"
PRIORITY_EXPLAINED = "priority_explained"
NO_FIX = "no_environmental_fix"
"""The fix row a place gets when no factor's rule fires."""
