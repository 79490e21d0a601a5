"""Table text whose cells lost their separators: `一、本年新收政府信息公开申请数量640020470`.

Why a module of its own: crawlers (and some copy-pastes) render a whole report page as one line, so a
table row is its label followed by a digit run that is the row's cells run together (`640020470` is
64|0|0|2|0|4|70), sometimes with a few spaces left (`0 0 0 0 0 00`). The layout tokenizers of
tables.py cannot read that; this module recovers the cells where, and only where, the table's own
arithmetic leaves exactly one possibility, and otherwise keeps the run as `unparseable`.

How:
1. `tokenize_glued` scans the lines for template row labels (templates.py: table 二 rows per block,
   table 三 rows, table 四's header ending in 总计) followed by a digit run. A run's trailing digit
   followed by `.`/`、` and text is the next label's enumerator (`00000002.其他法律…` is `0000000` +
   `2.其他法律…`). Table 四's values may also stand on the line after its header (one row per line).
   A row whose cells have explicit separators (pipes, tabs, gaps of two spaces or more) is left to the
   layout tokenizer: a blank cell may hide between two separators. Lines with runs that the layout
   tokenizer cannot read (a run glued to the next label or touching its own, fewer chunks than
   columns, or a chunk like `07`) are re-tokenized here: label tokens split
   at the table anchors the matcher needs (block headers, the table titles), then one `GluedCell`
   token per template column. Every other line goes through tables.tokenize unchanged.
2. `_search` splits one run into the row's cells: depth-first over digit positions, a cell never
   crosses a space and has no leading zero (`07` is not a cell; `0` is), and the identities local to
   the run (catalogue.SPLIT_CHECK_IDS: T3-3 row sum for a table-三 row, T4-1/2/3 block totals for
   table 四) prune as soon as their cells are known. The search is bounded (MAX_STEPS nodes,
   MAX_CANDIDATES splits kept): a run beyond the bound stays unparseable.
3. `_decide` fixes the runs with exactly one split; runs with several are tried together under the
   identities between rows (T3-1 per column, T3-2a/b per column), by bounded backtracking over the
   combinations; a run whose cells are the same in every combination that satisfies them is fixed.
   Table 二 has no hard identity of its own that orders its columns (T2-3 is soft, T2-2 holds for any
   non-negative split), so its runs are split only when the digits and spaces alone leave one way.
4. A recovered cell has value_state `inferred`, raw_text = the whole run as printed (not the part it
   took), source_line = the run's line, and `inferred_by` = the check ids whose identity removed at
   least one other split (None when the digit count alone decided, e.g. `0000000` for 7 cells). The
   checks report those ids `inferred` instead of `pass` for the report. Runs left ambiguous or
   without any valid split are `unparseable` in every cell of the row (raw_text = the run) with a
   warning naming the reason; no number is ever guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .model import Cell, Line, Message
from .tables import LABEL, ROW, VALUE, Token, core_key, flat_key
from .templates import T2_BLOCKS, T3_ALL_ROWS, T3_COLUMNS, T4_COLUMNS, marker_vote

MAX_STEPS = 200_000  # search nodes per run (and for the cross-row combination search)
MAX_CANDIDATES = 256  # splits kept per run; more than that is left unparseable
NEEDS_GLUED = frozenset({
    "no_tables", "short_row", "extra_values", "t2_missing", "t2_missing_row", "t3_missing", "t3_missing_row", "t4_missing",
    "t4_missing_values", "t3_unmatched_row", "t2_unmatched_row",
})

# A digit run (spaces inside, a decimal point for money, a money unit at the end).
_RUN_RE = re.compile(r"\d(?:[\d.\u0020\u3000\u00a0\t]*\d)?(?:万元|元)?")
_ENUM_AFTER_RE = re.compile(r"[.．、]\s*[^\d\s.．、]")  # after a run: its last digit enumerates the next label
# Cells with explicit separators (a pipe or a tab next to or inside the run, or a gap of two spaces or
# more): the layout tokenizers read those rows, and a blank cell may hide between two separators, so
# such a row is never split here (a split could fill the blank with digits of its neighbours).
_SEPARATED_RE = re.compile(r"[|｜\t]|[\u0020\u3000\u00a0]{2,}")
_SPACES = " \u3000\u00a0"
_ENUM_BEFORE_RE = re.compile(r"(?:[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|\d\s*[、.．])\s*$")
_BLOCK_HEAD_RE = re.compile(r"第二十条第\s*[（(]?\s*([一二三四五六七八九十]?)\s*[)）]?\s*项?")
_T3_TITLE_RE = re.compile(r"(?:[一二三四五六七八九十]+\s*[、.．]\s*)?(?:行政机关)?收到和处理政府信息公开申请情况")
_T3_HEAD_RE = re.compile(r"申请人情况")
_T4_HEAD_RE = re.compile(r"行政复议[^\d]{0,12}?行政诉讼[^\d]{0,6}?结果维持")
_BLOCK_ORDER = ("一", "五", "六", "八", "九")


@dataclass(slots=True)
class GluedCell(Token):
    """A VALUE token cut out of a glued run. tables._Matcher._emit calls `annotate` on the Cell it
    built from `raw` (the cell's own digits, or the whole run when the run stays unparseable)."""

    run: str = ""
    state: str = "unparseable"  # 'inferred' | 'number' (the run's chunks were the cells) | 'unparseable'
    inferred_by: str | None = None
    code: str | None = None  # the metric code the split was decided for
    notes: tuple[Message, ...] = ()  # messages that travel with this cell (one run's warning, the summary)

    def annotate(self, cell: Cell, code: str, messages: list[Message]) -> None:
        state = self.state
        if self.code is not None and code != self.code:
            state = "unparseable"  # the matcher placed the cell elsewhere than the split assumed
            messages.append(Message("warning", "glued_mismatch", f"{code}: digit run {self.run!r} was split for {self.code}; kept unparseable", self.line))
        messages.extend(self.notes)
        if state == "unparseable" or cell.value_state != "number":
            cell.value, cell.value_state, cell.value_yuan = None, "unparseable", None
            cell.raw_text = self.run
        elif state == "inferred":
            cell.value_state = "inferred"
            cell.raw_text = self.run
            cell.inferred_by = self.inferred_by


# ---------------------------------------------------------------------------------------------
# Row keys
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _RowSpec:
    table: str  # t2 / t3 / t4
    codes: tuple[str, ...]  # one metric code per column
    types: tuple[str, ...]  # value types per column


def _keys(label: str, aliases: tuple[str, ...] = ()) -> set[str]:
    out = set()
    for text in (label,) + aliases:
        out.add(core_key(text))
        stripped = re.sub(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．])", "", text)
        out.add(flat_key(stripped))
    return {k for k in out if k}


