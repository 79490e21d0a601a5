"""The raw folder as a set of files: walk it, fingerprint each file, read what changed.

No Dagster and no DuckDB here, so the sensor (which must be cheap) and the ingest asset share the
same idea of "what is in the folder".

The raw folder is a boundary: nothing outside it is ever opened. A symlink whose target lies outside
is listed with the reason and not followed; a symlink to a file or folder inside is followed once
(a folder already walked is not walked again, so link loops end). Anything that is not a regular
file (a FIFO, a socket, a device) is listed and never opened: opening a FIFO would block the run.
A file above the size limit is listed and not read, so one huge file cannot exhaust memory.
"""

from __future__ import annotations

import hashlib
import os
import stat as stat_mod
from dataclasses import dataclass
from pathlib import Path

ENV_MAX_FILE_MB = "OGI_MAX_FILE_MB"
DEFAULT_MAX_FILE_MB = 256  # a published report is at most tens of MB, even a scanned PDF


def max_file_bytes() -> int:
    """The size above which a file is rejected unread (OGI_MAX_FILE_MB, in MiB)."""
    configured = os.environ.get(ENV_MAX_FILE_MB)
    try:
        mb = float(configured) if configured else DEFAULT_MAX_FILE_MB
    except ValueError:
        mb = DEFAULT_MAX_FILE_MB
    return int(mb * 1024 * 1024)


# Why a listed file is never opened; raw.report_files.read_error_code (with `unreadable` for a file
# that was opened and failed) and marts.rejected_files use the same codes.
REJECT_CODES = ("outside_raw_folder", "not_a_file", "too_large", "folder_unlistable")


@dataclass(frozen=True)
class FileStat:
    """What we can know about a file without reading it."""

    source_file: str  # POSIX path relative to the raw folder
    byte_size: int
    mtime_ns: int
    rejected: str | None = None  # why the file is listed but never opened (None: a file to read)
    reject_code: str | None = None  # one of REJECT_CODES when rejected


def _kind(mode: int) -> str:
    if stat_mod.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat_mod.S_ISSOCK(mode):
        return "a socket"
    if stat_mod.S_ISCHR(mode) or stat_mod.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def scan(raw_dir: Path) -> list[FileStat]:
    """Every file under raw_dir, recursively, sorted by relative path; see the module docstring.

    Hidden files and folders (".git", ".DS_Store") are skipped: they are tooling, not reports.
    """
    root = os.path.realpath(raw_dir)
    limit = max_file_bytes()
    found: list[FileStat] = []
    walked: set[str] = set()
    pending: list[tuple[Path, str]] = [(Path(raw_dir), "")]  # (folder on disk, its path relative to raw_dir)
    while pending:
        folder, rel_folder = pending.pop()
        real_folder = os.path.realpath(folder)
        if real_folder in walked:
            continue  # reached again through a link: walked once already
        walked.add(real_folder)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            found.append(FileStat(rel_folder or ".", -1, -1, f"cannot list folder: {exc.strerror or exc}", "folder_unlistable"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
            found.extend(_stat_entry(Path(entry.path), rel, root, limit, pending))
    found.sort(key=lambda f: f.source_file)
    return found


def _stat_entry(path: Path, rel: str, root: str, limit: int, pending: list) -> list[FileStat]:
    try:
        lst = path.lstat()
    except OSError:
        return [FileStat(rel, -1, -1)]  # removed mid-scan: the ingest step records why it cannot be read
    if stat_mod.S_ISLNK(lst.st_mode):
        target = os.path.realpath(path)
        if not _inside(target, root):
            return [FileStat(rel, -1, lst.st_mtime_ns, "symlink to a target outside the raw folder: not followed",
                             "outside_raw_folder")]
        try:
            st = path.stat()
        except OSError:
            # A dangling link inside the folder: accounted for, with size -1, so the ingest step
            # records why it could not be read.
            return [FileStat(rel, -1, -1)]
    else:
        st = lst
    if stat_mod.S_ISDIR(st.st_mode):
        pending.append((path, rel))
        return []
    if not stat_mod.S_ISREG(st.st_mode):
        return [FileStat(rel, -1, st.st_mtime_ns, f"{_kind(st.st_mode)}, not a file: never opened", "not_a_file")]
    if st.st_size > limit:
        return [FileStat(rel, st.st_size, st.st_mtime_ns,
                         f"{st.st_size} bytes, above the {limit} byte limit ({ENV_MAX_FILE_MB}): not read", "too_large")]
    return [FileStat(rel, st.st_size, st.st_mtime_ns)]


def fingerprint(stats: list[FileStat]) -> str:
    """One hash over names, sizes and mtimes: the sensor's cursor. Changes when any file is added,
    removed, resized or touched, without reading file contents."""
    h = hashlib.sha256()
    for s in stats:
        h.update(f"{s.source_file}\0{s.byte_size}\0{s.mtime_ns}\n".encode())
    return h.hexdigest()


def read_and_hash(path: Path) -> tuple[bytes, str]:
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest()
