"""Property-based robustness of the parser (hypothesis): mutated seed reports never make it raise,
and every value it reports stands in the text on the line it names.

Mutations are those crawlers, converters and people inflict: lines dropped, duplicated and swapped,
digits changed, layouts mixed (lines of one seed spliced into another), truncation, control
characters, and bytes that are not valid UTF-8.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parsing_helpers import SEEDS_DIR

from dagster_project.parsing.report import parse_bytes
from dagster_project.parsing.text import decode_bytes, split_lines

SEED_LINES = [p.read_text(encoding="utf-8").split("\n") for p in sorted(SEEDS_DIR.glob("*.txt"))]
_SPACE = re.compile(r"\s+")


def _flat(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@st.composite
def mutated_report(draw) -> bytes:
    lines = list(draw(st.sampled_from(SEED_LINES)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["drop", "dup", "swap", "digit", "splice", "control", "truncate"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "digit":
            positions = [k for k, ch in enumerate(lines[i]) if ch.isdigit()]
            if positions:
                k = draw(st.sampled_from(positions))
                lines[i] = lines[i][:k] + str(draw(st.integers(0, 9))) + lines[i][k + 1:]
        elif op == "splice":
            other = draw(st.sampled_from(SEED_LINES))
            j = draw(st.integers(0, len(other) - 1))
            lines[i:i] = other[j : j + draw(st.integers(1, 30))]
        elif op == "control":
            k = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:k] + draw(st.sampled_from(["\x00", "\x07", "\x1b", "\u200b", "\ufeff", "\f", "\r"])) + lines[i][k:]
        elif op == "truncate":
            lines = lines[:i]
    data = "\n".join(lines).encode("utf-8")
    if draw(st.booleans()):
        k = draw(st.integers(0, len(data)))
        data = data[:k] + draw(st.sampled_from([b"\xff", b"\x80\x80", b"\xe4\xb8"])) + data[k:]
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_report())
def test_mutated_reports_never_raise_and_every_value_is_on_its_line(data):
    report = parse_bytes(data, "fuzz.txt")  # must not raise
    assert report.parse_status in ("ok", "partial", "failed")
    if report.parse_status == "failed" and not report.cells:
        return
    lines = split_lines(decode_bytes(data)[0])
    for cell in report.cells:
        if cell.value_state not in ("number", "inferred"):
            continue
        assert 1 <= cell.source_line <= len(lines), cell
        # prose phrases may run onto the next line; table cells stand on their own line
        here = _flat(lines[cell.source_line - 1] + (lines[cell.source_line] if cell.source_line < len(lines) else ""))
        assert _flat(cell.raw_text) in here, (cell.metric_code, cell.raw_text, cell.source_line)
