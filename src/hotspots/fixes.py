"""The fix catalogue: every fix hotspots can recommend, in one place.

Each :class:`Fix` carries what the rest of the library needs to show and justify it: the
name :func:`hotspots.recommend` writes in its ``fix`` column, a label and a colour for the
map legend (Okabe-Ito, colour-blind safe), the published effect size with its source, the
displacement caution, and the agency that usually carries it out.

The catalogue starts with the built-in fixes (:data:`BUILTIN_FIXES`); :func:`register_fix`
adds one (a new factor's fix, see :func:`hotspots.factors.register_factor`). A name that is
not in the catalogue is an error wherever it is used: in ``Settings.disabled_rules``, in a
factor's rules, in :func:`fix_label` and :func:`fix_colour`.

The catalogue is the one piece of state kept at module level; it changes only through
:func:`register_fix` and :func:`unregister_fix`, and every reader gets a read-only view.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hotspots import _columns as C
from hotspots._errors import raise_problems

__all__ = [
    "BUILTIN_FIXES",
    "CAUTION_TEXT",
    "Fix",
    "catalogue",
    "fix_colour",
    "fix_colours",
    "fix_label",
    "fix_labels",
    "fix_names",
    "get_fix",
    "register_fix",
    "unregister_fix",
]

log = logging.getLogger(__name__)

CAUTION_TEXT = (
    "Displacement is the exception: across 102 studies it was seen in about 26% of "
    "observations and a diffusion of benefits in about 27% (Guerette & Bowers 2009). "
    "Check the surrounding blocks after the fix (hotspots.assess)."
)
"""The displacement caution written on every environmental fix."""

_COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Fix:
    """One fix in the catalogue.

    Attributes
    ----------
    name : str
        Snake-case name, as written in the ``fix`` column (e.g. ``"repair_light"``).
    label : str
        Short label for the map legend and the report (e.g. ``"Repair a light that is out"``).
    colour : str
        Hex colour ``#RRGGBB`` for the map.
    effect : str
        Published effect size in one or two sentences, citation included, exactly as the
        ``effect`` column shows it; empty where none exists.
    source : str
        The citation(s) behind `effect` in short form; empty where none exists.
    agency : str
        Who usually carries the fix out (e.g. ``"public works / street lighting"``).
    caution : str
        The displacement caution of the ``caution`` column (default :data:`CAUTION_TEXT`).

    Examples
    --------
    >>> get_fix("repair_light").agency
    'public works / street lighting'
    """

    name: str
    label: str
    colour: str
    effect: str
    source: str
    agency: str
    caution: str = CAUTION_TEXT

    def problems(self) -> list[str]:
        """List what is wrong with this fix's fields (empty when it can be registered)."""
        out = []
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            out.append(f"`name` must be snake_case text, got {self.name!r}")
        if not isinstance(self.colour, str) or not _COLOUR_RE.match(self.colour):
            out.append(f"`colour` of {self.name!r} must be '#RRGGBB', got {self.colour!r}")
        for attr in ("label", "agency"):
            value = getattr(self, attr)
            if not isinstance(value, str) or not value.strip():
                out.append(f"`{attr}` of {self.name!r} must be non-empty text")
        for attr in ("effect", "source", "caution"):
            if not isinstance(getattr(self, attr), str):
                out.append(f"`{attr}` of {self.name!r} must be text (may be empty)")
        if isinstance(self.effect, str) and self.effect and not self.source:
            out.append(f"`source` of {self.name!r} must cite the effect it states")
        return out


_LIGHTING_EFFECT = (
    "Improved street lighting: about 21% fewer crimes than in control areas across 13 studies "
    "(Welsh & Farrington 2008, Campbell Collaboration review); a New York City randomised "
    "trial of added lighting: about 36% fewer outdoor night-time index crimes "
    "(Chalfin et al. 2022)."
)
_LIGHTING_SOURCE = "Welsh & Farrington 2008; Chalfin et al. 2022"
_SIGHTLINE_EFFECT = (
    "No pooled effect size; natural surveillance is a core CPTED principle "
    "(Cozens, Saville & Hillier 2005 review)."
)
_SIGHTLINE_SOURCE = "Cozens, Saville & Hillier 2005"

BUILTIN_FIXES: tuple[Fix, ...] = (
    Fix(
        name="repair_light",
        label="Repair a light that is out",
        colour="#E69F00",
        effect=_LIGHTING_EFFECT,
        source=_LIGHTING_SOURCE,
        agency="public works / street lighting",
    ),
    Fix(
        name="add_lighting",
        label="Add lighting in a dark gap",
        colour="#D55E00",
        effect=_LIGHTING_EFFECT,
        source=_LIGHTING_SOURCE,
        agency="public works / street lighting",
    ),
    Fix(
        name="trim_vegetation",
        label="Trim vegetation",
        colour="#009E73",
        effect=_SIGHTLINE_EFFECT,
        source=_SIGHTLINE_SOURCE,
        agency="parks / urban forestry (or the property owner)",
    ),
    Fix(
        name="clear_sightline",
        label="Clear a blocked sightline",
        colour="#CC79A7",
        effect=_SIGHTLINE_EFFECT,
        source=_SIGHTLINE_SOURCE,
        agency="code enforcement / property owner",
    ),
    Fix(
        name="improve_bus_stop",
        label="Improve the bus stop",
        colour="#0072B2",
        effect=(
            "No pooled effect size for bus-stop improvements; the lighting evidence (about 21% "
            "fewer crimes, Welsh & Farrington 2008) applies to lighting the stop."
        ),
        source="Welsh & Farrington 2008",
        agency="transit agency",
    ),
    Fix(
        name="clean_up",
        label="Clean up",
        colour="#56B4E9",
        effect=(
            "Cleaning and greening vacant lots cut gun violence by about 29% in the poorest "
            "neighbourhoods of a Philadelphia randomised trial (Branas et al. 2018); evidence "
            "for litter clean-up alone is weaker."
        ),
        source="Branas et al. 2018",
        agency="sanitation / code enforcement",
    ),
    Fix(
        name=C.NO_FIX,
        label="No environmental fix indicated",
        colour="#7F7F7F",
        effect="",
        source="",
        agency="problem-solving team (non-environmental responses)",
        caution="",
    ),
)
"""The fixes hotspots ships with, in the order of ``hotspots.settings.FIX_TYPES``."""

