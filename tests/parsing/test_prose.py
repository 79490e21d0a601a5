"""Prose metrics (docs/spec/templates.md §9.4): exact values of every seed, checked by hand against the text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from parsing_helpers import REALWORLD_RAW, SEEDS_DIR

from dagster_project.parsing.prose import extract_prose_metrics
from dagster_project.parsing.text import to_lines


def metrics(text: str) -> dict[str, tuple]:
    cells, _ = extract_prose_metrics(to_lines(text))
    return {c.metric_code.removeprefix("prose."): (c.value, c.source_line, c.approximate) for c in cells}


def seed_text(prefix: str) -> str:
    return next(SEEDS_DIR.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


D = Decimal
# metric: (value, source line, approximate)
SEED_EXPECTED = {
    # line 6 '发布各类主动公开政府信息219条 … 历年累计963条'; line 11 '新收到要求公开政府信息的申请0条,上年结转政府信息公开申请数量0条'
    "000": {
        "proactive_items_year": (D(219), 6, False),
        "proactive_items_cumulative": (D(963), 6, False),
        "requests_received": (D(0), 11, False),
        "requests_carried_over": (D(0), 11, False),
    },
    # 25 '到2017年12月31日累计发布主动公开信息215余条'; 29 '未接到政府信息公开的申请'; 33 '没有收取…费用';
    # 37 '未接到…行政复议案和行政诉讼案'
    "001": {
        "proactive_items_cumulative": (D(215), 25, True),
        "requests_received": (D(0), 29, False),
        "fees_collected": (D(0), 33, False),
        "review_cases": (D(0), 37, False),
        "litigation_cases": (D(0), 37, False),
    },
    # 7 '主动公开公文类政府信息229条、非公文类信息126条' is a split by category: no total stated, no cell;
    # 10 '共受理政府信息公开申请6件 … 本年度未发生行政复议、行政诉讼件'
    "002": {
        "requests_received": (D(6), 10, False),
        "review_cases": (D(0), 10, False),
        "litigation_cases": (D(0), 10, False),
    },
    # 4 '全年主动公开政府信息11960条,处理依申请公开8件,未因答复不当收到行政复议或行政诉讼'
    # (line 6 '累计发布各类政务信息4243条' counts website items, not 主动公开 → no cell)
    "003": {
        "proactive_items_year": (D(11960), 4, False),
        "requests_processed": (D(8), 4, False),
        "review_cases": (D(0), 4, False),
        "litigation_cases": (D(0), 4, False),
    },
    # 5 '2024年,我局累计主动公开政府信息132条' (the year's total); 7 '未收到依申请公开事项,未发生…行政复议或行政诉讼案件';
    # 69 '未收取政府信息公开信息处理费'
    "004": {
        "proactive_items_year": (D(132), 5, False),
        "requests_received": (D(0), 7, False),
        "review_cases": (D(0), 7, False),
        "litigation_cases": (D(0), 7, False),
        "fees_collected": (D(0), 69, False),
    },
}


@pytest.mark.parametrize("prefix", sorted(SEED_EXPECTED))
def test_seed_prose_metrics(prefix):
    assert metrics(seed_text(prefix)) == SEED_EXPECTED[prefix]


REALWORLD_EXPECTED = {
    "17_huaian_2024.txt": {
        "proactive_items_year": (D(5500), 17, True),  # '主动公开各类政府信息 5500 余条'
        "requests_received": (D(3119), 31, False),  # '受理政府信息公开申请 3119 件，答\n复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度'
        "requests_processed": (D(3050), 31, False),
        "requests_carried_over": (D(34), 32, False),
        "requests_carried_forward": (D(103), 32, False),
        "review_cases": (D(351), 33, False),  # '政府信息公开行政复议 351\n件'
        "litigation_cases": (D(46), 35, False),  # '政府信息公开行政诉讼 46 件'
        "fees_collected": (D(3940), 241, False),  # '全年收取政府信息公开信息处理费 3940 元'
    },
    "18_hongze_2023.txt": {
        "proactive_items_year": (D(1136), 19, False),
        "requests_received": (D(21), 21, False),
        "fees_collected": (D(0), 168, False),
    },
    "19_hongze_2024.txt": {
        "proactive_items_year": (D(2428), 19, False),
        "requests_received": (D(17), 24, False),  # the table says 95: D20, see test_report
        "fees_collected": (D(0), 166, False),
    },
}


@pytest.mark.skipif(not REALWORLD_RAW.exists(), reason="shared real-world reports not available")
@pytest.mark.parametrize("name", sorted(REALWORLD_EXPECTED))
def test_realworld_prose_metrics_across_wrapped_lines(name):
    assert metrics((REALWORLD_RAW / name).read_text(encoding="utf-8")) == REALWORLD_EXPECTED[name]


def test_fee_units_as_written():
    cells, _ = extract_prose_metrics(to_lines("本年度共收取信息处理费0.35万元。\n"))
    (cell,) = cells
    assert (cell.value, cell.unit, cell.value_yuan) == (D("0.35"), "万元", D("3500.00"))
    cells, _ = extract_prose_metrics(to_lines("全年收取政府信息公开信息处理费 3940 元。\n"))
    assert (cells[0].unit, cells[0].value_yuan) == ("元", D(3940))


def test_negative_phrasings_are_zero():
    assert metrics("本年度未收费。")["fees_collected"][0] == 0
    found = metrics("2024年度未收到依申请公开事项,未发生因依申请公开引发的行政复议或行政诉讼案件。")
    assert {k: v[0] for k, v in found.items()} == {"requests_received": 0, "review_cases": 0, "litigation_cases": 0}


def test_approximate_markers():
    assert metrics("全年主动公开政府信息300多条。")["proactive_items_year"] == (D(300), 1, True)


def test_cumulative_versus_year():
    found = metrics("截至2019年底,累计主动公开政府信息5928条,其中本年度主动公开政府信息2110条。")
    assert found["proactive_items_cumulative"][0] == 5928
    assert found["proactive_items_year"][0] == 2110


def test_table_lines_are_never_read():
    text = "\n".join(
        [
            "一、本年新收政府信息公开申请数量 | 5 | 0 | 0 | 0 | 0 | 0 | 5 | ||",
            "\t行政复议 5件",
            "受理政府信息公开申请                           21    0      0     0   0   0     21",
        ]
    )
    assert metrics(text) == {}


def test_nothing_stated_gives_no_cell():
    assert metrics("我局认真贯彻落实条例要求,不断完善公开制度。\n二、主动公开情况\n及时公开各类信息。") == {}


def test_other_counts_are_not_mistaken_for_metrics():
    text = "通过门户网站受理市民咨询8件,答复率100%。累计发布各类政务信息4243条。共办理人大建议6件。"
    assert metrics(text) == {}


def test_conflicting_statements_keep_first_and_warn():
    cells, messages = extract_prose_metrics(to_lines("全年共受理政府信息公开申请6件。\n本年受理政府信息公开申请7件。"))
    assert [(c.metric_code, c.value, c.source_line) for c in cells] == [("prose.requests_received", D(6), 1)]
    assert [m.code for m in messages] == ["prose_conflict"]


def test_cells_carry_raw_phrase_and_number_state():
    cells, _ = extract_prose_metrics(to_lines("今年我局全年未接到政府信息公开的申请。"))
    (cell,) = cells
    assert (cell.value_state, cell.raw_text, cell.unit) == ("number", "未接到政府信息公开的申请", "件")
