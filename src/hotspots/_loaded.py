"""What reading a layer produces: the Layer record, its location precision, reject reasons.

Re-exported by :mod:`hotspots.io`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from hotspots import _columns as C

__all__ = ["REJECTION_REASONS", "Layer", "LocationPrecision"]


# --- rejection reasons ---------------------------------------------------------------
REJECTION_REASONS: dict[str, str] = {
    "missing_coordinates": "no coordinates in the row",
    "non_numeric_coordinates": "coordinates are not numbers",
    "zero_coordinates": "coordinates are 0/0 (a geocoding failure, 'null island')",
    "out_of_range": "longitude outside -180..180 or latitude outside -90..90",
    "missing_geometry": "the feature has no geometry",
    "invalid_geometry": "the geometry text could not be read",
    "wrong_geometry_type": "the geometry type does not fit the layer kind",
    "outside_study_area": "the location is outside the study boundary",
    "missing_time": "no date/time in the row",
    "unparseable_time": "the date/time could not be read in any known format",
    "future_time": "the date/time is in the future",
    "outside_study_period": "the date/time is outside the study period",
    "duplicate": "the row repeats an earlier row exactly",
    "implausible_location": (
        "the point is implausibly far from the rest of the data (a stray geocode, a "
        "projected-origin artefact); the detail gives the distance"
    ),
    "malformed_row": "the line has more or fewer fields than the header (a ragged CSV row)",
    "not_a_boarding_stop": "a GTFS station, entrance, node or boarding area, not a stop",
    "not_a_bus_stop": "a GTFS subway, rail or ferry platform, not a bus stop",
}
"""Every reason a row can be rejected for, with its meaning."""


@dataclass(frozen=True)
class LocationPrecision:
    """How precisely a layer places its points.

    Attributes
    ----------
    level : {"point", "snapped", "rounded", "unknown"}
        ``snapped``: many events share a coordinate (block midpoints, intersections);
        ``rounded``: coordinates carry 3 or fewer decimals of a degree (about 100 m);
        ``point``: neither; ``unknown``: too few points to tell.
    repeated_share : float
        Share of points that share their exact coordinate with another point.
    decimals : int or None
        Typical number of decimals of the longitude text, when read from text.
    address_column : str or None
        A block/address column found in the source, if any.
    note : str
        One sentence for evidence text.

    Examples
    --------
    >>> from hotspots import datasets
    >>> datasets.load_study("dc").layers["incidents"].precision.level
    'snapped'
    """

    level: str
    repeated_share: float
    decimals: int | None
    address_column: str | None
    note: str


@dataclass(frozen=True, eq=False)
class Layer:
    """One loaded layer: usable rows, rejected rows and how they were read.

    Attributes
    ----------
    kind : str
        One of ``incidents, concerns, lights, stops, obstructions`` or a registered kind.
    source : str
        File path or ``"<DataFrame>"``.
    data : GeoDataFrame
        The usable rows (columns: see :func:`read_layer`).
    rejected : DataFrame
        ``layer, source, row, reason, detail, original`` for every unusable row.
    n_read : int
        Data rows read from the source.
    columns : dict
        Which source column was used for each field (``lon``, ``lat``, ``time``, ...).
    precision : LocationPrecision
    notes : tuple of str
        What was fixed or assumed (swapped coordinates, timezone, duplicates...).
    reading : dict
        How the source was read, JSON-ready: ``time`` (column, formats with row counts,
        ``dayfirst``, ``local`` and why), ``crs`` (and ``crs_inferred``), ``tz`` (and
        whether it was inferred), ``files`` (one entry per file of a layer read from
        several files), ``file`` (encoding, delimiter, decimal comma).

    Examples
    --------
    >>> from hotspots import datasets, read_layer
    >>> layer = read_layer(datasets.paths("dc")["stops"], kind="stops")
    >>> layer.n_read == len(layer.data) + len(layer.rejected)
    True
    """

    kind: str
    source: str
    data: gpd.GeoDataFrame
    rejected: pd.DataFrame
    n_read: int
    columns: Mapping[str, str] = field(default_factory=dict)
    precision: LocationPrecision = LocationPrecision("unknown", 0.0, None, None, "")
    notes: tuple[str, ...] = ()
    reading: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_loaded(self) -> int:
        """Rows loaded."""
        return len(self.data)

    @property
    def n_rejected(self) -> int:
        """Rows rejected."""
        return len(self.rejected)

    def __repr__(self) -> str:
        return (
            f"Layer({self.kind!r}, source={self.source!r}, read={self.n_read:,}, "
            f"loaded={self.n_loaded:,}, rejected={self.n_rejected:,}, "
            f"precision={self.precision.level!r})"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        reasons = (
            self.rejected[C.REJ_REASON].value_counts().sort_index().to_frame("rows")
            if self.n_rejected
            else None
        )
        cols = "".join(
            f"<li>{esc(k)}: <code>{esc(str(v))}</code></li>" for k, v in self.columns.items()
        )
        notes = "".join(f"<li>{esc(n)}</li>" for n in self.notes)
        return (
            f"<div><h4>{esc(self.kind)} from {esc(self.source)}</h4>"
            f"<p>{self.n_read:,} read, {self.n_loaded:,} loaded, {self.n_rejected:,} rejected;"
            f" location precision: {esc(self.precision.level)}</p>"
            f"<p>Columns used:</p><ul>{cols}</ul>"
            + (f"<p>Notes:</p><ul>{notes}</ul>" if notes else "")
            + (reasons.to_html(escape=True) if reasons is not None else "")
            + "</div>"
        )
