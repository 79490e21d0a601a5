"""dbt inside the build's own process, on a manifest parsed once per process.

Why: a run needs dbt three times (models before the parse step, the marts, the check-result marts;
Dagster splits the dbt models around the Python assets). As a subprocess, each of them paid ≈ 7 s
of start-up (interpreter, dbt and adapter imports, project load and manifest checks) for 1–4 s of
its own work at 10,000 reports. In-process, the imports are paid once and the parsed manifest is
reused (dbt's documented `dbtRunner(manifest=...)`), so an invocation costs what dbt does.

What stays as with the CLI: the same `dbt build` arguments, artifacts (run_results.json, dbt.log)
in a folder of their own per invocation, the project's profile, a failing model or test making the
invocation unsuccessful. dbt-duckdb's DuckDB database is closed after each invocation (release_duckdb), so the file is free for the next step. dbt is not thread-safe: invocations in one process run one at a time (a lock).
No Dagster here: defs/dbt.py turns the result events into asset materializations and checks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The events that carry one node's outcome; dagster-dbt builds its asset events from these.
RESULT_EVENTS = frozenset({"LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult"})

_LOCK = threading.Lock()

_MANIFESTS: dict[tuple[str, float], Any] = {}  # (project dir, manifest.json mtime) -> parsed Manifest


@dataclass
class Invocation:
    """What one in-process dbt invocation did."""

    success: bool
    result_events: list[dict] = field(default_factory=list)  # dbt's structured log events, as dicts
    error: str | None = None  # dbt's exception, when the invocation could not run at all


def _common_args(project_dir: Path, profiles_dir: Path) -> list[str]:
    return ["--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir)]


def warm_manifest(project_dir: Path, profiles_dir: Path, target_path: Path):
    """The project's parsed Manifest, parsed at most once per process and manifest.json version.

    `dbt parse` with partial parsing: the caller (defs/dbt.py) has already brought manifest.json up
    to date with the project's files, so this is a re-read, not a fresh parse."""
    manifest_json = target_path / "manifest.json"

    def key() -> tuple[str, float]:
        return str(project_dir), manifest_json.stat().st_mtime if manifest_json.exists() else 0.0

    with _LOCK:
        if key() not in _MANIFESTS:
            from dbt.cli.main import dbtRunner

            result = dbtRunner().invoke(["parse", "--quiet", "--no-write-json", *_common_args(project_dir, profiles_dir),
                                         "--target-path", str(target_path)])
            if not result.success or result.result is None:
                raise RuntimeError(f"dbt parse failed in {project_dir}: {result.exception}")
            _MANIFESTS.clear()  # an older version of the project's manifest is never used again
            _MANIFESTS[key()] = result.result
        return _MANIFESTS[key()]


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after an invocation.

    dbt-duckdb holds its environment (and the DuckDB instance) in a class attribute until the process
    exits; the next step's own connection to the same file would then fail ("different configuration
    than existing connections") and the file could not be checkpointed and renamed cleanly."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()
    from dbt.adapters.factory import reset_adapters

    reset_adapters()  # the next invocation registers a fresh adapter (dbt does, even on a given manifest)


def invoke(args: list[str], project_dir: Path, profiles_dir: Path, manifest, target_path: Path) -> Invocation:
    """Run `dbt <args>` in this process on `manifest`; artifacts and dbt.log go to target_path."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    events: list[dict] = []

    def collect(event) -> None:
        if event.info.name in RESULT_EVENTS:
            events.append(msg_to_dict(event))

    target_path.mkdir(parents=True, exist_ok=True)
    full = [*args, *_common_args(project_dir, profiles_dir), "--target-path", str(target_path),
            "--log-path", str(target_path)]
    with _LOCK:
        try:
            result = dbtRunner(manifest=manifest, callbacks=[collect]).invoke(full)
        finally:
            release_duckdb()
    error = None if result.exception is None else f"{type(result.exception).__name__}: {result.exception}"
    return Invocation(success=bool(result.success), result_events=events, error=error)
