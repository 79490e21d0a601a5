"""The numbers each dashboard chart must show: its README query run on the warehouse with the
project's own DuckDB (2.0, main virtualenv). Prints JSON {dataset: {"columns": [...], "rows": [...]}}.

    .venv/bin/python bi/superset/expected.py warehouse/ogi.duckdb
"""

from __future__ import annotations

import decimal
import json
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from charts import CHARTS, readme_sql


def plain(value):
    return float(value) if isinstance(value, decimal.Decimal) else value


def main() -> None:
    con = duckdb.connect(sys.argv[1], read_only=True)
    out = {}
    try:
        for dataset, _title, where, _order in CHARTS:
            cursor = con.execute(readme_sql(where))
            columns = [d[0] for d in cursor.description]
            out[dataset] = {"columns": columns, "rows": [[plain(v) for v in row] for row in cursor.fetchall()]}
    finally:
        con.close()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
