"""The HTML pieces of the map: hot-spot popups with charts, the title box and the legend.

Each function returns HTML in which every value from data went through
:func:`hotspots._escape.html_text` once. The map's own script inserts these strings as
they are; nothing here passes through a template engine.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hotspots import _columns as C
from hotspots import fixes
from hotspots._escape import html_text as esc

if TYPE_CHECKING:
    # only for type hints: the map does not need the assessment stage to run
    from hotspots.assessment import Assessment

NOT_RECOMMENDED = "#444444"
"""Colour of a place that has no recommendation (recommend was not run for it)."""

AREA_LABELS = {"treated": "Treated area", "buffer": "Displacement buffer",
               "control": "Control area"}  # fmt: skip
AREA_STYLE: dict[str, dict[str, Any]] = {
    "treated": {"color": "#000000", "weight": 3, "fillColor": "#000000", "fillOpacity": 0.08},
    "buffer": {"color": "#444444", "weight": 2, "dashArray": "8 5", "fillOpacity": 0.0},
    "control": {"color": "#666666", "weight": 2, "dashArray": "2 5", "fillOpacity": 0.0},
}
AREA_LINE = {"treated": "solid", "buffer": "dashed", "control": "dotted"}
AREAS = ("treated", "buffer", "control")  # hotspots.assessment.AREAS


def fix_label(fix: str) -> str:
    """Return the catalogue label of `fix`; "Not assessed" for a place without a fix."""
    return fixes.fix_label(fix) if fix else "Not assessed"


def fix_colour(fix: str) -> str:
    """Return the catalogue colour of `fix` (a neutral grey for a place without a fix)."""
    return fixes.fix_colour(fix) if fix else NOT_RECOMMENDED


_HOUR_TICKS = {0: "0h", 6: "6h", 12: "12h", 18: "18h", 23: "23h"}


def svg_bars(
    values: list[float],
    *,
    width: int = 240,
    height: int = 48,
    label: str,
    ticks: dict[int, str] | None = None,
) -> str:
    """Return a small inline SVG bar chart of `values` under `label` ('' when all are 0).

    `ticks` labels bars on the axis (bar index -> text); the tallest bar's value is written
    at the top left so the scale can be read.
    """
    vals = np.asarray(values, float)
    if not len(vals) or not np.isfinite(vals).any() or vals.max() <= 0:
        return ""
    bar = width / len(vals)
    top = vals.max()
    w = f"{max(bar - 1, 1):.1f}".removesuffix(".0")
    rects = "".join(  # fill set once on the <svg>: about a third fewer bytes per popup
        f'<rect x="{i * bar:.1f}" y="{height - 12 - h:.1f}" width="{w}" height="{h:.1f}"/>'
        for i, h in enumerate(vals / top * (height - 24))
    )
    axis = "".join(
        f'<text x="{min(i * bar, width - 28):.1f}" y="{height - 1}" font-size="8">'
        f"{esc(text)}</text>"
        for i, text in (ticks or {}).items()
    )
    scale = f'<text x="0" y="8" font-size="8">max {top:.3g}</text>'
    return (
        f'<div style="font-size:11px;margin-top:4px">{esc(label)}</div>'
        f'<svg width="{width}" height="{height}" fill="#555" role="img" '
        f'aria-label="{esc(label)}">'
        f"{rects}{axis}{scale}</svg>"
    )


def _fmt_time(value: Any) -> str:
    try:
        return f"{pd.Timestamp(value):%d %b %Y}"
    except (TypeError, ValueError):
        return ""


def recs_by_place(recs: pd.DataFrame) -> dict[Any, list[dict[str, Any]]]:
    """Fix rows per place, highest priority first (one pass, not one filter per place)."""
    out: dict[Any, list[dict[str, Any]]] = {}
    if not len(recs):
        return out
    cols = [C.CLUSTER_ID, C.FIX, C.TARGET_ID, C.EVIDENCE, C.PRIORITY]
    cols += [c for c in (C.EFFECT,) if c in recs]
    ordered = pd.DataFrame(recs[cols]).sort_values(C.PRIORITY, ascending=False, kind="stable")
    for row in ordered.to_dict("records"):
        out.setdefault(row[C.CLUSTER_ID], []).append(row)
    return out


CHECK_FIRST = "Check the layer first"
CHECK_FIRST_WHY = (
    "no light in the inventory near this place, so the inventory may be missing poles "
    "here; look before acting on a lighting fix."
)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def peak_hour(profile: Any) -> int | None:
    """Return the busiest hour of an hour-of-day profile (None when it is empty).

    Examples
    --------
    >>> peak_hour([0, 1, 5, 2]), peak_hour([0, 0]), peak_hour(None)
    (2, None, None)
    """
    if not isinstance(profile, (list, tuple, np.ndarray)) or not len(profile):
        return None
    values = np.asarray(profile, float)
    return int(np.nanargmax(values)) if np.nansum(values) > 0 else None


def peak_days(profile: Any, top: int = 2) -> list[str]:
    """Return the `top` busiest weekdays of a Monday-first profile (those above zero).

    Examples
    --------
    >>> peak_days([1, 0, 0, 0, 6, 4, 0])
    ['Fri', 'Sat']
    """
    if not isinstance(profile, (list, tuple, np.ndarray)) or len(profile) != 7:
        return []
    values = np.nan_to_num(np.asarray(profile, float))
    order = np.argsort(-values, kind="stable")[:top]
    return [WEEKDAYS[i] for i in order if values[i] > 0]


def offence_mix(categories: Any, top: int = 3) -> list[tuple[str, int]]:
    """Return the `top` categories of a place with their counts, most common first.

    Examples
    --------
    >>> offence_mix({"THEFT/OTHER": 12, "ROBBERY": 3, "BURGLARY": 3, "ARSON": 1}, top=2)
    [('THEFT/OTHER', 12), ('BURGLARY', 3)]
    """
    if isinstance(categories, str):
        import json

        try:
            categories = json.loads(categories)
        except ValueError:
            return []
    if not isinstance(categories, dict):
        return []
    items = [(str(k), int(v)) for k, v in categories.items() if v == v and int(v) > 0]
    return sorted(items, key=lambda kv: (-kv[1], kv[0]))[:top]


def popup_html(
    c: dict[str, Any],
    recs: list[dict[str, Any]],
    public: bool,
    rank: int,
    weeks_from: pd.Timestamp | None = None,
    *,
    location: str = "",
    check_first: bool = False,
    charts: bool = True,
) -> str:
    """Return the popup of one place: where, counts, dates, trend, fixes, charts.

    `rank` is the place's position on the map and in the report (1 = first to look at);
    `weeks_from` the first day of the first week of ``period_counts``; `location` the
    place in words (block level); `check_first` marks a place whose lighting evidence may
    come from a gap in the light inventory; `charts` False leaves the two charts out (the
    busiest hour is still named).
    """
    name = f"#{rank} Hot spot" if public else f"#{rank} Hot spot {esc(c[C.CLUSTER_ID])}"
    if location:
        name += f' — <span class="where">{esc(location)}</span>'
    parts = [f'<div class="hotspot-popup" style="font:12px sans-serif;max-width:360px">'
             f"<b>{name}</b><br>"]  # fmt: skip
    if check_first:
        parts.append(
            '<div class="check-first" style="border:1px dashed #444;padding:2px 4px;'
            f'margin:2px 0"><b>{CHECK_FIRST}:</b> {esc(CHECK_FIRST_WHY)}</div>'
        )
    n = int(c.get(C.N_EVENTS, 0) or 0)
    counts = f"{n} events"
    if C.N_INCIDENTS in c and C.N_CONCERNS in c:
        counts += f" ({int(c[C.N_INCIDENTS])} incidents, {int(c[C.N_CONCERNS])} concerns)"
    parts.append(counts + "<br>")
    if C.FIRST_SEEN in c:
        parts.append(f"{_fmt_time(c[C.FIRST_SEEN])} \u2013 {_fmt_time(c[C.LAST_SEEN])}")
        if C.N_DAYS in c:
            parts.append(f" on {int(c[C.N_DAYS])} days")
        parts.append("<br>")
    if c.get(C.TREND):
        parts.append(f"Trend: {esc(c[C.TREND])}<br>")
    days = peak_days(c.get(C.WEEKDAY_PROFILE))
    if days:
        parts.append(f"Busiest days: {esc(', '.join(days))}<br>")
    mix = [] if public else offence_mix(c.get(C.CATEGORIES))
    if mix:
        parts.append("What: " + esc(", ".join(f"{k} {v}" for k, v in mix)) + "<br>")
    if C.AFTER_DARK_SHARE in c and pd.notna(c[C.AFTER_DARK_SHARE]):
        parts.append(f"After dark: {c[C.AFTER_DARK_SHARE]:.0%}<br>")
    if recs:
        parts.append('<ul style="padding-left:16px;margin:4px 0">')
        for r in recs:
            fix = str(r[C.FIX])
            target_id = r[C.TARGET_ID]
            has_target = target_id is not None and pd.notna(target_id) and str(target_id) != ""
            target = f" ({esc(target_id)})" if has_target and not public else ""
            evidence = "" if public else f"<br>{esc(r[C.EVIDENCE])}"
            effect = r.get(C.EFFECT)
            if isinstance(effect, str) and effect:
                evidence += f'<br><i class="effect">Effect: {esc(effect)}</i>'
            if fix != C.NO_FIX:
                evidence += f'<br><span class="agency">Who: {esc(fixes.get_fix(fix).agency)}</span>'
            parts.append(
                f'<li><b class="fix" data-fix="{esc(fix)}">{esc(fix_label(fix))}</b>'
                f"{target}{evidence}</li>"
            )
        parts.append("</ul>")
    if not charts:
        hour = peak_hour(c.get(C.HOUR_PROFILE))
        if hour is not None:
            parts.append(f"Busiest hour: {hour:02d}:00\u2013{(hour + 1) % 24:02d}:00")
    elif isinstance(c.get(C.HOUR_PROFILE), (list, np.ndarray)):
        hours = np.asarray(c[C.HOUR_PROFILE], float)
        peak = int(np.nanargmax(hours)) if len(hours) and np.nansum(hours) > 0 else None
        label = "Events by hour of day"
        if peak is not None:
            label += f" (peak {peak:02d}:00\u2013{(peak + 1) % 24:02d}:00)"
        parts.append(svg_bars(list(hours), label=label, ticks=_HOUR_TICKS))
    if charts and isinstance(c.get(C.PERIOD_COUNTS), (list, np.ndarray)):
        weeks = list(c[C.PERIOD_COUNTS])
        ticks = {}
        if weeks_from is not None and len(weeks):
            start = pd.Timestamp(weeks_from).normalize()
            ticks = {
                0: f"{start:%d %b}",
                len(weeks) - 1: f"{start + pd.Timedelta(days=7 * (len(weeks) - 1)):%d %b}",
            }
        parts.append(svg_bars(weeks, label="Events per week", ticks=ticks))
    phrases = c.get("top_phrases")
    if not public and isinstance(phrases, (list, np.ndarray)) and len(phrases):
        quoted = "".join(f"<li>\u201c{esc(p)}\u201d</li>" for p in list(phrases)[:3])
        parts.append(f'<div style="margin-top:4px">Residents say:<ul>{quoted}</ul></div>')
    parts.append("</div>")
    return "".join(parts)


def title_html(heading: str, span: str, n: int, public: bool, hidden: int = 0) -> str:
    """Return the title box's content: study name, date range, number of places."""
    mode = " \u00b7 public version" if public else ""
    note = f" ({hidden} with too few events to publish not shown)" if hidden else ""
    return (
        f"<b>{esc(heading)}</b><br><span>{esc(span)} \u00b7 {n} recurring "
        f"hot spots{note}{mode}</span>"
    )


