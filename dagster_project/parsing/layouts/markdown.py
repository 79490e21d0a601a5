"""Converter markdown and OCR text (MinerU, docling, marker, OCR engines writing pipe tables).

Why a pre-pass: the line tokenizer sees one pipe row at a time, but three things in converter output
are only decidable from the whole table block:

- merged label cells: marker leaves the covered cells of a merged label blank (`| | （一）予以公开 | | 3 |`)
  and docling repeats the label in every covered cell. A blank in a label column is not a value
  cell; read as one it would shift every value of the row by one column. A column is a label column
  when it holds labels and no value in any row of the block; its blanks are dropped. Blanks in value
  columns stay (D9 in docs/spec/templates.md: a blank cell is a blank value). Consecutive repeats of one label in a row are
  one cell (docling).
- header separators (`|---|:---:|`) and placeholder headers (`数据1 … 数据7`, `Column1`) carry
  nothing: they are skipped, so the value rows under them stay label-less and the matcher can place
  them by template order (tables.py, only when row count and identities agree).
- HTML `<table>` blocks inside markdown (MinerU writes merged-cell tables that way): parsed with
  html.py's grid expansion (rowspan/colspan) and tokenized like an HTML page, with source lines of
  the markdown file.

Markdown headings lose their `#` marks (`## 三、收到和处理…` opens table 三 like the plain heading),
and continuation captions repeated inside a table (`## 表三`, `表三（续）`, `续表`) are dropped so they
do not split a run of rows.
"""

from __future__ import annotations

import re
from collections import Counter

from ..tables import EMPTY, LABEL, ROW, VALUE, Token, core_key
from ..templates import T2_BLOCKS, T3_COLUMNS, T4_COLUMNS
from ..values import looks_like_value

_PIPES = "|｜"
_SEPARATOR_CELL_RE = re.compile(r"^:?-{3,}:?$")  # "--" alone is an N/A marker (D11 in docs/spec/templates.md)
_PLACEHOLDER_RE = re.compile(r"^(?:数据|数值|列|栏|col(?:umn)?|field)\s*_?\d{1,2}$", re.IGNORECASE)
_HEADING_RE = re.compile(r"^#{1,6}\s*")
_CAPTION_RE = re.compile(r"^(?:续表\s*[一二三四1-4]?|表\s*[一二三四1-4]\s*(?:[(（]?\s*续\s*[)）]?)?)$")
_TABLE_NO_RE = re.compile(r"^表\s*[一二三四1-4]\s*[:：、.．]?\s*")
_TABLE_OPEN_RE = re.compile(r"<table\b", re.IGNORECASE)
_TABLE_CLOSE_RE = re.compile(r"</table\s*>", re.IGNORECASE)
_SPLIT_RE = re.compile(r"[|｜]")
# a line the pre-pass has to look at (normalised text: NFKC made ｜ and ＃ ASCII): a grid row with two
# non-blank cells, a heading, a caption, or an HTML table
_HINT_RE = re.compile(r"\n[ \t]*(?:\|[^|\n]*[^|\s][^|\n]*\|[^|\n]*[^|\s][^|\n]*\||#|表\s*[一二三四1-4]|续表)")
MAX_HTML_BLOCK_LINES = 3000
# column header words of the templates: a column holding one is a value column even when blank
_COLUMN_HEADS = frozenset(
    [core_key(c.label) for c in T3_COLUMNS]
    + [core_key(p) for c in T4_COLUMNS for p in c.label.split(" / ")]
    + [core_key(c.label) for v in T2_BLOCKS.values() for b in v for c in b.columns]
    + [core_key(x) for x in ("法人或其他组织", "申请人情况", "商业 企业", "科研 机构")]
)
_PLACEHOLDER = -1  # a placeholder header cell: occupies a column, yields no token


def _raw(line) -> str:
    raw = getattr(line, "raw", None) or line.text
    return raw.replace("\f", "") if "\f" in raw else raw


def _grid_cells(s: str) -> list[str] | None:
    """Cells of a markdown grid row ('| a | b |', both outer pipes, >= 2 cells), else None."""
    if len(s) < 3 or s[0] not in _PIPES or s[-1] not in _PIPES:
        return None
    cells = [c.strip(" \t\u3000\u00a0") for c in _SPLIT_RE.split(s[1:-1])]
    if len(cells) < 2 or not any(cells):
        return None
    return cells


