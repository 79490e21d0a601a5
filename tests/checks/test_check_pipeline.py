"""One pass of the checks (checks/pipeline.py): it reuses its last pass only when nothing a result
depends on changed (facts, the catalogue as data with labels from parsing/templates.py, the code, the
suites), and says when its results cannot be trusted (the blocking `results_complete` check).

A bare DuckDB holding the three marts relations the identity SQL reads (no Dagster, no dbt)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from dagster_project.checks import catalogue as cat
from dagster_project.checks.pipeline import code_files, run_checks
from dagster_project.settings import EXPECTATIONS_DIR

# Each test runs one or two whole GX passes (3–10 s each on 2 cores): out of the fast unit loop.
pytestmark = pytest.mark.slow


def _bare_warehouse(path: Path, reports=(("r1", "a1", 2023),)) -> duckdb.DuckDBPyConnection:
    """v2021 reports (id, agency, year) whose table-三 cells are all 0 (every other template cell absent)."""
    con = duckdb.connect(str(path))
    facts = pa.Table.from_pylist([
        {"report_id": rid, "agency_id": agency, "report_year": year, "metric_code": code, "value": Decimal(0),
         "value_state": "number", "raw_text": "0", "approximate": False, "inferred_by": None}
        for rid, agency, year in reports
        for _, version, code, _ in cat.expected_cells() if version == "v2021" and code.startswith("t3.")
    ], schema=pa.schema([
        ("report_id", pa.string()), ("agency_id", pa.string()), ("report_year", pa.int32()),
        ("metric_code", pa.string()), ("value", pa.decimal128(38, 6)), ("value_state", pa.string()),
        ("raw_text", pa.string()), ("approximate", pa.bool_()), ("inferred_by", pa.string()),
    ]))
    dim_reports = pa.Table.from_pylist([{"report_id": rid, "agency_id": agency, "report_year": year,
                                         "template_version": "v2021", "source_file": rid + ".txt", "is_current": True}
                                        for rid, agency, year in reports])
    agencies = pa.Table.from_pylist([{"agency_id": a, "agency_name": "测试局" + a} for a in sorted({r[1] for r in reports})])
    con.execute("create schema marts")
    for name, table in (("fct_report_metric", facts), ("dim_report", dim_reports), ("dim_agency", agencies)):
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


RESULTS = "select * from checks.results order by report_id, check_id, subject"


def test_a_pass_after_a_change_evaluates_the_changed_reports_and_their_next_years_only(tmp_path):
    """Scoped passes (checks/scope.py) give exactly the rows of a full pass over the same marts."""
    corpus = (("r0", "a1", 2022), ("r1", "a1", 2023), ("r2", "a2", 2023), ("r3", "a2", 2024))
    con = _bare_warehouse(tmp_path / "w.duckdb", corpus)
    first = run_checks(con, None)
    assert first.reports_evaluated == 4
    # one cell of a1's 2022 report changes: it and a1's 2023 report (X-1 compares with 2022) run again
    con.execute("update marts.fct_report_metric set value = 5 "
                "where report_id = 'r0' and metric_code = 't3.new_received.natural_person'")
    changed = run_checks(con, None)
    assert not changed.skipped and changed.reports_evaluated == 2
    # a2's 2023 report goes: its rows go, and a2's 2024 report (which compared with it) runs again
    for table in ("fct_report_metric", "dim_report"):
        con.execute(f"delete from marts.{table} where report_id = 'r2'")
    removed = run_checks(con, None)
    assert removed.reports_evaluated == 1
    scoped_rows = con.execute(RESULTS).fetchall()
    assert {r[0] for r in scoped_rows} == {"r0", "r1", "r3"}
    assert [r for r in scoped_rows if r[0] == "r0" and r[1] == "T3-3" and r[2] == "new_received"][0][3] == "fail"
    con.close()

    # the same marts checked from scratch
    fresh = _bare_warehouse(tmp_path / "fresh.duckdb", corpus[:2] + corpus[3:])
    fresh.execute("update marts.fct_report_metric set value = 5 "
                  "where report_id = 'r0' and metric_code = 't3.new_received.natural_person'")
    assert run_checks(fresh, None).reports_evaluated == 3
    assert fresh.execute(RESULTS).fetchall() == scoped_rows
    fresh.close()


def test_a_pass_gx_could_not_evaluate_is_no_base_for_a_scoped_one(tmp_path):
    """After an untrusted pass (GX raised on an expectation), the next pass evaluates every report."""
    suites = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, suites)
    t3 = json.loads((suites / "t3.json").read_text(encoding="utf-8"))
    t3["expectations"][0]["kwargs"]["column"] = "no_such_column"
    (suites / "t3.json").write_text(json.dumps(t3, ensure_ascii=False), encoding="utf-8")
    con = _bare_warehouse(tmp_path / "w.duckdb", (("r0", "a1", 2022), ("r1", "a2", 2023)))
    errors = run_checks(con, None, suites).gx.errors
    assert len(errors) == 1 and errors[0].startswith("t3: T3-1: ") and "no_such_column" in errors[0]
    assert con.execute("select count(*) from checks.report_inputs").fetchall() == [(0,)]
    con.execute("update marts.fct_report_metric set value = 5 "
                "where report_id = 'r0' and metric_code = 't3.new_received.natural_person'")
    assert run_checks(con, None, suites).reports_evaluated == 2
    con.close()
