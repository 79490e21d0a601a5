"""Parser accuracy on real reports with hand-checked gold beside them.

For every gold file under the folders given (a `gold/` folder next to the raw files it describes,
the format of the shared real-world corpus's README), parse each raw file it names with the
parser's own entry point (`report.parse_bytes`, the call the pipeline makes) and print one line per
raw file: table cells right / expected, agency right, year right. A wrong or missing value prints
the cell, the expected and the found value. The summary groups files by layout (file suffix and
folder) and counts the gold figures that have no metric code in the warehouse (pre-2019 prose
items and the old statistics table) separately, so they are neither scored nor hidden.

Usage:  .venv/bin/python benchmarks/accuracy.py ../shared/realworld/ [--quiet]
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dagster_project.gold import accepts, found_texts, gold_files, load_gold, raw_paths  # noqa: E402
from dagster_project.parsing.report import parse_bytes  # noqa: E402


def layout_of(path: Path) -> str:
    return f"{path.parent.name}/*{path.suffix}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--quiet", action="store_true", help="only the per-file lines and the summary, no wrong cells")
    args = ap.parse_args(argv)

    totals = collections.defaultdict(lambda: collections.Counter())
    seconds = 0.0
    print(f"{'file':<36} {'cells':>11} {'agency':>6} {'year':>5}  status")
    for folder in args.folders:
        for gold_path in gold_files(folder):
            gold = load_gold(gold_path)
            paths = raw_paths(gold)
            if not paths:
                print(f"{gold.stem:<36} no raw file found for {gold.raw_files}")
                continue
            for path in paths:
                started = time.perf_counter()
                result = parse_bytes(path.read_bytes(), path.name)
                seconds += time.perf_counter() - started
                found = {c.metric_code: found_texts(c.value, c.value_state, c.raw_text) for c in result.cells}
                wrong = [(code, want, found.get(code)) for code, want in gold.cells.items() if not accepts(code, want, found)]
                right = len(gold.cells) - len(wrong)
                agency_ok = result.metadata.agency_name == gold.agency
                year_ok = result.metadata.report_year == gold.report_year
                t = totals[layout_of(path)]
                t["files"] += 1
                t["cells"] += len(gold.cells)
                t["right"] += right
                t["agency"] += agency_ok
                t["year"] += year_ok
                t["uncoded"] += len(gold.uncoded)
                print(f"{path.parent.name + '/' + path.name:<36} {right:>5}/{len(gold.cells):<5} {'yes' if agency_ok else 'NO':>6} {'yes' if year_ok else 'NO':>5}  {result.parse_status}")
                if not agency_ok:
                    print(f"    agency: expected {gold.agency!r}, found {result.metadata.agency_name!r}")
                if not year_ok:
                    print(f"    year: expected {gold.report_year}, found {result.metadata.report_year}")
                if not args.quiet:
                    for code, want, got in wrong[:40]:
                        print(f"    {code}: expected {want!r}, found {got[0] if got else None!r}")
                    if len(wrong) > 40:
                        print(f"    … {len(wrong) - 40} more wrong cells")

    print()
    print(f"{'layout':<24} {'files':>5} {'cells right':>16} {'agency':>9} {'year':>9} {'uncoded figures':>16}")
    grand = collections.Counter()
    for layout, t in sorted(totals.items()):
        grand.update(t)
        print(_summary_line(layout, t))
    print(_summary_line("all", grand))
    if grand["files"]:
        print(f"parse time {seconds:.2f} s for {grand['files']} files ({grand['files'] / seconds:.0f} files/s on one core)")
    return 0


def _summary_line(name: str, t: collections.Counter) -> str:
    share = 100.0 * t["right"] / t["cells"] if t["cells"] else 100.0
    return (f"{name:<24} {t['files']:>5} {t['right']:>6}/{t['cells']:<5} {share:5.1f}% "
            f"{t['agency']:>4}/{t['files']:<4} {t['year']:>4}/{t['files']:<4} {t['uncoded']:>16}")


if __name__ == "__main__":
    raise SystemExit(main())
