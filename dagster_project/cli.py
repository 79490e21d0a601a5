"""`ogi build`: run the `build_warehouse` Dagster job in this process and print a summary.

Same job, same assets, same resources as the schedule and the sensor; the CLI only sets the three
environment variables from its flags, swaps Dagster's chatty console logger for a progress display,
and reads the finished warehouse for the summary. Errors a user can fix (a missing raw folder, a
warehouse path that cannot be written, another build of the same warehouse running) are one line and exit
code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from pathlib import Path

from dagster_project import settings as settings_mod

EXIT_USAGE = 2


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


def _check_paths(s: settings_mod.Settings) -> None:
    if not s.raw_dir.is_dir():
        raise UserError(f"raw folder not found: {s.raw_dir}")
    parent = s.warehouse.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create warehouse folder {parent}: {exc.strerror or exc}") from None
    if s.warehouse.is_dir():
        raise UserError(f"warehouse path is a folder, not a file: {s.warehouse}")
    target = s.warehouse if s.warehouse.exists() else parent
    if not os.access(target, os.W_OK):
        raise UserError(f"warehouse path is not writable: {s.warehouse}")
    try:
        # Only the parent: the export folder itself is a symlink the exports step swaps atomically.
        s.export_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create export folder {s.export_dir.parent}: {exc.strerror or exc}") from None
    _check_not_locked(s.warehouse)


def _check_not_locked(warehouse: Path) -> None:
    """One build per warehouse at a time: say so plainly instead of failing mid-run. Readers holding
    the live file open are no obstacle (a run writes a working copy and swaps it in)."""
    from dagster_project import working_copy

    try:
        working_copy.release_lock(working_copy.acquire_lock(warehouse))
    except working_copy.BuildLocked as exc:
        raise UserError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ogi", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="ingest, parse, model, check and export the raw folder")
    build.add_argument("--raw", metavar="DIR", help=f"raw report folder (default ${settings_mod.ENV_RAW_DIR} or raw/)")
    build.add_argument("--warehouse", metavar="FILE", help=f"DuckDB file (default ${settings_mod.ENV_WAREHOUSE} or warehouse/ogi.duckdb)")
    build.add_argument("--exports", metavar="DIR", help=f"Parquet folder (default ${settings_mod.ENV_EXPORT_DIR} or warehouse/parquet/)")
    args = parser.parse_args(argv)

    for flag, var in ((args.raw, settings_mod.ENV_RAW_DIR), (args.warehouse, settings_mod.ENV_WAREHOUSE), (args.exports, settings_mod.ENV_EXPORT_DIR)):
        if flag:
            os.environ[var] = os.path.abspath(Path(flag).expanduser())
    s = settings_mod.load_settings()
    try:
        _check_paths(s)
    except UserError as exc:
        print(f"ogi: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _run_build(s)


def _run_build(s: settings_mod.Settings) -> int:
    from dagster_project.summary import print_line

    started = time.monotonic()
    print_line(f"ogi build: raw {s.raw_dir} → warehouse {s.warehouse}")
    print_line("loading Dagster and dbt definitions…")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from dagster_project.definitions import build_definitions

    defs = build_definitions()
    job = defs.resolve_job_def("build_warehouse")
    # dbt writes its own log lines straight to stdout; they go to a file beside the warehouse so the
    # terminal shows the progress display, and the full log is still there to read.
    log_path = s.warehouse.parent / "last_build.log"
    with _instance() as instance, open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(
            instance=instance,
            run_config={"loggers": {"ogi_progress": {}}},
            raise_on_error=False,
        )
    print_line(f"full log: {log_path}")
    from dagster_project.summary import print_summary, read_summary

    summary = read_summary(s)
    print_summary(summary, elapsed=time.monotonic() - started)
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        print(f"ogi: the build failed in step(s): {', '.join(failed) or 'unknown'} (see the messages above)", file=sys.stderr)
        return 1
    return 0


def _instance():
    """A persistent instance under $DAGSTER_HOME when set (runs show up in `dagster dev`),
    otherwise an ephemeral one: a CLI run needs no daemon and no storage of its own."""
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def console_main() -> int:
    """The `ogi` command: main(), then interpreter teardown with stderr closed.

    Why: once dbt has run in this process (dbt_runner.py), DuckDB's bindings print a page of benign
    "nanobind: leaked instance" lines while the interpreter is torn down, below the summary. By then
    every message of the run is printed and flushed; teardown itself has nothing to report."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    return code


if __name__ == "__main__":
    raise SystemExit(console_main())