def _sorted_keys(pairs: list[tuple[str, _RowSpec]]) -> tuple[tuple[str, _RowSpec], ...]:
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


_T3_KEYS = _sorted_keys([
    (k, _RowSpec("t3", tuple(f"t3.{r.code}.{c.code}" for c in T3_COLUMNS), tuple(c.value_type for c in T3_COLUMNS)))
    for r in T3_ALL_ROWS for k in _keys(r.label, r.aliases)
])
_T2_KEYS = {
    (version, b.numeral): _sorted_keys([
        (k, _RowSpec("t2", tuple(f"t2.{b.code}.{r.code}.{c.code}" for c in b.columns), tuple(c.value_type for c in b.columns)))
        for r in b.rows
        for k in _keys(r.label, r.aliases + tuple(a for bb in T2_BLOCKS["v2019"] + T2_BLOCKS["v2021"]
                                                    if bb.code == b.code for rr in bb.rows if rr.code == r.code
                                                    for a in (rr.label,) + rr.aliases))
    ])
    for version, blocks in T2_BLOCKS.items() for b in blocks
}
_T4_SPEC = _RowSpec("t4", tuple(f"t4.{c.code}" for c in T4_COLUMNS), tuple(c.value_type for c in T4_COLUMNS))


def _match_suffix(stretch: str, keys) -> tuple[int, _RowSpec] | None:
    """(raw index where the row label starts, row) when the stretch ends with one of `keys`."""
    flat = flat_key(stretch)
    for key, spec in keys:
        if flat.endswith(key):
            return _raw_start(stretch, len(key)), spec
    return None


