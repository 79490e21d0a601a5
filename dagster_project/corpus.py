"""The raw folder as a set of files: walk it, fingerprint each file, read what changed.

No Dagster and no DuckDB here, so the sensor (which must be cheap) and the ingest asset share the
same idea of "what is in the folder".
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileStat:
    """What we can know about a file without reading it."""

    source_file: str  # POSIX path relative to the raw folder
    byte_size: int
    mtime_ns: int


def scan(raw_dir: Path) -> list[FileStat]:
    """Every regular file under raw_dir, recursively, sorted by relative path.

    Hidden files and folders (".git", ".DS_Store") are skipped: they are tooling, not reports.
    Symlinks to files are followed; symlinked folders are not (they can loop).
    """
    found: list[FileStat] = []
    for dirpath, dirnames, filenames in os.walk(raw_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            try:
                st = path.stat()
            except OSError:
                # A dangling link or a file removed mid-scan: still accounted for, with size -1,
                # so the ingest step records why it could not be read.
                st = None
            rel = path.relative_to(raw_dir).as_posix()
            found.append(FileStat(rel, st.st_size if st else -1, st.st_mtime_ns if st else -1))
    found.sort(key=lambda f: f.source_file)
    return found


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
