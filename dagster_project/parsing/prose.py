"""Key numbers stated in prose (docs/spec/templates.md §9.4): the only numbers pre-2019 reports have, and a
cross-check for the tables of later ones (§8 text ↔ table; D20: both are kept, never reconciled).

Why narrow patterns: a wrong number is worse than a missing one. Every pattern names the thing
counted (`政府信息公开申请`, `行政复议`) right next to the number and its unit; sentences that
count a sub-category (`主动公开公文类政府信息229条、非公文类信息126条`) are skipped rather than
summed. Negative statements (`未接到政府信息公开的申请`) are explicit zeros.

Why paragraphs: pdftotext -layout wraps sentences at a fixed width (`答\\n复 3050 件`), so
consecutive prose lines are joined until a sentence ends; each character remembers its line, so
`source_line` is the line where the matched phrase starts. Table lines are never read here.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal

from .model import Cell, Line, Message
from .sections import is_table_line, match_form

_NUM = r"(\d+(?:\.\d+)?)"
_APPROX = r"(余|多)?"
_STOP = r"[^。;,!?]"  # stay inside one clause

# Sentence-final punctuation: a line ending with it closes the paragraph.
_SENTENCE_END = ("。", ";", "!", "?", ":")
_ENUMERATOR_START = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d+[、.](?!\d))")

# Counting the phrase as cumulative: `历年累计…`, `到/截至2017年12月31日累计…` (a cut-off date
# before the 累计 of the same clause). A plain `2024年,我局累计主动公开…132条` is the year's total,
# and `其中本年度新增…` after a cumulative figure is the year's too.
_THIS_YEAR = re.compile(r"本年|全年|今年|新增")
_CUMULATIVE_WORD = re.compile(r"累计|总计|共计|历年")
_CUMULATIVE_CONTEXT = re.compile(
    r"历年|(?:截至|截止|到)(?:\d{4}年|目前|现在|年底|今)[^。]*?(?:累计|总计|共计)|至今[^。]*?累计"
)


@dataclass(frozen=True)
class ProsePattern:
    """A phrase that states one or more metrics; `metrics` pairs each metric name with the regex
    group holding its number (None = the phrase itself says zero)."""

    regex: re.Pattern[str]
    metrics: tuple[tuple[str, int | None], ...]
    unit_group: int | None = None
    approx_group: int | None = None
    needles: tuple[str, ...] = ()  # literals of which one must occur: skips the regex cheaply


def _p(pattern: str, *metrics: tuple[str, int | None], unit_group: int | None = None, approx_group: int | None = None) -> ProsePattern:
    return ProsePattern(re.compile(pattern), metrics, unit_group, approx_group, _NEEDLES[metrics[0][0]])


# Every phrase of a metric contains one of these words; a paragraph without them is not searched.
_NEEDLES = {
    "proactive_items": ("信息",), "proactive_items_marked": ("主动公开",), "proactive_items_cumulative_if_proactive": ("历年累计",),
    "requests_received": ("申请", "事项"), "requests_processed": ("申请", "依申请"), "requests_carried_over": ("结转",),
    "requests_carried_forward": ("下年度", "下一年度"), "fees_collected": ("收取", "收费"), "review_cases": ("行政复议",),
    "litigation_cases": ("行政诉讼",),
}


_REQUEST = r"(?:政府信息公开|公开政府信息|依申请公开)(?:的)?(?:申请|事项)"
_RECEIVE = r"(?:受理|收到|接到|新收|接收)"

PROSE_PATTERNS: tuple[ProsePattern, ...] = (
    # proactive disclosure: "主动公开政府信息11960条", "发布各类主动公开政府信息219条", "主动公开各类政府信息 5500 余条"
    _p(r"主动(?:公开|发布)((?:各类)?(?:政府)?)信息" + _NUM + _APPROX + r"条", ("proactive_items", 2), approx_group=3),
    _p(r"(?:公开|发布)(?:各类)?(?:主动公开)?(?:政府)?信息" + _NUM + _APPROX + r"条", ("proactive_items_marked", 1), approx_group=2),
    _p(r"历年累计(?:主动公开|发布)?" + _NUM + _APPROX + r"条", ("proactive_items_cumulative_if_proactive", 1), approx_group=2),
    # requests: received / processed / carried over / forward
    _p(_RECEIVE + r"(?:到)?(?:要求)?" + _REQUEST + r"(?:数量)?(?:共|合计)?" + _NUM + r"(?:件|条|个|份)(?:," + _STOP + r"{0,6}?答复" + _NUM + r"件)?",
       ("requests_received", 1), ("requests_processed", 2)),
    _p(r"共" + _RECEIVE + _REQUEST + r"?" + _NUM + r"件", ("requests_received", 1)),
    _p(r"(?:没有|未|无)(?:" + _STOP + r"{0,4}?)" + _RECEIVE + _STOP + r"{0,12}?" + _REQUEST, ("requests_received", None)),
    _p(r"(?:处理|办理|办结|答复)" + _REQUEST + _NUM + r"件", ("requests_processed", 1)),
    _p(r"(?:处理|办理|办结)依申请公开(?:申请|事项)?" + _NUM + r"件", ("requests_processed", 1)),
    _p(r"上(?:一)?年(?:度)?结转(?:的)?(?:政府信息公开)?申请(?:数量)?(?:共)?" + _NUM + r"(?:件|条)", ("requests_carried_over", 1)),
    _p(_NUM + r"件(?:申请)?顺延(?:到|至)下(?:一)?年度", ("requests_carried_forward", 1)),
    _p(r"结转(?:到|至)?下(?:一)?年度(?:继续办理)?(?:的)?(?:申请)?" + _NUM + r"件", ("requests_carried_forward", 1)),
    # fees
    _p(r"(?:没有|未)收取" + _STOP + r"{0,25}?(?:费用|信息处理费)", ("fees_collected", None)),
    _p(r"未收费", ("fees_collected", None)),
    _p(r"收取" + _STOP + r"{0,20}?(?:费用|信息处理费)(?:共|合计)?" + _NUM + r"(万元|元)", ("fees_collected", 1), unit_group=2),
    # administrative review and litigation
    _p(r"未(?:因" + _STOP + r"{0,10}?)?(?:接到|发生|收到|出现|被申请|被提起|有)" + _STOP + r"{0,25}?行政复议(?:案|案件)?(?:和|或|、|及|或者)(?:提起)?行政诉讼",
       ("review_cases", None), ("litigation_cases", None)),
    _p(r"(?:政府信息公开)?行政复议(?:案件)?(?:共)?" + _NUM + r"件", ("review_cases", 1)),
    _p(r"(?:政府信息公开)?行政诉讼(?:案件)?(?:共)?" + _NUM + r"件", ("litigation_cases", 1)),
)

UNITS = {
    "proactive_items_year": "条", "proactive_items_cumulative": "条", "requests_received": "件",
    "requests_carried_over": "件", "requests_processed": "件", "requests_carried_forward": "件",
    "fees_collected": None, "review_cases": "件", "litigation_cases": "件",
}
_YUAN_FACTOR = {"元": Decimal(1), "万元": Decimal(10000)}


@dataclass
class _Paragraph:
    text: str
    offsets: list[int]  # offsets[i] = start of the i-th joined line in `text`
    line_nos: list[int]

    def line_at(self, offset: int) -> int:
        return self.line_nos[bisect.bisect_right(self.offsets, offset) - 1]


def prose_paragraphs(lines: list[Line]) -> list[_Paragraph]:
    """Consecutive prose lines joined into paragraphs; table lines and blank lines after a
    finished sentence end a paragraph."""
    paragraphs: list[_Paragraph] = []
    parts: list[str] = []
    offsets: list[int] = []
    line_nos: list[int] = []
    length = 0

    def flush() -> None:
        nonlocal parts, offsets, line_nos, length
        if parts:
            paragraphs.append(_Paragraph("".join(parts), offsets, line_nos))
        parts, offsets, line_nos, length = [], [], [], 0

    for line in lines:
        raw = line.text
        if not raw.strip():
            if parts and parts[-1].endswith(_SENTENCE_END):
                flush()
            continue
        if is_table_line(raw):
            flush()
            continue
        text = match_form(raw)
        if parts and _ENUMERATOR_START.match(text):
            flush()
        parts.append(text)
        offsets.append(length)
        line_nos.append(line.no)
        length += len(text)
        if text.endswith(_SENTENCE_END):
            flush()
    flush()
    return paragraphs


def extract_prose_metrics(lines: list[Line]) -> tuple[list[Cell], list[Message]]:
    """`prose.*` cells, at most one per metric (the first statement); a later statement with a
    different value is reported as a message, not guessed between."""
    cells: dict[str, Cell] = {}
    messages: list[Message] = []
    paragraphs = prose_paragraphs(lines)
    whole = "\n".join(paragraph.text for paragraph in paragraphs)
    active = [pattern for pattern in PROSE_PATTERNS if any(needle in whole for needle in pattern.needles)]
    for paragraph in paragraphs:
        text = paragraph.text
        for pattern in active:
            for match in pattern.regex.finditer(text):
                for metric, value in _metrics_of(pattern, match, text):
                    _keep(cells, messages, metric, value, match, pattern, paragraph)
    return list(cells.values()), messages


def _metrics_of(pattern: ProsePattern, match: re.Match[str], text: str):
    """(metric name, Decimal value) pairs a match states; resolves the proactive variants."""
    for name, group in pattern.metrics:
        if group is not None and match.group(group) is None:
            continue
        value = Decimal(0) if group is None else Decimal(match.group(group))
        if name.startswith("proactive_items"):
            resolved = _proactive_metric(name, match, text)
            if resolved is None:
                continue
            name = resolved
        yield name, value


def _proactive_metric(name: str, match: re.Match[str], text: str) -> str | None:
    sentence_start = text.rfind("。", 0, match.start()) + 1
    sentence_end = text.find("。", match.end())
    sentence = text[sentence_start : sentence_end if sentence_end >= 0 else len(text)]
    prefix = text[sentence_start : match.start()]
    if name == "proactive_items_cumulative_if_proactive":
        # "…主动公开政府信息219条,…。历年累计963条。": the subject is in this or the previous sentence
        previous_start = text.rfind("。", 0, max(sentence_start - 1, 0)) + 1
        context = text[previous_start : match.end()]
        return "proactive_items_cumulative" if "主动公开" in context and "申请" not in sentence else None
    if name == "proactive_items_marked" and "主动公开" not in match.group(0):
        return None  # "发布各类政务信息4243条" is not a count of 主动公开 information
    qualifier = match.group(1) if name == "proactive_items" else ""
    if "类" in qualifier.replace("各类", ""):
        return None  # a category's count ("公文类政府信息229条"), not the total
    clause_prefix = re.split(r"[,;]", prefix)[-1]
    if _THIS_YEAR.search(clause_prefix):
        return "proactive_items_year"  # "…累计5928条,其中本年度新增…2110条"
    if _CUMULATIVE_WORD.search(clause_prefix) and _CUMULATIVE_CONTEXT.search(prefix):
        return "proactive_items_cumulative"
    return "proactive_items_year"


def _keep(cells: dict[str, Cell], messages: list[Message], metric: str, value: Decimal, match: re.Match[str], pattern: ProsePattern, paragraph: _Paragraph) -> None:
    code = f"prose.{metric}"
    unit = UNITS[metric]
    value_yuan = None
    if metric == "fees_collected":
        unit = match.group(pattern.unit_group) if pattern.unit_group else None
        value_yuan = value * _YUAN_FACTOR[unit] if unit else Decimal(0)
    approximate = bool(pattern.approx_group and match.group(pattern.approx_group))
    line_no = paragraph.line_at(match.start())
    existing = cells.get(code)
    if existing is not None:
        if existing.value != value:
            messages.append(Message("warning", "prose_conflict", f"{code}: prose states {existing.value} (line {existing.source_line}) and {value}; kept the first", line_no))
        return
    cells[code] = Cell(code, value, "number", match.group(0), line_no, unit=unit, value_yuan=value_yuan, approximate=approximate)
