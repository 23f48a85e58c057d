"""The server under test: a scratch database, gunicorn as production runs it, and its workers' RSS.

PostgreSQL when DATABASE_URL is set (a scratch database on that server, created and dropped), else
a temporary SQLite file. gunicorn is started exactly as production starts it
(`.venv/bin/gunicorn -c gunicorn.conf.py`), on a free loopback port, DEBUG off, access log off.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def manage(env: dict, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout


def _psql(server: str, command: str) -> None:
    subprocess.run(["psql", f"{server}/postgres", "-qXc", command], check=True, capture_output=True)


@contextmanager
def scratch_database() -> Iterator[dict]:
    """The server's environment on an empty, migrated scratch database. The key that
    `create_personal_api_key` printed (key, user_id, project_id, project_api_token, ...) is in
    env["BENCH_KEY_JSON"]."""
    base = os.environ.get("DATABASE_URL")
    server = base.rsplit("/", 1)[0] if base else None
    name = f"llm_server_bench_{os.getpid()}"  # several runs on one server do not collide
    with tempfile.TemporaryDirectory(prefix="llm_bench_") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"{server}/{name}" if server else f"sqlite:///{tmp}/bench.sqlite3",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "ACCESS_LOG": "false",
            "RATE_LIMIT_ENABLED": "false",
            "CACHE_DIR": f"{tmp}/cache",  # the file cache, when REDIS_URL is unset
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        }
        if server:
            _psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            _psql(server, f"CREATE DATABASE {name}")
        try:
            manage(env, "migrate", "--noinput", "-v0")
            env["BENCH_KEY_JSON"] = manage(
                env, "create_personal_api_key", "--email", "bench@example.com"
            ).strip()
            yield env
        finally:
            if server:
                _psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_model(env: dict) -> dict:
    """workers x threads and worker class, as gunicorn.conf.py reads them from `env`."""
    script = (
        "import json, runpy; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({k: c.get(k) for k in ('workers', 'threads', 'worker_class', 'max_requests')}))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout)


class RSSMonitor(threading.Thread):
    """Samples VmRSS of every child of the gunicorn master once a second; keeps the max per pid."""

    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master = master
        self.max_kb: dict[int, int] = {}
        self.stopped = threading.Event()

    def children(self) -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.master:
                pids.append(int(entry))
        return pids

    def sample(self) -> None:
        for pid in self.children():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    kb = int(line.split()[1])
                    self.max_kb[pid] = max(self.max_kb.get(pid, 0), kb)

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            self.sample()

    def report(self) -> dict[str, float]:
        """Max RSS (MB) per worker pid seen during the run."""
        return {str(pid): round(kb / 1024, 1) for pid, kb in sorted(self.max_kb.items())}


def log_summary(log: Path) -> dict:
    """What the server's own log says about the run: worker boots (restarts after max_requests
    included), worker timeouts, and error lines (first few kept)."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    errors = [
        line
        for line in lines
        if "Traceback" in line or "[ERROR]" in line or '"level": "ERROR"' in line or "[CRITICAL]" in line
    ]
    return {
        "worker_boots": sum("Booting worker" in line for line in lines),
        "worker_timeouts": sum("WORKER TIMEOUT" in line for line in lines),
        "error_lines": len(errors),
        "first_errors": [line[:300] for line in errors[:5]],
    }


@contextmanager
def gunicorn(env: dict, log: Path) -> Iterator[tuple[str, RSSMonitor]]:
    """gunicorn -c gunicorn.conf.py on a free loopback port, its output in `log`; yields
    (base URL, RSS monitor) once /_health answers."""
    port = free_port()
    server_env = {**env, "BIND": f"127.0.0.1:{port}"}
    server_env.pop("PORT", None)
    output = log.open("w")
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=server_env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    monitor = RSSMonitor(process.pid)
    try:
        for _ in range(150):
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/_health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:  # not listening yet
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer /_health in 30 s")
        monitor.start()
        yield base, monitor
    finally:
        monitor.stopped.set()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()
