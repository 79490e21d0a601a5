"""The `raw` schema: every file of the raw folder, and every distinct content, in DuckDB.

Two tables, because the contract keys a report by the sha256 of its bytes:
- `raw.report_files`: one row per file path (the same bytes under two names → two rows, one report);
- `raw.reports`: one row per distinct content, with the detected encoding and the decoded text.

Ingestion is incremental: a file whose size and mtime are unchanged is not read again, a re-run on an
unchanged folder writes nothing, a changed file replaces its previous version, a removed file is
dropped (and its content too when no other path holds it). All of it happens in one transaction, so a
crash leaves the previous state, never half of one. Batches go through Arrow, never row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project import schema
from dagster_project.corpus import read_and_hash, scan
from dagster_project.parsing.pdf import PdfError, is_pdf, page_count, read_pdf
from dagster_project.parsing.text import DecodeError, decode_bytes
from dagster_project.sql import ident
from dagster_project.transactions import transaction

DDL = """
create schema if not exists raw;
create table if not exists raw.report_files (
    source_file  varchar primary key,  -- POSIX path relative to the raw folder
    report_id    varchar,              -- sha256 of the bytes; null when the file could not be read
    byte_size    bigint,
    mtime_ns     bigint,
    read_error   varchar,              -- why the file could not be read (null when it could)
    ingested_at  timestamptz not null, -- when this path got its current content
    read_error_code varchar            -- corpus.REJECT_CODES, or 'unreadable' (null when read)
);
-- warehouses built before the column existed
alter table raw.report_files add column if not exists read_error_code varchar;
create table if not exists raw.reports (
    report_id     varchar primary key, -- sha256 (hex) of the raw bytes
    byte_size     bigint not null,
    encoding      varchar,             -- detected encoding, null when undecodable
    decode_status varchar not null,    -- 'ok' | 'failed'
    decode_error  varchar,             -- the reason when decode_status = 'failed'
    text          varchar,             -- decoded text (line N of the contract = line N of this)
    raw_bytes     blob,                -- kept when undecodable (nothing is lost) and for every PDF
    ingested_at   timestamptz not null
);
-- PDFs: encoding 'pdf', the page count, the text extracted by parsing/pdf.py (line N = source line N,
-- a form feed opens each page after the first) and the bytes, from which the parse step re-derives
-- character and cell boxes (cheaper to re-read than to store every character's box).
alter table raw.reports add column if not exists page_count integer;
"""

REPORT_SCHEMA = pa.schema(
    [
        ("report_id", pa.string()),
        ("byte_size", pa.int64()),
        ("encoding", pa.string()),
        ("decode_status", pa.string()),
        ("decode_error", pa.string()),
        ("text", pa.string()),
        ("raw_bytes", pa.binary()),
        ("ingested_at", pa.timestamp("us", tz="UTC")),
        ("page_count", pa.int32()),
    ]
)
FILE_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("report_id", pa.string()),
        ("byte_size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("read_error", pa.string()),
        ("ingested_at", pa.timestamp("us", tz="UTC")),
        ("read_error_code", pa.string()),
    ]
)


@dataclass
class IngestSummary:
    files_seen: int = 0
    files_unchanged: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_removed: int = 0
    files_unreadable: int = 0
    reports_added: int = 0
    reports_removed: int = 0
    reports_undecodable: int = 0  # of the reports added in this run
    unreadable: list[str] = field(default_factory=list)  # "path: reason"
    reports_total: int = 0  # in raw.reports after the run
    reports_undecodable_total: int = 0  # of them, decode_status = 'failed'


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    schema.ensure(con, DDL)  # only when a table or column is missing: reads need no write access


def folder_changed(con: duckdb.DuckDBPyConnection, raw_dir: Path, stats: list | None = None) -> bool:
    """True when ingest_folder would write anything: a file new, removed, resized or touched since it
    was recorded, or a file recorded as unreadable that now reads or fails otherwise. Reads only, and
    opens no file but those recorded as unreadable."""
    if schema.missing(con, DDL):
        return True
    stats = scan(raw_dir) if stats is None else stats
    known = {row[0]: row[1:] for row in con.execute(
        "select source_file, report_id, byte_size, mtime_ns, read_error from raw.report_files").fetchall()}
    if len(known) != len(stats):
        return True
    for st in stats:
        prev = known.get(st.source_file)
        if prev is None:
            return True
        if prev[0] is not None:
            if (prev[1], prev[2]) != (st.byte_size, st.mtime_ns):
                return True
            continue
        if st.rejected is not None:
            error = f"not read {st.source_file}: {st.rejected}"
        else:
            try:
                read_and_hash(raw_dir / st.source_file)
                return True  # readable now
            except OSError as exc:
                error = f"cannot read {st.source_file}: {exc.strerror or exc}"
        if prev[3] != error:
            return True
    return False


def unchanged_summary(con: duckdb.DuckDBPyConnection, stats: list) -> IngestSummary:
    """What ingest_folder reports for a folder in which folder_changed found nothing: every file
    unchanged, the unreadable ones listed again with their recorded reason. Reads only, and reads
    less than ingest_folder would (an idle re-run at 100,000 files paid both)."""
    summary = IngestSummary(files_seen=len(stats), files_unchanged=len(stats))
    errors = dict(con.execute(
        "select source_file, read_error from raw.report_files where report_id is null").fetchall())
    summary.unreadable = [errors[st.source_file] for st in stats if st.source_file in errors]
    summary.files_unreadable = len(summary.unreadable)
    summary.reports_total, summary.reports_undecodable_total = con.execute(
        "select count(*), count(*) filter (where decode_status = 'failed') from raw.reports").fetchall()[0]
    return summary


def ingest_folder(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, now: dt.datetime | None = None, batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None, stats: list | None = None,
) -> IngestSummary:
    """Bring raw.* in line with the folder; see the module docstring for the rules. `progress(done,
    total)` is called after every `batch_size` files read (not for files skipped as unchanged)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    ensure_schema(con)
    summary = IngestSummary()
    stats = scan(raw_dir) if stats is None else stats  # a scan the caller already made (folder_changed)
    summary.files_seen = len(stats)

    known = {
        row[0]: row[1:]
        for row in con.execute("select source_file, report_id, byte_size, mtime_ns from raw.report_files").fetchall()
    }
    known_reports = {r[0] for r in con.execute("select report_id from raw.reports").fetchall()}
    known_errors = dict(con.execute(
        "select source_file, read_error from raw.report_files where read_error is not null").fetchall())

    file_rows: list[dict] = []  # small (no text): kept until the end, where they replace the old rows
    report_rows: list[dict] = []  # decoded texts: written every `batch_size` rows, never all held at once
    pending_reports: set[str] = set()
    replaced_paths: list[str] = []
    restat: list[tuple[int, str]] = []

    with transaction(con):  # the whole ingest, streamed writes included, lands at once or not at all
        files_read = 0
        for st in stats:
            prev = known.get(st.source_file)
            if prev is not None and prev[0] is not None and (prev[1], prev[2]) == (st.byte_size, st.mtime_ns):
                summary.files_unchanged += 1
                continue
            report_id, read_error, read_error_code, data = None, None, None, None
            files_read += 1
            if progress and files_read % batch_size == 0:
                progress(files_read, len(stats) - summary.files_unchanged)
            if st.rejected is not None:
                read_error, read_error_code = f"not read {st.source_file}: {st.rejected}", st.reject_code
                summary.files_unreadable += 1
                summary.unreadable.append(read_error)
            else:
                try:
                    data, report_id = read_and_hash(raw_dir / st.source_file)
                except OSError as exc:
                    read_error, read_error_code = f"cannot read {st.source_file}: {exc.strerror or exc}", "unreadable"
                    summary.files_unreadable += 1
                    summary.unreadable.append(read_error)
            if prev is not None:
                if prev[0] == report_id and report_id is not None:
                    restat.append((st.mtime_ns, st.source_file))
                    summary.files_unchanged += 1
                    continue
                if prev[0] is None and report_id is None and known_errors.get(st.source_file) == read_error:
                    summary.files_unchanged += 1  # still unreadable for the same reason: already recorded
                    continue
                replaced_paths.append(st.source_file)
                summary.files_changed += 1
            else:
                summary.files_new += 1
            file_rows.append(
                dict(
                    source_file=st.source_file,
                    report_id=report_id,
                    byte_size=len(data) if data is not None else st.byte_size,
                    mtime_ns=st.mtime_ns,
                    read_error=read_error,
                    ingested_at=now,
                    read_error_code=read_error_code,
                )
            )
            if report_id and report_id not in known_reports and report_id not in pending_reports:
                pending_reports.add(report_id)
                report_rows.append(_decode_row(report_id, data, now, st.source_file))
                summary.reports_added += 1
                if report_rows[-1]["decode_status"] == "failed":
                    summary.reports_undecodable += 1
                if len(report_rows) >= batch_size:
                    _insert_batches(con, "raw.reports", report_rows, REPORT_SCHEMA, batch_size)
                    report_rows.clear()

        seen_paths = {s.source_file for s in stats}
        removed = [p for p in known if p not in seen_paths]
        summary.files_removed = len(removed)

        if restat:
            con.executemany("update raw.report_files set mtime_ns = ? where source_file = ?", restat)
        for paths in (replaced_paths, removed):
            if paths:
                con.execute("delete from raw.report_files where source_file in (select unnest(?))", [paths])
        _insert_batches(con, "raw.report_files", file_rows, FILE_SCHEMA, batch_size)
        _insert_batches(con, "raw.reports", report_rows, REPORT_SCHEMA, batch_size)
        orphans = con.execute(
            "select report_id from raw.reports where report_id not in "
            "(select report_id from raw.report_files where report_id is not null)"
        ).fetchall()
        if orphans:
            con.execute("delete from raw.reports where report_id in (select unnest(?))", [[o[0] for o in orphans]])
        summary.reports_removed = len(orphans)
    summary.reports_total, summary.reports_undecodable_total = con.execute(
        "select count(*), count(*) filter (where decode_status = 'failed') from raw.reports").fetchall()[0]
    return summary


def _insert_batches(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], schema: pa.Schema, batch_size: int) -> None:
    """Insert rows through Arrow, `batch_size` at a time (`table` is one of our two names, never input)."""
    for start in range(0, len(rows), batch_size):
        con.register("_ingest_batch", pa.Table.from_pylist(rows[start : start + batch_size], schema=schema))
        con.execute(f"insert into {ident(table)} by name select * from _ingest_batch")
        con.unregister("_ingest_batch")


