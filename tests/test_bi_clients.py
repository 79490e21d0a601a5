"""What BI tools get, on the session warehouse: the snapshot opened by DuckDB 1.x clients in their own
virtualenvs (the oldest and the newest 1.x, what JDBC/ODBC drivers and older Python environments
bundle) answering the README's queries exactly as DuckDB 2.0 answers them on the warehouse, and
Parquet files whose types survive, whose codes are dictionary-encoded, and whose _schema.json
carries the dbt docs."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from dagster_project.exports import JSON_ENCODING, SCHEMA_FILE, bi_columns, load_dbt_docs
from tests.helpers import PROJECT_ROOT
from tests.test_example_queries import readme_queries

# The oldest 1.x (reads storage format 64 only) and the newest (what current JDBC/ODBC drivers bundle).
DUCKDB1_VERSIONS = ["1.0.0", "1.5.6"]
DUCKDB1_ROOT = PROJECT_ROOT / ".venv-duckdb1"
README = PROJECT_ROOT / "README.md"

CLIENT = r"""
import datetime, decimal, json, sys
import duckdb

def plain(v):
    if isinstance(v, decimal.Decimal): return "D" + str(v)
    if isinstance(v, float): return "F" + repr(v)
    if isinstance(v, (datetime.date, datetime.datetime)): return "T" + v.isoformat()
    return v

job = json.load(sys.stdin)
con = duckdb.connect(job["snapshot"], read_only=True)
out = {"version": duckdb.__version__,
       "objects": con.execute("select table_name, table_type from information_schema.tables "
                              "where table_schema = 'marts' order by 1").fetchall(),
       "results": [[[plain(v) for v in row] for row in con.execute(q).fetchall()] for q in job["queries"]]}
