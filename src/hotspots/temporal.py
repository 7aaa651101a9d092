"""Time: after dark from the sun's position, time-of-day profiles and trend classes.

After dark
----------
An event happened *after dark* when the sun was more than ``twilight_depression_deg``
(default 6°, civil twilight) below the horizon **at that place and that moment**: winter
evenings in Leeds are dark at 17:00, summer ones not before 22:30, so a fixed clock hour
would misclassify a third of the year. The sun's elevation comes from the NOAA solar
position equations (Meeus, *Astronomical Algorithms*, as published in NOAA's solar
calculator), evaluated for all events at once with numpy; they agree with ``astral``'s
dawn and dusk to well under a minute (tested). ``astral`` computes one date at a time, which
is too slow for a million events, hence our vectorised copy of the published formulae.

Profiles
--------
Hour-of-day and day-of-week profiles are *aoristic* (Ratcliffe 2002): an incident known only
to have happened between 22:00 and 02:00 adds a quarter to each of those four hours, not a
whole event to 22:00. Events without an end time add one to the hour they happened.

Trend classes
-------------
Each place's events are counted per period (weeks by default) from the study's start to its
end. A final period shorter than a full one (the study ends mid-week) is **dropped** and the
drop logged: an empty half-week would otherwise end every place's series with a zero. A
period is *active* when its count is significantly above what the study's background rate
predicts for the place (Poisson upper tail < ``alpha``), *cold* when significantly below it
(lower tail < ``alpha``), or, without an expected count, active when it has any event. The
classes are ArcGIS Pro's Emerging Hot Spot Analysis definitions ("How Emerging Hot Spot
Analysis works", Esri, ArcGIS Pro 3 documentation), with activity in place of a significant
Gi* hot bin, cold in place of a cold bin, and the Mann–Kendall test on the period counts in
place of the test on the Gi* z-scores:

``new``
    active in the final period only (never before).
``consecutive``
    one uninterrupted run of at least two active periods ending with the final period,
    never active before that run, and fewer than 90% of the periods active.
``intensifying`` / ``diminishing``
    active in at least 90% of the periods including the final one, with a significant
    upward / downward Mann–Kendall trend.
``persistent``
    active in at least 90% of the periods including the final one, no significant trend.
``sporadic``
    active in the final period, on and off before it, fewer than 90% of the periods active
    and never cold.
``oscillating``
    active in the final period, cold in some earlier period, fewer than 90% active.
``historical``
    active in at least 90% of the periods, but not in the final one.
``no pattern``
    none of the above (Esri's "no pattern detected"), e.g. on and off and quiet at the end.

Mann–Kendall has little power on a few sparse counts: a place with events in fewer than
:data:`MIN_TREND_PERIODS` periods gets a ``trend_note`` saying so, and the run logs how many.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy import stats

from hotspots import _columns as C
from hotspots._errors import LayerError, ValidationError
from hotspots.settings import Settings
from hotspots.study import Study, combine_events

__all__ = [
    "PERIODS",
    "TIME_COLUMNS",
    "TRENDS",
    "after_dark",
    "aoristic_profile",
    "cluster_time_summary",
    "is_dark",
    "mann_kendall",
    "period_counts",
    "sun_elevation",
    "trend_class",
]

log = logging.getLogger(__name__)

# the place columns this module writes, named once in hotspots._columns
N_AFTER_DARK = C.N_AFTER_DARK
AFTER_DARK_SHARE = C.AFTER_DARK_SHARE
HOUR_PROFILE = C.HOUR_PROFILE
WEEKDAY_PROFILE = C.WEEKDAY_PROFILE
PERIOD_COUNTS = C.PERIOD_COUNTS
ACTIVE_PERIODS = C.ACTIVE_PERIODS
TREND = C.TREND
TREND_TAU = C.TREND_TAU
TREND_P = C.TREND_P
TREND_NOTE = C.TREND_NOTE
NO_PATTERN = "no pattern"
MIN_TREND_PERIODS = 10
"""Fewer periods with events than this get a small-sample note on the trend test."""

TIME_COLUMNS: dict[str, str] = {
    N_AFTER_DARK: "int: events after dark (sun below -twilight_depression_deg at the event)",
    AFTER_DARK_SHARE: "float: n_after_dark / events (NaN when no events)",
    HOUR_PROFILE: "list[float] (24): aoristic events per local hour of day, 0-23",
    WEEKDAY_PROFILE: "list[float] (7): aoristic events per local weekday, Monday first",
    PERIOD_COUNTS: "list[int]: events per period from the study's start (weeks by default)",
    ACTIVE_PERIODS: "int: periods in which the place was active (see the trend classes)",
    TREND: "str: trend class (see TRENDS)",
    TREND_TAU: "float: Mann-Kendall tau of the period counts (NaN with < 3 periods)",
    TREND_P: "float: two-sided Mann-Kendall p-value",
    TREND_NOTE: "str: '' or a small-sample note (events in fewer than 10 periods)",
}
"""The columns of :func:`cluster_time_summary`, dtype and meaning."""

TRENDS: tuple[str, ...] = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
    NO_PATTERN,
)
"""Trend classes, after ArcGIS Emerging Hot Spot Analysis (see the module notes)."""

PERIODS: tuple[str, ...] = ("W", "M")
"""Period lengths for trend classes: ``"W"`` weeks (7 days from the start), ``"M"`` months."""

_PERSISTENT_SHARE = 0.9  # Esri: "at least ninety percent of the time-step intervals"
_NS_PER_HOUR = 3_600 * 10**9
_NS_PER_DAY = 24 * _NS_PER_HOUR
_CHUNK = 200_000


# =========================================================================================
# the sun
# =========================================================================================


def sun_elevation(times: Any, lon: Any, lat: Any) -> np.ndarray:
    """Geometric elevation of the sun's centre, in degrees, at each time and place.

    NOAA's solar position equations (Meeus), vectorised; no atmospheric refraction
    (which matters only within a degree of the horizon, not at -6°).

    Parameters
    ----------
    times : array-like of datetime
        Tz-aware times (any zone) or UTC ``datetime64``; NaT gives NaN.
    lon, lat : float or array-like
        Degrees (WGS84), broadcast against `times`.

    Returns
    -------
    numpy.ndarray of float
        Degrees above the horizon (negative below).

    Examples
    --------
    >>> noon = pd.Timestamp("2025-06-21 13:10", tz="Europe/London")
    >>> round(float(sun_elevation([noon], -1.55, 53.80)[0]))
    60
    >>> midnight = pd.Timestamp("2025-12-21 00:00", tz="Europe/London")
    >>> bool(sun_elevation([midnight], -1.55, 53.80)[0] < -6)
    True
    """
    ns, missing = _utc_ns(times)
    # declination and the equation of time change slowly (< 0.02° and ~1 s per hour):
    # compute them once per distinct hour (at its middle) and spread them to the events
    hour = np.floor(ns / 3_600e9).astype(np.int64)
    known = hour[~missing]
    h0 = int(known.min()) if len(known) else 0
    hour = np.where(missing, h0, hour)  # NaT: any hour, the result is masked below
    n_hours = int(known.max()) - h0 + 1 if len(known) else 1
    if n_hours <= 4 * len(hour) + 24:  # every hour of the span (a year is 8,760): no sorting
        span = np.arange(h0, h0 + n_hours)
        decl, eq_time_min = _solar_declination_eqtime((span + 0.5) * 3_600e9)
        decl, eq_time_min = decl[hour - h0], eq_time_min[hour - h0]
    else:  # a few events over many years
        decl, eq_time_min = _solar_declination_eqtime((hour + 0.5) * 3_600e9)
    minutes_utc = np.mod(ns, 86_400e9) / 60e9
    true_solar = minutes_utc + eq_time_min + 4.0 * np.asarray(lon, float)
    hour_angle = np.radians(true_solar / 4.0 - 180.0)
    phi = np.radians(np.asarray(lat, float))
    cos_zenith = np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.cos(hour_angle)
    elevation = 90.0 - np.degrees(np.arccos(np.clip(cos_zenith, -1.0, 1.0)))
    return np.where(missing, np.nan, elevation)


def _solar_declination_eqtime(ns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the sun's declination (radians) and the equation of time (minutes), NOAA."""
    jd = ns / 86_400e9 + 2_440_587.5
    t = (jd - 2_451_545.0) / 36_525.0
    rad = np.radians
    l0 = np.mod(280.46646 + t * (36_000.76983 + 0.0003032 * t), 360.0)
    m = 357.52911 + t * (35_999.05029 - 0.0001537 * t)
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    centre = (
        np.sin(rad(m)) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + np.sin(rad(2 * m)) * (0.019993 - 0.000101 * t)
        + np.sin(rad(3 * m)) * 0.000289
    )
    omega = 125.04 - 1_934.136 * t
    apparent_long = l0 + centre - 0.00569 - 0.00478 * np.sin(rad(omega))
    eps0 = 23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0
    eps = eps0 + 0.00256 * np.cos(rad(omega))
    decl = np.arcsin(np.sin(rad(eps)) * np.sin(rad(apparent_long)))
    y = np.tan(rad(eps) / 2.0) ** 2
    eq_time_min = 4.0 * np.degrees(
        y * np.sin(2 * rad(l0))
        - 2 * e * np.sin(rad(m))
        + 4 * e * y * np.sin(rad(m)) * np.cos(2 * rad(l0))
        - 0.5 * y * y * np.sin(4 * rad(l0))
        - 1.25 * e * e * np.sin(2 * rad(m))
    )
    return decl, eq_time_min


