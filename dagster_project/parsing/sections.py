"""Split a report into its numbered top-level sections (docs/spec/templates.md §2, §9.2, D19).

Why a keyword table and not exact titles: real headings drift (`二、行政机关主动公开政府信息情况`,
`五、政府信息公开工作存在的主要问题及改进情况`, pre-2019 `四、政府信息公开收费及减免情况`), but
each still names its subject with one of a few keywords. The same six codes serve v2019/v2021
and pre-2019 reports where the meaning matches, so an analyst can read "problems" across all
years; pre-2019 subjects without a modern counterpart get `p_*` codes.

Why a sequence rule: table 三 has rows that look like headings (`四、结转下年度继续办理` right
before the real `四、政府信息公开行政复议、行政诉讼情况`), and bodies contain numbered lists.
A heading must be a short line of its own, not a table cell, not a known table-row label, and
its numeral must follow the previous heading's.

This module also holds the two line helpers the prose and metadata readers share
(`match_form`, `is_table_line`), because "what is a heading / a table line" is decided here.
"""

from __future__ import annotations

import re
import unicodedata

from .model import Line, Message, Section

# (section code, keywords): the first entry with a keyword contained in the heading wins, so
# the more specific subjects come first ("收费" before "依申请", "问题" before everything
# that an improvement sentence might mention).
SECTION_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("p_fees", ("收费及减免", "收费和减免", "收费")),
    ("s4_review_litigation", ("行政复议", "行政诉讼", "复议", "诉讼")),
    ("s5_problems", ("存在的主要问题", "存在问题", "问题", "改进")),
    ("s3_requests", ("依申请公开", "收到和处理政府信息公开申请", "申请")),
    ("s2_proactive", ("主动公开",)),
    ("p_responses", ("回应解读", "回应", "解读")),
    ("p_organisation", ("机构建设", "保障经费", "培训", "会议")),
    ("p_consultation", ("咨询",)),
    ("s1_overview", ("总体情况", "概述", "基本情况", "基本工作", "工作概况", "概况")),
    ("s6_other", ("其他需要报告", "其他")),
    ("p_annex", ("附件", "附表", "统计表")),
)
UNCLASSIFIED_CODE = "x_unclassified"

# Row labels of table 三 that start with a top-level numeral; never section headings.
TABLE_ROW_LABEL_KEYWORDS: tuple[str, ...] = ("本年新收", "上年结转", "本年度办理结果", "结转下年度", "继续办理")

CHINESE_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
MAX_NUMERAL_GAP = 2  # a missing heading (二 absent, 三 present) is tolerated, a jump of 3 is not
MAX_HEADING_CHARS = 40

# Lines after the last section that are the signature, a date or conversion debris, not body.
TRAILING_DEBRIS = re.compile(
    r"^(?:-?\s*\d{1,3}\s*-?|第\d+页.*|扫一扫.*|.*打印本页.*|关闭窗口|"
    r"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|(?:19|20)\d{2}-\d{1,2}-\d{1,2})$"
)
SIGNATURE_LINE = re.compile(r"^[\u4e00-\u9fff()]{2,30}(?:政府|局|委员会|委|厅|办公室|办|院|中心|处|署|会|部|站|所)$")

_HEADING = re.compile(r"^([一二三四五六七八九十]{1,3})[、.](.{2,%d})$" % MAX_HEADING_CHARS)
_SPACE_NOT_BETWEEN_ASCII_WORDS = re.compile(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])")
_TABLE_GAP = re.compile(r"\S[ \u3000]{2,}\S")


def match_form(text: str) -> str:
    """The form all readers match against: NFKC (full-width → ASCII punctuation and digits) and no
    whitespace except between two ASCII words, so `2023 年`, `邮 编 ： 223100` and `5500 余条`
    from pdftotext read like `2023年`, `邮编:223100`, `5500余条`."""
    text = unicodedata.normalize("NFKC", text).strip()
    if " " in text or "\t" in text:
        text = _SPACE_NOT_BETWEEN_ASCII_WORDS.sub("", text)
    return text


def is_table_line(raw: str) -> bool:
    """True for a line that belongs to a table in any of the seen layouts: pipe-delimited (docs/spec/templates.md D12,
    D14), tab-indented cells (D13) or space-aligned columns of pdftotext -layout."""
    if "|" in raw or raw.startswith("\t"):
        return True
    return _TABLE_GAP.search(raw.strip()) is not None


