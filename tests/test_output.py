"""The output folder: the lock, the all-at-once swap, and what kills and Ctrl-C leave behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hotspots import _output, datasets
from hotspots._errors import ValidationError
from hotspots._output import OutputBusyError, output_folder, recover

RUN_FILES = {
    "map.html",
    "hotspots.gpkg",
    "hotspots.csv",
    "bursts.csv",
    "recommendations.csv",
    "rejected.csv",
    "report.md",
    "run.json",
}
USER_FILE = "my notes.txt"


# =========================================================================================
# the API on tiny files
# =========================================================================================


def _previous(out: Path) -> dict[str, str]:
    """A previous run's files plus a user's file in `out`; return its contents."""
    out.mkdir(parents=True)
    content = {"a.txt": "old a", "b.txt": "old b", "c.txt": "old c", USER_FILE: "mine"}
    for name, text in content.items():
        (out / name).write_text(text)
    return content


def _contents(out: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in out.iterdir()}


def _no_leftovers(out: Path) -> None:
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".")) == []


def test_files_move_in_together_and_other_files_stay(tmp_path: Path) -> None:
    out = tmp_path / "results"
    _previous(out)
    with output_folder(out) as run:
        assert run.staging.parent == tmp_path and run.staging.name.startswith(".results.")
        assert (tmp_path / ".results.hotspots-lock").exists()
        (run.staging / "a.txt").write_text("new a")
        (run.staging / "d.txt").write_text("new d")
        assert (out / "a.txt").read_text() == "old a"  # nothing moves before the end
    assert run.written == ["a.txt", "d.txt"] and run.replaced == ["a.txt"]
    assert _contents(out) == {"a.txt": "new a", "b.txt": "old b", "c.txt": "old c",
                              "d.txt": "new d", USER_FILE: "mine"}  # fmt: skip
    _no_leftovers(out)


def test_a_failed_run_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "results"
    before = _previous(out)
    with pytest.raises(OSError, match="disk full"), output_folder(out) as run:
        (run.staging / "a.txt").write_text("half")
        raise OSError("disk full")
    assert _contents(out) == before
    _no_leftovers(out)


def test_a_new_folder_is_created_only_at_the_end(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "results"
    with pytest.raises(KeyboardInterrupt), output_folder(out) as run:
        (run.staging / "a.txt").write_text("x")
        raise KeyboardInterrupt
    assert not out.exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("x"), "exists and is not a folder"),
        (lambda p: (p.parent / "file").write_text("x"), "is a file"),
    ],
)
def test_impossible_folders_are_refused(tmp_path: Path, make, message: str) -> None:
    target = tmp_path / "out"
    make(target)
    path = target if message.startswith("exists") else tmp_path / "file" / "out"
    with pytest.raises(ValidationError, match=message), output_folder(path):
        pass


def test_an_unwritable_place_is_refused_before_anything_is_written() -> None:
    with pytest.raises(ValidationError, match="cannot write in /proc"):
        _output.check_folder("/proc/hotspots-out")


def test_a_second_run_waits_then_fails_with_the_lock_message(tmp_path: Path) -> None:
    out = tmp_path / "results"
    with output_folder(out) as first:
        (first.staging / "a.txt").write_text("first")
        start = time.monotonic()
        busy = pytest.raises(OutputBusyError, match="another hotspots run is writing")
        with busy, output_folder(out, wait_s=0.5):
            pass  # pragma: no cover
        assert time.monotonic() - start >= 0.5
    assert _contents(out) == {"a.txt": "first"}


def test_a_waiting_run_goes_on_when_the_first_finishes(tmp_path: Path) -> None:
    out = tmp_path / "results"
    order = []

    def second() -> None:
        with output_folder(out, wait_s=10) as run:
            order.append("second")
            (run.staging / "a.txt").write_text("second")

    with output_folder(out) as first:
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        order.append("first")
        (first.staging / "a.txt").write_text("first")
    thread.join(10)
    assert order == ["first", "second"] and _contents(out) == {"a.txt": "second"}
    _no_leftovers(out)


def test_staging_folders_of_dead_runs_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "results"
    dead = tmp_path / ".results.hotspots-tmp-999999-dead"
    dead.mkdir()
    (dead / "map.html").write_text("half")
    other = tmp_path / ".other.hotspots-tmp-1-x"  # another output folder's: not ours
    other.mkdir()
    with output_folder(out) as run:
        (run.staging / "a.txt").write_text("x")
    assert not dead.exists() and other.exists()


def _crash_child(out: Path, crash_at: int) -> None:
    """In a forked child: run a swap and die (as SIGKILL would) at the crash_at-th rename."""
    calls = 0
    real_replace = os.replace

    def dying_replace(src: object, dst: object) -> None:
        nonlocal calls
        if calls == crash_at:
            os._exit(9)
        calls += 1
        real_replace(src, dst)

    os.replace = dying_replace  # type: ignore[assignment]
    with output_folder(out) as run:
        for name in ("a.txt", "b.txt", "d.txt"):
            (run.staging / name).write_text(f"new {name[0]}")
    os._exit(0)


@pytest.mark.parametrize("crash_at", range(5))
def test_a_kill_at_any_rename_of_the_swap_leaves_old_or_new(tmp_path: Path, crash_at: int) -> None:
    # rename 0 puts the journal in place (the commit point), renames 1-3 move the files,
    # rename 4 never comes: the child finishes
    out = tmp_path / "results"
    old = _previous(out)
    new = {**old, "a.txt": "new a", "b.txt": "new b", "d.txt": "new d"}
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            _crash_child(out, crash_at)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == (9 if crash_at < 4 else 0)
    journal = tmp_path / ".results.hotspots-journal"
    if crash_at == 0:
        assert not journal.exists() and _contents(out) == old  # before the commit point
    elif crash_at < 4:
        assert journal.exists()  # half-done: marked, and finished by the next run
    assert recover(out) == (0 < crash_at < 4)
    assert _contents(out) == (old if crash_at == 0 else new)
    _no_leftovers(out)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_just_before_the_commit_point_cancels_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    out = tmp_path / "results"
    old = _previous(out)
    calls = []
    fsync_file = _output._fsync_file

    def fsync_then_signal(path: Path) -> None:  # the signal lands while files are flushed
        fsync_file(path)
        if not calls:
            calls.append(path)
            os.kill(os.getpid(), signum)

    monkeypatch.setattr(_output, "_fsync_file", fsync_then_signal)
    monkeypatch.setattr(signal, "raise_signal", lambda s: calls.append(s))  # no delivery
    with pytest.raises(KeyboardInterrupt), output_folder(out) as run:
        (run.staging / "a.txt").write_text("new a")
    assert calls[1:] == [signum]  # held back, then delivered after the block
    assert _contents(out) == old
    _no_leftovers(out)


def test_a_ctrl_c_during_the_move_waits_for_the_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "results"
    _previous(out)
    replace = os.replace
    sent = []

    def replace_then_ctrl_c(src: Path, dst: Path) -> None:
        replace(src, dst)
        if not sent:  # right after the journal is in place
            sent.append(1)
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(os, "replace", replace_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt), output_folder(out) as run:
        for name in ("a.txt", "b.txt"):
            (run.staging / name).write_text(f"new {name[0]}")
    monkeypatch.undo()
    assert run.committed and (out / "a.txt").read_text() == "new a"
    assert (out / "b.txt").read_text() == "new b"
    _no_leftovers(out)


# =========================================================================================
# the command, killed
# =========================================================================================


def _args(out: Path, name: str) -> list[str]:
    paths = datasets.paths("scene")
    args = [sys.executable, "-m", "hotspots", "-q", "analyze", "--tz", "Europe/London"]
    for kind in ("incidents", "concerns", "lights", "stops", "obstructions", "boundary"):
        args += [f"--{kind}", str(paths[kind])]
    return [*args, "--name", name, "--out", str(out)]


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], float]:
    """A finished run named PREVIOUS plus a user's file; the files and the run's seconds."""
    out = tmp_path_factory.mktemp("previous") / "out"
    start = time.monotonic()
    proc = subprocess.run(_args(out, "PREVIOUS"), capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr
    (out / USER_FILE).write_text("the user's own file")
    return _snapshot(out), seconds


def _which_run(out: Path, previous: dict[str, bytes]) -> str:
    """'previous' or 'new' when `out` holds exactly one of them (plus the user's file)."""
    files = _snapshot(out)
    if files == previous:
        return "previous"
    assert set(files) == RUN_FILES | {USER_FILE}, sorted(files)
    assert files[USER_FILE] == previous[USER_FILE]
    assert json.loads(files["run.json"])["study"] == "NEW"
    assert files["report.md"].startswith(b"# NEW\n")
    assert b"NEW" in files["map.html"] and b"PREVIOUS" not in files["map.html"]
    assert all(files[name] != previous[name] for name in ("report.md", "run.json", "map.html"))
    return "new"


def _start_into_copy(previous: dict[str, bytes], tmp_path: Path) -> tuple[Path, subprocess.Popen]:
    out = tmp_path / "out"
    out.mkdir()
    for name, data in previous.items():
        (out / name).write_bytes(data)
    proc = subprocess.Popen(
        _args(out, "NEW"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return out, proc


@pytest.mark.slow
@pytest.mark.parametrize("fraction", [0.15, 0.4, 0.65, 0.85, 0.95])
def test_sigkill_leaves_the_previous_run_or_the_new_one(
    previous: tuple[dict[str, bytes], float], tmp_path: Path, fraction: float
) -> None:
    files, seconds = previous
    out, proc = _start_into_copy(files, tmp_path)
    time.sleep(seconds * fraction)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    recover(out)  # what the next run does first (a no-op unless killed mid-swap)
    assert _which_run(out, files) in ("previous", "new")
    _no_leftovers(out)


@pytest.mark.slow
@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.4, 0.6, 0.8])
def test_ctrl_c_exits_130_and_leaves_the_previous_run(
    previous: tuple[dict[str, bytes], float], tmp_path: Path, fraction: float
) -> None:
    files, seconds = previous
    out, proc = _start_into_copy(files, tmp_path)
    time.sleep(seconds * fraction)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    if proc.returncode == 0:  # pragma: no cover - the run finished before the signal
        assert _which_run(out, files) == "new"
        return
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert "Exception ignored" not in stderr and "Traceback" not in stderr, stderr
    assert _which_run(out, files) == "previous"
    _no_leftovers(out)


def _tiny_incidents(tmp_path: Path) -> Path:
    lines = datasets.paths("scene")["incidents"].read_text(encoding="utf-8").splitlines()
    path = tmp_path / "incidents.csv"
    path.write_text("\n".join(lines[:300]) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_ten_pairs_of_runs_into_one_folder_never_mix(tmp_path: Path) -> None:
    incidents = _tiny_incidents(tmp_path)

    def one(out: Path, name: str, wait: str) -> tuple[int, str]:
        args = [sys.executable, "-m", "hotspots", "-q", "analyze", "--incidents", str(incidents),
                "--tz", "Europe/London", "--name", name, "--wait", wait,
                "--out", str(out)]  # fmt: skip
        proc = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
        return proc.returncode, proc.stderr

    for pair in range(10):
        out = tmp_path / f"pair{pair}" / "out"
        wait = "60" if pair < 3 else "0"  # three pairs queue, seven race for the lock
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(one, (out, out), ("A", "B"), (wait, wait)))
        for code, stderr in results:
            assert code in (0, 2), stderr
            if code == 2:
                assert "another hotspots run is writing to this folder" in stderr
        assert any(code == 0 for code, _ in results)
        if wait == "60":
            assert [code for code, _ in results] == [0, 0]
        files = _snapshot(out)
        assert set(files) == RUN_FILES
        name = json.loads(files["run.json"])["study"]
        assert files["report.md"].startswith(f"# {name}\n".encode())
        assert f">{name}<".encode() in files["map.html"] or name.encode() in files["map.html"]
        _no_leftovers(out)
    shutil.rmtree(tmp_path / "pair0")
