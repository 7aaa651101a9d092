"""Location precision: how precisely the incidents are located, for every evidence sentence.

Evidence only (no fix rules): the incidents layer's precision note (e.g. "locations are
snapped to blocks or intersections, so distances are good to about half a block"). The
other factors' sentences add it when locations are snapped (:func:`precision_note`), so
"nearest working light 12 m" is read for what it is worth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspots import _columns as C
from hotspots.factors.base import Column, Factor
from hotspots.factors.context import PlaceContext

__all__ = ["FACTOR"]

COLUMNS: tuple[Column, ...] = (
    Column(C.LOCATION_PRECISION, "str", "",
           "how precise event locations are, for the evidence text"),
)  # fmt: skip


def precision_evidence(ctx: PlaceContext) -> pd.DataFrame:
    """Return the incidents layer's location-precision note for every place.

    Parameters
    ----------
    ctx : PlaceContext
        The shared context (the study's layers).

    Returns
    -------
    DataFrame
        One row per place, the column ``location_precision`` (empty without incidents).

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> from hotspots.factors.context import build_context
    >>> study = datasets.load_study("scene")
    >>> precision_evidence(build_context(study, find_hotspots(study))).iloc[0, 0]
    '0% of points share a coordinate: point locations'
    """
    incidents = ctx.study.layers.get(C.INCIDENTS)
    note = incidents.precision.note if incidents is not None else ""
    return pd.DataFrame(
        {C.LOCATION_PRECISION: np.full(ctx.k, note, dtype=object)}, index=ctx.places.index
    )


FACTOR = Factor(
    name="precision",
    columns=COLUMNS,
    evidence=precision_evidence,
    doc="how precisely the incidents are located (tempers the other factors' evidence)",
)
"""The location-precision factor (evidence only)."""
