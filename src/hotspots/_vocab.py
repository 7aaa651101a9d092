"""Vocabularies the readers use: candidate column names, status words, time formats.

Kept apart from the reading logic so that a new city's column names are added in one place.
Names are compared after normalising (lower case, runs of other characters to ``_``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hotspots import _columns as C


def norm(name: str) -> str:
    """Normalise a column name: lower case, runs of other characters to ``_``.

    Examples
    --------
    >>> norm(" Offense Type ")
    'offense_type'
    """
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def find_column(columns: Sequence[str], names: Sequence[str]) -> str | None:
    """First of `columns` (by priority of `names`) whose normalised name is in `names`.

    Examples
    --------
    >>> find_column(["X", "LATITUDE", "Longitude"], LON_EXACT)
    'Longitude'
    """
    lookup: dict[str, str] = {}
    for col in columns:
        lookup.setdefault(norm(col), col)
    for candidate in names:
        if candidate in lookup:
            return lookup[candidate]
    return None


# --- column-name detection -------------------------------------------------------------
LON_EXACT = ("longitude", "lon", "lng", "long", "x_lon", "lon_x", "longitud")
LAT_EXACT = ("latitude", "lat", "y_lat", "lat_y", "latitud")
LON_TOKENS = frozenset({"longitude", "lon", "lng", "long"})
LAT_TOKENS = frozenset({"latitude", "lat"})
X_NAMES = (
    "x",
    "xcoord",
    "x_coord",
    "xcoordinate",
    "x_coordinate",
    "coord_x",
    "point_x",
    "easting",
)
Y_NAMES = (
    "y",
    "ycoord",
    "y_coord",
    "ycoordinate",
    "y_coordinate",
    "coord_y",
    "point_y",
    "northing",
)
LOCATION_NAMES = (
    "location",
    "the_geom",
    "geom",
    "geometry",
    "wkt",
    "point",
    "coordinates",
    "latlon",
    "lat_lon",
    "geocoded_column",
    "shape",
)

TIME_NAMES: dict[str, tuple[str, ...]] = {
    C.INCIDENTS: (
        "occurred_at",
        "occurred",
        "occurred_on",
        "occurred_from",
        "occurrence_date",
        "date_occurred",
        "date_occ",
        "occ_date",
        "offense_date",
        "offence_date",
        "incident_date",
        "incident_datetime",
        "crime_date",
        "start_date",
        "startdate",
        "from_date",
        "datetime",
        "date_time",
        "date",
        "time",
        "timestamp",
        "report_dat",
        "reported_date",
        "report_date",
        "reported_at",
        "created",
        "created_date",
    ),
    C.CONCERNS: (
        "reported_at",
        "reported",
        "requested_datetime",
        "requested_at",
        "requested",
        "requested_date",
        "request_date",
        "adddate",
        "add_date",
        "created_date",
        "created_at",
        "created",
        "date_reported",
        "report_date",
        "open_date",
        "open_dt",
        "opened",
        "opened_at",
        "submitted",
        "submitted_at",
        "datetime",
        "date_time",
        "date",
        "timestamp",
        "time",
    ),
}
HOUR_NAMES = ("hour", "hour_of_day", "occ_hour", "hr", "hour_occ", "hour_occurred")
"""An hour-of-day column published beside a timestamp (Boston's ``HOUR``)."""
TIME_OF_DAY_NAMES = (
    "time",
    "time_occ",
    "occurred_time",
    "occ_time",
    "arrest_time",
    "arresttime",
    "crime_time",
    "crimetime",
    "incident_time",
    "offense_time",
    "offence_time",
    "report_time",
    "time_of_day",
    "tod",
)
"""A time-of-day column published apart from its date column (Baltimore's arrests)."""
TIME_TO_NAMES = (
    "occurred_to",
    "occurred_until",
    "end_date",
    "enddate",
    "to_date",
    "date_to",
    "occurred_end",
    "end_time",
    "end_datetime",
)
ID_NAMES: dict[str, tuple[str, ...]] = {
    C.INCIDENTS: (
        "id",
        "incident_id",
        "ccn",
        "case_number",
        "case_id",
        "report_number",
        "crime_id",
        "incident_number",
        "objectid",
        "fid",
    ),
    C.CONCERNS: (
        "id",
        "request_id",
        "service_request_id",
        "servicerequestid",
        "case_id",
        "ticket_id",
        "case_number",
        "objectid",
        "fid",
    ),
    C.LIGHTS: (
        "id",
        "light_id",
        "streetlightid",
        "streetlight_id",
        "facilityid",
        "asset_id",
        "pole_id",
        "unitid",
        "unit_id",
        "objectid",
        "fid",
    ),
    C.STOPS: (
        "id",
        "stop_id",
        "stopid",
        "stop_code",
        "reg_id",
        "egis_id",
        "bstp_geo_id",
        "objectid",
        "fid",
    ),
    C.OBSTRUCTIONS: ("id", "obstruction_id", "feature_id", "asset_id", "objectid", "fid"),
}
CATEGORY_NAMES: dict[str, tuple[str, ...]] = {
    C.INCIDENTS: (
        "category",
        "offense",
        "offence",
        "offense_type",
        "offence_type",
        "crime_type",
        "primary_type",
        "type",
        "ucr_category",
        "crime",
        "incident_type",
        "offense_description",
    ),
    C.CONCERNS: (
        "category",
        "type",
        "request_type",
        "service_type",
        "servicecodedescription",
        "service_name",
        "problem",
        "issue",
        "subject",
        "complaint_type",
    ),
}
DESCRIPTION_NAMES = (
    "description",
    "details",
    "detail",
    "comments",
    "comment",
    "notes",
    "text",
    "narrative",
    "public_description",
    "descriptor",
    "summary",
)
STATUS_NAMES = (
    "status",
    "light_status",
    "lamp_status",
    "operational_status",
    "condition",
    "state",
    "working",
    "is_working",
    "is_out",
    "out",
    "outage",
    "lamp_out",
    "assetstatus_desc",
    "asset_status",
    "status_desc",
)
WATTAGE_NAMES = ("wattage", "watts", "wattage1", "lamp_wattage", "power_w", "watt")
POLE_HEIGHT_NAMES = (
    "pole_height_m",
    "pole_height",
    "poleheight_desc",
    "poleheight",
    "mounting_height",
    "mounting_height_m",
    "height_m",
    "height",
)
NAME_NAMES = ("name", "stop_name", "bstp_msg_text", "stop_desc", "stop_description")
ROUTES_NAMES = ("routes", "route", "lines", "route_ids", "serving_routes", "routes_served")
KIND_NAMES = ("kind", "type", "obstruction_type", "class", "feature_type", "category")
ADDRESS_HINTS = ("block", "address", "streetaddress", "location_desc", "street_address")

GEOM_TYPES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}