def _raw_start(stretch: str, flat_len: int) -> int:
    """Raw index of the label whose flat key is the last `flat_len` characters, enumerator included."""
    n, i = 0, len(stretch)
    while i > 0 and n < flat_len:
        i -= 1
        n += len(flat_key(stretch[i]))
    m = _ENUM_BEFORE_RE.search(stretch, 0, i)
    return m.start() if m else i


# ---------------------------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------------------------
@dataclass
class _Run:
    spec: _RowSpec
    text: str  # the run as printed (chunks and spaces, unit included)
    line: int
    label_start: int  # raw index (in the line) of the row label
    start: int  # raw index of the run
    end: int
    glued: bool  # the layout tokenizer cannot read it
    candidates: list[tuple[str, ...]] = field(default_factory=list)
    capped: bool = False
    used: set[str] = field(default_factory=set)
    decided: tuple[str, ...] | None = None
    reason: str = ""


@dataclass
class _Scan:
    region: str = "pre"  # pre / t2 / t3 / t4 / done
    block: str = ""
    t2_version: str | None = None
    seen: list[str] = field(default_factory=list)  # flat text before the first table 二 row (version markers)
    runs: list[_Run] = field(default_factory=list)
    anchors: dict[int, list[int]] = field(default_factory=dict)  # line -> raw indices where labels must split
    region_pos: int = 0  # raw index of the current line up to which anchors were followed
    tail: str = ""  # flat text after the last run of the previous line (table 四's header, when its values are on the next line)


def _chunks_ok(run: str, n: int) -> bool:
    chunks = run.split()
    return len(chunks) == n and all(len(c) == 1 or c[0] != "0" or c.startswith("0.") for c in chunks)


def _version(flat: str, doc_flat: str) -> str:
    for text in (flat, doc_flat):
        vote = marker_vote(text)
        if vote in ("v2019", "v2021"):
            return vote
    return "v2021"


def _separated(text: str, start: int, end: int, run: str) -> bool:
    before = text[:start].rstrip(_SPACES)[-1:]
    after = text[end:].lstrip(_SPACES)[:1]
    return bool(_SEPARATED_RE.search(run)) or before in ("|", "｜", "\t") or after in ("|", "｜", "\t")


