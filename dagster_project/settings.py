"""Where things live: the three path settings and their defaults.

The README lists seven environment variables. The three paths are read here: OGI_RAW_DIR, OGI_WAREHOUSE
and OGI_EXPORT_DIR, and so is OGI_DUCKDB_MEMORY_LIMIT (duckdb_config). The other three are read where they are used: OGI_PARSE_WORKERS (parsed_store.py),
OGI_PDF_MAX_PAGES (parsing/pdf.py) and OGI_MAX_FILE_MB (corpus.py). OGI_SNAPSHOT_STORAGE_VERSION, from
the README's BI section, is read in exports.py.

Every path is resolved to an absolute path once, here, because dbt runs in its own working
directory and a relative warehouse path would silently open a second, empty DuckDB file.
Defaults are relative to the project root (so `ogi build` works from any folder); values given in
the environment are relative to the current directory, like any other shell path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

ENV_RAW_DIR = "OGI_RAW_DIR"
ENV_WAREHOUSE = "OGI_WAREHOUSE"
ENV_EXPORT_DIR = "OGI_EXPORT_DIR"
ENV_BUILD_DATABASE = "OGI_BUILD_DATABASE"  # set by export_to_environment for dbt; not for users
ENV_DUCKDB_MEMORY_LIMIT = "OGI_DUCKDB_MEMORY_LIMIT"
# Why a limit: DuckDB's default is 80 % of the machine's RAM, and it keeps what it took; at 100,000
# reports the checks' joins took 8–10 GB. Every step's work is cut to fit 2 GB (checks in buckets of
# agencies, parsing in batches), so a build stays under 4 GiB with Python and the parser workers.
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"

DEFAULTS = {
    ENV_RAW_DIR: PROJECT_ROOT / "raw",
    ENV_WAREHOUSE: PROJECT_ROOT / "warehouse" / "ogi.duckdb",
    ENV_EXPORT_DIR: PROJECT_ROOT / "warehouse" / "parquet",
}


def _path(var: str) -> Path:
    value = os.environ.get(var)
    # abspath, not resolve(): OGI_EXPORT_DIR is a symlink that the exports step repoints, and
    # resolving it would pin one old export version.
    return Path(os.path.abspath(Path(value).expanduser())) if value else DEFAULTS[var]


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse: Path
    export_dir: Path

    @property
    def working_copy(self) -> Path:
        """The file a run writes; swapped in over `warehouse` when the run succeeds (working_copy.py)."""
        from dagster_project.working_copy import working_path

        return working_path(self.warehouse)

    @property
    def snapshot(self) -> Path:
        """A copy of the marts for BI tools that want a DuckDB file (replaced atomically)."""
        return self.warehouse.with_name(self.warehouse.stem + "_snapshot.duckdb")

    @property
    def data_docs_dir(self) -> Path:
        """GX Data Docs live beside the warehouse file (a static site)."""
        return self.warehouse.parent / "data_docs"


def duckdb_config() -> dict[str, str]:
    """The settings of every DuckDB connection a build opens (the steps', dbt's through profiles.yml,
    the snapshot's): the memory limit, and DuckDB's spill folder left at its default."""
    limit = os.environ.get(ENV_DUCKDB_MEMORY_LIMIT, "").strip() or DEFAULT_DUCKDB_MEMORY_LIMIT
    return {"memory_limit": limit}


def load_settings() -> Settings:
    return Settings(_path(ENV_RAW_DIR), _path(ENV_WAREHOUSE), _path(ENV_EXPORT_DIR))


def export_to_environment(settings: Settings) -> None:
    """Pin the resolved absolute paths in os.environ so that dbt (a child process reading
    `env_var('OGI_WAREHOUSE')` in profiles.yml) sees exactly the same files as the Python assets."""
    os.environ[ENV_RAW_DIR] = str(settings.raw_dir)
    os.environ[ENV_WAREHOUSE] = str(settings.warehouse)
    os.environ[ENV_EXPORT_DIR] = str(settings.export_dir)
    os.environ[ENV_DUCKDB_MEMORY_LIMIT] = duckdb_config()["memory_limit"]  # profiles.yml reads it
    # Internal, not a setting: dbt writes the run's working copy, never the live file.
    os.environ[ENV_BUILD_DATABASE] = str(settings.working_copy)