_CATALOGUE: dict[str, Fix] = {}


def register_fix(fix: Fix) -> Fix:
    """Add a fix to the catalogue, so factors' rules, settings and the map can use it.

    Parameters
    ----------
    fix : Fix
        The fix; its name must be new, its colour ``#RRGGBB``, its label and agency
        non-empty, and an effect must come with its source.

    Returns
    -------
    Fix
        The fix, as registered.

    Raises
    ------
    ValidationError
        Every problem with the fix at once (a name already taken among them).

    Examples
    --------
    >>> fix = register_fix(Fix("paint_mural", "Paint a mural", "#000000", "", "", "arts council"))
    >>> fix_label("paint_mural")
    'Paint a mural'
    >>> unregister_fix("paint_mural")
    """
    if not isinstance(fix, Fix):
        message = f"`fix` must be a hotspots.fixes.Fix, got {type(fix).__name__}"
        raise_problems([message], "Cannot register fix")
    problems = fix.problems()
    if fix.name in _CATALOGUE:
        problems.append(f"a fix named {fix.name!r} is already in the catalogue")
    raise_problems(problems, f"Cannot register fix {fix.name!r}")
    _CATALOGUE[fix.name] = fix
    log.debug("fix catalogue: registered %s", fix.name)
    return fix


def unregister_fix(name: str) -> None:
    """Remove a fix added with :func:`register_fix` (built-in fixes stay).

    Parameters
    ----------
    name : str
        The fix's name.

    Returns
    -------
    None

    Raises
    ------
    ValidationError
        The fix is built in or not in the catalogue. (Unregister the factors that name it
        first: :func:`hotspots.factors.registered` does both in order.)

    Examples
    --------
    >>> _ = register_fix(Fix("paint_mural", "Paint a mural", "#000000", "", "", "arts"))
    >>> unregister_fix("paint_mural")
    >>> "paint_mural" in fix_names()
    False
    """
    problems = []
    if name in {f.name for f in BUILTIN_FIXES}:
        problems.append(f"{name!r} is a built-in fix")
    elif name not in _CATALOGUE:
        problems.append(f"{name!r} is not in the catalogue")
    raise_problems(problems, f"Cannot unregister fix {name!r}")
    del _CATALOGUE[name]


def catalogue() -> Mapping[str, Fix]:
    """Return the catalogue, name → :class:`Fix`, read-only, in registration order.

    Returns
    -------
    Mapping
        Built-in fixes first, then registered ones.

    Examples
    --------
    >>> list(catalogue())[:2]
    ['repair_light', 'add_lighting']
    """
    return MappingProxyType(_CATALOGUE)


def fix_names() -> tuple[str, ...]:
    """Return the names of every fix in the catalogue, built-in first.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> fix_names()[-1] in ("no_environmental_fix",) or len(fix_names()) > 7
    True
    """
    return tuple(_CATALOGUE)


def get_fix(name: str) -> Fix:
    """Return the catalogue's entry for a fix.

    Parameters
    ----------
    name : str
        The fix's name.

    Returns
    -------
    Fix

    Raises
    ------
    ValidationError
        No such fix; the message lists the catalogue.

    Examples
    --------
    >>> get_fix("clean_up").source
    'Branas et al. 2018'
    """
    if not isinstance(name, str) or name not in _CATALOGUE:
        raise_problems(
            [f"unknown fix {name!r}; the catalogue has {', '.join(_CATALOGUE)}"], "Unknown fix"
        )
    return _CATALOGUE[name]


def fix_label(name: str) -> str:
    """Return the legend label of a fix.

    Parameters
    ----------
    name : str
        The fix's name.

    Returns
    -------
    str

    Examples
    --------
    >>> fix_label("add_lighting")
    'Add lighting in a dark gap'
    """
    return get_fix(name).label


def fix_colour(name: str) -> str:
    """Return the map colour (``#RRGGBB``) of a fix.

    Parameters
    ----------
    name : str
        The fix's name.

    Returns
    -------
    str

    Examples
    --------
    >>> fix_colour("improve_bus_stop")
    '#0072B2'
    """
    return get_fix(name).colour


def fix_labels() -> dict[str, str]:
    """Return name → label for every fix in the catalogue .

    Returns
    -------
    dict

    Examples
    --------
    >>> fix_labels()["trim_vegetation"]
    'Trim vegetation'
    """
    return {name: fix.label for name, fix in _CATALOGUE.items()}


def fix_colours() -> dict[str, str]:
    """Return name → colour for every fix in the catalogue .

    Returns
    -------
    dict

    Examples
    --------
    >>> fix_colours()["no_environmental_fix"]
    '#7F7F7F'
    """
    return {name: fix.colour for name, fix in _CATALOGUE.items()}


for _fix in BUILTIN_FIXES:
    register_fix(_fix)
del _fix
