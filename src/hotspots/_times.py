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

__all__ = [
    "OFFSET_RE",
    "OFFSET_STRIP_RE",
    "arrow_strings",
    "as_ts",
    "known_tz",
    "localize",
    "parse_times",
]

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


OFFSET_STRIP_RE = r"(\d:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"
"""The UTC offset after a time of day, to drop when offsets are known to be false."""

_HAS_OFFSET_RE = OFFSET_STRIP_RE.replace("(\\d:", "(?:\\d:", 1)
_EPOCH_RE = r"-?\d{9,14}(?:\.\d+)?"


def parse_times(
    text: pd.Series,
    tz: str,
    *,
    local: bool = False,
    dayfirst: bool | None = None,
    info: dict[str, Any] | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Parse date/time text in whichever known format fits; return (times, unparseable).

    The format is chosen on a sample of values (the one that reads most of them), then the
    whole column is parsed with it; only rows it cannot read get the other formats. When a
    month-first and a day-first format both fit the sample, the whole column decides (the
    one that reads more values); when both read every value (every day <= 12) `dayfirst`
    decides, else month-first, and the choice is recorded as ambiguous. Epoch numbers are
    read per value: seconds, or milliseconds above 1e11. Values with a UTC offset are
    converted to `tz` (with ``local=True`` the offset is dropped and the wall-clock time
    read as local); values without one, in any format, are localized to `tz`.

    `info`, when given, is filled with how the column was read: ``formats`` (with row
    counts), ``dayfirst`` (True/False/None), ``dayfirst_ambiguous``, ``epoch``,
    ``offset_share`` (share of sampled values with a UTC offset) and ``local``.

    Examples
    --------
    >>> t, bad = parse_times(pd.Series(["04-Jul-2025 22:30", "2025-07-05 01:00+00"]),
    ...                      "America/New_York")
    >>> [str(v) for v in t]
    ['2025-07-04 22:30:00-04:00', '2025-07-04 21:00:00-04:00']
    """
    info = {} if info is None else info
    n = len(text)
    utc = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    present = (text != "").to_numpy(bool)
    pos = np.flatnonzero(present)
    values = text[present]
    sample = values.iloc[:: max(1, len(values) // 500)].iloc[:500]
    has_offset = sample.str.contains(_HAS_OFFSET_RE, regex=True)
    offset_share = float(has_offset.mean()) if len(sample) else 0.0
    info["offset_share"] = offset_share
    info["local"] = bool(local)
    if local and offset_share > 0:
        values = values.str.replace(OFFSET_STRIP_RE, r"\1", regex=True)
        sample = values.iloc[:: max(1, len(values) // 500)].iloc[:500]
    formats: dict[str, int] = {}
    if len(sample) and sample.str.fullmatch(_EPOCH_RE).mean() > 0.9:
        numeric = pd.to_numeric(values, errors="coerce")
        in_ms = (numeric.abs() > 1e11).to_numpy(bool)
        seconds = np.where(in_ms, numeric.to_numpy(float) / 1000.0, numeric.to_numpy(float))
        ok = np.isfinite(seconds)
        parsed = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[us]")
        parsed[ok] = (seconds[ok] * 1e6).astype("int64").astype("datetime64[us]")
        utc[pos] = parsed
        n_ms, n_s = int((in_ms & ok).sum()), int((~in_ms & ok).sum())
        info["epoch"] = (
            "mixed seconds and milliseconds (read per value)"
            if n_ms and n_s
            else ("milliseconds" if n_ms else "seconds")
        )
        formats = {"epoch seconds": n_s, "epoch milliseconds": n_ms}
    elif len(sample):
        fmts = list(V.TIME_FORMATS)
        scores = np.array([try_format(sample, fmt, tz).notna().sum() for fmt in fmts])
        order = [i for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
        order = _decide_dayfirst(values, tz, fmts, order, dayfirst, info)
        remaining = values
        for i in [*order, None]:
            if remaining.empty:
                break
            if i is None:  # last resort for stragglers: pandas' own inference
                parsed = _fallback(remaining, tz)
                label = "inferred"
            else:
                parsed = try_format(remaining, fmts[i], tz)
                label = fmts[i]
            got = parsed.notna().to_numpy(bool)
            if got.any():
                formats[label] = int(got.sum())
            utc[pos[got]] = parsed[got].dt.tz_convert(None).to_numpy("datetime64[us]")
            pos, remaining = pos[~got], remaining[~got]
    info["formats"] = formats
    times = pd.Series(utc, index=text.index).dt.tz_localize("UTC").dt.tz_convert(tz)
    return times, pd.Series(present, index=text.index) & times.isna()


def _decide_dayfirst(
    values: pd.Series,
    tz: str,
    fmts: list[str],
    order: list[int],
    dayfirst: bool | None,
    info: dict[str, Any],
) -> list[int]:
    """Keep one of each month-first / day-first pair in `order`, decided on every value."""
    info.setdefault("dayfirst", None)
    info.setdefault("dayfirst_ambiguous", False)
    for us, eu in V.DAYFIRST_PAIRS:
        i, j = fmts.index(us), fmts.index(eu)
        if i not in order or j not in order:
            if i in order:
                info["dayfirst"] = False
            elif j in order:
                info["dayfirst"] = True
            continue
        n_us = int(try_format(values, us, tz).notna().sum())
        n_eu = int(try_format(values, eu, tz).notna().sum())
        if n_us == n_eu:
            info["dayfirst_ambiguous"] = True
            use_eu = bool(dayfirst)
        else:
            use_eu = n_eu > n_us
        if dayfirst is not None and use_eu != dayfirst and n_us != n_eu:
            use_eu = dayfirst  # the caller knows better; rows that do not fit are rejected
        info["dayfirst"] = use_eu
        order = [k for k in order if k != (i if use_eu else j)]
    return order


def _fallback(values: pd.Series, tz: str) -> pd.Series:
    """Use pandas' inference for formats no pattern matched; naive values localized to `tz`."""
    dtype = pd.DatetimeTZDtype("us", tz)
    out = pd.Series(pd.NaT, index=values.index, dtype=dtype)
    aware = values.str.contains(_HAS_OFFSET_RE, regex=True).to_numpy(bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if aware.any():
            got = pd.to_datetime(values[aware], errors="coerce", format="mixed", utc=True)
            out.loc[aware] = got.dt.tz_convert(tz).astype(dtype)
        if (~aware).any():
            naive = pd.to_datetime(values[~aware], errors="coerce", format="mixed")
            if getattr(naive.dt, "tz", None) is None:
                out.loc[~aware] = localize(naive.astype("datetime64[us]"), tz).astype(dtype)
    return out


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
    if parsed.null_count == len(parsed):  # nothing read: skip the localizing
        return pd.Series(pd.NaT, index=values.index, dtype=pd.DatetimeTZDtype("us", tz))
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
