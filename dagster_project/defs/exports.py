"""BI exports: Parquet of every mart (facts one file per report_year) with _schema.json, and a DuckDB
snapshot in an old storage format that DuckDB 1.x drivers read (see dagster_project/exports.py)."""

from pathlib import Path

import dagster as dg

from dagster_project.defs.resources import WarehouseDuckDB, WarehousePaths
from dagster_project.exports import export_all
from dagster_project.progress import PROGRESS_PREFIX
from dagster_project.settings import DBT_PROJECT_DIR


def build_exports_asset(mart_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The exports depend on every dbt mart, whichever marts the dbt project defines."""

    @dg.asset(
        key=dg.AssetKey(["exports", "bi"]),
        group_name="exports",
        deps=mart_keys,
        kinds={"parquet", "duckdb"},
        description="Parquet of every mart under OGI_EXPORT_DIR (swapped in atomically, with _schema.json "
        "from the dbt docs) and a DuckDB snapshot file of the marts in an old storage format "
        "(OGI_SNAPSHOT_STORAGE_VERSION), so BI tools never hold the live warehouse open.",
    )
    def bi_exports(context: dg.AssetExecutionContext, duckdb: WarehouseDuckDB, paths: WarehousePaths) -> dg.MaterializeResult:
        with duckdb.read_connection() as con:  # the exports read the warehouse and write files only
            result = export_all(con, Path(paths.export_dir), Path(paths.snapshot), DBT_PROJECT_DIR / "models")
        if result.reused:
            context.log.info(f"{PROGRESS_PREFIX}marts unchanged since the last export: {result.export_dir} kept as it is")
            return dg.MaterializeResult(metadata={
                "export_dir": str(result.export_dir), "reused_unchanged_marts": True, "fingerprint": result.fingerprint})
        snap = result.snapshot
        context.log.info(f"{PROGRESS_PREFIX}exported {len(result.relations)} marts to {result.export_dir}: "
                         f"{result.files_written} Parquet files written, {result.files_reused} unchanged ones linked")
        return dg.MaterializeResult(metadata={
            "export_dir": str(result.export_dir),
            "version_dir": str(result.version_dir),
            "snapshot": paths.snapshot,
            "snapshot_storage_version": snap.storage_version,
            "snapshot_views": [name for name, kind in snap.kinds.items() if kind == "view"],
            "rows": dg.MetadataValue.json(result.relations),
            "snapshot_relations": len(snap.counts),
            "reused_unchanged_marts": False,
            "parquet_files_written": result.files_written,
            "parquet_files_linked_unchanged": result.files_reused,
            "fingerprint": result.fingerprint,
        })

    return bi_exports
