"""Time of the arithmetic checks (identity SQL + GX validation + results write) at corpus scale.

Synthesises N reports' worth of marts rows directly in a temp DuckDB with vectorised SQL (no text is
parsed): N/2 agencies, each with a 2020 report (v2019 layout) and a 2021 report (v2021 layout), every
template cell of tables 二/三/四 plus one prose figure, values that satisfy every identity, and an
error injected into 1 % of the reports (one 表三 cell). Then runs exactly what the Dagster asset runs
(dagster_project.checks.pipeline.run_checks) and prints the time of each stage; Data Docs are built
too (GX site + our index) and timed separately.

Usage:  .venv/bin/python benchmarks/bench_checks.py [--reports 10000 100000] [--no-docs]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dagster_project.checks import catalogue as cat
from dagster_project.checks.pipeline import run_checks

SYNTH = """
create schema marts;
create table marts.dim_agency as
select 'a' || lpad(cast(i as varchar), 8, '0') as agency_id, '测试区第' || i || '局' as agency_name
from range(?) as t(i);
create table marts.dim_report as
select sha256(agency_id || y) as report_id, agency_id, y as report_year,
       case when y = 2020 then 'v2019' else 'v2021' end as template_version,
       agency_id || '_' || y || '.txt' as source_file, true as is_current
from marts.dim_agency cross join (values (2020), (2021)) as years(y);
create table marts.fct_report_metric as
with r as (
    select report_id, agency_id, report_year, template_version,
           cast(hash(report_id) % 5 as integer) as b,
           hash(report_id || 'err') % 100 < ? as broken
    from marts.dim_report
)
select r.report_id, r.agency_id, r.report_year, e.metric_code,
       cast(case
           when e.metric_code = 't3.granted.natural_person' and r.broken then r.b + 1
           when e.metric_code similar to 't3\\.(new_received|granted|total_processed)\\.total' then 6 * r.b
           when e.metric_code similar to 't3\\.(new_received|granted|total_processed)\\..*' then r.b
           when e.metric_code like '%.prev_year_items' then 10
           when e.metric_code like '%.items_delta' then 0
           when e.metric_code like '%.total_published' then 5
           when e.metric_code like '%.in_force' then 3
           else 0 end as decimal(38, 6)) as value,
       'number' as value_state, cast(null as varchar) as raw_text, false as approximate,
       cast(null as varchar) as inferred_by
from r
join bench_expected as e on e.version = r.template_version
union all
select report_id, agency_id, report_year, 'prose.requests_received', cast(6 * b as decimal(38, 6)), 'number', null, false,
       null
from r;
"""


def synthesise(con: duckdb.DuckDBPyConnection, reports: int, broken_percent: int = 1) -> None:
    expected = pa.Table.from_pylist([{"version": v, "metric_code": m} for _, v, m, _ in cat.expected_cells()])
    con.register("bench_expected", expected)
    statements = [x for x in SYNTH.split(";") if x.strip()]
    for sql in statements:
        params = [reports // 2] if "range(?)" in sql else [broken_percent] if "< ? as broken" in sql else []
        con.execute(sql, params)
    con.unregister("bench_expected")


def bench(reports: int, docs: bool, broken_percent: int = 1) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        t0 = time.monotonic()
        synthesise(con, reports, broken_percent)
        facts = con.execute("select count(*) from marts.fct_report_metric").fetchall()[0][0]
        synth = time.monotonic() - t0
        t0 = time.monotonic()
        run = run_checks(con, Path(tmp) / "data_docs" if docs else None)
        total = time.monotonic() - t0
        failing = con.execute("select count(distinct report_id) from checks.results where status = 'fail'").fetchall()[0][0]
        con.close()
    t = run.timings
    checks_s = t["identities"] + t["gx"] + t["write"]
    print(f"{reports:>7} reports, {facts:>10} facts, {run.identity_rows:>9} check rows: "
          f"identities {t['identities']:.1f} s + GX {t['gx']:.1f} s + write {t['write']:.1f} s "
          f"= {checks_s:.1f} s" + (f" (+ index page {t.get('docs_index', 0):.1f} s; GX docs inside GX)" if docs else "")
          + f"; total {total:.1f} s; {failing} failing reports; synthesis {synth:.1f} s; "
          f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
    assert run.disagreements == 0
    return {"reports": reports, "seconds": checks_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-docs", action="store_true", help="skip the Data Docs build")
    parser.add_argument("--broken-percent", type=int, default=1, help="share of reports with one wrong cell")
    args = parser.parse_args()
    t0 = time.monotonic()
    import great_expectations  # noqa: F401  (import once, outside the timings: ≈ 4–12 s)
    print(f"great_expectations import {time.monotonic() - t0:.1f} s (once per run, not counted)")
    for n in args.reports:
        bench(n, not args.no_docs, args.broken_percent)


if __name__ == "__main__":
    main()
