"""Times as cities publish them (issue #12): each test names the failure it guards against."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hotspots import HotspotsWarning, LayerError, read_layer
from hotspots._times import parse_times

NY = "America/New_York"
LONDON = "Europe/London"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _points(n, lon=-77.03, lat=38.9):
    i = np.arange(n)
    return lon + (i % 7) * 1e-3, lat + (i % 5) * 1e-3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04-Jul-2025 22:30", "2025-07-04 22:30:00-04:00"),
        ("July 04, 2025 10:30 PM", "2025-07-04 22:30:00-04:00"),
        ("Jul 4, 2025 10:30 PM", "2025-07-04 22:30:00-04:00"),
        ("2025-07-04T22:30:00", "2025-07-04 22:30:00-04:00"),
        ("2025-07-05T02:30:00Z", "2025-07-04 22:30:00-04:00"),
    ],
)
def test_every_format_is_local_time(text, expected):
    """Formats read by the fallback parser were taken as UTC and shifted 4-5 hours."""
    times, bad = parse_times(pd.Series([text]), NY)
    assert not bad.any()
    assert str(times.iloc[0]) == expected


def test_fallback_parser_localises_naive_values():
    times, bad = parse_times(pd.Series(["2025-07-04 22:30", "Fri, 4 Jul 2025 22:31"]), NY)
    assert not bad.any()
    assert [t.hour for t in times] == [22, 22]


def test_day_first_decided_from_the_whole_column():
    """Day-first dates whose sample days are all <= 12 were read month-first silently."""
    values = ["01/02/2025 10:00"] * 600 + ["25/02/2025 10:00"]  # one day > 12, late
    info: dict = {}
    times, bad = parse_times(pd.Series(values), LONDON, info=info)
    assert info["dayfirst"] is True and not info["dayfirst_ambiguous"]
    assert not bad.any()
    assert times.iloc[0].month == 2 and times.iloc[0].day == 1


def test_day_first_ambiguous_column_warns_and_can_be_told(tmp_path):
    lon, lat = _points(12, -0.12, 51.5)
    dates = [f"{d:02d}/03/2025 10:00" for d in range(1, 13)]
    frame = pd.DataFrame({"lon": lon, "lat": lat, "date": dates})
    path = write(tmp_path, "d.csv", frame.to_csv(index=False))
    with pytest.warns(HotspotsWarning, match="reads both day-first and month-first"):
        layer = read_layer(path, kind="incidents", tz=LONDON)
    assert layer.reading["time"]["dayfirst"] is False
    told = read_layer(path, kind="incidents", tz=LONDON, dayfirst=True)
    assert told.reading["time"]["dayfirst"] is True
    assert told.data["occurred_at"].dt.month.eq(3).all()


def test_mixed_epoch_seconds_and_milliseconds_per_value():
    """A column mixing epoch seconds and ms put 20 % of rows in 1970."""
    sec = 1_735_689_600  # 2025-01-01 00:00 UTC
    values = [str(sec + i * 3600) for i in range(80)] + [str((sec + i) * 1000) for i in range(20)]
    info: dict = {}
    times, bad = parse_times(pd.Series(values), "UTC", info=info)
    assert not bad.any()
    assert (times.dt.year == 2025).all()
    assert info["epoch"].startswith("mixed")


def test_separate_date_and_time_columns_are_combined(tmp_path):
    """Arrest files split date and time: every event was at midnight, so "after dark"."""
    lon, lat = _points(6, -76.61, 39.29)
    frame = pd.DataFrame(
        {
            "ArrestDate": ["2019/01/05 00:00:00+00"] * 3 + ["01/06/2019"] * 3,
            "ArrestTime": ["10:30", "2215", "07:05", "9:15 PM", "11:00 AM", "0005"],
            "Longitude": lon,
            "Latitude": lat,
        }
    )
    path = write(tmp_path, "arrests.csv", frame.to_csv(index=False))
    layer = read_layer(path, kind="incidents", tz=NY)
    assert layer.columns["time_of_day"] == "ArrestTime"
    hours = layer.data["occurred_at"].dt.strftime("%H:%M").tolist()
    assert hours == ["10:30", "22:15", "07:05", "21:15", "11:00", "00:05"]
    # overridable by name
    frame = frame.rename(columns={"ArrestTime": "hhmm"})
    path = write(tmp_path, "arrests2.csv", frame.to_csv(index=False))
    layer = read_layer(path, kind="incidents", tz=NY, columns={"time_of_day": "hhmm"})
    assert layer.data["occurred_at"].dt.hour.tolist()[0] == 10


def test_time_column_must_mostly_parse(tmp_path):
    """Boston's 311 file got `on_time` ("OVERDUE") as its time column instead of `open_dt`."""
    lon, lat = _points(5, -71.06, 42.36)
    frame = pd.DataFrame(
        {
            "case_enquiry_id": range(5),
            "on_time": ["OVERDUE"] * 4 + ["ONTIME"],
            "open_dt": ["2025-01-24 03:24:56"] * 5,
            "latitude": lat,
            "longitude": lon,
        }
    )
    layer = read_layer(write(tmp_path, "311.csv", frame.to_csv(index=False)), "concerns", tz=NY)
    assert layer.columns["time"] == "open_dt"
    nothing = frame.drop(columns=["open_dt"])
    with pytest.raises(LayerError, match="'on_time' holds no date/time"):
        read_layer(write(tmp_path, "n.csv", nothing.to_csv(index=False)), "concerns", tz=NY)


