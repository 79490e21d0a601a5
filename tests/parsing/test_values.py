"""Value grammar of docs/spec/templates.md §6."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dagster_project.parsing.values import parse_value


@pytest.mark.parametrize(
    "raw,vtype,unit,expected",
    [
        ("0", "count", "件", (Decimal(0), "number", "件", None)),
        (" 4682 ", "count", "件", (Decimal(4682), "number", "件", None)),
        ("\u00a00", "count", "件", (Decimal(0), "number", "件", None)),
        ("0\u00a0", "count", "件", (Decimal(0), "number", "件", None)),
        ("[bookmark: _GoBack]6", "count", "项", (Decimal(6), "number", "项", None)),
        ("１２３", "count", "件", (Decimal(123), "number", "件", None)),
        ("1,234", "count", "件", (Decimal(1234), "number", "件", None)),
        ("-10", "signed_count", "项", (Decimal(-10), "number", "项", None)),
        ("+1036", "signed_count", "项", (Decimal(1036), "number", "项", None)),
        ("增2", "signed_count", "项", (Decimal(2), "number", "项", None)),
        ("减11", "signed_count", "项", (Decimal(-11), "number", "项", None)),
        ("增2", "count", "件", (None, "unparseable", "件", None)),
        ("减11", "money", None, (None, "unparseable", None, None)),
        ("287.54万元", "money", None, (Decimal("287.54"), "number", "万元", Decimal("2875400.00"))),
        ("2876.4869万元", "money", None, (Decimal("2876.4869"), "number", "万元", Decimal("28764869.0000"))),
        ("251000元", "money", None, (Decimal(251000), "number", "元", Decimal(251000))),
        ("1.5亿元", "money", None, (Decimal("1.5"), "number", "亿元", Decimal("150000000.0"))),
        ("96171.6", "money", "万元", (Decimal("96171.6"), "number", "万元", Decimal("961716000.0"))),
        ("", "count", "件", (None, "blank", "件", None)),
        ("\u00a0", "count", "件", (None, "blank", "件", None)),
        ("/", "count", "件", (None, "na_marker", "件", None)),
        ("-", "count", "件", (None, "na_marker", "件", None)),
        ("—", "count", "件", (None, "na_marker", "件", None)),
        ("--", "count", "件", (None, "na_marker", "件", None)),
        ("无", "count", "件", (None, "na_marker", "件", None)),
        ("不适用", "count", "件", (None, "na_marker", "件", None)),
        ("约5", "count", "件", (None, "unparseable", "件", None)),
        ("5件左右", "count", "件", (None, "unparseable", "件", None)),
        ("12元", "count", "件", (None, "unparseable", "件", None)),
    ],
)
def test_grammar(raw, vtype, unit, expected):
    assert parse_value(raw, vtype, unit) == expected


def test_decimal_places_are_kept():
    value, _, _, yuan = parse_value("2876.4869万元", "money", None)
    assert str(value) == "2876.4869" and value.as_tuple().exponent == -4
    assert yuan == Decimal("28764869")


def test_unknown_value_type_is_an_error():
    with pytest.raises(ValueError):
        parse_value("1", "percent", None)