def is_dark(times: Any, lon: Any, lat: Any, *, depression_deg: float = 6.0) -> np.ndarray:
    """Whether the sun was more than `depression_deg` below the horizon.

    Parameters
    ----------
    times : array-like of datetime
        Tz-aware times (or UTC ``datetime64``).
    lon, lat : float or array-like
        Degrees (WGS84).
    depression_deg : float
        6 for civil twilight (default), 12 nautical, 18 astronomical, 0.833 for sunset.

    Returns
    -------
    numpy.ndarray of bool
        False where the time is missing.

    Examples
    --------
    >>> t = pd.to_datetime(["2025-01-15 18:00", "2025-07-15 18:00"]).tz_localize(
    ...     "America/New_York")
    >>> is_dark(t, -77.03, 38.90).tolist()
    [True, False]
    """
    elevation = sun_elevation(times, lon, lat)
    with np.errstate(invalid="ignore"):
        return elevation < -float(depression_deg)


def after_dark(events: Any, *, settings: Settings | None = None) -> pd.Series:
    """Flag the events that happened after dark, from the sun at each event's place and time.

    Parameters
    ----------
    events : GeoDataFrame or Study
        Points in a projected or geographic CRS with a tz-aware time column: ``time`` (as
        from :func:`hotspots.combine_events`), else ``occurred_at`` or ``reported_at``. When
        an end time (``time_to`` / ``occurred_to``) is given and the window is at most 24 h,
        the window's midpoint is used (the likeliest single moment); otherwise the start.
        A Study stands for its combined events (:func:`hotspots.combine_events`).
    settings : Settings, optional
        ``twilight_depression_deg``. Default: ``study.settings`` when `events` is a Study,
        else the settings the frame carries (``events.attrs["settings"]``), else
        ``Settings()`` (6°, civil twilight).

    Returns
    -------
    pandas.Series of bool
        Same index as `events`; False where the time is missing.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> ev = gpd.GeoDataFrame(
    ...     {"time": pd.to_datetime(["2025-01-15 18:00", "2025-01-15 12:00"]).tz_localize(
    ...         "America/New_York")},
    ...     geometry=[shapely.Point(-77.03, 38.90)] * 2, crs=4326)
    >>> after_dark(ev).tolist()
    [True, False]
    """
    if isinstance(events, Study):
        s = settings if settings is not None else events.settings
        events = combine_events(events)
    else:
        carried = getattr(events, "attrs", {}).get("settings")
        s = settings if settings is not None else carried
        if not isinstance(s, Settings):
            log.debug("after_dark: no settings given or carried: the defaults (civil twilight)")
            s = Settings()
    if len(events) == 0:
        return pd.Series(np.zeros(0, bool), index=events.index)
    start, end = _event_times(events)
    moment = _moment(start, end)
    lon, lat = _lon_lat(events)
    flags = is_dark(moment, lon, lat, depression_deg=s.twilight_depression_deg)
    return pd.Series(flags, index=events.index, name="after_dark")


