"""dbt in the build's process (dagster_project/dbt_runner.py): one parse per process, real `dbt build`
invocations on a real DuckDB file, the file released after each one, failures reported."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project import dbt_runner
from dagster_project.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow


@pytest.fixture
def database(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema parsed; create table parsed.template_years (report_year integer, expected_template varchar)")
    con.execute("insert into parsed.template_years values (2019, 'v2019'), (2021, 'v2021')")
    con.close()
    monkeypatch.setenv("OGI_BUILD_DATABASE", str(path))
    return path


def test_two_invocations_share_one_parse_and_release_the_file(database, tmp_path):
    manifest = dbt_runner.warm_manifest(DBT_PROJECT_DIR, DBT_PROJECT_DIR, DBT_PROJECT_DIR / "target")
    assert dbt_runner.warm_manifest(DBT_PROJECT_DIR, DBT_PROJECT_DIR, DBT_PROJECT_DIR / "target") is manifest

    for n in (1, 2):
        run = dbt_runner.invoke(["run", "--select", "stg_parsed__template_years"], DBT_PROJECT_DIR,
                                DBT_PROJECT_DIR, manifest, tmp_path / f"target{n}")
        assert run.success, run.error
        assert [(e["info"]["name"], e["data"]["node_info"]["unique_id"]) for e in run.result_events] == [
            ("LogModelResult", "model.ogi.stg_parsed__template_years")]
        assert (tmp_path / f"target{n}" / "run_results.json").exists()
        # a read-only connection needs a configuration different from dbt's: only possible when dbt
        # no longer holds the database open in this process
        ro = duckdb.connect(str(database), read_only=True)
        assert ro.execute("select count(*) from staging.stg_parsed__template_years").fetchone() == (2,)
        ro.close()


def test_a_failing_model_makes_the_invocation_unsuccessful(database, tmp_path):
    con = duckdb.connect(str(database))
    con.execute("drop table parsed.template_years")
    con.close()
    manifest = dbt_runner.warm_manifest(DBT_PROJECT_DIR, DBT_PROJECT_DIR, DBT_PROJECT_DIR / "target")
    run = dbt_runner.invoke(["run", "--select", "stg_parsed__template_years"], DBT_PROJECT_DIR, DBT_PROJECT_DIR,
                            manifest, tmp_path / "target")
    assert not run.success
    statuses = {e["data"]["node_info"]["node_status"] for e in run.result_events}
    assert statuses == {"error"}
    duckdb.connect(str(database), read_only=True).close()  # released after a failure too
