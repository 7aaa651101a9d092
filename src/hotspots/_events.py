"""Choosing the events a stage works on: by source, category and period.

Shared by scanning, the grid, assessment and forecast scoring, so that each selects events,
reads dates and checks that the data cover a period the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import pandas as pd

from hotspots import _columns as C
from hotspots._checks import SOURCES
from hotspots._errors import LayerError, ValidationError, raise_problems
from hotspots.study import Study


def timestamp(value: Any, tz: str, name: str) -> pd.Timestamp:
    """Return argument `name` as a Timestamp in `tz`; naive values are local to `tz`."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"`{name}` value {value!r} is not a date") from exc
    if ts is pd.NaT:
        raise ValidationError(f"`{name}` is missing (NaT)")
    return ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz)


def add_days(ts: pd.Timestamp, days: float) -> pd.Timestamp:
    """Calendar days on the local clock (a day across a DST change is 23 or 25 hours)."""
    whole = int(days)
    return ts + pd.DateOffset(days=whole) + pd.Timedelta(days=days - whole)


def data_span(study: Study, events: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the study period, or the first and last event where the study gives none."""
    times = events[C.TIME].dropna()
    first = study.period[0] if study.period[0] is not None else times.min()
    last = study.period[1] if study.period[1] is not None else times.max()
    return first, last


def check_coverage(
    study: Study, events: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> None:
    """Check the data cover [start, end): a period past the data would read as a fall."""
    first, last = data_span(study, events)
    # events are sparse: the first and last event fall a little inside the true span
    slack = max(pd.Timedelta(days=1), (end - start) * 0.05)
    problems = []
    if start < first - slack:
        problems.append(
            f"the before period starts {start:%Y-%m-%d} but the data start {first:%Y-%m-%d}; "
            "counts there would be missing, not low: pass a smaller `before_days`"
        )
    if end > last + slack:
        problems.append(
            f"the after period ends {end:%Y-%m-%d} but the data end {last:%Y-%m-%d}; "
            "counts there would be missing, not low: pass a smaller `after_days` or an "
            "earlier `intervention_date`"
        )
    raise_problems(problems, "The periods run beyond the data")


def select_events(
    events: gpd.GeoDataFrame,
    sources: tuple[str, ...],
    categories: Iterable[str] | None = None,
    *,
    why: str = "",
) -> gpd.GeoDataFrame:
    """Return the events of these sources (and categories); raise LayerError when none.

    `sources` are in canonical order (:func:`hotspots._checks.check_sources`); `why` ends
    the error message, e.g. ``": nothing to cluster"``. Unknown categories raise a
    ValidationError that lists the categories there are.
    """
    if len(sources) < len(SOURCES):
        events = events.loc[events[C.SOURCE].isin(sources).to_numpy(bool)]
    if categories is not None:
        chosen = [categories] if isinstance(categories, str) else list(categories)
        present = set(events[C.CATEGORY].unique())
        unknown = sorted(set(chosen) - present)
        if not chosen or unknown:
            avail = sorted(present)
            shown = ", ".join(repr(c) for c in avail[:20]) + (" ..." if len(avail) > 20 else "")
            raise ValidationError(
                f"`categories` {unknown or chosen!r} not among the events' categories; "
                f"available: {shown}"
            )
        events = events.loc[events[C.CATEGORY].isin(chosen).to_numpy(bool)]
    if events.empty:
        raise LayerError(f"the study has no events of source(s) {', '.join(sources)}{why}")
    return events
