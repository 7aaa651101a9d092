"""Place briefs: one printable page per top place, for the problem-solving team's meeting.

:func:`write_briefs` writes one HTML file (no script, no outside resource) holding a page
per place, in the map's rank order: where (the block), when (dates, busiest hours and
days, after dark), what (offence mix, residents' concerns), the evidence, the fix with its
agency and effect size, the place's history, and blank lines for the action agreed, its
owner and date. Its print stylesheet puts each place on its own A4 or Letter page, so the
file is printed (or saved as PDF) from any browser.

Every string from data passes once through :func:`hotspots._escape.html_text`; the page
is built with plain string joins, never a template engine.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots import _columns as C
from hotspots import _map_html as H
from hotspots import fixes
from hotspots._errors import ValidationError
from hotspots._escape import html_text as esc
from hotspots._where import LOCATION, place_locations, place_ranks
from hotspots.study import Study

__all__ = ["BRIEFS_FILE", "briefs_html", "write_briefs"]

log = logging.getLogger(__name__)

BRIEFS_FILE = "briefs.html"
_OPTIONAL = ("harm_rank", "confidence")
"""Columns shown when the evidence has them (on the places or their fix rows)."""
_MAX_EVIDENCE = 600
"""Characters of a fix's evidence printed (a brief must stay on one page)."""

_CSS = """
body{font:10pt/1.3 Georgia,'Times New Roman',serif;color:#111;margin:0;background:#eee}
.brief{background:#fff;max-width:180mm;margin:8mm auto;padding:10mm 12mm;box-sizing:border-box}
h1{font:bold 16pt sans-serif;margin:0 0 1mm}
.sub{font:9pt sans-serif;color:#444;margin:0 0 3mm}
h2{font:bold 10.5pt sans-serif;margin:3mm 0 1mm;border-bottom:1px solid #999;
   text-transform:uppercase;letter-spacing:.04em}
p{margin:0 0 1.5mm}
ul{margin:0 0 1.5mm;padding-left:5mm}
.fix{border-left:4mm solid #777;padding:1mm 0 1mm 3mm;margin:1mm 0 2mm}
.muted{color:#555;font-size:9pt}
.check{border:1px dashed #333;padding:1mm 2mm;margin:1mm 0}
.blank{border-bottom:1px solid #333;height:6mm;margin:0 0 1mm}
.lines td{padding:0 2mm 0 0;vertical-align:bottom;font:9.5pt sans-serif}
.casebook{border:1px dotted #777;padding:1mm 2mm}
@page{margin:10mm}
@media print{body{background:#fff}.brief{margin:0;max-width:none;padding:0;
  break-after:page;page-break-after:always}.brief:last-child{break-after:auto;
  page-break-after:auto}}
"""


def _when(c: dict[str, Any]) -> list[str]:
    lines = []
    first, last = c.get(C.FIRST_SEEN), c.get(C.LAST_SEEN)
    if first is not None and pd.notna(first):
        days = f" on {int(c[C.N_DAYS])} different days" if pd.notna(c.get(C.N_DAYS)) else ""
        lines.append(f"{pd.Timestamp(first):%d %b %Y} \u2013 {pd.Timestamp(last):%d %b %Y}{days}.")
    hour = H.peak_hour(c.get(C.HOUR_PROFILE))
    days_ = H.peak_days(c.get(C.WEEKDAY_PROFILE))
    busiest = []
    if hour is not None:
        busiest.append(f"{hour:02d}:00\u2013{(hour + 1) % 24:02d}:00")
    if days_:
        busiest.append(", ".join(days_))
    if busiest:
        lines.append("Busiest: " + "; ".join(busiest) + ".")
    share = c.get(C.AFTER_DARK_SHARE)
    if share is not None and pd.notna(share):
        lines.append(f"After dark: {float(share):.0%} of events.")
    if c.get(C.TREND):
        lines.append(f"Trend over the period: {esc(c[C.TREND])}.")
    return lines


