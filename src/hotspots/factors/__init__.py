"""Environmental factors: each one's evidence columns, how to compute them, its fix rules.

One module per factor, in the order :func:`hotspots.diagnose` adds their columns:

- :mod:`~hotspots.factors.timing`: after-dark share against the study's;
- :mod:`~hotspots.factors.lighting`: dark gaps, outages, spacing, lights-layer gaps
  (``repair_light``, ``add_lighting``);
- :mod:`~hotspots.factors.bus_stops`: waiting areas used after dark (``improve_bus_stop``);
- :mod:`~hotspots.factors.sightlines`: obstructions across sightlines, canopy over lights
  (``trim_vegetation``, ``clear_sightline``);
- :mod:`~hotspots.factors.concerns`: what residents report (``clean_up``);
- :mod:`~hotspots.factors.precision`: how precisely the incidents are located.

:mod:`~hotspots.factors.base` defines a :class:`Factor`; :mod:`~hotspots.factors.context`
the shared per-place context its evidence function reads. To add a factor, build a
``Factor`` and call :func:`register_factor` (after :func:`hotspots.fixes.register_fix` for a
new fix); :func:`registered` does both for the length of a ``with`` block.

The registry is the one piece of state kept at module level besides the fix catalogue; it
changes only through :func:`register_factor` and :func:`unregister_factor`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from hotspots import _columns as C
from hotspots._errors import raise_problems
from hotspots.factors import bus_stops, concerns, lighting, precision, sightlines, timing
from hotspots.factors.base import Column, Factor, FixRule, NoFixReason
from hotspots.factors.context import PlaceContext
from hotspots.fixes import Fix, catalogue, register_fix, unregister_fix

__all__ = [
    "BUILTIN_FACTORS",
    "EVIDENCE_COLUMNS",
    "Column",
    "Factor",
    "FixRule",
    "NoFixReason",
    "PlaceContext",
    "evidence_columns",
    "register_factor",
    "registered",
    "registered_factors",
    "unregister_factor",
]

log = logging.getLogger(__name__)

BUILTIN_FACTORS: tuple[Factor, ...] = (
    timing.FACTOR,
    lighting.FACTOR,
    bus_stops.FACTOR,
    sightlines.FACTOR,
    concerns.FACTOR,
    precision.FACTOR,
)
"""The factors hotspots ships with, in the order their columns are added."""

_REGISTRY: list[Factor] = []


def _problems(factor: Factor) -> list[str]:
    """List every reason `factor` cannot join the registry."""
    if not isinstance(factor, Factor):
        return [f"`factor` must be a hotspots.factors.Factor, got {type(factor).__name__}"]
    problems = []
    if not isinstance(factor.name, str) or not factor.name:
        problems.append(f"`name` must be non-empty text, got {factor.name!r}")
    if any(f.name == factor.name for f in _REGISTRY):
        problems.append(f"a factor named {factor.name!r} is already registered")
    if not callable(factor.evidence):
        problems.append("`evidence` must be a function evidence(context) -> DataFrame")
    if factor.no_fix_reasons is not None and not callable(factor.no_fix_reasons):
        problems.append("`no_fix_reasons` must be a function or None")
    columns = tuple(factor.columns)
    if not columns or not all(isinstance(c, Column) for c in columns):
        problems.append("`columns` must be a non-empty tuple of hotspots.factors.Column")
    else:
        names = [c.name for c in columns]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            problems.append(f"column(s) {repeated} listed more than once")
        owners = {c: f.name for f in _REGISTRY for c in f.column_names}
        for name in dict.fromkeys(names):
            if name in owners:
                problems.append(f"column {name!r} is already the {owners[name]!r} factor's")
    known = catalogue()
    for rule in factor.rules:
        if not isinstance(rule, FixRule):
            problems.append(f"rule {rule!r} is not a hotspots.factors.FixRule")
            continue
        if not callable(rule.check):
            problems.append(f"the rule for {rule.fix!r} has no `check` function")
        if rule.fix == C.NO_FIX:
            problems.append(f"{C.NO_FIX!r} is given by recommend itself, not by a rule")
        for fix in (rule.fix, *rule.supersedes):
            if fix not in known:
                problems.append(
                    f"fix {fix!r} is not in the catalogue: register it first with "
                    "hotspots.fixes.register_fix(Fix(...))"
                )
    return problems


def register_factor(factor: Factor) -> Factor:
    """Add a factor: diagnose adds its evidence columns, recommend runs its fix rules.

    Parameters
    ----------
    factor : Factor
        A new factor. Its name and column names must be new, and every fix its rules name
        (or supersede) must be in the catalogue (:func:`hotspots.fixes.register_fix`).

    Returns
    -------
    Factor
        The factor, as registered (last in order).

    Raises
    ------
    ValidationError
        Every problem at once: a name or column already taken, an unknown fix, ...

    Examples
    --------
    >>> import pandas as pd
    >>> def evidence(ctx):
    ...     return pd.DataFrame({"n_lights_in_study": [len(ctx.light_xy)] * ctx.k})
    >>> factor = Factor("inventory", (Column("n_lights_in_study", "int", "", "lights"),),
    ...                 evidence)
    >>> _ = register_factor(factor)
    >>> [f.name for f in registered_factors()][-1]
    'inventory'
    >>> unregister_factor("inventory")
    """
    raise_problems(_problems(factor), f"Cannot register factor {getattr(factor, 'name', '?')!r}")
    _REGISTRY.append(factor)
    log.debug("registered factor %s: %d columns", factor.name, len(factor.columns))
    return factor


def unregister_factor(name: str) -> None:
    """Remove a factor added with :func:`register_factor` (built-in factors stay).

    Parameters
    ----------
    name : str
        The factor's name.

    Returns
    -------
    None

    Raises
    ------
    ValidationError
        The factor is built in or not registered.

    Examples
    --------
    >>> unregister_factor("lighting")
    Traceback (most recent call last):
    ...
    hotspots._errors.ValidationError: Cannot unregister factor 'lighting':
      - 'lighting' is a built-in factor
    """
    problems = []
    if any(f.name == name for f in BUILTIN_FACTORS):
        problems.append(f"{name!r} is a built-in factor")
    elif not any(f.name == name for f in _REGISTRY):
        problems.append(f"no factor named {name!r} is registered")
    raise_problems(problems, f"Cannot unregister factor {name!r}")
    _REGISTRY[:] = [f for f in _REGISTRY if f.name != name]


def registered_factors() -> tuple[Factor, ...]:
    """Return the registered factors, built-in first, in the order their columns are added.

    Returns
    -------
    tuple of Factor

    Examples
    --------
    >>> [f.name for f in registered_factors()][:6]
    ['time', 'lighting', 'bus_stops', 'sightlines', 'concerns', 'precision']
    """
    return tuple(_REGISTRY)


@contextmanager
def registered(factor: Factor, *fixes: Fix) -> Iterator[Factor]:
    """Register fixes and a factor for the length of a ``with`` block, then remove them.

    Parameters
    ----------
    factor : Factor
        The factor to register.
    *fixes : Fix
        New fixes its rules name, registered first.

    Returns
    -------
    contextmanager
        Yields the registered factor.

    Examples
    --------
    >>> import pandas as pd
    >>> f = Factor("one", (Column("one", "int", "", "a one"),),
    ...            lambda ctx: pd.DataFrame({"one": [1] * ctx.k}))
    >>> with registered(f):
    ...     "one" in evidence_columns()
    True
    >>> "one" in evidence_columns()
    False
    """
    done: list[Fix] = []
    try:
        for fix in fixes:
            done.append(register_fix(fix))
        yield register_factor(factor)
    finally:
        if any(f is factor for f in _REGISTRY):
            unregister_factor(factor.name)
        for fix in reversed(done):
            unregister_fix(fix.name)


def evidence_columns() -> dict[str, str]:
    """Return every registered factor's evidence columns: name → ``"<dtype>[ unit]: meaning"``.

    Returns
    -------
    dict

    Examples
    --------
    >>> evidence_columns()["light_spacing_m"]
    'float m: median spacing of the lights serving the hot spot'
    """
    return {c.name: c.describe() for f in _REGISTRY for c in f.columns}


for _factor in BUILTIN_FACTORS:
    register_factor(_factor)
del _factor

EVIDENCE_COLUMNS: dict[str, str] = evidence_columns()
"""Every column the built-in factors add (:func:`evidence_columns` includes registered ones)."""