print(json.dumps(out, ensure_ascii=False))
"""


def plain(v):
    if isinstance(v, decimal.Decimal):
        return "D" + str(v)
    if isinstance(v, float):
        return "F" + repr(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return "T" + v.isoformat()
    return v


def dashboard_queries() -> list[str]:
    import re

    text = README.read_text(encoding="utf-8")
    section = text.split("### The dashboard's queries", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def duckdb1_python(version: str) -> Path:
    """A virtualenv with only the duckdb `version` wheel from the package registry, made once under
    .venv-duckdb1/ and reused. Never skipped: without the client the test fails and says why."""
    venv = DUCKDB1_ROOT / version
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import duckdb; print(duckdb.__version__)"]
    if python.exists() and subprocess.run(probe, capture_output=True, text=True).stdout.strip() == version:
        return python
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True, text=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        f"duckdb=={version}"], check=True, capture_output=True, text=True, timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        pytest.fail(f"could not install the DuckDB {version} client into {venv} from the package registry "
                    f"(pip install duckdb=={version}): {getattr(e, 'stderr', '')}"[-3000:])
    found = subprocess.run(probe, capture_output=True, text=True).stdout.strip()
    assert found == version, f"{venv}: duckdb {found!r} installed, {version} wanted"
    return python


@pytest.fixture(scope="session")
def snapshot(warehouse) -> Path:
    return warehouse.warehouse.with_name("ogi_snapshot.duckdb")


@pytest.mark.parametrize("version", DUCKDB1_VERSIONS)
def test_duckdb1_client_answers_the_readme_queries_from_the_snapshot(warehouse, snapshot, version):
    queries = readme_queries() + dashboard_queries()
    assert len(queries) == 6
    python = duckdb1_python(version)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run = subprocess.run([str(python), "-c", CLIENT], input=json.dumps({"snapshot": str(snapshot), "queries": queries}),
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout)
    assert got["version"] == version
    # Every mart, each a view exactly when it is one in the warehouse (the marts name no list column).
    assert got["objects"] == [list(r) for r in warehouse.rows(
        "select table_name, table_type from information_schema.tables where table_schema = 'marts' order by 1")]
    kinds = dict(got["objects"])
    assert [kinds[v] for v in ("agency_year_summary", "t3_outcomes_wide", "t4_review_litigation_wide", "dim_report")] == [
        "VIEW", "VIEW", "VIEW", "BASE TABLE"]
    want = [[[plain(v) for v in row] for row in warehouse.rows(q)] for q in queries]
    assert got["results"] == want
    # The same numbers the contract tests pin (tests/test_example_queries.py), seen through 1.x.
    assert got["results"][3] == [[0, 2, 4]]
    assert ["江苏省", 2024, "D1412.000000", "D3145.000000", "F0.449"] in got["results"][1]
    assert got["results"][4] == [["江苏省", 2023, 1, 2, "T4-1, T4-3"]]
    # The undecodable broken/not_text.bin is a report too: no year, template unknown.
    assert got["results"][5] == [
        [2017, "pre2019", 1], [2020, "v2019", 3], [2023, "hybrid", 1], [2024, "hybrid", 1], [2024, "v2021", 2],
        [None, "unknown", 1]]


def test_snapshot_views_run_in_duckdb1(warehouse, snapshot):
    """The analyst views are views in the snapshot, and DuckDB 1.0 computes them as 2.0 does."""
    python = duckdb1_python(DUCKDB1_VERSIONS[0])
    queries = [f"select * from marts.{v} order by all" for v in ("agency_year_summary", "t3_outcomes_wide",
                                                                 "t4_review_litigation_wide")]
    run = subprocess.run([str(python), "-c", CLIENT], input=json.dumps({"snapshot": str(snapshot), "queries": queries}),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    want = [[[plain(v) for v in row] for row in warehouse.rows(q)] for q in queries]
    assert json.loads(run.stdout)["results"] == want
    assert [len(r) for r in want] == [8, 165, 7]


# --- Parquet ---------------------------------------------------------------------------------------

def snapshot_types(snapshot: Path, relation: str) -> list[tuple[str, str]]:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return con.execute("select column_name, data_type from information_schema.columns where table_schema = 'marts' "
                           "and table_name = ? order by ordinal_position", [relation]).fetchall()
    finally:
        con.close()


def test_parquet_types_and_rows_are_the_snapshots(warehouse, snapshot):
    schema = json.loads((warehouse.export_dir / SCHEMA_FILE).read_text(encoding="utf-8"))
    con = duckdb.connect()
    snap = duckdb.connect(str(snapshot), read_only=True)
    try:
        for relation in schema["relations"]:
            name = relation["name"]
            files = [str(warehouse.export_dir / f) for f in relation["files"]]
            described = [(r[0], r[1]) for r in con.execute("describe select * from read_parquet(?)", [files]).fetchall()]
            assert described == snapshot_types(snapshot, name) == [(c["name"], c["type"]) for c in relation["columns"]], name
            from_parquet = con.execute("select * from read_parquet(?) order by all", [files]).fetchall()
            assert from_parquet == snap.execute(f'select * from marts."{name}" order by all').fetchall(), name
            assert len(from_parquet) == relation["rows"], name
    finally:
        con.close()
        snap.close()
    types = {c["type"] for r in schema["relations"] for c in r["columns"]}
    portable = {"VARCHAR", "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "DATE", "TIME",
                "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "BLOB"}
    assert {t for t in types if not t.startswith("DECIMAL(")} <= portable, types
    assert {"VARCHAR", "INTEGER", "BIGINT", "DECIMAL(38,6)", "DATE", "BOOLEAN"} <= types
    assert not any(t.startswith("TIMESTAMP") for t in types)  # the run timestamps are not exported
    warehouse_types = {c["warehouse_type"] for r in schema["relations"] for c in r["columns"]}
    assert {"VARCHAR[]", "HUGEINT"} <= warehouse_types  # what the BI shape rewrote


def test_lists_are_json_text_and_read_back(warehouse):
    folder = warehouse.export_dir
    agencies = pd.read_parquet(folder / "dim_agency")
    names = agencies.loc[agencies["adcode"] == "320813", "names_seen"].tolist()
    assert names == ['["洪泽区人民政府","淮安市洪泽区人民政府"]']
    assert json.loads(names[0]) == ["洪泽区人民政府", "淮安市洪泽区人民政府"]
    sources = duckdb.sql("select from_json(source_files, '[\"varchar\"]') from read_parquet(?) "
                         "where list_contains(from_json(source_files, '[\"varchar\"]'), ?)",
                         params=[str(folder / "dim_report" / "data.parquet"), "copies/same_bytes_as_004.txt"]).fetchall()
    assert sources == [(["004_70d6925fef033874.txt", "copies/same_bytes_as_004.txt"],)]


def test_facts_read_by_pandas_as_one_table_with_integer_years(warehouse):
    facts = pd.read_parquet(warehouse.export_dir / "fct_report_metric")
    assert str(facts["report_year"].dtype) == "int32"
    assert sorted(facts["report_year"].unique().tolist()) == [2017, 2020, 2023, 2024]
    assert len(facts) == warehouse.rows("select count(*) from marts.fct_report_metric")[0][0]


def test_codes_are_dictionary_encoded(warehouse):
    for path in sorted((warehouse.export_dir / "fct_report_metric").glob("*.parquet")):
        meta = pq.ParquetFile(path).metadata
        assert meta.num_row_groups == 1, path
        columns = {meta.row_group(0).column(i).path_in_schema: meta.row_group(0).column(i)
                   for i in range(meta.num_columns)}
        for code in ("report_id", "agency_id", "metric_code", "value_state", "template_version", "unit"):
            assert columns[code].has_dictionary_page, (path.name, code)


def test_schema_file_is_generated_from_the_dbt_docs(warehouse):
    schema = json.loads((warehouse.export_dir / SCHEMA_FILE).read_text(encoding="utf-8"))
    docs = load_dbt_docs(PROJECT_ROOT / "dbt" / "models")
    marts = [r[0] for r in warehouse.rows(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1")]
    assert [r["name"] for r in schema["relations"]] == marts
    on_disk = sorted(str(p.relative_to(warehouse.export_dir)) for p in warehouse.export_dir.rglob("*.parquet"))
    assert sorted(f for r in schema["relations"] for f in r["files"]) == on_disk
    con = warehouse.connect()
    try:
        for relation in schema["relations"]:
            assert relation["description"] == docs[relation["name"]]["description"] != ""
            shape = bi_columns(con, relation["name"])
            assert [c["name"] for c in relation["columns"]] == [c.name for c in shape]
            for column in relation["columns"]:
                assert column["description"] == docs[relation["name"]]["columns"][column["name"]] != "", (
                    relation["name"], column["name"])
    finally:
        con.close()
    metric = {r["name"]: r for r in schema["relations"]}["dim_metric"]
    assert [c for c in metric["columns"] if c["name"] == "template_versions"] == [{
        "name": "template_versions", "type": "VARCHAR", "warehouse_type": "VARCHAR[]",
        "description": "Template versions that carry the metric.", "encoding": JSON_ENCODING}]
    assert {r["name"]: r["kind_in_snapshot"] for r in schema["relations"]}["agency_year_summary"] == "view"
    assert schema["snapshot_storage_version"] == "v0.10.0"