def _scan_line(text: str, no: int, scan: _Scan, doc_flat: str) -> None:
    last = 0  # start of the current label stretch
    scan.region_pos = 0
    tail, scan.tail = scan.tail, ""
    for m in _RUN_RE.finditer(text):
        if scan.region == "done":
            return
        start, end = m.start(), m.end()
        if start < last:
            continue
        run = m.group()
        if _ENUM_AFTER_RE.match(text, end) and run[-1].isdigit():
            end -= 1  # the run's last digit is the next label's enumerator
            run = run[:-1].rstrip()
            if not run:
                continue
        _regions(text, start, scan)
        stretch = text[last:start]
        found = None
        if scan.region == "t3":
            found = _match_suffix(stretch, _T3_KEYS)
        elif scan.region == "t2" and scan.block:
            if scan.t2_version is None:
                scan.t2_version = _version("".join(scan.seen) + flat_key(text[:start]), doc_flat)
            found = _match_suffix(stretch, _T2_KEYS.get((scan.t2_version, scan.block), ()))
        elif scan.region == "t4" and (flat_key(stretch) or (tail if last == 0 else "")).endswith("总计"):
            found = (0, _T4_SPEC)  # the header's 总计 before the run, or ending the line before a line of values
        if found is None:
            continue
        if _separated(text, start, end, run):
            last = end  # a row with cell separators: the layout tokenizer's
            continue
        label_at, spec = found
        n = len(spec.codes)
        # glued: text after the run (the next label), chunks that are not the row's cells, or the run
        # touching its label ('数量1 10 0 0 0 0 11': the layout tokenizer reads '数量1' as label text)
        touching = start > 0 and not text[start - 1].isspace()
        glued = bool(text[end:].strip()) or not _chunks_ok(run, n) or touching
        scan.runs.append(_Run(spec, run, no, last + label_at, start, start + len(run), glued))
        _cuts(text, last, start, spec.table, no, scan)
        last = end
        if spec.table == "t4":
            scan.region = "done"
    if scan.region != "done":
        _regions(text, len(text), scan)
        if scan.t2_version is None:
            scan.seen.append(flat_key(text))
        if scan.region == "t4":
            scan.tail = flat_key(text[last:])


def _regions(text: str, upto: int, scan: _Scan) -> None:
    """Follow the table anchors in text[scan.region_pos:upto]: the nearest one before a run names
    its table (so a table title quoted in the report's introduction does not matter)."""
    part = text[scan.region_pos:upto]
    events = [(m.start(), "t2", m.group(1)) for m in _BLOCK_HEAD_RE.finditer(part)]
    events += [(m.start(), "t3", "") for m in _T3_TITLE_RE.finditer(part)]
    events += [(m.start(), "t3", "") for m in _T3_HEAD_RE.finditer(part)]
    events += [(m.start(), "t4", "") for m in _T4_HEAD_RE.finditer(part)]
    for _, region, numeral in sorted(events):
        if region == "t2":
            if not numeral:  # D5 in docs/spec/templates.md: the numeral was lost; the next block in order is meant
                i = _BLOCK_ORDER.index(scan.block) + 1 if scan.block in _BLOCK_ORDER else 0
                numeral = _BLOCK_ORDER[i] if i < len(_BLOCK_ORDER) else ""
            scan.block = numeral
        scan.region = region
    scan.region_pos = max(scan.region_pos, upto)


def _cuts(text: str, start: int, end: int, table: str, no: int, scan: _Scan) -> None:
    """Where the label stretch before a run must split so that the matcher sees the table's anchor
    as a label of its own: the last anchor of the run's table in the stretch."""
    stretch = text[start:end]
    found = []
    if table == "t2":
        found = [m.start() for m in _BLOCK_HEAD_RE.finditer(stretch)][-1:]
    elif table == "t3":
        found = [m.start() for m in _T3_TITLE_RE.finditer(stretch)][-1:] + [m.start() for m in _T3_HEAD_RE.finditer(stretch)][-1:]
    elif table == "t4":
        head = stretch.find("结果维持")
        k = stretch.rfind("行政复议", 0, head if head >= 0 else len(stretch))
        found = [k] if k >= 0 else []
    scan.anchors.setdefault(no, []).extend(start + p for p in found)


# ---------------------------------------------------------------------------------------------
# Splitting
# ---------------------------------------------------------------------------------------------
def _rules():
    """(check_id, lhs codes, rhs codes) of the identities a split may use (catalogue.SPLIT_CHECK_IDS)."""
    from dagster_project.checks.catalogue import RULES, SPLIT_CHECK_IDS  # the identities' one home

    out = []
    for r in RULES:
        if r.check_id in SPLIT_CHECK_IDS and not r.needs_prev and r.lhs_const == 0 and r.rhs_const == 0:
            out.append((r.check_id, tuple((t.metric_code, t.sign) for t in r.lhs), tuple((t.metric_code, t.sign) for t in r.rhs)))
    return out


