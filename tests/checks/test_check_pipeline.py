"""One pass of the checks (checks/pipeline.py): it reuses its last pass only when nothing a result
depends on changed (facts, the catalogue as data with labels from parsing/templates.py, the code, the
suites), and says when its results cannot be trusted (the blocking `results_complete` check).

A bare DuckDB holding the three marts relations the identity SQL reads (no Dagster, no dbt)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.checks import catalogue as cat
from dagster_project.checks.pipeline import code_files, run_checks


def _bare_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """One v2021 report whose table-三 cells are all 0 (every other template cell absent)."""
    con = duckdb.connect(str(path))
    facts = pa.Table.from_pylist([
        {"report_id": "r1", "agency_id": "a1", "report_year": 2023, "metric_code": code, "value": Decimal(0),
         "value_state": "number", "raw_text": "0", "approximate": False, "inferred_by": None}
        for _, version, code, _ in cat.expected_cells() if version == "v2021" and code.startswith("t3.")
    ], schema=pa.schema([
        ("report_id", pa.string()), ("agency_id", pa.string()), ("report_year", pa.int32()),
        ("metric_code", pa.string()), ("value", pa.decimal128(38, 6)), ("value_state", pa.string()),
        ("raw_text", pa.string()), ("approximate", pa.bool_()), ("inferred_by", pa.string()),
    ]))
    reports = pa.Table.from_pylist([{"report_id": "r1", "agency_id": "a1", "report_year": 2023,
                                     "template_version": "v2021", "source_file": "r1.txt", "is_current": True}])
    agencies = pa.Table.from_pylist([{"agency_id": "a1", "agency_name": "测试局"}])
    con.execute("create schema marts")
    for name, table in (("fct_report_metric", facts), ("dim_report", reports), ("dim_agency", agencies)):
        con.register("t_arrow", table)
        con.execute(f"create table marts.{name} as select * from t_arrow")
        con.unregister("t_arrow")
    return con


def _t3_5_detail(con) -> str:
    return con.execute("select detail from checks.results where check_id = 'T3-5'").fetchall()[0][0]


def test_a_changed_label_in_the_catalogue_changes_the_next_runs_results(tmp_path, monkeypatch):
    con = _bare_warehouse(tmp_path / "bare.duckdb")
    first = run_checks(con, None)
    assert not first.skipped and _t3_5_detail(con).startswith("表三: ")
    assert run_checks(con, None).skipped  # nothing changed: the stored results are reused

    monkeypatch.setitem(cat.TABLE_LABEL, "t3", "表3")  # a label of the catalogue, nothing else
    relabelled = run_checks(con, None)
    assert not relabelled.skipped
    assert _t3_5_detail(con).startswith("表3: ")
    con.close()


def test_the_code_fingerprint_covers_the_template_catalogue_the_checks_import():
    names = {p.relative_to(Path(cat.__file__).parents[1]).as_posix() for p in code_files()}
    assert {"checks/catalogue.py", "checks/identities.py", "parsing/templates.py"} <= names
    assert not any(name.startswith("defs/") for name in names)  # Dagster adapters are not check code


def test_integrity_errors_name_every_reason_the_results_cannot_be_trusted(tmp_path):
    con = _bare_warehouse(tmp_path / "bare.duckdb")
    run = run_checks(con, None)
    con.close()
    assert run.integrity_errors() == []
    gx = dataclasses.replace(run.gx, suites={s: r for s, r in run.gx.suites.items() if s != "prose"})
    broken = dataclasses.replace(run, gx=gx, disagreements=3, reports_with_tables_unchecked=1)
    assert broken.integrity_errors() == [
        "3 rows where GX and the SQL comparison disagree",
        "1 reports with table cells have no check result",
        "suites not validated: prose",
    ]
