"""Analysis: what about each hot spot lets the trouble happen.

:func:`diagnose` builds the shared per-place context once
(:func:`hotspots.factors.context.build_context`: events per place, after-dark flags,
KD-trees of lights and stops, classified concerns) and adds the evidence columns of every
registered factor (:func:`hotspots.factors.registered_factors`), in order: time, lighting,
bus stops, sightlines, resident-reported concerns, location precision, then any factor
added with :func:`hotspots.factors.register_factor`.

(This module is not called ``diagnose.py``: a submodule named like the function
``hotspots.diagnose`` would replace that function on the package as soon as anything
imported the submodule first, e.g. ``from hotspots.diagnose import EVIDENCE_COLUMNS``.)
"""

from __future__ import annotations

import logging

import geopandas as gpd
import pandas as pd

from hotspots import _columns as C
from hotspots._errors import CRSError, raise_problems
from hotspots.factors import EVIDENCE_COLUMNS, registered_factors
from hotspots.factors.base import Factor
from hotspots.factors.context import build_context, event_cluster_index
from hotspots.study import Study

__all__ = ["EVIDENCE_COLUMNS", "diagnose", "event_cluster_index"]

log = logging.getLogger(__name__)


def diagnose(
    study: Study,
    clusters: gpd.GeoDataFrame,
    *,
    streets: gpd.GeoDataFrame | None = None,
    examples: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Add the evidence of what about each hot spot lets the trouble happen.

    Parameters
    ----------
    study : Study
        The layers and settings (``light_radius_m``, ``stop_radius_m``, ``outage_match_m``,
        ``sightline_search_m``, ``pole_height_m``, ``max_spacing_ratio``,
        ``inventory_gap_m``, ``twilight_depression_deg``).
    clusters : GeoDataFrame
        From :func:`hotspots.find_hotspots`: polygon geometry in the study CRS and a
        ``cluster_id`` column.
    streets : GeoDataFrame, optional
        Street centre lines or kerbs (lines) in the study CRS; when given, the sightline to
        the nearest street frontage is checked too.
    examples : DataFrame, optional
        Labelled concern texts (``text``, ``topic``) for the optional text classifier
        (:func:`hotspots.topics.classify_concerns`).

    Returns
    -------
    GeoDataFrame
        A copy of `clusters` (same index and order) with the evidence columns of every
        registered factor (:func:`hotspots.factors.evidence_columns`; the built-in ones are
        :data:`EVIDENCE_COLUMNS`). ``attrs["settings"]`` holds ``study.settings``, so
        :func:`hotspots.recommend` uses the same; ``attrs["parameters"]`` is kept from
        `clusters`. Lights of unknown status count as working (no evidence of an outage);
        lights reported out by residents stay working for the dark-gap measures and are
        named in ``lights_reported_out_ids``.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> study = datasets.load_study("scene")
    >>> diagnosed = diagnose(study, find_hotspots(study))
    >>> bool((diagnosed["dark_event_share"] >= 0).all())
    True
    >>> diagnosed.attrs["settings"] == study.settings
    True
    """
    _check(study, clusters, streets)
    out = clusters.copy()
    ctx = build_context(study, out, streets=streets, examples=examples)
    factors = registered_factors()
    for factor in factors:
        frame = factor.evidence(ctx)
        _check_evidence(factor, frame, ctx.k)
        for name in factor.column_names:
            out[name] = frame[name].to_numpy()
    out.attrs["settings"] = study.settings
    if "parameters" in clusters.attrs:
        out.attrs["parameters"] = clusters.attrs["parameters"]
    log.info(
        "diagnose: %d hot spots, %d evidence columns from %d factors (%s)",
        ctx.k,
        sum(len(f.columns) for f in factors),
        len(factors),
        ", ".join(f.name for f in factors),
    )
    return out


def _check(study: Study, clusters: gpd.GeoDataFrame, streets: gpd.GeoDataFrame | None) -> None:
    problems = []
    if not isinstance(study, Study):
        problems.append(f"`study` must be a hotspots.Study, got {type(study).__name__}")
    if not isinstance(clusters, gpd.GeoDataFrame):
        problems.append(f"`clusters` must be a GeoDataFrame, got {type(clusters).__name__}")
    elif C.CLUSTER_ID not in clusters.columns:
        problems.append(f"`clusters` has no `{C.CLUSTER_ID}` column: pass find_hotspots' result")
    raise_problems(problems, "diagnose: invalid arguments")
    for name, frame in (("clusters", clusters), ("streets", streets)):
        if frame is None:
            continue
        if frame.crs is None or not frame.crs.equals(study.crs):
            raise CRSError(
                f"`{name}` is in {frame.crs}, not the study CRS {study.crs.to_string()}; "
                f"use {name}.to_crs(study.crs)"
            )


def _check_evidence(factor: Factor, frame: object, k: int) -> None:
    """Raise when a factor's evidence is not one row per place with its declared columns."""
    problems = []
    if not isinstance(frame, pd.DataFrame):
        problems.append(f"`evidence` returned {type(frame).__name__}, not a DataFrame")
    else:
        if len(frame) != k:
            problems.append(f"`evidence` returned {len(frame)} rows for {k} hot spots")
        missing = [c for c in factor.column_names if c not in frame.columns]
        if missing:
            problems.append(f"`evidence` lacks its declared column(s) {missing}")
    raise_problems(problems, f"diagnose: factor {factor.name!r}")
