"""Offence wordings → offence groups, indoor / outdoor locations, and harm weights.

Cities word their offences differently ("THEFT/OTHER", "LARCENY SHOPLIFTING",
"Shoplifting"); the fix rules need to know what kind of offence each event is (lighting
does not stop shoplifting indoors). :func:`offence_groups` maps each wording to one of
:data:`GROUPS` through a shipped, editable table (``offence_groups.toml`` beside this
module: DC, Boston, UCR/NIBRS and police.uk wordings), then keyword patterns, and calls the
rest ``"unknown"`` (listed so the analyst can map them through
``Settings.offence_groups``). :func:`location_kind` reads a location-description column
(STREET, RESIDENCE, PARKING LOT...) as outdoor or indoor. :func:`harm_weights` gives each
group's harm weight: days of custody at the sentencing-guideline starting point, the unit of
the Cambridge Crime Harm Index (Sherman, Neyroud & Neyroud 2016), rounded for broad groups
and editable through ``Settings.harm_weights``.

Everything works on whole columns: each distinct wording is classified once.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "GROUPS",
    "HARM_SOURCE",
    "INDOOR",
    "LOCATION_COLUMNS",
    "OUTDOOR",
    "UNKNOWN",
    "default_harm_weights",
    "harm_weights",
    "location_kind",
    "normalise_wording",
    "offence_groups",
]

log = logging.getLogger(__name__)

_TABLE = Path(__file__).with_name("offence_groups.toml")

UNKNOWN = "unknown"
"""The group of a wording that neither the table nor a keyword recognises."""
OUTDOOR = "outdoor"
INDOOR = "indoor"

HARM_SOURCE = (
    "days of custody at the sentencing-guideline starting point, the unit of the Cambridge "
    "Crime Harm Index (Sherman, Neyroud & Neyroud 2016), rounded for broad offence groups"
)
"""Where the default harm weights come from."""

LOCATION_COLUMNS: tuple[str, ...] = (
    "location_description",
    "location_desc",
    "locationdescription",
    "location_type",
    "premise",
    "premises",
    "premise_type",
    "premises_type",
    "premis_desc",
    "prem_desc",
    "premise_description",
    "place_type",
    "scene",
)
"""Source-column names (case- and punctuation-insensitive) read as the location description."""

_OUTDOOR_RE = re.compile(
    r"\b(?:street|sidewalk|side walk|alley|road|highway|roadway|parking (?:lot|area|garage)"
    r"|park|playground|yard|driveway|vacant lot|lot|bus stop|transit|cta platform|platform"
    r"|bridge|field|beach|outdoor|outside|public way|gas station|atm|bike path|footpath"
    r"|open area|public area|vehicle|car|highway)\b",
    re.IGNORECASE,
)
_INDOOR_RE = re.compile(
    r"\b(?:residence|apartment|house|home|dwelling|room|hallway|lobby|store|shop|retail"
    r"|restaurant|bar|tavern|club|office|bank|school|hospital|church|hotel|motel|hall"
    r"|building|commercial|department|grocery|supermarket|mall|pharmacy|drug store|indoor"
    r"|inside|basement|garage|warehouse|factory|library|gym|theater|theatre)\b",
    re.IGNORECASE,
)
_SPACES_RE = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    with _TABLE.open("rb") as f:
        return tomllib.load(f)


GROUPS: Mapping[str, str] = MappingProxyType(dict(_table()["groups"]))
"""Offence group → what it holds (from ``offence_groups.toml``)."""


def normalise_wording(text: str) -> str:
    """Lower-case and collapse everything but letters and digits to single spaces.

    Examples
    --------
    >>> normalise_wording("Theft - Other"), normalise_wording("THEFT/OTHER")
    ('theft other', 'theft other')
    """
    return _SPACES_RE.sub(" ", str(text).lower()).strip()


def default_harm_weights() -> dict[str, float]:
    """Return the shipped harm weight of every group (days; see :data:`HARM_SOURCE`).

    Returns
    -------
    dict
        Group → weight.

    Examples
    --------
    >>> w = default_harm_weights()
    >>> w["robbery"] > w["theft_other"]
    True
    """
    return {k: float(v) for k, v in _table()["harm"].items()}


def harm_weights(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Return the harm weights: the shipped ones with `overrides` on top.

    Parameters
    ----------
    overrides : mapping, optional
        Group → weight (e.g. ``Settings.harm_weights``).

    Returns
    -------
    dict

    Examples
    --------
    >>> harm_weights({"robbery": 100})["robbery"]
    100.0
    """
    out = default_harm_weights()
    out.update({k: float(v) for k, v in (overrides or {}).items()})
    return out


