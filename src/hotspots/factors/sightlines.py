"""Sightlines: obstructions that hide the place from the light, stop or street that should see it.

Evidence: the obstructions crossing the straight line from each place's centre to its
nearest working light and bus stop (within ``sightline_search_m``) and, when streets are
given, to the nearest street frontage; their kinds and a sentence each; and the trees or
hedges covering a light that serves the place.

Fixes: ``trim_vegetation`` (a hedge or tree in a sightline or over a light, or residents'
overgrowth complaints where no obstruction is mapped) and ``clear_sightline`` (a wall,
fence, building or other structure in a sightline).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from hotspots import _columns as C
from hotspots.factors.base import STRENGTH, Column, Factor, FixRule, NoFixReason, Row, night_text
from hotspots.factors.concerns import VEGETATION_CONCERNS
from hotspots.factors.context import PlaceContext, group_lists, split_sorted
from hotspots.settings import Settings
from hotspots.study import Study

__all__ = ["FACTOR"]

log = logging.getLogger(__name__)

SIGHTLINE_IDS = "sightline_obstruction_ids"
SIGHTLINE_KINDS = "sightline_obstruction_kinds"
SIGHTLINE_DETAIL = "sightline_detail"
CANOPY_OVER_LIGHT_IDS = "canopy_over_light_ids"

COLUMNS: tuple[Column, ...] = (
    Column(SIGHTLINE_IDS, "list of str", "",
           "obstructions across a sightline from the hot spot's centre"),
    Column(SIGHTLINE_KINDS, "list of str", "",
           "their kinds (hedge, tree, wall, fence, building, other)"),
    Column(SIGHTLINE_DETAIL, "list of str", "",
           "'<kind> <id> between centre and <target> (<d> m)'"),
    Column(CANOPY_OVER_LIGHT_IDS, "list of str", "",
           "tree/hedge obstructions covering a light in reach"),
)  # fmt: skip

_VEGETATION = ("hedge", "tree")
_STRUCTURE = ("wall", "fence", "building", "other")


def sightline_evidence(ctx: PlaceContext) -> pd.DataFrame:
    """Compute the sightline columns for every place.

    Parameters
    ----------
    ctx : PlaceContext
        The shared context (place centres, working lights' and stops' KD-trees, lights in
        reach, streets).

    Returns
    -------
    DataFrame
        One row per place, the columns of :data:`COLUMNS`.

    Examples
    --------
    >>> from hotspots import datasets, find_hotspots
    >>> from hotspots.factors.context import build_context
    >>> study = datasets.load_study("scene")
    >>> ev = sightline_evidence(build_context(study, find_hotspots(study)))
    >>> any(len(ids) for ids in ev["sightline_obstruction_ids"])
    True
    """
    ids, kinds, detail = _sightlines(
        ctx.centre_xy,
        ctx.study,
        ctx.working_tree,
        ctx.light_ids[ctx.light_working],
        ctx.stop_tree,
        ctx.stop_ids,
        ctx.streets,
        ctx.settings,
    )
    canopy = _canopy(ctx.study, ctx.study.lights, ctx.light_place, ctx.light_index, ctx.k)
    log.info("sightlines: %d hot spots with blocked sightlines", sum(bool(i) for i in ids))
    return pd.DataFrame(
        {SIGHTLINE_IDS: ids, SIGHTLINE_KINDS: kinds, SIGHTLINE_DETAIL: detail,
         CANOPY_OVER_LIGHT_IDS: canopy},
        index=ctx.places.index,
    )  # fmt: skip


def _sightline_rows(c: Row, kinds: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    details = list(c[SIGHTLINE_DETAIL])
    for oid, kind in zip(c[SIGHTLINE_IDS], c[SIGHTLINE_KINDS], strict=True):
        if kind not in kinds:
            continue
        where = [d for d in details if f" {oid} between" in d]
        yield {
            C.TARGET_ID: oid,
            C.TARGET_KIND: "obstruction",
            C.EVIDENCE: (
                f"{kind.capitalize()} {oid} blocks the view: "
                + "; ".join(d.split(" between ", 1)[1] for d in where)
                + f". {night_text(c)}."
            ),
            C.TRIGGERED_BY: [SIGHTLINE_IDS],
            STRENGTH: 0.8,
        }


def _trim_vegetation(c: Row, s: Settings) -> Iterator[dict[str, Any]]:
    """Trim hedges and trees in a sightline or over a light, or where residents complain."""
    rows = list(_sightline_rows(c, _VEGETATION))
    seen = {r[C.TARGET_ID] for r in rows}
    for oid in c[CANOPY_OVER_LIGHT_IDS]:
        if oid not in seen:
            seen.add(oid)
            rows.append(
                {
                    C.TARGET_ID: oid,
                    C.TARGET_KIND: "obstruction",
                    C.EVIDENCE: f"Vegetation {oid} covers a street light that serves this "
                    f"place. {night_text(c)}.",
                    C.TRIGGERED_BY: [CANOPY_OVER_LIGHT_IDS],
                    STRENGTH: 0.7,
                }
            )
    veg = int(c[VEGETATION_CONCERNS])
    if rows and veg:
        for r in rows:
            r[C.EVIDENCE] += f" {veg} resident concern(s) mention overgrowth or blind spots."
            r[C.TRIGGERED_BY].append(VEGETATION_CONCERNS)
    if not rows and veg >= s.min_topic_concerns:
        rows.append(
            {
                C.TARGET_KIND: "place",
                C.EVIDENCE: (
                    f"{veg} resident concerns mention overgrowth, hedges or blind corners here "
                    f"(no obstruction is mapped: survey the site). {night_text(c)}."
                ),
                C.TRIGGERED_BY: [VEGETATION_CONCERNS],
                STRENGTH: min(1.0, veg / 5),
            }
        )
    yield from rows


def _clear_sightline(c: Row, _s: Settings) -> Iterator[dict[str, Any]]:
    """Clear walls, fences, buildings and other structures in a sightline."""
    yield from _sightline_rows(c, _STRUCTURE)


def _no_fix_reasons(c: Row, _s: Settings) -> Iterator[NoFixReason]:
    """Say whether any obstruction crosses the place's sightlines."""
    yield NoFixReason(
        "no obstruction across its sightlines" if not len(c[SIGHTLINE_IDS]) else
        "obstructions present but rules for them are switched off",
        (SIGHTLINE_IDS,),
    )  # fmt: skip


