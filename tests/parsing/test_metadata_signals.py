"""Metadata from every signal (metadata.py): one minimal, made-up example per shape seen in real
reports, each asserting the value, the signal that gave it and its line."""

from __future__ import annotations

import pytest

from dagster_project.parsing.html import parse_html
from dagster_project.parsing.metadata import extract_metadata, is_abbreviation, is_agency_name, spaced_form
from dagster_project.parsing.report import parse_text
from dagster_project.parsing.text import to_lines

BODY = "一、总体情况\n本年度工作顺利。\n"


def read(text: str, source_name: str = ""):
    metadata, messages = extract_metadata(to_lines(text), source_name)
    return metadata, messages


def found(metadata):
    """(agency, source, line), (year, source, line)."""
    return (
        (metadata.agency_name, metadata.sources.get("agency_name"), metadata.evidence.get("agency_name")),
        (metadata.report_year, metadata.sources.get("report_year"), metadata.evidence.get("report_year")),
    )


# --- titles --------------------------------------------------------------------------------------


def test_year_first_title():
    metadata, messages = read("2019年上海市人民政府办公厅政府信息公开工作年度报告\n" + BODY)
    assert found(metadata) == (("上海市人民政府办公厅", "title", 1), (2019, "title", 1))
    assert metadata.agency_type == "人民政府办公厅"
    assert messages == []


def test_title_behind_site_navigation_on_one_long_line():
    text = ("当前位置：首页>政务公开>部门文件 某市统计局2019年度政府信息公开工作年度报告 时间：2020-01-13 09:30 "
            "根据《中华人民共和国政府信息公开条例》要求，现编制完成本报告。一、总体情况 本年度工作顺利。\n")
    metadata, _ = read(text)
    assert found(metadata) == (("某市统计局", "title", 1), (2019, "title", 1))
    assert (metadata.published_on, metadata.sources["published_on"]) == ("2020-01-13", "label")


def test_title_run_into_the_first_sentence_without_space():
    text = "某区水务局2020年度政府信息公开工作年度报告根据《中华人民共和国政府信息公开条例》要求，编制本报告。本报告包括总体情况等六个部分。\n"
    metadata, _ = read(text)
    assert found(metadata) == (("某区水务局", "title", 1), (2020, "title", 1))


def test_navigation_glued_to_the_title_is_cut_after_its_last_lead_in_word():
    text = "首页部门文件某县审计局2021年政府信息公开工作年度报告 来源：某县审计局 发布时间：2022-01-20 根据《条例》规定编制本报告，本报告由总体情况等部分组成。\n"
    metadata, _ = read(text)
    assert found(metadata) == (("某县审计局", "title", 1), (2021, "title", 1))


def test_title_split_mid_word_with_pdf_spaces():
    metadata, _ = read("   2024 年某县民政局政府信息公开工作\n          年度报告\n" + BODY)
    assert found(metadata) == (("某县民政局", "title", 1), (2024, "title", 1))


def test_title_split_after_the_agency_and_year():
    metadata, _ = read("某县民政局 2023 年政府信息\n公开工作年度报告\n" + BODY)
    assert found(metadata) == (("某县民政局", "title", 1), (2023, "title", 1))


@pytest.mark.parametrize(
    "title, agency, year",
    [
        ("某区教育局2018年度政府信息公开年度报告", "某区教育局", 2018),  # without 工作
        ("某区教育局2018年政府信息公开年度报告", "某区教育局", 2018),  # 年 instead of 年度
        ("某区地方税务局2013年信息公开年度报告", "某区地方税务局", 2013),
        ("《某某综合实验区2011年政府信息公开工作年度报告》", "某某综合实验区", 2011),  # a zone names itself
        ("某某综合实验区纪工委2017年政府信息公开年度报告", "某某综合实验区纪工委", 2017),
        ("某某片区管理局2022年政府信息公开工作年度报告", "某某片区管理局", 2022),
    ],
)
def test_title_variants(title, agency, year):
    metadata, _ = read(title + "\n" + BODY)
    assert found(metadata) == ((agency, "title", 1), (year, "title", 1))


def test_title_beats_the_compilation_sentence_and_the_agency_may_stand_on_the_line_above():
    text = "        某市人民政府\n   2024 年政府信息公开工作年度报告\n\n 本报告由某市人民政府办公室根据《中华人民共和\n国政府信息公开条例》编制。\n"
    metadata, _ = read(text)
    assert found(metadata) == (("某市人民政府", "title", 1), (2024, "title", 2))


def test_a_notice_title_inside_a_sentence_is_neither_agency_nor_year():
    text = "根据《某某办公室关于做好2019年政府信息公开工作年度报告编制公布工作的通知》要求，现编制完成本报告。\n"
    metadata, messages = read(text)
    assert (metadata.agency_name, metadata.report_year) == (None, None)
    assert [m.code for m in messages] == ["agency_missing", "year_missing"]


