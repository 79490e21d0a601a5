"""BI exports: Parquet of every mart (facts partitioned by report_year) and a DuckDB snapshot."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.defs.resources import WarehousePaths
from dagster_project.exports import export_parquet, write_snapshot


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
        with duckdb.get_connection() as con:
            parquet = export_parquet(con, Path(paths.export_dir))
            snapshot_counts = write_snapshot(con, Path(paths.snapshot))
        context.log.info(f"progress: exported {len(parquet.relations)} marts to {parquet.export_dir}")
        return dg.MaterializeResult(metadata={
            "export_dir": str(parquet.export_dir),
            "version_dir": str(parquet.version_dir),
            "snapshot": paths.snapshot,
            "rows": dg.MetadataValue.json(parquet.relations),
            "snapshot_relations": len(snapshot_counts),
        })

    return bi_exports
