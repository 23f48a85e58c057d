"""What every benchmark script shares: a scratch database, a live gunicorn, timed requests.

Uses DATABASE_URL's PostgreSQL server when set (a scratch database is created and dropped), else
a temporary SQLite file.
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
WORKERS, THREADS = 2, 2


def engine() -> str:
    return "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def _psql(server: str, command: str) -> None:
    subprocess.run(["psql", f"{server}/postgres", "-qc", command], check=True)


@contextmanager
def scratch_database(name: str) -> Iterator[dict]:
    """The environment of a server on an empty, migrated database with one demo key; the key's
    details (`key`, `project_id`, `user_id`, ...) are under env["BENCH_KEY"] as JSON."""
    base = os.environ.get("DATABASE_URL")
    server = base.rsplit("/", 1)[0] if base else None
    with tempfile.TemporaryDirectory() as tmp:
        url = f"{server}/{name}" if server else f"sqlite:///{tmp}/{name}.sqlite3"
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
        if server:
            _psql(server, f"DROP DATABASE IF EXISTS {name}")
            _psql(server, f"CREATE DATABASE {name}")
        try:
            manage(env, "migrate", "--noinput", "-v0")
            env["BENCH_KEY"] = manage(env, "create_personal_api_key", "--email", "bench@example.com")
            yield env
        finally:
            if server:
                _psql(server, f"DROP DATABASE IF EXISTS {name}")


def created_key(env: dict) -> dict:
    return json.loads(env["BENCH_KEY"])


@contextmanager
def live_server(env: dict) -> Iterator[str]:
    """gunicorn (WORKERS x THREADS) on a free local port; yields its base URL once healthy."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "llm_server.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--threads", str(THREADS), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/_health", timeout=5).ok:
                    break
            except requests.RequestException:  # not listening yet, or still loading
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not become healthy")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def signed_session(env: dict) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {created_key(env)['key']}"
    return session


def timed(
    session: requests.Session,
    method: str,
    url: str | Callable[[int], str],
    count: int,
    body_for: Callable[[int], dict] | None = None,
    check: Callable[[dict], None] | None = None,
) -> list[float]:
    """Milliseconds of `count` sequential requests; any error status (or failed `check`) aborts."""
    samples = []
    for i in range(count):
        start = time.perf_counter()
        response = session.request(
            method, url(i) if callable(url) else url, json=body_for(i) if body_for else None
        )
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code >= 400:
            raise SystemExit(f"{method} {response.url} -> {response.status_code} {response.text[:200]}")
        if check:
            check(response.json())
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return f"p50 {statistics.median(ordered):7.2f} ms  p95 {p95:7.2f} ms  ({len(ordered)} requests)"