def _value(text: str) -> Decimal:
    return Decimal(text.rstrip("万元"))


def _holds(rule, values: dict[str, Decimal]) -> bool:
    _, lhs, rhs = rule
    return sum(values[c] * s for c, s in lhs) == sum(values[c] * s for c, s in rhs)


def _search(run: _Run, local_rules) -> None:
    """Every split of the run into its row's cells that satisfies the local identities (bounded)."""
    text = run.text
    unit = ""
    for u in ("万元", "元"):
        if text.endswith(u):
            text, unit = text[: -len(u)].rstrip(), u
            break
    chunks = text.split()
    codes, types = run.spec.codes, run.spec.types
    n = len(codes)
    if unit and types[-1] != "money":
        run.reason = "a money unit after a run of counts"
        return
    # rules checked once their last cell is assigned
    at: dict[int, list] = {}
    index = {c: i for i, c in enumerate(codes)}
    for rule in local_rules:
        cells = [index[c] for c, _ in rule[1] + rule[2]]
        at.setdefault(max(cells), []).append(rule)
    digits_left = [0] * (len(chunks) + 1)
    for i in range(len(chunks) - 1, -1, -1):
        digits_left[i] = digits_left[i + 1] + len(chunks[i])
    cells: list[str] = []
    values: dict[str, Decimal] = {}
    steps = 0
    out = run.candidates

    def rec(ci: int, pi: int) -> bool:  # False: stop (bound reached)
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS or len(out) > MAX_CANDIDATES:
            run.capped = True
            return False
        k = len(cells)
        if ci == len(chunks):
            if k == n:
                out.append(tuple(cells))
            return True
        remaining_cells = n - k
        remaining_chunks = len(chunks) - ci
        if remaining_cells < remaining_chunks or remaining_cells > digits_left[ci] - pi:
            return True
        chunk = chunks[ci]
        for j in range(pi + 1, len(chunk) + 1):
            piece = chunk[pi:j]
            if piece[-1] == ".":
                continue
            if len(piece) > 1 and piece[0] == "0" and not piece.startswith("0."):
                break  # no leading zero: '07' is not a cell
            if "." in piece and (types[k] != "money" or piece.count(".") > 1):
                break
            if j < len(chunk) and chunk[j] == ".":
                continue  # a cell does not end on a decimal point
            last_in_chunk = j == len(chunk)
            if not last_in_chunk and k + 1 == n:
                continue
            text_k = piece + (unit if (k == n - 1 and unit) else "")
            cells.append(text_k)
            values[codes[k]] = _value(piece)
            ok = True
            for rule in at.get(k, ()):
                if not _holds(rule, values):
                    run.used.add(rule[0])
                    ok = False
                    break
            if ok:
                go = rec(ci + 1, 0) if last_in_chunk else rec(ci, j)
            else:
                go = True
            cells.pop()
            del values[codes[k]]
            if not go:
                return False
        return True

    rec(0, 0)
    if run.capped:
        run.candidates = []
        run.reason = f"more than {MAX_CANDIDATES} splits or {MAX_STEPS} search steps"
    elif not out:
        run.reason = "no split satisfies " + (", ".join(sorted(run.used)) if run.used else "the column count") + (
            " (no leading zeros)" if not run.used else "")


def _count(run: _Run, rules) -> int:
    """How many splits the run has under `rules` (a capped search counts as many)."""
    probe = _Run(run.spec, run.text, run.line, run.label_start, run.start, run.end, run.glued)
    _search(probe, rules)
    return MAX_CANDIDATES + 1 if probe.capped else len(probe.candidates)


