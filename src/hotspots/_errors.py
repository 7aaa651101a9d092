"""Exception and warning classes used across hotspots."""

from __future__ import annotations


class HotspotsError(Exception):
    """Base class of every error hotspots raises on purpose."""


class LayerError(HotspotsError, ValueError):
    """A whole file or frame cannot be used as a layer.

    The message names the source, what was found and how to fix it.
    """


class ValidationError(HotspotsError, ValueError):
    """Arguments or settings are invalid; the message lists every problem at once."""


class CRSError(HotspotsError, ValueError):
    """A layer has a missing, geographic or mismatched CRS where metres are needed."""


class HotspotsWarning(UserWarning):
    """Something was fixed or assumed on the user's behalf (e.g. swapped lat/lon)."""


def raise_problems(problems: list[str], heading: str) -> None:
    """Raise one :class:`ValidationError` listing every problem; do nothing without one.

    Parameters
    ----------
    problems : list of str
        Each problem in one line, naming the argument in backticks and the fix.
    heading : str
        What was being checked, e.g. ``"Invalid arguments to find_hotspots"``.

    Examples
    --------
    >>> raise_problems([], "Invalid arguments to f")
    >>> raise_problems(["`x` must be positive"], "Invalid arguments to f")
    Traceback (most recent call last):
    ...
    hotspots._errors.ValidationError: Invalid arguments to f:
      - `x` must be positive
    """
    if problems:
        raise ValidationError(f"{heading}:\n  - " + "\n  - ".join(problems))
