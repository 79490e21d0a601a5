"""The `parsed` schema: the parser's output for every raw report, written in Arrow batches.

Incremental by construction: a report is parsed again only when it is new or when the parser itself
changed (PARSER_VERSION hashes the parser's source), and the parsed rows of a report that left the
raw folder go with it. Each batch is one transaction holding the report rows together with their
cells, sections and messages, so a crash never leaves a report half-written and a re-run resumes
where it stopped. Parsing runs in worker processes when there is enough work to pay for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.parsing import agencies
from dagster_project.parsing import report as report_parser
from dagster_project.parsing.model import ParsedReport
from dagster_project.parsing.templates import METRICS


def _parser_version() -> str:
    """A hash of the parser's source files: change the parser and every report is parsed again."""
    h = hashlib.sha256()
    for path in sorted(Path(report_parser.__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


PARSER_VERSION = _parser_version()
ENV_PARSE_WORKERS = "OGI_PARSE_WORKERS"
MIN_REPORTS_PER_WORKER = 400  # below this, starting processes costs more than it saves

# DECIMAL(38, 6): exact for every count and for 万元 amounts published with up to 4 decimals.
DECIMAL = pa.decimal128(38, 6)

DDL = """
create schema if not exists parsed;
create table if not exists parsed.reports (
    report_id        varchar primary key,
    parser_version   varchar not null,
    agency_name      varchar,
    agency_key       varchar,  -- adcode|name without region prefix (parsing/agencies.py)
    agency_id        varchar,  -- sha256(agency_key)[:16]: stable across years and runs
    agency_type      varchar,
    report_year      integer,
    published_on     date,
    template_version varchar not null,
    province         varchar,
    city             varchar,
    district         varchar,
    adcode           varchar,
    parse_status     varchar not null,
    evidence         varchar,  -- JSON: metadata field -> source line
    parsed_at        timestamptz not null
);
create table if not exists parsed.cells (
    report_id    varchar not null,
    metric_code  varchar not null,
    value        decimal(38, 6),
    value_state  varchar not null,
    raw_text     varchar,
    unit         varchar,
    value_yuan   decimal(38, 6),
    source_line  integer,
    label_raw    varchar,
    approximate  boolean not null
);
create table if not exists parsed.sections (
    report_id    varchar not null,
    ordinal      integer not null,
    section_code varchar not null,
    title        varchar,
    body         varchar,
    line_start   integer,
    line_end     integer
);
create table if not exists parsed.messages (
    report_id varchar not null,
    ordinal   integer not null,
    level     varchar not null,
    code      varchar not null,
    text      varchar not null,
    line      integer
);
create table if not exists parsed.metric_catalogue (
    metric_code       varchar primary key,
    table_code        varchar not null,
    block_code        varchar,
    row_code          varchar,
    column_code       varchar,
    label_zh          varchar not null,
    unit              varchar,
    value_type        varchar not null,
    template_versions varchar[] not null
);
"""

SCHEMAS = {
    "reports": pa.schema([
        ("report_id", pa.string()), ("parser_version", pa.string()), ("agency_name", pa.string()),
        ("agency_key", pa.string()), ("agency_id", pa.string()), ("agency_type", pa.string()), ("report_year", pa.int32()), ("published_on", pa.date32()),
        ("template_version", pa.string()), ("province", pa.string()), ("city", pa.string()),
        ("district", pa.string()), ("adcode", pa.string()), ("parse_status", pa.string()),
        ("evidence", pa.string()), ("parsed_at", pa.timestamp("us", tz="UTC")),
    ]),
    "cells": pa.schema([
        ("report_id", pa.string()), ("metric_code", pa.string()), ("value", DECIMAL),
        ("value_state", pa.string()), ("raw_text", pa.string()), ("unit", pa.string()),
        ("value_yuan", DECIMAL), ("source_line", pa.int32()), ("label_raw", pa.string()),
        ("approximate", pa.bool_()),
    ]),
    "sections": pa.schema([
        ("report_id", pa.string()), ("ordinal", pa.int32()), ("section_code", pa.string()),
        ("title", pa.string()), ("body", pa.string()), ("line_start", pa.int32()), ("line_end", pa.int32()),
    ]),
    "messages": pa.schema([
        ("report_id", pa.string()), ("ordinal", pa.int32()), ("level", pa.string()), ("code", pa.string()),
        ("text", pa.string()), ("line", pa.int32()),
    ]),
}
TABLES = tuple(SCHEMAS)  # write order; `reports` first is irrelevant inside one transaction


@dataclass
class ParseSummary:
    reports_parsed: int = 0
    reports_removed: int = 0
    reports_total: int = 0
    status_counts: dict | None = None
    cells_total: int = 0


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def write_metric_catalogue(con: duckdb.DuckDBPyConnection) -> int:
    """Replace the catalogue table with templates.METRICS (the one source of truth for codes)."""
    ensure_schema(con)
    rows = [
        dict(metric_code=m.metric_code, table_code=m.table_code, block_code=m.block_code, row_code=m.row_code,
             column_code=m.column_code, label_zh=m.label_zh, unit=m.unit, value_type=m.value_type,
             template_versions=list(m.template_versions))
        for m in METRICS
    ]
    table = pa.Table.from_pylist(rows)
    current = con.execute("select * from parsed.metric_catalogue order by metric_code").fetchall()
    wanted = sorted(tuple(r.values()) for r in rows)
    if [tuple(r) for r in current] == wanted:
        return len(rows)  # unchanged: write nothing, so an idle re-run stays a no-op
    con.execute("begin transaction")
    try:
        con.execute("delete from parsed.metric_catalogue")
        con.register("_catalogue", table)
        con.execute("insert into parsed.metric_catalogue by name select * from _catalogue")
        con.unregister("_catalogue")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return len(rows)


def _to_rows(report_id: str, parsed: ParsedReport, now: dt.datetime) -> dict[str, list[dict]]:
    md = parsed.metadata
    published = None
    if md.published_on:
        try:
            published = dt.date.fromisoformat(md.published_on)
        except ValueError:
            published = None
    return {
        "reports": [dict(
            report_id=report_id, parser_version=PARSER_VERSION, agency_name=md.agency_name,
            agency_key=agencies.agency_key(md), agency_id=agencies.agency_id(md),
            agency_type=md.agency_type, report_year=md.report_year, published_on=published,
            template_version=md.template_version, province=md.province, city=md.city,
            district=md.district, adcode=md.adcode, parse_status=parsed.parse_status,
            evidence=json.dumps(md.evidence, ensure_ascii=False, sort_keys=True), parsed_at=now,
        )],
        "cells": [dict(
            report_id=report_id, metric_code=c.metric_code, value=_dec(c.value), value_state=c.value_state,
            raw_text=c.raw_text, unit=c.unit, value_yuan=_dec(c.value_yuan), source_line=c.source_line,
            label_raw=c.label_raw, approximate=bool(c.approximate),
        ) for c in parsed.cells],
        "sections": [dict(
            report_id=report_id, ordinal=i, section_code=s.section_code, title=s.title, body=s.body,
            line_start=s.line_start, line_end=s.line_end,
        ) for i, s in enumerate(parsed.sections, 1)],
        "messages": [dict(
            report_id=report_id, ordinal=i, level=m.level, code=m.code, text=m.text, line=m.line,
        ) for i, m in enumerate(parsed.messages, 1)],
    }


def _dec(value: Decimal | None) -> Decimal | None:
    """Fit a Decimal into DECIMAL(38, 6) without changing it (values with more places are rounded
    only past the 6th, which no published cell has)."""
    return None if value is None else value.quantize(Decimal("0.000001"))


def parse_one(item: tuple[str, str | None, str | None, str]) -> tuple[str, dict[str, list[dict]]]:
    """Worker entry point (top level so that worker processes can import it)."""
    report_id, text, decode_error, source_file = item
    now = dt.datetime.now(dt.timezone.utc)
    if text is None:
        parsed = report_parser.failed_report(
            "undecodable", f"{source_file}: the bytes could not be decoded as text ({decode_error})")
    else:
        parsed = report_parser.parse_text(text, source_file)
    return report_id, _to_rows(report_id, parsed, now)


def _workers(n_reports: int) -> int:
    configured = os.environ.get(ENV_PARSE_WORKERS)
    cores = int(configured) if configured else (os.cpu_count() or 1)
    return max(1, min(cores, n_reports // MIN_REPORTS_PER_WORKER))


def _parse_stream(items: list[tuple], workers: int) -> Iterator[tuple[str, dict[str, list[dict]]]]:
    if workers <= 1:
        yield from map(parse_one, items)
        return
    # spawn, not fork: the parent holds Dagster's threads and a DuckDB connection.
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        yield from pool.imap(parse_one, items, chunksize=50)


def parse_pending(
    con: duckdb.DuckDBPyConnection,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> ParseSummary:
    """Parse every report that is new or was parsed by another parser version; drop the parsed
    rows of reports that are gone. Returns what was done."""
    ensure_schema(con)
    summary = ParseSummary()
    gone = [r[0] for r in con.execute(
        "select report_id from parsed.reports where report_id not in (select report_id from raw.reports)").fetchall()]
    pending = [r[0] for r in con.execute(
        "select r.report_id from raw.reports r left join parsed.reports p using (report_id) "
        "where p.report_id is null or p.parser_version <> ? order by r.report_id", [PARSER_VERSION]).fetchall()]

    if gone:
        _delete(con, gone, transaction=True)
    summary.reports_removed = len(gone)

    workers = _workers(len(pending))
    done = 0
    for start in range(0, len(pending), batch_size):
        ids = pending[start : start + batch_size]
        items = con.execute(
            "select r.report_id, r.text, r.decode_error, "
            "  (select min(f.source_file) from raw.report_files f where f.report_id = r.report_id) "
            "from raw.reports r where r.report_id in (select unnest(?)) order by r.report_id", [ids]).fetchall()
        buffers: dict[str, list[dict]] = {t: [] for t in TABLES}
        for _, rows in _parse_stream(items, workers):
            for table, table_rows in rows.items():
                buffers[table].extend(table_rows)
        con.execute("begin transaction")
        try:
            _delete(con, ids, transaction=False)
            for table in TABLES:
                arrow = pa.Table.from_pylist(buffers[table], schema=SCHEMAS[table])
                con.register("_parsed_batch", arrow)
                con.execute(f"insert into parsed.{table} by name select * from _parsed_batch")  # noqa: S608 - table from TABLES
                con.unregister("_parsed_batch")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        done += len(ids)
        if progress:
            progress(done, len(pending))
    summary.reports_parsed = len(pending)
    summary.reports_total = con.execute("select count(*) from parsed.reports").fetchone()[0]
    summary.status_counts = dict(con.execute(
        "select parse_status, count(*) from parsed.reports group by 1 order by 1").fetchall())
    summary.cells_total = con.execute("select count(*) from parsed.cells").fetchone()[0]
    return summary


def _delete(con: duckdb.DuckDBPyConnection, report_ids: list[str], transaction: bool) -> None:
    if transaction:
        con.execute("begin transaction")
    try:
        for table in TABLES:
            con.execute(f"delete from parsed.{table} where report_id in (select unnest(?))", [report_ids])  # noqa: S608
        if transaction:
            con.execute("commit")
    except BaseException:
        if transaction:
            con.execute("rollback")
        raise
