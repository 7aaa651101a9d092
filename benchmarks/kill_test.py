"""Kill ``hotspots analyze`` at several moments of a city-scale run; report what is left.

Writes a previous run (named PREVIOUS) into a folder beside a user's file, then for each
kill point copies that folder, starts a new run (named NEW) into the copy and sends SIGKILL
or SIGINT after the given fraction of the measured run time. Afterwards it finishes any
half-done swap (as the next run would, :func:`hotspots._output.recover`) and checks that
the folder holds exactly the previous run or exactly the new one, and the user's file.

Generate the data first (about 25 s)::

    python /work/shared/tools/realistic_city.py /tmp/city1m --incidents 1000000
    PYTHONPATH=src python benchmarks/kill_test.py /tmp/city1m

Prints one line per kill point and exits 1 if any folder was mixed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hotspots._output import recover

RUN_FILES = {"map.html", "hotspots.gpkg", "hotspots.csv", "recommendations.csv",
             "rejected.csv", "report.md", "run.json"}  # fmt: skip
USER_FILE = "notes.txt"
POINTS = [("SIGKILL", f) for f in (0.2, 0.5, 0.8, 0.9, 0.97, 0.99)] + [
    ("SIGINT", f) for f in (0.02, 0.05, 0.3, 0.7, 0.95)
]


def _command(city: Path, out: Path, name: str) -> list[str]:
    return [sys.executable, "-m", "hotspots", "-q", "analyze", "--tz", "America/New_York",
            "--incidents", str(city / "incidents.csv"), "--concerns", str(city / "concerns.csv"),
            "--lights", str(city / "lights.csv"), "--stops", str(city / "stops.geojson"),
            "--obstructions", str(city / "obstructions.gpkg"), "--name", name,
            "--out", str(out)]  # fmt: skip


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir()}


def _verdict(out: Path, previous: dict[str, bytes]) -> str:
    files = _snapshot(out)
    if files == previous:
        return "previous"
    if files.get(USER_FILE) != previous[USER_FILE]:
        return "MIXED: the user's file changed"
    if set(files) != RUN_FILES | {USER_FILE}:
        return f"MIXED: files {sorted(files)}"
    names = {
        json.loads(files["run.json"])["study"],
        files["report.md"].split(b"\n", 1)[0].decode()[2:],
        "NEW" if b"NEW" in files["map.html"] and b"PREVIOUS" not in files["map.html"] else "?",
    }
    return "new" if names == {"NEW"} else f"MIXED: {sorted(names)}"


def main() -> int:
    """Run the kill points and print what each left behind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("city", type=Path, help="folder written by realistic_city.py")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hotspots-kill-"))
    base = work / "previous"
    start = time.monotonic()
    proc = subprocess.run(_command(args.city, base, "PREVIOUS"), capture_output=True, text=True)
    seconds = time.monotonic() - start
    if proc.returncode:
        print(proc.stderr)
        return 1
    (base / USER_FILE).write_text("the user's own file")
    previous = _snapshot(base)
    print(f"previous run: {seconds:.1f} s, {sum(map(len, previous.values())) / 1e6:.1f} MB")
    mixed = 0
    for i, (name, fraction) in enumerate(POINTS):
        out = work / f"kill{i}"
        shutil.copytree(base, out)
        child = subprocess.Popen(_command(args.city, out, "NEW"), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)  # fmt: skip
        time.sleep(seconds * fraction)
        ended_before = child.poll() is not None
        child.send_signal(getattr(signal, name))
        _, err = child.communicate()
        finished = recover(out)
        verdict = _verdict(out, previous)
        mixed += verdict.startswith("MIXED")
        leftovers = sorted(p.name for p in work.iterdir() if p.name.startswith("."))
        print(
            f"{name:<7} at {fraction:4.0%} ({seconds * fraction:5.1f} s): exit "
            f"{child.returncode:>4}, folder = {verdict}"
            + (" (the run had ended before the signal)" if ended_before else "")
            + (", half-done swap finished by recover()" if finished else "")
            + (f", leftovers {leftovers}" if leftovers else "")
            + (f", stderr: {err.strip().splitlines()[-1]}" if err.strip() else "")
        )
        shutil.rmtree(out)
    shutil.rmtree(work)
    print("mixed folders:", mixed)
    return 1 if mixed else 0


if __name__ == "__main__":
    raise SystemExit(main())
