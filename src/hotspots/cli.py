"""The ``hotspots`` command.

``hotspots analyze`` runs the whole job on your files: load, scan for recurring places,
diagnose what about each place lets the trouble happen, recommend fixes, draw the map and
write the report. ``hotspots demo`` does the same on the bundled real sample (downtown
Washington, DC); ``hotspots settings`` prints every threshold with its unit and source as
TOML, to edit and pass back with ``--config``.

The output folder holds ``map.html``, ``hotspots.gpkg`` (layers ``hotspots`` and
``recommendations``), ``hotspots.csv``, ``recommendations.csv``, ``rejected.csv``,
``report.md`` and ``run.json`` (see :func:`hotspots.write_report`). They are written
beside it first and moved in together at the end, under a lock, so the folder holds the
previous run or the new one, never a mix; other files in it are left alone (see
:mod:`hotspots._output`). ``--out`` and every CRS are checked before the analysis starts.

Exit codes: 0 ok, 2 bad arguments or unreadable input (one message naming the option and
the fix, no traceback), 1 unexpected failure (the traceback with ``-v``), 130 interrupted
(Ctrl-C; the output folder is left as it was).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotspots import _columns as C
from hotspots._cli_checks import check_args, shorten
from hotspots._errors import HotspotsError, ValidationError, raise_problems
from hotspots._tiles import tile_problems
from hotspots.layers import get_layer_kind, layer_kinds

__all__ = ["main"]

log = logging.getLogger("hotspots.cli")

_DEMO_OUT = "hotspots-demo"
_MAP = "map.html"


# =========================================================================================
# arguments
# =========================================================================================


def _add_common(p: argparse.ArgumentParser) -> None:
    """Options shared by ``analyze`` and ``demo``."""
    g = p.add_argument_group("analysis")
    g.add_argument(
        "--config",
        metavar="TOML",
        help="settings file (start from `hotspots settings > settings.toml`)",
    )
    g.add_argument(
        "--public",
        action="store_true",
        help="write only what is safe to publish: the public map (events as counts per grid "
        "cell, small counts hidden), places.csv (blocks, no ids), grid_counts.csv, a public "
        "report.md and run.json",
    )
    g.add_argument(
        "--tiles",
        metavar="URL",
        help="base map: 'OpenStreetMap' (default) or an https XYZ tile template; tiles load "
        "when the map is viewed, every data layer draws without them",
    )
    g.add_argument(
        "--offline", action="store_true", help="no base map: the map loads nothing at all"
    )
    g.add_argument(
        "--streets", metavar="FILE", help="street centre lines to draw on the map (any GIS file)"
    )
    g.add_argument(
        "--briefs",
        type=int,
        metavar="N",
        help="also write briefs.html: one printable page for each of the top N places",
    )
    g.add_argument("--tiles-attribution", metavar="TEXT", help="attribution for a --tiles URL")
    g.add_argument(
        "--method",
        choices=["dbscan", "hdbscan"],
        default="dbscan",
        help="clustering method (default: %(default)s)",
    )
    g.add_argument(
        "--eps-m",
        type=float,
        metavar="M",
        help="cluster neighbourhood radius in metres (default: 50 m, adapted to the data)",
    )
    g.add_argument(
        "--min-samples",
        type=int,
        metavar="N",
        help="events within --eps-m that make a core point (default: from the background rate)",
    )
    g.add_argument(
        "--top", type=int, default=10, metavar="N", help="places listed in the report and summary"
    )
    g.add_argument(
        "--wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long to wait for another run writing to the same --out "
        "(default: %(default)g; then exit 2)",
    )


def _add_global(p: argparse.ArgumentParser, *, default_verbose: Any, default_quiet: Any) -> None:
    """-v/-q, accepted before and after the command (after it they default to SUPPRESS)."""
    p.add_argument(
        "-v", "--verbose", action="count", default=default_verbose, help="more detail (-vv: debug)"
    )
    p.add_argument(
        "-q", "--quiet", action="store_true", default=default_quiet, help="print only errors"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hotspots",
        description="Find places where trouble keeps coming back, and what to fix there.",
        epilog="Exit codes: 0 ok, 2 bad arguments or unreadable input, 1 unexpected failure, "
        "130 interrupted (the output folder is left as it was).",
    )
    _add_global(parser, default_verbose=0, default_quiet=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    an = sub.add_parser(
        "analyze",
        help="find hot spots in your files, recommend fixes, write map and report",
        description=(
            "Find recurring places in incidents and/or concerns, diagnose them against the "
            "lights, bus stops and obstructions, recommend fixes, and write map.html and the "
            "report into --out. Files: CSV (lon/lat or x/y columns), GeoJSON, GeoPackage, "
            "Shapefile or GeoParquet, any CRS. Columns are detected by name; when detection "
            "fails, name them with --<layer>-lon/--<layer>-lat/--<layer>-time or "
            "--<layer>-column FIELD=COLUMN."
        ),
    )
    _add_global(an, default_verbose=argparse.SUPPRESS, default_quiet=argparse.SUPPRESS)
    files = an.add_argument_group(
        "input files (at least one of --incidents, --concerns; a layer published as several "
        "files takes them all: --concerns a.csv b.csv, or the option repeated)"
    )
    for kind in layer_kinds():  # the registry, read when the parser is built
        files.add_argument(
            f"--{kind}",
            metavar="FILE",
            nargs="+",
            action="extend",
            help=get_layer_kind(kind).help_text,
        )
    files.add_argument(
        "--boundary", metavar="FILE", help="study area polygon; rows outside it are rejected"
    )
    study = an.add_argument_group("study")
    study.add_argument(
        "--tz",
        default=None,
        metavar="ZONE",
        help="IANA timezone of the area, e.g. America/New_York (default: the zone where "
        "the data are, found offline and written to run.json); times without an offset "
        "are read as local times in it",
    )
    study.add_argument("--name", help="study name shown on the map and in the report")
    study.add_argument(
        "--period",
        nargs=2,
        metavar=("START", "END"),
        help="study period, e.g. 2025-01-01 2025-03-31; events outside it are rejected "
        "('-' leaves an end open)",
    )
    study.add_argument(
        "--crs", metavar="CRS", help="projected CRS in metres (default: UTM zone of the data)"
    )
    study.add_argument(
        "--duplicates",
        choices=["drop", "flag", "keep"],
        default="drop",
        help="rows that repeat an earlier row exactly (default: %(default)s, to rejected.csv)",
    )
    _add_common(an)
    cols = an.add_argument_group(
        "column overrides (for files whose columns are not detected)",
        "FIELD for --<layer>-column is one of: time, time_to, id, category, description, "
        "status, wattage, pole_height, name, routes, kind, location, lon, lat.",
    )
    for kind in layer_kinds():
        if get_layer_kind(kind).is_point:
            cols.add_argument(f"--{kind}-lon", metavar="COLUMN", help=f"longitude/x of {kind}")
            cols.add_argument(f"--{kind}-lat", metavar="COLUMN", help=f"latitude/y of {kind}")
        if get_layer_kind(kind).is_event:
            cols.add_argument(f"--{kind}-time", metavar="COLUMN", help=f"date/time of {kind}")
            cols.add_argument(
                f"--{kind}-times-local",
                action="store_true",
                help=f"read the times of {kind} as local wall-clock time, ignoring their UTC "
                "offsets (files that write local times with '+00')",
            )
        cols.add_argument(
            f"--{kind}-column",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=f"any other field of {kind} (repeatable)",
        )
        cols.add_argument(
            f"--{kind}-crs",
            metavar="CRS",
            help=f"CRS of {kind} x/y (e.g. EPSG:26985) or of a geo file without one",
        )
        cols.add_argument(
            f"--{kind}-layer", metavar="NAME", help=f"layer of a GeoPackage holding {kind}"
        )
    an.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="output folder (created); its other files are left alone",
    )

    demo = sub.add_parser(
        "demo",
        help="run the whole job on the bundled sample (real downtown DC data)",
        description="Run analyze on a bundled sample and print where the map and report are.",
    )
    _add_global(demo, default_verbose=argparse.SUPPRESS, default_quiet=argparse.SUPPRESS)
    demo.add_argument(
        "--sample",
        default="dc",
        choices=["boston", "dc", "scene"],
        help="dc: real downtown Washington, DC, 2025 Q1; boston: real Boston crimes "
        "2023-2025, open street-light requests, MBTA stops; scene: generated, with known truth",
    )
    _add_common(demo)
    demo.add_argument(
        "--out", default=_DEMO_OUT, metavar="DIR", help="output folder (default: ./%(default)s)"
    )

    settings = sub.add_parser(
        "settings",
        help="print the default settings as TOML",
        description="Print every setting with its unit and source; edit and pass to --config.",
    )
    _add_global(settings, default_verbose=argparse.SUPPRESS, default_quiet=argparse.SUPPRESS)
    return parser


def _layer_options(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Collect ``read_layer`` keyword arguments per layer from the override options."""
    problems: list[str] = []
    options: dict[str, dict[str, Any]] = {}
    for kind in layer_kinds():
        opts: dict[str, Any] = {}
        columns: dict[str, str] = {}
        for item in getattr(args, f"{kind}_column", []) or []:
            key, sep, value = item.partition("=")
            if not sep or not key.strip() or not value.strip():
                problems.append(f"--{kind}-column expects FIELD=COLUMN, got {item!r}")
                continue
            columns[key.strip()] = value.strip()
        lon, lat = getattr(args, f"{kind}_lon", None), getattr(args, f"{kind}_lat", None)
        if (lon is None) != (lat is None):
            problems.append(f"give both --{kind}-lon and --{kind}-lat (or neither)")
        if lon is not None and lat is not None:
            opts["lon"], opts["lat"] = lon, lat
        if getattr(args, f"{kind}_time", None):
            columns["time"] = getattr(args, f"{kind}_time")
        if columns:
            opts["columns"] = columns
        if getattr(args, f"{kind}_crs", None):
            opts["crs"] = getattr(args, f"{kind}_crs")
        if getattr(args, f"{kind}_layer", None):
            opts["layer"] = getattr(args, f"{kind}_layer")
        if getattr(args, f"{kind}_times_local", False):
            opts["times"] = "local"
        if opts and getattr(args, kind) is None:
            problems.append(f"column options for {kind} were given but --{kind} was not")
        if opts:
            options[kind] = opts
    if getattr(args, "tiles", None) is not None:
        problems += [f"--tiles: {p}" for p in tile_problems(args.tiles, args.tiles_attribution)]
        if getattr(args, "offline", False):
            problems.append("--tiles and --offline: give one (--offline draws no base map)")
    raise_problems(problems, "invalid arguments")
    return options