def _what(c: dict[str, Any]) -> str:
    n = int(c.get(C.N_EVENTS, 0) or 0)
    head = f"{n} events"
    if C.N_INCIDENTS in c and C.N_CONCERNS in c:
        head += (f" ({int(c[C.N_INCIDENTS])} police incidents, {int(c[C.N_CONCERNS])} "
                 "residents' requests)")  # fmt: skip
    mix = H.offence_mix(c.get(C.CATEGORIES), top=5)
    if not mix:
        return f"<p>{head}.</p>"
    items = "".join(f"<li>{esc(k)}: {v}</li>" for k, v in mix)
    return f"<p>{head}; most common:</p><ul>{items}</ul>"


def _fix_block(r: dict[str, Any]) -> str:
    fix = str(r[C.FIX])
    label = H.fix_label(fix)
    colour = H.fix_colour(fix)
    target = r.get(C.TARGET_ID)
    at = f" at {esc(target)}" if target is not None and pd.notna(target) and str(target) else ""
    evidence = str(r.get(C.EVIDENCE) or "")
    if len(evidence) > _MAX_EVIDENCE:
        evidence = evidence[: _MAX_EVIDENCE - 1].rstrip() + "\u2026"
    parts = [f'<div class="fix" style="border-left-color:{colour}"><b>{esc(label)}</b>{at}']
    if fix in fixes.catalogue() and fix != C.NO_FIX:
        entry = fixes.get_fix(fix)
        parts.append(f"<br>Who: {esc(entry.agency)}")
    effect = r.get(C.EFFECT)
    if isinstance(effect, str) and effect:
        parts.append(f'<br><span class="muted">Effect size: {esc(effect)}</span>')
    parts.append(f"<p>Evidence: {esc(evidence)}</p></div>")
    return "".join(parts)


def _optional(c: dict[str, Any], recs: list[dict[str, Any]]) -> str:
    shown = []
    for col in _OPTIONAL:
        value = c.get(col)
        if (value is None or value != value) and recs:
            value = recs[0].get(col)
        if value is not None and value == value:
            text = f"{value:.2g}" if isinstance(value, float) else str(value)
            shown.append(f"{col.replace('_', ' ').capitalize()}: {esc(text)}")
    return '<p class="muted">' + " \u00b7 ".join(shown) + "</p>" if shown else ""


def _page(
    c: dict[str, Any],
    recs: list[dict[str, Any]],
    rank: int,
    location: str,
    study_name: str,
    check: bool,
) -> str:
    where = esc(location) if location else "location not given in the data"
    hours = H.svg_bars(
        list(c[C.HOUR_PROFILE]), width=300, height=44, label="Events by hour of day",
        ticks={0: "0h", 6: "6h", 12: "12h", 18: "18h", 23: "23h"},
    ) if isinstance(c.get(C.HOUR_PROFILE), (list, np.ndarray)) else ""  # fmt: skip
    first = c.get(C.FIRST_SEEN)
    seen = f"{pd.Timestamp(first):%d %b %Y}" if first is not None and pd.notna(first) else "?"
    fixes_html = "".join(_fix_block(r) for r in recs[:2]) or "<p>No fix recommended.</p>"
    more = f'<p class="muted">{len(recs) - 2} more on the map.</p>' if len(recs) > 2 else ""
    check_html = (
        f'<div class="check"><b>{H.CHECK_FIRST}:</b> {esc(H.CHECK_FIRST_WHY)}</div>'
        if check
        else ""
    )
    blanks = "".join(
        f'<tr><td style="width:28mm">{label}</td><td><div class="blank"></div></td></tr>'
        for label in ("Action agreed", "", "Owner", "Date", "Review on")
    )
    return (
        f'<section class="brief"><h1>#{rank} \u2014 {where}</h1>'
        f'<p class="sub">Place {esc(c[C.CLUSTER_ID])} \u00b7 {esc(study_name)}</p>'
        f"{_optional(c, recs)}{check_html}"
        f"<h2>When</h2><p>{'<br>'.join(_when(c))}</p>{hours}"
        f"<h2>What</h2>{_what(c)}"
        f"<h2>Evidence and fix</h2>{fixes_html}{more}"
        f'<h2>History</h2><div class="casebook"><span class="muted">Casebook: not kept yet '
        f"(no earlier actions recorded by hotspots).</span><br>From the data: first seen "
        f"{seen}.</div>"
        f'<h2>Decision</h2><table class="lines" style="width:100%">{blanks}</table>'
        "</section>"
    )