# --- no title: sentences ---------------------------------------------------------------------------


def test_compilation_sentence_and_statistics_time_limit():
    text = ("本报告根据《中华人民共和国政府信息公开条例》要求，汇总某市统计局各有关单位政府信息公开工作情况编制而成。"
            "本报告统计时限为2023年1月1日至2023年12月31日。\n" + BODY)
    metadata, _ = read(text)
    assert found(metadata) == (("某市统计局", "compilation", 1), (2023, "statistics_period", 1))


def test_compilation_sentence_wrapped_by_pdf():
    text = "本报告由某县人民政府办公室根据《中华人民共和国政府信息公开\n条例》编制。本报告所列数据统计周期为 2024 年 1 月 1 日至\n2024 年 12 月 31 日。\n"
    metadata, _ = read(text)
    assert found(metadata) == (("某县人民政府办公室", "compilation", 1), (2024, "statistics_period", 2))


def test_contact_sentence_names_the_agency_without_its_office():
    text = ("本报告所列数据统计周期为 2024 年 1 月 1 日至 12 月 31 日。如对本报告有任何疑问，"
            "请与某县财政局办公室联系（地址：某县某路1号，邮编：000000）。\n" + BODY)
    metadata, _ = read(text)
    assert found(metadata) == (("某县财政局", "contact", 1), (2024, "statistics_period", 1))


def test_first_sentence_of_section_one_and_time_range():
    text = "本报告中所列数据的时间范围为2022年1月1日至2022年12月31日。\n一、总体情况\n2022年，某县司法局坚持以人民为中心，全面推进政务公开。\n"
    metadata, _ = read(text)
    assert found(metadata) == (("某县司法局", "section1", 3), (2022, "statistics_period", 1))


def test_first_sentence_of_section_one_inside_a_long_line_gives_the_year_too():
    text = "根据《条例》要求，编制本报告。一、总体情况 2021年，某市商务局深入贯彻落实《条例》，认真做好政府信息公开工作。二、主动公开政府信息情况\n"
    metadata, _ = read(text)
    assert found(metadata) == (("某市商务局", "section1", 1), (2021, "section1", 1))


def test_signature_at_the_end_of_a_long_line_with_a_chinese_date():
    text = ("根据《条例》要求，编制本报告。一、概述 本年度工作顺利。六、其他需要报告的事项 无。 "
            "某县教育局 二○一二年元月二十日 附表： 指标名称 计量单位 年末统计 主动公开信息数 条 20\n")
    metadata, _ = read(text)
    assert (metadata.agency_name, metadata.sources["agency_name"], metadata.evidence["agency_name"]) == ("某县教育局", "signature", 1)
    assert (metadata.published_on, metadata.sources["published_on"]) == ("2012-01-20", "signature")
    assert metadata.report_year is None


# --- crawler, path and HTML --------------------------------------------------------------------------


def test_crawler_header_gives_title_and_date_and_its_local_folder_is_a_path_signal():
    text = ("标题: 某市体育局2019年度政府信息公开工作年度报告\n发布时间: 2020-01-06 20:04\n文号: \n发布机构: 1\n"
            "本地目录: zwgk/zfxxgknb/202001/80560_某市体育局2019年度政府信息公开工作年度报告\n"
            "==================== 正文 ====================\n根据《条例》编制本报告。\n")
    metadata, _ = read(text)
    assert found(metadata) == (("某市体育局", "crawler_header", 1), (2019, "crawler_header", 1))
    assert (metadata.published_on, metadata.sources["published_on"], metadata.evidence["published_on"]) == ("2020-01-06", "crawler_header", 2)
    without_title = text.replace("标题: 某市体育局2019年度政府信息公开工作年度报告\n", "")
    metadata, _ = read(without_title)
    assert found(metadata) == (("某市体育局", "path", 4), (2019, "path", 4))


def test_file_and_folder_names_are_the_last_resort():
    name = "zfxxgknb/202001/80560_某县水利局2019年度政府信息公开工作年度报告/page.txt"
    metadata, _ = read("根据《条例》编制本报告。\n" + BODY, name)
    assert found(metadata) == (("某县水利局", "path", None), (2019, "path", None))
    metadata, _ = read("某县林业局2019年政府信息公开工作年度报告\n" + BODY, name)
    assert found(metadata) == (("某县林业局", "title", 1), (2019, "title", 1))


def test_html_title_names_the_agency_when_the_body_does_not():
    html = ("<html><head>\n<title>某市科学技术委员会2023年政府信息公开工作年度报告-市科委</title>\n</head>\n"
            "<body>\n<p>根据《条例》要求，编制本报告。</p>\n<p>一、总体情况</p>\n<p>本年度工作顺利。</p>\n</body></html>\n")
    report = parse_text(html)
    assert found(report.metadata) == (("某市科学技术委员会", "html_title", 2), (2023, "html_title", 2))
    assert [m.text for m in report.messages if m.code == "metadata_source"] == [
        "agency '某市科学技术委员会' from html_title (line 2); year 2023 from html_title (line 2)"
    ]