class _Interrupts:
    """A SIGINT handler that never loses a Ctrl-C.

    Python's default handler raises KeyboardInterrupt wherever the main thread is. When
    that is inside a Python function called back from C, the exception cannot cross the C
    frame and is printed and dropped: pyproj logs every PROJ message through such a
    callback (``pyproj._context.pyproj_log_function`` calls ``logging``), so a Ctrl-C in
    the first seconds of a run was often swallowed and the run went on to exit 0. Raised
    inside the import of a compiled module, it can also leave Python's "unhandled
    KeyboardInterrupt" flag set, so the process kills itself with SIGINT on exit (-2)
    after the error was reported. This handler records every interrupt and raises at once
    unless it runs inside ``logging`` or an import; :meth:`check`, called at every stage
    boundary, before the output is moved into place and after, raises a recorded one.
    """

    _DEFER_IN = ("logging", "importlib._bootstrap", "importlib._bootstrap_external")

    def __init__(self) -> None:
        self.pending = False

    def handle(self, signum: int, frame: Any) -> None:
        """Record the interrupt; raise KeyboardInterrupt unless inside logging or an import."""
        del signum
        self.pending = True
        while frame is not None:
            if frame.f_globals.get("__name__") in self._DEFER_IN:
                return  # raised by check() at the next stage boundary
            frame = frame.f_back
        raise KeyboardInterrupt

    def check(self) -> None:
        """Raise KeyboardInterrupt if an interrupt was recorded."""
        if self.pending:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self, *, then: Any = None) -> Iterator[None]:
        """Use this handler for SIGINT in the block (main thread only).

        Afterwards restore the previous handler, or set `then` (e.g. ``signal.SIG_IGN`` when
        the process is about to exit with the run's own code).
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, self.handle)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous if then is None else then)


# =========================================================================================
# progress and output
# =========================================================================================


@dataclass
class _Progress:
    """Per-stage progress: a rich spinner and a tick line on a terminal, else nothing."""

    enabled: bool
    console: Any = None
    timings: dict[str, float] = field(default_factory=dict)
    check: Callable[[], None] = lambda: None
    output: Any = None  # the run's hold on --out (hotspots._output.OutputRun)

    @contextlib.contextmanager
    def stage(self, name: str, doing: str) -> Iterator[dict[str, str]]:
        """Run one stage; the caller may put a one-line result in ``note["text"]``."""
        self.check()
        note = {"text": ""}
        start = time.perf_counter()
        log.debug("stage %s: start", name)
        if not self.enabled:
            yield note
        else:
            with self.console.status(f"[bold]{name}[/]: {doing}...", spinner="dots"):
                yield note
        self.check()
        elapsed = time.perf_counter() - start
        self.timings[name] = round(elapsed, 3)
        log.info("stage %s: %.1f s %s", name, elapsed, note["text"])
        if self.enabled:
            from rich.markup import escape

            from hotspots._escape import clean_text

            self.console.print(
                f"[green]\u2713[/] [bold]{name:<9}[/] {escape(clean_text(note['text']))} "
                f"[dim]({elapsed:.1f} s)[/]",
                highlight=False,
            )


@contextlib.contextmanager
def _logging(verbose: int, quiet: bool, console: Any) -> Iterator[None]:
    """Send the library's log records and warnings to stderr for one run, then restore."""
    if quiet:
        level = logging.ERROR
    elif verbose >= 2:
        level = logging.DEBUG
    elif verbose == 1:
        level = logging.INFO
    else:
        level = logging.WARNING
    handler: logging.Handler
    if console is not None:
        from rich.console import Console
        from rich.logging import RichHandler

        handler = RichHandler(console=Console(stderr=True), show_time=False, show_path=verbose >= 2)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("hotspots")
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    warned = logging.getLogger("hotspots.warnings")

    def _show(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        warned.warning("%s: %s", category.__name__, message)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _show
            yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _write(text: str, *, quiet: bool) -> None:
    if not quiet:
        sys.stdout.write(text)
        sys.stdout.flush()


def _summary(
    study: Any,
    clusters: Any,
    recs: Any,
    out: Path,
    files: dict[str, Path],
    *,
    top: int,
    public: bool,
    replaced: Sequence[str] = (),
) -> str:
    """Summarise a run in a few lines: what was found and where the files are.

    Text from the data goes through `clean_text`, so no terminal control sequence in a
    name or id reaches the terminal.
    """
    from hotspots._escape import clean_text

    lines = [clean_text(study.name)]
    first, last = study.time_span()
    if first is not None:
        lines[0] += f" ({first:%Y-%m-%d} to {last:%Y-%m-%d})"
    loaded = []
    for kind, rec in study.layers.items():
        part = f"{kind} {rec.n_loaded:,}"
        if rec.n_rejected:
            part += f" ({rec.n_rejected:,} rejected)"
        loaded.append(part)
    lines.append("  loaded: " + ", ".join(loaded))
    lines.append(f"  {len(clusters)} hot spot{'s' if len(clusters) != 1 else ''} found")
    if not len(clusters):
        lines.append(
            "  no place recurs often enough: check the period and the settings "
            "(min_days, span_days; --eps-m, --min-samples)"
        )
    if len(recs):
        counts = recs.drop_duplicates(C.CLUSTER_ID)[C.FIX].value_counts()
        lines.append(
            "  top fix per hot spot: "
            + ", ".join(f"{clean_text(fix)} {n}" for fix, n in counts.items())
        )
        best = recs.sort_values(
            [C.PRIORITY, C.CLUSTER_ID], ascending=[False, True], kind="stable"
        ).drop_duplicates(C.CLUSTER_ID)
        n_events = dict(zip(clusters[C.CLUSTER_ID], clusters[C.N_EVENTS], strict=True))
        lines.append(f"  top fixes (of {len(recs)} recommendations):")
        for i, row in enumerate(best.head(min(top, 5)).itertuples(), start=1):
            target = f" at {row.target_id}" if getattr(row, C.TARGET_ID, "") else ""
            lines.append(clean_text(
                f"    {i}. {row.cluster_id} ({n_events.get(row.cluster_id, '?')} events): "
                f"{row.fix}{target}, priority {row.priority:.0f}"
            ))  # fmt: skip
            lines.append(f"       {shorten(clean_text(row.evidence), 110)}")
    lines.append(f"  map:    {files[_MAP]}" + ("  (public version)" if public else ""))
    lines.append(f"  report: {files['report.md']}")
    others = [name for name in files if name not in (_MAP, "report.md")]
    lines.append(f"  also in {out}: " + ", ".join(others))
    if replaced:
        lines.append("  replaced the previous run's " + ", ".join(replaced))
    return "\n".join(lines) + "\n"


# =========================================================================================
# the job
# =========================================================================================


def _hint(exc: HotspotsError, sources: dict[str, Any]) -> str:
    """Add the command-line form of the fix to a reader's message that names a file."""
    text = str(exc)
    for kind, src in sources.items():
        if src is None or not any(str(one) in text for one in _as_list(src)):
            continue
        if "coordinate" in text and get_layer_kind(kind).is_point:
            return (
                f"{text}\n(on the command line: --{kind}-lon COLUMN --{kind}-lat COLUMN, "
                f"plus --{kind}-crs for projected x/y, or --{kind}-column location=COLUMN)"
            )
        if "time" in text and get_layer_kind(kind).is_event:
            return f"{text}\n(on the command line: --{kind}-time COLUMN)"
        return text
    return text


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _run(
    args: argparse.Namespace,
    argv: Sequence[str],
    progress: _Progress,
) -> int:
    from hotspots import datasets
    from hotspots.settings import Settings, load_settings

    settings = load_settings(args.config) if args.config else Settings()
    if args.command == "demo":
        sources: dict[str, Any] = {
            k: v for k, v in datasets.paths(args.sample).items() if k in layer_kinds()
        }
        read_options: dict[str, dict[str, Any]] = {}
        study_kwargs: dict[str, Any] = {}
    else:
        sources = {kind: _files(getattr(args, kind)) for kind in layer_kinds()}
        if sources["incidents"] is None and sources["concerns"] is None:
            raise ValidationError("give at least one of --incidents and --concerns")
        read_options = _layer_options(args)
        period = None
        if args.period:
            period = tuple(None if v in ("-", "") else v for v in args.period)
        study_kwargs = {
            "boundary": args.boundary,
            "tz": args.tz,
            "name": args.name or _default_name(sources),
            "period": period,
            "crs": args.crs,
            "duplicates": args.duplicates,
        }
    check_args(args)

    from hotspots._output import output_folder
    from hotspots.cluster import find_hotspots
    from hotspots.environment import diagnose
    from hotspots.maps import make_map
    from hotspots.recommendations import recommend
    from hotspots.report import write_public_report, write_report
    from hotspots.study import build_study

    with output_folder(args.out, wait_s=args.wait) as target:
        progress.output = target
        staging = target.staging
        with progress.stage("load", "reading and checking the layers") as note:
            try:
                if args.command == "demo":
                    study = datasets.load_study(args.sample, settings=settings)
                else:
                    study = build_study(
                        **{k: v for k, v in sources.items() if v is not None},
                        settings=settings,
                        read_options=read_options,
                        **study_kwargs,
                    )
            except HotspotsError as exc:
                hinted = _hint(exc, sources)
                if hinted == str(exc):
                    raise
                raise type(exc)(hinted) from exc
            n_rej = len(study.rejected)
            note["text"] = (
                ", ".join(f"{k} {r.n_loaded:,}" for k, r in study.layers.items())
                + f"; {n_rej:,} rows rejected"
            )
        if len(study.incidents) + len(study.concerns) == 0:
            raise ValidationError(
                "no incident or concern rows could be used (every row was rejected); "
                f"see the reasons below\n{_reasons(study)}"
            )
        with progress.stage("scan", "finding recurring places") as note:
            clusters = find_hotspots(
                study, method=args.method, eps_m=args.eps_m, min_samples=args.min_samples
            )
            note["text"] = f"{len(clusters)} hot spots"
        with progress.stage("diagnose", "lighting, bus stops, sightlines, concerns") as note:
            if len(clusters):
                clusters = diagnose(study, clusters)
            note["text"] = f"evidence for {len(clusters)} hot spots"
        with progress.stage("recommend", "choosing fixes") as note:
            recs = (
                recommend(clusters, settings=study.settings) if len(clusters) else _no_recs(study)
            )
            note["text"] = f"{len(recs)} recommendations"
        with progress.stage("map", "drawing the map") as note:
            from hotspots._where import LOCATION, place_locations

            if len(clusters):  # one location per place for the map, CSV, report and briefs
                clusters = clusters.assign(**{LOCATION: place_locations(study, clusters)})
            make_map(
                study,
                clusters,
                recs,
                public=args.public,
                tiles=None if args.offline else (args.tiles or "OpenStreetMap"),
                tiles_attribution=args.tiles_attribution,
                streets=args.streets,
            ).save(staging / _MAP)
            note["text"] = "public" if args.public else "team"
        with progress.stage("report", "GeoPackage, CSV, Markdown") as note:
            parameters = {
                "command": ["hotspots", *argv],
                "cli": {
                    k: (str(v) if isinstance(v, Path) else v)
                    for k, v in sorted(vars(args).items())
                    if v is not None and v != [] and k not in ("verbose", "quiet")
                },
                "inputs": {
                    k: [str(p) for p in v] if isinstance(v, list) else str(v)
                    for k, v in sources.items()
                    if v is not None
                },
                "public_map": bool(args.public),
                "stage_seconds": progress.timings,
            }
            if args.public:  # only what is safe to publish goes into the folder
                written = write_public_report(
                    study, clusters, recs, staging, parameters=parameters, top_n=args.top
                )
            else:
                written = write_report(
                    study, clusters, recs, staging, parameters=parameters, top_n=args.top
                )
            if args.briefs:
                from hotspots.briefs import BRIEFS_FILE, write_briefs

                written[BRIEFS_FILE] = write_briefs(
                    study, clusters, recs, staging / BRIEFS_FILE, top_n=args.briefs
                )
            note["text"] = f"{len(written) + 1} files"
        progress.check()  # a Ctrl-C recorded during the last stage: leave the folder as it was
    out = target.folder
    progress.check()  # a Ctrl-C during the move: the files are in place, but say so (130)
    files = {name: out / name for name in (_MAP, *written)}
    summary = _summary(
        study, clusters, recs, out, files, top=args.top, public=args.public,
        replaced=target.replaced,
    )  # fmt: skip
    _write(summary, quiet=args.quiet)
    return 0


def _files(given: list[str] | None) -> str | list[str] | None:
    """One file as itself, several as a list (build_study reads each and accounts apart)."""
    if not given:
        return None
    return given[0] if len(given) == 1 else list(given)


def _no_recs(study: Any) -> Any:
    """Return an empty recommendations table (no hot spot: nothing to recommend)."""
    import geopandas as gpd
    import pandas as pd

    from hotspots.recommendations import RECOMMENDATION_COLUMNS

    columns = {c: pd.Series(dtype=object) for c in RECOMMENDATION_COLUMNS if c != "geometry"}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=study.crs), crs=study.crs)