def _decode_row(report_id: str, data: bytes, now: dt.datetime, source_file: str = "") -> dict:
    if is_pdf(data, source_file):
        return _pdf_row(report_id, data, now)
    try:
        text, encoding = decode_bytes(data)
        return dict(
            report_id=report_id, byte_size=len(data), encoding=encoding, decode_status="ok",
            decode_error=None, text=text, raw_bytes=None, ingested_at=now,
        )
    except DecodeError as exc:
        return dict(
            report_id=report_id, byte_size=len(data), encoding=None, decode_status="failed",
            decode_error=str(exc), text=None, raw_bytes=data, ingested_at=now,
        )


def _pdf_row(report_id: str, data: bytes, now: dt.datetime) -> dict:
    """A PDF (by suffix or %PDF- magic): its text layer, page by page, and its page count; a PDF that
    cannot be read (encrypted, truncated, zero pages, not a PDF, too many pages) or has no text
    layer at all (scanned) is kept with the reason. The bytes are kept either way."""
    row = dict(report_id=report_id, byte_size=len(data), encoding="pdf", decode_status="ok", decode_error=None,
               text=None, raw_bytes=data, ingested_at=now, page_count=None)
    try:
        doc = read_pdf(data, with_tokens=False)
    except PdfError as exc:
        row.update(decode_status="failed", decode_error=f"{exc.code}: {exc.reason}")
        try:
            row["page_count"] = page_count(data)
        except PdfError:
            pass
        return row
    except Exception as exc:  # noqa: BLE001 - a PDFium failure on one file must not stop the run
        row.update(decode_status="failed", decode_error=f"pdf_damaged: {type(exc).__name__}: {exc}")
        return row
    row["page_count"] = doc.page_count
    if not doc.text.strip():
        row.update(decode_status="failed", decode_error=(
            f"pdf_scanned: none of its {doc.page_count} pages has a text layer (a scanned PDF); the parse step "
            "reads it by OCR when the ocr extra is installed (pip install -e .[ocr])"))
        return row
    row["text"] = doc.text
    return row
