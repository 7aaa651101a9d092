"""The ``hotspots`` command.

``hotspots demo`` runs the main job on the bundled real sample; ``hotspots settings``
prints every threshold with its unit and source as TOML. Exit codes: 0 ok, 2 bad arguments
or unreadable input (the reader's message, no traceback), 1 unexpected failure.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from hotspots._errors import HotspotsError

__all__ = ["main"]

log = logging.getLogger("hotspots.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hotspots",
        description="Find places where trouble keeps coming back, and what to fix there.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more detail")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run on the bundled sample (real downtown DC data)")
    demo.add_argument(
        "--sample", default="dc", choices=["dc", "scene"], help="which bundled sample"
    )
    sub.add_parser("settings", help="print the default settings as TOML")
    return parser


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    if verbose == 0 and not quiet:
        level = logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Examples
    --------
    >>> main(["settings"]) == 0  # doctest: +ELLIPSIS
    # hotspots settings...
    True
    """
    args = _parser().parse_args(argv)
    _configure_logging(args.verbose, args.quiet)
    try:
        if args.command == "settings":
            from hotspots.settings import Settings

            sys.stdout.write(Settings().to_toml())
            return 0
        if args.command == "demo":
            from hotspots import datasets

            study = datasets.load_study(args.sample)
            sys.stdout.write(repr(study) + "\n")
            return 0
    except HotspotsError as exc:
        sys.stderr.write(f"hotspots: error: {exc}\n")
        return 2
    except Exception:  # noqa: BLE001 - the one place an unexpected failure is reported
        log.exception("unexpected failure")
        return 1
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
