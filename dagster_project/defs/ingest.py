"""Ingest asset: the raw folder → raw.report_files + raw.reports (logic in raw_store.py)."""


from pathlib import Path

import dagster as dg

from dagster_project.corpus import scan
from dagster_project.defs.resources import WarehouseDuckDB, WarehousePaths
from dagster_project.progress import PROGRESS_PREFIX
from dagster_project.raw_store import folder_changed, ingest_folder, unchanged_summary

RAW_REPORTS = dg.AssetKey(["raw", "reports"])
RAW_REPORT_FILES = dg.AssetKey(["raw", "report_files"])


# The asset keys are the tables' own names, which are also the dbt sources' default keys, so dbt's
# staging models hang under this step in the lineage graph without any mapping.
@dg.multi_asset(
    name="raw_reports",
    group_name="ingest",
    specs=[
        dg.AssetSpec(RAW_REPORTS, kinds={"duckdb", "python"},
                     description="One row per distinct file content: sha256, size, detected encoding, decoded text "
                     "(or the bytes and the reason when undecodable)."),
        dg.AssetSpec(RAW_REPORT_FILES, kinds={"duckdb", "python"},
                     description="One row per file under OGI_RAW_DIR (recursively): relative path → sha256; "
                     "unreadable files are kept with the reason."),
    ],
)
def raw_reports(context: dg.AssetExecutionContext, duckdb: WarehouseDuckDB, paths: WarehousePaths):
    """Incremental and idempotent ingestion (rules in raw_store.py)."""
    raw_dir = Path(paths.raw_dir)

    def progress(done: int, at_most: int) -> None:
        context.log.info(f"{PROGRESS_PREFIX}read {done} of at most {at_most} new or changed files")

    stats = scan(raw_dir)
    summary = None
    with duckdb.read_connection() as con:
        if not folder_changed(con, raw_dir, stats):  # summarised from what is there, nothing written
            summary = unchanged_summary(con, stats)
    if summary is None:  # only a change makes the run's working copy
        with duckdb.get_connection() as con:
            summary = ingest_folder(con, raw_dir, progress=progress, stats=stats)
    for line in summary.unreadable:
        context.log.warning(line)
    context.log.info(
        f"ingest {raw_dir}: {summary.files_seen} files, {summary.files_new} new, {summary.files_changed} changed, "
        f"{summary.files_removed} removed, {summary.files_unchanged} unchanged; {summary.reports_added} reports added"
    )
    yield dg.MaterializeResult(asset_key=RAW_REPORT_FILES, metadata={
        "files_seen": summary.files_seen, "files_unreadable": summary.files_unreadable})
    yield dg.MaterializeResult(
        asset_key=RAW_REPORTS,
        metadata={
            "raw_dir": str(raw_dir),
            "files_seen": summary.files_seen,
            "files_new": summary.files_new,
            "files_changed": summary.files_changed,
            "files_removed": summary.files_removed,
            "files_unchanged": summary.files_unchanged,
            "files_unreadable": summary.files_unreadable,
            "reports_added": summary.reports_added,
            "reports_removed": summary.reports_removed,
            "reports_total": summary.reports_total,
            "reports_undecodable": summary.reports_undecodable_total,
        }
    )
