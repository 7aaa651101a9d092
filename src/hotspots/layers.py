"""The layer kinds hotspots knows, described once: geometry, columns, vocabulary, CLI help.

Each kind is one :class:`LayerKind` entry in a registry. :func:`hotspots.read_layer`,
:func:`hotspots.build_study`, :class:`hotspots.Study` and the ``hotspots`` command all read
the registry, so a new kind of layer (vacant buildings, CCTV cameras, ...) is one call to
:func:`register_layer_kind`: ``read_layer(..., kind=...)``, ``build_study(<kind>=...)``,
``study.layer(<kind>)`` and ``hotspots analyze --<kind> FILE`` then work for it.

The five built-in kinds follow the project's layer contract:

=============  ==============  =============================================================
kind           geometry        fields (output column)
=============  ==============  =============================================================
incidents      point, event    time (occurred_at), time_to (occurred_to), category, description
concerns       point, event    time (reported_at), category, description
lights         point           status (working/out/unknown), wattage, pole_height (pole_height_m)
stops          point           name, routes
obstructions   polygon/line    kind (hedge, tree, wall, fence, building, other)
=============  ==============  =============================================================

This module imports no geospatial library, so the command line can build its options
from it without paying for geopandas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from hotspots import _columns as C
from hotspots import _vocab as V
from hotspots._errors import ValidationError, raise_problems

__all__ = [
    "GEOMETRIES",
    "PARSERS",
    "LayerField",
    "LayerKind",
    "get_layer_kind",
    "layer_kinds",
    "register_layer_kind",
    "registered_layer_kind",
    "resolve_kind",
    "unregister_layer_kind",
]

GEOMETRIES = ("point", "polygon_or_line")
"""Geometry families of a layer kind: one point per row, or polygons and lines."""

PARSERS = ("text", "number", "height_m", "light_status", "obstruction_kind", "time", "time_end")
"""How a field's source text is read.

