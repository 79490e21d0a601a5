"""BI exports: Parquet of every mart (facts partitioned by report_year) and a DuckDB snapshot."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.defs.resources import WarehousePaths
from dagster_project.exports import current_export_fingerprint, export_parquet, marts_fingerprint, write_snapshot
from dagster_project.progress import PROGRESS_PREFIX


def build_exports_asset(mart_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The exports depend on every dbt mart, whichever marts the dbt project defines."""

    @dg.asset(
        key=dg.AssetKey(["exports", "bi"]),
        group_name="exports",
        deps=mart_keys,
        kinds={"parquet", "duckdb"},
        description="Parquet of every mart under OGI_EXPORT_DIR (swapped in atomically) and a DuckDB "
        "snapshot file of the marts, so BI tools never hold the live warehouse open.",
    )
    def bi_exports(context: dg.AssetExecutionContext, duckdb: DuckDBResource, paths: WarehousePaths) -> dg.MaterializeResult:
        export_dir, snapshot = Path(paths.export_dir), Path(paths.snapshot)
        with duckdb.get_connection() as con:
            fingerprint = marts_fingerprint(con)
            if fingerprint == current_export_fingerprint(export_dir) and snapshot.is_file():
                # Unchanged marts: the current export and snapshot already hold exactly this.
                context.log.info(f"{PROGRESS_PREFIX}marts unchanged since the last export: {export_dir} kept as it is")
                return dg.MaterializeResult(metadata={
                    "export_dir": str(export_dir), "reused_unchanged_marts": True, "fingerprint": fingerprint})
            parquet = export_parquet(con, export_dir, fingerprint)
            snapshot_counts = write_snapshot(con, snapshot)
        context.log.info(f"{PROGRESS_PREFIX}exported {len(parquet.relations)} marts to {parquet.export_dir}")
        return dg.MaterializeResult(metadata={
            "export_dir": str(parquet.export_dir),
            "version_dir": str(parquet.version_dir),
            "snapshot": paths.snapshot,
            "rows": dg.MetadataValue.json(parquet.relations),
            "snapshot_relations": len(snapshot_counts),
            "reused_unchanged_marts": False,
            "fingerprint": fingerprint,
        })

    return bi_exports
