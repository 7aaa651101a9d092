"""Resident request types → request kinds, and the request columns cities publish.

A 311 request's type says more than its free text ("Street Light Outages" needs no text).
:func:`request_kinds` maps each type to a kind (:data:`KINDS`: ``light_out``,
``vegetation``, ``dumping``, ``graffiti``, ``vacant_building`` ...) through the shipped,
editable table ``request_types.toml`` beside this module (DC, Boston, New York,
Philadelphia, San Francisco, Los Angeles and Open311 service names), then fallback patterns
(any type with light/lamp and out/dark/not working/repair is ``light_out``). Types the table
and the patterns do not know are ``""`` (the free text decides) and are counted, so the
analyst can map them with ``Settings.request_types``.

:func:`closed_times` finds a closed / completed / resolved date among the concerns' source
columns (the loader keeps every source column) and parses it in the study's time zone;
:func:`address_text` finds an address column.
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

from hotspots.offences import normalise_wording

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "ADDRESS_COLUMNS",
    "CLOSED_COLUMNS",
    "GENERIC",
    "KINDS",
    "LIGHT_OUT",
    "address_text",
    "closed_column",
    "closed_times",
    "request_kinds",
]

log = logging.getLogger(__name__)

_TABLE = Path(__file__).with_name("request_types.toml")

LIGHT_OUT = "light_out"
GENERIC = "generic"

CLOSED_COLUMNS: tuple[str, ...] = (
    "closed_dt",
    "closed_date",
    "close_date",
    "closed",
    "closed_at",
    "closeddate",
    "date_closed",
    "closed_datetime",
    "completed",
    "completed_date",
    "completion_date",
    "date_completed",
    "resolved",
    "resolved_date",
    "resolution_date",
    "resolutiondate",
    "resolution_time",
    "serviceorderclosedate",
)
"""Source-column names (case- and punctuation-insensitive) read as the request's closing date."""

ADDRESS_COLUMNS: tuple[str, ...] = (
    "address",
    "location",
    "streetaddress",
    "street_address",
    "incident_address",
    "block_address",
    "location_address",
    "address_text",
    "full_address",
)
"""Source-column names read as the request's address text, in order of preference."""


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    with _TABLE.open("rb") as f:
        return tomllib.load(f)


KINDS: Mapping[str, str] = MappingProxyType(dict(_table()["kinds"]))
"""Request kind → what it means (from ``request_types.toml``)."""


@functools.lru_cache(maxsize=1)
def _fallback() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (kind, re.compile(rf"\b(?:{p})", re.IGNORECASE)) for kind, p in _table()["fallback"].items()
    )


def _kind_of(text: str, table: Mapping[str, str]) -> str:
    key = normalise_wording(text)
    if not key:
        return ""
    if key in table:
        return table[key]
    for kind, pattern in _fallback():
        if pattern.search(key):
            return kind
    return ""


def request_kinds(
    types: pd.Series, *, overrides: Mapping[str, str] | None = None
) -> tuple[pd.Series, dict[str, int]]:
    """Map each request type to its kind (``""`` when unknown: the text decides).

    Parameters
    ----------
    types : Series
        Request types (the concerns' ``category``).
    overrides : mapping, optional
        Type → kind on top of the shipped table (``Settings.request_types``); kinds are
        those of :data:`KINDS`.

    Returns
    -------
    tuple of (Series, dict)
        The kind of each row (same index; ``"generic"`` types are returned as ``""``), and
        the types nothing recognised with their counts, most frequent first.

    Examples
    --------
    >>> import pandas as pd
    >>> kinds, unmapped = request_kinds(pd.Series(
    ...     ["Street Light Outages", "Lamp post dark", "Graffiti", "General Request", "Zoning"]))
    >>> kinds.tolist()
    ['light_out', 'light_out', 'graffiti', '', '']
    >>> unmapped
    {'Zoning': 1}
    """
    table = {normalise_wording(k): v for k, v in _table()["types"].items()}
    table.update({normalise_wording(k): v for k, v in (overrides or {}).items()})
    text = types.astype("string").fillna("")
    codes, uniques = pd.factorize(text)
    kinds = np.array([_kind_of(str(u), table) for u in uniques.tolist()] or [""], dtype=object)
    out = np.where(codes >= 0, kinds[np.maximum(codes, 0)], "")
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    unmapped = {
        str(u): int(n)
        for u, n, k in zip(uniques.tolist(), counts.tolist(), kinds.tolist(), strict=False)
        if k == "" and str(u).strip()
    }
    unmapped = dict(sorted(unmapped.items(), key=lambda kv: (-kv[1], kv[0])))
    out = np.where(out == GENERIC, "", out)
    return pd.Series(out, index=types.index, dtype=object), unmapped