def _swatch(style: str, label: str) -> str:
    return (
        f'<div><span style="display:inline-block;margin-right:6px;{style}"></span>'
        f"{esc(label)}</div>"
    )


def legend_html(
    fixes: list[str],
    keys: list[tuple[str, str]],
    public: bool,
    *,
    assessment: bool,
    k_min: int = 0,
) -> str:
    """Return the legend's content: one row per fix drawn and per other symbol drawn.

    `keys` are ``(css, label)`` of the symbols the map's layers draw, in layer order.
    """
    rows = "".join(
        _swatch(f"width:12px;height:12px;background:{fix_colour(f)}", fix_label(f)) for f in fixes
    )
    extra = "".join(_swatch(css, label) for css, label in dict.fromkeys(keys))
    if public:
        extra += (
            '<div style="margin-top:4px">Events: counts per grid cell;<br>cells with fewer '
            f"than {int(k_min)} events are hidden;<br>lights, stops and obstructions are "
            "not shown</div>"
        )
    if assessment:
        extra += '<div style="margin-top:4px"><b>Assessment</b></div>' + "".join(
            f'<div class="assessment-key"><span style="display:inline-block;width:14px;'
            f"height:8px;border:2px {AREA_LINE[a]} {AREA_STYLE[a]['color']};"
            f'margin-right:6px"></span>{esc(AREA_LABELS[a])}</div>'
            for a in AREAS
        )
    return f'<b>Hot spots by recommended fix</b>{rows}<div style="margin-top:4px"></div>{extra}'


