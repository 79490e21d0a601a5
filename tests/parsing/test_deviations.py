"""One test per table/value deviation of docs/spec/templates.md §11 (synthetic edits of seed text)."""

from __future__ import annotations

from decimal import Decimal

from parsing_helpers import by_code, seed_text, tables_from_text

from dagster_project.parsing.tables import detect_template_version
from dagster_project.parsing.text import to_lines

S000, S002, S003, S004 = (seed_text(s) for s in ("000_a401547b58a11ed1", "002_87d81dba6e927c9d", "003_8fda2105dcda898c", "004_70d6925fef033874"))


def codes(text):
    return by_code(tables_from_text(text))


def warnings(text):
    return [m for m in tables_from_text(text).messages if m.level != "info"]


def test_d1_row_label_version_drift():
    c = codes(S004.replace("行政规范性文件 |", "规范性文件 |"))
    assert c["t2.art20_1.normative_docs.issued"].value == 0 and not warnings(S004.replace("行政规范性文件 |", "规范性文件 |"))


def test_d2_annotated_labels_and_extra_row():
    t = S004.replace("规章 | 0 | 0 | 0 |", "规章(设区的市、自治州人民政府应提供相关数据) | 0 | 0 | 0 |")
    t = t.replace("行政规范性文件 | 0 | 0 | 0 |", "行政规范性文件 | 0 | 0 | 0 |\n其他主动公开文件 | 5 | 5 | 5 |")
    t = t.replace("信息内容 | 本年处理决定数量 | ||\n行政许可", "信息内容 | 处理决定数量(2023年办件量) | ||\n行政许可")
    c = codes(t)
    assert c["t2.art20_1.regulations.issued"].value == 0
    assert not any(cell.raw_text == "5" for cell in c.values())
    assert "t2_unmatched_row" in {m.code for m in tables_from_text(t).messages}


def test_d3_split_labels():
    assert "本年新\n制作数量" in S002
    assert codes(S004)["t3.new_received.commercial_enterprise"].value == 0  # '商业 企业' header


def test_d4_truncated_labels_resolved_by_position():
    assert codes(S003)["t2.art20_1.normative_docs.newly_published"].value == 2  # two '本年新' headers
    assert detect_template_version(to_lines(S003), 2020) == "v2019"


def test_d5_dropped_characters():
    t = S004.replace("第二十条第(五)项", "第二十条第()").replace("行政许可 | 0 |", "政许可 | 7 |").replace("行政处罚 | 0 |", "政处罚 | 9 |")
    t = t.replace("2.其他法律行政法规禁止公开 | 0", "2.其他法律行政止公开 | 4")
    c = codes(t)
    assert c["t2.art20_5.admin_license.decisions"].value == 7
    assert c["t2.art20_6.admin_penalty.decisions"].value == 9
    assert c["t3.denied_prohibited_by_law.natural_person"].value == 4
    assert not warnings(t)


def test_d6_full_width_punctuation_and_quotes():
    t = S004.replace("(一)予以公开", "（一）予以公开").replace("3.危及“三安全一稳定”", '3.危及"三安全一稳定"').replace(" | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", " ｜ 0 ｜ 0 ｜ 0 ｜ 0 ｜ 0 ｜ 0 ｜ 0 ｜")
    assert len(codes(t)) == 200 and not warnings(t)


def test_d7_signed_deltas():
    c = codes(S003)
    assert c["t2.art20_5.admin_license.items_delta"].value == 2
    assert c["t2.art20_6.admin_penalty.items_delta"].value == -11
    assert codes(S000)["t2.art20_5.admin_license.items_delta"].value == -10


def test_d8_money_strings():
    c = codes(S003)["t2.art20_9.centralized_procurement.procurement_amount"]
    assert (c.value, c.unit, c.value_yuan) == (Decimal("2876.4869"), "万元", Decimal("28764869.0000"))
    c = codes(S000.replace("政府集中采购 |\n0 |\n0 |", "政府集中采购 |\n0 |\n251000元 |"))["t2.art20_9.centralized_procurement.procurement_amount"]
    assert (c.value, c.unit, c.value_yuan) == (Decimal(251000), "元", Decimal(251000))