def _find_column(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    wanted = [normalise_wording(n).replace(" ", "") for n in names]
    have = {normalise_wording(str(c)).replace(" ", ""): str(c) for c in frame.columns}
    for w in wanted:
        if w in have:
            return have[w]
    return None


def closed_column(concerns: pd.DataFrame) -> str | None:
    """Return the name of the concerns' closing-date column (see :data:`CLOSED_COLUMNS`).

    Examples
    --------
    >>> import pandas as pd
    >>> closed_column(pd.DataFrame({"open_dt": [], "closed_dt": []}))
    'closed_dt'
    """
    return _find_column(concerns, CLOSED_COLUMNS)


def closed_times(concerns: pd.DataFrame, tz: str) -> tuple[pd.Series, str | None]:
    """Parse the concerns' closing dates, in the study's time zone (NaT where open).

    Text dates without an offset are local; epoch numbers (DC's milliseconds) are UTC.

    Parameters
    ----------
    concerns : DataFrame
        The concerns layer, with its source columns.
    tz : str
        The study's time zone.

    Returns
    -------
    tuple of (Series, str or None)
        Closing times (tz-aware, same index) and the column they were read from.

    Examples
    --------
    >>> import pandas as pd
    >>> t, col = closed_times(pd.DataFrame({"closed_dt": ["2025-01-02 10:00", ""]}), "UTC")
    >>> col, t.isna().tolist()
    ('closed_dt', [False, True])
    """
    col = closed_column(concerns)
    nat = pd.Series(pd.NaT, index=concerns.index, dtype=f"datetime64[ns, {tz}]")
    if col is None:
        return nat, None
    raw = concerns[col]
    numeric = pd.to_numeric(raw, errors="coerce")
    if numeric.notna().sum() and numeric.notna().sum() >= raw.notna().sum() * 0.9:
        unit = "ms" if float(numeric.abs().max()) > 1e11 else "s"
        parsed = pd.to_datetime(numeric, unit=unit, utc=True, errors="coerce").dt.tz_convert(tz)
        return parsed.astype(nat.dtype), col
    text = raw.astype("string").str.strip().replace("", pd.NA)
    try:
        parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    except (ValueError, TypeError):  # mixed offsets: parse to UTC first
        parsed = pd.to_datetime(text, errors="coerce", utc=True, format="mixed")
    if getattr(parsed.dt, "tz", None) is None:
        parsed = parsed.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
    else:
        parsed = parsed.dt.tz_convert(tz)
    return parsed.astype(nat.dtype), col


def address_text(concerns: pd.DataFrame) -> pd.Series:
    """Return the concerns' address text (empty where none), from an address-like column.

    Examples
    --------
    >>> import pandas as pd
    >>> address_text(pd.DataFrame({"STREETADDRESS": ["1 K ST NW", None]})).tolist()
    ['1 K ST NW', '']
    """
    col = _find_column(concerns, ADDRESS_COLUMNS)
    if col is None:
        return pd.Series("", index=concerns.index, dtype=object)
    text = concerns[col].astype("string").fillna("").str.replace(r"\s+", " ", regex=True)
    return text.str.replace("&amp;", "&", regex=False).str.strip().astype(object)
