"""The Dagster definitions: they load, with the `build_warehouse` job, the daily schedule, the raw-folder
sensor and dbt lineage under the ingest step; the sensor requests a run only when the folder changes;
without settings the build reads the repository's default `raw/` folder."""

from __future__ import annotations

import shutil

from tests.helpers import DEFAULT_RAW_DIR, ENV_VARS, SEED_FILES, SEEDS_DIR


def test_sensor_requests_a_run_only_when_the_folder_changes(tmp_path):
    import dagster as dg

    from dagster_project.defs.automation import build_raw_folder_sensor

    raw = tmp_path / "raw"
    shutil.copytree(SEEDS_DIR, raw)
    sensor = build_raw_folder_sensor(raw)

    first = sensor.evaluate_tick(dg.build_sensor_context(cursor=None))
    assert len(first.run_requests) == 1
    cursor = first.cursor
    assert sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor)).run_requests == []

    (raw / "new_report.txt").write_text("某某局2021年政府信息公开工作年度报告", encoding="utf-8")
    added = sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor))
    assert len(added.run_requests) == 1 and added.cursor != cursor

    target = raw / SEED_FILES[0]
    target.write_bytes(target.read_bytes() + b"\n")
    changed = sensor.evaluate_tick(dg.build_sensor_context(cursor=added.cursor))
    assert len(changed.run_requests) == 1

    missing = build_raw_folder_sensor(tmp_path / "nope").evaluate_tick(dg.build_sensor_context(cursor=None))
    assert missing.run_requests == [] and "does not exist" in missing.skip_message


def test_definitions_load_with_job_schedule_sensor_and_dbt_lineage():
    import dagster as dg

    from dagster_project.definitions import build_definitions

    defs = build_definitions()
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("build_warehouse")
    assert defs.resolve_schedule_def("daily_build").cron_schedule == "0 3 * * *"
    assert defs.resolve_sensor_def("raw_folder_sensor").job_name == "build_warehouse"
    graph = defs.resolve_asset_graph()
    # Every dbt model hangs (transitively) under the ingest step, and the job selects every asset.
    assert ancestors(graph, dg.AssetKey(["marts", "dim_report"])) >= {
        dg.AssetKey(["raw", "reports"]), dg.AssetKey(["raw", "report_files"])}
    assert set(job.asset_layer.executable_asset_keys) == set(graph.materializable_asset_keys)


def ancestors(graph, key) -> set:
    seen, todo = set(), [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_the_default_raw_folder_is_the_repositorys_raw_and_ships_the_seeds(monkeypatch):
    """The one test that reads the repository's default `raw/` folder (every other test reads the seeds
    from tests/fixtures/seeds): with no OGI_* variable set the build reads `raw/`, and as shipped it
    holds the five seeds the tests use, byte for byte (so `./dev build` builds what the tests test).
    Your own reports beside them do not matter; a seed removed or edited in `raw/` fails here."""
    from dagster_project.settings import load_settings

    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    assert load_settings().raw_dir == DEFAULT_RAW_DIR
    for name in SEED_FILES:
        assert (DEFAULT_RAW_DIR / name).read_bytes() == (SEEDS_DIR / name).read_bytes(), name
