"""Converter markdown and OCR text (layouts/markdown.py, placement.py): every layout ends in the same
matcher. Fixtures are synthetic (markdown_fixtures.py): template labels, numbers chosen here."""

from __future__ import annotations

from decimal import Decimal

import pytest
from markdown_fixtures import (
    NOTE,
    T3,
    T3_ROWS,
    _row,
    _sep,
    document,
    expected_t3,
    expected_t4,
    t3_header,
    t3_mineru_html,
    t3_rows,
)
from parsing_helpers import by_code, tables_from_text

from dagster_project.parsing.report import parse_text as parse_report
from dagster_project.parsing.tables import match_tokens, tokenize
from dagster_project.parsing.templates import T3_COLUMNS
from dagster_project.parsing.text import to_lines

T2_EXPECTED = {
    "t2.art20_1.regulations.issued": 1, "t2.art20_1.regulations.repealed": 0, "t2.art20_1.regulations.in_force": 11,
    "t2.art20_1.normative_docs.issued": 8, "t2.art20_1.normative_docs.repealed": 26, "t2.art20_1.normative_docs.in_force": 66,
    "t2.art20_5.admin_license.decisions": 447, "t2.art20_6.admin_penalty.decisions": 39,
    "t2.art20_6.admin_coercion.decisions": 5, "t2.art20_8.admin_fees.fee_amount": 0,
}


def two_stages(text: str):
    """tokenize + match_tokens only. Where a test expects warnings (a missing row), this keeps
    extract_tables' second pass for glued digit runs (glued.py, triggered by those warnings) out of
    what the test measures."""
    return match_tokens(tokenize(to_lines(text)))


def values(result) -> dict:
    return {c.metric_code: c.value for c in result.cells}


def warnings(result) -> list:
    return [m for m in result.messages if m.level != "info"]


def assert_source_lines(text: str, result) -> None:
    """Every table cell's source_line is a line whose text holds the cell's raw text."""
    lines = text.split("\n")
    for c in result.cells:
        assert c.raw_text in lines[c.source_line - 1], (c.metric_code, c.source_line)


@pytest.mark.parametrize("style", ["docling", "marker"])
def test_whole_tables_merged_cells_do_not_shift_columns(style):
    """docling repeats merged cells in every covered cell, marker leaves them blank: same values."""
    text = document(t3_header(style) + t3_rows(style), style=style)
    result = tables_from_text(text)
    assert values(result) == {**T2_EXPECTED, **{k: Decimal(v) for k, v in expected_t3().items()}, **{k: Decimal(v) for k, v in expected_t4().items()}}
    assert warnings(result) == []
    assert (result.t2_version, result.t3_version) == ("v2021", "v2021")
    assert_source_lines(text, result)


def test_table_split_over_two_pages_with_repeated_headers():
    """marker: table 三 breaks after 4.保护第三方合法权益; page footer, a '## 表三（续）' caption and the
    column header are repeated before the rest. The header's 总计 must not take the next row."""
    first = [r.code for r in T3_ROWS[:8]]
    rest = [r.code for r in T3_ROWS[8:]]
    page2_header = [_row(["", "", ""] + [c.label for c in T3_COLUMNS]), _sep(10)]
    lines = t3_header("marker") + t3_rows("marker", first) + ["", "— 3 —", "", "## 表三（续）", ""] + page2_header + t3_rows("marker", rest)
    text = document(lines)
    result = tables_from_text(text)
    got = values(result)
    for k, v in expected_t3().items():
        assert got[k] == v, k
    assert got["t3.denied_internal_affairs.total"] == 0 and got["t3.total_processed.natural_person"] == 11
    assert got["t3.denied_third_party_rights.natural_person"] == 0
    assert warnings(result) == []
    assert_source_lines(text, result)
    # the first row after the break is read from the line after the repeated header
    row5 = by_code(result)["t3.denied_internal_affairs.natural_person"]
    assert "5.属于三类内部事务信息" in text.split("\n")[row5.source_line - 1]


