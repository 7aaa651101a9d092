"""Domain thresholds in one frozen, validated, documented object.

Every number that carries domain meaning (how far a light reaches, what counts as
"recurring", what "after dark" means) lives here, with its unit and its source, and is
passed explicitly to the stages. Nothing is mutable at module level: to change a value,
make a new object with :meth:`Settings.replace` or :func:`load_settings`.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from hotspots._errors import ValidationError, raise_problems
from hotspots.fixes import BUILTIN_FIXES, fix_names

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["FIX_TYPES", "Settings", "load_settings"]

FIX_TYPES: tuple[str, ...] = tuple(fix.name for fix in BUILTIN_FIXES)
"""The built-in fix types :func:`hotspots.recommend` can return (the CLI's output contract),
from the fix catalogue (:mod:`hotspots.fixes`); a registered fix may be returned too."""


def _setting(default: Any, unit: str, source: str, help: str, **limits: Any) -> Any:  # noqa: A002
    return field(default=default, metadata={"unit": unit, "source": source, "help": help, **limits})


@dataclass(frozen=True)
class Settings:
    """Domain thresholds used by every stage (frozen; make a new one to change a value).

    Each field carries its unit, its source and a one-line explanation in its metadata;
    :meth:`describe` lists them as a table and :meth:`to_toml` writes them as a config
    file to start from.

    Examples
    --------
    >>> from hotspots import Settings
    >>> s = Settings()
    >>> s.light_radius_m
    30.0
    >>> s.replace(min_days=4).min_days
    4
    >>> Settings(min_days=0)
    Traceback (most recent call last):
    ...
    hotspots._errors.ValidationError: Invalid settings:
      - `min_days` must be >= 1, got 0
    """

    # --- lighting -------------------------------------------------------------
    light_radius_m: float = _setting(
        30.0,
        "m",
        "the useful pool of light of an 8-10 m street-light column "
        "(project default; set it to your luminaires)",
        "A place farther than this from every working light is in a dark gap.",
        gt=0,
    )
    pole_height_m: float = _setting(
        9.0,
        "m",
        "assumed when a light has no pole height (30 ft, a common urban column)",
        "Pole height used by the spacing rule when the lights layer gives none.",
        gt=0,
    )
    max_spacing_ratio: float = _setting(
        3.0,
        "x pole height",
        "common lighting guidance: spacing about 2.5-3 x mounting height",
        "Lights spaced farther apart than this multiple of pole height leave dark patches.",
        gt=0,
    )
    # --- bus stops --------------------------------------------------------------
    stop_radius_m: float = _setting(
        50.0,
        "m",
        "about half a block: where people wait for and walk to a stop (project default)",
        "Radius of a bus stop's waiting area.",
        gt=0,
    )
    # --- time -------------------------------------------------------------------
    twilight_depression_deg: float = _setting(
        6.0,
        "degrees below horizon",
        "civil twilight (US Naval Observatory definition)",
        "After dark means the sun is lower than this below the horizon.",
        ge=0,
        le=18,
    )
    min_days: int = _setting(
        3,
        "days",
        "project default: trouble on one or two days is an incident, not a place problem",
        "A recurring place has events on at least this many distinct days.",
        ge=1,
    )
    span_days: int = _setting(
        14,
        "days",
        "project default: two weeks or more, so one busy week is not a place problem",
        "... spread over at least this many days from first to last event.",
        ge=0,
    )
    # --- clustering -----------------------------------------------------------------
    snap_m: float = _setting(
        10.0,
        "m",
        "measured here: 10 m snapping keeps ARI 0.99 against exact DBSCAN at 100k points, "
        "and 1M points run in 3.9 s / 0.4 GB instead of 62 s / 9.9 GB",
        "Events are snapped to a grid of this size and weighted before density clustering.",
        gt=0,
    )
    hull_buffer_m: float = _setting(
        15.0,
        "m",
        "half a typical sidewalk-to-sidewalk street width",
        "Margin added around the hull of a cluster's events.",
        ge=0,
    )
    alpha: float = _setting(
        0.05,
        "probability",
        "conventional significance level",
        "Significance level for cluster and Gi* tests, after correction.",
        gt=0,
        lt=1,
    )
    # --- loading ----------------------------------------------------------------------
    repeated_share_snapped: float = _setting(
        0.5,
        "share of events",
        "DC MPD data: ~90% of points on repeated block coordinates",
        "Above this share of events on repeated coordinates a layer is called snapped.",
        ge=0,
        le=1,
    )
    # --- diagnosis and recommendation rules ---------------------------------------------
    outage_match_m: float = _setting(
        50.0,
        "m",
        "about one block face: a resident reports the light they can see",
        "An outage report is matched to the nearest light within this distance.",
        gt=0,
    )
    sightline_search_m: float = _setting(
        100.0,
        "m",
        "two bus-stop waiting areas; a light or stop farther away does not watch the place",
        "Sightlines are checked to the nearest working light and stop within this distance.",
        gt=0,
    )
    inventory_gap_m: float = _setting(
        150.0,
        "m",
        "a block and a half: in a built-up street grid a mapped light is rarely farther away",
        "No light of any status mapped this near a place: check the lights layer covers it.",
        gt=0,
    )
    min_after_dark_share: float = _setting(
        0.5,
        "share of events",
        "lighting works at night: Welsh & Farrington (2008) found effects mainly after dark",
        "Lighting fixes need at least this share of the place's events after dark.",
        ge=0,
        le=1,
    )
    min_dark_event_share: float = _setting(
        0.5,
        "share of events",
        "half of the events in a dark gap makes darkness a feature of the place",
        "add_lighting needs at least this share of events in a dark gap (with outages fixed).",
        ge=0,
        le=1,
    )
    min_stop_event_share: float = _setting(
        0.5,
        "share of events",
        "half of the events in a stop's waiting area makes the stop the place",
        "improve_bus_stop needs at least this share of events in a stop's waiting area.",
        ge=0,
        le=1,
    )
    min_topic_concerns: int = _setting(
        2,
        "concerns",
        "more than one resident report, so one complaint does not drive a fix",
        "Concern-driven rules (clean_up, vegetation from text) need this many concerns.",
        ge=1,
    )
    disabled_rules: tuple = _setting(
        (),
        "fix names",
        "team choice",
        "Fix rules switched off, e.g. ['clean_up'].",
    )
    # --- privacy ----------------------------------------------------------------------
    public_min_count: int = _setting(
        5,
        "events",
        "common small-cell suppression threshold in published crime statistics",
        "In public mode, areas with fewer events than this are suppressed.",
        ge=1,
    )

    def __post_init__(self) -> None:
        problems: list[str] = []
        for f in fields(self):
            value = getattr(self, f.name)
            expected = type(f.default)
            if expected is tuple:
                if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                    object.__setattr__(self, f.name, tuple(value))
                    known = fix_names()
                    unknown = sorted(set(value) - set(known))
                    if unknown:
                        problems.append(
                            f"`{f.name}` has unknown fix(es) {unknown}; "
                            f"fixes are {', '.join(known)}"
                        )
                else:
                    problems.append(f"`{f.name}` must be a list of fix names, got {value!r}")
                continue
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, f.name, float(value))
                value = float(value)
            if not isinstance(value, expected) or isinstance(value, bool):
                problems.append(
                    f"`{f.name}` must be {expected.__name__}, got {type(value).__name__} {value!r}"
                )
                continue
            for key, op, word in (
                ("gt", float.__gt__, ">"),
                ("ge", float.__ge__, ">="),
                ("lt", float.__lt__, "<"),
                ("le", float.__le__, "<="),
            ):
                if key in f.metadata and not op(float(value), float(f.metadata[key])):
                    problems.append(f"`{f.name}` must be {word} {f.metadata[key]}, got {value}")
        raise_problems(problems, "Invalid settings")

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some values changed (validated; unknown names refused).

        Examples
        --------
        >>> Settings().replace(light_radius_m=25).light_radius_m
        25.0
        """
        _check_names(changes, "Settings.replace")
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """Return the values as a plain ``{name: value}`` dictionary."""
        return dataclasses.asdict(self)

    def describe(self) -> list[dict[str, Any]]:
        """List every setting with its value, default, unit, source and meaning.

        Examples
        --------
        >>> rows = Settings(min_days=5).describe()
        >>> [r for r in rows if r["name"] == "min_days"][0]["default"]
        3
        """
        return [
            {
                "name": f.name,
                "value": getattr(self, f.name),
                "default": f.default,
                "unit": f.metadata["unit"],
                "source": f.metadata["source"],
                "help": f.metadata["help"],
            }
            for f in fields(self)
        ]

    def to_toml(self) -> str:
        """Write the settings as TOML, each value preceded by its meaning, unit and source.

        Examples
        --------
        >>> "light_radius_m = 30.0" in Settings().to_toml()
        True
        """
        lines = ["# hotspots settings: every threshold, its unit and its source", ""]
        for row in self.describe():
            lines.append(f"# {row['help']}")
            lines.append(f"# unit: {row['unit']}; source: {row['source']}")
            value = list(row["value"]) if isinstance(row["value"], tuple) else row["value"]
            lines.append(f"{row['name']} = {json.dumps(value)}")
            lines.append("")
        return "\n".join(lines)


def _check_names(values: dict[str, Any], where: str) -> None:
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValidationError(
            f"{where}: unknown setting(s) {', '.join(f'`{u}`' for u in unknown)}; "
            f"known settings are: {', '.join(sorted(known))}"
        )


def load_settings(path: str | Path) -> Settings:
    r"""Read settings from a TOML file; names not given keep their defaults.

    Parameters
    ----------
    path : str or Path
        A TOML file as written by :meth:`Settings.to_toml` (a ``[settings]`` table or
        top-level keys).

    Returns
    -------
    Settings

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = p.write_text("min_days = 4\n")
    >>> load_settings(p).min_days
    4
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(f"Cannot read settings file {path}: {exc}") from exc
    data = data.get("settings", data)
    _check_names(data, str(path))
    return Settings(**data)
