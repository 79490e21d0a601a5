"""dbt_state: when a dbt build may be skipped (its sources, project and relations are unchanged)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from dagster_project import dbt_state
from dagster_project.settings import DBT_PROJECT_DIR

SELECTION = "marts/dim_x,staging/stg_y"


def _warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema raw; create schema parsed; create schema checks; create schema marts; create schema staging")
    con.execute("create table raw.reports as select 'r' || range as report_id, 'ok' as decode_status from range(3)")
    con.execute("create table parsed.reports as select 'r' || range as report_id, 'p1' as parser_version, "
                "timestamptz '2026-01-01' as parsed_at from range(3)")
    con.execute("create table parsed.cells as select 'r1' as report_id, 't3.x' as metric_code, 1 as value")
    con.execute("create table marts.dim_x as select 1 as id")
    con.execute("create view staging.stg_y as select 1 as id")
    return con


def test_a_build_is_skipped_only_while_its_sources_and_relations_are_unchanged(tmp_path):
    con = _warehouse(tmp_path / "w.duckdb")
    sources = ["raw.reports", "parsed.cells"]
    first = dbt_state.input_fingerprint(con, DBT_PROJECT_DIR, sources)
    assert not dbt_state.unchanged(con, SELECTION, first)  # never built
    dbt_state.record(con, SELECTION, first)
    assert dbt_state.unchanged(con, SELECTION, dbt_state.input_fingerprint(con, DBT_PROJECT_DIR, sources))

    # a table the selection does not read changes: still skipped
    con.execute("create table checks.results as select 1 as x")
    assert dbt_state.unchanged(con, SELECTION, dbt_state.input_fingerprint(con, DBT_PROJECT_DIR, sources))
    # a report re-parsed (its parsed rows are replaced with a new parsed_at): parsed.cells counts as changed
    con.execute("update parsed.reports set parsed_at = timestamptz '2026-02-01' where report_id = 'r1'")
    assert not dbt_state.unchanged(con, SELECTION, dbt_state.input_fingerprint(con, DBT_PROJECT_DIR, sources))
    con.execute("update parsed.reports set parsed_at = timestamptz '2026-01-01' where report_id = 'r1'")
    assert dbt_state.unchanged(con, SELECTION, dbt_state.input_fingerprint(con, DBT_PROJECT_DIR, sources))
    # a new raw report
    con.execute("insert into raw.reports values ('r9', 'ok')")
    assert not dbt_state.unchanged(con, SELECTION, dbt_state.input_fingerprint(con, DBT_PROJECT_DIR, sources))
    con.execute("delete from raw.reports where report_id = 'r9'")
    # one of the selection's relations dropped: the build must run again
    con.execute("drop table marts.dim_x")
    assert not dbt_state.unchanged(con, SELECTION, first)
    con.close()


def test_each_relation_is_vouched_for_by_the_one_build_that_made_it(tmp_path):
    """relation_versions: what the checks and the exports read instead of the marts' rows."""
    con = _warehouse(tmp_path / "w.duckdb")
    assert dbt_state.relation_versions(con, ["marts.dim_x"]) is None  # never built
    dbt_state.record(con, SELECTION, "f1")
    dbt_state.record(con, "marts/fct_z", "f2")
    first = dbt_state.relation_versions(con, ["marts.dim_x", "staging.stg_y", "marts.fct_z"])
    assert first is not None and first["marts.dim_x"] == first["staging.stg_y"] != first["marts.fct_z"]
    assert dbt_state.relation_versions(con, ["marts.dim_x", "marts.not_built"]) is None
    # a build of dim_x starts: no record vouches for dim_x, nor for stg_y (built with it), until it is done
    dbt_state.forget(con, "marts/dim_x")
    assert dbt_state.relation_versions(con, ["staging.stg_y"]) is None
    assert dbt_state.relation_versions(con, ["marts.fct_z"]) == {"marts.fct_z": first["marts.fct_z"]}
    dbt_state.record(con, "marts/dim_x", "f3")
    assert dbt_state.relation_versions(con, ["marts.dim_x"])["marts.dim_x"] not in (first["marts.dim_x"], None)
    assert con.execute("select selection from meta.dbt_builds order by 1").fetchall() == [("marts/dim_x",), ("marts/fct_z",)]
    con.close()


def test_the_project_digest_follows_every_model_file(tmp_path):
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    before = dbt_state.project_digest(project)
    assert dbt_state.project_digest(project) == before
    model = next((project / "models" / "marts").glob("*.yml"))
    model.write_text(model.read_text(encoding="utf-8") + "\n# a changed description\n", encoding="utf-8")
    assert dbt_state.project_digest(project) != before


def test_only_the_newest_artifact_folders_of_a_dbt_step_are_kept(tmp_path):
    for age, name in enumerate(["ogi_dbt_models-aaaaaaa-1", "ogi_dbt_models-bbbbbbb-2", "ogi_dbt_models-ccccccc-3",
                                "ogi_dbt_models-ddddddd-4", "ogi_dbt_models_2-aaaaaaa-5", "ogi_dbt_models_2-bbbbbbb-6"]):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text("{}")
        os.utime(tmp_path / name, (1_000_000 + age, 1_000_000 + age))
    (tmp_path / "manifest.json").write_text("{}")  # the project's own manifest and partial parse stay
    (tmp_path / "partial_parse.msgpack").write_text("")
    gone = dbt_state.prune_run_targets(tmp_path, "ogi_dbt_models", keep=2)
    assert sorted(p.name for p in gone) == ["ogi_dbt_models-aaaaaaa-1", "ogi_dbt_models-bbbbbbb-2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.json", "ogi_dbt_models-ccccccc-3", "ogi_dbt_models-ddddddd-4",
        "ogi_dbt_models_2-aaaaaaa-5", "ogi_dbt_models_2-bbbbbbb-6", "partial_parse.msgpack"]
    assert dbt_state.prune_run_targets(tmp_path, "ogi_dbt_models_2", keep=1) == [tmp_path / "ogi_dbt_models_2-aaaaaaa-5"]