def test_docling_table_split_over_pages_without_separator_on_page_two():
    first = [r.code for r in T3_ROWS[:12]]
    rest = [r.code for r in T3_ROWS[12:]]
    repeat = [_row([NOTE] * 3 + [c.label for c in T3_COLUMNS])]
    text = document(t3_header("docling") + t3_rows("docling", first) + ["", "- 4 -", ""] + repeat + t3_rows("docling", rest), style="docling")
    result = tables_from_text(text)
    got = values(result)
    assert {k: got.get(k) for k in expected_t3()} == expected_t3()
    assert warnings(result) == []


def test_html_table_embedded_in_markdown():
    """MinerU writes merged-cell tables as one line of HTML inside the markdown."""
    html_line = "<html><body>" + t3_mineru_html() + "</body></html>"
    text = document([html_line])
    result = tables_from_text(text)
    got = values(result)
    assert {k: got.get(k) for k in expected_t3()} == expected_t3()
    assert got["t3.new_received.commercial_enterprise"] == 3 and got["t3.carried_forward.legal_service_org"] == 1
    assert warnings(result) == []
    html_no = text.split("\n").index(html_line) + 1
    assert {c.source_line for c in result.cells if c.metric_code.startswith("t3.")} == {html_no}


def test_html_table_over_several_markdown_lines_keeps_line_numbers():
    html = t3_mineru_html().replace("<tr>", "\n<tr>")
    text = document(html.split("\n"))
    result = tables_from_text(text)
    assert {k: values(result).get(k) for k in expected_t3()} == expected_t3()
    assert_source_lines(text, result)
    line = text.split("\n")[by_code(result)["t3.granted.natural_person"].source_line - 1]
    assert "（一）予以公开" in line and "<td>5</td>" in line


def _label_less_doc(rows_values: dict | None = None, drop: str | None = None) -> str:
    """Table 三 as an OCR engine splits it: the label column as one small table, the values as
    another under placeholder headers 数据1…数据7, with no labels on the value rows."""
    data = dict(T3, **(rows_values or {}))
    labels = [_row([r.label, ""]) for r in T3_ROWS]
    vals = [_row([f"数据{k}" for k in range(1, 8)]), _sep(7)]
    vals += [_row(data[r.code]) for r in T3_ROWS if r.code != drop]
    return document([_row([NOTE, "申请人情况"]), ""] + labels + [""] + vals)


def test_label_less_rows_placed_by_template_order_when_count_and_identities_agree():
    result = tables_from_text(_label_less_doc())
    got = values(result)
    assert {k: got.get(k) for k in expected_t3()} == expected_t3()
    assert "t3_rows_by_order" in {m.code for m in result.messages}
    assert warnings(result) == []
    assert got["t3.unavailable_not_held.commercial_enterprise"] == 1


def test_label_less_rows_not_placed_when_an_identity_fails():
    # 予以公开 natural_person 5 -> 6 (and its 总计 10): T3-2 no longer holds in column 自然人
    result = tables_from_text(_label_less_doc({"granted": [6, 2, 0, 1, 1, 0, 10]}))
    assert not any(c.metric_code.startswith("t3.") for c in result.cells)
    msg = [m for m in result.messages if m.code == "t3_label_less_rows"]
    assert len(msg) == 1 and "T3-2 fails in column natural_person" in msg[0].text


def test_label_less_rows_not_placed_when_the_row_count_differs():
    result = tables_from_text(_label_less_doc(drop="denied_state_secret"))  # an all-zero row lost: identities still hold
    assert not any(c.metric_code.startswith("t3.") for c in result.cells)
    msg = [m for m in result.messages if m.code == "t3_label_less_rows"]
    assert len(msg) == 1 and "24 rows" in msg[0].text


def test_label_less_fragment_between_labelled_rows():
    """Three value rows without labels between two labelled rows fill exactly the three rows of the gap."""
    lines = t3_header("marker") + t3_rows("marker", [r.code for r in T3_ROWS[:12]])
    lines += [_row(["", "", ""] + T3[r.code]) for r in T3_ROWS[12:15]]  # 无法提供 1-3, labels lost
    lines += t3_rows("marker", [r.code for r in T3_ROWS[15:]])
    result = tables_from_text(document(lines))
    got = values(result)
    assert {k: got.get(k) for k in expected_t3()} == expected_t3()
    assert got["t3.unavailable_not_held.natural_person"] == 2 and got["t3.unavailable_not_held.total"] == 3


