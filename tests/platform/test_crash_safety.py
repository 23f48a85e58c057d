"""Crash safety: a gunicorn worker SIGKILLed in the middle of a large write leaves all of it or none.

gunicorn (1 sync worker) runs against a scratch PostgreSQL database this test creates, migrates and
drops. Each large write (1,000 dataset items in one bulk POST, a skill version with 50 files, a
capture batch of 1,000 events) is sent, and the worker is killed while the request is in flight:
as soon as PostgreSQL shows its transaction open, and after fixed delays. The database must then
hold all the rows or none of them.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from datasets.models import DatasetItem
from events.models import Event
from skills.models import LLMSkill, LLMSkillFile

ROOT = Path(__file__).resolve().parents[2]
ROWS = 1000
FILES = 50
# None: kill as soon as the worker's transaction is open (pg_stat_activity); else after this delay.
KILL_POINTS = [None, 0.05, 0.2, 0.5]

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="crash safety is checked on PostgreSQL"),
]


def _admin_dsn(dbname: str = "postgres") -> str:
    settings = connection.settings_dict
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    user = settings.get("USER") or "postgres"
    password = settings.get("PASSWORD") or ""
    return f"host={host} port={port} user={user} dbname={dbname}" + (
        f" password={password}" if password else ""
    )


def _database_url(dbname: str) -> str:
    settings = connection.settings_dict
    auth = settings.get("USER") or "postgres"
    if settings.get("PASSWORD"):
        auth += f":{settings['PASSWORD']}"
    return f"postgres://{auth}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{dbname}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):  # the thread ended while listed
            continue
        found.extend(int(child) for child in text)
    return found


class Server:
    def __init__(self, dbname: str, tmp_path: Path):
        self.dbname = dbname
        self.port = _free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(dbname),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_WORKER_CLASS": "sync",
            "GUNICORN_THREADS": "1",
            "ACCESS_LOG": "false",
            "RATE_LIMIT_ENABLED": "false",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)  # the served settings, not the tests'
        self.log_path = tmp_path / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        ran = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert ran.returncode == 0, ran.stderr
        return ran.stdout

    def start(self) -> None:
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--timeout", "120"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/_health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer: {self.log_path.read_text()[-3000:]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker(self) -> int:
        workers = _children(self.process.pid)
        assert len(workers) == 1, workers
        return workers[0]

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def server(tmp_path):
    dbname = f"llm_server_crash_{os.getpid()}"
    with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        admin.execute(f'CREATE DATABASE "{dbname}"')
    served = Server(dbname, tmp_path)
    try:
        served.manage("migrate", "--no-input")
        served.start()
        yield served
    finally:
        served.stop()
        with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _transaction_open(db: psycopg.Connection, dbname: str) -> bool:
    row = db.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
        "AND xact_start IS NOT NULL AND query NOT ILIKE '%%pg_stat_activity%%'",
        [dbname],
    ).fetchone()
    return row[0] > 0


def _send_and_kill(server: Server, db: psycopg.Connection, send, kill_point: float | None) -> bool:
    """Sends in a thread, SIGKILLs the worker at the kill point; True when the kill landed before
    an answer came back. Waits for the replacement worker."""
    worker = server.worker()
    outcome: dict = {}

    def run():
        try:
            outcome["response"] = send()
        except requests.RequestException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    if kill_point is None:
        deadline = time.monotonic() + 30
        while not _transaction_open(db, server.dbname) and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.002)
    else:
        time.sleep(kill_point)
    answered_before_kill = not thread.is_alive()
    os.kill(worker, signal.SIGKILL)
    thread.join(timeout=60)
    # The master replaces the worker; wait until the new one answers.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if server.worker() != worker:
                break
        except AssertionError:
            pass
        time.sleep(0.05)
    server.wait_ready()
    return not answered_before_kill and "response" not in outcome


def test_killed_worker_leaves_large_writes_all_or_nothing(server):
    created = json.loads(server.manage("create_personal_api_key", "--email", "crash@example.com"))
    key, project, token = created["key"], created["project_id"], created["project_api_token"]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {key}"
    base = f"{server.url}/api/projects/{project}"
    dataset = api.post(f"{base}/datasets/", json={"name": "crash"}, timeout=30)
    assert dataset.status_code == 201, dataset.text
    dataset_id = dataset.json()["id"]

    items_table = DatasetItem._meta.db_table
    events_table = Event._meta.db_table
    skills_table = LLMSkill._meta.db_table
    files_table = LLMSkillFile._meta.db_table
    interrupted = {"bulk": 0, "skill": 0, "capture": 0}
    runs = 0
    with psycopg.connect(_admin_dsn(server.dbname), autocommit=True) as db:

        def count(sql: str, *params) -> int:
            return db.execute(sql, params).fetchone()[0]

        for attempt, kill_point in enumerate(KILL_POINTS):
            marker = f"crash-{attempt}-{uuid.uuid4().hex[:8]}"

            # 1,000 dataset items in one bulk request.
            items = [
                {"input": {"marker": marker, "n": n}, "output": {"text": "x" * 200}} for n in range(ROWS)
            ]
            landed = _send_and_kill(
                server,
                db,
                lambda items=items: api.post(
                    f"{base}/dataset_items/bulk/", json={"dataset": dataset_id, "items": items}, timeout=60
                ),
                kill_point,
            )
            interrupted["bulk"] += landed
            stored = count(f"SELECT count(*) FROM {items_table} WHERE input->>'marker' = %s", marker)
            assert stored in (0, ROWS), (kill_point, stored)

            # A skill version with 50 files, published over v1.
            name = f"skill-{marker}"
            first = api.post(
                f"{base}/llm_skills/", json={"name": name, "description": "d", "body": "# v1"}, timeout=30
            )
            assert first.status_code == 201, first.text
            files = [
                {"path": f"refs/f{n:02}.md", "content": f"{marker} {n} " + "y" * 2000} for n in range(FILES)
            ]
            landed = _send_and_kill(
                server,
                db,
                lambda name=name, files=files: api.patch(
                    f"{base}/llm_skills/name/{name}/",
                    json={"base_version": 1, "body": "# v2", "files": files},
                    timeout=60,
                ),
                kill_point,
            )
            interrupted["skill"] += landed
            versions = db.execute(
                f"SELECT id, version, is_latest FROM {skills_table} WHERE name = %s AND team_id = %s "
                "ORDER BY version",
                [name, project],
            ).fetchall()
            numbers = [row[1] for row in versions]
            assert numbers in ([1], [1, 2]), (kill_point, numbers)
            assert [row[2] for row in versions] == [False] * (len(versions) - 1) + [True], versions
            if numbers == [1, 2]:
                assert (
                    count(f"SELECT count(*) FROM {files_table} WHERE skill_version_id = %s", versions[1][0])
                    == FILES
                )
            assert (
                count(f"SELECT count(*) FROM {files_table} WHERE skill_version_id = %s", versions[0][0]) == 0
            )

            # A capture batch of 1,000 events.
            events = [
                {
                    "event": "$ai_generation",
                    "distinct_id": marker,
                    "properties": {"$ai_model": "gpt-4o", "$ai_input": "z" * 200, "n": n},
                    "timestamp": "2026-01-01T00:00:00Z",
                    "uuid": str(uuid.uuid4()),
                }
                for n in range(ROWS)
            ]
            landed = _send_and_kill(
                server,
                db,
                lambda events=events: requests.post(
                    f"{server.url}/batch/", json={"api_key": token, "batch": events}, timeout=60
                ),
                kill_point,
            )
            interrupted["capture"] += landed
            stored = count(f"SELECT count(*) FROM {events_table} WHERE distinct_id = %s", marker)
            assert stored in (0, ROWS), (kill_point, stored)
            runs += 1

        # No transaction was left open by a dead worker.
        assert not _transaction_open(db, server.dbname)
    assert runs == len(KILL_POINTS)
    # The kills landed mid-request at least once per write (else the test checked nothing).
    assert all(interrupted.values()), interrupted
    logged = server.log_path.read_text()
    # gunicorn saw each worker die by SIGKILL (one per request sent).
    assert logged.count("was sent SIGKILL") == 3 * len(KILL_POINTS), logged[-3000:]
