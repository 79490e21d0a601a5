"""SQL identifiers from the project's own code, checked: the one way a name enters SQL text.

Values (file names, labels, numbers, paths, settings) always travel as parameters (`?`) or as Arrow
tables registered with the connection. Identifiers cannot be parameters in SQL, so the few that vary
(a table from our own list, a temp table name) go through `ident`, which accepts only plain names and
quotes them. tests/test_sql_safety.py fails on any other f-string or format() interpolation in SQL.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ident(name: str) -> str:
    """`name` (or `schema.name`) as a quoted SQL identifier; raises ValueError on anything else."""
    parts = name.split(".")
    if not parts or not all(_NAME.match(p) for p in parts):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return ".".join(f'"{p}"' for p in parts)
