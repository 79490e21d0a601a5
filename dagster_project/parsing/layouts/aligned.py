"""pdftotext -layout rows with blank cells: values mapped to columns by their position.

Why: pdftotext prints a blank table cell as nothing, so a row of table 三 with two blank cells is a
label and five numbers. Read left to right the five numbers would fill the first five columns; the
line tokenizer therefore leaves such a row short and the matcher drops it (`short_row`). The
position of each number on the line says which column it is under.

Positions are character indices in the line (after removing the form feed). pdftotext -layout
places every glyph, CJK or not, in one character cell of its grid, so a CJK character counts as ONE
column, not two: on the real outputs in tests/fixtures/realworld/raw the value centres of one
column vary by <= 3.5 characters across rows when counted in characters and by 11-17 when counted
in display width (east-asian wide = 2).

Anchors (the centre of each column), per page because each page has its own offsets:
1. the median centre of that column's values in the complete rows (all columns filled) of the same
   table on the same page;
2. otherwise the centres of the column headers (table 三: 自然人 商业 科研 社会 法律 其他 总计;
   table 二: the words after 信息内容), when the header is on the same page.
A value goes to the column whose anchor is nearest, only when that is unambiguous: nearer than
the second-nearest anchor by more than one character, within one column gap of its anchor, and
the columns of a row strictly increasing. Otherwise the row is left as it was (the matcher reports
it as `short_row`): a number is never placed by guessing. Unfilled columns become EMPTY tokens,
i.e. blank cells (value_state 'blank'), which is what pdftotext's blank means.
"""

from __future__ import annotations

import re
from statistics import median

from ..tables import EMPTY, LABEL, ROW, VALUE, Token
from ..values import looks_like_value

_WORD_RE = re.compile(r"[^ \u3000\u00a0]+")
_T3_HEAD_WORDS = ("自然人", "商业", "科研", "社会", "法律", "其他", "总计")
_T3_COLUMNS = len(_T3_HEAD_WORDS)
_T3_END_RE = re.compile(r"行政复议|^\s*五\s*[、.,，]")
_T2_STOP = ("第二十条", "信息内容", "自然人", "申请人情况", "收到和处理")
_SPACES = " \u3000\u00a0"
_VALUE_LAST = "/-—–\\无元件项条个"  # last characters a value word can have besides a digit
MAX_HEADER_LINES = 12
MAX_HEAD_CHARS = 200
MAX_T2_BLOCK_LINES = 16


def _raw(line) -> str:
    raw = getattr(line, "raw", None) or line.text
    return raw.replace("\f", "") if "\f" in raw else raw


def _plain(raw: str) -> bool:
    return "|" not in raw and "｜" not in raw and "\t" not in raw


def _trailing_values(raw: str) -> tuple[int, list[tuple[float, int, str]]]:
    """(start of the first trailing value, [(centre, start, word)] of the trailing value words),
    read backwards from the end of the line (the words before the values are never split)."""
    end = raw.rstrip(_SPACES)
    if not end or not (end[-1].isdigit() or end[-1] in _VALUE_LAST):
        return len(raw), []  # the common case: a line that does not end in a value
    vals: list[tuple[float, int, str]] = []
    pos = len(end)
    while pos > 0:
        sp = max(end.rfind(" ", 0, pos), end.rfind("\u3000", 0, pos), end.rfind("\u00a0", 0, pos))
        word = end[sp + 1:pos]
        if not looks_like_value(word):
            break
        vals.append((sp + 1 + len(word) / 2, sp + 1, word))
        pos = sp
        while pos > 0 and end[pos - 1] in _SPACES:
            pos -= 1
    vals.reverse()
    return (vals[0][1] if vals else len(raw)), vals


def _assign(centres: list[float], anchors: list[float]) -> list[int] | None:
    cols: list[int] = []
    for c in centres:
        d = sorted((abs(c - a), j) for j, a in enumerate(anchors))
        (d0, j), (d1, _) = d[0], d[1]
        gap = min(abs(anchors[j] - anchors[k]) for k in (j - 1, j + 1) if 0 <= k < len(anchors))
        if d0 + 1.0 >= d1 or d0 >= gap:
            return None
        cols.append(j)
    if any(b <= a for a, b in zip(cols, cols[1:])):
        return None
    return cols