def _wordings(overrides: Mapping[str, str] | None) -> dict[str, str]:
    table = {normalise_wording(k): v for k, v in _table()["wordings"].items()}
    table.update({normalise_wording(k): v for k, v in (overrides or {}).items()})
    return table


@functools.lru_cache(maxsize=1)
def _keywords() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (group, re.compile(rf"\b(?:{pattern})", re.IGNORECASE))
        for group, pattern in _table()["keywords"].items()
    )


def offence_groups(
    categories: pd.Series, *, overrides: Mapping[str, str] | None = None
) -> tuple[pd.Series, dict[str, int]]:
    """Map each offence wording to its group.

    Parameters
    ----------
    categories : Series
        Offence wordings (e.g. the incidents' ``category`` column); missing values give
        ``"unknown"``.
    overrides : mapping, optional
        Wording → group, on top of the shipped table (``Settings.offence_groups``).

    Returns
    -------
    tuple of (Series, dict)
        The group of each row (same index), and the wordings nothing recognised with how
        many rows carry each, most frequent first.

    Examples
    --------
    >>> import pandas as pd
    >>> groups, unmapped = offence_groups(pd.Series(
    ...     ["THEFT/OTHER", "Robbery - Street", "Larceny from MV", "Parking ticket", None]))
    >>> groups.tolist()
    ['theft_other', 'robbery', 'theft_from_vehicle', 'unknown', 'unknown']
    >>> unmapped
    {'Parking ticket': 1}
    """
    table = _wordings(overrides)
    codes, uniques = pd.factorize(categories.to_numpy(object))
    groups = np.empty(len(uniques), dtype=object)
    for i, wording in enumerate(list(uniques)):
        groups[i] = _group_of(str(wording), table)
    out = pd.Series(
        groups[codes] if len(codes) else np.array([], object), index=categories.index
    ).astype(object)
    out[codes < 0] = UNKNOWN
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    unmapped = {
        str(w): int(n)
        for w, n, g in zip(list(uniques), counts.tolist(), groups.tolist(), strict=True)
        if g == UNKNOWN and str(w).strip()
    }
    unmapped = dict(sorted(unmapped.items(), key=lambda kv: (-kv[1], kv[0])))
    if unmapped:
        log.info(
            "offences: %d wording(s) map to no group (%s%s); map them with "
            "Settings(offence_groups={...})",
            len(unmapped),
            ", ".join(list(unmapped)[:5]),
            " ..." if len(unmapped) > 5 else "",
        )
    return out, unmapped


def _group_of(wording: str, table: Mapping[str, str]) -> str:
    key = normalise_wording(wording)
    if not key:
        return UNKNOWN
    if key in table:
        return table[key]
    for group, pattern in _keywords():
        if pattern.search(key):
            return group
    return UNKNOWN


def location_kind(descriptions: pd.Series) -> pd.Series:
    """Read a location description as ``"outdoor"``, ``"indoor"`` or ``""`` (unknown).

    Outdoor words (street, sidewalk, alley, parking lot, park, yard, bus stop, ...) win
    over indoor ones (residence, apartment, store, restaurant, office, ...) when both
    appear ("PARKING LOT / GARAGE (NON.RESID.)" is outdoor).

    Parameters
    ----------
    descriptions : Series
        Location descriptions as the source file words them.

    Returns
    -------
    Series of str, same index.

    Examples
    --------
    >>> import pandas as pd
    >>> location_kind(pd.Series(["STREET", "RESIDENCE", "PARKING LOT", "OTHER", None])).tolist()
    ['outdoor', 'indoor', 'outdoor', '', '']
    """
    text = descriptions.astype("string").fillna("")
    codes, uniques = pd.factorize(text)
    kinds = np.array(
        [
            OUTDOOR if _OUTDOOR_RE.search(str(u)) else (INDOOR if _INDOOR_RE.search(str(u)) else "")
            for u in uniques.tolist()
        ],
        dtype=object,
    )
    out = kinds[codes] if len(uniques) else np.full(len(text), "", dtype=object)
    out = np.where(codes < 0, "", out)
    return pd.Series(out, index=descriptions.index, dtype=object)


def location_column(frame: pd.DataFrame) -> str | None:
    """Return the frame's location-description column (by name), or None.

    Examples
    --------
    >>> import pandas as pd
    >>> location_column(pd.DataFrame({"Location Description": ["STREET"]}))
    'Location Description'
    """
    wanted = {normalise_wording(c).replace(" ", "_") for c in LOCATION_COLUMNS}
    for col in frame.columns:
        if normalise_wording(str(col)).replace(" ", "_") in wanted:
            return str(col)
    return None
