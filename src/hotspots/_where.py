"""Where a place is in words ("1100 block of Vermont Ave NW"), and which to look at first.

The rank is the same on the map, in the report and in the briefs.

Cities publish an address or block text with most events (DC's ``BLOCK``, Chicago's
``block``, Boston's ``STREET``, 311's ``STREETADDRESS``); the readers keep such source
columns beside the contract columns. :func:`place_locations` takes, for each place, the
most common block of its events (house numbers generalised to their hundred block, so a
311 address and a crime block agree and nothing finer than the block is written), and,
for a place whose events carry no address, the name of the nearest bus stop (usually two
cross streets). The text is data: callers escape it for their format.
"""

from __future__ import annotations

import logging
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots import _columns as C
from hotspots import _vocab as V
from hotspots._places import assign
from hotspots.study import Study

__all__ = ["LOCATION", "address_column", "block_text", "place_locations", "place_ranks"]

log = logging.getLogger(__name__)

LOCATION = "location"
"""Column name of a place's location text."""

ADDRESS_NAMES = (
    "block",
    "block_address",
    "blockaddress",
    "address",
    "streetaddress",
    "street_address",
    "full_address",
    "incident_address",
    "location_street_name",
    "location",
    "street",
    "street_name",
    "streetname",
)
"""Source columns read as an address or block, in order of preference (normalised names).

Not ``location_desc``/``location_description``: those say STREET or RESIDENCE, not where.
"""

_STOP_REACH_M = 150.0
_COORDINATE_TEXT = re.compile(r"^\s*[\(\[]?\s*-?\d{1,3}\.\d+\s*[, ]\s*-?\d{1,3}\.\d+|^\s*POINT\b",
                              re.IGNORECASE)  # fmt: skip
_RANGE_BLOCK = re.compile(r"^\s*(\d+)\s*-\s*\d+\s+BLOCK\s+(?:OF\s+)?(.+)$", re.IGNORECASE)
_BLOCK = re.compile(r"^\s*(\d+)\s+BLOCK\s+(?:OF\s+)?(.+)$", re.IGNORECASE)
_HOUSE = re.compile(r"^\s*(\d+)[A-Z]?(?:\s*-\s*\d+[A-Z]?)?\s+(\D.*)$", re.IGNORECASE)
_XX_BLOCK = re.compile(r"^\s*(\d*)XX\s+(.+)$", re.IGNORECASE)  # Chicago: "011XX W MADISON ST"
_KEEP_UPPER = frozenset({"NW", "NE", "SW", "SE", "N", "S", "E", "W", "US", "DC"})


def address_column(frame: pd.DataFrame) -> str | None:
    """Return the column of `frame` that holds an address or block text, if any.

    A column whose values look like coordinates (``"(42.35, -71.06)"``) is skipped.

    Examples
    --------
    >>> address_column(pd.DataFrame({"BLOCK": ["1400 - 1499 BLOCK OF P STREET NW"]}))
    'BLOCK'
    >>> address_column(pd.DataFrame({"Location": ["(41.88, -87.63)"]})) is None
    True
    """
    columns = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)]
    lookup: dict[str, str] = {}
    for col in columns:
        lookup.setdefault(V.norm(col), col)
    for name in ADDRESS_NAMES:
        col = lookup.get(name)
        if col is None or not (
            frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col])
        ):
            continue
        sample = frame[col].dropna().astype(str).head(200)
        sample = sample[sample.str.strip() != ""]
        if len(sample) and not sample.str.match(_COORDINATE_TEXT).mean() > 0.5:
            return str(col)
    return None


def _tidy(text: str) -> str:
    """Title-case an all-capitals street name, keeping quadrants (NW) upper case."""
    text = " ".join(text.split())
    if text != text.upper():
        return text
    words = []
    for word in text.split(" "):
        if word in _KEEP_UPPER:
            words.append(word)
        elif word[:1].isdigit():
            words.append(word.lower())  # 18TH -> 18th
        else:
            words.append(word.capitalize())
    return " ".join(words)


def block_text(values: pd.Series) -> pd.Series:
    """Return each address as its block: house numbers become their hundred block.

    Block texts (``"1400 - 1499 BLOCK OF P STREET NW"``, ``"011XX W MADISON ST"``) and
    house addresses (``"1412 P STREET NW"``) become ``"1400 block of P Street NW"``;
    intersections and other text are kept, tidied; empty values become ``""``.

    Examples
    --------
    >>> block_text(pd.Series(["1400 - 1499 BLOCK OF P STREET NW", "327 K STREET NE",
    ...                       "18TH STREET NW AND M STREET NW", None])).tolist()
    ['1400 block of P Street NW', '300 block of K Street NE', '18th Street NW And M Street NW', '']
    """

    def one(value: object) -> str:
        if value is None or value != value:
            return ""
        text = " ".join(str(value).split())
        if not text:
            return ""
        for pattern in (_RANGE_BLOCK, _BLOCK, _XX_BLOCK):
            m = pattern.match(text)
            if m:
                start = int(m.group(1) or 0) * (100 if pattern is _XX_BLOCK else 1)
                return f"{start // 100 * 100} block of {_tidy(m.group(2))}"
        m = _HOUSE.match(text)
        if m:
            return f"{int(m.group(1)) // 100 * 100} block of {_tidy(m.group(2))}"
        return _tidy(text)

    uniques = pd.unique(values.astype(object))
    table = {u: one(u) for u in uniques}
    return values.astype(object).map(table).fillna("").astype(str)