def test_table4_printed_as_three_five_column_tables():
    pieces = []
    for title, vals in (("行政复议", [1, 0, 1, 0, 2]), ("行政诉讼（未经复议直接起诉）", [0, 1, 0, 1, 2]), ("行政诉讼（复议后起诉）", [1, 0, 0, 0, 1])):
        pieces += [_row([title, "", "", "", ""]), _sep(5), _row(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]), _row(vals), ""]
    text = document(t3_header("marker") + t3_rows("marker"), pieces)
    result = tables_from_text(text)
    got = values(result)
    assert {k: got.get(k) for k in expected_t4()} == expected_t4()
    assert warnings(result) == []
    assert_source_lines(text, result)


def test_table4_pieces_in_the_wrong_order_are_not_stored():
    pieces = []
    for title, vals in (("行政复议", [1, 0, 1, 0, 2]), ("复议后起诉", [1, 0, 0, 0, 1]), ("未经复议直接起诉", [0, 1, 0, 1, 2])):
        pieces += [_row([title, "", "", "", ""]), _sep(5), _row(vals), ""]
    result = tables_from_text(document(t3_header("marker") + t3_rows("marker"), pieces))
    assert not any(c.metric_code.startswith("t4.") for c in result.cells)
    assert "t4_pieces_unplaced" in {m.code for m in result.messages}


def test_table4_pieces_without_group_labels_need_their_totals():
    ok = [_row(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]), _sep(5), _row([1, 0, 1, 0, 2]), _row([0, 1, 0, 1, 2]), _row([1, 0, 0, 0, 1])]
    got = values(tables_from_text(document(t3_header("marker") + t3_rows("marker"), ok)))
    assert {k: got.get(k) for k in expected_t4()} == expected_t4()
    bad = ok[:3] + [_row([0, 1, 0, 1, 3]), ok[4]]  # 0+1+0+1 != 3
    result = tables_from_text(document(t3_header("marker") + t3_rows("marker"), bad))
    assert not any(c.metric_code.startswith("t4.") for c in result.cells)


DAMAGED = {
    "denied_state_secret": "1.属于国家泌密",
    "denied_prohibited_by_law": "2.其他法律行攻法规禁止公开",
    "denied_third_party_rights": "4.保护第三方合法杈益",
    "denied_process_info": "6.属于四类过程信息",  # a dropped character
    "not_processed_confirmation": "5.要求行政机关确认或重新出具己获取信",
}


def test_ocr_damaged_labels_matched_by_similarity():
    text = document(t3_header("marker") + t3_rows("marker", labels=DAMAGED))
    result = tables_from_text(text)
    got = values(result)
    assert {k: got.get(k) for k in expected_t3()} == expected_t3()
    assert warnings(result) == []
    assert by_code(result)["t3.denied_prohibited_by_law.natural_person"].label_raw == "2.其他法律行攻法规禁止公开"


def test_ocr_damaged_label_out_of_order_goes_to_its_own_row_not_the_next():
    """Row 1.属于国家秘密 is missing; the damaged 2.其他法律行攻法规禁止公开 must not fall into the
    expected (next) row by position: similarity names its row."""
    codes = [r.code for r in T3_ROWS if r.code != "denied_state_secret"]
    result = two_stages(document(t3_header("marker") + t3_rows("marker", codes, labels=DAMAGED)))
    got = values(result)
    assert got["t3.denied_prohibited_by_law.natural_person"] == 1
    assert "t3.denied_state_secret.natural_person" not in got
    assert [m.code for m in warnings(result)] == ["t3_missing_row"]


def test_unrecognisable_label_is_not_guessed():
    """A label too damaged to resemble any row is not placed, even though its numbers would fit."""
    codes = [r.code for r in T3_ROWS if r.code != "denied_state_secret"]
    labels = {"denied_prohibited_by_law": "2.具他沄律亓攻法"}
    result = two_stages(document(t3_header("marker") + t3_rows("marker", codes, labels=labels)))
    assert not any(c.metric_code.startswith("t3.denied_prohibited_by_law.") or c.metric_code.startswith("t3.denied_state_secret.") for c in result.cells)
    assert "t3_unmatched_row" in {m.code for m in result.messages}