def test_d9_blank_cells():
    t = S004.replace("一、本年新收政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "一、本年新收政府信息公开申请数量 |  |  |  |  |  |  | 0 |")
    c = codes(t)
    assert [c[f"t3.new_received.{k}"].value_state for k in ("natural_person", "other_org", "total")] == ["blank", "blank", "number"]


def test_d10_total_blank_parts_filled():
    t = S004.replace("(一)予以公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "(一)予以公开 | 258 | 12 | 0 | 0 | 1 | 1 |  |")
    c = codes(t)
    assert c["t3.granted.natural_person"].value == 258 and c["t3.granted.total"].value_state == "blank"


def test_d11_na_markers():
    t = S004.replace("规章 | 0 | 0 | 0 |", "规章 | / | / | / |").replace("行政强制 | 0 |", "行政强制 | - |")
    c = codes(t)
    assert c["t2.art20_1.regulations.issued"].value_state == "na_marker"
    assert c["t2.art20_6.admin_coercion.decisions"].value_state == "na_marker" and c["t2.art20_6.admin_coercion.decisions"].value is None


def test_d12_d13_d14_layouts():
    for text, n in ((S000, 198), (S003, 198), (S002, 198), (S004, 200)):
        assert len(codes(text)) == n


def test_d15_group_label_has_no_values():
    c = codes(S004)
    assert c["t3.granted.natural_person"].source_line == 35
    assert c["t3.denied_state_secret.total"].source_line == 37


# D16 (HTML with rowspan/colspan, nested <p>, scripts) is tested in test_html.py.


def test_d17_table4_positional_with_truncated_headers():
    t = S004.replace("0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", " | ".join(str(i) for i in range(1, 16)) + " |")
    c = codes(t)
    assert c["t4.review_upheld"].value == 1 and c["t4.lit_direct_upheld"].value == 6 and c["t4.lit_after_review_total"].value == 15


def test_d17_short_table4_is_reported_not_invented():
    t = S004.replace("0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "0 | 0 | 0 |")
    r = tables_from_text(t)
    assert not any(c.metric_code.startswith("t4.") for c in r.cells)
    assert {"short_row", "t4_missing_values"} <= {m.code for m in r.messages}


def test_d18_conversion_debris():
    c = codes(S002)
    assert c["t2.art20_5.admin_license.prev_year_items"].raw_text == "[bookmark: _GoBack]6"
    assert c["t2.art20_5.admin_license.prev_year_items"].value == 6
    assert [ln.no for ln in to_lines(S002)][-1] == 413  # trailing page number '1' (line 411) dropped, numbering kept


def test_d22_traditional_chinese():
    t = S000.replace("规范性文件 |", "規範性檔案 |").replace("行政许可 |", "行政許可 |").replace("(七)总计 |", "(七)總計 |")
    assert len(codes(t)) == 198 and not warnings(t)


def test_d23_implausible_fee_unit_kept_as_published():
    c = codes(S004.replace("行政事业性收费 | 0 |", "行政事业性收费 | 316441 |"))["t2.art20_8.admin_fees.fee_amount"]
    assert (c.value, c.unit, c.value_yuan) == (Decimal(316441), "万元", Decimal(3164410000))


def test_missing_row_is_a_message_with_table_line():
    t = S004.replace("2.重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | ||\n", "")
    r = tables_from_text(t)
    m = [m for m in r.messages if m.code == "t3_missing_row"]
    assert len(m) == 1 and "2.重复申请" in m[0].text and m[0].line == 29


def test_version_detection():
    assert detect_template_version(to_lines(S004), 2024) == "v2021"
    assert detect_template_version(to_lines(S000), 2020) == "v2019"
    assert detect_template_version(to_lines(seed_text("001_0610a0a9de2dcfc8")), 2017) == "pre2019"
    assert detect_template_version(to_lines(seed_text("001_0610a0a9de2dcfc8")), 2021) == "unknown"
