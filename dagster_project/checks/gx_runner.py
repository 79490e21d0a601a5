"""Great Expectations over the identity table: one validation per suite, for the whole corpus.

GX Core 1.24 facts this relies on (docs/spec/stack.md, Great Expectations section): the SQL route returns empty metrics with
duckdb 2.0, so each suite's rows are fetched into one pandas DataFrame and validated through an
ephemeral context; suites are the plain JSON files of expectations/ loaded with
`gx.ExpectationSuite(**json)`; `result_format="COMPLETE"` with `unexpected_index_column_names`
returns every failing row's `row_id`, which maps the result back to (report, check, subject). GX is
imported lazily (≈ 4–12 s) inside `validate`, once per run.

Only evaluable rows go to GX (rows with a required cell missing are `incomplete` whatever GX would
say), and only the columns it needs (row_id, check_id, diff, plus report/subject labels that Data
Docs print next to each unexpected value, dictionary-encoded so 10⁷ rows stay cheap).
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.checks.catalogue import SUITES
from dagster_project.checks.identities import IDENTITY_TABLE
from dagster_project.settings import EXPECTATIONS_DIR

UNEXPECTED_TABLE = "chk_unexpected"
# Above this many failing rows in one suite, GX's per-row index lists (and storing them for Data Docs)
# cost minutes: measured 45 s for the indexes + 53 s for serialising them at 260,000 failing rows. Then
# GX validates with SUMMARY results (counts and the first 20 values), the failing rows come from the
# SQL comparison, and GX's unexpected_count must equal the SQL count row for row per expectation, or
# the integrity check fails. Corpora of real reports stay far below it and get the full GX route.
MAX_INDEXED_FAILURES = 20_000
GX_SITE_FOLDER = "gx"  # under the data docs folder; our own index.html sits beside it
INDEX_COLUMNS = ["row_id", "report", "subject"]


@dataclass
class SuiteRun:
    suite: str
    rows_validated: int
    unexpected_rows: int
    success: bool
    seconds: float
    expectations: int
    errors: list[str] = field(default_factory=list)


@dataclass
class GxRun:
    suites: dict[str, SuiteRun]
    docs_index: Path | None = None
    seconds: float = 0.0

    @property
    def errors(self) -> list[str]:
        return [e for s in self.suites.values() for e in s.errors]


def load_suites(expectations_dir: Path = EXPECTATIONS_DIR) -> dict[str, dict]:
    """expectations/<suite>.json for every suite of the catalogue (a missing file is an error)."""
    suites = {}
    for suite in SUITES:
        path = expectations_dir / f"{suite}.json"
        suites[suite] = json.loads(path.read_text(encoding="utf-8"))
    return suites


def _suite_frame(con: duckdb.DuckDBPyConnection, suite: str):
    table = con.sql(
        f"select row_id, check_id, cast(diff as double) as diff, report_label as report, subject "
        f"from {IDENTITY_TABLE} where evaluable and suite = $suite order by row_id",
        params={"suite": suite},
    ).to_arrow_table()
    # Dictionary-encode the repetitive strings: pandas gets categoricals (small, fast to filter).
    for name in ("check_id", "report", "subject"):
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, table.column(name).dictionary_encode())
    df = table.to_pandas()
    df.index = df["row_id"].to_numpy()
    return df


def _sql_failing(con: duckdb.DuckDBPyConnection, suite: str) -> dict[str, list[int]]:
    """row_ids per check where the SQL comparison does not hold (evaluable rows of the suite)."""
    rows = con.execute(
        f"select check_id, list(row_id order by row_id) from {IDENTITY_TABLE} "
        f"where evaluable and suite = ? and not holds group by check_id", [suite]).fetchall()
    return {check_id: ids for check_id, ids in rows}


def _quiet_gx() -> None:
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _raised(info: dict | None) -> str | None:
    """The exception message of a validation result, or None. GX puts an exception of the expectation
    itself at the top of `exception_info`, but one raised while computing a metric (a missing column,
    a bad row condition) under one key per metric; both mean the result is not a verdict."""
    info = info or {}
    for entry in [info, *(v for v in info.values() if isinstance(v, dict))]:
        if entry.get("raised_exception"):
            return str(entry.get("exception_message") or "exception without a message")
    return None


def validate(con: duckdb.DuckDBPyConnection, data_docs_dir: Path | None, expectations_dir: Path = EXPECTATIONS_DIR) -> GxRun:
    """Validate every suite; leave the failing row_ids in the temp table `chk_unexpected`.

    Builds the GX Data Docs site into `<data_docs_dir>/gx` when a folder is given (swapped in whole,
    so it never mixes two runs' pages)."""
    started = time.monotonic()
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    build_dir = None
    if data_docs_dir is not None:
        data_docs_dir.mkdir(parents=True, exist_ok=True)
        build_dir = data_docs_dir / f".{GX_SITE_FOLDER}.building"
        shutil.rmtree(build_dir, ignore_errors=True)
        context.add_data_docs_site(site_name="ogi_checks", site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(build_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    source = context.data_sources.add_pandas("ogi_identities")
    runs: dict[str, SuiteRun] = {}
    unexpected: list[int] = []
    for suite_name, suite_json in load_suites(expectations_dir).items():
        t0 = time.monotonic()
        df = _suite_frame(con, suite_name)
        asset = source.add_dataframe_asset(f"identities_{suite_name}")
        batch = asset.add_batch_definition_whole_dataframe("whole_corpus")
        suite = context.suites.add(gx.ExpectationSuite(**suite_json))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"ogi_{suite_name}", data=batch, suite=suite))
        sql_failing = _sql_failing(con, suite_name)
        indexed = sum(len(rows) for rows in sql_failing.values()) <= MAX_INDEXED_FAILURES
        result_format = (
            {"result_format": "COMPLETE", "unexpected_index_column_names": INDEX_COLUMNS, "partial_unexpected_count": 20}
            if indexed else {"result_format": "SUMMARY", "partial_unexpected_count": 20})
        result = definition.run(batch_parameters={"dataframe": df}, result_format=result_format)
        errors, found = [], 0
        for r in result.results:
            check_id = r.expectation_config.meta.get("check_id")
            raised = _raised(r.exception_info)
            if raised:
                errors.append(f"{suite_name}: {check_id}: {raised}")
                continue
            count = (r.result or {}).get("unexpected_count", 0)
            if indexed:
                rows = [int(x["row_id"]) for x in (r.result or {}).get("unexpected_index_list") or []]
                if len(rows) != count:
                    errors.append(f"{suite_name}: {check_id}: unexpected index list incomplete")
            else:
                rows = sql_failing.get(check_id, [])
                if len(rows) != count:
                    errors.append(f"{suite_name}: {check_id}: GX counts {count} failing rows, SQL {len(rows)}")
            found += len(rows)
            unexpected.extend(rows)
        runs[suite_name] = SuiteRun(suite_name, len(df), found, bool(result.success), time.monotonic() - t0,
                                    len(result.results), errors)
    con.register("chk_unexpected_arrow", pa.table({"row_id": pa.array(sorted(set(unexpected)), pa.int64())}))
    con.execute(f"create or replace temp table {UNEXPECTED_TABLE} as select * from chk_unexpected_arrow")
    con.unregister("chk_unexpected_arrow")
    run = GxRun(runs)
    if build_dir is not None:
        context.build_data_docs()
        final = data_docs_dir / GX_SITE_FOLDER
        old = data_docs_dir / f".{GX_SITE_FOLDER}.old"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        build_dir.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        run.docs_index = final / "index.html"
    run.seconds = time.monotonic() - started
    return run
