"""Whether a dbt invocation would rebuild exactly what the warehouse already holds.

Why: an idle re-run used to pay three `dbt build` invocations (≈ 5 s each on the seeds, tens of
seconds at 10,000 reports) that rewrote every model with the same rows. A dbt build's result is a
function of its inputs: the source tables (raw, parsed, checks), the dbt project's files, the dbt
version and the selection. When all of them are what the last successful build of the same
selection saw, and every relation that build made still exists, the build is skipped and nothing
is written.

The source tables are summarised cheaply, by invariants of their writers rather than by hashing
every row: a raw report's text is fixed by its report_id (the sha256 of its bytes); a report's
parsed rows in every parsed.* table are replaced together with its parsed.reports row (parsed_at);
checks.results are replaced together with a checks.runs row, or not at all. Only the sources a
selection reads count (the dbt asset passes them), so a build of the staging models that run before
the parse step is not made stale by the parse step's writes. No Dagster here: the dbt asset
(defs/dbt.py) calls these.
"""

from __future__ import annotations

import hashlib
import shutil
from importlib import metadata
from pathlib import Path

import duckdb

from dagster_project import schema
from dagster_project.sql import ident
from dagster_project.transactions import transaction

DDL = """
create schema if not exists meta;
create table if not exists meta.dbt_builds (
    selection   varchar primary key,   -- the sorted asset keys the invocation built
    fingerprint varchar not null,      -- source_summary + project files + dbt version (see input_fingerprint)
    built_at    timestamptz not null
);
"""