# --- status and obstruction vocabularies -------------------------------------------------
OUT_WORDS = (
    "not working",
    "out",
    "off",
    "broken",
    "inoperable",
    "inoperative",
    "fault",
    "faulty",
    "dark",
    "failed",
    "failure",
    "outage",
    "damaged",
    "defective",
    "dead",
    "inactive",
    "not lit",
    "unlit",
    "needs repair",
    "repair",
    "down",
    "no light",
    "not operational",
    "non-operational",
    "non operational",
    "removed",
    "burnt",
)
WORKING_WORDS = (
    "ok",
    "on",
    "working",
    "operational",
    "functional",
    "functioning",
    "good",
    "active",
    "in service",
    "lit",
    "normal",
    "in operation",
    "operating",
    "fine",
    "energized",
    "energised",
    "illuminated",
)
_NEG = r"(?:not|non|no\s+longer|never|isn'?t|is\s+not)"
_WORKING_CORE = (
    r"(?:working|functional|functioning|operational|operating|in\s+service|in\s+operation"
    r"|lit|on|active|ok|okay|energi[sz]ed|illuminated|running)"
)
_OUT_CORE = (
    r"(?:out|off|broken|faulty|fault|faults|dark|damaged|defective|failed|failure|outage|"
    r"outages|issue|issues|problem|problems|defect|defects)"
)
STATUS_WORKING_PATTERNS = (
    rf"\b(?:not|no|none)[\s-]+{_OUT_CORE}\b",  # "no fault found", "no outage", "not out"
    r"\b(?:repair|repairs|work|fix)\s+(?:completed?|done|finished)\b",
    r"\b(?:fault|faults|outage|issue|problem|defect)\s+(?:cleared|resolved|fixed|repaired)\b",
    r"\b(?:repaired|fixed|restored|resolved|back\s+on|back\s+in\s+service|relamped|re-lamped)\b",
    r"\blamp\s+replaced\b",
)
"""Status phrases that mean the light works, read before the out words they contain."""
STATUS_OUT_PATTERNS = (
    rf"\b{_NEG}[\s-]*{_WORKING_CORE}\b",  # "not in service", "non-functional", "not operating"
    r"\bout\s+of\s+(?:service|order|operation)\b",
    r"\b(?:needs?|needing|requires?|required|awaiting|pending|under)\s+(?:a\s+)?repair",
    r"\brepair\s+(?:needed|required|pending)\b",
    r"\b(?:de|un)-?energi[sz]ed\b",
    r"\b(?:cycling|flickering|flashing)\b",
)
"""Status phrases that mean the light is out, read before the working words they contain."""
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "1.0"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "0.0"})
OBSTRUCTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hedge", ("hedge", "hedgerow", "shrub", "bush", "vegetation", "overgrowth")),
    ("tree", ("tree", "canopy")),
    ("wall", ("wall",)),
    ("fence", ("fence", "railing", "hoarding", "barrier", "gate")),
    ("building", ("building", "structure", "kiosk", "shed", "garage", "container")),
)

# --- time formats tried, in order (US before day-first: DESIGN names US portals) ----------
TIME_FORMATS = (
    "ISO8601",
    "%Y/%m/%d %H:%M:%S%z",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y %H:%M",
    "%d-%b-%Y",
    "%B %d, %Y %I:%M:%S %p",
    "%B %d, %Y %I:%M %p",
    "%B %d, %Y %H:%M",
    "%B %d, %Y",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y",
    "%Y%m%d%H%M%S",
    "%Y%m%d",
)
DAYFIRST_PAIRS = (
    ("%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S"),
    ("%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M"),
    ("%m/%d/%Y", "%d/%m/%Y"),
)
"""Month-first formats and their day-first twins: one of each pair is used per column."""
