"""The one Definitions object of the project (`dagster dev` finds it through [tool.dagster])."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs import automation, check_assets, dbt, exports, ingest, parse
from dagster_project.defs.resources import build_resources
from dagster_project.progress import ogi_progress_logger
from dagster_project.settings import export_to_environment, load_settings


def build_definitions() -> dg.Definitions:
    """Read the environment (OGI_RAW_DIR, OGI_WAREHOUSE, OGI_EXPORT_DIR) and wire everything."""
    settings = load_settings()
    export_to_environment(settings)  # dbt reads OGI_WAREHOUSE from the environment
    project = dbt.dbt_project()
    dbt_models = dbt.build_dbt_assets(project)
    marts = [key for key in dbt_models.keys if key.path[0] == "marts"]
    return dg.Definitions(
        assets=[
            ingest.raw_reports,
            parse.parsed_reports,
            parse.catalogue,
            dbt_models,
            check_assets.check_results,
            exports.build_exports_asset(marts),
        ],
        jobs=[automation.build_warehouse_job],
        schedules=[automation.daily_build],
        sensors=[automation.build_raw_folder_sensor(settings.raw_dir)],
        resources={**build_resources(settings), "dbt": dbt.dbt_resource(project)},
        # console stays the default for scheduled runs; `ogi build` selects ogi_progress instead.
        loggers={"console": dg.colored_console_logger, "ogi_progress": ogi_progress_logger},
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Loaded lazily by `dagster dev`; the CLI and tests call build_definitions() after setting the environment."""
    return build_definitions()
