"""Whether a schema's DDL would change a warehouse, so that reading needs no write access.

Why: every store module creates its tables with `create … if not exists` / `add column if not
exists` DDL before it reads. DuckDB refuses DDL on a read-only connection even when it would change
nothing, and a run decides whether it has anything to do on the live file opened read-only
(defs/resources.py). So each store's `ensure_schema` runs its DDL only when a table or column it
declares is missing: the expected columns come from running the same DDL once on an in-memory
database, never from a second list of names.
"""

from __future__ import annotations

from functools import lru_cache

import duckdb


@lru_cache(maxsize=None)
def _declared(ddl: str) -> frozenset[tuple[str, str, str]]:
    con = duckdb.connect(":memory:")
    try:
        con.execute(ddl)
        return frozenset(con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database()").fetchall())
    finally:
        con.close()


def missing(con: duckdb.DuckDBPyConnection, ddl: str) -> bool:
    """True when `ddl` would add a table or column that `con`'s database lacks."""
    have = set(con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = current_database()").fetchall())
    return not _declared(ddl) <= have


def ensure(con: duckdb.DuckDBPyConnection, ddl: str) -> None:
    """Run `ddl` when it would change something (so an up-to-date schema needs no write access)."""
    if missing(con, ddl):
        con.execute(ddl)
