"""Parquet exports of every mart and a DuckDB snapshot file, for BI tools that must not hold the
live warehouse open (DuckDB admits no writer while any other process has the file open).

Both hold the marts in one *BI shape*: the same columns as the warehouse, with every type that only
DuckDB knows rewritten to one that Parquet, JDBC/ODBC drivers, pandas and BI tools all read unchanged
(`bi_columns`): lists (`varchar[]`) become JSON-array text (`["v2019","v2021"]`), HUGEINT sums become
BIGINT, unsigned integers a wider signed type or DECIMAL, UUID/INTERVAL/ENUM text. `_schema.json` in
the export folder lists every file and column with its description, generated from the dbt docs
(dbt/models/**/*.yml), so the descriptions are written once.

Both are swapped in atomically:
- Parquet: each export is written to a fresh version folder beside OGI_EXPORT_DIR, and
  OGI_EXPORT_DIR itself is a symlink that is repointed with one rename. A reader sees the old
  complete export or the new complete export, never a mix. The previous version is kept until the
  next export so a reader that opened it keeps working.
- Snapshot: written to a temporary file and renamed over the old one. It is written in an old
  storage format (OGI_SNAPSHOT_STORAGE_VERSION, default v0.10.0 = on-disk format 64, the oldest
  DuckDB 2.0 writes; read by every DuckDB from 0.10.0 to 2.x, i.e. every 1.x JDBC/ODBC driver), and
  the analyst views are views in it whenever they can be re-created there with the same columns
  and types and name no rewritten (list) column (else tables of their rows).
Facts are written one file per report_year (fct_report_metric/2020.parquet, report_year kept
inside the file so that each file stands alone and its types survive any reader; DuckDB prunes
years by the row-group statistics). Rows are written in a fixed order, one file at a time, so an
unchanged warehouse exports byte-identical files; and when the marts are unchanged since the
current export (same fingerprint), nothing is written at all. When only some of them changed, a file
whose rows are those of the current export's file (`part_fingerprints`, kept in `.parts.json`) is
hard-linked into the new version instead of rewritten: adding a year's reports rewrites that year.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project import dbt_state
from dagster_project.settings import duckdb_config
from dagster_project.sql import ident

MARTS_SCHEMA = "marts"
PARTITION_COLUMN = "report_year"
KEEP_VERSIONS = 2

FINGERPRINT_FILE = ".fingerprint"  # inside each export version: what the marts held when it was written
BUILT_FILE = ".built_from"  # inside each export version: the dbt builds that made those marts (built_fingerprint)
SCHEMA_FILE = "_schema.json"  # inside each export version: every file and column, with the dbt docs
PARTS_FILE = ".parts.json"  # inside each export version: each Parquet file -> what its rows were

# Bump when the shape of the exports changes (types, layout, options), so that an export written by
# older code is not reused for unchanged marts.
EXPORT_FORMAT = "bi-2"

# Row groups of up to 2^20 rows (DuckDB's own writer defaults to 122,880): at ~10-20 bytes per value
# after compression that is a few tens of MB per group, the size BI engines (Power BI, Spark, polars,
# pyarrow) scan efficiently, while a year of facts still splits into several groups to read in
# parallel. Snappy is the one codec every Parquet reader (Power BI and Excel included) supports.
PARQUET_ROW_GROUP_ROWS = 1_048_576
PARQUET_COMPRESSION = "snappy"

ENV_SNAPSHOT_STORAGE_VERSION = "OGI_SNAPSHOT_STORAGE_VERSION"
# v0.10.0 writes on-disk format 64: the oldest DuckDB 2.0 can write ('v0.9.0' is accepted and also
# writes 64) and the only one DuckDB 1.0 reads; DuckDB 1.1-1.5 read 64-68, 2.x reads 69. Every type of
# the BI shape exists in it (checked when the snapshot is written: `_check_types`).
DEFAULT_SNAPSHOT_STORAGE_VERSION = "v0.10.0"
_STORAGE_VERSION_RE = re.compile(r"^v\d+\.\d+\.\d+$|^latest$")


@dataclass
class ExportSummary:
    export_dir: Path
    version_dir: Path | None  # None when reused
    relations: dict[str, int]  # relation -> rows (empty when reused)
    snapshot: "SnapshotSummary | None" = None  # None when reused
    reused: bool = False  # the marts are unchanged since the current export: nothing written
    fingerprint: str | None = None
    files_reused: int = 0  # Parquet files whose rows were unchanged: linked from the previous version
    files_written: int = 0


@dataclass
class SnapshotSummary:
    path: Path
    storage_version: str
    counts: dict[str, int]  # relation -> rows
    kinds: dict[str, str] = field(default_factory=dict)  # relation -> 'table' / 'view' in the snapshot
    updated: bool = False  # the previous snapshot was updated (changed years and tables only), not rewritten


@dataclass(frozen=True)
class BiColumn:
    name: str
    warehouse_type: str  # as DuckDB's information_schema spells it
    bi_type: str  # the type in the Parquet files and the snapshot
    expr: str  # SQL producing the column from the relation
    encoding: str | None = None  # how a converted value is written, None when unchanged


def snapshot_storage_version() -> str:
    value = os.environ.get(ENV_SNAPSHOT_STORAGE_VERSION, "").strip() or DEFAULT_SNAPSHOT_STORAGE_VERSION
    if not _STORAGE_VERSION_RE.match(value):
        raise ValueError(f"{ENV_SNAPSHOT_STORAGE_VERSION}={value!r}: expected a DuckDB version such as "
                         f"v0.10.0 or v1.1.0, or 'latest'")
    return value


def marts_fingerprint(con: duckdb.DuckDBPyConnection, parts: dict | None = None) -> str:
    """Row count and an order-independent hash of every exported column of every mart, per Parquet
    file (`all_part_fingerprints`; the run timestamps are not exported, so they do not count: two
    builds of one folder fingerprint alike)."""
    h = hashlib.sha256()
    for name, by_year in sorted((parts or all_part_fingerprints(con)).items()):
        for year, fp in by_year.items():
            h.update(f"{name}\0{year}\0{fp}\n".encode())
    return h.hexdigest()


def all_part_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, dict[int | None, str]]:
    """part_fingerprints of every mart: one scan of each, shared by the fingerprint, the snapshot
    update and the Parquet reuse of one export."""
    return {name: part_fingerprints(con, name, partitioned, bi_columns(con, name))
            for name, partitioned in mart_relations(con)}


def export_fingerprint(con: duckdb.DuckDBPyConnection, docs: dict, storage_version: str, parts: dict | None = None) -> str:
    """What an export depends on: the marts' rows, the export format, the snapshot's storage version
    and the dbt docs that go into _schema.json. Equal fingerprints: the current export is still right."""
    h = hashlib.sha256()
    for part in (marts_fingerprint(con, parts), EXPORT_FORMAT, storage_version, json.dumps(docs, sort_keys=True)):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def current_export_fingerprint(export_dir: Path, file: str = FINGERPRINT_FILE) -> str | None:
    path = export_dir / file
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def built_fingerprint(con: duckdb.DuckDBPyConnection, docs: dict, storage_version: str) -> str | None:
    """export_fingerprint's cheap twin: the fingerprints of the dbt builds that made every mart
    (dbt_state.relation_versions) instead of their rows, or None when a mart has none. Why: at
    100,000 reports reading every mart's rows took 3 s of an idle re-run."""
    versions = dbt_state.relation_versions(con, [f"{MARTS_SCHEMA}.{name}" for name, _ in mart_relations(con)])
    if versions is None:
        return None
    h = hashlib.sha256()
    for part in (repr(sorted(versions.items())), EXPORT_FORMAT, storage_version, json.dumps(docs, sort_keys=True)):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def mart_relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, bool]]:
    """(name, partitioned?) of every table and view in schema marts, sorted by name."""
    rows = con.execute(
        "select table_name, max(case when column_name = ? then 1 else 0 end) "
        "from information_schema.columns where table_schema = ? group by table_name order by table_name",
        [PARTITION_COLUMN, MARTS_SCHEMA],
    ).fetchall()
    return [(name, bool(has_year) and name.startswith("fct_")) for name, has_year in rows]


