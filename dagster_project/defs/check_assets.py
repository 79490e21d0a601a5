"""Arithmetic checks as Dagster assets and asset checks (logic in dagster_project/checks/; this module only
adapts it: named check_assets so that "checks" means the library package).

The asset `checks/results` (+ `checks/catalogue`) runs every identity of the catalogue over the whole
corpus in one pass after the marts are built: identity table in DuckDB, one GX validation per suite,
results replaced in the `checks` schema, Data Docs written beside the warehouse. dbt then models them
into marts.dim_check and marts.fct_check_result.

Asset checks on `checks/results`, one per check id:
- hard checks report severity ERROR when any report fails them, soft checks WARN; the metadata says
  how many reports fail and names the first ones (agency, year, check, subject, detail);
- none of them is blocking. A failing identity is a finding about a published report, the very thing
  the warehouse exists to publish: blocking on it would stop fct_check_result and the Parquet exports
  whenever a single report in the corpus has an arithmetic error, i.e. always.

One check IS blocking, `results_complete`: pipeline integrity. It fails when GX could not evaluate a
suite (an expectation raised), when GX's verdict disagrees with the SQL comparison on any row, or when
a report with table cells got no check result at all. Then the results are not trustworthy and the
downstream marts/exports keep their previous state instead of publishing wrong statuses.
"""


from pathlib import Path

import dagster as dg

from dagster_project.checks import catalogue as cat
from dagster_project.checks.pipeline import EXPECTATIONS_DIR, input_fingerprint, inputs_unchanged, run_checks
from dagster_project.defs.resources import WarehouseDuckDB, WarehousePaths
from dagster_project.progress import PROGRESS_PREFIX

CHECK_RESULTS = dg.AssetKey(["checks", "results"])
CHECK_CATALOGUE = dg.AssetKey(["checks", "catalogue"])
UPSTREAM = [dg.AssetKey(["marts", "fct_report_metric"]), dg.AssetKey(["marts", "dim_report"]),
            dg.AssetKey(["marts", "dim_agency"])]
INTEGRITY_CHECK = "results_complete"


def check_name(check_id: str) -> str:
    """Dagster check names allow [A-Za-z0-9_]: T3-2a → T3_2a."""
    return check_id.replace("-", "_")


CHECK_SPECS = [
    dg.AssetCheckSpec(
        check_name(c.check_id), asset=CHECK_RESULTS,
        description=f"[{c.severity}] {c.check_id}: {c.description} ({c.formula})",
    )
    for c in cat.CHECKS
] + [
    dg.AssetCheckSpec(
        INTEGRITY_CHECK, asset=CHECK_RESULTS, blocking=True,
        description="Pipeline integrity (blocking): every suite validated by GX without error, GX agrees with "
        "the SQL comparison on every row, every report with table cells has check results.",
    )
]


@dg.multi_asset(
    name="check_results",
    group_name="checks",
    specs=[
        dg.AssetSpec(CHECK_RESULTS, deps=UPSTREAM, kinds={"duckdb", "python"},
                     description="One row per (report, check, subject): status pass/fail/incomplete/inferred, lhs, rhs, diff, "
                     "readable detail. Replaced in one pass over the whole corpus."),
        dg.AssetSpec(CHECK_CATALOGUE, deps=UPSTREAM, kinds={"duckdb", "python"},
                     description="Every check of dagster_project/checks/catalogue.py (dim_check's source)."),
    ],
    check_specs=CHECK_SPECS,
)
def check_results(context: dg.AssetExecutionContext, duckdb: WarehouseDuckDB, paths: WarehousePaths):
    """Identity table → GX (one validation per suite) → checks.results / checks.catalogue → Data Docs."""
    context.log.info(f"{PROGRESS_PREFIX}running arithmetic checks (Great Expectations)…")
    docs_dir = Path(paths.data_docs_dir)
    run = None
    with duckdb.read_connection() as con:
        # one scan of the facts: what the run holds so far (a working copy made below starts as that)
        fingerprint = input_fingerprint(con, EXPECTATIONS_DIR)
        if inputs_unchanged(con, docs_dir, fingerprint):
            run = run_checks(con, docs_dir, fingerprint=fingerprint)  # reuses the last pass: reads only
    if run is None:
        with duckdb.get_connection() as con:
            run = run_checks(con, docs_dir, fingerprint=fingerprint)
    context.log.info(
        f"{PROGRESS_PREFIX}checks: {sum(run.status_counts.values())} results "
        + ", ".join(f"{k} {v}" for k, v in sorted(run.status_counts.items()))
        + (" (inputs unchanged since the last pass: results reused, nothing written)" if run.skipped else
           f" ({run.reports_evaluated} reports evaluated, {run.timings.get('identities', 0):.1f} s SQL, "
           f"{run.timings.get('gx', 0):.1f} s GX)")
    )
    yield dg.MaterializeResult(asset_key=CHECK_RESULTS, metadata={
        "results": sum(run.status_counts.values()),
        "reports_evaluated_this_run": run.reports_evaluated,
        "reused_unchanged_inputs": run.skipped,
        **{f"status_{k}": v for k, v in sorted(run.status_counts.items())},
        "reports_with_tables": run.reports_with_tables,
        "data_docs": dg.MetadataValue.path(str(run.docs_index)) if run.docs_index else "not built",
        "timings_s": dg.MetadataValue.json({k: round(v, 2) for k, v in run.timings.items()}),
        "gx_rows_validated": dg.MetadataValue.json({s: r.rows_validated for s, r in run.gx.suites.items()}),
    })
    yield dg.MaterializeResult(asset_key=CHECK_CATALOGUE, metadata={"checks": len(cat.CHECKS)})
    for c in cat.CHECKS:
        stats = run.per_check[c.check_id]
        first = stats["first_failures"]
        yield dg.AssetCheckResult(
            asset_key=CHECK_RESULTS,
            check_name=check_name(c.check_id),
            passed=stats["fail"] == 0,
            severity=dg.AssetCheckSeverity.ERROR if c.severity == "hard" else dg.AssetCheckSeverity.WARN,
            description=c.description,
            metadata={
                "severity": c.severity,
                "failing_reports": stats["failing_reports"],
                "fail": stats["fail"],
                "pass": stats["pass"],
                "incomplete": stats["incomplete"],
                "inferred": stats["inferred"],  # held, but the identity chose a glued split (parsing/glued.py)
                "first_failures": dg.MetadataValue.md(_failures_md(first)) if first else "none",
            },
        )
    integrity_errors = run.integrity_errors()
    yield dg.AssetCheckResult(
        asset_key=CHECK_RESULTS,
        check_name=INTEGRITY_CHECK,
        passed=not integrity_errors,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "errors": dg.MetadataValue.json(integrity_errors),
            "suites_validated": dg.MetadataValue.json(sorted(run.gx.suites)),
            "reports_with_tables": run.reports_with_tables,
            "gx_sql_disagreements": run.disagreements,
        },
    )


def _failures_md(rows: list[dict]) -> str:
    lines = ["| report | year | subject | detail |", "|---|---|---|---|"]
    for r in rows:
        cells = [str(r["report"]), str(r["year"]), str(r["subject"]), str(r["detail"])]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


__all__ = ["check_results", "CHECK_RESULTS", "CHECK_CATALOGUE"]
