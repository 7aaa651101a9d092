"""What residents report: concern topics, their own words, clean-up and vegetation counts.

Evidence: concerns per topic (:data:`hotspots.topics.TOPICS`, classified by the lexicon and
the optional model of :func:`hotspots.classify_concerns`), the counts of vegetation /
sightline and litter / dumping concerns the rules read, and the residents' most frequent
phrases (unescaped: escaping is the map's and report's job).

Fix: ``clean_up`` (litter and dumping). Vegetation concerns feed the sightline factor's
``trim_vegetation`` rule.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from hotspots import _columns as C
from hotspots.factors.base import STRENGTH, Column, Factor, FixRule, Row
from hotspots.factors.context import PlaceContext
from hotspots.settings import Settings
from hotspots.topics import TOPIC_PREFIX, TOPICS, top_phrases

__all__ = ["FACTOR", "LITTER_CONCERNS", "TOPIC_COUNTS", "TOP_PHRASES", "VEGETATION_CONCERNS"]

log = logging.getLogger(__name__)

TOPIC_COUNTS = "topic_counts"
VEGETATION_CONCERNS = "vegetation_concerns"
LITTER_CONCERNS = "litter_concerns"
TOP_PHRASES = "top_phrases"

COLUMNS: tuple[Column, ...] = (
    Column(TOPIC_COUNTS, "dict", "", "concerns per topic"),
    Column(VEGETATION_CONCERNS, "int", "", "concerns about overgrowth, hedges, blind corners"),
    Column(LITTER_CONCERNS, "int", "", "concerns about litter and dumping"),
    Column(TOP_PHRASES, "list of str", "",
           "the residents' own words, most frequent first (unescaped)"),
)  # fmt: skip

_VEGETATION_TOPIC = "vegetation_sightline"
_LITTER_TOPIC = "litter_dumping"


def concern_evidence(ctx: PlaceContext) -> pd.DataFrame:
    """Compute the concern-topic columns for every place.

    Parameters
    ----------
    ctx : PlaceContext
        The shared context (the place of each concern, the concerns' topic flags).

    Returns
    -------
    DataFrame
        One row per place, the columns of :data:`COLUMNS`.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> from hotspots.factors.context import build_context
    >>> study = datasets.load_study("scene")
    >>> ev = concern_evidence(build_context(study, find_hotspots(study)))
    >>> int(ev["litter_concerns"].sum()) > 0
    True
    """
    k, flags, concern_pos = ctx.k, ctx.concern_flags, ctx.concern_place
    if flags is None or not (concern_pos >= 0).any():
        return pd.DataFrame(
            {
                TOPIC_COUNTS: [dict.fromkeys(TOPICS, 0) for _ in range(k)],
                VEGETATION_CONCERNS: np.zeros(k, int),
                LITTER_CONCERNS: np.zeros(k, int),
                TOP_PHRASES: [[] for _ in range(k)],
            },
            index=ctx.places.index,
        )
    inside = concern_pos >= 0
    counts = np.stack(
        [
            np.bincount(concern_pos[inside & flags[TOPIC_PREFIX + t].to_numpy(bool)], minlength=k)
            for t in TOPICS
        ],
        axis=1,
    )
    by_topic = dict(zip(TOPICS, counts.T, strict=True))
    texts = ctx.study.concerns[C.DESCRIPTION].astype(str).reset_index(drop=True)
    phrases = top_phrases(texts[inside], pd.Series(concern_pos[inside], index=texts.index[inside]))
    return pd.DataFrame(
        {
            TOPIC_COUNTS: [dict(zip(TOPICS, row, strict=True)) for row in counts.tolist()],
            VEGETATION_CONCERNS: by_topic[_VEGETATION_TOPIC].astype(int),
            LITTER_CONCERNS: by_topic[_LITTER_TOPIC].astype(int),
            TOP_PHRASES: [list(phrases.get(c, [])) for c in range(k)],
        },
        index=ctx.places.index,
    )


def _clean_up(c: Row, s: Settings) -> Iterator[dict[str, Any]]:
    """Clean up where at least ``min_topic_concerns`` concerns are about litter or dumping."""
    litter = int(c[LITTER_CONCERNS])
    if litter < s.min_topic_concerns:
        return
    phrases = [p for p in c[TOP_PHRASES] if p][:1]
    yield {
        C.TARGET_KIND: "place",
        C.EVIDENCE: (
            f"{litter} resident concerns about litter or dumping here"
            + (f", e.g. \u201c{phrases[0]}\u201d" if phrases else "")
            + "."
        ),
        C.TRIGGERED_BY: [LITTER_CONCERNS, TOP_PHRASES],
        STRENGTH: min(1.0, litter / 5),
    }


FACTOR = Factor(
    name="concerns",
    columns=COLUMNS,
    evidence=concern_evidence,
    rules=(
        FixRule(
            "clean_up",
            _clean_up,
            doc="at least `min_topic_concerns` concerns about litter or dumping",
        ),
    ),
    doc="what residents report: topics, their own words, litter and vegetation counts",
)
"""The resident-reported concerns factor."""