# =========================================================================================
# profiles and periods
# =========================================================================================


def aoristic_profile(
    start: pd.Series | pd.DatetimeIndex,
    end: pd.Series | pd.DatetimeIndex | None = None,
    *,
    tz: str,
    unit: str = "hour",
) -> np.ndarray:
    """Aoristic weights of each event over the hours of the day or the days of the week.

    Parameters
    ----------
    start, end : datetime Series or DatetimeIndex
        Tz-aware start and (optional, NaT allowed) end of each event's time window.
    tz : str
        The local timezone whose clock the profile follows.
    unit : {"hour", "weekday"}
        24 hours of the day, or 7 days of the week (Monday first).

    Returns
    -------
    numpy.ndarray
        Shape (n_events, 24 or 7); each row sums to 1 (0 for a missing start). A window of
        a day or more (a week or more for weekdays) spreads evenly.

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2025-03-03 22:00"]).tz_localize("Europe/London"))
    >>> e = s + pd.Timedelta(hours=4)
    >>> w = aoristic_profile(s, e, tz="Europe/London")
    >>> w[0, [22, 23, 0, 1, 2]].tolist()
    [0.25, 0.25, 0.25, 0.25, 0.0]
    """
    if unit not in ("hour", "weekday"):
        raise ValidationError(f"aoristic_profile: unit must be 'hour' or 'weekday', not {unit!r}")
    bins = 24 if unit == "hour" else 7
    start = pd.Series(pd.DatetimeIndex(start)).dt.tz_convert(tz)
    pos = _local_position(start, unit)  # position in [0, bins) in bin units
    if end is None:
        width = np.zeros(len(start))
    else:
        end = pd.Series(pd.DatetimeIndex(end)).dt.tz_convert(tz)
        span_ns = (end.to_numpy("datetime64[ns]") - start.to_numpy("datetime64[ns]")).astype(
            "timedelta64[ns]"
        )
        hours = span_ns.astype(np.float64) / _NS_PER_HOUR
        hours[np.isnat(span_ns)] = 0.0
        width = np.clip(hours, 0.0, None) / (1.0 if unit == "hour" else 24.0)
    out = np.zeros((len(start), bins))
    valid = np.isfinite(pos)
    point = valid & (width <= 0)
    out[np.flatnonzero(point), np.floor(pos[point]).astype(int) % bins] = 1.0
    full = valid & (width >= bins)
    out[full] = 1.0 / bins
    ranged = np.flatnonzero(valid & (width > 0) & (width < bins))
    edges = np.arange(bins, dtype=float)
    for lo in range(0, len(ranged), _CHUNK):
        idx = ranged[lo : lo + _CHUNK]
        a = pos[idx, None]
        b = a + width[idx, None]
        overlap = np.zeros((len(idx), bins))
        for wrap in (0.0, float(bins)):  # a window crosses midnight (or Sunday) at most once
            overlap += np.clip(np.minimum(b, edges + 1 + wrap) - np.maximum(a, edges + wrap), 0, 1)
        out[idx] = overlap / width[idx, None]
    return out


