"""`podium demo` loads the samples, prints working credentials and serves the console."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_serves_samples_with_printed_credentials(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "podium",
            "demo",
            "--no-browser",
            "--port",
            str(port),
            "--folder",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "Stop with Ctrl+C" in line or not line:
                break
        output = "".join(lines)
        password = re.search(r"admin\s+│?\s*(\S+)\s+│?\s*admin", output)
        assert password, output
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=5) as web:
            for _ in range(100):
                try:
                    web.get("/login")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            signed_in = web.post("/login", data={"username": "admin", "password": password[1]})
            assert signed_in.status_code in (200, 303)
            home = web.get("/", follow_redirects=True)
            assert home.status_code == 200
            for name in ("manufacturer", "retailer", "industrial_park"):
                assert name in home.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
