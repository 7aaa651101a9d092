"""Time columns of an event layer: which column, date + time-of-day, offsets that lie.

:class:`TimeFields` holds the time steps of the reader in :mod:`hotspots._reader` (it shares
the reader's row state, see :class:`hotspots._coords.CoordinateReading`). Parsing itself is
in :mod:`hotspots._times`.
"""

from __future__ import annotations

import logging
import re
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hotspots import _vocab as V
from hotspots._errors import HotspotsWarning, LayerError
from hotspots._times import as_ts, parse_times

if TYPE_CHECKING:
    from hotspots.layers import LayerField

__all__ = ["TIME_MODES", "TimeFields"]

log = logging.getLogger("hotspots.io")

TIME_MODES = ("auto", "offsets", "local")
"""How UTC offsets in a time column are read: ``offsets`` trusts them, ``local`` drops them
and reads the wall-clock time as local to the layer's timezone, ``auto`` trusts them unless
an hour-of-day column shows they are false (then reads local, with a warning)."""

_TIME_NAME_RE = r"date|time|when|_dat$|^dat|_dt$|^dt_"
_CLOCK_RE = r"^\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?$"
_HHMM_RE = r"^\d{3,4}$"
_DATE_ONLY_RE = (
    r"\S+(?:[ T]0?0:00(?::00(?:\.0+)?)?(?:\s*(?:AM|am))?(?:\s*(?:Z|[+-]\d{2}(?::?\d{2})?))?)?"
)
_MIN_PARSED_SHARE = 0.5