def period_counts(
    times: pd.Series,
    labels: np.ndarray,
    k: int,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    period: str = "W",
) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Events per place and period.

    Parameters
    ----------
    times : Series of tz-aware datetime
        Event times.
    labels : numpy.ndarray of int
        Place of each event, 0..k-1, or -1 for none.
    k : int
        Number of places.
    start, end : Timestamp
        The study's period (tz-aware); events outside it are not counted.
    period : {"W", "M"}
        Weeks of 7 days from `start`'s local midnight, or calendar months.

    Returns
    -------
    counts : numpy.ndarray of int, shape (k, n_periods)
    period_starts : DatetimeIndex
        Start of each period.

    Examples
    --------
    >>> t = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-09", "2025-01-10"]).tz_localize("UTC"))
    >>> c, p = period_counts(t, np.array([0, 0, 1]), 2, start=t[0], end=t[2])
    >>> c.tolist()
    [[1, 1], [0, 1]]
    """
    if period not in PERIODS:
        raise ValidationError(f"period must be one of {PERIODS}, not {period!r}")
    tz = start.tz
    first = start.tz_convert(tz).normalize()
    if period == "W":
        n_periods = int((end - first) / pd.Timedelta(days=7)) + 1
        starts = pd.date_range(first, periods=n_periods, freq="7D")
    else:
        month0 = first.replace(day=1)
        starts = pd.date_range(month0, end, freq="MS")
        if len(starts) == 0:
            starts = pd.DatetimeIndex([month0])
    local = pd.Series(pd.DatetimeIndex(times)).dt.tz_convert(tz)
    t_ns = local.to_numpy("datetime64[ns]").astype(np.int64)
    edges = starts.tz_convert("UTC").as_unit("ns").asi8
    idx = np.searchsorted(edges, t_ns, side="right") - 1
    labels = np.asarray(labels)
    ok = (labels >= 0) & (idx >= 0) & ~pd.isna(local).to_numpy()
    ok &= t_ns <= end.as_unit("ns").value
    n_p = len(starts)
    flat = np.bincount(labels[ok] * n_p + idx[ok], minlength=k * n_p)
    return flat.reshape(k, n_p), starts


def mann_kendall(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mann–Kendall trend test on each row of a (places × periods) count matrix.

    Kendall's tau-b between the period index and the counts, with the tie-corrected variance
    and no continuity correction: the same tau and p as ``scipy.stats.kendalltau`` row by
    row (tested), for all rows at once.

    Parameters
    ----------
    counts : numpy.ndarray, shape (k, T)

    Returns
    -------
    tau, p : numpy.ndarray
        NaN when T < 3 or a row is constant.

    Examples
    --------
    >>> tau, p = mann_kendall(np.array([[1, 2, 3, 4, 5, 6, 7, 8]]))
    >>> float(tau[0]), bool(p[0] < 0.01)
    (1.0, True)
    """
    x = np.asarray(counts, float)
    if x.ndim != 2:
        raise ValidationError("mann_kendall: counts must be a 2-D (places x periods) array")
    k, n = x.shape
    tau = np.full(k, np.nan)
    p = np.full(k, np.nan)
    if n < 3 or k == 0:
        return tau, p
    s = np.zeros(k)
    for lag in range(1, n):  # T is small (weeks or months): a loop over lags, not rows
        s += np.sign(x[:, lag:] - x[:, :-lag]).sum(axis=1)
    # ties in the counts: sum over groups of t(t-1)(2t+5) and t(t-1)
    sorted_x = np.sort(x, axis=1)
    new_group = np.ones((k, n), bool)
    new_group[:, 1:] = sorted_x[:, 1:] != sorted_x[:, :-1]
    group_id = np.cumsum(new_group.ravel()) - 1
    sizes = np.bincount(group_id).astype(float)
    row_of_group = np.repeat(np.arange(k), new_group.sum(axis=1))
    tie_var = np.bincount(row_of_group, weights=sizes * (sizes - 1) * (2 * sizes + 5), minlength=k)
    tie_pairs = np.bincount(row_of_group, weights=sizes * (sizes - 1) / 2, minlength=k)
    n0 = n * (n - 1) / 2
    var = (n * (n - 1) * (2 * n + 5) - tie_var) / 18.0
    ok = var > 0
    tau[ok] = s[ok] / np.sqrt(n0 * (n0 - tie_pairs[ok]))
    z = s[ok] / np.sqrt(var[ok])
    p[ok] = 2 * stats.norm.sf(np.abs(z))
    return tau, p


