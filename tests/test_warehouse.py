"""The marts and exports of the session warehouse: every golden cell reaches marts.fct_report_metric with
its provenance, the star schema keys hold, the example questions of the contract answer, and the
Parquet exports match the DuckDB tables row for row."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from dagster_project.exports import bi_columns
from tests.helpers import SEED_FILES, SEEDS_DIR

GOLDEN_DIR = Path(__file__).parent / "golden"
TABLE_SEEDS = [name for name in SEED_FILES if (GOLDEN_DIR / f"{Path(name).stem}.json").exists()]


def report_id_of(name: str) -> str:
    return hashlib.sha256((SEEDS_DIR / name).read_bytes()).hexdigest()


# What each seed says about itself, checked by hand against tests/fixtures/seeds/*.txt (title, first sentence,
# signature, 统计期限, phone area code / city named in the text).
SEED_METADATA = {
    "000_a401547b58a11ed1.txt": ("晋安区民政局", 2020, "v2019", None, "福建省", "福州市", "晋安区", "350111"),
    "001_0610a0a9de2dcfc8.txt": ("台儿庄区民政局", 2017, "pre2019", "2018-02-06", "山东省", "枣庄市", "台儿庄区", "370405"),
    "002_87d81dba6e927c9d.txt": ("上海市普陀区民政局", 2020, "v2019", None, "上海市", "上海市", "普陀区", "310107"),
    "003_8fda2105dcda898c.txt": ("遂宁市安居区人民政府", 2020, "v2019", "2021-02-10", "四川省", "遂宁市", "安居区", "510904"),
    "004_70d6925fef033874.txt": ("临河区民政局", 2024, "v2021", "2025-01-22", "内蒙古自治区", "巴彦淖尔市", "临河区", "150802"),
}


@pytest.mark.parametrize("name", TABLE_SEEDS)
def test_every_golden_cell_is_in_the_fact_table_with_its_provenance(warehouse, name):
    golden = json.loads((GOLDEN_DIR / f"{Path(name).stem}.json").read_text(encoding="utf-8"))
    rows = warehouse.rows(
        "select metric_code, value, value_state, raw_text, source_line from marts.fct_report_metric "
        "where report_id = ? and metric_code not like 'prose.%'", [report_id_of(name)])
    got = {code: (value, state, raw, line) for code, value, state, raw, line in rows}
    want = {
        code: (None if cell["value"] is None else Decimal(cell["value"]), cell["value_state"], cell["raw_text"], cell["source_line"])
        for code, cell in golden.items()
    }
    assert got == want
    assert len(got) in (22 + 161 + 15, 10 + 175 + 15)


@pytest.mark.parametrize("name", TABLE_SEEDS)
def test_every_value_stands_on_its_source_line_of_the_raw_text(warehouse, name):
    """Traceability: the raw_text of every table cell is found on the line it claims, in the text the
    warehouse stores (raw.reports.text), not only in the file on disk."""
    text = warehouse.rows("select text from raw.reports where report_id = ?", [report_id_of(name)])[0][0]
    lines = text.replace("\r\n", "\n").split("\n")
    rows = warehouse.rows(
        "select metric_code, raw_text, source_line from marts.fct_report_metric "
        "where report_id = ? and value_state <> 'blank'", [report_id_of(name)])
    assert rows
    for code, raw, line in rows:
        assert raw.strip() in lines[line - 1], (code, raw, line)


def test_seed_metadata_in_dim_report_and_dim_agency(warehouse):
    got = {}
    for name in SEED_FILES:
        row = warehouse.rows(
            "select a.agency_name, r.report_year, r.template_version, cast(r.published_on as varchar), "
            "a.province, a.city, a.district, a.adcode "
            "from marts.dim_report r join marts.dim_agency a using (agency_id) where r.report_id = ?",
            [report_id_of(name)])
        got[name] = row[0] if row else None
    assert got == SEED_METADATA


def test_dim_report_says_which_signal_gave_agency_and_year(warehouse):
    rows = warehouse.rows(
        "select source_file, agency_source, year_source from marts.dim_report "
        "where source_file not like 'realworld/%' order by 1")
    assert rows == [
        ("000_a401547b58a11ed1.txt", "title", "title"),  # '特向社会公布晋安区民政局2020年…年度报告' inside line 1
        ("001_0610a0a9de2dcfc8.txt", "title", "title"),
        ("002_87d81dba6e927c9d.txt", "title", "title"),
        ("003_8fda2105dcda898c.txt", "title", "title"),
        ("004_70d6925fef033874.txt", "intro", "statistics_period"),  # '全文包括临河区民政局…', '统计期限为2024年…'
        ("broken/not_text.bin", None, None),
    ]
    (messages,) = warehouse.rows("select parse_messages from marts.dim_report where source_file = '004_70d6925fef033874.txt'")[0]
    assert "[info] metadata_source: agency '临河区民政局' from intro (line 1); year 2024 from statistics_period (line 1); published_on 2025-01-22 from signature (line 71) (line 1)" in messages


def test_parse_status_and_cell_counts_per_report(warehouse):
    rows = warehouse.rows(
        "select r.source_file, r.parse_status, count(f.metric_code) filter (where f.metric_code not like 'prose.%') "
        "from marts.dim_report r left join marts.fct_report_metric f using (report_id) group by all order by 1")
    assert rows == [
        ("000_a401547b58a11ed1.txt", "ok", 198),
        ("001_0610a0a9de2dcfc8.txt", "ok", 0),
        ("002_87d81dba6e927c9d.txt", "ok", 198),
        ("003_8fda2105dcda898c.txt", "ok", 198),
        ("004_70d6925fef033874.txt", "ok", 200),
        ("broken/not_text.bin", "failed", 0),
        ("realworld/17_huaian_2024.txt", "ok", 200),
        # hongze keeps the 2019 single （六）其他处理 row: 23 table-三 rows × 7 instead of 25 × 7.
        ("realworld/18_hongze_2023.txt", "ok", 186),
        ("realworld/19_hongze_2024.txt", "ok", 186),
    ]
    (messages,) = warehouse.rows("select parse_messages from marts.dim_report where source_file = 'broken/not_text.bin'")[0]
    assert "broken/not_text.bin" in messages and "decoded" in messages


def test_prose_metrics_of_the_prose_only_report(warehouse):
    rows = warehouse.rows(
        "select metric_code, value, approximate, source_line from marts.fct_report_metric "
        "where report_id = ? order by 1", [report_id_of(SEED_FILES[1])])
    assert rows == [
        ("prose.fees_collected", Decimal(0), False, 33),
        ("prose.litigation_cases", Decimal(0), False, 37),
        ("prose.proactive_items_cumulative", Decimal(215), True, 25),
        ("prose.requests_received", Decimal(0), False, 29),
        ("prose.review_cases", Decimal(0), False, 37),
    ]


def test_sections_of_every_seed(warehouse):
    rows = warehouse.rows(
        "select d.source_file, s.section_code, s.source_line from marts.report_sections s "
        "join marts.dim_report d using (report_id) where d.source_file = ? order by s.ordinal", [SEED_FILES[2]])
    assert rows == [
        (SEED_FILES[2], "s1_overview", 5),
        (SEED_FILES[2], "s2_proactive", 20),
        (SEED_FILES[2], "s3_requests", 97),
        (SEED_FILES[2], "s4_review_litigation", 361),
        (SEED_FILES[2], "s5_problems", 406),
        (SEED_FILES[2], "s6_other", 408),
    ]
    counts = dict(warehouse.rows(
        "select d.source_file, count(*) from marts.report_sections s join marts.dim_report d using (report_id) "
        "where d.source_file not like 'realworld/%' group by 1"))
    assert counts == {name: 6 for name in SEED_FILES}


def test_dim_metric_is_the_parser_catalogue(warehouse):
    from dagster_project.parsing.templates import METRICS

    rows = warehouse.rows("select metric_code, table_code, unit, value_type, template_versions from marts.dim_metric order by 1")
    assert rows == sorted((m.metric_code, m.table_code, m.unit, m.value_type, list(m.template_versions)) for m in METRICS)
    per_table = dict(warehouse.rows("select table_code, count(*) from marts.dim_metric group by 1"))
    # t3: 23 shared rows + v2019 (六) + three v2021 (六) sub-rows, × 7 columns.
    assert per_table["t3"] == (22 + 1 + 3) * 7 and per_table["t4"] == 15


def test_dim_year_and_expected_templates(warehouse):
    rows = dict(warehouse.rows("select report_year, expected_template from marts.dim_year"))
    assert min(rows) == 2008 and max(rows) == 2024
    assert (rows[2018], rows[2019], rows[2020], rows[2021]) == ("pre2019", "v2019", "v2019", "v2021")


def test_agency_id_is_stable_and_joins_years():
    """Two spellings of one agency (hongze 2023 / 2024) get one agency_id; it is a pure function of
    the report's own metadata, so it is the same in every run."""
    from dagster_project.parsing import agencies
    from dagster_project.parsing.model import Metadata

    a = Metadata(agency_name="洪泽区人民政府", province="江苏省", city="淮安市", district="洪泽区", adcode="320813")
    b = Metadata(agency_name="淮安市洪泽区人民政府", province="江苏省", city="淮安市", district="洪泽区", adcode="320813")
    c = Metadata(agency_name="淮安市人民政府", province="江苏省", city="淮安市", adcode="320800")
    assert agencies.agency_id(a) == agencies.agency_id(b) != agencies.agency_id(c)
    assert agencies.agency_key(b) == "320813|人民政府"


