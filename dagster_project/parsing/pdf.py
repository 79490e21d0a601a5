"""PDF reports: characters with their boxes -> text lines and table tokens built from positions.

Why PDFium (pypdfium2, Apache-2.0/BSD): it is the fastest maintained, permissively licensed reader
that gives every character's box (its plain text of the real reports: 170 pages/s per core here;
pdfminer.six and pdfplumber: 5–6 pages/s, ≈ 30× slower; README "PDF reports"); PyMuPDF is AGPL. PDFium also exposes each path object of a page, so
the ruling lines of a table come from the same pass and pdfplumber is not needed at all.

What comes out of one PDF (`read_pdf`):
- `text`: one line per visual line, page after page, a form feed (`\\f`) opening every page after the
  first, exactly as pdftotext does: this is `raw.reports.text`, and line N of it is source line N;
  the page of a line is 1 + the number of form feeds before it;
- `tokens`: tables.py tokens in reading order (LABEL / VALUE / EMPTY / ROW), built from positions:
  where a page has ruling lines, the rules cut the page into cells (merged cells = areas without a
  rule between them, like HTML's rowspan/colspan), each cell's characters, on however many lines, are
  one token, and each grid row is one ROW; elsewhere each visual line is a row whose words, split at
  wide gaps, are its cells. Text outside tables becomes ROW + LABEL per line, as html.py does. Page
  numbers and running headers/footers are not tokens (they would split a table continued on the next
  page), and a header repeated at the top of a continued table is dropped. The tokens go through
  tables.match_tokens, the one matcher of every layout.
- each value token is a `PdfToken` carrying its page (1-based) and its cell's bounding box
  (x0, y0, x1, y1) in PDF points with the origin at the page's TOP-left corner (y grows downwards).

Bad input raises `PdfError(code, reason)`: encrypted, truncated/damaged, zero pages, not a PDF, more
pages than `max_pages`. Pages are loaded, read and closed one at a time, so memory stays bounded by
one page plus the (small) lines and tokens kept. Pages without any character (scanned images) are
listed in `PdfText.pages_without_text`; `ocr.py` reads them when the OCR extra is installed.
"""

from __future__ import annotations

import bisect
import ctypes
import os
import re
from dataclasses import dataclass, field

from .tables import EMPTY, LABEL, ROW, VALUE, Token
from .values import looks_like_value

PDF_MAGIC = b"%PDF-"
ENV_MAX_PAGES = "OGI_PDF_MAX_PAGES"
DEFAULT_MAX_PAGES = 500  # an annual report has 3–30 pages; more is not a report (or is a bundle)


