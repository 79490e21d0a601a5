"""A progress display for `ogi build`: one line per step start/finish, plus the assets' own
progress messages, instead of Dagster's full event log.

It is a Dagster logger (so it sees exactly the events of the run, in order) that the CLI selects with
run config; scheduled and sensor runs keep Dagster's default console logger.
"""

from __future__ import annotations

import logging
import time

import dagster as dg

from dagster_project.summary import print_line

PROGRESS_PREFIX = "progress: "  # assets start a log message with this to show it in the CLI


class _ProgressHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)  # Dagster logs step events at DEBUG
        self.started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        message = meta.get("orig_message") or record.getMessage()
        if event is not None:
            kind = event.event_type_value
            if kind == "STEP_START":
                self.started[step] = time.monotonic()
                print_line(f"▶ {step}")
            elif kind == "STEP_SUCCESS":
                print_line(f"✓ {step} ({time.monotonic() - self.started.get(step, time.monotonic()):.1f} s)")
            elif kind == "STEP_FAILURE":
                print_line(f"✗ {step}: {message}")
            elif kind == "ASSET_MATERIALIZATION":
                key = event.asset_key.to_user_string() if event.asset_key else ""
                print_line(f"  · {key}")
            elif kind == "ASSET_CHECK_EVALUATION":
                data = event.event_specific_data
                evaluation = getattr(data, "asset_check_evaluation", data)
                if evaluation is not None and not getattr(evaluation, "passed", True):
                    print_line(f"  ! check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} did not pass")
            return
        if isinstance(message, str) and message.startswith(PROGRESS_PREFIX):
            print_line(f"  {message[len(PROGRESS_PREFIX):]}")
        elif record.levelno >= logging.WARNING:
            print_line(f"  {logging.getLevelName(record.levelno).lower()}: {message}")


@dg.logger(description="Compact progress lines for the `ogi build` command line.")
def ogi_progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("ogi.progress")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.handlers[:] = [_ProgressHandler()]
    return logger
