"""Arithmetic checks (docs/spec/templates.md §7–§8): pure Python + DuckDB SQL + Great Expectations.

- catalogue.py   every check as data (id, severity, suite, formula) and the rules/terms it expands to
- identities.py  one set-based SQL pass: the identity table (report × check × subject, lhs/rhs/diff)
- gx_runner.py   one GX validation per suite over that table; statuses; Data Docs
- store.py       checks.results / checks.catalogue, replaced in one transaction

No Dagster import here: defs/check_assets.py wires it into the job, the benchmark calls it directly.
"""