class PdfError(ValueError):
    """A PDF we cannot read; `code` is a short machine code, `reason` a sentence."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(slots=True)
class PdfToken(Token):
    page: int | None = None  # 1-based page number
    bbox: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1; points, top-left origin
    read_by: str = "pdf_text"  # 'pdf_text' (the PDF's text layer) | 'ocr'


@dataclass(slots=True)
class Glyph:
    ch: str
    x0: float
    y0: float  # top (top-left origin)
    x1: float
    y1: float  # bottom

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class VisualLine:
    glyphs: list[Glyph]
    y0: float
    y1: float
    no: int = 0  # line number in the text, set when the text is written
    text: str = ""


@dataclass
class PdfText:
    text: str
    page_count: int
    tokens: list[Token] = field(default_factory=list)
    pages_without_text: list[int] = field(default_factory=list)  # 1-based
    ocr_pages: list[int] = field(default_factory=list)  # 1-based: pages whose text came from OCR


def is_pdf(data: bytes, name: str = "") -> bool:
    """A PDF by its name or by its magic bytes (within the first KiB, as readers allow)."""
    return name.lower().endswith(".pdf") or PDF_MAGIC in data[:1024]


def max_pages() -> int:
    configured = os.environ.get(ENV_MAX_PAGES)
    return int(configured) if configured else DEFAULT_MAX_PAGES


# ---------------------------------------------------------------------------------------------
# Opening
# ---------------------------------------------------------------------------------------------
def open_document(data: bytes, limit: int | None = None):
    """A pypdfium2 document, or PdfError saying precisely why not."""
    import pypdfium2 as pdfium

    if PDF_MAGIC not in data[:1024]:
        raise PdfError("pdf_not_a_pdf", "no %PDF- header in the first 1024 bytes: not a PDF")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise PdfError("pdf_encrypted", "the PDF is encrypted (password required)") from None
        if re.search(rb"/Type\s*/Pages\b[^>]*/Count\s+0\b", data[:1 << 20]) and b"/Type /Page " not in data and b"/Type/Page/" not in data:
            raise PdfError("pdf_no_pages", "the PDF has zero pages") from None
        if b"%%EOF" not in data[-2048:]:
            raise PdfError("pdf_truncated", f"the PDF is truncated (no %%EOF at the end) and PDFium cannot open it: {msg}") from None
        raise PdfError("pdf_damaged", f"PDFium cannot open the PDF: {msg}") from None
    n = len(doc)
    if n == 0:
        doc.close()
        raise PdfError("pdf_no_pages", "the PDF has zero pages")
    limit = max_pages() if limit is None else limit
    if n > limit:
        doc.close()
        raise PdfError("pdf_too_many_pages", f"the PDF has {n} pages, more than the limit of {limit} ({ENV_MAX_PAGES})")
    return doc


def page_count(data: bytes) -> int:
    doc = open_document(data, limit=1 << 30)
    try:
        return len(doc)
    finally:
        doc.close()


# ---------------------------------------------------------------------------------------------
# One page: glyphs and rules
# ---------------------------------------------------------------------------------------------
def _glyphs(page, height: float) -> list[Glyph]:
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        n = pdfium_c.FPDFText_CountChars(tp)
        out: list[Glyph] = []
        rect = pdfium_c.FS_RECTF()
        left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        get_unicode, loose_box = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_GetLooseCharBox
        tight_box = pdfium_c.FPDFText_GetCharBox
        for i in range(n):
            code = get_unicode(tp, i)
            if code in (0, 0xFFFE, 0xFFFF) or code < 32 or code == 0xA0 or code == 0x3000 or code == 0x20:
                continue  # spaces and line breaks: words and lines come from positions
            if 0xD800 <= code <= 0xDFFF:
                continue  # half of a surrogate pair: no report label needs characters beyond the BMP
            if not tight_box(tp, i, left, right, bottom, top):
                continue
            x0, x1, y0, y1 = left.value, right.value, height - top.value, height - bottom.value
            size = max(x1 - x0, y1 - y0, 2.0)
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            # The loose box (the font's em box) gives every glyph of a line the same height, which
            # lines need ('一' and '、' have flat tight boxes); some embedded fonts report absurd loose
            # boxes (200 pt wide), then the tight box squared around its centre stands in for it.
            if loose_box(tp, i, rect):
                lx0, lx1, ly0, ly1 = rect.left, rect.right, height - rect.top, height - rect.bottom
                if (lx1 - lx0) <= 2.5 * size and (ly1 - ly0) <= 2.5 * size and lx0 <= cx <= lx1 and ly0 <= cy <= ly1:
                    out.append(Glyph(chr(code), lx0, ly0, lx1, ly1))
                    continue
            out.append(Glyph(chr(code), x0, cy - size / 2, x1, cy + size / 2))
        return out
    finally:
        textpage.close()


def _path_objects(page_raw, form=None, level: int = 0, max_depth: int = 4):
    """The raw path objects of a page, descending into form XObjects (as page.get_objects does, but
    without a Python helper object per page object: a Word page has hundreds of them)."""
    import pypdfium2.raw as pdfium_c

    count = pdfium_c.FPDFFormObj_CountObjects if form else pdfium_c.FPDFPage_CountObjects
    get = pdfium_c.FPDFFormObj_GetObject if form else pdfium_c.FPDFPage_GetObject
    parent = form or page_raw
    for i in range(count(parent)):
        obj = get(parent, i)
        if not obj:
            continue
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < max_depth - 1:
            yield from _path_objects(page_raw, obj, level + 1, max_depth)


def _rules(page, height: float) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) ruling lines in top-left coordinates.

    A rule is a stroked path's straight axis-aligned segment, or a thin filled non-white path (how
    Word and Chromium draw borders). White fills (cell backgrounds) are not rules."""
    import pypdfium2.raw as pdfium_c

    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    px, py = ctypes.c_float(), ctypes.c_float()
    matrix = pdfium_c.FS_MATRIX()
    fl, fb, fr, ft = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    for obj in _path_objects(page.raw):
        if not pdfium_c.FPDFPageObj_GetBounds(obj, fl, fb, fr, ft):
            continue
        left, bottom, right, top = fl.value, fb.value, fr.value, ft.value
        w, h = right - left, top - bottom
        if w > 3 and h > 3:
            # a box: only its stroked straight segments are rules (Word's cell background fills are not)
            pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke)
            if not stroke.value:
                continue
            n = pdfium_c.FPDFPath_CountSegments(obj)
            if n > 64:
                continue  # a drawing, not a table
            pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
            pts = []
            for s in range(n):
                seg = pdfium_c.FPDFPath_GetPathSegment(obj, s)
                pdfium_c.FPDFPathSegment_GetPoint(seg, px, py)
                x = matrix.a * px.value + matrix.c * py.value + matrix.e
                y = matrix.b * px.value + matrix.d * py.value + matrix.f
                pts.append((pdfium_c.FPDFPathSegment_GetType(seg), x, height - y))
            for (_, xa, ya), (kind, xb, yb) in zip(pts, pts[1:]):
                if kind != pdfium_c.FPDF_SEGMENT_LINETO:
                    continue
                if abs(ya - yb) < 0.8 and abs(xa - xb) > 2:
                    hs.append((ya, min(xa, xb), max(xa, xb)))
                elif abs(xa - xb) < 0.8 and abs(ya - yb) > 2:
                    vs.append((xa, min(ya, yb), max(ya, yb)))
            continue
        pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke)
        if not stroke.value:
            if not fill.value:
                continue
            pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a)
            if (r.value, g.value, b.value) == (255, 255, 255) or a.value == 0:
                continue
        if w >= h and w > 2:
            hs.append((height - (top + bottom) / 2, left, right))
        elif h > 2:
            vs.append(((left + right) / 2, height - top, height - bottom))
    return hs, vs


