"""Resources: the DuckDB warehouse and the folders, built from settings.py.

One DuckDB file, one writer at a time: DuckDB 2.0 lets no writer in while any other process holds the
file, so every step that writes runs inside the one `build_warehouse` run (in-process executor, see
jobs.py) and BI tools read the Parquet exports or the snapshot, never the live file.
"""


import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.settings import Settings


class WarehousePaths(dg.ConfigurableResource):
    """The folders around the warehouse file (the file itself is DuckDBResource.database)."""

    raw_dir: str
    export_dir: str
    snapshot: str
    data_docs_dir: str


def build_resources(settings: Settings) -> dict:
    return {
        "duckdb": DuckDBResource(database=str(settings.warehouse)),
        "paths": WarehousePaths(
            raw_dir=str(settings.raw_dir),
            export_dir=str(settings.export_dir),
            snapshot=str(settings.snapshot),
            data_docs_dir=str(settings.data_docs_dir),
        ),
    }