def briefs_html(
    study: Study,
    places: gpd.GeoDataFrame,
    recommendations: gpd.GeoDataFrame,
    *,
    top_n: int = 5,
) -> str:
    """Return the briefs page (one section per place, top `top_n` by rank) as HTML text.

    See :func:`write_briefs`.
    """
    if not isinstance(study, Study):
        raise ValidationError(f"`study` must be a hotspots.Study, got {type(study).__name__}")
    if top_n < 1:
        raise ValidationError(f"`top_n` must be >= 1, got {top_n}")
    places = places.reset_index(drop=True)
    ranks = place_ranks(places, recommendations)
    locations = (
        places[LOCATION].astype(str).tolist()
        if LOCATION in places
        else place_locations(study, places).tolist()
    )
    by_place = H.recs_by_place(recommendations)
    extra = [c for c in _OPTIONAL if c in recommendations]
    if extra and len(recommendations):
        for rows in by_place.values():
            for row in rows:
                match = recommendations[
                    (recommendations[C.CLUSTER_ID] == row[C.CLUSTER_ID])
                    & (recommendations[C.FIX] == row[C.FIX])
                ]
                for col in extra:
                    row[col] = match[col].iloc[0] if len(match) else None
    from hotspots.maps import check_first

    check = check_first(places, recommendations)
    rows = pd.DataFrame(places.drop(columns=places.geometry.name)).to_dict("records")
    order = np.argsort(ranks, kind="stable")[:top_n]
    pages = [
        _page(rows[i], by_place.get(rows[i][C.CLUSTER_ID], []), int(ranks[i]), locations[i],
              study.name, bool(check[i]))
        for i in order
    ]  # fmt: skip
    if not pages:
        pages = ['<section class="brief"><h1>No recurring places</h1></section>']
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>Place briefs \u2014 {esc(study.name)}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(pages)}</body></html>"
    )


def write_briefs(
    study: Study,
    places: gpd.GeoDataFrame,
    recommendations: gpd.GeoDataFrame,
    path: str | Path,
    *,
    top_n: int = 5,
) -> Path:
    """Write one printable page per top place, for the team meeting.

    Parameters
    ----------
    study : Study
    places : GeoDataFrame
        Diagnosed hot spots (:func:`hotspots.diagnose`). Columns ``harm_rank`` and
        ``confidence`` are shown when present.
    recommendations : GeoDataFrame
        From :func:`hotspots.recommend`; places are ranked as on the map.
    path : str or Path
        The HTML file to write (parent folders are created).
    top_n : int, default 5
        Places written, in rank order.

    Returns
    -------
    Path
        `path`. Print it from a browser (each place starts a new page; A4 or Letter).

    Examples
    --------
    >>> import tempfile
    >>> from hotspots import datasets, diagnose, find_hotspots, recommend
    >>> study = datasets.load_study("dc")
    >>> places = diagnose(study, find_hotspots(study))
    >>> out = write_briefs(study, places, recommend(places), tempfile.mkdtemp() + "/b.html")
    >>> out.read_text(encoding="utf-8").count('<section class="brief">')
    5
    """
    page = briefs_html(study, places, recommendations, top_n=top_n)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    log.info("briefs: %d places written to %s", page.count('class="brief"'), out)
    return out
