"""The same seed in GB18030, UTF-16 and UTF-8-BOM+CRLF decodes and parses identically."""

from __future__ import annotations

import codecs

import pytest
from parsing_helpers import SEEDS_DIR, by_code, seed_text, tables_from_bytes, tables_from_text

from dagster_project.parsing.text import DecodeError, decode_bytes, to_lines


def _signature(result):
    return {c.metric_code: (c.raw_text, c.value, c.value_state, c.source_line) for c in result.cells}


@pytest.mark.parametrize("stem", ["002_87d81dba6e927c9d", "003_8fda2105dcda898c", "004_70d6925fef033874"])
@pytest.mark.parametrize(
    "encode,encoding",
    [
        (lambda t: t.encode("gb18030"), "gb18030"),
        (lambda t: t.encode("utf-16"), "utf-16"),  # with BOM
        (lambda t: t.encode("utf-16-le"), "utf-16"),  # BOM-less, detected by the NUL pattern
        (lambda t: codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode("utf-8"), "utf-8-sig"),
    ],
)
def test_copies_parse_identically(stem, encode, encoding):
    text = seed_text(stem)
    data = encode(text)
    decoded, used = decode_bytes(data)
    assert used == encoding
    assert _signature(tables_from_text(decoded)) == _signature(tables_from_text(text))


def test_crlf_and_cr_keep_line_numbers():
    text = seed_text("000_a401547b58a11ed1")
    for variant in (text.replace("\n", "\r\n"), text.replace("\n", "\r")):
        assert [(ln.no, ln.text) for ln in to_lines(variant)] == [(ln.no, ln.text) for ln in to_lines(text)]


def test_undecodable_bytes_raise():
    with pytest.raises(DecodeError):
        decode_bytes(b"\x00\x01\x02\x03\xff\xfe\x00\x00binary\x00")


def test_utf8_bytes_of_seed():
    data = (SEEDS_DIR / "004_70d6925fef033874.txt").read_bytes()
    assert decode_bytes(data)[1] == "utf-8"
    assert len(by_code(tables_from_bytes(data))) == 200
