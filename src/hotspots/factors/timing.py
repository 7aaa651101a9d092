"""Time: how much happens after dark at each place, against the whole study.

Evidence only (no fix rules): the after-dark count and share of each place (the same
columns :func:`hotspots.find_hotspots` gives, recomputed with the study's settings) and the
night/day ratio against the whole study's. The lighting and bus-stop rules read them.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from hotspots import _columns as C
from hotspots.factors.base import Column, Factor
from hotspots.factors.context import PlaceContext, share

__all__ = ["FACTOR", "NIGHT_DAY_RATIO", "NIGHT_RATIO_VS_STUDY", "STUDY_NIGHT_DAY_RATIO"]

log = logging.getLogger(__name__)

NIGHT_DAY_RATIO = "night_day_ratio"
STUDY_NIGHT_DAY_RATIO = "study_night_day_ratio"
NIGHT_RATIO_VS_STUDY = "night_ratio_vs_study"

COLUMNS: tuple[Column, ...] = (
    Column(C.N_AFTER_DARK, "int", "", "events after dark (sun below civil twilight)"),
    Column(C.AFTER_DARK_SHARE, "float", "", "share of events after dark"),
    Column(NIGHT_DAY_RATIO, "float", "", "events after dark / events in daylight"),
    Column(STUDY_NIGHT_DAY_RATIO, "float", "", "the same over the whole study"),
    Column(NIGHT_RATIO_VS_STUDY, "float", "",
           "the hot spot's ratio over the study's (>1: more night-heavy)"),
)  # fmt: skip


def time_evidence(ctx: PlaceContext) -> pd.DataFrame:
    """Compute the after-dark columns for every place.

    Parameters
    ----------
    ctx : PlaceContext
        The shared context (after-dark flags of every event, events per place).

    Returns
    -------
    DataFrame
        One row per place, the columns of :data:`COLUMNS`.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> from hotspots.factors.context import build_context
    >>> study = datasets.load_study("scene")
    >>> ev = time_evidence(build_context(study, find_hotspots(study)))
    >>> bool(ev["after_dark_share"].between(0, 1).all())
    True
    """
    n_all = ctx.n_events
    n_dark = ctx.per_place.count(ctx.inside_dark)
    study_dark = int(ctx.event_dark.sum())
    study_ratio = study_dark / max(len(ctx.events) - study_dark, 1)
    ratio = n_dark / np.maximum(n_all - n_dark, 1)
    return pd.DataFrame(
        {
            C.N_AFTER_DARK: n_dark,
            C.AFTER_DARK_SHARE: share(n_dark, n_all),
            NIGHT_DAY_RATIO: ratio,
            STUDY_NIGHT_DAY_RATIO: np.full(ctx.k, study_ratio),
            NIGHT_RATIO_VS_STUDY: ratio / study_ratio
            if study_ratio > 0
            else np.full(ctx.k, np.nan),
        },
        index=ctx.places.index,
    )


FACTOR = Factor(
    name="time",
    columns=COLUMNS,
    evidence=time_evidence,
    doc="after-dark share of each place against the study's",
)
"""The time factor (evidence only)."""