def _spread_sample(values: pd.Series, k: int = 500) -> pd.Series:
    return values.iloc[:: max(1, len(values) // k)].iloc[:k]


class TimeFields:
    """The reader's time steps (mixed into :class:`hotspots._reader.Reader`)."""

    # provided by CoordinateReading
    raw: pd.DataFrame
    name: str
    kind: str
    tz: str
    n: int
    used: dict[str, str]
    notes: list[str]
    overrides: dict[str, str]
    reading: dict[str, Any]
    times_mode: str
    dayfirst: bool | None

    if TYPE_CHECKING:

        def _text(self, col: str | None) -> pd.Series: ...
        def _all_empty(self, col: str) -> bool: ...
        def _col(self, field_name: str, names: Any) -> str | None: ...
        def _reject(self, mask: np.ndarray, reason: str, detail: Any) -> None: ...

    # --- which column -------------------------------------------------------------------
    def _time_column(self, field: LayerField) -> str:
        """Return the first column named like a time whose values mostly parse (or the override)."""
        if field.name in self.overrides:
            col = self._col(field.name, field.names)
            assert col is not None  # noqa: S101 - _col raises for a missing override
            return col
        cols = [c for c in self.raw.columns if not self._all_empty(c)]
        lookup: dict[str, str] = {}
        for c in cols:
            lookup.setdefault(V.norm(c), c)
        ordered = [lookup[n] for n in field.names if n in lookup]
        ordered += [c for c in cols if re.search(_TIME_NAME_RE, V.norm(c)) and c not in ordered]
        tried: list[str] = []
        for col in ordered:
            if pd.api.types.is_datetime64_any_dtype(self.raw[col]):
                return col
            text = self._text(col)
            sample = _spread_sample(text[text != ""])
            times, _ = parse_times(sample, self.tz)
            share = float(times.notna().mean()) if len(sample) else 0.0
            if share >= _MIN_PARSED_SHARE:
                if tried:
                    self.notes.append(
                        f"time column {col!r} chosen; {', '.join(tried)} "
                        "named like times but most values are not dates"
                    )
                return col
            example = sample.iloc[0] if len(sample) else ""
            tried.append(
                f"{col!r} holds no date/time this reader understands in most rows "
                f"({share:.0%} parse, e.g. {example!r})"
            )
        found = f"; {'; '.join(tried)}" if tried else ""
        raise LayerError(
            f"{self.name}: no date/time column found among: "
            f"{', '.join(map(str, self.raw.columns))}{found}. {self.kind} need one whose "
            "values are dates; name it with columns={'time': '<column>'} (on the command "
            f"line --{self.kind}-time COLUMN), or convert it to ISO 8601 (2025-03-02 12:00:32)"
        )

    def _time_of_day_column(self, col: str, text: pd.Series) -> str | None:
        """Return a separate time-of-day column when `col` holds dates only (found or given)."""
        if "time_of_day" in self.overrides:
            return self._col("time_of_day", ())
        sample = _spread_sample(text[text != ""])
        if not len(sample):
            return None
        dates_only = sample.str.fullmatch(_DATE_ONLY_RE).mean()
        if dates_only < 0.95:
            return None
        cols = [c for c in self.raw.columns if c != col and not self._all_empty(c)]
        named = [c for c in cols if V.norm(c) in V.TIME_OF_DAY_NAMES]
        named += [c for c in cols if re.search(r"time$|^time|_tm$", V.norm(c)) and c not in named]
        for c in named:
            values = _spread_sample(self._text(c).loc[lambda s: s != ""])
            clock = values.str.fullmatch(_CLOCK_RE) | values.str.fullmatch(_HHMM_RE)
            if len(values) and clock.mean() >= 0.8:
                return c
        return None

    # --- reading ------------------------------------------------------------------------
    def _time_end(self, col: str | None, out: dict[str, pd.Series], start_col: str) -> pd.Series:
        """End of each event's time window; NaT when absent, unreadable or before the start."""
        if col is None:
            return pd.Series(pd.NaT, index=self.raw.index, dtype=pd.DatetimeTZDtype("us", self.tz))
        local = self.reading.get("time", {}).get("local", False)
        to, bad = parse_times(self._text(col), self.tz, local=local, dayfirst=self.dayfirst)
        start = out[start_col]
        return to.where(~bad & (to >= start), pd.NaT)

    def _times(self, field: LayerField, period: tuple[Any, Any] | None, as_of: Any) -> pd.Series:
        col = self._time_column(field)
        self.used[field.name] = str(col)
        raw = self.raw[col]
        info: dict[str, Any] = {"column": str(col), "mode": self.times_mode}
        if pd.api.types.is_datetime64_any_dtype(raw):
            times = raw.dt.tz_localize(self.tz) if raw.dt.tz is None else raw.dt.tz_convert(self.tz)
            bad = pd.Series(False, index=raw.index)
            missing = raw.isna().to_numpy()
            values = raw.astype(str)
        else:
            text = self._text(col)
            tod = self._time_of_day_column(col, text)
            if tod is not None:
                text = _combine_date_time(text, self._text(tod))
                self.used["time_of_day"] = str(tod)
                info["time_of_day_column"] = str(tod)
                self.notes.append(f"date from {col!r} and time of day from {tod!r} combined")
            missing = (text == "").to_numpy()
            local = self.times_mode == "local"
            times, bad = parse_times(text, self.tz, local=local, dayfirst=self.dayfirst, info=info)
            if not local and info.get("offset_share", 0) > 0.5:
                times, bad = self._check_offsets(text, times, bad, info)
            if times.notna().sum() == 0 and (~missing).any():
                raise LayerError(
                    f"{self.name}: column {col!r} holds no date/time this reader understands "
                    f"(e.g. {text[~missing].iloc[0]!r}); name another with "
                    "columns={'time': ...}, or convert it to ISO 8601 (2025-03-02 12:00:32)"
                )
            if info.get("dayfirst_ambiguous") and self.dayfirst is None:
                order = "day-first" if info.get("dayfirst") else "month-first"
                msg = (
                    f"{self.name}: every date in {col!r} reads both day-first and month-first; "
                    f"read {order}. If that is wrong pass dayfirst="
                    f"{not info.get('dayfirst')} in the read options"
                )
                if (~missing).sum() >= 10:  # a handful of dates is not worth a warning
                    warnings.warn(msg, HotspotsWarning, stacklevel=6)
                self.notes.append(msg)
            if info.get("epoch", "").startswith("mixed"):
                self.notes.append(f"{col!r} mixes epoch seconds and milliseconds: read per value")
            values = text
        self.reading["time"] = info
        self._reject(missing, "missing_time", f"{col} empty")
        self._reject(
            bad.to_numpy() & ~missing,
            "unparseable_time",
            (f"{col}='" + values.astype(str) + "'").to_numpy(object) if bad.any() else "",
        )
        now = pd.Timestamp.now(tz="UTC") if as_of is None else as_ts(as_of, self.tz)
        future = (times > now).fillna(False).to_numpy(bool)
        self._reject(future, "future_time", f"{col} after {now:%Y-%m-%d %H:%M %Z}")
        if period is not None:
            start, end = (as_ts(v, self.tz) if v is not None else None for v in period)
            outside = np.zeros(self.n, bool)
            if start is not None:
                outside |= (times < start).fillna(False).to_numpy(bool)
            if end is not None:
                outside |= (times > end).fillna(False).to_numpy(bool)
            self._reject(outside, "outside_study_period", f"{col} outside {start} .. {end}")
        return times

    def _check_offsets(
        self, text: pd.Series, times: pd.Series, bad: pd.Series, info: dict[str, Any]
    ) -> tuple[pd.Series, pd.Series]:
        """Compare the offsets with an hour-of-day column (or the daily rhythm)."""
        cols = [c for c in self.raw.columns if not self._all_empty(c)]
        hour_col = V.find_column(cols, V.HOUR_NAMES)
        col = info["column"]
        if hour_col is not None:
            hours = pd.to_numeric(self._text(hour_col), errors="coerce").to_numpy(float)
            valid = np.isfinite(hours) & (hours >= 0) & (hours <= 23) & times.notna().to_numpy()
            if valid.sum() < 20:
                return times, bad
            wall, wall_bad = parse_times(text, self.tz, local=True, dayfirst=self.dayfirst)
            agree_offset = float((times.dt.hour.to_numpy(float) == hours)[valid].mean())
            agree_wall = float((wall.dt.hour.to_numpy(float) == hours)[valid].mean())
            info["hour_column"] = str(hour_col)
            info["hour_agrees_with_offsets"] = round(agree_offset, 3)
            info["hour_agrees_with_wall_clock"] = round(agree_wall, 3)
            if agree_wall < 0.9 or agree_offset >= 0.5:
                return times, bad
            if self.times_mode == "auto":
                msg = (
                    f"{self.name}: the UTC offsets in {col!r} are false: its {hour_col!r} column "
                    f"agrees with the wall-clock time in {agree_wall:.0%} of rows and with the "
                    f"offset-corrected time in {agree_offset:.0%}; times read as local "
                    f"{self.tz} wall-clock time (pass times='offsets' to keep the offsets)"
                )
                warnings.warn(msg, HotspotsWarning, stacklevel=6)
                self.notes.append(msg)
                info["local"] = True
                info["local_reason"] = f"{hour_col} agrees with the wall clock"
                return wall, wall_bad
            msg = (
                f"{self.name}: {hour_col!r} agrees with the wall-clock time of {col!r} in "
                f"{agree_wall:.0%} of rows, not with its UTC offsets ({agree_offset:.0%}): "
                "the offsets look false; pass times='local' (--<layer>-times-local)"
            )
            warnings.warn(msg, HotspotsWarning, stacklevel=6)
            self.notes.append(msg)
            return times, bad
        # no hour column: the daily rhythm. Most kinds of trouble are rarest around 4-6 am.
        ok = times.notna().to_numpy()
        if ok.sum() < 500 or self.kind != "incidents":
            return times, bad
        wall, _ = parse_times(text[ok], self.tz, local=True, dayfirst=self.dayfirst)
        quiet_offset = _quietest_hour(times[ok].dt.hour.to_numpy())
        quiet_wall = _quietest_hour(wall.dt.hour.to_numpy())
        info["quietest_hour_offsets"] = quiet_offset
        info["quietest_hour_wall_clock"] = quiet_wall
        if 3 <= quiet_wall <= 7 and not 2 <= quiet_offset <= 8:
            msg = (
                f"{self.name}: with its UTC offsets, {col!r} is quietest at {quiet_offset}:00 "
                f"local time; read as wall-clock time it is quietest at {quiet_wall}:00. The "
                "offsets may be false: if the publisher writes local times with '+00', pass "
                "times='local' (--<layer>-times-local)"
            )
            warnings.warn(msg, HotspotsWarning, stacklevel=6)
            self.notes.append(msg)
        return times, bad


def _quietest_hour(hours: np.ndarray) -> int:
    """Centre of the quietest 3-hour window of the day (circular)."""
    counts = np.bincount(hours.astype(int), minlength=24)[:24]
    window = counts + np.roll(counts, -1) + np.roll(counts, 1)
    return int(np.argmin(window))


def _combine_date_time(dates: pd.Series, clock: pd.Series) -> pd.Series:
    """``date`` text + ``time`` text (``22:30``, ``10:30 PM`` or ``2230``) as one value."""
    day = dates.str.split(r"[ T]", n=1, regex=True).str[0].fillna("")
    hhmm = clock.str.fullmatch(_HHMM_RE)
    clock = clock.where(~hhmm, clock.str.zfill(4).str[:2] + ":" + clock.str.zfill(4).str[2:])
    combined = day + " " + clock
    return combined.where((day != "") & (clock != ""), day).str.strip()
