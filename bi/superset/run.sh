#!/usr/bin/env bash
# Apache Superset on the warehouse's snapshot, end to end:
#   bi/superset/run.sh [--warehouse FILE] [--port N] [--screenshot PNG] [--serve]
# 1. installs Superset 6.1.0 + duckdb-engine (DuckDB 1.5.6) into .venv-superset/ from
#    bi/superset/requirements.lock (once; skipped while the lock file is unchanged);
# 2. prepares its metadata (SQLite under .superset/, admin user admin/admin) and starts it on
#    127.0.0.1 (port 8088);
# 3. smoke.py imports the shipped dashboard (bi/superset/dashboard/) with its database pointed at
#    the snapshot beside the warehouse (<warehouse stem>_snapshot.duckdb), checks every chart's data
#    through Superset's HTTP API against the README's SQL run on the warehouse (.venv, DuckDB 2.0),
#    and with --screenshot takes a headless-Chromium screenshot of the dashboard;
# 4. stops Superset, or with --serve leaves it running (Ctrl-C stops it).
# Needs ./dev build first (the warehouse, its snapshot and .venv), /usr/bin/chromium for --screenshot.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

WAREHOUSE="warehouse/ogi.duckdb"
PORT=8088
SCREENSHOT=""
SERVE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --warehouse) WAREHOUSE="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --screenshot) SCREENSHOT="$2"; shift 2 ;;
    --serve) SERVE=1; shift ;;
    *) echo "usage: bi/superset/run.sh [--warehouse FILE] [--port N] [--screenshot PNG] [--serve]" >&2; exit 2 ;;
  esac
done
WAREHOUSE="$(realpath "$WAREHOUSE")"
SNAPSHOT="$(dirname "$WAREHOUSE")/$(basename "$WAREHOUSE" .duckdb)_snapshot.duckdb"
for f in "$WAREHOUSE" "$SNAPSHOT" .venv/bin/python; do
  [ -e "$f" ] || { echo "run.sh: $f missing: run ./dev build first" >&2; exit 2; }
done

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
VENV=.venv-superset
LOCK=bi/superset/requirements.lock
t0=$(date +%s)
if ! { [ -x "$VENV/bin/superset" ] && cmp -s "$LOCK" "$VENV/.installed-lock"; }; then
  echo "run.sh: installing Superset into $VENV from $LOCK (a few minutes the first time)…" >&2
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$LOCK"
  cp "$LOCK" "$VENV/.installed-lock"
fi
t1=$(date +%s)

export OGI_SUPERSET_STATE="$ROOT/.superset"
export SUPERSET_CONFIG_PATH="$ROOT/bi/superset/superset_config.py"
export FLASK_APP=superset
SUPERSET="$VENV/bin/superset"
"$SUPERSET" db upgrade >"$OGI_SUPERSET_STATE.log" 2>&1 || { tail -30 "$OGI_SUPERSET_STATE.log" >&2; exit 1; }
"$SUPERSET" fab create-admin --username admin --firstname OGI --lastname Admin --email admin@localhost \
  --password admin >>"$OGI_SUPERSET_STATE.log" 2>&1
"$SUPERSET" init >>"$OGI_SUPERSET_STATE.log" 2>&1 || { tail -30 "$OGI_SUPERSET_STATE.log" >&2; exit 1; }

"$SUPERSET" run -h 127.0.0.1 -p "$PORT" --with-threads >"$OGI_SUPERSET_STATE/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { tail -30 "$OGI_SUPERSET_STATE/server.log" >&2; exit 1; }
  sleep 1
done
curl -sf "http://127.0.0.1:$PORT/health" >/dev/null || { echo "run.sh: Superset did not start" >&2; exit 1; }
t2=$(date +%s)

EXPECTED="$OGI_SUPERSET_STATE/expected.json"
.venv/bin/python bi/superset/expected.py "$WAREHOUSE" >"$EXPECTED"
"$VENV/bin/python" bi/superset/smoke.py --url "http://127.0.0.1:$PORT" --snapshot "$SNAPSHOT" \
  --expected "$EXPECTED" ${SCREENSHOT:+--screenshot "$SCREENSHOT"}
t3=$(date +%s)
echo "run.sh: install $((t1 - t0)) s, metadata + start $((t2 - t1)) s, smoke $((t3 - t2)) s, total $((t3 - t0)) s"
if [ "$SERVE" = 1 ]; then
  echo "run.sh: Superset on http://127.0.0.1:$PORT/superset/dashboard/ogi-overview/ (admin / admin); Ctrl-C stops it"
  wait "$SERVER"
fi