def _reasons(study: Any) -> str:
    rows = study.rejections_by_reason()
    return "\n".join(f"  {r.layer}: {r.rows:,} {r.reason}" for r in rows.itertuples())


def _default_name(sources: dict[str, Any]) -> str:
    src = sources.get("incidents") or sources.get("concerns")
    if isinstance(src, list):
        return f"hotspots: {Path(str(src[0])).stem} and {len(src) - 1} more"
    return f"hotspots: {Path(str(src)).stem}"


def _crs_error() -> type[Exception]:
    """Return pyproj's CRSError class, imported only once a run needs it."""
    from pyproj.exceptions import CRSError

    return CRSError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 ok, 2 bad arguments or unreadable input, 1 unexpected failure, 130 interrupted.

    Examples
    --------
    >>> main(["settings"]) == 0  # doctest: +ELLIPSIS
    # hotspots settings...
    True
    """
    # as the program itself, a Ctrl-C after the run ended (while Python shuts down) is
    # ignored instead of killing the process: the exit code stays the run's
    after_run = signal.SIG_IGN if argv is None else None
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)

    console = None
    if not args.quiet and sys.stdout.isatty():
        from rich.console import Console

        console = Console(stderr=False)
    interrupts = _Interrupts()
    progress = _Progress(enabled=console is not None, console=console, check=interrupts.check)
    with interrupts.installed(then=after_run), _logging(args.verbose, args.quiet, console):
        return _dispatch(args, argv, progress)


def _dispatch(args: argparse.Namespace, argv: Sequence[str], progress: _Progress) -> int:
    """Run one command, turning errors into a message and an exit code."""
    try:
        if args.command == "settings":
            from hotspots.settings import Settings

            sys.stdout.write(Settings().to_toml())
            return 0
        return _run(args, argv, progress)
    except HotspotsError as exc:
        sys.stderr.write(f"hotspots: error: {exc}\n")
        return 2
    except _crs_error() as exc:  # a CRS in an input file that PROJ cannot read
        sys.stderr.write(
            f"hotspots: error: {shorten(str(exc), 300)}\n(a CRS in an input file or option "
            "is not one PROJ knows: give the layer's CRS with --<layer>-crs EPSG:CODE)\n"
        )
        return 2
    except KeyboardInterrupt:
        if progress.output is not None and progress.output.committed:
            sys.stderr.write(
                f"hotspots: interrupted after the new files were in place in "
                f"{progress.output.folder}\n"
            )
        elif getattr(args, "out", None):
            sys.stderr.write(f"hotspots: interrupted; {args.out} was left as it was\n")
        else:
            sys.stderr.write("hotspots: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place an unexpected failure is reported
        if args.verbose:
            sys.stderr.write("".join(traceback.format_exception(exc)))
        sys.stderr.write(
            f"hotspots: unexpected failure: {type(exc).__name__}: {shorten(str(exc), 300)}\n"
            + ("" if args.verbose else "rerun with -v to see the traceback\n")
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