def _emit(line, raw: str, first: int, vals, cols: list[int], n: int, out: dict) -> None:
    no = line.no
    toks = [Token(ROW, "", no)]
    label = raw[:first].strip(" \t\u3000\u00a0")
    if label:
        toks.append(Token(LABEL, label, no))
    by_col = dict(zip(cols, (w for _, _, w in vals)))
    for j in range(n):
        w = by_col.get(j)
        toks.append(Token(VALUE, w, no) if w is not None else Token(EMPTY, "", no))
    out[no] = toks


def _align_region(rows, header: list[float] | None, header_page: int, n: int, out: dict) -> None:
    """rows: [(line, raw, page, first, vals)] of one table; fill `out` for the partial rows."""
    by_page: dict[int, list[list[float]]] = {}
    for _, _, page, _, vals in rows:
        if len(vals) == n:
            by_page.setdefault(page, []).append([c for c, _, _ in vals])
    for line, raw, page, first, vals in rows:
        if not 0 < len(vals) < n or line.no in out:
            continue
        complete = by_page.get(page)
        if complete:
            anchors = [median(r[j] for r in complete) for j in range(n)]
        elif header is not None and header_page == page:
            anchors = header
        else:
            continue
        if any(b <= a for a, b in zip(anchors, anchors[1:])):
            continue
        cols = _assign([c for c, _, _ in vals], anchors)
        if cols is not None:
            _emit(line, raw, first, vals, cols, n, out)


def aligned_tokens(lines, out: dict) -> None:
    h = next((i for i, ln in enumerate(lines) if "自然人" in ln.text and len(ln.text) < MAX_HEAD_CHARS and _plain(_raw(ln))), None)
    t2_heads = [i for i, ln in enumerate(lines) if "信息内容" in ln.text and len(ln.text) < MAX_HEAD_CHARS and _plain(_raw(ln))]
    if h is None and not t2_heads:
        return  # no header line of a space-aligned table (prose mentions are long lines)
    pages, p = [], 0
    for ln in lines:
        raw = getattr(ln, "raw", None) or ln.text
        if "\f" in raw:
            p += raw.count("\f")
        pages.append(p)
    if h is not None:
        _table3(lines, h, pages, out)
    for i in t2_heads:
        _table2_block(lines, i, pages, out)


def _table3(lines, h: int, pages: list[int], out: dict) -> None:
    d = None
    for i in range(h, min(len(lines), h + MAX_HEADER_LINES)):
        raw = _raw(lines[i])
        if _plain(raw) and len(_trailing_values(raw)[1]) >= 4:
            d = i
            break
    if d is None:
        return
    found: dict[int, float] = {}
    for i in range(max(0, h - 3), d):
        raw = _raw(lines[i])
        for j, w in enumerate(_T3_HEAD_WORDS):
            if j not in found:
                pos = raw.find(w)
                if pos >= 0:
                    found[j] = pos + len(w) / 2
    header = [found[j] for j in range(_T3_COLUMNS)] if len(found) == _T3_COLUMNS else None
    rows = _value_rows(lines, pages, range(d, len(lines)), lambda text: bool(_T3_END_RE.search(text)))
    _align_region(rows, header, pages[h], _T3_COLUMNS, out)


def _value_rows(lines, pages: list[int], indices, stop) -> list[tuple]:
    """(line, raw, page, label part, trailing values) of the plain lines in `indices` that end in
    values, up to the first line whose text `stop` accepts."""
    rows = []
    for k in indices:
        if stop(lines[k].text):
            break
        raw = _raw(lines[k])
        if not _plain(raw):
            continue
        first, vals = _trailing_values(raw)
        if vals:
            rows.append((lines[k], raw, pages[k], first, vals))
    return rows


def _table2_block(lines, i: int, pages: list[int], out: dict) -> None:
    raw = _raw(lines[i])
    start = raw.find("信息内容") + len("信息内容")
    heads = [m.start() + len(m.group()) / 2 for m in _WORD_RE.finditer(raw, start)]
    n = len(heads)
    if n < 2:
        return  # a one-column block has no blank-cell ambiguity
    rows = _value_rows(lines, pages, range(i + 1, min(len(lines), i + 1 + MAX_T2_BLOCK_LINES)),
                       lambda text: any(s in text for s in _T2_STOP))
    _align_region(rows, heads, pages[i], n, out)
