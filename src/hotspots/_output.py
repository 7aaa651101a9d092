"""Write a run's files into an output folder all at once, one run at a time.

:func:`output_folder` is a context manager around one run: it yields a staging folder to
write every file into, and when the block ends without an error it moves those files into
the output folder as one step. Used by ``hotspots analyze`` / ``hotspots demo``::

    with output_folder("results", wait_s=30) as run:
        make_map(...).save(run.staging / "map.html")
        write_report(..., run.staging)
    print(run.replaced)  # names of the previous run's files that were replaced

What a run owns
    Exactly the files it writes. Any other file in the output folder (the user's notes, a
    previous ``assessment.csv``...) is never touched, so the output folder may be shared.

Where things live (for ``--out /data/results``), all beside the folder, in its parent:
    ``/data/.results.hotspots-lock``
        the lock file (``fcntl.flock``); it exists only while a run holds it;
    ``/data/.results.hotspots-tmp-<pid>-<random>/``
        the staging folder of a run in progress;
    ``/data/.results.hotspots-journal``
        the swap journal: present only while a finished run's files are being moved in.
The staging folder sits on the same file system as the output folder, so every move is an
``os.replace`` (a rename: atomic, no copying). When the output folder is itself a mount
point, the staging folder goes inside it (``results/.hotspots-tmp-...``) instead.

The lock
    Before anything else a run takes an exclusive ``flock`` on the lock file, waiting up to
    `wait_s` seconds; after that it fails with :class:`OutputBusyError` naming the folder.
    The lock is held for the whole run (analysis included), so two runs into one folder
    never interleave, and a run that would have to wait learns so before its analysis. The
    kernel drops the lock when its process dies, so a killed run never blocks the next
    one. The lock file is removed on release; a run that locked a lock file which has
    meanwhile been removed (``fstat`` and ``stat`` disagree) retries with the new one.

The swap, and why a kill at any moment leaves the previous run or the new one
    1. Every file is written into the staging folder, flushed and ``fsync``-ed. A failure,
       an interrupt or a kill here leaves the output folder exactly as it was; the staging
       folder of a dead run is deleted by the next run (it holds the lock, so no live run
       can own another staging folder of the same output folder).
    2. Commit point: the journal (staging folder and file names) is written to a temporary
       file, ``fsync``-ed and renamed into place. Before this rename the previous run is
       the folder's content; after it the new run is, even if not all of it has been
       moved yet.
    3. Each staged file is moved into the output folder with ``os.replace``, which
       replaces the previous run's file of the same name.
    4. The output folder is ``fsync``-ed, the journal removed, the staging folder removed.
    A kill during steps 3-4 leaves the journal behind. Every run (before its analysis,
    under the lock) and :func:`recover` first finish such a half-done swap by repeating
    step 3 for the files still in the staging folder, which is safe to repeat: a file is
    either still staged (move it) or already in place (nothing to do). So after a kill
    at any moment, once the journal has been replayed, the output folder holds exactly
    the previous run's files or exactly the new run's files, never a mix. Steps 2-4 take
    milliseconds (plus the ``fsync`` of the staged files just before), during which SIGINT
    and SIGTERM are recorded by a temporary handler and delivered after; one received
    before the commit point cancels the commit instead (the folder stays as it was).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hotspots._errors import HotspotsError, ValidationError

__all__ = ["OutputBusyError", "OutputRun", "check_folder", "output_folder", "recover"]

log = logging.getLogger(__name__)

_LOCK = ".{name}.hotspots-lock"
_JOURNAL = ".{name}.hotspots-journal"
_TMP_PREFIX = ".{name}.hotspots-tmp-"
_INNER_TMP_PREFIX = ".hotspots-tmp-"
_POLL_S = 0.1
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class OutputBusyError(HotspotsError):
    """Another run holds the output folder for longer than the caller would wait."""


@dataclass
class OutputRun:
    """One run's hold on an output folder.

    Attributes
    ----------
    folder : Path
        The output folder (absolute); created at commit if missing.
    staging : Path
        Where the run writes its files; moved into `folder` when the block ends.
    written : list of str
        After commit: names of the files moved into `folder`, sorted.
    replaced : list of str
        After commit: those of `written` that replaced a previous run's file.
    committed : bool
        Whether the files are in place.
    """

    folder: Path
    staging: Path
    written: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    committed: bool = False


def check_folder(path: str | Path, *, option: str = "--out") -> Path:
    """Check that `path` can be the output folder, without creating anything.

    Parameters
    ----------
    path : str or Path
        The output folder; it may not exist yet.
    option : str
        How the caller names the folder in messages (``"--out"``, ``"out_dir"``).

    Returns
    -------
    Path
        The absolute folder (symbolic links resolved).

    Raises
    ------
    ValidationError
        When `path` is a file, is the root, or cannot be created or written, with the fix.

    Examples
    --------
    >>> import tempfile
    >>> check_folder(tempfile.mkdtemp()).is_absolute()
    True
    """
    folder = Path(path).expanduser().resolve()
    if folder.parent == folder:
        raise ValidationError(f"{option} {path}: cannot be the root folder; give a folder in it")
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"{option} {path}: exists and is not a folder; give a folder")
    ancestor = folder.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ValidationError(
            f"{option} {path}: cannot be created because {ancestor} is a file; give another path"
        )
    for place in (folder.parent, folder) if folder.exists() else (ancestor,):
        try:  # try it: os.access says yes to root on a read-only or virtual file system
            with tempfile.TemporaryFile(dir=place):
                pass
        except OSError as exc:
            raise ValidationError(
                f"{option} {path}: cannot write in {place} ({exc.strerror}); give a folder "
                "you can write to"
            ) from None
    return folder


@contextlib.contextmanager
def output_folder(path: str | Path, *, wait_s: float = 30.0) -> Iterator[OutputRun]:
    """Lock output folder `path`, yield a staging folder, and move its files in on success.

    See the module docstring for the lock, the swap and what a kill leaves behind.

    Parameters
    ----------
    path : str or Path
        The output folder. Files in it that the run does not write are left alone.
    wait_s : float
        Seconds to wait for another run into the same folder to finish; 0 fails at once.

    Yields
    ------
    OutputRun
        Write every file into ``run.staging``; after the block, ``run.written`` and
        ``run.replaced`` list the files moved in and those that replaced older ones.

    Raises
    ------
    ValidationError
        When `path` cannot be an output folder (see :func:`check_folder`).
    OutputBusyError
        When another run still holds the folder after `wait_s` seconds.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "results"
    >>> with output_folder(out) as run:
    ...     _ = (run.staging / "a.txt").write_text("new")
    >>> run.written, run.replaced, (out / "a.txt").read_text()
    (['a.txt'], [], 'new')
    """
    folder = check_folder(path)
    if wait_s < 0:
        raise ValidationError(f"`wait_s` must be >= 0 seconds, got {wait_s}")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(
            f"--out {path}: cannot create {folder.parent} ({exc.strerror}); give another folder"
        ) from exc
    with _locked(folder, wait_s):
        _recover(folder)
        _remove_stale_staging(folder)
        run = OutputRun(folder=folder, staging=_make_staging(folder))
        try:
            yield run
            _commit(run)
        finally:
            if not run.committed:
                shutil.rmtree(run.staging, ignore_errors=True)


def recover(path: str | Path, *, wait_s: float = 30.0) -> bool:
    """Finish a swap into output folder `path` that a killed run left half done.

    Every run does this first; call it to repair a folder without starting a run.

    Parameters
    ----------
    path : str or Path
        The output folder.
    wait_s : float
        Seconds to wait for a run that holds the folder.

    Returns
    -------
    bool
        Whether there was a half-done swap to finish.

    Examples
    --------
    >>> import tempfile
    >>> recover(Path(tempfile.mkdtemp()) / "results")
    False
    """
    folder = check_folder(path)
    if not folder.parent.is_dir():
        return False
    with _locked(folder, wait_s):
        found = _recover(folder)
        _remove_stale_staging(folder)
    return found


# =========================================================================================
# lock
# =========================================================================================


@contextlib.contextmanager
def _locked(folder: Path, wait_s: float) -> Iterator[None]:
    """Hold the exclusive lock of `folder`, waiting up to `wait_s` seconds for it."""
    lock_path = folder.parent / _LOCK.format(name=folder.name)
    deadline = time.monotonic() + wait_s
    waited = False
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise OutputBusyError(
                    f"--out {folder}: another hotspots run is writing to this folder "
                    f"(lock {lock_path}; waited {wait_s:g} s); wait for it to finish, give "
                    "another --out, or wait longer with --wait SECONDS"
                ) from None
            if not waited:
                log.warning("waiting up to %g s for another run writing to %s", wait_s, folder)
                waited = True
            time.sleep(_POLL_S)
            continue
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock_path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed this lock file as we locked it: take the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock_path)
        os.close(fd)


# =========================================================================================
# staging, commit, recovery
# =========================================================================================


def _staging_parent(folder: Path) -> tuple[Path, str]:
    """Return where staging folders go and their name prefix (same file system as `folder`)."""
    if folder.is_dir() and os.stat(folder).st_dev != os.stat(folder.parent).st_dev:
        return folder, _INNER_TMP_PREFIX  # a mount point: renames from beside it would fail
    return folder.parent, _TMP_PREFIX.format(name=folder.name)


def _make_staging(folder: Path) -> Path:
    parent, prefix = _staging_parent(folder)
    staging = parent / f"{prefix}{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    return staging


def _remove_stale_staging(folder: Path) -> None:
    """Delete the staging folders of dead runs (the caller holds the lock)."""
    places = [(folder.parent, _TMP_PREFIX.format(name=folder.name))]
    if folder.is_dir():
        places.append((folder, _INNER_TMP_PREFIX))
    for parent, prefix in places:
        for stale in parent.glob(f"{_glob_escape(prefix)}*"):
            if stale.is_dir() and not stale.is_symlink():
                log.info("removing %s, left by a run that did not finish", stale)
                shutil.rmtree(stale, ignore_errors=True)


def _glob_escape(text: str) -> str:
    """Escape the glob characters ``* ? [`` in `text`."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


@contextlib.contextmanager
def _signals_held() -> Iterator[list[int]]:
    """Record SIGINT and SIGTERM instead of acting on them; deliver them when the block ends.

    Yields the list of signals received so far. Only the main thread (where Python runs
    signal handlers) can hold them; ``pthread_sigmask`` would not do, as the kernel then
    hands a process-wide signal to another thread and Python still runs the handler.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def hold(signum: int, frame: object) -> None:
        del frame
        received.append(signum)

    previous = {s: signal.signal(s, hold) for s in _HELD_SIGNALS}
    try:
        yield received
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        for s in dict.fromkeys(received):
            signal.raise_signal(s)  # to the handler the caller had (Ctrl-C: KeyboardInterrupt)


def _commit(run: OutputRun) -> None:
    """Move the staged files into the output folder through the journal (see module doc)."""
    names = sorted(p.name for p in run.staging.iterdir())
    replaced: list[str] = []
    with _signals_held() as received:
        for name in names:
            _fsync_file(run.staging / name)
        _fsync_dir(run.staging)
        # a Ctrl-C before the commit point cancels it: nothing moves, and the held-back
        # signal raises KeyboardInterrupt as the block ends
        if not received:
            run.folder.mkdir(exist_ok=True)
            replaced = [n for n in names if (run.folder / n).exists()]
            _write_journal(run.folder, run.staging, names)  # the commit point
            _replay(run.folder, run.staging, names)
            run.committed = True
            run.written, run.replaced = names, replaced
            log.info(
                "output: %d files in %s%s", len(names), run.folder,
                f"; replaced the previous {', '.join(replaced)}" if replaced else "",
            )  # fmt: skip
    if not run.committed:  # the held-back signal did not raise on delivery: raise it here
        raise KeyboardInterrupt


def _journal_path(folder: Path) -> Path:
    return folder.parent / _JOURNAL.format(name=folder.name)


def _write_journal(folder: Path, staging: Path, names: list[str]) -> None:
    journal = _journal_path(folder)
    tmp = journal.with_name(journal.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"staging": str(staging), "files": names}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, journal)
    _fsync_dir(journal.parent)


def _replay(folder: Path, staging: Path, names: list[str]) -> None:
    """Move every file still staged into `folder`; drop the journal and staging folder."""
    for name in names:
        with contextlib.suppress(FileNotFoundError):  # moved before a kill: already in place
            os.replace(staging / name, folder / name)
    _fsync_dir(folder)
    _journal_path(folder).unlink()
    _fsync_dir(folder.parent)
    shutil.rmtree(staging, ignore_errors=True)


def _recover(folder: Path) -> bool:
    """Finish a half-done swap recorded in the journal of `folder`; return whether one was."""
    journal = _journal_path(folder)
    with contextlib.suppress(FileNotFoundError):
        journal.with_name(journal.name + ".tmp").unlink()  # before the commit point: void
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    staging = Path(record["staging"])
    names = [str(n) for n in record["files"]]
    if Path(os.path.normpath(staging)).parent not in (folder.parent, folder) or any(
        Path(n).name != n for n in names
    ):
        raise ValidationError(
            f"{journal} does not describe a swap into {folder}; remove it by hand and rerun"
        )
    log.warning(
        "finishing the swap of a run into %s that was stopped while moving its files", folder
    )
    folder.mkdir(exist_ok=True)
    _replay(folder, staging, names)
    return True


def _fsync_file(path: Path) -> None:
    if path.is_file():
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:  # pragma: no cover - platforms that cannot open folders
        if exc.errno in (errno.EACCES, errno.EISDIR):
            return
        raise
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
