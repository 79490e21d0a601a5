"""A build writes into a working copy of the warehouse and swaps it in when the run has succeeded.

Why: a run can be killed at any moment (a scheduler's timeout, an out-of-memory killer, a laptop lid),
and analysts keep notebooks and BI tools open on the warehouse. Writing the live file in place would
leave a half-built warehouse after a kill, and DuckDB admits no writer while any other process holds
the file, even read-only. So every run:

1. takes the build lock (one build per warehouse at a time; a second one fails with a clear error);
2. discards what a killed run left, and when a step first has something to write, copies the live
   file to `.<name>.building` beside it (a run with nothing to write copies nothing);
3. lets every step (ingest, parse, dbt, checks, exports) write the working copy only;
4. at the end, if no step failed: checkpoints the copy and renames it over the live file, one
   atomic rename. A reader that had the old file open keeps reading the old version; the next
   connection sees the new one. If a step failed, the working copy is dropped: the live warehouse
   stays as the last good run left it.

The copy costs one sequential read and write of the file per run that writes (seconds per GB), the price of a
warehouse that is never half-written. No Dagster here: the resource in defs/resources.py calls these.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import duckdb

from dagster_project.settings import duckdb_config


class BuildLocked(RuntimeError):
    """Another build holds this warehouse's build lock."""


def working_path(live: Path) -> Path:
    return live.with_name(f".{live.name}.building")


def lock_path(live: Path) -> Path:
    return live.with_name(f".{live.name}.lock")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def acquire_lock(live: Path) -> int:
    """The build lock, as an open file descriptor (release with release_lock); raises BuildLocked."""
    live.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(live), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise BuildLocked(f"another build of {live} is running (lock {lock_path(live)})") from None
    return fd


def release_lock(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def begin(live: Path) -> Path:
    """A fresh working copy of the live warehouse (empty when there is none yet); returns its path."""
    work = working_path(live)
    _remove(work, _wal(work))  # a killed run's leftovers: its changes are discarded, not resumed
    if live.exists():
        tmp = work.with_name(work.name + ".tmp")
        _remove(tmp, _wal(tmp))
        shutil.copyfile(live, tmp)
        if _wal(live).exists():  # the last writer did not checkpoint: the WAL is part of the state
            shutil.copyfile(_wal(live), _wal(tmp))
            os.replace(_wal(tmp), _wal(work))
        os.replace(tmp, work)
    return work


def publish(live: Path) -> None:
    """Checkpoint the working copy and rename it over the live file (atomic on one file system)."""
    work = working_path(live)
    if not work.exists():
        return
    con = duckdb.connect(str(work), config=duckdb_config())
    try:
        con.execute("checkpoint")  # everything in the main file: no WAL to move alongside
    finally:
        con.close()
    fd = os.open(work, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    _remove(_wal(live))  # a stale WAL of the old file must not be replayed into the new one
    os.replace(work, live)
    _remove(_wal(work))


def discard(live: Path) -> None:
    """Drop the working copy (a failed run): the live warehouse is left as it was."""
    work = working_path(live)
    _remove(work, _wal(work))
