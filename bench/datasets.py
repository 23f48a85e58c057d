"""Latency of listing a 100,000-item dataset against a live gunicorn server.

Seeds one project with a dataset of BENCH_ITEMS items (bulk_create), plus a second, smaller
dataset so the per-dataset index has something to tell apart; starts gunicorn on a free local
port and times sequential requests for the first page and a deep page (offset 90,000), with and
without `?dataset=`. Uses DATABASE_URL when set (a database named llm_datasets_bench is created
and dropped), else a temporary SQLite file.

    .venv/bin/python bench/datasets.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/datasets.py
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
ITEMS = int(os.environ.get("BENCH_ITEMS", "100000"))
OTHER_ITEMS = int(os.environ.get("BENCH_OTHER_ITEMS", "10000"))
DEEP_OFFSET = int(os.environ.get("BENCH_DEEP_OFFSET", "90000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
BENCH_DATABASE = "llm_datasets_bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_url() -> str | None:
    """The PostgreSQL server of DATABASE_URL (without a database name), or None for SQLite."""
    base = os.environ.get("DATABASE_URL")
    return base.rsplit("/", 1)[0] if base else None


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def psql(server: str, command: str) -> None:
    subprocess.run(["psql", f"{server}/postgres", "-qc", command], check=True)


def seed(env: dict) -> dict:
    manage(env, "migrate", "--noinput", "-v0")
    created = json.loads(manage(env, "create_personal_api_key", "--email", "bench@example.com"))
    script = f"""
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from datasets.models import Dataset, DatasetItem
from llm_server.accounts.models import Team, User

team = Team.objects.get(pk={created["project_id"]})
user = User.objects.get(pk={created["user_id"]})
big = Dataset.objects.create(team=team, name="big", created_by=user)
other = Dataset.objects.create(team=team, name="other", created_by=user)
start = timezone.now() - timedelta(days=1)

def rows(dataset, count, offset):
    for i in range(count):
        yield DatasetItem(
            team=team, dataset=dataset, created_by=user, created_at=start + timedelta(milliseconds=offset + i),
            input={{"messages": [{{"role": "user", "content": f"Question number {{i}}: " + "lorem ipsum " * 10}}]}},
            output={{"content": f"Answer {{i}}"}}, metadata={{"split": "test" if i % 5 else "train"}},
            ref_trace_id=f"trace-{{i}}",
        )

batch = []
for source in (rows(big, {ITEMS}, 0), rows(other, {OTHER_ITEMS}, {ITEMS})):
    for row in source:
        batch.append(row)
        if len(batch) == 5000:
            DatasetItem.objects.bulk_create(batch)
            batch = []
DatasetItem.objects.bulk_create(batch)
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE datasets_datasetitem")
else:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
print(big.pk)
"""
    created["dataset_id"] = manage(env, "shell", "-c", script).strip().splitlines()[-1]
    return created


def timed(session: requests.Session, url: str, count: int, check) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        response = session.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} -> {response.status_code} {response.text[:200]}")
        check(response.json())
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return f"p50 {statistics.median(ordered):7.2f} ms  p95 {p95:7.2f} ms  ({len(ordered)} requests)"


def page_check(expected_count: int, expected_rows: int):
    def check(body: dict) -> None:
        assert body["count"] == expected_count, body["count"]
        assert len(body["results"]) == expected_rows, len(body["results"])

    return check


def wait_until_healthy(port: int) -> None:
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{port}/_health", timeout=5).ok:
                return
        except requests.RequestException:  # not listening yet, or still loading
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not become healthy")


def main() -> None:
    server = server_url()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"{server}/{BENCH_DATABASE}" if server else f"sqlite:///{tmp}/bench.sqlite3"
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
        if server:
            psql(server, f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
            psql(server, f"CREATE DATABASE {BENCH_DATABASE}")
        try:
            started = time.perf_counter()
            created = seed(env)
            seeded_in = time.perf_counter() - started
            port = free_port()
            gunicorn = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "llm_server.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "2",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
            try:
                wait_until_healthy(port)
                base = f"http://127.0.0.1:{port}/api/projects/{created['project_id']}/dataset_items/"
                dataset = created["dataset_id"]
                total = ITEMS + OTHER_ITEMS
                session = requests.Session()
                session.headers["Authorization"] = f"Bearer {created['key']}"
                engine = "PostgreSQL" if server else "SQLite"
                print(
                    f"{engine}: dataset of {ITEMS} items (+{OTHER_ITEMS} in another dataset), seeded in "
                    f"{seeded_in:.0f} s; gunicorn 2 workers x 2 threads; limit 100"
                )
                timed(session, f"{base}?dataset={dataset}", 10, page_check(ITEMS, 100))  # warm-up
                cases = [
                    ("?dataset= first page       ", f"{base}?dataset={dataset}", ITEMS),
                    (
                        f"?dataset= offset {DEEP_OFFSET}   ",
                        f"{base}?dataset={dataset}&offset={DEEP_OFFSET}",
                        ITEMS,
                    ),
                    ("all items first page       ", base, total),
                    (f"all items offset {DEEP_OFFSET}   ", f"{base}?offset={DEEP_OFFSET}", total),
                ]
                for label, case_url, count in cases:
                    print(label, summary(timed(session, case_url, REQUESTS, page_check(count, 100))))
            finally:
                gunicorn.terminate()
                gunicorn.wait(timeout=10)
        finally:
            if server:
                psql(server, f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")


if __name__ == "__main__":
    main()
