"""Maintainer tool, run once to (re)build the dashboard that the repository ships: on a running
Superset (see run.sh), register the snapshot, create one virtual dataset and one table chart per entry
of charts.CHARTS and a dashboard holding them, then export the dashboard in Superset's own format into
bi/superset/dashboard/ (unzipped, so that it diffs). smoke.py imports that export into a fresh Superset.

    .venv-superset/bin/python bi/superset/bootstrap.py --url http://127.0.0.1:8088 --snapshot warehouse/ogi_snapshot.duckdb
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from charts import CHARTS, DASHBOARD_SLUG, DASHBOARD_TITLE, DATABASE_NAME, readme_sql
from sapi import Superset

EXPORT_DIR = Path(__file__).resolve().parent / "dashboard"


def database_payload(snapshot: Path) -> dict:
    return {
        "database_name": DATABASE_NAME,
        "sqlalchemy_uri": f"duckdb:///{snapshot.absolute()}",
        "expose_in_sqllab": True,
        # read_only: several Superset workers may open the file at once, and none of them writes.
        "extra": json.dumps({"engine_params": {"connect_args": {"read_only": True}}}),
    }


def table_chart(name: str, dataset_id: int, columns: list[str], order: list[str]) -> tuple[dict, dict]:
    form_data = {
        "datasource": f"{dataset_id}__table", "viz_type": "table", "query_mode": "raw",
        "all_columns": columns, "order_by_cols": [json.dumps([c, True]) for c in order],
        "row_limit": 10000, "server_pagination": False, "include_search": False, "show_cell_bars": False,
        "table_timestamp_format": "smart_date",
    }
    query_context = {
        "datasource": {"id": dataset_id, "type": "table"}, "force": False,
        "queries": [{"columns": columns, "metrics": [], "orderby": [[c, True] for c in order],
                     "row_limit": 10000, "filters": [], "extras": {"having": "", "where": ""},
                     "annotation_layers": [], "url_params": {}, "custom_params": {}, "custom_form_data": {}}],
        "form_data": form_data, "result_format": "json", "result_type": "full",
    }
    return form_data, query_context


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8088")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--snapshot", type=Path, required=True)
    args = parser.parse_args()
    api = Superset(args.url, args.user, args.password)

    found = api.find("database", "database_name", DATABASE_NAME)
    db_id = found[0]["id"] if found else api.post("/api/v1/database/", database_payload(args.snapshot))["id"]

    chart_ids = []
    for dataset, title, where, order in CHARTS:
        existing = api.find("dataset", "table_name", dataset)
        if existing:
            ds_id = existing[0]["id"]
        else:
            ds_id = api.post("/api/v1/dataset/", {"database": db_id, "schema": "marts", "table_name": dataset,
                                                 "sql": readme_sql(where)})["id"]
        columns = [c["column_name"] for c in api.get(f"/api/v1/dataset/{ds_id}")["result"]["columns"]]
        form_data, query_context = table_chart(dataset, ds_id, columns, order)
        chart = api.post("/api/v1/chart/", {
            "slice_name": title, "viz_type": "table", "datasource_id": ds_id, "datasource_type": "table",
            "params": json.dumps(form_data), "query_context": json.dumps(query_context)})
        chart_ids.append((chart["id"], title))

    position = {"DASHBOARD_VERSION_KEY": "v2",
                "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
                "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
                "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": DASHBOARD_TITLE}}}
    for row_index in range(0, len(chart_ids), 2):
        row = f"ROW-{row_index // 2 + 1}"
        position["GRID_ID"]["children"].append(row)
        position[row] = {"type": "ROW", "id": row, "children": [], "parents": ["ROOT_ID", "GRID_ID"],
                         "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        for chart_id, title in chart_ids[row_index:row_index + 2]:
            key = f"CHART-{chart_id}"
            position[row]["children"].append(key)
            position[key] = {"type": "CHART", "id": key, "children": [], "parents": ["ROOT_ID", "GRID_ID", row],
                             "meta": {"chartId": chart_id, "width": 6, "height": 60, "sliceName": title}}
    dashboard = api.post("/api/v1/dashboard/", {
        "dashboard_title": DASHBOARD_TITLE, "slug": DASHBOARD_SLUG, "published": True,
        "position_json": json.dumps(position, ensure_ascii=False)})
    dash_id = dashboard["id"]
    for chart_id, _ in chart_ids:
        api.request("PUT", f"/api/v1/chart/{chart_id}", json={"dashboards": [dash_id]})

    exported = api.request("GET", "/api/v1/dashboard/export/", params={"q": f"!({dash_id})"}).content
    if EXPORT_DIR.exists():
        shutil.rmtree(EXPORT_DIR)
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        for member in archive.namelist():
            relative = Path(*Path(member).parts[1:])  # drop the dashboard_export_<stamp>/ folder
            target = EXPORT_DIR / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(member))
    tidy_export(EXPORT_DIR)
    print(f"dashboard {dash_id} exported to {EXPORT_DIR}")


def tidy_export(folder: Path) -> None:
    """Superset's exporter appends a row of every chart whose layout entry has no uuid (ours, made
    through the API, have none): give our entries their charts' uuids (import maps charts by uuid) and
    drop that extra row, so the layout above is the one shipped; and replace the snapshot's path by a
    placeholder."""
    import yaml

    for path in (folder / "databases").glob("*.yaml"):
        # The snapshot's path is the maintainer's; smoke.py puts the user's in at import time.
        lines = [("sqlalchemy_uri: duckdb:///SNAPSHOT_PATH" if line.startswith("sqlalchemy_uri:") else line)
                 for line in path.read_text(encoding="utf-8").splitlines()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    uuids = {}
    for path in (folder / "charts").glob("*.yaml"):
        chart = yaml.safe_load(path.read_text(encoding="utf-8"))
        uuids[chart["slice_name"]] = chart["uuid"]
    for path in (folder / "dashboards").glob("*.yaml"):
        dashboard = yaml.safe_load(path.read_text(encoding="utf-8"))
        position = dashboard["position"]
        extra = [key for key in position if key.startswith("ROW-N-")]
        for row in extra:
            for child in position[row]["children"]:
                position.pop(child, None)
            position.pop(row)
            position["GRID_ID"]["children"].remove(row)
        for entry in position.values():
            if isinstance(entry, dict) and entry.get("type") == "CHART":
                entry["meta"]["uuid"] = uuids[entry["meta"]["sliceName"]]
        path.write_text(yaml.safe_dump(dashboard, allow_unicode=True, sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    main()
