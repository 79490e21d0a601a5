"""Smoke test of the shipped dashboard in a running Superset (run.sh starts one and calls this):

1. import bi/superset/dashboard/ (Superset's export format) with the database pointed at the snapshot;
2. for every chart, ask Superset's chart-data API for its rows and compare them, value for value and
   in order, with the chart's README query run on the warehouse by the project's own DuckDB
   (expected.py, main virtualenv);
3. log in with headless Chromium (DevTools protocol) and take a screenshot of the dashboard.

Exit code 0 only when every chart matches and the screenshot shows every chart rendered.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import requests
import websocket

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from charts import CHARTS, DASHBOARD_SLUG, readme_sql  # noqa: E402
from sapi import Superset  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def export_zip(snapshot: Path) -> bytes:
    """The shipped export as the zip Superset's import API takes, its database pointed at `snapshot`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((HERE / "dashboard").rglob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            if path.parent.name == "databases":
                text = text.replace("duckdb:///SNAPSHOT_PATH", f"duckdb:///{snapshot.absolute()}")
            archive.writestr(f"dashboard_export/{path.relative_to(HERE / 'dashboard')}", text)
    return buffer.getvalue()


def import_dashboard(api: Superset, snapshot: Path) -> int:
    api.request("POST", "/api/v1/dashboard/import/", files={"formData": ("dashboard.zip", export_zip(snapshot), "application/zip")},
                data={"overwrite": "true"})
    return api.get(f"/api/v1/dashboard/{DASHBOARD_SLUG}")["result"]["id"]


def normalise(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def check_charts(api: Superset, dashboard_id: int, expected: dict) -> list[str]:
    charts = {c["slice_name"]: c for c in api.get(f"/api/v1/dashboard/{dashboard_id}/charts")["result"]}
    problems = []
    for dataset, title, where, _order in CHARTS:
        chart = charts.get(title)
        if chart is None:
            problems.append(f"{title}: not on the dashboard")
            continue
        dataset_info = api.get(f"/api/v1/dataset/{chart['form_data']['datasource'].split('__')[0]}")["result"]
        if dataset_info["sql"].strip() != readme_sql(where):
            problems.append(f"{title}: the dataset's SQL is not the README's")
        result = api.get(f"/api/v1/chart/{chart['id']}/data/", params={"format": "json"})["result"][0]
        want = expected[dataset]
        got_rows = [[normalise(row[c]) for c in want["columns"]] for row in result["data"]]
        want_rows = [[normalise(v) for v in row] for row in want["rows"]]
        status = "ok" if got_rows == want_rows else "DIFFERENT"
        print(f"  {title}: {len(got_rows)} rows from Superset, {len(want_rows)} from the warehouse: {status}")
        if got_rows != want_rows:
            problems.append(f"{title}: Superset {got_rows} != warehouse {want_rows}")
    return problems


def session_cookie(base: str, user: str, password: str) -> dict:
    """Log in through the web form (what the browser would do) and return the session cookie."""
    http = requests.Session()
    page = http.get(f"{base}/login/", timeout=60).text
    match = re.search(r'name="csrf_token"\s+id="csrf_token"\s+value="([^"]+)"', page)
    if not match:
        raise RuntimeError("no csrf_token on Superset's login page")
    token = match.group(1)
    response = http.post(f"{base}/login/", data={"username": user, "password": password, "csrf_token": token},
                         timeout=60, allow_redirects=False)
    if response.status_code not in (302, 303) or "session" not in http.cookies:
        raise RuntimeError(f"browser login failed: HTTP {response.status_code}")
    return {"name": "session", "value": http.cookies["session"]}


class DevTools:
    def __init__(self, ws_url: str):
        self.ws = websocket.create_connection(ws_url, timeout=120, suppress_origin=True)
        self.next_id = 0

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")


def screenshot(base: str, user: str, password: str, chromium: str, out: Path, charts: int, timeout: float = 180) -> None:
    cookie = session_cookie(base, user, password)
    with tempfile.TemporaryDirectory(prefix="ogi-chromium-") as profile:
        browser = subprocess.Popen([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                                    "--window-size=1600,1300", "about:blank"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.time() + 60
            while not (port_file.is_file() and port_file.read_text().strip()):
                if time.time() > deadline or browser.poll() is not None:
                    raise RuntimeError("Chromium did not start its DevTools endpoint")
                time.sleep(0.2)
            port = int(port_file.read_text().split()[0])
            pages = [t for t in requests.get(f"http://127.0.0.1:{port}/json/list", timeout=30).json() if t["type"] == "page"]
            tools = DevTools(pages[0]["webSocketDebuggerUrl"])
            tools.call("Network.enable")
            tools.call("Network.setCookie", url=base, **cookie)
            tools.call("Emulation.setDeviceMetricsOverride", width=1600, height=1300, deviceScaleFactor=1, mobile=False)
            tools.call("Page.enable")
            tools.call("Page.navigate", url=f"{base}/superset/dashboard/{DASHBOARD_SLUG}/?standalone=1")
            # Rendered = every chart holder shows its table or Superset's "No results" state, no spinner left.
            script = ("(() => { const h = [...document.querySelectorAll('.dashboard-component-chart-holder')];"
                      " return [h.length, h.filter(x => x.querySelector('table') || x.innerText.includes('No results')).length,"
                      " document.querySelectorAll('.loading').length]; })()")
            deadline = time.time() + timeout
            while True:
                holders, rendered, loading = tools.evaluate(script) or [0, 0, 1]
                if holders == charts and rendered == charts and loading == 0:
                    break
                if time.time() > deadline:
                    raise RuntimeError(f"dashboard did not render: {rendered} of {charts} charts ({holders} on the page), "
                                       f"{loading} loading")
                time.sleep(1)
            time.sleep(3)  # let the last layout pass settle
            png = tools.call("Page.captureScreenshot", format="png")["data"]
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(f".{out.name}.tmp")
            tmp.write_bytes(base64.b64decode(png))
            tmp.replace(out)
            tools.ws.close()
        finally:
            browser.terminate()
            browser.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8088")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--snapshot", type=Path, required=True)
    parser.add_argument("--expected", type=Path, required=True, help="JSON written by expected.py")
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    started = time.time()
    api = Superset(args.url, args.user, args.password)
    dashboard_id = import_dashboard(api, args.snapshot)
    print(f"smoke: dashboard {DASHBOARD_SLUG} imported (id {dashboard_id}); chart data against the warehouse:")
    problems = check_charts(api, dashboard_id, json.loads(args.expected.read_text(encoding="utf-8")))
    if args.screenshot and not problems:
        screenshot(args.url, args.user, args.password, args.chromium, args.screenshot, len(CHARTS))
        print(f"smoke: screenshot {args.screenshot}")
    for problem in problems:
        print(f"smoke: FAIL {problem}")
    print(f"smoke: {'FAILED' if problems else 'passed'} in {time.time() - started:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