def _decide(runs: list[_Run]) -> None:
    rules = _rules()
    where: dict[str, tuple[int, int]] = {}
    for i, run in enumerate(runs):
        for k, code in enumerate(run.spec.codes):
            where.setdefault(code, (i, k))
    local: dict[int, list] = {}
    cross = []
    for rule in rules:
        codes = [c for c, _ in rule[1] + rule[2]]
        if any(c not in where for c in codes):
            continue  # a cell the report does not have in a run (e.g. the other version's rows)
        owners = {where[c][0] for c in codes}
        if len(owners) == 1:
            local.setdefault(owners.pop(), []).append(rule)
        else:
            cross.append((rule, sorted(owners)))
    for i, run in enumerate(runs):
        rules_i = [] if run.spec.table == "t2" else local.get(i, [])  # no hard identity of table 二 orders its columns
        _search(run, rules_i)
        if run.candidates:
            run.decided = run.candidates[0] if len(run.candidates) == 1 else None
            # the identities that decided: without one of them the run would have more splits
            run.used = {cid for cid in {r[0] for r in rules_i}
                        if _count(run, [r for r in rules_i if r[0] != cid]) > len(run.candidates)}
    _cross(runs, cross, where)
    for run in runs:
        if run.decided is None and not run.reason:
            run.reason = f"{len(run.candidates)} splits are possible" + (
                f" under {', '.join(sorted(run.used))}" if run.used else " (no identity of the table decides)")


def _cross(runs: list[_Run], cross, where) -> None:
    """Runs with several splits, tried together under the identities between rows (bounded)."""
    open_ = [i for i, r in enumerate(runs) if len(r.candidates) > 1 and r.spec.table == "t3"]
    if not open_:
        return
    dead = {i for i, r in enumerate(runs) if not r.candidates}
    usable = [(rule, owners) for rule, owners in cross
              if not dead.intersection(owners) and any(o in open_ for o in owners)]
    if not usable:
        return
    seen = _combinations(runs, open_, usable)
    if seen is None:
        for i in open_:
            runs[i].reason = f"the combination search under the identities between rows exceeded {MAX_STEPS} steps"
        return
    decided = [i for i in open_ if len(seen[i]) == 1]
    used: set[str] = set()
    for cid in {rule[0] for rule, _ in usable}:  # the identities that decided: without them a run stays open
        without = _combinations(runs, open_, [(r, o) for r, o in usable if r[0] != cid])
        if without is None or any(len(without[i]) != 1 for i in decided):
            used.add(cid)
    for i in open_:
        run = runs[i]
        if len(seen[i]) == 1:
            run.decided = run.candidates[next(iter(seen[i]))]
            run.used |= used
        elif not seen[i]:
            run.reason = "no split satisfies the identities between rows (" + ", ".join(sorted({r[0] for r, _ in usable})) + ")"


