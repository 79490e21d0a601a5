"""Glued digit runs (parsing/glued.py): labels from templates.py, numbers chosen here."""

from __future__ import annotations

from decimal import Decimal

from dagster_project.parsing import tables
from dagster_project.parsing.model import Line
from dagster_project.parsing.templates import T3_COLUMNS, T3_ROWS, T4_COLUMNS

HEAD = "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
T4_HEAD = "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"


def _t3(rows: dict[str, str], t4: str = "0" * 15) -> str:
    """One line: table 三 (v2021 rows, each label followed by its run; absent rows '0000000') and 四."""
    parts = [HEAD]
    for r in T3_ROWS["v2021"]:
        parts.append(r.label + rows.get(r.code, "0000000"))
    return "".join(parts) + T4_HEAD + t4 + "五、存在的主要问题"


def _cells(text: str) -> dict:
    result = tables.extract_tables([Line(1, text)])
    return {c.metric_code: c for c in result.cells}, result.messages


def _row(cells, row):
    return [cells[f"t3.{row}.{c.code}"] for c in T3_COLUMNS]


def test_unique_split_by_row_sum_is_inferred():
    cells, _ = _cells(_t3({"new_received": "640020470", "granted": "640020470", "carried_over": "0000000"}))
    row = _row(cells, "new_received")
    assert [c.value for c in row] == [Decimal(x) for x in (64, 0, 0, 2, 0, 4, 70)]
    assert {c.value_state for c in row} == {"inferred"}
    assert {c.raw_text for c in row} == {"640020470"}
    assert {c.inferred_by for c in row} == {"T3-3"}
    forced = _row(cells, "carried_over")  # seven digits for seven cells: no identity needed
    assert [c.value for c in forced] == [Decimal(0)] * 7 and {c.inferred_by for c in forced} == {None}


def test_two_valid_splits_stay_unparseable():
    tie = "110000011"  # 1|10|0|0|0|0|11 and 11|0|0|0|0|0|11 both satisfy T3-3; no other row tells them apart
    cells, messages = _cells(_t3({"denied_state_secret": tie}))
    row = _row(cells, "denied_state_secret")
    assert {c.value_state for c in row} == {"unparseable"} and {c.raw_text for c in row} == {tie}
    assert {c.value for c in row} == {None}
    assert any(m.code == "glued_unparseable" and tie in m.text for m in messages)


def test_no_valid_split_stays_unparseable():
    cells, messages = _cells(_t3({"denied_state_secret": "1234567"}))
    row = _row(cells, "denied_state_secret")
    assert {c.value_state for c in row} == {"unparseable"} and {c.raw_text for c in row} == {"1234567"}
    assert any(m.code == "glued_unparseable" and "no split" in m.text for m in messages)


def test_table_three_decided_only_by_cross_row_identities():
    # (一) '110000011' alone is 1|10|… or 11|0|…; 一 and (七) are fixed by their spaces, so T3-2b decides.
    rows = {"new_received": "1 10 0 0 0 0 11", "granted": "110000011", "total_processed": "1 10 0 0 0 0 11"}
    cells, _ = _cells(_t3(rows))
    granted = _row(cells, "granted")
    assert [c.value for c in granted] == [Decimal(x) for x in (1, 10, 0, 0, 0, 0, 11)]
    assert {c.value_state for c in granted} == {"inferred"} and {c.raw_text for c in granted} == {"110000011"}
    assert granted[0].inferred_by == "T3-2b,T3-3"  # T3-3 left two splits, T3-2b chose one


def test_table_four_blocks():
    cells, _ = _cells(_t3({}, t4="210033300620002"))  # 15 digits: one digit per cell, the count decides
    assert [cells[f"t4.{c.code}"].value for c in T4_COLUMNS] == [Decimal(x) for x in "210033300620002"]
    assert {cells[f"t4.{c.code}"].inferred_by for c in T4_COLUMNS} == {None}
    cells, _ = _cells(_t3({}, t4="00202000001324015"))  # block 3 breaks its total in every split
    assert {cells[f"t4.{c.code}"].value_state for c in T4_COLUMNS} == {"unparseable"}


def test_table_two_run_left_ambiguous():
    text = ("第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件5730"
            "第二十条第（五）项信息内容本年处理决定数量行政许可1970" + _t3({}))
    cells, _ = _cells(text)
    docs = [cells[f"t2.art20_1.normative_docs.{c}"] for c in ("issued", "repealed", "in_force")]
    assert {c.value_state for c in docs} == {"unparseable"} and {c.raw_text for c in docs} == {"5730"}
    regs = [cells[f"t2.art20_1.regulations.{c}"] for c in ("issued", "repealed", "in_force")]
    assert [c.value for c in regs] == [Decimal(0)] * 3 and {c.value_state for c in regs} == {"inferred"}
    assert cells["t2.art20_5.admin_license.decisions"].value == Decimal(1970)


# ---------------------------------------------------------------------------------------------
# One table row per line (labels from templates.py, numbers chosen here)
# ---------------------------------------------------------------------------------------------
T3_TITLE = "三、收到和处理政府信息公开申请情况"
T3_HEADER = "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
T4_TITLE = "四、政府信息公开行政复议、行政诉讼情况"
T4_HEADER = T4_HEAD[len("四、政府信息公开行政复议、行政诉讼情况"):]  # 行政复议行政诉讼结果维持…总计