def trend_class(
    active: np.ndarray,
    tau: np.ndarray,
    p: np.ndarray,
    *,
    alpha: float = 0.05,
    cold: np.ndarray | None = None,
) -> np.ndarray:
    """Emerging-hot-spot class of each place from its active periods and trend test.

    Parameters
    ----------
    active : numpy.ndarray of bool, shape (k, T)
        Whether each place was active in each period.
    tau, p : numpy.ndarray, shape (k,)
        Mann–Kendall tau and p-value of each place's period counts.
    alpha : float
        Significance level of the trend.
    cold : numpy.ndarray of bool, shape (k, T), optional
        Whether each place was significantly *below* expectation in each period (for
        ``oscillating``); none when not given.

    Returns
    -------
    numpy.ndarray of str
        One of :data:`TRENDS` per place (``""`` for a place never active).

    Examples
    --------
    >>> act = np.array([[0, 0, 0, 1], [1, 1, 1, 1], [1, 0, 1, 0]], bool)
    >>> trend_class(act, np.array([1.0, 0.1, -0.2]), np.array([0.01, 0.6, 0.5])).tolist()
    ['new', 'persistent', 'no pattern']
    """
    active = np.asarray(active, bool)
    k, n = active.shape
    out = np.full(k, "", dtype=object)
    if n == 0:
        return out.astype(str)
    share = active.mean(axis=1)
    final = active[:, -1]
    ever_before = active[:, :-1].any(axis=1) if n > 1 else np.zeros(k, bool)
    # length of the run of active periods that ends with the final period
    inactive_rev = ~active[:, ::-1]
    run = np.where(inactive_rev.any(axis=1), inactive_rev.argmax(axis=1), n)
    # active anywhere before that run started?
    earlier = (active & (np.arange(n)[None, :] < (n - run)[:, None])).any(axis=1)
    sig = np.nan_to_num(p, nan=1.0) < alpha
    up = sig & (np.nan_to_num(tau) > 0)
    down = sig & (np.nan_to_num(tau) < 0)
    mostly = share >= _PERSISTENT_SHARE
    any_active = active.any(axis=1)

    was_cold = np.zeros(k, bool)
    if cold is not None and n > 1:
        was_cold = np.asarray(cold, bool)[:, :-1].any(axis=1)
    out[any_active & ~final] = NO_PATTERN
    out[any_active & ~final & mostly] = "historical"
    out[final] = "sporadic"
    out[final & was_cold] = "oscillating"
    out[final & (run >= 2) & ~earlier & ~mostly] = "consecutive"
    out[final & mostly] = "persistent"
    out[final & mostly & up] = "intensifying"
    out[final & mostly & down] = "diminishing"
    out[final & ~ever_before] = "new"
    return out.astype(str)


