"""Network surface: what the project starts listens on the loopback interface only, unless told otherwise.

Starts the Dagster UI the way the README says (`dagster dev`, here without `-h`, to prove the default
too), finds every TCP socket its processes listen on (/proc: the UI, the daemon, the code server),
and requires each to be bound to 127.0.0.1 or ::1. Slow (the UI loads the project's definitions).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ENV_VARS, PROJECT_ROOT, SEEDS_DIR

pytestmark = pytest.mark.slow
LOOPBACK = {"127.0.0.1", "::1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(pids: set[int]) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state owned by `pids`."""
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:
                continue
            hex_addr, hex_port = local.split(":")
            raw = bytes.fromhex(hex_addr)
            # /proc prints each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add((socket.inet_ntop(family, raw), int(hex_port, 16)))
    return found


def _group_pids(pgid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def test_the_dagster_ui_and_its_servers_listen_on_loopback_only(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    env.update(DAGSTER_HOME=str(tmp_path), OGI_WAREHOUSE=str(tmp_path / "ogi.duckdb"), OGI_RAW_DIR=str(SEEDS_DIR))
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.Popen([str(dagster), "dev", "-p", str(port)], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        sockets: set[tuple[str, int]] = set()
        while time.monotonic() < deadline:
            sockets = _listening(_group_pids(proc.pid))
            if any(p == port for _, p in sockets):
                break
            assert proc.poll() is None, "dagster dev exited"
            time.sleep(1)
        assert any(p == port for _, p in sockets), f"the UI never listened on {port}"
        assert {addr for addr, _ in sockets} <= LOOPBACK, sockets
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