FACTOR = Factor(
    name="sightlines",
    columns=COLUMNS,
    evidence=sightline_evidence,
    rules=(
        FixRule(
            "trim_vegetation",
            _trim_vegetation,
            doc="a hedge or tree crosses the sightline from the centre to the nearest light, "
            "stop or street, or covers a light; or residents complain of overgrowth "
            "(`min_topic_concerns`) where no obstruction is mapped",
        ),
        FixRule(
            "clear_sightline",
            _clear_sightline,
            doc="a wall, fence or building crosses such a sightline",
        ),
    ),
    no_fix_reasons=_no_fix_reasons,
    doc="obstructions across sightlines, canopy over lights",
)
"""The sightline factor."""


# =========================================================================================
# helpers
# =========================================================================================


def _sightlines(
    centre: np.ndarray,
    study: Study,
    work_tree: cKDTree | None,
    work_ids: np.ndarray,
    stop_tree: cKDTree | None,
    stop_ids: np.ndarray,
    streets: gpd.GeoDataFrame | None,
    s: Any,
) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """Obstructions crossing the line from each centre to its nearest light, stop, street."""
    k = len(centre)
    ids: list[list[str]] = [[] for _ in range(k)]
    kinds: list[list[str]] = [[] for _ in range(k)]
    detail: list[list[str]] = [[] for _ in range(k)]
    obs = study.obstructions
    if k == 0 or len(obs) == 0:
        return ids, kinds, detail
    targets: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
    for label, tree, tids in (("light", work_tree, work_ids), ("bus stop", stop_tree, stop_ids)):
        if tree is not None:
            d, j = tree.query(centre, k=1)
            ok = d <= s.sightline_search_m
            targets.append((label, np.flatnonzero(ok), tree.data[j[ok]], tids[j[ok]]))
    if streets is not None and len(streets):
        pts = shapely.points(centre)
        tree = shapely.STRtree(streets.geometry.to_numpy())
        ci, sj = tree.query_nearest(pts, max_distance=s.sightline_search_m, all_matches=False)
        near = shapely.get_coordinates(
            shapely.shortest_line(pts[ci], streets.geometry.to_numpy()[sj])
        ).reshape(-1, 2, 2)[:, 1, :]
        targets.append(("street frontage", ci, near, np.array(["street"] * len(ci))))

    obs_geoms = obs.geometry.to_numpy()
    obs_ids = obs[C.ID].astype(str).to_numpy()
    obs_kind = obs[C.KIND].astype(str).to_numpy()
    tree = shapely.STRtree(obs_geoms)
    rows = []
    for label, which, txy, tids in targets:
        if len(which) == 0:
            continue
        lines = shapely.linestrings(
            np.stack([centre[which], txy], axis=1).reshape(-1, 2),
            indices=np.repeat(np.arange(len(which)), 2),
        )
        li, oi = tree.query(lines, predicate="intersects")
        dist = np.hypot(*(txy - centre[which]).T)
        rows.append(
            pd.DataFrame(
                {
                    "cluster": which[li],
                    "id": obs_ids[oi],
                    "kind": obs_kind[oi],
                    "text": [
                        f"{obs_kind[o]} {obs_ids[o]} between centre and {label} {tids[i]}"
                        f" ({dist[i]:.0f} m)"
                        for i, o in zip(li, oi, strict=True)
                    ],
                }
            )
        )
    if not rows:
        return ids, kinds, detail
    frame = pd.concat(rows, ignore_index=True)
    if frame.empty:
        return ids, kinds, detail
    cl = frame["cluster"].to_numpy(np.int64)
    oid = frame["id"].to_numpy(str)
    text = frame["text"].to_numpy(str)
    kind = frame["kind"].to_numpy(object)
    # ids (and their kinds) sorted per cluster; texts in (id, text) order, each once
    order = np.lexsort((text, oid, cl))
    cl, oid, text, kind = cl[order], oid[order], text[order], kind[order]
    new_cl = np.r_[True, cl[1:] != cl[:-1]]
    first_id = new_cl | np.r_[True, oid[1:] != oid[:-1]]
    first_text = first_id | np.r_[True, text[1:] != text[:-1]]
    ids = split_sorted(cl[first_id], oid[first_id].tolist(), k)
    kinds = split_sorted(cl[first_id], kind[first_id].tolist(), k)
    detail = split_sorted(cl[first_text], text[first_text].tolist(), k)
    return ids, kinds, detail


def _canopy(
    study: Study, lights: gpd.GeoDataFrame, cl: np.ndarray, li: np.ndarray, k: int
) -> list[list[str]]:
    """Tree/hedge obstructions covering (within 1 m of) a light in reach of each cluster."""
    obs = study.obstructions
    out: list[list[str]] = [[] for _ in range(k)]
    if len(obs) == 0 or len(cl) == 0:
        return out
    veg = obs[obs[C.KIND].isin(_VEGETATION)]
    if veg.empty:
        return out
    tree = shapely.STRtree(veg.geometry.to_numpy())
    lj, vj = tree.query(lights.geometry.to_numpy()[li], predicate="dwithin", distance=1.0)
    return group_lists(cl[lj], veg[C.ID].astype(str).to_numpy()[vj], k)