def _lines(rows: dict[str, str], t4: list[str]) -> list[Line]:
    """Title, header, then one line per table-三 row (label and run with nothing between), then 四."""
    texts = [T3_TITLE, T3_HEADER] + [r.label + rows.get(r.code, "0000000") for r in T3_ROWS["v2021"]]
    texts += [T4_TITLE] + t4 + ["五、存在的主要问题"]
    return [Line(i, t) for i, t in enumerate(texts, 1)]


def test_one_glued_row_per_line():
    rows = {
        "new_received": "1 10 0 0 0 0 11",  # readable chunks, but touching its label ('数量1')
        "carried_over": "640020470",  # 64|0|0|2|0|4|70: the only split under T3-3
        "granted": "110000011",  # 1|10|0|0|0|0|11 or 11|0|0|0|0|0|11 under T3-3: T3-2b decides
        "total_processed": "1 10 0 0 0 0 11",
        "carried_forward": "640020470",
    }
    lines = _lines(rows, [T4_HEADER, "210033300620002"])  # table 四's values on the line after its header
    result = tables.extract_tables(lines)
    cells = {c.metric_code: c for c in result.cells}
    line_of = {r.code: 3 + i for i, r in enumerate(T3_ROWS["v2021"])}

    def row(code):
        return [(cells[f"t3.{code}.{c.code}"].value, cells[f"t3.{code}.{c.code}"].value_state,
                 cells[f"t3.{code}.{c.code}"].inferred_by, cells[f"t3.{code}.{c.code}"].raw_text,
                 cells[f"t3.{code}.{c.code}"].source_line) for c in T3_COLUMNS]

    def want(values, state, by, raw, code):
        return [(Decimal(v), state, by, raw if raw is not None else str(v), line_of[code]) for v in values]

    assert row("new_received") == want((1, 10, 0, 0, 0, 0, 11), "number", None, None, "new_received")
    assert row("total_processed") == want((1, 10, 0, 0, 0, 0, 11), "number", None, None, "total_processed")
    for code in ("carried_over", "carried_forward"):
        assert row(code) == want((64, 0, 0, 2, 0, 4, 70), "inferred", "T3-3", "640020470", code)
    assert row("granted") == want((1, 10, 0, 0, 0, 0, 11), "inferred", "T3-2b,T3-3", "110000011", "granted")
    assert row("partially_granted") == want((0,) * 7, "inferred", None, "0000000", "partially_granted")
    t4_line = len(lines) - 1
    assert [(cells[f"t4.{c.code}"].value, cells[f"t4.{c.code}"].value_state, cells[f"t4.{c.code}"].source_line)
            for c in T4_COLUMNS] == [(Decimal(d), "inferred", t4_line) for d in "210033300620002"]
    assert len(result.cells) == 25 * 7 + 15
    assert [m.code for m in result.messages if m.level == "warning"] == ["t2_missing"]
    summary = [m.text for m in result.messages if m.code == "glued_runs"]
    assert summary == ["26 table rows read from digit runs without cell separators (value_state inferred), 0 left unparseable"]


def test_one_row_per_line_left_ambiguous():
    # 一, (一) and (七) are each 1|10|0|0|0|0|11 or 11|0|0|0|0|0|11, and T3-1 / T3-2b hold for both choices
    runs = dict.fromkeys(("new_received", "granted", "total_processed"), "110000011")
    result = tables.extract_tables(_lines(runs, [T4_HEADER, "0" * 15]))
    cells = {c.metric_code: c for c in result.cells}
    for code in runs:
        row = [cells[f"t3.{code}.{c.code}"] for c in T3_COLUMNS]
        assert [(c.value, c.value_state, c.raw_text) for c in row] == [(None, "unparseable", "110000011")] * 7
    assert [(m.line, m.text.split(" not split: ")[1]) for m in result.messages if m.code == "glued_unparseable"] == [
        (line, "2 splits are possible under T3-3; its 7 cells are unparseable") for line in (3, 5, 26)]
    assert cells["t3.carried_over.total"].value_state == "inferred"  # the other rows are still read


def test_rows_with_cell_separators_are_never_split():
    """A pipe table that sends the report through glued.py (table 二 absent): each row stays as the
    layout tokenizer reads it, a blank between two pipes included (a split would give it a digit)."""
    texts = [T3_TITLE, "| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |"]
    runs = {"granted": "10 |  | 0 | 0 | 0 | 0 | 10", "new_received": "10 | 0 | 0 | 0 | 0 | 0 | 10",
            "total_processed": "10 | 0 | 0 | 0 | 0 | 0 | 10"}
    texts += [f"| {r.label} | {runs.get(r.code, '0 | 0 | 0 | 0 | 0 | 0 | 0')} |" for r in T3_ROWS["v2021"]]
    texts += [T4_TITLE, "五、存在的主要问题"]
    result = tables.extract_tables([Line(i, t) for i, t in enumerate(texts, 1)])
    cells = {c.metric_code: c for c in result.cells}
    assert [(cells[f"t3.granted.{c.code}"].value, cells[f"t3.granted.{c.code}"].value_state) for c in T3_COLUMNS] == [
        (Decimal(10), "number"), (None, "blank")] + [(Decimal(0), "number")] * 4 + [(Decimal(10), "number")]
    assert {c.value_state for c in result.cells} == {"number", "blank"} and len(result.cells) == 25 * 7
    assert not any(m.code.startswith("glued") for m in result.messages)