def test_markdown_report_through_the_pipeline_entry_point():
    text = document(t3_header("docling") + t3_rows("docling"), style="docling")
    report = parse_report(text, "report.md")
    got = {c.metric_code: c.value for c in report.cells}
    assert {k: got.get(k) for k in expected_t3()} == expected_t3()
    assert {k: got.get(k) for k in T2_EXPECTED} == T2_EXPECTED
    assert {m.code for m in report.messages if m.level != "info" and m.code.startswith(("t2", "t3", "t4", "short", "extra"))} == set()


def test_ocr_damaged_table2_label_beats_position():
    """行政处罚 lost, 行政强制 damaged to 行政强刺: by position it would be taken as 行政处罚 (the
    expected row, two characters shared); similarity names 行政强制."""
    text = document(t3_header("marker") + t3_rows("marker")).replace("| 行政处罚 | 39 |\n", "").replace("| 行政强制 | 5 |", "| 行政强刺 | 5 |")
    result = two_stages(text)
    got = values(result)
    assert got["t2.art20_6.admin_coercion.decisions"] == 5
    assert "t2.art20_6.admin_penalty.decisions" not in got
    assert "row_by_similarity" in {m.code for m in result.messages}


def test_mineru_markdown_with_embedded_html_is_read_as_text_by_the_pipeline():
    """Many <td> tags near the start must not make a markdown file an HTML page: its pipe tables
    (tables 二 and 四) would be lost."""
    text = document(["<html><body>" + t3_mineru_html() + "</body></html>"])
    report = parse_report(text, "report.md")
    got = {c.metric_code: c.value for c in report.cells}
    assert {k: got.get(k) for k in expected_t3()} == expected_t3()
    assert {k: got.get(k) for k in T2_EXPECTED} == T2_EXPECTED
    assert {k: got.get(k) for k in expected_t4()} == expected_t4()


def test_table4_with_only_two_pieces_is_reported():
    pieces = []
    for title, vals in (("行政复议", [1, 0, 1, 0, 2]), ("未经复议直接起诉", [0, 1, 0, 1, 2])):
        pieces += [_row([title, "", "", "", ""]), _sep(5), _row(vals), ""]
    result = two_stages(document(t3_header("marker") + t3_rows("marker"), pieces))
    assert not any(c.metric_code.startswith("t4.") for c in result.cells)
    msg = [m for m in result.messages if m.code == "t4_pieces_unplaced"]
    assert len(msg) == 1 and "10 values" in msg[0].text


def test_heading_with_table_number_opens_the_table():
    text = document(t3_header("marker") + t3_rows("marker")).replace("## 三、收到和处理政府信息公开申请情况", "## 表三 收到和处理政府信息公开申请情况")
    result = tables_from_text(text)
    assert result.table_lines["t3"] == text.split("\n").index("## 表三 收到和处理政府信息公开申请情况") + 1
    assert {k: values(result).get(k) for k in expected_t3()} == expected_t3()


def test_row_under_a_repeated_header_without_its_label_fills_the_gap_only_when_identities_agree():
    """Page 2 starts with the repeated header and a row whose label was lost: the header's 总计 must
    not take it; it is the one row missing between 4.保护第三方合法权益 and 6.属于四类过程性信息."""
    codes = [r.code for r in T3_ROWS]
    k = codes.index("denied_internal_affairs")
    head = [_row(["", "", ""] + [c.label for c in T3_COLUMNS]), _sep(10)]
    lines = t3_header("marker") + t3_rows("marker", codes[:k]) + [""] + head + [_row(["", "", ""] + T3["denied_internal_affairs"])] + t3_rows("marker", codes[k + 1:])
    result = tables_from_text(document(lines))
    got = values(result)
    assert {k2: got.get(k2) for k2 in expected_t3()} == expected_t3()
    assert "t3_rows_by_order" in {m.code for m in result.messages}
