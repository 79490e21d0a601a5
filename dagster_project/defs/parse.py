"""Parse assets: raw.reports → parsed.* through the pure-Python parser (logic in parsed_store.py)."""

import dagster as dg

from dagster_project.defs.ingest import RAW_REPORT_FILES, RAW_REPORTS
from dagster_project.defs.resources import WarehouseDuckDB
from dagster_project.parsed_store import PARSER_VERSION, has_pending, parse_pending, stale_catalogue, write_catalogue
from dagster_project.progress import PROGRESS_PREFIX

PARSED_TABLES = {
    "reports": "One row per raw report: agency, year, template version, region, parse_status.",
    "cells": "Every extracted value (tables 二/三/四 and prose) under its metric code, with raw_text and source_line.",
    "sections": "The report's sections with title, body and line range.",
    "messages": "What the parser could not find, and where (why a report is partial or failed).",
}


@dg.multi_asset(
    name="parsed_reports",
    group_name="parse",
    specs=[dg.AssetSpec(dg.AssetKey(["parsed", t]), description=d, kinds={"duckdb", "python"},
                        deps=[RAW_REPORTS, RAW_REPORT_FILES])
           for t, d in PARSED_TABLES.items()],
)
def parsed_reports(context: dg.AssetExecutionContext, duckdb: WarehouseDuckDB):
    """Parse new and changed reports (and all of them when the parser changed)."""

    def progress(done: int, total: int) -> None:
        context.log.info(f"{PROGRESS_PREFIX}parsed {done}/{total} reports")

    summary = None
    with duckdb.read_connection() as con:
        if not has_pending(con):  # summarised from what is there, nothing written
            summary = parse_pending(con, progress=progress)
    if summary is None:
        with duckdb.get_connection() as con:
            summary = parse_pending(con, progress=progress)
    meta = {
        "parser_version": PARSER_VERSION,
        "reports_parsed_this_run": summary.reports_parsed,
        "reports_removed_this_run": summary.reports_removed,
        "reports_total": summary.reports_total,
        "cells_total": summary.cells_total,
        **{f"reports_{status}": n for status, n in (summary.status_counts or {}).items()},
    }
    for table in PARSED_TABLES:
        yield dg.MaterializeResult(asset_key=dg.AssetKey(["parsed", table]), metadata=meta if table == "reports" else None)


CATALOGUE_TABLES = {
    "metric_catalogue": "Every metric code of parsing/templates.py with label, unit, value type and template "
                        "versions: the single source dim_metric is built from.",
    "template_versions": "The template versions (pre2019, v2019, v2021, hybrid, unknown) with their years: "
                         "what every template_version column is tested against.",
    "template_years": "The template prescribed for each report year (templates.expected_template): dim_year's source.",
}


@dg.multi_asset(
    name="catalogue",
    group_name="parse",
    specs=[dg.AssetSpec(dg.AssetKey(["parsed", t]), description=d, kinds={"duckdb", "python"})
           for t, d in CATALOGUE_TABLES.items()],
)
def catalogue(duckdb: WarehouseDuckDB):
    """The domain facts of parsing/templates.py as tables, for dbt."""
    counts = None
    with duckdb.read_connection() as con:
        if not stale_catalogue(con):
            counts = write_catalogue(con)  # writes nothing: every table is current
    if counts is None:
        with duckdb.get_connection() as con:
            counts = write_catalogue(con)
    for table in CATALOGUE_TABLES:
        yield dg.MaterializeResult(asset_key=dg.AssetKey(["parsed", table]), metadata={"rows": counts[table]})