# One scan per table over a few small columns; fixed SQL text. A table without an entry here is
# summarised by all its rows (FULL_SUMMARY), or through the table whose rows replace it (PROXIES).
SOURCE_SUMMARIES = {
    "raw.report_files": "select count(*), coalesce(sum(hash(source_file, report_id, byte_size, mtime_ns, read_error)), 0) from raw.report_files",
    "raw.reports": "select count(*), coalesce(sum(hash(report_id, decode_status)), 0) from raw.reports",
    "parsed.reports": "select count(*), coalesce(sum(hash(report_id, parser_version, parsed_at)), 0) from parsed.reports",
    "checks.results": "select (select count(*) from checks.results), max(finished_at)::varchar || max(input_fingerprint) from checks.runs",
}
PROXIES = {"parsed.cells": "parsed.reports", "parsed.sections": "parsed.reports", "parsed.messages": "parsed.reports"}
FULL_SUMMARY = "select count(*), coalesce(sum(hash(columns(*))), 0) from {table}"
# The relations a selection built, as they exist now (a dropped or replaced one makes the build run).
SQL_RELATIONS = """
select table_schema || '.' || table_name || ':' || table_type from information_schema.tables
where table_catalog = current_database() and table_schema || '.' || table_name in (select unnest(?))
order by 1
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    schema.ensure(con, DDL)  # only when a table or column is missing: reads need no write access


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = current_database()").fetchall()}


def source_summary(con: duckdb.DuckDBPyConnection, tables: list[str]) -> list:
    """A summary of each source table (`schema.table`) that changes whenever its rows do."""
    present = _tables(con)
    out = []
    for name in sorted({PROXIES.get(t, t) for t in tables}):
        if name not in present:
            out.append((name, "absent"))
            continue
        sql = SOURCE_SUMMARIES.get(name) or FULL_SUMMARY.format(table=ident(name))
        out.append((name, con.execute(sql).fetchall()))
    return out


def project_digest(project_dir: Path) -> str:
    """The dbt project's own files (models, macros, tests, seeds, configuration) and the dbt version."""
    h = hashlib.sha256(metadata.version("dbt-core").encode() + metadata.version("dbt-duckdb").encode())
    files = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for sub in ("models", "macros", "tests", "seeds"):
        files += sorted(p for p in (project_dir / sub).rglob("*") if p.is_file())
    for path in files:
        if path.is_file():
            h.update(str(path.relative_to(project_dir)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def input_fingerprint(con: duckdb.DuckDBPyConnection, project_dir: Path, source_tables: list[str]) -> str:
    """What a build of models reading `source_tables` (directly or through other models) depends on."""
    h = hashlib.sha256(project_digest(project_dir).encode())
    h.update(repr(source_summary(con, source_tables)).encode())
    return h.hexdigest()


def unchanged(con: duckdb.DuckDBPyConnection, selection: str, fingerprint: str) -> bool:
    """True when the last successful build of `selection` (its models' `schema/name` keys, sorted and
    comma-separated) saw `fingerprint` and its relations still exist as they were. Reads only."""
    if schema.missing(con, DDL):
        return False  # never built here (or before this table existed)
    rows = con.execute("select fingerprint from meta.dbt_builds where selection = ?", [selection]).fetchall()
    return bool(rows) and rows[0][0] == _with_relations(con, selection, fingerprint)


def record(con: duckdb.DuckDBPyConnection, selection: str, fingerprint: str) -> None:
    """After a successful build: what it saw (inputs taken before it ran, relations after)."""
    ensure_schema(con)
    with transaction(con):
        forget(con, selection)
        con.execute("insert into meta.dbt_builds values (?, ?, now())", [selection, _with_relations(con, selection, fingerprint)])


def forget(con: duckdb.DuckDBPyConnection, selection: str) -> None:
    """Before a build of `selection` writes: drop every record naming one of its models. So a record
    always describes what its relations hold now, and each relation is named by one record at most
    (a build that fails, or whose tests fail, leaves its models without one)."""
    ensure_schema(con)
    mine = _keys(selection)
    stale = [s for (s,) in con.execute("select selection from meta.dbt_builds").fetchall() if _keys(s) & mine]
    if stale:
        con.execute("delete from meta.dbt_builds where selection in (select unnest(?))", [stale])


def relation_versions(con: duckdb.DuckDBPyConnection, relations: list[str]) -> dict[str, str] | None:
    """relation (`schema.name`) -> the fingerprint of the build that made what it holds now, for
    every relation given; None when one of them has no record (built by hand, or its last build
    failed). Why: the marts are a function of that fingerprint (dbt builds are deterministic), so
    the checks and the exports can tell that the marts are unchanged without reading 17 M facts.
    Reads only."""
    if schema.missing(con, DDL):
        return None
    versions = {key.replace("/", "."): fp for selection, fp in
                con.execute("select selection, fingerprint from meta.dbt_builds").fetchall() for key in _keys(selection)}
    if any(r not in versions for r in relations):
        return None
    return {r: versions[r] for r in relations}


def _keys(selection: str) -> set[str]:
    return {key for key in selection.split(",") if key}


def _with_relations(con: duckdb.DuckDBPyConnection, selection: str, fingerprint: str) -> str:
    """`selection` is the comma-separated `schema/name` asset keys of the models: their relations."""
    relations = [key.replace("/", ".") for key in selection.split(",") if key]
    h = hashlib.sha256(fingerprint.encode())
    h.update(repr(con.execute(SQL_RELATIONS, [relations]).fetchall()).encode())
    return h.hexdigest()


# Each dbt step's artifacts (manifest, compiled SQL, run_results, log: ≈ 4 MB) go to a folder of its own
# under dbt/target, named by dagster-dbt `<step>-<run id[:7]>-<random>`.
KEEP_RUN_TARGETS = 3


def prune_run_targets(target_dir: Path, step: str, keep: int = KEEP_RUN_TARGETS) -> list[Path]:
    """Delete all but the newest `keep` artifact folders of dbt step `step`; returns what went.

    Why: dagster-dbt never removes them, so a daily build grew dbt/target by ≈ 12 MB a day (three
    steps), about 4 GB a year. The newest ones stay for debugging a failed run; a folder of a run
    still going is among the newest, so concurrent builds of other warehouses keep theirs."""
    prefix = step + "-"
    folders = [p for p in target_dir.glob(prefix + "*")
               if p.is_dir() and p.name.count("-") == step.count("-") + 2]
    folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    gone = folders[keep:]
    for folder in gone:
        shutil.rmtree(folder, ignore_errors=True)
    return gone
