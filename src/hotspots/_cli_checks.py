"""Checks of the command line made before any file is read (each problem exits 2).

Files exist and are files, the boundary opens and its coordinates fit its CRS, every CRS is
one PROJ knows (``--crs`` in metres), the output folder can be written, numbers are in range.
Every problem is listed at once, naming the option and the fix.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hotspots._errors import ValidationError, raise_problems
from hotspots.layers import layer_kinds

__all__ = ["check_args", "shorten"]


def check_args(args: argparse.Namespace) -> None:
    """Check files, CRSs, the output folder and numbers up front, listing every problem."""
    from hotspots._output import check_folder

    problems: list[str] = []
    for kind in (*layer_kinds(), "boundary", "config", "streets"):
        given = getattr(args, kind, None)
        for value in given if isinstance(given, list) else [given]:
            if value is not None:
                problems += _file_problems(kind, value)
    problems += _crs_problems(args)
    try:
        check_folder(args.out)
    except ValidationError as exc:
        problems.append(str(exc))
    if args.wait < 0:
        problems.append(f"--wait must be >= 0 seconds, got {args.wait}")
    if args.eps_m is not None and args.eps_m <= 0:
        problems.append(f"--eps-m must be > 0, got {args.eps_m}")
    if args.min_samples is not None and args.min_samples < 2:
        problems.append(f"--min-samples must be >= 2, got {args.min_samples}")
    if args.top < 1:
        problems.append(f"--top must be >= 1, got {args.top}")
    if args.briefs is not None and args.briefs < 1:
        problems.append(f"--briefs must be >= 1, got {args.briefs}")
    if args.briefs is not None and args.public:
        problems.append(
            "--briefs with --public: briefs carry ids and evidence for the team; "
            "write them in a run without --public"
        )
    raise_problems(problems, "invalid arguments")


def _file_problems(kind: str, value: str) -> list[str]:
    path = Path(value)
    if not path.exists():
        return [f"--{kind} {value}: no such file"]
    if path.is_dir() and path.suffix.lower() != ".gdb":
        return [f"--{kind} {value}: is a folder; give the file inside it"]
    if kind == "boundary":
        return _boundary_problems(path)
    return []


def _crs_problems(args: argparse.Namespace) -> list[str]:
    """Check --crs and every --<layer>-crs with PROJ before any file is read."""
    import pyproj

    problems = []
    for option in ("crs", *(f"{kind}_crs" for kind in layer_kinds())):
        value = getattr(args, option, None)
        if value is None:
            continue
        flag = "--" + option.replace("_", "-")
        try:
            crs = pyproj.CRS.from_user_input(value)
        except pyproj.exceptions.CRSError as exc:
            reason = str(exc).rpartition("proj_create: ")[2].rstrip(")") or str(exc)
            problems.append(
                f"{flag} {value}: not a CRS PROJ knows ({reason}); give an EPSG code, "
                "e.g. EPSG:32618 (UTM 18N) or EPSG:26985 (Maryland State Plane, metres)"
            )
            continue
        unit = crs.axis_info[0].unit_name if crs.axis_info else ""
        if option == "crs" and not (crs.is_projected and unit in ("metre", "meter")):
            problems.append(
                f"--crs {value}: is not a projected CRS in metres ({crs.name}); give one "
                "such as EPSG:32618 (UTM 18N), or leave --crs out to use the data's UTM zone"
            )
    return problems


def _boundary_problems(path: Path) -> list[str]:
    """Check that the boundary file opens and that its coordinates fit its CRS."""
    import geopandas as gpd
    import pyogrio

    try:
        frame = gpd.read_file(path)
    except (OSError, ValueError, RuntimeError, pyogrio.errors.DataSourceError) as exc:
        return [f"--boundary {path}: cannot be read as a GIS file ({shorten(str(exc))}); "
                "give a GeoJSON, GeoPackage or Shapefile with the study area polygon"]  # fmt: skip
    if frame.empty or frame.geometry.isna().all():
        return [f"--boundary {path}: has no geometry; give a file with the study area polygon"]
    if frame.crs is not None and frame.crs.is_projected:
        return []
    west, south, east, north = frame.total_bounds
    if west >= -180 and south >= -90 and east <= 180 and north <= 90:
        return []
    crs = "no CRS" if frame.crs is None else f"CRS {frame.crs.to_string()}"
    return [
        f"--boundary {path}: coordinates reach x={east:.6g}, y={north:.6g}, which are not "
        f"longitude/latitude, but the file has {crs} (a GeoJSON without a `crs` member is "
        "read as lon/lat); reproject it to lon/lat (e.g. "
        f"`ogr2ogr -t_srs EPSG:4326 boundary_wgs84.geojson {path.name}`) or save it as "
        "a GeoPackage, which records its CRS"
    ]


def shorten(text: str, width: int = 200) -> str:
    """Return `text` on one line, cut to `width` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"
