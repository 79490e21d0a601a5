"""An HTML rendering of seed tables in the official grid (rowspan/colspan, docs/spec/templates.md §4.1/§4.2/§5)
parses to the same cells as the text."""

from __future__ import annotations

import html as std_html

import pytest
from parsing_helpers import by_code, seed_text, tables_from_text

from dagster_project.parsing.html import extract_tables_html
from dagster_project.parsing.templates import T2_BLOCKS, T3_COLUMNS, T3_ROWS_WITH_PATH, T4_COLUMNS


def td(text: str, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    body = std_html.escape(text).replace("\u00a0", "&nbsp;")
    return f"<td{attrs}><p style=\"text-align:center\">{body}</p></td>"


def render(cells: dict, version: str) -> str:
    out = ["<html><head><script>var x='<td>1</td>';</script></head><body>", "<p>二、主动公开政府信息情况</p>", "<table>"]
    for b in T2_BLOCKS[version]:
        n = len(b.columns)
        out.append(f"<tr>{td(b.header, colspan=n + 1)}</tr>")
        out.append("<tr>" + td("信息内容") + "".join(td(c.label.replace("本年新", "本年新<br/>")) for c in b.columns) + "</tr>")
        for r in b.rows:
            out.append("<tr>" + td(r.label) + "".join(td(cells[f"t2.{b.code}.{r.code}.{c.code}"].raw_text) for c in b.columns) + "</tr>")
    out += ["</table>", "<p>三、收到和处理政府信息公开申请情况</p>", "<table>"]
    out.append("<tr>" + td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3) + td("申请人情况", colspan=7) + "</tr>")
    out.append("<tr>" + td("自然人", 2) + td("法人或其他组织", colspan=5) + td("总计", 2) + "</tr>")
    out.append("<tr>" + "".join(td(c.label) for c in T3_COLUMNS[1:6]) + "</tr>")
    rows = T3_ROWS_WITH_PATH[version]
    group_sizes = {}
    for _, path in rows:
        for g in path:
            group_sizes[g] = group_sizes.get(g, 0) + 1
    opened = set()
    for r, path in rows:
        head = ""
        for g in path:
            if g not in opened:
                opened.add(g)
                head += td(g, rowspan=group_sizes[g])
        span = 3 - len(path)
        vals = "".join(td(cells[f"t3.{r.code}.{c.code}"].raw_text) for c in T3_COLUMNS)
        out.append(f"<tr>{head}{td(r.label, colspan=span)}{vals}</tr>")
    out += ["</table>", "<p>四、政府信息公开行政复议、行政诉讼情况</p>", "<table>"]
    out.append("<tr>" + td("行政复议", colspan=5) + td("行政诉讼", colspan=10) + "</tr>")
    parts = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    out.append("<tr>" + "".join(td(p, 2) for p in parts) + td("未经复议直接起诉", colspan=5) + td("复议后起诉", colspan=5) + "</tr>")
    out.append("<tr>" + "".join(td(p) for p in parts * 2) + "</tr>")
    out.append("<tr>" + "".join(td(cells[f"t4.{c.code}"].raw_text) for c in T4_COLUMNS) + "</tr>")
    out += ["</table>", "<p>五、存在的主要问题及改进情况</p>", "</body></html>"]
    return "\n".join(out)


@pytest.mark.parametrize("stem,version", [("002_87d81dba6e927c9d", "v2019"), ("004_70d6925fef033874", "v2021"), ("003_8fda2105dcda898c", "v2019")])
def test_html_rendering_parses_to_same_values(stem, version):
    text_cells = by_code(tables_from_text(seed_text(stem)))
    page = render(text_cells, version)
    result, lines = extract_tables_html(page)
    html_cells = by_code(result)
    assert set(html_cells) == set(text_cells)
    for code, c in text_cells.items():
        h = html_cells[code]
        assert (h.value, h.value_state, h.raw_text, h.unit) == (c.value, c.value_state, c.raw_text, c.unit), code
    assert result.t2_version == version == result.t3_version
    assert [m for m in result.messages if m.level != "info"] == []
    # source lines point at the <td> tags of the rendered page
    page_lines = page.split("\n")
    for h in html_cells.values():
        assert "<td" in page_lines[h.source_line - 1]
    assert any("五、存在的主要问题" in ln.text for ln in lines)
    assert not any("var x" in ln.text for ln in lines)


def test_html_blank_nbsp_cells_and_total_blank():
    """D9/D10 in HTML: &nbsp; cells are blank, a blank 总计 stays blank."""
    cells = by_code(tables_from_text(seed_text("002_87d81dba6e927c9d")))
    page = render(cells, "v2019")
    page = page.replace(td("2") + td("0") * 5 + td("2"), td("2") + td("\u00a0") * 5 + td("\u00a0"), 1)
    got = by_code(extract_tables_html(page)[0])
    assert got["t3.granted.natural_person"].value == 2
    assert got["t3.granted.total"].value_state == "blank"
    assert got["t3.granted.commercial_enterprise"].value_state == "blank"