def test_analyst_views(warehouse):
    row = warehouse.rows(
        "select natural_person, commercial_enterprise, total from marts.t3_outcomes_wide "
        "where report_id = ? and row_code = 'new_received'", [report_id_of(SEED_FILES[3])])
    assert row == [(Decimal(1), Decimal(7), Decimal(8))]
    assert warehouse.rows("select count(*) from marts.t3_outcomes_wide where report_id = ?",
                          [report_id_of(SEED_FILES[4])]) == [(25,)]
    t4 = warehouse.rows("select review_total, lit_total from marts.t4_review_litigation_wide where report_id = ?",
                        [report_id_of(SEED_FILES[0])])
    assert t4 == [(Decimal(0), Decimal(0))]


def test_rerun_wrote_no_new_fact_rows(warehouse):
    """The second (in-process) run found nothing new: same facts, same parse stamps."""
    from tests.helpers import table_snapshot

    assert warehouse.rows("select count(*) from marts.fct_report_metric where report_id in "
                          "(select report_id from marts.dim_report where source_file not like 'realworld/%')") == [(815,)]
    assert table_snapshot(warehouse.warehouse)["facts"] == warehouse.snapshot_after_first["facts"]
    parse_meta = [m for m in warehouse.second_run.asset_materializations_for_node("parsed_reports")
                  if m.asset_key.path == ["parsed", "reports"]][0].metadata
    assert parse_meta["reports_parsed_this_run"].value == 0
    checks_meta = [m for m in warehouse.second_run.asset_materializations_for_node("check_results")
                   if m.asset_key.path == ["checks", "results"]][0].metadata
    assert checks_meta["reused_unchanged_inputs"].value is True