def test_html_document_keeps_title_and_headings():
    doc = parse_html("<html><head><title> 某局 </title></head><body>\n<h2>某县民政局2020年政府信息公开工作年度报告</h2>\n<p>正文</p></body></html>")
    assert (doc.title.no, doc.title.raw) == (1, "某局")
    assert [(h.no, h.raw) for h in doc.headings] == [(2, "某县民政局2020年政府信息公开工作年度报告")]


def test_html_heading_is_a_title_signal():
    html = "<html><body>\n" + "<p>导航</p>\n" * 45 + "<h1>某县民政局2020年政府信息公开工作年度报告</h1>\n<p>一、总体情况</p></body></html>\n"
    report = parse_text(html)
    assert found(report.metadata) == (("某县民政局", "html_heading", 47), (2020, "html_heading", 47))


# --- abbreviations and names ------------------------------------------------------------------------


def test_full_name_given_elsewhere_wins_over_an_abbreviation():
    text = "一、总体情况\n2023年，市科委坚持依法公开。\n某市科学技术委员会（以下简称市科委）负责本机关政府信息公开工作。\n"
    metadata, messages = read(text)
    assert found(metadata) == (("某市科学技术委员会", "abbreviation", 3), (2023, "section1", 2))
    assert [m.code for m in messages] == ["agency_abbreviation"]


def test_full_name_from_another_signal_wins_over_an_abbreviation():
    text = "如对本报告有疑问，请与区财政金融局联系。\n" + BODY + "某某综合实验区财政金融局\n2024年1月20日\n"
    metadata, _ = read(text)
    assert (metadata.agency_name, metadata.sources["agency_name"], metadata.evidence["agency_name"]) == ("某某综合实验区财政金融局", "signature", 4)


def test_abbreviation_without_full_name_is_kept_with_a_message():
    metadata, messages = read("一、总体情况\n2023年，市科委坚持依法公开。\n")
    assert found(metadata) == (("市科委", "section1", 2), (2023, "section1", 2))
    assert [(m.level, m.code) for m in messages] == [("info", "agency_abbreviation")]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("某某综合实验区", True),
        ("某某经济开发区管委会", True),
        ("某某片区管理局", True),
        ("某某综合实验区纪工委", True),
        ("市科委", True),
        ("上海市", True),  # a division name of cpca's list
        ("平潭县", True),
        ("某某", False),  # no suffix, no place
        ("我局", False),
        ("本机关", False),
        ("关于做好", False),
        ("某某政府信息公开办公室", False),  # report words
        ("政府", False),
        # places whose name starts like a pronoun or determiner (贵 'your', 本 'this', 全 'whole')
        ("贵州省人民政府", True),
        ("贵池区民政局", True),
        ("本溪市财政局", True),
        ("全椒县人民政府", True),
        ("贵单位", False),
        ("本局", False),
        ("全市各级", False),
    ],
)
def test_agency_names_are_validated_by_suffix_and_place(name, expected):
    assert is_agency_name(name) is expected


@pytest.mark.parametrize("name, expected", [("市科委", True), ("区财政金融局", True), ("上海市科学技术委员会", False), ("市场监督管理局", False)])
def test_abbreviations(name, expected):
    assert is_abbreviation(name) is expected


def test_spaces_inside_years_and_numbers_are_tolerated():
    assert spaced_form("国令第 711 号 统计期限 2024 年 1 月 1 日") == "国令第 711号 统计期限 2024年1月1日"


def test_parse_messages_say_which_signal_gave_agency_and_year():
    report = parse_text("2019年上海市人民政府办公厅政府信息公开工作年度报告\n" + BODY, "reports/a.txt")
    assert [(m.level, m.text, m.line) for m in report.messages if m.code == "metadata_source"] == [
        ("info", "agency '上海市人民政府办公厅' from title (line 1); year 2019 from title (line 1)", 1)
    ]
    assert (report.metadata.province, report.metadata.adcode) == ("上海市", "310000")


def test_year_first_title_with_an_unknown_name_still_gives_the_year():
    metadata, messages = read("2019年某某政府信息公开工作年度报告\n" + BODY)
    assert found(metadata) == ((None, None, None), (2019, "title", 1))
    assert [m.code for m in messages] == ["agency_missing"]


def test_breadcrumb_line_above_a_full_title_is_not_joined_to_it():
    metadata, _ = read("当前位置:\n首页\n某县民政局\n某县民政局2020年政府信息公开工作年度报告\n" + BODY)
    assert found(metadata) == (("某县民政局", "title", 4), (2020, "title", 4))