def dot(fill: str, stroke: str, size: int = 10, width: float = 1) -> str:
    """Return the CSS of a round legend swatch."""
    return (
        f"width:{size}px;height:{size}px;border-radius:{size}px;background:{fill};"
        f"border:{width}px solid {stroke}"
    )


def square(fill: str, opacity: float = 1.0) -> str:
    """Return the CSS of a square legend swatch."""
    return f"width:12px;height:12px;background:{fill};opacity:{opacity}"


def assessment_popup(assessment: Assessment, area: str) -> str:
    """Return an assessment area's popup: counts before / after and the summary."""
    counts = assessment.counts
    rows = "".join(
        f"<tr><td>{esc(AREA_LABELS[a])}</td>"
        + "".join(f'<td style="text-align:right">{int(counts.loc[(a, p), "all"]):,}</td>'
                  for p in ("before", "after"))
        + "</tr>"
        for a in AREAS
    )  # fmt: skip
    e = assessment.overall
    stats = (
        f"Rate ratio {e.rate_ratio:.2f} ({e.ci_low:.2f}\u2013{e.ci_high:.2f}), "
        f"p = {e.p_value:.3g}; WDQ {e.wdq:.2f}"
        if math.isfinite(e.rate_ratio)
        else ""
    )
    return (
        '<div class="assessment-popup" style="font:12px sans-serif;max-width:360px">'
        f"<b>Assessment: {esc(AREA_LABELS[area])}</b>"
        f'<table style="margin:4px 0"><tr><th></th><th>before</th><th>after</th></tr>{rows}'
        f'</table>{esc(stats)}<p style="margin:4px 0">{esc(assessment.summary())}</p></div>'
    )
