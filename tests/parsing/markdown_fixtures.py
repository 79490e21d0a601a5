"""Synthetic converter output (MinerU, docling, marker, OCR) built from the template catalogue.

No real report is copied: labels come from templates.py, numbers are chosen here so that every
identity of docs/spec/templates.md §7 holds (T3-1, T3-2b, T3-3, T4-1..3). Each builder writes tables the way the
converter does:
- docling: pipe tables with `| --- |` separators; a merged cell is repeated in every cell it covers;
- marker: pipe tables with `|---|`; a merged cell's text is in its first cell, covered cells blank;
- MinerU: merged-cell tables as one-line HTML `<table>` blocks (rowspan/colspan) inside markdown.
"""

from __future__ import annotations

from dagster_project.parsing.templates import T2_BLOCKS, T3_COLUMNS, T3_ROWS_WITH_PATH, T4_COLUMNS

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
HEAD_PARTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

# table 三, v2021: six applicant columns per row; 总计 is their sum (T3-3)
_SIX = {
    "new_received": [12, 3, 0, 1, 2, 0],
    "carried_over": [2, 0, 0, 0, 1, 0],
    "granted": [5, 2, 0, 1, 1, 0],
    "partially_granted": [1, 0, 0, 0, 0, 0],
    "denied_prohibited_by_law": [1, 0, 0, 0, 0, 0],
    "unavailable_not_held": [2, 1, 0, 0, 0, 0],
    "not_processed_petition": [1, 0, 0, 0, 1, 0],
    "not_processed_duplicate": [1, 0, 0, 0, 0, 0],
    "total_processed": [11, 3, 0, 1, 2, 0],
    "carried_forward": [3, 0, 0, 0, 1, 0],
}
T3_ROWS = [r for r, _ in T3_ROWS_WITH_PATH["v2021"]]
T3 = {r.code: _SIX.get(r.code, [0] * 6) + [sum(_SIX.get(r.code, [0] * 6))] for r in T3_ROWS}
T4 = [1, 0, 1, 0, 2, 0, 1, 0, 1, 2, 1, 0, 0, 0, 1]
T2 = {
    "art20_1": {"regulations": ["1", "0", "11"], "normative_docs": ["8", "26", "66"]},
    "art20_5": {"admin_license": ["447"]},
    "art20_6": {"admin_penalty": ["39"], "admin_coercion": ["5"]},
    "art20_8": {"admin_fees": ["0"]},
}


def expected_t3() -> dict[str, int]:
    return {f"t3.{code}.{c.code}": v for code, vals in T3.items() for c, v in zip(T3_COLUMNS, vals)}


def expected_t4() -> dict[str, int]:
    return {f"t4.{c.code}": v for c, v in zip(T4_COLUMNS, T4)}


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _sep(n: int, docling: bool = False) -> str:
    return "|" + "|".join(["-----" if docling else "---"] * n) + "|"


def t2_markdown(style: str) -> list[str]:
    out = ["## 二、主动公开政府信息情况", ""]
    for b in T2_BLOCKS["v2021"]:
        n = len(b.columns)
        first = [b.header] * (n + 1) if style == "docling" else [b.header] + [""] * n
        out += [_row(first), _sep(n + 1, style == "docling"), _row(["信息内容"] + [c.label for c in b.columns])]
        for r in b.rows:
            out.append(_row([r.label] + T2[b.code][r.code]))
        out.append("")
    return out


def _t3_label_cells(path: tuple[str, ...], label: str, style: str, first_in_group: set) -> list[str]:
    """The three label cells of a table-三 row: group path then the row label, merged cells
    repeated (docling) or blank after their first row/column (marker)."""
    cells = list(path) + [label]
    cells += [label] * (3 - len(cells))  # the row label spans the remaining label columns
    if style == "marker":
        shown = []
        for k, c in enumerate(cells):
            if k < len(path):
                key = path[: k + 1]
                shown.append(c if key not in first_in_group else "")
                first_in_group.add(key)
            else:
                shown.append(c if k == len(path) else "")
        return shown
    return cells


def t3_header(style: str) -> list[str]:
    if style == "docling":
        return [
            _row([NOTE] * 3 + ["申请人情况"] * 7),
            _sep(10, True),
            _row([NOTE] * 3 + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"]),
            _row([NOTE] * 3 + [c.label for c in T3_COLUMNS]),
        ]
    return [
        _row([NOTE, "", "", "申请人情况"] + [""] * 6),
        _sep(10),
        _row(["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"]),
        _row(["", "", "", ""] + [c.label for c in T3_COLUMNS[1:6]] + [""]),
    ]


def t3_rows(style: str, rows=None, labels: dict | None = None) -> list[str]:
    seen: set = set()
    out = []
    for r, path in T3_ROWS_WITH_PATH["v2021"]:
        label = (labels or {}).get(r.code, r.label)
        cells = _t3_label_cells(path, label, style, seen)
        if rows is None or r.code in rows:
            out.append(_row(cells + T3[r.code]))
    return out


def t4_markdown(style: str) -> list[str]:
    if style == "docling":
        return [
            _row(["行政复议"] * 5 + ["行政诉讼"] * 10),
            _sep(15, True),
            _row(HEAD_PARTS + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5),
            _row(HEAD_PARTS * 3),
            _row(T4),
        ]
    return [
        _row(["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9),
        _sep(15),
        _row([""] * 5 + ["未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""]),
        _row(HEAD_PARTS * 3),
        _row(T4),
    ]


def document(t3_lines: list[str], t4_lines: list[str] | None = None, style: str = "marker") -> str:
    lines = ["# 某某区人民政府2023年政府信息公开工作年度报告", "", "一、总体情况", "", "本年度主动公开各类信息。", ""]
    lines += t2_markdown(style)
    lines += ["## 三、收到和处理政府信息公开申请情况", ""] + t3_lines + [""]
    lines += ["## 四、政府信息公开行政复议、行政诉讼情况", ""] + (t4_lines if t4_lines is not None else t4_markdown(style)) + [""]
    lines += ["## 五、存在的主要问题及改进情况", "", "无。", ""]
    return "\n".join(lines)


def td(text, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    return f"<td{attrs}>{text}</td>"


def t3_mineru_html() -> str:
    """Table 三 as MinerU writes it: one line of HTML with the official rowspan/colspan grid."""
    parts = ["<table>", "<tr>" + td(NOTE, 3, 3) + td("申请人情况", colspan=7) + "</tr>"]
    parts.append("<tr>" + td("自然人", 2) + td("法人或其他组织", colspan=5) + td("总计", 2) + "</tr>")
    parts.append("<tr>" + "".join(td(c.label) for c in T3_COLUMNS[1:6]) + "</tr>")
    rows = T3_ROWS_WITH_PATH["v2021"]
    sizes: dict[str, int] = {}
    for _, path in rows:
        for g in path:
            sizes[g] = sizes.get(g, 0) + 1
    opened: set = set()
    for r, path in rows:
        head = ""
        for g in path:
            if g not in opened:
                opened.add(g)
                head += td(g, rowspan=sizes[g])
        parts.append("<tr>" + head + td(r.label, colspan=3 - len(path)) + "".join(td(v) for v in T3[r.code]) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


