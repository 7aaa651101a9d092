"""Kill ``hotspots analyze`` at several moments of a city-scale run; report what is left.

Writes a previous run (named PREVIOUS) into a folder beside a user's file, then for each
kill point copies that folder, starts a new run (named NEW, with ``-v``) into the copy and
sends SIGKILL or SIGINT either a number of seconds after the start or a delay after the
run logs a given line (the end of a stage, the start of the move into the folder), so the
points fall inside the stages whatever the machine's speed. Afterwards it finishes any
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
import threading
import time
from pathlib import Path

from hotspots._output import recover

RUN_FILES = {"map.html", "hotspots.gpkg", "hotspots.csv", "recommendations.csv",
             "rejected.csv", "report.md", "run.json"}  # fmt: skip
USER_FILE = "notes.txt"
# (signal, log line to wait for or "" for the start, seconds after it)
POINTS = [
    ("SIGKILL", "", 10.0),  # reading the layers
    ("SIGKILL", "stage load:", 1.0),  # scanning
    ("SIGKILL", "stage scan:", 0.5),  # diagnosing
    ("SIGKILL", "stage recommend:", 0.5),  # drawing the map
    ("SIGKILL", "stage map:", 0.3),  # writing the report into the staging folder
    ("SIGKILL", "stage report:", 0.0),  # fsync and the move
    ("SIGKILL", "stage report:", 0.05),
    ("SIGINT", "", 0.7),  # still importing
    ("SIGINT", "", 3.0),  # first seconds: pyproj's log callback
    ("SIGINT", "stage load:", 0.5),
    ("SIGINT", "stage recommend:", 0.5),
    ("SIGINT", "stage map:", 0.3),
    ("SIGINT", "stage report:", 0.0),
]


def _command(city: Path, out: Path, name: str) -> list[str]:
    return [sys.executable, "-m", "hotspots", "-v", "analyze", "--tz", "America/New_York",
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
    print(f"previous run: {seconds:.1f} s, {sum(map(len, previous.values())) / 1e6:.1f} MB",
          flush=True)  # fmt: skip
    mixed = 0
    for i, (name, after, delay) in enumerate(POINTS):
        out = work / f"kill{i}"
        shutil.copytree(base, out)
        child = subprocess.Popen(_command(args.city, out, "NEW"), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)  # fmt: skip
        seen = threading.Event() if after else None
        lines: list[str] = []

        def read(stream=child.stderr, lines=lines, seen=seen, after=after) -> None:
            for line in stream:
                lines.append(line)
                if seen is not None and after in line:
                    seen.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        start = time.monotonic()
        if seen is not None:
            seen.wait()
        time.sleep(delay)
        at = time.monotonic() - start
        ended_before = child.poll() is not None
        child.send_signal(getattr(signal, name))
        child.wait()
        reader.join(5)
        finished = recover(out)
        verdict = _verdict(out, previous)
        mixed += verdict.startswith("MIXED")
        leftovers = sorted(p.name for p in work.iterdir() if p.name.startswith("."))
        last = [ln.strip() for ln in lines if ln.startswith("hotspots:")]
        where = f"{delay:g} s after '{after}'" if after else f"{delay:g} s after start"
        print(
            f"{name:<7} {where:<32} ({at:5.1f} s): exit {child.returncode:>4}, "
            f"folder = {verdict}"
            + (" (the run had ended before the signal)" if ended_before else "")
            + (", half-done swap finished by recover()" if finished else "")
            + (f", leftovers {leftovers}" if leftovers else "")
            + (f"; {last[-1]}" if last else "")
            + (f"; {sum('Exception ignored' in ln for ln in lines)} 'Exception ignored'"
               if any("Exception ignored" in ln for ln in lines) else ""),
            flush=True,
        )  # fmt: skip
        shutil.rmtree(out)
    shutil.rmtree(work)
    print("mixed folders:", mixed)
    return 1 if mixed else 0


if __name__ == "__main__":
    raise SystemExit(main())
