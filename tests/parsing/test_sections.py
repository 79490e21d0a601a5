"""Section split of the seeds (line ranges checked with cat -n) and the heading pitfalls."""

from __future__ import annotations

import pytest
from parsing_helpers import SEEDS_DIR

from dagster_project.parsing.sections import classify_heading, extract_sections
from dagster_project.parsing.text import to_lines


def seed_lines(prefix: str):
    return to_lines(next(SEEDS_DIR.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8"))


V2019_TITLES = (
    ("s1_overview", "一、总体情况"),
    ("s2_proactive", "二、主动公开政府信息情况"),
    ("s3_requests", "三、收到和处理政府信息公开申请情况"),
    ("s4_review_litigation", "四、政府信息公开行政复议、行政诉讼情况"),
    ("s5_problems", "五、存在的主要问题及改进情况"),
    ("s6_other", "六、其他需要报告的事项"),
)

# (line_start, line_end) per section, in V2019_TITLES order; line_end = last non-blank body line,
# signature/date/page-number/'扫一扫' debris after the last section excluded.
SEED_RANGES = {
    "000": [(2, 29), (30, 91), (92, 315), (316, 353), (354, 356), (357, 358)],  # 359 '扫一扫…' is debris
    "002": [(5, 18), (20, 92), (97, 356), (361, 403), (406, 407), (408, 409)],  # 411 page number '1'
    "003": [(3, 8), (9, 71), (72, 296), (297, 334), (335, 337), (338, 339)],  # 340 signature, 341 date
    "004": [(2, 13), (14, 28), (29, 57), (58, 62), (63, 67), (68, 69)],  # 70 signature, 71 date
}


@pytest.mark.parametrize("prefix", sorted(SEED_RANGES))
def test_v2019_v2021_seed_sections(prefix):
    sections, messages = extract_sections(seed_lines(prefix))
    assert [(s.section_code, s.title) for s in sections] == list(V2019_TITLES)
    assert [(s.line_start, s.line_end) for s in sections] == SEED_RANGES[prefix]
    assert messages == []


def test_pre2019_seed_001_sections_map_to_documented_codes():
    sections, _ = extract_sections(seed_lines("001"))
    assert [(s.section_code, s.title, s.line_start, s.line_end) for s in sections] == [
        ("s1_overview", "一、政府信息公开工作概述", 11, 21),
        ("s2_proactive", "二、主动公开情况", 23, 25),
        ("s3_requests", "三、依申请公开情况", 27, 29),
        ("p_fees", "四、政府信息公开收费及减免情况", 31, 33),
        ("s4_review_litigation", "五、申请行政复议和提起行政诉讼情况", 35, 37),
        ("s5_problems", "六、存在的主要问题和改进措施", 39, 41),  # 43 signature, 45 date excluded
    ]
    assert sections[2].body == "\n今年我局全年未接到政府信息公开的申请。"


def test_table_row_four_is_not_a_heading_in_any_layout():
    """Seeds 000/002/003/004 carry '四、结转下年度继续办理' as a table row right before the real 四."""
    for prefix in ("000", "002", "003", "004"):
        sections, _ = extract_sections(seed_lines(prefix))
        s3, s4 = sections[2], sections[3]
        assert "四、结转下年度继续办理" in s3.body
        assert s4.title == "四、政府信息公开行政复议、行政诉讼情况"


def test_body_keeps_table_lines_as_they_are():
    sections, _ = extract_sections(seed_lines("004"))
    body_lines = sections[1].body.split("\n")
    assert body_lines[0] == "第二十条第(一)项 | |||"
    assert body_lines[-1] == "行政事业性收费 | 0 |"


def test_subheadings_are_not_sections():
    sections, _ = extract_sections(seed_lines("000"))
    assert "(一)主动公开政府信息情况" in sections[0].body
    assert len(sections) == 6


@pytest.mark.parametrize(
    "heading, code",
    [
        ("二、行政机关主动公开政府信息情况", "s2_proactive"),  # D19 in docs/spec/templates.md
        ("三、行政机关收到和处理政府信息公开申请情况", "s3_requests"),  # D19
        ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "s4_review_litigation"),  # D19
        ("五、政府信息公开工作存在的主要问题及改进情况", "s5_problems"),  # D19 (Shanghai 2019)
        ("一、概述", "s1_overview"),
        ("一、基本工作情况", "s1_overview"),
        ("三、回应解读情况", "p_responses"),
        ("六、机构建设、保障经费和培训会议情况", "p_organisation"),
        ("四、政府信息公开的收费及减免情况", "p_fees"),
        ("五、投诉举报、行政复议、行政诉讼情况", "s4_review_litigation"),
        ("七、存在问题及工作打算", "s5_problems"),
        ("八、附件", "p_annex"),
    ],
)
def test_heading_variants_d19(heading, code):
    assert classify_heading(heading) == code


def test_d19_variant_headings_in_a_report_with_pdf_indentation():
    text = "\n".join(
        [
            "某区人民政府2019年政府信息公开工作年度报告",
            "   一、总体情况",
            "   正文。",
            "     二、行政机关主动公开政府信息情况",
            "第二十条第（一）项",
            "规章            1          0        11",
            "     三、行政机关收到和处理政府信息公开申请情况",
            "四、结转下年度继续办理                            0    0   0   0    0    0   0",
            "     四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
            "10    1      0   0    0   0    0   0   0    0   5   0     0   0   0",
            "     五、政府信息公开工作存在的主要问题及改进情况",
            "   一、加强学习。二、加强培训。",
            "  六、其他需要报告的事项",
            "  无。",
        ]
    )
    sections, _ = extract_sections(to_lines(text))
    assert [(s.section_code, s.line_start, s.line_end) for s in sections] == [
        ("s1_overview", 2, 3),
        ("s2_proactive", 4, 6),
        ("s3_requests", 7, 8),
        ("s4_review_litigation", 9, 10),
        ("s5_problems", 11, 12),
        ("s6_other", 13, 14),
    ]


def test_numbered_list_inside_a_section_is_not_a_heading():
    text = "一、总体情况\n正文。\n二、主动公开情况\n一、要加强学习\n三、依申请公开情况\n无。"
    sections, _ = extract_sections(to_lines(text))
    assert [s.title for s in sections] == ["一、总体情况", "二、主动公开情况", "三、依申请公开情况"]


def test_unknown_heading_gets_unclassified_code_and_a_warning():
    sections, messages = extract_sections(to_lines("一、总体情况\n正文。\n二、年度亮点工作\n正文。"))
    assert [s.section_code for s in sections] == ["s1_overview", "x_unclassified"]
    assert [m.code for m in messages] == ["section_unclassified"]


def test_no_heading_gives_warning():
    sections, messages = extract_sections(to_lines("只有一段文字。"))
    assert sections == [] and [m.code for m in messages] == ["no_sections"]
