"""Parquet exports of every mart and a DuckDB snapshot file, for BI tools that must not hold the
live warehouse open (DuckDB admits no writer while any other process has the file open).

Both are swapped in atomically:
- Parquet: each export is written to a fresh version folder beside OGI_EXPORT_DIR, and
  OGI_EXPORT_DIR itself is a symlink that is repointed with one rename. A reader sees the old
  complete export or the new complete export, never a mix. The previous version is kept until the
  next export so a reader that opened it keeps working.
- Snapshot: written to a temporary file and renamed over the old one.
Facts are partitioned by report_year (Hive style: fct_report_metric/report_year=2020/…), rows are
written in a fixed order so an unchanged warehouse exports the same rows in the same order; and when
the marts are unchanged since the current export (same fingerprint), nothing is written at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"
PARTITION_COLUMN = "report_year"
KEEP_VERSIONS = 2


FINGERPRINT_FILE = ".fingerprint"  # inside each export version: what the marts held when it was written


@dataclass
class ExportSummary:
    export_dir: Path
    version_dir: Path
    relations: dict[str, int]  # relation -> rows
    snapshot: Path | None
    reused: bool = False  # the marts are unchanged since the current export: nothing written


def marts_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Row count and an order-independent hash of every row of every mart, in one scan each."""
    h = hashlib.sha256()
    for name, _ in mart_relations(con):
        source = f"{_quote(MARTS_SCHEMA)}.{_quote(name)}"
        count, digest = con.execute(f"select count(*), coalesce(sum(hash(t)), 0) from {source} as t").fetchone()
        h.update(f"{name}\0{count}\0{digest}\n".encode())
    return h.hexdigest()


def current_export_fingerprint(export_dir: Path) -> str | None:
    path = export_dir / FINGERPRINT_FILE
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def mart_relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, bool]]:
    """(name, partitioned?) of every table and view in schema marts, sorted by name."""
    rows = con.execute(
        "select table_name, max(case when column_name = ? then 1 else 0 end) "
        "from information_schema.columns where table_schema = ? group by table_name order by table_name",
        [PARTITION_COLUMN, MARTS_SCHEMA],
    ).fetchall()
    return [(name, bool(has_year) and name.startswith("fct_")) for name, has_year in rows]


def _quote(identifier: str) -> str:
    """Identifiers come from information_schema (our own dbt model names), never from users; quote
    them anyway so a name can never end the statement."""
    return '"' + identifier.replace('"', '""') + '"'


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def export_parquet(con: duckdb.DuckDBPyConnection, export_dir: Path, fingerprint: str | None = None) -> ExportSummary:
    """Write every mart to a new version folder and swap it in; `fingerprint` (marts_fingerprint) is
    stored with it so the next run can tell whether anything changed."""
    export_dir = export_dir.absolute()
    versions = export_dir.parent / f".{export_dir.name}.versions"
    versions.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    version_dir = versions / stamp
    version_dir.mkdir()
    counts: dict[str, int] = {}
    for name, partitioned in mart_relations(con):
        target = version_dir / name
        source = f"{_quote(MARTS_SCHEMA)}.{_quote(name)}"
        # COPY takes no bound parameters for its target, so the path is quoted as a literal; it is
        # built from our own folder and a model name, not from user input.
        if partitioned:
            con.execute(
                f"copy (select * from {source} order by all) to {_sql_string(str(target))} "
                f"(format parquet, partition_by ({_quote(PARTITION_COLUMN)}))"
            )
        else:
            target.mkdir()
            con.execute(f"copy (select * from {source} order by all) to {_sql_string(str(target / 'data.parquet'))} (format parquet)")
        counts[name] = con.execute(f"select count(*) from {source}").fetchone()[0]
    if fingerprint is not None:
        (version_dir / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="utf-8")
    _swap_symlink(export_dir, version_dir)
    _prune(versions, keep={version_dir.name})
    return ExportSummary(export_dir, version_dir, counts, None)


def _swap_symlink(link: Path, target: Path) -> None:
    """Point `link` at `target` atomically (rename of a fresh symlink over the old one)."""
    if link.is_dir() and not link.is_symlink():
        if any(link.iterdir()):
            # A real folder from before this scheme (or the user's): move it aside, never delete it.
            link.rename(link.with_name(f"{link.name}.before-symlink-{target.name}"))
        else:
            link.rmdir()
    tmp = link.with_name(f".{link.name}.swap")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(target, link.parent), target_is_directory=True)
    os.replace(tmp, link)


def _prune(versions: Path, keep: set[str]) -> None:
    existing = sorted(p for p in versions.iterdir() if p.is_dir())
    for old in existing[:-KEEP_VERSIONS]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def write_snapshot(con: duckdb.DuckDBPyConnection, snapshot: Path) -> dict[str, int]:
    """A standalone DuckDB file holding the marts only, renamed into place in one step."""
    tmp = snapshot.with_name(f".{snapshot.name}.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        if leftover.exists():
            leftover.unlink()
    con.execute(f"attach {_sql_string(str(tmp))} as ogi_snapshot")
    counts: dict[str, int] = {}
    try:
        con.execute(f"create schema ogi_snapshot.{_quote(MARTS_SCHEMA)}")
        for name, _ in mart_relations(con):
            con.execute(
                f"create table ogi_snapshot.{_quote(MARTS_SCHEMA)}.{_quote(name)} as "
                f"select * from {_quote(MARTS_SCHEMA)}.{_quote(name)} order by all"
            )
            counts[name] = con.execute(f"select count(*) from {_quote(MARTS_SCHEMA)}.{_quote(name)}").fetchone()[0]
    finally:
        con.execute("detach ogi_snapshot")
    os.replace(tmp, snapshot)
    return counts
