"""The job, its daily schedule, and the sensor that notices new or changed raw files."""


from pathlib import Path

import dagster as dg

from dagster_project.corpus import fingerprint, scan

# In-process: every step writes the same DuckDB file, which admits one writer process at a time,
# and per-step subprocesses would each pay the ≈8 s Dagster import. Scale-out goes through batching
# inside the steps (and later a partitioned job), not through parallel writers.
build_warehouse_job = dg.define_asset_job(
    name="build_warehouse",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest the raw folder, parse, build the dbt star schema, check and export.",
)

daily_build = dg.ScheduleDefinition(
    name="daily_build",
    job=build_warehouse_job,
    cron_schedule="0 3 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


def build_raw_folder_sensor(raw_dir: Path) -> dg.SensorDefinition:
    @dg.sensor(
        name="raw_folder_sensor",
        job=build_warehouse_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Requests a build when files under the raw folder are added, removed or changed.",
    )
    def raw_folder_sensor(context: dg.SensorEvaluationContext):
        # The cursor is a hash of (path, size, mtime) of every file: cheap (no file is read, the
        # DuckDB file is not opened, so a running build never blocks the sensor) and it changes on
        # any addition, removal or edit. The run key makes the same folder state one run only.
        if not raw_dir.is_dir():
            return dg.SkipReason(f"raw folder {raw_dir} does not exist")
        stats = scan(raw_dir)
        state = fingerprint(stats)
        if state == context.cursor:
            return dg.SkipReason(f"no change in {len(stats)} files under {raw_dir}")
        context.update_cursor(state)
        return dg.RunRequest(run_key=state, tags={"ogi/files": str(len(stats))})

    return raw_folder_sensor