def place_locations(study: Study, places: gpd.GeoDataFrame) -> pd.Series:
    """Return each place's location in words, at block level.

    The most common block of the place's incidents and concerns (see :func:`block_text`)
    when their layers have an address column (:func:`address_column`); otherwise the
    nearest named bus stop ("near <stop>" within 150 m, else "<d> m from <stop>", to 10 m);
    otherwise ``""``.

    Parameters
    ----------
    study : Study
    places : GeoDataFrame
        Hot spots (:func:`hotspots.find_hotspots`), polygons in the study CRS.

    Returns
    -------
    Series of str
        Named ``"location"``, with the index of `places`.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> study = datasets.load_study("dc")
    >>> place_locations(study, find_hotspots(study)).iloc[0]
    '1100 block of Vermont Avenue NW'
    """
    out = pd.Series([""] * len(places), index=places.index, name=LOCATION, dtype=object)
    if not len(places):
        return out
    polys = places.geometry.to_numpy()
    parts = []
    for frame in (study.incidents, study.concerns):
        col = address_column(frame) if len(frame) else None
        if col is None:
            continue
        xy = shapely.get_coordinates(frame.geometry.to_numpy())
        pos = assign(xy, polys)
        inside = pos >= 0
        parts.append(pd.DataFrame({"pos": pos[inside],
                                   "text": block_text(frame[col][inside].reset_index(drop=True))
                                   .to_numpy()}))  # fmt: skip
    if parts:
        events = pd.concat(parts, ignore_index=True)
        events = events[events["text"] != ""]
        counts = events.groupby(["pos", "text"]).size().rename("n").reset_index()
        best = counts.sort_values(["pos", "n", "text"], ascending=[True, False, True],
                                  kind="stable").drop_duplicates("pos")  # fmt: skip
        out.iloc[best["pos"].to_numpy()] = best["text"].to_numpy()
    missing = np.flatnonzero(out.to_numpy() == "")
    stops = study.stops
    if len(missing) and len(stops) and C.NAME in stops:
        named = stops[stops[C.NAME].notna() & (stops[C.NAME].astype(str).str.strip() != "")]
        if len(named):
            tree = shapely.STRtree(named.geometry.to_numpy())
            centres = shapely.centroid(polys[missing])
            (i_place, i_stop), dist = tree.query_nearest(
                centres, return_distance=True, all_matches=False
            )
            names = named[C.NAME].astype(str).to_numpy()[i_stop]
            out.iloc[missing[i_place]] = [
                f"near {_tidy(n)}" if d <= _STOP_REACH_M else f"{d:,.0f} m from {_tidy(n)}"
                for n, d in zip(names, np.round(dist, -1), strict=True)
            ]
    log.info("locations: %d of %d places named", int((out != "").sum()), len(out))
    return out


def place_ranks(places: pd.DataFrame, recs: pd.DataFrame) -> np.ndarray:
    """Return each place's rank (1 = first to look at), in the order of `places`.

    By the place's harm rank when :func:`hotspots.diagnose` gave one (``harm_rank``: harm
    first, so the rank means the same on the map, in the report and in the briefs), else by
    the priority of its top fix; then its number of events, then its id.

    Examples
    --------
    >>> places = pd.DataFrame({"cluster_id": ["H1", "H2", "H3"], "n_events": [9, 5, 7]})
    >>> recs = pd.DataFrame({"cluster_id": ["H2"], "priority": [60.0]})
    >>> place_ranks(places, recs).tolist()
    [2, 1, 3]
    """
    if not len(places):
        return np.zeros(0, int)
    if C.HARM_RANK in places and places[C.HARM_RANK].notna().all():
        key = -places[C.HARM_RANK].to_numpy(float)  # rank 1 first
    else:
        has_recs = len(recs) and C.PRIORITY in recs
        best = recs.groupby(C.CLUSTER_ID)[C.PRIORITY].max() if has_recs else pd.Series(dtype=float)
        key = places[C.CLUSTER_ID].map(best).astype(float).fillna(-np.inf).to_numpy()
    order = pd.DataFrame(
        {
            "priority": key,
            "events": places[C.N_EVENTS].to_numpy() if C.N_EVENTS in places else 0,
            "id": places[C.CLUSTER_ID].astype(str).to_numpy(),
        }
    ).sort_values(["priority", "events", "id"], ascending=[False, False, True], kind="stable")
    ranks = np.empty(len(order), int)
    ranks[order.index.to_numpy()] = np.arange(1, len(order) + 1)
    return ranks
