"""End to end: `ogi build` over N generated reports, scored against their ground truth.

For each N: writes N reports with benchmarks/make_corpus.py, runs the real `ogi build` command three
times (first build, a no-op re-run on the unchanged folder, a run with 10 reports added) and prints,
per run, the wall time and peak memory (RSS of the build's whole process tree, sampled every 0.2 s)
of the run and of each Dagster step; then scores the warehouse against the ground truth:
- cells: every gold cell of every report (value × k, + the injected delta) against marts.fct_report_metric;
- metadata: agency as written, report year and template version against marts.dim_report;
- checks: a report is flagged when a hard within-report check (suites t2, t3, t4) fails in
  marts.fct_check_result; precision and recall of the flags against the injected errors.
Not a test; figures vary with the machine.

Usage:  .venv/bin/python benchmarks/bench_build.py [--reports 1000,10000,100000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_corpus import generate  # noqa: E402

STEP_START = re.compile(r"^▶ (\S+)$")
STEP_DONE = re.compile(r"^✓ (\S+) \(([\d.]+) s\)$")
PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants (Linux /proc), in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total / 2**20


def build(raw: Path, out: Path) -> dict:
    """One `ogi build`; returns wall time, peak RSS and per step (seconds, peak RSS)."""
    ogi = Path(sys.executable).parent / "ogi"
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(ogi), "build", "--raw", str(raw), "--warehouse", str(out / "ogi.duckdb"), "--exports", str(out / "parquet")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    samples: list[tuple[float, float]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.monotonic(), tree_rss_mb(proc.pid)))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines: list[tuple[float, str]] = [(time.monotonic(), line.rstrip("\n")) for line in proc.stderr]
    proc.wait()
    done.set()
    sampler.join()
    elapsed = time.monotonic() - started
    stderr = "\n".join(line for _, line in lines)
    if proc.returncode != 0:
        sys.exit(f"ogi build failed ({proc.returncode}):\n{stderr[-3000:]}")
    steps: dict[str, tuple[float, float]] = {}
    begun: dict[str, float] = {}
    for at, line in lines:
        if m := STEP_START.match(line):
            begun[m.group(1)] = at
        elif m := STEP_DONE.match(line):
            start = begun.get(m.group(1), started)
            peak = max((mb for t, mb in samples if start <= t <= at), default=0.0)
            steps[m.group(1)] = (float(m.group(2)), peak)
    return {"wall": elapsed, "peak": max((mb for _, mb in samples), default=0.0), "steps": steps, "stderr": stderr}


# Every file of a report: byte-identical files (the generator can draw the same agency, year and k
# twice when an agency's years run out) are one report, listed in dim_report.source_files.
FILES = "(select unnest(source_files) as source_file, * exclude (source_file, source_files) from marts.dim_report)"
SCORE_SQL = {
    "cells": """
        with expected as (
            select t.source_file, g.metric_code,
                   g.value * t.k + case when t.injected.metric_code = g.metric_code then t.injected.delta else 0 end as value
            from truth t join gold g on g.seed = t.seed
        ), actual as (
            select r.source_file, m.metric_code, m.value
            from marts.fct_report_metric m join {files} r using (report_id)
        )
        select count(*) as expected,
               count(*) filter (where a.value = e.value) as correct,
               count(*) filter (where a.value is null) as missing,
               count(*) filter (where a.value <> e.value) as wrong
        from expected e left join actual a using (source_file, metric_code)""",
    "metadata": """
        select count(*) as reports,
               count(*) filter (where r.agency_name_as_written is not distinct from t.agency) as agency,
               count(*) filter (where r.report_year = t.report_year) as year,
               count(*) filter (where r.template_version = t.template or t.seed = '001') as template,
               count(*) filter (where r.report_id is null) as not_in_warehouse
        from truth t left join {files} r using (source_file)""",
    "checks": """
        with flagged as (
            select distinct r.source_file
            from marts.fct_check_result c join {files} r using (report_id)
            where c.status = 'fail' and c.severity = 'hard' and c.suite in ('t2', 't3', 't4')
        )
        select count(*) filter (where t.injected is not null and f.source_file is not null) as tp,
               count(*) filter (where t.injected is null and f.source_file is not null) as fp,
               count(*) filter (where t.injected is not null and f.source_file is null) as fn
        from truth t left join flagged f using (source_file)""",
}


def score(warehouse: Path, corpus: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("create temp table truth as select * from read_json_auto(?, format = 'newline_delimited')",
                    [str(corpus / "ground_truth.jsonl")])
        gold = json.loads((corpus / "gold_cells.json").read_text(encoding="utf-8"))
        con.execute("create temp table gold (seed varchar, metric_code varchar, value decimal(18, 4))")
        con.executemany("insert into gold values (?, ?, ?)",
                        [(seed, code, value) for seed, cells in gold.items() for code, value in cells.items()])
        out = {}
        for name, sql in SCORE_SQL.items():
            cursor = con.execute(sql.format(files=FILES))  # FILES is a constant of this script
            out[name] = dict(zip([d[0] for d in cursor.description], cursor.fetchone()))
        return out
    finally:
        con.close()


def print_run(label: str, run: dict, reports: int) -> None:
    print(f"\n{label}: {run['wall']:.1f} s wall, peak RSS {run['peak']:.0f} MB"
          + (f", {reports / run['wall']:.0f} reports/s end to end" if label == "first build" else ""))
    for step, (seconds, peak) in run["steps"].items():
        print(f"  {step:<24} {seconds:7.1f} s  peak {peak:6.0f} MB")


def print_score(s: dict) -> None:
    c, m, k = s["cells"], s["metadata"], s["checks"]
    print(f"  cells: {c['correct']}/{c['expected']} correct ({100 * c['correct'] / max(c['expected'], 1):.3f} %), "
          f"{c['missing']} missing, {c['wrong']} wrong")
    print(f"  metadata of {m['reports']} files: agency {m['agency']}, year {m['year']}, template {m['template']}, "
          f"not in the warehouse {m['not_in_warehouse']}")
    precision = k["tp"] / max(k["tp"] + k["fp"], 1)
    recall = k["tp"] / max(k["tp"] + k["fn"], 1)
    print(f"  checks (hard, within report): {k['tp']} injected errors flagged, {k['fp']} false flags, {k['fn']} missed: "
          f"precision {100 * precision:.2f} %, recall {100 * recall:.2f} %")


def bench(reports: int, keep: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"ogi_bench_{reports}_"))
    raw, out = work / "raw", work / "out"
    started = time.monotonic()
    layouts = generate(reports, work, seed=11)
    print(f"\n=== {reports} reports, written in {time.monotonic() - started:.1f} s under {raw}: {layouts}")
    try:
        for label in ("first build", "no-op re-run", "+10 reports"):
            if label == "+10 reports":
                generate(10, work, seed=12, start=reports, name_prefix="a")
            run = build(raw, out)
            print_run(label, run, reports)
            if label != "no-op re-run":
                print_score(score(out / "ogi.duckdb", work))
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        print(f"  warehouse, snapshot and Parquet on disk: {size / 2**20:.0f} MB")
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", default="1000,10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    for n in (int(x) for x in args.reports.split(",")):
        bench(n, args.keep)


if __name__ == "__main__":
    main()
