"""Resources: the DuckDB warehouse and the folders, built from settings.py.

Every step of a run writes a working copy of the warehouse, never the live file (working_copy.py
says why): `WarehouseDuckDB` takes the build lock when the run starts, makes the copy when a step
first asks to write (`get_connection`), and at the end of the run swaps it in when no step failed,
or drops it when one did. Steps decide whether they have anything to do on `read_connection`, which
reads the working copy once there is one and the live file (read-only) before; so a run in which no
step has anything to do copies nothing and leaves the live file as it was, at any corpus size. A run
killed outright never reaches the swap, so the live file keeps the last good state. Readers (BI
tools, notebooks) may hold the live file open: the run never writes it, and the swap is a rename.
"""

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from dagster_project import working_copy
from dagster_project.settings import Settings, duckdb_config


class WarehouseDuckDB(DuckDBResource):
    """DuckDBResource on the run's working copy (`database`) of the live warehouse (`live_database`)."""

    live_database: str
    _lock_fd: int | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        live = Path(self.live_database)
        self._lock_fd = working_copy.acquire_lock(live)
        working_copy.discard(live)  # what a killed run left: its changes are dropped, not resumed

    @contextmanager
    def get_connection(self):
        """A connection on the working copy, made from the live file on first use."""
        if not working_copy.working_path(Path(self.live_database)).exists():
            working_copy.begin(Path(self.live_database))
        with super().get_connection() as con:
            yield con

    @contextmanager
    def read_connection(self):
        """A connection to read what the run has so far: the working copy when a step has written
        one, else the live file read-only (else a new, empty working copy). Never write through it."""
        live = Path(self.live_database)
        if working_copy.working_path(live).exists() or not live.exists():
            with self.get_connection() as con:
                yield con
            return
        con = duckdb.connect(str(live), read_only=True, config=duckdb_config())
        try:
            yield con
        finally:
            con.close()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        live = Path(self.live_database)
        try:
            if not working_copy.working_path(live).exists():
                return  # no step wrote: nothing to publish, the live file is as it was
            failed = context.instance.get_records_for_run(
                context.run_id, of_type=dg.DagsterEventType.STEP_FAILURE, limit=1).records
            if failed:
                working_copy.discard(live)
                context.log.warning(f"a step failed: the working copy is dropped, {live} keeps the last good build")
            else:
                working_copy.publish(live)
        finally:
            if self._lock_fd is not None:
                working_copy.release_lock(self._lock_fd)
                self._lock_fd = None


class WarehousePaths(dg.ConfigurableResource):
    """The folders around the warehouse file (the file itself is WarehouseDuckDB)."""

    raw_dir: str
    export_dir: str
    snapshot: str
    data_docs_dir: str


def build_resources(settings: Settings) -> dict:
    return {
        "duckdb": WarehouseDuckDB(database=str(settings.working_copy), live_database=str(settings.warehouse),
                                  connection_config=duckdb_config()),
        "paths": WarehousePaths(
            raw_dir=str(settings.raw_dir),
            export_dir=str(settings.export_dir),
            snapshot=str(settings.snapshot),
            data_docs_dir=str(settings.data_docs_dir),
        ),
    }
