"""Metadata of the seed and real-world reports, checked by hand against the text (cat -n)."""

from __future__ import annotations

import pytest
from parsing_helpers import REALWORLD_RAW, SEEDS_DIR

from dagster_project.parsing.metadata import agency_type_of, extract_metadata
from dagster_project.parsing.model import Line
from dagster_project.parsing.text import to_lines


def lines_of(text: str) -> list[Line]:
    return to_lines(text)


def seed_lines(prefix: str) -> list[Line]:
    return to_lines(next(SEEDS_DIR.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8"))


# prefix: (agency, type, year, published_on, evidence)
SEEDS = {
    # line 1: '特向社会公布晋安区民政局2020年政府信息公开工作年度报告'; no publication date anywhere
    "000": ("晋安区民政局", "民政局", 2020, None, {"agency_name": 1, "report_year": 1}),
    # line 1 title; line 3 '时间:2018-02-06'
    "001": ("台儿庄区民政局", "民政局", 2017, "2018-02-06", {"agency_name": 1, "report_year": 1, "published_on": 3}),
    # title split: line 2 '上海市普陀区民政局', line 3 '2020年政府信息公开工作年度报告'
    "002": ("上海市普陀区民政局", "民政局", 2020, None, {"agency_name": 2, "report_year": 3}),
    # lines 1-2 title; line 341 '2021年2月10日' under the signature on line 340
    "003": ("遂宁市安居区人民政府", "人民政府", 2020, "2021-02-10", {"agency_name": 1, "report_year": 2, "published_on": 341}),
    # line 1 '全文包括临河区民政局政府信息公开总体情况' and '统计期限为2024年1月1日'; line 71 '2025年1月22日'
    "004": ("临河区民政局", "民政局", 2024, "2025-01-22", {"agency_name": 1, "report_year": 1, "published_on": 71}),
}


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seed_metadata(prefix):
    agency, agency_type, year, published, evidence = SEEDS[prefix]
    metadata, messages = extract_metadata(seed_lines(prefix))
    assert (metadata.agency_name, metadata.agency_type, metadata.report_year, metadata.published_on) == (agency, agency_type, year, published)
    for field, line_no in evidence.items():
        assert metadata.evidence[field] == line_no, field
    assert not [m for m in messages if m.level != "info"]


REALWORLD_EXPECTED = {
    "17_huaian_2024.txt": ("淮安市人民政府", "人民政府", 2024),
    "18_hongze_2023.txt": ("洪泽区人民政府", "人民政府", 2023),  # '      2023 年政府信息公开工作年度报告'
    "19_hongze_2024.txt": ("淮安市洪泽区人民政府", "人民政府", 2024),
}


@pytest.mark.skipif(not REALWORLD_RAW.exists(), reason="shared real-world reports not available")
@pytest.mark.parametrize("name", sorted(REALWORLD_EXPECTED))
def test_realworld_metadata(name):
    metadata, _ = extract_metadata(to_lines((REALWORLD_RAW / name).read_text(encoding="utf-8")))
    assert (metadata.agency_name, metadata.agency_type, metadata.report_year) == REALWORLD_EXPECTED[name]
    assert metadata.evidence["agency_name"] == 1 and metadata.evidence["report_year"] == 2
    assert metadata.published_on is None  # these PDFs print no date


def test_signature_block_is_last_resort():
    text = "报告正文没有标题。\n一、总体情况\n本年度工作顺利。\n\n某某县统计局\n二〇一九年三月五日\n"
    metadata, _ = extract_metadata(lines_of(text))
    assert metadata.agency_name == "某某县统计局"
    assert metadata.agency_type == "统计局"
    assert metadata.evidence["agency_name"] == 5
    assert metadata.published_on == "2019-03-05"


def test_statistics_period_with_pdf_spaces_gives_year():
    text = "一、总体情况\n报告中所列数据统计期限自 2023 年 1 月 1 日\n起至 2023 年 12 月 31 日止。\n"
    metadata, _ = extract_metadata(lines_of(text))
    assert metadata.report_year == 2023
    assert metadata.evidence["report_year"] == 2


def test_title_year_disagreeing_with_statistics_period_is_flagged():
    text = "某区民政局2021年政府信息公开工作年度报告\n本报告统计期限自2020年1月1日起至2020年12月31日止。\n"
    metadata, messages = extract_metadata(lines_of(text))
    assert metadata.report_year == 2021  # the title wins, the disagreement is reported
    assert [m.code for m in messages] == ["year_mismatch"]


def test_date_outside_publication_window_is_not_the_publication_date():
    text = "某区民政局2020年政府信息公开工作年度报告\n正文。\n2015年3月1日\n"
    metadata, _ = extract_metadata(lines_of(text))
    assert metadata.published_on is None


def test_nothing_found_gives_messages_not_guesses():
    metadata, messages = extract_metadata(lines_of("这是一段与年度报告无关的文字。\n"))
    assert metadata.agency_name is None and metadata.report_year is None
    assert {m.code for m in messages} == {"agency_missing", "year_missing"}


@pytest.mark.parametrize(
    "name, expected",
    [
        ("淮安市人民政府办公室", "人民政府办公室"),
        ("淮安市人民政府", "人民政府"),
        ("某市生态环境局", "生态环境局"),
        ("某区发展和改革委员会", "发展和改革委员会"),
        ("某区文体局", None),  # unlisted: no vague '局'
        (None, None),
    ],
)
def test_agency_type_is_longest_listed_suffix(name, expected):
    assert agency_type_of(name) == expected