# ---------------------------------------------------------------------------------------------
# Lines and words
# ---------------------------------------------------------------------------------------------
def _lines(glyphs: list[Glyph]) -> list[VisualLine]:
    """Visual lines: glyphs whose vertical centres fall inside one band, left to right.

    Small glyphs (，、。. — a fraction of the text height, sitting on the baseline) would start a
    line of their own by their centre: they join the line whose band holds them instead."""
    if not glyphs:
        return []
    heights = sorted(g.y1 - g.y0 for g in glyphs)
    typical = heights[len(heights) // 2]
    big = [g for g in glyphs if g.y1 - g.y0 >= 0.6 * typical]
    small = [g for g in glyphs if g.y1 - g.y0 < 0.6 * typical]
    lines: list[VisualLine] = []
    for gl in sorted(big, key=lambda g: (g.cy, g.x0)):
        cy = gl.cy
        line = lines[-1] if lines else None
        if line is not None and cy <= line.y1 - 0.3 * (line.y1 - line.y0):
            line.glyphs.append(gl)
            line.y0 = min(line.y0, gl.y0)
            line.y1 = max(line.y1, gl.y1)
        else:
            lines.append(VisualLine([gl], gl.y0, gl.y1))
    orphans: list[Glyph] = []
    for gl in small:
        cy = gl.cy
        best = None
        for line in lines:
            if line.y0 - 1.0 <= cy <= line.y1 + 1.0:
                # the nearest glyph of the line horizontally decides between two bands
                dist = min(abs(g.cx - gl.cx) for g in line.glyphs)
                if best is None or dist < best[0]:
                    best = (dist, line)
        if best is None:
            orphans.append(gl)
        else:
            best[1].glyphs.append(gl)
    if orphans:
        lines += _lines_plain(orphans)
        lines.sort(key=lambda ln: ln.y0)
    for line in lines:
        line.glyphs.sort(key=lambda g: g.x0)
    return lines


def _lines_plain(glyphs: list[Glyph]) -> list[VisualLine]:
    lines: list[VisualLine] = []
    for gl in sorted(glyphs, key=lambda g: (g.cy, g.x0)):
        line = lines[-1] if lines else None
        if line is not None and gl.cy <= line.y1 - 0.3 * (line.y1 - line.y0):
            line.glyphs.append(gl)
            line.y0, line.y1 = min(line.y0, gl.y0), max(line.y1, gl.y1)
        else:
            lines.append(VisualLine([gl], gl.y0, gl.y1))
    return lines


def _words(glyphs: list[Glyph], gap_factor: float = 0.25, cuts: list[float] | None = None) -> list[list[Glyph]]:
    """Split a left-to-right run of glyphs where the gap exceeds gap_factor × glyph height, or where
    a vertical rule (`cuts`) passes between two glyphs with a real gap (a number printed across a
    rule with no gap stays one word)."""
    words: list[list[Glyph]] = []
    for gl in glyphs:
        if words:
            prev = words[-1][-1]
            gap = gl.x0 - prev.x1
            size = max(prev.y1 - prev.y0, gl.y1 - gl.y0, 1.0)
            cut = cuts is not None and gap > 0.5 and any(prev.cx < c < gl.cx for c in cuts)
            if gap <= gap_factor * size and not cut:
                words[-1].append(gl)
                continue
        words.append([gl])
    return words


def _line_text(glyphs: list[Glyph]) -> str:
    """A line as layout text: glyphs of one word adjacent, gaps wider than 0.6 em as spaces (about
    one per em, like pdftotext -layout); the em is the line's median glyph height, so the narrow
    tight boxes of ，、（ do not open gaps."""
    if not glyphs:
        return ""
    heights = sorted(g.y1 - g.y0 for g in glyphs)
    em = max(heights[len(heights) // 2], 1.0)
    out: list[str] = []
    prev = None
    for gl in glyphs:
        if prev is not None:
            gap = gl.x0 - prev.x1
            if gap > 0.6 * em:
                out.append(" " * max(1, min(40, round(gap / em))))
        out.append(gl.ch)
        prev = gl
    return "".join(out)


def _join_cell_lines(parts: list[str]) -> str:
    """A cell's lines as one raw text: label lines with '\\n' (as html.py does for <br>), a number
    that wrapped inside a narrow cell ('10' / '24') joined back as printed ('1024')."""
    if len(parts) > 1 and all(re.fullmatch(r"[\d.,]+", p) for p in parts) and looks_like_value("".join(parts)):
        return "".join(parts)
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Grids from rules
# ---------------------------------------------------------------------------------------------
def _snap(values: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


@dataclass
class GridCell:
    x0: float
    y0: float
    x1: float
    y1: float
    row: int  # first grid row it occupies
    col: int
    glyphs: list[Glyph] = field(default_factory=list)
    text: str | None = None  # _cell_text of the glyphs, computed once they are all assigned (text_of)


@dataclass
class Grid:
    x0: float
    y0: float
    x1: float
    y1: float
    cells: list[GridCell]
    xs: list[float]
    ys: list[float]
    cuts: list[float]
    owner: list[list[GridCell]] = field(default_factory=list)  # [grid row][grid column] -> its (merged) cell


def _merge_collinear(rules: list[tuple[float, float, float]], tol: float = 1.0, gap: float = 1.5) -> list[tuple[float, float, float]]:
    """Join pieces of one line (Chromium draws a border as one piece per cell edge)."""
    groups: list[list[tuple[float, float, float]]] = []
    for r in sorted(rules):
        if groups and r[0] - groups[-1][-1][0] <= tol:
            groups[-1].append(r)
        else:
            groups.append([r])
    out: list[tuple[float, float, float]] = []
    for group in groups:
        pos = sum(r[0] for r in group) / len(group)
        merged: list[list[float]] = []
        for _, a, b in sorted(group, key=lambda r: r[1]):
            if merged and a <= merged[-1][1] + gap:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out += [(pos, a, b) for a, b in merged]
    return out


def _cluster_rules(hs, vs) -> list[tuple[list, list]]:
    """Rules that touch each other form one table."""
    hs, vs = _merge_collinear(hs), _merge_collinear(vs)
    items = [("h", r) for r in hs] + [("v", r) for r in vs]
    parent = list(range(len(items)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tol = 3.0
    hidx = [i for i, (k, _) in enumerate(items) if k == "h"]
    vidx = [i for i, (k, _) in enumerate(items) if k == "v"]
    for i in hidx:
        y, hx0, hx1 = items[i][1]
        for j in vidx:
            x, vy0, vy1 = items[j][1]
            if hx0 - tol <= x <= hx1 + tol and vy0 - tol <= y <= vy1 + tol:
                parent[find(i)] = find(j)
    groups: dict[int, tuple[list, list]] = {}
    for i, (k, r) in enumerate(items):
        g = groups.setdefault(find(i), ([], []))
        (g[0] if k == "h" else g[1]).append(r)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _grids(hs, vs) -> list[Grid]:
    grids: list[Grid] = []
    for ghs, gvs in _cluster_rules(hs, vs):
        # A row cut by a page break has no rule at the page's edge: the verticals' ends close it.
        top, bottom = min(v[1] for v in gvs), max(v[2] for v in gvs)
        x_lo, x_hi = min(v[0] for v in gvs), max(v[0] for v in gvs)
        if top < min(h[0] for h in ghs) - 3:
            ghs = ghs + [(top, x_lo, x_hi)]
        if bottom > max(h[0] for h in ghs) + 3:
            ghs = ghs + [(bottom, x_lo, x_hi)]
        xs = _snap([v[0] for v in gvs])
        ys = _snap([h[0] for h in ghs])
        if len(xs) < 2 or len(ys) < 2:
            continue
        nr, nc = len(ys) - 1, len(xs) - 1

        def has_v(x: float, ya: float, yb: float) -> bool:
            mid = (ya + yb) / 2
            return any(abs(v[0] - x) <= 2.0 and v[1] - 1.5 <= mid <= v[2] + 1.5 for v in gvs)

        def has_h(y: float, xa: float, xb: float) -> bool:
            mid = (xa + xb) / 2
            return any(abs(h[0] - y) <= 2.0 and h[1] - 1.5 <= mid <= h[2] + 1.5 for h in ghs)

        parent = list(range(nr * nc))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i in range(nr):
            for j in range(nc):
                if j + 1 < nc and not has_v(xs[j + 1], ys[i], ys[i + 1]):
                    parent[find(i * nc + j + 1)] = find(i * nc + j)
                if i + 1 < nr and not has_h(ys[i + 1], xs[j], xs[j + 1]):
                    parent[find((i + 1) * nc + j)] = find(i * nc + j)
        comps: dict[int, list[tuple[int, int]]] = {}
        for i in range(nr):
            for j in range(nc):
                comps.setdefault(find(i * nc + j), []).append((i, j))
        cells = []
        owner: list[list[GridCell]] = [[None] * nc for _ in range(nr)]  # type: ignore[list-item]
        for members in comps.values():
            r0 = min(m[0] for m in members)
            c0 = min(m[1] for m in members if m[0] == r0)
            r1 = max(m[0] for m in members)
            c1 = max(m[1] for m in members)
            cell = GridCell(xs[min(m[1] for m in members)], ys[r0], xs[c1 + 1], ys[r1 + 1], r0, c0)
            cells.append(cell)
            for i, j in members:
                owner[i][j] = cell
        cells.sort(key=lambda c: (c.row, c.col))
        grids.append(Grid(xs[0], ys[0], xs[-1], ys[-1], cells, xs, ys, xs[1:-1], owner))
    grids.sort(key=lambda g: g.y0)
    return grids


def _cell_at(grid: Grid, x: float, y: float) -> GridCell | None:
    """The (merged) cell of the grid square holding (x, y), by bisection on the grid lines (a glyph
    per call: a linear scan over every cell was the page's hot spot)."""
    xs, ys = grid.xs, grid.ys
    if not (xs[0] <= x <= xs[-1] and ys[0] <= y <= ys[-1]):
        return None
    j = min(bisect.bisect_right(xs, x) - 1, len(xs) - 2)
    i = min(bisect.bisect_right(ys, y) - 1, len(ys) - 2)
    return grid.owner[i][j]


# ---------------------------------------------------------------------------------------------
# Page -> text lines + tokens
# ---------------------------------------------------------------------------------------------
_PAGE_NO_RE = re.compile(r"^[-—–－\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–－\s]*$")


@dataclass
class _PageResult:
    lines: list[VisualLine]
    items: list[tuple[float, str, object]]  # (y, 'line' | 'grid', VisualLine | Grid) in reading order
    margin_lines: set[int] = field(default_factory=set)  # ids of lines that are page furniture


def _layout_page(glyphs: list[Glyph], hs, vs, height: float) -> _PageResult:
    grids = _grids(hs, vs)
    free: list[Glyph] = []
    for gl in glyphs:
        cx, cy = gl.cx, gl.cy
        # the smallest cell holding the glyph's centre, over every grid (layout tables can nest)
        cell = None
        for g in grids:
            if g.x0 - 1 <= cx <= g.x1 + 1 and g.y0 - 1 <= cy <= g.y1 + 1:
                c = _cell_at(g, cx, cy)
                if c is not None and (cell is None or (c.x1 - c.x0) * (c.y1 - c.y0) < (cell.x1 - cell.x0) * (cell.y1 - cell.y0)):
                    cell = c
        if cell is None:
            free.append(gl)
        else:
            cell.glyphs.append(gl)
    # A word crossing a vertical rule without a gap (one number printed over two cells) goes whole
    # to the cell that holds most of it.
    for grid in grids:
        _regroup_crossing_words(grid)
    lines = _lines(glyphs)
    items: list[tuple[float, str, object]] = []
    in_grid = {id(gl) for grid in grids for c in grid.cells for gl in c.glyphs}
    for line in lines:
        outside = [gl for gl in line.glyphs if id(gl) not in in_grid]
        if outside and len(outside) == len(line.glyphs):
            items.append((line.y0, "line", line))
        elif outside:
            items.append((line.y0, "line", VisualLine(outside, line.y0, line.y1)))
    for grid in grids:
        items.append((grid.y0, "grid", grid))
    items.sort(key=lambda it: (it[0], 0 if it[1] == "line" else 1))
    result = _PageResult(lines, items)
    for y, kind, obj in items:
        if kind == "line":
            text = "".join(g.ch for g in obj.glyphs)
            if _PAGE_NO_RE.match(text) and (obj.y0 > height * 0.85 or obj.y1 < height * 0.12):
                result.margin_lines.add(id(obj))
    return result


def _regroup_crossing_words(grid: Grid) -> None:
    by_row: dict[int, list[GridCell]] = {}
    for c in grid.cells:
        by_row.setdefault(c.row, []).append(c)
    for row_cells in by_row.values():
        row_cells.sort(key=lambda c: c.x0)
        for left, right in zip(row_cells, row_cells[1:]):
            if not left.glyphs or not right.glyphs:
                continue
            lg = max(left.glyphs, key=lambda g: g.x1)
            rg = min(right.glyphs, key=lambda g: g.x0)
            if abs(lg.cy - rg.cy) > 0.5 * (lg.y1 - lg.y0) or rg.x0 - lg.x1 > 0.5:
                continue
            if not (lg.ch.isdigit() or lg.ch == ".") or not (rg.ch.isdigit() or rg.ch == "."):
                continue
            # the run of glyphs on that visual line, both sides of the rule
            band = lambda g: abs(g.cy - lg.cy) <= 0.5 * (lg.y1 - lg.y0)  # noqa: E731
            lrun = sorted((g for g in left.glyphs if band(g)), key=lambda g: g.x0)
            rrun = sorted((g for g in right.glyphs if band(g)), key=lambda g: g.x0)
            if len(lrun) >= len(rrun):
                right.glyphs = [g for g in right.glyphs if g not in rrun]
                left.glyphs.extend(rrun)
            else:
                left.glyphs = [g for g in left.glyphs if g not in lrun]
                right.glyphs.extend(lrun)


def text_of(cell: GridCell) -> str:
    """A grid cell's text (computed once: headers, signatures and tokens all ask for it)."""
    if cell.text is None:
        cell.text = _cell_text(cell.glyphs)
    return cell.text


def _cell_text(glyphs: list[Glyph]) -> str:
    parts = [_line_text(line.glyphs).strip() for line in _lines(glyphs)]
    return _join_cell_lines([p for p in parts if p])


def _token(kind: int, raw: str, line: int, page: int, bbox) -> PdfToken:
    return PdfToken(kind, raw, line, page, tuple(round(v, 2) for v in bbox))


def _grid_rows(grid: Grid) -> list[list[GridCell]]:
    rows: dict[int, list[GridCell]] = {}
    for c in grid.cells:
        rows.setdefault(c.row, []).append(c)
    return [sorted(rows[r], key=lambda c: c.x0) for r in sorted(rows)]


def _header_rows(rows: list[list[GridCell]]) -> int:
    """How many leading grid rows hold no value (a table's header)."""
    n = 0
    for row in rows:
        if any(c.glyphs and looks_like_value(text_of(c)) for c in row):
            break
        n += 1
    return n


def read_pdf(data: bytes, with_tokens: bool = True, limit: int | None = None, ocr=None) -> PdfText:
    """Read a PDF page by page (see the module docstring). `ocr`, when given, is a callable
    (page) -> list[Glyph] used for pages without a text layer (see ocr.py)."""
    doc = open_document(data, limit)
    try:
        n_pages = len(doc)
        text_lines: list[str] = []
        tokens: list[Token] = []
        without_text: list[int] = []
        ocr_pages: list[int] = []
        prev_header_sig: tuple[str, ...] | None = None
        for index in range(n_pages):
            try:
                page = doc[index]
            except Exception as exc:  # noqa: BLE001 - pdfium raises its own error types
                raise PdfError("pdf_damaged", f"page {index + 1} cannot be loaded: {exc}") from None
            try:
                width, height = page.get_size()
                glyphs = _glyphs(page, height)
                read_by = "pdf_text"
                if not glyphs:
                    without_text.append(index + 1)
                    if ocr is not None:
                        glyphs = ocr(page, height)
                        if glyphs:
                            ocr_pages.append(index + 1)
                            read_by = "ocr"
                hs, vs = _rules(page, height) if (with_tokens and glyphs) else ([], [])
            finally:
                page.close()
            res = _layout_page(glyphs, hs, vs, height) if with_tokens else _PageResult(_lines(glyphs), [])
            first_line = len(text_lines) + 1
            page_lines = res.lines
            for k, line in enumerate(page_lines):
                line.no = first_line + k
                line.text = _line_text(line.glyphs)
                text_lines.append(("\f" if k == 0 and index > 0 else "") + line.text)
            if not page_lines and index > 0:
                text_lines.append("\f")
            if not with_tokens:
                continue
            line_of = {id(gl): line.no for line in page_lines for gl in line.glyphs}
            page_no = index + 1
            for _y, kind, obj in res.items:
                if kind == "line":
                    if id(obj) in res.margin_lines:
                        continue
                    no = line_of[id(obj.glyphs[0])]
                    tokens.append(PdfToken(ROW, "", no, page_no, None, read_by))
                    # a free line is cells split at wide gaps (a borderless table row) or one label
                    for word in _words(obj.glyphs, gap_factor=1.2):
                        raw = _line_text(word)
                        kind_ = VALUE if looks_like_value(raw) else LABEL
                        bbox = (min(g.x0 for g in word), min(g.y0 for g in word), max(g.x1 for g in word), max(g.y1 for g in word))
                        tokens.append(PdfToken(kind_, raw, line_of[id(word[0])], page_no, tuple(round(v, 2) for v in bbox), read_by))
                    continue
                grid = obj
                rows = _grid_rows(grid)
                n_head = _header_rows(rows)
                sig = tuple("|".join(text_of(c) for c in row) for row in rows[:n_head])
                skip = 0
                if sig and prev_header_sig and sig == prev_header_sig[: len(sig)] and _y < height * 0.3:
                    skip = n_head  # the header repeated on a continuation page
                if n_head and sig:
                    prev_header_sig = sig
                row_line = line_of[id(grid.cells[0].glyphs[0])] if grid.cells and grid.cells[0].glyphs else (len(text_lines) or 1)
                # an empty cell left of the first value column is part of the row label (a label
                # cell split by a rule, or a merged label cell continued from the previous page)
                value_x0 = min((c.x0 for c in grid.cells if c.glyphs and looks_like_value(text_of(c))), default=grid.x1)
                for row in rows[skip:]:
                    row = [c for c in row if c.glyphs or c.x1 > value_x0 + 1.0]
                    if not row:
                        continue
                    first = next((c for c in row if c.glyphs), None)
                    if first is not None:
                        row_line = line_of[id(min(first.glyphs, key=lambda g: (g.y0, g.x0)))]
                    tokens.append(PdfToken(ROW, "", row_line, page_no, None, read_by))
                    for c in row:
                        bbox = (round(c.x0, 2), round(c.y0, 2), round(c.x1, 2), round(c.y1, 2))
                        if not c.glyphs:
                            tokens.append(PdfToken(EMPTY, "", row_line, page_no, bbox, read_by))
                            continue
                        raw = text_of(c)
                        no = line_of[id(min(c.glyphs, key=lambda g: (g.y0, g.x0)))]
                        tokens.append(PdfToken(VALUE if looks_like_value(raw) else LABEL, raw, no, page_no, bbox, read_by))
        text = "\n".join(text_lines) + ("\n" if text_lines else "")
        return PdfText(text, n_pages, tokens, without_text, ocr_pages)
    finally:
        doc.close()


def page_of_line(text: str, line_no: int) -> int:
    """1-based page of a 1-based line of `PdfText.text` (form feeds open pages 2, 3, …)."""
    lines = text.split("\n")
    return 1 + sum(ln.count("\f") for ln in lines[:line_no])
