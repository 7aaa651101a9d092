"""Offences: what kind of offence happens at each place, indoors or out, and how much harm.

Evidence only (no fix rules): incidents per offence group
(:func:`hotspots.offences.offence_groups`: the shipped wording table, then keywords), how
many happened indoors according to the location-description column when the incidents have
one, and the place's harm: each incident weighted by its group's harm weight
(:func:`hotspots.offences.harm_weights`; days of custody at the sentencing-guideline starting
point, the Cambridge Crime Harm Index unit) and by recency (halving every
``harm_half_life_days`` before the end of the data). :func:`hotspots.recommend` ranks places
by harm and withholds a fix where most incidents are outside the offence groups it can
affect (:attr:`hotspots.fixes.Fix.offence_groups`).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from hotspots import _columns as C
from hotspots.factors.base import Column, Factor
from hotspots.factors.context import PlaceContext
from hotspots.offences import UNKNOWN, harm_weights

__all__ = ["FACTOR", "HARM", "INDOOR_INCIDENTS", "OFFENCE_GROUP_COUNTS"]

log = logging.getLogger(__name__)

OFFENCE_GROUP_COUNTS = "offence_group_counts"
OUTDOOR_GROUP_COUNTS = "outdoor_group_counts"
INDOOR_INCIDENTS = "indoor_incidents"
LOCATION_KNOWN = "location_known"
HARM = "harm"
HARM_EXPLAINED = "harm_explained"
HARM_RANK = C.HARM_RANK

COLUMNS: tuple[Column, ...] = (
    Column(OFFENCE_GROUP_COUNTS, "dict", "",
           "incidents per offence group (most first; 'unknown': wording not recognised)"),
    Column(OUTDOOR_GROUP_COUNTS, "dict", "",
           "the same, without incidents whose location description says indoors"),
    Column(INDOOR_INCIDENTS, "int", "",
           "incidents whose location description says indoors"),
    Column(LOCATION_KNOWN, "bool", "", "the incidents carry a location-description column"),
    Column(HARM, "float", "days",
           "harm: incidents weighted by harm_weights and by recency (harm_half_life_days)"),
    Column(HARM_EXPLAINED, "str", "", "the make-up of the harm score in words"),
    Column(HARM_RANK, "int", "",
           "1 = the most harmful place (ties: more events, then cluster id first)"),
)  # fmt: skip


def offence_evidence(ctx: PlaceContext) -> pd.DataFrame:
    """Compute the offence and harm columns for every place.

    Parameters
    ----------
    ctx : PlaceContext
        The shared context (offence group and indoor flag of every event).

    Returns
    -------
    DataFrame
        One row per place, the columns of :data:`COLUMNS`.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> from hotspots.factors.context import build_context
    >>> study = datasets.load_study("scene")
    >>> ev = offence_evidence(build_context(study, find_hotspots(study)))
    >>> bool((ev["harm"] > 0).all())
    True
    """
    s, k = ctx.settings, ctx.k
    group = ctx.event_group[ctx.inside]
    place = ctx.inside_place
    codes, names = pd.factorize(pd.Series(group, dtype=object))
    weights_by_group = harm_weights(s.harm_weights)
    w = np.array([weights_by_group.get(str(n), weights_by_group[UNKNOWN]) for n in names])
    times = ctx.events[C.TIME]
    end = times.max() if len(times) else None
    if len(ctx.inside) and end is not None:
        age = (end - times.iloc[ctx.inside]).dt.total_seconds().to_numpy() / 86400.0
        recency = 0.5 ** (np.maximum(age, 0.0) / s.harm_half_life_days)
    else:
        recency = np.zeros(0)
    per_event = w[codes] * recency if len(codes) else np.zeros(0)
    harm = np.bincount(place, weights=per_event, minlength=k) if len(place) else np.zeros(k)
    raw = np.bincount(place, weights=w[codes], minlength=k) if len(place) else np.zeros(k)
    g = len(names)
    table = (
        np.bincount(place * g + codes, minlength=k * g).reshape(k, g)
        if g and len(place)
        else np.zeros((k, 0), int)
    )
    is_in = ctx.event_indoor[ctx.inside]
    indoor = ctx.per_place.count(is_in)
    outdoor_table = (
        np.bincount(place[~is_in] * g + codes[~is_in], minlength=k * g).reshape(k, g)
        if g and len(place)
        else np.zeros((k, 0), int)
    )
    name_list = [str(n) for n in names]
    counts: list[dict[str, int]] = []
    outdoor: list[dict[str, int]] = []
    explained = []
    for i, row in enumerate(table.tolist()):
        d = {
            n: int(c)
            for n, c in sorted(zip(name_list, row, strict=True), key=lambda t: (-t[1], t[0]))
            if c and n != "resident_request"
        }
        counts.append(d)
        outdoor.append(
            {
                n: int(c)
                for n, c in zip(name_list, outdoor_table[i].tolist(), strict=True)
                if c and n != "resident_request"
            }
        )
        top = ", ".join(
            f"{c} {n} \u00d7{weights_by_group.get(n, 1):g}" for n, c in list(d.items())[:4]
        )
        explained.append(
            f"{top}{' ...' if len(d) > 4 else ''} = {raw[i]:.0f} days, "
            f"{harm[i]:.0f} with recency (half-life {s.harm_half_life_days:.0f} days)"
            if d
            else "no incidents"
        )
    log.info(
        "offences: harm from %d incidents in %d groups; %d wording(s) unmapped",
        int(sum(sum(d.values()) for d in counts)),
        len(name_list),
        len(ctx.unmapped_offence_types),
    )
    ids = ctx.places[C.CLUSTER_ID].astype(str).to_numpy()
    order = np.lexsort((ids, -ctx.n_events, -np.round(harm, 9)))
    rank = np.empty(k, int)
    rank[order] = np.arange(1, k + 1)
    return pd.DataFrame(
        {
            HARM_RANK: rank,
            OFFENCE_GROUP_COUNTS: counts,
            OUTDOOR_GROUP_COUNTS: outdoor,
            INDOOR_INCIDENTS: indoor,
            LOCATION_KNOWN: np.full(k, ctx.has_location),
            HARM: harm,
            HARM_EXPLAINED: explained,
        },
        index=ctx.places.index,
    )


FACTOR = Factor(
    name="offences",
    columns=COLUMNS,
    evidence=offence_evidence,
    doc="offence groups, indoor or outdoor, and harm (for the rank and the fixes' offence gate)",
)
"""The offences factor (evidence only)."""