``text``: stripped text, ``""`` when missing; ``number``: a float, ignoring units around
it (``"150 W"``); ``height_m``: metres, converting values marked in feet;
``light_status``: ``working`` / ``out`` / ``unknown`` from a source's status words or a
true/false column; ``obstruction_kind``: hedge, tree, wall, fence, building or other;
``time``: the event time (required: makes the kind an event layer); ``time_end``: the end
of the event's time window (NaT when absent or before the start).
"""

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_COORDINATE_FIELDS = frozenset({"lon", "lat", "location", "geometry"})
_READ_FIELDS = frozenset({"time_of_day"})  # read with a kind's time field


@dataclass(frozen=True)
class LayerField:
    """One field of a layer kind: where it comes from and how it is read.

    Attributes
    ----------
    name : str
        The field's key in ``read_layer(columns={...})`` and ``--<kind>-column FIELD=COL``.
    names : tuple of str
        Source column names tried in order (normalised: lower case, other characters
        to ``_``).
    column : str
        The output column; default: `name`.
    parse : str
        One of :data:`PARSERS`.
    missing_note : str
        A note recorded on the layer when no source column is found.

    Examples
    --------
    >>> LayerField("status", ("status", "condition")).column
    'status'
    """

    name: str
    names: tuple[str, ...] = ()
    column: str = ""
    parse: str = "text"
    missing_note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(self.names))
        if not self.column:
            object.__setattr__(self, "column", self.name)


@dataclass(frozen=True)
class LayerKind:
    """One kind of layer: its geometry, fields, column vocabulary and command-line help.

    Attributes
    ----------
    name : str
        The kind, e.g. ``"lights"``: the ``kind=`` of :func:`hotspots.read_layer`, the
        keyword of :func:`hotspots.build_study` and the ``--<name>`` command-line option.
    geometry : {"point", "polygon_or_line"}
    help_text : str
        One line for ``hotspots analyze --help``.
    fields : tuple of LayerField
        The fields beyond ``id`` and geometry, in output column order.
    id_names : tuple of str
        Source column names tried for the row id.
    aliases : tuple of str
        Other names accepted for the kind (``"bus_stops"`` for ``stops``).
    event_source : str
        Event layers: the ``source`` label of its rows in
        :func:`hotspots.combine_events` (``"incident"``).

    Examples
    --------
    >>> lights = get_layer_kind("lights")
    >>> lights.is_point, lights.is_event, [f.column for f in lights.fields]
    (True, False, ['status', 'wattage', 'pole_height_m'])
    """

    name: str
    geometry: str
    help_text: str
    fields: tuple[LayerField, ...] = ()
    id_names: tuple[str, ...] = ("id", "objectid", "fid")
    aliases: tuple[str, ...] = ()
    event_source: str = ""

    @property
    def is_point(self) -> bool:
        """True for point layers (one point per row)."""
        return self.geometry == "point"

    @property
    def time_field(self) -> LayerField | None:
        """The field holding the event time, or None for layers that are not events."""
        return next((f for f in self.fields if f.parse == "time"), None)

    @property
    def is_event(self) -> bool:
        """True for event layers (a required date/time per row)."""
        return self.time_field is not None

    @property
    def time_column(self) -> str | None:
        """Output column of the event time (``occurred_at``), or None."""
        field = self.time_field
        return field.column if field is not None else None

    def field(self, name: str) -> LayerField | None:
        """Return the field called `name`, or None."""
        return next((f for f in self.fields if f.name == name), None)


def _builtin_kinds() -> tuple[LayerKind, ...]:
    text = "text"
    return (
        LayerKind(
            C.INCIDENTS,
            "point",
            "incidents recorded by police (points with a date/time)",
            (
                LayerField("time", V.TIME_NAMES[C.INCIDENTS], C.OCCURRED_AT, "time"),
                LayerField("time_to", V.TIME_TO_NAMES, C.OCCURRED_TO, "time_end"),
                LayerField("category", V.CATEGORY_NAMES[C.INCIDENTS], C.CATEGORY, text),
                LayerField("description", V.DESCRIPTION_NAMES, C.DESCRIPTION, text),
            ),
            V.ID_NAMES[C.INCIDENTS],
            ("incident", "crime", "crimes"),
            C.SOURCE_INCIDENT,
        ),
        LayerKind(
            C.CONCERNS,
            "point",
            "concerns reported by residents, e.g. 311 requests (points with a date/time)",
            (
                LayerField("time", V.TIME_NAMES[C.CONCERNS], C.REPORTED_AT, "time"),
                LayerField("category", V.CATEGORY_NAMES[C.CONCERNS], C.CATEGORY, text),
                LayerField("description", V.DESCRIPTION_NAMES, C.DESCRIPTION, text),
            ),
            V.ID_NAMES[C.CONCERNS],
            ("concern", "requests", "service_requests"),
            C.SOURCE_CONCERN,
        ),
        LayerKind(
            C.LIGHTS,
            "point",
            "street lights (points; a status column marks outages)",
            (
                LayerField(
                    "status",
                    V.STATUS_NAMES,
                    C.STATUS,
                    "light_status",
                    "no light status column: every light's status is 'unknown'",
                ),
                LayerField("wattage", V.WATTAGE_NAMES, C.WATTAGE, "number"),
                LayerField("pole_height", V.POLE_HEIGHT_NAMES, "pole_height_m", "height_m"),
            ),
            V.ID_NAMES[C.LIGHTS],
            ("light", "streetlights", "street_lights"),
        ),
        LayerKind(
            C.STOPS,
            "point",
            "bus stops (points)",
            (
                LayerField("name", V.NAME_NAMES, C.NAME, text),
                LayerField("routes", V.ROUTES_NAMES, C.ROUTES, text),
            ),
            V.ID_NAMES[C.STOPS],
            ("stop", "bus_stop", "bus_stops"),
        ),
        LayerKind(
            C.OBSTRUCTIONS,
            "polygon_or_line",
            "hedges, walls, fences... (polygons or lines)",
            (LayerField("kind", V.KIND_NAMES, C.KIND, "obstruction_kind"),),
            V.ID_NAMES[C.OBSTRUCTIONS],
            ("obstruction",),
        ),
    )


# The registry: kind name -> entry, in registration order (built-ins first).
_REGISTRY: dict[str, LayerKind] = {kind.name: kind for kind in _builtin_kinds()}


def _key(name: str) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for kind in _REGISTRY.values():
        for alias in (kind.name, *kind.aliases):
            table[alias] = kind.name
    return table


def layer_kinds() -> tuple[str, ...]:
    """Names of the registered layer kinds, built-ins first.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> layer_kinds()[:5]
    ('incidents', 'concerns', 'lights', 'stops', 'obstructions')
    """
    return tuple(_REGISTRY)


def resolve_kind(kind: str) -> str:
    """Return the registered kind that `kind` names (its name or an alias).

    Parameters
    ----------
    kind : str
        ``"bus stops"``, ``"Bus-Stops"`` and ``"stops"`` all name ``"stops"``.

    Returns
    -------
    str

    Raises
    ------
    ValidationError
        `kind` names no registered kind; the message lists them.

    Examples
    --------
    >>> resolve_kind("Bus stops")
    'stops'
    """
    name = _aliases().get(_key(kind))
    if name is None:
        raise ValidationError(f"unknown layer kind {kind!r}; use one of {', '.join(_REGISTRY)}")
    return name


def get_layer_kind(kind: str) -> LayerKind:
    """Return the registry entry of a layer kind (its name or an alias).

    Parameters
    ----------
    kind : str

    Returns
    -------
    LayerKind

    Examples
    --------
    >>> get_layer_kind("incidents").time_column
    'occurred_at'
    """
    return _REGISTRY[resolve_kind(kind)]


def overridable_fields() -> frozenset[str]:
    """Field names a ``columns=`` override may name, over every registered kind.

    Examples
    --------
    >>> {"lon", "time", "status"} <= overridable_fields()
    True
    """
    names = {"id", *_COORDINATE_FIELDS, *_READ_FIELDS}
    for kind in _REGISTRY.values():
        names.update(f.name for f in kind.fields)
    return frozenset(names)


def register_layer_kind(
    name: str,
    *,
    geometry: str,
    help_text: str,
    fields: Sequence[LayerField] = (),
    id_names: Sequence[str] = ("id", "objectid", "fid"),
    aliases: Sequence[str] = (),
    event_source: str = "",
) -> LayerKind:
    """Add a kind of layer that every reader, the study and the command line then accept.

    Parameters
    ----------
    name : str
        Lower-case identifier (``[a-z][a-z0-9_]*``), not yet registered; becomes
        ``read_layer(kind=name)``, ``build_study(name=...)``, ``study.layer(name)`` and
        ``hotspots analyze --<name> FILE`` (with ``--<name>-lon/-lat/-column/-crs/-layer``,
        and ``--<name>-time`` for event layers).
    geometry : {"point", "polygon_or_line"}
        Point layers come from lon/lat or x/y columns or point geometries; others from
        polygon or line geometries.
    help_text : str
        One line for ``hotspots analyze --help``.
    fields : sequence of LayerField
        Optional fields, each with the source column names to look for and how to read
        them (see :data:`PARSERS`). A field with ``parse="time"`` makes the kind an event
        layer: the time is then required and checked like incidents' (missing, unreadable,
        future, outside the study period).
    id_names : sequence of str
        Source column names tried for the row id.
    aliases : sequence of str
        Other names for the kind.
    event_source : str
        Event layers only: the ``source`` label of its rows in
        :func:`hotspots.combine_events`; default: `name`.

    Returns
    -------
    LayerKind
        The new entry. Remove it with :func:`unregister_layer_kind`, or use
        :func:`registered_layer_kind` for a kind needed only for a while.

    Raises
    ------
    ValidationError
        Every problem with the arguments, listed at once.

    Examples
    --------
    >>> from hotspots import register_layer_kind
    >>> from hotspots.layers import LayerField, unregister_layer_kind
    >>> vacant = register_layer_kind(
    ...     "vacant", geometry="point", help_text="vacant buildings (points)",
    ...     fields=[LayerField("status", ("status", "condition"))])
    >>> "vacant" in layer_kinds()
    True
    >>> unregister_layer_kind("vacant")
    """
    problems: list[str] = []
    if not isinstance(name, str) or not _NAME_RE.match(name):
        problems.append(f"`name` must match [a-z][a-z0-9_]*, got {name!r}")
    elif name in _aliases():
        problems.append(f"`name` {name!r} is already a registered layer kind or alias")
    if geometry not in GEOMETRIES:
        problems.append(f"`geometry` must be one of {', '.join(GEOMETRIES)}, got {geometry!r}")
    if not str(help_text).strip():
        problems.append("`help_text` must say in a few words what the layer holds")
    fields = tuple(fields)
    reserved = {C.ID, C.SOURCE_ROW, C.GEOMETRY, C.IS_DUPLICATE}
    for f in fields:
        if not isinstance(f, LayerField):
            problems.append(f"`fields` must hold LayerField entries, got {type(f).__name__}")
            continue
        if f.parse not in PARSERS:
            problems.append(f"field {f.name!r}: `parse` must be one of {', '.join(PARSERS)}")
        if f.name in _COORDINATE_FIELDS or f.name == "id" or f.column in reserved:
            problems.append(f"field {f.name!r} (column {f.column!r}) is reserved")
    columns = [f.column for f in fields if isinstance(f, LayerField)]
    if len(set(columns)) != len(columns):
        problems.append(f"`fields` repeat an output column: {columns}")
    parses = [f.parse for f in fields if isinstance(f, LayerField)]
    if parses.count("time") > 1 or ("time_end" in parses and "time" not in parses):
        problems.append("`fields` may hold one parse='time' field; 'time_end' needs it")
    taken = _aliases()
    clash = sorted(a for a in aliases if _key(a) in taken)
    if clash:
        problems.append(f"`aliases` {clash} already name a registered kind")
    raise_problems(problems, f"register_layer_kind({name!r}): invalid arguments")
    kind = LayerKind(
        name=name,
        geometry=geometry,
        help_text=str(help_text).strip(),
        fields=fields,
        id_names=tuple(id_names),
        aliases=tuple(_key(a) for a in aliases),
        event_source=(event_source or name) if "time" in parses else "",
    )
    _REGISTRY[name] = kind
    return kind


def unregister_layer_kind(name: str) -> None:
    """Remove a kind added with :func:`register_layer_kind` (built-ins stay).

    Parameters
    ----------
    name : str

    Raises
    ------
    ValidationError
        `name` is a built-in kind or not registered.

    Examples
    --------
    >>> unregister_layer_kind("lights")
    Traceback (most recent call last):
    ...
    hotspots._errors.ValidationError: 'lights' is a built-in layer kind; it cannot be removed
    """
    if name in C.KINDS:
        raise ValidationError(f"{name!r} is a built-in layer kind; it cannot be removed")
    if name not in _REGISTRY:
        raise ValidationError(f"{name!r} is not a registered layer kind")
    del _REGISTRY[name]


@contextmanager
def registered_layer_kind(name: str, **options: object) -> Iterator[LayerKind]:
    """Register a layer kind for the length of a ``with`` block, then remove it.

    Parameters
    ----------
    name : str
    **options
        As for :func:`register_layer_kind`.

    Yields
    ------
    LayerKind

    Examples
    --------
    >>> with registered_layer_kind("cameras", geometry="point",
    ...                            help_text="CCTV cameras (points)") as cameras:
    ...     cameras.name in layer_kinds()
    True
    >>> "cameras" in layer_kinds()
    False
    """
    kind = register_layer_kind(name, **options)  # type: ignore[arg-type]
    try:
        yield kind
    finally:
        if _REGISTRY.get(name) is kind:
            del _REGISTRY[name]