def chinese_numeral_value(numeral: str) -> int | None:
    """一 → 1 … 十九 → 19; None for anything else."""
    if len(numeral) == 1:
        return CHINESE_NUMERALS.get(numeral)
    if numeral[0] == "十":
        return 10 + (CHINESE_NUMERALS.get(numeral[1], 100) if len(numeral) == 2 else 100)
    if len(numeral) >= 2 and numeral[1] == "十":
        tens = CHINESE_NUMERALS.get(numeral[0], 100) * 10
        return tens + (CHINESE_NUMERALS.get(numeral[2], 100) if len(numeral) == 3 else 0)
    return None


def classify_heading(title: str) -> str:
    """Section code for a heading text (without its numeral)."""
    for code, keywords in SECTION_KEYWORDS:
        if any(keyword in title for keyword in keywords):
            return code
    return UNCLASSIFIED_CODE


def heading_candidate(line: Line) -> tuple[int, str] | None:
    """(numeral value, compact title) when the line looks like a top-level heading."""
    raw = line.text
    stripped = raw.lstrip(" \u3000")
    if not stripped or stripped[0] not in CHINESE_NUMERALS:  # cheap test first: most lines are not headings
        return None
    if raw.startswith("\t") or "|" in raw or _TABLE_GAP.search(raw.strip()):
        return None
    compact = match_form(raw)
    match = _HEADING.match(compact)
    if match is None or "。" in compact or compact.endswith((";", ",", ":")):
        return None
    if any(keyword in compact for keyword in TABLE_ROW_LABEL_KEYWORDS):
        return None
    value = chinese_numeral_value(match.group(1))
    if value is None:
        return None
    return value, compact


def extract_sections(lines: list[Line]) -> tuple[list[Section], list[Message]]:
    """The top-level sections in document order, each from its heading to the last non-blank
    line before the next heading (the last section stops before signature, date and debris)."""
    messages: list[Message] = []
    headings: list[tuple[int, str, str]] = []  # (index into lines, code, title)
    last_value = 0
    for index, line in enumerate(lines):
        candidate = heading_candidate(line)
        if candidate is None:
            continue
        value, title = candidate
        if not (last_value < value <= last_value + MAX_NUMERAL_GAP):
            continue
        last_value = value
        code = classify_heading(title)
        if code == UNCLASSIFIED_CODE:
            messages.append(Message("warning", "section_unclassified", f"heading '{title}' matches no known section", line.no))
        headings.append((index, code, title))

    sections: list[Section] = []
    seen_codes: dict[str, int] = {}
    for position, (index, code, title) in enumerate(headings):
        is_last = position + 1 == len(headings)
        stop = headings[position + 1][0] if not is_last else len(lines)
        end = _last_body_index(lines, index, stop, trim_signature=is_last)
        seen_codes[code] = seen_codes.get(code, 0) + 1
        if seen_codes[code] > 1:
            messages.append(Message("info", "section_repeated", f"second section mapped to {code}: '{title}'", lines[index].no))
            code = f"{code}_{seen_codes[code]}"
        body = "\n".join(line.text for line in lines[index + 1 : end + 1])
        sections.append(Section(code, title, body, lines[index].no, lines[end].no))
    if not sections:
        messages.append(Message("warning", "no_sections", "no numbered top-level section heading found"))
    return sections, messages


def _last_body_index(lines: list[Line], start: int, stop: int, trim_signature: bool) -> int:
    """Index of the last line that belongs to the section starting at `start`."""
    end = stop - 1
    while end > start and not lines[end].text.strip():
        end -= 1
    if not trim_signature:
        return end
    trimmed_something = True
    while trimmed_something and end > start:
        trimmed_something = False
        compact = match_form(lines[end].text)
        if not compact or TRAILING_DEBRIS.match(compact):
            end -= 1
            trimmed_something = True
        elif SIGNATURE_LINE.match(compact) and _only_debris_after(lines, end + 1, stop):
            end -= 1
            trimmed_something = True
    return end


def _only_debris_after(lines: list[Line], begin: int, stop: int) -> bool:
    """A bare agency name counts as a signature only when a date or nothing but debris follows:
    a short last line like `无` must stay in the body."""
    rest = [match_form(line.text) for line in lines[begin:stop]]
    return any(re.match(r"^(?:19|20)\d{2}(?:年|-)", text) for text in rest if text)
