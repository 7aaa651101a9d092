"""Argument checks shared by the stages: numbers, event sources and the study itself.

Each stage collects every problem with its arguments and raises one
:class:`~hotspots.ValidationError` listing them all; these helpers return problems as
strings so they can be collected, and raise only for a study that cannot be used at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from hotspots import _columns as C
from hotspots._errors import CRSError, ValidationError
from hotspots.settings import Settings
from hotspots.study import Study

SOURCES: tuple[str, ...] = (C.SOURCE_INCIDENT, C.SOURCE_CONCERN)
"""Event sources in their canonical order."""


def is_number(value: Any) -> bool:
    """Return whether `value` is a real number (not a bool)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def is_int(value: Any) -> bool:
    """Return whether `value` is an integer (not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def is_count(value: Any) -> bool:
    """Return whether `value` is a whole number >= 0 (an int or an integral float, not a bool)."""
    if isinstance(value, bool) or not is_number(value):
        return False
    return math.isfinite(value) and value >= 0 and float(value).is_integer()


def positive(name: str, value: Any, unit: str, problems: list[str]) -> float:
    """Return `value` as a float, or NaN after adding a problem when it is not a number > 0.

    Examples
    --------
    >>> problems = []
    >>> positive("cell_m", 50, "metres", problems), problems
    (50.0, [])
    >>> positive("cell_m", -1, "metres", problems), problems
    (nan, ['`cell_m` must be a number of metres > 0, got -1'])
    """
    if not (is_number(value) and math.isfinite(value) and value > 0):
        problems.append(f"`{name}` must be a number of {unit} > 0, got {value!r}")
        return math.nan
    return float(value)


def as_tuple(sources: Iterable[str] | str) -> tuple[str, ...]:
    """Return one source name or several as a tuple."""
    return (sources,) if isinstance(sources, str) else tuple(sources)


def check_sources(sources: Any) -> tuple[list[str], tuple[str, ...]]:
    """Return the problems with `sources` and the chosen ones in canonical order."""
    try:
        chosen = as_tuple(sources)
    except TypeError:
        return [f"`sources` must be a list of 'incident'/'concern', got {sources!r}"], ()
    if not chosen:
        return ["`sources` is empty; use ('incident', 'concern') or either alone"], ()
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown:
        return [f"`sources` has unknown source(s) {unknown}; use 'incident', 'concern'"], ()
    return [], tuple(s for s in SOURCES if s in chosen)


def study_problems(study: Any) -> list[str]:
    """Return the problem when `study` is not a Study; raise CRSError when it is not metric."""
    if not isinstance(study, Study):
        return [f"`study` must be a hotspots.Study, got {type(study).__name__}"]
    if not study.crs.is_projected:
        raise CRSError(
            f"study CRS {study.crs.to_string()} is not projected; build the study with "
            "hotspots.build_study, which chooses a metric CRS"
        )
    return []


def check_study(study: Any) -> Settings:
    """Return the study's settings; raise ValidationError or CRSError when it cannot be used."""
    problems = study_problems(study)
    if problems:
        raise ValidationError(problems[0])
    return study.settings
