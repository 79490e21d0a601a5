"""No SQL built from data: a static check over the package (issue: file names reaching SQL as text).

Every `execute`/`executemany`/`sql`/`query` call whose SQL is an f-string, a `.format()` or a `%`
expression may interpolate only UPPER_CASE module constants (our own identifiers), `ident(...)`
(dagster_project/sql.py, which admits plain identifiers only), `sql_*` builders and variables (SQL text
made by our own code, by naming convention), helpers called with literals only, and local names
assigned from those. Everything else travels as a parameter.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dagster_project.sql import ident

PACKAGE = Path(__file__).resolve().parents[1] / "dagster_project"
SQL_METHODS = {"execute", "executemany", "sql", "query"}


def _allowed(expr: ast.expr, assigned: dict[str, ast.expr], depth: int = 0) -> bool:
    """True when `expr` can only be SQL text of our own: a constant, an UPPER_CASE constant, ident(),
    an `sql_*` builder or variable, a helper called with literals, or a local name assigned from those."""
    if depth > 8:
        return False
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.Name):
        if expr.id.isupper() or expr.id.startswith("sql_"):
            return True
        return expr.id in assigned and _allowed(assigned[expr.id], assigned, depth + 1)
    if isinstance(expr, ast.Attribute):
        return expr.attr.isupper() or expr.attr.startswith("sql_")
    if isinstance(expr, ast.Subscript):  # a lookup in a constant table of ours (type names …)
        return isinstance(expr.value, ast.Name) and expr.value.id.isupper()
    if isinstance(expr, ast.Call):
        func = expr.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        # ident() checks its argument; a helper called with literals only builds SQL from our own code
        return name == "ident" or name.startswith("sql_") or all(
            isinstance(a, ast.Constant) for a in expr.args + [k.value for k in expr.keywords])
    if isinstance(expr, ast.JoinedStr):
        return all(_allowed(v.value, assigned, depth + 1) for v in expr.values if isinstance(v, ast.FormattedValue))
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _allowed(expr.left, assigned, depth + 1) and _allowed(expr.right, assigned, depth + 1)
    if isinstance(expr, ast.IfExp):
        return _allowed(expr.body, assigned, depth + 1) and _allowed(expr.orelse, assigned, depth + 1)
    return False


def _string_parts(node: ast.expr, assigned: dict[str, ast.expr]) -> list[ast.expr]:
    """The interpolated expressions of an SQL argument (following one local assignment)."""
    if isinstance(node, ast.Name) and node.id in assigned:
        node = assigned[node.id]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return list(node.args) + [k.value for k in node.keywords]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        right = node.right
        return list(right.elts) if isinstance(right, ast.Tuple) else [right]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [p for side in (node.left, node.right) for p in
                ([] if isinstance(side, ast.Constant) else _string_parts(side, assigned) if isinstance(side, (ast.JoinedStr, ast.BinOp)) else [side])]
    return []


def violations(source: str, filename: str = "<string>") -> list[str]:
    tree = ast.parse(source, filename)
    found = []
    for func in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module))]:
        assigned: dict[str, ast.expr] = {}
        for node in ast.walk(func):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                assigned[node.targets[0].id] = node.value
        for node in ast.walk(func):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_METHODS and node.args):
                continue
            for part in _string_parts(node.args[0], assigned):
                if not _allowed(part, assigned):
                    found.append(f"{filename}:{node.lineno}: SQL interpolates {ast.unparse(part)!r}")
    return sorted(set(found))


def test_the_package_builds_no_sql_from_data():
    problems = [v for path in sorted(PACKAGE.rglob("*.py")) for v in violations(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))]
    assert problems == []


@pytest.mark.parametrize(
    "snippet, expected",
    [
        ("def f(con, name):\n    con.execute(f\"select * from t where name = '{name}'\")\n", ["<string>:2: SQL interpolates 'name'"]),
        ("def f(con, p):\n    sql = 'copy t to {}'.format(p)\n    con.execute(sql)\n", ["<string>:3: SQL interpolates 'p'"]),
        ("def f(con, p):\n    con.sql('select %s' % p)\n", ["<string>:2: SQL interpolates 'p'"]),
        ("def f(con, name):\n    con.execute('select * from t where name = ?', [name])\n", []),
        ("TABLE = 'x'\ndef f(con, t):\n    con.execute(f'select * from {TABLE} join {ident(t)} using (id)')\n", []),
        ("def f(con, t, v):\n    src = f'{ident(t)}'\n    con.execute(f'select * from {src} where a = {v}')\n", ["<string>:3: SQL interpolates 'v'"]),
        ("def f(con, t):\n    src = t + 'x'\n    con.execute(f'select * from {src}')\n", ["<string>:3: SQL interpolates 'src'"]),
    ],
)
def test_the_checker_sees_interpolated_values(snippet, expected):
    assert violations(snippet) == expected


@pytest.mark.parametrize("bad", ["x; drop table y", "t'--", "a b", "", "a..b", "1abc"])
def test_ident_refuses_anything_but_plain_names(bad):
    with pytest.raises(ValueError):
        ident(bad)


def test_ident_quotes_plain_and_dotted_names():
    assert (ident("fct_report_metric"), ident("marts.dim_report")) == ('"fct_report_metric"', '"marts"."dim_report"')