def cluster_time_summary(
    events: Any,
    labels: np.ndarray,
    *,
    settings: Settings | None = None,
    period: str = "W",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    expected: np.ndarray | None = None,
    k: int | None = None,
) -> pd.DataFrame:
    """Per place: after-dark share, hour and weekday profiles, period counts and trend class.

    Parameters
    ----------
    events : GeoDataFrame
        Combined events (:func:`hotspots.combine_events`): ``time``, optional ``time_to``,
        point geometry.
    labels : numpy.ndarray of int
        Place of each event (position 0..k-1), -1 for none; same length as `events`.
    settings : Settings, optional
        ``twilight_depression_deg`` and ``alpha``.
    period : {"W", "M"}
        Period for the counts and the trend class.
    start, end : Timestamp, optional
        The study period (tz-aware). Default: first and last event time.
    expected : numpy.ndarray, optional
        Events expected at each place over the whole period at the background rate; a
        period is active when its count is significantly above its share of it (Poisson,
        ``alpha``). Without it, a period is active when it has any event.
    k : int, optional
        Number of places (default ``labels.max() + 1``).

    Returns
    -------
    pandas.DataFrame
        Index 0..k-1, columns :data:`TIME_COLUMNS`.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> t = pd.date_range("2025-01-06 23:30", periods=6, freq="7D", tz="Europe/London")
    >>> ev = gpd.GeoDataFrame({"time": t}, geometry=[shapely.Point(-1.55, 53.8)] * 6, crs=4326)
    >>> end = t[-1].normalize() + pd.Timedelta(days=7)  # six full weeks
    >>> row = cluster_time_summary(ev, np.zeros(6, int), end=end).iloc[0]
    >>> float(row["after_dark_share"]), row["trend"], row["period_counts"]
    (1.0, 'persistent', [1, 1, 1, 1, 1, 1])
    """
    s = settings if settings is not None else Settings()
    labels = np.asarray(labels, np.int64)
    if len(labels) != len(events):
        raise ValidationError(
            f"cluster_time_summary: {len(labels)} labels for {len(events)} events"
        )
    if k is None:
        k = int(labels.max()) + 1 if len(labels) else 0
    out = pd.DataFrame(index=pd.RangeIndex(k))
    if k == 0:
        for col in TIME_COLUMNS:
            out[col] = pd.Series(dtype=object)
        return out
    start_t, end_t = _event_times(events)
    tz = str(start_t.dt.tz)
    inside = labels >= 0
    lab = labels[inside]

    dark = after_dark(events, settings=s).to_numpy(bool)
    n = np.bincount(lab, minlength=k)
    n_dark = np.bincount(lab, weights=dark[inside], minlength=k).astype(int)
    out[N_AFTER_DARK] = n_dark
    with np.errstate(invalid="ignore", divide="ignore"):
        out[AFTER_DARK_SHARE] = np.where(n > 0, n_dark / np.maximum(n, 1), np.nan)

    for col, unit, bins in ((HOUR_PROFILE, "hour", 24), (WEEKDAY_PROFILE, "weekday", 7)):
        rows = _profile_sums(start_t, end_t, labels, k, tz=tz, unit=unit, bins=bins)
        out[col] = [[round(float(v), 4) for v in r] for r in rows]

    first = _aware(start, tz) if start is not None else start_t.min()
    last = _aware(end, tz) if end is not None else start_t.max()
    if pd.isna(first) or pd.isna(last):
        raise LayerError("cluster_time_summary: the events have no valid times")
    counts, starts = period_counts(start_t, labels, k, start=first, end=last, period=period)
    counts, starts = _drop_partial_period(counts, starts, last, period)
    out[PERIOD_COUNTS] = [list(map(int, r)) for r in counts]
    if expected is not None:
        full = pd.Timedelta(days=7) if period == "W" else pd.offsets.MonthBegin(1)
        stop = min(last, starts[-1] + full)  # the end of the last period kept
        lengths = np.diff(np.append(starts.as_unit("ns").asi8, stop.as_unit("ns").value))
        lengths = np.clip(lengths.astype(float), 1.0, None)
        # each period's share of the whole study period (a dropped partial one included)
        share = lengths / max(float((last - first).value), lengths.sum())
        exp = np.asarray(expected, float)[:, None] * share[None, :]
        active = (counts > 0) & (stats.poisson.sf(counts - 1, exp) < s.alpha)
        cold = stats.poisson.cdf(counts, exp) < s.alpha
    else:
        active = counts > 0
        cold = np.zeros_like(active)
    tau, p = mann_kendall(counts)
    out[ACTIVE_PERIODS] = active.sum(axis=1)
    out[TREND] = trend_class(active, tau, p, alpha=s.alpha, cold=cold)
    out[TREND_TAU] = tau
    out[TREND_P] = p
    with_events = (counts > 0).sum(axis=1)
    few = with_events < MIN_TREND_PERIODS
    out[TREND_NOTE] = np.where(
        few,
        [
            f"events in only {int(v)} of {counts.shape[1]} periods: the trend test has little power"
            for v in with_events
        ],
        "",
    )
    if few.any():
        log.info(
            "cluster_time_summary: %d of %d places have events in fewer than %d periods "
            "(small-sample note in trend_note)",
            int(few.sum()),
            k,
            MIN_TREND_PERIODS,
        )
    log.debug(
        "cluster_time_summary: %d places, %d %s periods; trends %s",
        k,
        counts.shape[1],
        period,
        dict(zip(*np.unique(out[TREND], return_counts=True), strict=True)),
    )
    return out