def markdown_tokens(lines, out: dict) -> None:
    blob = "\n" + "\n".join(ln.text for ln in lines)
    if not _HINT_RE.search(blob) and "<table" not in blob and "<TABLE" not in blob:
        return  # no markdown table, heading, caption or HTML table: nothing to do (most reports)
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        raw = _raw(line)
        s = raw.strip(" \t\u3000\u00a0")
        if not s:
            i += 1
            continue
        c0 = s[0]
        if "<" in s and _TABLE_OPEN_RE.search(s):
            i = _html_block(lines, i, out)
            continue
        if c0 == "#":
            body = _HEADING_RE.sub("", s).strip(" \t\u3000\u00a0#")
            if not body or _CAPTION_RE.match(body):
                out[line.no] = []  # '## 表三', '## 表三（续）' repeated inside a table
            elif looks_like_value(body):
                out[line.no] = [Token(ROW, "", line.no)]  # a heading is never a table value
            else:  # '## 表三 收到和处理…' is the title itself
                body = _TABLE_NO_RE.sub("", body, count=1) or body
                out[line.no] = [Token(ROW, "", line.no), Token(LABEL, body, line.no)]
            i += 1
            continue
        if c0 in "表续" and len(s) <= 8 and _CAPTION_RE.match(s):
            out[line.no] = []
            i += 1
            continue
        if c0 in _PIPES and _grid_cells(s) is not None:
            j = i
            block: list[tuple[int, list[str]]] = []
            while j < n:
                sj = _raw(lines[j]).strip(" \t\u3000\u00a0")
                cells = _grid_cells(sj)
                if cells is None:
                    break
                block.append((lines[j].no, cells))
                j += 1
            if len(block) >= 2 or any(_SEPARATOR_CELL_RE.match(c) for c in block[0][1]):
                _grid_block(block, out)
            i = j
            continue
        i += 1


def _kind(cell: str) -> int:
    if not cell:
        return EMPTY
    return VALUE if looks_like_value(cell) else LABEL


def _grid_block(block: list[tuple[int, list[str]]], out: dict) -> None:
    """Tokens of one markdown pipe table (see module docstring for the column rules)."""
    rows = []
    for no, cells in block:
        if all(_SEPARATOR_CELL_RE.match(c) for c in cells if c) and any(cells):
            out[no] = []  # header separator
            continue
        kinds = [(_PLACEHOLDER, c) if k == LABEL and _PLACEHOLDER_RE.match(c) else (k, c) for k, c in ((_kind(c), c) for c in cells)]
        rows.append((no, kinds))
    if not rows:
        return
    ncols = Counter(len(k) for _, k in rows).most_common(1)[0][0]
    has_label = [False] * ncols
    has_value = [False] * ncols
    has_head = [False] * ncols  # a column header word (自然人, 总计, 结果维持…): a value column
    for _, kinds in rows:
        if len(kinds) != ncols:
            continue
        header_row = all(k != VALUE for k, _ in kinds)  # '3.其他' in a data row is a row label
        for j, (k, c) in enumerate(kinds):
            if k == LABEL:
                if header_row and core_key(c) in _COLUMN_HEADS:
                    has_head[j] = True
                else:
                    has_label[j] = True
            elif k == VALUE and c:
                has_value[j] = True
    first_value = next((j for j in range(ncols) if has_value[j]), ncols)
    label_cols = {j for j in range(ncols) if not has_value[j] and not has_head[j] and (has_label[j] or j < first_value)}
    for no, kinds in rows:
        toks = [Token(ROW, "", no)]
        if any(k == _PLACEHOLDER for k, _ in kinds) and all(k != VALUE for k, _ in kinds):
            out[no] = toks  # a placeholder header row ('数据1 | 数据2 | …'): nothing to read
            continue
        grid = len(kinds) == ncols
        prev_label = None
        for j, (k, c) in enumerate(kinds):
            if k == _PLACEHOLDER:
                continue
            if k == EMPTY:
                if grid and j in label_cols:
                    continue  # blank merged label cell (marker)
                toks.append(Token(EMPTY, "", no))
                prev_label = None
            elif k == LABEL:
                if c == prev_label:
                    continue  # merged label repeated in the covered cell (docling)
                toks.append(Token(LABEL, c, no))
                prev_label = c
            else:
                toks.append(Token(VALUE, c, no))
                prev_label = None
        out[no] = toks


def _html_block(lines, i: int, out: dict) -> int:
    """Tokens of an HTML <table> embedded in markdown, from line index i; returns the next index."""
    from ..html import html_tokens, parse_html  # html.py imports tables.py: import when needed

    first = lines[i].no
    j = i
    while j < len(lines) and j - i < MAX_HTML_BLOCK_LINES:
        if _TABLE_CLOSE_RE.search(_raw(lines[j])):
            break
        j += 1
    if j >= len(lines) or j - i >= MAX_HTML_BLOCK_LINES:
        return i + 1  # no closing tag: leave the line to the plain tokenizer
    by_no = {lines[k].no: _raw(lines[k]) for k in range(i, j + 1)}
    last = lines[j].no
    text = "\n".join(by_no.get(no, "") for no in range(first, last + 1))
    doc = parse_html(text)
    toks = [Token(t.kind, t.raw, t.line + first - 1) for t in html_tokens(doc)]
    for k in range(i, j + 1):
        out[lines[k].no] = []
    out[first] = toks
    return j + 1