def relation_kinds(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """relation -> 'table' / 'view' in schema marts."""
    rows = con.execute(
        "select table_name, table_type from information_schema.tables where table_schema = ? "
        "and table_catalog = current_database()", [MARTS_SCHEMA]
    ).fetchall()
    return {name: ("view" if kind == "VIEW" else "table") for name, kind in rows}


# --- the BI shape ---------------------------------------------------------------------------------

_UNCHANGED = {"BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "VARCHAR", "DATE",
              "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "BLOB"}
_WIDER = {"HUGEINT": "BIGINT", "UHUGEINT": "DECIMAL(38,0)", "UBIGINT": "DECIMAL(20,0)", "UINTEGER": "BIGINT",
          "USMALLINT": "INTEGER", "UTINYINT": "SMALLINT", "TIMESTAMP_S": "TIMESTAMP", "TIMESTAMP_MS": "TIMESTAMP",
          "TIMESTAMP_NS": "TIMESTAMP"}
JSON_ENCODING = ('JSON text: a list is a JSON array of its values (e.g. ["v2019","v2021"]), an empty list '
                 "is [], a null list is null (a struct or map: a JSON object); DuckDB: from_json(col, '[\"varchar\"]'), pandas: json.loads, "
                 "Power BI: Json.Document")


def bi_column(name: str, data_type: str) -> BiColumn:
    """How one warehouse column is written for BI tools."""
    col = ident(name)
    t = data_type.upper()
    if t in _UNCHANGED or re.fullmatch(r"DECIMAL\(\d+,\d+\)", t):
        return BiColumn(name, data_type, data_type, col)
    if t.endswith("]") or t.startswith(("STRUCT", "MAP", "UNION")):
        return BiColumn(name, data_type, "VARCHAR", f"cast(to_json({col}) as varchar)", JSON_ENCODING)
    if t in _WIDER:
        # A cast that cannot hold a value fails the export loudly rather than writing a wrong number.
        return BiColumn(name, data_type, _WIDER[t], f"cast({col} as {_WIDER[t]})",
                        f"{data_type} in the warehouse, written as {_WIDER[t]}")
    # UUID, INTERVAL, TIME WITH TIME ZONE, ENUM, BIT, BIGNUM and anything newer: their text form.
    return BiColumn(name, data_type, "VARCHAR", f"cast({col} as varchar)", f"{data_type} in the warehouse, written as its text")


# When a build ingested a file and parsed a report: they differ between two builds of the same folder,
# so the exports leave them out and two builds export byte-identical files. They stay in the warehouse.
RUN_TIMESTAMPS = ("ingested_at", "parsed_at")


def bi_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[BiColumn]:
    """The exported columns of a mart: all but RUN_TIMESTAMPS, each in its BI shape."""
    rows = con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
        "and table_catalog = current_database() order by ordinal_position",
        [MARTS_SCHEMA, relation],
    ).fetchall()
    return [bi_column(name, data_type) for name, data_type in rows if name not in RUN_TIMESTAMPS]


def sql_bi_select(columns: list[BiColumn], source: str) -> str:
    return "select " + ", ".join(f"{c.expr} as {ident(c.name)}" for c in columns) + f" from {source}"


# --- dbt docs -------------------------------------------------------------------------------------

def load_dbt_docs(models_dir: Path) -> dict[str, dict]:
    """model -> {"description", "columns": {column: description}} from every dbt/models/**/*.yml."""
    import yaml

    docs: dict[str, dict] = {}
    for path in sorted(Path(models_dir).rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in content.get("models") or []:
            docs[model["name"]] = {
                "description": (model.get("description") or "").strip(),
                "columns": {c["name"]: (c.get("description") or "").strip() for c in model.get("columns") or []},
            }
    return docs


# --- Parquet --------------------------------------------------------------------------------------

def _copy_parquet(con: duckdb.DuckDBPyConnection, query: str, params: list, target: Path) -> None:
    """Stream the query's rows (in its ORDER BY) into one Parquet file through pyarrow, whose writer
    dictionary-encodes every column whose dictionary stays under 1 MB per row group (codes, ids,
    units, states; long texts fall back to plain by themselves). DuckDB's own writer decides per
    column and left e.g. metric_code plain."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    reader = con.sql(query, params=params).to_arrow_reader(PARQUET_ROW_GROUP_ROWS)
    tmp = target.with_name(f".{target.name}.tmp")
    size = PARQUET_ROW_GROUP_ROWS
    with pq.ParquetWriter(tmp, reader.schema, compression=PARQUET_COMPRESSION, use_dictionary=True,
                          write_statistics=True) as writer:
        # DuckDB hands out batches of its own size (122,880 rows): gather them into full row groups.
        pending: list = []
        pending_rows = 0
        for batch in reader:
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= size:
                table = pa.Table.from_batches(pending, schema=reader.schema)
                writer.write_table(table.slice(0, size), row_group_size=size)
                rest = table.slice(size)
                pending, pending_rows = rest.to_batches(), rest.num_rows
        if pending_rows:
            writer.write_table(pa.Table.from_batches(pending, schema=reader.schema), row_group_size=size)
    os.replace(tmp, target)


def _year_file(year: int | None) -> str:
    return f"{year}.parquet" if year is not None else "no_year.parquet"


def export_parquet(con: duckdb.DuckDBPyConnection, export_dir: Path, fingerprint: str | None = None,
                   docs: dict | None = None, snapshot: SnapshotSummary | None = None,
                   parts: dict | None = None, built: str | None = None) -> ExportSummary:
    """Write every mart in the BI shape to a new version folder, with `_schema.json` (descriptions
    from `docs`, see load_dbt_docs), and swap it in; `fingerprint` (and `built`, built_fingerprint)
    is stored with it so the next run can tell whether anything changed."""
    export_dir = export_dir.absolute()
    versions = export_dir.parent / f".{export_dir.name}.versions"
    versions.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    version_dir = versions / stamp
    version_dir.mkdir()
    counts: dict[str, int] = {}
    files: dict[str, list[str]] = {}
    shapes: dict[str, list[BiColumn]] = {}
    previous = _current_parts(export_dir)
    file_parts: dict[str, str] = {}  # Parquet file -> the fingerprint of its rows (PARTS_FILE)
    reused = 0
    for name, partitioned in mart_relations(con):
        columns = shapes[name] = bi_columns(con, name)
        source = f"{ident(MARTS_SCHEMA)}.{ident(name)}"
        select = sql_bi_select(columns, source)
        target = version_dir / name
        target.mkdir()
        by_year = parts[name] if parts is not None else part_fingerprints(con, name, partitioned, columns)
        for year, fingerprint_of_part in by_year.items():
            file = f"{name}/{_year_file(year) if partitioned else 'data.parquet'}"
            file_parts[file] = fingerprint_of_part
            files.setdefault(name, []).append(file)
            if previous.get(file) == fingerprint_of_part and _link(export_dir / file, version_dir / file):
                reused += 1  # same rows and shape as the file the current export holds: that file, linked
                continue
            if not partitioned:
                _copy_parquet(con, f"{select} order by all", [], version_dir / file)
            else:
                where = f"{ident(PARTITION_COLUMN)} is null" if year is None else f"{ident(PARTITION_COLUMN)} = ?"
                _copy_parquet(con, f"{select} where {where} order by all", [] if year is None else [year],
                              version_dir / file)
        counts[name] = con.execute(f"select count(*) from {source}").fetchone()[0]
    (version_dir / PARTS_FILE).write_text(json.dumps(file_parts, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    schema = schema_document(con, shapes, files, counts, docs or {}, snapshot)
    (version_dir / SCHEMA_FILE).write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if fingerprint is not None:
        (version_dir / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="utf-8")
    if built is not None:
        (version_dir / BUILT_FILE).write_text(built + "\n", encoding="utf-8")
    _swap_symlink(export_dir, version_dir)
    _prune(versions, keep={version_dir.name})
    return ExportSummary(export_dir, version_dir, counts, snapshot, fingerprint=fingerprint,
                         files_reused=reused, files_written=len(file_parts) - reused)


def part_fingerprints(con: duckdb.DuckDBPyConnection, name: str, partitioned: bool,
                      columns: list[BiColumn]) -> dict[int | None, str]:
    """What each Parquet file of a mart will hold: year (None for an unpartitioned mart, or facts
    without a year) -> hash of the BI shape, the export format and the rows (count and an
    order-independent sum of row hashes). A file whose fingerprint is the current export's is reused."""
    source = f"{ident(MARTS_SCHEMA)}.{ident(name)}"
    sql_columns = ", ".join(ident(c.name) for c in columns)
    shape = json.dumps([EXPORT_FORMAT, PARQUET_ROW_GROUP_ROWS, PARQUET_COMPRESSION,
                        [(c.name, c.bi_type, c.expr) for c in columns]])
    if partitioned:
        rows = con.execute(f"select {ident(PARTITION_COLUMN)}, count(*), coalesce(sum(hash({sql_columns})), 0) "
                           f"from {source} group by 1 order by 1 nulls last").fetchall()
    else:
        rows = [(None, *con.execute(f"select count(*), coalesce(sum(hash({sql_columns})), 0) from {source}").fetchall()[0])]
    return {year: hashlib.sha256(f"{shape}\0{year}\0{count}\0{digest}".encode()).hexdigest()
            for year, count, digest in rows}


def _current_parts(export_dir: Path) -> dict[str, str]:
    try:
        return json.loads((export_dir / PARTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no current export, or one written before files were fingerprinted: write them all


def _link(old: Path, new: Path) -> bool:
    """Hard-link the current export's file into the new version (both stay complete on their own:
    pruning the old version leaves the new one's link). False when it cannot (then it is rewritten)."""
    try:
        os.link(old.resolve(), new)
        return True
    except OSError:
        return False


def export_all(con: duckdb.DuckDBPyConnection, export_dir: Path, snapshot_path: Path, models_dir: Path) -> ExportSummary:
    """The exports step: the snapshot and the Parquet folder, or nothing at all when the marts, their
    docs (from the dbt models in `models_dir`) and the storage version are what the current export
    already holds (an idle re-run then writes no file)."""
    storage_version = snapshot_storage_version()
    docs = load_dbt_docs(models_dir)
    built = built_fingerprint(con, docs, storage_version)
    if built is not None and built == current_export_fingerprint(export_dir, BUILT_FILE) and snapshot_path.is_file():
        return ExportSummary(export_dir.absolute(), None, {}, reused=True, fingerprint=current_export_fingerprint(export_dir))
    parts = all_part_fingerprints(con)
    fingerprint = export_fingerprint(con, docs, storage_version, parts)
    if fingerprint == current_export_fingerprint(export_dir) and snapshot_path.is_file():
        if built is not None:  # same rows from other builds: note them, so the next idle run reads no rows
            _write_atomic(export_dir / BUILT_FILE, built)
        return ExportSummary(export_dir.absolute(), None, {}, reused=True, fingerprint=fingerprint)
    snapshot = write_snapshot(con, snapshot_path, storage_version, parts)
    return export_parquet(con, export_dir, fingerprint, docs, snapshot, parts, built)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)


def schema_document(con: duckdb.DuckDBPyConnection, shapes: dict[str, list[BiColumn]], files: dict[str, list[str]],
                    counts: dict[str, int], docs: dict, snapshot: SnapshotSummary | None) -> dict:
    """The content of _schema.json: no time stamps, so an unchanged warehouse writes the same file."""
    kinds = relation_kinds(con)
    relations = []
    for name in sorted(shapes):
        doc = docs.get(name, {"description": "", "columns": {}})
        relations.append({
            "name": name,
            "description": doc["description"],
            "kind_in_warehouse": kinds[name],
            "kind_in_snapshot": snapshot.kinds.get(name) if snapshot else None,
            "files": files[name],
            "one_file_per": PARTITION_COLUMN if files[name] != [f"{name}/data.parquet"] else None,
            "rows": counts[name],
            "columns": [{
                "name": c.name,
                "type": c.bi_type,
                "warehouse_type": c.warehouse_type,
                "description": doc["columns"].get(c.name, ""),
                **({"encoding": c.encoding} if c.encoding else {}),
            } for c in shapes[name]],
        })
    return {
        "about": "Every Parquet file of this export and every column, with its description from the dbt docs "
                 "(dbt/models/**/*.yml). Types are those of the Parquet files and of the snapshot "
                 "(ogi_snapshot.duckdb); warehouse_type is the type in the live warehouse where it differs.",
        "snapshot_storage_version": snapshot.storage_version if snapshot else None,
        "parquet": {"compression": PARQUET_COMPRESSION, "row_group_rows": PARQUET_ROW_GROUP_ROWS,
                    "order": "rows sorted by every column, left to right"},
        "relations": relations,
    }


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


# --- snapshot -------------------------------------------------------------------------------------

def _view_body(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """The SELECT of a marts view, as DuckDB stores it (`CREATE VIEW marts.<name> AS <select>;`);
    None when the stored text has another form."""
    rows = con.execute(
        "select sql from duckdb_views() where schema_name = ? and view_name = ? and database_name = current_database()",
        [MARTS_SCHEMA, name],
    ).fetchall()
    if not rows:
        return None
    sql = rows[0][0].strip()
    for prefix in (f"CREATE VIEW {MARTS_SCHEMA}.{name} AS ", f"CREATE VIEW {ident(MARTS_SCHEMA)}.{ident(name)} AS "):
        if sql.startswith(prefix):
            return sql[len(prefix):].rstrip().rstrip(";")
    return None


def _types(con: duckdb.DuckDBPyConnection, relation: str, catalog: str | None = None) -> list[tuple[str, str]]:
    catalog_filter = "table_catalog = ?" if catalog else "table_catalog = current_database()"
    return con.execute(
        f"select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
        f"and {catalog_filter} order by ordinal_position",
        [MARTS_SCHEMA, relation, *([catalog] if catalog else [])],
    ).fetchall()


def write_snapshot(con: duckdb.DuckDBPyConnection, snapshot: Path, storage_version: str | None = None,
                   parts: dict | None = None) -> SnapshotSummary:
    """A standalone DuckDB file holding the marts in the BI shape, in `storage_version`'s on-disk
    format, renamed into place in one step. Tables are copied; views are re-created as views over the
    snapshot's own tables when that gives exactly the BI shape's columns and types, else copied as
    tables.

    When the current snapshot was written by this code for the same relations, shapes and storage
    version (its sidecar, `.<name>.parts.json`, says so and matches the file's size and mtime), a copy
    of it is updated instead: only the years (facts) or tables whose rows changed are deleted and
    inserted again (`_update_snapshot`). A snapshot that has deleted more rows than it holds since it
    was last written whole is written whole again, so deletions never bloat it without bound."""
    version = storage_version or snapshot_storage_version()
    tmp = snapshot.with_name(f".{snapshot.name}.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        if leftover.exists():
            leftover.unlink()
    partitioned = dict(mart_relations(con))
    relations = list(partitioned)
    kinds = relation_kinds(con)
    shapes = {name: bi_columns(con, name) for name in relations}
    counts = {name: con.execute(f"select count(*) from {ident(MARTS_SCHEMA)}.{ident(name)}").fetchone()[0]
              for name in relations}
    views = {name: _view_body(con, name) for name in relations if kinds[name] == "view"}
    # A view that names a column the BI shape rewrote (a list now JSON text) could still bind and
    # mean something else (len() of a list vs of its text): such views are copied as tables.
    converted = {c.name for name in relations if kinds[name] == "table" for c in shapes[name] if c.encoding == JSON_ENCODING}
    for name, body in views.items():
        if body is not None and any(re.search(rf'(?<![\w"]){re.escape(col)}(?![\w"])|"{re.escape(col)}"', body)
                                    for col in converted):
            views[name] = None
    as_tables = [name for name in relations if kinds[name] == "table" or views.get(name) is None]
    plan = {"storage_version": version, "format": EXPORT_FORMAT,
            "relations": {name: {"kind": kinds[name], "view": views.get(name),
                                 "shape": [[c.name, c.bi_type, c.expr] for c in shapes[name]]} for name in relations}}
    state = _snapshot_state(snapshot)
    if state is not None and state["plan"] == plan and state["deleted"] <= sum(counts.values()):
        table_names = [name for name, kind in state["kinds"].items() if kind == "table"]
        table_parts = {name: _json_parts(parts[name] if parts is not None else
                                         part_fingerprints(con, name, partitioned[name], shapes[name]))
                       for name in table_names}
        shutil.copyfile(snapshot, tmp)
        deleted = _update_snapshot(con, tmp, shapes, partitioned, state["parts"], table_parts)
        _check_types(con, tmp, version, shapes)
        os.replace(tmp, snapshot)
        _write_snapshot_state(snapshot, plan, state["kinds"], table_parts, state["deleted"] + deleted)
        return SnapshotSummary(snapshot, version, counts, state["kinds"], updated=True)
    _copy_tables(con, tmp, version, shapes, as_tables, create_schema=True)

    # Views: created through a connection on the file itself, so that their `marts.x` names resolve
    # inside the snapshot whatever name a client opens it under.
    failed: list[str] = []
    scon = duckdb.connect(str(tmp), config=duckdb_config())
    try:
        for name, body in views.items():
            if body is None:
                continue
            columns = shapes[name]
            target = f"{ident(MARTS_SCHEMA)}.{ident(name)}"
            # the view's own SQL, as dbt wrote it into the warehouse's catalog: text of our own code
            sql_body = body
            sql_query = sql_body if all(c.encoding is None for c in columns) else sql_bi_select(columns, f"({sql_body}) as v")
            try:
                scon.execute(f"create view {target} as {sql_query}")
                same = _types(scon, name) == [(c.name, c.bi_type) for c in columns]
            except duckdb.Error:
                same = False
            if not same:
                scon.execute(f"drop view if exists {target}")
                failed.append(name)
        scon.execute("checkpoint")
    finally:
        scon.close()
    if failed:
        _copy_tables(con, tmp, version, shapes, failed, create_schema=False)
    _check_types(con, tmp, version, shapes)
    os.replace(tmp, snapshot)
    final_kinds = {name: ("view" if name in views and views[name] is not None and name not in failed else "table")
                   for name in relations}
    table_parts = {name: _json_parts(parts[name] if parts is not None else
                                     part_fingerprints(con, name, partitioned[name], shapes[name]))
                   for name, kind in final_kinds.items() if kind == "table"}
    _write_snapshot_state(snapshot, plan, final_kinds, table_parts, 0)
    return SnapshotSummary(snapshot, version, counts, final_kinds)


def _state_path(snapshot: Path) -> Path:
    return snapshot.with_name(f".{snapshot.name}.parts.json")


def _json_parts(parts: dict[int | None, str]) -> dict[str, str]:
    return {("null" if year is None else str(year)): fp for year, fp in parts.items()}


def _snapshot_state(snapshot: Path) -> dict | None:
    """The sidecar of the current snapshot, when it describes exactly that file (size and mtime)."""
    try:
        state = json.loads(_state_path(snapshot).read_text(encoding="utf-8"))
        st = snapshot.stat()
    except (OSError, ValueError):
        return None
    if state.get("file") != [st.st_size, st.st_mtime_ns]:
        return None  # the file changed since (or the run that wrote it died before its sidecar)
    return state


def _write_snapshot_state(snapshot: Path, plan: dict, kinds: dict, parts: dict, deleted: int) -> None:
    st = snapshot.stat()
    tmp = _state_path(snapshot).with_name(_state_path(snapshot).name + ".tmp")
    tmp.write_text(json.dumps({"file": [st.st_size, st.st_mtime_ns], "plan": plan, "kinds": kinds, "parts": parts,
                               "deleted": deleted}, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, _state_path(snapshot))


def _update_snapshot(con, tmp: Path, shapes: dict[str, list[BiColumn]], partitioned: dict[str, bool],
                     old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> int:
    """Bring the copy `tmp` of the snapshot to the marts' rows. Only the parts (a year of facts, or a
    whole table) whose fingerprint changed are touched; in those, a table with a report_id replaces
    the rows of the reports whose rows differ (count and hash per report, both sides), any other
    table the whole part. Returns the rows deleted."""
    deleted = 0
    con.execute("attach ? as ogi_snapshot (read_write)", [str(tmp)])
    try:
        for name, parts in new.items():
            sql_target = f"ogi_snapshot.{ident(MARTS_SCHEMA)}.{ident(name)}"
            sql_select = sql_bi_select(shapes[name], f"{ident(MARTS_SCHEMA)}.{ident(name)}")
            by_report = any(c.name == REPORT_KEY for c in shapes[name])
            for key in sorted(set(parts) | set(old.get(name, {}))):
                before = old.get(name, {}).get(key)
                if parts.get(key) == before:
                    continue
                if not partitioned[name]:
                    sql_where, params = "true", []
                elif key == "null":
                    sql_where, params = f"{ident(PARTITION_COLUMN)} is null", []
                else:
                    sql_where, params = f"{ident(PARTITION_COLUMN)} = ?", [int(key)]
                if by_report and before is not None and key in parts and _changed_reports(
                        con, shapes[name], sql_select, sql_target, sql_where, params):
                    sql_where = f"{sql_where} and {ident(REPORT_KEY)} in (select {ident(REPORT_KEY)} from _ogi_changed)"
                deleted += con.execute(f"delete from {sql_target} where {sql_where}", params).fetchall()[0][0]
                if key in parts:
                    con.execute(f"insert into {sql_target} select * from ({sql_select}) as w where {sql_where} "
                                "order by all", params)
        con.execute("checkpoint ogi_snapshot")
    finally:
        con.execute("drop table if exists _ogi_changed")
        con.execute("detach ogi_snapshot")
    return deleted


REPORT_KEY = "report_id"


def _changed_reports(con, columns: list[BiColumn], sql_select: str, sql_target: str, sql_where: str,
                     params: list) -> bool:
    """Fill temp table _ogi_changed with the report_ids whose rows (in the BI shape) differ between the
    warehouse and the snapshot within `where`; False when a row without report_id differs (then the
    whole part is replaced)."""
    sql_cols = ", ".join(ident(c.name) for c in columns)
    key = ident(REPORT_KEY)
    con.execute(
        f"create or replace temp table _ogi_changed as "
        f"select {key} from (select {key}, count(*) as n, sum(hash({sql_cols})) as h from ({sql_select}) as w "
        f"where {sql_where} group by 1) as w "
        f"full join (select {key}, count(*) as n, sum(hash({sql_cols})) as h from {sql_target} where {sql_where} "
        f"group by 1) as s using ({key}) where w.n is distinct from s.n or w.h is distinct from s.h", params * 2)
    return con.execute(f"select count(*) from _ogi_changed where {key} is null").fetchall()[0][0] == 0


def _copy_tables(con, tmp: Path, version: str, shapes: dict[str, list[BiColumn]], names: list[str],
                 create_schema: bool) -> None:
    # A file that exists keeps the format it was created in; STORAGE_VERSION applies when it is new.
    # read_write: the exports may run on the live warehouse opened read-only (nothing else to do this run)
    con.execute("attach ? as ogi_snapshot (storage_version ?, read_write)", [str(tmp), version])
    try:
        if create_schema:
            con.execute(f"create schema ogi_snapshot.{ident(MARTS_SCHEMA)}")
        for name in names:
            source = f"{ident(MARTS_SCHEMA)}.{ident(name)}"
            con.execute(f"create table ogi_snapshot.{ident(MARTS_SCHEMA)}.{ident(name)} as "
                        f"{sql_bi_select(shapes[name], source)} order by all")
    finally:
        con.execute("detach ogi_snapshot")


def _check_types(con, tmp: Path, version: str, shapes: dict[str, list[BiColumn]]) -> None:
    """Every relation of the snapshot has exactly the BI shape's columns and types: an old storage
    version that could not hold a type fails the export here, not in an analyst's driver."""
    con.execute("attach ? as ogi_snapshot_check (read_only)", [str(tmp)])
    try:
        for name, columns in shapes.items():
            found = _types(con, name, "ogi_snapshot_check")
            expected = [(c.name, c.bi_type) for c in columns]
            if found != expected:
                raise RuntimeError(f"snapshot ({version}) {MARTS_SCHEMA}.{name}: columns {found} differ from {expected}")
    finally:
        con.execute("detach ogi_snapshot_check")