def _boston_like(n=60, *, hour_column=True):
    lon, lat = _points(n, -71.06, 42.36)
    hours = np.arange(n) % 24
    frame = pd.DataFrame(
        {
            "INCIDENT_NUMBER": [f"I{i}" for i in range(n)],
            "OCCURRED_ON_DATE": [
                f"2024-07-{1 + i % 28:02d} {h:02d}:15:00+00"
                for i, h in zip(range(n), hours, strict=True)
            ],  # fmt: skip
            "Lat": lat,
            "Long": lon,
        }
    )
    if hour_column:
        frame["HOUR"] = hours
    return frame


def test_false_offsets_read_local_when_hour_column_agrees(tmp_path):
    """Boston's `+00` local times were shifted by 4-5 hours."""
    path = write(tmp_path, "b.csv", _boston_like().to_csv(index=False))
    with pytest.warns(HotspotsWarning, match="offsets in 'OCCURRED_ON_DATE' are false"):
        layer = read_layer(path, kind="incidents", tz=NY)
    data = layer.data
    assert (data["occurred_at"].dt.hour == data["HOUR"].astype(int)).all()
    assert layer.reading["time"]["local"] is True
    # told to keep the offsets: kept, but still warned
    with pytest.warns(HotspotsWarning, match="the offsets look false"):
        kept = read_layer(path, kind="incidents", tz=NY, times="offsets")
    assert (kept.data["occurred_at"].dt.hour != kept.data["HOUR"].astype(int)).all()


def test_times_local_option_drops_offsets(tmp_path):
    path = write(tmp_path, "b.csv", _boston_like(hour_column=False).to_csv(index=False))
    layer = read_layer(path, kind="incidents", tz=NY, times="local")
    assert str(layer.data["occurred_at"].iloc[0]) == "2024-07-01 00:15:00-04:00"
    with pytest.raises(Exception, match="`times` must be one of"):
        read_layer(path, kind="incidents", tz=NY, times="wall")


def test_tz_inferred_from_the_data_when_not_given(tmp_path):
    """With no tz everything was silently UTC although the coordinates say where."""
    lon, lat = _points(5, -87.63, 41.88)
    frame = pd.DataFrame({"lon": lon, "lat": lat, "date": ["2024-07-04 22:30"] * 5})
    layer = read_layer(write(tmp_path, "c.csv", frame.to_csv(index=False)), "incidents", tz=None)
    assert layer.reading["tz"]["tz"] == "America/Chicago"
    assert layer.reading["tz"]["inferred"] is True
    assert layer.reading["tz"]["at"] == pytest.approx([-87.627, 41.882], abs=0.01)
    assert str(layer.data["occurred_at"].iloc[0]) == "2024-07-04 22:30:00-05:00"


def test_daily_rhythm_flags_false_offsets_without_an_hour_column(tmp_path):
    """Without an HOUR column the only hint is the daily rhythm: quietest at 4 am wall clock."""
    rng = np.random.default_rng(0)
    # wall-clock hours with the usual trough around 4-5 am, written with a false '+00'
    weights = np.array([5, 4, 3, 2, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 7, 7, 8, 8, 8, 8, 7, 6, 6])
    hours = rng.choice(24, size=800, p=weights / weights.sum())
    lon, lat = _points(800, -71.06, 42.36)
    when = [f"2024-07-{1 + i % 28:02d} {h:02d}:10:00+00" for i, h in enumerate(hours)]
    frame = pd.DataFrame({"lon": lon, "lat": lat, "date": when})
    path = write(tmp_path, "d.csv", frame.to_csv(index=False))
    with pytest.warns(HotspotsWarning, match="offsets may be false"):
        layer = read_layer(path, kind="incidents", tz=NY)
    assert layer.reading["time"]["quietest_hour_wall_clock"] in range(3, 8)
    assert layer.reading["time"]["local"] is False  # only a warning: no HOUR column to agree