def _combinations(runs: list[_Run], open_: list[int], usable) -> dict[int, set[int]] | None:
    """For each open run, the indices of its splits that occur in some combination of splits of all
    open runs satisfying `usable`; None when the search exceeds MAX_STEPS."""
    order = {i: n for n, i in enumerate(open_)}
    check_at: dict[int, list] = {}
    for rule, owners in usable:
        check_at.setdefault(max(order[o] for o in owners if o in order), []).append(rule)
    values: dict[str, Decimal] = {}
    for r in runs:
        if r.decided is not None:
            for code, text in zip(r.spec.codes, r.decided):
                values.setdefault(code, _value(text))
    seen: dict[int, set[int]] = {i: set() for i in open_}
    chosen: list[int] = []
    steps = 0

    def rec(pos: int) -> bool:
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS:
            return False
        if pos == len(open_):
            for i, c in zip(open_, chosen):
                seen[i].add(c)
            return True
        run = runs[open_[pos]]
        for c, cand in enumerate(run.candidates):
            for code, text in zip(run.spec.codes, cand):
                values[code] = _value(text)
            if all(_holds(rule, values) for rule in check_at.get(pos, ())):
                chosen.append(c)
                go = rec(pos + 1)
                chosen.pop()
                if not go:
                    return False
        return True

    return seen if rec(0) else None


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------
def tokenize_glued(lines: list[Line], tokenize) -> list[Token] | None:
    """Tokens for `lines` with glued table lines cut here and every other line by `tokenize`;
    None when no line holds a glued table row (the caller keeps its tokens)."""
    texts = [getattr(line, "raw", None) or line.text for line in lines]
    if not any(("申请情况" in t or "第二十条" in t) for t in texts):
        return None
    doc_flat = ""
    scan = _Scan()
    for line, text in zip(lines, texts):
        if scan.region == "done":
            break
        if any(ch.isdigit() for ch in text) or "第二十条" in text or "申请" in text or "行政复议" in text:
            _scan_line(text, line.no, scan, doc_flat)
        elif scan.region == "t4" and text.strip():
            scan.tail = flat_key(text)  # a header line of table 四: its 总计 may end just before the values
    glued_lines = {r.line for r in scan.runs if r.glued}
    if not glued_lines:
        return None
    _decide(scan.runs)
    runs_by_line: dict[int, list[_Run]] = {}
    for r in scan.runs:
        runs_by_line.setdefault(r.line, []).append(r)
    out: list[Token] = []
    plain: list[Line] = []
    inferred = sum(1 for r in scan.runs if r.glued and r.decided is not None)
    left = sum(1 for r in scan.runs if r.glued and r.decided is None)
    summary = Message("info", "glued_runs", f"{inferred} table rows read from digit runs without cell separators "
                      f"(value_state inferred), {left} left unparseable", min(glued_lines))
    for line, text in zip(lines, texts):
        if line.no not in glued_lines:
            plain.append(line)
            continue
        if plain:
            out.extend(tokenize(plain))
            plain = []
        summary = _line_tokens(text, line.no, runs_by_line[line.no], scan.anchors.get(line.no, []), out, summary)
    if plain:
        out.extend(tokenize(plain))
    return out


def _labels(text: str, start: int, end: int, cuts: list[int], no: int, out: list[Token]) -> None:
    points = [start] + sorted(c for c in set(cuts) if start < c < end) + [end]
    for a, b in zip(points, points[1:]):
        piece = text[a:b].strip(" \t\u3000\u00a0")
        if piece:
            out.append(Token(LABEL, piece, no))


def _line_tokens(text: str, no: int, runs: list[_Run], cuts: list[int], out: list[Token], summary) -> Message | None:
    pos = 0
    for run in runs:
        out.append(Token(ROW, "", no))
        _labels(text, pos, run.start, cuts + [run.label_start], no, out)
        n = len(run.spec.codes)
        if run.decided is not None and _chunks_ok(run.text, n) and not run.glued:
            out.extend(Token(VALUE, c, no) for c in run.text.split())  # readable as printed
        elif run.decided is not None:
            state = "number" if _chunks_ok(run.text, n) else "inferred"  # number: the chunks were the cells
            by = ",".join(sorted(run.used)) or None
            for k, (code, cell) in enumerate(zip(run.spec.codes, run.decided)):
                out.append(GluedCell(VALUE, cell, no, run.text, state, by, code, (summary,) if k == 0 and summary else ()))
                summary = None
        else:
            note = Message("warning", "glued_unparseable", f"digit run {run.text!r} after {text[run.label_start:run.start].strip()!r} "
                           f"not split: {run.reason}; its {n} cells are unparseable", no)
            notes = (summary, note) if summary else (note,)
            summary = None
            out.append(GluedCell(VALUE, run.text, no, run.text, "unparseable", None, run.spec.codes[0], notes))
            out.extend(GluedCell(VALUE, run.text, no, run.text, "unparseable", None, code) for code in run.spec.codes[1:])
        pos = run.end
    out.append(Token(ROW, "", no))
    _labels(text, pos, len(text), [c for c in cuts if c >= pos], no, out)
    return summary