# =========================================================================================
# helpers
# =========================================================================================


def _drop_partial_period(
    counts: np.ndarray, starts: pd.DatetimeIndex, last: pd.Timestamp, period: str
) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Drop a final period shorter than a full one (logged); keep at least one period."""
    if len(starts) < 2:
        return counts, starts
    begin = starts[-1]
    full_end = begin + (pd.Timedelta(days=7) if period == "W" else pd.offsets.MonthBegin(1))
    covered = last - begin
    if covered >= (full_end - begin) - pd.Timedelta(seconds=1):
        return counts, starts
    log.info(
        "cluster_time_summary: the last period (%s to %s) is partial (%.1f of %.0f days): "
        "dropped from the counts and the trend",
        begin.date(),
        last,
        covered / pd.Timedelta(days=1),
        (full_end - begin) / pd.Timedelta(days=1),
    )
    return counts[:, :-1], starts[:-1]


def _utc_ns(times: Any) -> tuple[np.ndarray, np.ndarray]:
    """Nanoseconds since the epoch (UTC) as float, and a missing mask."""
    if isinstance(times, pd.Timestamp):
        times = [times]
    index = pd.DatetimeIndex(times)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    raw = index.as_unit("ns").asi8
    missing = index.isna()
    return np.where(missing, 0, raw).astype(np.float64), np.asarray(missing)


def _event_times(events: Any) -> tuple[pd.Series, pd.Series | None]:
    """Start and (optional) end time columns of an event frame."""
    for start_col, end_col in (
        (C.TIME, C.TIME_TO),
        (C.OCCURRED_AT, C.OCCURRED_TO),
        (C.REPORTED_AT, None),
    ):
        if start_col in events.columns:
            start = events[start_col]
            if not isinstance(start.dtype, pd.DatetimeTZDtype):
                raise ValidationError(
                    f"events column {start_col!r} must be tz-aware datetimes (got "
                    f"{start.dtype}); load the layer with hotspots.read_layer(..., tz=...)"
                )
            end = events[end_col] if end_col and end_col in events.columns else None
            if end is not None and not isinstance(end.dtype, pd.DatetimeTZDtype):
                end = None
            return start, end
    raise ValidationError(
        "events have no time column: expected 'time' (hotspots.combine_events), "
        "'occurred_at' or 'reported_at'"
    )


def _profile_sums(
    start: pd.Series,
    end: pd.Series | None,
    labels: np.ndarray,
    k: int,
    *,
    tz: str,
    unit: str,
    bins: int,
) -> np.ndarray:
    """Sum of the aoristic profiles per place: events without a window by bincount."""
    inside = labels >= 0
    if end is not None:
        ranged = inside & (end.notna() & (end > start)).to_numpy(bool)
    else:
        ranged = np.zeros(len(labels), bool)
    point = inside & ~ranged
    local = start[point].dt.tz_convert(tz)
    where = np.floor(_local_position(local, unit)).astype(np.int64)
    rows = np.bincount(labels[point] * bins + where, minlength=k * bins).astype(float)
    rows = rows.reshape(k, bins)
    if ranged.any():
        weights = aoristic_profile(start[ranged], end[ranged], tz=tz, unit=unit)
        lab = labels[ranged]
        for j in range(bins):
            rows[:, j] += np.bincount(lab, weights=weights[:, j], minlength=k)
    return rows


def _aware(t: Any, tz: str) -> pd.Timestamp:
    """Return a tz-aware Timestamp; naive times are taken as local to `tz`."""
    t = pd.Timestamp(t)
    return t.tz_localize(tz) if t.tz is None else t


def _moment(start: pd.Series, end: pd.Series | None) -> pd.Series:
    """Return the window's midpoint when the window is at most a day, else the start."""
    if end is None:
        return start
    span = end - start
    use_mid = span.notna() & (span >= pd.Timedelta(0)) & (span <= pd.Timedelta(days=1))
    mid = start + span / 2
    return start.where(~use_mid, mid)


def _lon_lat(events: Any) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of each event's point (or its centroid)."""
    geom = events.geometry.to_numpy()
    if len(geom) and not (shapely.get_type_id(geom) == 0).all():
        geom = shapely.centroid(geom)
    xy = shapely.get_coordinates(geom) if len(geom) else np.zeros((0, 2))
    if len(xy) != len(events):
        raise ValidationError("events must have one non-empty point geometry per row")
    crs = events.crs
    if crs is None:
        raise ValidationError(
            "events have no CRS, so the sun's position cannot be placed; set one "
            "(e.g. events.set_crs(4326))"
        )
    if crs.is_geographic and crs.equals(pyproj.CRS(4326)):
        return xy[:, 0], xy[:, 1]
    to_wgs = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1])
    return np.asarray(lon), np.asarray(lat)


def _local_position(start: pd.Series, unit: str) -> np.ndarray:
    """Position of each local time within the day (hours) or the week (days, Monday 0)."""
    hours = (
        start.dt.hour.to_numpy(float)
        + start.dt.minute.to_numpy(float) / 60.0
        + start.dt.second.to_numpy(float) / 3600.0
    )
    if unit == "hour":
        return hours
    return start.dt.day_of_week.to_numpy(float) + hours / 24.0
