"""Runs `wrk` with one of bench/lua's scripts and returns what its done() hook printed, as a dict."""

import json
import os
import shutil
import subprocess
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
THREADS, CONNECTIONS = 2, 16


def ensure_wrk() -> str:
    """wrk's path; installs the Debian package when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("make bench needs wrk: install it (apt-get install -y wrk) and run again.")
    print("wrk not found: apt-get install -y wrk", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("apt-get install wrk did not put wrk on PATH.")
    return found


def run(
    base_url: str, script: str, env: dict[str, str], seconds: int, connections: int = CONNECTIONS
) -> dict:
    """One wrk run against base_url with bench/lua/<script>; `env` configures the script.

    Returns requests, req_s, p50_ms, p99_ms, statuses (code -> count) and socket errors.
    """
    threads = min(THREADS, connections)
    command = [
        ensure_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "60s",
        "-s",
        str(LUA / script),
        base_url,
    ]
    completed = subprocess.run(
        command,
        env={**os.environ, **env, "BENCH_LUA_DIR": str(LUA)},
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    line = next((x for x in completed.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if completed.returncode != 0 or line is None:
        raise SystemExit(
            f"wrk failed ({completed.returncode}): {completed.stderr.strip() or completed.stdout}"
        )
    raw = json.loads(line.removeprefix("BENCH_RESULT "))
    duration = raw["duration_us"] / 1e6
    errors = raw["errors"]
    return {
        "requests": raw["requests"],
        "seconds": round(duration, 2),
        "req_s": round(raw["requests"] / duration, 1) if duration else 0.0,
        "p50_ms": round(raw["latency_us"]["p50"] / 1000, 2),
        "p90_ms": round(raw["latency_us"]["p90"] / 1000, 2),
        "p99_ms": round(raw["latency_us"]["p99"] / 1000, 2),
        "max_ms": round(raw["latency_us"]["max"] / 1000, 2),
        "statuses": {int(code): count for code, count in raw["statuses"].items()},
        "socket_errors": {name: errors[name] for name in ("connect", "read", "write", "timeout")},
        "connections": connections,
    }
