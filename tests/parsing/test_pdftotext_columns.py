"""pdftotext -layout rows with blank cells (layouts/aligned.py): values go to the column they are
printed under. The inputs are copies of a real pdftotext output (17_huaian_2024) with cells blanked
out inside the test (digits replaced by spaces, so every other character keeps its position)."""

from __future__ import annotations

import json
import re

from parsing_helpers import REALWORLD, by_code, tables_from_text

from dagster_project.parsing.tables import match_tokens, tokenize
from dagster_project.parsing.templates import T3_COLUMNS
from dagster_project.parsing.text import to_lines

STEM = "17_huaian_2024"
TEXT = (REALWORLD / "raw" / f"{STEM}.txt").read_text(encoding="utf-8")
GOLD = json.loads((REALWORLD / "gold" / f"{STEM}.json").read_text(encoding="utf-8"))
COLS = [c.code for c in T3_COLUMNS]


def line_no(fragment: str) -> int:
    hits = [i + 1 for i, ln in enumerate(TEXT.split("\n")) if fragment in ln]
    assert len(hits) == 1, fragment
    return hits[0]


def blank(text: str, no: int, *cells: int) -> str:
    """Blank the value words at positions `cells` (0 = first value word) of line `no`."""
    lines = text.split("\n")
    words = [m for m in re.finditer(r"\d+(?:\.\d+)?", lines[no - 1])]
    line = lines[no - 1]
    for k in cells:
        m = words[k]
        line = line[: m.start()] + " " * (m.end() - m.start()) + line[m.end():]
    lines[no - 1] = line
    return "\n".join(lines)


def row(cells: dict, code: str) -> list:
    return [(cells[f"t3.{code}.{c}"].value, cells[f"t3.{code}.{c}"].value_state) for c in COLS]


def test_table3_row_with_two_blank_cells():
    no = line_no("（一）予以公开")
    text = blank(TEXT, no, 1, 4)  # 21 (商业企业) and 50 (法律服务机构)
    result = tables_from_text(text)
    cells = by_code(result)
    assert row(cells, "granted") == [(1288, "number"), (None, "blank"), (0, "number"), (0, "number"), (None, "blank"), (3, "number"), (1362, "number")]
    assert {cells[f"t3.granted.{c}"].source_line for c in COLS} == {no}
    assert "short_row" not in {m.code for m in result.messages}
    # the other rows are untouched
    assert row(cells, "new_received") == [(v, "number") for v in GOLD["table3"]["一、本年新收政府信息公开申请数量"]]


def test_values_only_line_with_a_blank_cell():
    no = line_no("447         7        0")
    result = tables_from_text(blank(TEXT, no, 1))  # 7 under 商业企业
    cells = by_code(result)
    assert row(cells, "partially_granted") == [(447, "number"), (None, "blank")] + [(0, "number")] * 4 + [(454, "number")]
    assert cells["t3.partially_granted.total"].source_line == no


def test_leading_blank_cell_on_a_later_page():
    """Page 4 has its own column offsets: anchors come from that page's complete rows."""
    no = line_no("2.没有现成信息需要另行制作")
    result = tables_from_text(blank(TEXT, no, 1))  # word 0 is the enumerator '2', word 1 is 11 under 自然人
    cells = by_code(result)
    assert row(cells, "unavailable_needs_creation") == [(None, "blank")] + [(0, "number")] * 5 + [(11, "number")]


def test_table2_row_with_a_blank_middle_cell():
    no = line_no("规章            1          0        11")
    result = tables_from_text(blank(TEXT, no, 1))
    cells = by_code(result)
    got = [(cells[f"t2.art20_1.regulations.{c}"].value, cells[f"t2.art20_1.regulations.{c}"].value_state) for c in ("issued", "repealed", "in_force")]
    assert got == [(1, "number"), (None, "blank"), (11, "number")]
    assert cells["t2.art20_1.regulations.in_force"].raw_text == "11" and cells["t2.art20_1.regulations.in_force"].source_line == no


def test_value_between_two_columns_is_not_placed():
    """A number half-way between two column anchors is ambiguous: the row stays unread (short_row)."""
    no = line_no("（一）予以公开")
    lines = TEXT.split("\n")
    # 21 moved left to centre 39, half-way between the 自然人 (33.5) and 商业企业 (44.75) anchors
    lines[no - 1] = "      （一）予以公开                   1288  21             0        0             3   1362"
    result = match_tokens(tokenize(to_lines("\n".join(lines))))
    assert not any(c.metric_code.startswith("t3.granted.") for c in result.cells)
    assert "short_row" in {m.code for m in result.messages}


def test_complete_file_is_read_unchanged():
    cells = by_code(tables_from_text(TEXT))
    for (label, vals), code in zip(GOLD["table3"].items(), ["new_received", "carried_over", "granted"]):
        assert [cells[f"t3.{code}.{c}"].value for c in COLS] == vals, label