# --- Parquet exports ------------------------------------------------------------------------------

def mart_names(warehouse) -> list[str]:
    return [r[0] for r in warehouse.rows(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1")]


def test_every_mart_is_exported_and_matches_row_for_row(warehouse):
    names = mart_names(warehouse)
    assert {"dim_agency", "dim_year", "dim_metric", "dim_report", "fct_report_metric", "report_sections"} <= set(names)
    con = duckdb.connect()  # no warehouse file: Parquet alone
    for name in names:
        folder = warehouse.export_dir / name
        files = f"{folder}/**/*.parquet"
        # The export's BI shape: the same columns, lists as JSON text (tests/test_bi_clients.py).
        with warehouse.connect() as wcon:
            shape = bi_columns(wcon, name)
        columns = [c.name for c in shape]
        select = ", ".join(f'"{c}"' for c in columns)
        from_parquet = con.execute(f"select {select} from read_parquet('{files}') order by all").fetchall()
        from_duckdb = warehouse.rows(
            "select " + ", ".join(f'{c.expr} as "{c.name}"' for c in shape) + f' from marts."{name}" order by all')
        assert from_parquet == from_duckdb, name
        table = ds.dataset(folder, format="parquet").to_table()
        assert table.num_rows == len(from_duckdb), name
        assert set(table.column_names) == set(columns), name


def test_facts_are_partitioned_by_report_year(warehouse):
    partitions = sorted(p.name for p in (warehouse.export_dir / "fct_report_metric").iterdir())
    assert partitions == ["2017.parquet", "2020.parquet", "2023.parquet", "2024.parquet"]


def test_snapshot_file_holds_the_marts(warehouse):
    snapshot = warehouse.warehouse.with_name("ogi_snapshot.duckdb")
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        assert con.execute("select count(*) from marts.fct_report_metric").fetchone() == \
            tuple(warehouse.rows("select count(*) from marts.fct_report_metric")[0])
    finally:
        con.close()


def test_export_dir_is_an_atomically_swapped_symlink_kept_when_unchanged(warehouse):
    """The first build exported; the re-run found the marts unchanged and wrote nothing."""
    assert warehouse.export_dir.is_symlink()
    versions = warehouse.export_dir.parent / ".parquet.versions"
    assert len([p for p in versions.iterdir() if p.is_dir()]) == 1
    meta = warehouse.second_run.asset_materializations_for_node("exports__bi")[0].metadata
    assert meta["reused_unchanged_marts"].value is True


def test_one_agency_across_years_under_two_names(warehouse):
    rows = warehouse.rows(
        "select agency_name, names_seen, first_report_year, last_report_year, report_count, adcode "
        "from marts.dim_agency where adcode = '320813'")
    assert rows == [("淮安市洪泽区人民政府", ["洪泽区人民政府", "淮安市洪泽区人民政府"], 2023, 2024, 2, "320813")]
