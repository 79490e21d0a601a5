"""End to end: `ogi build` over N synthetic report files, an idle re-run, then a run with 10 reports added.

Writes N report files derived from the seeds (bench_parse.variants: other districts, years and table
values) into a temporary raw folder, runs the real `ogi build` command on it (first build, idle re-run) and prints the
wall time of each step (from the build's own progress lines), reports/second and the warehouse's row
counts; then adds 10 new reports and builds again (the incremental run). Not a test; figures vary with the machine.

Usage:  .venv/bin/python benchmarks/bench_build.py [--reports 10000] [--keep]
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_parse import variants  # noqa: E402

STEP_DONE = re.compile(r"^✓ (\S+) \(([\d.]+) s\)$")


def build(raw: Path, out: Path) -> tuple[float, dict[str, float], str]:
    ogi = Path(sys.executable).parent / "ogi"
    started = time.monotonic()
    result = subprocess.run(
        [str(ogi), "build", "--raw", str(raw), "--warehouse", str(out / "ogi.duckdb"), "--exports", str(out / "parquet")],
        capture_output=True, text=True,
    )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"ogi build failed ({result.returncode}):\n{result.stderr[-3000:]}")
    steps = {m.group(1): float(m.group(2)) for m in map(STEP_DONE.match, result.stderr.splitlines()) if m}
    return elapsed, steps, result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ogi_bench_"))
    raw, out = work / "raw", work / "out"
    raw.mkdir()
    t = time.monotonic()
    for i, text in enumerate(variants(args.reports, seed=11)):
        (raw / f"{i // 1000:03d}" / f"r{i:06d}.txt").parent.mkdir(exist_ok=True)
        (raw / f"{i // 1000:03d}" / f"r{i:06d}.txt").write_text(text, encoding="utf-8")
    print(f"{args.reports} report files written in {time.monotonic() - t:.1f} s under {raw}")

    extra = list(variants(10, seed=12))
    for label in ("first build", "re-run, unchanged folder", "+10 reports"):
        if label == "+10 reports":
            (raw / "added").mkdir()
            for i, text in enumerate(extra):
                (raw / "added" / f"a{i:02d}.txt").write_text(text, encoding="utf-8")
        elapsed, steps, stderr = build(raw, out)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"\n{label}: {elapsed:.1f} s wall, {args.reports / elapsed:.0f} reports/s end to end, "
              f"peak RSS of the largest build so far {peak:.0f} MB")
        for step, seconds in steps.items():
            print(f"  {step:<24} {seconds:7.1f} s")
        summary = stderr.split("\nsummary", 1)[-1].splitlines()[1:13]
        print("\n".join(summary))
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
