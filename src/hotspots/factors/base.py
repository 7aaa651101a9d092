"""What a factor is: its evidence columns, the function that computes them, its fix rules.

A :class:`Factor` is a small frozen record of plain functions, not a class to subclass:

- ``columns``: its evidence columns (:class:`Column`: name, dtype, unit, one-line meaning);
- ``evidence(context) -> DataFrame``: those columns for every place, computed from the
  shared :class:`hotspots.factors.context.PlaceContext`;
- ``rules``: its fix rules (:class:`FixRule`: the fix it recommends, from the catalogue in
  :mod:`hotspots.fixes`, and the function that yields a row per target);
- ``no_fix_reasons``: what to say about this factor at a place where no rule fired.

The text helpers at the end (:func:`n_events`, :func:`pct`, :func:`night_text`,
:func:`precision_note`) keep the evidence sentences of every factor in one voice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from hotspots import _columns as C

if TYPE_CHECKING:  # only for annotations: the settings object rules receive
    import pandas as pd

    from hotspots.factors.context import PlaceContext
    from hotspots.settings import Settings

__all__ = [
    "STRENGTH",
    "Column",
    "Factor",
    "FixRule",
    "NoFixReason",
    "Row",
    "n_events",
    "night_text",
    "pct",
    "precision_note",
]

STRENGTH = "strength"
"""Key of a rule's row: how strong its evidence is, 0-1 (30 points of the priority).
:func:`hotspots.recommend` reads it and does not keep it as a column."""

Row = Mapping[str, Any]
"""One place's evidence, as a rule reads it: column name -> plain Python value."""


@dataclass(frozen=True)
class Column:
    """One evidence column: its name, dtype, unit and meaning.

    Examples
    --------
    >>> Column("dark_event_share", "float", "", "share of events in a dark gap").describe()
    'float: share of events in a dark gap'
    >>> Column("light_spacing_m", "float", "m", "median spacing").describe()
    'float m: median spacing'
    """

    name: str
    dtype: str
    unit: str
    doc: str

    def describe(self) -> str:
        """Return ``"<dtype>[ <unit>]: <meaning>"``, as ``EVIDENCE_COLUMNS`` lists it."""
        return f"{self.dtype}{' ' + self.unit if self.unit else ''}: {self.doc}"


@dataclass(frozen=True)
class FixRule:
    """A rule that recommends one fix of the catalogue.

    Attributes
    ----------
    fix : str
        The fix's name in :mod:`hotspots.fixes` (checked when the factor is registered).
    check : callable
        ``check(place, settings)`` yields one row (a dict) per target where the rule fires:
        ``target_id``, ``target_kind``, optional ``target_x``/``target_y`` (metres; the
        place's centre when absent), ``evidence`` (one sentence with the numbers),
        ``triggered_by`` (the columns read) and :data:`STRENGTH` (0-1). `place` is a
        :data:`Row`; `settings` the :class:`hotspots.Settings` in use.
    supersedes : tuple of str
        Fixes this one takes the place of: when this rule fires at a place, their rows there
        are dropped (e.g. ``improve_bus_stop`` lights the stop, so it supersedes
        ``add_lighting``).
    doc : str
        The rule in words, for the documentation.
    """

    fix: str
    check: Callable[[Row, Settings], Iterable[dict[str, Any]]]
    supersedes: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class NoFixReason:
    """One reason in a ``no_environmental_fix`` row.

    A reason that read evidence (``columns`` not empty) says what was checked and found
    wanting; one without columns says the factor has nothing here ("no bus stop waiting
    area"). Checked reasons come first, in factor order, then the others.
    """

    text: str
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Factor:
    """An environmental factor: its evidence columns, how to compute them, its fix rules.

    Attributes
    ----------
    name : str
        Short unique name (``"lighting"``).
    columns : tuple of Column
        The evidence columns it adds, in output order; names unique across factors.
    evidence : callable
        ``evidence(context) -> DataFrame``: one row per place, in the places' order (the
        index is not read), exactly the columns of `columns`. `context` is the shared
        :class:`hotspots.factors.context.PlaceContext`.
    rules : tuple of FixRule
        Its fix rules, each naming a fix of the catalogue.
    no_fix_reasons : callable, optional
        ``no_fix_reasons(place, settings)`` yields :class:`NoFixReason` for the
        ``no_environmental_fix`` row of a place where no rule fired.
    doc : str
        One line: what the factor looks at.

    Examples
    --------
    >>> from hotspots.factors import registered_factors
    >>> [f.name for f in registered_factors()][:2]
    ['time', 'lighting']
    """

    name: str
    columns: tuple[Column, ...]
    evidence: Callable[[PlaceContext], pd.DataFrame]
    rules: tuple[FixRule, ...] = ()
    no_fix_reasons: Callable[[Row, Settings], Iterable[NoFixReason]] | None = None
    doc: str = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        """The names of its evidence columns, in output order."""
        return tuple(c.name for c in self.columns)

    @property
    def fixes(self) -> tuple[str, ...]:
        """Every fix its rules name (recommended or superseded)."""
        return tuple(dict.fromkeys(n for r in self.rules for n in (r.fix, *r.supersedes)))


# --- the words of the evidence sentences ---------------------------------------------------


def n_events(place: Row) -> int:
    """Return the place's number of events (0 when unknown).

    Examples
    --------
    >>> n_events({"n_events": 12})
    12
    """
    return int(place.get(C.N_EVENTS, 0) or 0)


def pct(x: float) -> str:
    """Format a share as a whole percentage ("n/a" when not finite).

    Examples
    --------
    >>> pct(0.254), pct(float("nan"))
    ('25%', 'n/a')
    """
    return f"{x:.0%}" if np.isfinite(x) else "n/a"


def night_text(place: Row) -> str:
    """Return "<n> of <N> events after dark".

    Examples
    --------
    >>> night_text({"n_after_dark": 3, "n_events": 5})
    '3 of 5 events after dark'
    """
    return f"{int(place[C.N_AFTER_DARK])} of {n_events(place)} events after dark"


def precision_note(place: Row) -> str:
    """Return a sentence on snapped locations (empty when locations are precise).

    Examples
    --------
    >>> precision_note({"location_precision": "exact"})
    ''
    """
    note = str(place.get(C.LOCATION_PRECISION, "") or "")
    return f" Locations: {note}." if "snapped" in note else ""
