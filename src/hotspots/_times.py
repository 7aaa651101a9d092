"""Date/time parsing: the format that fits a column, epoch numbers, offsets, DST."""

from __future__ import annotations

import warnings
import zoneinfo
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hotspots import _vocab as V

__all__ = ["OFFSET_RE", "arrow_strings", "as_ts", "known_tz", "localize", "parse_times"]

OFFSET_RE = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
"""A time of day followed by a UTC offset (``Z``, ``+01``, ``-05:00``)."""


def known_tz(tz: str) -> bool:
    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def as_ts(value: Any, tz: str) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz)


def localize(naive: pd.Series, tz: str) -> pd.Series:
    """Localize naive local times; DST-ambiguous ones take the first (summer) reading."""
    return naive.dt.tz_localize(
        tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    )


def parse_times(text: pd.Series, tz: str) -> tuple[pd.Series, pd.Series]:
    """Parse date/time text in whichever known format fits; return (times, unparseable).

    The format is chosen on a sample of values (the one that reads most of them), then the
    whole column is parsed with it; only rows it cannot read get the other formats. Epoch
    seconds and milliseconds are recognised by their size. Values with a UTC offset are
    converted to `tz`; values without are localized to `tz`.
    """
    n = len(text)
    utc = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    present = (text != "").to_numpy(bool)
    pos = np.flatnonzero(present)
    values = text[present]
    sample = values.iloc[:: max(1, len(values) // 500)].iloc[:500]
    if len(sample) and sample.str.fullmatch(r"\d{9,14}(?:\.0+)?").mean() > 0.9:
        numeric = pd.to_numeric(values, errors="coerce")
        unit = "ms" if numeric.abs().median() > 1e11 else "s"
        parsed = pd.to_datetime(numeric, unit=unit, errors="coerce")  # naive UTC
        utc[pos] = parsed.to_numpy("datetime64[us]")
    elif len(sample):
        scores = np.array([try_format(sample, fmt, tz).notna().sum() for fmt in V.TIME_FORMATS])
        order = [i for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
        remaining = values
        for i in [*order, None]:
            if remaining.empty:
                break
            if i is None:  # last resort for stragglers: pandas' own inference
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    parsed = pd.to_datetime(remaining, errors="coerce", format="mixed", utc=True)
            else:
                parsed = try_format(remaining, V.TIME_FORMATS[i], tz)
            got = parsed.notna().to_numpy(bool)
            utc[pos[got]] = parsed[got].dt.tz_convert(None).to_numpy("datetime64[us]")
            pos, remaining = pos[~got], remaining[~got]
    times = pd.Series(utc, index=text.index).dt.tz_localize("UTC").dt.tz_convert(tz)
    return times, pd.Series(present, index=text.index) & times.isna()


def try_format(values: pd.Series, fmt: str, tz: str) -> pd.Series:
    dtype = pd.DatetimeTZDtype("us", tz)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt == "ISO8601":
            has_offset = values.str.contains(OFFSET_RE, regex=True)
            if values.str.contains(r"^\d{4}-\d{2}-\d{2}", regex=True).mean() == 0:
                return pd.Series(pd.NaT, index=values.index, dtype=dtype)
            out = pd.Series(pd.NaT, index=values.index, dtype=dtype)
            if has_offset.any():
                aware = pd.to_datetime(
                    values[has_offset], format="ISO8601", errors="coerce", utc=True
                )
                out.loc[has_offset] = aware.dt.tz_convert(tz).astype(dtype)
            if (~has_offset).any():
                naive = pd.to_datetime(values[~has_offset], format="ISO8601", errors="coerce")
                if getattr(naive.dt, "tz", None) is None:
                    out.loc[~has_offset] = localize(naive, tz).astype(dtype)
            return out
    # explicit formats: pyarrow's strptime (C++, ~30x faster than pandas' here)
    parsed = pc.strptime(arrow_strings(values), format=fmt, unit="us", error_is_null=True)
    naive = pd.Series(parsed.to_numpy(zero_copy_only=False), index=values.index)
    naive = naive.astype("datetime64[us]") if naive.dtype == object else naive
    if "%z" in fmt:  # pyarrow returns UTC instants
        return naive.dt.tz_localize("UTC").dt.tz_convert(tz).astype(dtype)
    return localize(naive, tz).astype(dtype)


def arrow_strings(text: pd.Series) -> pa.ChunkedArray | pa.Array:
    try:
        arr = pa.array(text.array)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        arr = pa.array(text.astype(str).to_numpy(dtype=object), type=pa.string())
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return arr
