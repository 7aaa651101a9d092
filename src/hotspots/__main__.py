"""``python -m hotspots``: the same as the ``hotspots`` command."""

from hotspots.cli import main

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
